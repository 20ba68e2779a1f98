"""Stage 1: noise on the page tree, before trafilatura sees it.

*Pruned* nodes (other stories appended below the page's own, hidden elements, reader
comments, sign-up and cookie boxes, lists of other stories' cards) are
dropped from trafilatura's copy of the tree. *Noise blocks* (link-dense headline
lists, tickers, boxes whose class names furniture, "read also" boxes) are only
remembered: pruning them changes which container trafilatura picks, so their text
is taken out of its output instead (stage 3). The block with the most paragraph
text, and what holds it, is never noise.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from newscrawl.extraction.body import BLOCK_TAGS, heuristic_container
from newscrawl.extraction.noise import (
    COMMENT_TOKENS,
    LINK_DENSITY_LIMIT,
    READ_ALSO_RE,
    SERVICE_TOKENS,
    is_hidden,
    link_dense,
    names_furniture,
)
from newscrawl.extraction.text import collapse_whitespace

PRUNE_MARK = "data-newscrawl-prune"
# Comments too: given a tree with comments, trafilatura loses the text after one.
# Scripts (but the JSON-LD its last resort reads) and styles too: it
# deletes them anyway, after copying the tree twice with them.
PRUNE_XPATHS = [
    f"//*[@{PRUNE_MARK}]",
    "//comment()",
    "//script[not(@type='application/ld+json')]|//style",
]


# --- noise on the tree --------------------------------------------------------------


# Subtrees trafilatura always deletes: no text of theirs reaches its output, so no
# noise needs finding there (and not walking them saves time).
UNSEEN = frozenset(
    """script style noscript template svg iframe object embed canvas video audio map
    select button nav aside footer figure picture math textarea dialog menu""".split()
)
# Indexes of the measures of an element (lists, not objects: this runs on every node).
TEXT, LINK, LINKS, PROSE = range(4)


def measure_blocks(container: HtmlElement) -> dict[HtmlElement, list[int]]:
    """Per element: characters of text, of link text, number of links, and the
    longest run of text outside links (a sentence, not a label). One walk."""
    # iterwalk passes over comments, not over the text that follows them
    after_comments: dict[HtmlElement, tuple[int, int]] = {}
    for comment in container.iter(etree.Comment, etree.ProcessingInstruction):
        n = len((comment.tail or "").strip())
        if n:
            parent = comment.getparent()
            total, longest = after_comments.get(parent, (0, 0))
            after_comments[parent] = (total + n, max(longest, n))
    sizes: dict[HtmlElement, list[int]] = {}
    stack = [[0, 0, 0, 0]]
    walker = etree.iterwalk(container, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            stack.append([0, 0, 0, 0])
            if el.tag in UNSEEN:
                walker.skip_subtree()
            continue
        own = stack.pop()
        tag = el.tag
        text = None if tag in UNSEEN else el.text
        if text:
            n = len(text.strip())
            own[TEXT] += n
            if n > own[PROSE]:
                own[PROSE] = n
        if after_comments and el in after_comments and tag not in UNSEEN:
            n, longest = after_comments[el]
            own[TEXT] += n
            if longest > own[PROSE]:
                own[PROSE] = longest
        if tag == "a" and el.get("href") is not None:
            own[LINK] = own[TEXT]
            own[LINKS] += 1
            own[PROSE] = 0
        sizes[el] = own
        parent = stack[-1]
        parent[TEXT] += own[TEXT]
        parent[LINK] += own[LINK]
        parent[LINKS] += own[LINKS]
        if own[PROSE] > parent[PROSE]:
            parent[PROSE] = own[PROSE]
        tail = el.tail
        if tail:  # the container's own tail goes to a parent nobody reads
            n = len(tail.strip())
            parent[TEXT] += n
            if n > parent[PROSE]:
                parent[PROSE] = n
    return sizes


# A block of links with no sentence of its own is a headline list.
PROSE_CHARS = 120
# Three links or more, with nothing but labels (timestamps, bullets) between them.
LIST_LINK_SHARE = 0.4
LIST_PROSE_CHARS = 50
# React's streamed server rendering sends late parts of the page as <div hidden
# id="S:n">, which its script moves into place: shown, not hidden.
_STREAMED_SEGMENT = re.compile(r"S:\d+$")
# A box of the site's services is short; a wrapper so named that holds more is not one.
SERVICE_BOX_CHARS = 1000
# A hidden block is pruned when the visible rest of the page is at least this long.
HIDDEN_REST_CHARS = 400


def _is_noise_block(el: HtmlElement, size: list[int], total: int, disabled: frozenset[str]) -> bool:
    text = size[TEXT]
    if not text or (text > 0.5 * total and text > 400):  # empty, or holds the article
        return False
    if (
        "linkdense" not in disabled
        # A paragraph is a sentence with links in it unless it is nearly all links.
        and link_dense(text, size[LINK], size[LINKS], 0.9 if el.tag == "p" else LINK_DENSITY_LIMIT)
        and size[PROSE] < PROSE_CHARS
    ):
        return True
    if (
        "linkdense" not in disabled
        and el.tag != "p"
        and size[LINKS] >= 3
        and size[LINK] > LIST_LINK_SHARE * text
        and size[PROSE] < LIST_PROSE_CHARS
    ):
        return True  # a list of links with short labels between: "GMT 08:52 ... <a>headline"
    if (
        "furniture" not in disabled
        and names_furniture(el)
        # not a wrapper named after its furniture that holds the story's sentences
        and (size[PROSE] < PROSE_CHARS or size[LINK] > 0.3 * text)
    ):
        return True
    if "readalso" not in disabled and text < 300:
        line = collapse_whitespace(el.text_content())
        if READ_ALSO_RE.match(line) and (
            (size[LINKS] and size[LINK] / text >= 0.3) or len(line.split()) <= 4
        ):
            return True
    return False


def _appended_articles(body: HtmlElement, headlines: set[str]) -> list[HtmlElement]:
    """Other stories appended below the page's own (infinite scroll): <article>s with
    their own <h1>, apart from the one whose <h1> is in the page's title (else the
    first)."""
    holders: list[tuple[HtmlElement, HtmlElement]] = []
    for h1 in body.iter("h1"):
        article = next(h1.iterancestors("article"), None)
        if article is not None and all(article is not a for a, _ in holders):
            holders.append((article, h1))
    if len(holders) < 2:
        return []
    main = next(
        (
            a
            for a, h1 in holders
            if any(collapse_whitespace(h1.text_content()).casefold() in h for h in headlines)
        ),
        holders[0][0],
    )
    return [
        a
        for a, _ in holders
        if a is not main
        and not any(x is main for x in a.iterancestors())
        and not any(x is a for x in main.iterancestors())
    ]


_LISTS = frozenset({"ul", "ol", "div", "section"})
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# A card: a headline link and a line or two of summary; more text is a story's own item.
CARD_CHARS = 1000


def _is_card(item: HtmlElement, sizes: dict[HtmlElement, list[int]]) -> bool:
    """A headline link in a heading, or one target linked twice (picture and headline),
    with little text: another story's card, not an item of this story's own list."""
    size = sizes.get(item)
    if size is None or not size[TEXT] or size[TEXT] > CARD_CHARS:
        return False
    targets: Counter[str] = Counter()
    for link in item.iter("a"):
        href = link.get("href") or ""
        if not href or href.startswith(("#", "javascript:")):
            continue
        targets[href] += 1
        if link.text_content().strip() and (
            any(a.tag in _HEADINGS for a in link.iterancestors())
            or any(h.tag in _HEADINGS for h in link.iterdescendants())
        ):
            return True
    return any(count >= 2 for count in targets.values())


def _is_teaser_list(el: HtmlElement, sizes: dict[HtmlElement, list[int]]) -> bool:
    """Three items or more of one tag, nearly all cards: headline links with a summary."""
    items = [c for c in el if isinstance(c.tag, str) and sizes.get(c, (0,))[0]]
    if len(items) < 3:
        return False
    tag = Counter(c.tag for c in items).most_common(1)[0][0]
    same = [c for c in items if c.tag == tag]
    if len(same) < 0.8 * len(items):
        return False
    return sum(_is_card(c, sizes) for c in same) >= max(3, 0.75 * len(same))


@dataclass
class TreeNoise:
    pruned: list[HtmlElement]  # removed before trafilatura
    blocks: list[HtmlElement]  # whose text is removed from its output
    # Characters of <p> text in the element with the most of it: how long a story the
    # page holds, to tell a short result of trafilatura's fast mode from a short story.
    story_chars: int = 0
    # measure_blocks of the page's <body>, for later stages to reuse
    sizes: dict[HtmlElement, list[int]] = field(default_factory=dict)


def story_chars(anchor: HtmlElement | None) -> int:
    """<p> text directly in ``anchor`` (``heuristic_container``'s measure, <br> aside)."""
    if anchor is None:
        return 0
    return sum(len(p.text_content().strip()) for p in anchor.iterchildren("p"))


def find_tree_noise(
    root: HtmlElement, headlines: set[str], disabled: frozenset[str] = frozenset()
) -> TreeNoise:
    """Nodes to prune before trafilatura, and noise blocks to take out of its text."""
    body = root.find("body")
    if body is None:
        body = root
    pruned: list[HtmlElement] = []
    if "appended" not in disabled:
        pruned += _appended_articles(body, headlines)
    blocks: list[HtmlElement] = []
    if {
        "linkdense",
        "hidden",
        "furniture",
        "readalso",
        "comments",
        "service",
        "teasers",
    } <= disabled:
        return TreeNoise(pruned, blocks, story_chars(heuristic_container(body)))
    sizes = measure_blocks(body)
    total = sizes[body][TEXT] or 1
    # The block with the most paragraph text, and what holds it, is never noise.
    anchor = heuristic_container(body)
    protected = set() if anchor is None else {anchor, *anchor.iterancestors()}
    walker = etree.iterwalk(body, events=("start",))
    for _event, el in walker:
        size = sizes.get(el)
        if size is None or not size[TEXT]:  # unseen or empty: nothing to find inside
            walker.skip_subtree()
            continue
        if el in protected:
            continue
        if (
            "hidden" not in disabled
            and is_hidden(el)
            and not _STREAMED_SEGMENT.match(el.get("id") or "")
            and total - size[TEXT] >= min(size[TEXT], HIDDEN_REST_CHARS)
        ):
            # Not what a reader sees (microdata copies, templates, a collapsed menu): gone
            # from trafilatura's tree, so that a visible copy of the same words stays.
            # Unless the page shows little else: then it is the story, revealed by script.
            pruned.append(el)
            walker.skip_subtree()
            continue
        if (
            "comments" not in disabled
            and el.tag in BLOCK_TAGS
            and names_furniture(el, COMMENT_TOKENS)
        ):
            # Reader comments and their forms (trafilatura misses many): gone from its tree.
            pruned.append(el)
            walker.skip_subtree()
            continue
        if (
            "service" not in disabled
            and el.tag in BLOCK_TAGS
            and size[TEXT] < SERVICE_BOX_CHARS
            and names_furniture(el, SERVICE_TOKENS)
        ):
            # A sign-up or cookie box: a few sentences to the reader, not about the news.
            pruned.append(el)
            walker.skip_subtree()
            continue
        if "teasers" not in disabled and el.tag in _LISTS and _is_teaser_list(el, sizes):
            # Other stories' cards (headline link, a line of summary) below or beside
            # the story: pruned, so that their summaries are not taken for its paragraphs.
            pruned.append(el)
            walker.skip_subtree()
            continue
        if el.tag not in BLOCK_TAGS:
            continue
        if _is_noise_block(el, size, total, disabled):
            blocks.append(el)
            walker.skip_subtree()
    return TreeNoise(pruned, blocks, story_chars(anchor), sizes)
