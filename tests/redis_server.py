"""A real redis-server for the tests that need one (import the fixtures you use).

A test module imports both fixture functions (``from tests.redis_server import
redis_db_fixture, redis_server_fixture``) and asks for ``redis_db``/``redis_server``.
``redis_server`` (session): redis-server on 127.0.0.1, a free port, its own data
folder, a password (so tests can check that it never reaches a log), stopped by its
PID at the end. ``redis_db`` (per test): the URL of an emptied database on it.

Without a redis-server binary (``apt-get install redis-server``, or
$NEWSCRAWL_REDIS_SERVER naming one) these tests skip with that reason -- except in
CI (CI=true), where they fail: CI installs the server and must run them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import redis

from .localservers import RedisServer, redis_server_binary, start_redis_server


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} -- CI must run the Redis tests (.ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="session", name="redis_server")
def redis_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    binary = redis_server_binary()
    if binary is None:
        _missing(
            "no redis-server binary (apt-get install redis-server, or $NEWSCRAWL_REDIS_SERVER)"
        )
    assert binary is not None
    server = start_redis_server(
        tmp_path_factory.mktemp("redis"), password="pw-" + secrets.token_hex(8), binary=binary
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(name="redis_db")
def redis_db_fixture(redis_server: RedisServer) -> Iterator[str]:
    url = redis_server.url(db=0)
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    yield url
