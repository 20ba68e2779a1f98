"""``scrapy merge FEED... -O merged.jsonl``: the worker feeds of a run, as one feed.

Records are deduplicated by :func:`newscrawl.discovery.urls.url_key` of their canonical URL
(or of their URL when they have none); the first one wins, in the order the feeds
are given and, within a feed, the order of its lines. Lines are copied as they are
(byte for byte). Blank lines are skipped; a line that is not a JSON object (the cut
last line of a worker killed while writing, in theory) is skipped and counted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.discovery.urls import url_key


class Writer(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass
class MergeResult:
    written: int = 0
    duplicates: int = 0
    bad_lines: int = 0
    per_feed: dict[str, int] = field(default_factory=dict)


def record_key(record: dict[str, object]) -> str | None:
    url = record.get("canonical_url") or record.get("url")
    return url_key(url) if isinstance(url, str) and url else None


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        yield from stream


def merge(feeds: Iterable[Path], out: Writer, seen: set[str] | None = None) -> MergeResult:
    """Copy the first record of each URL key from ``feeds`` to ``out``."""
    seen = set() if seen is None else seen
    result = MergeResult()
    for feed in feeds:
        kept = 0
        for line in _lines(feed):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                result.bad_lines += 1
                continue
            key = record_key(record) if isinstance(record, dict) else None
            if key is None:
                result.bad_lines += 1
                continue
            if key in seen:
                result.duplicates += 1
                continue
            seen.add(key)
            out.write(line if line.endswith(b"\n") else line + b"\n")
            kept += 1
        result.per_feed[str(feed)] = kept
        result.written += kept
    return result


class Command(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "FEED [FEED ...] [-O merged.jsonl | -o merged.jsonl]"

    def short_desc(self) -> str:
        return "Merge JSONL feeds (a distributed run's worker feeds) into one, deduplicated"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-O", "--overwrite-output", metavar="FILE",
                            help="write the merged feed to FILE, replacing it")  # fmt: skip
        parser.add_argument("-o", "--output", metavar="FILE",
                            help="append to FILE, skipping records it already has")  # fmt: skip

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one feed")
        if opts.overwrite_output and opts.output:
            raise UsageError("give -O or -o, not both")
        feeds = [Path(a) for a in args]
        missing = [str(p) for p in feeds if not p.is_file()]
        if missing:
            raise UsageError(f"no such feed: {', '.join(missing)}")
        target = opts.overwrite_output or opts.output
        if target is None:
            result = merge(feeds, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            path = Path(target)
            if path.resolve() in {f.resolve() for f in feeds}:
                raise UsageError(f"{path} is also an input feed")
            seen: set[str] = set()
            path.parent.mkdir(parents=True, exist_ok=True)
            if opts.output:  # appending: the records already there come first
                if path.is_file():
                    merge([path], _NullWriter(), seen)
                with path.open("ab") as out:
                    result = merge(feeds, out, seen)
            else:  # replacing: readers see the old file or the whole new one
                tmp = path.with_name(f".{path.name}.tmp")
                with tmp.open("wb") as out:
                    result = merge(feeds, out, seen)
                os.replace(tmp, path)
        print(
            f"merged {result.written} records from {len(feeds)} feeds into "
            f"{target or 'stdout'}: {result.duplicates} duplicates skipped"
            + (f", {result.bad_lines} unreadable lines skipped" if result.bad_lines else ""),
            file=sys.stderr,
        )


class _NullWriter:
    """A binary sink (to read a file's keys through :func:`merge`)."""

    def write(self, data: bytes) -> int:
        return len(data)
