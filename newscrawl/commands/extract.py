"""``scrapy extract PATH_OR_URL [--spider NAME] [--url URL]``: one page, one record, as JSON."""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.api import NoSiteError, NotAnArticleError, extract


class Command(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "PATH_OR_URL [--spider NAME] [--url URL]"

    def short_desc(self) -> str:
        return "Run the crawl's extraction on one saved page (or URL) and print the record"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--spider", help="site module to use (default: the one matching the URL)"
        )
        parser.add_argument("--url", help="URL the saved page was published at")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError()
        target = args[0]
        if target.startswith(("http://", "https://")):
            url = opts.url or target
            html = self._download(target)
        else:
            path = Path(target)
            if not path.is_file():
                raise UsageError(f"no such file: {target}")
            data = path.read_bytes()
            html = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            url = opts.url or path.resolve().as_uri()
        try:
            record = extract(html, url, site=opts.spider)
        except NoSiteError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        except NotAnArticleError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 3
            return
        json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")

    def _download(self, url: str) -> bytes:
        assert self.settings is not None
        request = urllib.request.Request(
            url, headers={"User-Agent": self.settings.get("USER_AGENT")}
        )
        timeout = self.settings.getfloat("DOWNLOAD_TIMEOUT", 30)
        limit = self.settings.getint("DOWNLOAD_MAXSIZE")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: Any = response.read(limit + 1)
        if len(data) > limit:
            raise UsageError(f"page larger than DOWNLOAD_MAXSIZE ({limit} bytes)")
        return bytes(data)
