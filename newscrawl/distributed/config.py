"""The small facts of distributed mode: the Redis URL setting, key names, roles.

A leaf: it imports nothing of newscrawl, so the stores, the Redis crawl and the
run report can all read it without importing each other.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from scrapy.settings import BaseSettings

ROLES = ("all", "seed", "worker")

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


def setting(settings: BaseSettings, name: str) -> float:
    """A numeric NEWSCRAWL_REDIS_* setting, with its default from :data:`DEFAULTS`."""
    return settings.getfloat(name, DEFAULTS[name])
