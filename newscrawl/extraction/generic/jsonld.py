"""Stage 4: the publisher's own JSON-LD ``articleBody`` as a check on the paragraphs."""

from __future__ import annotations

import html as html_lib
import re

from lxml.html import HtmlElement

from newscrawl.extraction.body import paragraphs_of
from newscrawl.extraction.generic.lines import flat
from newscrawl.extraction.generic.tree import TreeNoise

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]+>")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _json_ld_body(article: dict[str, object]) -> str | None:
    """The page's JSON-LD ``articleBody``, as plain text, if it has one worth using."""
    body = article.get("articleBody")
    if not isinstance(body, str) or len(body) < JSON_LD_MIN_CHARS:
        return None
    if "<" in body:  # some sites put the HTML in
        body = _TAG.sub(" ", body)
    return flat(html_lib.unescape(body))


JSON_LD_MIN_CHARS = 500


def guided_by_json_ld(
    root: HtmlElement,
    article: dict[str, object],
    paragraphs: list[str],
    noise: TreeNoise,
    notes: list[str],
    lead: frozenset[str] = frozenset(),
) -> list[str]:
    """The publisher's own ``articleBody`` (JSON-LD) as a check on the paragraphs.

    ``lead`` paragraphs stay: publishers often keep the standfirst out of it.

    Only where most of what trafilatura found is in it (so it is this story's
    full text, not a teaser): paragraphs mostly not in it are dropped; and if it is
    much longer than what was found, the page's paragraphs that it holds are taken
    instead (trafilatura stopped at a split in the markup).
    """
    reference = _json_ld_body(article)
    if reference is None:
        return paragraphs
    vocabulary = set(_words(reference))

    def share_in(paragraph: str) -> float:
        words = _words(paragraph)
        return sum(w in vocabulary for w in words) / len(words) if words else 1.0

    shares = [share_in(p) for p in paragraphs]
    found = sum(len(p) for p in paragraphs) or 1
    matched = sum(len(p) for p, share in zip(paragraphs, shares, strict=True) if share >= 0.8)
    if matched < 0.7 * found or len(reference) < 0.7 * found:
        return paragraphs
    if len(reference) > 1.5 * found:
        body = root.find("body")
        body = root if body is None else body
        skip = set(noise.blocks) | set(noise.pruned)
        skip.update(body.iter("script", "style", "noscript", "template"))
        held = [
            p
            for p in paragraphs_of(body, skip)
            if share_in(p) >= 0.9 and (len(p.split()) >= 6 or p in reference)
        ]
        if sum(len(p) for p in held) > 1.3 * found:
            notes.append("json_ld_recall")
            return held
    kept = [p for p, share in zip(paragraphs, shares, strict=True) if share >= 0.5 or p in lead]
    if len(kept) < len(paragraphs):
        notes.append("json_ld_precision")
    return kept
