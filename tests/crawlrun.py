"""Run ``scrapy crawl arabstoday`` against a local origin in a subprocess, for the
fault, security and crash tests: its records, final stats, log and exit code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscrawl.fixtureserver import PROJECT_ROOT

# Small limits, so that faults end quickly; tests add or override with their own -s.
FAST = (
    "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
    "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=INFO",
)  # fmt: skip
_LEVEL = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[^\]]+\] (DEBUG|INFO|WARNING|ERROR|CRITICAL):"
)
RANK = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


@dataclass
class Run:
    code: int
    records: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    feed: Path

    def stat(self, key: str) -> Any:
        return self.stats.get(key, 0)

    def lines_about(self, needle: str, level: str = "INFO") -> list[str]:
        """Log lines (records) at ``level`` or above that mention ``needle``."""
        found = []
        current: str | None = None
        for line in self.log.splitlines():
            match = _LEVEL.match(line)
            if match:
                current = match.group(1)
            if current and RANK[current] >= RANK[level] and needle in line and match:
                found.append(line)
        return found


def crawl(origin: str, workdir: Path, *args: str, feed: str = "items.jsonl",
          env: dict[str, str] | None = None, timeout: float = 180, append: bool = False,
          ) -> Run:  # fmt: skip
    out = workdir / feed
    stats = workdir / f"{out.stem}.stats.json"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-o" if append else "-O", str(out),
        "-a", f"base_url={origin}", *FAST,
        "-s", "STATS_CLASS=tests.stats_dump.JsonDumpStats", "-s", f"STATS_DUMP_PATH={stats}",
        "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}", *args,
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, env=env
    )
    records = []
    if out.exists():
        records = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line]
    loaded = json.loads(stats.read_text("utf-8")) if stats.exists() else {}
    return Run(result.returncode, records, loaded, result.stderr, out)


def path_of(record: dict[str, Any]) -> str:
    return "/" + str(record["url"]).split("://", 1)[1].split("/", 1)[1]
