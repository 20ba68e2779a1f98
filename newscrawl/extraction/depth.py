"""Markup nested deeper than any real page: flattened before parsing, so nothing is lost.

libxml2 (lxml, parsel) stops building the tree at a nesting depth of 2048 even with
``huge_tree`` (256 without): a page with 50,000 nested ``<div>``s before its story
parses to a tree without the story, and the article was dropped as ``empty_body``.
Real news pages nest 20-60 levels. :func:`flatten_deep` drops the start and end tags
of bare wrappers (``<div>``, ``<span>``, ... without attributes) opened deeper than
:data:`MAX_DEPTH`, and of every element deeper than :data:`HARD_DEPTH` (their text,
void tags such as ``<br>`` and ``<img>``, and ``<p>``s stay). So the story survives,
and with it the ids, classes and tags (``<article>``, ``<h1>``) selectors look for.
:func:`parse_html` parses as parsel does and flattens only when libxml2 says it hit
its depth limit, so ordinary pages cost nothing more.

>>> page = "<div>" * 5 + "<p>story</p>" + "</div>" * 5
>>> flatten_deep(page, limit=2)
('<div><div><p>story</p></div></div>', 3)
>>> flatten_deep("<p>a<br>b</p>", limit=2)
('<p>a<br>b</p>', 0)
"""

from __future__ import annotations

import re
import threading

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction

MAX_DEPTH = 512
# Elements with attributes, or that mean something, are kept down to here (< 2048).
HARD_DEPTH = 1500
# Every element an HtmlElement, chosen in C: lxml.html's own lookup calls Python for each
# element Python touches (~1.4 ms of a generic extraction's 30), only to give forms,
# inputs and labels classes of their own, which nothing here uses.
_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Comments and raw-text elements are skipped whole (a "<div>" in a script is no tag).
_TOKEN = re.compile(
    r"<!--.*?-->|<(script|style|textarea|title|xmp)\b[^>]*>.*?</\1\s*>"
    r"|<(/?)([A-Za-z][^\s/>]*)([^>]*)>",
    re.DOTALL | re.IGNORECASE,
)
VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr".split()
)
# Kept at any depth: the parser closes an open <p> at the next one, so they never nest.
KEPT = frozenset({"p"})
# Containers that say nothing without attributes: the stuff of 50,000-level nests.
WRAPPERS = frozenset(
    "div span b i u s em strong small big font center a table tbody thead tfoot tr td th"
    " ul ol li dl dt dd blockquote".split()
)
_CLOSE_SEARCH = 64
# Elements whose end tag is optional: a new one closes an open one of the same name.
_SIBLINGS = frozenset("p li dt dd option tr td th".split())


def flatten_deep(text: str, limit: int = MAX_DEPTH) -> tuple[str, int]:
    """(``text`` with elements opened deeper than ``limit`` unwrapped, how many were)."""
    if text.count("<") <= limit:
        return text, 0  # too few tags to be that deep
    stack: list[tuple[str, bool]] = []  # (tag, kept) of the open elements
    kept = 0  # kept elements in the stack: the depth the parser will see
    out: list[str] = []
    last = 0
    dropped = 0
    for match in _TOKEN.finditer(text):
        closing, name, rest = match.group(2, 3, 4)
        if name is None:
            continue  # a comment or raw text: copied as it is
        tag = name.lower()
        keep = True
        if closing:
            # Looked for near the top only: a run of unmatched end tags under a deep
            # stack must not cost depth x tags.
            for at in range(len(stack) - 1, max(-1, len(stack) - 1 - _CLOSE_SEARCH), -1):
                if stack[at][0] == tag:
                    keep = stack[at][1]
                    kept -= sum(entry[1] for entry in stack[at:])
                    del stack[at:]
                    break
        elif tag not in VOID and not rest.rstrip().endswith("/"):
            if tag in _SIBLINGS and stack and stack[-1][0] == tag:
                kept -= stack.pop()[1]
            meaningful = bool(rest.strip()) or tag not in WRAPPERS
            keep = kept < limit or tag in KEPT or (meaningful and kept < HARD_DEPTH)
            stack.append((tag, keep))
            kept += keep
        if not keep:
            dropped += not closing
            out.append(text[last : match.start()])
            last = match.end()
    if not dropped:
        return text, 0
    out.append(text[last:])
    return "".join(out), dropped


_LOCAL = threading.local()


def _parser() -> HTMLParser:
    """This thread's parser, made once: lxml lets a parser be reused (not shared between
    threads), and its error log holds the last parse's errors only. Without ID
    collection: nothing here looks elements up by ID (CSS ``#x`` is ``@id = 'x'``),
    and libxml2 skips hashing every ``id``. Together about 6% of a page's parse."""
    parser: HTMLParser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = HTMLParser(recover=True, encoding="utf-8", huge_tree=True, collect_ids=False)
        parser.set_element_class_lookup(_ELEMENT_CLASSES)
        _LOCAL.parser = parser
    return parser


def _utf8(text: str, encoded: bytes | None) -> bytes:
    """What libxml2 is given: ``text`` stripped, without NULs, as UTF-8. ``encoded``
    (``text`` as UTF-8, when the caller has it) is sliced instead of encoding again
    when only ASCII whitespace is stripped and there is no NUL."""
    if encoded is not None and "\x00" not in text:
        head, tail = 0, len(text)
        while head < tail and text[head].isspace():  # what str.strip() strips
            head += 1
        while tail > head and text[tail - 1].isspace():
            tail -= 1
        if text[:head].isascii() and text[tail:].isascii():  # one byte a character
            return encoded[head : len(encoded) - (len(text) - tail)]
    text = text.strip().replace("\x00", "")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a str holding lone surrogates (not from any real bytes)
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def _parse(
    text: str, base_url: str | None, encoded: bytes | None = None
) -> tuple[HtmlElement, bool]:
    """The tree as parsel builds it, and whether libxml2 stopped at its depth limit."""
    body = _utf8(text, encoded) or b"<html/>"
    parser = _parser()
    root = etree.fromstring(body, parser=parser, base_url=base_url)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    too_deep = any("Excessive depth" in error.message for error in parser.error_log)
    return root, too_deep


def parse_html(
    text: str, base_url: str | None = None, encoded: bytes | None = None
) -> tuple[HtmlElement, int, bool]:
    """(tree, elements unwrapped by :func:`flatten_deep`, still too deep after that).

    ``encoded``: ``text`` as UTF-8 where the caller has it (spares encoding it again)."""
    root, too_deep = _parse(text, base_url, encoded)
    if not too_deep:
        return root, 0, False
    flat, unwrapped = flatten_deep(text)
    root, too_deep = _parse(flat, base_url)
    return root, unwrapped, too_deep
