"""``scrapy crawl`` with an exit code that says how the run went (newscrawl.exitcodes).

Before the crawl starts, every feed is checked (newscrawl.storage.feeds.feed_problem): one
that cannot be written is a usage error (one line, exit 2), not a crawl whose
records go nowhere. After it, a run that never finished closing (Ctrl-C twice:
"forcing unclean shutdown") exits 6 and still gets its report.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from newscrawl import exitcodes, preflight
from newscrawl.ops import console
from newscrawl.ops.report import RunReport
from newscrawl.stats import EXIT_CODE
from newscrawl.storage.feeds import feed_problem


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        console.apply(self.settings)  # before Scrapy's banner: quiet unless a level is given
        if len(args) != 1:  # before the banner: Scrapy would say "error: None"
            print("error: give one spider name; `scrapy list` shows them", file=sys.stderr)
            raise SystemExit(exitcodes.USAGE)
        try:
            preflight.check_command(self.settings, args[0], opts.spargs)
        except preflight.Refusal as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(exc.code) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider name" if args else None)
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        if problem := feed_problem(_with_addons(crawler), opts.spargs):
            sys.stderr.write(f"scrapy crawl: error: {problem}\n")
            self.exitcode = exitcodes.USAGE
            return
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1  # Scrapy's own start-up failure
            return
        unclean = _report_unclean_shutdown(crawler)
        code = crawler.stats.get_value(EXIT_CODE) if crawler.stats else None
        self.exitcode = exitcodes.ABORTED if unclean else int(code or 0)


def _with_addons(crawler: Crawler) -> Crawler:
    """A stand-in for ``crawler`` with its add-ons' settings applied (the crawler itself
    applies them only as it starts): the feeds the run will write, the default feed
    (newscrawl.ops.defaults) and a distributed worker's included."""
    probe = Crawler(crawler.spidercls, crawler.settings)
    probe.addons.load_settings(probe.settings)
    return probe


def _report_unclean_shutdown(crawler: Crawler) -> bool:
    """True if the reactor stopped before the run was closed and reported (a forced
    shutdown); the report is then written here, as far as the run got."""
    report = _extension(crawler, RunReport)
    spider = crawler.spider
    if crawler.stats is None:
        return False
    if report is None or spider is None:  # no report to write; did the spider close?
        return crawler.stats.get_value("finish_reason") is None
    if report.reported:
        return False
    why = "aborted: forced unclean shutdown (the run was stopped before it could close)"
    reason = str(crawler.stats.get_value("finish_reason") or "forced_shutdown")
    report.set_exit(spider, exitcodes.ABORTED, why)
    report.write_report(spider, reason)
    return True


def _extension(crawler: Crawler, kind: type[Any]) -> Any:
    manager = getattr(crawler, "_extensions", None)
    for extension in getattr(manager, "middlewares", ()):
        if isinstance(extension, kind):
            return extension
    return None
