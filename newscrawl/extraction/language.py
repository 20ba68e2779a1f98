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
    if primary is not None and _agrees(primary, script, sample):
        return primary  # the text bears the declaration out: nothing to identify
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


# Arabic-script letters outside Arabic's own alphabet (U+0621-U+064A, and the Quranic
# alef wasla U+0671): Persian, Urdu, Kurdish, Pashto ... and Persian digits. Text
# without any is Arabic, whatever else the identifier might weigh.
_NOT_ARABIC = re.compile("[\u0672-\u06ff]")
# Persian's letters beyond Arabic's (pe, che, zhe, gaf, keheh, farsi yeh, heh with yeh,
# and Persian digits), and those of other Arabic-script languages Persian never uses.
_PERSIAN = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc\u06c0\u06f0-\u06f9]")
_NOT_PERSIAN = re.compile(
    "[\u0672-\u067d\u067f-\u0685\u0687-\u0697\u0699-\u06a8\u06aa-\u06ae"
    "\u06b0-\u06bf\u06c1-\u06cb\u06cd-\u06ef\u06fa-\u06ff]"
)
# Words frequent in one Latin-script language and rare in the others: a declared
# language whose words clearly outnumber every other's is borne out by its text.
_STOPWORDS = {
    "en": frozenset("the of and to is that for was with as by at from has said it are be "
                    "his he have an were this will not which".split()),
    "fr": frozenset("le la les des du et est une que qui dans pour sur au avec par pas "
                    "ce il sont aux".split()),
    "es": frozenset("el los las del y que por con para una es se su al lo como".split()),
    "de": frozenset("der die das und ist nicht mit den dem sich auf für von zu ein eine "
                    "auch".split()),
    "tr": frozenset("ve bir bu için ile da de olarak olan daha çok gibi ancak sonra".split()),
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
# Share of the sample's words that must be the declared language's, and how many times
# another language's they must outnumber.
MIN_STOPWORD_SHARE = 0.15
STOPWORD_MARGIN = 3


def _agrees(primary: str, script: str | None, sample: str) -> bool:
    """Whether the text plainly bears the declared language out, so that identifying
    it (about 1 ms a page, a tenth of a site page's extraction) would only confirm it.

    Cheap and one-sided: a False sends the text to the identifier as before. Arabic
    agrees when no letter of another Arabic-script language appears (Persian or Urdu
    on a page declared ``ar`` is still identified), Persian when its own letters show
    and no other language's do; a Latin-script language with a word list when its
    frequent words clearly outnumber every other list's (French text on a page
    declared ``en`` is not)."""
    if script == "arabic":
        if primary == "ar":
            return _NOT_ARABIC.search(sample) is None
        if primary == "fa":
            persian = len(_PERSIAN.findall(sample))
            return _NOT_PERSIAN.search(sample) is None and persian >= 0.03 * len(sample)
        return False
    if script != "latin" or primary not in _STOPWORDS:
        return False
    words = _WORD.findall(sample.lower())
    hits = {code: sum(word in stop for word in words) for code, stop in _STOPWORDS.items()}
    own = hits.pop(primary)
    enough = own > 0 and own >= MIN_STOPWORD_SHARE * len(words)
    return enough and own >= STOPWORD_MARGIN * max(hits.values())


def _by_script(primary: str | None, script: str | None) -> str | None:
    """Too little text to identify: the declaration, unless the script refutes it."""
    if script == "arabic":
        return primary if primary in ARABIC_SCRIPT_LANGUAGES else "ar"
    if script == "latin" and (primary is None or primary in ARABIC_SCRIPT_LANGUAGES):
        # Latin text on a page declared in an Arabic-script language: the English
        # edition of a regional site is by far the common case.
        return "en" if primary else None
    return primary
