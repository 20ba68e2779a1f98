"""``scrapy reextract WARC... --spider NAME -O out.jsonl``: archived articles, extracted again.

Runs the site's extraction and the pipelines over the article pages of WARC files
written with ``-s NEWSCRAWL_WARC=dir/`` (or by any other crawler: then the pages on
the site's domains whose URL is an article URL of the site), with no network: after a selector fix,
yesterday's pages give today's records without fetching them again. The records keep
the fetch time of the crawl. A fresh, temporary state store is used (the crawl's own
store is neither read nor changed) unless ``-s NEWSCRAWL_STATE_PATH=...`` is given.
"""

from __future__ import annotations

import argparse
import functools
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl.discovery.urls import host_matches
from newscrawl.pagekind import KIND, PageKind
from newscrawl.sites.registry import site_spiders
from newscrawl.spiders.base import NewsSpider
from newscrawl.stats import EXIT_CODE, inc
from newscrawl.storage.warc import FETCHED_AT, REPLAY
from newscrawl.storage.warcin import Count, read_pages


def archived_articles(
    paths: list[Path], site: type[NewsSpider], count: Count, max_bytes: int = 0
) -> AsyncIterator[scrapy.Request]:
    """Requests answering themselves with each archived article response: the pages
    newscrawl archived as articles, and in any other crawler's WARC (no page kind), the
    pages the site's article URL pattern matches (storage/warcin.py counts the rest)."""
    article_url = re.compile(site.article_url) if site.article_url else None

    async def generate() -> AsyncIterator[scrapy.Request]:
        for path in paths:
            for page in read_pages(path, count, max_bytes):
                if page.kind is None:  # another crawler's: the site's own article URLs only
                    parts = urlsplit(page.url)
                    is_article = host_matches(parts.hostname, tuple(site.domains)) and bool(
                        article_url and article_url.search(parts.path)
                    )
                else:
                    is_article = page.kind == PageKind.ARTICLE
                if not is_article:
                    count("reextract/not_article", 1)
                    continue
                yield scrapy.Request(
                    page.url,
                    dont_filter=True,
                    meta={REPLAY: (page.status, page.headers, page.body),
                          FETCHED_AT: page.fetched_at or None, KIND: PageKind.ARTICLE},
                )  # fmt: skip

    return generate()


def count_under_newscrawl(crawler: Any, key: str, amount: int) -> None:
    """storage/warcin.py's counter: its keys are named under ``newscrawl/``."""
    inc(crawler, f"newscrawl/{key}", amount)


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "WARC [WARC ...] --spider NAME [-o FILE | -O FILE]"

    def short_desc(self) -> str:
        return "Re-run extraction and pipelines over archived pages, offline"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--spider", required=True, help="site module whose extraction to use")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one WARC file")
        paths = [Path(a) for a in args]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise UsageError(f"no such WARC file: {', '.join(missing)}")
        spiders = site_spiders()
        if opts.spider not in spiders:
            raise UsageError(f"unknown spider {opts.spider!r}; known: {', '.join(sorted(spiders))}")
        site = spiders[opts.spider]
        try:  # here, not as a traceback from inside the reactor
            site.check_arguments(opts.spargs)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from None

        class Replay(site):  # type: ignore[valid-type,misc]
            """The site spider, fed from the archive instead of discovery."""

            async def start(self) -> AsyncIterator[scrapy.Request]:
                maxsize = self.settings.getint("DOWNLOAD_MAXSIZE")  # as the crawl's pages
                count = functools.partial(count_under_newscrawl, self.crawler)
                async for request in archived_articles(paths, site, count, maxsize):
                    yield request.replace(callback=self.parse_article, errback=self.on_error)

        Replay.__name__ = f"{site.__name__}Replay"
        assert self.settings is not None and self.crawler_process is not None
        state_dir = None
        if self.settings.getpriority("NEWSCRAWL_STATE_PATH") in (None, 0, 20):
            state_dir = tempfile.TemporaryDirectory(prefix="newscrawl-reextract-")
            self.settings.set("NEWSCRAWL_STATE_PATH", f"{state_dir.name}/state.sqlite3", "cmdline")
        overrides: dict[str, Any] = {
            "ROBOTSTXT_OBEY": False,
            "NEWSCRAWL_WARC": None,
            "DOWNLOADER_MIDDLEWARES": {"newscrawl.storage.warc.ReplayMiddleware": 1},
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
        }
        for key, value in overrides.items():
            self.settings.set(key, value, priority="cmdline")
        crawler = self.crawler_process.create_crawler(Replay)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if state_dir is not None:
            state_dir.cleanup()
        code = crawler.stats.get_value(EXIT_CODE) if crawler.stats else None
        self.exitcode = 1 if self.crawler_process.bootstrap_failed else int(code or 0)
