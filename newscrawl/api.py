"""``newscrawl.extract``: the crawl's extraction, for pages you already have."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newscrawl.extraction.decide import decide
from newscrawl.items import Record
from newscrawl.sites.registry import site_specs, site_spiders, spec_for_url
from newscrawl.sites.spec import SiteSpec
from newscrawl.spiders.base import NewsSpider

if TYPE_CHECKING:
    pass


class NoSiteError(LookupError):
    """No site module for a page, and no generic extractor to fall back on yet."""


class NotAnArticleError(ValueError):
    """The page is a bot check, consent wall or JavaScript shell, not an article."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url} is not an article page ({reason})")
        self.reason = reason


def resolve_spec(site: str | None, url: str) -> SiteSpec | None:
    """The spec named ``site``, else the one whose domains match ``url`` (None: no site)."""
    specs = site_specs()
    if site is None:
        return spec_for_url(url)
    if site not in specs:
        raise NoSiteError(f"unknown site {site!r}; known sites: {', '.join(sorted(specs))}")
    return specs[site]


def resolve_site(site: str | None, url: str) -> type[NewsSpider]:
    """The spider of :func:`resolve_spec`; :class:`NoSiteError` when no site covers ``url``."""
    spec = resolve_spec(site, url)
    if spec is None:
        raise NoSiteError(f"no site module covers {urlsplit(url).hostname or url!r}")
    return site_spiders()[spec.name]


def extract(
    html: str | bytes, url: str, site: str | None = None, *, template: Any = None
) -> Record:
    """The record the crawl would emit for this page, without the fields only a crawl
    knows: ``fetched_at`` (when it was fetched) and ``duplicate_of`` (which earlier
    record it repeats), and ``modified`` raised by a feed entry saying the page changed.
    The crawl's CleanPipeline (text normalisation) changes nothing this returns for any
    golden page (tests/test_one_decision.py compares crawl and extract).

    ``site`` is a spider name; without it the site whose domains match ``url`` is used,
    and the generic extractor when none does (``site: "generic"``). Both go through
    :func:`newscrawl.extraction.decide.decide`, as the crawl does (selector fallback
    included). Raises :class:`NoSiteError` for an unknown ``site``,
    :class:`NotAnArticleError` for bot checks, consent walls and JavaScript shells.
    ``template`` is handed to :func:`decide` (learned site templates, issue 14).
    """
    extraction = decide(html, url, resolve_spec(site, url), template=template)
    if extraction.rejected:
        raise NotAnArticleError(url, extraction.rejected)
    return extraction.record
