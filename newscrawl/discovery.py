"""Feeds, sitemaps and robots.txt: pure parsers that turn bytes into entries.

XML is parsed with entity expansion, DTD loading and network access off, and with
recovery on, so a truncated feed still yields the entries before the cut.
Google News sitemap fields (``news:publication_date``, ``news:title``, ...) are
kept, unlike Scrapy's SitemapSpider.

>>> rss = b'''<rss version="2.0"><channel><item><title>T</title>
... <link>https://example.com/a</link><pubDate>Mon, 01 Jan 2018 16:12:00 GMT</pubDate>
... </item></channel></rss>'''
>>> [(e.url, e.published.isoformat()) for e in parse_feed(rss)]
[('https://example.com/a', '2018-01-01T16:12:00+00:00')]
>>> sitemaps_in_robots("User-agent: *\\nSitemap: https://example.com/s.xml\\n")
['https://example.com/s.xml']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from lxml import etree

from newscrawl.extraction.dates import parse_date

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "recover": True,
    "remove_comments": True,
}


@dataclass(frozen=True)
class Entry:
    """An article URL as a feed or sitemap announces it."""

    url: str
    published: datetime | None = None
    modified: datetime | None = None
    title: str | None = None
    language: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class SitemapPage:
    kind: str  # "index" | "urlset" | "invalid"
    sitemaps: tuple[Entry, ...] = ()
    entries: tuple[Entry, ...] = ()


def _root(data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data.lstrip(), parser=parser)
    except etree.XMLSyntaxError:
        return None
    return root


_CLOSED = re.compile(rb"</[\w:.-]+>\s*$")


def _whole(entries: list[Entry], data: bytes) -> list[Entry]:
    """Without the last entry of a document cut short, if its URL may be cut too.

    Recovery keeps the text before the cut, so a feed or sitemap truncated inside a
    ``<loc>`` would yield ``/en/news/12345`` for ``/en/news/123456``: another page, or
    none. The last URL stays only if a closing tag or quote follows it in the bytes.
    """
    if not entries or _CLOSED.search(data[-256:]) or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return entries
    url = entries[-1].url
    for form in {url, escape(url), escape(url, {'"': "&quot;"})}:
        if re.search(re.escape(form.encode("utf-8")) + rb"\s*[<\"'\]]", data):
            return entries
    return entries[:-1]


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(el: etree._Element, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names and child.text and child.text.strip():
            return str(child.text).strip()
    return None


def _date(raw: str | None) -> datetime | None:
    return parse_date(raw, use_dateparser=False)


def parse_feed(data: bytes) -> list[Entry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; [] when it is not one."""
    root = _root(data)
    if root is None:
        return []
    entries: list[Entry] = []
    for el in root.iter():
        name = _local(el.tag)
        if name not in {"item", "entry"}:
            continue
        link = _child_text(el, "link")
        if name == "entry" or not link:
            # Atom: <link rel="alternate" href=...>; first alternate or rel-less link.
            for child in el:
                if (
                    _local(child.tag) == "link"
                    and child.get("href")
                    and (child.get("rel") in (None, "alternate"))
                ):
                    link = child.get("href")
                    break
        if not link:
            link = _child_text(el, "guid", "id")
            if not link or not link.startswith(("http://", "https://", "/")):
                continue
        entries.append(
            Entry(
                url=link.strip(),
                published=_date(_child_text(el, "pubdate", "published", "date", "issued")),
                modified=_date(_child_text(el, "updated", "modified")),
                title=_child_text(el, "title"),
            )
        )
    return _whole(entries, data)


def parse_sitemap(data: bytes) -> SitemapPage:
    """A sitemap index or urlset, with Google News fields of each URL."""
    root = _root(data)
    if root is None:
        return SitemapPage("invalid")
    kind = _local(root.tag)
    if kind == "sitemapindex":
        found = tuple(
            Entry(url=loc, modified=_date(_child_text(el, "lastmod")))
            for el in root
            if _local(el.tag) == "sitemap" and (loc := _child_text(el, "loc"))
        )
        return SitemapPage("index", sitemaps=tuple(_whole(list(found), data)))
    if kind != "urlset":
        return SitemapPage("invalid")
    entries = []
    for el in root:
        if _local(el.tag) != "url":
            continue
        loc = _child_text(el, "loc")
        if not loc:
            continue
        news = next((c for c in el if _local(c.tag) == "news"), None)
        published = title = language = None
        keywords: tuple[str, ...] = ()
        if news is not None:
            published = _date(_child_text(news, "publication_date"))
            title = _child_text(news, "title")
            publication = next((c for c in news if _local(c.tag) == "publication"), None)
            if publication is not None:
                language = _child_text(publication, "language")
            raw_keywords = _child_text(news, "keywords")
            if raw_keywords:
                keywords = tuple(k.strip() for k in raw_keywords.split(",") if k.strip())
        entries.append(
            Entry(
                url=loc,
                published=published,
                modified=_date(_child_text(el, "lastmod")),
                title=title,
                language=language,
                keywords=keywords,
            )
        )
    return SitemapPage("urlset", entries=tuple(_whole(entries, data)))


def sitemaps_in_robots(text: str) -> list[str]:
    """``Sitemap:`` URLs of a robots.txt, in order, without duplicates."""
    found: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = value.strip().split("#", 1)[0].strip()
            if url not in found:
                found.append(url)
    return found
