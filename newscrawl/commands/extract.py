"""``scrapy extract PATH_OR_URL [--spider NAME] [--url URL]``: one page, one record, as JSON.

A URL is fetched by a one-request crawl through the project's own downloader
middlewares, so it meets every guard a crawl does, with the same settings: the SSRF
guard on every redirect hop (``NEWSCRAWL_SSRF_GUARD``/``NEWSCRAWL_SSRF_ALLOW``; the
origin named on the command line is allowed, as ``-a base_url=`` is for a crawl),
``DOWNLOAD_TIMEOUT`` as a deadline for the whole download, ``DOWNLOAD_MAXSIZE`` on
the body and on what it decompresses to, robots.txt, retries, the User-Agent. A saved
file (gzip or not) is read with the same ``DOWNLOAD_MAXSIZE`` on its decompressed size.

Exit codes: 0 the record; 1 the page could not be had (refused, timed out, too large,
HTTP error, broken gzip), one line saying why; 2 a usage error; 3 not an article (bot
check, consent wall, JavaScript shell, an empty or binary file).
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl import exitcodes
from newscrawl.api import NoSiteError, NotAnArticleError, extract
from newscrawl.guards.faults import looks_binary

FETCH_FAILED = 1  # could not get the page: refused by a guard, timed out, too large, ...
NOT_AN_ARTICLE = 3  # as exitcodes.NO_ITEMS: nothing to emit from this page


class PageError(Exception):
    """The page could not be had; the message is the one line to print."""


class _FetchOne(scrapy.Spider):
    """A crawl of one URL: the response, or why there is none."""

    name = "extract"

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.base_url = url  # newscrawl.guards.ssrf allows this origin, as for -a base_url=
        self.response: Response | None = None
        self.error = "no response"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.url, callback=self.fetched, errback=self.failed,
                             dont_filter=True)  # fmt: skip

    def fetched(self, response: Response) -> None:
        self.response = response

    def failed(self, failure: Failure) -> None:
        if isinstance(failure.value, HttpError):
            self.error = f"HTTP {failure.value.response.status} from {failure.value.response.url}"
        else:
            self.error = failure.getErrorMessage() or (
                failure.type.__name__ if failure.type else "?"
            )


# Nothing of a crawl run but the download: no lock, report, feed, journal or monitors.
_ONE_REQUEST = {
    "EXTENSIONS": {},
    "ITEM_PIPELINES": {},
    "FEEDS": {},
    "SPIDERMON_ENABLED": False,
    "NEWSCRAWL_WARC": None,
    "NEWSCRAWL_PROGRESS_INTERVAL": 0,
}


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """Gzip data decompressed in steps, refused as soon as it passes ``limit`` bytes
    (a 1 MB bomb never becomes 1 GB in memory); truncated or damaged data is a PageError."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while data and not inflater.eof:
                out += inflater.decompress(data, limit + 1 - len(out))
                if len(out) > limit:
                    raise PageError(f"decompresses past DOWNLOAD_MAXSIZE ({limit} bytes)")
                data = inflater.unconsumed_tail
        except zlib.error as exc:
            raise PageError(f"not valid gzip ({exc})") from None
        if not inflater.eof:
            raise PageError("truncated gzip (the file ends before the compressed data does)")
        data = inflater.unused_data  # another gzip member, as `gzip -c a b` writes
        if data[:2] not in (b"\x1f\x8b", b""):
            break  # trailing garbage after the last member: ignored, as gzip does
    return bytes(out)


class Command(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "PATH_OR_URL [--spider NAME] [--url URL]"

    def short_desc(self) -> str:
        return "Run the crawl's extraction on one saved page (or URL) and print the record"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--spider", help="site module to use (default: the one matching the URL)"
        )
        parser.add_argument("--url", help="URL the saved page was published at (http or https)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError()
        try:
            html, url = self._page(args[0], opts.url)
            if not html.strip() or looks_binary(html):
                raise NotAnArticleError(url, "empty" if not html.strip() else "binary data")
            record = extract(html, url, site=opts.spider)
        except (UsageError, NoSiteError) as exc:
            self._fail(exitcodes.USAGE, str(exc))
        except PageError as exc:
            self._fail(FETCH_FAILED, f"{args[0]}: {exc}")
        except NotAnArticleError as exc:
            self._fail(NOT_AN_ARTICLE, str(exc))
        else:
            json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")

    def _fail(self, code: int, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        self.exitcode = code

    def _page(self, target: str, url: str | None) -> tuple[bytes, str]:
        """(page bytes, the URL it was published at)."""
        if url is not None and not _is_http(url):
            raise UsageError(f"--url must be an http(s) URL, got {url!r}")
        assert self.settings is not None
        limit = self.settings.getint("DOWNLOAD_MAXSIZE")
        if _is_http(target):
            body, final_url = self._fetch(target)
        elif "://" in target:
            raise UsageError(f"only http(s) URLs and saved files can be extracted, got {target!r}")
        else:
            path = Path(target)
            if not path.is_file():
                raise UsageError(f"no such file: {target}")
            with path.open("rb") as handle:
                body = handle.read(limit + 1)  # a gzip bomb is small; the cap is on the output
            if len(body) > limit:
                raise PageError(f"larger than DOWNLOAD_MAXSIZE ({limit} bytes)")
            final_url = path.resolve().as_uri()
        if body[:2] == b"\x1f\x8b":
            body = gunzip_capped(body, limit)
        return body, url or final_url

    def _fetch(self, target: str) -> tuple[bytes, str]:
        assert self.settings is not None and self.crawler_process is not None
        for key, value in _ONE_REQUEST.items():
            self.settings.set(key, value, priority="cmdline")
        crawler = self.crawler_process.create_crawler(_FetchOne)
        self.crawler_process.crawl(crawler, url=target)
        self.crawler_process.start()
        spider = crawler.spider
        assert isinstance(spider, _FetchOne)
        if spider.response is None:
            raise PageError(spider.error)
        return spider.response.body, spider.response.url


def _is_http(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
