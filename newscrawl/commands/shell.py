"""``scrapy shell`` as Scrapy's, but it never writes a feed or a run report nor moves
`latest`, and a local page the user names (``scrapy shell ./page.html``) opens with
the SSRF guard on: that one file's URL is allowed, nothing else local."""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands.shell import Command as ScrapyShell
from scrapy.utils.url import guess_scheme
from w3lib.url import file_uri_to_path

from newscrawl.commands._nofiles import NoRunFiles


class Command(NoRunFiles, ScrapyShell):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        url = guess_scheme(args[0]) if args else ""
        assert self.settings is not None
        if url.startswith("file://") and Path(file_uri_to_path(url)).is_file():
            self.settings.set("NEWSCRAWL_SSRF_ALLOW_FILES", [url], priority="cmdline")
        elif url.startswith(("http://", "https://")):  # its origin, as for -a base_url=
            self.settings.set("NEWSCRAWL_SSRF_NAMED", [url], priority="cmdline")
