"""Downloader middlewares: the WARC archive of a crawl, and its offline replay.

``WarcArchiveMiddleware`` (``-s NEWSCRAWL_WARC=dir/``) writes every fetched page to
gzipped WARC files in ``dir/``, rotated at ``NEWSCRAWL_WARC_MAX_BYTES``. Each record
carries the kind of page (article, feed, sitemap, listing, robots) so that
``scrapy reextract`` can replay the articles through extraction and pipelines with
no network, after a selector fix, with the fetch time the crawl saw.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.pagekind import kind_of
from newscrawl.stats import inc

logger = logging.getLogger(__name__)

FETCHED_AT = "newscrawl_fetched_at"  # request.meta key: when the response arrived
KIND_HEADER = "WARC-Newscrawl-Kind"
REPLAY = "newscrawl_replay"  # request.meta key: (status, headers, body) to answer with


def page_kind(request: Request) -> str:
    """What the spider asked this page for (request.meta, set where it was made)."""
    return str(kind_of(request))


class WarcArchiveMiddleware:
    def __init__(self, crawler: Crawler, directory: Path, max_bytes: int) -> None:
        self.crawler = crawler
        self.directory = directory
        self.max_bytes = max_bytes
        self.file: io.BufferedWriter | None = None
        self.writer: WARCWriter | None = None
        self.part = 0
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        directory = crawler.settings.get("NEWSCRAWL_WARC")
        if not directory:
            raise NotConfigured
        max_bytes = crawler.settings.getint("NEWSCRAWL_WARC_MAX_BYTES", 1024**3)
        middleware = cls(crawler, Path(directory), max_bytes)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _writer(self, spider: Spider) -> WARCWriter:
        if self.file is not None and self.file.tell() >= self.max_bytes:
            self.file.close()
            self.file = None
        if self.file is None:
            self.part += 1
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{spider.name}-{self.stamp}-{self.part:05d}.warc.gz"
            self.file = path.open("wb")
            self.writer = WARCWriter(self.file, gzip=True)
            logger.info("Archiving fetched pages to %s", path)
        assert self.writer is not None
        return self.writer

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        fetched_at = datetime.now(UTC).replace(microsecond=0)
        request.meta[FETCHED_AT] = fetched_at.isoformat()
        headers = [
            (key.decode("latin-1"), value.decode("latin-1"))
            for key, values in response.headers.items()
            for value in values
            if key.lower() not in (b"content-encoding", b"transfer-encoding", b"content-length")
        ]
        headers.append(("Content-Length", str(len(response.body))))
        http_headers = StatusAndHeaders(f"{response.status} OK", headers, protocol="HTTP/1.1")
        writer = self._writer(spider)
        record = writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            http_headers=http_headers,
            warc_headers_dict={
                "WARC-Date": fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                KIND_HEADER: page_kind(request),
            },
        )
        writer.write_record(record)
        if self.crawler.stats is not None:
            inc(self.crawler, "newscrawl/warc/records")
        return response

    def spider_closed(self, spider: Spider) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class ReplayMiddleware:
    """Answers requests that carry an archived response, without the network."""

    def process_request(self, request: Request, spider: Spider) -> Response | None:
        replay: Any = request.meta.get(REPLAY)
        if replay is None:
            return None
        status, headers, body = replay
        return HtmlResponse(request.url, status=status, headers=headers, body=body, request=request)
