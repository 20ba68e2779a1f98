"""Fuzzing in the suite: every target of tests/fuzzing.py, a few dozen examples each.

Arbitrary and adversarial HTML (deep nesting, unclosed tags, huge attributes, mixed
scripts, RTL overrides, NUL bytes, broken JSON-LD, wrong charsets), XML, URLs, dates
and text go to every extraction and cleaning function: no exception, and output valid
for its contract (a record valid for the JSON Schema, or NotAnArticleError with a
reason). ``python bench/fuzz.py`` runs 10,000 examples.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .fuzzing import SITES, TARGETS, Target, check_extract

EXAMPLES = {"newscrawl.extract[site]": 60}


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example, HealthCheck.filter_too_much],
)  # fmt: skip
@given(data=st.data())
def test_fuzz(target: Target, data: Any) -> None:
    target.check(data.draw(target.strategy))


# Fixed adversarial pages, so that every site module meets each of them in every run.
_ARTICLE = "<p>" + "The minister said the plan would be ready within the month. " * 8 + "</p>"
CLASSICS: dict[str, str | bytes] = {
    "deep_nesting": "<div>" * 3000 + _ARTICLE,
    "nested_tables": "<table><tr><td>" * 2000 + _ARTICLE,
    "unclosed_tags": "<html><body><article><p>x<b><i><p>" + _ARTICLE + "<div><span>",
    "huge_attribute": f'<article class="{"x" * 1_000_000}">{_ARTICLE}</article>',
    "nul_bytes": f"<html>\x00<body><article>\x00{_ARTICLE}\x00</article></body></html>",
    "rtl_overrides": f"<article>\u202e{_ARTICLE}\u202c\u2067نص\u2069</article>",
    "mixed_scripts": f"<article><h1>עברית English العربية 中文 😀</h1>{_ARTICLE}</article>",
    "junk_language": f'<html lang="english"><body><article>{_ARTICLE}</article></body></html>',
    "bad_urls": (
        '<link rel="canonical" href="http://[zz::1]/"><meta property="og:image" '
        f'content="javascript:alert(1)"><article><img src="data:x">{_ARTICLE}</article>'
    ),
    "broken_jsonld": '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
    f"[{{}}, null, 3], \"datePublished\": \"2023-02-30\"</script><article>{_ARTICLE}</article>",
    "bytes_wrong_meta": (
        '<meta charset="utf-8"><article><p>' + "قال الوزير إن الخطة ستكون جاهزة. " * 10 + "</p>"
    ).encode("cp1256"),
    "empty": "",
}


@pytest.mark.parametrize("page", CLASSICS, ids=list(CLASSICS))
@pytest.mark.parametrize("site", SITES)
def test_every_site_survives_the_classics(site: str, page: str) -> None:
    check_extract((site, CLASSICS[page]))
