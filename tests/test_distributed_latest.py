"""A distributed run has one `latest`: the feeds of all its workers that hold records,
not whichever worker finished last (often one with nothing left to do)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.redis_server import redis_db_fixture, redis_server_fixture  # noqa: F401
from tests.test_distributed import finish, log_of, records, scrapy_crawl

from .localservers import generate_site, start_site_server


def test_one_latest_lists_the_worker_feeds_of_the_run(redis_db: str, tmp_path: Path) -> None:
    root = tmp_path / "site"
    generate_site(root, 40)
    server = start_site_server(root, delay=0.0, jitter=0.0)
    out = tmp_path / "out"
    out.mkdir()
    try:
        seed = out / "seed.jsonl"
        code = finish(scrapy_crawl(redis_db, server.origin, seed, "-a", "role=seed"))
        assert code == 0, log_of(seed)
        workers = [out / "w1.jsonl", out / "w2.jsonl"]
        running = [scrapy_crawl(redis_db, server.origin, w, "-a", "role=worker") for w in workers]
        assert [finish(p) for p in running] == [0, 0], [log_of(w) for w in workers]
        # A worker started after the queue is drained: exit 0, an empty feed.
        late = out / "w3.jsonl"
        code = finish(scrapy_crawl(redis_db, server.origin, late, "-a", "role=worker", idle=1))
        assert code == 0, log_of(late)
    finally:
        server.stop()
    assert records(seed) == [] and records(late) == []
    emitted = [w for w in workers if records(w)]
    assert sum(len(records(w)) for w in workers) == 40
    latest: dict[str, Any] = json.loads((out / "latest").read_text("utf-8"))
    assert sorted(latest["feeds"]) == sorted(str(w.resolve()) for w in emitted)
    assert latest["feed"] in latest["feeds"] and len(latest["reports"]) == len(emitted)
    assert latest["run"].startswith("1@")
