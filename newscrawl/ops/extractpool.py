"""The crawl's extraction pool (``NEWSCRAWL_EXTRACT_WORKERS``), as a Scrapy extension.

Started when the spider opens (workers warm up while robots.txt and the sitemaps are
fetched), closed when it closes; :func:`extract_in_pool` hands a response to it and
gives a Deferred of its :class:`~newscrawl.extraction.article.Extraction`, fired on the
reactor thread. ``0`` workers, or a spider that is not a ``NewsSpider``: no pool,
extraction runs in the spider as before. The pool itself: newscrawl/extraction/pool.py.
"""

from __future__ import annotations

import logging
import pickle
import weakref
from concurrent.futures import CancelledError, Future

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse
from scrapy.settings import BaseSettings
from twisted.internet.defer import Deferred

from newscrawl.extraction.article import Extraction
from newscrawl.extraction.pool import ExtractionPool, Job, Relay, default_workers, spec_blob
from newscrawl.extraction.template.model import Template
from newscrawl.guards.redact import redact
from newscrawl.sites.spec import SiteSpec
from newscrawl.stats import WORKER_RETRIED, inc

logger = logging.getLogger(__name__)


def configured_workers(settings: BaseSettings) -> int:
    """``NEWSCRAWL_EXTRACT_WORKERS``: a number, or ``auto`` (the free cores)."""
    value = str(settings.get("NEWSCRAWL_EXTRACT_WORKERS", "auto")).strip().lower()
    if value in ("", "auto"):
        return default_workers()
    try:
        return max(int(value), 0)
    except ValueError:
        raise ValueError(
            f"NEWSCRAWL_EXTRACT_WORKERS must be a whole number >= 0 or auto, got {value!r}"
        ) from None


class ExtractionPoolExtension:
    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.workers = workers
        self.pool: ExtractionPool | None = None
        self.crash_mark = str(crawler.settings.get("NEWSCRAWL_EXTRACT_CRASH_MARK") or "")
        self.blobs: dict[int, bytes | None] = {}  # id(spec) -> its pickle (None: cannot)
        # id(template) -> (it, kept alive so its id is not reused, its JSON)
        self.templates: dict[int, tuple[Template, bytes]] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPoolExtension:
        workers = configured_workers(crawler.settings)
        if workers <= 0:
            raise NotConfigured
        extension = cls(crawler, workers)
        _POOLS[crawler] = extension
        return extension

    def spider_opened(self, spider: Spider) -> None:
        if not hasattr(spider, "extract_response"):
            return  # not a site spider (scrapy bench, a test spider): nothing to extract
        self.pool = ExtractionPool(self.workers, self._retried, RedactingRelay())
        self.pool.start()
        logger.info("Extraction runs in %d worker process(es)", self.workers)

    def spider_closed(self, spider: Spider) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def _retried(self, url: str) -> None:  # a worker thread of the pool: to the reactor
        from twisted.internet import reactor

        reactor.callFromThread(inc, self.crawler, WORKER_RETRIED)

    def blob(self, spec: SiteSpec) -> bytes | None:
        if id(spec) not in self.blobs:
            try:
                self.blobs[id(spec)] = spec_blob(spec)
            except (pickle.PicklingError, TypeError, AttributeError) as error:
                self.blobs[id(spec)] = None
                logger.warning(
                    "Site %s cannot be sent to extraction workers (%s: %s); it is extracted "
                    "in the crawl process", spec.name, type(error).__name__, error,
                )  # fmt: skip
        return self.blobs[id(spec)]

    def extract(
        self,
        response: TextResponse,
        spec: SiteSpec,
        fallback: bool,
        template: Template | None = None,
    ) -> Deferred[Extraction] | None:
        blob = self.blob(spec) if self.pool is not None else None
        if self.pool is None or blob is None:
            return None
        learned = b""
        if template is not None:  # the site's learned template, by value (a few KB)
            if id(template) not in self.templates:
                self.templates[id(template)] = (template, template.to_json().encode())
            learned = self.templates[id(template)][1]
        job = Job(response.body, response.url, response.encoding, blob, fallback,
                  self.crash_mark.encode(), template=learned)  # fmt: skip
        return _deferred(self.pool.submit(job))


class RedactingRelay(Relay):
    """A worker's log record, redacted as the crawl's own are (guards/redact.py) before
    the crawl's logger of its name handles it (it was made in the worker, without
    the crawl's redacting record factory)."""

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = redact(record.getMessage()), None
        super().emit(record)


_POOLS: weakref.WeakKeyDictionary[Crawler, ExtractionPoolExtension] = weakref.WeakKeyDictionary()


def extract_in_pool(
    crawler: Crawler | None,
    response: TextResponse,
    spec: SiteSpec,
    fallback: bool,
    template: Template | None = None,
) -> Deferred[Extraction] | None:
    """The page's extraction in the crawl's pool (with the site's learned ``template``);
    None when the crawl has none (or the spec cannot be sent): the caller extracts it."""
    extension = _POOLS.get(crawler) if crawler is not None else None
    if extension is None:
        return None
    return extension.extract(response, spec, fallback, template)


def _deferred(future: Future[Extraction]) -> Deferred[Extraction]:
    """A Deferred fired on the reactor thread with the future's result or error."""
    from twisted.internet import reactor

    deferred: Deferred[Extraction] = Deferred()

    def fire(done: Future[Extraction]) -> None:
        if done.cancelled():
            deferred.errback(CancelledError())
        elif (error := done.exception()) is not None:
            deferred.errback(error)
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return deferred
