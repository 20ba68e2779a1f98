"""Small text helpers shared by extraction, cleaning and dates.

>>> to_ascii_digits("٢٠١٨-٠١-٠١ ۱۴۰۲")
'2018-01-01 1402'
>>> collapse_whitespace("  a\\u00a0 b\\n c ")
'a b c'
>>> dominant_script("العرب اليوم Arabs")
'arabic'
"""

from __future__ import annotations

import re
import unicodedata

# Arabic-Indic (U+0660..) and Extended Arabic-Indic / Persian (U+06F0..) digits.
_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "01234567890123456789",
)

# \s in Python's re is Unicode aware and does NOT match ZWNJ/ZWJ (category Cf),
# so collapsing whitespace keeps the joiners that Persian and Kurdish words need.
_WS = re.compile(r"\s+")


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII, for parsing only (text keeps its digits)."""
    return text.translate(_DIGITS)


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends; joiners (ZWNJ/ZWJ) are kept."""
    return _WS.sub(" ", text).strip()


def normalize_paragraph(text: str) -> str:
    """NFC plus collapsed whitespace: the form every paragraph of a record has."""
    return collapse_whitespace(unicodedata.normalize("NFC", text))


def _is_arabic_letter(char: str) -> bool:
    code = ord(char)
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


def dominant_script(text: str) -> str | None:
    """'arabic', 'latin', 'hebrew' or 'other' by letter count; None without letters."""
    counts = {"arabic": 0, "latin": 0, "hebrew": 0, "other": 0}
    for char in text:
        if not char.isalpha():
            continue
        if _is_arabic_letter(char):
            counts["arabic"] += 1
        elif char.isascii() or "LATIN" in unicodedata.name(char, ""):
            counts["latin"] += 1
        elif 0x0590 <= ord(char) <= 0x05FF:
            counts["hebrew"] += 1
        else:
            counts["other"] += 1
    best = max(counts, key=lambda key: counts[key])
    return best if counts[best] else None


# Languages written in Arabic script that a page may declare.
ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur", "ku", "ckb", "ps", "sd", "ug"})


def language_for_text(declared: str | None, text: str) -> str | None:
    """The declared language, unless the text's script contradicts it.

    Pages often lie in ``<html lang>``: an Arabic article declared ``en`` is ``ar``.

    >>> language_for_text("en", "قال رئيس الوزراء إن الحكومة")
    'ar'
    >>> language_for_text("fa", "گفت که دولت")
    'fa'
    >>> language_for_text("ar", "The minister said")
    'en'
    >>> language_for_text(None, "")
    """
    primary = declared.split("-")[0].split("_")[0].lower() if declared else None
    script = dominant_script(text[:5000])
    if script == "arabic":
        return primary if primary in ARABIC_SCRIPT_LANGUAGES else "ar"
    if script == "latin" and (primary is None or primary in ARABIC_SCRIPT_LANGUAGES):
        # Latin text on a page declared in an Arabic-script language: the English
        # edition of a regional site is by far the common case.
        return "en" if primary else None
    if script == "hebrew":
        return "he"
    return primary
