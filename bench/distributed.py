"""Distributed crawl speed-up: one queue of articles drained by 1, 2, 4 and 8 workers.

    python bench/distributed.py [--size 400] [--workers 1 2 4 8] [--delay 0.3]

A site of small article pages (tests.localservers.generate_site) is served by a
Twisted server that answers each request after 200-400 ms (``--delay`` 0.3 +-
``--jitter`` 0.1) without blocking the others: a slow news site, where a worker's
politeness (``--concurrency`` 2 requests at a time per site, as
``CONCURRENT_REQUESTS_PER_DOMAIN``; ``CONCURRENT_REQUESTS`` stays the project's 16)
and not the CPU is the limit. Few pages per second per worker, so that eight Scrapy
processes on a small machine still wait on the network rather than on each other. A
throwaway redis-server is started on 127.0.0.1.

For each worker count, on an emptied Redis database: N ``-a role=worker`` processes
are started ("start s": until every one has registered in Redis); a first
``-a role=seed`` run, whose sitemap lists only the articles the feed and the section
pages link, warms them up (each worker's first pages load the language model and
the extraction code: seconds of CPU per process, not what a running fleet pays);
then the sitemap lists every article and a second seed queues the ``--size`` new
ones. "drain s" is from the first of those queued until every one is emitted and
nothing is queued or in flight: a running fleet draining a queue, the same pages for
every N. articles/s is the articles over that time; "steady/s" the rate between 10%
and 90% of them emitted (no ramp-up, no tail). Speed-ups are over one worker in the
same run. "wall s" is from the workers' start until the last one left (start-up,
warm-up, the seeds and the idle wait before workers leave included).
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
    ORIGIN,
    generate_site,
    start_redis_server,
    start_site_server,
)

KEYS = Keys("newscrawl", "arabstoday")
WARM_UP = 80  # generate_site links 80 articles from its feed and section pages
# Workers wait for the seed this long; it bounds their start-up spread too.
IDLE_TIMEOUT = 40


def crawl(
    role: str, origin: str, url: str, feed: Path, concurrency: int
) -> subprocess.Popen[bytes]:
    # Heartbeat 2 s (dead after 6 s of silence): with 1 s, eight processes starting
    # at once on two cores made live workers look dead.
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-a", f"role={role}",
         "-a", f"base_url={origin}", "-a", "edition=en", "-O", str(feed),
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
         "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
         "-s", "NEWSCRAWL_REDIS_HEARTBEAT=2", "-s", f"NEWSCRAWL_REDIS_IDLE_TIMEOUT={IDLE_TIMEOUT}",
         "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "-s", "LOG_LEVEL=WARNING"],
        cwd=PROJECT, env=dict(os.environ, NEWSCRAWL_REDIS_URL=url),
        stdout=subprocess.DEVNULL, stderr=feed.with_suffix(".log").open("wb"),
    )  # fmt: skip


def linked(site: Path) -> set[str]:
    """Article paths the site's feed and section pages link."""
    pages = [site / "en" / "rss.xml", *(site / "en").glob("*.html")]
    text = "".join(page.read_text("utf-8") for page in pages)
    return set(re.findall(r"/en/news/\d+/story", text))


def lines(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines() if line.strip())


def logs(workdir: Path) -> str:
    """The end of every process log that says something (the folder is deleted)."""
    return "\n".join(f"{log.name}: {log.read_text('utf-8', 'replace')[-1500:]}"
                     for log in sorted(workdir.glob("*.log")) if log.stat().st_size)  # fmt: skip


def in_flight(r: redis.Redis) -> int:
    return sum(int(r.zcard(key)) for key in r.scan_iter(KEYS.processing("*")))


def sitemap(root: Path, paths: list[str]) -> None:
    locs = "".join(f"<url><loc>{ORIGIN}{p}</loc></url>\n" for p in paths)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{locs}</urlset>\n',
        "utf-8",
    )


def seed_and_drain(
    r: redis.Redis, workers: list[subprocess.Popen[bytes]], feed: Path, origin: str, url: str,
    concurrency: int, expected: int,
) -> tuple[float, float, float]:  # fmt: skip
    """A seed run; waits until every article it queued (``expected``) is emitted.
    Returns when the first was queued, the seconds from 10% to 90% of them emitted,
    and when all were."""
    seed = crawl("seed", origin, url, feed, concurrency)
    first = None
    count: int | None = None  # articles the seed queued, once it is done
    marks: dict[int, float] = {}  # share of the articles emitted (10, 90) -> when
    while True:
        if any(p.poll() is not None for p in workers):
            raise SystemExit("a worker left early")
        now = time.monotonic()
        queued = int(r.zcard(KEYS.queue))
        if first is None and queued:
            first = now
        emitted = int(r.scard(KEYS.claims))
        if count is None and seed.poll() is not None:
            if seed.returncode:
                raise SystemExit(f"the seed failed: exit {seed.returncode}")
            report = json.loads(feed.with_name(feed.stem + ".report.json").read_text())
            count = int(report["stats"]["newscrawl/redis/seeded"])
            if count != expected:
                raise SystemExit(f"the seed queued {count}, not {expected}\n{logs(feed.parent)}")
        for share in (10, 90):  # once queued: till then the claims may be the last run's
            if first is not None and share not in marks and emitted >= expected * share / 100:
                marks[share] = now
        if count is not None and emitted >= count and queued == 0 and in_flight(r) == 0:
            assert first is not None
            return first, marks[90] - marks[10], now
        time.sleep(0.02)


def run(
    workers: int, site: Path, paths: list[str], warm: list[str], url: str, origin: str,
    workdir: Path, concurrency: int,
) -> dict[str, Any]:  # fmt: skip
    r = redis.Redis.from_url(url)
    r.flushdb()
    feeds = [workdir / f"w{workers}-{n}.jsonl" for n in range(workers)]
    started = time.monotonic()
    processes = [crawl("worker", origin, url, feed, concurrency) for feed in feeds]
    while int(r.hlen(KEYS.workers)) < workers:
        if any(p.poll() is not None for p in processes):
            raise SystemExit(f"a worker exited early\n{logs(workdir)}")
        time.sleep(0.05)
    ready = time.monotonic() - started
    sitemap(site, warm)
    seed_and_drain(
        r, processes, workdir / f"warm-{workers}.jsonl", origin, url, concurrency, len(warm)
    )
    warmed = int(r.scard(KEYS.claims))
    sitemap(site, paths)
    first, steady_s, drained = seed_and_drain(
        r, processes, workdir / f"seed-{workers}.jsonl", origin, url, concurrency,
        len(paths) - warmed,
    )  # fmt: skip
    timed = int(r.scard(KEYS.claims))  # the second seed started a new run: claims anew
    codes = [p.wait() for p in processes]
    wall = time.monotonic() - started
    if any(codes):
        raise SystemExit(f"a worker failed: exit codes {codes}\n{logs(workdir)}")
    articles = sum(lines(feed) for feed in feeds)
    if articles != len(paths) or warmed + timed != len(paths):
        raise SystemExit(f"{articles} of {len(paths)} articles emitted ({warmed} warm-up, "
                         f"{timed} timed)\n{logs(workdir)}")  # fmt: skip
    drain_s = drained - first
    return {"workers": workers, "articles": timed, "warm_up": warmed, "start_s": ready,
            "drain_s": drain_s, "wall_s": wall, "rate": timed / drain_s,
            "steady_rate": 0.8 * timed / steady_s}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=400)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--jitter", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=2, help="per worker and site")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as tmp:
        workdir = Path(tmp)
        site = workdir / "site"
        paths = generate_site(site, args.size + WARM_UP)
        # Articles the feed and the section pages link: found in the warm-up round.
        warm = sorted(set(paths) & linked(site))
        server = start_site_server(site, args.delay, args.jitter)
        redis_server = start_redis_server(workdir / "redis", password="bench")
        try:
            print(f"site: {len(paths) - len(warm)} articles timed after {len(warm)} warm-up ones, "
                  f"{args.delay * 1000:.0f} +- "
                  f"{args.jitter * 1000:.0f} ms per response; {args.concurrency} concurrent "
                  f"requests per worker; {os.cpu_count()} cores")  # fmt: skip
            print(f"{'workers':>7} {'articles':>8} {'start s':>7} {'drain s':>7} "
                  f"{'articles/s':>10} {'speed-up':>8} {'steady/s':>9} {'speed-up':>8} "
                  f"{'wall s':>7}")  # fmt: skip
            base: dict[str, float] = {}
            results = []
            for count in args.workers:
                result = run(count, site, paths, warm, redis_server.url(), server.origin,
                             workdir, args.concurrency)  # fmt: skip
                base = base or {"rate": result["rate"], "steady": result["steady_rate"]}
                result["speedup"] = result["rate"] / base["rate"]
                result["steady_speedup"] = result["steady_rate"] / base["steady"]
                results.append(result)
                print(f"{count:>7} {result['articles']:>8} {result['start_s']:>7.1f} "
                      f"{result['drain_s']:>7.1f} {result['rate']:>10.1f} "
                      f"{result['speedup']:>7.2f}x {result['steady_rate']:>9.1f} "
                      f"{result['steady_speedup']:>7.2f}x {result['wall_s']:>7.1f}",
                      flush=True)  # fmt: skip
            print(json.dumps(results))
        finally:
            redis_server.stop()
            server.stop()


if __name__ == "__main__":
    main()
