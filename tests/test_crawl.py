"""End to end: `scrapy crawl arabstoday -a base_url=...` against the fixture site on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newscrawl.fixtureserver import PROJECT_ROOT, load_seed

from .conftest import fixture_pages

SEED_PATH = "/en/news/100245/isis-fewer-than-1000-fighters-remain"
FOOTER = ("Maintained and developed by Arabs Today", "All rights reserved to Arab Today")


def crawl(origin: str, tmp_path: Path, *args: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    out = tmp_path / "items.jsonl"
    stats = tmp_path / "stats.json"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(out),
        "-a", f"base_url={origin}",
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", "LOG_LEVEL=INFO", "-s", "STATS_CLASS=tests.stats_dump.JsonDumpStats",
        "-s", f"STATS_DUMP_PATH={stats}",
        "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
        *args,
    ]  # fmt: skip
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line.strip()]
    return records, json.loads(stats.read_text("utf-8"))


def path_of(record: dict[str, Any]) -> str:
    return record["url"].split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def expected_paths(editions: tuple[str, ...] = ("en", "ar")) -> set[str]:
    paths = {p["path"] for p in fixture_pages() if p["language"] in editions}
    if "en" in editions and load_seed() is not None:
        paths.add(SEED_PATH)
    return paths


def test_full_crawl_emits_every_article_once_clean(site_origin: str, tmp_path: Path) -> None:
    records, stats = crawl(site_origin, tmp_path)
    paths = [path_of(r) for r in records]
    assert len(paths) == len(set(paths)), "an article was emitted twice"
    assert set(paths) == expected_paths()
    by_path = {p["path"]: p for p in fixture_pages()}
    for record in records:
        assert set(record) >= {"url", "title", "body", "published", "fetched_at", "extraction"}
        assert record["body"] and record["title"]
        for line in FOOTER:
            assert line not in record["body"]
        assert "GMT" not in record["body"]
        page = by_path.get(path_of(record))
        if page is None:
            continue
        assert record["body"].split("\n\n") == page["body"], page["path"]
        for noise in page["noise"]:
            assert noise not in record["body"], (page["path"], noise)
        assert record["language"] == page["language"]
    arabic = [r for r in records if r["language"] == "ar"]
    assert arabic and all("\ufffd" not in r["body"] for r in arabic)
    assert any("،" in r["body"] for r in arabic)
    assert stats.get("newscrawl/extraction/error") is None
    # /en/news/600001 is a bot-check page served with 200: counted, never emitted.
    assert stats["newscrawl/skipped/interstitial/bot_check"] == 1
    assert stats["item_scraped_count"] == len(records)


def test_edition_argument_limits_the_crawl(site_origin: str, tmp_path: Path) -> None:
    records, _ = crawl(site_origin, tmp_path, "-a", "edition=ar")
    assert {path_of(r) for r in records} == expected_paths(("ar",))
    assert all(r["language"] == "ar" for r in records)


def test_limit_stops_after_n_articles(site_origin: str, tmp_path: Path) -> None:
    records, stats = crawl(site_origin, tmp_path, "-a", "limit=3")
    assert len(records) == 3
    assert stats["finish_reason"] in {"limit_reached", "finished"}


def test_since_skips_old_feed_entries_before_fetching(site_origin: str, tmp_path: Path) -> None:
    records, stats = crawl(site_origin, tmp_path, "-a", "since=2017-06-01")
    assert stats.get("newscrawl/discovery/feed/skipped_old", 0) >= 1
    assert all(r["published"] is None or r["published"] >= "2017-06-01" for r in records)
    old = [p["path"] for p in fixture_pages() if p["published"] < "2017-06-01"]
    assert old and not {path_of(r) for r in records} & set(old)


def test_bad_edition_is_a_clear_error(site_origin: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-a", "edition=fr",
         "-a", f"base_url={site_origin}", "-O", str(tmp_path / "x.jsonl"),
         "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "unknown edition fr" in result.stderr


@pytest.mark.parametrize("argument", ["since=yesterday", "limit=-3"])
def test_bad_arguments_are_clear_errors(site_origin: str, tmp_path: Path, argument: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-a", argument,
         "-a", f"base_url={site_origin}", "-O", str(tmp_path / "x.jsonl"),
         "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert argument.split("=")[0] in result.stderr
