"""Distributed crawls on a real redis-server: settings, roles, the lock, recovery after
SIGKILL, and `scrapy merge`.

The end-to-end test crawls a generated site of 1,200 articles with a seed and three
workers, SIGKILLs one of them halfway, and checks that the merged output has every
article exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl import exitcodes
from newscrawl.commands.merge import merge
from newscrawl.discovery.urls import url_key
from newscrawl.distributed.config import Keys, keys_for, mask_url, redis_url
from newscrawl.distributed.rediscrawl import Coordinator
from newscrawl.distributed.redisstore import OUTAGE
from newscrawl.distributed.wiring import apply_settings
from newscrawl.fixtureserver import PROJECT_ROOT
from tests.redis_server import redis_db_fixture, redis_server_fixture  # noqa: F401

from .localservers import SiteServer, generate_site, start_site_server

KEYS = Keys("newscrawl", "arabstoday")
# Heartbeat 2 s (a worker is dead after 3 missed beats): shorter, a loaded CI machine
# (2 cores, the language model loading for a second) made live workers look dead.
FAST = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "NEWSCRAWL_REDIS_HEARTBEAT=2",
        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "-s", "LOG_LEVEL=INFO")  # fmt: skip


def scrapy_crawl(
    redis: str, origin: str, feed: Path, *args: str, idle: float = 3.0
) -> subprocess.Popen[bytes]:
    """``scrapy crawl arabstoday`` distributed; the Redis URL (with its password) goes in
    the environment, as on a real machine, so it is not on any command line."""
    log = feed.with_suffix(".log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(feed),
         "-a", f"base_url={origin}", "-a", "edition=en", *FAST,
         "-s", f"NEWSCRAWL_REDIS_IDLE_TIMEOUT={idle}", *args],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=log,
        env=dict(os.environ, NEWSCRAWL_REDIS_URL=redis),
    )  # fmt: skip


def finish(process: subprocess.Popen[bytes], timeout: float = 120) -> int:
    return process.wait(timeout=timeout)


def records(feed: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in feed.read_text("utf-8").splitlines() if line.strip()]


def report(feed: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(feed.with_name(feed.stem + ".report.json").read_text())
    return data


def log_of(feed: Path) -> str:
    return feed.with_suffix(".log").read_text("utf-8", "replace")


def keys_of(*feeds: Path) -> list[str]:
    return [url_key(r.get("canonical_url") or r["url"]) for feed in feeds for r in records(feed)]


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "site"
    return root, generate_site(root, 60)


@pytest.fixture
def fast_server(site: tuple[Path, list[str]]) -> Any:
    server = start_site_server(site[0], delay=0.0, jitter=0.0)
    yield server
    server.stop()


# -- settings ------------------------------------------------------------------------


def test_without_a_redis_url_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    before = settings.copy_to_dict()
    apply_settings(settings)
    assert settings.copy_to_dict() == before
    assert redis_url(settings) is None


def test_the_url_from_setting_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", "redis://:pw@10.0.0.5:6379/1")
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    assert redis_url(settings) == "redis://:pw@10.0.0.5:6379/1"
    apply_settings(settings)
    assert settings["SCHEDULER"] == "newscrawl.distributed.rediscrawl.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "newscrawl.distributed.rediscrawl.DupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    # scrapy-redis builds the scheduler's client: it must ride out outages too
    guarded = "newscrawl.distributed.redisstore.GuardedRedis"
    assert settings.getdict("REDIS_PARAMS")["redis_cls"] == guarded
    extensions = settings.getdict("EXTENSIONS")
    assert "newscrawl.ops.lock.CrawlLock" not in extensions
    assert extensions["newscrawl.distributed.rediscrawl.Coordinator"] == 10
    worker = settings["NEWSCRAWL_WORKER_ID"]
    assert settings["NEWSCRAWL_DEFAULT_FEED"] == f"output/%(name)s/%(time)s.{worker}.jsonl"
    off = Settings({"NEWSCRAWL_REDIS_URL": ""})
    assert redis_url(off) is None, "an empty setting turns the variable off"
    assert mask_url("redis://:pw@10.0.0.5:6379/1") == "redis://:***@10.0.0.5:6379/1"


def test_feeds_are_written_without_a_buffer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from newscrawl.distributed.rediscrawl import LineFileFeedStorage

    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", "redis://127.0.0.1:1/0")
    bare = Settings()
    apply_settings(bare)
    line_storage = "newscrawl.distributed.rediscrawl.LineFileFeedStorage"
    assert bare.getdict("FEED_STORAGES")["file"] == line_storage
    chosen = Settings({"FEED_STORAGES": {"file": "somewhere.DurableStorage"}})
    apply_settings(chosen)
    assert chosen.getdict("FEED_STORAGES") == {"file": "somewhere.DurableStorage"}
    storage = LineFileFeedStorage(str(tmp_path / "sub" / "feed.jsonl"))
    stream = storage.open(None)  # type: ignore[arg-type]
    stream.write(b'{"url": "x"}\n')
    assert (tmp_path / "sub" / "feed.jsonl").read_bytes() == b'{"url": "x"}\n', "on disk at once"
    storage.store(stream)


def test_replaying_an_archive_stays_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """`scrapy reextract` (ReplayMiddleware) keeps its own store, even with the variable."""
    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", "redis://127.0.0.1:1/0")
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    replay = {"newscrawl.storage.warc.ReplayMiddleware": 1}
    settings.set("DOWNLOADER_MIDDLEWARES", replay, "cmdline")
    apply_settings(settings)
    assert redis_url(settings) is None
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"


# -- merge ---------------------------------------------------------------------------


def test_merge_keeps_the_first_record_of_each_url(tmp_path: Path) -> None:
    a, b, out = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "m.jsonl"
    a.write_text(
        json.dumps({"url": "https://www.x.com/1", "canonical_url": None, "v": "a1"}) + "\n"
        + json.dumps({"url": "https://x.com/2?utm_source=rss", "v": "a2"}) + "\n"
        + '{"url": "https://x.com/3", "v": "cut', "utf-8"
    )  # fmt: skip
    b.write_text(
        json.dumps({"url": "https://m.x.com/1/", "v": "b1"}) + "\n\n"
        + json.dumps({"url": "https://x.com/other", "canonical_url": "https://x.com/2",
                      "v": "b2"}) + "\n"
        + json.dumps({"url": "https://x.com/4", "v": "b4", "title": "عربي"}, ensure_ascii=False)
        + "\n", "utf-8",
    )  # fmt: skip
    with out.open("wb") as stream:
        result = merge([a, b], stream)
    assert [r["v"] for r in records(out)] == ["a1", "a2", "b4"]
    assert (result.written, result.duplicates, result.bad_lines) == (3, 2, 1)
    assert "عربي" in out.read_text("utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "merge", str(b), str(a), "-O", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [r["v"] for r in records(out)] == ["b1", "b2", "b4"]
    assert "merged 3 records from 2 feeds" in done.stderr


# -- roles, lock, small crawls -------------------------------------------------------


def test_one_distributed_process_crawls_like_a_local_one(
    redis_db: str, site: tuple[Path, list[str]], fast_server: SiteServer, tmp_path: Path
) -> None:
    feed = tmp_path / "all.jsonl"
    assert finish(scrapy_crawl(redis_db, fast_server.origin, feed, idle=1)) == 0, log_of(feed)
    assert sorted(keys_of(feed)) == sorted(url_key("https://www.arabstoday.net" + p)
                                           for p in site[1])  # fmt: skip
    stats = report(feed)["stats"]
    assert stats["newscrawl/redis/role"] == "all"
    assert stats["newscrawl/redis/dupefilter_dropped"] > 0, "feed and listings repeat the sitemap"
    log = log_of(feed)
    password = str(redis.Redis.from_url(redis_db).connection_pool.connection_kwargs["password"])
    assert password not in log and password not in feed.with_name("all.report.json").read_text()
    assert mask_url(redis_db) in log
    r = client(redis_db)
    assert r.zcard(KEYS.queue) == 0 and not r.exists(KEYS.lock)
    assert r.hlen(KEYS.workers) == 0, "a worker that leaves unregisters"
    # The canonical URL and the URL fetched (on the test origin), as with SQLite.
    assert r.hlen("newscrawl:state:articles") == 120
    # Run 2: everything is known; the process that seeds starts a new run.
    again = tmp_path / "again.jsonl"
    assert finish(scrapy_crawl(redis_db, fast_server.origin, again, idle=1)) == 0, log_of(again)
    assert records(again) == []
    assert report(again)["exit_reason"] == "ok: nothing new"
    assert "New run #2" in log_of(again)


def test_seed_then_workers_and_a_second_seed_is_locked(
    redis_db: str, fast_server: SiteServer, tmp_path: Path
) -> None:
    r = client(redis_db)
    early = scrapy_crawl(redis_db, fast_server.origin, tmp_path / "w1.jsonl", "-a", "role=worker",
                         idle=6)  # fmt: skip  # starts before the seed: waits for work
    seed = tmp_path / "seed.jsonl"
    assert finish(scrapy_crawl(redis_db, fast_server.origin, seed, "-a", "role=seed")) == 0, log_of(
        seed
    )
    assert records(seed) == []
    seed_report = report(seed)
    assert seed_report["exit_reason"] == "ok: seeded 60 article requests to the shared queue"
    assert seed_report["stats"]["newscrawl/redis/seeded"] == 60
    late = scrapy_crawl(redis_db, fast_server.origin, tmp_path / "w2.jsonl", "-a", "role=worker")
    assert finish(early) == 0 and finish(late) == 0
    feeds = [tmp_path / "w1.jsonl", tmp_path / "w2.jsonl"]
    keys = keys_of(*feeds)
    assert len(keys) == 60 and len(set(keys)) == 60
    assert r.zcard(KEYS.queue) == 0
    # A seed while another holds the lock exits "locked" at once.
    r.set(KEYS.lock, json.dumps({"worker": "w-x", "role": "seed", "pid": 1, "since": "now"}))
    locked = tmp_path / "locked.jsonl"
    code = finish(scrapy_crawl(redis_db, fast_server.origin, locked, "-a", "role=seed"))
    assert code == exitcodes.LOCKED, log_of(locked)
    assert "Another arabstoday seed holds newscrawl:arabstoday:lock" in log_of(locked)


def test_an_article_the_sitemap_says_changed_is_refetched_by_a_worker(
    redis_db: str, site: tuple[Path, list[str]], fast_server: SiteServer, tmp_path: Path
) -> None:
    """The seed decides "refetch, it changed"; the worker that fetches must know it."""
    root, paths = site
    first = tmp_path / "run1.jsonl"
    assert finish(scrapy_crawl(redis_db, fast_server.origin, first, idle=1)) == 0, log_of(first)
    assert len(records(first)) == 60
    time.sleep(1.1)  # the edit is later than the fetch, at second precision
    page = root / (paths[4].lstrip("/") + ".html")
    page.write_text(page.read_text("utf-8").replace("<p>", "<p>Updated: ", 1), "utf-8")
    edited_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    sitemap = root / "sitemap.xml"
    sitemap.write_text(
        sitemap.read_text("utf-8").replace(
            f"{paths[4]}</loc>", f"{paths[4]}</loc><lastmod>{edited_at}</lastmod>"
        ),
        "utf-8",
    )
    seed = tmp_path / "seed2.jsonl"
    assert finish(scrapy_crawl(redis_db, fast_server.origin, seed, "-a", "role=seed")) == 0
    assert report(seed)["stats"]["newscrawl/redis/seeded"] == 1
    worker = tmp_path / "worker2.jsonl"
    code = finish(scrapy_crawl(redis_db, fast_server.origin, worker, "-a", "role=worker", idle=1))
    assert code == 0, log_of(worker)
    [updated] = records(worker)
    assert updated["body"].startswith("Updated: ")
    assert updated["modified"] == edited_at
    assert report(worker)["updated"] == 1


def test_a_dead_workers_requests_and_unconfirmed_claims_are_taken_over(
    redis_db: str, site: tuple[Path, list[str]], fast_server: SiteServer, tmp_path: Path
) -> None:
    """A worker that died with three requests in flight, one article of which had gone
    through its pipelines (claimed, remembered) but not into its feed."""
    from scrapy_redis import picklecompat

    from newscrawl.distributed.redisstore import RedisStore
    from newscrawl.pagekind import PageKind
    from newscrawl.sites.registry import site_spiders
    from newscrawl.spiders.base import ARTICLE_PRIORITY

    ArabsTodaySpider = site_spiders()["arabstoday"]

    spider = ArabsTodaySpider(base_url=fast_server.origin, edition="en")
    r = client(redis_db)
    urls = [fast_server.origin + path for path in site[1][:3]]
    for url in urls:
        request = spider._request(
            url, spider.parse_article, ARTICLE_PRIORITY, kind=PageKind.ARTICLE, entry=None
        )
        encoded = picklecompat.dumps(request.to_dict(spider=spider))
        r.zadd(KEYS.processing("ghost"), {encoded: -ARTICLE_PRIORITY})
    r.hset(KEYS.workers, "ghost", json.dumps({"role": "worker"}))  # no heartbeat: dead
    canonical = "https://www.arabstoday.net" + site[1][0]
    store = RedisStore(redis_db)
    store.bind(KEYS.claims, KEYS.pending("ghost"))
    assert store.claim(url_key(canonical))
    store.remember(url_key(canonical), canonical, b"f" * 16, None)
    store.close()

    feed = tmp_path / "heir.jsonl"
    assert finish(scrapy_crawl(redis_db, fast_server.origin, feed, "-a", "role=worker",
                               idle=1)) == 0, log_of(feed)  # fmt: skip
    assert sorted(keys_of(feed)) == sorted(url_key("https://www.arabstoday.net" + p)
                                           for p in site[1][:3])  # fmt: skip
    assert ("Worker ghost stopped beating: re-queued its 3 in-flight requests, released 1 "
            "unconfirmed articles") in log_of(feed)  # fmt: skip
    stats = report(feed)["stats"]
    assert stats["newscrawl/redis/recovered_requests"] == 3
    assert stats["newscrawl/redis/released_claims"] == 1
    assert not r.exists(KEYS.processing("ghost")) and not r.exists(KEYS.pending("ghost"))
    assert r.hkeys(KEYS.workers) == []


# -- sharing the queue: a worker holds no more than its per-domain limit ------------------


def test_a_worker_holds_no_more_requests_than_its_per_domain_limit(
    redis_db: str, tmp_path: Path
) -> None:
    """Scrapy's engine asks the scheduler for up to CONCURRENT_REQUESTS (16) requests;
    with CONCURRENT_REQUESTS_PER_DOMAIN=2 a worker that took 16 from a small shared queue
    would fetch 2 at a time and leave the other workers nothing to do."""
    root = tmp_path / "site"
    paths = generate_site(root, 24)
    server = start_site_server(root, delay=1.0, jitter=0.0)  # 2 at a time: 12 s alone
    try:
        seed = tmp_path / "seed.jsonl"
        seeded = finish(scrapy_crawl(redis_db, server.origin, seed, "-a", "role=seed"))
        assert seeded == 0, log_of(seed)
        r = client(redis_db)
        assert r.zcard(KEYS.queue) == 24
        names = ("bounded-1", "bounded-2")
        feeds = [tmp_path / f"{name}.jsonl" for name in names]
        workers = [
            scrapy_crawl(redis_db, server.origin, feed, "-a", "role=worker",
                         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "CONCURRENT_REQUESTS=16",
                         "-s", f"NEWSCRAWL_WORKER_ID={name}")
            for name, feed in zip(names, feeds, strict=True)
        ]  # fmt: skip
        held = dict.fromkeys(names, 0)  # the most requests each held in Redis at once
        deadline = time.monotonic() + 180
        while any(w.poll() is None for w in workers):
            assert time.monotonic() < deadline, [log_of(f)[-3000:] for f in feeds]
            for name in names:
                held[name] = max(held[name], int(r.zcard(KEYS.processing(name))))
            time.sleep(0.01)
        assert [w.returncode for w in workers] == [0, 0], [log_of(f)[-3000:] for f in feeds]
    finally:
        server.stop()
    assert all(0 < most <= 2 for most in held.values()), held
    emitted = [records(feed) for feed in feeds]
    assert all(emitted), "both workers got work"
    keys = keys_of(*feeds)
    assert sorted(keys) == sorted(url_key("https://www.arabstoday.net" + p) for p in paths)
    assert r.zcard(KEYS.queue) == 0 and not list(r.scan_iter(KEYS.processing("*")))


def _busy_and_judged(
    redis_db: str, tmp_path: Path, stall: float
) -> tuple[dict[str, Any], list[str], list[str]]:
    """A worker whose reactor is blocked for ``stall`` s after its second article, while
    another (started first, so that it is there to judge) drains the queue beside it.
    Heartbeat 1 s: dead after 3 s without a beat, stuck after 10 s without a turn.
    Returns the judge's stats, the article keys both emitted, and the site's."""
    root = tmp_path / "site"
    paths = generate_site(root, 60)
    server = start_site_server(root, delay=0.5, jitter=0.0)  # the judge alone: 30 s
    beat = ("-a", "role=worker", "-s", "NEWSCRAWL_REDIS_HEARTBEAT=1")
    try:
        seed = tmp_path / "seed.jsonl"
        seeded = finish(scrapy_crawl(redis_db, server.origin, seed, "-a", "role=seed"))
        assert seeded == 0, log_of(seed)
        r = client(redis_db)
        judge, busy = tmp_path / "judge.jsonl", tmp_path / "busy.jsonl"
        judging = scrapy_crawl(redis_db, server.origin, judge, *beat,
                               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")  # fmt: skip
        deadline = time.monotonic() + 120
        while not r.hlen(KEYS.workers):
            assert judging.poll() is None and time.monotonic() < deadline, log_of(judge)
            time.sleep(0.05)
        stalling = scrapy_crawl(redis_db, server.origin, busy, *beat,
                                "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                                "-s", "STATS_CLASS=tests.stall_stats.StallingStats",
                                "-s", f"TEST_STALL_SECONDS={stall}")  # fmt: skip
        codes = [finish(judging, 240), finish(stalling, 240)]
        assert codes == [0, 0], [log_of(judge)[-3000:], log_of(busy)[-3000:]]
    finally:
        server.stop()
    stalled = report(busy)["stats"].get("newscrawl/test/stalled_seconds")
    assert stalled == stall, "the busy worker got work and stalled"
    expected = [url_key("https://www.arabstoday.net" + p) for p in paths]
    return report(judge)["stats"], keys_of(judge, busy), expected


def test_a_worker_busy_for_seconds_is_not_taken_for_dead(redis_db: str, tmp_path: Path) -> None:
    """Its heartbeat comes from a thread: a reactor blocked by CPU work for more than
    three beats (eight workers on two cores loading the language model at their first
    page) no longer gets its in-flight requests fetched again, its claims released."""
    judge, emitted, expected = _busy_and_judged(redis_db, tmp_path, stall=6.0)
    assert "newscrawl/redis/dead_workers" not in judge, judge
    assert sorted(emitted) == sorted(expected), "every article once"


def test_a_worker_stuck_for_ten_beats_is_taken_over(redis_db: str, tmp_path: Path) -> None:
    """A reactor that has not turned for STUCK_BEATS heartbeats is stuck (a regex that
    never ends): the thread stops beating and the other worker takes its work over."""
    judge, emitted, expected = _busy_and_judged(redis_db, tmp_path, stall=16.0)
    assert judge["newscrawl/redis/dead_workers"] == 1, judge
    assert judge["newscrawl/redis/recovered_requests"] >= 1, judge
    assert set(emitted) == set(expected), "every article"


# -- the end-to-end test: 1,200 articles, 3 workers, one SIGKILLed halfway ----------------


def test_three_workers_one_killed_halfway_every_article_exactly_once(
    redis_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "site"
    paths = generate_site(root, 1200)
    server = start_site_server(root, delay=0.03, jitter=0.01)
    try:
        seed = tmp_path / "seed.jsonl"
        assert finish(scrapy_crawl(redis_db, server.origin, seed, "-a", "role=seed")) == 0, log_of(
            seed
        )
        r = client(redis_db)
        assert r.zcard(KEYS.queue) == 1200
        feeds = [tmp_path / f"worker{n}.jsonl" for n in range(3)]
        workers = [scrapy_crawl(redis_db, server.origin, feed, "-a", "role=worker")
                   for feed in feeds]  # fmt: skip
        victim = workers[0]
        deadline = time.monotonic() + 90
        while r.zcard(KEYS.queue) > 600:  # halfway through the queue
            assert time.monotonic() < deadline, "the workers made no progress"
            assert all(w.poll() is None for w in workers), [log_of(f)[-3000:] for f in feeds]
            time.sleep(0.05)
        in_flight = sum(r.zcard(k) for k in r.scan_iter(KEYS.processing("*")))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed_with = len(records(feeds[0]))
        codes = [finish(w) for w in workers[1:]]
        assert codes == [0, 0], [log_of(f)[-3000:] for f in feeds[1:]]
    finally:
        server.stop()

    all_keys = keys_of(*feeds)
    counts = Counter(all_keys)
    expected = {url_key("https://www.arabstoday.net" + p) for p in paths}
    assert set(counts) == expected, "every article was emitted"
    twice = [k for k, n in counts.items() if n > 1]
    # Only a kill between a record's write and its confirmation (microseconds) can
    # give a duplicate; `scrapy merge` removes it.
    assert len(twice) <= 1, twice
    merged = tmp_path / "merged.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "merge", *map(str, feeds), "-O", str(merged)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    merged_keys = keys_of(merged)
    assert len(merged_keys) == len(set(merged_keys)) == 1200, "every article exactly once"
    assert set(merged_keys) == expected

    survivors = [report(f)["stats"] for f in feeds[1:]]
    assert sum(s.get("newscrawl/redis/dead_workers", 0) for s in survivors) == 1
    recovered = sum(s.get("newscrawl/redis/recovered_requests", 0) for s in survivors)
    assert recovered >= 1, f"the victim had requests in flight ({in_flight} in all at the kill)"
    assert killed_with > 0, "the victim had emitted articles before it was killed"
    r = client(redis_db)
    assert r.zcard(KEYS.queue) == 0 and r.hlen(KEYS.workers) == 0
    assert not list(r.scan_iter(KEYS.processing("*")))
    assert not list(r.scan_iter(KEYS.pending("*")))
    assert r.scard(KEYS.claims) == 1200


def test_a_worker_that_waited_for_the_seed_gets_its_idle_timeout_again_after_working(
    redis_db: str,
) -> None:
    """The idle clock counts time with nothing to do. A worker started before the seed
    idles (its clock starts), then fetches what the seed queued for longer than its
    NEWSCRAWL_REDIS_IDLE_TIMEOUT: when the queue drains it waits the whole timeout again
    (more may come) instead of leaving at once on a clock started before the seed."""
    crawler = get_crawler(Spider, {"NEWSCRAWL_REDIS_URL": redis_db,
                                   "NEWSCRAWL_REDIS_IDLE_TIMEOUT": 1,
                                   "NEWSCRAWL_WORKER_ID": "early"})  # fmt: skip
    spider = Spider("arabstoday")
    try:
        coordinator = Coordinator.from_crawler(crawler)
        coordinator.role, coordinator.keys = "worker", keys_for(crawler.settings, spider.name)
        coordinator._scheduler = lambda: None  # type: ignore[method-assign]  # no engine here
        with pytest.raises(DontCloseSpider):
            coordinator.spider_idle(spider)  # nothing queued yet: waits for the seed
        for n in range(3):  # the seed's articles, fetched here
            request = Request(f"https://www.arabstoday.net/en/news/{n}/x")
            crawler.signals.send_catch_log(
                signals.request_reached_downloader, request=request, spider=spider
            )
        time.sleep(1.2)  # fetching took longer than the idle timeout
        with pytest.raises(DontCloseSpider):
            coordinator.spider_idle(spider)  # the queue drained: the clock starts now
        time.sleep(1.2)
        coordinator.spider_idle(spider)  # a whole timeout with nothing to do: it leaves
    finally:
        OUTAGE.disarm()
