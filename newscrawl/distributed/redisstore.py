"""The state store in Redis, shared by every worker of a distributed crawl.

Same contract as :class:`newscrawl.storage.state.SQLiteStore` (one store for all spiders,
keys are :func:`newscrawl.discovery.urls.url_key`), in these keys (``<p>`` is
``NEWSCRAWL_REDIS_PREFIX``, ``newscrawl`` by default):

============================  ====================================================
``<p>:state:articles``        hash: url key -> JSON {u: url, t: fetched_at, f:
                              fingerprint (hex), fps: fingerprints it owns, sigs:
                              signature row ids it owns}
``<p>:state:fetched``         sorted set: url key by fetched_at (for ``prune``)
``<p>:state:fingerprints``    hash: fingerprint (hex) -> JSON {k: url key, u: url}
``<p>:state:sigseq``          counter: the last signature row id (INCR)
``<p>:state:sigids``          sorted set: signature row ids, by id (ordered reads)
``<p>:state:sigs``            hash: row id -> 72-byte MinHash signature
``<p>:state:sig_urls``        hash: row id -> "<url key>\\n<url>"
``<p>:state:sources``         hash: feed/sitemap URL -> JSON {etag, lm, t}
``<p>:state:templates``       hash: site -> learned template JSON (RedisTemplateStore)
============================  ====================================================

Every write that touches several keys is one Lua script, so it is atomic and
other workers see it whole: in particular a signature's row id (INCR) and its entry
become visible together, in id order, which is what :meth:`new_signatures` relies on.

Claims (per spider and run, set up by :meth:`bind`): :meth:`claim` is the atomic
"I emit this article" (SADD on the run's claim set); until the record is in the
worker's feed the key is also *pending* under the worker, so if the worker dies the
claim is released (and what it remembered of the article forgotten) by whoever
recovers its in-flight requests, and the article is fetched and emitted again.

Outages: every client made by :func:`connect` is a :class:`GuardedRedis`, whose
commands go through the process's :data:`OUTAGE` guard once a distributed crawl has
armed it. A command that cannot reach Redis waits and retries with exponential
backoff (the whole worker pauses: nothing can be claimed, confirmed or queued without
Redis anyway), so an outage of a few seconds costs one WARNING and one INFO line.
Past ``NEWSCRAWL_REDIS_OUTAGE_TIMEOUT`` every command raises :class:`StoreUnavailable`
at once and the worker ends with exit code 11 (see :mod:`newscrawl.distributed.rediscrawl`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from scrapy.exceptions import DropItem

from newscrawl.discovery.urls import canonical_key, url_key
from newscrawl.distributed.config import mask_url
from newscrawl.extraction.template.model import Template
from newscrawl.stats import inc
from newscrawl.storage.state import SeenArticle, StateStore

logger = logging.getLogger(__name__)

_PAGE = 1000  # ids / keys per round trip when reading or pruning in bulk
_T = TypeVar("_T")

# KEYS: articles fetched fingerprints sigseq sigids sigs sig_urls
# ARGV: key url now fingerprint_hex_or_empty has_sig sig
_REMEMBER = """
local rec = redis.call('HGET', KEYS[1], ARGV[1])
local a
if rec then a = cjson.decode(rec) else a = {} end
if type(a.fps) ~= 'table' then a.fps = {} end
if type(a.sigs) ~= 'table' then a.sigs = {} end
a.u = ARGV[2]
a.t = tonumber(ARGV[3])
if ARGV[4] ~= '' then
  a.f = ARGV[4]
  local owner = cjson.encode({k = ARGV[1], u = ARGV[2]})
  if redis.call('HSETNX', KEYS[3], ARGV[4], owner) == 1 then
    table.insert(a.fps, ARGV[4])
  end
end
local row = false
if ARGV[5] == '1' then
  row = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[5], row, row)
  redis.call('HSET', KEYS[6], row, ARGV[6])
  redis.call('HSET', KEYS[7], row, ARGV[1] .. '\\n' .. ARGV[2])
  table.insert(a.sigs, row)
end
if #a.fps == 0 then a.fps = nil end
if #a.sigs == 0 then a.sigs = nil end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(a))
redis.call('ZADD', KEYS[2], a.t, ARGV[1])
return row
"""

# KEYS: articles fetched fingerprints sigids sigs sig_urls; ARGV: url keys
_FORGET = """
local n = 0
for _, key in ipairs(ARGV) do
  local rec = redis.call('HGET', KEYS[1], key)
  if rec then
    local a = cjson.decode(rec)
    if type(a.fps) == 'table' then
      for _, fp in ipairs(a.fps) do
        local owner = redis.call('HGET', KEYS[3], fp)
        if owner and cjson.decode(owner).k == key then redis.call('HDEL', KEYS[3], fp) end
      end
    end
    if type(a.sigs) == 'table' then
      for _, row in ipairs(a.sigs) do
        local id = string.format('%d', row)
        redis.call('ZREM', KEYS[4], id)
        redis.call('HDEL', KEYS[5], id)
        redis.call('HDEL', KEYS[6], id)
      end
    end
    redis.call('HDEL', KEYS[1], key)
    n = n + 1
  end
  redis.call('ZREM', KEYS[2], key)
end
return n
"""

# KEYS: claims pending; ARGV: url key, now. Claimed already and still pending under
# this worker can only be a retry whose reply an outage lost (an item's claim is
# committed or released before another item of that key reaches the claim): ours.
_CLAIM = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return redis.call('HEXISTS', KEYS[2], ARGV[1]) end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
"""


class StoreUnavailable(DropItem, redis.ConnectionError):
    """Redis stayed unreachable past ``NEWSCRAWL_REDIS_OUTAGE_TIMEOUT``.

    A :class:`DropItem` too, so that an article whose pipeline step meets it is
    dropped quietly (one DEBUG line; the ERROR that ends the worker says why): it is
    neither written nor seen, and its request stays in the worker's processing set in
    Redis, for the next worker to re-queue.
    """

    def __init__(self, message: str) -> None:
        DropItem.__init__(self, message, log_level="DEBUG")


class Outage:
    """Rides out Redis outages for every client of this process.

    One per process (:data:`OUTAGE`): Scrapy runs one crawl per process, and all the
    clients of a crawl (scheduler, dupefilter, coordinator, state store) must agree
    on when an outage started and whether it was given up. Unarmed (``scrapy state``,
    tests, no distributed crawl) it only passes commands through.
    """

    def __init__(self) -> None:
        self.armed = False
        self.timeout = 60.0
        self.url = ""
        self.stats: Any = None
        self.on_up: Callable[[float], None] | None = None
        self.on_give_up: Callable[[str], None] | None = None
        self.started: float | None = None  # time.monotonic() of the first failure
        self.gave_up = False
        self.message = ""
        # Quick at first (a restart takes a few seconds), at most 1 s between tries.
        self.backoff = ExponentialBackoff(cap=1.0, base=0.05)

    def arm(
        self,
        url: str,
        timeout: float,
        stats: Any = None,
        on_up: Callable[[float], None] | None = None,
        on_give_up: Callable[[str], None] | None = None,
    ) -> None:
        self.armed, self.url, self.timeout, self.stats = True, url, timeout, stats
        self.on_up, self.on_give_up = on_up, on_give_up
        self.started, self.gave_up, self.message = None, False, ""

    def disarm(self) -> None:
        self.armed, self.gave_up, self.started = False, False, None

    def call(self, command: Callable[[], _T]) -> _T:
        if not self.armed:
            return command()
        if self.gave_up:
            raise StoreUnavailable(self.message)
        failures = 0
        while True:
            try:
                result = command()
            except redis.AuthenticationError:
                raise  # a wrong password does not heal by waiting
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                failures += 1
                waited = self._failed(exc)
                if waited >= self.timeout:
                    raise self._give_up(waited) from None
                time.sleep(min(self.backoff.compute(failures), self.timeout - waited))
                continue
            if self.started is not None:
                self._up()
            return result

    def _failed(self, exc: Exception) -> float:
        now = time.monotonic()
        if self.started is None:
            self.started = now
            logger.warning(
                "Redis at %s unreachable (%s): this worker pauses and retries for up to %.0fs "
                "(NEWSCRAWL_REDIS_OUTAGE_TIMEOUT)",
                mask_url(self.url), str(exc).replace(self.url, mask_url(self.url)), self.timeout,
            )  # fmt: skip
            inc(self.stats, "newscrawl/redis/outages", 1)
        return now - self.started

    def _up(self) -> None:
        assert self.started is not None
        seconds = time.monotonic() - self.started
        self.started = None
        logger.info("Redis at %s is back after %.1fs: carrying on", mask_url(self.url), seconds)
        inc(self.stats, "newscrawl/redis/outage_seconds", round(seconds, 3))
        if self.on_up is not None:
            self.on_up(seconds)

    def _give_up(self, waited: float) -> StoreUnavailable:
        if not self.gave_up:
            self.gave_up = True
            self.message = (
                f"Redis at {mask_url(self.url)} unreachable for {waited:.0f}s "
                f"(NEWSCRAWL_REDIS_OUTAGE_TIMEOUT {self.timeout:g}s)"
            )
            inc(self.stats, "newscrawl/redis/outage_seconds", round(waited, 3))
            if self.on_give_up is not None:
                self.on_give_up(self.message)
        return StoreUnavailable(self.message)


#: The outage guard of this process (see :class:`Outage`).
OUTAGE = Outage()


class GuardedRedis(redis.Redis):
    """A Redis client whose every command goes through :data:`OUTAGE`.

    Scripts (EVALSHA, and SCRIPT LOAD after a restart emptied the script cache) are
    commands too. redis-py's own retry (one immediate reconnect) still runs inside, so
    a pooled connection that a restart left stale costs nothing.
    """

    def execute_command(self, *args: Any, **options: Any) -> Any:
        run = super().execute_command
        return OUTAGE.call(lambda: run(*args, **options))  # type: ignore[no-untyped-call]


def connect(url: str) -> Any:
    """A Redis client for ``url`` (bytes in, bytes out), checked with a PING.

    Failures name the server with its password masked.
    """
    try:
        client = GuardedRedis.from_url(
            url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True
        )
        client.ping()
    except StoreUnavailable:
        raise
    except (redis.RedisError, ValueError) as exc:
        message = str(exc).replace(url, mask_url(url))
        raise ConnectionError(f"Redis at {mask_url(url)}: {message}") from None
    return client


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class RedisStore(StateStore):
    """The incremental state in Redis (see the module docstring for the keys)."""

    def __init__(self, url: str, prefix: str = "newscrawl", client: Any = None) -> None:
        self.redis: Any = client if client is not None else connect(url)
        self.prefix = prefix
        k = f"{prefix}:state:"
        self.k_articles, self.k_fetched = k + "articles", k + "fetched"
        self.k_fingerprints, self.k_sigseq = k + "fingerprints", k + "sigseq"
        self.k_sigids, self.k_sigs, self.k_sig_urls = k + "sigids", k + "sigs", k + "sig_urls"
        self.k_sources = k + "sources"
        self._remember = self.redis.register_script(_REMEMBER)
        self._forget = self.redis.register_script(_FORGET)
        self._claim = self.redis.register_script(_CLAIM)
        self._cursor: int | None = None  # the last signature row id read
        self._own_rows: set[int] = set()  # rows this store added since the cursor
        self.claims_key: str | None = None
        self.pending_key: str | None = None

    # -- the StateStore contract -------------------------------------------------

    def seen(self, key: str) -> SeenArticle | None:
        raw = self.redis.hget(self.k_articles, key)
        if raw is None:
            return None
        record = json.loads(raw)
        fingerprint = bytes.fromhex(record["f"]) if record.get("f") else None
        return SeenArticle(str(record["u"]), float(record["t"]), fingerprint)

    def remember(
        self, key: str, url: str, fingerprint: bytes | None, signature: bytes | None
    ) -> int | None:
        # Redis given up: not remembered is safe (the article is fetched again later),
        # and a lost item's signal handler (NewsSpider.on_item_lost) must not fail for it.
        # The call that meets the timeout raises (in a pipeline: the article is dropped).
        if OUTAGE.gave_up:
            return None
        row = self._remember(
            keys=[self.k_articles, self.k_fetched, self.k_fingerprints, self.k_sigseq,
                  self.k_sigids, self.k_sigs, self.k_sig_urls],
            args=[key, url, repr(time.time()), fingerprint.hex() if fingerprint else "",
                  "1" if signature is not None else "0", signature or b""],
        )  # fmt: skip
        if row is None:
            return None
        self._own_rows.add(int(row))
        return int(row)

    def fingerprint_owner(self, fingerprint: bytes) -> str | None:
        raw = self.redis.hget(self.k_fingerprints, fingerprint.hex())
        return str(json.loads(raw)["u"]) if raw is not None else None

    def signatures(self) -> Iterator[tuple[int, bytes]]:
        last = 0
        while True:
            ids = self.redis.zrangebyscore(self.k_sigids, f"({last}", "+inf", start=0, num=_PAGE)
            if not ids:
                return
            rows = [int(i) for i in ids]
            for row, sig in zip(rows, self.redis.hmget(self.k_sigs, ids), strict=True):
                if sig is not None:
                    yield row, bytes(sig)
            last = rows[-1]
            self._cursor = max(self._cursor or 0, last)

    def new_signatures(self) -> Iterator[tuple[int, bytes]]:
        """Signatures other workers added since the last read, in row id order."""
        if self._cursor is None:
            self._cursor = int(self.redis.get(self.k_sigseq) or 0)
            return
        ids = self.redis.zrangebyscore(self.k_sigids, f"({self._cursor}", "+inf")
        if not ids:
            return
        rows = [int(i) for i in ids]
        self._cursor = rows[-1]
        wanted = [(row, i) for row, i in zip(rows, ids, strict=True) if row not in self._own_rows]
        self._own_rows = {row for row in self._own_rows if row > self._cursor}
        if not wanted:
            return
        sigs = self.redis.hmget(self.k_sigs, [i for _, i in wanted])
        for (row, _), sig in zip(wanted, sigs, strict=True):
            if sig is not None:
                yield row, bytes(sig)

    def signature_owner(self, row: int) -> str | None:
        raw = self.redis.hget(self.k_sig_urls, str(row))
        return _text(raw).split("\n", 1)[1] if raw is not None else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        raw = self.redis.hget(self.k_sources, url)
        if raw is None:
            return None, None
        record = json.loads(raw)
        return record.get("etag"), record.get("lm")

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        record = {"etag": etag, "lm": last_modified, "t": time.time()}
        if not OUTAGE.gave_up:  # not kept: the next run reads the source in full
            self.redis.hset(self.k_sources, url, json.dumps(record))

    def stats(self) -> dict[str, int]:
        pipe = self.redis.pipeline(transaction=False)
        for key in (self.k_articles, self.k_fingerprints, self.k_sigs, self.k_sources):
            pipe.hlen(key)
        articles, fingerprints, signatures, sources = (int(n) for n in pipe.execute())
        size = 0
        for key in self._keys():
            size += int(self.redis.memory_usage(key) or 0)
        return {"articles": articles, "fingerprints": fingerprints, "signatures": signatures,
                "sources": sources, "bytes": size}  # fmt: skip

    def forget(self, url: str) -> int:
        return self._forget_keys([url_key(url), canonical_key(url)])  # as SQLiteStore.forget

    def prune(self, older_than: timedelta) -> int:
        cutoff = time.time() - older_than.total_seconds()
        removed = 0
        while True:
            keys = self.redis.zrangebyscore(
                self.k_fetched, "-inf", f"({cutoff}", start=0, num=_PAGE
            )
            if not keys:
                return removed
            removed += self._forget_keys([_text(k) for k in keys])

    def close(self) -> None:
        self.redis.close()

    def known_paragraphs(self, keys: Sequence[bytes]) -> set[bytes]:
        """Those of ``keys`` that remembered articles had (a set shared by all workers)."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return set()
        hits = self.redis.smismember(f"{self.prefix}:state:paragraphs", unique)
        return {key for key, hit in zip(unique, hits, strict=True) if hit}

    def add_paragraphs(self, keys: Sequence[bytes]) -> None:
        if keys:
            self.redis.sadd(f"{self.prefix}:state:paragraphs", *keys)

    # -- claims (distributed runs) -------------------------------------------------

    def bind(self, claims_key: str, pending_key: str) -> None:
        """Claim in this run's claim set, as the worker whose pending hash is given."""
        self.claims_key, self.pending_key = claims_key, pending_key

    def claim(self, key: str) -> bool:
        if self.claims_key is None or self.pending_key is None:
            return True
        return bool(self._claim(keys=[self.claims_key, self.pending_key],
                                args=[key, repr(time.time())]))  # fmt: skip

    def commit(self, keys: Iterable[str]) -> None:
        """The records of these claimed keys are in the feed: nothing to undo any more."""
        keys = list(keys)
        if self.pending_key is not None and keys and not OUTAGE.gave_up:
            # Given up: the claims stay pending; whoever recovers this worker releases
            # them, so these articles may be emitted once more (scrapy merge drops that).
            try:
                self.redis.hdel(self.pending_key, *keys)
            except StoreUnavailable:
                pass

    def release(self, claims_key: str, pending_key: str) -> list[str]:
        """Undo a dead worker's unconfirmed claims: forget the keys, drop the claims."""
        keys = [_text(k) for k in self.redis.hkeys(pending_key)]
        for start in range(0, len(keys), _PAGE):
            page = keys[start : start + _PAGE]
            self._forget_keys(page)
            self.redis.srem(claims_key, *page)
        self.redis.delete(pending_key)
        return keys

    # -- helpers -------------------------------------------------------------------

    def _forget_keys(self, keys: list[str]) -> int:
        if not keys:
            return 0
        return int(self._forget(
            keys=[self.k_articles, self.k_fetched, self.k_fingerprints, self.k_sigids,
                  self.k_sigs, self.k_sig_urls],
            args=keys,
        ))  # fmt: skip

    def _keys(self) -> tuple[str, ...]:
        return (self.k_articles, self.k_fetched, self.k_fingerprints, self.k_sigseq,
                self.k_sigids, self.k_sigs, self.k_sig_urls, self.k_sources)  # fmt: skip


class RedisTemplateStore:
    """Learned site templates (newscrawl.extraction.template.online) shared by the
    fleet: ``<p>:state:templates``, a hash site -> template JSON, so every worker and
    the next run start with what any worker learned."""

    def __init__(self, url: str, prefix: str = "newscrawl", client: Any = None) -> None:
        self.redis: Any = client if client is not None else connect(url)
        self.key = f"{prefix}:state:templates"

    def load(self, site: str) -> Template | None:
        raw = self.redis.hget(self.key, site)
        if raw is None:
            return None
        try:
            return Template.from_json(_text(raw))
        except (ValueError, TypeError, KeyError) as exc:  # an older format: relearn
            logger.warning("Stored template of %s not usable (%s), relearning", site, exc)
            return None

    def save(self, site: str, template: Template) -> None:
        self.redis.hset(self.key, site, template.to_json())

    def close(self) -> None:
        self.redis.close()
