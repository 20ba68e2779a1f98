"""Dates of both editions: ISO 8601 with a UTC offset, raw strings as printed."""

from __future__ import annotations

import pytest

from newscrawl.extraction.dates import iso, normalize_date_text, parse_date
from newscrawl.sites.registry import site_spiders

ArabsTodaySpider = site_spiders()["arabstoday"]

SITE_FORMATS = ArabsTodaySpider.rules.date_formats


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GMT 16:12 2018 Monday ,01 January", "2018-01-01T16:12:00+00:00"),
        ("GMT 08:55 2017 Sunday ,17 December", "2017-12-17T08:55:00+00:00"),
        ("GMT ١٦:١٢ ٢٠١٨ الإثنين ,٠١ يناير", "2018-01-01T16:12:00+00:00"),
        ("GMT ١٦:١٢ ٢٠١٨ الاثنين ,٠١ كانون الثاني", "2018-01-01T16:12:00+00:00"),
        ("GMT 09:30 2023 السبت ,05 آب", "2023-08-05T09:30:00+00:00"),
        ("GMT ٠٧:٠٥ ٢٠٢٤ الثلاثاء ,٠٨ تشرين الأول", "2024-10-08T07:05:00+00:00"),
        ("GMT 11:00 2022 الأربعاء ,٠٩ شباط", "2022-02-09T11:00:00+00:00"),
        ("GMT 11:00 2022 السبت ,١٠ كانون الأول", "2022-12-10T11:00:00+00:00"),
        ("GMT 11:00 2022 السبت ,١٠ ديسمبر", "2022-12-10T11:00:00+00:00"),
    ],
)
def test_site_visible_format_both_editions(raw: str, expected: str) -> None:
    assert iso(parse_date(raw, SITE_FORMATS)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-01-01T18:12:00+02:00", "2018-01-01T18:12:00+02:00"),
        ("2018-01-01T16:12:00Z", "2018-01-01T16:12:00+00:00"),
        ("2018-01-01T16:12:00.123+0300", "2018-01-01T16:12:00+03:00"),
        ("2018-01-01 16:12", "2018-01-01T16:12:00+00:00"),
        ("2018-01-01", "2018-01-01T00:00:00+00:00"),
        ("Mon, 01 Jan 2018 16:12:00 GMT", "2018-01-01T16:12:00+00:00"),
        ("Mon, 01 Jan 2018 18:12:00 +0200", "2018-01-01T18:12:00+02:00"),
        ("٢٠١٨-٠١-٠١T١٦:١٢:٠٠+٠٣:٠٠", "2018-01-01T16:12:00+03:00"),
    ],
)
def test_machine_dates(raw: str, expected: str) -> None:
    assert iso(parse_date(raw)) == expected


def test_naive_dates_are_read_in_the_site_timezone() -> None:
    assert iso(parse_date("2023-05-01 10:00", timezone="Asia/Beirut")) == (
        "2023-05-01T10:00:00+03:00"
    )


def test_printed_dates_without_site_format_go_through_dateparser() -> None:
    assert iso(parse_date("١٥ نيسان ٢٠٢٣")) == "2023-04-15T00:00:00+00:00"
    assert iso(parse_date("Saturday, 15 April 2023 10:30")) == "2023-04-15T10:30:00+00:00"
    assert iso(parse_date("5 جويلية 2021")) == "2021-07-05T00:00:00+00:00"


@pytest.mark.parametrize("raw", ["", "   ", "no date here", "GMT", "13:00", None])
def test_no_date_is_none_not_invented(raw: str | None) -> None:
    assert parse_date(raw, SITE_FORMATS) is None


def test_normalisation_keeps_month_order_of_levantine_names() -> None:
    assert normalize_date_text("كانون الثاني") == "January"
    assert normalize_date_text("كانون الأول") == "December"
    assert normalize_date_text("تشرين الثاني") == "November"
    assert normalize_date_text("أيار") == "May"


def test_an_unknown_site_zone_keeps_dates_that_carry_their_own_offset() -> None:
    """A bad zone (a site module nobody checked) places no naive date but loses none
    that says its own offset; TOML configs refuse the zone at load (test_usage)."""
    bad = "Mars/Olympus"
    assert iso(parse_date("2024-01-01T10:00:00+03:00", timezone=bad)) == (
        "2024-01-01T10:00:00+03:00"
    )
    assert iso(parse_date("Mon, 01 Jan 2018 18:12:00 +0200", timezone=bad)) == (
        "2018-01-01T18:12:00+02:00"
    )
    assert parse_date("2024-01-01 10:00", timezone=bad) is None
    assert parse_date("1 January 2024", ["%d %B %Y"], timezone=bad) is None


def test_an_unknown_site_zone_loses_no_field_of_the_article() -> None:
    """Extraction with such a zone: the offset-carrying JSON-LD date is kept, no field
    error is raised for it (before: ZoneInfoNotFoundError lost every date)."""
    from newscrawl.extraction.article import extract_article
    from newscrawl.extraction.rules import SiteRules

    story = "".join(f"<p>The minister said plan {i} would be ready within the month.</p>"
                    for i in range(6))  # fmt: skip
    jsonld = '{"@type": "NewsArticle", "datePublished": "2024-01-01T10:00:00+03:00"}'
    html = (f'<html><head><script type="application/ld+json">{jsonld}</script></head>'
            f"<body><article>{story}</article></body></html>")  # fmt: skip
    rules = SiteRules(name="x", timezone="Mars/Olympus")
    extraction = extract_article(html, "https://news.example/world/2024/05/01/story", rules)
    assert extraction.record["published"] == "2024-01-01T10:00:00+03:00"
    assert not [note for note in extraction.notes if note.startswith("field_error/")]


def test_dateparser_is_built_once_per_zone_and_reads_as_parse_did() -> None:
    """``dateparser.parse`` built a DateDataParser on every call (a tenth of its cost);
    one per site zone reads every printed date the same."""
    import dateparser

    from newscrawl.extraction import dates

    assert dates._date_data_parser("Asia/Beirut") is dates._date_data_parser("Asia/Beirut")
    settings = {
        "TIMEZONE": "Asia/Beirut",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
        "PARSERS": ["absolute-time"],
    }
    for text in ("Saturday, 15 April 2023 10:30", "March 2024", "05.04.2025 - x", "no date 2024"):
        expected = dateparser.parse(text, languages=["en"], settings=settings)
        assert dates._dateparser(text, "Asia/Beirut") == expected


def test_a_printed_date_two_selectors_name_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two date selectors naming one element whose text is no date: the text goes to
    the date parser (dateparser: about 1 ms) once, not once per selector."""
    from newscrawl.extraction import article
    from newscrawl.extraction.rules import SiteRules

    seen: list[str] = []
    real = article.parse_date

    def spy(raw: str | None, *args: object, **kwargs: object) -> object:
        seen.append(raw or "")
        return real(raw, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(article, "parse_date", spy)
    rules = SiteRules(date_selectors=(".created", "#main .created"))
    html = (
        "<html><body><div id='main'><h1>Title</h1><span class='created'>Posted on Friday"
        " 2020 evening</span><p>" + "Story text. " * 40 + "</p></div></body></html>"
    )
    record = article.extract_article(html, "https://example.com/a/1", rules).record
    assert record["published"] is None
    assert seen.count("Posted on Friday 2020 evening") == 1
