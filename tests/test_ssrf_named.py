"""Origins the user names on the command line pass the SSRF guard, the same way for
every command (newscrawl.guards.ssrf.named_urls): ``-a base_url=``, the news spider's
``-a site=``/``feeds=``/``sitemaps=``, ``scrapy extract URL`` and ``scrapy shell URL``.
Exactly those origins: a redirect to another loopback port is still refused. Real
subprocess runs against the fault site on 127.0.0.1, guard on, nothing allow-listed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl import exitcodes
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.guards.ssrf import SsrfPolicy, named_urls
from newscrawl.spiders.news import GenericNewsSpider

from .crawlrun import FAST
from .faultserver import REAL_ORIGIN, FaultSite, Page, fault, make_article, rss, serve, urlset

ARTICLES = [make_article(760_000 + i) for i in range(3)]
TRAP = make_article(760_100)  # redirects to another loopback port: must stay refused


def local_site() -> FaultSite:
    site = FaultSite([*ARTICLES, TRAP])
    site.faults[TRAP.path] = fault("redirect", location="http://127.0.0.1:9/x")
    return site


def publish(site: FaultSite, origin: str) -> None:
    """A feed and a sitemap that list the articles on the local origin itself."""
    listed = [*ARTICLES, TRAP]
    site.pages["/local/rss"] = Page(
        rss(listed).replace(REAL_ORIGIN.encode(), origin.encode()), "application/rss+xml"
    )
    site.pages["/local/sitemap.xml"] = Page(
        urlset([origin + a.path for a in listed]), "application/xml"
    )


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=PROJECT_ROOT, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("argument", ["feeds", "sitemaps"])
def test_news_spider_may_crawl_the_origin_it_is_given(tmp_path: Path, argument: str) -> None:
    site = local_site()
    feed = tmp_path / "items.jsonl"
    stats = tmp_path / "stats.json"
    with serve(site) as origin:
        publish(site, origin)
        source = f"{origin}/local/rss" if argument == "feeds" else f"{origin}/local/sitemap.xml"
        done = scrapy(
            "crawl", "news", "-a", f"{argument}={source}", "-O", str(feed), *FAST,
            "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
            "-s", "STATS_CLASS=tests.stats_dump.JsonDumpStats", "-s", f"STATS_DUMP_PATH={stats}",
        )  # fmt: skip
    records = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    assert sorted(r["url"] for r in records) == sorted(origin + a.path for a in ARTICLES), (
        done.stderr[-3000:]
    )
    counted = json.loads(stats.read_text("utf-8"))
    assert counted.get("newscrawl/ssrf/blocked/loopback") == 1  # the redirect, nothing else
    assert "SSRF guard: not requesting http://127.0.0.1:9/x" in done.stderr


def test_every_url_argument_of_the_news_spider_is_named() -> None:
    spider = GenericNewsSpider(
        site="http://127.0.0.1:8001", feeds="http://127.0.0.1:8002/rss",
        sitemaps="http://localhost:8003/s.xml,http://127.0.0.1:8004/t.xml",
    )  # fmt: skip
    policy = SsrfPolicy.build([], named_urls(spider, Settings()))
    for url in ("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/b", "http://localhost:8003/c",
                "http://127.0.0.1:8004/d"):  # fmt: skip
        assert policy.check_url(url) == (None, None), url
    for url in ("http://127.0.0.1:8005/", "https://127.0.0.1:8001/", "http://2130706433:8001/"):
        assert policy.check_url(url)[0] == "loopback", url  # exactly the named origins


def test_shell_may_open_the_url_it_is_given() -> None:
    site = local_site()
    with serve(site) as origin:
        article = f"{origin}{ARTICLES[0].path}"
        opened = scrapy("shell", article, "--nolog", "-c", "(response.status, response.url)")
        trap = scrapy("shell", f"{origin}{TRAP.path}", "--nolog", "-c", "response")
    assert opened.stdout.strip() == repr((200, article)), opened.stderr[-3000:]
    assert trap.stdout.strip() in ("", "None"), trap.stdout  # the redirect stays refused
    assert not site.requests_for("/x")


def test_extract_and_base_url_keep_their_named_origin(tmp_path: Path) -> None:
    site = local_site()
    with serve(site) as origin:
        done = scrapy("extract", f"{origin}{ARTICLES[0].path}", "--spider", "arabstoday")
    assert done.returncode == exitcodes.OK, done.stderr[-3000:]
    assert json.loads(done.stdout)["title"] == ARTICLES[0].title
