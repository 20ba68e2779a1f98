"""WARC archive of a crawl, and offline re-extraction that gives identical records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from newscrawl.fixtureserver import FIXTURE_SITE, PROJECT_ROOT, serve


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def records(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text("utf-8").splitlines()
    return sorted((json.loads(line) for line in lines), key=lambda r: r["url"])


def test_crawl_archive_then_reextract_offline(tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    crawled = tmp_path / "crawl.jsonl"
    with serve(FIXTURE_SITE) as origin:
        result = crawl(origin, crawled, warc_dir, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    warcs = sorted(warc_dir.glob("*.warc.gz"))
    assert len(warcs) > 1, "20 kB rotation must give several files"
    kinds: dict[str, int] = {}
    for warc in warcs:
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                kind = record.rec_headers.get_header("WARC-Newscrawl-Kind")
                kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds["article"] >= 14 and kinds["feed"] == 2 and kinds["listing"] >= 3

    # The site is shut down: re-extraction must not need it.
    replayed = tmp_path / "replay.jsonl"
    result = scrapy("reextract", *map(str, warcs), "--spider", "arabstoday", "-O", str(replayed))
    assert result.returncode == 0, result.stderr[-2000:]
    assert records(replayed) == records(crawled)
    # ... and the same records with extraction in worker processes (newscrawl/extraction/pool.py).
    pooled = tmp_path / "replay-pool.jsonl"
    result = scrapy(
        "reextract", *map(str, warcs), "--spider", "arabstoday", "-O", str(pooled),
        "-s", "NEWSCRAWL_EXTRACT_WORKERS=2", "-s", "LOG_LEVEL=INFO",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Extraction runs in 2 worker process(es)" in result.stderr
    assert records(pooled) == records(crawled)


def crawl(
    origin: str, feed: Path, warc_dir: Path, workdir: Path
) -> subprocess.CompletedProcess[str]:
    return scrapy(
        "crawl", "arabstoday", "-O", str(feed), "-a", f"base_url={origin}",
        "-s", f"NEWSCRAWL_WARC={warc_dir}", "-s", "NEWSCRAWL_WARC_MAX_BYTES=20000",
        "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}",
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
    )  # fmt: skip
