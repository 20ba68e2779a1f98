"""Commands that run a spider for a look, not a crawl: no feed, report or `latest`."""

from __future__ import annotations

import argparse
from typing import Any


class NoRunFiles:
    """Mixin before a ScrapyCommand: NEWSCRAWL_RUN_FILES off, above the project's
    settings (cmdline priority; a command's default_settings rank below them)."""

    settings: Any

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)  # type: ignore[misc]
        self.settings.set("NEWSCRAWL_RUN_FILES", False, priority="cmdline")
