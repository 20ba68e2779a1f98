"""Learning in the crawl (issue 14, items 3 and 4): a site module learns the layouts
its selectors do not know, templates are kept with the state for the next run, and
layout drift is a change against the site's own history.

Each test crawls an arabstoday-shaped site (tests/modulesite.py) served on 127.0.0.1,
through ``scrapy crawl arabstoday`` or ``scrapy crawl news``, as a scheduled run would.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl import exitcodes
from newscrawl.distributed.redisstore import RedisTemplateStore
from newscrawl.extraction.article import Extraction
from newscrawl.extraction.decide import decide
from newscrawl.extraction.template.learn import learn_site
from newscrawl.extraction.template.model import FORMAT, Template
from newscrawl.extraction.template.online import SiteLearner, Templates, TemplateStore
from newscrawl.fixtureserver import PROJECT_ROOT, serve
from newscrawl.ops.report import drift_verdict, judge
from newscrawl.spiders.learning import Learning
from tests.redis_server import redis_db_fixture, redis_server_fixture  # noqa: F401

from .learnsite import Article
from .modulesite import ORIGIN, build, write_site

NOISE = ("Most read", "Facebook", "Photo archive", "Staff Writer")


class Run:
    def __init__(self, result: subprocess.CompletedProcess[str], out: Path, stats: Path) -> None:
        self.code = result.returncode
        self.stderr = result.stderr
        self.records: list[dict[str, Any]] = [
            json.loads(line) for line in out.read_text("utf-8").splitlines()
        ]
        self.stats: dict[str, Any] = json.loads(stats.read_text("utf-8"))


def crawl(spider: str, origin: str, tmp_path: Path, feed: str, *args: str) -> Run:
    out, stats = tmp_path / f"{feed}.jsonl", tmp_path / f"{feed}.stats.json"
    target = ["-a", "edition=en"] if spider == "arabstoday" else ["-a", f"feeds={ORIGIN}/en/rss"]
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(out), *target,
         "-a", f"base_url={origin}", "-a", "recrawl=1",
         "-s", "LOG_LEVEL=INFO", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
         "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
         "-s", "STATS_CLASS=tests.stats_dump.JsonDumpStats", "-s", f"STATS_DUMP_PATH={stats}",
         *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return Run(result, out, stats)


def assert_whole(run: Run, pages: list[tuple[Article, str]]) -> None:
    """Every article once, with its body, title and date, and none of the furniture."""
    by_path = {"/" + r["url"].split("/", 3)[3]: r for r in run.records}
    assert len(run.records) == len(by_path) == len(pages), sorted(by_path)
    for article, _ in pages:
        record = by_path[article.path]
        assert record["body"] == article.body, (article.layout, record["extraction"])
        assert record["title"] == article.title, article.path
        assert record["published"] and record["published"].startswith("2026-03-")
        for line in record["body"].split("\n\n"):
            for noise in (*article.noise, *NOISE):
                assert noise not in line, (article.path, noise)


def serve_site(tmp_path: Path, pages: list[tuple[Article, str]]) -> Path:
    site = tmp_path / "www"
    shutil.rmtree(site, ignore_errors=True)
    return write_site(site, pages)


def test_a_module_site_with_a_layout_its_selectors_do_not_know_is_healthy(
    tmp_path: Path,
) -> None:
    pages = build("abc")  # "c": none of arabstoday's selectors
    with serve(root=serve_site(tmp_path, pages)) as origin:
        first = crawl("arabstoday", origin, tmp_path, "first")
        assert first.code == exitcodes.OK, first.stderr[-3000:]
        assert_whole(first, pages)
        kinds = sorted(r["extraction"] for r in first.records)
        assert kinds == ["learned"] * 3 + ["selector"] * 6, kinds
        assert first.stats["newscrawl/learn/learned"] == 1
        assert first.stats["newscrawl/layout/new/arabstoday"] == 3
        report = json.loads((tmp_path / "first.report.json").read_text("utf-8"))
        assert report["fallbacks"] == {}  # held, then placed by the learned template
        assert "New layout on arabstoday: 3 of 9 pages" in first.stderr
        assert "] ERROR:" not in first.stderr

        # (b) The next run starts with the stored template: the third layout is known.
        second = crawl("arabstoday", origin, tmp_path, "second")
        assert second.code == exitcodes.OK, second.stderr[-3000:]
        assert_whole(second, pages)
        assert second.stats["newscrawl/learn/loaded"] == 1
        assert "newscrawl/learn/learned" not in second.stats
        assert second.stats["newscrawl/layout/history/arabstoday"] == 2
        assert second.stats["newscrawl/layout/known/arabstoday"] == 9
        assert "Template of arabstoday loaded from the state store" in second.stderr
        assert "New layout" not in second.stderr


def test_the_news_spider_extracts_every_page_of_the_same_site_with_what_it_learned(
    tmp_path: Path,
) -> None:
    pages = build("abc")
    with serve(root=serve_site(tmp_path, pages)) as origin:
        first = crawl("news", origin, tmp_path, "first", "-s", "NEWSCRAWL_LEARN_PAGES=6")
        assert first.code == exitcodes.OK, first.stderr[-3000:]
        assert_whole(first, pages)
        # The pages that taught the template were held back and extracted with it.
        assert [r["extraction"] for r in first.records] == ["learned"] * 9
        second = crawl("news", origin, tmp_path, "second", "-s", "NEWSCRAWL_LEARN_PAGES=6")
        assert second.code == exitcodes.OK, second.stderr[-3000:]
        assert_whole(second, pages)
        assert second.stats["newscrawl/learn/loaded"] == 1
        # Keyed by the site (its host), not the spider: a news crawl may span several.
        assert second.stats["newscrawl/layout/known/arabstoday.net"] == 9
        assert not any(key.endswith("/news") for key in second.stats if "/layout/" in key)
        assert not any("noise_leak" in key for key in second.stats)


@pytest.mark.parametrize("spider", ["arabstoday", "news"])
def test_a_layout_changed_since_the_last_run_is_drift_and_is_relearned(
    spider: str, tmp_path: Path
) -> None:
    before, after = build("abc"), build("d")  # the same articles, redesigned
    site = "arabstoday" if spider == "arabstoday" else "arabstoday.net"  # the news spider's host
    with serve(root=serve_site(tmp_path, before)) as origin:
        assert crawl(spider, origin, tmp_path, "before").code == exitcodes.OK
    with serve(root=serve_site(tmp_path, after)) as origin:
        changed = crawl(spider, origin, tmp_path, "changed")
        assert changed.code == exitcodes.LAYOUT_DRIFT, changed.stderr[-3000:]
        lines = changed.stderr.splitlines()
        drift = [line for line in lines if f"] ERROR: Layout drift on {site}" in line]
        assert len(drift) == 1, drift  # and the run result that names it
        assert f"Layout drift on {site}: 9 of 9 pages fell back" in drift[0]
        assert "learned again" in drift[0]
        assert changed.stats["newscrawl/learn/relearned"] == 1
        assert len(changed.records) == 9 and all(r["body"] for r in changed.records)

        # Relearned: the next run of the same layout knows it.
        stable = crawl(spider, origin, tmp_path, "stable")
        assert stable.code == exitcodes.OK, stable.stderr[-3000:]
        assert_whole(stable, after)
        assert stable.stats[f"newscrawl/layout/known/{site}"] == 9
        assert "] ERROR:" not in stable.stderr


@pytest.fixture(params=["sqlite", "redis"])
def templates(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Templates]:
    """Both places templates are kept: the state's SQLite file, the fleet's Redis."""
    if request.param == "sqlite":
        store: Templates = TemplateStore(tmp_path / "state.sqlite3")
    else:
        store = RedisTemplateStore(request.getfixturevalue("redis_db"))
    yield store
    store.close()


def test_templates_are_stored_with_the_state_for_the_next_run(templates: Templates) -> None:
    pages = build("c", count=3)
    template = learn_site([(html, ORIGIN + a.path) for a, html in pages])
    assert templates.load("arabstoday") is None
    templates.save("arabstoday", template)
    assert templates.load("arabstoday") == template
    counted: list[str] = []
    learner = SiteLearner("arabstoday", 8, templates, counted.append)  # the next run
    assert counted == ["loaded"] and learner.history == template
    # A template stored in an older format is relearned, not used.
    stale = Template.from_dict({**template.to_dict(), "format": FORMAT})
    object.__setattr__(stale, "format", FORMAT - 1)
    templates.save("arabstoday", stale)
    assert templates.load("arabstoday") is None


def decided(html: str, url: str, template: Template | None) -> Extraction:
    return decide(html, url, None, template=template)


def test_learning_uses_the_redis_store_with_the_redis_url(redis_db: str) -> None:
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(settings_dict={"NEWSCRAWL_REDIS_URL": redis_db})
    learning = Learning(crawler, "arabstoday", decided, module=True)
    assert learning.learner is not None
    assert isinstance(learning.learner.store, RedisTemplateStore)
    learning.finish()


def test_one_drift_verdict_for_the_crawl_the_report_and_backfill() -> None:
    def stats(history: int | None, known: int, new: int, fallbacks: int = 0) -> dict[str, Any]:
        values: dict[str, Any] = {
            "finish_reason": "finished", "item_scraped_count": known + new,
            "response_received_count": known + new, "newscrawl/fallback/s": fallbacks,
            "newscrawl/layout/known/s": known, "newscrawl/layout/new/s": new,
        }  # fmt: skip
        if history is not None:
            values["newscrawl/layout/history/s"] = history
        return values

    # Three layouts, always: healthy. A layout met on a third of the pages: learned.
    assert not drift_verdict(stats(3, 30, 0), "s").message
    verdict = drift_verdict(stats(1, 20, 10), "s")
    assert not verdict.drift and verdict.message.startswith("New layout on s: 10 of 30")
    # No history yet (the news spider's first run): nothing to drift from.
    assert not drift_verdict(stats(0, 0, 30), "s").drift
    # Most pages in a layout the history does not know: drift, and judge says the same.
    verdict = drift_verdict(stats(2, 5, 25), "s")
    assert verdict.drift and verdict.message.startswith("Layout drift on s: 25 of 30 pages")
    assert judge(stats(2, 5, 25), 0.2, 0.2) == (exitcodes.LAYOUT_DRIFT, verdict.message)
    # Without learning: the share of fallbacks, as before.
    assert drift_verdict(stats(None, 0, 0, fallbacks=3), "s", pages=10).drift
    assert not drift_verdict(stats(None, 0, 0, fallbacks=2), "s", pages=10).drift


def test_pages_held_to_learn_from_are_counted_when_the_run_ends_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from newscrawl.sites.registry import site_spiders

    spider_class = site_spiders()["arabstoday"]
    crawler = get_crawler(spider_class, {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3")})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    spider = spider_class.from_crawler(crawler)
    article, html = build("c", count=1)[0]
    response = HtmlResponse(ORIGIN + article.path, body=html.encode(), encoding="utf-8")
    async def items() -> list[object]:
        return [item async for item in spider.parse_article(response)]

    assert asyncio.run(items()) == []  # held: it teaches the template
    assert len(spider.held) == 1
    spider.closed("shutdown")
    assert crawler.stats.get_value("newscrawl/learn/held_not_emitted") == 1  # type: ignore[union-attr]
    assert "1 pages held back to learn from were not emitted (run ended: shutdown)" in caplog.text
