"""The SQLite state store and its `scrapy state` command."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from newscrawl.discovery.urls import url_key
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.storage.state import SQLiteStore, StateCorruptError, check_database, parse_duration

URL = "https://www.arabstoday.net/ar/news/635301/%D8%A7"


def test_remember_and_look_up(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    assert store.seen(url_key(URL)) is None
    row = store.remember(url_key(URL), URL, b"f" * 16, b"\x00sig\xff")
    seen = store.seen(url_key(URL + "?utm_source=rss"))
    assert seen is not None and seen.url == URL and seen.fingerprint == b"f" * 16
    assert store.fingerprint_owner(b"f" * 16) == URL
    assert list(store.signatures()) == [(row, b"\x00sig\xff")]
    assert store.signature_owner(row or 0) == URL
    store.close()


def test_state_survives_reopen_and_validators_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    store.remember("k", URL, None, None)
    store.set_validators("https://x/rss", '"abc"', "Mon, 01 Jan 2018 16:12:00 GMT")
    store.close()
    reopened = SQLiteStore(path)
    assert reopened.seen("k") is not None
    assert reopened.validators("https://x/rss") == ('"abc"', "Mon, 01 Jan 2018 16:12:00 GMT")
    assert reopened.validators("https://x/other") == (None, None)
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reopened.close()


def test_forget_and_prune(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    store.remember(url_key(URL), URL, b"a" * 16, b"7")
    store.remember("other", "https://e.com/other", b"b" * 16, b"8")
    assert store.forget(URL) == 1
    assert store.seen(url_key(URL)) is None and store.fingerprint_owner(b"a" * 16) is None
    assert [sig for _, sig in store.signatures()] == [b"8"]
    store.db.execute("UPDATE articles SET fetched_at = ?", (time.time() - 100 * 86400,))
    assert store.prune(timedelta(days=90)) == 1
    assert store.stats()["articles"] == 0 and store.stats()["signatures"] == 0
    store.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    sqlite3.connect(path).execute("PRAGMA user_version=99")
    with pytest.raises(RuntimeError, match="schema"):
        SQLiteStore(path)


def test_parse_duration() -> None:
    assert parse_duration("12h") == timedelta(hours=12)
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_state_command(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    store.remember(url_key(URL), URL, None, None)
    store.close()

    def state(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "state", *args, "-s", f"NEWSCRAWL_STATE_PATH={path}"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert json.loads(state("stats"))["articles"] == 1
    assert "forgotten" in state("forget", URL)
    assert "not in the store" in state("forget", URL)
    assert "pruned 0" in state("prune", "--older-than", "90d")


def _store_of(path: Path, articles: int) -> None:
    store = SQLiteStore(path)
    with store.db:  # one transaction: quick to build
        store.db.executemany(
            "INSERT INTO articles (key, url, fetched_at, fingerprint) VALUES (?, ?, 0, ?)",
            [(f"k{i:08d}", f"https://e.com/{i}", i.to_bytes(16, "big")) for i in range(articles)],
        )
    store.close()


def _check_steps(path: Path) -> int:
    """SQLite VM steps the start-up check of ``path`` takes: work, not time."""
    db = sqlite3.connect(path)
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0

    db.set_progress_handler(step, 1)
    check_database(db, path)
    db.close()
    return steps[0]


def test_the_start_up_check_does_not_grow_with_the_store(tmp_path: Path) -> None:
    """`PRAGMA quick_check` read every page of the store, twice per run."""
    small, large = tmp_path / "small.sqlite3", tmp_path / "large.sqlite3"
    _store_of(small, 1_000)
    _store_of(large, 30_000)
    assert large.stat().st_size > 10 * small.stat().st_size
    assert _check_steps(large) <= 1.5 * _check_steps(small)


def test_a_cut_store_is_refused_at_open_by_its_header(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _store_of(path, 5_000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 3 // 4])
    with pytest.raises(StateCorruptError, match="truncated"):
        SQLiteStore(path)
