"""One Arabic folding table (newscrawl.text.arabic), and every user of it as before.

The letters were folded in four places, each with its own map; the maps below are the
ones those places had. Each pair they folded together is still folded together, by
every one of those places, through the one table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newscrawl.extraction.dates import normalize_date_text
from newscrawl.extraction.generic.lines import is_ticker_line
from newscrawl.text.arabic import ALEF, KAF, YEH, fold, fold_map
from newscrawl.text.neardup import fingerprint, signature

# The four maps as they were written before the table.
NEARDUP = {"آ": "ا", "أ": "ا", "إ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ئ": "ي", "ؤ": "و",
           "ة": "ه", "ک": "ك"}  # fmt: skip
GENERIC = {"أ": "ا", "إ": "ا", "آ": "ا", "ي": "ی", "ى": "ی", "ك": "ک"}
DATES_ALEF = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"}
DATES_PERSIAN = {"ي": "ی", "ى": "ی", "ك": "ک"}  # the [یيى] and [کك] classes
PACKAGE = Path(__file__).resolve().parent.parent / "newscrawl"


@pytest.mark.parametrize(
    ("old", "letters"),
    [
        (NEARDUP, ()),
        (GENERIC, (ALEF, YEH, KAF)),
        (DATES_ALEF, (ALEF,)),
        (DATES_PERSIAN, (ALEF, YEH, KAF)),
    ],
)
def test_every_old_map_is_kept_by_the_table(old: dict[str, str], letters: tuple[str, ...]) -> None:
    for source, target in old.items():
        assert fold(source, *letters) == fold(target, *letters), (source, target)


def test_the_near_duplicate_key_folds_exactly_as_before() -> None:
    # Signatures are kept in state stores across runs: the fold must not move them.
    assert fold_map() == NEARDUP
    for source, target in NEARDUP.items():
        assert signature(f"كلمة {source}بر ثم نص") == signature(f"كلمة {target}بر ثم نص")
    assert fingerprint("أحمد") != fingerprint("احمد")  # the exact key folds nothing
    assert signature("أحمد قال إن الرئيس") == signature("احمد قال ان الرئيس")


def test_dates_read_names_in_every_form() -> None:
    assert normalize_date_text("الإثنين ,٠١ كانون الثاني") == normalize_date_text(
        "الاثنين ,٠١ كانون الثاني"
    )
    for month in ("اردیبهشت", "ارديبهشت", "اردىبهشت"):  # Persian, Arabic yeh, alef maqsura
        assert normalize_date_text(f"21 {month} 1399") == "10 May 2020"
    assert normalize_date_text("یک شنبه 2 تير 1399") == normalize_date_text("يك شنبه 2 تیر 1399")


def test_generic_ticker_lines_fold_names() -> None:
    assert is_ticker_line("الإثنين 12:30")
    assert is_ticker_line("الاثنين 12:30")
    assert is_ticker_line("۲۹ بهمن ۱۳۹۸ ساعت 12:30") == is_ticker_line("۲۹ بهمن ۱۳۹۸ ساعت 12:30")
    assert is_ticker_line("21 ارديبهشت 1399") and is_ticker_line("21 اردیبهشت 1399")


_MAPPING = re.compile(r"""["']([\u0622\u0623\u0625\u0671\u0649\u06cc\u0626\u06a9\u0624\u0629]|"""
                      r"""\\u0?(?:622|623|625|671|649|6cc|626|6a9|624|629))["']\s*:""")  # fmt: skip


def test_no_other_module_keeps_a_folding_map() -> None:
    owners = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if _MAPPING.search(path.read_text("utf-8"))
    ]
    assert owners == ["text/arabic.py"], owners
