"""Extraction off the reactor (newscrawl/extraction/pool.py): a crawl with worker
processes emits the records the in-process crawl emits, and survives workers dying."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from newscrawl import exitcodes
from newscrawl.fixtureserver import PROJECT_ROOT

from .crawlrun import FAST, crawl, path_of
from .faultserver import FaultSite, Page, make_article, serve

TIMING = ("fetched_at",)


def canonical(record: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in record.items() if k not in TIMING}, ensure_ascii=False)


def test_a_crawl_with_two_workers_emits_the_records_of_an_in_process_crawl(
    site_origin: str, tmp_path: Path
) -> None:
    runs = {}
    for workers in (0, 2):
        workdir = tmp_path / f"workers{workers}"
        workdir.mkdir()
        runs[workers] = crawl(site_origin, workdir, "-s", f"NEWSCRAWL_EXTRACT_WORKERS={workers}")
        assert runs[workers].code == exitcodes.OK, runs[workers].log[-3000:]
    pooled, local = runs[2], runs[0]
    assert pooled.lines_about("Extraction runs in 2 worker process(es)")
    assert not local.lines_about("worker process")
    assert len(local.records) > 5
    assert sorted(map(canonical, pooled.records)) == sorted(map(canonical, local.records))
    ours = {k: v for k, v in local.stats.items() if k.startswith("newscrawl/") and "time" not in k}
    for key in ("newscrawl/items/new", "newscrawl/extraction/method/selector"):
        assert pooled.stat(key) == ours.get(key, 0), key
    assert {k for k in pooled.stats if k.startswith("newscrawl/fallback/")} == {
        k for k in ours if k.startswith("newscrawl/fallback/")
    }


def test_a_worker_that_dies_is_replaced_and_its_page_tried_once_more(tmp_path: Path) -> None:
    articles = [make_article(720_000 + i) for i in range(14)]
    site = FaultSite(articles)
    killer, unlucky = articles[3], articles[8]  # every try / the first try only
    for article, mark in ((killer, "CRASHTEST-always"), (unlucky, "CRASHTEST-once")):
        page = article.html().replace("<body>", f"<body><!-- {mark} -->")
        site.pages[article.path] = Page(page.encode("utf-8"))
    homepage = articles[5]  # its canonical URL is the home page: rejected, and logged
    page = homepage.html().replace(f'{homepage.path}">', '/">', 1)
    site.pages[homepage.path] = Page(page.encode("utf-8"))
    with serve(site) as origin:
        run = crawl(
            origin, tmp_path, "-s", "NEWSCRAWL_EXTRACT_WORKERS=2",
            "-s", "NEWSCRAWL_EXTRACT_CRASH_MARK=CRASHTEST",
        )  # fmt: skip
    emitted = Counter(path_of(r) for r in run.records)
    assert set(emitted) == {a.path for a in articles} - {killer.path}, run.log[-3000:]
    assert max(emitted.values()) == 1
    assert run.stat("newscrawl/extraction/worker_died") == 1
    assert run.stat("newscrawl/extraction/error") == 1
    # The killer and the unlucky page are tried again at least once each (more when
    # other pages were in flight on a worker that died).
    assert run.stat("newscrawl/extraction/worker_retried") >= 2
    # What the extraction logs in a worker is in the crawl's log (twice when the page
    # was in flight on the worker that died, and extracted again).
    assert run.lines_about(f"Canonical URL 'https://www.arabstoday.net/' of {origin}")
    died = run.lines_about("worker died twice", "ERROR")
    assert len(died) == 1 and killer.path in died[0]


def _parents() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            found[int(stat.parent.name)] = (int(fields[1]), fields[0])
        except (OSError, IndexError, ValueError):
            continue
    return found


def descendants(pid: int) -> set[int]:
    processes, family = _parents(), {pid}
    while more := {p for p, (parent, _) in processes.items() if parent in family} - family:
        family |= more
    return family - {pid}


def alive(pids: set[int]) -> set[int]:
    return {p for p, (_, state) in _parents().items() if p in pids and state != "Z"}


def test_a_crawl_killed_with_sigkill_leaves_no_extraction_worker_behind(tmp_path: Path) -> None:
    site = FaultSite([make_article(730_000 + i) for i in range(30)], delay=0.5)  # ~8 s
    feed = tmp_path / "items.jsonl"
    with serve(site) as origin, (tmp_path / "crawl.log").open("wb") as log:
        command = [
            sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(feed),
            "-a", f"base_url={origin}", *FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
            "-s", "NEWSCRAWL_EXTRACT_WORKERS=2",
            "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            # Workers start on demand: wait for records and for both workers.
            started = len(descendants(process.pid)) >= 3
            if started and feed.exists() and feed.read_bytes().count(b"\n") >= 2:
                break
            time.sleep(0.05)
        workers = descendants(process.pid)
        process.kill()
        process.wait()
        assert len(workers) >= 3, (tmp_path / "crawl.log").read_text()[-2000:]  # server + 2
        deadline = time.monotonic() + 60
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert not alive(workers)


def test_a_warmed_worker_keeps_its_start_up_heap_out_of_the_collector() -> None:
    # A fresh process, as the fork server starts a worker: after init_worker, what the
    # imports and the warm-up left alive is frozen (gc.freeze), so full collections
    # during extraction no longer walk the modules and models.
    script = (
        "import gc, multiprocessing, logging\n"
        "from newscrawl.extraction.pool import init_worker\n"
        "init_worker(multiprocessing.SimpleQueue(), logging.WARNING)\n"
        "print(gc.get_freeze_count())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 10_000, done.stdout
