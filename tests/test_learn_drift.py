"""Learning in the crawl, continued (issue 14, item 4): noise leaking back into the
body is drift; each page is decided once, in the extraction pool with the site's
learned template; what a page asks of the spider is a value; the ``news`` spider's
stats name the site (its host), not the spider.

The crawls run ``scrapy crawl`` against an arabstoday-shaped site (tests/modulesite.py)
served on 127.0.0.1, as a scheduled run would.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl import exitcodes
from newscrawl.extraction.article import Extraction
from newscrawl.extraction.decide import decide
from newscrawl.extraction.template.apply import NOISE_LEAK
from newscrawl.extraction.template.learn import learn_site
from newscrawl.extraction.template.model import Template
from newscrawl.fixtureserver import serve
from newscrawl.ops.report import drift_verdict, judge
from newscrawl.spiders.learning import Ask, Learning
from newscrawl.spiders.news import GenericNewsSpider

from .learnsite import ORIGIN as LEARNSITE
from .learnsite import build as build_learnsite
from .modulesite import ORIGIN, build
from .test_learn_crawl import assert_whole, crawl, serve_site

SITE = "arabstoday.net"  # the news spider's site: the host of its feed
LEARN = ("-s", "NEWSCRAWL_LEARN_PAGES=6")


def pages_of(built: list[Any]) -> list[tuple[str, str]]:
    return [(html, ORIGIN + article.path) for article, html in built]


def test_a_template_knows_the_noise_beside_the_story_and_sees_it_leak_in() -> None:
    template = learn_site(pages_of(build("abc", picks="beside")))
    assert 'section[class~="picks"]' in template.outside  # teasers beside the story
    assert not any("article-body" in css or "entry" in css for css in template.outside)
    moved = build("abc", picks="inside")  # the site moved the teasers into the story
    for article, html in build("abc", picks="beside"):
        assert NOISE_LEAK not in decide(html, ORIGIN + article.path, None, template=template).notes
    for article, html in moved:
        extraction = decide(html, ORIGIN + article.path, None, template=template)
        assert extraction.record["extraction"] == "learned"
        assert NOISE_LEAK in extraction.notes
    # Relearned with what the history knows as noise, the teasers stay out of the story
    # (learned from those pages alone, they would be taken for story).
    relearned = learn_site(pages_of(moved), noise=template.outside)
    plain = learn_site(pages_of(moved))
    for article, html in moved:
        record = decide(html, ORIGIN + article.path, None, template=relearned).record
        assert record["body"] == article.body
        assert decide(html, ORIGIN + article.path, None, template=plain).record["body"] != (
            article.body
        )
    # Stored and declared templates keep it.
    assert Template.from_json(template.to_json()).outside == template.outside
    assert "outside = [" in template.to_toml()


def test_noise_leaking_back_is_drift_judged_by_the_one_verdict() -> None:
    def stats(known: int, new: int, leaks: int) -> dict[str, Any]:
        return {
            "finish_reason": "finished", "item_scraped_count": known + new,
            "response_received_count": known + new, "newscrawl/layout/history/s": 3,
            "newscrawl/layout/known/s": known, "newscrawl/layout/new/s": new,
            "newscrawl/layout/noise_leak/s": leaks,
        }  # fmt: skip

    verdict = drift_verdict(stats(9, 3, 6), "s")
    assert verdict.drift and verdict.message.startswith("Layout drift on s: noise leaks back")
    assert "6 of 12 pages" in verdict.message
    # Without a new layout, judge finds the site by its leaks alone.
    assert judge(stats(12, 0, 6), 0.2, 0.2)[0] == exitcodes.LAYOUT_DRIFT
    # A few pages are not most: healthy; the share is a setting.
    assert not drift_verdict(stats(12, 0, 2), "s").drift
    small = drift_verdict(stats(5, 0, 4), "s")  # too few pages to judge: said, not failed
    assert not small.drift and small.message.startswith("Possible layout drift")
    assert drift_verdict(stats(12, 0, 2), "s", max_noise_leak=0.1).drift
    assert judge(stats(12, 0, 2), 0.2, 0.2) == (exitcodes.OK, "ok")


def test_noise_moved_into_the_story_container_is_drift_and_is_relearned(tmp_path: Path) -> None:
    beside, inside = build("abc", 12, picks="beside"), build("abc", 12, picks="inside")
    with serve(root=serve_site(tmp_path, beside)) as origin:
        assert crawl("news", origin, tmp_path, "learning", *LEARN).code == exitcodes.OK
        healthy = crawl("news", origin, tmp_path, "healthy", *LEARN)
        assert healthy.code == exitcodes.OK, healthy.stderr[-3000:]
        assert_whole(healthy, beside)
        assert healthy.stats[f"newscrawl/layout/known/{SITE}"] == 12
        assert not any("noise_leak" in key for key in healthy.stats)
    with serve(root=serve_site(tmp_path, inside)) as origin:
        moved = crawl("news", origin, tmp_path, "moved", *LEARN)
        assert moved.code == exitcodes.LAYOUT_DRIFT, moved.stderr[-3000:]
        errors = [line for line in moved.stderr.splitlines() if "] ERROR:" in line]
        drift = [line for line in errors if "] ERROR: Layout drift on" in line]
        assert len(drift) == 1, errors  # and the run result (exit 5) that repeats it
        assert all("Layout drift on" in line for line in errors), errors
        assert f"Layout drift on {SITE}: noise leaks back into 6 of 12 pages" in drift[0]
        # The first LEARN pages leaked; the template learned again from them keeps the
        # teasers out of the rest.
        assert moved.stats[f"newscrawl/layout/noise_leak/{SITE}"] == 6
        assert moved.stats["newscrawl/learn/relearned"] == 1

        fixed = crawl("news", origin, tmp_path, "fixed", *LEARN)
        assert fixed.code == exitcodes.OK, fixed.stderr[-3000:]
        assert_whole(fixed, inside)  # the teasers are noise (Article.noise)
        assert not any("noise_leak" in key for key in fixed.stats)


def test_each_page_is_decided_once_in_the_pool_with_the_learned_template(
    tmp_path: Path,
) -> None:
    pages = build("abc")
    pooled = ("-s", "NEWSCRAWL_EXTRACT_WORKERS=1", *LEARN)
    with serve(root=serve_site(tmp_path, pages)) as origin:
        for spider in ("arabstoday", "news"):
            first = crawl(spider, origin, tmp_path, f"{spider}-first", *pooled)
            assert first.code == exitcodes.OK, first.stderr[-3000:]
            assert_whole(first, pages)
            # Every page once in the pool; only the pages that taught the first template
            # (or were in the pool while it was learned) again in the spider, with it.
            assert first.stats["newscrawl/extraction/decided/pool"] == 9
            again = first.stats["newscrawl/extraction/decided/spider"]
            taught = 3 if spider == "arabstoday" else 6  # the pages that taught the template
            assert taught <= again <= 9, again

            second = crawl(spider, origin, tmp_path, f"{spider}-second", *pooled)
            assert second.code == exitcodes.OK, second.stderr[-3000:]
            assert_whole(second, pages)
            assert second.stats["newscrawl/extraction/decided/pool"] == 9
            assert "newscrawl/extraction/decided/spider" not in second.stats
            kinds = sorted(r["extraction"] for r in second.records)
            learned = 3 if spider == "arabstoday" else 9
            assert kinds == sorted(["learned"] * learned + ["selector"] * (9 - learned))


def _decided(html: str, url: str, template: Template | None) -> Extraction:
    return decide(html, url, None, template=template)


def test_what_a_page_asks_of_the_spider_comes_with_its_extraction(tmp_path: Path) -> None:
    crawler = get_crawler(
        settings_dict={
            "NEWSCRAWL_LEARN_PAGES": 2,
            "NEWSCRAWL_STATE_PATH": str(tmp_path / "s.sqlite3"),
        }
    )
    crawler.stats.open_spider()  # type: ignore[union-attr]
    learning = Learning(crawler, "learnsite.example", _decided, module=False)
    pages = [(html, LEARNSITE + a.path) for a, html in build_learnsite(2) if a.layout == "a"]
    asks = [learning.extract(html, url) for html, url in pages]
    assert [learned.ask for learned in asks] == [Ask.HOLD, Ask.RELEASE]
    again = learning.extract(*pages[0])
    assert again.ask is Ask.EMIT and again.extraction.record["extraction"] == "learned"
    learning.finish()


def test_the_news_spider_keys_layout_stats_by_each_site_it_reads(tmp_path: Path) -> None:
    crawler = get_crawler(
        GenericNewsSpider, {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3")}
    )
    crawler.stats.open_spider()  # type: ignore[union-attr]
    spider = GenericNewsSpider.from_crawler(
        crawler, feeds="https://www.one.example/rss,https://two.example/rss"
    )
    built = build("abc", count=4)
    pages = [(f"https://www.one.example{a.path}", html) for a, html in built[:2]]
    pages += [(f"https://two.example{a.path}", html) for a, html in built[2:]]

    async def parse(url: str, html: str) -> list[object]:
        response = HtmlResponse(url, body=html.encode(), encoding="utf-8")
        return [item async for item in spider.parse_article(response)]

    for url, html in pages:
        asyncio.run(parse(url, html))
    assert sorted(spider.learnings) == ["one.example", "two.example"]
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["newscrawl/layout/new/one.example"] == 2
    assert stats["newscrawl/layout/new/two.example"] == 2
    assert not any(key.endswith("/news") for key in stats if "/layout/" in key)
    spider.closed("shutdown")


def test_a_declaration_whose_outside_selector_does_not_compile_is_refused(
    tmp_path: Path,
) -> None:
    from newscrawl.sites.siteconfig import SiteConfigError, load_site

    template = learn_site(pages_of(build("abc", picks="beside")))
    good = tmp_path / "good.toml"
    good.write_text(template.to_toml(), "utf-8")
    assert load_site(str(good)).template.outside == template.outside  # type: ignore[union-attr]
    bad = tmp_path / "bad.toml"
    lines = [
        'outside = ["div[["]' if line.startswith("outside = ") else line
        for line in template.to_toml().splitlines()
    ]
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(SiteConfigError, match=r"bad\.toml: \[learned\].*div\[\["):
        load_site(str(bad))
