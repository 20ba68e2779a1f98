"""Client-rendered pages: the story only in the data for the page's scripts (rule "embedded")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.extraction.article import decode_html
from newscrawl.extraction.generic.extractor import extract_generic
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.text.overlap import precision_recall_f1
from tests.corpus import gold_body, manifest, read_page, require_corpus

URL = "https://client.example/news/2024/storm-closes-the-coastal-road"
TITLE = "Storm closes the coastal road for a second day"
STORY = [
    "The coastal road between the two harbour towns stayed closed on Tuesday after a storm "
    "pushed waves and stones over the sea wall for a second night.",
    "Road crews said they could not begin clearing the debris until the wind dropped, and the "
    "regional office warned drivers to use the inland route through the hills instead.",
    "Fishermen kept their boats in the harbour. Several said the sea had not been this rough "
    "since the winter floods three years ago, when the same stretch was shut for a week.",
    "The weather service expects the wind to ease by Thursday morning. Engineers will then "
    "inspect the sea wall before the road is opened to traffic again.",
]
SHELL = (
    "<html lang='en'><head><title>{title}</title></head><body>"
    "<div id='__next'><header><a href='/'>Home</a> <a href='/world'>World</a></header>"
    "<div class='loading'>Loading…</div>{dom}</div>{data}</body></html>"
)


def page(data: str, dom: str = "") -> str:
    return SHELL.format(title=TITLE, dom=dom, data=data)


def next_data(body: str) -> str:
    state = {
        "props": {
            "pageProps": {
                "article": {"headline": TITLE, "content": body, "section": "Local"},
                "related": [{"title": "Other story", "summary": "A short teaser."}],
            }
        },
        "page": "/news/[slug]",
    }
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script>'


HTML_BODY = "".join(f"<p>{p}</p>" for p in STORY)


def body_of(html: str, *disabled: str) -> str:
    return str(extract_generic(html, URL, disabled=disabled).record["body"] or "")


def test_the_story_of_a_next_js_page_comes_from_its_data_as_the_user_extracts_it(
    tmp_path: Path,
) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(page(next_data(HTML_BODY)), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", str(saved), "--url", URL],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["extraction"] == "generic"
    assert record["body"].split("\n\n") == STORY  # paragraphs stay paragraphs
    # Without the rule the shell gives no story.
    assert STORY[1] not in body_of(page(next_data(HTML_BODY)), "embedded")


def test_the_app_router_flight_payload_is_read() -> None:
    payload = f'0:["$","div",null,{{}}]\n5:T{len(HTML_BODY.encode()):x},{HTML_BODY}'
    chunks = [payload[:200], payload[200:]]  # the payload arrives in several pushes
    scripts = "".join(
        f"<script>self.__next_f.push({json.dumps([1, chunk])})</script>" for chunk in chunks
    )
    assert body_of(page(scripts)).split("\n\n") == STORY
    assert STORY[1] not in body_of(page(scripts), "embedded")


def test_a_state_assignment_in_plain_text_is_split_at_blank_lines() -> None:
    state = json.dumps({"story": {"id": 7, "text": "\n\n".join(STORY)}})
    script = f"<script>window.__INITIAL_STATE__ = {state};window.x = 1;</script>"
    assert body_of(page(script)).split("\n\n") == STORY


def test_a_story_the_dom_already_shows_is_not_taken_twice() -> None:
    dom = f"<article><h1>{TITLE}</h1>{HTML_BODY}</article>"
    body = body_of(page(next_data(HTML_BODY), dom))
    assert body.split("\n\n") == STORY


def test_text_in_another_script_than_the_title_is_not_the_story() -> None:
    other = "".join(f"<p>{p}</p>" for p in ["هذا نص طويل عن موضوع آخر تماما. " * 8] * 4)
    assert "موضوع" not in body_of(page(next_data(other)))


def test_huge_and_deep_data_is_bounded_not_fatal() -> None:
    deep = "[" * 100_000 + "]" * 100_000  # json.loads gives up (RecursionError): skipped
    nested: object = HTML_BODY
    for _ in range(60):  # deeper than the walk goes: not read
        nested = {"content": nested}
    scripts = (
        f'<script type="application/json">{deep}</script>'
        f'<script type="application/json">{json.dumps(nested)}</script>'
    )
    assert STORY[1] not in body_of(page(scripts))
    assert body_of(page(scripts + next_data(HTML_BODY))).split("\n\n") == STORY


def test_a_client_rendered_corpus_page_now_gives_its_story() -> None:
    # fundus HankookIlbo: a Next.js App Router page, the story only in its flight data.
    require_corpus()
    file = "fundus/kr/HankookIlbo_2026_01_29.html.gz"
    gold = gold_body(file)
    assert gold is not None
    html = decode_html(read_page({"corpus": file}))
    body = str(extract_generic(html, manifest()[file]["url"]).record["body"] or "")
    assert precision_recall_f1(body, gold)[2] > 0.8


@pytest.mark.parametrize("junk", ["{", '{"a": "' + "x" * 600, "null", "[1, 2]"])
def test_broken_or_odd_data_changes_nothing(junk: str) -> None:
    script = f'<script type="application/json">{junk}</script>'
    assert body_of(page(script)) == body_of(page(""))
