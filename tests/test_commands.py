"""`scrapy extract` and `scrapy demo`, run as a user runs them."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from newscrawl.fixtureserver import FIXTURE_SITE, PROJECT_ROOT

from .conftest import fixture_pages
from .sitepages import expected_pages


def scrapy(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_extract_saved_page_prints_the_crawl_record(tmp_path: Path) -> None:
    page = fixture_pages()[0]
    url = "https://www.arabstoday.net" + page["path"]
    result = scrapy("extract", str(FIXTURE_SITE / page["file"]), "--url", url)
    assert result.returncode == 0, result.stderr
    [golden] = [
        g for g in expected_pages("arabstoday") if g.get("fixture") == page["file"]
    ]  # fmt: skip
    assert json.loads(result.stdout) == golden["expected"]


def test_extract_gzipped_page_with_named_spider(tmp_path: Path) -> None:
    page = next(p for p in fixture_pages() if p["language"] == "ar")
    saved = tmp_path / "page.html.gz"
    saved.write_bytes(gzip.compress((FIXTURE_SITE / page["file"]).read_bytes()))
    result = scrapy(
        "extract",
        str(saved),
        "--spider",
        "arabstoday",
        "--url",
        "https://www.arabstoday.net" + page["path"],
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["title"] == page["title"]
    assert record["body"].split("\n\n") == page["body"]


def test_extract_without_a_matching_site_uses_the_generic_extractor(tmp_path: Path) -> None:
    page = fixture_pages()[0]
    saved = tmp_path / "page.html"
    saved.write_bytes((FIXTURE_SITE / page["file"]).read_bytes())
    result = scrapy("extract", str(saved), "--url", "https://unknown.example/news/123456/x")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["site"] == "generic" and record["extraction"] == "generic"
    assert record["title"] == page["title"]
    assert record["body"].split("\n\n")[0] == page["body"][0]


def test_extract_with_an_unknown_spider_says_so(tmp_path: Path) -> None:
    saved = tmp_path / "page.html"
    saved.write_text("<html><body><p>x</p></body></html>")
    result = scrapy("extract", str(saved), "--spider", "nosuch", "--url", "https://x.example/a")
    assert result.returncode == 2
    assert "unknown site 'nosuch'" in result.stderr


def test_demo_serves_crawls_and_summarises(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    result = scrapy("demo", "--output", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(records) >= len(fixture_pages())
    assert f"wrote {len(records)} articles to {out}" in result.stdout
    assert "language ar:" in result.stdout and "language en:" in result.stdout
