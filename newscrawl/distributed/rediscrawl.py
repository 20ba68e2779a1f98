"""The Scrapy components of a distributed crawl (enabled by :mod:`newscrawl.distributed.wiring`).

* :class:`Scheduler` -- scrapy-redis's scheduler with :class:`ReliableQueue`: a
  request popped from the shared queue moves, in one Lua script, into the worker's
  *processing* set and leaves it only when the engine has finished with it (its
  callback's requests are in the queue, its article is through the pipelines and in
  the feed). A seed keeps its discovery requests in a local queue and pushes only
  article requests to Redis.
* :class:`DupeFilter` -- scrapy-redis's dupefilter, counting what it drops
  (``newscrawl/redis/dupefilter_dropped``; scrapy-redis drops silently).
* :class:`Coordinator` -- the extension that replaces ``CrawlLock``: worker
  registration and heartbeat, the crawl lock (a Redis key with a TTL, refreshed
  while the holder runs; the holder does discovery), recovery of dead workers, claim
  confirmation and idle-close.
* :class:`RoleMiddleware` -- skips discovery in processes that do not seed.
* :class:`LineFileFeedStorage` -- feed files without a write buffer: every record is
  on disk when the worker confirms it, so SIGKILL loses no emitted record.

Failure model: a worker that dies (SIGKILL, power loss) stops refreshing its
heartbeat key; after its TTL (3 heartbeats) any other worker's next tick re-queues
the dead worker's in-flight requests and releases its unconfirmed article claims, so
those articles are fetched and emitted again by someone else. An article is
confirmed right after its record is written to the feed; the only way to get a
record twice is a kill between that write and the confirmation (microseconds), and
``scrapy merge`` removes such a duplicate.

Redis outages (:class:`newscrawl.distributed.redisstore.Outage`): while Redis is unreachable the
worker pauses, its commands retrying with backoff, and carries on where it was when
Redis is back (its in-flight requests and items included); for one heartbeat TTL after
that it judges no other worker dead (their heartbeats expired during the outage too).
Past ``NEWSCRAWL_REDIS_OUTAGE_TIMEOUT`` it stops with exit code 11: what it had in
flight stays in its processing set and pending claims in Redis, and whoever recovers
it (the next worker, the next run) fetches that again.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import redis
from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from newscrawl import exitcodes
from newscrawl.discovery.urls import identity_key, url_key
from newscrawl.distributed.config import (
    ROLES,
    Keys,
    keys_for,
    mask_url,
    redis_url,
    setting,
)
from newscrawl.distributed.redisstore import OUTAGE, RedisStore, StoreUnavailable, connect
from newscrawl.pagekind import PageKind, kind_of
from newscrawl.stats import inc
from newscrawl.storage.stores import store_for

logger = logging.getLogger(__name__)

UPDATE_META = "newscrawl_update"  # carries NewsSpider.updating from seed to worker

# KEYS: queue processing; returns the member (encoded request) moved, or nil.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('ZADD', KEYS[2], r[2], r[1])
return r[1]
"""

# KEYS: dupefilter queue; ARGV: fingerprint score member. 1 if queued, 0 if seen before.
# One script, so that a retry after a lost reply finds it queued rather than lost.
_PUSH_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: processing queue workers; ARGV: worker id. Moves everything back, forgets it.
_REQUEUE = """
local items = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #items, 2 do redis.call('ZADD', KEYS[2], items[i + 1], items[i]) end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return #items / 2
"""

# KEYS: queue, then the processing sets of every registered worker. 1 if all empty.
_IDLE = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for i = 2, #KEYS do
  if redis.call('ZCARD', KEYS[i]) > 0 then return 0 end
end
return 1
"""

# KEYS: lock; ARGV: token, ttl. Refresh the lock if it is still ours.
_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def is_article(request: Request) -> bool:
    """Articles go to the shared queue; the seed keeps discovery (robots, feeds, ...)."""
    return kind_of(request) is PageKind.ARTICLE


def role_of(spider: Spider) -> str:
    role = str(getattr(spider, "role", None) or "all")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    return role


def _engine_inprogress(crawler: Crawler | None) -> set[Request] | None:
    """The requests the engine has not finished with (downloading or scraping)."""
    engine = getattr(crawler, "engine", None)
    slot = getattr(engine, "_slot", None)
    inprogress = getattr(slot, "inprogress", None)
    return inprogress if isinstance(inprogress, set) else None


def _soon(function: Any) -> None:
    """Call ``function`` on the reactor's next turn (not inside the current call)."""
    # Imported here: importing it at module level would install the default reactor.
    from twisted.internet import reactor

    installed: Any = reactor  # twisted's reactor is not typed as an instance
    installed.callLater(0, function)


def _nudge(crawler: Crawler | None) -> None:
    """Ask the engine to look at the scheduler now rather than at its next heartbeat."""
    engine = getattr(crawler, "engine", None)
    nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()


# ----------------------------------------------------------------------------------
# Queue, dupefilter, scheduler


class DupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's request dupefilter, with a stat for every request it drops.

    Article requests are filtered for the whole run (``<spider>:dupefilter``),
    discovery requests (robots.txt, sitemaps, feeds, listings) for one seeding
    (``<spider>:dupefilter:discovery``, emptied when a new seeding starts), so that
    a seed joining a run in progress still reads the sources again.
    """

    def __init__(
        self,
        server: Any,
        key: str,
        debug: bool = False,
        *,
        discovery_key: str | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        super().__init__(server, key, debug)
        self.discovery_key = discovery_key or key
        self.crawler = crawler

    @classmethod
    def from_spider(cls, spider: Spider) -> DupeFilter:
        crawler = spider.crawler
        keys = keys_for(crawler.settings, spider.name)
        server = connect(str(redis_url(crawler.settings)))
        debug = crawler.settings.getbool("DUPEFILTER_DEBUG")
        return cls(
            server, keys.dupefilter, debug, discovery_key=keys.discovery_dupefilter, crawler=crawler
        )

    def key_for(self, request: Request) -> str:
        return self.key if is_article(request) else self.discovery_key

    def request_seen(self, request: Request) -> bool:
        return int(self.server.sadd(self.key_for(request), self.request_fingerprint(request))) == 0

    def log(self, request: Request, spider: Spider) -> None:
        inc(self.crawler, "newscrawl/redis/dupefilter_dropped")
        super().log(request, spider)

    def close(self, reason: str = "") -> None:
        """Keep the shared fingerprints: other workers are still using them."""

    def clear(self) -> None:
        self.server.delete(self.key, self.discovery_key)


class ReliableQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue; a pop moves the request into ``processing_key``.

    The scheduler sets ``processing_key`` (it knows the worker) before the first pop,
    and acknowledges requests the engine has finished with (:meth:`ack`).
    """

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.processing_key: str = f"{self.key}:processing"
        self.inflight: dict[Request, bytes] = {}
        self._pop = server.register_script(_POP)
        self._push_unseen = server.register_script(_PUSH_UNSEEN)

    def pop(self, timeout: int = 0) -> Request | None:
        data = self._pop(keys=[self.key, self.processing_key])
        if not data:
            return None
        request: Request = self._decode_request(data)
        self.inflight[request] = bytes(data)
        return request

    def push_unseen(self, request: Request, seen_key: str, fingerprint: str) -> bool:
        """Queue ``request`` unless ``fingerprint`` is in ``seen_key`` (the dupefilter)."""
        data = self._encode_request(request)
        args = [fingerprint, -request.priority, data]
        return bool(self._push_unseen(keys=[seen_key, self.key], args=args))

    def ack(self, requests: Iterable[Request]) -> int:
        done = [r for r in requests if r in self.inflight]
        if done:
            # Out of Redis first: a failure leaves them in flight here, to ack again.
            self.server.zrem(self.processing_key, *(self.inflight[r] for r in done))
        for request in done:
            del self.inflight[request]
        return len(done)

    def requeue_orphans(self) -> int:
        """Put back in the queue what the processing set holds but this worker does
        not: a pop whose reply an outage lost. Left there, it would keep every worker
        from ever seeing the crawl idle."""
        mine = set(self.inflight.values())
        orphans = {
            bytes(member): score
            for member, score in self.server.zrange(self.processing_key, 0, -1, withscores=True)
            if bytes(member) not in mine
        }
        if orphans:
            self.server.zadd(self.key, orphans)
            self.server.zrem(self.processing_key, *orphans)
        return len(orphans)


class _LocalQueue:
    """The seed's own queue for discovery requests: in memory, by priority, deduplicated."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.heap: list[tuple[int, int, Request]] = []
        self.seen: set[bytes] = set()
        self.counter = itertools.count()

    def push(self, request: Request) -> bool:
        if not request.dont_filter:
            fingerprint = self.crawler.request_fingerprinter.fingerprint(request)
            if fingerprint in self.seen:
                inc(self.crawler, "dupefilter/filtered")
                return False
            self.seen.add(fingerprint)
        heapq.heappush(self.heap, (-request.priority, next(self.counter), request))
        return True

    def pop(self) -> Request | None:
        return heapq.heappop(self.heap)[2] if self.heap else None

    def __len__(self) -> int:
        return len(self.heap)


class Scheduler(RedisScheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler on the shared queue, with in-flight bookkeeping.

    ``role=seed``: discovery requests stay in a local queue; article requests are
    pushed to the shared queue (and counted, ``newscrawl/redis/seeded``), never
    fetched here. Other roles: everything goes through the shared queue.

    A worker holds (in its processing set) no more requests per download slot than
    its downloader fetches at once (``CONCURRENT_REQUESTS_PER_DOMAIN``, or ``_PER_IP``,
    or the slot's ``DOWNLOAD_SLOTS`` concurrency). Scrapy's engine asks for up to
    ``CONCURRENT_REQUESTS``; what a worker held beyond its slot's concurrency only
    waited in its downloader while other workers found the queue empty.
    """

    crawler: Crawler | None = None
    queue: ReliableQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Scheduler:
        instance: Scheduler = cls.from_settings(crawler.settings)
        instance.stats = crawler.stats
        instance.crawler = crawler
        return instance

    def open(self, spider: Spider) -> None:
        super().open(spider)
        assert self.crawler is not None
        self.role = role_of(spider)
        keys = keys_for(self.crawler.settings, spider.name)
        self.queue.processing_key = keys.processing(worker_id(self.crawler))
        self.local = _LocalQueue(self.crawler) if self.role == "seed" else None
        # The download slot this worker found full: no pop until it has room again.
        self.full_slot: str | None = None

    def enqueue_request(self, request: Request) -> bool:
        if self.local is not None and not is_article(request):
            return self.local.push(request)
        try:
            return self._enqueue(request)
        except StoreUnavailable:
            # Not queued; the request it came from stays in flight in Redis, so the
            # worker that re-fetches that one finds this one again.
            return False

    def _enqueue(self, request: Request) -> bool:
        updating = getattr(self.spider, "updating", None)
        if updating and url_key(request.url) in updating:
            request.meta[UPDATE_META] = True
        if request.dont_filter:
            self.queue.push(request)
        elif not self.queue.push_unseen(
            request, self.df.key_for(request), self.df.request_fingerprint(request)
        ):
            self.df.log(request, self.spider)
            return False
        inc(self.crawler, "scheduler/enqueued/redis")
        if self.local is not None:
            inc(self.crawler, "newscrawl/redis/seeded")
        return True

    def next_request(self) -> Request | None:
        if self.local is not None:
            return self.local.pop()
        try:
            self.ack_finished()
            request = self._pop_within_limits()
        except StoreUnavailable:
            return None  # the worker is closing (Coordinator.store_unavailable)
        if request is None:
            return None
        inc(self.crawler, "scheduler/dequeued/redis")
        if request.meta.get(UPDATE_META):
            updating = getattr(self.spider, "updating", None)
            if isinstance(updating, set):
                updating.add(url_key(request.url))
        return request

    def _pop_within_limits(self) -> Request | None:
        """Pop the next shared request unless this worker's download slot is full.

        The queue does not say which site its next request is for, so the slot of the
        last request popped stands for it (a spider's articles are mostly one site's):
        while that slot is full nothing is popped. Every other slot has room then, so
        no pop takes a slot past its limit. A queue mixing sites can leave a worker
        short of what another site would allow; the other workers take that up.
        """
        if self.full_slot is not None:
            if self._room(self.full_slot) <= 0:
                return None  # no Redis round trip while the slot is full
            self.full_slot = None
        request = self.queue.pop()
        if request is not None and self._room(self._slot_key(request)) <= 0:
            self.full_slot = self._slot_key(request)
        return request

    def _slot_key(self, request: Request) -> str:
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return ""
        return str(downloader.get_slot_key(request))

    def _room(self, slot: str) -> int:
        """How many more requests of ``slot`` this worker may hold."""
        held = sum(1 for request in self.queue.inflight if self._slot_key(request) == slot)
        return self._slot_limit(slot) - held

    def _slot_limit(self, slot: str) -> int:
        """The downloader's concurrency for ``slot`` (as Scrapy's Downloader._get_slot)."""
        assert self.crawler is not None
        downloader = getattr(self.crawler.engine, "downloader", None)
        existing = getattr(downloader, "slots", {}).get(slot)
        if existing is not None:
            return max(1, int(existing.concurrency))
        settings = self.crawler.settings
        default = settings.getint("CONCURRENT_REQUESTS_PER_IP") or settings.getint(
            "CONCURRENT_REQUESTS_PER_DOMAIN"
        )
        per_slot = settings.getdict("DOWNLOAD_SLOTS").get(slot, {})
        return max(1, int(per_slot.get("concurrency", default)))

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    def __len__(self) -> int:
        if self.local is not None:
            return len(self.local)
        try:
            return len(self.queue)
        except StoreUnavailable:
            return 0

    def ack_finished(self, everything: bool = False) -> int:
        """Drop from the processing set the requests the engine is done with."""
        if getattr(self, "queue", None) is None or not self.queue.inflight:
            return 0
        inprogress = _engine_inprogress(self.crawler)
        if everything:
            done = list(self.queue.inflight)
        elif inprogress is None:
            return 0
        else:
            done = [r for r in self.queue.inflight if r not in inprogress]
        return self.queue.ack(done)

    def close(self, reason: str) -> None:
        # The engine has finished every request it started before closing the scheduler.
        try:
            self.ack_finished(everything=True)
        except StoreUnavailable:
            return  # left in the processing set: the next worker re-queues them
        super().close(reason)


# ----------------------------------------------------------------------------------
# Coordinator: workers, heartbeat, lock, recovery, idle-close

_COORDINATORS: weakref.WeakKeyDictionary[Crawler, Coordinator] = weakref.WeakKeyDictionary()

# A reactor that has not turned for this many heartbeats is stuck (a regex that never
# ends, a deadlock): its worker stops beating and the others take its work over.
STUCK_BEATS = 10


def worker_id(crawler: Crawler) -> str:
    fallback = f"{socket.gethostname()}-{os.getpid()}"
    return str(crawler.settings.get("NEWSCRAWL_WORKER_ID") or fallback)


class Coordinator:
    """One per worker process: registration, heartbeat, lock, recovery, idle-close."""

    def __init__(self, crawler: Crawler) -> None:
        url = redis_url(crawler.settings)
        if not url:
            raise NotConfigured("NEWSCRAWL_REDIS_URL is not set")
        self.crawler = crawler
        self.settings = crawler.settings
        self.url = url
        self.worker = worker_id(crawler)
        self.heartbeat = setting(self.settings, "NEWSCRAWL_REDIS_HEARTBEAT")
        self.ttl_ms = max(1000, int(3 * self.heartbeat * 1000))
        self.idle_timeout = setting(self.settings, "NEWSCRAWL_REDIS_IDLE_TIMEOUT")
        self.lock_enabled = self.settings.getbool("NEWSCRAWL_LOCK_ENABLED", True)
        self.role = "all"
        self.keys: Keys | None = None
        self.discovers = False
        self.lock_token: str | None = None
        self.idle_since: float | None = None
        self.loop: task.LoopingCall | None = None
        self.closed = False
        self.store: RedisStore | None = None
        self.last_turn = time.monotonic()  # the reactor's last tick
        self.beating = threading.Event()  # set: the beat thread stops
        # After an outage every heartbeat key has expired: judge no one dead before
        # the others have had a TTL to beat again.
        self.trust_heartbeats_at = 0.0
        # Armed before the first command: a worker started during an outage waits too.
        OUTAGE.arm(url, setting(self.settings, "NEWSCRAWL_REDIS_OUTAGE_TIMEOUT"), crawler.stats,
                   on_up=self.redis_back, on_give_up=self.store_unavailable)  # fmt: skip
        try:
            self.redis: Any = connect(url)
        except StoreUnavailable:
            # Nothing has started, nothing is in flight: store_unavailable() said why,
            # and the process ends here with its exit code.
            raise SystemExit(exitcodes.STORE_UNAVAILABLE) from None
        self._requeue = self.redis.register_script(_REQUEUE)
        self._idle = self.redis.register_script(_IDLE)
        self._refresh = self.redis.register_script(_REFRESH)
        self._release = self.redis.register_script(_RELEASE)
        _COORDINATORS[crawler] = self

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Coordinator:
        coordinator = cls(crawler)
        crawler.signals.connect(coordinator.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(coordinator.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(coordinator.working, signal=signals.request_reached_downloader)
        crawler.signals.connect(coordinator.spider_closed, signal=signals.spider_closed)
        return coordinator

    # -- start ---------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self.role = role_of(spider)
        self.keys = keys = keys_for(self.settings, spider.name)
        logger.info(
            "Distributed crawl on %s: worker %s, role %s, shared queue %s (%d requests)",
            mask_url(self.url), self.worker, self.role, keys.queue, self.redis.zcard(keys.queue),
        )  # fmt: skip
        self._set_stat("newscrawl/redis/worker", self.worker)
        self._set_stat("newscrawl/redis/role", self.role)
        info = {"host": socket.gethostname(), "pid": os.getpid(), "role": self.role,
                "started": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
        # Alive first: a worker registered without a heartbeat would be "recovered".
        self.redis.set(keys.alive(self.worker), self.role, px=self.ttl_ms)
        self.redis.hset(keys.workers, self.worker, json.dumps(info))
        opened = store_for(self.crawler)
        self.store = opened if isinstance(opened, RedisStore) else None
        if self.store is not None:
            self.store.bind(keys.claims, keys.pending(self.worker))
        self.recover_dead()
        if self.role in ("seed", "all"):
            if self.lock_enabled and not self.acquire_lock():
                holder = self.lock_holder()
                if self.role == "seed":
                    logger.error("Another %s seed holds %s (%s): exiting",
                                 spider.name, keys.lock, holder)  # fmt: skip
                    self._locked(f"locked by {holder}")
                    return
                logger.info("Discovery is done by %s: this worker only drains the queue", holder)
            else:
                self.discovers = True
                self.start_seeding()
        self._set_stat("newscrawl/redis/discovers", self.discovers)
        # Connected now, after the feed exporter's handler: a claim is confirmed only
        # once the record has been written.
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            self.crawler.signals.connect(self.confirm, signal=signal)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.heartbeat, now=False)
        threading.Thread(
            target=self.beat, args=(keys.alive(self.worker),), name="newscrawl-heartbeat",
            daemon=True,
        ).start()  # fmt: skip

    def beat(self, alive_key: str) -> None:
        """The heartbeat, from a thread: a reactor busy for seconds with CPU work (the
        first page loads the language model; eight workers on two cores take several
        seconds each) must not make a live worker look dead, or the others fetch its
        in-flight requests again and release its unconfirmed claims (a record emitted
        twice). It beats only while the reactor turns (:data:`STUCK_BEATS`).

        Its own plain client: one that fails here is simply retried at the next beat
        (the reactor's client waits outages out, see OUTAGE)."""
        client = redis.Redis.from_url(
            self.url, socket_timeout=self.heartbeat, socket_connect_timeout=self.heartbeat
        )
        try:
            while not self.beating.wait(self.heartbeat):
                stuck = time.monotonic() - self.last_turn > STUCK_BEATS * self.heartbeat
                if stuck or OUTAGE.gave_up or self.closed:
                    continue
                try:
                    client.set(alive_key, self.role, px=self.ttl_ms)
                except redis.RedisError:
                    pass  # Redis away: the reactor's commands wait it out
        finally:
            client.close()

    def acquire_lock(self) -> bool:
        assert self.keys is not None
        token = json.dumps({"worker": self.worker, "role": self.role, "host": socket.gethostname(),
                            "pid": os.getpid(), "since": _now()})  # fmt: skip
        if self.redis.set(self.keys.lock, token, nx=True, px=self.ttl_ms):
            self.lock_token = token
            return True
        return False

    def lock_holder(self) -> str:
        assert self.keys is not None
        raw = self.redis.get(self.keys.lock)
        if not raw:
            return "nobody"
        try:
            holder = json.loads(raw)
            return f"worker {holder['worker']} (pid {holder['pid']} since {holder['since']})"
        except (ValueError, KeyError, TypeError):
            return "another process"

    def start_seeding(self) -> None:
        """A new run when nothing is queued or in flight anywhere; else join the run."""
        assert self.keys is not None
        keys = self.keys
        workers = [w.decode() for w in self.redis.hkeys(keys.workers)]
        idle = self._idle(keys=[keys.queue, *(keys.processing(w) for w in workers)])
        if idle:
            number = int(self.redis.hincrby(keys.run, "number", 1))
            self.redis.delete(keys.dupefilter, keys.claims)
            self.redis.hset(keys.run, mapping={"started_at": _now(), "seeded_by": self.worker})
            logger.info("New run #%d of %s: shared dupefilter and claims emptied",
                        number, keys.spider)  # fmt: skip
            self._set_stat("newscrawl/redis/run", number)
        else:
            logger.info("Joining the run in progress (%d requests queued)",
                        self.redis.zcard(keys.queue))  # fmt: skip
        self.redis.delete(keys.discovery_dupefilter)

    def _locked(self, reason: str) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("newscrawl/locked", True)
            stats.set_value("newscrawl/exit_code", exitcodes.LOCKED)
            stats.set_value("newscrawl/exit_reason", reason)
        assert self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="locked"))

    # -- running -------------------------------------------------------------------

    def tick(self) -> None:
        """Every heartbeat: beat, keep the lock, recover dead workers, confirm requests."""
        self.last_turn = time.monotonic()
        if self.keys is None or self.closed or OUTAGE.gave_up:
            return
        try:
            self.redis.set(self.keys.alive(self.worker), self.role, px=self.ttl_ms)
            self.redis.hsetnx(self.keys.workers, self.worker, json.dumps({"role": self.role}))
            if self.lock_token is not None and not self._refresh(
                keys=[self.keys.lock], args=[self.lock_token, self.ttl_ms]
            ):
                self.lock_token = None
                # Expired while Redis was away: take it again if no one else has.
                if not self.acquire_lock():
                    logger.error("Lost the crawl lock %s (expired): another seed may start",
                                 self.keys.lock)  # fmt: skip
            self.recover_dead()
            scheduler = self._scheduler()
            if scheduler is not None:
                scheduler.ack_finished()
            if self.role != "seed" and (
                self.idle_since is not None or self.redis.zcard(self.keys.queue)
            ):
                _nudge(self.crawler)  # new work, or time to look at the idle clock again
        except StoreUnavailable:
            pass  # the worker is closing (store_unavailable)
        except Exception:  # a bug must not stop the beat (Redis outages wait in OUTAGE)
            logger.exception("Distributed heartbeat failed; retrying in %.0fs", self.heartbeat)

    def redis_back(self, seconds: float) -> None:
        """OUTAGE: Redis answers again after ``seconds``."""
        self.trust_heartbeats_at = time.monotonic() + (self.ttl_ms / 1000) + self.heartbeat
        self.idle_since = None  # the idle clock counts time with Redis, not without
        _soon(self.requeue_orphans)

    def requeue_orphans(self) -> None:
        scheduler = self._scheduler()
        if scheduler is None or scheduler.local is not None or OUTAGE.gave_up:
            return
        try:
            orphans = scheduler.queue.requeue_orphans()
        except StoreUnavailable:
            return
        if orphans:
            logger.warning("Put back %d requests whose pop an outage cut short", orphans)
            inc(self.crawler, "newscrawl/redis/requeued_orphans", orphans)

    def store_unavailable(self, message: str) -> None:
        """OUTAGE gave up: end this worker with exit code 11, leaving its work in Redis."""
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling yet: __init__ ends the process
            engine = None
        logger.error(
            "%s: worker %s %s (exit %d)", message, self.worker,
            "stops; its in-flight requests stay in Redis for the next worker"
            if engine is not None else "does not start", exitcodes.STORE_UNAVAILABLE,
        )  # fmt: skip
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("newscrawl/redis/unavailable", message)
            stats.set_value("newscrawl/exit_code", exitcodes.STORE_UNAVAILABLE)
            stats.set_value("newscrawl/exit_reason", message)
        if engine is not None:
            # Later: this runs inside whichever Redis command gave up.
            _soon(lambda: deferred_from_coro(engine.close_spider_async(reason="store_unavailable")))

    def recover_dead(self) -> int:
        """Re-queue the in-flight requests of workers whose heartbeat expired."""
        assert self.keys is not None
        if time.monotonic() < self.trust_heartbeats_at:
            return 0
        recovered = 0
        for raw in self.redis.hkeys(self.keys.workers):
            worker = raw.decode()
            if worker != self.worker and not self.redis.exists(self.keys.alive(worker)):
                recovered += self.recover(worker)
        return recovered

    def recover(self, worker: str) -> int:
        assert self.keys is not None
        keys = self.keys
        guard = keys.recovering(worker)
        if not self.redis.set(guard, self.worker, nx=True, ex=60):
            return 0  # another worker is at it
        if not self.redis.hexists(keys.workers, worker):
            self.redis.delete(guard)
            return 0  # another worker has just done it
        try:
            store = self.store
            released = store.release(keys.claims, keys.pending(worker)) if store else []
            requests = int(self._requeue(
                keys=[keys.processing(worker), keys.queue, keys.workers], args=[worker]
            ))  # fmt: skip
        finally:
            self.redis.delete(guard)
        logger.warning(
            "Worker %s stopped beating: re-queued its %d in-flight requests, released %d "
            "unconfirmed articles", worker, requests, len(released),
        )  # fmt: skip
        inc(self.crawler, "newscrawl/redis/dead_workers")
        inc(self.crawler, "newscrawl/redis/recovered_requests", requests)
        inc(self.crawler, "newscrawl/redis/released_claims", len(released))
        if requests:
            _nudge(self.crawler)
        return requests

    def confirm(self, item: Any, response: Any = None, spider: Any = None, **kw: Any) -> None:
        """The item's fate is final (written to the feed, or dropped): keep its claim."""
        store = self.store
        if store is None:
            return
        adapter = ItemAdapter(item)
        url, canonical = adapter.get("url"), adapter.get("canonical_url")
        if url:  # the key the deduplicate pipeline claimed
            store.commit([identity_key(str(url), str(canonical) if canonical else None)])

    def busy(self) -> bool:
        """Work anywhere: queued, in flight, or a seed still discovering."""
        assert self.keys is not None
        keys = self.keys
        workers = [w.decode() for w in self.redis.hkeys(keys.workers)]
        if not self._idle(keys=[keys.queue, *(keys.processing(w) for w in workers)]):
            return True
        raw = self.redis.get(keys.lock)
        if raw and self.lock_token is None:
            try:
                return bool(json.loads(raw).get("role") == "seed")
            except ValueError:
                return True
        return False

    def working(self, request: Request, spider: Spider) -> None:
        """A request fetched: the idle clock starts afresh when the engine next idles. It
        is set only in spider_idle, so a worker that had waited for the seed, then
        fetched for longer than the idle timeout, left as soon as the queue drained."""
        self.idle_since = None

    def spider_idle(self, spider: Spider) -> None:
        if self.role == "seed" or self.keys is None or self.closed or OUTAGE.gave_up:
            return
        scheduler = self._scheduler()
        try:
            if scheduler is not None:
                scheduler.ack_finished()
            busy = self.busy()
        except StoreUnavailable:
            return  # closing (store_unavailable)
        if busy:
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_timeout:
            raise DontCloseSpider
        logger.info("Nothing queued or in flight for %.0fs: this worker leaves", self.idle_timeout)

    # -- end -----------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.closed = True
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        # Not joined (the reactor must not wait on a dead Redis): a beat that lands
        # after _leave only leaves a heartbeat key of a worker no longer registered,
        # which nothing reads and which expires.
        self.beating.set()
        if self.keys is None:
            return
        if OUTAGE.gave_up:
            # Nothing to tell Redis: the heartbeat expires, and the next worker
            # re-queues the processing set and releases the pending claims.
            return
        try:
            self._leave(self.keys)
        except StoreUnavailable:
            pass  # as above: left to the next worker

    def _leave(self, keys: Keys) -> None:
        store = self.store
        if store is not None:
            left = store.release(keys.claims, keys.pending(self.worker))
            if left:
                logger.warning("Released %d claimed articles never confirmed", len(left))
        requeued = int(self._requeue(
            keys=[keys.processing(self.worker), keys.queue, keys.workers], args=[self.worker]
        ))  # fmt: skip
        if requeued:
            logger.warning("Put %d unfinished requests back in the shared queue", requeued)
        self.redis.delete(keys.alive(self.worker))
        if self.lock_token is not None:
            self._release(keys=[keys.lock], args=[self.lock_token])
            self.lock_token = None
        logger.info("Worker %s left; %d requests remain in the shared queue",
                    self.worker, self.redis.zcard(keys.queue))  # fmt: skip

    # -- helpers -------------------------------------------------------------------

    def _scheduler(self) -> Scheduler | None:
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        return scheduler if isinstance(scheduler, Scheduler) else None

    def _set_stat(self, key: str, value: Any) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(key, value)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ----------------------------------------------------------------------------------
# Roles and feeds


class RoleMiddleware:
    """Discovery (the spider's start requests) only where the coordinator says so.

    Also, once Redis is given up (:class:`StoreUnavailable`), nothing the spider yields
    goes further: an article not claimed, confirmed or queued now is fetched again by
    the worker that re-queues this one's in-flight requests.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RoleMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        coordinator = _COORDINATORS.get(self.crawler)
        if coordinator is not None and not coordinator.discovers:
            return
        async for item_or_request in self._unless_unavailable(start):
            yield item_or_request

    async def process_spider_output(
        self, response: Any, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        async for item_or_request in self._unless_unavailable(result):
            yield item_or_request

    def process_spider_exception(
        self, response: Any, exception: Exception, spider: Spider | None = None
    ) -> Iterable[Any] | None:
        if isinstance(exception, StoreUnavailable):
            inc(self.crawler, "newscrawl/redis/abandoned_responses")
            return ()
        return None

    async def _unless_unavailable(self, results: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for item_or_request in results:
                if OUTAGE.gave_up:
                    inc(self.crawler, "newscrawl/redis/abandoned_responses")
                    return
                yield item_or_request
        except StoreUnavailable:
            inc(self.crawler, "newscrawl/redis/abandoned_responses")


class LineFileFeedStorage(FileFeedStorage):
    """A local feed file written without a buffer: each record is one write(2)."""

    def open(self, spider: Spider) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(self.write_mode, buffering=0)
