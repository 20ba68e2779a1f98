"""What every crawl of the project gets unless told otherwise, as a Scrapy add-on.

:class:`CrawlDefaults` is listed in ``ADDONS`` (newscrawl/settings.py) after the
distributed add-on (which names a worker's default feed first). It sets, at "spider"
priority so that ``-s``, ``-o`` and ``-O`` still win:

* the default feed, ``NEWSCRAWL_DEFAULT_FEED`` (``output/<spider>/<UTC time>.jsonl``),
  when no feed is configured and ``NEWSCRAWL_RUN_FILES`` is on (``scrapy parse``,
  ``shell``, ``bench`` and ``check`` turn it off);
* a User-Agent naming the project with ``NEWSCRAWL_CONTACT_URL``, unless one was set.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from newscrawl import __version__
from newscrawl.spiders.base import NewsSpider


def news_crawl(crawler: Crawler) -> None:
    """Raise NotConfigured (the add-on stays off, silently) unless a site spider runs:
    ``scrapy fetch``, ``shell URL`` or ``extract URL``'s one-page spider get neither a
    feed file nor distribution, as before these were add-ons."""
    if not issubclass(crawler.spidercls, NewsSpider):
        raise NotConfigured


class CrawlDefaults:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDefaults:
        news_crawl(crawler)
        return cls()

    def update_settings(self, settings: BaseSettings) -> None:
        default_feed = settings.get("NEWSCRAWL_DEFAULT_FEED")
        run_files = settings.getbool("NEWSCRAWL_RUN_FILES", True)
        if default_feed and run_files and not settings.getdict("FEEDS"):
            feed = {"format": "jsonlines", "encoding": "utf8"}
            settings.set("FEEDS", {default_feed: feed}, priority="spider")
        contact = settings.get("NEWSCRAWL_CONTACT_URL")
        if contact and settings.getpriority("USER_AGENT") in (None, 0, 20):
            settings.set("USER_AGENT", f"newscrawl/{__version__} (+{contact})", priority="spider")
