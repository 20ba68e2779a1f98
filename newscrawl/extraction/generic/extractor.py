"""The generic extractor assembled from its stages (see the package doc)."""

from __future__ import annotations

from collections.abc import Iterable

from lxml.html import HtmlElement

from newscrawl.extraction import metadata as md
from newscrawl.extraction.article import Extraction, extract_article
from newscrawl.extraction.body import BodyResult, extract_body
from newscrawl.extraction.generic.candidates import (
    continued_in_siblings,
    lead_of,
    page_sentences,
    trafilatura_paragraphs,
)
from newscrawl.extraction.generic.embedded import embedded_story
from newscrawl.extraction.generic.jsonld import guided_by_json_ld
from newscrawl.extraction.generic.lines import (
    author_names,
    filter_lines,
    headlines_of,
    is_call_to_action,
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
    "is_share_line",
    "is_ticker_line",
]

# The rules, by name: ``disabled`` switches some off (the benchmark's ablation). Each
# pays on the corpus or the peer suites; the line rules for "read also" lines and
# digit-only lines and the removal of glued copies of the story did not (issue 15's
# ablation: nothing gained, or lost, anywhere) and went.
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
    "share": "drop share labels (Share, Facebook Twitter WhatsApp, شارك)",
    "cta": "drop calls to subscribe or follow, copyright lines, e-mail contact lines",
    "label": "drop box headings alone on a line (Related, Most read, الأكثر قراءة, More:)",
    "source": "drop 'Source: ...' attribution lines",
    "paywall": "cut at a subscribers-only notice",
    "tailbox": "cut at a box heading (Related, Top stories) in the second half of the text",
    "siblings": "add the story's text in containers like trafilatura's (same class), split off",
    "lead": "put first the lead (class names a lead/standfirst) before the text, if left out",
    "jsonld": "check paragraphs against the JSON-LD articleBody (precision and recall)",
    "fallback": "our densest block when trafilatura found only a fragment of it",
    "embedded": "the story from embedded app data (Next.js, JSON) when the DOM has under half",
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
    paragraphs = trafilatura_paragraphs(root, noise.pruned, noise.story_chars)
    sentences = page_sentences(root) if paragraphs else []
    if "siblings" not in disabled and paragraphs:
        paragraphs = continued_in_siblings(root, paragraphs, noise, notes, sentences)
    lead = []
    if "lead" not in disabled and paragraphs:
        lead = lead_of(root, paragraphs, noise, sentences)
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
    if "embedded" not in disabled:
        # Client-rendered pages: the story may be only in the data for the scripts.
        taken = embedded_story(root, paragraphs, " ".join(sorted(headlines)), notes)
        if taken is not paragraphs:
            paragraphs = filter_lines(root, taken, titles, authors, noise.blocks, notes, disabled)
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
