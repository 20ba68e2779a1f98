"""Distributed crawling: one setting puts a crawl's queue, dedup, state and lock in Redis.

``-s NEWSCRAWL_REDIS_URL=redis://[:password@]host:port/db`` (or the environment
variable of that name) turns a crawl distributed: :class:`DistributedAddon`, a Scrapy
add-on listed in the project's ``ADDONS`` (newscrawl/settings.py; another project
lists it in its own), calls :func:`apply_settings` when the crawler is set up, which
swaps in

* the scheduler (:class:`newscrawl.distributed.rediscrawl.Scheduler`, scrapy-redis's with a
  reliable queue: a popped request stays in its worker's *processing* set until the
  engine is done with it, so a worker killed with SIGKILL loses nothing) and the
  request dupefilter (scrapy-redis's, counting what it drops);
* the state store (:class:`newscrawl.distributed.redisstore.RedisStore`, chosen by
  :func:`newscrawl.storage.stores.open_store`);
* the crawl lock (:class:`newscrawl.distributed.rediscrawl.Coordinator` replaces ``CrawlLock``:
  a Redis key with a TTL, refreshed while the holder runs, plus worker heartbeats,
  recovery of dead workers' in-flight requests and idle-close);
* feed files written line by line (a killed worker's feed keeps every record it
  emitted), named per worker by default.

Spiders, pipelines and feeds are otherwise the same. Roles (``-a role=``): ``seed``
runs discovery only and pushes article requests to the shared queue; ``worker``
does no discovery and drains the queue; ``all`` (the default) does discovery if no
one else is doing it (it takes the lock) and drains the queue. See docs/distributed.md.

This module imports neither redis nor scrapy-redis: without the setting nothing
distributed is loaded.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newscrawl.distributed.config import new_worker_id, redis_url
from newscrawl.ops.defaults import news_crawl
from newscrawl.ops.lock import CrawlLock


def apply_settings(settings: BaseSettings) -> None:
    """Make the crawl distributed when a Redis URL is configured; otherwise do nothing.

    Everything is set at "spider" priority, so ``-s`` on the command line still wins.
    """
    url = redis_url(settings)
    if not url:
        return
    replay = "newscrawl.storage.warc.ReplayMiddleware"
    if any(str(k) == replay or getattr(k, "__name__", "") == "ReplayMiddleware"
           for k in settings.getdict("DOWNLOADER_MIDDLEWARES")):  # fmt: skip
        # `scrapy reextract` replays an archive offline, with its own state: stay local.
        settings.set("NEWSCRAWL_REDIS_URL", "", priority="cmdline")
        return
    # Here, not at the top: without the setting neither redis nor scrapy-redis loads.
    from newscrawl.distributed.rediscrawl import Coordinator, RoleMiddleware

    if not settings.get("NEWSCRAWL_WORKER_ID"):
        settings.set("NEWSCRAWL_WORKER_ID", new_worker_id(), priority="spider")
    worker = str(settings.get("NEWSCRAWL_WORKER_ID"))
    prefix = str(settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl")
    spider_settings = {
        "REDIS_URL": url,  # scrapy-redis's connection setting
        # The scheduler's client too rides out outages (newscrawl.distributed.redisstore.OUTAGE).
        "REDIS_PARAMS": dict(
            settings.getdict("REDIS_PARAMS"),
            redis_cls="newscrawl.distributed.redisstore.GuardedRedis",
        ),
        "SCHEDULER": "newscrawl.distributed.rediscrawl.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "newscrawl.distributed.rediscrawl.ReliableQueue",
        "DUPEFILTER_CLASS": "newscrawl.distributed.rediscrawl.DupeFilter",
        "SCHEDULER_PERSIST": True,  # a worker leaving must not flush the shared queue
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
    }
    for name, value in spider_settings.items():
        settings.set(name, value, priority="spider")
    # Feed files without a write buffer, unless the project already chose a storage
    # for local files (newscrawl.storage.durable's is unbuffered too).
    storages = settings.getdict("FEED_STORAGES")
    if not storages.get("") and not storages.get("file"):
        line_storage = "newscrawl.distributed.rediscrawl.LineFileFeedStorage"
        settings.set("FEED_STORAGES", {"": line_storage, "file": line_storage}, "spider")
    # Each worker writes its own feed; two on one machine must not share a name.
    default_feed = settings.get("NEWSCRAWL_DEFAULT_FEED")
    if default_feed and settings.getpriority("NEWSCRAWL_DEFAULT_FEED") in (None, 0, 20):
        base, dot, ext = str(default_feed).rpartition(".")
        named = f"{base}.{worker}.{ext}" if dot else f"{default_feed}.{worker}"
        settings.set("NEWSCRAWL_DEFAULT_FEED", named, priority="spider")
    # The Redis lock (and the rest of the coordination) instead of the flock, at the
    # same place. Component dicts are set at "spider" priority too: Scrapy merges the
    # project's settings into a crawler again, below that priority only.
    extensions = {
        key: value
        for key, value in settings.getdict("EXTENSIONS").items()
        if key is not CrawlLock and key != "newscrawl.ops.lock.CrawlLock"
    }
    extensions[_path(Coordinator)] = 10
    middlewares = dict(settings.getdict("SPIDER_MIDDLEWARES"), **{_path(RoleMiddleware): 5})
    for name, value in (("EXTENSIONS", extensions), ("SPIDER_MIDDLEWARES", middlewares)):
        priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])
        settings.set(name, value, priority=priority)


class DistributedAddon:
    """Scrapy add-on: NEWSCRAWL_REDIS_URL set, the crawl is distributed (apply_settings).

    An add-on, not the spider class's ``update_settings``: the wiring is the
    project's choice of settings, and a spider class carries no side effects."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedAddon:
        news_crawl(crawler)  # site spiders only
        return cls()

    def update_settings(self, settings: BaseSettings) -> None:
        apply_settings(settings)


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
