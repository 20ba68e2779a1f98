"""Every site module, golden-tested on real pages its publisher wrote (like Fundus does).

Each site has ``tests/sites/<name>.json``: a list of pages, each with its source
(``corpus`` file under ../shared/corpus, or ``fixture`` file of the fixture site), the
URL it was published at, the whole expected record, and the page's noise (strings of
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

from .corpus import gold_body, manifest, read_page, require_corpus
from .evaluation import f1

SITES_DIR = Path(__file__).parent / "sites"
REQUIRED = ("name", "origin", "domains", "editions", "article_url", "rules")


def golden_pages() -> list[Any]:
    params = []
    for name in sorted(site_spiders()):
        path = SITES_DIR / f"{name}.json"
        if not path.is_file():
            continue
        for page in json.loads(path.read_text("utf-8")):
            ident = f"{name}:{Path(page.get('corpus') or page.get('fixture')).name[:40]}"
            params.append(pytest.param(name, page, id=ident))
    return params


@pytest.mark.parametrize(("site", "page"), golden_pages())
def test_golden_page(site: str, page: dict[str, Any]) -> None:
    html = read_page(page)
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
    golden = SITES_DIR / f"{name}.json"
    assert golden.is_file() and json.loads(golden.read_text("utf-8")), (
        f"{name} needs at least one golden page in {golden}"
    )
