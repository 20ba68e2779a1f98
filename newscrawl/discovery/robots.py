"""robots.txt with RFC 9309 semantics when it cannot be read.

Scrapy's RobotsTxtMiddleware parses whatever comes back and allows everything when
the download fails. RFC 9309 section 2.3.1 says otherwise, and this subclass (replacing
Scrapy's in DOWNLOADER_MIDDLEWARES) follows it, for the run:

========================================  ==========================================
robots.txt answer                         rules for the site
========================================  ==========================================
2xx                                       the file's rules
3xx (after up to REDIRECT_MAX_TIMES)      the rules of the file it redirects to
4xx ("unavailable")                       allow all (2.3.1.3)
5xx, after retries ("unreachable")        disallow all (2.3.1.4)
timeout, reset, refused, DNS failure      disallow all (2.3.1.4)
========================================  ==========================================

The cases are counted (``newscrawl/robots/allow_all/<status>``,
``newscrawl/robots/disallow_all/<status or exception>``, besides Scrapy's
``robotstxt/*`` stats) and logged once per site. A URL the rules forbid is counted in
Scrapy's ``robotstxt/forbidden``, logged (the first per site at INFO, the rest at
DEBUG) and refused without the errback's warning: obeying robots.txt is no failure.
It also fixes Scrapy 2.19's check of the requests that wait while robots.txt
downloads: only the first of them was checked, the others were let through (see
``robot_parser``). RFC 9309 lets a crawler keep a cached copy when robots.txt is
unreachable for a long time; runs here are short, so each run decides from its own fetch.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from newscrawl.guards.faults import Refused
from newscrawl.stats import inc

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsForbidden(Refused):
    """Forbidden by robots.txt (counted in robotstxt/forbidden)."""


class Rfc9309RobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._forbidden_logged: set[str] = set()
        self._unreachable: set[str] = set()  # netlocs whose robots.txt could not be read

    def _use(self, netloc: str, rules: bytes) -> RobotParser:
        parser: RobotParser = build_from_crawler(self._parserimpl, self.crawler, rules)
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        status = response.status
        if 200 <= status < 300:
            await super()._parse_robots(response, netloc, request)
            return
        if 400 <= status < 500:
            inc(self._stats, f"newscrawl/robots/allow_all/{status}")
            logger.warning(
                "robots.txt of %s answered HTTP %d (unavailable): everything allowed "
                "(RFC 9309 2.3.1.3)", netloc, status,
            )  # fmt: skip
            response = response.replace(body=b"")
        else:  # 5xx after retries, or a 3xx chain that did not end (or 1xx)
            key = f"robots/disallow_all/{status}"
            inc(self._stats, f"newscrawl/{key}")
            self._unreachable.add(netloc)
            logger.warning(
                "robots.txt of %s answered HTTP %d (unreachable): nothing is fetched from "
                "this site in this run (RFC 9309 2.3.1.4)", netloc, status,
            )  # fmt: skip
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        # Scrapy's, without its ERROR line and traceback for a robots.txt that cannot
        # be fetched: _robots_error() reports that once, as a warning.
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots = Request(
                f"{url.scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True},
                callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots)
                await self._parse_robots(response, netloc, request)
            except Exception as error:
                self._robots_error(error, netloc)
            inc(self._stats, "robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            # One Deferred per waiter. Awaiting the shared one directly (as Scrapy 2.19
            # does since scrapy/scrapy#6802) hands the parser to the first waiter only:
            # asFuture() leaves None as the result for the next, and None means "allow",
            # so requests queued behind the robots.txt download were never checked.
            waiter: Deferred[RobotParser | None] = Deferred()

            def relay(result: RobotParser | None) -> RobotParser | None:
                waiter.callback(result)
                return result

            parser.addCallback(relay)
            found: RobotParser | None = await maybe_deferred_to_future(waiter)
            return found
        return parser

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):  # refused by our own policy (SSRF, offsite...)
            super()._robots_error(exc, netloc)
            return
        name = type(exc).__name__
        inc(self._stats, f"newscrawl/robots/disallow_all/{name}")
        self._unreachable.add(netloc)
        inc(self._stats, f"robotstxt/exception_count/{type(exc)}")
        logger.warning(
            "robots.txt of %s could not be fetched (%s: %s): nothing is fetched from this "
            "site in this run (RFC 9309 2.3.1.4)", netloc, name, exc,
        )  # fmt: skip
        deferred = self._parsers[netloc]
        parser = self._use(netloc, DISALLOW_ALL)
        self._parsers[netloc] = parser
        deferred.callback(parser)  # type: ignore[union-attr]

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        netloc = urlparse_cached(request).netloc
        if netloc in self._unreachable:
            # Everything, robots.txt itself too (parsers always allow that one): it was
            # just found unreachable, and that was reported once.
            inc(self._stats, "robotstxt/forbidden")
            raise RobotsForbidden(f"robots.txt of {netloc} unreachable")
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as error:
            if netloc not in self._forbidden_logged:
                self._forbidden_logged.add(netloc)
                logger.info(
                    "Forbidden by robots.txt, not fetched: %s (later ones on %s are only "
                    "counted in robotstxt/forbidden)", request.url, netloc,
                )  # fmt: skip
            raise RobotsForbidden(str(error)) from error
