"""Verdicts users can believe: drift needs evidence, `latest` names only a feed with
records of a normal run, looking commands write no run files, and a forced shutdown
(Ctrl-C twice) exits 6 with its report.

Each case is a ``scrapy`` command in a subprocess against the fault site on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from newscrawl import exitcodes
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.ops.report import is_drift

from .crawlrun import FAST, path_of
from .faultserver import Article, FaultSite, fault, make_article, serve

ARTICLES = [make_article(750_000 + i) for i in range(12)]


def crawl(origin: str, workdir: Path, feed: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(feed),
            "-a", f"base_url={origin}", *FAST,
            "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}", *args,
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def report_of(feed: Path) -> dict[str, object]:
    path = feed.with_name(feed.name.removesuffix(feed.suffix) + ".report.json")
    data: dict[str, object] = json.loads(path.read_text("utf-8"))
    return data


def redesigned(article: Article) -> bytes:
    """The article in a new template: none of the site's body selectors match."""
    return article.html().replace("NewsStory", "c-legacy").encode("utf-8")


# -- layout drift needs evidence -------------------------------------------------------


def test_one_fallback_in_three_pages_is_reported_but_not_drift(tmp_path: Path) -> None:
    few = ARTICLES[:3]
    site = FaultSite(few, {few[0].path: fault("body", body=redesigned(few[0]))})
    feed = tmp_path / "small.jsonl"
    with serve(site) as origin:
        done = crawl(origin, tmp_path, feed)
    assert done.returncode == exitcodes.OK, done.stderr[-3000:]
    report = report_of(feed)
    assert report["fallbacks"] == {"arabstoday": 1}
    # Judged against the site's history: one page of three in a layout it does not know.
    assert "New layout on arabstoday: 1 of 3 pages" in str(report["exit_reason"])
    assert "ERROR: Layout drift" not in done.stderr
    assert "WARNING: New layout on arabstoday: 1 of 3 pages" in done.stderr


def test_every_page_falling_back_is_drift_even_in_a_small_run(tmp_path: Path) -> None:
    few = ARTICLES[:3]
    site = FaultSite(few, {a.path: fault("body", body=redesigned(a)) for a in few})
    feed = tmp_path / "small.jsonl"
    with serve(site) as origin:
        done = crawl(origin, tmp_path, feed)
    assert done.returncode == exitcodes.LAYOUT_DRIFT, done.stderr[-3000:]
    assert "ERROR: Layout drift on arabstoday: 3 of 3 pages" in done.stderr


def test_drift_rule() -> None:
    assert not is_drift(1, 3, 0.2, 10)  # an hourly run with one odd page
    assert is_drift(3, 3, 0.2, 10)  # every page of a small run
    assert not is_drift(2, 2, 0.2, 10)  # too little to say
    assert is_drift(3, 10, 0.2, 10) and not is_drift(2, 10, 0.2, 10)
    assert is_drift(1, 1, 0.2, 1)  # NEWSCRAWL_DRIFT_MIN_PAGES=1: the old rule


# -- `latest` ----------------------------------------------------------------------------


def test_latest_stays_on_the_last_feed_with_records(tmp_path: Path) -> None:
    site = FaultSite(ARTICLES[:4])
    first, second = tmp_path / "out" / "first.jsonl", tmp_path / "out" / "second.jsonl"
    with serve(site) as origin:
        done = crawl(origin, tmp_path, first)
        assert done.returncode == exitcodes.OK, done.stderr[-3000:]
        latest = json.loads((first.parent / "latest").read_text("utf-8"))
        assert latest["feed"] == str(first.resolve())
        done = crawl(origin, tmp_path, second)  # nothing new: an empty feed
    assert done.returncode == exitcodes.OK, done.stderr[-3000:]
    assert report_of(second)["articles_emitted"] == 0
    latest = json.loads((first.parent / "latest").read_text("utf-8"))
    assert latest["feed"] == str(first.resolve()), "latest moved to a feed with no records"


# -- scrapy parse / shell write no run files ---------------------------------------------


def scrapy(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A scrapy command run where a user would: the project found by its settings
    module, relative paths (output/, .newscrawl/) under ``workdir``."""
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawl.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT_ROOT), env.get("PYTHONPATH"))))
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_parse_writes_no_feed_report_or_latest(tmp_path: Path) -> None:
    site = FaultSite(ARTICLES[:2])
    with serve(site) as origin:
        done = scrapy(
            tmp_path, "parse", "--spider", "arabstoday", "-c", "parse_article",
            "-a", f"base_url={origin}", f"{origin}{ARTICLES[0].path}",
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert ARTICLES[0].title in done.stdout  # it did parse the page
    assert not (tmp_path / "output").exists(), list((tmp_path / "output").rglob("*"))


def test_shell_opens_a_local_page_and_writes_no_run_files(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(ARTICLES[0].html().encode("utf-8"))
    done = scrapy(tmp_path, "shell", "./page.html", "-c", "response.css('h1::text').get()")
    assert done.returncode == 0, done.stderr[-3000:]
    assert ARTICLES[0].title in done.stdout
    assert not (tmp_path / "output").exists()


# -- Ctrl-C twice ------------------------------------------------------------------------


def test_second_sigint_forces_shutdown_exits_aborted_with_report(tmp_path: Path) -> None:
    # One article never answers: the graceful close after the first Ctrl-C waits for
    # it, so the second Ctrl-C finds the run still closing ("forcing unclean shutdown").
    hang = make_article(759_999)
    site = FaultSite([*ARTICLES, hang], {hang.path: fault("hang", seconds=120)}, delay=0.1)
    feed = tmp_path / "run.jsonl"
    log = tmp_path / "run.log"
    with serve(site) as origin, log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(feed),
                "-a", f"base_url={origin}", *FAST, "-s", "DOWNLOAD_TIMEOUT=120",
                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
            ],
            cwd=PROJECT_ROOT, stdout=out, stderr=out,
        )  # fmt: skip
        try:
            wait_for(lambda: feed.exists() and feed.read_bytes().count(b"\n") >= 2)
            wait_for(lambda: bool(site.requests_for(hang.path)))
            process.send_signal(signal.SIGINT)
            wait_for(lambda: b"shutting down gracefully" in log.read_bytes())
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    text = log.read_text("utf-8")
    assert "forcing unclean shutdown" in text, text[-3000:]
    assert code == exitcodes.ABORTED, text[-3000:]
    report = report_of(feed)
    assert report["exit_code"] == exitcodes.ABORTED
    assert "forced unclean shutdown" in str(report["exit_reason"])
    assert not (tmp_path / "latest").exists()
    lines = feed.read_bytes().splitlines(keepends=True)
    assert all(line.endswith(b"\n") for line in lines)
    assert {path_of(json.loads(line)) for line in lines} <= {a.path for a in ARTICLES}


def wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting")
