"""The one table of Arabic-script letters that sites write in more than one way.

The same word reaches us spelt differently from page to page: alef with or without its
hamza (``أحمد`` / ``احمد``), final yeh written as alef maqsura (``على`` for ``علي`` in
Egyptian usage), Persian yeh and keheh typed on Arabic keyboards and the other way
round (``ارديبهشت`` / ``اردیبهشت``), teh marbuta without its dots (``الساعه``). Whatever
compares words across pages (near-duplicate shingles, date names, the generic
extractor's ticker lines) folds them through this table, and only through it, so that
a letter added here is known everywhere at once.

>>> fold("أحمد إلى آخر مدرسة") == fold("احمد الي اخر مدرسه")
True
>>> fold("اردیبهشت", ALEF, YEH, KAF) == fold("ارديبهشت", ALEF, YEH, KAF)
True
>>> fold("إلى", ALEF)  # the alef only: alef maqsura stays
'الى'
"""

from __future__ import annotations

from functools import cache
from typing import Final

ALEF: Final = "\u0627"
YEH: Final = "\u064a"  # Arabic yeh
KAF: Final = "\u0643"  # Arabic kaf
WAW: Final = "\u0648"
HEH: Final = "\u0647"

#: Each base letter and the forms of it that are folded onto it.
LETTER_FORMS: Final[dict[str, str]] = {
    ALEF: "\u0622\u0623\u0625\u0671",  # with madda, hamza above, hamza below; wasla
    YEH: "\u0649\u06cc\u0626",  # alef maqsura, Farsi yeh, yeh with hamza above
    KAF: "\u06a9",  # keheh (the Persian kaf)
    WAW: "\u0624",  # waw with hamza above
    HEH: "\u0629",  # teh marbuta
}


def fold_map(*letters: str) -> dict[str, str]:
    """Form -> base letter, for the given base letters (the whole table without any).

    >>> fold_map(KAF)
    {'ک': 'ك'}
    """
    chosen = letters or tuple(LETTER_FORMS)
    return {form: base for base in chosen for form in LETTER_FORMS[base]}


@cache
def folding(*letters: str) -> dict[int, str]:
    """A ``str.translate`` table folding the forms of ``letters`` (all without any)."""
    return str.maketrans(fold_map(*letters))


def fold(text: str, *letters: str) -> str:
    """``text`` with the forms of ``letters`` (every letter of the table without any) folded."""
    return text.translate(folding(*letters))


def forms(letter: str) -> str:
    """A base letter and every form of it, for a regex character class.

    >>> forms(KAF)
    'كک'
    """
    return letter + LETTER_FORMS[letter]
