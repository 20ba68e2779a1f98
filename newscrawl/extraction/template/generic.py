"""What the template learner borrows from the generic extractor, in one place
(the generic extractor is being reorganised; only this file names its parts)."""

from __future__ import annotations

from lxml.html import HtmlElement

from newscrawl.extraction import metadata as md
from newscrawl.extraction.generic import (
    _author_names,
    _headlines,
    _title_candidates,
    filter_lines,
    generic_body,
)

__all__ = ["generic_body", "line_filter"]


def line_filter(root: HtmlElement, paragraphs: list[str], notes: list[str]) -> list[str]:
    """The generic extractor's per-line rules (headline, byline, ticker, share, call to
    action, box labels): text no container selector can tell from the story."""
    article = md.read_jsonld(root)
    titles = _title_candidates(root, _headlines(root, article))
    return filter_lines(root, paragraphs, titles, _author_names(root, article), [], notes)
