"""Bounded work: limit=N bounds discovery, big feeds and sitemaps are read streaming,
a refused feed or sitemap fails the run's verdict, and two spiders sharing one state
store never emit one article twice. Each case is a subprocess crawl against a site
served on 127.0.0.1 (tests/faultserver.py)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import zlib
from collections import Counter
from pathlib import Path

import pytest

from newscrawl import exitcodes
from newscrawl.fixtureserver import PROJECT_ROOT

from .crawlrun import FAST, crawl, path_of
from .faultserver import (
    REAL_ORIGIN,
    Article,
    FaultSite,
    Page,
    fault,
    make_article,
    serve,
    urlset,
)
from .test_faults import seed_state

DEFAULT_MAXSIZE = 10 * 1024 * 1024  # newscrawl/settings.py DOWNLOAD_MAXSIZE

CONFIG = Path(__file__).parent / "sites_config" / "arabstoday.toml"


# -- two spiders, one state store ------------------------------------------------------


class Rendezvous(FaultSite):
    """Answers an article only once both crawls asked for it: their records of it then
    reach the pipelines at the same moment, the race two spiders on one store run."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.arrived: Counter[str] = Counter()
        self.both = threading.Condition()

    def record(self, path: str, attempt: int, proxy_authorization: str | None) -> None:
        super().record(path, attempt, proxy_authorization)
        if path not in self.by_path:
            return
        with self.both:
            self.arrived[path] += 1
            self.both.notify_all()
            self.both.wait_for(lambda: self.arrived[path] >= 2, timeout=10)


def test_two_spiders_on_one_store_emit_each_article_once(tmp_path: Path) -> None:
    """`arabstoday` and a TOML declaration of the same site under another name crawl
    at the same time on one state store."""
    articles = [make_article(500_000 + i) for i in range(30)]
    site = Rendezvous(articles)
    config = tmp_path / "copy.toml"
    config.write_text(
        CONFIG.read_text("utf-8").replace('name = "arabstoday"', 'name = "arabstoday_copy"'),
        "utf-8",
    )
    state = tmp_path / "state.sqlite3"
    with serve(site) as origin:
        runs = []
        for spider, extra in (("arabstoday", ()), ("news", ("-a", f"config={config}"))):
            out = tmp_path / f"{spider}.jsonl"
            command = [
                sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(out),
                "-a", f"base_url={origin}", *FAST, "-s", f"NEWSCRAWL_STATE_PATH={state}",
                *extra,
            ]  # fmt: skip
            log = (tmp_path / f"{spider}.log").open("w")
            runs.append((out, log, subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=log)))
        codes = [process.wait(timeout=300) for _, _, process in runs]
        for _, log, _ in runs:
            log.close()
    logs = "".join((tmp_path / f"{s}.log").read_text() for s in ("arabstoday", "news"))
    assert codes == [0, 0], logs[-4000:]
    emitted: Counter[str] = Counter()
    for out, _, _ in runs:
        for line in out.read_text("utf-8").splitlines():
            emitted[path_of(json.loads(line))] += 1
    assert set(emitted) == {a.path for a in articles}
    assert [path for path, count in emitted.items() if count > 1] == []


def test_claims_are_released_with_their_run(tmp_path: Path) -> None:
    from newscrawl.storage.state import SQLiteStore

    path = tmp_path / "state.sqlite3"
    first, second = SQLiteStore(path), SQLiteStore(path)
    assert first.claim("k") and first.claim("k")
    assert not second.claim("k")  # held by a live run
    first.close()  # its run ended: its claims go
    assert second.claim("k")
    # A run that died (no such process) holds nothing.
    second.db.execute("UPDATE claims SET pid = 2147483646, run = 'dead'")
    third = SQLiteStore(path)
    assert third.claim("k")
    second.close()
    third.close()


# -- limit=N bounds discovery; big feeds are read --------------------------------------

HUGE = 100_000


def huge_feed(articles: list[Article], total: int) -> bytes:
    """An RSS feed of ``total`` items (about 14 MB), the served ``articles`` first."""
    links = [REAL_ORIGIN + a.path for a in articles]
    links += [f"{REAL_ORIGIN}/en/news/{1_000_000 + i}/old-{i}" for i in range(total - len(links))]
    items = "".join(
        f"<item><title>Story {i} of the day</title><link>{link}</link>"
        "<pubDate>Mon, 01 Jan 2024 16:12:00 GMT</pubDate></item>\n"
        for i, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Arabs Today</title>\n{items}</channel></rss>\n"
    ).encode()


def test_limit_bounds_discovery_of_a_100000_item_feed(tmp_path: Path) -> None:
    """limit=5 against a 14 MB feed of 100,000 items: a handful of requests, not 100,008."""
    served = [make_article(600_000 + i) for i in range(20)]
    site = FaultSite(served, in_feeds=[])
    site.pages["/en/rss"] = Page(huge_feed(served, HUGE), "application/rss+xml")
    site.pages["/sitemap.xml"] = Page(urlset([]), "application/xml")
    assert len(site.pages["/en/rss"].body) > DEFAULT_MAXSIZE  # over the article page limit
    with serve(site) as origin:
        run = crawl(origin, tmp_path, "-a", "limit=5")
    assert run.code == 0, run.log[-3000:]
    assert run.stats["finish_reason"] == "limit_reached"
    assert len(run.records) == 5
    assert run.stat("scheduler/enqueued") < 30, run.stat("scheduler/enqueued")
    assert run.stat("downloader/request_count") < 30, run.stat("downloader/request_count")
    assert run.stat("newscrawl/discovery/feed/articles") < 30  # the feed was not read whole
    assert run.stat("newscrawl/limit/discovery_deferred") >= 1
    assert len([h for h in site.hits if "/news/" in h.path]) <= 5 + 2  # limit + margin


def test_limit_resumes_discovery_when_pages_fail(tmp_path: Path) -> None:
    """Deferred entries are read on when fetched pages do not become records: the limit
    is still reached, with requests bounded by it."""
    served = [make_article(610_000 + i) for i in range(20)]
    faults = {a.path: fault("status", code=404) for a in served[:9]}  # the first 9 are gone
    site = FaultSite(served, faults, in_feeds=[])
    site.pages["/en/rss"] = Page(huge_feed(served, 2_000), "application/rss+xml")
    site.pages["/sitemap.xml"] = Page(urlset([]), "application/xml")
    with serve(site) as origin:
        run = crawl(origin, tmp_path, "-a", "limit=5", "-s", "NEWSCRAWL_MAX_ERROR_RATE=1")
    assert run.stats["finish_reason"] == "limit_reached", run.log[-3000:]
    assert {path_of(r) for r in run.records} <= {a.path for a in served[9:]}
    assert len(run.records) == 5
    assert run.stat("newscrawl/limit/discovery_resumed") >= 1
    assert len([h for h in site.hits if "/news/" in h.path]) <= 9 + 5 + 2


def test_a_14_mb_feed_is_read_whole_at_default_settings(tmp_path: Path) -> None:
    """Feeds and sitemaps may reach 50 MB (the sitemap protocol's limit): a feed over
    DOWNLOAD_MAXSIZE is read, where it used to be refused while the run said "ok"."""
    fresh = [make_article(620_000 + i) for i in range(3)]
    site = FaultSite(fresh, in_feeds=[])
    site.pages["/en/rss"] = Page(huge_feed(fresh, HUGE), "application/rss+xml")
    site.pages["/sitemap.xml"] = Page(urlset([]), "application/xml")
    assert len(site.pages["/en/rss"].body) > DEFAULT_MAXSIZE
    old = [f"{REAL_ORIGIN}/en/news/{1_000_000 + i}/old-{i}" for i in range(HUGE - len(fresh))]
    with serve(site) as origin:
        seed_state(tmp_path / "state.sqlite3", [u.replace(REAL_ORIGIN, origin) for u in old])
        run = crawl(origin, tmp_path)
    assert run.code == 0, run.log[-3000:]
    assert run.stat("newscrawl/discovery/feed/articles") == HUGE
    assert {path_of(r) for r in run.records} == {a.path for a in fresh}
    assert not run.stat("newscrawl/download/too_large")


def test_feeds_and_sitemaps_stream_in_flat_memory() -> None:
    """A 50 MB gzipped sitemap is parsed with a few MB, not the ~1 GB of its tree."""
    script = """
import resource, sys, zlib
from newscrawl.discovery.sources import Document, stream_sitemap
deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
parts = [deflate.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')]
i = 0
size = 0
while size < 49_000_000:
    url = b"<url><loc>https://example.com/en/news/%d/a-story-with-a-long-slug</loc>" % i
    url += b"<lastmod>2024-01-01</lastmod></url>\\n"
    parts.append(deflate.compress(url))
    size += len(url)
    i += 1
parts.append(deflate.compress(b"</urlset>") + deflate.flush())
data = b"".join(parts)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
doc = Document()
count = sum(1 for _ in stream_sitemap(data, doc))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(count, i, doc.root, (after - before) // 1024)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    count, written, root, grown_mib = result.stdout.split()
    assert count == written and root == "urlset"
    assert int(grown_mib) < 64, f"peak memory grew by {grown_mib} MiB while parsing"


def test_a_source_past_its_limit_is_refused(tmp_path: Path) -> None:
    from newscrawl.discovery.sources import SourceTooLarge, xml_chunks

    bomb = gzip.compress(b"<urlset>" + b" " * 3_000_000)
    with pytest.raises(SourceTooLarge):
        list(xml_chunks(bomb, max_size=1_000_000))
    assert b"".join(xml_chunks(bomb, max_size=4_000_000)).startswith(b"<urlset>")


# -- a refused feed or sitemap is never an "ok" run -----------------------------------


def report_of(run_feed: Path) -> dict[str, object]:
    report: dict[str, object] = json.loads(
        run_feed.with_name(run_feed.stem + ".report.json").read_text("utf-8")
    )
    return report


def test_a_failed_feed_is_named_and_fails_the_run(tmp_path: Path) -> None:
    """One feed 404, the other over the size limit: the articles found elsewhere are
    emitted, and the run exits 4 with both sources named in its report."""
    articles = [make_article(630_000 + i) for i in range(4)]
    site = FaultSite(articles, {"/ar/rss": fault("status", code=404)})
    site.pages["/en/rss"] = Page(huge_feed(articles, 30_000), "application/rss+xml")
    # A stray "&" (as real sitemaps and feeds carry) is damage read past, not a failure.
    stray = REAL_ORIGIN + articles[0].path + "?utm_source=a&utm_medium=b"
    listed = [REAL_ORIGIN + a.path for a in articles]
    site.pages["/sitemap.xml"] = Page(urlset([stray, *listed]), "application/xml")
    with serve(site) as origin:
        run = crawl(origin, tmp_path, "-s", "NEWSCRAWL_SOURCE_MAXSIZE=1000000")
    assert run.code == exitcodes.ERROR_RATE, run.log[-3000:]
    assert {path_of(r) for r in run.records} == {a.path for a in articles}  # the sitemap
    failed = sorted(run.stats["newscrawl/discovery/failed_sources"])
    assert failed == [f"http_404 {origin}/ar/rss", f"too_large {origin}/en/rss"]
    assert run.stat("newscrawl/discovery/source_failed/too_large") == 1
    assert run.stat("newscrawl/discovery/source_failed/http_404") == 1
    report = report_of(run.feed)
    assert sorted(report["failed_sources"]) == failed  # type: ignore[call-overload]
    assert "2 feed/sitemaps failed" in str(report["exit_reason"])
    assert len(run.lines_about(f"{origin}/en/rss", "WARNING")) == 2  # refused; the verdict
    assert run.stat("newscrawl/discovery/malformed_xml") == 1  # the sitemap, logged once


def test_all_sources_failed_is_no_items(tmp_path: Path) -> None:
    articles = [make_article(640_000 + i) for i in range(2)]
    broken = {path: fault("status", code=500) for path in ("/en/rss", "/ar/rss", "/sitemap.xml")}
    site = FaultSite(articles, broken)
    with serve(site) as origin:
        run = crawl(origin, tmp_path, "-s", "RETRY_TIMES=0")
    assert run.code == exitcodes.NO_ITEMS, run.log[-3000:]
    assert run.stat("newscrawl/discovery/source_failed/http_500") == 3
    assert "3 feed/sitemaps failed" in run.stats["newscrawl/exit_reason"]


def test_a_failed_source_spoils_even_a_nothing_new_run(tmp_path: Path) -> None:
    """Everything known, feeds unchanged (304) but the sitemap now 503s: not "ok"."""
    articles = [make_article(650_000 + i) for i in range(3)]
    site = FaultSite(articles)
    with serve(site) as origin:
        first = crawl(origin, tmp_path)
        site.faults["/sitemap.xml"] = fault("status", code=503)
        second = crawl(origin, tmp_path, "-s", "RETRY_TIMES=0", feed="second.jsonl")
    assert first.code == 0, first.log[-3000:]
    assert second.records == []
    assert second.code == exitcodes.ERROR_RATE, second.log[-3000:]
    assert second.stats["newscrawl/discovery/failed_sources"] == [f"http_503 {origin}/sitemap.xml"]


def test_verdicts_with_failed_sources() -> None:
    from newscrawl.ops.report import judge

    failed = {"newscrawl/discovery/failed_sources": ["http_404 https://example.com/rss"]}
    healthy = {"finish_reason": "finished", "item_scraped_count": 9, "response_received_count": 9}
    assert judge(healthy, 0.2, 0.2) == (exitcodes.OK, "ok")
    code, why = judge({**healthy, **failed}, 0.2, 0.2)
    assert code == exitcodes.ERROR_RATE and "http_404 https://example.com/rss" in why
    nothing = {"finish_reason": "finished", "response_received_count": 2}
    assert judge({**nothing, **failed}, 0.2, 0.2)[0] == exitcodes.NO_ITEMS
    unchanged = {**nothing, "newscrawl/discovery/not_modified": 2}
    assert judge(unchanged, 0.2, 0.2) == (exitcodes.OK, "ok: nothing new")
    assert judge({**unchanged, **failed}, 0.2, 0.2)[0] == exitcodes.ERROR_RATE
    # A run cut short stays "aborted", whatever else failed.
    assert judge({**healthy, **failed, "finish_reason": "shutdown"}, 0.2, 0.2)[0] == 6


def test_a_json_feed_is_a_feed(tmp_path: Path) -> None:
    """A JSON Feed (the `news` spider finds them in home pages) is read, not a failure."""
    articles = [make_article(660_000 + i) for i in range(2)]
    site = FaultSite(articles, in_feeds=[])
    items = [{"id": "1", "url": REAL_ORIGIN + a.path, "title": a.title} for a in articles]
    site.pages["/en/rss"] = Page(json.dumps({"version": "1.1", "items": items}).encode(),
                                 "application/feed+json")  # fmt: skip
    site.pages["/sitemap.xml"] = Page(urlset([]), "application/xml")
    with serve(site) as origin:
        run = crawl(origin, tmp_path)
    assert run.code == 0, run.log[-3000:]
    assert run.stat("newscrawl/discovery/feed/articles") == 2
    assert {path_of(r) for r in run.records} == {a.path for a in articles}
    assert not run.stat("newscrawl/discovery/malformed_xml")


def test_gzip_sources_unpack_in_slices() -> None:
    """Concatenated members and trailing zeros are read as gunzip(1) reads them; a cut
    or broken stream is an error (the spider names the source bad_gzip)."""
    from newscrawl.discovery.sources import xml_chunks

    xml = b"<urlset>" + b"<url><loc>https://example.com/%d</loc></url>" % 1 + b"</urlset>"
    packed = gzip.compress(xml)
    assert b"".join(xml_chunks(packed + packed)) == xml + xml
    assert b"".join(xml_chunks(packed + b"\0" * 512)) == xml
    for broken in (packed[:-12], packed[:2], b"\x1f\x8b\x08\x00" + b"junk" * 10):
        with pytest.raises((EOFError, zlib.error)):
            b"".join(xml_chunks(broken))


def test_without_a_limit_discovery_is_bounded_and_every_listed_url_is_fetched(
    tmp_path: Path,
) -> None:
    """A sitemap of 2,000 articles (and 100 of them listed twice), with at most 50
    requests from discovery out at a time (NEWSCRAWL_DISCOVERY_INFLIGHT): the rest of
    the sitemap waits and is read on as pages come back, and nothing is lost: every
    listed URL is fetched once and emitted."""
    served = [make_article(620_000 + i) for i in range(2_000)]
    site = FaultSite(served, in_feeds=[])
    listed = [REAL_ORIGIN + a.path for a in served]
    site.pages["/sitemap.xml"] = Page(urlset(listed + listed[:100]), "application/xml")
    with serve(site) as origin:
        run = crawl(origin, tmp_path, "-s", "NEWSCRAWL_DISCOVERY_INFLIGHT=50", timeout=600)
    assert run.code == 0, run.log[-3000:]
    fetched = Counter(h.path for h in site.hits if "/news/" in h.path)
    assert set(fetched) == {a.path for a in served} and max(fetched.values()) == 1
    assert sorted(path_of(r) for r in run.records) == sorted(a.path for a in served)
    assert 0 < run.stat("newscrawl/discovery/inflight_peak") <= 50
    assert run.stat("newscrawl/discovery/inflight_deferred") >= 1
    assert run.stat("newscrawl/discovery/inflight_resumed") >= 2_000 - 50
    assert run.lines_about("NEWSCRAWL_DISCOVERY_INFLIGHT=50: enough requests queued")
