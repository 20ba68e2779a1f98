"""Which state store a crawl uses: Redis with NEWSCRAWL_REDIS_URL, else SQLite.

Apart from state.py so that the SQLite store and the Redis store (which builds on
state.py's StateStore) do not import each other.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

from newscrawl.distributed.config import redis_url
from newscrawl.storage.state import SQLiteStore, StateStore, StateStoreFailed

logger = logging.getLogger(__name__)


def open_store(settings: BaseSettings) -> StateStore:
    """The store the settings name: Redis with NEWSCRAWL_REDIS_URL, else SQLite
    (NEWSCRAWL_STATE_PATH)."""
    if url := redis_url(settings):
        # Here, not at the top: a local crawl never loads the redis client.
        from newscrawl.distributed.redisstore import RedisStore

        return RedisStore(url, settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl")
    return SQLiteStore(settings.get("NEWSCRAWL_STATE_PATH", ".newscrawl/state.sqlite3"))


class _CrawlerStores:
    """One store per crawler, opened on first use and closed with the spider."""

    def __init__(self) -> None:
        self.stores: weakref.WeakKeyDictionary[Crawler, StateStore] = weakref.WeakKeyDictionary()

    def get(self, crawler: Crawler) -> StateStore:
        store = self.stores.get(crawler)
        if store is None:
            store = open_store(crawler.settings)
            store.on_failure = _StopRun(weakref.ref(crawler))
            self.stores[crawler] = store
            crawler.signals.connect(self.close_for, signal=signals.spider_closed)
        return store

    def close_for(self, spider: Any, reason: str = "") -> None:
        crawler = getattr(spider, "crawler", None)
        store = self.stores.pop(crawler, None) if crawler is not None else None
        if store is not None:
            store.close()


class _StopRun:
    """A store that cannot be written (its disk full): one ERROR line, a counted stat,
    and the run stops; ``judge`` gives exit STATE_CORRUPT for the stat."""

    def __init__(self, crawler: weakref.ref[Crawler]) -> None:
        self.crawler = crawler  # weak: the store lives in a dict keyed by its crawler

    def __call__(self, error: StateStoreFailed) -> None:
        crawler = self.crawler()
        if crawler is None:
            return
        logger.error("%s", error)
        if crawler.stats is not None:
            crawler.stats.set_value(STATE_FAILED, str(error))
        engine = crawler.engine
        engine_slot = getattr(engine, "_slot", None)
        if engine is not None and engine.spider is not None and engine_slot is not None:
            if getattr(engine_slot, "closing", None) is None:  # not closing already
                deferred_from_coro(engine.close_spider_async(reason="state_store_failed"))


STATE_FAILED = "newscrawl/state/write_failed"
_STORES = _CrawlerStores()


def store_for(crawler: Crawler) -> StateStore:
    return _STORES.get(crawler)
