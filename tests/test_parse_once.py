"""A page whose site selectors miss is decoded, repaired and parsed once, and the
generic extraction that follows works on the same tree (issue 16: cheaper per page)."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_the_page_is_encoded_once_for_the_mojibake_check_and_the_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The mojibake check encodes the page as UTF-8; the parser is given those bytes
    (sliced past the whitespace it strips) rather than encoding the page again. A page
    the check repairs is encoded anew, as it must be."""
    from newscrawl.extraction import depth

    given: list[bytes | None] = []
    real = article.parse_html

    def spy(text: str, base_url: str | None = None, encoded: bytes | None = None) -> object:
        given.append(encoded)
        return real(text, base_url, encoded)

    monkeypatch.setattr(article, "parse_html", spy)
    page = f"\n  <html><body><h1>Talks — Doha</h1><p>{PROSE}</p></body></html>\n\n"
    root = article.parse_page(page, URL).root
    assert given == [page.encode()]
    assert depth._utf8(page, page.encode()) == page.strip().encode()
    assert root.findtext(".//h1") == "Talks — Doha"
    repaired = article.parse_page(REDESIGNED.decode("utf-8"), URL)
    assert repaired.mojibake == "cp1252" and given[-1] is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u3000\x00a<é\u0639😀")))
def test_the_parser_gets_the_bytes_it_got_before(text: str) -> None:
    """Sliced or encoded anew, libxml2 is given what ``text.strip()`` without NULs
    encodes to."""
    from newscrawl.extraction import depth

    assert depth._utf8(text, text.encode()) == text.strip().replace("\x00", "").encode()
