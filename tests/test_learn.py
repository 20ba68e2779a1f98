"""Templates learned from a site's own pages (issue 14): ``newscrawl.learn_site``,
``newscrawl.extract(..., template=...)`` and the TOML declaration a template writes."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

import newscrawl
from newscrawl import exitcodes
from newscrawl.extraction.decide import decide
from newscrawl.extraction.generic.extractor import extract_generic
from newscrawl.extraction.template.model import Template
from newscrawl.fixtureserver import PROJECT_ROOT, serve
from newscrawl.sites.siteconfig import load_site

from .learnsite import ORIGIN, Article, build, write_site

PAGES = build(count_per_layout=4)
TRAIN = PAGES[:9]  # three pages of each of the three layouts
HELD_OUT = PAGES[9:]  # one more of each, never seen


def learned(pages: list[tuple[Article, str]]) -> Template:
    # Bytes and text alike: half the pages as the crawler's bytes.
    return newscrawl.learn_site(
        [(html.encode() if i % 2 else html, a.url) for i, (a, html) in enumerate(pages)]
    )


def assert_clean(record: dict[str, Any], article: Article) -> None:
    """The whole record, and none of the furniture."""
    assert record["body"] == article.body
    assert record["title"] == article.title
    assert record["url"].endswith(article.path)  # the crawl fetches from base_url
    assert record["language"] == "en"
    assert record["published"] is not None and record["published"].startswith("2026-03-")
    for text in [*article.noise, "Most read", "Facebook", "By Staff Writer", "Photo archive"]:
        assert text not in record["body"], text


def test_three_layouts_learned_and_held_out_pages_extracted_whole() -> None:
    template = learned(TRAIN)
    assert len(template.layouts) == 3
    for article, html in HELD_OUT:
        record = newscrawl.extract(html, article.url, template=template)
        assert record["extraction"] == "learned", article.layout
        assert_clean(record, article)
        assert record["site"] == template.name == "learnsite_example"


def test_two_pages_are_enough_for_their_layout() -> None:
    layout_a = [(a, h) for a, h in PAGES if a.layout == "a"]
    template = learned(layout_a[:2])
    for article, html in layout_a[2:]:
        record = newscrawl.extract(html, article.url, template=template)
        assert record["extraction"] == "learned"
        assert_clean(record, article)


def test_more_pages_place_more_layouts() -> None:
    two = learned(TRAIN[:2])
    nine = learned(TRAIN)

    def placed(template: Template) -> int:
        return sum(
            newscrawl.extract(h, a.url, template=template)["extraction"] == "learned"
            for a, h in HELD_OUT
        )

    assert placed(two) == 2 < placed(nine) == 3


def test_a_page_the_template_cannot_place_is_extracted_by_the_generic_extractor() -> None:
    template = learned([(a, h) for a, h in TRAIN if a.layout != "c"])
    article, html = next((a, h) for a, h in HELD_OUT if a.layout == "c")
    record = newscrawl.extract(html, article.url, template=template)
    assert record["extraction"] == "generic"
    assert article.paragraphs[0] in record["body"]  # never an empty body
    assert record["title"] == article.title


def test_no_article_to_learn_from_gives_a_template_that_places_nothing() -> None:
    template = newscrawl.learn_site([("<html><body><p>Hi</p></body></html>", "https://x.example/")])
    assert template.layouts == ()
    article, html = HELD_OUT[0]
    assert newscrawl.extract(html, article.url, template=template)["extraction"] == "generic"


def test_template_round_trips_through_dict_and_json() -> None:
    template = learned(TRAIN)
    assert Template.from_dict(template.to_dict()) == template
    assert Template.from_json(template.to_json()) == template
    stale = dict(template.to_dict(), format=0)
    with pytest.raises(ValueError, match="format"):
        Template.from_dict(stale)


def test_toml_declaration_loads_and_crawls_with_the_same_records(tmp_path: Path) -> None:
    template = learned(TRAIN)
    config = tmp_path / "site.toml"
    config.write_text(template.to_toml(feeds=("/rss",)), "utf-8")
    spider = load_site(config)
    assert spider.rules.body_selectors == tuple(layout.body for layout in template.layouts)
    assert spider.article_url == "^/news/"

    site = write_site(tmp_path / "site", PAGES)
    out = tmp_path / "items.jsonl"
    with serve(root=site) as origin:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(out),
             "-a", f"config={config}", "-a", f"base_url={origin}",
             "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
             "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    records = {
        "/" + r["url"].split("/", 3)[3]: r
        for r in map(json.loads, out.read_text("utf-8").splitlines())
    }
    assert len(records) == len(PAGES)
    for article, html in PAGES:
        crawled = records[article.path]
        direct = newscrawl.extract(html, article.url, template=template)
        for key in ("body", "title", "published", "language", "site", "authors", "images"):
            assert crawled[key] == direct[key], (article.path, key)
        assert_clean(crawled, article)


def learn_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "learn", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_scrapy_learn_writes_the_declaration_from_a_folder_of_saved_pages(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", TRAIN)
    out = tmp_path / "site.toml"
    result = learn_command(str(site), "--origin", ORIGIN, "-O", str(out), "--feed", "/rss")
    assert result.returncode == 0, result.stderr
    spider = load_site(out)
    assert set(spider.rules.body_selectors) == {layout.body for layout in learned(TRAIN).layouts}
    assert spider.editions["en"].feeds == ("/rss",)


def test_scrapy_learn_reads_a_warc(tmp_path: Path) -> None:
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc = tmp_path / "site.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for article, html in TRAIN:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")  # fmt: skip
            writer.write_record(writer.create_warc_record(
                article.url, "response", payload=BytesIO(html.encode()), http_headers=headers
            ))  # fmt: skip
    result = learn_command(str(warc))
    assert result.returncode == 0, result.stderr
    assert 'body_selectors = ["div[class~=\\"' in result.stdout
    assert 'origin = "https://www.learnsite.example"' in result.stdout


def test_scrapy_learn_usage_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in ([str(tmp_path / "absent")], [str(tmp_path)], []):
        result = learn_command(*args)
        assert result.returncode == exitcodes.USAGE, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    (tmp_path / "p.html").write_text("<html><body>no canonical</body></html>")
    result = learn_command(str(tmp_path))
    assert result.returncode == exitcodes.USAGE and "--origin" in result.stderr
    result = learn_command(str(tmp_path), "--origin", ORIGIN)
    assert result.returncode == exitcodes.NO_ITEMS and "no article layout" in result.stderr


def crawl_news(
    origin: str, tmp_path: Path, feed: str, *args: str
) -> tuple[int, str, list[dict[str, Any]], dict[str, Any]]:
    out, stats = tmp_path / f"{feed}.jsonl", tmp_path / f"{feed}.stats.json"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(out),
         "-a", f"feeds={ORIGIN}/rss", "-a", f"base_url={origin}",
         "-s", "LOG_LEVEL=INFO", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
         "-s", "CONCURRENT_REQUESTS=1",  # pages in feed order: each layout in the first six
         "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
         "-s", "STATS_CLASS=tests.stats_dump.JsonDumpStats", "-s", f"STATS_DUMP_PATH={stats}",
         *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return result.returncode, result.stderr, records, json.loads(stats.read_text("utf-8"))


def test_news_spider_learns_during_the_run_and_the_next_run_starts_learned(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    with serve(root=site) as origin:
        write_site(site, PAGES)
        code, stderr, records, stats = crawl_news(
            origin, tmp_path, "first", "-s", "NEWSCRAWL_LEARN_PAGES=6"
        )
        assert code == 0, stderr[-3000:]
        by_path = {"/" + r["url"].split("/", 3)[3]: r for r in records}
        assert len(by_path) == len(PAGES)
        # The six pages that taught the template were held back and extracted with it.
        kinds = [r["extraction"] for r in records]
        assert kinds == ["learned"] * len(PAGES), kinds
        assert stats["newscrawl/learn/learned"] == 1 and stats["newscrawl/learn/placed"] == 12
        for article, _ in PAGES:
            record = by_path[article.path]
            assert record["body"], article.path  # generic before learning, never empty
            if record["extraction"] == "learned":
                assert_clean(record, article)
                assert record["site"] == "learnsite.example"
        assert "Template of learnsite.example learned from 6 pages: 3 layout(s)" in stderr

        # The next run starts with the stored template: every page learned.
        code, stderr, records, stats = crawl_news(origin, tmp_path, "second", "-a", "recrawl=1")
        assert code == 0, stderr[-3000:]
        assert stats["newscrawl/learn/loaded"] == 1 and "newscrawl/learn/learned" not in stats
        assert [r["extraction"] for r in records] == ["learned"] * len(PAGES)
        for record in records:
            assert_clean(record, next(a for a, _ in PAGES if record["url"].endswith(a.path)))


def test_a_layout_whose_container_name_teasers_share_does_not_place_the_page() -> None:
    template = learned(TRAIN)
    article, html = next((a, h) for a, h in HELD_OUT if a.layout == "a")
    teaser = '<div class="story-text"><p>Another story, in a teaser box of the page.</p></div>'
    page = html.replace('<div class="aside-box">', teaser + '<div class="aside-box">')
    record = newscrawl.extract(page, article.url, template=template)
    assert record["extraction"] == "generic"
    assert article.paragraphs[0] in record["body"]


def test_a_story_that_runs_on_outside_its_container_is_not_cut_short() -> None:
    template = learned(TRAIN)
    article, html = next((a, h) for a, h in HELD_OUT if a.layout == "b")
    extra = "".join(f"<p>{p}</p>" for p in article.paragraphs * 3)  # a live blog's updates
    page = html.replace('<div class="side-list">', f'<div class="updates">{extra}</div>'
                        '<div class="side-list">')  # fmt: skip
    record = newscrawl.extract(page, article.url, template=template)
    assert record["extraction"] == "generic"
    assert record["body"].count(article.paragraphs[-1]) >= 3


def test_a_failing_learner_costs_no_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from newscrawl.extraction.template import online

    def broken(pages: object, noise: object = ()) -> Template:
        raise RuntimeError("bug")

    monkeypatch.setattr(online, "learn_site", broken)
    counted: list[str] = []
    learner = online.SiteLearner("learnsite.example", 2, None, counted.append)

    def generic(html: str, url: str, template: Template | None) -> Any:
        return extract_generic(html, url)

    records = [learner.extract(html, a.url, generic).record for a, html in PAGES[:5]]
    assert [r["extraction"] for r in records] == ["generic"] * 5
    assert all(r["body"] for r in records)
    assert counted == ["error"]
    # Nothing more is kept to learn from (a crawl would hold those pages back).
    learner.finish()
    assert learner.seen == [] and counted == ["error"]


def test_a_stored_template_that_no_longer_places_pages_is_relearned(tmp_path: Path) -> None:
    from newscrawl.extraction.template import online

    def with_template(html: str, url: str, template: Template | None) -> Any:
        return decide(html, url, None, template=template)  # the one decision

    store = online.TemplateStore(tmp_path / "state.sqlite3")
    store.save("learnsite.example", learned([(a, h) for a, h in TRAIN if a.layout == "a"]))
    counted: list[str] = []
    learner = online.SiteLearner("learnsite.example", 4, store, counted.append)
    assert counted == ["loaded"]
    redesigned = [(a, h) for a, h in PAGES if a.layout != "a"]  # the site's new layouts
    records = [learner.extract(h, a.url, with_template).record for a, h in redesigned]
    assert [r["extraction"] for r in records[:4]] == ["generic"] * 4
    assert [r["extraction"] for r in records[4:]] == ["learned"] * 4
    assert counted.count("relearned") == 1
    for record, (article, _) in zip(records[4:], redesigned[4:], strict=True):
        assert_clean(record, article)
    # The next run starts with the relearned template.
    fresh = online.SiteLearner("learnsite.example", 4, store, counted.append)
    assert fresh.template is not None and len(fresh.template.layouts) == 2


def test_scrapy_learn_url_learns_a_live_site_and_its_declaration_crawls_learned(
    tmp_path: Path,
) -> None:
    """A live site: its home page names a feed and links some articles; `scrapy learn
    URL` fetches them, learns, and writes a declaration whose crawl extracts learned."""
    site = tmp_path / "site"
    out = tmp_path / "site.toml"
    with serve(root=site) as origin:
        write_site(site, PAGES, origin=origin)
        links = "".join(f'<a href="{a.path}">{a.title}</a> ' for a, _ in PAGES[:4])
        (site / "index.html").write_text(
            '<html><head><link rel="alternate" type="application/rss+xml" href="/rss">'
            f"</head><body><h1>Learn Site</h1>{links}</body></html>",
            "utf-8",
        )
        result = learn_command(
            origin + "/", "-O", str(out), "--max-pages", "9",
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        spider = load_site(out)
        assert spider.editions["en"].feeds == ("/rss",)
        assert spider.template is not None and len(spider.template.layouts) == 3
        assert spider.article_url == "^/news/"

        records_file = tmp_path / "items.jsonl"
        crawl = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(records_file),
             "-a", f"config={out}", "-a", f"base_url={origin}",  # loopback: SSRF guard
             "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
             "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    records = [json.loads(line) for line in records_file.read_text("utf-8").splitlines()]
    assert len(records) == len(PAGES)
    assert [r["extraction"] for r in records] == ["learned"] * len(PAGES)
    for record in records:
        assert_clean(record, next(a for a, _ in PAGES if record["url"].endswith(a.path)))
        assert record["site"] == spider.name


def test_a_learned_declaration_without_a_layout_for_the_page_gives_the_generic_body(
    tmp_path: Path,
) -> None:
    """The [learned] table makes the declaration extract as the template does: a page
    none of its layouts places gets the generic body, not a site module's miss."""
    template = learned([(a, h) for a, h in TRAIN if a.layout != "c"])
    config = tmp_path / "site.toml"
    config.write_text(template.to_toml(), "utf-8")
    spec = load_site(config)
    article, html = next((a, h) for a, h in HELD_OUT if a.layout == "c")
    record = newscrawl.extract(html, article.url, site=None, template=spec.template)
    assert record["extraction"] == "generic" and record["body"]
    from newscrawl.extraction.decide import decide

    placed = next((a, h) for a, h in HELD_OUT if a.layout == "a")
    assert decide(placed[1], placed[0].url, spec).record["extraction"] == "learned"
    assert decide(html, article.url, spec).record["extraction"] == "generic"


def _lead_site_page(
    index: int, link: str = "the ministry", meta: bool = True
) -> tuple[str, str, str, str]:
    """(html, url, lead, story) of a page whose standfirst sits in the header, before
    the story container, and whose paragraphs hold short links to other stories."""
    rng = random.Random(index)
    words = _SENTENCES_FOR_LEAD[:]
    rng.shuffle(words)
    lead = f"{words[0]}, and {words[1].lower()} as the week ends."
    paragraphs = [
        f"{rng.choice(words)} said {link} on the day. {rng.choice(words)}. {rng.choice(words)}."
        for _ in range(8)
    ]
    body = "".join(
        "<p>" + p.replace(link, f'<a href="/topic/{i}">{link}</a>') + "</p>"
        for i, p in enumerate(paragraphs)
    )
    url = f"{ORIGIN}/news/{3026000 + index}"
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Story {index}</title>'
        + (
            f'<meta property="og:title" content="Story number {index} of the lead site">'
            f'<meta name="author" content="{AUTHORS[index % 2]}">'
            if meta
            else ""
        )
        + '</head><body><nav><h1 class="logo">Lead Site</h1><a href="/">Home</a></nav>'
        # The story's <article> has no stable name (a per-page class); teasers are
        # <article>s too: the container learned is the story body, the lead outside it.
        + f'<article class="story-{index}00"><header>'
        f'<div class="headline">Story number {index} of the lead site</div>'
        f'<span class="byline">By {AUTHORS[index % 2]}</span>'
        f'<p class="standfirst">{lead}</p></header>'
        f'<div class="story-body">{body}</div></article><aside>'
        + "".join(
            f'<article class="teaser"><h3><a href="/news/{9000 + i}">{rng.choice(words)}</a></h3>'
            f"<p>{rng.choice(words)}. {rng.choice(words)}, in the full story.</p></article>"
            for i in range(5)
        )
        + "</aside>"
        "<footer>All rights reserved to the lead site.</footer></body></html>"
    )
    return html, url, lead, "\n\n".join(paragraphs)


AUTHORS = ("Jane Doe", "Omar Haddad")
_SENTENCES_FOR_LEAD = [
    "The council met on Tuesday to discuss the new water plan for the northern districts",
    "Farmers in the valley said the spring rains came late this year",
    "Officials promised that the repairs to the main road would be finished soon",
    "Residents of the old quarter gathered in the square to hear the mayor speak",
    "A delegation from the neighbouring province arrived to sign the trade agreement",
    "Teachers asked for more classrooms as the number of pupils keeps growing",
    "The hospital opened a new wing for children with help from local donors",
    "Engineers warned that the old bridge needs urgent work after the floods",
    "The museum will show manuscripts that have not been seen in public for a century",
    "Traders at the central market complained about the rising price of bread",
    "Bus drivers agreed to end their strike after talks that lasted all night",
]


def test_the_lead_before_the_story_container_is_learned_and_links_in_paragraphs_kept() -> None:
    """A standfirst in the page header (outside the story container) is story: learned
    as the layout's lead. A short link inside a story sentence is story too: never a
    noise selector, so the held-out page's sentences stay whole."""
    pages = [_lead_site_page(i) for i in range(4)]
    template = newscrawl.learn_site([(html, url) for html, url, _, _ in pages[:2]])
    assert template.layouts and template.layouts[0].lead
    for html, url, lead, story in pages[2:]:
        record = newscrawl.extract(html, url, template=template)
        assert record["extraction"] == "learned"
        assert record["body"] == lead + "\n\n" + story
    # The lead survives the declaration `scrapy learn` writes.
    spec_template = Template.from_declaration(
        template.rules(), template.origin, tomllib.loads(template.to_toml())["learned"]
    )
    assert spec_template.layouts == template.layouts


def test_title_and_author_selectors_are_learned_for_pages_whose_metadata_lack_them() -> None:
    """The headline and byline sit in the same elements on every training page (as the
    page's og:title and author say): learned, and used on a page without that metadata,
    where the first <h1> is the site's logo."""
    template = newscrawl.learn_site([_lead_site_page(i)[:2] for i in range(3)])
    assert template.title and template.author
    html, url, _, _ = _lead_site_page(5, meta=False)
    record = newscrawl.extract(html, url, template=template)
    assert record["title"] == "Story number 5 of the lead site"
    assert record["authors"] == [AUTHORS[1]]
    spec = Template.from_declaration(template.rules(), template.origin, {})
    assert spec.title == template.title and spec.author == template.author


_TWEET = (
    '<blockquote class="twitter-tweet"><p lang="en">Breaking: crowds gather outside the'
    " ministry as the talks drag on into the night, witnesses say</p>&mdash; A Reporter"
    ' (@a_reporter) <a href="https://twitter.com/a_reporter/status/1">July 18, 2026</a>'
    "</blockquote>"
)


def _with_tweet(html: str) -> str:
    """The page with an embedded tweet between its second and third story paragraphs."""
    cut = html.index("</p>", html.index("</p>", html.index('class="story-body"')) + 4) + 4
    return html[:cut] + _TWEET + html[cut:]


def test_embedded_social_posts_are_left_out_of_learned_and_fallback_bodies() -> None:
    """A tweet embedded in the story quotes another page: neither the learned body
    (the training pages had none, so no noise selector names it) nor the generic body
    of a page the template cannot place keeps it; the rest of the story is whole."""
    pages = [_lead_site_page(i) for i in range(3)]
    template = newscrawl.learn_site([(html, url) for html, url, _, _ in pages[:2]])
    html, url, lead, story = pages[2]
    record = newscrawl.extract(_with_tweet(html), url, template=template)
    assert record["extraction"] == "learned"
    assert record["body"] == lead + "\n\n" + story
    # A page of another site's layout: the template does not place it.
    article, other = PAGES[0]
    cut = other.index("</p>") + 4
    record = newscrawl.extract(other[:cut] + _TWEET + other[cut:], article.url, template=template)
    assert record["extraction"] == "generic"
    assert "crowds gather outside the ministry" not in record["body"]
    assert article.body.split("\n\n")[1] in record["body"]
