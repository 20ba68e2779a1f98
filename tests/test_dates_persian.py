"""Solar Hijri (Jalali) dates of Iranian sites, read as Gregorian dates with an offset.

Known conversions were checked against jdatetime (every day of the years 1200-1599
agrees) and against the pages themselves: khabaronline.ir prints
``۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵`` beside a JSON-LD ``2020-02-18T03:25:00Z``.
"""

from __future__ import annotations

from datetime import date

import pytest

from newscrawl.extraction.dates import (
    iso,
    jalali_to_gregorian,
    normalize_date_text,
    parse_date,
)
from newscrawl.sites.registry import site_spiders

ArabsTodaySpider = site_spiders()["arabstoday"]

TEHRAN = "Asia/Tehran"
FORMATS = ("%d %B %Y - %H:%M", "%d %B %Y - %I:%M:%S %p", "%d %B %Y %H:%M", "%d %B %Y")


@pytest.mark.parametrize(
    ("jalali", "gregorian"),
    [
        ((1398, 11, 29), date(2020, 2, 18)),
        ((1, 1, 1), date(622, 3, 22)),
        ((1354, 1, 1), date(1975, 3, 21)),
        ((1357, 11, 22), date(1979, 2, 11)),
        ((1399, 1, 1), date(2020, 3, 20)),
        ((1399, 12, 30), date(2021, 3, 20)),  # 1399 is a leap year
        ((1400, 1, 1), date(2021, 3, 21)),
        ((1402, 12, 29), date(2024, 3, 19)),
        ((1403, 1, 1), date(2024, 3, 20)),
        ((1403, 12, 30), date(2025, 3, 20)),  # 1403 is a leap year
        ((1404, 1, 1), date(2025, 3, 21)),
        ((1404, 6, 31), date(2025, 9, 22)),
        ((1404, 7, 1), date(2025, 9, 23)),
        ((1408, 12, 30), date(2030, 3, 20)),  # 1408 is a leap year (not 1407)
    ],
)
def test_known_conversions(jalali: tuple[int, int, int], gregorian: date) -> None:
    assert jalali_to_gregorian(*jalali) == gregorian


@pytest.mark.parametrize(
    "jalali",
    [(1402, 12, 30), (1407, 12, 30), (1400, 7, 31), (1400, 13, 1), (1400, 0, 10), (0, 1, 1)],
)
def test_days_that_do_not_exist(jalali: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        jalali_to_gregorian(*jalali)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # khabaronline.ir, item date and header date
        ("۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵", "2020-02-18T06:55:00+03:30"),
        ("سه‌شنبه ۲۹ بهمن ۱۳۹۸", "2020-02-18T00:00:00+03:30"),
        # yjc.ir: Arabic yeh in the month name, and its meta published_time (numeric)
        ("۲۱ ارديبهشت ۱۳۹۹ - ۱۸:۵۹", "2020-05-10T18:59:00+04:30"),
        ("۱۳۹۹/۰۲/۲۱ - ۱۸:۵۹", "2020-05-10T18:59:00+04:30"),
        # aryanews.com: ASCII digits and the Persian after-noon mark
        ("2 تير 1399 - 12:09:08 ب.ظ", "2020-06-22T12:09:08+04:30"),
        ("2 تير 1399 - 09:05:00 ق.ظ", "2020-06-22T09:05:00+04:30"),
        ("2 تير 1399 - 03:05:00 ب.ظ", "2020-06-22T15:05:00+04:30"),
        # weekdays with ZWNJ, space or nothing; "ماه" after the month; "ساعت"
        ("پنج‌شنبه ۱ آذر ۱۴۰۱ ساعت ۲۱:۱۰", "2022-11-22T21:10:00+03:30"),
        ("پنج شنبه ۱ آذر ۱۴۰۱", "2022-11-22T00:00:00+03:30"),
        ("يکشنبه ۱۰ دی‌ماه ۱۴۰۰", "2021-12-31T00:00:00+03:30"),
        ("جمعه، ۱۲ فروردین ۱۴۰۲", "2023-04-01T00:00:00+03:30"),
        ("۳۰ اسفند ۱۴۰۳ - ۲۳:۵۹", "2025-03-20T23:59:00+03:30"),
        ("۵ امرداد ۱۳۹۷", "2018-07-27T00:00:00+04:30"),
    ],
)
def test_printed_solar_hijri_dates(raw: str, expected: str) -> None:
    assert iso(parse_date(raw, FORMATS, TEHRAN)) == expected


def test_persian_digit_iso_form_is_not_read_as_year_1398() -> None:
    assert iso(parse_date("۱۳۹۸-۱۱-۲۹", timezone=TEHRAN)) == "2020-02-18T00:00:00+03:30"


def test_dateparser_fallback_reads_the_converted_form() -> None:
    assert iso(parse_date("سه‌شنبه ۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵", timezone=TEHRAN)) == (
        "2020-02-18T06:55:00+03:30"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "۳۰ اسفند ۱۴۰۲",  # 1402 is not a leap year
        "۱۶ بهمن ماه جاری",  # no year: which one is unknown
        "۳۲ مهر ۱۴۰۲",
    ],
)
def test_impossible_or_incomplete_solar_dates_give_none(raw: str) -> None:
    assert parse_date(raw, FORMATS, TEHRAN) is None


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        # Hijri (lunar) dates in Arabic-Indic or ASCII digits stay as they are.
        ("١٤٤١/٠٦/٢٣", "1441/06/23"),
        ("1441/06/23", "1441/06/23"),
        # Gregorian dates in Persian digits stay Gregorian.
        ("۲۰۲۰/۰۲/۱۸", "2020/02/18"),
        # Arabic month names, including آب/أيار that share letters with Persian ones.
        ("السبت، 5 آب 2023 - 10:30 م", "5 August 2023 - 10:30 PM"),
        ("الجمعة ٣ أيار ٢٠٢٤", "3 May 2024"),
        ("الخميس ١ آذار ٢٠٢٤", "1 March 2024"),
        ("GMT ١٦:١٢ ٢٠١٨ الإثنين ,٠١ يناير", "16:12 2018 01 January"),
        ("Tuesday, 18 February 2020 06:55", "18 February 2020 06:55"),
    ],
)
def test_arabic_and_english_dates_are_unchanged(raw: str, normalized: str) -> None:
    assert normalize_date_text(raw) == normalized


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GMT 16:12 2018 Monday ,01 January", "2018-01-01T16:12:00+00:00"),
        ("GMT ١٦:١٢ ٢٠١٨ الاثنين ,٠١ كانون الثاني", "2018-01-01T16:12:00+00:00"),
        ("GMT 11:00 2022 السبت ,١٠ كانون الأول", "2022-12-10T11:00:00+00:00"),
    ],
)
def test_arabic_site_formats_still_parse(raw: str, expected: str) -> None:
    assert iso(parse_date(raw, ArabsTodaySpider.rules.date_formats)) == expected
