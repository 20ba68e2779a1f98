"""A site, declared: what newscrawl knows about one publisher, apart from any Scrapy spider.

A site module declares one :class:`SiteSpec` (``SPEC``); a TOML file (``scrapy crawl news
-a config=...``) loads into the same type. The registry (``newscrawl.sites.registry``)
turns each spec into a spider class, and ``newscrawl.extraction.decide`` extracts a page
with it, so the crawl and ``newscrawl.extract`` read one declaration the same way.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit

from newscrawl.extraction.rules import GENERIC_RULES, SiteRules
from newscrawl.extraction.template.model import Template

# Listing pagination most CMSs use: /page/2/, ?page=2.
DEFAULT_PAGINATION = r"/page/\d+/?(?:\?|$)|[?&]page=\d+"


@dataclass(frozen=True)
class Edition:
    """One language edition of a site: where its URLs live and how to find them."""

    language: str
    path: str = "/"
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()


def url_target(url: str) -> str:
    """What ``article_url`` and ``pagination_url`` are both searched in: the URL's path
    and, when it has one, ``?query`` ("/news/1?page=2"), never scheme or host, so one
    pattern holds on the site, on a mirror and on ``-a base_url=``."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class SiteSpec:
    """Everything declared about one site. ``rules`` holds the extraction part
    (selectors, noise, dates, per-field knobs and overrides); its ``name`` is the spec's.

    ``article_url`` and ``pagination_url`` are regexes searched in :func:`url_target`
    (path plus query). ``sources`` says where the declarations were seen (a site
    module's docstring).
    """

    name: str
    origin: str
    domains: tuple[str, ...]
    editions: Mapping[str, Edition]
    article_url: str = ""
    pagination_url: str = DEFAULT_PAGINATION
    rules: SiteRules = GENERIC_RULES
    robots_sitemaps: bool = True
    max_listing_pages: int = 5
    # A site known only by its address (``news -a site=``): bodies from the generic
    # extractor, records say ``extraction: "generic"``.
    generic: bool = False
    sources: str = field(default="", compare=False, repr=False)
    # A declaration `scrapy learn` wrote: its learned layouts decide the body
    # (extraction: "learned"), the generic extractor where none places the page.
    template: Template | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Read-only, so a spec shared by every spider of a process cannot be changed by one.
        object.__setattr__(self, "editions", MappingProxyType(dict(self.editions)))
        object.__setattr__(self, "origin", self.origin.rstrip("/"))
        object.__setattr__(self, "domains", tuple(self.domains))
        if self.rules.name != self.name:  # the name is declared once, on the spec
            object.__setattr__(self, "rules", dataclasses.replace(self.rules, name=self.name))
        for pattern in (self.article_url, self.pagination_url):
            re.compile(pattern)  # a bad pattern fails where it is declared

    def edition_for(self, url: str, among: Mapping[str, Edition] | None = None) -> str | None:
        """Key of the edition whose path holds ``url``: the longest path wins."""
        path = urlsplit(url).path or "/"
        editions = self.editions if among is None else among
        best: str | None = None
        for key, edition in editions.items():
            if path.startswith(edition.path) and (
                best is None or len(edition.path) > len(editions[best].path)
            ):
                best = key
        return best

    def language_for(self, url: str) -> str | None:
        """The language of the edition ``url`` belongs to (None: none, or not declared)."""
        key = self.edition_for(url)
        return (self.editions[key].language or None) if key is not None else None

    def canonical_scope(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(domains, listing paths): where the site's canonical URLs may and may not point."""
        listings = {p for e in self.editions.values() for p in (e.path, *e.sections)}
        return self.domains, tuple(sorted(listings))


GENERIC_SPEC = SiteSpec(
    name="generic", origin="", domains=(), editions={}, rules=GENERIC_RULES, generic=True
)
