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

import logging
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl import exitcodes
from newscrawl.discovery.urls import url_key
from newscrawl.distributed.rediscrawl import ReliableQueue, Scheduler
from newscrawl.distributed.redisstore import (
    OUTAGE,
    GuardedRedis,
    Outage,
    RedisStore,
    StoreUnavailable,
    connect,
)
from newscrawl.distributed.wiring import apply_settings
from newscrawl.fixtureserver import PROJECT_ROOT
from tests.redis_server import _missing, redis_db_fixture, redis_server_fixture  # noqa: F401
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

from .localservers import (
    RedisServer,
    free_port,
    generate_site,
    redis_server_binary,
    start_redis_server,
    start_site_server,
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
        _missing("no redis-server binary (apt-get install redis-server or $NEWSCRAWL_REDIS_SERVER)")
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
                  and "stops; its in-flight requests stay in Redis" in line]  # fmt: skip
        assert "NEWSCRAWL_REDIS_OUTAGE_TIMEOUT 3s" in stop and crashable.password not in log
        first_report = report(first)
        assert first_report["exit_code"] == 11 and first_report["exit_name"] == "store_unavailable"
        assert first_report["stats"]["newscrawl/redis/outages"] == 1
        emitted_before = len(records(first))
        assert 0 < emitted_before < 200

        # The next worker starts while Redis is still down: it waits for it.
        heir = tmp_path / "heir.jsonl"
        started = scrapy_crawl(crashable.url, site.origin, heir, "-a", "role=worker")
        time.sleep(2)
        assert started.poll() is None, log_of(heir)[-5000:]
        crashable.restart()
        code = finish(started)
        assert code == 0, log_of(heir)[-5000:]
        assert "Traceback" not in log_of(heir)
    finally:
        site.stop()
    assert report(heir)["stats"]["newscrawl/redis/dead_workers"] == 1, "it took over the first"
    counts = Counter(keys_of(first, heir))
    assert set(counts) == {url_key(ORIGIN + p) for p in paths}, "nothing was lost"
    # Records written after Redis went away (the responses in flight then: at most
    # CONCURRENT_REQUESTS_PER_DOMAIN=16 here) cannot be confirmed, so the heir emits
    # them again. They are the first worker's last records; `scrapy merge` keeps one.
    twice = {k for k, n in counts.items() if n > 1}
    in_flight = set(keys_of(first)[-16:])
    assert twice <= in_flight, (twice - in_flight, counts.most_common(6))
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


# -- the parts, in process -------------------------------------------------------------


@pytest.fixture
def guard() -> Iterator[Outage]:
    yield OUTAGE
    OUTAGE.disarm()


def lose_first_reply(monkeypatch: pytest.MonkeyPatch, *commands: str) -> list[str]:
    """The first of ``commands`` runs on the server but its reply never arrives, as when
    Redis dies between executing a command and answering it."""
    real = redis.Redis.execute_command
    lost: list[str] = []

    def flaky(self: redis.Redis, *args: Any, **options: Any) -> Any:
        result = real(self, *args, **options)  # type: ignore[no-untyped-call]
        if not lost and str(args[0]).upper() in commands:
            lost.append(str(args[0]))
            raise redis.ConnectionError("Connection closed by server.")
        return result

    monkeypatch.setattr(redis.Redis, "execute_command", flaky)
    return lost


def test_a_claim_whose_reply_was_lost_is_still_this_workers(
    redis_db: str, guard: Outage, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, other = RedisStore(redis_db), RedisStore(redis_db)
    store.bind("t:claims", "t:pending:w1")
    other.bind("t:claims", "t:pending:w2")
    guard.arm(redis_db, timeout=10)
    lost = lose_first_reply(monkeypatch, "EVALSHA")
    assert store.claim("k1"), "the retry finds k1 claimed by this very worker"
    assert lost == ["EVALSHA"]
    assert not other.claim("k1")
    store.commit(["k1"])
    assert not store.claim("k1"), "once confirmed, another item of k1 is a duplicate"


def test_a_request_whose_reply_was_lost_is_still_queued(
    redis_db: str, guard: Outage, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings({"NEWSCRAWL_REDIS_URL": redis_db, "NEWSCRAWL_WORKER_ID": "w1"})
    apply_settings(settings)  # the scheduler, queue and dupefilter of a distributed crawl
    wanted = ("NEWSCRAWL_", "REDIS_", "SCHEDULER", "DUPEFILTER_CLASS")
    crawler = get_crawler(Spider, {k: v for k, v in settings.copy_to_dict().items()
                                   if k.startswith(wanted)})  # fmt: skip
    spider = Spider("t")
    spider.crawler = crawler
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    guard.arm(redis_db, timeout=10)
    lost = lose_first_reply(monkeypatch, "EVALSHA", "SADD", "ZADD")
    scheduler.enqueue_request(Request("https://www.arabstoday.net/en/rss.xml"))
    assert lost, "a reply was lost"
    assert len(scheduler) == 1, "queued, not taken for a duplicate and dropped"
    assert not scheduler.enqueue_request(Request("https://www.arabstoday.net/en/rss.xml"))
    assert len(scheduler) == 1


def test_a_pop_whose_reply_was_lost_goes_back_to_the_queue(redis_db: str) -> None:
    server = connect(redis_db)
    queue = ReliableQueue(server, Spider("t"), "t:requests")
    queue.processing_key = "t:processing:w1"
    for n in range(3):
        queue.push(Request(f"https://x.example/{n}", priority=-n))
    popped = queue.pop()
    assert popped is not None
    orphan = server.zrange("t:requests", 0, 0, withscores=True)
    server.zadd("t:processing:w1", dict(orphan))  # popped in Redis, never seen here
    server.zrem("t:requests", orphan[0][0])
    assert len(queue) == 1
    assert queue.requeue_orphans() == 1
    assert len(queue) == 2
    assert server.zrange("t:processing:w1", 0, -1) == [queue.inflight[popped]]


def test_past_the_timeout_every_command_fails_at_once(
    guard: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"redis://:secret@127.0.0.1:{free_port()}/0"  # nothing listens there
    client = GuardedRedis.from_url(url, socket_connect_timeout=1)
    gave_up: list[str] = []
    guard.arm(url, timeout=0.3, on_give_up=gave_up.append)
    with caplog.at_level(logging.INFO, logger="newscrawl.distributed.redisstore"):
        with pytest.raises(StoreUnavailable):
            client.get("x")
        with pytest.raises(StoreUnavailable):
            client.get("y")
    masked = url.replace(":secret@", ":***@")
    assert gave_up == [
        f"Redis at {masked} unreachable for 0s (NEWSCRAWL_REDIS_OUTAGE_TIMEOUT 0.3s)"
    ]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "secret" not in caplog.text
    guard.disarm()
    with pytest.raises(redis.ConnectionError) as raised:
        client.get("z")
    assert not isinstance(raised.value, StoreUnavailable), "unarmed: errors pass through"


def test_a_worker_that_cannot_reach_redis_at_start_exits_11_in_one_line(tmp_path: Path) -> None:
    url = f"redis://:secret@127.0.0.1:{free_port()}/0"  # nothing listens there
    feed = tmp_path / "w.jsonl"
    code = finish(scrapy_crawl(url, "http://127.0.0.1:9", feed, "-a", "role=worker",
                               "-s", "NEWSCRAWL_REDIS_OUTAGE_TIMEOUT=1"))  # fmt: skip
    log = log_of(feed)
    assert code == exitcodes.STORE_UNAVAILABLE, log
    assert "Traceback" not in log and "secret" not in log
    [error] = [line for line in log.splitlines() if "ERROR" in line]
    assert "unreachable for 1s (NEWSCRAWL_REDIS_OUTAGE_TIMEOUT 1s)" in error
    assert error.endswith("does not start (exit 11)")
