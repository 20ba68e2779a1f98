"""Memory as a crawl grows: RSS of one arabstoday crawl at 10k, 50k and 100k pages.

    python bench/scale.py [--marks 10000 50000 100000] [--inflight 0 2000]

A local site of ``max(marks)`` article pages (bench/crawl.py's generator: realistic
markup, ~25 KB a page, one sitemap) is served by Twisted's static server in its own
process; one full crawl (extraction, clean/validate/deduplicate pipelines, feed, state
store) runs in another. When the crawl has received each mark's number of responses it
notes its resident set size (VmRSS), so the figures of every mark come from one run.
Printed: RSS at each mark and its ratio to the first (the goal: RSS(100k)/RSS(10k) <=
1.1), pages/s, and the peak RSS (ru_maxrss). ``--trace`` (tracemalloc, slow) also
prints, at each mark after the first, the 10 source lines whose allocations grew most
since the first: what grows with the crawl.

``--inflight`` crawls the same site once per value of NEWSCRAWL_DISCOVERY_INFLIGHT (0:
discovery unbounded, the whole sitemap in Scrapy's queue at once, the baseline) and
prints each one's RSS as a ratio of the first's at the same mark.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.crawl import bench_settings, generate_site  # noqa: E402  (one site, one setup)
from tests.localservers import free_port  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def crawl(origin: str, out: Path, marks: list[int], inflight: str, trace: bool = False) -> None:
    """The crawl, in this (child) process: RSS noted at each mark into ``out``.marks.json."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from newscrawl.sites.registry import site_spiders

    settings = bench_settings(out, "auto")
    settings.set("NEWSCRAWL_DISCOVERY_INFLIGHT", int(inflight), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(site_spiders()["arabstoday"])
    noted: dict[int, float] = {}
    count = [0]
    started = time.perf_counter()

    snapshots: list[tracemalloc.Snapshot] = []
    if trace:
        tracemalloc.start()

    def received(**_: Any) -> None:
        count[0] += 1
        if count[0] in marks:
            noted[count[0]] = rss_mb()
            print(f"  {count[0]:>7,} pages: RSS {noted[count[0]]:.0f} MB", flush=True)
            if trace:
                traced = tracemalloc.get_traced_memory()[0] / 2**20
                print(f"    Python allocations traced: {traced:.0f} MB", flush=True)
                snapshots.append(tracemalloc.take_snapshot())
                if len(snapshots) > 1:
                    for stat in snapshots[-1].compare_to(snapshots[0], "lineno")[:10]:
                        print(f"    {stat}", flush=True)

    crawler.signals.connect(received, signal=signals.response_received)
    process.crawl(crawler, base_url=origin, edition="en")
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    result = {
        "marks": noted,
        "pages": count[0],
        "seconds": time.perf_counter() - started,
        "items": stats.get("item_scraped_count", 0),
    }
    out.with_suffix(".marks.json").write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--trace", action="store_true", help="tracemalloc: what grows")
    parser.add_argument(
        "--inflight", nargs="+", default=["0", "2000"], help="NEWSCRAWL_DISCOVERY_INFLIGHT "
        "of each crawl, the first the baseline (0: unbounded)",
    )  # fmt: skip
    args = parser.parse_args()
    marks = sorted(args.marks)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp) / "site"
        started = time.perf_counter()
        generate_site(root, marks[-1])
        print(f"site of {marks[-1]:,} pages generated in {time.perf_counter() - started:.0f} s")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, str(PROJECT / "bench" / "crawl.py"), "--serve", str(root), str(port)]
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            for inflight in args.inflight:
                print(f"-- NEWSCRAWL_DISCOVERY_INFLIGHT={inflight}", flush=True)
                out = Path(tmp) / f"full-{inflight}.jsonl"
                child = subprocess.Popen(
                    [sys.executable, __file__, "--crawl" + ("-trace" if args.trace else ""),
                     f"http://127.0.0.1:{port}", str(out), inflight, *map(str, marks)]
                )  # fmt: skip
                _, status, usage = os.wait4(child.pid, 0)
                if os.waitstatus_to_exitcode(status):
                    raise SystemExit(f"the crawl failed: {os.waitstatus_to_exitcode(status)}")
                results[inflight] = json.loads(out.with_suffix(".marks.json").read_text())
                results[inflight]["peak"] = usage.ru_maxrss / 1024  # KiB on Linux
        finally:
            server.terminate()
            server.wait()
    baseline = {int(m): rss for m, rss in results[args.inflight[0]]["marks"].items()}
    for inflight, result in results.items():
        noted = {int(mark): rss for mark, rss in result["marks"].items()}
        first = noted[min(noted)]
        print(f"NEWSCRAWL_DISCOVERY_INFLIGHT={inflight}:")
        for mark, rss in sorted(noted.items()):
            print(f"{mark:>7,} pages: RSS {rss:.0f} MB, x{rss / first:.2f} of {min(noted):,}, "
                  f"x{rss / baseline[mark]:.2f} of inflight={args.inflight[0]}")  # fmt: skip
        print(
            f"  {result['pages']:,} pages, {result['items']:,} items, "
            f"{result['pages'] / result['seconds']:.0f} pages/s; peak RSS {result['peak']:.0f} MB"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1].startswith("--crawl"):
        marks = [int(m) for m in sys.argv[5:]]
        crawl(sys.argv[2], Path(sys.argv[3]), marks, sys.argv[4], sys.argv[1] == "--crawl-trace")
    else:
        main()
