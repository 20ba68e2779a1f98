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
(see :func:`newscrawl.siteconfig.load_site`): the built-in modules and these entries
are the same ``NewsSpider`` code path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from newscrawl.extraction.article import Extraction, extract_article
from newscrawl.extraction.generic import generic_body
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.template.online import SiteLearner, open_learner
from newscrawl.siteconfig import load_site
from newscrawl.spiders.base import (
    DISCOVERY_PRIORITY,
    ArgumentError,
    Edition,
    NewsSpider,
    canonical_scope,
    check_names,
    parse_arguments,
)

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
    rules = SiteRules(name="news")
    editions = {"all": Edition(language="")}  # noqa: RUF012 - replaced per run
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
        if config is not None:
            declared = load_site(str(config))
            for attribute in ("origin", "domains", "editions", "article_url", "rules"):
                setattr(self, attribute, getattr(declared, attribute))
            self.robots_sitemaps = declared.robots_sitemaps
            self.name = declared.name
        else:
            _check_urls(site, feeds, sitemaps)
            first = urlsplit(site or (_split(feeds) + _split(sitemaps))[0])
            assert first.hostname is not None  # checked by _check_urls
            self.origin = f"{first.scheme}://{first.netloc}"
            host = first.hostname.removeprefix("www.")
            self.domains = (host,)
            self.robots_sitemaps = bool(site)
            self.editions = {
                "all": Edition(language="", path="/", feeds=_split(feeds),
                               sitemaps=_split(sitemaps), sections=("/",) if site else ())
            }  # fmt: skip
            self.rules = SiteRules(name=host)
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
            if self.generic and request.callback == self.parse_listing:
                # The home page also names the site's feeds.
                yield request.replace(callback=self.parse_home)
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
                    self.inc("discovery/home_feeds")
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
                    yield self._request(url, self.parse_home, 0, page=1, level=level + 1)
        yield from self.parse_listing(response, page)

    def extract(self, html: str, url: str, language: str | None) -> Extraction:
        if not self.generic:
            return super().extract(html, url, language)
        domains, listings = canonical_scope(self)

        def generic(html: str, url: str) -> Extraction:
            extraction = extract_article(
                html, url, self.rules, language or None, generic_body, domains, listings
            )
            extraction.record["extraction"] = "generic"
            return extraction

        # The site's template, learned from its first pages (extraction/template/online.py).
        if self.learner is None:
            self.learner = open_learner(self.rules.name, self.settings, self.inc) or False
        if not self.learner:
            return generic(html, url)
        return self.learner.extract(html, url, generic, language or None, domains, listings)
