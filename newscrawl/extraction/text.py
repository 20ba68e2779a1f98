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


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII, for parsing only (text keeps its digits)."""
    return text.translate(_DIGITS)


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends; joiners (ZWNJ/ZWJ) are kept."""
    # str.split() splits on exactly what re's \s matches (str.isspace: NBSP included,
    # ZWNJ/ZWJ not, being Cf), ~3.5x faster than re.sub(r"\s+", " ", text).strip().
    return " ".join(text.split())


def normalize_paragraph(text: str) -> str:
    """NFC plus collapsed whitespace: the form every paragraph of a record has."""
    return collapse_whitespace(unicodedata.normalize("NFC", text))


# Everything that is NOT a letter of the script; deleting it and measuring what is
# left counts the script's letters ~20x faster than findall.
_NOT_SCRIPT = {
    # Letters and marks only: Arabic digits and punctuation say nothing about language.
    "arabic": re.compile(
        "[^\u0620-\u065f\u066e-\u06d3\u06d5-\u06ef\u06fa-\u06ff\u0750-\u077f"
        "\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]+"
    ),
    "latin": re.compile("[^A-Za-z\u00c0-\u024f]+"),
    "hebrew": re.compile("[^\u05d0-\u05ea]+"),
}
_LETTER = re.compile(r"[^\W\d_]")
# Enough text to tell the script of a page, at a bounded cost per page.
SCRIPT_SAMPLE = 1500


def dominant_script(text: str) -> str | None:
    """'arabic', 'latin', 'hebrew' or 'other' by letter count; None without letters."""
    sample = text[:SCRIPT_SAMPLE]
    counts = {name: len(pattern.sub("", sample)) for name, pattern in _NOT_SCRIPT.items()}
    best = max(counts, key=lambda key: counts[key])
    if counts[best] * 2 > len(sample.replace(" ", "")):
        return best  # over half of all characters: no other script can outnumber it
    counts["other"] = len(_LETTER.findall(sample)) - sum(counts.values())
    best = max(counts, key=lambda key: counts[key])
    return best if counts[best] > 0 else None
