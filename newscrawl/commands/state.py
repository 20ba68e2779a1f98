"""``scrapy state stats|forget URL|prune --older-than 90d``: look after the state store."""

from __future__ import annotations

import argparse
import json

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.state import open_store, parse_duration


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "stats | forget URL [URL ...] | prune --older-than 90d"

    def short_desc(self) -> str:
        return "Show, forget from or prune the incremental state store"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--older-than", help="for prune: 90d, 12h, 2w ...")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not args or args[0] not in {"stats", "forget", "prune"}:
            raise UsageError()
        action, rest = args[0], args[1:]
        store = open_store(self.settings)
        try:
            if action == "stats":
                stats = {"path": self.settings.get("NEWSCRAWL_STATE_PATH"), **store.stats()}
                print(json.dumps(stats, indent=2))
            elif action == "forget":
                if not rest:
                    raise UsageError("forget needs at least one URL")
                for url in rest:
                    print(f"{url}: {'forgotten' if store.forget(url) else 'not in the store'}")
            else:
                if not opts.older_than:
                    raise UsageError("prune needs --older-than (e.g. 90d)")
                try:
                    age = parse_duration(opts.older_than)
                except ValueError as exc:
                    raise UsageError(str(exc)) from exc
                print(f"pruned {store.prune(age)} articles fetched more than {age} ago")
        finally:
            store.close()
