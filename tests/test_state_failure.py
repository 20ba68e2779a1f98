"""The state store's own disk fills up: one ERROR line naming the store and the
cause, the run stops with exit STATE_CORRUPT (10), and nothing is lost: the next
run fetches exactly what the stopped one did not mark seen. A store that cannot be
created leaves no temporary files behind. Real ``scrapy crawl`` runs in subprocesses
against the fault site on 127.0.0.1; the disk is "full" through RLIMIT_FSIZE."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl import exitcodes
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.storage.state import SQLiteStore, StateStoreFailed

from .crawlrun import path_of
from .faultserver import FaultSite, serve
from .test_output import ARTICLES, LIMITED, article_requests, records, run_crawl, seen_paths


def test_a_state_store_that_cannot_be_written_stops_the_run_and_loses_nothing(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "news.jsonl"
    site = FaultSite(ARTICLES)
    with serve(site) as origin:
        # Files may grow to 150 KB: the store's write-ahead log hits that after a few
        # articles, long before the feed (a few KB of records) does. Groups of two
        # records (the store commits with the feed's group fsync): many commits, and
        # a failure that rolls back a group whose records are in the feed already.
        done = run_crawl(
            origin, tmp_path, str(feed), "-s", "NEWSCRAWL_FEED_FSYNC_RECORDS=2",
            file_size_limit=150_000,
        )  # fmt: skip
        assert done.returncode == exitcodes.STATE_CORRUPT, done.stderr[-3000:]
        assert "Traceback" not in done.stderr
        errors = [line for line in done.stderr.splitlines() if "] ERROR:" in line]
        store = tmp_path / "state.sqlite3"
        assert len(errors) == 2, errors  # the cause, then the run's verdict repeating it
        assert f"state store {store} cannot be written (disk I/O error" in errors[0]
        assert "exit code 10 (state_corrupt)" in errors[1]
        report = json.loads(feed.with_name("news.report.json").read_text("utf-8"))
        assert report["exit_name"] == "state_corrupt"
        first = records(feed)
        assert len(first) < len(ARTICLES)
        assert seen_paths(tmp_path) <= {path_of(r) for r in first}  # seen means in the feed
        fetched_before = len(article_requests(site))

        second = tmp_path / "again.jsonl"
        done = run_crawl(origin, tmp_path, str(second))
        assert done.returncode == exitcodes.OK, done.stderr[-3000:]
        again = records(second)
    written = [path_of(r) for r in first] + [path_of(r) for r in again]
    assert sorted(written) == sorted(a.path for a in ARTICLES)  # each exactly once
    refetched = article_requests(site)[fetched_before:]
    assert set(refetched) == {path_of(r) for r in again}


def test_a_store_that_cannot_be_created_leaves_no_junk(tmp_path: Path) -> None:
    """The disk is full when the store is first made (files may not grow past 2 KB)."""
    state = tmp_path / "state" / "state.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", LIMITED, "2048", "crawl", "arabstoday",
         "-s", f"NEWSCRAWL_STATE_PATH={state}"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == exitcodes.USAGE, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert f"NEWSCRAWL_STATE_PATH={state}: cannot open the state store" in result.stderr
    assert sorted(p.name for p in state.parent.iterdir()) == []


def test_a_failed_write_refuses_every_later_one(tmp_path: Path) -> None:
    """After one failed commit the store records nothing more of that run."""
    store = SQLiteStore(tmp_path / "s.sqlite3")
    told: list[StateStoreFailed] = []
    store.on_failure = told.append
    store.db.execute("PRAGMA query_only=1")  # every write now fails, as on a full disk
    for _ in range(2):
        with pytest.raises(StateStoreFailed, match="cannot be written"):
            store.remember("k", "https://x.example/a", None, None)
    assert len(told) == 1  # said once
    store.db.execute("PRAGMA query_only=0")
    with pytest.raises(StateStoreFailed):
        store.set_validators("https://x.example/rss", "e", None)
    store.close()
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    assert db.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    db.close()


def _damage_inner_pages(path: Path) -> None:
    """A store of 20,000 articles whose key index is garbage except its first and last
    leaves: opening it (header, schema, first and last entries) finds nothing wrong,
    the first lookup does."""
    store = SQLiteStore(path)
    letters = "abcdefghijklmnopqrstuvwxyz"
    keys = [
        "".join(letters[(i * 7 + j * 13) % 26] for j in range(12)) + str(i) for i in range(20_000)
    ]
    with store.db:
        store.db.executemany(
            "INSERT INTO articles (key, url, fetched_at) VALUES (?, 'https://e.com/', 0)",
            [(key,) for key in keys],
        )
    store.close()
    db = sqlite3.connect(path)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    leaves = [
        page for (page,) in db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'sqlite_autoindex_articles_1' "
            "AND pagetype = 'leaf' ORDER BY path"
        )
    ]  # fmt: skip
    db.close()
    assert len(leaves) > 10
    with path.open("r+b") as file:
        for page in leaves[1:-1]:
            file.seek((page - 1) * page_size)
            file.write(b"\xa5" * page_size)


def test_a_store_damaged_inside_stops_the_run_on_first_use(tmp_path: Path) -> None:
    """Start-up checks a store cheaply (not every page, as its size would make every
    run's start slower): damage it does not reach is met mid-run, one ERROR line and
    exit 10, as a store that cannot be written; `scrapy state stats` reads every page."""
    store = tmp_path / "state.sqlite3"
    _damage_inner_pages(store)
    feed = tmp_path / "news.jsonl"
    with serve(FaultSite(ARTICLES)) as origin:
        done = run_crawl(origin, tmp_path, str(feed))
    assert done.returncode == exitcodes.STATE_CORRUPT, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "] ERROR:" in line]
    assert len(errors) == 2, errors  # the cause, then the run's verdict repeating it
    assert f"state store {store} is corrupt (database disk image is malformed" in errors[0]
    assert "move it aside" in errors[0] and "exit code 10 (state_corrupt)" in errors[1]
    assert not feed.exists() or records(feed) == []

    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "state", "stats", "-s", f"NEWSCRAWL_STATE_PATH={store}"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == exitcodes.STATE_CORRUPT, result.stderr
    assert str(store) in result.stderr and "Traceback" not in result.stderr
