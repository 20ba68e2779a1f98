"""Canonical URLs are hints, shared furniture is not a story: end to end, as a user meets it.

A small site on 127.0.0.1 (served by the test, crawled by ``scrapy crawl news`` in a
subprocess): six articles whose ``<link rel=canonical>`` is the home page, four that
share one canonical, one whose og:url is on another domain. Every article is emitted,
each rejection is counted, a second run fetches nothing and a third run fetches the new
articles that carry the same wrong canonicals. A URL known only as other pages'
canonical (never fetched itself) is fetched once when a feed lists it: a different
article there is emitted, the same one dropped as a duplicate. A second site: six
short stories ending in one long disclaimer, under ``NEWSCRAWL_NEAR_DUPLICATES=drop``:
all six emitted, and a real re-edit of one of them still dropped (which of the two is
first is the crawl's order).
"""

from __future__ import annotations

import html
import json
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl import exitcodes
from newscrawl.api import extract
from newscrawl.fixtureserver import PROJECT_ROOT, serve
from newscrawl.pipelines import DeduplicatePipeline
from newscrawl.sites.registry import site_spiders
from newscrawl.storage.state import SQLiteStore
from newscrawl.storage.stores import store_for
from tests.redis_server import redis_db_fixture, redis_server_fixture  # noqa: F401

from .crawlrun import FAST

ArabsTodaySpider = site_spiders()["arabstoday"]

HOST = "https://news.example.com"
SHARED = f"{HOST}/news/2024/05/10/the-one-true-story"
TOPICS = (
    ("Port of Aqaba", "cranes", "container traffic rose by a fifth"),
    ("Amman council", "buses", "the new routes open in September"),
    ("Beirut airport", "runways", "repairs will take two more months"),
    ("Tunis market", "olive oil", "prices fell for the third week"),
    ("Cairo metro", "tunnels", "line four reaches the pyramids in 2027"),
    ("Doha museum", "manuscripts", "the collection doubles by spring"),
    ("Muscat harbour", "ferries", "the island service resumes on Friday"),
    ("Rabat library", "archives", "scanning covers a million pages"),
    ("Kuwait grid", "turbines", "the summer peak will be met"),
    ("Baghdad bridge", "pillars", "traffic crosses again next year"),
    ("Jeddah corniche", "seawall", "the promenade reopens in June"),
    ("Erbil airport", "terminal", "passenger numbers set a record"),
    ("Manama souq", "pearls", "traders expect a busy season"),
    ("Aden port", "warehouses", "exports resume within weeks"),
    ("Sfax factory", "looms", "orders from Europe are back"),
    ("Nablus school", "classrooms", "lessons start after the holiday"),
)


VOCABULARY = (
    "minister council budget water power road school hospital court police army port "
    "market price bank loan tax oil gas farm wheat rain flood storm heat fire bridge "
    "tunnel railway airport flight ship truck border village city district mayor judge "
    "union strike wage worker factory plant mine cotton olive fish tourism hotel museum "
    "library archive election vote party leader speech report survey census doctor nurse "
    "vaccine clinic teacher student exam university research science engine grid cable "
    "network phone internet company share profit debt fund aid donor refugee camp tent "
    "winter summer harvest drought river lake dam canal coast island desert mountain"
).split()


def story(number: int, topic: tuple[str, str, str]) -> list[str]:
    """Three paragraphs: the topic's words and 90 words drawn for this story alone."""
    place, thing, outcome = topic
    words = random.Random(number).choices(VOCABULARY, k=90)
    return [
        f"Officials at the {place} said the {thing} " + " ".join(words[:30]) + ".",
        f"The {thing} work, number {number}, " + " ".join(words[30:60]) + ".",
        f"Residents said {outcome}, " + " ".join(words[60:]) + ".",
    ]


def page(title: str, paragraphs: list[str], head: str = "") -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="2024-05-01T10:00:00+00:00">{head}'
        f"</head><body><header><a href='/'>Home</a></header><article><h1>{title}</h1>"
        f"{body}</article><footer>News Example</footer></body></html>"
    )


def write_site(root: Path, pages: dict[str, str]) -> None:
    """Pages by path, and a sitemap listing them all (on the site's own host)."""
    for path, text in pages.items():
        target = root / (path.lstrip("/") + ".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    locs = "".join(f"<url><loc>{HOST}{path}</loc></url>" for path in pages)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>',
        "utf-8",
    )
    (root / "index.html").write_text(page("News Example", ["Front page."]), "utf-8")


def crawl(
    origin: str, workdir: Path, run: int, *args: str
) -> tuple[int, list[Any], dict[str, Any]]:
    out, stats = workdir / f"run{run}.jsonl", workdir / f"run{run}.stats.json"
    result = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(out),
            "-a", f"sitemaps={HOST}/sitemap.xml", "-a", f"base_url={origin}", *FAST,
            "-s", "STATS_CLASS=tests.stats_dump.JsonDumpStats", "-s", f"STATS_DUMP_PATH={stats}",
            "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}", *args,
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode in (exitcodes.OK, exitcodes.NO_ITEMS), result.stderr[-3000:]
    lines = out.read_text("utf-8").splitlines() if out.exists() else []
    return result.returncode, [json.loads(x) for x in lines], json.loads(stats.read_text("utf-8"))


def paths(records: list[dict[str, Any]]) -> set[str]:
    return {"/" + r["url"].split("/", 3)[3] for r in records}


def articles(requested: list[str]) -> list[str]:
    return [p for p in requested if p.startswith("/news/")]


def test_wrong_canonicals_lose_no_article_now_or_later(tmp_path: Path) -> None:
    site = tmp_path / "www"
    pages: dict[str, str] = {}
    topics = iter(TOPICS)
    for i in range(6):  # a CMS that names the home page as every article's canonical
        path = f"/news/2024/05/0{i + 1}/home-canonical-story-{i}"
        pages[path] = page(f"Home canonical {i}", story(i, next(topics)),
                           f'<link rel="canonical" href="{HOST}/">')  # fmt: skip
    for i in range(4):  # four different articles naming one canonical URL
        path = f"/news/2024/05/1{i + 1}/shared-canonical-story-{i}"
        pages[path] = page(f"Shared canonical {i}", story(10 + i, next(topics)),
                           f'<link rel="canonical" href="{SHARED}">')  # fmt: skip
    offsite = "/news/2024/05/20/offsite-og-url"
    og_url = '<meta property="og:url" content="https://elsewhere.example.org/x/1">'
    pages[offsite] = page("Offsite og:url", story(20, next(topics)), og_url)
    # A canonical naming another article (not yet published, or not yet listed).
    pointer, later = "/news/2024/05/21/points-elsewhere-88001", "/news/2024/06/03/real-88002"
    pages[pointer] = page("Points elsewhere", story(21, TOPICS[11]),
                          f'<link rel="canonical" href="{HOST}{later}">')  # fmt: skip
    write_site(site, pages)
    requested: list[str] = []
    with serve(site, requested=requested) as origin:
        code, first, stats = crawl(origin, tmp_path, 1)
        assert code == exitcodes.OK
        assert paths(first) == set(pages), "every article is emitted"
        assert stats["newscrawl/canonical/rejected/root"] == 6
        assert stats["newscrawl/canonical/rejected/shared"] == 3
        assert stats["newscrawl/canonical/rejected/offsite"] == 1
        assert stats["newscrawl/canonical/rejected/other_article"] == 1
        assert "newscrawl/dropped/duplicate_url" not in stats
        assert not any(r["duplicate_of"] for r in first)
        canonicals = [r["canonical_url"] for r in first]
        assert canonicals.count(SHARED) == 1  # the first page that named it keeps it
        assert not any("elsewhere" in (c or "") or c == f"{HOST}/" for c in canonicals)

        requested.clear()
        code, second, stats = crawl(origin, tmp_path, 2)
        assert (code, second, articles(requested)) == (exitcodes.OK, [], [])

        # New articles with the same wrong canonicals are new articles.
        extra = {
            "/news/2024/06/01/home-canonical-later": page(
                "Later home canonical", story(30, TOPICS[12]),
                f'<link rel="canonical" href="{HOST}/">'),
            "/news/2024/06/02/shared-canonical-later": page(
                "Later shared canonical", story(31, TOPICS[13]),
                f'<link rel="canonical" href="{SHARED}">'),
            later: page("The article another one named", story(32, TOPICS[14])),
        }  # fmt: skip
        write_site(site, {**pages, **extra})
        requested.clear()
        code, third, stats = crawl(origin, tmp_path, 3)
        assert paths(third) == set(extra)
        assert sorted(articles(requested)) == sorted(extra)
        assert stats["newscrawl/canonical/rejected/shared"] == 1
        assert stats["newscrawl/state/skipped_seen"] == len(pages)  # the old ones: known


def test_a_url_only_named_as_canonical_is_still_fetched(tmp_path: Path) -> None:
    """Four articles name /news/shared as canonical; the first keeps it. Later a real,
    different article is published at /news/shared: the next run fetches and emits it.
    /news/copy is named by one page and later serves that same story: fetched once,
    dropped as a duplicate, never fetched again. The site is crawled at its own origin
    (no base_url), so the canonical and the fetched URLs are one key space."""
    site = tmp_path / "www"
    requested: list[str] = []
    with serve(site, requested=requested) as origin:
        shared, copy = f"{origin}/news/2024/05/10/shared", f"{origin}/news/2024/05/11/copy"
        pages = {
            f"/news/2024/05/0{i + 1}/names-shared-{i}": page(
                f"Names shared {i}", story(40 + i, TOPICS[i]),
                f'<link rel="canonical" href="{shared}">')
            for i in range(4)
        }  # fmt: skip
        copied = story(50, TOPICS[5])
        pages["/news/2024/05/05/names-copy"] = page(
            "The copied story", copied, f'<link rel="canonical" href="{copy}">'
        )

        def publish(listed: dict[str, str]) -> None:
            write_site(site, listed)
            locs = "".join(f"<url><loc>{origin}{path}</loc></url>" for path in listed)
            (site / "sitemap.xml").write_text(
                '<?xml version="1.0" encoding="UTF-8"?><urlset '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>', "utf-8"
            )  # fmt: skip

        def run(number: int) -> tuple[list[Any], dict[str, Any]]:
            out, stats = tmp_path / f"run{number}.jsonl", tmp_path / f"run{number}.stats.json"
            result = subprocess.run(
                [
                    sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(out),
                    "-a", f"sitemaps={origin}/sitemap.xml", *FAST,
                    "-s", "STATS_CLASS=tests.stats_dump.JsonDumpStats",
                    "-s", f"STATS_DUMP_PATH={stats}",
                    "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
                ],
                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert result.returncode in (exitcodes.OK, exitcodes.NO_ITEMS), result.stderr[-3000:]
            lines = out.read_text("utf-8").splitlines()
            return [json.loads(x) for x in lines], json.loads(stats.read_text("utf-8"))

        publish(pages)
        first, _ = run(1)
        assert paths(first) == set(pages)
        assert [r["canonical_url"] for r in first].count(shared) == 1
        assert [r["canonical_url"] for r in first].count(copy) == 1

        later = {
            **pages,
            "/news/2024/05/10/shared": page("The one true story", story(60, TOPICS[6])),
            "/news/2024/05/11/copy": page("The copied story", copied),
        }
        publish(later)
        requested.clear()
        second, stats = run(2)
        assert sorted(articles(requested)) == ["/news/2024/05/10/shared", "/news/2024/05/11/copy"]
        assert paths(second) == {"/news/2024/05/10/shared"}  # the different article
        dropped = {k: v for k, v in stats.items() if k.startswith("newscrawl/dropped/")}
        assert dropped in ({"newscrawl/dropped/duplicate_url": 1},
                           {"newscrawl/dropped/duplicate_body": 1})  # fmt: skip

        requested.clear()
        third, _ = run(3)
        assert (third, articles(requested)) == ([], [])  # each fetched once, and known now


DISCLAIMER = (
    "Disclaimer: the views expressed in this article are those of the sources quoted and "
    "do not necessarily reflect the editorial policy of News Example, which takes no "
    "responsibility for their accuracy; readers should verify every figure with the "
    "relevant authorities before acting on it, and may write to the editors to report an "
    "error, which will be corrected within two working days of its confirmation by the "
    "desk, as our published standards require for all the stories on this website."
)


def short_story(topic: tuple[str, str, str]) -> list[str]:
    place, thing, outcome = topic
    return [f"The {place} said on Monday that the {thing} were ready and that {outcome}.",
            DISCLAIMER]  # fmt: skip


def test_short_stories_sharing_a_disclaimer_are_all_emitted_under_drop(tmp_path: Path) -> None:
    site = tmp_path / "www"
    pages = {
        f"/news/2024/07/0{i + 1}/short-story-{i}": page(f"Short story {i}", short_story(topic))
        for i, topic in enumerate(TOPICS[:6])
    }
    reedit = "/news/2024/07/09/short-story-0-updated"
    first_story = short_story(TOPICS[0])
    pages[reedit] = page(
        "Short story 0, updated", [first_story[0].replace("Monday", "Tuesday"), DISCLAIMER]
    )
    write_site(site, pages)
    with serve(site) as origin:
        code, records, stats = crawl(origin, tmp_path, 1, "-s", "NEWSCRAWL_NEAR_DUPLICATES=drop")
    assert code == exitcodes.OK
    emitted = paths(records)
    assert len(records) == 6
    assert set(pages) - emitted in ({reedit}, {"/news/2024/07/01/short-story-0"})
    assert stats["newscrawl/dropped/near_duplicate"] == 1
    assert all(DISCLAIMER in r["body"] for r in records)


def test_extract_agrees_with_the_crawl_on_a_home_page_canonical() -> None:
    url = "https://www.arabstoday.net/en/news/123456/x"
    head = '<link rel="canonical" href="https://www.arabstoday.net/en/">'
    record = extract(page("A story", story(1, TOPICS[0]), head), url)
    assert record["canonical_url"] is None
    head = f'<link rel="canonical" href="{url}?utm_source=x">'
    assert extract(page("A story", story(1, TOPICS[0]), head), url)["canonical_url"]


BODY = " ".join(story(1, TOPICS[0]))
OTHER = " ".join(story(2, TOPICS[1]))


def item(url: str, canonical: str | None, body: str) -> dict[str, Any]:
    return {"url": url, "canonical_url": canonical, "body": body, "site": "arabstoday"}


@pytest.fixture
def pipeline(tmp_path: Path) -> DeduplicatePipeline:
    crawler = get_crawler(
        ArabsTodaySpider, {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3")}
    )
    crawler.stats.open_spider()
    return DeduplicatePipeline(crawler)


def test_one_canonical_different_bodies_both_emitted(pipeline: DeduplicatePipeline) -> None:
    canonical = "https://www.arabstoday.net/en/news/1/x"
    pipeline.process_item(item("https://www.arabstoday.net/en/news/2/y", canonical, BODY))
    second = pipeline.process_item(item("https://www.arabstoday.net/en/news/3/z", canonical, OTHER))
    assert second["canonical_url"] is None
    stats = pipeline.crawler.stats
    assert stats.get_value("newscrawl/canonical/rejected/shared") == 1
    # The same body under the same canonical is still one article.
    with pytest.raises(DropItem):
        pipeline.process_item(item("https://www.arabstoday.net/en/news/4/w", canonical, BODY))
    assert stats.get_value("newscrawl/dropped/duplicate_url") == 1
    assert pipeline.store.seen("arabstoday.net/en/news/3/z") is not None


def test_same_url_with_another_body_is_emitted_and_marked(pipeline: DeduplicatePipeline) -> None:
    url = "https://www.arabstoday.net/en/news/1/x"
    pipeline.process_item(item(url, url, BODY))
    again = pipeline.process_item(item(url + "?utm_source=rss", url, BODY + " A line added."))
    assert again["duplicate_of"] == url


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_disclaimer_learnt_in_one_run_spares_the_next(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    settings: dict[str, Any] = {
        "NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
        "NEWSCRAWL_NEAR_DUPLICATES": "drop",
    }
    if backend == "redis":
        settings["NEWSCRAWL_REDIS_URL"] = request.getfixturevalue("redis_db")
    bodies = ["\n\n".join(short_story(topic)) for topic in TOPICS[:3]]
    for run, body in enumerate(bodies):  # one story a run, each run a new process's store
        crawler = get_crawler(ArabsTodaySpider, settings)
        crawler.stats.open_spider()
        url = f"https://www.arabstoday.net/en/news/{run + 1}/x"
        emitted = DeduplicatePipeline(crawler).process_item(item(url, url, body))
        assert emitted["duplicate_of"] is None
        if run:
            assert crawler.stats.get_value("newscrawl/duplicates/near_shared_text_only") == 1
        store_for(crawler).close()


def test_paragraph_keys_are_kept_looked_up_in_chunks_and_pruned(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "state.sqlite3")
    keys = [i.to_bytes(8, "little") for i in range(1200)]
    store.add_paragraphs(keys[:700])
    assert store.known_paragraphs(keys) == set(keys[:700])
    assert store.known_paragraphs([]) == set()
    store.prune(timedelta(seconds=-1))  # everything is older than "a second from now"
    assert store.known_paragraphs(keys) == set()
