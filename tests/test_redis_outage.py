"""Redis outages during a distributed crawl, on a real redis-server that the test kills
(SIGKILL) and starts again on the same port and data folder (append-only file fsynced
on every write, as docs/distributed.md asks of a production server).

* A few seconds down: the workers pause, carry on, finish (exit 0) with every article
  exactly once, one WARNING and one INFO line each, no traceback.
* Down past NEWSCRAWL_REDIS_OUTAGE_TIMEOUT: the worker exits 11 (STORE_UNAVAILABLE)
  with one clear line; once Redis is back a new worker finishes the job, and the
  merged feeds hold every article exactly once.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl import exitcodes
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.localservers import (
    RedisServer,
    generate_site,
    redis_server_binary,
    start_redis_server,
    start_site_server,
)
from newscrawl.urls import url_key
from tests.redis_server import _missing
from tests.test_distributed import (
    KEYS,
    client,
    finish,
    keys_of,
    log_of,
    records,
    report,
    scrapy_crawl,
)

ORIGIN = "https://www.arabstoday.net"


class Crashable:
    """A persistent redis-server that can be SIGKILLed and started again, same port."""

    def __init__(self, datadir: Path, binary: str) -> None:
        self.datadir, self.binary = datadir, binary
        self.password = "pw-" + secrets.token_hex(8)
        self.server: RedisServer | None = start_redis_server(
            datadir, password=self.password, binary=binary, persistent=True
        )
        self.port = self.server.port
        self.url = self.server.url(db=0)

    def kill(self) -> None:
        assert self.server is not None
        self.server.kill()
        self.server = None

    def restart(self) -> None:
        assert self.server is None
        self.server = start_redis_server(
            self.datadir, password=self.password, binary=self.binary, port=self.port,
            persistent=True,
        )  # fmt: skip

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@pytest.fixture
def crashable(tmp_path: Path) -> Iterator[Crashable]:
    binary = redis_server_binary()
    if binary is None:
        _missing("no redis-server binary (apt-get install redis-server, or $NEWSCRAWL_REDIS_SERVER)")
    assert binary is not None
    server = Crashable(tmp_path / "redis", binary)
    try:
        yield server
    finally:
        server.stop()


def wait_for_queue(url: str, below: int, workers: list[subprocess.Popen[bytes]],
                   feeds: list[Path]) -> None:  # fmt: skip
    r = client(url)
    deadline = time.monotonic() + 120
    while r.zcard(KEYS.queue) > below:
        assert time.monotonic() < deadline, "the workers made no progress"
        assert all(w.poll() is None for w in workers), [log_of(f)[-3000:] for f in feeds]
        time.sleep(0.05)
    r.close()


def redis_warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if "WARNING" in line and "Redis" in line]


def test_a_redis_outage_of_a_few_seconds_is_ridden_out(
    crashable: Crashable, tmp_path: Path
) -> None:
    root = tmp_path / "site"
    paths = generate_site(root, 400)
    site = start_site_server(root, delay=0.05, jitter=0.01)
    try:
        seed = tmp_path / "seed.jsonl"
        code = finish(scrapy_crawl(crashable.url, site.origin, seed, "-a", "role=seed"))
        assert code == 0, log_of(seed)
        feeds = [tmp_path / f"worker{n}.jsonl" for n in range(2)]
        workers = [scrapy_crawl(crashable.url, site.origin, feed, "-a", "role=worker")
                   for feed in feeds]  # fmt: skip
        wait_for_queue(crashable.url, 300, workers, feeds)
        crashable.kill()
        time.sleep(3.5)
        crashable.restart()
        codes = [finish(w) for w in workers]
    finally:
        site.stop()
    logs = [log_of(feed) for feed in feeds]
    assert codes == [0, 0], [log[-3000:] for log in logs]

    counts = Counter(keys_of(*feeds))
    assert set(counts) == {url_key(ORIGIN + p) for p in paths}, "every article was emitted"
    assert [k for k, n in counts.items() if n > 1] == [], "and only once"
    for feed, log in zip(feeds, logs, strict=True):
        assert "Traceback" not in log, log[-5000:]
        warnings = redis_warnings(log)
        assert 1 <= len(warnings) <= 2, warnings
        assert "unreachable" in warnings[0] and "pauses" in warnings[0]
        assert re.search(r"INFO: Redis at redis://:\*\*\*@127\.0\.0\.1:\d+/0 is back after", log)
        assert crashable.password not in log
        stats = report(feed)["stats"]
        assert stats["newscrawl/redis/outages"] == 1
        assert stats["newscrawl/redis/outage_seconds"] > 1
        assert "newscrawl/redis/dead_workers" not in stats, "no one was taken for dead"
    r = client(crashable.url)
    assert r.zcard(KEYS.queue) == 0 and r.hlen(KEYS.workers) == 0
    assert not list(r.scan_iter(KEYS.processing("*")))
    assert not list(r.scan_iter(KEYS.pending("*")))
    assert r.scard(KEYS.claims) == 400


def test_an_outage_past_the_timeout_exits_11_and_the_next_worker_finishes_the_job(
    crashable: Crashable, tmp_path: Path
) -> None:
    root = tmp_path / "site"
    paths = generate_site(root, 200)
    site = start_site_server(root, delay=0.05, jitter=0.01)
    try:
        seed = tmp_path / "seed.jsonl"
        code = finish(scrapy_crawl(crashable.url, site.origin, seed, "-a", "role=seed"))
        assert code == 0, log_of(seed)
        first = tmp_path / "first.jsonl"
        worker = scrapy_crawl(crashable.url, site.origin, first, "-a", "role=worker",
                              "-s", "NEWSCRAWL_REDIS_OUTAGE_TIMEOUT=3")  # fmt: skip
        wait_for_queue(crashable.url, 150, [worker], [first])
        crashable.kill()
        code = finish(worker, timeout=90)
        log = log_of(first)
        assert code == exitcodes.STORE_UNAVAILABLE, log[-5000:]
        assert "Traceback" not in log, log[-5000:]
        [stop] = [line for line in log.splitlines() if "unreachable for" in line and "ERROR" in line
                  and "stops (exit 11)" in line]  # fmt: skip
        assert "NEWSCRAWL_REDIS_OUTAGE_TIMEOUT 3s" in stop and crashable.password not in log
        first_report = report(first)
        assert first_report["exit_code"] == 11 and first_report["exit_name"] == "store_unavailable"
        assert first_report["stats"]["newscrawl/redis/outages"] == 1
        emitted_before = len(records(first))
        assert 0 < emitted_before < 200

        crashable.restart()
        heir = tmp_path / "heir.jsonl"
        code = finish(scrapy_crawl(crashable.url, site.origin, heir, "-a", "role=worker"))
        assert code == 0, log_of(heir)[-5000:]
    finally:
        site.stop()
    assert report(heir)["stats"]["newscrawl/redis/dead_workers"] == 1, "it took over the first"
    counts = Counter(keys_of(first, heir))
    assert set(counts) == {url_key(ORIGIN + p) for p in paths}, "nothing was lost"
    # A record written in the instant between the feed and its confirmation in Redis
    # is emitted again by the heir; `scrapy merge` keeps one.
    assert len([k for k, n in counts.items() if n > 1]) <= 1, counts.most_common(3)
    merged = tmp_path / "merged.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "merge", str(first), str(heir), "-O", str(merged)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    merged_keys = keys_of(merged)
    assert len(merged_keys) == len(set(merged_keys)) == 200, "every article exactly once"
    r = client(crashable.url)
    assert r.zcard(KEYS.queue) == 0 and r.hlen(KEYS.workers) == 0
    assert not list(r.scan_iter(KEYS.processing("*")))
    assert not list(r.scan_iter(KEYS.pending("*")))
