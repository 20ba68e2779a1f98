"""Generic extraction: any news page, no site module.

``extract_generic(html, url)`` gives the record of ``extract_article`` (metadata from
JSON-LD/OpenGraph/meta, dates with our Arabic and Persian handling, the language
checked against the script), with ``site`` and ``extraction`` "generic". Only the
body is found differently (``generic_body``), by trafilatura plus our own rules,
none of them about one site:

1. ``tree``: the page tree is read for noise. *Pruned* nodes (other stories
   appended below the page's own, hidden elements) are dropped from trafilatura's
   own copy of the tree (ours is left as it was). *Noise blocks* (link-dense
   headline lists, tickers, boxes whose class names a ticker, related or most-read
   box, share bar or footer, "read also" boxes) are only remembered: pruning them
   changes which container trafilatura picks, so their text is taken out of its
   output instead (unless the same text is also on the page outside them). The
   block with the most paragraph text, and what holds it, is never noise;
2. ``candidates``: trafilatura's main-content extraction on the tree, reader
   comments left out; when the story goes on in further containers like the one it
   took it from (same tag and class, same <article>: a body split by ads), their
   text is added;
3. ``lines``: its blocks as paragraphs (``<lb>`` ends one, list items and table rows
   are paragraphs of their own), then noise by text: the noise blocks' text, the
   headline, a byline at the top, placeholders the page repeats, timestamp lines,
   "read also" lines, share labels, calls to subscribe, copyright and e-mail lines,
   box headings, "Source:" lines, counters; cut at a subscribers-only notice or at
   "Related"/"Top stories" past the middle; a hidden copy of the story glued into
   one paragraph;
4. ``jsonld``: the JSON-LD ``articleBody``, where the page has one that holds what
   was found: paragraphs mostly not in it are dropped, and when it is much longer,
   the page's paragraphs it holds are taken instead;
5. the page's densest block (``body.extract_body``) when trafilatura found little,
   and that block holds it and twice as much.

The vocabulary of noise (furniture class names, hidden styles, link density, "read
also" labels) is ``extraction.noise``, shared with the site extractor.

``RULES`` names every rule; ``extract_generic(..., disabled=[...])`` switches some
off, which is how bench/extraction.py --generic --ablate measures each.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml.html import HtmlElement

from newscrawl.extraction import metadata as md
from newscrawl.extraction.article import Extraction, extract_article
from newscrawl.extraction.body import BodyResult, extract_body
from newscrawl.extraction.generic.candidates import (
    continued_in_siblings,
    lead_of,
    trafilatura_paragraphs,
)
from newscrawl.extraction.generic.jsonld import guided_by_json_ld
from newscrawl.extraction.generic.lines import (
    author_names,
    filter_lines,
    headlines_of,
    is_call_to_action,
    is_read_also_line,
    is_share_line,
    is_ticker_line,
    title_candidates,
)
from newscrawl.extraction.generic.tree import find_tree_noise
from newscrawl.extraction.rules import GENERIC_RULES, SiteRules

__all__ = [
    "RULES",
    "extract_generic",
    "generic_body",
    "is_call_to_action",
    "is_read_also_line",
    "is_share_line",
    "is_ticker_line",
]

# The rules, by name: ``disabled`` switches some off (the benchmark's ablation).
RULES = {
    "appended": "prune <article>s with their own <h1> below the page's own (infinite scroll)",
    "comments": "prune reader comments: class/id names comments, a comment list or form",
    "service": "prune sign-up, newsletter, cookie and consent boxes (class/id, under 1,000 chars)",
    "teasers": "prune lists of 3+ cards (headline link, short summary): other stories",
    "linkdense": "noise block: links >60% of its text (90% for a <p>), no sentence outside",
    "furniture": "noise block: class/id names a ticker, related/most-read box, share bar, footer",
    "hidden": "prune hidden elements (display:none, visibility:hidden, the hidden attribute)",
    "readalso": "noise block: a short box that starts with 'read also' (Arabic, English, ...)",
    "title": "drop lines that are the headline (h1, og:title, <title>)",
    "byline": "drop a byline ('By ...', 'بقلم ...', an author's name) in the first lines",
    "repeat": "drop short lines said twice, long ones said 3+ times (placeholders), never most",
    "ticker": "drop timestamp lines (ticker items, datelines)",
    "readalso_line": "drop 'read also: ...' lines",
    "share": "drop share labels (Share, Facebook Twitter WhatsApp, شارك)",
    "cta": "drop calls to subscribe or follow, copyright lines, e-mail contact lines",
    "label": "drop box headings alone on a line (Related, Most read, الأكثر قراءة, More:)",
    "source": "drop 'Source: ...' attribution lines",
    "noletters": "drop lines of digits without a letter (gallery counters, ids)",
    "paywall": "cut at a subscribers-only notice",
    "tailbox": "cut at a box heading (Related, Top stories) in the second half of the text",
    "duplicate": "drop a paragraph that is other paragraphs glued together (a hidden copy)",
    "siblings": "add the story's text in containers like trafilatura's (same class), split off",
    "lead": "put first the lead (class names a lead/standfirst) before the text, if left out",
    "jsonld": "check paragraphs against the JSON-LD articleBody (precision and recall)",
    "fallback": "our densest block when trafilatura found only a fragment of it",
}

FALLBACK_BELOW = 2000


def generic_body(
    root: HtmlElement,
    rules: SiteRules = GENERIC_RULES,
    disabled: frozenset[str] = frozenset(),
) -> BodyResult:
    """The body of any page: trafilatura, minus our noise, else our densest block."""
    article = md.read_jsonld(root)
    headlines = headlines_of(root, article)
    titles = title_candidates(root, headlines)
    authors = author_names(root, article)
    noise = find_tree_noise(root, headlines, disabled)
    notes: list[str] = []
    paragraphs = trafilatura_paragraphs(root, noise.pruned)
    if "siblings" not in disabled and paragraphs:
        paragraphs = continued_in_siblings(root, paragraphs, noise, notes)
    lead = lead_of(root, paragraphs, noise) if "lead" not in disabled and paragraphs else []
    if lead:
        notes.append("lead_added")
        paragraphs = lead + paragraphs
    paragraphs = filter_lines(
        root,
        paragraphs,
        titles,
        authors,
        noise.blocks,
        notes,
        disabled,
    )
    if "jsonld" not in disabled:
        paragraphs = guided_by_json_ld(root, article, paragraphs, noise, notes, frozenset(lead))
    found = sum(len(p) for p in paragraphs)
    if "fallback" not in disabled and found < FALLBACK_BELOW:
        # Little text: trafilatura may have kept a fragment of a block that holds
        # twice as much. Take the block, if it holds what trafilatura found (else
        # it is another story).
        own = extract_body(root, rules)
        if (
            found < 0.5 * len(own.text)
            and sum(len(p) for p in paragraphs if p in own.text) >= 0.8 * found
        ):
            notes.append("own_candidate")
            paragraphs = filter_lines(
                root, own.paragraphs, titles, authors, noise.blocks, notes, disabled
            )
    return BodyResult(paragraphs, "generic", [], sorted(set(notes)))


def extract_generic(html: str | bytes, url: str, *, disabled: Iterable[str] = ()) -> Extraction:
    """Extract an article from any page: the record of ``extract_article``, a generic body.

    ``disabled`` names rules of ``RULES`` to leave out (for measuring them).
    """
    off = frozenset(disabled)
    unknown = off - RULES.keys()
    if unknown:
        raise ValueError(f"unknown rules: {sorted(unknown)}")

    def body(root: HtmlElement, rules: SiteRules) -> BodyResult:
        return generic_body(root, rules, off)

    return extract_article(html, url, GENERIC_RULES, body_extractor=body)
