"""One page in, one article record out: the crawl and ``newscrawl.extract`` share this."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement
from w3lib.encoding import html_body_declared_encoding, html_to_unicode
from w3lib.html import replace_entities
from w3lib.url import safe_url_string

from newscrawl.discovery.urls import canonical_rejection
from newscrawl.extraction import metadata as md
from newscrawl.extraction.body import BodyResult, extract_body, is_furniture, select_all
from newscrawl.extraction.dates import iso, parse_date
from newscrawl.extraction.depth import parse_html
from newscrawl.extraction.interstitial import interstitial_reason
from newscrawl.extraction.language import declared_code, language_for_text
from newscrawl.extraction.overrides import apply_overrides
from newscrawl.extraction.rules import GENERIC_RULES, SiteRules
from newscrawl.extraction.text import collapse_whitespace
from newscrawl.items import RECORD_FIELDS as ALL_FIELDS
from newscrawl.items import Record
from newscrawl.text.charset import (
    choose_encoding,
    guess_encoding,
    invalid_utf8_bytes,
    repair_mojibake_utf8,
)
from newscrawl.text.cleaning import bound_record, split_authors

logger = logging.getLogger(__name__)

# Fields of a record extraction makes (newscrawl.items.Record): all but duplicate_of.
RECORD_FIELDS = tuple(name for name in ALL_FIELDS if name != "duplicate_of")


@dataclass
class Extraction:
    """The record plus what happened on the way (for stats and logs)."""

    record: Record
    notes: list[str] = field(default_factory=list)
    rejected: str | None = None  # why the page is not an article (bot check, ...)
    # Why the page's canonical/og:url was not used as its identity (urls.canonical_rejection).
    canonical_rejected: str | None = None
    # Why the site's selectors failed, for a record the generic extractor made instead
    # (extraction.decide: ``extraction: "fallback"``).
    drift: tuple[str, ...] = ()


def decode_html(html: str | bytes, declared_encoding: str | None = None) -> str:
    """Text of a page: BOM, then HTTP charset, then <meta> charset, then detection."""
    if isinstance(html, str):
        return html
    # A declaration the bytes contradict is overridden; none at all: UTF-8 or windows-1256.
    fixed, _ = choose_encoding(html, declared_encoding, html_body_declared_encoding(html[:4096]))
    declared_encoding = fixed or declared_encoding
    content_type = f"text/html; charset={declared_encoding}" if declared_encoding else None
    encoding, text = html_to_unicode(content_type, html, auto_detect_fun=guess_encoding)
    if encoding == "utf-8" and "\ufffd" in text:
        bad = invalid_utf8_bytes(html)
        if bad:  # a few damaged bytes in a UTF-8 page: U+FFFD there, said once
            logger.warning(
                "%d invalid UTF-8 byte sequence(s), decoded as UTF-8 with U+FFFD there", bad
            )
    return text


# Any element whose class or id says it holds a date or time, on any site. Reached
# through the attribute (as selectors.fast_xpath does): only elements that have a class
# or an id are tested, and each attribute is read once; the union is in document
# order, as the one predicate on every element was (a quarter cheaper on the corpus).
_DATE_LIKE = etree.XPath(
    "//body//*/@class[contains(translate(., 'DATE', 'date'), 'date')"
    " or contains(translate(., 'TIME', 'time'), 'time')]/parent::*"
    " | //body//*/@id[contains(translate(., 'DATE', 'date'), 'date')]/parent::*"
)


def _lazy(xpath: etree.XPath, root: HtmlElement) -> Iterator[HtmlElement]:
    """The elements ``xpath`` selects, evaluated only when the first one is asked for."""
    yield from xpath(root)


def _first_text(root: HtmlElement, selectors: tuple[str, ...]) -> str | None:
    for el in select_all(root, selectors):
        text = collapse_whitespace(el.text_content())
        if text:
            return text
    return None


def _all_texts(root: HtmlElement, selectors: tuple[str, ...]) -> list[str]:
    return [
        t
        for t in (collapse_whitespace(el.text_content()) for el in select_all(root, selectors))
        if t
    ]


def _clean_title(title: str | None, rules: SiteRules, site_name: str | None) -> str | None:
    if not title:
        return None
    title = collapse_whitespace(replace_entities(title))
    for pattern in rules.title_affixes:
        title = re.sub(pattern, "", title).strip()
    if site_name:
        for sep in (" | ", " - ", " – ", " — ", " :: "):
            head, _, tail = title.rpartition(sep)
            if head and tail.strip().casefold() == site_name.strip().casefold():
                title = head.strip()
    return title or None


def _absolute(base: str, links: list[str]) -> list[str]:
    result = []
    for link in links:
        try:
            absolute = safe_url_string(urljoin(base, link.strip()))
        except ValueError:
            continue
        if absolute.startswith(("http://", "https://")):  # not javascript:, data:, ftp:
            result.append(absolute)
    return md.unique(result)


def _dates(
    root: HtmlElement, meta: md.Metadata, rules: SiteRules
) -> tuple[str | None, str | None, str | None]:
    """(published ISO, published raw, modified ISO): machine dates before printed ones."""
    machine = itertools.chain(
        (md.text_value(meta.article.get("datePublished")),),
        (meta.first("article:published_time", "og:published_time", "datepublished",
                    "pubdate", "publishdate", "date", "dc.date.issued", "dc.date",
                    "sailthru.date", "parsely-pub-date"),),
        # Lazily: most pages have a JSON-LD or meta date, and walking the tree costs.
        (el.get("datetime") for el in root.iterfind(".//time[@datetime]")),
    )  # fmt: skip
    published = raw_published = None
    for raw in machine:
        parsed = parse_date(raw, rules.date_formats, rules.timezone, use_dateparser=False)
        if parsed:
            published, raw_published = parsed, raw
            break
    if published is None:
        site_candidates = select_all(root, rules.date_selectors)
        trusted = set(site_candidates)
        tried: set[str] = set()  # printed dates that did not parse (dateparser: ~1 ms each)
        # The generic guesses only when the site's own candidates give no date: their
        # walk of the whole tree is one of the dearest steps of a page.
        for el in itertools.chain(site_candidates, _lazy(_DATE_LIKE, root)):
            # A date in a ticker or headline list belongs to another story. The site's
            # own selectors are trusted with furniture-looking wrappers (an <article
            # class="print-active ..."> is still the article); generic guesses are not.
            generic = el not in trusted
            if any(
                a.tag in {"a", "li"} or (generic and is_furniture(a)) for a in el.iterancestors()
            ):
                continue
            raw = collapse_whitespace(el.text_content())
            if not raw or raw in tried:
                continue  # the same text failed already (two selectors, one element)
            parsed = parse_date(raw, rules.date_formats, rules.timezone)
            tried.add(raw)
            if parsed:
                published, raw_published = parsed, raw
                break
    modified_raw = md.text_value(meta.article.get("dateModified")) or meta.first(
        "article:modified_time", "og:updated_time", "datemodified", "dc.date.modified", "lastmod"
    )
    modified = parse_date(modified_raw, rules.date_formats, rules.timezone, use_dateparser=False)
    return iso(published), raw_published, iso(modified)


T = TypeVar("T")
_NO_DATES: tuple[str | None, str | None, str | None] = (None, None, None)


class _FieldGuard:
    """Computes one field; an exception loses that field only, logged and noted."""

    def __init__(self, url: str, notes: list[str]) -> None:
        self.url = url
        self.notes = notes

    def __call__(self, name: str, default: T, compute: Callable[[], T]) -> T:
        try:
            return compute()
        except Exception as error:  # any bug or absurd input: one field lost
            self.notes.append(f"field_error/{name}")
            logger.warning(
                "Field %s lost (%s: %s): %s", name, type(error).__name__, error, self.url
            )
            return default


def _authors(root: HtmlElement, meta: md.Metadata, rules: SiteRules) -> list[str]:
    authors = md.names(meta.article.get("author"))
    if authors:
        return [name for raw in authors for name in split_authors(raw)]
    byline = _first_text(root, rules.author_selectors) or meta.first("author", "article:author")
    if byline and not byline.startswith(("http://", "https://")):
        return split_authors(byline)
    return []


def _description(article: dict[str, Any], meta: md.Metadata, title: str | None) -> str | None:
    # A "description" that only repeats the headline says nothing: take the next one.
    descriptions = [md.text_value(article.get("description"))] + [
        meta.first(key) for key in ("og:description", "description", "twitter:description")
    ]
    found = next((d for d in descriptions if d and collapse_whitespace(d) != (title or "")), None)
    return collapse_whitespace(replace_entities(found)) if found else None


@dataclass
class ParsedPage:
    """A page decoded, repaired and parsed once (:func:`parse_page`): the site's
    extraction and the generic one that may follow it share it, since extractors
    leave the tree as they found it. A fallback page used to be decoded, scanned for
    mojibake and parsed twice."""

    text: str
    root: HtmlElement
    mojibake: str | None  # the codec the text was misread with, repaired
    unwrapped: int  # elements flattened (depth.parse_html)
    too_deep: bool
    _metadata: md.Metadata | None = field(default=None, repr=False)

    def metadata(self) -> md.Metadata:
        """The page's metadata, read once (raises as ``read_metadata`` does)."""
        if self._metadata is None:
            self._metadata = md.read_metadata(self.root)
        return self._metadata


def parse_page(html: str | bytes, url: str) -> ParsedPage:
    # UTF-8 once misread as cp1256/1252; the text's UTF-8, made for the check, is parsed.
    text, mojibake, utf8 = repair_mojibake_utf8(decode_html(html))
    if mojibake:
        logger.info("Mojibake (UTF-8 once read as %s) repaired: %s", mojibake, url)
    # Parsed as parsel would; nesting deeper than libxml2 allows is flattened first.
    root, unwrapped, too_deep = parse_html(text or "<html></html>", url, utf8 if text else None)
    return ParsedPage(text, root, mojibake, unwrapped, too_deep)


def extract_article(
    html: str | bytes | ParsedPage,
    url: str,
    rules: SiteRules = GENERIC_RULES,
    language: str | None = None,
    body_extractor: Callable[[HtmlElement, SiteRules], BodyResult] = extract_body,
    domains: tuple[str, ...] = (),
    listings: tuple[str, ...] = (),
) -> Extraction:
    """Extract one article page. ``language`` is the edition's, used when the page says none.

    ``html`` is the page as fetched, or as :func:`parse_page` made it ready (shared
    by the extractions of one page).

    ``domains`` and ``listings`` are the site's domains and listing paths (edition and
    section paths): a canonical URL outside the one or equal to the other is not used
    (:func:`newscrawl.discovery.urls.canonical_rejection`).

    ``body_extractor`` finds the body (``extract_body`` unless a caller such as the
    generic extractor brings its own); it must leave the tree as it found it.
    """
    page = html if isinstance(html, ParsedPage) else parse_page(html, url)
    text, mojibake, root = page.text, page.mojibake, page.root
    unwrapped, too_deep = page.unwrapped, page.too_deep
    notes: list[str] = []
    # Each metadata source and field is computed alone: an exception or absurd value in
    # one loses that field (noted ``field_error/<field>``), never the article.
    field = _FieldGuard(url, notes)
    meta = field("metadata", md.Metadata(), page.metadata)
    for problem in meta.problems:  # a JSON-LD block that is not JSON or nests too deep
        notes.append(f"field_error/{problem}")
    if meta.problems:  # INFO: 6% of corpus pages have one; the other metadata still count
        logger.info("Unusable JSON-LD block skipped (not JSON, or too deep): %s", url)
    article = meta.article
    site_name: str | None = field("site_name", None, lambda: meta.first("og:site_name"))

    body = body_extractor(root, rules)
    rejected = interstitial_reason(text, body.text)
    notes[:0] = list(body.notes) + (["mojibake"] if mojibake else [])
    if unwrapped:
        notes.append("deep_nesting_flattened")
        logger.warning("Markup nested too deep, %d elements unwrapped: %s", unwrapped, url)
    if too_deep:
        notes.append("too_deep")
        logger.warning("Markup nested too deep even after flattening: %s", url)
    if body.method != "selector":
        notes.append(f"body_{body.method}")

    title: str | None = field(
        "title",
        None,
        lambda: _clean_title(
            md.text_value(article.get("headline"))
            or meta.first("og:title", "twitter:title")
            or _first_text(root, rules.title_selectors)
            or _first_text(root, ("title",)),
            rules,
            site_name,
        ),
    )
    authors: list[str] = field("authors", [], lambda: _authors(root, meta, rules))
    dates = field("dates", _NO_DATES, lambda: _dates(root, meta, rules))
    published, published_raw, modified = dates
    section: str | None = field(
        "section",
        None,
        lambda: (
            md.text_value(md.strings(article.get("articleSection")))
            or meta.first("article:section")
            or _first_text(root, rules.section_selectors)
        ),
    )
    tags: list[str] = field(
        "tags",
        [],
        lambda: md.unique(
            md.strings(article.get("keywords"))
            + md.strings(meta.all("article:tag"))
            + _all_texts(root, rules.tag_selectors)
            or md.strings(meta.first("news_keywords", "keywords"))
        ),
    )
    description: str | None = field("description", None, lambda: _description(article, meta, title))
    images: list[str] = field(
        "images",
        [],
        lambda: _absolute(
            url,
            md.urls(article.get("image"))
            + meta.all("og:image")
            + meta.all("twitter:image")
            + body.images,
        ),
    )
    no_canonical: tuple[str | None, str | None] = (None, None)
    canonical_url, canonical_rejected = field(
        "canonical_url",
        no_canonical,
        lambda: _canonical(url, (meta.canonical, meta.first("og:url")), domains, listings),
    )
    declared: str | None = field(
        "language",
        language,
        lambda: (
            meta.html_lang
            or md.text_value(article.get("inLanguage"))
            or meta.first("og:locale", "content-language", "language")
            or language
        ),
    )
    record: Record = {
        "url": url,
        "canonical_url": canonical_url,
        "site": rules.name,
        "language": field(
            "language",
            declared_code(declared),  # the identifier failed: the declaration stands
            lambda: language_for_text(declared, body.text or title or ""),
        ),
        "language_declared": declared_code(declared),  # the evidence, kept beside the answer
        "title": title,
        "body": body.text,
        "authors": md.unique(authors),
        "published": published,
        "published_raw": published_raw,
        "modified": modified,
        "section": collapse_whitespace(section) if section else None,
        "tags": tags,
        "description": description,
        "images": images,
        "extraction": body.method,
    }
    # The site's per-field hooks and knobs (extraction.overrides).
    fields = cast("dict[str, Any]", record)  # the same dict, for code that loops over keys
    notes.extend(apply_overrides(fields, root, rules, language))
    cut = bound_record(fields)  # absurd sizes cut or dropped, and said so
    if cut:
        notes.extend(f"field_cut/{name}" for name in cut)
        logger.warning("Over-long fields cut or dropped (%s): %s", ", ".join(cut), url)
    if record["published"] is None:
        notes.append("no_date")
    return Extraction(record, notes, rejected, canonical_rejected)


def _canonical(
    url: str,
    candidates: tuple[str | None, ...],
    domains: tuple[str, ...],
    listings: tuple[str, ...],
) -> tuple[str | None, str | None]:
    """(the first plausible candidate, why the first implausible one was not used).

    A rejected canonical is a hint that failed: the og:url may still serve, else the
    fetched URL is the identity (canonical_url null); the reason is reported either way,
    so a CMS that names its home page as every article's canonical cannot merge them
    into one record unnoticed.
    """
    found: str | None = None
    reason: str | None = None
    for raw in candidates:
        if not raw:
            continue
        absolute = next(iter(_absolute(url, [raw])), None)
        why = canonical_rejection(absolute, url, domains, listings) if absolute else "invalid"
        if why is None:
            found = absolute
            break
        if reason is None:
            reason = why
            logger.info("Canonical URL %r of %s rejected (%s), not its identity", raw, url, why)
    return found, reason
