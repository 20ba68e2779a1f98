"""The WARC replay `scrapy backfill` and `scrapy reextract` share: archived pages
answered from the archive (storage/warc.py's ReplayMiddleware), with no network."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import scrapy
from scrapy.settings import BaseSettings

from newscrawl.discovery.urls import canonicalize
from newscrawl.spiders.base import NewsSpider
from newscrawl.stats import counter
from newscrawl.storage.warc import FETCHED_AT, REPLAY
from newscrawl.storage.warcin import ArchivedPage, read_pages

# Nothing is fetched: robots.txt, politeness delays and a new archive have no object.
OFFLINE: dict[str, Any] = {
    "ROBOTSTXT_OBEY": False,
    "NEWSCRAWL_WARC": None,
    "DOWNLOADER_MIDDLEWARES": {"newscrawl.storage.warc.ReplayMiddleware": 1},
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
}


def replay_settings(settings: BaseSettings) -> None:
    """Settings for a replay run, above the project's (cmdline priority)."""
    for key, value in OFFLINE.items():
        settings.set(key, value, priority="cmdline")


async def replayed(
    spider: NewsSpider,
    paths: Iterable[Path],
    wanted: Callable[[ArchivedPage], bool],
    **meta: Any,
) -> AsyncIterator[scrapy.Request]:
    """A request to ``spider.parse_article`` per ``wanted`` page of the WARC files, in
    file order, answering itself with the archived response and keeping the archive's
    fetch time (``meta`` added). Pages larger than DOWNLOAD_MAXSIZE are skipped as the
    crawl skips them; what the reading skips is counted under ``newscrawl/warc/``."""
    maxsize = spider.settings.getint("DOWNLOAD_MAXSIZE")
    count = counter(spider.crawler)
    for path in paths:
        for page in read_pages(path, count, maxsize):
            if wanted(page):
                yield scrapy.Request(
                    canonicalize(page.url), callback=spider.parse_article,
                    errback=spider.on_error, dont_filter=True,
                    meta={REPLAY: (page.status, page.headers, page.body),
                          FETCHED_AT: page.fetched_at or None, **meta},
                )  # fmt: skip
