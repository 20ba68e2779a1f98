"""Run crawls from Python, as often as you like, in one process.

    from newscrawl.ops.runner import crawl
    for _ in range(3):
        result = crawl("arabstoday", args={"edition": "en"})
        print(result.exit_code, result.report["articles_emitted"])

Each crawl runs `scrapy crawl` in a child process. Twisted's reactor cannot be
restarted, so the usual "CrawlerProcess in a loop" recipe dies with
ReactorNotRestartable on the second run; a child process also gives every run fresh
memory and keeps a crash in one run away from the scheduler that called it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscrawl.storage.names import utc_stamp


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    feed: Path
    report_path: Path
    report: dict[str, Any] | None  # None when the run died before writing one
    log: str


def crawl(
    spider: str,
    *,
    args: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
    feed: str | Path | None = None,
    cwd: str | Path | None = None,
    timeout: float | None = None,
) -> RunResult:
    """Run one crawl to completion; returns its exit code (newscrawl.exitcodes) and report.

    ``feed`` defaults to ``output/<spider>/<UTC time>.jsonl`` under ``cwd``.
    """
    workdir = Path(cwd or os.getcwd())
    feed_path = Path(feed) if feed else Path("output", spider, f"{utc_stamp()}.jsonl")
    if not feed_path.is_absolute():
        feed_path = workdir / feed_path
    if not feed:  # two runs within one second must not share a feed
        base, n = feed_path, 1
        while feed_path.exists():
            feed_path = base.with_name(f"{base.stem}-{n}{base.suffix}")
            n += 1
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(feed_path)]
    for key, value in (args or {}).items():
        command += ["-a", f"{key}={value}"]
    for key, value in (settings or {}).items():
        command += ["-s", f"{key}={value}"]
    # The project is found through its settings module, from any working directory.
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawl.settings")
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
    )
    report_path = feed_path.with_name(
        feed_path.name.removesuffix(feed_path.suffix) + ".report.json"
    )
    report = json.loads(report_path.read_text("utf-8")) if report_path.is_file() else None
    return RunResult(done.returncode, feed_path, report_path, report, done.stderr)
