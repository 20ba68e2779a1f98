"""``scrapy backfill WARC... [--site NAME,...] [--since DATE] [-O FILE]``: articles from
WARC files written by any crawler.

Common Crawl's CC-NEWS, wget ``--warc-file``, Heritrix, newscrawl's own archive: each
HTML response (status 200) is routed by its domain to the site module that owns it
(the site registry), else to the generic extractor (``site: "generic"``), and goes
through the pipelines like a crawled page: deduplicated against the crawl's state
store (``NEWSCRAWL_STATE_PATH``; a page already emitted unchanged is not emitted
again), and written through FEEDS (``output/backfill/<time>.jsonl`` by default, with
its run report). No network is used. Records keep the archive's fetch time.

``--site`` keeps the pages of those sites only (``generic`` names pages no site module
owns); ``--since`` keeps pages fetched on or after that day, and drops articles
published before it. Pages the URL pattern of their site calls a listing (home,
sections, tags), and newscrawl's own non-article records (feeds, sitemaps), are
counted in ``newscrawl/backfill/not_article`` and skipped.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from newscrawl import exitcodes, preflight
from newscrawl.commands._replay import replay_settings, replayed
from newscrawl.discovery.urls import url_key
from newscrawl.extraction.article import Extraction
from newscrawl.extraction.decide import decide
from newscrawl.extraction.rules import SiteRules
from newscrawl.sites.registry import site_spiders, spider_for_url
from newscrawl.spiders.base import ArgumentError, NewsSpider
from newscrawl.spiders.news import GENERIC_ARTICLE_URL
from newscrawl.stats import inc
from newscrawl.storage.feeds import feed_problem
from newscrawl.storage.warcin import ArchivedPage

logger = logging.getLogger(__name__)

GENERIC = "generic"  # the --site name of pages no site module owns


def warc_files(args: list[str]) -> list[Path]:
    """The files named, and the WARC files inside folders named (sorted)."""
    paths: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            paths += sorted(p for p in path.rglob("*") if re.search(r"\.warc(\.gz)?$", p.name))
        elif path.is_file():
            paths.append(path)
        else:
            raise UsageError(f"no such WARC file or folder: {arg}")
    if not paths:
        raise UsageError(f"no WARC files (*.warc, *.warc.gz) in {', '.join(args)}")
    return paths


class BackfillSpider(NewsSpider):
    """Pages from WARC files, each extracted by the site module its domain belongs to."""

    name = "backfill"
    is_site = False  # not in the registry: it routes to the sites that are
    rules = SiteRules(name=GENERIC)
    paths: tuple[Path, ...] = ()
    sites: frozenset[str] | None = None  # --site, None: all

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.helpers: dict[str, NewsSpider] = {}
        self._generic_article = re.compile(GENERIC_ARTICLE_URL)

    def helper(self, site: type[NewsSpider]) -> NewsSpider:
        """The site's spider, for its extraction only (its stats go to this run)."""
        if site.name not in self.helpers:
            helper = site()
            helper.learns = False  # archived pages of any date: not one layout history
            helper.crawler = self.crawler
            helper.settings = self.settings
            self.helpers[site.name] = helper
        return self.helpers[site.name]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        async for request in replayed(self, self.paths, self.wanted):
            yield request

    def wanted(self, page: ArchivedPage) -> bool:
        """Whether to extract this page; when not, counted by why."""
        site = spider_for_url(page.url)
        name = site.name if site else GENERIC
        if self.sites is not None and name not in self.sites:
            inc(self.crawler, "newscrawl/backfill/other_site")
            return False
        if self.since and page.fetched_at and datetime.fromisoformat(page.fetched_at) < self.since:
            # fetched before: published before, too
            inc(self.crawler, "newscrawl/backfill/before_since")
            return False
        if page.kind is not None:
            article = page.kind == "article"  # newscrawl's own archive says what it was
        elif site is not None:
            article = self.helper(site).is_article_url(page.url)
        else:
            article = bool(self._generic_article.search(urlsplit(page.url).path))
        if not article:
            inc(self.crawler, "newscrawl/backfill/not_article")
            return False
        if not self.recrawl and self.state.seen(url_key(page.url)) is not None:
            # emitted before, by a crawl or a backfill
            inc(self.crawler, "newscrawl/state/skipped_seen")
            return False
        inc(self.crawler, f"newscrawl/backfill/pages/{name}")
        return True

    def closed(self, reason: str) -> None:
        """The drift verdict per site (NewsSpider.closed's, for this spider's name, sees
        none): a site whose archived pages mostly fell back is named with its selectors."""
        super().closed(reason)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        for name, helper in sorted(self.helpers.items()):
            helper.log_drift(name, int(stats.get(f"newscrawl/backfill/pages/{name}", 0)))

    def extract(self, html: str, url: str) -> Extraction:
        site = spider_for_url(url)
        if site is None:  # no site module owns the domain: the generic extractor
            return decide(html, url, None)
        return self.helper(site).extract(html, url)


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "WARC|FOLDER [...] [--site NAME,...] [--since YYYY-MM-DD] [-o FILE | -O FILE]"

    def short_desc(self) -> str:
        return "Extract articles from WARC files written by any crawler (CC-NEWS, wget, ...)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only pages of these site modules (comma-separated; "
                            f"'{GENERIC}': pages no site module owns)")  # fmt: skip
        parser.add_argument("--since", help="only pages fetched, and articles published, "
                            "on or after this day (YYYY-MM-DD)")  # fmt: skip

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        try:  # before Scrapy's banner and reactor: one line, exit 2 (10: a corrupt store)
            self.paths, self.sites, self.spargs = self.checked(args, opts)
            preflight.check_crawl(BackfillSpider, self.spargs, self.settings)
        except (UsageError, ArgumentError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(exitcodes.USAGE) from None
        except preflight.Refusal as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(exc.code) from None

    @staticmethod
    def checked(
        args: list[str], opts: argparse.Namespace
    ) -> tuple[list[Path], frozenset[str] | None, dict[str, Any]]:
        if not args:
            raise UsageError("give at least one WARC file or folder")
        paths = warc_files(args)
        sites = None
        if opts.site:
            sites = frozenset(s.strip() for s in opts.site.split(",") if s.strip())
            unknown = sorted(sites - {*site_spiders(), GENERIC})
            if unknown:
                known = ", ".join([*sorted(site_spiders()), GENERIC])
                raise UsageError(f"--site: unknown site {', '.join(unknown)}; known: {known}")
        spargs = dict(opts.spargs)
        if opts.since:
            spargs["since"] = opts.since
        BackfillSpider.check_arguments(spargs)
        return paths, sites, spargs

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        paths, sites, spargs = self.paths, self.sites, self.spargs
        spider = type("BackfillSpider", (BackfillSpider,), {"paths": tuple(paths),
                                                            "sites": sites})  # fmt: skip
        assert self.settings is not None and self.crawler_process is not None
        replay_settings(self.settings)
        crawler = self.crawler_process.create_crawler(spider)
        if problem := feed_problem(crawler, spargs):  # as scrapy crawl: before any work
            print(f"error: {problem}", file=sys.stderr)
            self.exitcode = exitcodes.USAGE
            return
        self.crawler_process.crawl(crawler, **spargs)
        self.crawler_process.start()
        code = crawler.stats.get_value("newscrawl/exit_code") if crawler.stats else None
        self.exitcode = 1 if self.crawler_process.bootstrap_failed else int(code or 0)
