"""A hostile web, handled: middlewares that count, log once and refuse cleanly.

Each fault ends up in a named stat and in one log line with its URL; a page that
cannot be had is refused with :class:`Refused` (an ``IgnoreRequest``), which the
spider's errback does not log a second time.

Downloader middlewares (orders in newscrawl/settings.py):

``RetryAfterMiddleware`` (560, just outside Scrapy's RetryMiddleware)
    A 429 or 503 with ``Retry-After`` (seconds or an HTTP date) pauses the whole
    download slot (the domain) for that long, capped at ``NEWSCRAWL_RETRY_AFTER_MAX``
    seconds (a longer wish is cut to the cap), before Scrapy's retry goes out:
    ``newscrawl/retry_after/paused``, ``.../seconds``, ``.../capped``. Every retried
    URL (5xx, 429, timeouts, resets, data loss) is logged once, at INFO; the final
    failure is the errback's warning (``RETRY_GIVE_UP_LOG_LEVEL`` is DEBUG, so Scrapy
    does not log it a second time).
``CompressionGuardMiddleware`` (590, replaces Scrapy's HttpCompressionMiddleware)
    A body that does not decompress: ``newscrawl/download/bad_encoding``; one that
    decompresses past ``DOWNLOAD_MAXSIZE`` (a gzip bomb):
    ``newscrawl/download/too_large_decompressed`` (Scrapy stops inflating there).
``ResponseGuardMiddleware`` (585)
    Downloads cancelled at ``DOWNLOAD_MAXSIZE`` (``newscrawl/download/too_large``)
    and binary bodies served as HTML (``newscrawl/skipped/binary``).
``RedirectGuardMiddleware`` (610, before Scrapy's RedirectMiddleware follows a 3xx)
    Redirects to non-HTTP schemes or internal addresses (``newscrawl/ssrf/blocked``,
    see newscrawl.guards.ssrf), redirect loops (``newscrawl/redirect/loop``), too many
    redirects (``newscrawl/redirect/too_many``) and redirects off the spider's
    domains (``newscrawl/redirect/offsite``). Scrapy alone drops the last three
    silently (dupefilter, offsite filter) or as a bare ``IgnoreRequest``.

Spider middleware ``DiscoveryGuardMiddleware``: feeds and sitemaps that are not
well-formed XML (``newscrawl/discovery/malformed_xml``: the entries before the
damage are still used), that declare XML entities (``newscrawl/discovery/xml_entities``:
never expanded) and sitemap indexes that list themselves or one that led to them
(``newscrawl/discovery/sitemap_loop``).
"""

from __future__ import annotations

import logging
import math
import re
import struct
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

from lxml import etree
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.asyncio import call_later
from scrapy.utils.misc import load_object
from w3lib.url import canonicalize_url, safe_url_string

from newscrawl.discovery.sources import GZIP_ERRORS, SOURCE_MAXSIZE, SourceTooLarge, xml_chunks
from newscrawl.discovery.urls import host_matches
from newscrawl.guards import ssrf
from newscrawl.pagekind import SOURCES, PageKind, kind_of
from newscrawl.stats import inc

logger = logging.getLogger(__name__)

# What gunzip raises on bytes that are not (complete) gzip, or inflate past max_size.
GUNZIP_ERRORS = (OSError, EOFError, ValueError, zlib.error, struct.error)


class Refused(IgnoreRequest):
    """A page given up on purpose, already counted and logged where it was refused."""

    reported = True


class _Reporter:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._logged: set[str] = set()

    def once(self, key: str) -> bool:
        """True the first time ``key`` is seen: log then, stay quiet after."""
        if key in self._logged:
            return False
        self._logged.add(key)
        return True


# -- Retry-After -----------------------------------------------------------------


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks for (delta-seconds or HTTP date), or None.

    >>> retry_after_seconds(b"120")
    120.0
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT",
    ...                     datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC))
    30.0
    >>> retry_after_seconds("soon") is None, retry_after_seconds("²") is None
    (True, True)
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit() and text.isdecimal():  # "²" is a digit int() refuses
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(_Reporter):
    """Honours Retry-After by pausing the domain's download slot; logs retries once."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.cap = settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX", 120.0)
        self.retry_codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.retry_enabled = settings.getbool("RETRY_ENABLED", True)
        self.retry_exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        self._paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def _will_retry(self, request: Request) -> bool:
        max_times = request.meta.get("max_retry_times", self.crawler.settings.getint("RETRY_TIMES"))
        return (
            self.retry_enabled
            and not request.meta.get("dont_retry", False)
            and request.meta.get("retry_times", 0) < max_times
        )

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if response.status not in self.retry_codes or not self._will_retry(request):
            if response.status in (429, 503):
                self._honour(request, response)  # no retry left, but slow down still
            return response
        wait = self._honour(request, response) if response.status in (429, 503) else None
        if self.once(request.url):
            extra = f" after {wait:.0f} s (Retry-After)" if wait is not None else ""
            logger.info("HTTP %d from %s: retrying%s", response.status, request.url, extra)
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        if (
            isinstance(exception, self.retry_exceptions)
            and self._will_retry(request)
            and self.once(request.url)
        ):
            logger.info(
                "Fetch of %s failed (%s: %s): retrying",
                request.url, type(exception).__name__, exception,
            )  # fmt: skip

    def _honour(self, request: Request, response: Response) -> float | None:
        seconds = retry_after_seconds(response.headers.get(b"Retry-After"))
        if seconds is None:
            return None
        if seconds > self.cap:
            inc(self.crawler, "newscrawl/retry_after/capped")
            seconds = self.cap
        inc(self.crawler, "newscrawl/retry_after/paused")
        inc(self.crawler, "newscrawl/retry_after/seconds", math.ceil(seconds))
        self.pause_slot(request, seconds)
        return seconds

    def pause_slot(self, request: Request, seconds: float) -> None:
        """No request to this download slot (domain) leaves for ``seconds``."""
        engine = self.crawler.engine
        if engine is None or seconds <= 0:
            return
        downloader = engine.downloader
        key = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        until = monotonic() + seconds
        if self._paused_until.get(key, 0.0) >= until:
            return  # already paused longer
        self._paused_until[key] = until
        # The downloader holds a slot's queue while slot.latercall is pending.
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.latercall = call_later(seconds, downloader._latercall, slot)
        logger.debug("Pausing download slot %s for %.1f s (Retry-After)", key, seconds)


# -- bodies ----------------------------------------------------------------------


class CompressionGuardMiddleware(HttpCompressionMiddleware, _Reporter):
    """Scrapy's decompression, with broken encodings and bombs counted and refused."""

    def __init__(self, *args: Any, crawler: Crawler, **kwargs: Any) -> None:
        HttpCompressionMiddleware.__init__(self, *args, crawler=crawler, **kwargs)
        _Reporter.__init__(self, crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Any:
        try:
            return super().process_response(request, response)
        except Refused:
            raise
        except IgnoreRequest as error:  # Scrapy's "exceeded DOWNLOAD_MAXSIZE" (logged)
            inc(self.crawler, "newscrawl/download/too_large_decompressed")
            raise Refused(str(error)) from error
        except GUNZIP_ERRORS as error:
            inc(self.crawler, "newscrawl/download/bad_encoding")
            encoding = b",".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
            logger.warning(
                "Body does not decode as its Content-Encoding %s says (%s: %s), skipped: %s",
                encoding, type(error).__name__, error, response.url,
            )  # fmt: skip
            raise Refused(f"bad {encoding} body: {response.url}") from error


_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def looks_binary(body: bytes) -> bool:
    """Is this body binary data rather than markup? (A sample of the start is enough.)

    >>> looks_binary(b"<html><body>text</body></html>")
    False
    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n...")
    True
    """
    sample = body[:4096]
    if not sample or sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False  # UTF-16/32 text has NULs; a BOM says it is text
    if sample.startswith(_MAGIC):
        return True
    return len(_CONTROL.findall(sample)) > 0.05 * len(sample) or b"\x00\x00" in sample


class ResponseGuardMiddleware(_Reporter):
    """Oversized downloads and binary 'HTML', counted; refused without a second log line."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseGuardMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if isinstance(response, TextResponse) and looks_binary(response.body):
            inc(self.crawler, "newscrawl/skipped/binary")
            content_type = (response.headers.get(b"Content-Type") or b"?").decode("latin-1")
            logger.warning("Binary data served as %s, skipped: %s", content_type, response.url)
            raise Refused(f"binary body: {response.url}")
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        if isinstance(exception, DownloadCancelledError):
            # Scrapy's handler cancels at DOWNLOAD_MAXSIZE and has logged it with the URL.
            inc(self.crawler, "newscrawl/download/too_large")
            raise Refused(f"larger than DOWNLOAD_MAXSIZE: {request.url}") from exception


# -- redirects ---------------------------------------------------------------------

_REDIRECTS = {301, 302, 303, 307, 308}


class RedirectGuardMiddleware(_Reporter):
    """Checks a redirect's target before Scrapy's RedirectMiddleware follows it."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES", 20)
        self.enabled = crawler.settings.getbool("REDIRECT_ENABLED", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        location = response.headers.get(b"Location")
        if (
            not self.enabled
            or response.status not in _REDIRECTS
            or not location
            or request.meta.get("dont_redirect", False)
            or request.meta.get("handle_httpstatus_all", False)
            or response.status in request.meta.get("handle_httpstatus_list", ())
            or response.status in getattr(self.crawler.spider, "handle_httpstatus_list", ())
        ):
            return response
        if location.startswith(b"//"):
            location = request.url.split(":", 1)[0].encode() + b":" + location
        try:
            target = urljoin(request.url, safe_url_string(location))
        except ValueError:  # a bad port or IPv6 literal: Scrapy would fail on it later
            self._refuse("invalid", request, repr(location)[2:-1], "redirect to an invalid URL,")
        guard = self.crawler.settings.getbool("NEWSCRAWL_SSRF_GUARD", True)
        reason, _ = ssrf.policy_for(self.crawler).check_url(target) if guard else (None, None)
        if reason is not None:
            raise ssrf.block(self.crawler, target, reason, via=request.url)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonicalize_url(target) in {canonicalize_url(u) for u in chain}:
            self._refuse("loop", request, target, "redirect loop back to")
        if request.meta.get("redirect_times", 0) >= self.max_times:
            self._refuse("too_many", request, target, f"more than {self.max_times} redirects, to")
        allowed = [d for d in getattr(self.crawler.spider, "allowed_domains", None) or [] if d]
        if allowed and not host_matches(urlsplit(target).hostname, allowed):
            self._refuse("offsite", request, target, "redirect off the site, to")
        return response

    def _refuse(self, kind: str, request: Request, target: str, what: str) -> NoReturn:
        inc(self.crawler, f"newscrawl/redirect/{kind}")
        logger.warning("%s: %s %s, skipped", request.url, what, target)
        raise Refused(f"{what} {target}")


# -- feeds and sitemaps ------------------------------------------------------------

_STRICT_OPTIONS = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
    "recover": False,
}  # fmt: skip
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
SITEMAP_CHAIN = "newscrawl_sitemap_chain"  # request.meta: the sitemap indexes that led here
MALFORMED = "newscrawl_malformed_xml"  # response.meta: True when not well-formed XML


def xml_problems(data: bytes, max_size: int = SOURCE_MAXSIZE) -> list[str]:
    """What is wrong with a feed or sitemap as XML: 'xml_entities', 'malformed_xml: ...'.

    Read streaming (gzip unpacked on the way, at most ``max_size``), each element freed
    once parsed, so a 50 MB sitemap does not become a 500 MB tree. Gzip that is bad or
    too large is not judged here: the spider refuses it.

    >>> xml_problems(b"<rss><channel><item><link>x</link></item></channel></rss>")
    []
    >>> xml_problems(b"<rss><channel><item><link>x</li")[0].startswith("malformed_xml")
    True
    """
    problems = []
    parser = etree.XMLPullParser(events=("end",), **_STRICT_OPTIONS)
    first = True
    chunks = xml_chunks(data, max_size)
    try:
        for chunk in chunks:
            if first:
                first = False
                if b"<!DOCTYPE" in chunk.upper() and _ENTITY_DECL.search(chunk):
                    problems.append("xml_entities")
                chunk = chunk.lstrip()
            parser.feed(chunk)
            for _, element in parser.read_events():
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
        parser.close()
    except etree.XMLSyntaxError as error:
        problems.append(f"malformed_xml: {error}")
        try:
            for _ in chunks:  # a bomb is no XML either: unpacked to the end, it is refused
                pass
        except (SourceTooLarge, *GZIP_ERRORS):
            return []
    except (SourceTooLarge, *GZIP_ERRORS):
        return []
    return problems


class DiscoveryGuardMiddleware(_Reporter):
    """Spider middleware: malformed or entity-laden feeds and sitemaps, sitemap loops."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiscoveryGuardMiddleware:
        return cls(crawler)

    def _kind(self, response: Response) -> str | None:
        kind = kind_of(response.request)
        return kind if kind in SOURCES else None

    def process_spider_input(self, response: Response, spider: Spider | None = None) -> None:
        kind = self._kind(response)
        if kind is None or response.status != 200 or response.body.lstrip()[:1] == b"{":
            return  # not a feed or sitemap response; a JSON Feed is no XML
        # A gzipped sitemap: what it unpacks to is judged, within the request's size limit.
        limit = response.meta.get("download_maxsize", SOURCE_MAXSIZE)
        for problem in xml_problems(response.body, limit):
            name, _, detail = problem.partition(": ")
            if name == "malformed_xml":
                response.meta[MALFORMED] = True
            inc(self.crawler, f"newscrawl/discovery/{name}")
            if name == "xml_entities":
                logger.warning(
                    "The %s %s declares XML entities; they are not expanded", kind, response.url
                )
            else:
                logger.warning(
                    "The %s %s is not well-formed XML (%s); entries before the damage are kept",
                    kind, response.url, detail,
                )  # fmt: skip

    def _filter(self, response: Response, item: Any) -> bool:
        if not isinstance(item, Request):
            return True
        if kind_of(item) is not PageKind.SITEMAP:
            return True
        # The sitemaps that led here: one of them listed again is a loop (the same
        # child listed by two indexes is not: the dupefilter takes care of that).
        chain = [*response.meta.get(SITEMAP_CHAIN, ()), canonicalize_url(response.url)]
        key = canonicalize_url(item.url)
        if key in chain:
            inc(self.crawler, "newscrawl/discovery/sitemap_loop")
            if self.once(key):
                logger.warning(
                    "Sitemap %s lists %s, which led to it: a loop, not followed",
                    response.url, item.url,
                )  # fmt: skip
            return False
        item.meta[SITEMAP_CHAIN] = chain
        return True

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        for item in result:
            if self._filter(response, item):
                yield item

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        async for item in result:
            if self._filter(response, item):
                yield item
