"""Incremental runs end to end: a site that changes between four runs of one crawl.

Run 1 fetches everything. Run 2 (nothing changed) fetches feeds, sitemaps and
listings, gets 304s for the feeds and sitemaps, and fetches zero articles. Run 3
(one new article) fetches exactly that one. Run 4 (one article edited, its sitemap
lastmod bumped; another republished under a tracking-parameter URL in the feed)
fetches and emits the edited one with `modified` set and does not fetch the copy.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscrawl.fixtureserver import FIXTURE_SITE, PROJECT_ROOT, serve

ARTICLE = re.compile(r"^/(?:en|ar)/news/\d+/")
NEW_PATH = "/en/news/777001/kuwait-opens-new-desalination-plant"
EDITED = "en/news/512044/lebanon-cabinet-approves-electricity-emergency-plan.html"
REPUBLISHED = (
    "https://www.arabstoday.net/en/news/498021/gulf-ministers-back-regional-water-grid-study"
)


def crawl(origin: str, workdir: Path, run: int, *args: str) -> list[dict[str, Any]]:
    out = workdir / f"run{run}.jsonl"
    result = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(out),
            "-a", f"base_url={origin}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
            "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}", *args,
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in out.read_text("utf-8").splitlines() if line.strip()]


def article_fetches(requested: list[str]) -> list[str]:
    return [p.split("?")[0] for p in requested if ARTICLE.match(p)]


def add_feed_item(site: Path, link: str) -> None:
    feed = site / "en" / "rss.xml"
    item = (
        f"<item><title>x</title><link>{link}</link>"
        f"<pubDate>{datetime.now(UTC):%a, %d %b %Y %H:%M:%S} GMT</pubDate></item>"
    )
    feed.write_text(feed.read_text("utf-8").replace("<item>", item + "<item>", 1), "utf-8")


def test_four_runs_fetch_only_what_is_new(tmp_path: Path) -> None:
    site = tmp_path / "www"
    shutil.copytree(FIXTURE_SITE, site)
    # The bot-check page is retried every run (the article may be there next time);
    # leave it out so that "unchanged site" means no article fetch at all.
    economy = site / "en" / "economy.html"
    economy.write_text(
        re.sub(r'<div class="news-item">\s*<h2><a href="/en/news/600001/.*?</div>\s*', "",
               economy.read_text("utf-8"), count=1, flags=re.S),
        "utf-8",
    )  # fmt: skip
    requested: list[str] = []
    with serve(site, requested=requested) as origin:
        first = crawl(origin, tmp_path, 1)
        assert len(first) >= 13
        first_fetches = article_fetches(requested)

        requested.clear()
        assert crawl(origin, tmp_path, 2) == []
        assert article_fetches(requested) == []
        assert any(p.startswith("/en/politics") for p in requested), "listings are still read"

        source = site / EDITED
        new_page = site / NEW_PATH.lstrip("/")
        new_page.parent.mkdir(parents=True)
        new_page.write_text(
            source.read_text("utf-8")
            .replace("512044/lebanon-cabinet-approves-electricity-emergency-plan", NEW_PATH[9:])
            .replace("Lebanon’s caretaker cabinet", "Kuwait’s water ministry")
            .replace(
                "Lebanese cabinet approves emergency plan", "Kuwait opens new desalination plant"
            ),
            "utf-8",
        )
        add_feed_item(site, "https://www.arabstoday.net" + NEW_PATH)
        requested.clear()
        third = crawl(origin, tmp_path, 3)
        assert article_fetches(requested) == [NEW_PATH]
        assert [r["title"] for r in third] == [
            "Kuwait opens new desalination plant to extend power supply hours"
        ]

        time.sleep(1.1)  # the edit must be later than run 3's fetch, at second precision
        source.write_text(
            source.read_text("utf-8").replace(
                "between eight and ten hours", "between nine and eleven hours"
            ),
            "utf-8",
        )
        sitemap = site / "sitemaps" / "en.xml"
        edited_at = datetime.now(UTC).replace(microsecond=0).isoformat()
        sitemap.write_text(
            re.sub(
                r"(512044/lebanon-cabinet-approves-electricity-emergency-plan</loc>\s*<lastmod>)[^<]+",
                rf"\g<1>{edited_at}",
                sitemap.read_text("utf-8"),
            ),
            "utf-8",
        )
        add_feed_item(site, REPUBLISHED + "?utm_source=rss&utm_medium=feed")
        requested.clear()
        fourth = crawl(origin, tmp_path, 4)
        assert article_fetches(requested) == ["/" + EDITED.removesuffix(".html")]
        [edited] = fourth
        assert "between nine and eleven hours" in edited["body"]
        assert edited["modified"] == edited_at

        requested.clear()
        recrawled = crawl(origin, tmp_path, 5, "-a", "recrawl=1")
        assert len(recrawled) == len(first) + 1
        assert sorted(article_fetches(requested)) == sorted([*first_fetches, NEW_PATH])
