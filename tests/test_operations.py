"""Unattended runs: exit codes, the run report beside the feed, `latest`, the lock."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from newscrawl import exitcodes
from newscrawl.fixtureserver import PROJECT_ROOT, serve


def crawl(origin: str, workdir: Path, *args: str) -> tuple[int, str, Path]:
    out = workdir / "feed" / "items.jsonl"
    result = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(out),
            "-a", f"base_url={origin}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
            "-s", "RETRY_TIMES=0", "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}", *args,
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return result.returncode, result.stderr, out


def report_of(feed: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(feed.with_name("items.report.json").read_text("utf-8"))
    return data


def test_healthy_run_exits_0_with_report_and_latest(site_origin: str, tmp_path: Path) -> None:
    code, stderr, feed = crawl(site_origin, tmp_path)
    assert code == exitcodes.OK, stderr[-2000:]
    report = report_of(feed)
    lines = feed.read_text("utf-8").splitlines()
    assert report["exit_code"] == 0 and report["exit_name"] == "ok"
    assert report["articles_emitted"] == len(lines) == report["new"]
    assert report["pages_fetched"] > len(lines)
    assert report["http_status"]["200"] >= len(lines)
    assert report["feeds"] == [str(feed.resolve())]
    assert report["stats"]["newscrawl/skipped/interstitial/bot_check"] == 1
    for key in ("started_at", "finished_at", "duration_s", "bytes", "drops", "fallbacks", "errors"):
        assert key in report
    latest = json.loads((feed.parent / "latest").read_text("utf-8"))
    assert latest["feed"] == str(feed.resolve()) and latest["exit_code"] == 0
    assert "Run summary:" in stderr

    # Second run: nothing new is healthy, not "no items".
    code, stderr, feed = crawl(site_origin, tmp_path)
    assert code == exitcodes.OK, stderr[-2000:]
    assert report_of(feed)["exit_reason"] == "ok: nothing new"


def test_site_that_serves_nothing_exits_no_items(tmp_path: Path) -> None:
    empty = tmp_path / "empty-site"
    empty.mkdir()
    with serve(empty) as origin:
        code, stderr, feed = crawl(origin, tmp_path)
    assert code == exitcodes.NO_ITEMS, stderr[-2000:]
    assert report_of(feed)["exit_name"] == "no_items"
    assert (
        not (feed.parent / "latest").exists()
        or json.loads((feed.parent / "latest").read_text())["exit_code"] == exitcodes.NO_ITEMS
    )


def test_high_error_rate_exits_error_rate(site_origin: str, tmp_path: Path) -> None:
    code, stderr, feed = crawl(site_origin, tmp_path, "-s", "NEWSCRAWL_MAX_ERROR_RATE=0.01")
    # The fixture site serves one bot check instead of an article: 1 failed page of ~27
    # is healthy by default (20%) and unhealthy above a 1% threshold.
    assert code == exitcodes.ERROR_RATE, stderr[-2000:]
    assert report_of(feed)["exit_reason"].startswith("error rate")


def test_run_closed_early_exits_aborted(site_origin: str, tmp_path: Path) -> None:
    code, stderr, feed = crawl(site_origin, tmp_path, "-s", "CLOSESPIDER_PAGECOUNT=3")
    assert code == exitcodes.ABORTED, stderr[-2000:]
    assert not (feed.parent / "latest").exists(), "an aborted run must not become latest"


def test_second_run_while_one_is_running_exits_locked(site_origin: str, tmp_path: Path) -> None:
    lock = tmp_path / "state.sqlite3.arabstoday.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write("pid 12345 since test")
        handle.flush()
        code, stderr, _ = crawl(site_origin, tmp_path)
    assert code == exitcodes.LOCKED, stderr[-2000:]
    assert "Another arabstoday run holds" in stderr
    code, stderr, _ = crawl(site_origin, tmp_path)  # lock released: runs normally
    assert code == exitcodes.OK, stderr[-2000:]


def test_failing_spidermon_monitor_changes_the_exit_code(site_origin: str, tmp_path: Path) -> None:
    # The bot-check page logs one warning; no warning allowed makes the monitor fail.
    code, stderr, feed = crawl(site_origin, tmp_path, "-s", "SPIDERMON_MAX_WARNINGS=0")
    assert code == exitcodes.MONITORS_FAILED, stderr[-3000:]
    report = report_of(feed)
    assert report["exit_code"] == exitcodes.MONITORS_FAILED
    assert "Warning Count Monitor" in report["exit_reason"]
