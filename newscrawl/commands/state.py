"""``scrapy state stats|forget URL|prune --older-than 90d``: look after the state store."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import exitcodes
from newscrawl.distributed.config import redis_url
from newscrawl.storage.state import (
    SQLiteStore,
    StateCorruptError,
    StateStore,
    StateStoreFailed,
    parse_duration,
)
from newscrawl.storage.stores import open_store

_SUBCOMMANDS = "stats, forget URL [URL ...], prune --older-than 90d"


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
        try:
            self._run(args, opts)
        except UsageError as exc:  # one line, not Scrapy's usage block
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = exitcodes.USAGE
        except (StateCorruptError, StateStoreFailed) as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = exitcodes.STATE_CORRUPT

    def _open(self) -> StateStore:
        """The store, without creating one: a mistyped path must not look like an empty store."""
        assert self.settings is not None
        if not redis_url(self.settings):
            path = Path(self.settings.get("NEWSCRAWL_STATE_PATH", ".newscrawl/state.sqlite3"))
            if not path.is_file():
                what = "is a directory, not a state store" if path.is_dir() else "no such file"
                raise UsageError(f"NEWSCRAWL_STATE_PATH={path}: {what}")
        try:
            store = open_store(self.settings)
        except (OSError, sqlite3.OperationalError) as exc:
            raise UsageError(f"cannot open the state store: {exc}") from None
        if isinstance(store, SQLiteStore):  # opening checks little: a crawl's start-up
            try:
                store.verify()
            except StateCorruptError:
                store.close()
                raise
        return store

    def _run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not args or args[0] not in {"stats", "forget", "prune"}:
            given = f"unknown subcommand {args[0]!r}; " if args else ""
            raise UsageError(f"{given}give one of: {_SUBCOMMANDS}")
        action, rest = args[0], args[1:]
        if action == "forget" and not rest:
            raise UsageError("forget needs at least one URL")
        age = None
        if action == "prune":
            if not opts.older_than:
                raise UsageError("prune needs --older-than (e.g. 90d)")
            try:
                age = parse_duration(opts.older_than)
            except ValueError as exc:
                raise UsageError(str(exc)) from exc
        store = self._open()
        try:
            if action == "stats":
                stats = {"path": self.settings.get("NEWSCRAWL_STATE_PATH"), **store.stats()}
                print(json.dumps(stats, indent=2))
            elif action == "forget":
                for url in rest:
                    print(f"{url}: {'forgotten' if store.forget(url) else 'not in the store'}")
            else:
                assert age is not None
                print(f"pruned {store.prune(age)} articles fetched more than {age} ago")
        finally:
            store.close()
