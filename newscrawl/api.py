"""``newscrawl.extract``: the crawl's extraction, for pages you already have."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newscrawl.extraction.article import extract_article
from newscrawl.extraction.generic import extract_generic
from newscrawl.sites import site_spiders, spider_for_url
from newscrawl.spiders.base import NewsSpider, canonical_scope

if TYPE_CHECKING:
    from newscrawl.extraction.template import Template


class NoSiteError(LookupError):
    """No site module for a page, and no generic extractor to fall back on yet."""


class NotAnArticleError(ValueError):
    """The page is a bot check, consent wall or JavaScript shell, not an article."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url} is not an article page ({reason})")
        self.reason = reason


def resolve_site(site: str | None, url: str) -> type[NewsSpider]:
    spiders = site_spiders()
    if site is not None:
        if site not in spiders:
            raise NoSiteError(f"unknown site {site!r}; known sites: {', '.join(sorted(spiders))}")
        return spiders[site]
    spider = spider_for_url(url)
    if spider is None:
        raise NoSiteError(f"no site module covers {urlsplit(url).hostname or url!r}")
    return spider


def extract(
    html: str | bytes, url: str, site: str | None = None, *, template: Template | None = None
) -> dict[str, Any]:
    """The record the crawl would emit for this page, without fetch-time fields.

    ``site`` is a spider name; without it the site whose domains match ``url`` is used,
    and the generic extractor when none does (``site: "generic"``). Raises
    :class:`NoSiteError` for an unknown ``site``, :class:`NotAnArticleError` for bot
    checks, consent walls and JavaScript shells.

    ``template`` (from :func:`newscrawl.learn_site`) decides the body when it places
    the page (``extraction: "learned"``), else the generic extractor does.
    """
    if template is not None:
        from newscrawl.extraction.template import extract_with_template

        extraction = extract_with_template(html, url, template)
    elif site is None and spider_for_url(url) is None:
        extraction = extract_generic(html, url)
    else:
        spider = resolve_site(site, url)
        path = urlsplit(url).path or "/"
        editions = spider.editions.values()
        language = next((e.language for e in editions if path.startswith(e.path)), None)
        domains, listings = canonical_scope(spider)
        extraction = extract_article(
            html, url, spider.rules, language, domains=domains, listings=listings
        )
    if extraction.rejected:
        raise NotAnArticleError(url, extraction.rejected)
    return extraction.record
