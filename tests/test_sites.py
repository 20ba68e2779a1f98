"""Every site module, golden-tested on real pages its publisher wrote (like Fundus does).

Each site has a folder ``tests/sites/<name>/`` (tests/sitepages.py): ``expected.json``
lists its pages, each with its source (a ``page`` saved in the folder, a ``corpus``
file under ../shared/corpus, or a ``fixture`` file of the fixture site), the URL it was
published at, the whole expected record, and the page's noise (strings of
related/most-read/share/ad/footer blocks that must not be in the body). Where the corpus
holds an answer of its own (gold body, publication date, with/without snippets), the
record is also checked against it, independently of our expected record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import newscrawl
from newscrawl.sites.registry import site_spiders
from newscrawl.text.overlap import f1

from .corpus import gold_body, manifest, require_corpus
from .sitepages import expected_pages, orphan_folders, page_source, read_site_page, site_problems

REQUIRED = ("name", "origin", "domains", "editions", "article_url", "rules")


def golden_pages() -> list[Any]:
    params = []
    for name in sorted(site_spiders()):
        for page in expected_pages(name):
            ident = f"{name}:{Path(page_source(page)).name[:40]}"
            params.append(pytest.param(name, page, id=ident))
    return params


@pytest.mark.parametrize(("site", "page"), golden_pages())
def test_golden_page(site: str, page: dict[str, Any]) -> None:
    html = read_site_page(site, page)
    if page.get("not_an_article"):
        with pytest.raises(newscrawl.api.NotAnArticleError):
            newscrawl.extract(html, page["url"])
        return
    record = newscrawl.extract(html, page["url"])  # the site is found by its domain
    assert record["site"] == site
    assert record == page["expected"]
    for noise in page.get("noise", []):
        assert noise not in record["body"], noise
    if "corpus" not in page:
        return
    require_corpus()
    expected = manifest()[page["corpus"]]["expected"]
    gold = gold_body(page["corpus"])
    if gold is not None:
        # Residual differences, if any, are listed (and explained) in the page's entry.
        assert f1(record["body"], gold) >= page.get("min_f1", 0.99)
    if "published_date" in expected:
        assert (record["published"] or "")[:10] == expected["published_date"]
    for snippet in expected.get("with", []):
        assert snippet in record["body"]
    for snippet in expected.get("without", []):
        assert snippet not in record["body"]


@pytest.mark.parametrize("name", sorted(site_spiders()))
def test_site_module_declares_everything(name: str) -> None:
    spider = site_spiders()[name]
    for attribute in REQUIRED:
        assert getattr(spider, attribute, None), f"{name} must declare {attribute}"
    assert spider.rules.name == name
    assert spider.rules.body_selectors, f"{name} needs body selectors"
    for key, edition in spider.editions.items():
        assert edition.language, f"{name}/{key} needs a language"
        assert edition.feeds or edition.sitemaps or edition.sections or spider.robots_sitemaps, (
            f"{name}/{key} needs at least one discovery entry point"
        )
    assert site_problems(name) == []


def test_every_golden_folder_has_its_site_module() -> None:
    assert orphan_folders(set(site_spiders())) == []


def _golden_folder(root: Path, pages: object, *saved: str) -> None:
    folder = root / "mysite"
    folder.mkdir()
    for name in saved:
        (folder / name).write_text("<html><body><p>story</p></body></html>", "utf-8")
    if pages is not None:
        (folder / "expected.json").write_text(json.dumps(pages), "utf-8")


ENTRY = {"page": "story.html", "url": "https://mysite.example/a", "expected": {"site": "m"}}


@pytest.mark.parametrize(
    ("pages", "saved", "problem"),
    [
        (None, (), "needs"),  # a folder without expected.json
        ([], (), "at least one golden page"),
        ([ENTRY], (), "'story.html' is missing"),  # listed, never saved
        ([ENTRY], ("story.html", "other.html"), "no entry of expected.json uses it"),
        ([{**ENTRY, "expected": {}}], ("story.html",), "needs 'expected'"),
        ([{**ENTRY, "corpus": "x.html"}], ("story.html",), "exactly one of"),
        ([{**ENTRY, "page": "../../etc/passwd"}], (), "outside"),
    ],
)
def test_a_half_added_site_is_refused(
    tmp_path: Path, pages: object, saved: tuple[str, ...], problem: str
) -> None:
    _golden_folder(tmp_path, pages, *saved)
    problems = site_problems("mysite", tmp_path)
    assert len(problems) == 1 and problem in problems[0], problems


def test_a_site_without_a_folder_is_refused(tmp_path: Path) -> None:
    assert "needs a folder of golden pages" in site_problems("mysite", tmp_path)[0]


def test_a_whole_site_folder_passes_and_its_saved_page_is_read(tmp_path: Path) -> None:
    bot_check = {"page": "check.html", "url": "https://mysite.example/b", "not_an_article": True}
    _golden_folder(tmp_path, [ENTRY, bot_check], "story.html", "check.html")
    assert site_problems("mysite", tmp_path) == []  # a bot check expects no record
    assert read_site_page("mysite", ENTRY, tmp_path).startswith(b"<html>")
    assert orphan_folders({"othersite"}, tmp_path) == ["mysite"]
