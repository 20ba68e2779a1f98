"""The fixture site against its hand-written truth, and the seed page.

``tests/sites/arabstoday/expected.json`` holds the whole expected record of each fixture page
(checked by tests/test_sites.py with every other site); ``pages.json`` is the
independent truth the fixture site's author wrote by hand (body, dates, authors,
noise lines). Both must agree with the extraction.
"""

from __future__ import annotations

from typing import Any

import pytest

import newscrawl
from newscrawl.fixtureserver import FIXTURE_SITE, Seed, render_seed

from .conftest import fixture_pages

ORIGIN = "https://www.arabstoday.net"
MANIFEST_FIELDS = (
    "title", "authors", "published", "published_raw", "modified", "section", "tags",
    "canonical_url", "language",
)  # fmt: skip


@pytest.mark.parametrize("page", fixture_pages(), ids=lambda p: p["path"].split("/")[3])
def test_fixture_page_record(page: dict[str, Any]) -> None:
    html = (FIXTURE_SITE / page["file"]).read_bytes()
    record = newscrawl.extract(html, ORIGIN + page["path"])
    assert record["body"].split("\n\n") == page["body"]
    assert {key: record[key] for key in MANIFEST_FIELDS} == {
        key: page[key] for key in MANIFEST_FIELDS
    }
    for noise in page["noise"]:
        assert noise not in record["body"]
    assert "fetched_at" not in record


def test_seed_page_body_is_the_reference_body_alone(seed: Seed) -> None:
    template = FIXTURE_SITE / "en/news/100245/isis-fewer-than-1000-fighters-remain.html.in"
    html = render_seed(template.read_text("utf-8"), seed)
    record = newscrawl.extract(
        html, ORIGIN + "/en/news/100245/isis-fewer-than-1000-fighters-remain"
    )
    assert record["body"].split("\n\n") == list(seed.body)
    assert "US0led" in record["body"]  # the publisher's typo stays
    for stamp, headline in seed.ticker:
        assert stamp not in record["body"] and headline not in record["body"]
    for line in seed.footer:
        assert line not in record["body"]
    assert record["published"] == "2017-12-27T14:05:00+00:00"
    assert record["published_raw"] == "GMT 14:05 2017 Wednesday ,27 December"
    assert (
        record["title"] == "Coalition says fewer than 1,000 ISIS fighters remain in Iraq and Syria"
    )
    assert record["language"] == "en"
    assert record["images"] == ["https://www.arabstoday.net/img/upload/isis-coalition.jpg"]


def test_windows_1256_page_declared_only_in_meta_is_decoded() -> None:
    [page] = [p for p in fixture_pages() if p["encoding"] == "windows-1256"]
    data = (FIXTURE_SITE / page["file"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    record = newscrawl.extract(data, ORIGIN + page["path"])
    assert record["title"] == page["title"]
    assert "\ufffd" not in record["body"]
