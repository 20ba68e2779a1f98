"""repair_mojibake looks only at the words holding a telltale pair (for speed): it must
repair exactly what repairing every word would."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.text import charset
from newscrawl.text.charset import repair_mojibake

_WORD = re.compile(r"[^\t\n\r\f\v ]+")


def every_word(text: str) -> tuple[str, str | None]:
    """The reference: each ASCII-whitespace-separated word tried in turn."""
    for codec in ("cp1256", "cp1252"):
        if len(charset._TELLTALE[codec].findall(text)) < charset.MIN_TELLTALES:
            continue
        repaired = 0

        def fix(match: re.Match[str], codec: str = codec) -> str:
            nonlocal repaired
            word = charset._repair_word(match.group(), codec)
            repaired += word != match.group()
            return word

        fixed = _WORD.sub(fix, text)
        if repaired >= charset.MIN_REPAIRED:
            return fixed, codec
    return text, None


ARABIC = "قال محمد و علي في بيان، أمس «الخبر» الأحد؛ پیشنهاد گفت کرد؟ 2024"
_words = st.sampled_from([*ARABIC.split(), "ok", "a.b", "<p>", "É", "café", "x\u00a0y"])


def _mojibake(word: str, codec: str) -> str:
    return word.encode("utf-8").decode(codec, "replace")


@st.composite
def pages(draw: st.DrawFn) -> str:
    words = draw(st.lists(_words, max_size=40))
    codec = draw(st.sampled_from(["cp1256", "cp1252", "latin-1"]))
    out = []
    for word in words:
        broken = draw(st.booleans())
        out.append(_mojibake(word, codec) if broken else word)
        out.append(draw(st.sampled_from([" ", "\n", "\t", "  ", "\u00a0", "\r\n"])))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(pages())
def test_same_repair_as_every_word(text: str) -> None:
    assert repair_mojibake(text) == every_word(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ظطØÙ…­ˆ¹„ٹپ ،\n\tabc"), max_size=60))
def test_same_repair_on_telltale_soup(text: str) -> None:
    assert repair_mojibake(text) == every_word(text)


def test_glued_and_edge_words() -> None:
    broken = _mojibake("محمد", "cp1256")
    for text in (
        f"{broken} {broken} {broken}",  # words at both ends of the text
        f"x{broken}.{broken}\n{broken}،{broken}",  # telltales twice in one word
        f"  {broken}\t{broken}\u00a0{broken}  ",  # NBSP is part of a word, not a space
    ):
        assert repair_mojibake(text) == every_word(text)
    assert repair_mojibake(f"{broken} {broken} {broken}")[1] == "cp1256"


_SOUP = "ظطØÙ…­ˆ¹„ٹپ ،\n\tabcÃ©€™\u0081\u009dé😀" + ARABIC


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_SOUP), max_size=80) | st.text(max_size=80))
def test_telltale_positions_as_the_pattern_finds_them(text: str) -> None:
    for codec in ("cp1256", "cp1252"):
        expected = [m.start() for m in charset._TELLTALE[codec].finditer(text)]
        assert list(charset._telltale_positions(text, codec)) == expected


def test_words_whose_bytes_cannot_be_utf8_are_not_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Arabic has telltale pairs (a letter before an Arabic comma), but its words
    put a lead byte before another lead byte: they cannot decode as UTF-8 and are not
    re-encoded one by one; mojibake words still are, and are repaired."""
    tried: list[str] = []
    real = charset._repair_word

    def spy(word: str, codec: str) -> str:
        tried.append(word)
        return real(word, codec)

    monkeypatch.setattr(charset, "_repair_word", spy)
    arabic = "قال الوزير، إن الحكومة، بعد الاجتماع، ستعلن القرار، غدا. " * 20
    assert repair_mojibake(arabic) == (arabic, None)
    assert tried == []
    story = "قال الوزير إن الحكومة ستعلن القرار غدا بعد الاجتماع"
    misread = story.encode("utf-8").decode("cp1256")
    assert repair_mojibake(f"<p>{misread}</p>") == (f"<p>{story}</p>", "cp1256")
    assert tried


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_SOUP), max_size=200) | pages())
def test_precheck_skips_only_texts_with_too_few_pairs(text: str) -> None:
    """The C-speed precheck on the UTF-8 counts what the telltale pattern counts: it
    may say "too few" only when the pattern finds fewer than MIN_TELLTALES pairs."""
    utf8 = text.encode("utf-8", "surrogatepass")
    for codec in ("cp1256", "cp1252"):
        pairs = len(charset._TELLTALE[codec].findall(text))
        if charset._few_telltales(utf8, codec):
            assert pairs < charset.MIN_TELLTALES
        if len(text) < 60:  # few lead characters: the precheck decides alone
            assert charset._few_telltales(utf8, codec) == (pairs < charset.MIN_TELLTALES)


def test_clean_pages_are_not_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    """An English page with a few accented letters, an Arabic page without Latin-1
    letters: the codecs whose lead characters are absent or few are not scanned."""
    scanned: list[str] = []
    real = charset._candidate_words

    def spy(text: str, codec: str) -> tuple[list[tuple[int, int]], int]:
        scanned.append(codec)
        return real(text, codec)

    monkeypatch.setattr(charset, "_candidate_words", spy)
    english = "<p>The café owner’s view.</p>\n" * 5 + "<p>He said — “no comment”.</p>\n" * 200
    assert repair_mojibake(english) == (english, None)
    assert scanned == []
    arabic = "<p>قال الوزير، إن الحكومة «ستعلن» القرار غدا.</p>\n" * 200
    assert repair_mojibake(arabic) == (arabic, None)
    assert scanned == ["cp1256"]  # Arabic letters are cp1256 lead characters: scanned
    misread = "قال الوزير إن الحكومة".encode().decode("cp1256")
    assert repair_mojibake(english + misread)[1] == "cp1256"
