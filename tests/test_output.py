"""Seen only after written: a feed that cannot take the records never costs articles.

Each case is a real ``scrapy crawl`` in a subprocess against the fault site on
127.0.0.1. A feed that cannot be opened stops the run before its first request
(exit 2, one line); a feed that fails mid-run (disk full, failed upload) ends it with
exit 9, leaves no torn line, and none of the records it did not take is marked seen,
so the next run fetches exactly those.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newscrawl import exitcodes
from newscrawl.discovery.urls import canonical_key, url_key
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.storage.state import SQLiteStore

from .crawlrun import FAST, path_of
from .faultserver import REAL_ORIGIN, FaultSite, make_article, serve

ARTICLES = [make_article(730_000 + i) for i in range(20)] + [
    make_article(740_000 + i, "ar") for i in range(8)
]


# Runs scrapy with files limited to a size (RLIMIT_FSIZE, inherited across exec; with
# SIGXFSZ ignored, growing a file past it fails with EFBIG, as a full disk gives ENOSPC).
LIMITED = (
    "import os, resource, signal, sys; limit = int(sys.argv[1]); "
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)); "
    "os.execv(sys.executable, [sys.executable, '-m', 'scrapy', *sys.argv[2:]])"
)


def run_crawl(
    origin: str, workdir: Path, feed: str | None, *args: str, append: bool = False,
    file_size_limit: int | None = None, env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:  # fmt: skip
    scrapy = [sys.executable, "-m", "scrapy"]
    if file_size_limit is not None:
        scrapy = [sys.executable, "-c", LIMITED, str(file_size_limit)]
    command = [
        *scrapy, "crawl", "arabstoday",
        *(("-o" if append else "-O", feed) if feed else ()), "-a", f"base_url={origin}", *FAST,
        "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}", *args,
    ]  # fmt: skip
    return subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, env=env
    )


def records(feed: Path) -> list[dict[str, Any]]:
    data = feed.read_bytes()
    assert not data or data.endswith(b"\n"), "the feed ends in a torn record"
    return [json.loads(line) for line in data.splitlines()]


def seen_paths(workdir: Path) -> set[str]:
    store = SQLiteStore(workdir / "state.sqlite3")
    try:
        # The pages name their real-origin URL as canonical while the crawl fetches them
        # from the test's origin: the record is known by its canonical's key.
        return {
            a.path
            for a in ARTICLES
            if store.seen(url_key(REAL_ORIGIN + a.path))
            or store.seen(canonical_key(REAL_ORIGIN + a.path))
        }
    finally:
        store.close()


def article_requests(site: FaultSite) -> list[str]:
    return [hit.path for hit in site.hits if "/news/" in hit.path]


def error_lines(stderr: str) -> list[str]:
    """What stderr says beyond Scrapy's start-up banner (INFO lines, the versions)."""
    lines = stderr.splitlines()
    assert not [line for line in lines if "] ERROR:" in line or "] WARNING:" in line]
    return [line for line in lines if line.startswith("scrapy crawl: ")]


# -- a feed that cannot be opened: usage error before the first request ----------------


def test_unwritable_feed_path_stops_the_run_before_any_request(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("a file where the feed's folder should be")
    site = FaultSite(ARTICLES)
    with serve(site) as origin:
        done = run_crawl(origin, tmp_path, str(tmp_path / "not-a-dir" / "feed.jsonl"))
    assert done.returncode == exitcodes.USAGE, done.stderr[-2000:]
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and "not-a-dir" in lines[0] and "cannot write" in lines[0], lines
    assert done.stderr.rstrip().endswith(lines[0])
    assert "Traceback" not in done.stderr
    assert site.hits == []  # not even robots.txt


def test_s3_feed_without_boto3_names_the_missing_library(tmp_path: Path) -> None:
    # boto3 made unimportable in the child, as on an install without the s3 extra.
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "boto3.py").write_text("raise ImportError('No module named boto3')\n")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, (str(hide), os.environ.get("PYTHONPATH")))),
    )
    site = FaultSite(ARTICLES)
    with serve(site) as origin:
        done = run_crawl(origin, tmp_path, "s3://bucket/news/%(name)s.jsonl", env=env)
    assert done.returncode == exitcodes.USAGE, done.stderr[-2000:]
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and "s3://" in lines[0] and "boto3" in lines[0], lines
    assert "pip install 'newscrawl[s3]'" in lines[0]  # the extra pyproject declares
    assert "Traceback" not in done.stderr
    assert site.hits == []


# -- a feed that fails mid-run: exit 9, nothing unwritten is seen ----------------------


def test_disk_full_mid_run_loses_nothing(tmp_path: Path) -> None:
    """The feed's disk fills up after a few records (RLIMIT_FSIZE: the kernel refuses
    to grow the file, EFBIG, as a full disk gives ENOSPC; no privileges needed). The
    feed already holds an earlier run's records, so it is the file that hits the
    limit, not the state store."""
    feed = tmp_path / "news.jsonl"
    older = {"url": f"{REAL_ORIGIN}/en/news/1/older", "title": "older", "body": "x" * 900}
    feed.write_bytes((json.dumps(older) + "\n").encode() * 6000)  # ~5.6 MB
    before = feed.stat().st_size
    site = FaultSite(ARTICLES)
    with serve(site) as origin:
        done = run_crawl(origin, tmp_path, str(feed), append=True,
                         file_size_limit=before + 9000)  # fmt: skip
        first = records(feed)[6000:]  # whole lines only: the torn one was cut off
        assert done.returncode == exitcodes.OUTPUT_FAILED, done.stderr[-3000:]
        assert 0 < len(first) < len(ARTICLES)
        report = json.loads(feed.with_name("news.report.json").read_text("utf-8"))
        assert report["exit_name"] == "output_failed"
        assert report["records_not_written"] > 0
        assert report["records_not_written"] == report["articles_emitted"] - len(first)
        assert "Feed" in done.stderr and "failed" in done.stderr
        assert not (tmp_path / "latest").exists()
        # Only what the feed holds is seen.
        assert seen_paths(tmp_path) == {path_of(r) for r in first}
        fetched_before = len(article_requests(site))

        second = tmp_path / "again.jsonl"
        done = run_crawl(origin, tmp_path, str(second))
        assert done.returncode == exitcodes.OK, done.stderr[-3000:]
        again = records(second)
    written = [path_of(r) for r in first] + [path_of(r) for r in again]
    assert sorted(written) == sorted(a.path for a in ARTICLES)  # each exactly once
    refetched = article_requests(site)[fetched_before:]
    assert set(refetched) == {path_of(r) for r in again}  # only the missing ones


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_failed_upload_marks_nothing_seen(tmp_path: Path) -> None:
    """A remote feed (FTP here; S3 and GCS store the same way, once at close) whose
    upload fails: every record of the file is unwritten, nothing is seen."""
    local = tmp_path / "local.jsonl"
    remote = f"ftp://user:pw@127.0.0.1:{closed_port()}/news.jsonl"
    feeds = json.dumps({str(local): {"format": "jsonlines"}, remote: {"format": "jsonlines"}})
    site = FaultSite(ARTICLES)
    with serve(site) as origin:
        done = run_crawl(origin, tmp_path, None, "-s", f"FEEDS={feeds}")
        assert done.returncode == exitcodes.OUTPUT_FAILED, done.stderr[-3000:]
        assert len(records(local)) == len(ARTICLES)  # the local feed has them all...
        assert seen_paths(tmp_path) == set()  # ...but not every feed does
        report = json.loads(local.with_name("local.report.json").read_text("utf-8"))
        assert report["records_not_written"] == len(ARTICLES)
        second = tmp_path / "again.jsonl"
        done = run_crawl(origin, tmp_path, str(second))
    assert done.returncode == exitcodes.OK, done.stderr[-3000:]
    assert sorted(path_of(r) for r in records(second)) == sorted(a.path for a in ARTICLES)


GZIP = {"format": "jsonlines", "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]}


def gz_records(feed: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(feed.read_bytes()).splitlines()]


def test_compressed_feed_records_are_seen_once_the_file_is_complete(tmp_path: Path) -> None:
    feed = tmp_path / "news.jsonl.gz"
    feeds = json.dumps({str(feed): GZIP})
    site = FaultSite(ARTICLES)
    with serve(site) as origin:
        done = run_crawl(origin, tmp_path, None, "-s", f"FEEDS={feeds}")
        assert done.returncode == exitcodes.OK, done.stderr[-3000:]
        assert sorted(path_of(r) for r in gz_records(feed)) == sorted(a.path for a in ARTICLES)
        assert seen_paths(tmp_path) == {a.path for a in ARTICLES}
        again = tmp_path / "again.jsonl"
        done = run_crawl(origin, tmp_path, str(again))
    assert done.returncode == exitcodes.OK, done.stderr[-3000:]
    assert records(again) == []


def test_compressed_feed_on_a_full_disk_marks_nothing_seen(tmp_path: Path) -> None:
    """gzip holds records in its buffer: none is in the file until the file is
    complete, so a compressed feed that fails leaves every one of its records unseen."""
    feed = tmp_path / "news.jsonl.gz"
    feed.write_bytes(b"\0" * 4_000_000)  # an earlier run's output, appended to
    feeds = json.dumps({str(feed): dict(GZIP, overwrite=False)})
    site = FaultSite(ARTICLES)
    with serve(site) as origin:
        done = run_crawl(origin, tmp_path, None, "-s", f"FEEDS={feeds}",
                         file_size_limit=4_000_000 + 3000)  # fmt: skip
        assert done.returncode == exitcodes.OUTPUT_FAILED, done.stderr[-3000:]
        assert seen_paths(tmp_path) == set()
        again = tmp_path / "again.jsonl"
        done = run_crawl(origin, tmp_path, str(again))
    assert done.returncode == exitcodes.OK, done.stderr[-3000:]
    assert sorted(path_of(r) for r in records(again)) == sorted(a.path for a in ARTICLES)


def test_feed_problems_are_named_in_one_line(tmp_path: Path) -> None:
    from scrapy.utils.test import get_crawler

    from newscrawl.sites.registry import site_spiders
    from newscrawl.storage.feeds import feed_problem

    ArabsTodaySpider = site_spiders()["arabstoday"]

    def problem(feeds: dict[str, Any]) -> str | None:
        settings = {"FEED_STORAGES": {"": "newscrawl.storage.durable.DurableFileFeedStorage"},
                    "FEEDS": feeds}  # fmt: skip
        return feed_problem(get_crawler(ArabsTodaySpider, settings))

    ok = str(tmp_path / "out" / "%(name)s" / "%(time)s.jsonl")
    assert problem({ok: {"format": "jsonlines"}}) is None
    assert not list((tmp_path / "out").rglob("*.jsonl")), "the check leaves no file behind"
    unknown_format = problem({str(tmp_path / "a.x"): {"format": "nope"}})
    assert unknown_format is not None and "unknown format 'nope'" in unknown_format
    unknown_scheme = problem({"gopher://h/x.jsonl": {"format": "jsonlines"}})
    assert unknown_scheme is not None and "no storage for the scheme 'gopher'" in unknown_scheme
    directory = problem({str(tmp_path): {"format": "jsonlines"}})
    assert directory is not None and "cannot write" in directory


def test_batches_of_a_compressed_feed_confirm_their_records(tmp_path: Path) -> None:
    """Batch files close mid-run (FEEDS batch_item_count): each one's records become
    seen when it is stored, and the last batch's at the end."""
    template = tmp_path / "batch-%(batch_id)d.jsonl.gz"
    feeds = json.dumps({str(template): dict(GZIP, batch_item_count=5)})
    site = FaultSite(ARTICLES)
    with serve(site) as origin:
        done = run_crawl(origin, tmp_path, None, "-s", f"FEEDS={feeds}")
    assert done.returncode == exitcodes.OK, done.stderr[-3000:]
    batches = sorted(tmp_path.glob("batch-*.jsonl.gz"))
    assert len(batches) == -(-len(ARTICLES) // 5)
    written = [path_of(r) for batch in batches for r in gz_records(batch)]
    assert sorted(written) == sorted(a.path for a in ARTICLES)
    assert seen_paths(tmp_path) == {a.path for a in ARTICLES}


def test_a_record_that_cannot_be_forgotten_stays_in_the_journal_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed lost a record and the store cannot forget it (closed, Redis down, disk
    full): the journal keeps the intent open, so the next run's recovery forgets what
    its feeds lack instead of the article staying seen and never written."""
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    from newscrawl.storage import durable

    crawler = get_crawler(settings_dict={"NEWSCRAWL_STATE_PATH": str(tmp_path / "s.sqlite3")})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    journal = durable.EmitJournal(crawler)
    journal.spider_opened(SimpleNamespace(name="site"))  # type: ignore[arg-type]
    entry = durable._Pending("example.com/a", ["https://example.com/a"])
    journal._write({"emit": entry.key, "urls": entry.urls})

    def unavailable(_crawler: object) -> None:
        raise ConnectionError("store unavailable")

    monkeypatch.setattr(durable, "store_for", unavailable)
    journal._fail(entry)
    assert journal.path is not None and journal.handle is not None
    journal.handle.close()
    written = [json.loads(line) for line in journal.path.read_text("utf-8").splitlines()]
    assert written == [{"emit": "example.com/a", "urls": ["https://example.com/a"]}]
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["newscrawl/output/forget_failed"] == 1
    assert stats["newscrawl/output/unwritten"] == 1


def test_json_lines_feeds_write_the_bytes_scrapys_exporter_writes() -> None:
    """The project's JSON lines exporter (cheaper per record) writes what Scrapy's does,
    field order, escaping and the feed's encoding option included."""
    import io

    from scrapy.exporters import JsonLinesItemExporter
    from scrapy.utils.misc import load_object
    from scrapy.utils.project import get_project_settings

    from newscrawl.items import RECORD_FIELDS, Article

    record = {name: None for name in RECORD_FIELDS}
    record.update(
        url="https://example.com/ar/1", title='الذهب "يرتفع"\n', body="نص\u200c\t/",
        authors=["أ", "B"], tags=[], extraction="selector", duplicate_of=None,
    )  # fmt: skip
    del record["fetched_at"]  # an unset field stays out, as in Scrapy's
    exporters = get_project_settings().getwithbase("FEED_EXPORTERS")
    for name in ("jsonlines", "jsonl", "jl"):
        ours = load_object(exporters[name])
        assert ours is not JsonLinesItemExporter and issubclass(ours, JsonLinesItemExporter)
        for options in ({"encoding": "utf-8"}, {}, {"fields_to_export": ["title", "url"]}):
            written = []
            for exporter in (ours, JsonLinesItemExporter):
                buffer = io.BytesIO()
                exporter(buffer, **options).export_item(Article(record))
                written.append(buffer.getvalue())
            assert written[0] == written[1], options
