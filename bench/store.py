"""The SQLite state store at scale: open time, lookups and inserts, size on disk.

    python bench/store.py [--sizes 10000 1000000] [--ops 20000]

For each size, a store of that many seen articles (each with its URL, body fingerprint
and near-duplicate signature, as a crawl leaves them) is built in a temp folder, then:

* open: ``SQLiteStore(path)`` and close, as a run's start-up does (twice: the
  preflight check and the pipeline), median of 5; beside it, in the same run, the
  baseline: the same open plus ``PRAGMA quick_check``, the check opening did before;
* lookups/s: ``seen(key)`` on ``--ops`` keys, half stored, half not (discovery asks
  this for every URL it finds);
* inserts/s: ``remember(key, url, fingerprint, signature)`` on ``--ops`` new
  articles, in groups of 64 per transaction (the pipeline's path: ``batch()`` with
  ``group(64, ...)``, as the feed's group fsync), beside one transaction each (the
  path before, the baseline);
* index load: ``recent_signatures(200,000)``, the window the pipeline's near-duplicate
  index reads on the first item (bounded whatever the store's size), beside
  ``signatures()`` read whole (what it read before: grows with the store);
* size on disk (file + WAL).

Every figure is printed per size, so the 10k and 1M rows compare in one run.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.discovery.urls import url_key
from newscrawl.storage.state import SQLiteStore

ORIGIN = "https://www.example-news.com"
WINDOW = 200_000  # NEWSCRAWL_NEAR_DUPLICATE_WINDOW's default


def url(number: int) -> str:
    return f"{ORIGIN}/ar/news/{number:08d}/story-of-the-day-{number % 977}"


def build(path: Path, size: int) -> None:
    """``size`` articles, in transactions of 50,000 (as many runs would have left them)."""
    SQLiteStore(path).close()  # the schema, as a crawl creates it
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    rng = random.Random(size)
    now = time.time()
    for start in range(0, size, 50_000):
        numbers = range(start, min(size, start + 50_000))
        rows = [(url_key(url(n)), url(n), rng.randbytes(16), rng.randbytes(72)) for n in numbers]
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO articles (key, url, fetched_at, fingerprint) VALUES (?, ?, ?, ?)",
            [(key, u, now, fp) for key, u, fp, _ in rows],
        )
        db.executemany(
            "INSERT INTO fingerprints (fingerprint, key, url) VALUES (?, ?, ?)",
            [(fp, key, u) for key, u, fp, _ in rows],
        )
        db.executemany(
            "INSERT INTO signatures (signature, key, url) VALUES (?, ?, ?)",
            [(sig, key, u) for key, u, _, sig in rows],
        )
        db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def timed(action: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(folder: Path, size: int, ops: int) -> dict[str, float]:
    path = folder / f"state-{size}.sqlite3"
    started = time.perf_counter()
    build(path, size)
    built = time.perf_counter() - started
    disk = sum(p.stat().st_size for p in folder.glob(path.name + "*"))

    def open_close() -> None:
        SQLiteStore(path).close()

    def open_quick_check() -> None:  # the baseline: what opening did before
        store = SQLiteStore(path)
        store.db.execute("PRAGMA quick_check").fetchone()
        store.close()

    opened = timed(open_close)
    checked = timed(open_quick_check)

    rng = random.Random(1)
    keys = [url_key(url(rng.randrange(size))) for _ in range(ops // 2)]
    keys += [url_key(url(size + rng.randrange(10 * size))) for _ in range(ops - len(keys))]
    rng.shuffle(keys)
    store = SQLiteStore(path)
    started = time.perf_counter()
    found = sum(store.seen(key) is not None for key in keys)
    lookups = ops / (time.perf_counter() - started)
    assert found >= ops // 2, found

    def insert(first: int) -> float:
        started = time.perf_counter()
        for number in range(first, first + ops):
            with store.batch():
                store.remember(
                    url_key(url(number)), url(number), rng.randbytes(16), rng.randbytes(72)
                )
        store.commit_group()
        return ops / (time.perf_counter() - started)

    single = insert(11 * size)  # the baseline: one transaction a record
    store.group(64, 0.2)
    inserts = insert(11 * size + ops)

    started = time.perf_counter()
    loaded = sum(1 for _ in store.signatures())
    index_load = time.perf_counter() - started
    started = time.perf_counter()
    window = sum(1 for _ in store.recent_signatures(WINDOW))
    window_load = time.perf_counter() - started
    store.close()
    print(
        f"{size:>9,} articles: built in {built:.1f} s, {disk / 1e6:,.1f} MB on disk; "
        f"open {opened * 1000:.1f} ms (baseline open + quick_check {checked * 1000:.1f} ms, "
        f"x{checked / opened:.1f}); seen() {lookups:,.0f} lookups/s; "
        f"remember() {inserts:,.0f} inserts/s grouped (baseline one per transaction "
        f"{single:,.0f}, x{inserts / single:.1f}); recent_signatures() {window_load:.2f} s "
        f"({window:,}; baseline signatures() read whole {index_load:.2f} s, {loaded:,})",
        flush=True,
    )
    path.unlink()
    for extra in folder.glob(path.name + "-*"):
        extra.unlink()
    return {
        "open": opened, "checked": checked, "lookups": lookups, "inserts": inserts,
        "window": window_load, "whole": index_load,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--ops", type=int, default=20_000)
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        results = {size: measure(Path(folder), size, args.ops) for size in args.sizes}
    small, large = min(results), max(results)
    if small != large:
        a, b = results[small], results[large]
        print(
            f"{large:,} vs {small:,}: open x{b['open'] / a['open']:.2f} "
            f"(baseline with quick_check x{b['checked'] / a['checked']:.2f}), "
            f"lookups/s x{b['lookups'] / a['lookups']:.2f}, "
            f"inserts/s x{b['inserts'] / a['inserts']:.2f}, "
            f"index load x{b['window'] / a['window']:.2f} "
            f"(baseline, whole: x{b['whole'] / a['whole']:.2f})"
        )


if __name__ == "__main__":
    main()
