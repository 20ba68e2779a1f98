"""Stage 6: the story from the page's embedded application data (client-rendered pages).

Next.js, Nuxt and other client-rendered pages may ship the story only as data for
their scripts: ``<script type="application/json">`` (``__NEXT_DATA__``), JSON-LD,
the App Router's flight payload (``self.__next_f.push([1, "..."])``) or a
``window.__INITIAL_STATE__ = {...}`` assignment. The visible DOM then holds no story.
Only ``json.loads`` reads them (never an evaluator), with the size and depth bounded.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

from newscrawl.extraction.body import paragraphs_of
from newscrawl.extraction.generic.lines import flat

# A story shorter than this is not looked for in the data (as for JSON-LD articleBody).
MIN_CHARS = 500
# Scripts larger than this are skipped unread: no page's story data is near it.
MAX_SCRIPT_CHARS = 4_000_000
# Walk bounds: Next.js data nests ~15 levels; the count caps a huge state object.
MAX_DEPTH = 40
MAX_VALUES = 50_000
_ASSIGNMENT = re.compile(
    r"window\.(?:__NUXT__|__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__)\s*=\s*(?=[{\[])"
)
_FLIGHT_PUSH = re.compile(r"\s*self\.__next_f\.push\(")
# Flight rows: "<id>:T<hex byte length>,<raw text>" or "<id>:<JSON>" (other letters: modules).
_FLIGHT_TEXT = re.compile(rb"(?:^|\n)[0-9a-f]+:T([0-9a-f]+),")
_FLIGHT_JSON = re.compile(r"^[0-9a-f]+:([\[{\"].*)$", re.MULTILINE)
_BODY_KEY = re.compile(r"body|content|text|html|story|article", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
# Template placeholders left in the HTML for the page's scripts ($$ARTICLEAD$$, {{ad}}).
_PLACEHOLDER = re.compile(r"^[^\w\s]+\w+[^\w\s]+$")
_SENTENCE_END = re.compile(r"[.!?。！？؟]")
_SKIP_TAGS = ("script", "style", "figure", "figcaption", "noscript", "template")


def _loads(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _may_hold(text: str, least: int) -> bool:
    """Whether ``text`` has a quoted run of ``least`` chars: a JSON string that long.

    Split and len run in C: far cheaper than parsing and walking data that cannot
    hold the story (a Next.js page whose DOM shows it has a big ``__NEXT_DATA__``).
    """
    return max(map(len, text.replace('\\"', "").split('"'))) >= least


def _flight_values(chunks: list[str], least: int) -> Iterator[object]:
    """The text rows and JSON rows of a Next.js App Router flight payload (long enough)."""
    payload = "".join(chunks)
    data = payload.encode("utf-8")
    for text in _FLIGHT_TEXT.finditer(data):
        size = int(text.group(1), 16)
        if size >= least:
            yield data[text.end() : text.end() + size].decode("utf-8", "ignore")
    for row in _FLIGHT_JSON.finditer(payload):
        if len(row.group(1)) >= least and _may_hold(row.group(1), least):
            yield _loads(row.group(1))


def _documents(root: HtmlElement, least: int) -> Iterator[object]:
    """Every JSON value the page embeds for its scripts that could hold ``least`` chars.

    A script shorter than that cannot: it is not parsed (most pages stop here).
    """
    flight: list[str] = []
    for script in root.iter("script"):
        text = script.text or ""
        if len(text) > MAX_SCRIPT_CHARS:
            continue
        if _FLIGHT_PUSH.match(text):
            flight.append(text)  # the payload comes in pieces: judged whole, below
        elif len(text) < least:
            continue
        elif (script.get("type") or "").lower().endswith("json"):
            if _may_hold(text, least):
                yield _loads(text)
        elif (assignment := _ASSIGNMENT.search(text)) is not None:
            if _may_hold(text, least):
                try:
                    yield json.JSONDecoder().raw_decode(text, assignment.end())[0]
                except (ValueError, RecursionError):
                    pass
    if sum(len(text) for text in flight) >= least:
        chunks = []
        for text in flight:
            # The argument is a JSON array: [1, "<a piece of the payload>"].
            value = _loads(text.strip().removeprefix("self.__next_f.push(").rstrip(";)"))
            if isinstance(value, list) and len(value) > 1 and isinstance(value[1], str):
                chunks.append(value[1])
        yield from _flight_values(chunks, least)


def _strings(value: object, least: int) -> Iterator[tuple[str, str]]:
    """(key, string) for the strings of ``least`` chars or more in ``value`` (bounded walk)."""
    pending: list[tuple[str, object, int]] = [("", value, 0)]
    seen = 0
    while pending and seen < MAX_VALUES:
        key, item, depth = pending.pop()
        seen += 1
        if isinstance(item, str):
            if len(item) >= least:
                yield key, item
        elif depth < MAX_DEPTH and isinstance(item, dict):
            pending.extend((str(k), v, depth + 1) for k, v in item.items())
        elif depth < MAX_DEPTH and isinstance(item, list):
            pending.extend((key, v, depth + 1) for v in item)


def _paragraphs(text: str) -> list[str]:
    """A data string as paragraphs: an HTML fragment's blocks, else its blank-line parts."""
    if _TAG.search(text):
        try:
            fragment = fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError):
            return []
        skip = set(fragment.iter(*_SKIP_TAGS))
        skip.update(e for e in fragment.iter() if "caption" in str(e.get("class") or ""))
        found = paragraphs_of(fragment, skip)
    else:
        found = [flat(p) for p in re.split(r"\n\s*\n|\r\n\s*\r\n", text)]
    return [p for p in found if p and not _PLACEHOLDER.match(p)]


def _script(text: str) -> str | None:
    """The writing system most letters of ``text`` are in (LATIN, HANGUL, ARABIC...)."""
    counts: dict[str, int] = {}
    for char in text[:400]:
        if char.isalpha():
            name = unicodedata.name(char, "").split(" ", 1)[0]
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def _is_prose(paragraphs: list[str]) -> bool:
    text = " ".join(paragraphs)
    letters = sum(c.isalpha() for c in text)
    return letters >= 0.6 * len(text) and len(_SENTENCE_END.findall(text)) >= 3


def embedded_story(
    root: HtmlElement, paragraphs: list[str], title: str, notes: list[str]
) -> list[str]:
    """The story from the page's embedded data, where the DOM gave far less text.

    Taken only when it holds at least twice what was found (so never a second copy
    of a story the DOM has), is prose in the title's script, and holds most words of
    what was found; keys named like a body win over longer other strings.
    """
    found = sum(len(p) for p in paragraphs)
    least = max(MIN_CHARS, 2 * found)
    script: str | None = ""  # the title's, looked up at the first candidate
    best: list[str] = []
    best_score = 0.0
    for document in _documents(root, least):
        for key, text in _strings(document, least):
            candidate = _paragraphs(text)
            chars = sum(len(p) for p in candidate)
            score = chars * (2.0 if _BODY_KEY.search(key) else 1.0)
            if chars < least or score <= best_score:
                continue
            if script == "":
                script = _script(title)
            if not _is_prose(candidate) or (script and _script(" ".join(candidate)) != script):
                continue
            best, best_score = candidate, score
    if not best:
        return paragraphs
    if found >= MIN_CHARS:
        # The DOM had some text: it must be part of this story, not another text.
        words = re.findall(r"\w+", " ".join(paragraphs).casefold())
        vocabulary = set(re.findall(r"\w+", " ".join(best).casefold()))
        if sum(w in vocabulary for w in words) < 0.6 * len(words):
            return paragraphs
    notes.append("embedded_data")
    return best
