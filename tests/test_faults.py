"""A hostile web, end to end: one crawl of a site where most URLs misbehave.

tests/faultserver.py serves arabstoday's URL shape on 127.0.0.1; every case below
gives one article URL one fault. One crawl (module fixture) covers them all; each
case then states its outcome: emitted or not (the good pages around the faults all
are, each exactly once), how many times the server was asked, the named stat it is
counted in, and that it is logged once with its URL. Robots.txt variants and the
50,000-URL sitemap need their own sites and crawls.
"""

from __future__ import annotations

import gzip
import resource
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.utils.gz import gunzip

from newscrawl import exitcodes
from newscrawl.discovery.sources import parse_sitemap
from newscrawl.discovery.urls import url_key

from .crawlrun import Run, crawl, path_of
from .faultserver import (
    REAL_ORIGIN,
    Fault,
    FaultSite,
    Page,
    fault,
    gzip_bomb,
    make_article,
    retry_after_date,
    rss,
    serve,
    sitemap_index,
    urlset,
)

MAXSIZE = 1_000_000


@dataclass
class Case:
    name: str
    fault: Fault
    emitted: bool
    stats: dict[str, int] = field(default_factory=dict)  # stat -> this case's share
    hits: int | None = None  # requests the server should see for the URL
    log: str | None = "WARNING"  # the one log line's minimum level (None: no line)
    language: str = "en"


RA = {"Retry-After": "1"}
RA_DATE = {"Retry-After": retry_after_date(3600)}  # an hour: more than the cap (2 s here)
CASES = [
    # Transient server errors: retried, then fetched.
    Case("http_500_burst", fault("status", 2, code=500), True,
         {"retry/reason_count/500 Internal Server Error": 2}, hits=3, log="INFO"),
    Case("http_502_once", fault("status", 1, code=502), True,
         {"retry/reason_count/502 Bad Gateway": 1}, hits=2, log="INFO"),
    Case("http_503_burst", fault("status", 2, code=503), True,
         {"retry/reason_count/503 Service Unavailable": 2}, hits=3, log="INFO"),
    # Gone: counted, not retried.
    Case("http_404", fault("status", code=404), False, {"newscrawl/http/404": 1}, hits=1),
    Case("http_410", fault("status", code=410), False, {"newscrawl/http/410": 1}, hits=1),
    # Rate limits with Retry-After: the domain pauses, then the retry succeeds.
    Case("http_429_retry_after", fault("status", 1, code=429, headers=RA), True,
         {"newscrawl/retry_after/paused": 1, "retry/reason_count/429 Unknown Status": 1},
         hits=2, log="INFO"),
    Case("http_503_retry_after_date", fault("status", 1, code=503, headers=RA_DATE), True,
         {"newscrawl/retry_after/paused": 1, "retry/reason_count/503 Service Unavailable": 1},
         hits=2, log="INFO"),
    # The network: timeouts, resets mid-body, a drip, a short body.
    Case("timeout_once", fault("hang", 1), True,
         {"retry/reason_count/scrapy.exceptions.DownloadTimeoutError": 1}, hits=2, log="INFO"),
    Case("timeout_always", fault("hang"), False, {"newscrawl/errors/DownloadTimeoutError": 1,
         "retry/reason_count/scrapy.exceptions.DownloadTimeoutError": 2}, hits=3),
    Case("reset_mid_body_once", fault("reset", 1), True,
         {"retry/reason_count/scrapy.exceptions.ResponseDataLossError": 1}, hits=2, log="INFO"),
    Case("reset_mid_body_always", fault("reset"), False,
         {"newscrawl/errors/ResponseDataLossError": 1,
          "retry/reason_count/scrapy.exceptions.ResponseDataLossError": 2}, hits=3),
    Case("drip_one_byte_a_second", fault("drip"), False,
         {"newscrawl/errors/DownloadTimeoutError": 1,
          "retry/reason_count/scrapy.exceptions.DownloadTimeoutError": 2}, hits=3),
    Case("body_shorter_than_content_length", fault("short"), False,
         {"newscrawl/errors/ResponseDataLossError": 1,
          "retry/reason_count/scrapy.exceptions.ResponseDataLossError": 2}, hits=3),
    # Bodies.
    Case("invalid_gzip", fault("bad_gzip"), False, {"newscrawl/download/bad_encoding": 1}, 1),
    Case("gzip_bomb", fault("gzip_bomb", size=32 * MAXSIZE), False,
         {"newscrawl/download/too_large_decompressed": 1}, hits=1),
    Case("huge_page", fault("huge", size=3 * MAXSIZE), False,
         {"newscrawl/download/too_large": 1}, hits=1),
    Case("huge_page_no_length", fault("huge", size=3 * MAXSIZE, stream=True), False,
         {"newscrawl/download/too_large": 1}, hits=1),
    Case("binary_as_html", fault("binary"), False, {"newscrawl/skipped/binary": 1}, hits=1),
    Case("empty_200", fault("empty"), False, {"newscrawl/skipped/empty": 1}, hits=1),
    # Charsets (Arabic pages): decoded right, emitted with the exact text.
    Case("cp1256_meta_only", fault("charset", variant="meta_only"), True, log=None,
         language="ar"),
    Case("header_utf8_body_cp1256", fault("charset", variant="header_utf8_body_cp1256"), True,
         {"newscrawl/charset/header_mismatch": 1}, log="INFO", language="ar"),
    Case("header_latin1_body_cp1256", fault("charset", variant="header_latin1_body_cp1256"),
         True, {"newscrawl/charset/header_mismatch": 1}, log="INFO", language="ar"),
    Case("header_latin1_body_utf8", fault("charset", variant="header_latin1_body_utf8"), True,
         {"newscrawl/charset/header_mismatch": 1}, log="INFO", language="ar"),
    Case("header_cp1256_body_utf8", fault("charset", variant="header_cp1256_body_utf8"), True,
         {"newscrawl/charset/header_mismatch": 1}, log="INFO", language="ar"),
    Case("meta_utf8_body_cp1256", fault("charset", variant="meta_utf8_body_cp1256"), True,
         {"newscrawl/charset/meta_mismatch": 1}, log="INFO", language="ar"),
    Case("undeclared_cp1256", fault("charset", variant="undeclared_cp1256"), True, log=None,
         language="ar"),
    Case("utf8_with_bom", fault("charset", variant="bom"), True, log=None, language="ar"),
    Case("mojibake", fault("charset", variant="mojibake"), True,
         {"newscrawl/extraction/mojibake": 1}, log="INFO", language="ar"),
    # Redirects.
    Case("redirect_loop", fault("redirect", location="{self}"), False,
         {"newscrawl/redirect/loop": 1}, hits=1),
    Case("redirect_offsite", fault("redirect", location="https://evil.example/x"), False,
         {"newscrawl/redirect/offsite": 1}, hits=1),
    Case("redirect_private", fault("redirect", location="http://10.1.2.3/en/news/1/x"), False,
         {"newscrawl/ssrf/blocked/private": 1}, hits=1),
    Case("redirect_metadata", fault("redirect", location="http://169.254.169.254/latest/"),
         False, {"newscrawl/ssrf/blocked/link_local": 1}, hits=1),
    Case("redirect_loopback_other_port", fault("redirect", location="http://127.0.0.1:9/x"),
         False, {"newscrawl/ssrf/blocked/loopback": 1}, hits=1),
    Case("redirect_ipv6_loopback", fault("redirect", location="http://[::1]:{port}/x"), False,
         {"newscrawl/ssrf/blocked/loopback": 1}, hits=1),
    Case("redirect_file_scheme", fault("redirect", location="file:///etc/passwd"), False,
         {"newscrawl/ssrf/blocked/scheme": 1}, hits=1),
    Case("redirect_gopher_scheme", fault("redirect", location="gopher://10.9.9.9:6379/_x"),
         False, {"newscrawl/ssrf/blocked/scheme": 1}, hits=1),
    Case("redirect_to_article", fault("redirect", 1, status=301, location="{hidden}"), True,
         hits=1, log=None),
    # Interstitials served with 200.
    Case("bot_check", fault("interstitial", variant="bot_check"), False,
         {"newscrawl/skipped/interstitial/bot_check": 1}, hits=1),
    Case("consent_wall", fault("interstitial", variant="consent_wall"), False,
         {"newscrawl/skipped/interstitial/consent_wall": 1}, hits=1),
    Case("paywall", fault("interstitial", variant="paywall"), False,
         {"newscrawl/skipped/interstitial/consent_wall": 1}, hits=1),
]  # fmt: skip
GOOD = [make_article(100_100 + i) for i in range(6)] + [
    make_article(200_100 + i, "ar") for i in range(4)
]
ARTICLES = {
    case.name: make_article((400_000 if case.language == "ar" else 300_000) + i, case.language)
    for i, case in enumerate(CASES)
}
HIDDEN = make_article(310_000)  # where redirect_to_article goes; listed nowhere
# Links in the Arabic feed that must never be requested (to_fetch drops them); the
# last two are unparsable (before, they raised in the callback and lost the feed).
HOSTILE_LINKS = ("http://10.0.0.1/ar/news/700001/x", "http://169.254.169.254/latest/meta-data/",
                 "file:///etc/passwd", "http://localhost:6379/ar/news/700002/x",
                 "http://[zz::1]/ar/news/700003/x",
                 "https://www.arabstoday.net:99999/ar/news/700004/x")  # fmt: skip
ENTITY_BOMB = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)  # fmt: skip
XML_BOMB = f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{ENTITY_BOMB}]>\n'
TRUNCATED_AFTER = 3  # complete <item>s in the cut Arabic feed
# A gzipped sitemap whose XML was cut short, inside the fifth <loc>.
_URLSET = urlset([REAL_ORIGIN + a.path for a in GOOD])
CUT_GZIP_SITEMAP = gzip.compress(_URLSET[: _URLSET.index(GOOD[4].path.encode()) + 12])


def hostile_site() -> FaultSite:
    listed = GOOD + list(ARTICLES.values())
    faults = {}
    for case in CASES:
        article = ARTICLES[case.name]
        params = dict(case.fault.params)
        if "location" in params:
            params["location"] = (
                params["location"]
                .replace("{self}", "{origin}" + article.path)
                .replace("{hidden}", "{origin}" + HIDDEN.path)
            )
        faults[article.path] = Fault(case.fault.kind, case.fault.times, params)
    site = FaultSite(listed, faults, hidden=[HIDDEN])
    site.pages["/robots.txt"] = Page(
        (
            "User-agent: *\nDisallow: /admin/\n"
            f"Sitemap: {REAL_ORIGIN}/sitemap_index.xml\n"
            f"Sitemap: {REAL_ORIGIN}/sitemap-bomb.xml.gz\n"
            f"Sitemap: {REAL_ORIGIN}/sitemap-cut.xml.gz\n"
        ).encode(),
        "text/plain",
    )
    # A sitemap index listing itself (a loop) and the real urlset.
    site.pages["/sitemap_index.xml"] = Page(
        sitemap_index([f"{REAL_ORIGIN}/sitemap_index.xml", f"{REAL_ORIGIN}/sitemap.xml"]),
        "application/xml",
    )
    site.pages["/sitemap-bomb.xml.gz"] = Page(gzip_bomb(16 * MAXSIZE), "application/gzip")
    site.pages["/sitemap-cut.xml.gz"] = Page(CUT_GZIP_SITEMAP, "application/gzip")
    # The English feed declares a billion laughs; the Arabic one is cut mid-item and
    # starts with links to internal addresses.
    english = [a for a in listed if a.language == "en"]
    laughs = "<item><title>&lol9;</title><link>https://www.arabstoday.net/x</link></item>"
    site.pages["/en/rss"] = Page(rss(english, laughs, XML_BOMB), "application/rss+xml")
    arabic = [a for a in listed if a.language == "ar"]
    hostile = "".join(f"<item><title>x</title><link>{u}</link></item>\n" for u in HOSTILE_LINKS)
    head, item, rest = rss(arabic[: TRUNCATED_AFTER + 1]).decode().partition("<item>")
    full = head + hostile + item + rest
    cut = full[: full.rindex("<item>") + 20]  # inside the title of the last item
    site.pages["/ar/rss"] = Page(cut.encode(), "application/rss+xml")
    return site


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultSite, Run]]:
    site = hostile_site()
    workdir = tmp_path_factory.mktemp("hostile")
    with serve(site) as origin:
        run = crawl(
            origin, workdir,
            "-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}", "-s", "DOWNLOAD_WARNSIZE=0",
            "-s", "NEWSCRAWL_MAX_ERROR_RATE=1", "-s", "NEWSCRAWL_RETRY_AFTER_MAX=2",
            "-s", f"NEWSCRAWL_SOURCE_MAXSIZE={4 * MAXSIZE}",  # the sitemap bomb stays one
        )  # fmt: skip
    yield site, run


def test_the_run_completes_and_emits_every_good_page_once(hostile: tuple[FaultSite, Run]) -> None:
    site, run = hostile
    # The run completes, but its damaged feeds and sitemaps are named and fail the
    # verdict (the one ERROR line): a run that could not read its sources is not "ok".
    assert run.code == exitcodes.ERROR_RATE, run.log[-3000:]
    # (The feed with the entity bomb is read past it: damaged, not failed.)
    assert sorted(run.stats["newscrawl/discovery/failed_sources"]) == [
        f"too_large {site.origin}/sitemap-bomb.xml.gz",
        f"truncated {site.origin}/ar/rss",
        f"truncated {site.origin}/sitemap-cut.xml.gz",
    ]
    assert run.stats["newscrawl/exit_reason"].startswith("3 feed/sitemaps failed: ")
    assert run.stats["finish_reason"] == "finished"
    assert "Traceback" not in run.log, run.log[-3000:]
    assert not run.stat("spider_exceptions/count") and not run.stat("log_count/ERROR")
    assert len(run.lines_about("run result: exit code 4", "ERROR")) == 1
    paths = Counter(path_of(r) for r in run.records)
    assert max(paths.values()) == 1, "an article was emitted twice"
    keys = Counter(url_key(r["canonical_url"]) for r in run.records)
    assert max(keys.values()) == 1
    expected = {a.path for a in GOOD} | {ARTICLES[c.name].path for c in CASES if c.emitted}
    expected = (expected - {ARTICLES["redirect_to_article"].path}) | {HIDDEN.path}
    assert set(paths) == expected
    by_path = {**{a.path: a for a in GOOD}, **{a.path: a for a in ARTICLES.values()}}
    by_path[HIDDEN.path] = HIDDEN
    for record in run.records:
        article = by_path[path_of(record)]
        assert record["body"] == article.body, record["url"]
        assert record["title"] == article.title
        assert record["language"] == article.language


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault(case: Case, hostile: tuple[FaultSite, Run]) -> None:
    site, run = hostile
    article = ARTICLES[case.name]
    emitted = {path_of(r): r for r in run.records}
    target = HIDDEN if case.name == "redirect_to_article" else article
    assert (target.path in emitted) is case.emitted
    if case.emitted:
        assert emitted[target.path]["body"] == target.body
    if case.hits is not None:
        assert len(site.requests_for(article.path)) == case.hits
    for stat in case.stats:
        share = sum(c.stats.get(stat, 0) for c in CASES)
        assert run.stat(stat) == share, stat
    url = site.origin + article.path
    if case.log is None:
        assert run.lines_about(url, "WARNING") == []
    else:
        lines = [
            line for line in run.lines_about(url, case.log)
            if "won't be shown in further requests" not in line  # Scrapy's one notice a run
        ]  # fmt: skip
        assert len(lines) == 1, lines


def test_retry_after_pauses_the_domain_capped(hostile: tuple[FaultSite, Run]) -> None:
    _, run = hostile
    assert run.stat("newscrawl/retry_after/paused") == 2
    assert run.stat("newscrawl/retry_after/seconds") == 1 + 2  # "1", and an hour capped at 2
    assert run.stat("newscrawl/retry_after/capped") == 1


class _Slot:
    def __init__(self) -> None:
        self.latercall: Any = None


class _Later:
    def __init__(self, delay: float) -> None:
        self.delay, self.cancelled = delay, False

    def cancel(self) -> None:
        self.cancelled = True


def test_retry_after_pauses_the_download_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    """The slot (the domain) holds its queue for min(Retry-After, cap) seconds; a shorter
    wish does not shorten a pause, a longer one extends it. No clock involved."""
    from scrapy import Spider
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    import newscrawl.guards.faults as faults

    crawler = get_crawler(Spider, {"NEWSCRAWL_RETRY_AFTER_MAX": 30, "RETRY_TIMES": 2})
    slot = _Slot()
    downloader = SimpleNamespace(
        DOWNLOAD_SLOT="download_slot", slots={"news.example": slot},
        get_slot_key=lambda request: "news.example", _latercall=lambda s: None,
    )  # fmt: skip
    crawler.engine = SimpleNamespace(downloader=downloader)  # type: ignore[assignment]
    calls: list[tuple[float, Any, Any]] = []

    def call_later(delay: float, func: Any, arg: Any) -> _Later:
        calls.append((delay, func, arg))
        return _Later(delay)

    monkeypatch.setattr(faults, "call_later", call_later)
    middleware = faults.RetryAfterMiddleware.from_crawler(crawler)
    request = Request("http://news.example/a")

    def answer(status: int, retry_after: str) -> None:
        response = HtmlResponse(request.url, status=status, headers={"Retry-After": retry_after})
        assert middleware.process_response(request, response) is response  # Scrapy retries

    answer(429, "3600")
    assert [(d, a) for d, _, a in calls] == [(30, slot)] and slot.latercall.delay == 30
    answer(503, "5")  # shorter than the pause under way: nothing changes
    assert len(calls) == 1
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/retry_after/capped") == 1
    assert crawler.stats.get_value("newscrawl/retry_after/paused") == 2
    answer(500, "10")  # Retry-After only counts with 429 and 503
    assert len(calls) == 1


def test_hostile_feeds_and_sitemaps(hostile: tuple[FaultSite, Run]) -> None:
    site, run = hostile
    # Billion laughs in /en/rss: nothing expanded; the items before the one that uses
    # the entity are read, that one is not.
    assert run.stat("newscrawl/discovery/xml_entities") == 1
    english = sum(1 for a in [*GOOD, *ARTICLES.values()] if a.language == "en")
    # The cut /ar/rss: the entries before the cut are used; the internal links are not.
    # Not well-formed: the bomb (libxml2 refuses the amplification), the cut feed, the
    # cut gzip sitemap.
    assert run.stat("newscrawl/discovery/malformed_xml") == 3
    assert run.stat("newscrawl/discovery/feed/articles") == english + TRUNCATED_AFTER
    assert run.stat("newscrawl/discovery/feed/offsite") == len(HOSTILE_LINKS)
    # The index that lists itself is read once; the gzip bomb is refused (and nothing
    # raised in the spider); the cut gzip sitemap gives its whole URLs, not the cut one.
    assert len(site.requests_for("/sitemap_index.xml")) == 1
    assert run.stat("newscrawl/discovery/sitemap_loop") == 1
    assert run.stat("newscrawl/discovery/invalid_sitemap") == 1
    whole = parse_sitemap(gunzip(CUT_GZIP_SITEMAP)).entries
    assert [e.url for e in whole] == [REAL_ORIGIN + a.path for a in GOOD[:4]]
    assert run.stat("newscrawl/discovery/sitemap/articles") == len(GOOD) + len(CASES) + len(whole)
    assert not run.stat("newscrawl/http/404") - 1  # only the 404 case: no cut URL fetched
    assert len(source_lines(run, f"{site.origin}/sitemap_index.xml")) == 1
    # Two facts about one feed (entities; not well-formed), one line each.
    assert len(source_lines(run, f"{site.origin}/en/rss")) == 2
    assert len(source_lines(run, f"{site.origin}/ar/rss")) == 1
    assert len(source_lines(run, f"{site.origin}/sitemap-cut.xml.gz")) == 1
    assert len(source_lines(run, f"{site.origin}/sitemap-bomb.xml.gz")) == 1


def source_lines(run: Run, url: str) -> list[str]:
    """WARNING+ lines about a feed or sitemap, but the run's verdict that lists them."""
    return [line for line in run.lines_about(url, "WARNING") if "run result" not in line]


def test_internal_links_are_never_requested(hostile: tuple[FaultSite, Run]) -> None:
    site, run = hostile
    requested = {hit.path for hit in site.hits}
    assert not any(p.startswith(("/latest", "/x", "/_x")) for p in requested)
    assert run.stat("newscrawl/ssrf/blocked") == sum(
        n for c in CASES for k, n in c.stats.items() if k.startswith("newscrawl/ssrf/blocked/")
    )


# -- robots.txt ----------------------------------------------------------------------

ROBOTS_ARTICLES = [make_article(600_000 + i) for i in range(4)] + [
    make_article(600_100 + i, "ar") for i in range(2)
]


@pytest.mark.parametrize(
    ("name", "robots", "fetched", "stat"),
    [
        # 4xx: unavailable, everything allowed (RFC 9309 2.3.1.3).
        ("robots_404", fault("status", code=404), "all", "newscrawl/robots/allow_all/404"),
        ("robots_410", fault("status", code=410), "all", "newscrawl/robots/allow_all/410"),
        # 5xx (after retries) and unreachable: complete disallow (2.3.1.4).
        ("robots_503", fault("status", code=503), "none", "newscrawl/robots/disallow_all/503"),
        ("robots_timeout", fault("hang"), "none",
         "newscrawl/robots/disallow_all/DownloadTimeoutError"),
        ("robots_reset", fault("reset"), "none",
         "newscrawl/robots/disallow_all/ResponseDataLossError"),
        # A section disallowed: its pages are not fetched, the rest are.
        ("robots_disallow_arabic", None, "en", "robotstxt/forbidden"),
    ],
)  # fmt: skip
def test_robots_txt(
    tmp_path: Path, name: str, robots: Fault | None, fetched: str, stat: str
) -> None:
    site = FaultSite(ROBOTS_ARTICLES, {"/robots.txt": robots} if robots else {})
    if robots is None:
        site.pages["/robots.txt"] = Page(
            f"User-agent: *\nDisallow: /ar/\n\nSitemap: {REAL_ORIGIN}/sitemap.xml\n".encode(),
            "text/plain",
        )
    with serve(site) as origin:
        run = crawl(origin, tmp_path, "-s", "RETRY_TIMES=1")
    assert "Traceback" not in run.log
    assert run.stats["finish_reason"] == "finished"
    emitted = {path_of(r) for r in run.records}
    article_hits = {h.path for h in site.hits if "/news/" in h.path}
    if fetched == "all":
        assert emitted == {a.path for a in ROBOTS_ARTICLES}
        assert run.stat(stat) == 1
    elif fetched == "none":
        assert emitted == set() and article_hits == set()
        assert run.stat(stat) == 1
        lines = run.lines_about("robots.txt", "WARNING")
        assert len([x for x in lines if "won't be shown in further requests" not in x]) == 1
        assert run.code == exitcodes.NO_ITEMS  # the run says it got nothing
        assert {h.path for h in site.hits} == {"/robots.txt"}
    else:
        english = {a.path for a in ROBOTS_ARTICLES if a.language == "en"}
        assert emitted == english and article_hits == english
        # /ar/rss, /ar/politics and the two Arabic articles (from the sitemap)
        assert run.stat(stat) == 4
        assert len(run.lines_about("Forbidden by robots.txt", "INFO")) == 1
        assert run.code == 0


# -- a sitemap of 50,000+ URLs --------------------------------------------------------

BIG = 50_001


def test_sitemap_with_50000_urls_is_read_whole(tmp_path: Path) -> None:
    """All entries discovered; memory stays sane. The URLs are already in the state
    store, so discovery counts and skips them without fetching 50,000 pages."""
    fresh = [make_article(800_000 + i) for i in range(3)]
    urls = [f"{REAL_ORIGIN}/en/news/{900_000 + i}/big-{i}" for i in range(BIG)]
    site = FaultSite(fresh)
    site.pages["/sitemap.xml"] = Page(urlset(urls + [REAL_ORIGIN + a.path for a in fresh]),
                                      "application/xml")  # fmt: skip
    assert len(site.pages["/sitemap.xml"].body) > 3_000_000
    with serve(site) as origin:
        seed_state(tmp_path / "state.sqlite3", [u.replace(REAL_ORIGIN, origin) for u in urls])
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        run = crawl(origin, tmp_path)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert run.code == 0, run.log[-3000:]
    assert run.stat("newscrawl/discovery/sitemap/articles") == BIG + len(fresh)
    assert run.stat("newscrawl/state/skipped_seen") >= BIG
    assert {path_of(r) for r in run.records} == {a.path for a in fresh}
    assert not any("/big-" in h.path for h in site.hits)
    # Peak RSS of any child so far; the crawl itself must stay well under 1 GB.
    assert max(peak_kib, before) < 1024 * 1024, f"{peak_kib} KiB"


def seed_state(path: Path, urls: list[str]) -> None:
    """Mark URLs seen, as an earlier run would have."""
    from newscrawl.storage.state import SQLiteStore

    store = SQLiteStore(path)
    store.close()
    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "INSERT INTO articles (key, url, fetched_at, fingerprint) VALUES (?, ?, 0, NULL)",
            [(url_key(u), u) for u in urls],
        )
    db.close()


def test_articles_are_plain_utf8_arabic(hostile: tuple[FaultSite, Run]) -> None:
    _, run = hostile
    arabic = [r for r in run.records if r["language"] == "ar"]
    expected = [a for a in [*GOOD, *ARTICLES.values()] if a.language == "ar"]
    assert len(arabic) == len(expected)
    for record in arabic:
        assert "\ufffd" not in record["body"] and "ظ…" not in record["body"]
