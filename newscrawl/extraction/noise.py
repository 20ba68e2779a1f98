"""The one noise vocabulary of both body extractors (``body`` for site modules and the
heuristic, ``generic`` for any page): what marks an element as page furniture.

* furniture tokens: class/id/role words of tickers, related and most-read boxes,
  share bars, footers. ``FURNITURE_TOKENS`` is what both extractors remove;
  ``CHROME_TOKENS`` adds what trafilatura already drops by itself (ads, navigation,
  comments, captions), so only the site/heuristic extractor, which has no
  trafilatura underneath, needs it;
* hidden styles (``display:none``, ``visibility:hidden``, the ``hidden`` attribute);
* link density: a block whose text is mostly link text is a headline list;
* the "read also" labels that open an embedded link box, in the region's languages
  and in Europe's.

>>> sorted(class_tokens_of("box_most-read  x"))
['box', 'box-most', 'box_most-read', 'most', 'most-read', 'read', 'x']
>>> READ_ALSO_RE.match("اقرأ أيضا: خبر") is not None, READ_ALSO_RE.match("Lire aussi") is not None
(True, True)
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from lxml.html import HtmlElement

# Furniture that survives trafilatura: tickers, "read also" and most-read boxes, share
# bars, footers, tag lists. Whole class/id/role words, or their parts split at - and _
# (single parts or two adjacent ones: "box-most-read" holds "most-read").
FURNITURE_TOKENS = frozenset(
    """ticker marquee newsbar readalso read-also also-read
    related relatednews most-read mostread most-viewed mostviewed popular trending
    more-news morenews footer copyright share sharing social breadcrumb breadcrumbs
    tags keywords""".split()
)
# Page chrome trafilatura drops by itself; the site/heuristic extractor must drop it too.
CHROME_TOKENS = frozenset(
    """breaking urgent related-news related-articles also read-more readmore see-also
    inline-related shares socials sharebar share-bar share-tools addthis sharethis
    newsletter subscribe subscription signup tag-list taglist comments comment disqus
    ad ads advert advertisement adsbygoogle sponsor sponsored promo banner dfp
    sidebar widget nav navbar menu pagination pager print
    caption figcaption credit credits photo-credit""".split()
)
# Reader comments, their lists and forms: never the story.
COMMENT_TOKENS = frozenset(
    """comment comments commentlist comment-list comment-form disqus respond replies
    discussion""".split()
)
# Boxes of the site's services: sign-up and newsletter forms, cookie and consent notices.
SERVICE_TOKENS = frozenset(
    """newsletter newsletters subscribe subscription signup sign-up optin opt-in
    cookie cookies cookiebar cookie-notice consent gdpr privacy-notice""".split()
)
# Not noise: the story's lead (standfirst), which trafilatura sometimes leaves out.
LEAD_TOKENS = frozenset("lead standfirst article-lead story-lead intro dek subheadline".split())
ALL_TOKENS = FURNITURE_TOKENS | CHROME_TOKENS | COMMENT_TOKENS | SERVICE_TOKENS

# Styles that hide an element from the reader. (Not aria-hidden: sites put it on text
# they show, such as a paywalled paragraph; the site extractor decides that alone.)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# A block whose text is mostly link text is a headline list, not prose.
LINK_DENSITY_LIMIT = 0.6

# Labels that open an embedded "read also" box: the region's languages, then Europe's.
READ_ALSO_LABELS = (
    "read also|read more|also read|see also|related|more on this|"
    "اقرأ أيضا|اقرأ أيضاً|اقرا ايضا|إقرأ أيضا|اقرأ ايضا|اقرأ المزيد|طالع أيضا|طالع أيضاً|"
    "شاهد أيضا|شاهد أيضاً|مواضيع ذات صلة|أخبار ذات صلة|اخبار ذات صلة|ذات صلة|"
    "بیشتر بخوانید|بخوانید|ilgili haberler|ayrıca okuyun|"
    "les også|läs även|läs också|læs også|lesen sie auch|mehr zum thema|"
    "lees ook|leggi anche|à lire aussi|lire aussi|lea también|leia também|czytaj też|"
    "czytaj także|čtěte také|devamını oku|bunu da okuyun"
)
READ_ALSO_RE = re.compile(rf"^\s*(?:{READ_ALSO_LABELS})\s*[:：\-–]?", re.IGNORECASE)

_WORDS = re.compile(r"\s+")
_PARTS = re.compile(r"[-_]+")


@lru_cache(maxsize=4096)
def class_tokens_of(value: str) -> frozenset[str]:
    """The words of a class/id value, their parts, and pairs of adjacent parts.
    (Cached: pages repeat their class names, and every element is asked several times.)"""
    tokens: set[str] = set()
    for word in _WORDS.split(value.lower()):
        if not word:
            continue
        tokens.add(word)
        parts = [p for p in _PARTS.split(word) if p]
        tokens.update(parts)
        tokens.update(f"{a}-{b}" for a, b in itertools.pairwise(parts))
    return frozenset(tokens)


def names_furniture(el: HtmlElement, tokens: frozenset[str] = FURNITURE_TOKENS) -> bool:
    """Whether the element's class, id or role names furniture of ``tokens``."""
    for attr in ("class", "id", "role"):
        value = el.get(attr)
        if value and not tokens.isdisjoint(class_tokens_of(value)):
            return True
    return False


def is_hidden(el: HtmlElement) -> bool:
    """Hidden from the reader by the ``hidden`` attribute or an inline style."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return style is not None and HIDDEN_STYLE.search(style) is not None


def link_dense(text: int, link: int, links: int, limit: float = LINK_DENSITY_LIMIT) -> bool:
    """Two links or more, and link text over ``limit`` of all text."""
    return text > 0 and links >= 2 and link > limit * text
