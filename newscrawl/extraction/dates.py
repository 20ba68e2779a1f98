"""Publication dates: ISO 8601 with a UTC offset, from whatever a page prints.

Order of attempts for one raw string:

1. ISO 8601 / W3C datetime (JSON-LD, meta tags, sitemaps).
2. RFC 822 (RSS ``pubDate``).
3. The site's own ``strptime`` formats, applied after :func:`normalize_date_text`
   turned Arabic and Persian digits, Arabic month names (Egyptian/Gulf, Levantine and
   Maghreb sets), Arabic and Persian weekday names, and Solar Hijri (Jalali) dates
   into an English, ASCII form.
4. dateparser on that normalised form.

Our own normalisation exists because dateparser 1.5 knows neither the Levantine
month names (``كانون الثاني``) nor orders like ``GMT 16:12 2018 Monday ,01 January``.

Iranian sites print the Solar Hijri calendar (``۲۹ بهمن ۱۳۹۸``, ``۱۳۹۹/۰۲/۲۱``):
such a date is converted to the Gregorian day and written ``D Month YYYY`` in
place, whatever order the page used, so a site declares formats like
``%d %B %Y - %H:%M`` for it.

>>> iso(parse_date("2018-01-01T18:12:00+02:00"))
'2018-01-01T18:12:00+02:00'
>>> iso(parse_date("Mon, 01 Jan 2018 16:12:00 GMT"))
'2018-01-01T16:12:00+00:00'
>>> iso(parse_date("GMT 16:12 2018 Monday ,01 January", ("%H:%M %Y %d %B",)))
'2018-01-01T16:12:00+00:00'
>>> iso(parse_date("GMT ١٦:١٢ ٢٠١٨ الإثنين ,٠١ كانون الثاني", ("%H:%M %Y %d %B",)))
'2018-01-01T16:12:00+00:00'
>>> iso(parse_date("٣ تشرين الأول ٢٠٢٣"))
'2023-10-03T00:00:00+00:00'
>>> iso(parse_date("سه‌شنبه ۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵", ("%d %B %Y - %H:%M",), "Asia/Tehran"))
'2020-02-18T06:55:00+03:30'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import timezone as fixed_offset
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from newscrawl.extraction.text import collapse_whitespace, to_ascii_digits
from newscrawl.text.arabic import ALEF, KAF, YEH, fold, forms

# Month names as written, hamza forms folded to bare alef (see _fold_alef).
ARABIC_MONTHS: dict[str, int] = {
    # Egyptian / Gulf
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يوليو": 7, "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11,
    "ديسمبر": 12,
    # Levantine / Iraqi
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6,
    "تموز": 7, "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11,
    "كانون الاول": 12,
    # Maghreb (Tunisia, Algeria, Morocco)
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "يوليوز": 7,
    "اوت": 8, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
}  # fmt: skip
ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAYS = (
    "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعة", "السبت",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
)  # fmt: skip
# Solar Hijri (Jalali) months in calendar order, Farvardin first; "امرداد" is the
# older spelling of Mordad. Written with Persian yeh and keheh: _persian() also
# accepts the Arabic letters that some Iranian sites type (yjc.ir: "ارديبهشت"), as
# newscrawl.text.arabic folds them.
_PERSIAN_MONTHS = (
    ("فروردین",), ("اردیبهشت",), ("خرداد",), ("تیر",), ("مرداد", "امرداد"), ("شهریور",),
    ("مهر",), ("آبان",), ("آذر",), ("دی",), ("بهمن",), ("اسفند",),
)  # fmt: skip
# A space inside a name stands for the ZWNJ, space or nothing that sites put there.
_PERSIAN_WEEKDAYS = (
    "یک شنبه", "دو شنبه", "سه شنبه", "چهار شنبه", "پنج شنبه", "شنبه", "جمعه",
)  # fmt: skip

# Longest names first so "كانون الثاني" wins over a shorter overlapping name.
_MONTH_RE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(sorted((re.escape(m) for m in ARABIC_MONTHS), key=len, reverse=True))
    + r")(?!\w)"
)
_TATWEEL_AND_MARKS = re.compile("[\u0640\u200e\u200f\u061c\u202a-\u202e]")


def _fold_alef(text: str) -> str:
    return fold(text, ALEF)


def _fold_persian(text: str) -> str:
    """Alef, yeh and kaf folded: Persian names as Iranian or Arabic keyboards type them."""
    return fold(text, ALEF, YEH, KAF)


def _persian(word: str) -> str:
    """Regex for a Persian word as typed: any form of yeh and kaf, alef folded."""
    pattern = []
    for char in _fold_persian(word):
        if char in (YEH, KAF):
            pattern.append(f"[{forms(char)}]")
        elif char == " ":
            pattern.append("[\u200c ]?")
        else:
            pattern.append(re.escape(char))
    return "".join(pattern)


_WEEKDAY_RE = re.compile(
    r"(?<!\w)(?:"
    + "|".join([*WEEKDAYS, *(_persian(day) for day in _PERSIAN_WEEKDAYS)])
    + r")(?!\w)",
    re.IGNORECASE,
)
_ZONE_WORD_RE = re.compile(r"(?<!\w)(?:GMT|UTC|غرينتش|جرينتش|بتوقيت)(?!\w)", re.IGNORECASE)
# Longer spellings first: "مساءً" must not match as "مساء" + a stray tanween.
_AM_PM_RE = re.compile(r"(?<=\d)\s*(ص|م)(?!\w)|(?<!\w)(صباحًا|صباحا|مساءً|مساء)(?!\w)")
# Persian: "ق.ظ" / "قبل از ظهر" (before noon), "ب.ظ" / "بعد از ظهر" (after noon).
_PERSIAN_AM_PM_RE = re.compile(
    r"\s*(?<![^\W\d])(ق|ب)(?:\.\s?ظ|(?:بل|عد)[\u200c ]?از[\u200c ]?ظهر)\.?(?!\w)"
)
# "ساعت" (o'clock) stands between a Persian date and its time.
_FILLER_WORD_RE = re.compile(r"(?<!\w)ساعت(?!\w)")

# Solar Hijri years that a news page can carry (1200 = 1821 CE, 1599 = 2221 CE);
# a Gregorian year never falls in that range on a news page.
_SOLAR_YEAR = r"1[2-5]\d{2}"
_PERSIAN_MONTH_NUMBER = {
    _fold_persian(name): number
    for number, names in enumerate(_PERSIAN_MONTHS, start=1)
    for name in names
}
# "29 بهمن 1398", "21 ارديبهشت‌ماه 1399", "2 تيرماه، 1399" (ASCII digits, alef folded).
_SOLAR_NAMED_RE = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})\s*[,،]?\s*(?P<month>"
    + "|".join(sorted((_persian(name) for name in _PERSIAN_MONTH_NUMBER), key=len, reverse=True))
    + r")(?:[\u200c\s]*ماه)?(?![^\W\d])\s*[,،]?\s*(?P<year>"
    + _SOLAR_YEAR
    + r")(?!\d)"
)
# "۱۳۹۹/۰۲/۲۱": year first, in Persian digits only. In ASCII or Arabic-Indic digits a
# 14xx year may just as well be a lunar Hijri one (Saudi pages), so those are left.
_SOLAR_NUMERIC_RE = re.compile(
    r"(?<!\d)(?P<year>[۰-۹]{4})(?P<sep>[/.-])(?P<month>[۰-۹]{1,2})(?P=sep)(?P<day>[۰-۹]{1,2})(?!\d)"
)
# Years at which the 33-year cycles of the Jalali leap rule shift (Borkowski's
# algorithm, as in jalaali-js); valid for Solar Hijri years -61 to 3177.
_JALALI_BREAKS = (
    -61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192,
    2262, 2324, 2394, 2456, 3178,
)  # fmt: skip


def _nowruz(year: int) -> date:
    """The Gregorian date of 1 Farvardin of Solar Hijri ``year`` (1 <= year < 3178)."""
    if not 1 <= year < _JALALI_BREAKS[-1]:
        raise ValueError(f"Solar Hijri year out of range: {year}")
    leap_j = -14  # leap days of the Jalali calendar since 621 CE, up to ``year``
    previous = _JALALI_BREAKS[0]
    jump = 0
    for current in _JALALI_BREAKS[1:]:
        jump = current - previous
        if year < current:
            break
        leap_j += jump // 33 * 8 + jump % 33 // 4
        previous = current
    n = year - previous
    leap_j += n // 33 * 8 + (n % 33 + 3) // 4
    if jump % 33 == 4 and jump - n == 4:
        leap_j += 1
    gregorian_year = year + 621
    leap_g = gregorian_year // 4 - (gregorian_year // 100 + 1) * 3 // 4 - 150
    return date(gregorian_year, 3, 20 + leap_j - leap_g)


def jalali_to_gregorian(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Solar Hijri (Jalali) date; ValueError if there is none.

    >>> jalali_to_gregorian(1398, 11, 29)
    datetime.date(2020, 2, 18)
    >>> jalali_to_gregorian(1403, 12, 30)  # 1403 is a leap year
    datetime.date(2025, 3, 20)
    """
    if not 1 <= month <= 12 or not 1 <= day <= (31 if month <= 6 else 30):
        raise ValueError(f"no such Solar Hijri date: {year}/{month}/{day}")
    offset = (month - 1) * 31 if month <= 7 else 186 + (month - 7) * 30
    result = _nowruz(year) + timedelta(days=offset + day - 1)
    if month == 12 and day == 30 and result >= _nowruz(year + 1):
        raise ValueError(f"{year} is not a leap year: no 30 Esfand")
    return result


def _gregorian_text(year: str, month: int, day: str, original: str) -> str:
    try:
        value = jalali_to_gregorian(int(to_ascii_digits(year)), month, int(to_ascii_digits(day)))
    except ValueError:
        return original  # not a real Solar Hijri date: leave the text as it was
    return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"


def _solar_numeric_dates(text: str) -> str:
    """Persian-digit ``YYYY/MM/DD`` Solar Hijri dates as Gregorian ``D Month YYYY``."""

    def convert(match: re.Match[str]) -> str:
        year = int(to_ascii_digits(match["year"]))
        if not 1200 <= year <= 1599:
            return match.group(0)
        month = int(to_ascii_digits(match["month"]))
        return _gregorian_text(match["year"], month, match["day"], match.group(0))

    return _SOLAR_NUMERIC_RE.sub(convert, text)


def _solar_named_dates(text: str) -> str:
    """``D <Persian month> YYYY`` Solar Hijri dates as Gregorian ``D Month YYYY``.

    ``text`` has ASCII digits and folded alef (as inside :func:`normalize_date_text`).
    """

    def convert(match: re.Match[str]) -> str:
        month = _PERSIAN_MONTH_NUMBER[_fold_persian(match["month"])]
        return _gregorian_text(match["year"], month, match["day"], match.group(0))

    return _SOLAR_NAMED_RE.sub(convert, text)


def normalize_date_text(raw: str) -> str:
    """An ASCII, English form of a printed date, for ``strptime`` and dateparser.

    >>> normalize_date_text("GMT ١٦:١٢ ٢٠١٨ الإثنين ,٠١ يناير")
    '16:12 2018 01 January'
    >>> normalize_date_text("السبت، 5 آب 2023 - 10:30 م")
    '5 August 2023 - 10:30 PM'
    >>> normalize_date_text("سه‌شنبه ۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵")
    '18 February 2020 - 06:55'
    >>> normalize_date_text("۱۳۹۹/۰۲/۲۱ - ۱۸:۵۹")
    '10 May 2020 - 18:59'
    >>> normalize_date_text("2 تير 1399 - 12:09:08 ب.ظ")
    '22 June 2020 - 12:09:08 PM'
    """
    text = _solar_numeric_dates(raw)
    text = _TATWEEL_AND_MARKS.sub("", _fold_alef(to_ascii_digits(text)))
    text = _solar_named_dates(text)
    text = _MONTH_RE.sub(lambda m: ENGLISH_MONTHS[ARABIC_MONTHS[m.group(0)] - 1], text)
    text = _AM_PM_RE.sub(
        lambda m: " AM" if (m.group(1) or m.group(2) or "").startswith("ص") else " PM", text
    )
    text = _PERSIAN_AM_PM_RE.sub(lambda m: " AM" if m.group(1) == "ق" else " PM", text)
    text = _FILLER_WORD_RE.sub(" ", text)
    text = _WEEKDAY_RE.sub(" ", text)
    text = _ZONE_WORD_RE.sub(" ", text)
    # Commas only separate tokens in printed dates ("Monday ,01 January").
    text = re.sub("[,،]", " ", text)
    text = collapse_whitespace(text)
    return text.strip(" ,;|-")


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def _parse_iso(text: str, default_tz: tzinfo) -> datetime | None:
    if not _ISO_RE.match(text):
        return None
    candidate = text.replace("Z", "+00:00").replace("z", "+00:00")
    # "+0300" -> "+03:00": fromisoformat in 3.11 accepts both, but not "+03".
    candidate = re.sub(r"([+-]\d{2})$", r"\1:00", candidate)
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_tz)


def _parse_rfc822(text: str, default_tz: tzinfo) -> datetime | None:
    if not re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_tz)


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """A tzinfo from an IANA name ('UTC', 'Asia/Beirut')."""
    return UTC if name.upper() in {"UTC", "GMT"} else ZoneInfo(name)


def parse_date(
    raw: str | None,
    formats: Sequence[str] = (),
    timezone: str = "UTC",
    use_dateparser: bool = True,
) -> datetime | None:
    """A timezone-aware datetime for a printed or machine date, or None.

    Naive values are read in ``timezone`` (the site's), never in the machine's.
    """
    if not raw:
        return None
    text = collapse_whitespace(raw)
    if not text:
        return None
    try:
        tz = zone(timezone)
    except (ValueError, TypeError, KeyError, AttributeError, OSError):
        # An unknown site zone cannot place a naive date, but must not lose one that
        # carries its own offset (JSON-LD "2024-01-01T10:00:00+03:00").
        parsed = _parse(text, formats, _UNPLACED, timezone, use_dateparser=False)
        return None if parsed is None or parsed.tzinfo is _UNPLACED else parsed
    return _parse(text, formats, tz, timezone, use_dateparser)


# Stands in for a site zone that does not exist: dates left with it were naive.
_UNPLACED = fixed_offset(timedelta(0), "unplaced")


def _parse(
    text: str, formats: Sequence[str], tz: tzinfo, timezone: str, use_dateparser: bool
) -> datetime | None:
    # "۱۳۹۸-۱۱-۲۹" must not pass for an ISO date of the year 1398.
    ascii_text = to_ascii_digits(_solar_numeric_dates(text))
    parsed = _parse_iso(ascii_text, tz) or _parse_rfc822(ascii_text, tz)
    if parsed:
        return parsed
    normalized = normalize_date_text(text)
    for fmt in formats:
        try:
            parsed = datetime.strptime(normalized, fmt)
        except (ValueError, re.error):  # re.error: a malformed site format (e.g. two %B)
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    if not use_dateparser or not re.search(r"\d{4}", normalized):
        return None
    return _dateparser(normalized, timezone)


def _dateparser(text: str, timezone: str) -> datetime | None:
    try:
        data = _date_data_parser(timezone).get_date_data(text)
    except (ValueError, OverflowError):
        return None
    parsed = data["date_obj"]
    return parsed if isinstance(parsed, datetime) else None


@lru_cache(maxsize=64)
def _date_data_parser(timezone: str) -> Any:
    """What ``dateparser.parse(text, languages=["en"], settings=...)`` builds on every
    call, built once per site zone (a tenth of a call; it keeps no state between
    dates without ``try_previous_locales``, and guards what it shares with a lock)."""
    from dateparser.date import DateDataParser  # slow to import; few pages need it

    settings = {
        "TIMEZONE": timezone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
        "PARSERS": ["absolute-time"],
    }
    return DateDataParser(languages=["en"], settings=settings)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with an explicit offset (``+00:00``, never ``Z``), seconds precision."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0).isoformat()


def is_future(value: datetime, now: datetime, tolerance: timedelta) -> bool:
    return value - now > tolerance
