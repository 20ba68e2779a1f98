"""Site specs, per-field overrides and the one record definition.

Site modules declare a ``SiteSpec`` and import only ``newscrawl.sites.toolkit``; quirks
are fixed one field at a time (knobs, or ``@override`` hooks); the record is one typed
definition that the item and the JSON Schema share.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

import newscrawl
from newscrawl.extraction.decide import decide
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.items import RECORD_FIELDS, Article, Record, article_schema
from newscrawl.sites.registry import site_specs, site_spiders
from newscrawl.sites.siteconfig import load_site
from newscrawl.sites.toolkit import Dates, Page, SiteRules, SiteSpec, override
from newscrawl.sites.toolkit import Edition as ToolkitEdition

TOOLKIT = "newscrawl.sites.toolkit"
URL = "https://news.example/world/2026/1/4/a-story"
BODY = "".join(
    f"<p>{'The council met on Sunday to discuss the budget. ' * 4}{n}</p>" for n in range(4)
)
PAGE = f"""<html lang="en"><head><title>A story</title>
<meta name="keywords" content="budget, council">
<meta name="author" content="News Example Desk">
<meta property="article:published_time" content="2026-01-04T09:30:00Z"></head>
<body><h1>A story</h1><span class="printed">4 January 2026 09:30</span>
<div class="story">{BODY}</div></body></html>"""


def _spec(**rules: object) -> SiteSpec:
    return SiteSpec(
        name="example", origin="https://news.example", domains=("news.example",),
        editions={"en": ToolkitEdition(language="en", path="/world/")},
        article_url=r"^/world/\d{4}/", rules=SiteRules(body_selectors=(".story",), **rules),  # type: ignore[arg-type]
    )  # fmt: skip


def _site_modules() -> list[Path]:
    """The modules of newscrawl/spiders/ that declare a site spec."""
    found = []
    for path in sorted((PROJECT_ROOT / "newscrawl" / "spiders").glob("*.py")):
        module = importlib.import_module(f"newscrawl.spiders.{path.stem}")
        if isinstance(getattr(module, "SPEC", None), SiteSpec):
            found.append(path)
    return found


def test_every_site_module_declares_a_spec() -> None:
    modules = _site_modules()
    assert len(modules) == len(site_specs()) >= 17


@pytest.mark.parametrize("path", _site_modules(), ids=lambda p: p.stem)
def test_site_module_imports_only_the_toolkit(path: Path) -> None:
    """No site module reaches into extraction internals, Scrapy or an underscore name."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert not alias.name.startswith(("newscrawl", "scrapy")), alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(("newscrawl", "scrapy")) or node.level:
                assert node.module == TOOLKIT, f"{path.stem} imports {node.module}"
            for alias in node.names:
                assert not alias.name.startswith("_"), f"{path.stem} imports {alias.name}"
        elif isinstance(node, ast.ClassDef):
            pytest.fail(f"{path.stem} defines class {node.name}: a site module declares a spec")


def test_the_spider_is_made_from_the_spec() -> None:
    for name, spec in site_specs().items():
        spider = site_spiders()[name]
        assert spider.spec is spec and spider.name == name and spider.rules is spec.rules
    assert site_specs()["jpost"].rules.name == "jpost"  # declared once, on the spec


def test_scrapy_list_names_every_site() -> None:
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {*site_specs(), "news"}


def test_article_and_pagination_patterns_match_path_and_query() -> None:
    """Both patterns are searched in the same thing: path plus query, never the host."""
    crawler = get_crawler(site_spiders()["youm7"])
    spider = site_spiders()["youm7"].from_crawler(crawler, base_url="http://127.0.0.1:8")
    assert spider._pagination_re.search("/Section/سياسة/319/2")
    assert spider.is_article_url("http://127.0.0.1:8/story/2020/8/24/x/4943459")
    generic = SiteSpec(name="x", origin="https://x.example", domains=("x.example",), editions={})
    assert re.search(generic.pagination_url, "/world?page=2")


def test_a_hook_changes_its_field_only() -> None:
    @override("tags")
    def tags(page: Page, value: list[str]) -> list[str]:
        assert page.record["title"] == "A story" and page.language == "en"
        return [tag.upper() for tag in value]

    record = decide(PAGE, URL, _spec(overrides=(tags,))).record
    assert record["tags"] == ["BUDGET", "COUNCIL"]
    assert record["title"] == "A story" and record["extraction"] == "selector"


def test_a_failing_hook_loses_its_own_change_only() -> None:
    @override("dates")
    def broken(page: Page, value: Dates) -> Dates:
        raise RuntimeError("site bug")

    extraction = decide(PAGE, URL, _spec(overrides=(broken,)))
    assert "field_error/dates" in extraction.notes
    assert extraction.record["published"] == "2026-01-04T09:30:00+00:00"


def test_override_refuses_an_unknown_field() -> None:
    with pytest.raises(ValueError, match="no field 'autors'"):
        override("autors")


def test_knobs_not_authors_and_wall_clock() -> None:
    plain = decide(PAGE, URL, _spec(timezone="Asia/Amman", date_formats=("%d %B %Y %H:%M",)))
    assert plain.record["authors"] == ["News Example Desk"]
    assert plain.record["published"] == "2026-01-04T09:30:00+00:00"
    knobs = _spec(
        timezone="Asia/Amman",
        date_formats=("%d %B %Y %H:%M",),
        not_authors=("news example desk",),
        wall_clock_selectors=(".printed",),
    )
    record = decide(PAGE, URL, knobs).record
    assert record["authors"] == []
    assert record["published"] == "2026-01-04T09:30:00+03:00"  # the "Z" was Amman time


def test_printed_date_knob_reads_the_printed_date_when_nothing_else_did() -> None:
    page = PAGE.replace('<meta property="article:published_time" content="2026-01-04T09:30:00Z">',
                        "").replace('class="printed"', 'class="sidebar-when"')  # fmt: skip
    formats = {"date_formats": ("%d %B %Y %H:%M",), "timezone": "Asia/Amman"}
    assert decide(page, URL, _spec(**formats)).record["published"] is None
    record = decide(page, URL, _spec(printed_date_selectors=(".sidebar-when",), **formats)).record
    assert record["published"] == "2026-01-04T09:30:00+03:00"
    assert record["published_raw"] == "4 January 2026 09:30"


def test_toml_declares_the_knobs_too(tmp_path: Path) -> None:
    config = tmp_path / "example.toml"
    config.write_text(
        'name = "example"\norigin = "https://news.example"\ndomains = ["news.example"]\n'
        'article_url = \'^/world/\'\n[editions.en]\nlanguage = "en"\npath = "/world/"\n'
        '[rules]\nbody_selectors = [".story"]\nnot_authors = ["News Example Desk"]\n',
        "utf-8",
    )
    spec = load_site(config)
    assert isinstance(spec, SiteSpec) and spec.rules.name == "example"
    assert decide(PAGE, URL, spec).record["authors"] == []


def test_the_record_is_one_definition() -> None:
    schema = article_schema()
    assert list(schema["properties"]) == list(Record.__annotations__) == list(RECORD_FIELDS)
    assert set(schema["required"]) == set(Record.__required_keys__)
    assert list(Article.fields) == list(RECORD_FIELDS)
    record = newscrawl.extract(PAGE, URL)
    assert set(record) == set(Record.__required_keys__)
    json.dumps(record)
