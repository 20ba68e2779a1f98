"""Charsets of hostile pages: wrong declarations, no declaration, mojibake.

Scrapy decodes a page with the BOM, else the HTTP header's charset, else the
``<meta>`` charset, else a guess. That is right for honest pages; Arab-world sites
often are not honest. :func:`choose_encoding` overrides the declaration only when the
bytes prove it wrong:

* UTF-8 with a few damaged bytes (a stray 0xFF, a cut sequence) is UTF-8, decoded
  with U+FFFD at those bytes as a browser does (:func:`invalid_utf8_bytes`): a page
  counts as UTF-8 when its valid multibyte characters are at least as many as its
  invalid sequences. Measured on the 454 corpus pages re-encoded as windows-1256 and
  windows-1252 (811 with non-ASCII text): legacy text has at most 0.12 valid UTF-8
  characters per invalid sequence; UTF-8 with a few stray bytes has hundreds;
* declared UTF-8 but the bytes are not UTF-8: the ``<meta>`` charset if it
  names another one, else windows-1256 when that reads as Arabic, else windows-1252;
* declared anything else (ISO-8859-1, windows-1256, gb2312, ...; not UTF-16/32) but the
  bytes are UTF-8 with non-ASCII in them: UTF-8 (legacy text is almost never UTF-8);
* declared Latin (ISO-8859-1/windows-1252/ASCII) but the bytes read as Arabic in
  windows-1256: windows-1256 (French or English Latin-1 stays Latin-1: the accented
  letters of windows-1252 sit at the same bytes in windows-1256 and are not Arabic).

:func:`repair_mojibake` handles text that was *stored* wrongly: UTF-8 bytes that a
CMS decoded as windows-1256 (``ظ…ط­ظ…ط¯`` for ``محمد``) or windows-1252/Latin-1
(``Ù…Ø­Ù…Ø¯``) and saved. It is detected by its telltale pairs (a lead-byte letter
such as ``ط``/``ظ``/``Ø``/``Ù`` before a continuation-byte character) and repaired
word by word, only where the round trip is exact: a word is replaced only if it
re-encodes in that codec to bytes that are *strictly* valid UTF-8. Real Arabic words
practically never do (their windows-1256 bytes are mostly lead bytes in a row), so
correct text next to the mojibake is left alone.

>>> repair_mojibake("قال ظ…ط­ظ…ط¯ ظˆ ط¹ظ„ظٹ ظپظٹ ط¨ظٹط§ظ†")
('قال محمد و علي في بيان', 'cp1256')
>>> garbled = "محمد و علي في بيان".encode("utf-8").decode("latin-1")  # Ù…Ø­Ù…Ø¯ ...
>>> repair_mojibake(garbled)
('محمد و علي في بيان', 'cp1252')
>>> repair_mojibake("ضغط، ثم صمت")
('ضغط، ثم صمت', None)
>>> choose_encoding("نص عربي طويل بما يكفي للتعرف عليه".encode("cp1256") * 3, "utf-8", None)
('cp1256', 'header')
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from newscrawl.stats import inc

logger = logging.getLogger(__name__)

_UTF8 = {"utf-8", "utf8"}
_LATIN = {"cp1252", "latin-1", "latin_1", "iso8859-1", "iso-8859-1", "ascii"}
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")
# Enough bytes to judge a page by; the head and body of any article fit in this.
_SAMPLE = 64 * 1024


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_with_non_ascii(data: bytes) -> bool:
    # A cut in the middle of a character at the sample's end is not an error.
    return not data.isascii() and _valid_utf8_prefix(data)


def _valid_utf8_prefix(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(data) - 3 and error.reason == "unexpected end of data"
    return True


def invalid_utf8_bytes(data: bytes) -> int | None:
    """Invalid sequences (U+FFFD in the text) of a page that is UTF-8 (0 when valid),
    None when it is not UTF-8.

    UTF-8 means: its valid multibyte characters are at least as many as its invalid
    sequences (see the module doc for the measurement behind this rule). A stray byte
    is one invalid sequence; so is a character cut short.

    >>> text = "قال الوزير إن الخطة جاهزة".encode()
    >>> invalid_utf8_bytes(text), invalid_utf8_bytes(text[:6] + b"\\xff" + text[6:])
    (0, 1)
    >>> invalid_utf8_bytes("قال الوزير".encode("cp1256")) is None
    True
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return 0
    # What a browser shows: U+FFFD per invalid sequence (a stray byte, a cut character).
    text = data.decode("utf-8", "replace")
    marks = text.count("\ufffd")
    bad = marks - data.count("\ufffd".encode())  # minus the page's own U+FFFD
    good = len(text) - len(text.encode("ascii", "ignore")) - marks
    return bad if good >= bad else None


def _is_utf8(data: bytes) -> bool:
    """UTF-8 with non-ASCII in it, allowing a few damaged bytes."""
    return not data.isascii() and invalid_utf8_bytes(data) is not None


def reads_as_arabic(data: bytes) -> bool:
    """Do these bytes, read as windows-1256, give mostly Arabic letters?"""
    text = data[:_SAMPLE].decode("cp1256", "replace")
    non_ascii = [c for c in text if ord(c) > 0x7F and not c.isspace()]
    if len(non_ascii) < 20:
        return False
    arabic = sum(1 for c in non_ascii if _ARABIC_LETTER.match(c))
    return arabic >= 0.7 * len(non_ascii)


def guess_encoding(data: bytes) -> str | None:
    """Encoding of undeclared bytes: UTF-8 if valid, windows-1256 if that reads as Arabic."""
    sample = data[:_SAMPLE]
    if sample.isascii() or _valid_utf8_prefix(sample) or _is_utf8(sample):
        return "utf-8"
    if reads_as_arabic(sample):
        return "cp1256"
    return None


def _normal(encoding: str | None) -> str | None:
    if not encoding:
        return None
    found = http_content_type_encoding(f"text/html; charset={encoding}")
    return found or encoding.lower()


def choose_encoding(
    body: bytes, header: str | None, meta: str | None
) -> tuple[str | None, str | None]:
    """(encoding to decode with, which declaration was wrong: 'header' | 'meta'), or
    (None, None) when the declaration (or Scrapy's own guess, without one) stands."""
    if read_bom(body[:4])[0]:
        return None, None
    header, meta = _normal(header), _normal(meta)
    declared, source = (header, "header") if header else (meta, "meta")
    if declared is None:
        return None, None
    sample = body[:_SAMPLE]
    if declared in _UTF8:
        if _valid_utf8_prefix(sample) or _is_utf8(sample):
            return None, None  # valid, or a few damaged bytes: U+FFFD there
        if meta and meta not in _UTF8 and source == "header":
            return meta, source
        return ("cp1256" if reads_as_arabic(sample) else "cp1252"), source
    if not declared.startswith(("utf-16", "utf-32")) and (
        _utf8_with_non_ascii(sample) or _is_utf8(sample)
    ):
        return "utf-8", source
    if declared in _LATIN and not sample.isascii() and reads_as_arabic(sample):
        return "cp1256", source
    return None, None


# -- mojibake ------------------------------------------------------------------

_CODECS = ("cp1256", "cp1252")


def _char_set(codec: str, low: int, high: int) -> set[str]:
    found = {bytes([b]).decode(codec, "ignore") for b in range(low, high + 1)}
    if codec == "cp1252":  # and the same bytes read as Latin-1 (C1 controls)
        found |= {bytes([b]).decode("latin-1") for b in range(low, high + 1)}
    return found - {""}


def _chars(codec: str, low: int, high: int) -> str:
    return "".join(re.escape(c) for c in sorted(_char_set(codec, low, high)))


# A lead-byte character followed by a continuation-byte character, per codec.
_TELLTALE = {
    codec: re.compile(f"[{_chars(codec, 0xC2, 0xF4)}][{_chars(codec, 0x80, 0xBF)}]")
    for codec in _CODECS
}


def _utf8_pattern(chars: set[str]) -> bytes:
    """A bytes pattern matching the UTF-8 of any of ``chars``: one alternative per
    leading bytes, their last bytes as a class (the regex engine then skips to the
    alternatives' first bytes at C speed)."""
    tails: dict[bytes, set[int]] = {}
    for char in chars:
        data = char.encode("utf-8")
        tails.setdefault(data[:-1], set()).add(data[-1])
    return b"(?:%b)" % b"|".join(
        re.escape(head) + b"[%b]" % b"".join(re.escape(bytes([b])) for b in sorted(last))
        for head, last in sorted(tails.items())
    )


# The telltale pairs on the text's UTF-8, and the first UTF-8 byte of every lead
# character (cp1256: Arabic letters and a few Latin-1 ones, so 0xC3, 0xD8, 0xD9;
# cp1252: 0xC3). UTF-8 is self-synchronising: a match is exactly one pair of
# characters, so these count what ``_TELLTALE`` counts on the text.
_TELLTALE_UTF8 = {
    codec: re.compile(
        _utf8_pattern(_char_set(codec, 0xC2, 0xF4)) + _utf8_pattern(_char_set(codec, 0x80, 0xBF))
    )
    for codec in _CODECS
}
_LEAD_UTF8 = {
    codec: tuple(sorted({c.encode("utf-8")[:1] for c in _char_set(codec, 0xC2, 0xF4)}))
    for codec in _CODECS
}
# Lead characters tried one by one before the count is left to the class scan of
# _candidate_words: at most one per 256 bytes of the page (a try costs about as much
# as the scan of 100 bytes; 1/512 left Turkish and German pages to the scan, 1/128 saved
# nothing more on the corpus), and never a run of them denser than one per 64 bytes
# after the first 64 (an Arabic page's letters are cp1256 lead characters; a Turkish
# or French page's accented letters are a few hundred, spread out).
_LEADS_PER_BYTE = 1 / 256
_FIRST_TRIES = 64
_DENSE_GAP = 64


def _few_telltales(utf8: bytes, codec: str) -> bool:
    """Whether the text (as ``utf8``) certainly has fewer than MIN_TELLTALES telltale
    pairs of ``codec``; False when only the scan can tell.

    Clean pages are the rule: an English page's lead characters are a few accented
    letters, an Arabic page has no cp1252 lead letter. Each is found with
    ``bytes.find`` (memchr) and the pair tried there: a few microseconds, where the
    class scan re-encodes the whole page (about 0.3 ms of a 130 kB page). A
    character is never both a lead and a continuation, so pairs never overlap and
    each lead character starts at most one.
    """
    pattern = _TELLTALE_UTF8[codec]
    budget = max(_FIRST_TRIES, int(len(utf8) * _LEADS_PER_BYTE))
    tried = found = 0
    for lead in _LEAD_UTF8[codec]:
        at = first = utf8.find(lead)
        runs = 0
        while at >= 0:
            tried += 1
            runs += 1
            if tried > budget or (runs > _FIRST_TRIES and at - first < _DENSE_GAP * runs):
                return False  # too many to try one by one: the scan decides
            if pattern.match(utf8, at):
                found += 1
                if found >= MIN_TELLTALES:
                    return False
            at = utf8.find(lead, at + 1)
    return True


# Pairs worth a closer look, and words that must round-trip, before a text counts as
# mojibake (real Arabic has telltale pairs too, but its words do not round-trip).
MIN_TELLTALES = 3
MIN_REPAIRED = 3


def _encode(word: str, codec: str) -> bytes | None:
    try:
        return word.encode(codec)
    except UnicodeEncodeError:
        if codec != "cp1252":
            return None
    try:  # bytes cp1252 leaves undefined come through Latin-1 as C1 controls
        return b"".join(c.encode("cp1252") if ord(c) > 0x9F or ord(c) < 0x80
                        else c.encode("latin-1") for c in word)  # fmt: skip
    except UnicodeEncodeError:
        return None


def _repair_word(word: str, codec: str) -> str:
    if word.isascii():
        return word
    data = _encode(word, codec)
    if data is None:
        return word
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return word


# Words split on ASCII whitespace only: NEL and NBSP are bytes 0x85 and 0xA0 of mojibake.
_SPACE = re.compile(r"[\t\n\r\f\v ]")
_SPACES = "\t\n\r\f\v "


# The telltale pairs of cp1256 found on the page's cp1256 bytes (one byte per
# character, "?" for the rest, so positions stay), each byte mapped to its class:
# L(ead) 0xC2-0xF4, C(ontinuation) 0x80-0xBF, "." the rest; then "LC" is a plain
# substring search. About 10x faster than the regex over Arabic text (a regex scan of
# a 100 kB page cost as much as parsing it). cp1252's pairs need a Latin-1 lead
# letter, which Arabic and English pages seldom have: without one there is none.
_BYTE_CLASS = bytes(
    ord("L") if 0xC2 <= b <= 0xF4 else ord("C") if 0x80 <= b <= 0xBF else ord(".")
    for b in range(256)
)

# The same on Latin-1 bytes, where "?" may stand for a character Latin-1 lacks.
_LATIN_CLASS = _BYTE_CLASS[: ord("?")] + b"Q" + _BYTE_CLASS[ord("?") + 1 :]
_CP1252_SIGNS = frozenset(bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xA0)) - {""}


def _cp1256_classes(text: str) -> bytes:
    return text.encode("cp1256", "replace").translate(_BYTE_CLASS)


_LEAD = ord("L")
# A lead byte not followed by a continuation byte: bytes that are not UTF-8.
_NOT_UTF8 = re.compile(b"L(?!C)")


def _telltale_positions(text: str, codec: str) -> Iterator[int]:
    """Where the telltale pairs of ``codec`` start (as ``_TELLTALE[codec]`` finds them)."""
    if text.isascii():
        return
    if codec == "cp1256":
        yield from _pairs(_cp1256_classes(text))
        return
    classes = text.encode("latin-1", "replace").translate(_LATIN_CLASS)
    if b"L" not in classes:
        return
    # After each lead letter: a Latin-1 continuation (C1 controls included), or one of
    # cp1252's own signs at 0x80-0x9F (bytes "Q": not Latin-1).
    at = classes.find(b"L")
    while at >= 0:
        after = classes[at + 1 : at + 2]
        if after == b"C" or (after == b"Q" and text[at + 1] in _CP1252_SIGNS):
            yield at
        at = classes.find(b"L", at + 1)


def _pairs(classes: bytes) -> Iterator[int]:
    """Where "LC" occurs in ``classes``, in order, found from its C's: a page has a few
    dozen, and ``find`` of one byte is memchr, where a search for the two bytes "LC"
    stepped through an Arabic page's lead letters nearly one by one (0.7 ns a byte,
    as long as the encoding itself). L is not C, so occurrences never overlap."""
    at = classes.find(b"C", 1)
    while at >= 0:
        if classes[at - 1] == _LEAD:
            yield at - 1
        at = classes.find(b"C", at + 1)


# Words are short: the space before one is looked for this far back first.
_WORD_WINDOW = 64


def _word_start(text: str, done: int, at: int) -> int:
    """Where the word holding ``at`` starts: after the last ASCII space before it, not
    before ``done``. Searched back a window at a time: one ``rfind`` per space
    character over all of ``text[done:at]`` scanned the whole gap for the ones a page
    never has (form feed, vertical tab), which made a pair far from the last one cost
    as much as the encoding of the page."""
    high = at
    while high > done:
        low = max(done, high - _WORD_WINDOW)
        found = max(text.rfind(space, low, high) for space in _SPACES)
        if found >= 0:
            return found + 1
        high = low
    return done


def _candidate_words(text: str, codec: str) -> tuple[list[tuple[int, int]], int]:
    """((start, end) of each word holding a telltale pair, in order; telltale pairs).

    Only those words can be repaired: a word re-encodes one byte per character, and
    bytes that are valid UTF-8 with non-ASCII in them hold a lead byte followed by a
    continuation byte, which is a telltale pair. Looking only there (rather than at
    every word of a 100 kB page through a Python callback) made this step about 10x
    cheaper on the corpus's Arabic pages, which all have a few telltale pairs.
    """
    spans: list[tuple[int, int]] = []
    done = pairs = 0  # done: end of the last word taken (telltales before it are in it)
    # cp1256's classes, computed once: a word whose bytes hold a lead byte without a
    # continuation after it cannot decode as UTF-8, so it is not tried (re-encoding
    # each candidate word was a tenth of an Arabic page's extraction, and real Arabic
    # words, letters being lead bytes, almost all fail this way).
    classes = _cp1256_classes(text) if codec == "cp1256" and not text.isascii() else None
    positions = _pairs(classes) if classes is not None else _telltale_positions(text, codec)
    for at in positions:
        pairs += 1
        if at < done:
            continue
        if classes is not None and at and classes[at - 1] == _LEAD:
            # A lead byte before this one (in the same word: leads are no spaces) is
            # not followed by a continuation: the word cannot be UTF-8, as _NOT_UTF8
            # would find. Real Arabic's pairs are mostly a letter after a letter
            # before a comma; later pairs of the word, if any, find the same word.
            continue
        start = _word_start(text, done, at)
        end_match = _SPACE.search(text, at + 2)
        end = end_match.start() if end_match else len(text)
        if classes is None or not _NOT_UTF8.search(classes, start, end):
            spans.append((start, end))
        done = end
    return spans, pairs


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """(text with its mojibake words repaired, the codec it was misread with or None).

    Telltale pairs alone are no proof (an Arabic letter before an Arabic comma is
    one); mojibake is declared only when at least MIN_REPAIRED words round-trip.
    """
    fixed, codec, _ = repair_mojibake_utf8(text)
    return fixed, codec


def repair_mojibake_utf8(text: str) -> tuple[str, str | None, bytes | None]:
    """:func:`repair_mojibake`, and the UTF-8 of the text it returns when that is
    ``text`` itself and encodes strictly (None otherwise): the parser needs it too,
    and encoding a 1 MB page twice cost about half a millisecond."""
    if text.isascii():
        return text, None, None  # ASCII encodes at memcpy speed: nothing to share
    try:
        utf8: bytes = text.encode("utf-8")
        strict = True
    except UnicodeEncodeError:  # lone surrogates: they hold no lead byte either
        utf8, strict = text.encode("utf-8", "surrogatepass"), False
    for codec in _CODECS:
        if _few_telltales(utf8, codec):
            continue  # too few pairs to count as mojibake, as the scan would find
        spans, pairs = _candidate_words(text, codec)  # one scan: the pairs and their words
        if pairs < MIN_TELLTALES:
            continue
        parts: list[str] = []
        last = repaired = 0
        for start, end in spans:
            word = text[start:end]
            fixed = _repair_word(word, codec)
            if fixed != word:
                repaired += 1
                parts.append(text[last:start])
                parts.append(fixed)
                last = end
        if repaired >= MIN_REPAIRED:
            parts.append(text[last:])
            return "".join(parts), codec, None
    return text, None, utf8 if strict else None


# -- the downloader middleware -----------------------------------------------------


class CharsetMiddleware:
    """Re-decodes HTML whose declared charset the bytes contradict (see module doc).

    Counted as ``newscrawl/charset/<header|meta>_mismatch`` and logged once per page.
    UTF-8 with a few invalid bytes is decoded as UTF-8 with U+FFFD at them, counted as
    ``newscrawl/charset/damaged_utf8`` (pages) and ``.../invalid_utf8_bytes`` (bytes),
    with one WARNING.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Any:
        if not isinstance(response, HtmlResponse) or not response.body:
            return response
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        header = http_content_type_encoding(content_type)
        meta = html_body_declared_encoding(response.body[:4096])
        encoding, wrong = choose_encoding(response.body, header, meta)
        if encoding is not None:
            inc(self.crawler, f"newscrawl/charset/{wrong}_mismatch")
            logger.info(
                "Charset declared in the %s (%s) does not fit the bytes; decoded as %s: %s",
                "HTTP header" if wrong == "header" else "<meta>",
                header if wrong == "header" else meta,
                encoding,
                response.url,
            )
            response = response.replace(encoding=encoding)
        chosen = _normal(encoding or header or meta)
        if read_bom(response.body[:4])[0] or (chosen is not None and chosen not in _UTF8):
            return response  # a BOM, or a legacy charset the bytes do not contradict
        bad = invalid_utf8_bytes(response.body)
        if not bad:
            return response
        # UTF-8 with a few damaged bytes: U+FFFD at those bytes, the rest as written.
        # Without a declaration Scrapy's guess would read the whole page as something else.
        inc(self.crawler, "newscrawl/charset/damaged_utf8")
        inc(self.crawler, "newscrawl/charset/invalid_utf8_bytes", bad)
        logger.warning(
            "%d invalid UTF-8 byte sequence(s), decoded as UTF-8 with U+FFFD there: %s",
            bad,
            response.url,
        )
        return response.replace(encoding="utf-8")
