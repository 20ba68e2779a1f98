"""Crawl throughput: full arabstoday extraction + pipelines against a bare crawl.

    python bench/crawl.py [--sizes 1000 4000] [--workers N] [--profile] [--profile-crawl [TOP]]

For each site size, a site of that many article pages (realistic markup with a
ticker, related list, share bar and footer, ~25 KB each) is generated into a temp
folder and served by Twisted's static server in its own process. The arabstoday
spider crawls it three times, each run in its own process, with the same discovery
(robots.txt -> sitemap) and the same settings:

* bare: the article callback only yields ``{"url": response.url}``, no pipelines;
* full, pool off: the real extraction (in the crawl process, on the reactor thread)
  and the clean/validate/deduplicate pipelines (``NEWSCRAWL_EXTRACT_WORKERS=0``);
* full, pool on: the same with extraction in worker processes (``--workers``,
  default the project's ``auto``: the free cores).

Printed: pages/s of each, the full/bare ratios (same run), the peak RSS of each
crawl (the crawl process and, with the pool, its workers: summed, sampled every
0.2 s from outside the crawl), and the CPU the crawl process itself spent per page
between spider open and close (all its threads, not the workers: what is left on
the reactor's side; less sensitive to a loaded machine than pages/s). ``--profile``
also prints the cProfile top 10 (cumulative) of one page's extraction path as the
crawl process runs it: in process (pool off: the whole decision) and with the pool
(what is left to the crawl process: the job pickled out, the record unpickled back;
the worker decides). ``--profile-crawl [TOP]`` instead runs the two full crawls
with the crawl process under cProfile (CPU time of its reactor thread; the pool's
own threads are not in it) and prints their top functions by cumulative and by own
time. Politeness delays are off (local server); everything else is the project's
settings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # the test servers live in tests/, outside the package

from tests.localservers import free_port  # noqa: E402

if TYPE_CHECKING:
    from scrapy.settings import Settings

WORDS = (
    "the minister said government council security economy agreement talks region city "
    "officials report ministry week people border forces aid water power prices market "
    "parliament election court decision plan project support crisis meeting president"
).split()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def article_html(rng: random.Random, i: int) -> str:
    paragraphs = "".join(
        f"<p>{' '.join(sentence(rng, rng.randint(12, 28)) for _ in range(rng.randint(2, 5)))}</p>"
        for _ in range(rng.randint(5, 12))
    )
    ticker = "".join(
        f'<li><a href="/en/news/{rng.randint(1, 10**6):07d}/x">{sentence(rng, 8)}</a>'
        f"<span>GMT 08:5{j} 2017 Sunday ,17 December</span></li>"
        for j in range(8)
    )
    related = "".join(
        f'<li><a href="/en/news/{rng.randint(1, 10**6):07d}/y">{sentence(rng, 9)}</a></li>'
        for _ in range(10)
    )
    nav = "".join(f'<a href="/en/section{j}">Section {j}</a>' for j in range(30))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{sentence(rng, 8)} | Arabs Today</title>
<link rel="canonical" href="https://www.arabstoday.net/en/news/{i:07d}/story">
<meta property="og:title" content="Story {i}: {sentence(rng, 6)}">
<meta property="og:image" content="/img/{i}.jpg">
<meta property="article:published_time" content="2024-01-01T10:00:00+03:00">
<script>var a = {"x" * 2000!r};</script><style>body {{ color: red; }}</style>
</head><body><div class="header">{nav}</div>
<div class="article-details"><h1>Story {i}</h1><span class="author">By Sara Haddad</span>
<div class="news-ticker"><ul>{ticker}</ul></div>
<div class="article-body">{paragraphs}</div>
<div class="share-tools">Share Facebook Twitter WhatsApp</div>
<div class="related-articles"><h3>Related News</h3><ul>{related}</ul></div></div>
<div class="footer"><p>Maintained and developed by Arabs Today Group SAL.</p>
<p>All rights reserved to Arab Today Media Group 2023 ©</p></div></body></html>"""


def generate_site(root: Path, size: int) -> None:
    rng = random.Random(size)
    urls = []
    for i in range(size):
        path = root / "en" / "news" / f"{i:07d}" / "story"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_html(rng, i), "utf-8")
        urls.append(f"https://www.arabstoday.net/en/news/{i:07d}/story")
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    (root / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + locs + "</urlset>"
    )
    (root / "robots.txt").write_text(
        "User-agent: *\nSitemap: https://www.arabstoday.net/sitemap.xml\n"
    )


def serve(root: Path, port: int) -> None:
    from twisted.internet import reactor
    from twisted.web.server import Site
    from twisted.web.static import File

    resource_root = File(str(root), defaultType="text/html")
    reactor.listenTCP(port, Site(resource_root), interface="127.0.0.1")  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]


def tree_rss_mb(root: int) -> float:
    """RSS of process ``root`` and all its descendants (the pool's fork server and workers)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    pages = 0
    for pid in family:
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_settings(out: Path, workers: str) -> Settings:
    """The project's settings for a benchmark crawl of the local site (this script's and
    bench/scale.py's): politeness off, 32 requests at once, the feed ``out`` with its
    state store beside it, ``workers`` extraction workers."""
    from scrapy.utils.project import get_project_settings

    os.chdir(PROJECT)
    settings = get_project_settings()
    settings.setdict(
        {
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS": 32,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
            "LOG_LEVEL": "WARNING",
            "FEEDS": {str(out): {"format": "jsonlines", "encoding": "utf8"}},
            "NEWSCRAWL_STATE_PATH": str(out.with_suffix(".state.sqlite3")),
            "NEWSCRAWL_EXTRACT_WORKERS": workers,
        },
        priority="cmdline",
    )
    return settings


def crawl(mode: str, origin: str, out: Path, workers: str) -> None:
    from scrapy.crawler import CrawlerProcess

    from newscrawl.sites.registry import site_spiders

    ArabsTodaySpider = site_spiders()["arabstoday"]

    class BareSpider(ArabsTodaySpider):
        name = "arabstoday_bare"

        def parse_article(self, response: Any, entry: Any = None) -> Iterator[dict[str, str]]:
            yield {"url": response.url}

    settings = bench_settings(out, workers)
    if mode == "bare":
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider if mode == "bare" else ArabsTodaySpider)
    cpu: dict[str, float] = {}

    def cpu_now(key: str) -> None:  # this process, all its threads: the reactor's side
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu[key] = usage.ru_utime + usage.ru_stime

    from scrapy import signals

    for signal, key in ((signals.spider_opened, "opened"), (signals.spider_closed, "closed")):
        crawler.signals.connect(lambda spider, key=key: cpu_now(key), signal=signal, weak=False)
    process.crawl(crawler, base_url=origin, edition="en")
    profile_to = os.environ.get("NEWSCRAWL_BENCH_PROFILE")
    if profile_to:  # --profile-crawl: the whole crawl process's reactor thread
        import cProfile

        # CPU time of the reactor thread: not the time it waited for the GIL or a core.
        profiler = cProfile.Profile(time.thread_time)
        profiler.runcall(process.start)
        profiler.dump_stats(profile_to)
    else:
        process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    elapsed = (stats["finish_time"] - stats["start_time"]).total_seconds()
    result = {"pages": stats.get("response_received_count", 0), "seconds": elapsed,
              "items": stats.get("item_scraped_count", 0),
              "crawl_cpu_s": cpu["closed"] - cpu["opened"]}  # fmt: skip
    out.with_suffix(".stats.json").write_text(json.dumps(result))


def run_crawl(
    mode: str, origin: str, workdir: Path, workers: str, profile: Path | None = None
) -> dict[str, Any]:
    out = workdir / f"{mode}-{workers}.jsonl"
    command = [sys.executable, __file__, "--crawl", mode, origin, str(out), workers]
    env = {**os.environ, "NEWSCRAWL_BENCH_PROFILE": str(profile)} if profile else None
    proc = subprocess.Popen(command, env=env)
    # Sampled from here, not in the crawl: reading /proc five times a second is CPU
    # the crawl process's own figures (crawl CPU ms/page) must not include.
    peak = 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.2)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{mode} crawl failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(out.with_suffix(".stats.json").read_text())
    result["pages_per_s"] = result["pages"] / result["seconds"]
    result["peak_rss_mb"] = max(usage.ru_maxrss / 1024, peak)  # KiB on Linux
    return result


def bench(size: int, workers: str, profile: int = 0) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        generate_site(root, size)
        port = free_port()
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(root), str(port)])
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            origin = f"http://127.0.0.1:{port}"
            runs = (("bare", "bare", "0"), ("full, pool off", "full", "0"),
                    ("full, pool on", "full", workers))  # fmt: skip
            if not profile:
                return {label: run_crawl(mode, origin, Path(tmp), w) for label, mode, w in runs}
            results = {}
            for label, mode, w in runs[1:]:  # the full crawls, each under cProfile
                stats_file = Path(tmp) / f"{mode}-{w}.prof"
                results[label] = run_crawl(mode, origin, Path(tmp), w, stats_file)
                print_profile(label, stats_file, results[label]["pages"], profile)
            return results
        finally:
            server.terminate()
            server.wait()


def profile_page(top: int = 10, pages: int = 200) -> None:
    """cProfile of one page's extraction path in the crawl process, pool off and on."""
    import cProfile
    import pickle
    import pstats

    from newscrawl.extraction.decide import decide
    from newscrawl.extraction.pool import Job, run_job, spec_blob
    from newscrawl.sites.registry import site_specs

    spec = site_specs()["arabstoday"]
    url = "http://127.0.0.1/en/news/0000001/story"
    body = article_html(random.Random(1), 1).encode("utf-8")
    job = Job(body, url, "utf-8", spec_blob(spec), True)
    record = run_job(job)

    def in_process() -> None:  # pool off: NewsSpider.extract(response.text, url)
        for _ in range(pages):
            decide(body.decode("utf-8"), url, spec, fallback=True)

    def with_pool() -> None:  # pool on: the job out, the record back (the worker decides)
        for _ in range(pages):
            pickle.loads(pickle.dumps(job, pickle.HIGHEST_PROTOCOL))
            pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))

    for label, work in (("pool off (in process)", in_process), ("pool on (crawl side)", with_pool)):
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.runcall(work)
        per_page = (time.perf_counter() - start) / pages * 1000
        print(f"\n-- profile, {label}: {per_page:.3f} ms per page in the crawl process "
              f"(under cProfile, {pages} pages) --")  # fmt: skip
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def print_profile(label: str, stats_file: Path, pages: int, top: int) -> None:
    """Top functions of a crawl process's reactor thread, cumulative and own time."""
    import pstats

    for order in ("cumulative", "tottime"):
        print(f"\n-- crawl process, {label}: {pages} pages, top {top} by {order} --")
        stats = pstats.Stats(str(stats_file))
        stats.sort_stats(order).print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--workers", default="auto", help="pool size for the pool-on run")
    parser.add_argument("--profile", action="store_true", help="profile one page's path")
    parser.add_argument(
        "--profile-crawl", type=int, nargs="?", const=10, default=0, metavar="TOP",
        help="profile the crawl process of the full crawls (pool off, on) instead of "
        "timing them; print the top TOP (10) functions",
    )  # fmt: skip
    args = parser.parse_args()
    from newscrawl.extraction.pool import default_workers

    workers = str(default_workers()) if args.workers == "auto" else args.workers
    if args.profile_crawl:
        for size in args.sizes:
            bench(size, workers, profile=args.profile_crawl)
        return
    print(f"{'pages':>6} {'mode':>15} {'workers':>7} {'pages/s':>8} {'items':>6} "
          f"{'peak RSS MB':>12} {'crawl CPU ms/page':>18}")  # fmt: skip
    for size in args.sizes:
        results = bench(size, workers)
        for label, r in results.items():
            used = workers if label.endswith("on") else "0"
            cpu_ms = r["crawl_cpu_s"] / max(r["pages"], 1) * 1000
            print(f"{size:>6} {label:>15} {used:>7} {r['pages_per_s']:>8.1f} {r['items']:>6} "
                  f"{r['peak_rss_mb']:>12.1f} {cpu_ms:>18.2f}")  # fmt: skip
        bare = results["bare"]["pages_per_s"]
        for label in ("full, pool off", "full, pool on"):
            ratio = results[label]["pages_per_s"] / bare
            print(f"{size:>6} {label} / bare pages/s: {ratio:.2f} (goal >= 0.80)")
    print(f"cores: {os.cpu_count()}, usable: {len(os.sched_getaffinity(0))}, "
          f"load average: {os.getloadavg()[0]:.1f}")  # fmt: skip
    if args.profile:
        profile_page()


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) >= 2 and sys.argv[1] == "--crawl":
        crawl(sys.argv[2], sys.argv[3], Path(sys.argv[4]), sys.argv[5])
    else:
        main()
