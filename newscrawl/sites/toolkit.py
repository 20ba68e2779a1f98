"""Everything a site module needs, and the only newscrawl module it imports.

A site module declares ``SPEC = SiteSpec(...)``: editions, URL patterns and
``rules=SiteRules(...)`` (selectors, noise, dates, and the per-field knobs
``not_authors``, ``printed_date_selectors``, ``wall_clock_selectors``). A quirk no knob
covers is a per-field hook, listed in ``SiteRules(overrides=...)``::

    @override("tags")
    def tags(page: Page, value: list[str]) -> list[str]:
        return [tag for tag in value if tag != page.record["title"]]

``tests/test_sites.py`` checks that site modules import nothing else from newscrawl.
"""

from newscrawl.extraction.dates import iso, normalize_date_text, parse_date, zone
from newscrawl.extraction.fields import Dates, Page, override
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.text import collapse_whitespace
from newscrawl.sites.spec import Edition, SiteSpec
from newscrawl.text.cleaning import split_authors

__all__ = [
    "Dates",
    "Edition",
    "Page",
    "SiteRules",
    "SiteSpec",
    "collapse_whitespace",
    "iso",
    "normalize_date_text",
    "override",
    "parse_date",
    "split_authors",
    "zone",
]
