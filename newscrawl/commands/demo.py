"""``scrapy demo``: serve the bundled fixture site on 127.0.0.1 and crawl it for real."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from scrapy.commands import ScrapyCommand

from newscrawl.exitcodes import NO_ITEMS
from newscrawl.fixtureserver import FIXTURE_SITE, load_seed, serve
from newscrawl.ops import console
from newscrawl.storage.names import utc_stamp


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--spider NAME] [--output PATH]"

    def short_desc(self) -> str:
        return "Crawl the bundled offline fixture site with a real spider and summarise"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--spider", default="arabstoday")
        parser.add_argument("--output", help="JSONL path (default output/demo/<UTC time>.jsonl)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        console.apply(self.settings)  # the crawl's progress and summary, not Scrapy's banner
        # Before Scrapy starts logging: a package built without its data, one line.
        if not FIXTURE_SITE.is_dir():
            print(f"scrapy demo: no fixture site at {FIXTURE_SITE}", file=sys.stderr)
            raise SystemExit(1)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None and self.crawler_process is not None
        output = Path(opts.output or f"output/demo/{utc_stamp()}.jsonl").resolve()
        if load_seed() is None:
            print("note: ../shared/reference is absent, so the seed page is not served")
        # A local server needs no politeness delay; everything else is the real crawl.
        self.settings.set("FEEDS", {str(output): {"format": "jsonlines", "encoding": "utf8"}},
                          priority="cmdline")  # fmt: skip
        self.settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        self.settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        # A fresh state store, so the demo emits every article however often it runs.
        state_dir = tempfile.TemporaryDirectory(prefix="newscrawl-demo-")
        self.settings.set("NEWSCRAWL_STATE_PATH", f"{state_dir.name}/state.sqlite3", "cmdline")
        with state_dir, serve(FIXTURE_SITE) as origin:
            print(f"serving {FIXTURE_SITE} at {origin}")
            crawler = self.crawler_process.create_crawler(opts.spider)
            self.crawler_process.crawl(crawler, base_url=origin)
            self.crawler_process.start()
        records = [json.loads(line) for line in output.read_text("utf-8").splitlines() if line]
        stats = crawler.stats.get_stats() if crawler.stats else {}
        print(f"\nwrote {len(records)} articles to {output}")
        for language, count in sorted(Counter(r["language"] for r in records).items()):
            print(f"  language {language}: {count}")
        for record in records[:3]:
            print(f"  - [{record['language']}] {record['title']} ({record['published']})")
        for key in sorted(k for k in stats if k.startswith("newscrawl/")):
            print(f"  {key}: {stats[key]}")
        print(f"  finish reason: {stats.get('finish_reason')}")
        if not records:  # a demo that shows nothing is a broken install, not a success
            self.exitcode = NO_ITEMS
