"""What the template learner borrows from the generic extractor, in one place
(the generic extractor is being reorganised; only this file names its parts)."""

from __future__ import annotations

from lxml.html import HtmlElement

from newscrawl.extraction import metadata as md
from newscrawl.extraction.generic.extractor import generic_body
from newscrawl.extraction.generic.lines import author_names as _author_names
from newscrawl.extraction.generic.lines import filter_lines
from newscrawl.extraction.generic.lines import headlines_of as _headlines
from newscrawl.extraction.generic.lines import title_candidates as _title_candidates

__all__ = ["generic_body", "line_filter"]


def line_filter(root: HtmlElement, paragraphs: list[str], notes: list[str]) -> list[str]:
    """The generic extractor's per-line rules (headline, byline, ticker, share, call to
    action, box labels): text no container selector can tell from the story."""
    article = md.read_jsonld(root)
    titles = _title_candidates(root, _headlines(root, article))
    return filter_lines(root, paragraphs, titles, _author_names(root, article), [], notes)
