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

import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
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
# The sitemap protocol's limit for one file, uncompressed; feeds get the same room.
SOURCE_MAXSIZE = 50 * 1024 * 1024
_CHUNK = 1 << 16
_TAIL = 1 << 18  # bytes kept from a document's end, to judge a cut last URL


class SourceTooLarge(ValueError):
    """A feed or sitemap that unpacks past its size limit."""


GZIP_ERRORS = (zlib.error, EOFError)  # what xml_chunks raises on bad or cut gzip


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


@dataclass
class Document:
    """What reading one feed or sitemap found out, filled in as it is streamed."""

    root: str | None = None  # local name of the root element, once seen
    broken: bool = False  # the parser gave up (recovery hides most damage: see faults.py)
    size: int = 0  # bytes read (unpacked)
    head: bytes = b""
    tail: bytes = field(default=b"", repr=False)

    @property
    def cut_short(self) -> bool:
        """Does the document stop before its root element's end tag? (A transfer or
        a CMS that died mid-write: the entries after the cut are lost.)"""
        if self.root in (None, "jsonfeed") or self.head in (b"\xff\xfe", b"\xfe\xff"):
            return False  # nothing read at all; JSON is parsed whole; UTF-16 not matched
        end = rb"</(?:[\w.-]+:)?" + re.escape(self.root.encode()) + rb"\s*>(?:\s|<!--.*?-->)*$"
        return re.search(end, self.tail[-4096:], re.IGNORECASE | re.DOTALL) is None


def xml_chunks(data: bytes, max_size: int = SOURCE_MAXSIZE) -> Iterator[bytes]:
    """The document in chunks; gzip is inflated as it is read, never past ``max_size``.

    Raises :class:`SourceTooLarge` past the limit and ``zlib.error``/``EOFError`` on
    bytes that are not (complete) gzip.
    """
    if data[:2] != b"\x1f\x8b":
        for start in range(0, len(data), _CHUNK):
            yield data[start : start + _CHUNK]
        return
    total = 0
    inflate = zlib.decompressobj(wbits=31)
    member_started = False  # output seen from the current gzip member
    pos = 0
    buf = b""
    while True:
        if not buf:  # input fed a slice at a time: unconsumed_tail stays small
            if pos >= len(data):
                break
            buf, pos = data[pos : pos + _CHUNK], pos + _CHUNK
        try:
            chunk = inflate.decompress(buf, _CHUNK)
        except zlib.error:
            if total and not member_started:
                return  # trailing garbage after a whole member, as gunzip(1) ignores it
            raise
        buf = inflate.unconsumed_tail
        total += len(chunk)
        if max_size and total > max_size:
            raise SourceTooLarge(f"unpacks past {max_size} bytes")
        if chunk:
            member_started = True
            yield chunk
        if inflate.eof:  # another member may follow (gzip files may be concatenated)
            buf = inflate.unused_data + buf
            inflate = zlib.decompressobj(wbits=31)
            member_started = False
            if not buf.strip(b"\0 \r\n\t") and pos >= len(data):
                return
    if member_started or not total:
        raise EOFError("gzip data cut short")


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


Accept = Callable[[etree._Element, etree._Element], bool]  # (element, root) -> wanted?


def _elements(chunks: Iterable[bytes], accept: Accept, doc: Document) -> Iterator[etree._Element]:
    """Complete elements ``accept`` wants, streamed: each one is freed (with the
    emptied ones before it) once the caller has read it, so memory stays flat."""
    parser = etree.XMLPullParser(events=("end",), **_PARSER_OPTIONS)
    root: etree._Element | None = None

    def ready() -> Iterator[etree._Element]:
        nonlocal root
        for _, element in parser.read_events():
            if root is None:
                root = element.getroottree().getroot()
                doc.root = _local(root.tag)
            if not accept(element, root):
                continue
            yield element
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]

    started = False
    for chunk in chunks:
        if not started:
            chunk = chunk.lstrip()
            started = bool(chunk)
            doc.head = chunk[:2]
        doc.size += len(chunk)
        doc.tail = (doc.tail + chunk)[-_TAIL:]
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            doc.broken = True
            break
        yield from ready()
    try:
        parser.close()
    except etree.XMLSyntaxError:
        doc.broken = True
    yield from ready()


_CLOSED = re.compile(rb"</[\w:.-]+>\s*$")


def _keep_last(url: str, doc: Document) -> bool:
    """May the last URL of a document stay? Not if the document may have cut it.

    Recovery keeps the text before the cut, so a feed or sitemap truncated inside a
    ``<loc>`` would yield ``/en/news/12345`` for ``/en/news/123456``: another page, or
    none. The last URL stays only if a closing tag or quote follows it in the bytes
    (or more than the kept tail follows it).
    """
    if _CLOSED.search(doc.tail[-256:]) or doc.head in (b"\xff\xfe", b"\xfe\xff"):
        return True
    found = False
    for form in {url, escape(url), escape(url, {'"': "&quot;"})}:
        encoded = re.escape(form.encode("utf-8"))
        if re.search(encoded + rb"\s*[<\"'\]]", doc.tail):
            return True
        found = found or re.search(encoded, doc.tail) is not None
    return not found and doc.size > _TAIL


def _whole(entries: Iterable[Entry], doc: Document) -> Iterator[Entry]:
    """The entries, the last one only if its URL cannot have been cut (see _keep_last)."""
    last: Entry | None = None
    for entry in entries:
        if last is not None:
            yield last
        last = entry
    if last is not None and _keep_last(last.url, doc):
        yield last


def _child_text(el: etree._Element, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names and child.text and child.text.strip():
            return str(child.text).strip()
    return None


def _date(raw: str | None) -> datetime | None:
    return parse_date(raw, use_dateparser=False)


def _is_item(element: etree._Element, root: etree._Element) -> bool:
    return _local(element.tag) in {"item", "entry"}


def _feed_entry(el: etree._Element) -> Entry | None:
    name = _local(el.tag)
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
            return None
    return Entry(
        url=link.strip(),
        published=_date(_child_text(el, "pubdate", "published", "date", "issued")),
        modified=_date(_child_text(el, "updated", "modified")),
        title=_child_text(el, "title"),
    )


def _json_feed(data: bytes, doc: Document) -> Iterator[Entry]:
    """Entries of a JSON Feed (jsonfeed.org, which the ``news`` spider finds in home
    pages); ``doc.root`` is "jsonfeed" when it is one. Small by nature: read whole."""
    try:
        feed = json.loads(data)
    except ValueError:
        return
    items = feed.get("items") if isinstance(feed, dict) else None
    if not isinstance(items, list):
        return
    doc.root = "jsonfeed"
    for item in items:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("id")
        if isinstance(link, str) and link.strip().startswith(("http://", "https://", "/")):
            text = {k: v if isinstance(v, str) else None for k, v in item.items()}
            yield Entry(
                url=link.strip(),
                published=_date(text.get("date_published")),
                modified=_date(text.get("date_modified")),
                title=text.get("title"),
            )


def stream_feed(
    data: bytes, doc: Document | None = None, max_size: int = SOURCE_MAXSIZE
) -> Iterator[Entry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF), Atom or JSON feed, read streaming; ``doc``
    says afterwards what the document was (root element, well-formed).

    >>> [e.url for e in stream_feed(b'{"items": [{"url": "https://example.com/a"}]}')]
    ['https://example.com/a']
    """
    doc = doc if doc is not None else Document()
    if data.lstrip()[:1] == b"{":
        yield from _json_feed(data, doc)
        return
    elements = _elements(xml_chunks(data, max_size), _is_item, doc)
    yield from _whole((e for el in elements if (e := _feed_entry(el)) is not None), doc)


def parse_feed(data: bytes) -> list[Entry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed; [] when it is not one."""
    found: list[Entry] = []
    try:
        found.extend(stream_feed(data))
    except (SourceTooLarge, *GZIP_ERRORS):
        pass  # what came before the bad bytes is kept
    return found


_SITEMAP_CHILD = {"sitemapindex": "sitemap", "urlset": "url"}


def _is_sitemap_child(element: etree._Element, root: etree._Element) -> bool:
    return element.getparent() is root and _SITEMAP_CHILD.get(_local(root.tag)) == _local(
        element.tag
    )


def _sitemap_entry(el: etree._Element) -> Entry | None:
    loc = _child_text(el, "loc")
    if not loc:
        return None
    if _local(el.tag) == "sitemap":
        return Entry(url=loc, modified=_date(_child_text(el, "lastmod")))
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
    return Entry(
        url=loc,
        published=published,
        modified=_date(_child_text(el, "lastmod")),
        title=title,
        language=language,
        keywords=keywords,
    )


def stream_sitemap(
    data: bytes, doc: Document | None = None, max_size: int = SOURCE_MAXSIZE
) -> Iterator[Entry]:
    """The URLs of a sitemap read streaming (gzip too): child sitemaps of an index
    (``doc.root == "sitemapindex"``) or articles of a urlset, with Google News fields.
    ``doc.root`` names the kind once the first entry is out (or the stream ends)."""
    doc = doc if doc is not None else Document()
    elements = _elements(xml_chunks(data, max_size), _is_sitemap_child, doc)
    yield from _whole((e for el in elements if (e := _sitemap_entry(el)) is not None), doc)


def parse_sitemap(data: bytes) -> SitemapPage:
    """A sitemap index or urlset, with Google News fields of each URL."""
    doc = Document()
    found: list[Entry] = []
    try:
        found.extend(stream_sitemap(data, doc))
    except (SourceTooLarge, *GZIP_ERRORS):
        return SitemapPage("invalid")
    if doc.root == "sitemapindex":
        return SitemapPage("index", sitemaps=tuple(found))
    if doc.root == "urlset":
        return SitemapPage("urlset", entries=tuple(found))
    return SitemapPage("invalid")


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
