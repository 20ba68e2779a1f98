"""State that outlives a run: seen articles, body fingerprints, the near-duplicate
index and feed/sitemap validators.

Spiders and pipelines talk to :class:`StateStore` only; :class:`SQLiteStore` is the
default (one file, WAL; one transaction per group of articles, committed with the
feed's group fsync, so a run killed at any moment leaves a consistent store, and the
emit journal, storage/durable.py, restores what a killed run's last group had). A
Redis implementation can be added for distributed crawls without touching spiders or
pipelines.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem

from newscrawl.discovery.urls import canonical_key, url_key

SCHEMA_VERSION = 1


class ClaimLost(DropItem):
    """Dropped because another run emits the article: not "seen" by this run, so a
    record that run fails to write is fetched again later."""


class StateStoreFailed(DropItem):
    """The state store could not be written mid-run (disk full, I/O error): the item
    is not emitted and the run stops (exit STATE_CORRUPT, one ERROR line). Nothing is
    lost: what the run did not mark seen is fetched again by the next run."""

    def __init__(self, path: Path, detail: str, corrupt: bool = False) -> None:
        super().__init__(
            f"state store {path} is corrupt ({detail}): the run stops; move it aside "
            f"(mv {path} {path}.corrupt) to start a new store, or restore a backup"
            if corrupt
            else f"state store {path} cannot be written ({detail}): the run stops; "
            "articles it did not mark seen are fetched again by the next run",
            log_level="DEBUG",  # said once, by the store's on_failure; not once per item
        )


@dataclass(frozen=True)
class SeenArticle:
    url: str
    fetched_at: float  # unix time
    fingerprint: bytes | None


class StateStore(ABC):
    """What a crawl remembers between runs. Keys are :func:`newscrawl.discovery.urls.url_key`."""

    # Called once, with the first StateStoreFailed, so that the run can stop.
    on_failure: Callable[[StateStoreFailed], None] | None = None

    @abstractmethod
    def seen(self, key: str) -> SeenArticle | None: ...

    @abstractmethod
    def remember(
        self, key: str, url: str, fingerprint: bytes | None, signature: bytes | None
    ) -> int | None:
        """Mark an article seen, with its body fingerprint and near-duplicate signature.

        Returns the signature's row id (the near-duplicate index's key), if one was given.
        """

    @abstractmethod
    def fingerprint_owner(self, fingerprint: bytes) -> str | None:
        """URL of the first article whose body had this fingerprint."""

    @abstractmethod
    def signatures(self) -> Iterator[tuple[int, bytes]]:
        """(row id, signature) of every article in the near-duplicate index."""

    def recent_signatures(self, limit: int) -> Iterator[tuple[int, bytes]]:
        """The last ``limit`` signatures added, oldest first (the near-duplicate window).

        Stores without an ordered index read them all; the caller keeps the last ones.
        """
        return self.signatures()

    @abstractmethod
    def signature_owner(self, row: int) -> str | None: ...

    @abstractmethod
    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) last served for a feed or sitemap."""

    @abstractmethod
    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None: ...

    @abstractmethod
    def stats(self) -> dict[str, int]: ...

    @abstractmethod
    def forget(self, url: str) -> int:
        """Forget one article (it will be fetched again); returns rows removed."""

    @abstractmethod
    def prune(self, older_than: timedelta) -> int:
        """Forget articles fetched longer ago than ``older_than``; returns how many."""

    @abstractmethod
    def close(self) -> None: ...

    def batch(self) -> AbstractContextManager[None]:
        """The writes made inside, committed together (a store with transactions); each
        write is committed on its own by a store without (the default)."""
        return nullcontext()

    def group(self, records: int, seconds: float) -> None:
        """Let :meth:`batch` blocks share one transaction, committed once ``records``
        blocks or ``seconds`` have passed since it began, or by :meth:`commit_group`
        (a store without transactions: nothing to group)."""
        return None

    def commit_group(self) -> None:
        """Commit the open group of batches now, if any."""
        return None

    @property
    def grouping(self) -> bool:
        """A group's transaction is open: written, waiting for :meth:`commit_group`."""
        return False

    def claim(self, key: str) -> bool:
        """Claim the right to emit ``key`` in this run; False if another worker has it.

        Atomic in :class:`newscrawl.distributed.redisstore.RedisStore`; one process needs no claim.
        """
        return True

    def new_signatures(self) -> Iterator[tuple[int, bytes]]:
        """Signatures other processes added since this store was read (none here)."""
        return iter(())

    # Paragraphs of remembered articles (newscrawl.text.neardup.paragraph_keys), so that text
    # many articles share (a disclaimer) does not make them near duplicates. Kept in
    # memory for one run by stores without a table for them.
    _paragraphs: set[bytes] | None = None

    def known_paragraphs(self, keys: Sequence[bytes]) -> set[bytes]:
        """Those of ``keys`` that articles remembered before had."""
        if self._paragraphs is None:
            self._paragraphs = set()
        return self._paragraphs.intersection(keys)

    def add_paragraphs(self, keys: Sequence[bytes]) -> None:
        if self._paragraphs is None:
            self._paragraphs = set()
        self._paragraphs.update(keys)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    fingerprint BLOB
);
CREATE INDEX IF NOT EXISTS articles_fetched_at ON articles (fetched_at);
CREATE TABLE IF NOT EXISTS fingerprints (
    fingerprint BLOB PRIMARY KEY,
    key TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fingerprints_key ON fingerprints (key);
CREATE TABLE IF NOT EXISTS signatures (
    id INTEGER PRIMARY KEY,
    signature BLOB NOT NULL,
    key TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS signatures_key ON signatures (key);
CREATE TABLE IF NOT EXISTS paragraphs (
    key BLOB PRIMARY KEY,
    seen_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    run TEXT NOT NULL,
    pid INTEGER NOT NULL,
    claimed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    checked_at REAL NOT NULL
);
"""


class StateCorruptError(RuntimeError):
    """The state database exists but cannot be read; the message is one line that
    names the file and the way out (``scrapy crawl`` exits STATE_CORRUPT with it)."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"state store {path} is unreadable ({detail}): move it aside "
            f"(mv {path} {path}.corrupt) to start a new store, or restore a backup; "
            f"`scrapy state stats -s NEWSCRAWL_STATE_PATH={path}` checks it"
        )
        self.path = path


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    # SQLITE_CORRUPT (11) and SQLITE_NOTADB (26); extended codes keep them in the low byte.
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (11, 26)


_MAGIC = b"SQLite format 3\x00"


def _header_problem(path: Path) -> str | None:
    """What the file's 100-byte header says is wrong with it, or None.

    SQLite writes the database's size in pages into the header (valid when the
    "version-valid-for" number equals the change counter): a file shorter than that
    was cut (a failed copy, a full disk), which SQLite itself only notices when a
    query reaches a missing page, mid-run. With a write-ahead log beside the file,
    pages may still live in the log, so the size is not judged then.
    """
    with path.open("rb") as file:
        header = file.read(100)
    if len(header) < 100 or not header.startswith(_MAGIC):
        return "not a SQLite database: bad header"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if page_size < 512 or page_size & (page_size - 1):
        return f"not a SQLite database: page size {page_size}"
    wal = path.with_name(path.name + "-wal")
    if pages and header[24:28] == header[92:96] and not (wal.exists() and wal.stat().st_size):
        size = path.stat().st_size
        if size < pages * page_size:
            return f"truncated: {size} bytes, its header says {pages * page_size}"
    return None


def check_database(db: sqlite3.Connection, path: Path) -> None:
    """Raise StateCorruptError unless ``db`` looks like a readable SQLite database.

    Cheap whatever the store's size, as a run's start-up must be: the header (a SQLite
    file, as long as it says it is), the schema, and the first and last entry of each
    table and index (a B-tree descent each). ``PRAGMA quick_check`` read every page,
    ~1 s per GB twice per run; damage deeper in a file is met on first use instead,
    and a store read or write that fails stops the run with exit 10 (:meth:`_guarded`).
    """
    problem = _header_problem(path)
    if problem is not None:
        raise StateCorruptError(path, problem)
    try:
        names = db.execute(
            "SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"
        ).fetchall()
        for kind, name, table in names:
            if kind == "index":
                # A covering scan of the index alone, its first and last entries.
                columns = db.execute(f'PRAGMA index_info("{name}")').fetchall()
                if not columns or columns[0][2] is None:
                    continue
                column = f'"{columns[0][2]}"'
                for order in ("ASC", "DESC"):
                    db.execute(
                        f'SELECT {column} FROM "{table}" INDEXED BY "{name}" '
                        f"ORDER BY {column} {order} LIMIT 1"
                    ).fetchall()
            else:
                db.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()
                without_rowid = db.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = ? AND sql LIKE '%WITHOUT ROWID%'",
                    (name,),
                ).fetchone()
                if without_rowid is None:
                    db.execute(f'SELECT * FROM "{name}" ORDER BY rowid DESC LIMIT 1').fetchall()
    except sqlite3.DatabaseError as exc:
        if not _is_corruption(exc):
            raise
        raise StateCorruptError(path, str(exc)) from None


# A claim only has to outlive the moments between "I emit this" and "it is in my feed
# and marked seen"; one older than this is stale even if its pid was reused.
CLAIM_TTL = 3600.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


class SQLiteStore(StateStore):
    """The default store. Claims (:meth:`claim`) make "I emit this article" atomic
    between processes sharing the file (two spiders of one site, one store): a claim
    held by another live run, or an article another process stored since this run
    began, is refused. Claims are released when the run closes its store, when the
    article is forgotten (a record that never reached a feed), and when their run died.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # A 0-byte file is what a store looks like after a failed copy or a full disk:
        # opening it as a new store would re-emit every article, so it is refused;
        # deleting it is how a user says "start afresh".
        if not self.path.exists():
            _create_store(self.path)
        existed = self.path.is_file()
        if existed and self.path.stat().st_size == 0:
            raise StateCorruptError(self.path, "empty file, 0 bytes")
        # Autocommit mode; multi-statement writes use explicit transactions.
        self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        try:
            if existed:
                check_database(self.db, self.path)
            self.db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if _is_corruption(exc):
                raise StateCorruptError(self.path, str(exc)) from None
            raise  # cannot open or write (permissions, a directory): not corruption
        except StateCorruptError:
            self.db.close()
            raise
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise RuntimeError(f"{self.path}: state schema {version}, expected {SCHEMA_VERSION}")
        self.db.executescript(_SCHEMA)
        self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self.opened_at = time.time()
        self.run = f"{os.getpid()}:{self.opened_at}"
        self._claimed = False
        self._batching = False  # inside batch(): one transaction, the writes join it
        # Group commit (group()): batches share a transaction until one of the bounds.
        self._group_records, self._group_seconds = 1, 0.0
        self._grouped = 0  # batches in the open transaction
        self._group_began = 0.0
        self.failed: str | None = None  # why the store could not be written, once it could not
        self._guard_read, self._guard_write = _Guard(self, False), _Guard(self, True)
        self.closed = False

    def _guarded(self, write: bool = True) -> _Guard:
        """sqlite3 errors of the disk (full, I/O error, read-only) as StateStoreFailed.

        After the first failed write every later write is refused too: a store that
        lost one commit must not go on recording a run that no longer matches it.
        (A class, not a generator context manager: ~7 of them a record, at 1/4 the cost.)
        """
        return self._guard_write if write else self._guard_read

    def _failed(self, exc: sqlite3.DatabaseError) -> StateStoreFailed:
        first = self.failed is None
        name = getattr(exc, "sqlite_errorname", "")  # SQLITE_FULL, SQLITE_IOERR_WRITE...
        self.failed = self.failed or (f"{exc}, {name}" if name else str(exc))
        # Damage the cheap start-up check (check_database) did not reach.
        error = StateStoreFailed(self.path, self.failed, corrupt=_is_corruption(exc))
        if first and self.on_failure is not None:
            self.on_failure(error)
        return error

    def seen(self, key: str) -> SeenArticle | None:
        with self._guarded(write=False):
            row = self.db.execute(
                "SELECT url, fetched_at, fingerprint FROM articles WHERE key = ?", (key,)
            ).fetchone()
        return SeenArticle(row[0], row[1], row[2]) if row else None

    def remember(
        self, key: str, url: str, fingerprint: bytes | None, signature: bytes | None
    ) -> int | None:
        now = time.time()
        row: int | None = None
        with self._guarded(), self._transaction():
            self.db.execute(
                "INSERT INTO articles (key, url, fetched_at, fingerprint) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET url = excluded.url, "
                "fetched_at = excluded.fetched_at, "
                "fingerprint = coalesce(excluded.fingerprint, articles.fingerprint)",
                (key, url, now, fingerprint),
            )
            if fingerprint is not None:
                self.db.execute(
                    "INSERT OR IGNORE INTO fingerprints (fingerprint, key, url) VALUES (?, ?, ?)",
                    (fingerprint, key, url),
                )
            if signature is not None:
                cursor = self.db.execute(
                    "INSERT INTO signatures (signature, key, url) VALUES (?, ?, ?)",
                    (signature, key, url),
                )
                row = cursor.lastrowid
        return row

    def claim(self, key: str) -> bool:
        now = time.time()
        with self._guarded(), self._transaction():  # BEGIN IMMEDIATE: one writer at a time
            # The claim and the article, if any, in one statement.
            run, pid, claimed_at, fetched_at = self.db.execute(
                "SELECT c.run, c.pid, c.claimed_at, a.fetched_at FROM (SELECT ? AS key) AS k "
                "LEFT JOIN claims AS c ON c.key = k.key LEFT JOIN articles AS a ON a.key = k.key",
                (key,),
            ).fetchone()
            if run == self.run:
                return True
            if run is not None and now - claimed_at < CLAIM_TTL and _alive(int(pid)):
                return False  # another live run is emitting it
            if fetched_at is not None and fetched_at >= self.opened_at:
                return False  # another process emitted it after our own check
            self.db.execute(
                "INSERT OR REPLACE INTO claims (key, run, pid, claimed_at) VALUES (?, ?, ?, ?)",
                (key, self.run, os.getpid(), now),
            )
        self._claimed = True
        return True

    def release_claims(self) -> None:
        """This run's claims, and those of runs that died, are released."""
        held = self.db.execute("SELECT DISTINCT run, pid FROM claims").fetchall()
        stale = [(run,) for run, pid in held if run == self.run or not _alive(int(pid))]
        with self._guarded(), self._transaction():
            self.db.executemany("DELETE FROM claims WHERE run = ?", stale)
            self.db.execute("DELETE FROM claims WHERE claimed_at < ?", (time.time() - CLAIM_TTL,))

    def fingerprint_owner(self, fingerprint: bytes) -> str | None:
        with self._guarded(write=False):
            row = self.db.execute(
                "SELECT url FROM fingerprints WHERE fingerprint = ?", (fingerprint,)
            ).fetchone()
        return str(row[0]) if row else None

    def signatures(self) -> Iterator[tuple[int, bytes]]:
        with self._guarded(write=False):
            cursor = self.db.execute("SELECT id, signature FROM signatures ORDER BY id")
            for row_id, signature in cursor:
                yield int(row_id), bytes(signature)

    def recent_signatures(self, limit: int) -> Iterator[tuple[int, bytes]]:
        with self._guarded(write=False):  # by the id (rowid) index: limit rows read
            rows = self.db.execute(
                "SELECT id, signature FROM signatures ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        for row_id, signature in reversed(rows):
            yield int(row_id), bytes(signature)

    def signature_owner(self, row: int) -> str | None:
        with self._guarded(write=False):
            found = self.db.execute("SELECT url FROM signatures WHERE id = ?", (row,)).fetchone()
        return str(found[0]) if found else None

    def known_paragraphs(self, keys: Sequence[bytes]) -> set[bytes]:
        unique = list(dict.fromkeys(keys))
        found: set[bytes] = set()
        for start in range(0, len(unique), 500):  # old SQLites bind at most 999 parameters
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            with self._guarded(write=False):
                rows = self.db.execute(f"SELECT key FROM paragraphs WHERE key IN ({marks})", chunk)
                found.update(bytes(row[0]) for row in rows)
        return found

    def add_paragraphs(self, keys: Sequence[bytes]) -> None:
        now = time.time()
        with self._guarded(), self._transaction():
            self.db.executemany(
                "INSERT INTO paragraphs (key, seen_at) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET seen_at = excluded.seen_at",
                [(key, now) for key in keys],
            )

    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self._guarded(write=False):
            row = self.db.execute(
                "SELECT etag, last_modified FROM sources WHERE url = ?", (url,)
            ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self._guarded():
            self.db.execute(
                "INSERT OR REPLACE INTO sources (url, etag, last_modified, checked_at) "
                "VALUES (?, ?, ?, ?)",
                (url, etag, last_modified, time.time()),
            )

    def verify(self) -> None:
        """Every page read (``PRAGMA quick_check``): ``scrapy state stats`` checks a store
        this way, where the time it takes is asked for; a run's start-up does not."""
        try:
            result = self.db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise
            raise StateCorruptError(self.path, str(exc)) from None
        if result != "ok":
            raise StateCorruptError(self.path, str(result).splitlines()[0])

    def stats(self) -> dict[str, int]:
        with self._guarded(write=False):
            counts = {
                table: int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("articles", "fingerprints", "signatures", "sources")
            }
        counts["bytes"] = sum(
            p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file()
        )
        return counts

    def _forget_keys(self, where: str, args: tuple[Any, ...]) -> int:
        with self._guarded(), self._transaction():
            keys = [row[0] for row in self.db.execute(f"SELECT key FROM articles {where}", args)]
            for table in ("fingerprints", "signatures", "articles", "claims"):
                self.db.executemany(f"DELETE FROM {table} WHERE key = ?", [(k,) for k in keys])
        return len(keys)

    def forget(self, url: str) -> int:
        # Under its own key and as the canonical other pages named (pipelines._identity).
        return self._forget_keys("WHERE key IN (?, ?)", (url_key(url), canonical_key(url)))

    def prune(self, older_than: timedelta) -> int:
        cutoff = time.time() - older_than.total_seconds()
        self.db.execute("DELETE FROM paragraphs WHERE seen_at < ?", (cutoff,))
        return self._forget_keys("WHERE fetched_at < ?", (cutoff,))

    def close(self) -> None:
        try:
            if self.failed is None:
                self.commit_group()  # the last group
        except StateStoreFailed:
            pass  # said by on_failure; a killed run's journal settles the rest (recover())
        if self._claimed and self.failed is None:  # else: released as a dead run's, later
            self.release_claims()
        self.db.close()
        self.closed = True

    def group(self, records: int, seconds: float) -> None:
        self._group_records, self._group_seconds = max(1, records), max(0.0, seconds)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction for every write inside (the deduplicate pipeline's claim,
        remember and paragraphs of one record), and with :meth:`group` for those of the
        next records too: a commit writes every page it changed to the WAL, and the
        records of a group share their tables' inner pages. Committed when the block
        ends (an item drop too: what was written stands) and the group is full or old,
        else by :meth:`commit_group` (the feed's group fsync: storage/durable.py) or
        :meth:`close`; rolled back, the whole group, when the store itself failed (the
        emit journal restores the group's records that reached the feed). Nested: the
        outermost one counts."""
        if self._batching:
            yield
            return
        if not self.db.in_transaction:
            with self._guarded():
                self.db.execute("BEGIN IMMEDIATE")
            self._grouped, self._group_began = 0, time.monotonic()
        self._batching = True
        try:
            yield
        except StateStoreFailed:
            self._batching = False
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the failure that brought us here is the one to report
            raise
        except BaseException:
            self._batching = False
            self._commit_if_due()
            raise
        self._batching = False
        self._commit_if_due()

    def _commit_if_due(self) -> None:
        self._grouped += 1
        if (
            self._grouped >= self._group_records
            or time.monotonic() - self._group_began >= self._group_seconds
        ):
            self.commit_group()

    def commit_group(self) -> None:
        if self.closed:
            return  # committed by close(): a feed stored after the spider closed asks again
        with self._guarded():  # a failed store refuses: what it rolled back is not seen
            if self.db.in_transaction and not self._batching:
                self.db.execute("COMMIT")

    @property
    def grouping(self) -> bool:
        """A group's transaction is open (written, not yet committed)."""
        return not self.closed and self.db.in_transaction and not self._batching

    def _transaction(self) -> AbstractContextManager[None]:
        # Inside a batch or an open group: the writes join it (committed with it).
        return nullcontext() if self._batching or self.db.in_transaction else _Transaction(self.db)


def _create_store(path: Path) -> None:
    """A new store appears whole: built under a temporary name, then linked into place.

    ``sqlite3.connect`` leaves a 0-byte file until its first write, and a 0-byte store
    is refused as damaged: two runs starting at once on a new store must not see that.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.new")
    try:  # whatever fails (a full disk), the temporary files go: no junk beside the store
        db = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        finally:
            db.close()  # checkpoints: everything is in the main file now
        try:
            os.link(tmp, path)  # never replaces a store another process made meanwhile
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: a rename, nearly as safe
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)


class _Guard:
    """SQLiteStore._guarded's context manager."""

    def __init__(self, store: SQLiteStore, write: bool) -> None:
        self.store, self.write = store, write

    def __enter__(self) -> None:
        if self.write and self.store.failed is not None:
            raise StateStoreFailed(self.store.path, self.store.failed)

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if isinstance(value, (sqlite3.IntegrityError, sqlite3.ProgrammingError)):
            return  # a bug in our SQL, not the disk: the traceback is wanted
        if isinstance(value, sqlite3.DatabaseError):
            raise self.store._failed(value) from None


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """'90d', '12h', '2w' ...

    >>> parse_duration("90d")
    datetime.timedelta(days=90)
    """
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"duration like 90d, 12h or 2w expected, got {text!r}")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    return timedelta(**{unit[match.group(2)]: int(match.group(1))})
