"""A page whose site selectors miss is decoded, repaired and parsed once, and the
generic extraction that follows works on the same tree (issue 16: cheaper per page)."""

from __future__ import annotations

import logging

import pytest

import newscrawl
from newscrawl.extraction import article
from newscrawl.extraction.article import extract_article
from newscrawl.extraction.decide import decide
from newscrawl.extraction.generic.extractor import generic_body
from newscrawl.sites.registry import site_specs

URL = "https://www.aljazeera.com/news/2026/1/4/talks-resume-in-doha"
PROSE = " ".join(["The talks resumed in Doha on Sunday after a week of delays."] * 4)
# Three words of the standfirst stored as UTF-8 read as windows-1252 by the CMS.
GARBLED = "Délégués, ministères, négociés".encode().decode("cp1252")
REDESIGNED = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Talks resume in Doha | Al Jazeera</title></head><body>
<main><h1>Talks resume in Doha</h1><div class="story-2026"><p>{GARBLED}</p>
{"".join(f"<p>{PROSE} Paragraph {n}.</p>" for n in range(6))}
</div></main><footer>About us.</footer></body></html>""".encode()


def test_fallback_parses_the_page_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = []
    real = article.parse_html
    monkeypatch.setattr(article, "parse_html", lambda *a: parses.append(1) or real(*a))
    extraction = decide(REDESIGNED, URL, site_specs()["aljazeera"])
    assert extraction.record["extraction"] == "fallback"
    assert len(parses) == 1


def test_fallback_record_is_the_generic_extraction_of_the_page(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spec = site_specs()["aljazeera"]
    domains, listings = spec.canonical_scope()
    alone = extract_article(
        REDESIGNED, URL, spec.rules, spec.language_for(URL), generic_body,
        domains=domains, listings=listings,
    ).record  # fmt: skip
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="newscrawl"):
        record = newscrawl.extract(REDESIGNED, URL)
    assert record == {**alone, "extraction": "fallback"}
    assert "Délégués, ministères, négociés" in record["body"]
    # Said once per page, not once per extractor.
    assert [r.getMessage() for r in caplog.records].count(
        f"Mojibake (UTF-8 once read as cp1252) repaired: {URL}"
    ) == 1
