"""One run per spider and state store: an flock beside the state (exit code 7 when taken)."""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from newscrawl import exitcodes
from newscrawl.stats import EXIT_CODE, EXIT_REASON, LOCKED

logger = logging.getLogger(__name__)


class CrawlLock:
    """One run per spider and state store: a second run exits at once (exit code 7).

    An flock on ``<state path>.<spider>.lock``: the kernel releases it when the
    process dies, so a killed run never leaves a stale lock behind.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.handle: TextIO | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLock:
        if not crawler.settings.getbool("NEWSCRAWL_LOCK_ENABLED", True):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def lock_path(self, spider: Spider) -> Path:
        # The real path: a symlink (to the file or a folder above it) names the same
        # store, so it must name the same lock.
        state = Path(self.crawler.settings.get("NEWSCRAWL_STATE_PATH", ".newscrawl/state.sqlite3"))
        state = Path(os.path.realpath(state))
        return state.with_name(f"{state.name}.{spider.name}.lock")

    def spider_opened(self, spider: Spider) -> None:
        path = self.lock_path(spider)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a+")
        except OSError as exc:  # a run without its lock is what the lock exists to prevent
            logger.error("Cannot create the lock %s (%s): exiting", path, exc.strerror or exc)
            self._set_exit(exitcodes.LOCKED, f"cannot create lock {path}: {exc.strerror or exc}")
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="locked"))
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            logger.error("Another %s run holds %s (%s): exiting", spider.name, path, holder)
            self._set_exit(exitcodes.LOCKED, f"locked by {holder}")
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="locked"))
            return
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}")
        handle.flush()
        self.handle = handle

    def _set_exit(self, code: int, reason: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(LOCKED, True)
            self.crawler.stats.set_value(EXIT_CODE, code)
            self.crawler.stats.set_value(EXIT_REASON, reason)

    def spider_closed(self, spider: Spider) -> None:
        if self.handle is not None:
            self.handle.truncate(0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
