"""`scrapy golden`: a first golden entry from a saved page, run as a site author runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import newscrawl
from newscrawl.fixtureserver import FIXTURE_SITE

from .conftest import fixture_pages
from .corpus import require_corpus
from .sitepages import expected_pages, read_site_page, site_problems
from .test_commands import scrapy

ORIGIN = "https://www.arabstoday.net"


def _page(language: str) -> dict[str, Any]:
    return next(p for p in fixture_pages() if p["language"] == language and p["noise"])


def _written(output: Path) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = json.loads(output.read_text("utf-8"))
    return pages


def test_golden_writes_the_crawl_record_and_noise_beside_a_saved_page(tmp_path: Path) -> None:
    for language in ("en", "ar"):
        page = _page(language)
        folder = tmp_path / "sites" / "arabstoday"
        folder.mkdir(parents=True, exist_ok=True)
        saved = folder / f"story-{language}.html"
        saved.write_bytes((FIXTURE_SITE / page["file"]).read_bytes())
        output = folder / "expected.json"
        result = scrapy("golden", str(saved), "--url", ORIGIN + page["path"], "-o", str(output))
        assert result.returncode == 0, result.stderr
        assert f"wrote the arabstoday record of {ORIGIN + page['path']}" in result.stderr
    entries = _written(output)
    assert [e["page"] for e in entries] == ["story-en.html", "story-ar.html"]
    assert site_problems("arabstoday", tmp_path / "sites") == []  # the guard takes it as is
    for entry in entries:
        html = read_site_page("arabstoday", entry, tmp_path / "sites")
        record = newscrawl.extract(html, entry["url"])
        assert entry["expected"] == record  # what the golden test will compare
        assert entry["noise"] and all(noise not in record["body"] for noise in entry["noise"])
    # The proposals hold what the fixture site's author listed as noise by hand: ticker
    # headlines, their timestamps, the footer.
    proposed = set(entries[0]["noise"])
    hand = set(_page("en")["noise"])
    assert len(hand & proposed) >= len(hand) // 2, (hand, proposed)


def test_golden_again_replaces_its_entry_and_keeps_the_others(tmp_path: Path) -> None:
    output = tmp_path / "arabstoday" / "expected.json"
    output.parent.mkdir()
    output.write_text(json.dumps([{"corpus": "x.html", "url": "https://a/1", "expected": {}}]))
    page = _page("en")
    for _ in range(2):
        result = scrapy("golden", str(FIXTURE_SITE / page["file"]), "--url",
                        ORIGIN + page["path"], "-o", str(output))  # fmt: skip
        assert result.returncode == 0, result.stderr
    entries = _written(output)
    assert [e.get("fixture") for e in entries] == [None, page["file"]]  # referenced, not copied
    assert sorted(p.name for p in output.parent.iterdir()) == ["expected.json"]
    [golden] = [g for g in expected_pages("arabstoday") if g.get("fixture") == page["file"]]
    assert entries[1]["expected"] == golden["expected"]


def test_golden_copies_a_page_saved_elsewhere_into_the_site_folder(tmp_path: Path) -> None:
    page = _page("ar")
    saved = tmp_path / "downloads" / "page.html"
    saved.parent.mkdir()
    saved.write_bytes((FIXTURE_SITE / page["file"]).read_bytes())
    output = tmp_path / "sites" / "arabstoday" / "expected.json"
    result = scrapy("golden", str(saved), "--url", ORIGIN + page["path"], "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert _written(output)[0]["page"] == "page.html"
    assert (output.parent / "page.html").read_bytes() == saved.read_bytes()
    assert site_problems("arabstoday", tmp_path / "sites") == []


def test_golden_fetches_a_url_and_saves_the_page(tmp_path: Path, site_origin: str) -> None:
    page = _page("en")
    output = tmp_path / "arabstoday" / "expected.json"
    url = site_origin + page["path"]
    result = scrapy("golden", url, "--site", "arabstoday", "-o", str(output))
    assert result.returncode == 0, result.stderr
    [entry] = _written(output)
    assert entry["url"] == url and entry["page"] == Path(page["path"]).name + ".html"
    assert entry["expected"]["title"] == page["title"]
    assert site_problems("arabstoday", tmp_path) == []


def test_golden_usage_errors_are_one_line(tmp_path: Path) -> None:
    page = tmp_path / "story.html"  # saved outside the site folders: copied into them
    page.write_bytes((FIXTURE_SITE / _page("en")["file"]).read_bytes())
    cases = [
        (("golden", str(page)), "--url is needed"),
        (("golden", str(page), "--url", "https://nosuch.example/a"), "no site module covers"),
        (("golden", str(page), "--url", ORIGIN + "/x", "--site", "nosuch"), "unknown site"),
        (("golden", "http://127.0.0.1:9/a", "--site", "arabstoday"), "give -o"),
    ]
    broken = tmp_path / "broken" / "expected.json"
    broken.parent.mkdir()
    broken.write_text("[{")
    taken = tmp_path / "taken" / "expected.json"
    taken.parent.mkdir()
    (taken.parent / page.name).write_text("another page saved under that name")
    cases += [
        (("golden", str(page), "--url", ORIGIN + "/x", "-o", str(broken)), "cannot be read"),
        (("golden", str(page), "--url", ORIGIN + "/x", "-o", str(taken)), "already holds"),
    ]
    for args, message in cases:
        result = scrapy(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert broken.read_text() == "[{"  # nothing written over what could not be read
    assert (taken.parent / page.name).read_text() == "another page saved under that name"


def test_golden_names_a_corpus_page_and_proposes_its_furniture(tmp_path: Path) -> None:
    [golden] = expected_pages("youm7")
    page = require_corpus() / golden["corpus"]
    output = tmp_path / "youm7" / "expected.json"
    result = scrapy("golden", str(page), "--url", golden["url"], "-o", str(output))
    assert result.returncode == 0, result.stderr
    [entry] = _written(output)
    assert entry["corpus"] == golden["corpus"]  # named, not copied
    assert sorted(p.name for p in output.parent.iterdir()) == ["expected.json"]
    assert entry["expected"] == golden["expected"]
    assert not {*golden["expected"]["tags"], golden["expected"]["title"]} & set(entry["noise"])
    hand = set(golden["noise"])
    assert len(hand & set(entry["noise"])) >= len(hand) // 2, (hand, entry["noise"])
