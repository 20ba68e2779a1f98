"""Publication dates: ISO 8601 with a UTC offset, from whatever a page prints.

Order of attempts for one raw string:

1. ISO 8601 / W3C datetime (JSON-LD, meta tags, sitemaps).
2. RFC 822 (RSS ``pubDate``).
3. The site's own ``strptime`` formats, applied after :func:`normalize_date_text`
   turned Arabic digits, Arabic month names (Egyptian/Gulf, Levantine and Maghreb
   sets) and weekday names into an English, ASCII form.
4. dateparser on that normalised form.

Our own normalisation exists because dateparser 1.5 knows neither the Levantine
month names (``كانون الثاني``) nor orders like ``GMT 16:12 2018 Monday ,01 January``.

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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from newscrawl.extraction.text import collapse_whitespace, to_ascii_digits

# Month names as written, hamza forms folded to bare alef (see _fold_alef).
_ARABIC_MONTHS: dict[str, int] = {
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
_ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_WEEKDAYS = (
    "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعة", "السبت",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
)  # fmt: skip

# Longest names first so "كانون الثاني" wins over a shorter overlapping name.
_MONTH_RE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(sorted((re.escape(m) for m in _ARABIC_MONTHS), key=len, reverse=True))
    + r")(?!\w)"
)
_WEEKDAY_RE = re.compile(r"(?<!\w)(?:" + "|".join(_WEEKDAYS) + r")(?!\w)", re.IGNORECASE)
_ZONE_WORD_RE = re.compile(r"(?<!\w)(?:GMT|UTC|غرينتش|جرينتش|بتوقيت)(?!\w)", re.IGNORECASE)
_AM_PM_RE = re.compile(r"(?<=\d)\s*(ص|م)(?!\w)|(?<!\w)(صباحا|صباحًا|مساء|مساءً)(?!\w)")
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_TATWEEL_AND_MARKS = re.compile("[\u0640\u200e\u200f\u061c\u202a-\u202e]")


def _fold_alef(text: str) -> str:
    return text.translate(_ALEF_FORMS)


def normalize_date_text(raw: str) -> str:
    """An ASCII, English form of a printed date, for ``strptime`` and dateparser.

    >>> normalize_date_text("GMT ١٦:١٢ ٢٠١٨ الإثنين ,٠١ يناير")
    '16:12 2018 01 January'
    >>> normalize_date_text("السبت، 5 آب 2023 - 10:30 م")
    '5 August 2023 - 10:30 PM'
    """
    text = _TATWEEL_AND_MARKS.sub("", _fold_alef(to_ascii_digits(raw)))
    text = _MONTH_RE.sub(lambda m: _ENGLISH_MONTHS[_ARABIC_MONTHS[m.group(0)] - 1], text)
    text = _AM_PM_RE.sub(
        lambda m: " AM" if (m.group(1) or m.group(2) or "").startswith("ص") else " PM", text
    )
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
    tz = zone(timezone)
    ascii_text = to_ascii_digits(text)
    parsed = _parse_iso(ascii_text, tz) or _parse_rfc822(ascii_text, tz)
    if parsed:
        return parsed
    normalized = normalize_date_text(text)
    for fmt in formats:
        try:
            parsed = datetime.strptime(normalized, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    if not use_dateparser or not re.search(r"\d{4}", normalized):
        return None
    return _dateparser(normalized, timezone)


def _dateparser(text: str, timezone: str) -> datetime | None:
    import dateparser  # slow to import; only pages without machine dates need it

    settings = {
        "TIMEZONE": timezone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
        "PARSERS": ["absolute-time"],
    }
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    return parsed if isinstance(parsed, datetime) else None


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with an explicit offset (``+00:00``, never ``Z``), seconds precision."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0).isoformat()


def is_future(value: datetime, now: datetime, tolerance: timedelta) -> bool:
    return value - now > tolerance
