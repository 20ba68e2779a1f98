"""One extraction decision: a crawl and ``newscrawl.extract`` give one record per page.

Each site's spider crawls pages served from 127.0.0.1 (the fixture site, and each
site's golden pages, saved or from the corpus, at their own paths), and every record
it emits must equal ``newscrawl.extract`` on the same bytes and URL, ``extraction``
included, less the fields only a crawl knows (``fetched_at``, ``duplicate_of``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import newscrawl
from newscrawl.fixtureserver import PROJECT_ROOT, serve
from newscrawl.sites.registry import site_specs

from .corpus import CORPUS, require_corpus
from .crawlrun import FAST, crawl
from .sitepages import expected_pages, read_site_page

CRAWL_ONLY = ("fetched_at", "duplicate_of")


def _as_extracted(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key not in CRAWL_ONLY}


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        data: bytes = response.read()
        return data


def test_fixture_site_crawl_equals_extract(site_origin: str, tmp_path: Path) -> None:
    run = crawl(site_origin, tmp_path, "-s", "NEWSCRAWL_NEAR_DUPLICATES=off")
    assert len(run.records) >= 5, run.log[-3000:]
    for record in run.records:
        html = _fetch(record["url"])
        assert _as_extracted(record) == newscrawl.extract(html, record["url"], site="arabstoday")


def _golden_pages(site: str) -> list[dict[str, Any]]:
    """The site's golden pages (saved in its folder, or in the corpus) with their bytes."""
    pages = []
    for page in expected_pages(site):
        if page.get("not_an_article") or "fixture" in page:
            continue  # the fixture site is crawled whole, below
        if "corpus" in page and not (CORPUS / "MANIFEST.json").is_file():
            continue  # require_corpus() says so in the test
        pages.append({"url": page["url"], "html": read_site_page(site, page), **page})
    return pages


def _has_golden(site: str) -> bool:
    return any("fixture" not in p and not p.get("not_an_article") for p in expected_pages(site))


def _mirror(site: str, pages: list[dict[str, Any]], root: Path, origin: str) -> dict[str, bytes]:
    """The pages as files at their URL paths, found through robots.txt's sitemap; their
    bytes by (unquoted) path."""
    spec = site_specs()[site]
    served: dict[str, bytes] = {}
    for page in pages:
        path = unquote(urlsplit(page["url"]).path)
        file = root / (path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/"))
        if not path.endswith("/") and not file.name.endswith(".html"):
            file = file.with_name(file.name + ".html")  # served as text/html
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(page["html"])
        served[path] = file.read_bytes()
    locs = "".join(f"<url><loc>{spec.origin}{urlsplit(p['url']).path}</loc></url>" for p in pages)
    (root / "sitemap.xml").write_text(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>', "utf-8"
    )
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {origin}/sitemap.xml\n")
    return served


@pytest.mark.parametrize("site", [s for s in sorted(site_specs()) if _has_golden(s)])
def test_golden_pages_crawl_equals_extract(site: str, tmp_path: Path) -> None:
    if any("corpus" in p for p in expected_pages(site)):
        require_corpus()
    _crawl_equals_extract(site, _golden_pages(site), tmp_path)


# A page of a known site whose layout changed: none of the site's body containers.
PROSE = " ".join(["The talks resumed in Doha on Sunday after a week of delays."] * 4)
REDESIGNED = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Talks resume in Doha | Al Jazeera</title></head><body>
<header><nav><a href="/news/">News</a> <a href="/sport/">Sport</a></nav></header>
<main><h1>Talks resume in Doha</h1><div class="story-2026">
{"".join(f"<p>{PROSE} Paragraph {n}.</p>" for n in range(6))}
</div></main><footer>About us. Contact. Terms.</footer></body></html>""".encode()


def test_a_page_whose_selectors_miss_falls_back_in_both(tmp_path: Path) -> None:
    """The crawl's generic fallback is the API's too (both said different things)."""
    url = "https://www.aljazeera.com/news/2026/1/4/talks-resume-in-doha"
    [record] = _crawl_equals_extract("aljazeera", [{"url": url, "html": REDESIGNED}], tmp_path)
    assert record["extraction"] == "fallback"
    assert newscrawl.extract(REDESIGNED, url)["extraction"] == "fallback"


def _crawl_equals_extract(
    site: str, pages: list[dict[str, Any]], tmp_path: Path
) -> list[dict[str, Any]]:
    root = tmp_path / "www"
    root.mkdir()
    with serve(root) as origin:
        served = _mirror(site, pages, root, origin)
        out = tmp_path / "items.jsonl"
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", site, "-O", str(out),
             "-a", f"base_url={origin}", *FAST, "-s", "NEWSCRAWL_NEAR_DUPLICATES=off",
             "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line]
    paths = sorted(unquote(urlsplit(r["url"]).path) for r in records)
    assert paths == sorted(served), result.stderr[-3000:]
    for record in records:
        html = served[unquote(urlsplit(record["url"]).path)]
        assert _as_extracted(record) == newscrawl.extract(html, record["url"], site=site)
    return records
