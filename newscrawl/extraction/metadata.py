"""Page metadata from JSON-LD, OpenGraph and meta tags (read before any selector).

>>> from lxml import html
>>> page = html.fromstring('''<html><head>
... <script type="application/ld+json">{"@graph": [{"@type": "WebSite"},
...   {"@type": "NewsArticle", "headline": "H", "author": [{"name": "A"}, "B"]}]}</script>
... <meta property="article:tag" content="x"><meta property="article:tag" content="y">
... </head><body></body></html>''')
>>> meta = read_metadata(page)
>>> meta.article["headline"], meta.first("article:tag"), meta.all("article:tag")
('H', 'x', ['x', 'y'])
>>> names(meta.article.get("author"))
['A', 'B']
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

ARTICLE_TYPES = frozenset(
    {
        "newsarticle", "article", "reportagenews", "analysisnewsarticle", "blogposting",
        "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "webpage",
        "liveblogposting", "report", "socialmediaposting",
    }
)  # fmt: skip
# JSON-LD scripts, meta tags and the canonical link, in document order, found by one
# walk of the tree (three XPath walks cost three times as much on a 100 kB page); the
# tests are the XPaths' ("translate" folds these letters only).
_TAGS = ("script", "meta", "link")
_FOLD_TYPE = str.maketrans("LDJSON", "ldjson")
_FOLD_REL = str.maketrans("CANONICAL", "canonical")
_HTML_LANG = etree.XPath("/html/@lang")
# Control characters that break json.loads in hand-written JSON-LD.
_JSON_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Real JSON-LD nests under 10 levels; deeper values are cut off (None), so that no
# walk over them can recurse without bound. json.loads itself raises RecursionError
# on ~1,000 levels: that block is skipped and counted.
MAX_JSON_DEPTH = 20
# Objects looked at per block (@graph lists, mainEntity), and items kept per list.
MAX_JSON_OBJECTS = 1000
MAX_JSON_ITEMS = 1000
# Blocks json.loads cannot take (RecursionError) are read again with everything nested
# deeper than this replaced by null: a 50,000-deep author loses the author, not the
# block's datePublished. Well under json's ~1,000 and above MAX_JSON_DEPTH.
CUT_JSON_DEPTH = 200
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
# A tag in a JSON-LD text value ("<b>Bold</b> Name"); "a < b" is no tag.
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


@dataclass
class Metadata:
    """JSON-LD article object (the best one) and meta tags by lower-cased key."""

    article: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    html_lang: str | None = None
    problems: list[str] = field(default_factory=list)  # "jsonld": a block was unusable

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    def all(self, key: str) -> list[str]:
        return [v.strip() for v in self.meta.get(key, ()) if v.strip()]


def _json_objects(data: Any) -> Iterator[dict[str, Any]]:
    """Objects of a block, its @graph and mainEntity, in document order, without recursion."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while pending and seen < MAX_JSON_OBJECTS:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            continue
        if isinstance(value, list):
            pending.extend((entry, depth + 1) for entry in reversed(value[:MAX_JSON_ITEMS]))
        elif isinstance(value, dict):
            seen += 1
            yield value
            main = value.get("mainEntity")
            if isinstance(main, (dict, list)):
                pending.append((main, depth + 1))
            graph = value.get("@graph")
            if graph is not None:
                pending.append((graph, depth + 1))


def bounded(value: Any, depth: int = MAX_JSON_DEPTH) -> Any:
    """``value`` with dicts and lists below ``depth`` levels cut off (None), lists cut to
    MAX_JSON_ITEMS and dict keys as strings: safe for any walk, str() or json.dumps."""
    if isinstance(value, dict):
        if depth <= 0:
            return None
        return {str(k): bounded(v, depth - 1) for k, v in list(value.items())[:MAX_JSON_ITEMS]}
    if isinstance(value, list):
        if depth <= 0:
            return None
        return [bounded(v, depth - 1) for v in value[:MAX_JSON_ITEMS]]
    return value


def cut_deep(raw: str, limit: int = CUT_JSON_DEPTH) -> str:
    """JSON text with every array or object opened deeper than ``limit`` replaced by
    ``null``, without recursion (strings skipped whole, so brackets in them stay).

    >>> cut_deep('{"a": {"b": [1, {"c": 2}]}, "d": "[{"}', limit=2)
    '{"a": {"b": null}, "d": "[{"}'
    """
    out: list[str] = []
    depth = kept = 0  # kept: where the text still to copy starts
    for match in _JSON_TOKEN.finditer(raw):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth == limit + 1:
                out.append(raw[kept : match.start()] + "null")
        elif token in "]}":
            if depth == limit + 1:
                kept = match.end()
            depth -= 1
    out.append(raw[kept:])
    return "".join(out)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", ())
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {k.lower() for k in kinds if isinstance(k, str)}  # never str() of a deep value


def _article_score(obj: dict[str, Any]) -> int:
    kinds = _types(obj)
    if not kinds & ARTICLE_TYPES:
        return 0
    score = 1 if "webpage" in kinds else 3
    return score + sum(1 for key in ("headline", "datePublished", "articleBody") if obj.get(key))


def _loads(raw: str) -> tuple[Any, bool]:
    """(the parsed block, whether a part nested too deep for json.loads was cut off)."""
    try:
        return json.loads(raw), False
    except RecursionError:  # lose the deep part only (counted), not the whole block
        return json.loads(cut_deep(raw)), True


def _is_jsonld(script: HtmlElement) -> bool:
    return "ld+json" in (script.get("type") or "").translate(_FOLD_TYPE)


def read_jsonld(
    root: HtmlElement,
    problems: list[str] | None = None,
    scripts: list[HtmlElement] | None = None,
) -> dict[str, Any]:
    """The most article-like JSON-LD object on the page, or {}.

    A block that is not JSON is skipped, one nested too deep for json.loads loses its
    deep parts only; both are named in ``problems`` ("jsonld"); the rest still counts.
    """
    best: dict[str, Any] = {}
    best_score = 0
    scripts = [el for el in root.iter("script") if _is_jsonld(el)] if scripts is None else scripts
    for script in scripts:
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data, damaged = _loads(_JSON_CONTROL.sub(" ", raw))
        except (ValueError, RecursionError):
            data, damaged = None, True
        if damaged and problems is not None:
            problems.append("jsonld")
        for obj in _json_objects(data):
            score = _article_score(obj)
            if score > best_score:
                best, best_score = obj, score
    trimmed: dict[str, Any] = bounded(best)
    return trimmed


def read_metadata(root: HtmlElement) -> Metadata:
    meta: dict[str, list[str]] = {}
    canonical: str | None = None
    scripts: list[HtmlElement] = []
    for el in root.iter(*_TAGS):
        if el.tag == "meta":
            content = el.get("content")
            if content is None:
                continue
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip()
            if key:
                meta.setdefault(key.lower(), []).append(content)
        elif el.tag == "script":
            if _is_jsonld(el):
                scripts.append(el)
        elif canonical is None and (el.get("rel") or "").translate(_FOLD_REL) == "canonical":
            canonical = (el.get("href") or "").strip() or None
    lang = next((str(v).strip() for v in _HTML_LANG(root) if str(v).strip()), None)
    problems: list[str] = []
    try:  # JSON-LD fails alone: the meta tags still count
        article = read_jsonld(root, problems, scripts)
    except Exception:  # any shape json.loads accepts, any bug
        article = {}
        problems.append("jsonld")
    return Metadata(article, meta, canonical, lang, problems)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def plain(text: str) -> str:
    """A JSON-LD text value without the markup some CMSs leave in it; text without
    tags is returned as is.

    >>> plain("<b>Bold</b> Name"), plain("a < b"), plain("<script>x()</script>Sara")
    ('Bold Name', 'a < b', 'Sara')
    """
    if not _TAG.search(text):
        return text
    try:
        fragment = fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError):  # nothing parseable: tags cut out by hand
        return _TAG.sub(" ", text)
    for code in fragment.xpath(".//script | .//style"):  # their text is no name
        code.drop_tree()
    return str(fragment.text_content())


def names(value: Any) -> list[str]:
    """Person or organisation names from a JSON-LD author/publisher value."""
    found: list[str] = []
    for entry in _as_list(value):
        if isinstance(entry, dict):
            if _types(entry) & {"organization", "newsmediaorganization", "corporation"}:
                continue  # the outlet or an agency, not a person who wrote the story
            entry = entry.get("name")
        # {"name": ["A", "B"]} names two people; anything but text is not a name.
        for name in entry if isinstance(entry, list) else [entry]:
            if isinstance(name, str) and (text := plain(name).strip()):
                found.append(text)
    return found


def urls(value: Any) -> list[str]:
    """URLs from a JSON-LD image/thumbnail value (string, ImageObject or lists)."""
    found: list[str] = []
    for entry in _as_list(value):
        if isinstance(entry, dict):
            # An "@id" alone is a reference ("...#primaryImage"), not an image file.
            entry = entry.get("url") or entry.get("contentUrl")
        if isinstance(entry, str) and entry.strip():
            found.append(entry.strip())
    return found


def strings(value: Any) -> list[str]:
    """Keywords/sections: a list, or one comma-separated string."""
    found: list[str] = []
    for entry in _as_list(value):
        if isinstance(entry, str):
            parts = re.split(r"[,،]", plain(entry))
            found.extend(part.strip() for part in parts if part.strip())
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            found.append(plain(entry["name"]).strip())
    return found


def text_value(value: Any) -> str | None:
    for entry in _as_list(value):
        if isinstance(entry, str) and (text := plain(entry).strip()):
            return text
    return None


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
