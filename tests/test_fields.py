"""Each metadata source fails alone: one bad field never loses the article.

JSON-LD of any shape and depth gives clean strings or nothing; an exception in one
field loses that field only (``field_error/<field>``); sizes are bounded as the JSON
Schema states (``field_cut/<field>``); noncharacters and unpaired surrogates never
reach a record. Unit level, a Hypothesis property, and one crawl.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.extraction import metadata as md
from newscrawl.extraction.article import extract_article
from newscrawl.items import article_schema
from newscrawl.text.cleaning import FIELD_LIMITS, bound_record, clean_body, clean_text

from .crawlrun import Run, crawl, path_of
from .faultserver import FaultSite, Page, make_article, serve

STORY = "".join(
    f"<p>The minister said the plan number {i} would be ready within the month.</p>"
    for i in range(6)
)
URL = "https://news.example/world/2024/05/01/story"
# Noncharacters (BMP, plane ends) and unpaired surrogates.
NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]|[\U0001fffe-\U0010ffff]")


def jsonld(data: Any | str) -> str:
    raw = data if isinstance(data, str) else json.dumps(data)
    return f'<script type="application/ld+json">{raw}</script>'


def page(*head: str, body: str = STORY) -> str:
    return f"<html><head>{''.join(head)}</head><body><article>{body}</article></body></html>"


ARTICLE = {"@type": "NewsArticle", "headline": "The plan is ready", "datePublished": "2024-05-01"}


def strings_of(record: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for value in record.values():
        found.extend(
            v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
        )
    return found


def test_schema_states_the_limits() -> None:
    properties = article_schema()["properties"]
    for name, limit in FIELD_LIMITS.items():
        if isinstance(limit, int):
            assert properties[name]["maxLength"] == limit, name
        else:
            assert properties[name]["maxItems"] == limit[0], name
            assert properties[name]["items"]["maxLength"] == limit[1], name


@pytest.mark.parametrize("depth", [100_000, 5_000, 990, 300])
def test_deep_json_ld_loses_that_block_only(depth: int) -> None:
    deep = "[" * depth + "]" * depth
    nested = '{"a":' * depth + "1" + "}" * depth
    extraction = extract_article(page(jsonld(deep), jsonld(nested), jsonld(ARTICLE)), URL)
    record = extraction.record
    assert record["title"] == "The plan is ready"
    assert record["published"] == "2024-05-01T00:00:00+00:00"
    assert "plan number 5" in record["body"]
    if depth >= 5_000:  # json.loads gives up: the block is skipped and counted
        assert extraction.notes.count("field_error/jsonld") == 2


def test_a_too_deep_subtree_loses_that_subtree_only() -> None:
    """A 50,000-deep author object cuts the author, not the block's datePublished."""
    author = '{"name":' * 50_000 + '"x"' + "}" * 50_000
    raw = json.dumps(ARTICLE)[:-1] + ', "author": ' + author + ', "about": "[{"}'
    extraction = extract_article(page(jsonld(raw)), URL)
    assert extraction.record["title"] == "The plan is ready"
    assert extraction.record["published"] == "2024-05-01T00:00:00+00:00"
    assert extraction.record["authors"] == []
    assert extraction.notes.count("field_error/jsonld") == 1


def test_json_ld_text_loses_its_markup() -> None:
    data = {**ARTICLE, "headline": "<b>Bold</b> Name", "author": {"name": "<i>Sara</i> Haddad"},
            "keywords": "<span>k1</span>, k2", "description": "a < b and <em>c</em>"}  # fmt: skip
    record = extract_article(page(jsonld(data)), URL).record
    assert record["title"] == "Bold Name"
    assert record["authors"] == ["Sara Haddad"]
    assert record["tags"] == ["k1", "k2"]
    assert record["description"] == "a < b and c"


def test_a_list_of_names_is_that_many_authors() -> None:
    record = extract_article(page(jsonld({**ARTICLE, "author": {"name": ["A", "B"]}})), URL).record
    assert record["authors"] == ["A", "B"]


def test_removed_noncharacters_leave_no_double_space() -> None:
    data = {**ARTICLE, "headline": "Harbour \ufffe reopens", "author": "Sara \uffff Haddad"}
    raw = json.dumps(data).replace("\\\\u", "\\u")
    record = extract_article(page(jsonld(raw), body=STORY.replace("plan", "plan \ufdd0")), URL)
    assert record.record["title"] == "Harbour reopens"
    assert record.record["authors"] == ["Sara Haddad"]
    assert "the plan number 5 would" in record.record["body"]


def test_json_values_are_bounded_in_depth() -> None:
    """What json.loads accepts (up to ~1,000 levels) is cut off at MAX_JSON_DEPTH, so
    any walk, str() or json.dumps of it is safe."""
    value: Any = "leaf"
    for _ in range(100_000):  # built without recursion
        value = [value]
    trimmed = md.bounded({**ARTICLE, "author": value})
    assert json.dumps(trimmed) and str(trimmed)
    assert md.names(trimmed["author"]) == []


AUTHOR_SHAPES = [
    {"name": ["a", {"b": 1}]},
    {"name": {"x": 1}},
    [[["deep"]]],
    3,
    None,
    True,
    {"name": 5},
    {"@type": ["Person", {"x": 1}], "name": "Sara Haddad"},
    {"@type": "Organization", "name": "Arabs Today"},
    {"name": ["Omar", "Khalil"]},
    {"name": None},
]


def test_author_objects_of_any_shape_give_clean_names() -> None:
    extraction = extract_article(page(jsonld({**ARTICLE, "author": AUTHOR_SHAPES})), URL)
    assert extraction.record["authors"] == ["a", "Sara Haddad", "Omar", "Khalil"]
    assert not [n for n in extraction.notes if n.startswith("field_error/")]


def test_json_values_of_any_shape_give_strings() -> None:
    odd = {"x": 1, "y": [1, [2]], "z": None}
    data = {
        "@type": "NewsArticle",
        "headline": [odd, "Headline"],
        "author": odd,
        "image": [odd, {"url": odd}, {"url": "/a.jpg"}],
        "keywords": [odd, 7, "k1، k2"],
        "articleSection": odd,
        "description": odd,
        "datePublished": odd,
        "inLanguage": odd,
        "@graph": odd,
        "mainEntity": [[odd]],
    }
    record = extract_article(page(jsonld(data)), URL).record
    assert record["title"] == "Headline"
    assert record["images"] == ["https://news.example/a.jpg"]
    assert record["tags"] == ["k1", "k2"]
    assert all("{" not in s and "[" not in s for s in strings_of(record))


FIELD_FAULTS = [
    ("newscrawl.extraction.article._dates", "dates", "published", None),
    ("newscrawl.extraction.article._authors", "authors", "authors", []),
    ("newscrawl.extraction.article._clean_title", "title", "title", None),
    ("newscrawl.extraction.article._description", "description", "description", None),
    ("newscrawl.extraction.metadata.urls", "images", "images", []),
    ("newscrawl.extraction.metadata.read_jsonld", "jsonld", "published", None),
]


@pytest.mark.parametrize(("target", "field", "key", "lost"), FIELD_FAULTS)
def test_an_exception_in_one_field_loses_that_field_only(
    target: str, field: str, key: str, lost: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    html = page(
        jsonld({**ARTICLE, "author": "Sara Haddad", "image": "/a.jpg", "description": "D"}),
        '<meta property="og:title" content="The plan is ready">',
    )
    monkeypatch.setattr(target, broken)
    extraction = extract_article(html, URL)
    assert f"field_error/{field}" in extraction.notes
    assert extraction.record[key] == lost
    assert "plan number 5" in extraction.record["body"]
    if field != "title":
        assert extraction.record["title"] == "The plan is ready"


def test_absurd_sizes_are_cut_and_counted() -> None:
    data = {
        **ARTICLE,
        "headline": "Budget " * 30_000,
        "author": [f"Author {i}" for i in range(500)] + ["x" * 5_000],
        "keywords": [f"tag{i}" for i in range(1_000)],
        "image": [f"/img/{i}.jpg" for i in range(1_000)] + ["/" + "a" * 10_000],
        "description": "word " * 10_000,
        "articleSection": "s" * 10_000,
    }
    extraction = extract_article(page(jsonld(data)), URL)
    record = extraction.record
    assert record["title"].startswith("Budget Budget") and len(record["title"]) <= 1000
    assert len(record["authors"]) == 50 and len(record["tags"]) == 200
    assert len(record["images"]) == 100 and len(record["description"]) <= 5000
    assert len(record["section"] or "") <= 200
    for name in ("title", "authors", "tags", "images", "description", "section"):
        assert f"field_cut/{name}" in extraction.notes, name
    import fastjsonschema

    fastjsonschema.compile(article_schema())(record)


def test_noncharacters_and_surrogates_never_reach_a_record() -> None:
    data = {**ARTICLE, "headline": "Head\\ud800line\\uffff", "author": "Sara\\udfff Haddad"}
    raw = json.dumps(data).replace("\\\\u", "\\u")
    body = STORY.replace("plan", "plan\uffff\ufdd0\U0010fffe")
    record = extract_article(page(jsonld(raw), body=body), URL).record
    assert record["title"] == "Headline"
    assert record["authors"] == ["Sara Haddad"]
    assert "plan number 5" in record["body"]
    assert not any(NONCHARACTERS.search(s) for s in strings_of(record))
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # writable as UTF-8


NASTY = st.text(
    alphabet=st.sampled_from(
        "ab \n\u0627\ufffe\uffff\ufdd0\ufdef\ud800\udbff\udc00\udfff\U0001fffe\U0010ffff&#;x"
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None, database=None)
@given(NASTY, st.lists(NASTY, max_size=5))
def test_cleaning_removes_noncharacters_and_surrogates(text: str, items: list[str]) -> None:
    for cleaned in (clean_text(text), clean_body(text)):
        assert not NONCHARACTERS.search(cleaned)
        cleaned.encode("utf-8")
    record = {"title": text * 50, "body": text, "authors": items, "tags": items, "images": []}
    bound_record(record)
    assert not any(NONCHARACTERS.search(s) for s in strings_of(record))
    assert len(record["title"]) <= 1000


# -- one crawl ---------------------------------------------------------------------------

LONG = "Budget " * 30_000
BAD = make_article(530_001)
FIXED = dataclasses.replace(
    BAD, paragraphs=(BAD.paragraphs[0].replace(" ", "\uffff ", 1), *BAD.paragraphs[1:])
)
HEAD = (
    jsonld("[" * 100_000 + "]" * 100_000)
    + jsonld({"@type": "NewsArticle", "headline": LONG,
              "author": [{"name": ["Sara", {"b": 1}]}, {"name": {"x": 1}}, "Omar Khalil"]})
)  # fmt: skip


@pytest.fixture(scope="module")
def fields_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultSite, Run]]:
    site = FaultSite([BAD, make_article(530_002)])
    html = FIXED.html().replace("</head>", HEAD + "</head>")
    site.pages[BAD.path] = Page(html.encode("utf-8"), "text/html; charset=utf-8")
    with serve(site) as origin:
        run = crawl(origin, tmp_path_factory.mktemp("fields"))
    yield site, run


def test_a_crawl_keeps_the_article_with_bad_metadata(fields_run: tuple[FaultSite, Run]) -> None:
    site, run = fields_run
    assert run.code == 0, run.log[-3000:]
    emitted = {path_of(r): r for r in run.records}
    record = emitted[BAD.path]
    assert record["body"] == BAD.body  # U+FFFF gone
    assert record["title"].startswith("Budget Budget") and len(record["title"]) <= 1000
    assert record["authors"] == ["Sara", "Omar Khalil"]
    assert run.stat("newscrawl/extraction/field_error/jsonld") == 1
    assert run.stat("newscrawl/extraction/field_cut/title") == 1
    url = site.origin + BAD.path
    assert len(run.lines_about(url, "WARNING")) == 1  # the title cut
    assert len([line for line in run.lines_about(url) if "JSON-LD" in line]) == 1
    assert emitted[site.articles[1].path]["body"] == site.articles[1].body


def test_date_like_elements_are_those_the_one_predicate_named() -> None:
    """The generic date guess reaches elements through their class or id attribute
    (cheaper); it finds what the predicate on every element found, once each, in
    document order, and nothing outside <body>."""
    import lxml.html
    from lxml import etree

    from newscrawl.extraction.article import _DATE_LIKE

    predicate = etree.XPath(
        "//body//*[contains(translate(@class, 'DATE', 'date'), 'date')"
        " or contains(translate(@id, 'DATE', 'date'), 'date')"
        " or contains(translate(@class, 'TIME', 'time'), 'time')]"
    )
    root = lxml.html.fromstring(
        "<html><head><meta class='date'></head><body><div class='PostDate' id='date-1'>"
        "<span id='upDATEd'>x</span><time class='Time'>y</time><p class='timeline'>z</p>"
        "<i id='TIME'>no</i><b class='dat e'>no</b></div><ul class='x date'><li>1</li></ul>"
        "</body></html>"
    )
    found = _DATE_LIKE(root)
    assert found == predicate(root)
    assert [el.tag for el in found] == ["div", "span", "time", "p", "ul"]
