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
from lxml.html import HtmlElement

ARTICLE_TYPES = frozenset(
    {
        "newsarticle", "article", "reportagenews", "analysisnewsarticle", "blogposting",
        "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "webpage",
        "liveblogposting", "report", "socialmediaposting",
    }
)  # fmt: skip
_JSONLD = etree.XPath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')
_META = etree.XPath("//meta[@content]")
_LINK_CANONICAL = etree.XPath('//link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
_HTML_LANG = etree.XPath("/html/@lang")
# Control characters that break json.loads in hand-written JSON-LD.
_JSON_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Metadata:
    """JSON-LD article object (the best one) and meta tags by lower-cased key."""

    article: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    html_lang: str | None = None

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    def all(self, key: str) -> list[str]:
        return [v.strip() for v in self.meta.get(key, ()) if v.strip()]


def _json_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _json_objects(entry)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _json_objects(graph)
        main = data.get("mainEntity")
        if isinstance(main, (dict, list)):
            yield from _json_objects(main)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", ())
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {str(k).lower() for k in kinds}


def _article_score(obj: dict[str, Any]) -> int:
    kinds = _types(obj)
    if not kinds & ARTICLE_TYPES:
        return 0
    score = 1 if "webpage" in kinds else 3
    return score + sum(1 for key in ("headline", "datePublished", "articleBody") if obj.get(key))


def read_jsonld(root: HtmlElement) -> dict[str, Any]:
    """The most article-like JSON-LD object on the page, or {}."""
    best: dict[str, Any] = {}
    best_score = 0
    for script in _JSONLD(root):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(_JSON_CONTROL.sub(" ", raw))
        except ValueError:
            continue
        for obj in _json_objects(data):
            score = _article_score(obj)
            if score > best_score:
                best, best_score = obj, score
    return best


def read_metadata(root: HtmlElement) -> Metadata:
    meta: dict[str, list[str]] = {}
    for el in _META(root):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key:
            meta.setdefault(key, []).append(el.get("content", ""))
    canonical = next((h.strip() for h in _LINK_CANONICAL(root) if h.strip()), None)
    lang = next((str(v).strip() for v in _HTML_LANG(root) if str(v).strip()), None)
    return Metadata(read_jsonld(root), meta, canonical, lang)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def names(value: Any) -> list[str]:
    """Person or organisation names from a JSON-LD author/publisher value."""
    found: list[str] = []
    for entry in _as_list(value):
        if isinstance(entry, dict):
            if _types(entry) & {"organization", "newsmediaorganization", "corporation"}:
                continue  # the outlet or an agency, not a person who wrote the story
            entry = entry.get("name")
            if isinstance(entry, list):
                entry = " ".join(str(part) for part in entry)
        if isinstance(entry, str) and entry.strip():
            found.append(entry.strip())
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
            found.extend(part.strip() for part in re.split(r"[,،]", entry) if part.strip())
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            found.append(entry["name"].strip())
    return found


def text_value(value: Any) -> str | None:
    for entry in _as_list(value):
        if isinstance(entry, str) and entry.strip():
            return entry.strip()
    return None


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
