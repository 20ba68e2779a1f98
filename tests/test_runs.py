"""``scrapy runs``: the run history from real run reports, as a table and as a page of
charts checked in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from newscrawl.fixtureserver import PROJECT_ROOT

from .crawlrun import FAST
from .localservers import free_port
from .test_backfill import write_warc
from .test_scrapyd import build_egg, get, post, scrapyd  # noqa: F401 - scrapyd: a fixture

CHARTS = ("articles", "error_rate", "methods", "duration")


def scrapy(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def history(site_origin: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four real runs: arabstoday ok, then nothing new, then a dead origin; a backfill."""
    root = tmp_path_factory.mktemp("history")
    state = ("-s", f"NEWSCRAWL_STATE_PATH={root / 'state.sqlite3'}")
    for number, origin in enumerate([site_origin, site_origin,
                                     f"http://127.0.0.1:{free_port()}"]):  # fmt: skip
        feed = root / "output" / "arabstoday" / f"run{number}.jsonl"
        scrapy("crawl", "arabstoday", "-O", str(feed), "-a", f"base_url={origin}", *FAST, *state)
    write_warc(root / "crawl.warc.gz", gzip_records=True)
    feed = root / "output" / "backfill" / "run0.jsonl"
    done = scrapy("backfill", str(root / "crawl.warc.gz"), "-O", str(feed),
                  "-s", f"NEWSCRAWL_STATE_PATH={root / 'backfill.sqlite3'}")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return root


def reports(root: Path, site: str) -> list[dict[str, Any]]:
    paths = sorted((root / "output" / site).glob("*.report.json"))
    return [json.loads(path.read_text("utf-8")) for path in paths]


def test_runs_lists_every_run_with_its_exit_code(history: Path) -> None:
    result = scrapy("runs", "--reports", str(history / "output"))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["site", "started", "(UTC)"]
    rows = {line.split()[-1]: line for line in lines[1:]}  # by report path
    made = reports(history, "arabstoday") + reports(history, "backfill")
    assert len(rows) == len(made) == 4
    codes = sorted(int(r["exit_code"]) for r in reports(history, "arabstoday"))
    assert codes[:2] == [0, 0] and codes[2] != 0, codes  # the dead origin failed
    for path, line in rows.items():
        report = json.loads(Path(path).read_text("utf-8"))
        cells = line.split()
        assert cells[0] == report["spider"]
        assert cells[3] == str(report["exit_code"])  # site, date, time, exit code
        assert cells[5:7] == [str(report["new"]), str(report["updated"])]
    for report in made:  # every record counted by its extraction method
        methods = {k: v for k, v in report["stats"].items()
                   if k.startswith("newscrawl/extraction/method/")}  # fmt: skip
        assert sum(methods.values()) == report["articles_emitted"], methods
    first = next(line for line in rows.values() if line.startswith("backfill"))
    assert re.search(r" 0 ok +13 +0 ", first), first

    # One site only, the last run only.
    one = scrapy("runs", "--reports", str(history / "output"), "--site", "arabstoday",
                 "--last", "1")  # fmt: skip
    assert one.returncode == 0 and len(one.stdout.splitlines()) == 2, one.stderr


def test_runs_usage_errors(tmp_path: Path) -> None:
    for args, message in [
        (("--reports", str(tmp_path / "none")), "no such folder of run reports"),
        (("--reports", "ftp://x/y"), "a folder or s3:// URL"),
        (("--last", "0"), "--last must be at least 1"),
        (("--scrapyd", f"http://127.0.0.1:{free_port()}"), "cannot be read"),
    ]:
        result = scrapy("runs", *args)
        assert result.returncode == 2, (args, result.stderr[-2000:])
        assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr  # one line
        assert message in result.stderr and "Traceback" not in result.stderr, result.stderr


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (CI installs it: apt-get install chromium)")
    return found


def browser(*args: str) -> subprocess.CompletedProcess[str]:
    """Headless chromium with no network of its own (no updates, sync, or metrics)."""
    with tempfile.TemporaryDirectory(prefix="newscrawl-chromium-") as profile:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip


def test_runs_html_charts_in_a_real_browser(history: Path, tmp_path: Path) -> None:
    page = tmp_path / "runs.html"
    result = scrapy("runs", "--reports", str(history / "output"), "--html", str(page))
    assert result.returncode == 0, result.stderr[-3000:]
    text = page.read_text("utf-8")
    assert "<script" not in text.lower() and "http" not in re.sub(r'xmlns[^"]*"[^"]*"', "", text)

    dom = browser("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    sections = re.findall(r'<section class="site" data-site="([^"]+)">(.*?)</section>',
                          dom.stdout, re.S)  # fmt: skip
    assert [site for site, _ in sections] == ["arabstoday", "backfill"]
    for site, body in sections:
        assert f"<h2>{site}</h2>" in body
        figures = re.findall(r'<figure data-chart="(\w+)">(.*?)</figure>', body, re.S)
        assert [key for key, _ in figures] == list(CHARTS)
        for key, figure in figures:
            assert figure.count("<svg") == 1, (site, key)
            assert re.search(r"<(path|rect|line)\b", figure), (site, key)  # something drawn
    # The failed arabstoday run is marked with its exit code on the articles chart.
    failed = next(r for r in reports(history, "arabstoday") if r["exit_code"] != 0)
    assert f"exit {failed['exit_code']}" in sections[0][1]

    shot = tmp_path / "runs.png"
    taken = browser("--window-size=1280,2400", f"--screenshot={shot}", page.as_uri())
    assert taken.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", taken.stderr
    assert shot.stat().st_size > 20_000  # charts, not a blank page


def finished(origin: str, job: str) -> None:
    for _ in range(600):
        jobs = get(origin + "/listjobs.json?project=newscrawl")
        if any(j["id"] == job for j in jobs["finished"]):
            return
        time.sleep(0.5)
    pytest.fail(f"scrapyd job {job} did not finish")


def test_runs_shows_the_exit_code_of_scrapyd_jobs(scrapyd: Any, site_origin: str) -> None:  # noqa: F811
    """scrapyd's job list has no exit code: `runs --scrapyd` reads it from each job's log
    (and its report), and a job that died before its verdict shows as `?`."""
    origin, workdir = scrapyd
    added = post(origin + "/addversion.json", {"project": "newscrawl", "version": "1"},
                 {"egg": build_egg(workdir)})  # fmt: skip
    assert added["status"] == "ok", added
    good = post(origin + "/schedule.json", {"project": "newscrawl", "spider": "arabstoday",
                "base_url": site_origin, "setting": "DOWNLOAD_DELAY=0"})["jobid"]  # fmt: skip
    finished(origin, good)
    bad = post(origin + "/schedule.json", {"project": "newscrawl", "spider": "arabstoday",
               "sinse": "2024-01-01"})["jobid"]  # a typo: the crawl refuses to start  # fmt: skip
    finished(origin, bad)
    result = scrapy("runs", "--scrapyd", origin)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {job: line for line in result.stdout.splitlines() for job in (good, bad) if job in line}
    report = next((workdir / "output" / "arabstoday").glob("*.report.json"))
    assert re.search(r"^arabstoday .* 0 ok +(\d+) ", rows[good]), rows[good]
    assert f"scrapyd {good}: {report.resolve()}" in rows[good]
    new = int(json.loads(report.read_text("utf-8"))["new"])
    assert rows[good].split()[5] == str(new) and new >= 13
    assert re.search(r"^arabstoday .* \? \? ", rows[bad]), rows[bad]
    # Read from scrapyd and from the report folder too: one run, listed once.
    both = scrapy("runs", "--scrapyd", origin, "--reports", str(workdir / "output"))
    assert both.returncode == 0, both.stderr[-3000:]
    assert len(both.stdout.splitlines()) == 3 and both.stdout.count(report.name) == 1, both.stdout


def test_runs_reads_reports_from_object_storage(history: Path) -> None:
    """Reports in an S3 bucket (a real S3-compatible server on 127.0.0.1, moto's, reached
    over HTTP by boto3 in the `scrapy runs` process) list as the same reports on disk do."""
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    try:
        s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
        s3.create_bucket(Bucket="runs")
        for path in sorted((history / "output").rglob("*.report.json")):
            key = f"newscrawl/{path.relative_to(history / 'output')}"
            s3.put_object(Bucket="runs", Key=key, Body=path.read_bytes())
        s3.put_object(Bucket="runs", Key="newscrawl/arabstoday/run0.jsonl", Body=b"{}\n")
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "runs", "--reports", "s3://runs/newscrawl/"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
    finally:
        moto.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    local = scrapy("runs", "--reports", str(history / "output")).stdout.splitlines()
    remote = result.stdout.splitlines()
    assert len(remote) == len(local) == 5
    for here, there in zip(local[1:], remote[1:], strict=True):
        site, path = here.split()[0], here.split()[-1]
        assert there.split()[:-1] == here.split()[:-1]  # every column but the source
        assert there.split()[-1] == f"s3://runs/newscrawl/{site}/{Path(path).name}"
