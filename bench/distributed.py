"""Distributed crawl throughput: the same site crawled by 1, 2 and 4 workers.

    python bench/distributed.py [--size 1000] [--workers 1 2 4] [--delay 0.15]

A site of ``--size`` small article pages (tests.localservers.generate_site) is
served by a Twisted server that answers each request after 100-200 ms (``--delay``
0.15 +- ``--jitter`` 0.05) without blocking the others: a slow news site, where a
crawler's politeness (4 requests at a time per worker, as the project's
``CONCURRENT_REQUESTS_PER_DOMAIN``) and not the CPU is the limit. The limit is set
with ``CONCURRENT_REQUESTS`` too: with ``DOWNLOAD_DELAY=0`` Scrapy 2.19.0's
downloader does not hold a slot to its per-domain concurrency (it starts every
queued request of the slot at once when one finishes), the engine's global limit
holds. A throwaway redis-server is started on 127.0.0.1.

For each worker count: the Redis database is emptied, one ``-a role=seed`` process
queues every article (timed apart), then N ``-a role=worker`` processes are started
together. The crawl time is from their start until the shared queue and every
worker's in-flight set are empty (process start-up included, the idle wait before
workers leave excluded); articles/s is the articles over that time. "steady/s" is
the rate between 10% and 90% of the articles emitted (no start-up, no tail). Speed-ups
are over one worker; "wall s" is until the last worker exited.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from newscrawl.distributed.config import Keys  # noqa: E402
from tests.localservers import (  # noqa: E402
    generate_site,
    start_redis_server,
    start_site_server,
)

KEYS = Keys("newscrawl", "arabstoday")


def crawl(
    role: str, origin: str, url: str, feed: Path, concurrency: int
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-a", f"role={role}",
         "-a", f"base_url={origin}", "-a", "edition=en", "-O", str(feed),
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
         "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
         "-s", f"CONCURRENT_REQUESTS={concurrency}",
         "-s", "NEWSCRAWL_REDIS_HEARTBEAT=1", "-s", "NEWSCRAWL_REDIS_IDLE_TIMEOUT=2",
         "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "-s", "LOG_LEVEL=WARNING"],
        cwd=PROJECT, env=dict(os.environ, NEWSCRAWL_REDIS_URL=url),
        stdout=subprocess.DEVNULL, stderr=feed.with_suffix(".log").open("wb"),
    )  # fmt: skip


def lines(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines() if line.strip())


def run(workers: int, origin: str, url: str, workdir: Path, concurrency: int) -> dict[str, Any]:
    r = redis.Redis.from_url(url)
    r.flushdb()
    started = time.monotonic()
    seed = crawl("seed", origin, url, workdir / f"seed-{workers}.jsonl", concurrency)
    if seed.wait() != 0:
        raise SystemExit(f"seed failed: {(workdir / f'seed-{workers}.log').read_text()[-2000:]}")
    seed_s = time.monotonic() - started
    queued = int(r.zcard(KEYS.queue))
    feeds = [workdir / f"w{workers}-{n}.jsonl" for n in range(workers)]
    started = time.monotonic()
    processes = [crawl("worker", origin, url, feed, concurrency) for feed in feeds]
    drained = None
    marks: dict[int, float] = {}  # share of the articles emitted (10, 90) -> when
    while any(p.poll() is None for p in processes):
        now = time.monotonic() - started
        emitted = int(r.scard(KEYS.claims))
        for share in (10, 90):
            if share not in marks and emitted >= queued * share / 100:
                marks[share] = now
        if drained is None and r.zcard(KEYS.queue) == 0:
            in_flight = sum(int(r.zcard(k)) for k in r.scan_iter(KEYS.processing("*")))
            if in_flight == 0:
                drained = now
        time.sleep(0.02)
    wall = time.monotonic() - started
    codes = [p.returncode for p in processes]
    if any(codes):
        raise SystemExit(f"a worker failed: exit codes {codes}")
    articles = sum(lines(feed) for feed in feeds)
    crawl_s = drained if drained is not None else wall
    steady = 0.8 * queued / (marks[90] - marks[10]) if len(marks) == 2 else float("nan")
    return {"workers": workers, "queued": queued, "articles": articles, "seed_s": seed_s,
            "crawl_s": crawl_s, "wall_s": wall, "rate": articles / crawl_s,
            "steady_rate": steady}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--delay", type=float, default=0.15)
    parser.add_argument("--jitter", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=4, help="per worker and site")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as tmp:
        workdir = Path(tmp)
        generate_site(workdir / "site", args.size)
        server = start_site_server(workdir / "site", args.delay, args.jitter)
        redis_server = start_redis_server(workdir / "redis", password="bench")
        try:
            print(f"site: {args.size} articles, {args.delay * 1000:.0f} +- "
                  f"{args.jitter * 1000:.0f} ms per response; {args.concurrency} concurrent "
                  f"requests per worker; {os.cpu_count()} cores")  # fmt: skip
            print(f"{'workers':>7} {'articles':>8} {'seed s':>7} {'crawl s':>8} "
                  f"{'articles/s':>10} {'speed-up':>8} {'steady/s':>9} {'speed-up':>8} "
                  f"{'wall s':>7}")  # fmt: skip
            base: dict[str, float] = {}
            results = []
            for count in args.workers:
                result = run(count, server.origin, redis_server.url(), workdir, args.concurrency)
                base = base or {"rate": result["rate"], "steady": result["steady_rate"]}
                result["speedup"] = result["rate"] / base["rate"]
                result["steady_speedup"] = result["steady_rate"] / base["steady"]
                results.append(result)
                print(f"{count:>7} {result['articles']:>8} {result['seed_s']:>7.1f} "
                      f"{result['crawl_s']:>8.1f} {result['rate']:>10.1f} "
                      f"{result['speedup']:>7.2f}x {result['steady_rate']:>9.1f} "
                      f"{result['steady_speedup']:>7.2f}x {result['wall_s']:>7.1f}",
                      flush=True)  # fmt: skip
            print(json.dumps(results))
        finally:
            redis_server.stop()
            server.stop()


if __name__ == "__main__":
    main()
