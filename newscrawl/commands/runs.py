"""``scrapy runs [--reports DIR|s3://...] [--scrapyd URL] [--html FILE]``: recent runs
per site (time, exit code, articles new/updated, errors, fallback and learned share,
duration), from the run reports and from scrapyd's jobs; ``--html`` also writes one
static page with a chart per site over time (no JavaScript needed to view it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import exitcodes
from newscrawl.ops.history import HistoryError, Run, latest_runs, reports, scrapyd_runs, table


class Command(ScrapyCommand):
    requires_project = False  # reads reports; needs no spider
    requires_crawler_process = False  # and no crawler: no start-up logging either
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012 - Scrapy's own attribute

    def syntax(self) -> str:
        return "[--reports DIR|s3://BUCKET/PREFIX ...] [--scrapyd URL ...] [--html FILE]"

    def short_desc(self) -> str:
        return "List recent runs per site from their reports and scrapyd; --html draws charts"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--reports", action="append", metavar="DIR|URL",
                            help="where run reports are (repeatable; default: output)")
        parser.add_argument("--scrapyd", action="append", metavar="URL",
                            help="a scrapyd whose finished jobs to list, e.g. "
                            "http://127.0.0.1:6800 (repeatable)")
        parser.add_argument("--site", action="append", help="only this site (repeatable)")
        parser.add_argument("--last", type=int, default=10, metavar="N",
                            help="runs per site (default 10)")
        parser.add_argument("--html", metavar="FILE", help="also write the charts page here")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            self._run(args, opts)
        except UsageError as exc:  # one line, not Scrapy's usage block
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = exitcodes.USAGE

    def _run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}", print_help=False)
        if opts.last < 1:
            raise UsageError("--last must be at least 1", print_help=False)
        found: list[Run] = []
        try:
            for location in opts.reports or (["output"] if not opts.scrapyd else []):
                if location == "output" and not opts.reports and not Path(location).is_dir():
                    continue  # no runs here yet: said below
                found += reports(location)
            for origin in opts.scrapyd or []:
                found += scrapyd_runs(origin)
        except HistoryError as error:
            raise UsageError(str(error), print_help=False) from None
        if opts.site:
            found = [run for run in found if run.site in opts.site]
        runs = latest_runs(found, opts.last)
        if not runs:
            print("no runs found (reports: "
                  f"{', '.join(opts.reports or ['output'])})", file=sys.stderr)  # fmt: skip
        else:
            print(table(runs))
        if opts.html:
            try:
                from newscrawl.ops.charts import page

                text = page(runs)
                Path(opts.html).write_text(text, "utf-8")
            except HistoryError as error:
                raise UsageError(str(error), print_help=False) from None
            except OSError as error:
                raise UsageError(f"--html {opts.html}: {error.strerror}", False) from None
            print(f"charts of {len(runs)} sites written to {opts.html}", file=sys.stderr)
