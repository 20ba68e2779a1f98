"""Distributed crawling: one setting puts a crawl's queue, dedup, state and lock in Redis.

``-s NEWSCRAWL_REDIS_URL=redis://[:password@]host:port/db`` (or the environment
variable of that name) turns any site spider distributed: :func:`apply_settings`,
called from ``NewsSpider.update_settings``, swaps in

* the scheduler (:class:`newscrawl.rediscrawl.Scheduler`, scrapy-redis's with a
  reliable queue: a popped request stays in its worker's *processing* set until the
  engine is done with it, so a worker killed with SIGKILL loses nothing) and the
  request dupefilter (scrapy-redis's, counting what it drops);
* the state store (:class:`newscrawl.redisstore.RedisStore`, chosen by
  :func:`newscrawl.state.open_store`);
* the crawl lock (:class:`newscrawl.rediscrawl.Coordinator` replaces ``CrawlLock``:
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

import os
import re
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

ROLES = ("all", "seed", "worker")
#: Callbacks whose requests are articles: the seed pushes these to the shared queue
#: and keeps the others (robots.txt, sitemaps, feeds, listings) to itself.
ARTICLE_CALLBACKS = frozenset({"parse_article"})

DEFAULTS = {
    "NEWSCRAWL_REDIS_HEARTBEAT": 10.0,  # seconds between heartbeats; TTL is 3 beats
    "NEWSCRAWL_REDIS_IDLE_TIMEOUT": 60.0,  # a worker leaves after this long with no work
    # Redis unreachable: every worker pauses and retries this long, then exits 11.
    "NEWSCRAWL_REDIS_OUTAGE_TIMEOUT": 60.0,
}


def redis_url(settings: BaseSettings) -> str | None:
    """The Redis URL that makes a crawl distributed, or None.

    The setting wins over the environment variable; ``-s NEWSCRAWL_REDIS_URL=``
    (empty) turns distribution off even when the variable is set.
    """
    value = settings.get("NEWSCRAWL_REDIS_URL")
    if value is None:
        value = os.environ.get("NEWSCRAWL_REDIS_URL")
    if value is None:
        return None
    return str(value).strip() or None


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***``, for logs and reports.

    >>> mask_url("redis://:s3cret@10.0.0.5:6379/2")
    'redis://:***@10.0.0.5:6379/2'
    >>> mask_url("rediss://crawler:s3cret@redis.example/0")
    'rediss://crawler:***@redis.example/0'
    >>> mask_url("redis://127.0.0.1:6379/0")
    'redis://127.0.0.1:6379/0'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, ""))


def new_worker_id() -> str:
    """``<host>-<pid>-<random>``: unique per process, readable in redis-cli."""
    host = re.sub(r"[^\w.-]", "_", socket.gethostname())[:40] or "host"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Keys:
    """The Redis key names of one spider's distributed crawl (see docs/distributed.md).

    >>> keys = Keys("newscrawl", "arabstoday")
    >>> keys.queue, keys.processing("w1")
    ('newscrawl:arabstoday:requests', 'newscrawl:arabstoday:processing:w1')
    """

    prefix: str
    spider: str

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, self.spider, *parts))

    @property
    def queue(self) -> str:
        """Sorted set of pending requests (scrapy-redis's priority queue)."""
        return self._key("requests")

    @property
    def dupefilter(self) -> str:
        """Set of request fingerprints of article requests, for the run."""
        return self._key("dupefilter")

    @property
    def discovery_dupefilter(self) -> str:
        """Set of request fingerprints of discovery requests, for one seeding."""
        return self._key("dupefilter", "discovery")

    @property
    def workers(self) -> str:
        """Hash: worker id -> JSON (host, pid, role, started)."""
        return self._key("workers")

    def alive(self, worker: str) -> str:
        """A worker's heartbeat (expires when it stops beating)."""
        return self._key("alive", worker)

    def processing(self, worker: str) -> str:
        """Sorted set of the requests a worker popped and has not finished."""
        return self._key("processing", worker)

    def pending(self, worker: str) -> str:
        """Hash of URL keys a worker claimed whose record is not in its feed yet."""
        return self._key("pending", worker)

    @property
    def claims(self) -> str:
        """Set of URL keys emitted (claimed) in this run, by any worker."""
        return self._key("claims")

    @property
    def lock(self) -> str:
        """The crawl lock: held by the process doing discovery."""
        return self._key("lock")

    def recovering(self, worker: str) -> str:
        return self._key("recovering", worker)

    @property
    def run(self) -> str:
        """Hash describing the current run (number, started_at, seeded_by)."""
        return self._key("run")


def keys_for(settings: BaseSettings, spider: str) -> Keys:
    return Keys(str(settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl"), spider)


def apply_settings(settings: BaseSettings) -> None:
    """Make the crawl distributed when a Redis URL is configured; otherwise do nothing.

    Everything is set at "spider" priority, so ``-s`` on the command line still wins.
    """
    url = redis_url(settings)
    if not url:
        return
    replay = "newscrawl.middlewares.ReplayMiddleware"
    if any(str(k) == replay or getattr(k, "__name__", "") == "ReplayMiddleware"
           for k in settings.getdict("DOWNLOADER_MIDDLEWARES")):  # fmt: skip
        # `scrapy reextract` replays an archive offline, with its own state: stay local.
        settings.set("NEWSCRAWL_REDIS_URL", "", priority="cmdline")
        return
    from newscrawl.extensions import CrawlLock
    from newscrawl.rediscrawl import Coordinator, RoleMiddleware

    if not settings.get("NEWSCRAWL_WORKER_ID"):
        settings.set("NEWSCRAWL_WORKER_ID", new_worker_id(), priority="spider")
    worker = str(settings.get("NEWSCRAWL_WORKER_ID"))
    prefix = str(settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl")
    spider_settings = {
        "REDIS_URL": url,  # scrapy-redis's connection setting
        # The scheduler's client too rides out outages (newscrawl.redisstore.OUTAGE).
        "REDIS_PARAMS": dict(
            settings.getdict("REDIS_PARAMS"), redis_cls="newscrawl.redisstore.GuardedRedis"
        ),
        "SCHEDULER": "newscrawl.rediscrawl.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "newscrawl.rediscrawl.ReliableQueue",
        "DUPEFILTER_CLASS": "newscrawl.rediscrawl.DupeFilter",
        "SCHEDULER_PERSIST": True,  # a worker leaving must not flush the shared queue
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
    }
    for name, value in spider_settings.items():
        settings.set(name, value, priority="spider")
    # Feed files without a write buffer, unless the project already chose a storage
    # for local files (newscrawl.durable's is unbuffered too).
    storages = settings.getdict("FEED_STORAGES")
    if not storages.get("") and not storages.get("file"):
        line_storage = "newscrawl.rediscrawl.LineFileFeedStorage"
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
        if key is not CrawlLock and key != "newscrawl.extensions.CrawlLock"
    }
    extensions[_path(Coordinator)] = 10
    middlewares = dict(settings.getdict("SPIDER_MIDDLEWARES"), **{_path(RoleMiddleware): 5})
    for name, value in (("EXTENSIONS", extensions), ("SPIDER_MIDDLEWARES", middlewares)):
        priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])
        settings.set(name, value, priority=priority)


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def setting(settings: BaseSettings, name: str) -> float:
    """A numeric NEWSCRAWL_REDIS_* setting, with its default from :data:`DEFAULTS`."""
    return settings.getfloat(name, DEFAULTS[name])
