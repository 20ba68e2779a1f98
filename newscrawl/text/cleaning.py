r"""Text cleaning for article records: fields, bodies and bylines.

Every function here is pure, idempotent (``f(f(x)) == f(x)``) and never deletes a
letter, mark or digit (Unicode categories L*, M*, N*) unless it belongs to a
configured boilerplate paragraph. What goes:

* HTML entities (``&amp;``, ``&#1575;``, double-escaped ``&amp;amp;`` too, until none
  is left); unknown ones such as ``&foo;`` are text and stay;
* invisible junk (:func:`remove_invisible`): BOM, soft hyphen, control characters
  that are not whitespace, bidi embeddings/overrides/isolates, Unicode noncharacters
  (U+FDD0..U+FDEF, U+xFFFE/U+xFFFF of every plane), unpaired surrogates (JSON-LD
  "\\ud800" makes them; UTF-8 cannot encode them), and the directional marks
  LRM/RLM/ALM where they only wrap the text;
* extra whitespace: one space between words (NBSP and tabs included), paragraphs
  apart by exactly one blank line.

What stays, because it is text: ZWNJ/ZWJ (Persian, Kurdish and Urdu spelling), Arabic
diacritics, the Arabic comma, tatweel, Arabic-Indic digits as published, and
directional marks inside a line.

>>> clean_text("\ufeff\u200fAT&amp;T\u00a0 news\u200f ")
'AT&T news'
>>> clean_text("می\u200cخواهم") == "می\u200cخواهم"
True
>>> clean_body("First\u00ad line.\n \n\n\u200fSecond &amp; last.\u200f\n\nRead also")
'First line.\n\nSecond & last.\n\nRead also'
>>> clean_body("First.\n\nRead also", boilerplate=["READ ALSO"])
'First.'
>>> clean_authors(["By Sara Haddad & Omar Khalil", "sara haddad", "بقلم: منى حسن"])
['Sara Haddad', 'Omar Khalil', 'منى حسن']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, MutableMapping, Sequence
from functools import lru_cache
from typing import Any

from w3lib.html import replace_entities

from newscrawl.extraction.text import collapse_whitespace

__all__ = [
    "FIELD_LIMITS",
    "bound_record",
    "clean_authors",
    "clean_body",
    "clean_text",
    "remove_invisible",
    "split_authors",
]

Boilerplate = Sequence[str | re.Pattern[str]]

# Invisible junk, deleted wherever it is. Control characters that are whitespace
# (tab, newline, CR, VT, FF, U+001C-U+001F, NEL) are not junk: deleting them would glue
# words together; whitespace collapsing turns them into one space instead.
# A regex, not str.translate: on non-ASCII text str.translate looks every character
# up in a dict (~250 us for 5,000 Arabic characters) while the regex scans in ~12 us.
_JUNK_CHARS = (
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"  # C0/C1 controls that are not whitespace
    "\u00ad"  # soft hyphen
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides, isolates
    "\ufeff"  # BOM / zero width no-break space
    "\ufdd0-\ufdef\ufffe\uffff"  # noncharacters of the BMP
    + "".join(
        f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)
    )
    + "\ud800-\udfff"  # surrogates: a str holds them only unpaired
)
_JUNK = re.compile(f"[{_JUNK_CHARS}]")
_NONCHARACTER = re.compile(f"[{_JUNK_CHARS[_JUNK_CHARS.index(chr(0xFDD0)) :]}]")
# Directional marks: meaningful inside a line, junk when they only wrap the text.
MARKS = "\u200e\u200f\u061c"  # LRM, RLM, ALM
# Exactly the characters str.isspace() and re's \s accept (tests check it).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_EDGE = WHITESPACE + MARKS
_MARK = re.compile(f"[{MARKS}]")
# A line's leading / trailing run of whitespace and marks that holds at least one mark.
_LEADING_MARKS = re.compile(f"(?m)^[^\\S\n]*[{MARKS}](?:[^\\S\n]|[{MARKS}])*")
_TRAILING_MARKS = re.compile(f"(?m)[{MARKS}](?:[^\\S\n]|[{MARKS}])*$")
# Where w3lib's entity regex could match (same flags): a cheap test for "nothing left".
_MAYBE_ENTITY = re.compile(r"&(?:#x?)?[a-z0-9]", re.IGNORECASE)
# What makes a field need more than NFC and bare edges: junk, or whitespace other than
# a plain space (double spaces are checked apart: an alternation here scans ~4x slower).
_DIRTY = re.compile(f"[{_JUNK_CHARS}{WHITESPACE.replace(' ', '')}]")
# A blank line: two or more newlines; lines holding nothing but whitespace, junk and
# directional marks in between are blank too.
_BLANK_LINES = re.compile(f"\n(?:(?:[^\\S\n]|[{MARKS}{_JUNK_CHARS}])*\n)+")


def remove_invisible(text: str) -> str:
    r"""Delete invisible junk; keep joiners, diacritics and inner directional marks.

    Directional marks go only at the start or end of a line (the whitespace next to
    them stays). Nothing else changes: no NFC, no entity decoding, no collapsing.

    >>> remove_invisible("\ufeff\u200fنص\u00ad عربي\u200f")
    'نص عربي'
    >>> remove_invisible("a\u200f b\u200c\u064e\x00\u202b") == "a\u200f b\u200c\u064e"
    True
    """
    text = _JUNK.sub("", text)
    if _MARK.search(text):
        text = _LEADING_MARKS.sub(_drop_marks, text)
        text = _TRAILING_MARKS.sub(_drop_marks, text)
    return text


def _drop_marks(match: re.Match[str]) -> str:
    return _MARK.sub("", match.group())


def _tidy(text: str) -> str:
    """One field, entities decoded: junk out, NFC, one space between words, bare edges."""
    if _DIRTY.search(text):
        text = collapse_whitespace(unicodedata.normalize("NFC", _JUNK.sub("", text)))
    else:  # the common case: one scan, and no copy of text that is already fine
        text = unicodedata.normalize("NFC", text)
        if "  " in text:
            text = collapse_whitespace(text)
    return text.strip(_EDGE)


def clean_text(text: str) -> str:
    r"""One field (title, section, name...): entities, junk, NFC, whitespace, edges.

    Entities are decoded first, and again until none is left (double escaping, or an
    entity that junk removal completed), so a second call changes nothing.

    >>> clean_text(" \u200e Caf\u0065\u0301 &amp;amp; &lt;b&gt; \n")
    'Café & <b>'
    >>> clean_text("القاهرة، ٢٠٢٣ &#1575;")
    'القاهرة، ٢٠٢٣ ا'
    >>> clean_text("R&D; &foo; AT&T")
    'R&D; &foo; AT&T'
    """
    if "&" in text:
        text = replace_entities(text, remove_illegal=False)
    text = _tidy(text)
    while "&" in text and _MAYBE_ENTITY.search(text):
        decoded = replace_entities(text, remove_illegal=False)
        if decoded == text:
            break
        text = _tidy(decoded)
    return text


class _Matcher:
    """Is a cleaned paragraph boilerplate? Built once per boilerplate tuple."""

    __slots__ = ("lines", "longest", "patterns")

    def __init__(self, lines: frozenset[str], patterns: tuple[re.Pattern[str], ...]) -> None:
        self.lines = lines
        self.patterns = patterns
        # casefold() never shortens a string: longer paragraphs cannot be a line.
        self.longest = max(map(len, lines), default=-1)

    def __call__(self, paragraph: str) -> bool:
        if len(paragraph) <= self.longest and paragraph.casefold() in self.lines:
            return True
        return any(pattern.fullmatch(paragraph) for pattern in self.patterns)


@lru_cache(maxsize=256)
def _boilerplate(entries: tuple[str | re.Pattern[str], ...]) -> _Matcher:
    lines = frozenset(clean_text(e).casefold() for e in entries if isinstance(e, str))
    patterns = tuple(e for e in entries if not isinstance(e, str))
    return _Matcher(lines, patterns)


def clean_body(body: str, boilerplate: Boilerplate = ()) -> str:
    r"""Paragraphs (split on blank lines) cleaned like fields, joined by one blank line.

    A paragraph is dropped when it is empty, when it equals a boilerplate string (both
    cleaned, compared case-insensitively), or when a boilerplate regex fully matches
    it. Strings are literal lines; pass compiled patterns for regexes. A line holding
    only whitespace, junk or directional marks is blank; single newlines join lines
    (``\r\n`` and ``\r`` are newlines too).

    >>> clean_body("\ufeffOne\r\ntwo\r\n\u00a0\r\n\r\nThree\n\n\n")
    'One two\n\nThree'
    >>> footer = "Maintained and developed by Arabs Today Group SAL."
    >>> clean_body("Text.\n\nmaintained and developed by Arabs Today Group SAL.", [footer])
    'Text.'
    >>> clean_body("نص.\n\nاقرأ أيضًا: خبر آخر", [re.compile(r"اقرأ أيضًا:.*")])
    'نص.'
    """
    if isinstance(boilerplate, str):  # one line, not a sequence of characters
        boilerplate = (boilerplate,)
    is_boilerplate = _boilerplate(tuple(boilerplate)) if boilerplate else None
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs: list[str] = []
    for raw in _BLANK_LINES.split(body):
        paragraph = clean_text(raw)
        if paragraph and not (is_boilerplate is not None and is_boilerplate(paragraph)):
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


# Byline prefixes, as whole words, optionally followed by ":" or a dash; repeated
# ones ("By: by ...") go too, so a second pass finds nothing left to strip.
_PREFIX_WORDS = (
    "written by",
    "reporting by",
    "by",
    "بقلم",
    "كتبت",
    "كتبه",
    "كتب",
    "إعداد",
    "اعداد",
    "تحرير",
    "نویسنده",  # Persian, with Farsi yeh
    "نويسنده",  # the same with Arabic yeh, as some sites type it
)
_PUNCT = ".:：\\-–—" + MARKS
_BYLINE_PREFIX = re.compile(
    rf"^(?:[\s{_PUNCT}]*(?:{'|'.join(_PREFIX_WORDS)})(?=[\s{_PUNCT}]|$))+",
    re.IGNORECASE,
)
# ",", "،" and "&" anywhere, " and " and " و " as separate words (also right after a
# comma). "وسامي" is not split: too many names start with و (وليد, وائل, وفاء).
_AUTHOR_SPLIT = re.compile(r"\s*[,،&]\s*(?:(?:and|و)\s+)?|\s+(?:and|و)\s+", re.IGNORECASE)
_NAME_EDGES = " .:：-–—" + _EDGE


def split_authors(raw: str) -> list[str]:
    """Names from a byline: prefixes ("By", "بقلم", ...) dropped, split on separators.

    >>> split_authors("By Sara Haddad and Omar Khalil")
    ['Sara Haddad', 'Omar Khalil']
    >>> split_authors("بقلم: أحمد علي، منى حسن و سامي يوسف")
    ['أحمد علي', 'منى حسن', 'سامي يوسف']
    >>> split_authors("أحمد علي وسامي يوسف")
    ['أحمد علي وسامي يوسف']
    >>> split_authors("Alexandra Sandler, and Andrea Rand")
    ['Alexandra Sandler', 'Andrea Rand']
    """
    names = []
    for part in _AUTHOR_SPLIT.split(clean_text(raw)):
        name = _BYLINE_PREFIX.sub("", part).strip(_NAME_EDGES)
        if name:
            names.append(name)
    return names


def clean_authors(authors: Iterable[str]) -> list[str]:
    """Every entry split into names; empties and repeats (ignoring case) dropped, in order.

    >>> clean_authors(["Sara Haddad and Omar Khalil", "", "By omar khalil", "كتب: ليلى"])
    ['Sara Haddad', 'Omar Khalil', 'ليلى']
    """
    seen: set[str] = set()
    names: list[str] = []
    for entry in authors:
        for name in split_authors(entry):
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return names


# -- sizes -------------------------------------------------------------------------------

# The largest value a record holds per field (characters; items for lists, then
# characters per item), also stated in newscrawl/schema/article.schema.json
# (tests/test_fields.py checks they agree). Real values are far below: the longest
# headline of the corpus has ~250 characters, bodies ~60,000.
FIELD_LIMITS: dict[str, int | tuple[int, int]] = {
    "title": 1000,
    "body": 1_000_000,
    "published_raw": 200,
    "section": 200,
    "description": 5000,
    "authors": (50, 200),
    "tags": (200, 200),
    "images": (100, 2048),
}


def _cut(text: str, limit: int, separator: str) -> str:
    """``text`` cut to ``limit`` characters, at the last ``separator`` when there is one."""
    cut = text[:limit]
    at = cut.rfind(separator, limit // 2)
    return (cut[:at] if at > 0 else cut).rstrip()


def _drop_noncharacters(value: str) -> str:
    """``value`` without noncharacters and lone surrogates, and without the double
    space one of them leaves between words ('Harbour \ufffe reopens')."""
    if not _NONCHARACTER.search(value):
        return value
    return re.sub(r"(?m)^ +| +$", "", re.sub(" {2,}", " ", _NONCHARACTER.sub("", value)))


def bound_record(record: MutableMapping[str, Any]) -> list[str]:
    """Fit a record in FIELD_LIMITS, in place: strings cut (at a word, the body at a
    paragraph), list items too long for a name, tag or URL dropped, lists cut.
    Noncharacters and unpaired surrogates go from every string. Returns the fields
    changed for size.

    >>> record = {"title": "word " * 300, "authors": ["A", "x" * 500], "tags": ["t"] * 250}
    >>> bound_record(record), len(record["title"]), record["authors"], len(record["tags"])
    (['title', 'authors', 'tags'], 999, ['A'], 200)
    """
    changed = []
    for name, limit in FIELD_LIMITS.items():
        value = record.get(name)
        if isinstance(limit, int):
            if not isinstance(value, str):
                continue
            value = _drop_noncharacters(value)
            if len(value) > limit:
                value = _cut(value, limit, "\n\n" if name == "body" else " ")
                changed.append(name)
            record[name] = value
        elif isinstance(value, list):
            most, longest = limit
            items = [_drop_noncharacters(v) for v in value if isinstance(v, str)]
            kept = [v for v in items if len(v) <= longest][:most]
            if len(kept) < len(items):
                changed.append(name)
            record[name] = kept
    return changed
