"""Markup nested 50,000 levels deep still yields its story, counted, never a silent loss.

libxml2 stops building the tree at depth 2048; before, a page with 50,000 nested
``<div>``s before its story lost the story and the record was dropped as
``empty_body``. Now the nesting is flattened (``newscrawl.extraction.depth``), noted
as ``deep_nesting_flattened`` (stat ``newscrawl/extraction/deep_nesting_flattened``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml.html import HtmlElement

from newscrawl.extraction.article import extract_article
from newscrawl.extraction.depth import HARD_DEPTH, MAX_DEPTH, flatten_deep, parse_html
from newscrawl.extraction.generic.extractor import extract_generic

from .crawlrun import Run, crawl, path_of
from .faultserver import FaultSite, Page, make_article, serve

DEEP = 50_000
STORY = (
    "<article><h1>The plan is ready</h1>"
    + "".join(
        f"<p>The minister said the plan number {i} would be ready within the month, "
        "after talks with the unions and the central bank.</p>"
        for i in range(6)
    )
    + "</article>"
)
SHAPES = {
    "before": "<div>" * DEEP + "x" + "</div>" * DEEP + STORY,
    "around": "<div>" * DEEP + STORY + "</div>" * DEEP,
    "unclosed": "<div>" * DEEP + STORY,
    "attributes": '<div class="x">' * DEEP + STORY,
    "semantic": "<section>" * DEEP + STORY,
    "script_and_comment": "<script>var s='" + "<div>" * 3000 + "';</script><!--"
    + "<div>" * 3000 + "-->" + "<span>" * DEEP + STORY,
}  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES)
def test_the_story_survives_deep_nesting(shape: str) -> None:
    page = f"<html><body>{SHAPES[shape]}</body></html>"
    for extraction in (
        extract_article(page, "https://news.example/a/1"),
        extract_generic(page, "https://news.example/a/1"),
    ):
        body = extraction.record["body"]
        assert all(f"plan number {i} would be ready" in body for i in range(6)), body[:300]
        assert "deep_nesting_flattened" in extraction.notes
        assert "too_deep" not in extraction.notes


def test_ordinary_pages_are_parsed_untouched() -> None:
    page = "<html><body>" + "<div>" * 100 + STORY + "</div>" * 100 + "</body></html>"
    root, unwrapped, too_deep = parse_html(page)
    assert (unwrapped, too_deep) == (0, False)
    assert len(root.findall(".//p")) == 6
    assert flatten_deep(page) == (page, 0)


def test_every_element_is_a_plain_html_element() -> None:
    """Classes chosen in C (no Python call per element touched): forms and inputs too."""
    page = "<html><body><form><input name='q'><label>Q</label></form></body></html>"
    root, _, _ = parse_html(page)
    assert {type(el) for el in root.iter()} == {HtmlElement}
    assert root.find(".//form").text_content() == "Q"


def test_flattening_keeps_text_and_the_depth_limit() -> None:
    flat, unwrapped = flatten_deep("<b>" * 2000 + "text<br>more" + "</b>" * 2000)
    assert unwrapped == 2000 - MAX_DEPTH
    assert flat == "<b>" * MAX_DEPTH + "text<br>more" + "</b>" * MAX_DEPTH


def test_flattening_keeps_what_selectors_need_below_a_bare_nest() -> None:
    story = '<div id="story"><article><h1>T</h1><p>x</p></article></div>'
    flat, _ = flatten_deep("<div>" * 5000 + story + "</div>" * 5000)
    assert story in flat
    root, _, too_deep = parse_html(flat)
    assert root.xpath("//div[@id='story']/article/h1") and not too_deep
    # Meaningful elements are kept down to HARD_DEPTH only, below libxml2's limit.
    flat, _ = flatten_deep("<section>" * 5000 + story)
    assert flat.count("<section>") == HARD_DEPTH and not parse_html(flat)[2]


@pytest.fixture(scope="module")
def deep_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultSite, Run]]:
    before, inside = make_article(520_001), make_article(520_003)
    site = FaultSite([before, inside, make_article(520_002)])
    html = before.html().replace("<body>", "<body>" + "<div>" * DEEP + "</div>" * DEEP)
    site.pages[before.path] = Page(html.encode("utf-8"), "text/html; charset=utf-8")
    html = inside.html().replace("<body>", "<body>" + "<div>" * DEEP)
    html = html.replace("</body>", "</div>" * DEEP + "</body>")
    site.pages[inside.path] = Page(html.encode("utf-8"), "text/html; charset=utf-8")
    with serve(site) as origin:
        run = crawl(origin, tmp_path_factory.mktemp("deep"))
    yield site, run


def test_a_crawl_emits_the_deeply_nested_pages(deep_run: tuple[FaultSite, Run]) -> None:
    """50,000 bare <div>s before the story, or around it: the site's own selectors
    (ids and classes below the nest are kept) still find the exact story."""
    site, run = deep_run
    assert run.code == 0, run.log[-3000:]
    emitted = {path_of(r): r for r in run.records}
    for article in site.articles:
        assert emitted[article.path]["body"] == article.body
        assert emitted[article.path]["extraction"] == "selector"
    assert run.stat("newscrawl/extraction/deep_nesting_flattened") == 2
    assert not run.stat("newscrawl/dropped/empty_body")
    for article in site.articles[:2]:
        assert len(run.lines_about(site.origin + article.path, "WARNING")) == 1


def test_the_reused_parser_judges_each_page_alone() -> None:
    """One parser per thread serves every page (lxml allows reuse, not sharing across
    threads): a deep page does not leave its depth error to the next page, and a page
    after it parses whole."""
    import threading

    from newscrawl.extraction import depth

    assert depth._parser() is depth._parser()
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(depth._parser()))
    thread.start()
    thread.join()
    assert other and other[0] is not depth._parser()
    deep = "<html><body>" + "<div>" * DEEP + STORY + "</div>" * DEEP + "</body></html>"
    assert parse_html(deep)[1] > 0
    page = "<html><body>" + STORY + "</body></html>"
    root, unwrapped, too_deep = parse_html(page)
    assert (unwrapped, too_deep) == (0, False)
    assert len(root.findall(".//p")) == 6
