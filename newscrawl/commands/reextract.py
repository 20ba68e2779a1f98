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
import re
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._replay import replay_settings, replayed
from newscrawl.discovery.urls import host_matches
from newscrawl.pagekind import KIND, PageKind
from newscrawl.sites.registry import site_spiders
from newscrawl.spiders.base import NewsSpider
from newscrawl.stats import EXIT_CODE, inc
from newscrawl.storage.warcin import ArchivedPage


def article_of(site: type[NewsSpider], spider: NewsSpider) -> Callable[[ArchivedPage], bool]:
    """Whether an archived page is an article of ``site``: one newscrawl archived as an
    article, or in any other crawler's WARC (no page kind), a page the site's article
    URL pattern matches; the rest is counted (``newscrawl/reextract/not_article``)."""
    article_url = re.compile(site.article_url) if site.article_url else None

    def wanted(page: ArchivedPage) -> bool:
        if page.kind is None:  # another crawler's: the site's own article URLs only
            parts = urlsplit(page.url)
            is_article = host_matches(parts.hostname, tuple(site.domains)) and bool(
                article_url and article_url.search(parts.path)
            )
        else:
            is_article = page.kind == PageKind.ARTICLE
        if not is_article:
            inc(spider.crawler, "newscrawl/reextract/not_article")
        return is_article

    return wanted


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
                wanted = article_of(site, self)
                async for request in replayed(self, paths, wanted, **{KIND: PageKind.ARTICLE}):
                    yield request

        Replay.__name__ = f"{site.__name__}Replay"
        assert self.settings is not None and self.crawler_process is not None
        state_dir = None
        if self.settings.getpriority("NEWSCRAWL_STATE_PATH") in (None, 0, 20):
            state_dir = tempfile.TemporaryDirectory(prefix="newscrawl-reextract-")
            self.settings.set("NEWSCRAWL_STATE_PATH", f"{state_dir.name}/state.sqlite3", "cmdline")
        replay_settings(self.settings)
        crawler = self.crawler_process.create_crawler(Replay)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if state_dir is not None:
            state_dir.cleanup()
        code = crawler.stats.get_value(EXIT_CODE) if crawler.stats else None
        self.exitcode = 1 if self.crawler_process.bootstrap_failed else int(code or 0)
