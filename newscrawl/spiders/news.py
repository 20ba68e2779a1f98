"""``news``: any news site, without code.

    scrapy crawl news -a site=https://example.com
    scrapy crawl news -a feeds=https://example.com/rss,https://example.com/world/rss
    scrapy crawl news -a sitemaps=https://example.com/news-sitemap.xml
    scrapy crawl news -a config=sites/example.toml

With ``site``, discovery is what a site module would declare, found at run time:
robots.txt sitemaps (indexes and Google News sitemaps included), the RSS/Atom feeds
the home page names in ``<link rel="alternate">``, and the home page as a listing.
Bodies come from the generic extractor.

With ``config``, a small TOML file declares a site exactly like a site module does
(see :func:`newscrawl.sites.siteconfig.load_site`): the built-in modules and these entries
are the same ``NewsSpider`` code path.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from newscrawl.extraction.article import Extraction
from newscrawl.extraction.decide import decide
from newscrawl.extraction.template.online import SiteLearner, open_learner
from newscrawl.pagekind import KIND, PageKind, kind_of
from newscrawl.sites.siteconfig import load_site
from newscrawl.sites.spec import Edition, SiteSpec
from newscrawl.spiders.base import (
    DISCOVERY_PRIORITY,
    ArgumentError,
    NewsSpider,
    check_names,
    parse_arguments,
)
from newscrawl.stats import inc

# Article URLs of sites we know nothing about: a long numeric id, a date in the path,
# or a long slug (news CMSs put one of these in every article URL, rarely in sections).
GENERIC_ARTICLE_URL = (
    r"(?:^|/)\d{5,}(?:[/._-]|$)|/(?:19|20)\d{2}/\d{1,2}/(?:\d{1,2}/)?[^/]+"
    r"|/[^/]*[\w%]+-[\w%]+-[\w%]+-[\w%]+[^/]*/?$"
)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _check_urls(site: str | None, feeds: str | None, sitemaps: str | None) -> None:
    given = [("site", u) for u in ([site] if site else [])]
    given += [("feeds", u) for u in _split(feeds)] + [("sitemaps", u) for u in _split(sitemaps)]
    if not given:
        raise ArgumentError("news needs -a site=URL, -a feeds=URL,... or -a sitemaps=URL")
    for name, url in given:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ArgumentError(f"{name} must be http(s) URLs, got {url!r}")


class GenericNewsSpider(NewsSpider):
    name = "news"
    is_site = False  # not a site of the registry: it becomes one per run
    # Replaced per run (adopt): a site= run makes a generic spec, config= loads one.
    spec = SiteSpec(
        name="news", origin="", domains=(), editions={"all": Edition(language="")},
        article_url=GENERIC_ARTICLE_URL, generic=True,
    )  # fmt: skip
    rules = spec.rules
    editions = spec.editions
    article_url = GENERIC_ARTICLE_URL
    max_sections = 40  # section pages followed from the home page, in all
    section_levels = 2  # home -> edition home -> section
    sections_followed = 0
    learner: SiteLearner | Literal[False] | None = None  # False: learning is off

    def __init__(
        self,
        site: str | None = None,
        feeds: str | None = None,
        sitemaps: str | None = None,
        config: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.generic = config is None
        # Origins named on the command line pass the SSRF guard (newscrawl.guards.ssrf).
        self.named_urls = [u for u in (site, *_split(feeds), *_split(sitemaps)) if u]
        if config is not None:
            self.adopt(load_site(str(config)))
        else:
            _check_urls(site, feeds, sitemaps)
            first = urlsplit(site or (_split(feeds) + _split(sitemaps))[0])
            assert first.hostname is not None  # checked by _check_urls
            host = first.hostname.removeprefix("www.")
            sections = ("/",) if site else ()
            edition = Edition(
                language="", feeds=_split(feeds), sitemaps=_split(sitemaps), sections=sections
            )
            self.adopt(
                SiteSpec(
                    name=host,  # what records name as their site
                    origin=f"{first.scheme}://{first.netloc}",
                    domains=(host,),
                    editions={"all": edition},
                    article_url=GENERIC_ARTICLE_URL,
                    robots_sitemaps=bool(site),
                    generic=True,
                )
            )
            self.name = type(self).name  # output folder and lock stay the news spider's
        super().__init__(**kwargs)

    @classmethod
    def argument_names(cls) -> tuple[str, ...]:
        return ("site", "feeds", "sitemaps", "config", *super().argument_names())

    @classmethod
    def check_arguments(cls, spargs: Mapping[str, Any]) -> None:
        own = {k: spargs.get(k) for k in ("site", "feeds", "sitemaps", "config")}
        rest = {k: v for k, v in spargs.items() if k not in own}
        check_names(cls.name, spargs, cls.argument_names())
        if own["config"] is not None:
            declared = load_site(str(own["config"]))  # SiteConfigError names file and line
            parse_arguments(declared.name, declared.editions, rest)
        else:
            _check_urls(own["site"], own["feeds"], own["sitemaps"])
            parse_arguments(cls.name, cls.editions, rest)

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        for request in super().discovery_requests():
            if self.generic and kind_of(request) is PageKind.LISTING:
                # The home page also names the site's feeds.
                yield request.replace(callback=self.parse_home, meta={KIND: PageKind.HOME})
            else:
                yield request

    def parse_home(
        self, response: Response, page: int = 1, level: int = 0
    ) -> Iterator[scrapy.Request]:
        """The home page (level 0) and the section pages its navigation leads to."""
        if isinstance(response, TextResponse) and level == 0:
            for link in response.css("link[rel~=alternate]"):
                kind = (link.attrib.get("type") or "").lower()
                href = link.attrib.get("href")
                if href and kind in FEED_TYPES and (url := self.to_fetch(href, response.url)):
                    inc(self.crawler, "newscrawl/discovery/home_feeds")
                    yield self._source_request(url, self.parse_feed).replace(
                        priority=DISCOVERY_PRIORITY
                    )
        if isinstance(response, TextResponse) and level < self.section_levels:
            # Section pages: the site's own navigation (edition homes, then sections).
            for href in response.css("a::attr(href)").getall():
                url = self.to_fetch(href, response.url)
                if url is None or self.is_article_url(url) or url == response.url:
                    continue
                depth = len([p for p in urlsplit(url).path.split("/") if p])
                if 1 <= depth <= 2 and self.sections_followed < self.max_sections:
                    self.sections_followed += 1
                    yield self._request(
                        url, self.parse_home, 0, kind=PageKind.HOME, page=1, level=level + 1
                    )
        yield from self.parse_listing(response, page)

    def extract(self, html: str, url: str) -> Extraction:
        """A configured site: its selectors (NewsSpider.extract). A site known only by
        its address: the generic extractor for its first pages, then the template
        learned from them (extraction/template/online.py; ``extraction: "learned"``)."""
        if not self.spec.generic:
            return super().extract(html, url)
        if self.learner is None:
            count = functools.partial(count_learning, self.crawler)
            self.learner = open_learner(self.spec.name, self.settings, count) or False
        if not self.learner:
            return decide(html, url, self.spec)
        domains, listings = self.spec.canonical_scope()
        return self.learner.extract(
            html,
            url,
            lambda page, address: decide(page, address, self.spec),
            self.spec.language_for(url),
            domains,
            listings,
        )

    def pooled(self) -> bool:
        """A configured site goes to the extraction pool; a site= run's learner reads
        its pages in the spider (NewsSpider.extract_response)."""
        return not self.spec.generic


def count_learning(crawler: Crawler | None, key: str) -> None:
    """The learner's counter: its keys (``learn/...``) are named under ``newscrawl/``."""
    inc(crawler, f"newscrawl/{key}")
