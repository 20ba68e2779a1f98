"""The shared base spider: sites declare, this class discovers, fetches and extracts.

A site module subclasses :class:`NewsSpider` and only sets class attributes
(name, domains, editions with their feeds and sections, article URL pattern,
extraction rules). Arguments every site accepts:

``-a edition=en,ar``  editions to crawl (default: all)
``-a since=YYYY-MM-DD``  skip feed/sitemap entries older than that, before fetching
``-a limit=N``  stop after N emitted articles; discovery is bounded by it too (see
    :meth:`NewsSpider._bounded`): a 100,000-item feed is read only as far as needed.
    Without a limit, at most ``NEWSCRAWL_DISCOVERY_INFLIGHT`` requests from discovery
    are out at a time, the rest read on as they come back (flat memory at any size)
``-a base_url=http://127.0.0.1:PORT``  send every request to that origin, keeping paths
``-a max_pages=N``  listing pages followed per section (pagination depth)
``-a recrawl=1``  ignore the state store for this run (fetch everything; nothing erased)

Incremental runs: an article whose URL the state store has seen is not fetched
again, unless its feed or sitemap entry says it was modified after we fetched it
(``NEWSCRAWL_REFETCH_UPDATED``). Feeds and sitemaps are requested with
If-None-Match / If-Modified-Since from their last response.

Feeds and sitemaps are read streaming, up to ``NEWSCRAWL_SOURCE_MAXSIZE`` (50 MB
unpacked); one that cannot be read (HTTP error, too large, bad gzip, not a feed, cut
short) is a failed source (:meth:`NewsSpider.source_failed`), named in the run report
and failing the run's verdict (newscrawl.ops.report.judge).
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import chain
from types import MappingProxyType
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.python.failure import Failure

from newscrawl.discovery.sources import (
    GZIP_ERRORS,
    SOURCE_MAXSIZE,
    Document,
    Entry,
    SourceTooLarge,
    sitemaps_in_robots,
    stream_feed,
    stream_sitemap,
)
from newscrawl.discovery.urls import canonicalize, host_matches, rebase, url_key
from newscrawl.distributed.config import ROLES, redis_url
from newscrawl.extraction.article import Extraction
from newscrawl.extraction.dates import iso
from newscrawl.extraction.decide import decide
from newscrawl.extraction.pool import WorkerDied
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.template.model import Template
from newscrawl.guards.faults import MALFORMED
from newscrawl.items import Article
from newscrawl.ops.extractpool import extract_in_pool
from newscrawl.ops.report import drift_verdict
from newscrawl.pagekind import KIND, SOURCES, PageKind, kind_of
from newscrawl.sites.spec import DEFAULT_PAGINATION, Edition, SiteSpec, url_target
from newscrawl.spiders.learning import Ask, Learned, Learning
from newscrawl.stats import (
    DECIDED_IN_POOL,
    DECIDED_IN_SPIDER,
    DISCOVERY_PEAK,
    EXTRACTION_ERROR,
    FAILED_SOURCES,
    SKIPPED_SEEN,
    WORKER_DIED,
    fallback,
    inc,
)
from newscrawl.storage.durable import when_output_complete
from newscrawl.storage.state import ClaimLost, StateStore, StateStoreFailed
from newscrawl.storage.stores import store_for
from newscrawl.storage.warc import FETCHED_AT

logger = logging.getLogger(__name__)

ARTICLE_PRIORITY = 10  # finish articles before opening more listings: bounded queue
DISCOVERY_PRIORITY = 20
TRACKED = "newscrawl_limit_tracked"  # request.meta: counted in NewsSpider.in_flight
FEED_ROOTS = frozenset({"rss", "feed", "rdf", "jsonfeed"})


def canonical_scope(
    spider: NewsSpider | type[NewsSpider],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(domains, listing paths) of a site: where its canonical URLs may and may not point."""
    return spider.spec.canonical_scope()


def spider_class(spec: SiteSpec, module: str = __name__) -> type[NewsSpider]:
    """The Scrapy spider of a site spec (``newscrawl.sites.registry`` makes one per site)."""
    attributes = {"spec": spec, "__module__": module, **_spec_attributes(spec)}
    class_name = "".join(part.title() for part in spec.name.split("_")) + "Spider"
    return type(class_name, (NewsSpider,), attributes)


def _spec_attributes(spec: SiteSpec) -> dict[str, Any]:
    """The spider attributes a spec sets (read by discovery, pipelines and extensions)."""
    return {
        "name": spec.name,
        "origin": spec.origin,
        "domains": spec.domains,
        "editions": spec.editions,
        "robots_sitemaps": spec.robots_sitemaps,
        "article_url": spec.article_url,
        "pagination_url": spec.pagination_url,
        "rules": spec.rules,
        "max_listing_pages": spec.max_listing_pages,
    }


class ArgumentError(ValueError):
    """A bad ``-a`` argument; the message is one line naming it and what is allowed."""


# Arguments every site spider takes (-a NAME=VALUE); ``role`` is newscrawl.distributed's.
SPIDER_ARGUMENTS = ("edition", "since", "limit", "base_url", "max_pages", "recrawl", "role")
_TRUE, _FALSE = ("1", "true", "yes"), ("0", "false", "no", "")
_BOOLEANS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


@dataclass(frozen=True)
class Arguments:
    """The ``-a`` arguments of a NewsSpider run, parsed and checked."""

    selected: dict[str, Edition]
    since: datetime | None
    limit: int | None
    max_pages: int | None
    base_url: str | None
    recrawl: bool


def check_names(spider: str, given: Iterable[str], known: Sequence[str]) -> None:
    """An unknown -a name is a typo until proven otherwise: a silently ignored
    ``sinse=`` would run the crawl without its date filter. Names starting with ``_``
    are the scheduler's (scrapyd passes ``_job``)."""
    for name in given:
        if name in known or name.startswith("_"):
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ArgumentError(
            f"unknown argument {name!r} for spider {spider}{hint}; arguments: {', '.join(known)}"
        )


def _parse_since(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ArgumentError(f"since must be a date YYYY-MM-DD, got {value!r}") from None


def _parse_count(name: str, value: Any, zero_means: str) -> int | None:
    """A whole number >= 0 (0 and empty: ``zero_means``)."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 0:
        raise ArgumentError(
            f"{name} must be a whole number >= 0 (0: {zero_means}), got {value!r}"
        ) from None
    return number or None


def _parse_base_url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).rstrip("/")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentError(
            f"base_url must be an http(s) origin like http://127.0.0.1:8080, got {value!r}"
        )
    return text


def parse_arguments(
    spider: str, editions: Mapping[str, Edition], values: Mapping[str, Any]
) -> Arguments:
    """Check and parse the arguments every site spider takes (raises ArgumentError)."""
    edition = values.get("edition")
    chosen = [e.strip() for e in str(edition or "").split(",") if e.strip()] or list(editions)
    unknown = [e for e in chosen if e not in editions]
    if unknown:
        raise ArgumentError(
            f"edition: unknown edition {', '.join(unknown)} for {spider}; "
            f"choose from {', '.join(editions)} (comma-separated)"
        )
    recrawl = values.get("recrawl", False)
    if str(recrawl).lower() not in _BOOLEANS:
        raise ArgumentError(f"recrawl must be 1 or 0 (true/false, yes/no), got {recrawl!r}")
    role = values.get("role")
    if role not in (None, "") and role not in ROLES:
        raise ArgumentError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    max_pages = _parse_count("max_pages", values.get("max_pages"), "the site's default")
    return Arguments(
        selected={key: editions[key] for key in chosen},
        since=_parse_since(values.get("since")),
        limit=_parse_count("limit", values.get("limit"), "no limit"),
        max_pages=max_pages,
        base_url=_parse_base_url(values.get("base_url")),
        recrawl=_BOOLEANS[str(recrawl).lower()],
    )


class NewsSpider(scrapy.Spider):
    """Base of every site spider: made from a :class:`SiteSpec` by :func:`spider_class`.

    The attributes below mirror ``spec`` (set together by :func:`spider_class`; the
    ``news`` spider sets them per run with :meth:`adopt`).
    """

    spec: SiteSpec
    origin: str = ""
    domains: tuple[str, ...] = ()
    editions: Mapping[str, Edition] = MappingProxyType({})
    robots_sitemaps: bool = True
    article_url: str = ""  # regexes searched in the URL's path and query (spec.url_target)
    pagination_url: str = DEFAULT_PAGINATION
    rules: SiteRules
    max_listing_pages: int = 5
    # Learn templates for the layouts the selectors miss (spiders/learning.py); off for
    # spiders that only borrow a site's extraction (backfill's helpers).
    learns = True

    def __init__(
        self,
        edition: str | None = None,
        since: str | None = None,
        limit: str | int | None = None,
        base_url: str | None = None,
        max_pages: str | int | None = None,
        recrawl: str | int | bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        given = {"edition": edition, "since": since, "limit": limit, "base_url": base_url,
                 "max_pages": max_pages, "recrawl": recrawl}  # fmt: skip
        check_names(self.name, kwargs, self.argument_names())
        arguments = parse_arguments(self.name, self.editions, {**kwargs, **given})
        self.selected: dict[str, Edition] = arguments.selected
        self.since = arguments.since
        self.limit = arguments.limit
        self.max_pages = arguments.max_pages or self.max_listing_pages
        self.base_url = arguments.base_url
        hosts = list(self.domains)
        if self.base_url:
            hosts.append(urlsplit(self.base_url).hostname or "")
        self.allowed_domains = hosts
        self.recrawl = arguments.recrawl
        self.updating: set[str] = set()  # url keys refetched because their source changed
        self.validators_seen: dict[str, tuple[str | None, str | None]] = {}
        self.fallback_problems: Counter[str] = Counter()
        self.emitted = 0  # items through all pipelines
        self.pending = 0  # items yielded, not yet through the pipelines
        # With a limit, discovery is bounded too: requests beyond what the limit can
        # still use wait in the backlog (lazy iterators over feeds, sitemaps,
        # listings), resumed only when the engine idles short of the limit.
        self.in_flight = 0  # article/discovery requests scheduled by _bounded, not back
        self.backlog: deque[Iterator[scrapy.Request]] = deque()
        self.failed_sources: dict[str, str] = {}  # feed/sitemap URL -> why it failed
        # Each site's learning (spiders/learning.py): a site's one, or per host for the
        # `news` spider; and the pages held back while a first template is learned.
        self.learnings: dict[str, Learning] = {}
        self.held: list[tuple[Learning, TextResponse, Entry | None, Extraction]] = []
        self._article_re = re.compile(self.article_url) if self.article_url else None
        self._pagination_re = re.compile(self.pagination_url)

    def adopt(self, spec: SiteSpec) -> None:
        """Take a spec decided at run time (the ``news`` spider: config= or site=)."""
        self.spec = spec
        for attribute, value in _spec_attributes(spec).items():
            setattr(self, attribute, value)

    @classmethod
    def argument_names(cls) -> tuple[str, ...]:
        return SPIDER_ARGUMENTS

    @classmethod
    def check_arguments(cls, spargs: Mapping[str, Any]) -> None:
        """What ``__init__`` checks, before the crawler exists: ``scrapy crawl`` turns
        the :class:`ArgumentError` into one line and exit 2 (inside the reactor it
        would be a traceback)."""
        check_names(cls.name, spargs, cls.argument_names())
        parse_arguments(cls.name, cls.editions, spargs)

    # -- Scrapy plumbing -------------------------------------------------------

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider.on_item_lost, signal=signals.item_dropped)
        crawler.signals.connect(spider.on_item_lost, signal=signals.item_error)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        return spider

    def on_item_scraped(self, item: Any, response: Response, spider: scrapy.Spider) -> None:
        self.emitted += 1
        self.pending -= 1
        if self.limit is not None and self.emitted == self.limit and self.crawler.engine:
            logger.info("Reached limit=%d articles, closing", self.limit)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="limit_reached"))

    def on_item_lost(self, item: Any, response: Response, spider: scrapy.Spider, **kw: Any) -> None:
        self.pending -= 1
        self._refill()
        if isinstance(kw.get("exception"), ClaimLost):
            return  # the run that claimed it marks it seen once it is written
        # A page that cannot make a record is not fetched again next run either
        # (`scrapy state forget URL` or `-a recrawl=1` after a fix).
        try:
            self.state.remember(url_key(response.url), response.url, None, None)
        except StateStoreFailed:
            pass  # said once and the run stops (storage/stores.py); fetched again next run

    @property
    def state(self) -> StateStore:
        return store_for(self.crawler)

    def is_update(self, key: str) -> bool:
        return key in self.updating

    # -- URLs ------------------------------------------------------------------

    def to_fetch(self, url: str, base: str | None = None) -> str | None:
        """Absolute, canonical URL to request, on the base_url origin when one is set.

        None for links off the site, not over HTTP(S), or unparsable.
        """
        try:
            absolute = urljoin(base or self.origin + "/", url.strip())
            parts = urlsplit(absolute)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:  # a bad port or IPv6 literal in a feed must not end the callback
            return None
        if parts.scheme not in ("http", "https"):
            return None
        on_site = host_matches(parts.hostname, self.domains)
        on_base = bool(self.base_url) and parts.netloc == urlsplit(self.base_url).netloc
        if not (on_site or on_base):
            return None
        canonical = canonicalize(absolute)
        if self.base_url and on_site:
            canonical = rebase(canonical, self.base_url)
        return canonical

    def edition_of(self, url: str) -> str | None:
        """Key of the selected edition whose path holds ``url`` (longest path wins)."""
        return self.spec.edition_for(url, self.selected)

    def is_article_url(self, url: str) -> bool:
        return bool(self._article_re and self._article_re.search(url_target(url)))

    # -- discovery -------------------------------------------------------------

    def _request(
        self, url: str, callback: Any, priority: int, *, kind: PageKind, **cb_kwargs: Any
    ) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, priority=priority,
            cb_kwargs=cb_kwargs, meta={KIND: kind},
        )  # fmt: skip

    def _source_request(self, url: str, callback: Any) -> scrapy.Request:
        """A feed or sitemap request, conditional on what it served last time."""
        kind = PageKind.SITEMAP if callback == self.parse_sitemap else PageKind.FEED
        headers = {}
        if not self.recrawl:
            etag, last_modified = self.state.validators(url)
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            priority=DISCOVERY_PRIORITY,
            headers=headers,
            meta={
                "handle_httpstatus_list": [304],
                KIND: kind,
                # Feeds and sitemaps may be as large as the sitemap protocol allows
                # (50 MB unpacked); article pages keep DOWNLOAD_MAXSIZE.
                "download_maxsize": self.source_maxsize,
                "download_warnsize": self.source_maxsize,
            },
        )

    @property
    def source_maxsize(self) -> int:
        return self.settings.getint("NEWSCRAWL_SOURCE_MAXSIZE", SOURCE_MAXSIZE)

    def source_failed(self, url: str, kind: str, reason: str, detail: str = "") -> None:
        """A feed or sitemap that could not be read (whole): named in the run report
        (``newscrawl/discovery/failed_sources``) and held against the run's verdict."""
        if url in self.failed_sources:
            return
        self.failed_sources[url] = reason
        inc(self.crawler, f"newscrawl/discovery/source_failed/{reason}")
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(
                FAILED_SOURCES,
                [f"{why} {where}" for where, why in self.failed_sources.items()],
            )
        if detail:
            logger.warning("The %s %s failed (%s): %s", kind, url, reason, detail)

    def _source_unchanged(self, response: Response) -> bool:
        if response.status == 304:
            inc(self.crawler, "newscrawl/discovery/not_modified")
            return True
        return False

    def _remember_validators(self, response: Response) -> None:
        """Keep ETag/Last-Modified for the next run's conditional request.

        Not for sitemap indexes: a 304 there would hide changes in the sitemaps it lists.
        """
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if etag or last_modified:  # stored by closed() if the run finishes
            self.validators_seen[response.request.url if response.request else response.url] = (
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None,
            )

    def _article_request(self, url: str, entry: Entry | None) -> scrapy.Request | None:
        """The request for an article, or None when the store says it is known."""
        key = url_key(url)
        try:
            seen = None if self.recrawl else self.state.seen(key)
        except StateStoreFailed:
            return None  # said once and the run stops (storage/stores.py)
        if seen is not None:
            # Only a modification date means "changed": a newer pubDate on a known URL
            # is a republication, and the article is already ours.
            changed = entry.modified if entry else None
            if not (
                changed
                and self.settings.getbool("NEWSCRAWL_REFETCH_UPDATED", True)
                and changed.timestamp() > seen.fetched_at
            ):
                inc(self.crawler, SKIPPED_SEEN)
                return None
            inc(self.crawler, "newscrawl/state/refetch_updated")
            self.updating.add(key)
        article = PageKind.ARTICLE
        return self._request(url, self.parse_article, ARTICLE_PRIORITY, kind=article, entry=entry)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.discovery_requests():
            yield request

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        if self.robots_sitemaps:
            robots = self.to_fetch("/robots.txt")
            if robots:
                request = self._request(
                    robots, self.parse_robots, DISCOVERY_PRIORITY, kind=PageKind.ROBOTS
                )
                yield request.replace(dont_filter=True)
        for edition in self.selected.values():
            for sitemap in edition.sitemaps:
                if url := self.to_fetch(sitemap):
                    yield self._source_request(url, self.parse_sitemap)
            for feed in edition.feeds:
                if url := self.to_fetch(feed):
                    yield self._source_request(url, self.parse_feed)
            for section in edition.sections:
                if url := self.to_fetch(section):
                    yield self._request(url, self.parse_listing, 0, kind=PageKind.LISTING, page=1)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        text = (
            response.text
            if isinstance(response, TextResponse)
            else response.body.decode("utf-8", "replace")
        )
        for sitemap in sitemaps_in_robots(text):
            if url := self.to_fetch(sitemap):
                inc(self.crawler, "newscrawl/discovery/robots_sitemaps")
                yield self._source_request(url, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        self._untrack(response.request)
        if self._source_unchanged(response):
            return
        yield from self._bounded(self._sitemap_requests(response))

    def _sitemap_requests(self, response: Response) -> Iterator[scrapy.Request]:
        doc = Document()
        url = response.url
        count = 0
        try:
            for entry in stream_sitemap(response.body, doc, self.source_maxsize):
                count += 1
                if doc.root == "sitemapindex":
                    if self.since and entry.modified and entry.modified < self.since:
                        inc(self.crawler, "newscrawl/discovery/skipped_old_sitemap")
                    elif child := self.to_fetch(entry.url, url):
                        yield self._source_request(child, self.parse_sitemap)
                else:
                    yield from self._entries((entry,), url, "sitemap")
        except SourceTooLarge as exc:
            inc(self.crawler, "newscrawl/discovery/invalid_sitemap")
            self.source_failed(url, "sitemap", "too_large", str(exc))
            return
        except GZIP_ERRORS as exc:  # not gzip, or cut short
            inc(self.crawler, "newscrawl/discovery/invalid_sitemap")
            self.source_failed(url, "sitemap", "bad_gzip", f"not valid gzip: {exc}")
            return
        if doc.root not in ("sitemapindex", "urlset"):
            inc(self.crawler, "newscrawl/discovery/invalid_sitemap")
            self.source_failed(url, "sitemap", "not_a_sitemap", "not a sitemap, skipped")
            return
        if damage := self._damage(response, doc, count):
            self.source_failed(url, "sitemap", damage)
        elif doc.root == "urlset":  # not indexes: a 304 there would hide changed children
            self._remember_validators(response)

    @staticmethod
    def _damage(response: Response, doc: Document, count: int) -> str | None:
        """Why a source that is not well-formed (logged by DiscoveryGuardMiddleware)
        counts as failed: cut short (entries lost), or nothing readable in it. Damage
        recovery reads past (a stray "&", common in real feeds) is not a failure."""
        if doc.cut_short:
            return "truncated"
        if (response.meta.get(MALFORMED) or doc.broken) and not count:
            return "malformed"
        return None

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        self._untrack(response.request)
        if self._source_unchanged(response):
            return
        yield from self._bounded(self._feed_requests(response))

    def _feed_requests(self, response: Response) -> Iterator[scrapy.Request]:
        doc = Document()
        url = response.url
        count = 0
        try:
            for entry in stream_feed(response.body, doc, self.source_maxsize):
                count += 1
                yield from self._entries((entry,), url, "feed")
        except SourceTooLarge as exc:
            self.source_failed(url, "feed", "too_large", str(exc))
            return
        except GZIP_ERRORS as exc:
            self.source_failed(url, "feed", "bad_gzip", f"not valid gzip: {exc}")
            return
        if doc.root not in FEED_ROOTS:
            inc(self.crawler, "newscrawl/discovery/empty_feed")
            self.source_failed(url, "feed", "not_a_feed", "not an RSS, Atom or JSON feed")
            return
        if damage := self._damage(response, doc, count):
            self.source_failed(url, "feed", damage)
        elif count:
            self._remember_validators(response)
        if not count:
            inc(self.crawler, "newscrawl/discovery/empty_feed")
            logger.warning("Feed has no entries: %s", url)

    def _entries(
        self, entries: Iterable[Entry], base: str, source: str
    ) -> Iterator[scrapy.Request]:
        for entry in entries:
            url = self.to_fetch(entry.url, base)
            if url is None:
                inc(self.crawler, f"newscrawl/discovery/{source}/offsite")
                continue
            if self.edition_of(url) is None:
                inc(self.crawler, f"newscrawl/discovery/{source}/other_edition")
                continue
            date = entry.published or entry.modified
            if self.since and date and date < self.since:
                inc(self.crawler, f"newscrawl/discovery/{source}/skipped_old")
                continue
            inc(self.crawler, f"newscrawl/discovery/{source}/articles")
            if request := self._article_request(url, entry):
                yield request

    # -- limit=N (else NEWSCRAWL_DISCOVERY_INFLIGHT) bounds discovery ------------

    @cached_property
    def discovery_inflight(self) -> int:
        """Without limit=, how many requests from discovery may be out at a time (0: no
        bound). Scrapy's memory queue holds each scheduled request (about 2.6 KB): a
        100,000-URL sitemap scheduled at once held 260 MB for the whole run. Not with
        JOBDIR (the queue is on disk, and a paused run would lose what still waits)
        nor in a distributed crawl (the queue is Redis)."""
        if self.settings.get("JOBDIR") or redis_url(self.settings):
            return 0
        return max(0, self.settings.getint("NEWSCRAWL_DISCOVERY_INFLIGHT", 2000))

    def _room(self) -> int:
        """Requests the limit can still use: what is left of it, less what is queued,
        plus a margin for pages that will not make a record (10%, at least 2).
        Without a limit: what is left of ``discovery_inflight``."""
        if self.limit is None:
            return self.discovery_inflight - self.in_flight
        margin = max(2, self.limit // 10)
        return self.limit + margin - self.emitted - self.pending - self.in_flight

    def _track(self, request: scrapy.Request) -> scrapy.Request:
        self.in_flight += 1
        request.meta[TRACKED] = True
        if self.limit is None and self.crawler.stats is not None:
            self.crawler.stats.max_value(DISCOVERY_PEAK, self.in_flight)
        return request

    def _untrack(self, request: scrapy.Request | None, refill: bool = True) -> None:
        if request is not None and request.meta.pop(TRACKED, False):
            self.in_flight = max(0, self.in_flight - 1)
            if refill and self.limit is None and self.backlog:
                self._refill()  # without a limit, one back makes room for the next

    def on_request_dropped(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """A duplicate the scheduler refused never comes back: its room is free now.
        (No refill here: this runs inside engine.crawl, and _refill's loop goes on.)"""
        self._untrack(request, refill=False)

    def _bounded(self, requests: Iterator[scrapy.Request]) -> Iterator[scrapy.Request]:
        """``requests`` (read lazily), as many as the limit (or, without one,
        ``discovery_inflight``) can use; the rest wait."""
        if self.limit is None and not self.discovery_inflight:
            yield from requests
            return
        for request in requests:
            if self._room() <= 0:
                if not self.backlog:
                    logger.info(
                        "%s: enough requests queued, the rest of discovery waits",
                        f"limit={self.limit}" if self.limit is not None
                        else f"NEWSCRAWL_DISCOVERY_INFLIGHT={self.discovery_inflight}",
                    )  # fmt: skip
                self.backlog.append(chain((request,), requests))
                inc(self.crawler, self._bound_stat("deferred"))
                return
            yield self._track(request)

    def _bound_stat(self, what: str) -> str:
        """``newscrawl/limit/discovery_<what>``, or without a limit
        ``newscrawl/discovery/inflight_<what>``."""
        if self.limit is not None:
            return f"newscrawl/limit/discovery_{what}"
        return f"newscrawl/discovery/inflight_{what}"

    def _refill(self) -> int:
        """Schedule waiting requests while the limit (or discovery_inflight) has room;
        how many went out."""
        sent = 0
        engine = self.crawler.engine if self.crawler else None
        bounded = self.limit is not None or self.discovery_inflight
        while bounded and engine is not None and engine.spider is not None and self.backlog:
            if self._room() <= 0 or (self.limit is not None and self.emitted >= self.limit):
                break
            request = next(self.backlog[0], None)
            if request is None:
                self.backlog.popleft()
                continue
            engine.crawl(self._track(request))
            inc(self.crawler, self._bound_stat("resumed"))
            sent += 1
        return sent

    def on_idle(self, spider: scrapy.Spider) -> None:
        self.in_flight = 0  # nothing is in flight when the engine idles (dupefilter drops)
        if self.held and self.crawler.engine is not None:
            # The run's last pages to learn from are in: learn, and emit what was held.
            for learning in {id(held[0]): held[0] for held in self.held}.values():
                learning.flush()
            scraper = self.crawler.engine.scraper
            for response, item in self.release_held():
                deferred_from_coro(scraper.start_itemproc_async(item, response=response))
            raise DontCloseSpider
        if self._refill():
            raise DontCloseSpider

    def parse_listing(self, response: Response, page: int = 1) -> Iterator[scrapy.Request]:
        self._untrack(response.request)
        yield from self._bounded(self._listing_requests(response, page))

    def _listing_requests(self, response: Response, page: int) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            inc(self.crawler, "newscrawl/skipped/not_text")
            logger.warning("Listing page is not text, skipped: %s", response.url)
            return
        next_pages = set(response.css('[rel~="next"]::attr(href)').getall())
        for href in response.css("a::attr(href)").getall():
            url = self.to_fetch(href, response.url)
            if url is None or self.edition_of(url) is None:
                continue
            if self.is_article_url(url):
                inc(self.crawler, "newscrawl/discovery/listing/articles")
                if request := self._article_request(url, None):
                    yield request
            elif href in next_pages or self._pagination_re.search(url_target(url)):
                if page < self.max_pages:
                    yield self._request(
                        url, self.parse_listing, 0, kind=PageKind.LISTING, page=page + 1
                    )

    # -- articles --------------------------------------------------------------

    async def parse_article(
        self, response: Response, entry: Entry | None = None
    ) -> AsyncIterator[Article]:
        self._untrack(response.request)
        if self._limit_reached():
            return
        if not isinstance(response, TextResponse):
            inc(self.crawler, "newscrawl/skipped/not_text")
            content_type = response.headers.get("Content-Type") or b"?"
            logger.warning(
                "Not an HTML page (%s), skipped: %s", content_type.decode("latin-1"), response.url
            )
            return
        if not response.body.strip():
            inc(self.crawler, "newscrawl/skipped/empty")
            logger.warning("Empty page, skipped: %s", response.url)
            return
        try:
            learned = await self.extract_response(response)
        except WorkerDied as error:  # the pool retried it once already
            inc(self.crawler, WORKER_DIED)
            inc(self.crawler, EXTRACTION_ERROR)
            logger.error("Extraction failed on %s: %s", response.url, error)
            return
        except Exception:  # one broken page must not end the run
            inc(self.crawler, EXTRACTION_ERROR)
            logger.exception("Extraction failed on %s", response.url)
            return
        if self._limit_reached():  # other pages were emitted while this one was extracted
            return
        extraction = learned.extraction
        if learned.ask is not Ask.EMIT:  # spiders/learning.py
            learning = self.learning_for(response.url)
            assert learning is not None  # only a learning asks
            self.held.append((learning, response, entry, extraction))
            self.pending += 1
            if learned.ask is Ask.RELEASE:
                for _, item in self.release_held(learning):
                    yield item
            return
        for item in self.emit(response, entry, extraction):
            yield item

    def release_held(
        self, learning: Learning | None = None
    ) -> Iterator[tuple[TextResponse, Article]]:
        """The pages held back while the first template was learned (of ``learning``'s
        site, else of every site), extracted again with it where it places them (with
        their responses)."""
        released: list[tuple[Learning, TextResponse, Entry | None, Extraction]] = []
        kept: list[tuple[Learning, TextResponse, Entry | None, Extraction]] = []
        for held in self.held:
            (released if learning in (None, held[0]) else kept).append(held)
        self.held = kept
        for site_learning, response, entry, first in released:
            self.pending -= 1
            extraction = site_learning.again(response.text, response.url, first)
            if first.drift and extraction is not first:  # not a fallback after all
                inc(self.crawler, fallback(site_learning.site), -1)
            yield from ((response, item) for item in self.emit(response, entry, extraction))

    def emit(
        self, response: TextResponse, entry: Entry | None, extraction: Extraction
    ) -> Iterator[Article]:
        """The page's item, unless it is not an article (counted and logged)."""
        if extraction.rejected:
            inc(self.crawler, f"newscrawl/skipped/interstitial/{extraction.rejected}")
            logger.warning("Not an article (%s), skipped: %s", extraction.rejected, response.url)
            return
        for note in extraction.notes:
            inc(self.crawler, f"newscrawl/extraction/{note}")
        if extraction.canonical_rejected:  # logged by the extraction
            inc(self.crawler, f"newscrawl/canonical/rejected/{extraction.canonical_rejected}")
        record = extraction.record
        if self.is_update(url_key(response.url)) and entry:
            # The source said it changed after our last fetch: the later date wins.
            changed = entry.modified
            page_modified = record["modified"]
            if changed and (not page_modified or datetime.fromisoformat(page_modified) < changed):
                record["modified"] = iso(changed)
        # The archive's fetch time when there is one, so re-extraction gives equal records.
        record["fetched_at"] = response.meta.get(FETCHED_AT) or (
            datetime.now(UTC).replace(microsecond=0).isoformat()
        )
        if self.since and record["published"]:
            if datetime.fromisoformat(record["published"]) < self.since:
                inc(self.crawler, "newscrawl/since/skipped_after_fetch")
                return
        self.pending += 1
        item = Article(record)
        # What the pool's worker computed for the pipelines (newscrawl.text.prepared).
        item._prepared = getattr(extraction, "prepared", None)
        yield item

    def _limit_reached(self) -> bool:
        if self.limit is not None and self.emitted + self.pending >= self.limit:
            inc(self.crawler, "newscrawl/limit/skipped")
            return True
        return False

    def pooled(self) -> bool:
        """Whether this spider's extraction may run in the extraction pool: only the
        decision :meth:`extract` makes here; a subclass that extracts otherwise (backfill
        picks a site per page) keeps it in the spider."""
        return type(self).extract is NewsSpider.extract

    async def extract_response(self, response: TextResponse) -> Learned:
        """The page's record and what it asks (spiders/learning.py), decided once: in
        the crawl's extraction pool (NEWSCRAWL_EXTRACT_WORKERS, newscrawl/ops/extractpool.py)
        when it has one, with the site's template as it stands, else here; the same
        decision and the same bookkeeping either way."""
        if not self.pooled():
            return Learned(self.extract(response.text, response.url))
        learning = self.learning_for(response.url)
        template = learning.template if learning is not None else None
        use_fallback = self.settings.getbool("NEWSCRAWL_FALLBACK", True)
        pending = extract_in_pool(self.crawler, response, self.spec, use_fallback, template)
        if pending is None:
            return self.learned(response.text, response.url)
        extraction: Extraction = await maybe_deferred_to_future(pending)
        inc(self.crawler, DECIDED_IN_POOL)
        if learning is None:
            return Learned(self.count_drift(extraction, self.site_of(response.url)))
        learned = learning.observe(response.text, response.url, extraction, template)
        self.count_drift(learned.extraction, learning.site)
        return learned

    def site_of(self, url: str) -> str:
        """The site a page belongs to, as stats and stored templates name it: the spec's
        name, or for the `news` spider (a site known by its address) the page's host
        (a run of feeds spans several); a page on ``base_url`` is the spec's site."""
        if not (self.spec.generic and self.spec.template is None):
            return self.spec.name
        parts = urlsplit(url)
        if self.base_url and parts.netloc == urlsplit(self.base_url).netloc:
            return self.spec.name
        return (parts.hostname or "").removeprefix("www.") or self.spec.name

    def learning_for(self, url: str) -> Learning | None:
        """The learning of the page's site (spiders/learning.py), opened on its first page."""
        if not self.learns or self.crawler is None:
            return None
        site = self.site_of(url)
        if site not in self.learnings:
            self.learnings[site] = Learning(
                self.crawler, site, self.decided, not self.spec.generic, self.spec.template
            )
        return self.learnings[site]

    def decided(self, html: str, url: str, template: Template | None) -> Extraction:
        """The one decision (newscrawl.extraction.decide), in the crawl process."""
        inc(self.crawler, DECIDED_IN_SPIDER)
        use_fallback = self.settings.getbool("NEWSCRAWL_FALLBACK", True)
        return decide(html, url, self.spec, template=template, fallback=use_fallback)

    def learned(self, html: str, url: str) -> Learned:
        """The page's record, with the template learned from the site's pages its
        selectors do not place (spiders/learning.py; ``extraction: "learned"``), and what
        it asks of the spider."""
        if (learning := self.learning_for(url)) is not None:
            learned = learning.extract(html, url)
            self.count_drift(learned.extraction, learning.site)
            return learned
        return Learned(self.count_drift(self.decided(html, url, None), self.site_of(url)))

    def extract(self, html: str, url: str) -> Extraction:
        """The page's record as :func:`newscrawl.extraction.decide.decide` gives it (with
        the site's learned template: :meth:`learned`).

        A fallback record (``extraction: "fallback"``: neither placed the page) is
        counted in ``newscrawl/fallback/<site>``; when the site's pages left the
        layouts it is known by, the run ends with an ERROR naming what failed (exit 5).
        """
        return self.learned(html, url).extraction

    def count_drift(self, extraction: Extraction, site: str) -> Extraction:
        if extraction.drift:
            inc(self.crawler, fallback(site))
            self.fallback_problems.update(extraction.drift)
        return extraction

    def closed(self, reason: str) -> None:
        if reason == "finished":  # a run cut short (killed, limit) reads its sources in full again
            # ...and so does one whose feeds failed to take every record (storage/durable.py).
            when_output_complete(self.crawler, self.keep_validators)
        if self.held:  # the run ended (limit, shutdown) before they could be emitted
            inc(self.crawler, "newscrawl/learn/held_not_emitted", len(self.held))
            logger.warning(
                "%d pages held back to learn from were not emitted (run ended: %s); "
                "not marked seen, the next run fetches them again", len(self.held), reason,
            )  # fmt: skip
        for learning in self.learnings.values():
            learning.finish()  # stored for the next run, whatever the verdict
        for site in sorted(self.learnings) or [self.name]:  # a spider of no site: its name
            self.log_drift(site)

    def log_drift(self, name: str, pages: int | None = None) -> None:
        """The drift verdict of the site ``name`` (newscrawl.ops.report.drift_verdict, the
        rule the run's exit code follows), logged once with the selectors that missed."""
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        verdict = drift_verdict(
            stats, name,
            self.settings.getfloat("NEWSCRAWL_MAX_FALLBACK_SHARE", 0.2),
            self.settings.getint("NEWSCRAWL_DRIFT_MIN_PAGES", 10),
            self.settings.getfloat("NEWSCRAWL_MAX_NEW_LAYOUT_SHARE", 0.5),
            pages=pages,
            detail=f"body selectors {list(self.rules.body_selectors)}, "
            f"problems {dict(self.fallback_problems)}",
            max_noise_leak=self.settings.getfloat("NEWSCRAWL_MAX_NOISE_LEAK_SHARE", 0.3),
        )  # fmt: skip
        if verdict.message:
            logger.log(verdict.level, "%s", verdict.message)

    def keep_validators(self) -> None:
        try:
            for url, (etag, last_modified) in self.validators_seen.items():
                self.state.set_validators(url, etag, last_modified)
        except StateStoreFailed:
            pass  # said once (storage/stores.py); the next run reads its sources in full

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        self._untrack(request)
        if request is not None and (source := kind_of(request)) in SOURCES:
            if reason := _failure_reason(failure):
                self.source_failed(request.url, source, reason)
        if getattr(failure.value, "reported", False):
            return  # refused on purpose, counted and logged there (newscrawl.guards.faults, ssrf)
        url = request.url if request is not None else "?"
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            inc(self.crawler, f"newscrawl/http/{status}")
            logger.warning("HTTP %s, skipped: %s", status, url)
            return
        kind = failure.type.__name__ if failure.type else "error"
        inc(self.crawler, f"newscrawl/errors/{kind}")
        logger.warning("Fetch failed (%s: %s), skipped: %s", kind, failure.getErrorMessage(), url)


def _failure_reason(failure: Failure) -> str | None:
    """Why a feed or sitemap request failed, as a stat suffix; None when the site's own
    robots.txt forbids it (a policy, counted in robotstxt/forbidden, not a failure)."""
    error = failure.value
    if isinstance(error, IgnoreRequest) and "robots.txt" in str(error):
        return None
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    cause = getattr(error, "__cause__", None)
    if isinstance(cause, DownloadCancelledError | IgnoreRequest):
        return "too_large"  # cancelled at, or unpacked past, its download_maxsize
    if isinstance(error, IgnoreRequest):
        return "bad_encoding" if cause is not None else "refused"
    return type(error).__name__ if error is not None else "error"
