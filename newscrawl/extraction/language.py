"""The language of a record: the declared ``lang`` and the script are evidence, a
language identifier (py3langid, its model in the package) decides when they are
missing or contradicted.

Pages often lie in ``<html lang>`` (the edition's default on every page), or say
nothing; and a script check alone cannot tell French from English on a Maghreb site
declared ``ar``, nor Persian or Urdu from Arabic.

>>> language_for_text("fr", "Le ministre a déclaré mercredi que le gouvernement allait "
...     "présenter un nouveau projet de loi sur les finances publiques avant la fin du mois.")
'fr'
>>> language_for_text("ar", "Le ministre a déclaré mercredi que le gouvernement allait "
...     "présenter un nouveau projet de loi sur les finances publiques avant la fin du mois.")
'fr'
>>> language_for_text(None, "وزیر خارجہ نے کہا کہ حکومت اس معاملے پر جلد ایک نیا فیصلہ کرے گی")
'ur'
>>> declared_code("en-US"), declared_code("english"), declared_code(None)
('en', None, None)
"""

from __future__ import annotations

import io
import lzma
import re
from array import array
from functools import cache
from typing import Any

import numpy as np

from newscrawl.extraction.text import dominant_script

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# Languages written in Arabic script that a page may declare.
ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur", "ku", "ckb", "ps", "sd", "ug"})
# The identifier's dialect and variant labels, as the language a record names.
_FOLDED = {"ary": "ar", "arz": "ar", "uzs": "uz", "sdh": "ku", "hbo": "he", "nn": "no"}
# Enough text to identify well, at a bounded cost per page.
SAMPLE_CHARS = 800
# Below this many letters the identifier guesses; the script and the declaration decide.
MIN_LETTERS = 40
# A declared language the text gives at least this probability stands (evidence, not
# contradicted); an undeclared or contradicted one needs the identifier this sure.
DECLARED_FLOOR = 0.05
CONFIDENT = 0.5
_LETTER = re.compile(r"[^\W\d_]")


def declared_code(declared: str | None) -> str | None:
    """The primary ISO 639 code of a declared language ("en-US" -> "en"), or None."""
    if not declared:
        return None
    primary = declared.split("-")[0].split("_")[0].strip().lower()
    return primary if _LANGUAGE_CODE.fullmatch(primary) else None


@cache
def _identifier() -> Any:
    """py3langid's identifier, its model unpacked in memory (about 1 s, on first use).

    py3langid's own loader unpacks the model through a temporary file: on a full disk
    (a crawl's feed disk is often /tmp's) that fails, and every page's language with
    it. In memory it cannot fail that way; the buffer is freed once the arrays exist.
    """
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    with lzma.open(MODEL_DIR / MODEL_FILE) as packed:
        unpacked = io.BytesIO(packed.read())
    with np.load(unpacked, allow_pickle=False) as data:
        return LanguageIdentifier(
            np.asarray(data["ptc"]),
            np.asarray(data["pc"]),
            data["classes"].tolist(),
            _as_array(data["nextmove"]),
            data["out_feat"].tolist(),
            norm_probs=True,
            tk_row=_as_array(data["nextmove_row"]),
        )


def _as_array(values: Any) -> array[int]:
    """A numpy unsigned-int array as the stdlib array py3langid's tables are."""
    typecodes = {2: "H", 4: "I", 8: "L"}
    out = array(typecodes[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out


def identify(text: str) -> dict[str, float]:
    """Probability of each language for ``text`` (dialect labels folded into theirs)."""
    found: dict[str, float] = {}
    for label, probability in _identifier().rank(text[:SAMPLE_CHARS]):
        code = _FOLDED.get(label, label)
        if code != "zxx":  # "no linguistic content"
            found[code] = found.get(code, 0.0) + probability
    return found


def language_for_text(declared: str | None, text: str) -> str | None:
    """The declared language, unless missing or contradicted by the text.

    >>> language_for_text("en", "قال رئيس الوزراء إن الحكومة")
    'ar'
    >>> language_for_text("fa", "گفت که دولت")
    'fa'
    >>> language_for_text(None, "")
    """
    primary = declared_code(declared)
    script = dominant_script(text)
    if script == "hebrew":
        return "he"
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) >= MIN_LETTERS:
        found = identify(sample)
        if script == "arabic":  # the script narrows it: Arabic, Persian, Urdu ...
            found = {k: v for k, v in found.items() if k in ARABIC_SCRIPT_LANGUAGES}
        if primary is not None and found.get(primary, 0.0) >= DECLARED_FLOOR:
            return primary
        best = max(found, key=lambda code: found[code], default=None)
        if best is not None and found[best] >= CONFIDENT * sum(found.values()):
            return best
    return _by_script(primary, script)


def _by_script(primary: str | None, script: str | None) -> str | None:
    """Too little text to identify: the declaration, unless the script refutes it."""
    if script == "arabic":
        return primary if primary in ARABIC_SCRIPT_LANGUAGES else "ar"
    if script == "latin" and (primary is None or primary in ARABIC_SCRIPT_LANGUAGES):
        # Latin text on a page declared in an Arabic-script language: the English
        # edition of a regional site is by far the common case.
        return "en" if primary else None
    return primary
