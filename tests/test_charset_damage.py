"""Decode like a browser: UTF-8 with a few damaged bytes stays UTF-8 (U+FFFD there).

A page that is UTF-8 except for stray bytes (a 0xFF, a sequence cut at the end) is
decoded as UTF-8 with U+FFFD at each bad byte, counted and logged once; a valid UTF-8
page that declares another charset is read as UTF-8; legacy pages keep working.
Unit level (``decode_html`` and ``CharsetMiddleware`` on a response) for Arabic, Persian
and English pages with 1, 3 and 10 damaged bytes, then one crawl against a local site.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newscrawl.extraction.article import decode_html
from newscrawl.text.charset import CharsetMiddleware, invalid_utf8_bytes

from .crawlrun import Run, crawl, path_of
from .faultserver import Article, FaultSite, Page, make_article, serve

BAD = "\ufffd"  # where a damaged byte goes in the text; 0xFF in the served bytes
WORDS = {
    "ar": "قال وزير المالية إن الحكومة ستعرض خطة الموازنة الجديدة على البرلمان الأسبوع المقبل",
    "fa": "وزیر اقتصاد گفت که دولت برنامه\u200cی بودجه\u200cی تازه را هفته\u200cی آینده"
    " ارائه می\u200cکند",
    "en": "The minister’s café plan — “ready soon” — won approval in Zürich after talks",
}


def page(language: str, damaged: int) -> tuple[bytes, str]:
    """(bytes of a UTF-8 page with ``damaged`` stray 0xFF bytes, the text expected)."""
    words = (" ".join([WORDS[language]] * 4)).split(" ")
    step = len(words) // (damaged + 1)
    for n in range(damaged, 0, -1):  # a bad byte glued to the end of every step-th word
        words[n * step] += BAD
    text = (
        f'<html lang="{language}"><head><meta charset="utf-8"><title>t</title></head>'
        f"<body><p>{' '.join(words)}</p></body></html>"
    )
    return text.encode("utf-8").replace(BAD.encode("utf-8"), b"\xff"), text


def middleware() -> tuple[CharsetMiddleware, Any]:
    crawler = get_crawler()
    crawler.stats = stats = MemoryStatsCollector(crawler)
    return CharsetMiddleware(crawler), stats


def through_middleware(data: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    mw, stats = middleware()
    response = HtmlResponse("http://127.0.0.1/x", body=data, headers={"Content-Type": content_type})
    return mw.process_response(None, response).text, stats.get_stats()  # type: ignore[arg-type]


@pytest.mark.parametrize("damaged", [1, 3, 10])
@pytest.mark.parametrize("language", ["ar", "fa", "en"])
@pytest.mark.parametrize("declared", ["utf-8", None])
def test_few_bad_bytes_are_replaced_not_the_page(
    language: str, damaged: int, declared: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    data, expected = page(language, damaged)
    if declared is None:
        data = data.replace(b'<meta charset="utf-8">', b"")
        expected = expected.replace('<meta charset="utf-8">', "")
    assert invalid_utf8_bytes(data) == damaged
    assert decode_html(data, declared) == expected
    content_type = f"text/html; charset={declared}" if declared else "text/html"
    with caplog.at_level(logging.INFO, logger="newscrawl.text.charset"):
        text, stats = through_middleware(data, content_type)
    assert text == expected
    assert stats["newscrawl/charset/damaged_utf8"] == 1
    assert stats["newscrawl/charset/invalid_utf8_bytes"] == damaged
    assert not any(k.endswith("_mismatch") for k in stats)
    warnings = [r for r in caplog.records if r.name == "newscrawl.text.charset"]
    assert [r.levelno for r in warnings] == [logging.WARNING]


@pytest.mark.parametrize("language", ["ar", "fa", "en"])
def test_a_multibyte_sequence_cut_at_the_end(language: str) -> None:
    data, expected = page(language, 0)
    data += WORDS[language][-1].encode("utf-8")[:-1] if language != "en" else "’".encode()[:-1]
    assert invalid_utf8_bytes(data) in {1, 2}
    assert decode_html(data, "utf-8") == expected + BAD
    text, stats = through_middleware(data, "text/html; charset=utf-8")
    assert text == expected + BAD
    assert stats["newscrawl/charset/damaged_utf8"] == 1


@pytest.mark.parametrize("declared", ["gb2312", "shift_jis", "iso-8859-1", "windows-1256"])
@pytest.mark.parametrize("where", ["header", "meta"])
def test_valid_utf8_declared_as_another_charset_is_utf8(declared: str, where: str) -> None:
    _, expected = page("ar", 0)
    expected = expected.replace('charset="utf-8"', f'charset="{declared}"')
    data = expected.encode("utf-8")
    header = f"text/html; charset={declared}" if where == "header" else "text/html"
    assert decode_html(data, declared if where == "header" else None) == expected
    text, stats = through_middleware(data, header)
    assert text == expected
    assert stats[f"newscrawl/charset/{where}_mismatch"] == 1


@pytest.mark.parametrize("codec", ["cp1256", "cp1252"])
def test_legacy_pages_are_not_damaged_utf8(codec: str) -> None:
    """Legacy bytes have almost no valid UTF-8 sequences: they keep their decoding."""
    text = (
        "قال وزير المالية إن الحكومة ستعرض خطة الموازنة الجديدة" * 5
        if codec == "cp1256"
        else "L’été à Zürich: “déjà vu” — café crème, naïve façade" * 5
    )
    data = f"<html><body><p>{text}</p></body></html>".encode(codec)
    assert invalid_utf8_bytes(data) is None
    assert text in decode_html(data, "utf-8")
    decoded, stats = through_middleware(data, "text/html; charset=utf-8")
    assert text in decoded
    assert stats["newscrawl/charset/header_mismatch"] == 1
    assert "newscrawl/charset/damaged_utf8" not in stats


# -- one crawl ---------------------------------------------------------------------------


def damaged(article: Article, bad: int) -> Article:
    """The article with ``bad`` damaged bytes, each after a word of its first paragraph."""
    words = article.paragraphs[0].split(" ")
    for n in range(1, bad + 1):
        words[n * len(words) // (bad + 1)] += BAD
    first = " ".join(words)
    if article.language == "en":
        first = "The minister’s “plan” — approved in Zürich. " + first
    return dataclasses.replace(article, paragraphs=(first, *article.paragraphs[1:]))


def served(article: Article, content_type: str, meta: str | None = "utf-8") -> Page:
    data = article.html(meta).encode("utf-8").replace(BAD.encode("utf-8"), b"\xff")
    return Page(data, content_type)


PAGES = {  # name: (article, content type, <meta> charset, bad bytes)
    "arabic_3_bad_bytes": (damaged(make_article(510_001, "ar"), 3), "utf-8", "utf-8", 3),
    "arabic_1_bad_byte_undeclared": (damaged(make_article(510_002, "ar"), 1), None, None, 1),
    "english_5_bad_bytes": (damaged(make_article(510_003), 5), "utf-8", "utf-8", 5),
    "arabic_valid_declared_gb2312": (make_article(510_004, "ar"), "gb2312", "gb2312", 0),
}


@pytest.fixture(scope="module")
def damaged_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FaultSite, Run]]:
    articles = [a for a, *_ in PAGES.values()] + [make_article(510_100), make_article(510_101)]
    site = FaultSite(articles)
    for article, charset, meta, _ in PAGES.values():
        content_type = f"text/html; charset={charset}" if charset else "text/html"
        site.pages[article.path] = served(article, content_type, meta)
    workdir: Path = tmp_path_factory.mktemp("damaged")
    with serve(site) as origin:
        run = crawl(origin, workdir)
    yield site, run


def test_a_crawl_emits_damaged_utf8_as_utf8(damaged_run: tuple[FaultSite, Run]) -> None:
    site, run = damaged_run
    assert run.code == 0, run.log[-3000:]
    emitted = {path_of(r): r for r in run.records}
    for name, (article, _, _, bad) in PAGES.items():
        record = emitted[article.path]
        assert record["body"] == article.body, name
        assert record["body"].count(BAD) == bad
        assert record["title"] == article.title
        lines = run.lines_about(site.origin + article.path, "WARNING")
        assert len(lines) == (1 if bad else 0), lines
    assert run.stat("newscrawl/charset/damaged_utf8") == 3
    assert run.stat("newscrawl/charset/invalid_utf8_bytes") == 3 + 1 + 5
    assert run.stat("newscrawl/charset/header_mismatch") == 1  # the gb2312 page
