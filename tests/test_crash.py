"""Crash and resume: a crawl killed mid-run and resumed (JOBDIR plus the state store)
emits every article of the site exactly once across all its feeds.

The site is slow (each article takes 0.1 s, two at a time), so the kill points are
reached mid-crawl. SIGKILL gives no chance to clean up: the feed is written one
``write(2)`` per record and the emit journal (newscrawl/storage/durable.py) settles any
article the store marked seen but the feed did not get. SIGTERM is graceful: the
feed is closed complete, the report says aborted, and the JOBDIR queue resumes.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from newscrawl import exitcodes
from newscrawl.discovery.urls import url_key
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.storage.durable import EmitJournal, repair_tail
from newscrawl.storage.state import SQLiteStore
from newscrawl.storage.stores import store_for

from .crawlrun import path_of
from .faultserver import FaultSite, make_article, serve

# Extra -s settings for every run (empty: the project's own; to watch the test fail
# without the fixes, set NEWSCRAWL_EMIT_JOURNAL=False and Scrapy's FileFeedStorage).
EXTRA: list[str] = []
ARTICLES = [make_article(700_000 + i) for i in range(36)] + [
    make_article(710_000 + i, "ar") for i in range(12)
]


def start(
    origin: str, workdir: Path, run: int, *extra: str
) -> tuple[subprocess.Popen[bytes], Path]:
    feed = workdir / f"run{run}.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(feed),
        "-a", f"base_url={origin}",
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "LOG_LEVEL=INFO",
        "-s", f"JOBDIR={workdir / 'job'}", *EXTRA, *extra,
        "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}",
    ]  # fmt: skip
    log = (workdir / f"run{run}.log").open("wb")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=log)
    return process, feed


def lines(feed: Path) -> list[bytes]:
    try:  # the feed may be created (or replaced, with -O) between two looks
        return feed.read_bytes().splitlines(keepends=True)
    except FileNotFoundError:
        return []


def run_until(
    origin: str, workdir: Path, run: int, items: int | None, sig: int, *extra: str
) -> int:
    """Run a crawl; with ``items``, send ``sig`` once its feed holds that many records."""
    process, feed = start(origin, workdir, run, *extra)
    deadline = time.monotonic() + 120
    while items is not None and process.poll() is None and time.monotonic() < deadline:
        if len(lines(feed)) >= items:
            process.send_signal(sig)
            break
        time.sleep(0.01)
    return process.wait(timeout=120)


def union(workdir: Path) -> Counter[str]:
    found: Counter[str] = Counter()
    for feed in sorted(workdir.glob("run*.jsonl")):
        for line in lines(feed):
            assert line.endswith(b"\n"), f"{feed.name} ends in a cut record"
            found[path_of(json.loads(line))] += 1
    return found


def integrity(workdir: Path) -> str:
    db = sqlite3.connect(workdir / "state.sqlite3")
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def test_sigkill_at_several_points_then_resume_emits_each_article_once(tmp_path: Path) -> None:
    site = FaultSite(ARTICLES, delay=0.1)
    with serve(site) as origin:
        for run, kill_after in enumerate((2, 5, 9), start=1):
            code = run_until(origin, tmp_path, run, kill_after, signal.SIGKILL)
            assert code == -signal.SIGKILL, (tmp_path / f"run{run}.log").read_text()[-2000:]
            assert integrity(tmp_path) == "ok"
            assert len(lines(tmp_path / f"run{run}.jsonl")) >= kill_after
        code = run_until(origin, tmp_path, 4, None, signal.SIGKILL)
    log = (tmp_path / "run4.log").read_text()
    assert code == exitcodes.OK, log[-3000:]
    emitted = union(tmp_path)
    assert set(emitted) == {a.path for a in ARTICLES}
    assert max(emitted.values()) == 1, [p for p, n in emitted.items() if n > 1]
    assert integrity(tmp_path) == "ok"
    # Each resume found the JOBDIR of a killed run and started discovery afresh.
    for run in (2, 3, 4):
        assert "was left by a run that did not close" in (tmp_path / f"run{run}.log").read_text()
    # The run that finished stored the feeds' validators; the killed ones did not.
    store = SQLiteStore(tmp_path / "state.sqlite3")
    try:
        assert store.validators(f"{origin}/en/rss")[0] is not None
    finally:
        store.close()


def test_sigkill_between_write_and_group_fsync_loses_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    """The feed is fsynced in groups (NEWSCRAWL_FEED_FSYNC_RECORDS / _MS) and a record
    is confirmed only by the fsync covering it: here no group fsync comes before the
    kill, so every record in the feed is unconfirmed, and the next run keeps them all
    seen (they are in the file) and emits the rest, each once."""
    never = ("-s", "NEWSCRAWL_FEED_FSYNC_RECORDS=1000000", "-s", "NEWSCRAWL_FEED_FSYNC_MS=3600000")
    site = FaultSite(ARTICLES, delay=0.1)
    with serve(site) as origin:
        code = run_until(origin, tmp_path, 1, 6, signal.SIGKILL, *never)
        assert code == -signal.SIGKILL, (tmp_path / "run1.log").read_text()[-2000:]
        written = len(lines(tmp_path / "run1.jsonl"))
        journal = []
        for line in (tmp_path / "state.sqlite3.arabstoday.journal").read_bytes().splitlines():
            try:
                journal.append(json.loads(line))
            except ValueError:
                continue  # cut by the kill
        assert written >= 6 and sum("emit" in e for e in journal) >= written
        assert not [e for e in journal if "done" in e]  # nothing confirmed: no fsync yet
        code = run_until(origin, tmp_path, 2, None, signal.SIGKILL)
    log = (tmp_path / "run2.log").read_text()
    assert code == exitcodes.OK, log[-3000:]
    emitted = union(tmp_path)
    assert set(emitted) == {a.path for a in ARTICLES}
    assert max(emitted.values()) == 1, [p for p, n in emitted.items() if n > 1]
    assert integrity(tmp_path) == "ok"


# A small discovery bound must not lose what still waited when the run paused: with
# JOBDIR the bound is off (Scrapy's queue is on disk; spiders/base.py discovery_inflight).
@pytest.mark.parametrize("extra", [(), ("-s", "NEWSCRAWL_DISCOVERY_INFLIGHT=5")])
def test_sigterm_closes_the_feed_complete_and_resumes_from_the_queue(
    tmp_path: Path, extra: tuple[str, ...]
) -> None:
    site = FaultSite(ARTICLES, delay=0.1)
    with serve(site) as origin:
        code = run_until(origin, tmp_path, 1, 4, signal.SIGTERM, *extra)
        first = tmp_path / "run1.jsonl"
        report = json.loads(first.with_name("run1.report.json").read_text("utf-8"))
        assert code == exitcodes.ABORTED
        assert report["finish_reason"] == "shutdown" and report["exit_name"] == "aborted"
        records = [json.loads(line) for line in lines(first)]  # every line whole JSON
        assert len(records) == report["articles_emitted"] < len(ARTICLES)
        assert not (tmp_path / "latest").exists(), "an aborted run must not become latest"
        assert integrity(tmp_path) == "ok"
        code = run_until(origin, tmp_path, 2, None, signal.SIGTERM, *extra)
    log = (tmp_path / "run2.log").read_text()
    assert code == exitcodes.OK, log[-3000:]
    assert "Resuming crawl" in log and "did not close" not in log
    emitted = union(tmp_path)
    assert set(emitted) == {a.path for a in ARTICLES}
    assert max(emitted.values()) == 1
    assert integrity(tmp_path) == "ok"


# -- the journal, step by step ----------------------------------------------------------


class _Spider(Spider):
    name = "journaltest"


def _journal(tmp_path: Path) -> tuple[EmitJournal, Any]:
    crawler = get_crawler(_Spider, {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3")})
    crawler.spider = _Spider()
    return EmitJournal.from_crawler(crawler), crawler


def test_an_article_seen_but_not_in_the_feed_is_forgotten_after_a_kill(tmp_path: Path) -> None:
    """The window the journal closes: the store marked two articles seen, the feed got
    only one of them before the process died."""
    feed = tmp_path / "feed.jsonl"
    written = "https://www.arabstoday.net/en/news/1/a"
    lost = "https://www.arabstoday.net/en/news/2/b"
    feed.write_text(json.dumps({"url": written, "canonical_url": written}) + "\n" + '{"url": "ht')
    store = SQLiteStore(tmp_path / "state.sqlite3")
    for url in (written, lost):
        store.remember(url_key(url), url, b"f" + url.encode(), None)
    store.close()
    journal_path = tmp_path / "state.sqlite3.journaltest.journal"
    journal_path.write_text(
        "\n".join(
            json.dumps(e)
            for e in (
                {"feed": str(feed)},
                {"emit": url_key(written), "urls": [written]},
                {"emit": url_key(lost), "urls": [lost]},
            )
        )
        + '\n{"done": "cut sho'
    )
    journal, crawler = _journal(tmp_path)
    journal.spider_opened(crawler.spider)
    state = store_for(crawler)
    assert state.seen(url_key(written)) is not None
    assert state.seen(url_key(lost)) is None  # fetched again by this run
    assert feed.read_text().endswith("}\n")  # the cut record is gone
    assert crawler.stats.get_value("newscrawl/resume/forgotten") == 1
    journal.spider_closed(crawler.spider, "finished")
    assert not journal_path.exists()


def test_an_article_in_the_feed_whose_store_group_was_lost_is_marked_seen(
    tmp_path: Path,
) -> None:
    """The state store commits a group of records with the feed's group fsync: a kill
    before that commit leaves records in the feed that the store never marked seen.
    Their journal entries carry what the store would have kept (fingerprint,
    signature), and the next start marks them seen, so they are not emitted again."""
    feed = tmp_path / "feed.jsonl"
    url = "https://www.arabstoday.net/en/news/3/c"
    feed.write_text(json.dumps({"url": url, "canonical_url": url}) + "\n")
    fingerprint, sig = b"\x01" * 16, bytes(range(72))
    SQLiteStore(tmp_path / "state.sqlite3").close()  # the group with the record: lost
    (tmp_path / "state.sqlite3.journaltest.journal").write_text(
        json.dumps({"feed": str(feed)}) + "\n"
        + json.dumps({"emit": url_key(url), "urls": [url], "fp": fingerprint.hex(),
                      "sig": sig.hex()}) + "\n"
    )  # fmt: skip
    journal, crawler = _journal(tmp_path)
    journal.spider_opened(crawler.spider)
    state = store_for(crawler)
    seen = state.seen(url_key(url))
    assert seen is not None and seen.fingerprint == fingerprint
    assert state.fingerprint_owner(fingerprint) == url
    assert [s for _, s in state.recent_signatures(10)] == [sig]  # its near duplicates found too
    assert crawler.stats.get_value("newscrawl/resume/restored") == 1
    journal.spider_closed(crawler.spider, "finished")


def test_repair_tail(tmp_path: Path) -> None:
    feed = tmp_path / "f.jsonl"
    feed.write_bytes(b'{"a": 1}\n{"b": 2}\n')
    assert repair_tail(feed) is False
    feed.write_bytes(b'{"a": 1}\n{"b": ')
    assert repair_tail(feed) is True and feed.read_bytes() == b'{"a": 1}\n'
    feed.write_bytes(b'{"b": ')
    assert repair_tail(feed) is True and feed.read_bytes() == b""
