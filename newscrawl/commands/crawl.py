"""``scrapy crawl`` with an exit code that says how the run went (newscrawl.exitcodes)."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl import preflight


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) == 1:  # before Scrapy's banner and reactor: one line, exit 2 or 10
            assert self.settings is not None
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
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1  # Scrapy's own start-up failure
            return
        code = crawler.stats.get_value("newscrawl/exit_code") if crawler.stats else None
        self.exitcode = int(code or 0)
