"""``scrapy backfill``: WARC files written by another crawler (warcio here, as Common
Crawl, wget and Heritrix write them: no newscrawl header) become records."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.fixtureserver import FIXTURE_SITE, PROJECT_ROOT

PAGES = json.loads((FIXTURE_SITE.parent / "pages.json").read_text("utf-8"))
ORIGIN = "https://www.arabstoday.net"
# One fixture article served from a host no site module owns: the generic extractor's.
GENERIC_PAGE = PAGES[4]
GENERIC_URL = "https://news.example.org/2019/06/18/gulf-water-grid"
SITE_PAGES = [p for p in PAGES if p is not GENERIC_PAGE]
OLD, NEW = "2016-01-02T03:04:05Z", "2024-05-01T10:00:00Z"


def write_warc(path: Path, gzip_records: bool) -> None:
    """A foreign crawl: warcinfo, request/response pairs, a home page, robots.txt, a
    redirect, an image; no WARC-Newscrawl-Kind. Every second article fetched in 2016."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip_records)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "wget/1.21"}))

        def response(url: str, body: bytes, status: str = "200 OK", when: str = NEW,
                     content_type: str = "text/html; charset=utf-8", gzipped: bool = False,
                     ) -> None:  # fmt: skip
            request = writer.create_warc_record(url, "request", payload=io.BytesIO(
                f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode()))  # fmt: skip
            writer.write_record(request)
            fields = [("Content-Type", content_type)]
            if gzipped:  # as sent, as Common Crawl keeps it
                body, fields = gzip.compress(body), [*fields, ("Content-Encoding", "gzip")]
            headers = StatusAndHeaders(status, fields, "HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": when},
            ))  # fmt: skip

        response(ORIGIN + "/", (FIXTURE_SITE / "index.html").read_bytes())
        response(ORIGIN + "/robots.txt", b"User-agent: *\n", content_type="text/plain")
        response(ORIGIN + "/old", b"", status="301 Moved Permanently")
        response(ORIGIN + "/logo.png", b"\x89PNG", content_type="image/png")
        for index, page in enumerate(SITE_PAGES):
            charset = page["encoding"]
            response(ORIGIN + page["path"], (FIXTURE_SITE / page["file"]).read_bytes(),
                     when=OLD if index % 2 else NEW, gzipped=index == 0,
                     content_type=f"text/html; charset={charset}")  # fmt: skip
        response(GENERIC_URL, (FIXTURE_SITE / GENERIC_PAGE["file"]).read_bytes())


def backfill(workdir: Path, *args: str, feed: str = "out.jsonl") -> tuple[int, list[Any], dict[
        str, Any], str]:  # fmt: skip
    out, stats = workdir / feed, workdir / f"{feed}.stats.json"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "backfill", *args, "-O", str(out),
         "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}",
         "-s", "STATS_CLASS=tests.stats_dump.JsonDumpStats", "-s", f"STATS_DUMP_PATH={stats}"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()] if (
        out.exists()) else []  # fmt: skip
    loaded = json.loads(stats.read_text("utf-8")) if stats.exists() else {}
    return result.returncode, records, loaded, result.stderr


def by_url(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in records}


@pytest.mark.parametrize("layout", ["gzip-per-record", "plain", "whole-file-gzip"])
def test_foreign_warc_gives_records_routed_by_domain(tmp_path: Path, layout: str) -> None:
    warc = tmp_path / ("crawl.warc" if layout == "plain" else "crawl.warc.gz")
    write_warc(warc, gzip_records=layout == "gzip-per-record")
    if layout == "whole-file-gzip":  # one gzip stream over the file, as `gzip crawl.warc` makes
        plain = tmp_path / "plain.warc"
        write_warc(plain, gzip_records=False)
        warc.write_bytes(gzip.compress(plain.read_bytes()))
        plain.unlink()
    code, records, stats, log = backfill(tmp_path, str(tmp_path))  # a folder of WARCs
    assert code == 0, log[-3000:]
    got = by_url(records)
    assert len(records) == len(PAGES), sorted(got)
    for index, page in enumerate(SITE_PAGES):
        record = got[ORIGIN + page["path"]]
        assert record["site"] == "arabstoday" and record["extraction"] == "selector"
        assert record["title"] == page["title"] and record["published"] == page["published"]
        assert record["fetched_at"] == ("2016-01-02T03:04:05+00:00" if index % 2
                                        else "2024-05-01T10:00:00+00:00")  # fmt: skip
    generic = got[GENERIC_URL]
    assert generic["site"] == "generic" and generic["title"] == GENERIC_PAGE["title"]
    assert stats["newscrawl/backfill/not_article"] == 1  # the home page
    assert stats["newscrawl/warc/skipped/not_html"] == 2  # robots.txt, the image
    assert stats["newscrawl/warc/skipped/not_200"] == 1
    assert stats["newscrawl/warc/skipped/request"] == len(PAGES) + 4
    assert stats["newscrawl/warc/skipped/warcinfo"] == 1
    assert "newscrawl/warc/truncated" not in stats

    # Again, on the same state store: everything is known, nothing is emitted twice.
    code, again, stats, log = backfill(tmp_path, str(warc), feed="again.jsonl")
    assert code == 0 and again == [], log[-3000:]
    assert stats["newscrawl/state/skipped_seen"] == len(PAGES)


def test_site_and_since_filter(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, gzip_records=True)
    code, records, stats, log = backfill(
        tmp_path, str(warc), "--site", "arabstoday", "--since", "2020-01-01"
    )
    assert code == 0, log[-3000:]
    # Fetched in 2024 and published since 2020: the rest is counted, not emitted.
    expected = {ORIGIN + p["path"] for i, p in enumerate(SITE_PAGES)
                if not i % 2 and p["published"] >= "2020"}  # fmt: skip
    assert set(by_url(records)) == expected and expected
    assert stats["newscrawl/backfill/other_site"] == 1  # the generic page
    assert stats["newscrawl/backfill/before_since"] == len(SITE_PAGES) // 2
    assert stats["newscrawl/since/skipped_after_fetch"] >= 1


def test_truncated_warc_warns_and_counts(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, gzip_records=True)
    data = whole.read_bytes()
    cut = tmp_path / "cut" / "crawl.warc.gz"
    cut.parent.mkdir()
    cut.write_bytes(data[: len(data) - 2000])  # inside the last record (the generic page)
    junk = cut.with_name("notes.warc")  # named like one, but not a WARC
    junk.write_text("hello\n")
    code, records, stats, log = backfill(tmp_path, str(cut.parent))
    assert code == 0, log[-3000:]
    assert len(records) == len(SITE_PAGES) and GENERIC_URL not in by_url(records)
    assert stats["newscrawl/warc/truncated"] == 1 and stats["newscrawl/warc/skipped_records"] == 1
    warnings = [line for line in log.splitlines() if "WARNING" in line and " is truncated " in line]
    assert len(warnings) == 1 and str(cut) in warnings[0], log[-3000:]
    assert stats["newscrawl/warc/not_warc"] == 1
    assert f"{junk} is not a WARC file" in log


def test_a_page_over_download_maxsize_is_skipped_and_named(tmp_path: Path) -> None:
    warc = tmp_path / "big.warc.gz"
    write_warc(warc, gzip_records=True)
    with warc.open("ab") as out:  # one more record: a page of 300 kB
        writer = WARCWriter(out, gzip=True)
        big = b"<html><body>" + b"<p>padding text</p>" * 16_000 + b"</body></html>"
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            ORIGIN + "/en/news/999999/huge", "response", payload=io.BytesIO(big),
            http_headers=headers))  # fmt: skip
    code, records, stats, log = backfill(tmp_path, str(warc), "-s", "DOWNLOAD_MAXSIZE=200000")
    assert code == 0, log[-3000:]
    assert len(records) == len(PAGES) and stats["newscrawl/warc/skipped/too_large"] == 1
    assert "/en/news/999999/huge skipped (too_large" in log


def test_layout_drift_in_an_archive_names_the_site(tmp_path: Path) -> None:
    """Archived pages of a site whose markup moved away from its selectors: exit 5, and
    the site and its selectors named, as a crawl of it would."""
    warc = tmp_path / "moved.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for page in SITE_PAGES:
            html = (FIXTURE_SITE / page["file"]).read_bytes().decode(page["encoding"])
            for name in ("article-body", "article-content", "story__content", "news-content",
                         "entry-content", "NewsStory", "NewsText"):  # fmt: skip
                html = html.replace(f'"{name}"', '"x-block"')
            html = html.replace('itemprop="articleBody"', "")
            html = re.sub(r"<(/?)article\b", r"<\1section", html)
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", f"text/html; charset={page['encoding']}")], "HTTP/1.1"
            )
            writer.write_record(writer.create_warc_record(
                ORIGIN + page["path"], "response", http_headers=headers,
                payload=io.BytesIO(html.encode(page["encoding"]))))  # fmt: skip
    code, records, stats, log = backfill(tmp_path, str(warc))
    assert code == 5, log[-3000:]
    assert len(records) == len(SITE_PAGES) and stats["newscrawl/fallback/arabstoday"] == 12
    drift = [line for line in log.splitlines() if "ERROR: Layout drift on arabstoday" in line]
    assert len(drift) == 1 and ".article-body" in drift[0], log[-3000:]


def test_usage_errors(tmp_path: Path) -> None:
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"not a database, but not empty either" * 100)
    for args, message, code in [
        ((str(tmp_path / "missing.warc.gz"),), "no such WARC file", 2),
        ((str(warcs),), "no WARC files", 2),
        ((str(tmp_path), "--site", "nosuchsite"), "--site: unknown site nosuchsite", 2),
        ((str(tmp_path), "--since", "yesterday"), "since", 2),
        ((str(tmp_path), "-a", "sinse=2024-01-01"), "unknown argument 'sinse'", 2),
        ((str(tmp_path), "-O", str(tmp_path / "a.warc" / "x.jsonl")), "x.jsonl", 2),
        ((str(tmp_path), "-s", f"NEWSCRAWL_STATE_PATH={corrupt}"), str(corrupt), 10),
    ]:
        if not (tmp_path / "a.warc").exists():
            write_warc(tmp_path / "a.warc", gzip_records=False)
        result = subprocess.run([sys.executable, "-m", "scrapy", "backfill", *args],
                                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == code, result.stderr[-2000:]
        lines = result.stderr.strip().splitlines()
        if "-O" in args:  # checked as scrapy crawl checks feeds: after Scrapy's start-up lines
            lines = lines[-1:]
        assert lines == [result.stderr.strip().splitlines()[-1]], result.stderr  # one line
        assert lines[0].startswith("error: "), result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr


def test_reextract_reads_a_foreign_warc_for_one_site(tmp_path: Path) -> None:
    """`reextract --spider` takes another crawler's WARC too: the site's article pages."""
    warc = tmp_path / "crawl.warc"
    write_warc(warc, gzip_records=False)
    out = tmp_path / "again.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "reextract", str(warc), "--spider", "arabstoday",
         "-O", str(out)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert sorted(r["url"] for r in records) == sorted(ORIGIN + p["path"] for p in SITE_PAGES)
