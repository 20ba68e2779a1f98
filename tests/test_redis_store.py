"""RedisStore against a real redis-server: the StateStore contract (the same checks run
on SQLiteStore, so the two agree) and what only a shared store has: atomic claims,
their release when a worker dies, and other workers' near-duplicate signatures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from newscrawl.discovery.urls import url_key
from newscrawl.distributed.redisstore import RedisStore
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.storage.state import SQLiteStore, StateStore
from newscrawl.storage.stores import open_store
from newscrawl.text.neardup import signature
from tests.redis_server import redis_db_fixture, redis_server_fixture  # noqa: F401

URL = "https://www.arabstoday.net/ar/news/635301/%D8%A7"
OTHER = "https://www.arabstoday.net/en/news/1/other"
SIG_A, SIG_B = signature("one story " * 30), signature("another story entirely " * 30)


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    opened: StateStore
    if request.param == "sqlite":
        opened = SQLiteStore(tmp_path / "s.sqlite3")
    else:
        opened = RedisStore(request.getfixturevalue("redis_db"))
    yield opened
    opened.close()


def backdate(store: StateStore, key: str, days: float) -> None:
    when = time.time() - days * 86400
    if isinstance(store, SQLiteStore):
        store.db.execute("UPDATE articles SET fetched_at = ? WHERE key = ?", (when, key))
    else:
        assert isinstance(store, RedisStore)
        store.redis.zadd(store.k_fetched, {key: when})


def test_contract_remember_and_look_up(store: StateStore) -> None:
    key = url_key(URL)
    assert store.seen(key) is None
    before = time.time()
    row = store.remember(key, URL, b"f" * 16, SIG_A)
    assert isinstance(row, int)
    seen = store.seen(url_key(URL + "?utm_source=rss"))
    assert seen is not None and seen.url == URL and seen.fingerprint == b"f" * 16
    assert before - 1 <= seen.fetched_at <= time.time() + 1
    assert store.fingerprint_owner(b"f" * 16) == URL
    assert store.fingerprint_owner(b"g" * 16) is None
    assert list(store.signatures()) == [(row, SIG_A)]
    assert store.signature_owner(row) == URL
    assert store.signature_owner(row + 100) is None
    # Remembering again without a fingerprint keeps the old one (SQLite's coalesce).
    assert store.remember(key, URL, None, None) is None
    again = store.seen(key)
    assert again is not None and again.fingerprint == b"f" * 16
    # A second article with the same body does not take over the fingerprint.
    second = store.remember("other", OTHER, b"f" * 16, SIG_B)
    assert second is not None and second > row
    assert store.fingerprint_owner(b"f" * 16) == URL
    assert [r for r, _ in store.signatures()] == [row, second]


def test_contract_validators(store: StateStore) -> None:
    assert store.validators("https://x/rss") == (None, None)
    store.set_validators("https://x/rss", '"abc"', "Mon, 01 Jan 2018 16:12:00 GMT")
    assert store.validators("https://x/rss") == ('"abc"', "Mon, 01 Jan 2018 16:12:00 GMT")
    store.set_validators("https://x/rss", None, "Tue, 02 Jan 2018 16:12:00 GMT")
    assert store.validators("https://x/rss") == (None, "Tue, 02 Jan 2018 16:12:00 GMT")


def test_contract_forget_prune_stats(store: StateStore) -> None:
    store.remember(url_key(URL), URL, b"a" * 16, SIG_A)
    store.remember("other", OTHER, b"b" * 16, SIG_B)
    store.set_validators("https://x/rss", '"e"', None)
    stats = store.stats()
    assert {k: stats[k] for k in ("articles", "fingerprints", "signatures", "sources")} == {
        "articles": 2, "fingerprints": 2, "signatures": 2, "sources": 1
    }  # fmt: skip
    assert stats["bytes"] > 0
    assert store.forget(URL) == 1
    assert store.forget(URL) == 0
    assert store.seen(url_key(URL)) is None and store.fingerprint_owner(b"a" * 16) is None
    assert [sig for _, sig in store.signatures()] == [SIG_B]
    backdate(store, "other", 100)
    assert store.prune(timedelta(days=90)) == 1
    assert store.stats()["articles"] == 0 and store.stats()["signatures"] == 0
    assert store.stats()["fingerprints"] == 0


def test_contract_claim_without_a_run_always_succeeds(store: StateStore) -> None:
    assert store.claim("k") and store.claim("k")
    assert list(store.new_signatures()) == []


def test_open_store_chooses_redis_with_the_url(redis_db: str, tmp_path: Path) -> None:
    from scrapy.settings import Settings

    settings = Settings({"NEWSCRAWL_STATE_PATH": str(tmp_path / "s.sqlite3")})
    assert isinstance(open_store(settings), SQLiteStore)
    settings.set("NEWSCRAWL_REDIS_URL", redis_db)
    chosen = open_store(settings)
    assert isinstance(chosen, RedisStore)
    chosen.close()


def test_claims_are_atomic_across_workers(redis_db: str) -> None:
    stores = [RedisStore(redis_db) for _ in range(8)]
    for n, store in enumerate(stores):
        store.bind("t:claims", f"t:pending:{n}")
    wins: list[int] = []
    barrier = threading.Barrier(len(stores))

    def race(n: int) -> None:
        barrier.wait()
        for key in range(200):
            if stores[n].claim(f"key{key}"):
                wins.append(key)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == list(range(200)), "every key claimed exactly once"
    pending = sum(store.redis.hlen(f"t:pending:{n}") for n, store in enumerate(stores))
    assert pending == 200
    for store in stores:
        store.close()


def test_a_dead_workers_claims_are_released_and_its_articles_forgotten(redis_db: str) -> None:
    dead, alive = RedisStore(redis_db), RedisStore(redis_db)
    dead.bind("t:claims", "t:pending:dead")
    alive.bind("t:claims", "t:pending:alive")
    assert dead.claim("k1") and dead.claim("k2")
    dead.remember("k1", URL, b"a" * 16, SIG_A)
    dead.remember("k2", OTHER, b"b" * 16, SIG_B)
    dead.commit(["k2"])  # k2's record reached the feed; k1's did not
    assert not alive.claim("k1")
    assert alive.release("t:claims", "t:pending:dead") == ["k1"]
    assert alive.seen("k1") is None and alive.fingerprint_owner(b"a" * 16) is None
    assert alive.seen("k2") is not None
    assert alive.claim("k1"), "released: the article can be emitted again"
    assert not alive.claim("k2")
    dead.close()
    alive.close()


def test_new_signatures_are_other_workers_additions_in_order(redis_db: str) -> None:
    mine, theirs = RedisStore(redis_db), RedisStore(redis_db)
    theirs.remember("old", OTHER, None, SIG_B)  # before I read the store
    assert [r for r, _ in mine.signatures()] == [1]
    assert list(mine.new_signatures()) == []
    first = theirs.remember("a", URL, None, SIG_A)
    own = mine.remember("b", URL + "b", None, SIG_B)
    second = theirs.remember("c", URL + "c", None, SIG_B)
    assert first is not None and own is not None and second is not None
    assert list(mine.new_signatures()) == [(first, SIG_A), (second, SIG_B)]
    assert list(mine.new_signatures()) == []
    # Read with recrawl (store not loaded): only what is added from now on.
    fresh = RedisStore(redis_db)
    assert list(fresh.new_signatures()) == []
    third = theirs.remember("d", URL + "d", None, SIG_A)
    assert list(fresh.new_signatures()) == [(third, SIG_A)]
    for store in (mine, theirs, fresh):
        store.close()


def test_state_command_on_redis(redis_db: str) -> None:
    store = RedisStore(redis_db)
    store.remember(url_key(URL), URL, b"a" * 16, SIG_A)
    store.close()

    def state(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "state", *args],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
            env=dict(os.environ, NEWSCRAWL_REDIS_URL=redis_db),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert json.loads(state("stats"))["articles"] == 1
    assert "forgotten" in state("forget", URL)
    assert json.loads(state("stats"))["articles"] == 0
