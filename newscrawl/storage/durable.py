"""Crash-safe runs: every article lands in a feed exactly once, even across SIGKILL.

Three pieces, each closing one way a killed run used to lose or repeat articles:

``DurableFileFeedStorage`` (FEED_STORAGES ``file``)
    A local feed file written with no user-space buffer: each record is one
    ``write(2)``, so a record the run emitted is in the file when the process dies,
    whatever kills it. With ``NEWSCRAWL_FEED_FSYNC`` (the default) the file is fsynced
    in groups, every ``NEWSCRAWL_FEED_FSYNC_RECORDS`` records or
    ``NEWSCRAWL_FEED_FSYNC_MS`` (storage/feeds.py), and a record is confirmed to the
    journal only after the fsync that covers it; a kill before that leaves it
    unconfirmed, and the next start finds it in the file (kept seen, not emitted again).
    A killed run's feed may end in a cut line only if the kernel cut a write
    (power loss); :func:`repair_tail` trims such a line on the next start.

``EmitJournal`` (extension)
    The deduplicate pipeline marks an article seen in the state store *before* the
    feed exporter writes it; a kill between the two used to lose the article (seen,
    so never fetched again, but in no feed). Now the pipeline first appends the
    article's key to a journal (``<state path>.<spider>.journal``) and the journal
    notes when the feed write is done. On the next start, a key the killed run
    journaled but never finished is looked up in that run's feed files: found, it
    stays seen; missing, it is forgotten in the store (``newscrawl/resume/forgotten``)
    and fetched again. So "seen" always means "in a feed". Not used in distributed
    crawls (NEWSCRAWL_REDIS_URL), which have their own claims.

``JobdirGuard`` (extension)
    Scrapy keeps a ``JOBDIR``'s queue state (``active.json``) and pending writes of
    its ``requests.seen`` only on a clean close. After SIGKILL the two disagree: the
    seen file lists feeds and sitemaps whose queued articles died with the process,
    so a resume would filter the rediscovery that could find them again. A marker
    file says a run is using the directory; finding it at start means the last run
    died, and the directory's queue and seen file are moved aside
    (``crashed-<time>/``, ``newscrawl/resume/unclean_jobdir``). Discovery then runs
    afresh and the state store skips what the killed run emitted. A run stopped with
    SIGTERM/SIGINT closes cleanly and resumes from its queue, as Scrapy intends.

Feed and sitemap validators (ETag, Last-Modified) are kept only by a run that
finished (NewsSpider.closed), so a resumed run reads its sources in full again.

The guarantee is exactly once across the death of the process (SIGKILL, the OOM
killer, a crash). Power loss is another matter: the feed keeps every record it
fsynced, but the state store (SQLite in WAL mode, ``synchronous=NORMAL``) may lose
its last commits, so an article can then be fetched and emitted again.
"""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import shutil
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter, FileFeedStorage

from newscrawl.discovery.urls import canonical_key, url_key
from newscrawl.distributed.config import redis_url
from newscrawl.stats import FEED_FAILED, LOCKED, UNWRITTEN, inc
from newscrawl.storage.state import StateStore, StateStoreFailed
from newscrawl.storage.stores import STATE_FAILED, store_for

logger = logging.getLogger(__name__)

RUNNING_MARKER = "newscrawl.running"


class DurableFile(io.FileIO):
    """An unbuffered binary file: every write(data) reaches the kernel whole, then fsync
    (``fsync``), or later, in a group (``sync_later``: the feed exporter calls
    :meth:`sync` every N records or T ms; :meth:`close` syncs what is left)."""

    fsync = True
    sync_later = False
    dirty = False  # written since the last sync

    def sync(self) -> None:
        if self.dirty:
            os.fsync(self.fileno())
            self.dirty = False

    def close(self) -> None:
        if self.sync_later and not self.closed:
            self.sync()
        super().close()

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        start = os.lseek(self.fileno(), 0, os.SEEK_CUR)
        written = 0
        try:
            while written < len(view):
                count = super().write(view[written:])
                written += count or 0
            if self.fsync and written:
                os.fsync(self.fileno())
            elif written:
                self.dirty = True
        except OSError:
            # Disk full (ENOSPC), file too large (EFBIG), I/O error: the kernel may have
            # taken part of the record. Cut it off, so the feed never ends in a torn line.
            if written:
                os.ftruncate(self.fileno(), start)
                os.lseek(self.fileno(), start, os.SEEK_SET)
            raise
        return written


class DurableFileFeedStorage(FileFeedStorage):
    def __init__(
        self,
        uri: str,
        *,
        feed_options: dict[str, Any] | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler
        self.fsync = crawler.settings.getbool("NEWSCRAWL_FEED_FSYNC", True) if crawler else True
        # Group commit (storage/feeds.py): one fsync per N records, not one per record.
        group = crawler.settings.getint("NEWSCRAWL_FEED_FSYNC_RECORDS", 1) if crawler else 1
        self.group_commit = self.fsync and group > 1

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> DurableFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> DurableFile:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = DurableFile(path, "wb" if self.write_mode == "wb" else "ab")
        handle.fsync = self.fsync and not self.group_commit
        handle.sync_later = self.group_commit
        if self.crawler is not None and (journal := _JOURNALS.get(self.crawler)) is not None:
            journal.feed_opened(path.resolve())
        return handle


def repair_tail(path: Path) -> bool:
    """Cut a partial last line (no newline) off a feed file; True if there was one."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size == 0:
        return False
    with path.open("rb+") as handle:
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return False
        chunk = min(size, 1 << 20)
        handle.seek(size - chunk)
        tail = handle.read(chunk)
        cut = tail.rfind(b"\n")
        handle.truncate(size - chunk + cut + 1 if cut >= 0 else 0)
    return True


def _feed_urls(path: Path) -> set[str]:
    found: set[str] = set()
    try:
        with path.open("rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    for key in ("url", "canonical_url"):
                        if isinstance(record.get(key), str):
                            found.add(url_key(record[key]))
                    if isinstance(record.get("canonical_url"), str):  # pipelines._identity
                        found.add(canonical_key(record["canonical_url"]))
    except OSError:
        pass
    return found


@dataclass
class _Pending:
    """An article marked seen whose record is not yet confirmed in every feed."""

    key: str
    urls: list[str]
    item: Any = None  # held, so id(item) stays its own, until the exporter has written it
    waits: set[int] = field(default_factory=set)  # ids of feed slots still to be stored


class EmitJournal:
    """Seen means "in every feed": a write-ahead journal plus the ledger of records
    not yet confirmed written (see the module doc).

    The deduplicate pipeline marks an article seen through :func:`remember_emitted`,
    which journals it first and keeps it pending. The feed exporter
    (:class:`newscrawl.storage.feeds.CheckedFeedExporter`) confirms it once every feed holds
    the record: at once for an unbuffered local JSON-lines file, after the upload or
    close of its file (batch) for any other storage or a compressed feed. A record a
    feed failed to take, or still pending at the end of the run, is forgotten in the
    store (``newscrawl/output/unwritten``), so the next run fetches it again.
    """

    def __init__(self, crawler: Crawler, journal_file: bool = True) -> None:
        self.crawler = crawler
        self.journal_file = journal_file
        self.path: Path | None = None
        self.handle: DurableFile | None = None
        self.feeds: list[Path] = []
        self.pending: dict[int, _Pending] = {}  # id(item) -> entry, until written
        self.awaiting: list[_Pending] = []  # written, until their feed files are stored
        self.feed_exporter: Any = None  # a CheckedFeedExporter registers itself here
        self.settled = False
        self.warned_plain_exporter = False
        self.on_complete: list[Callable[[], None]] = []  # run once every record is written
        # The state store's group commit (pipelines.DeduplicatePipeline): run before a
        # record is noted done, so "done" implies its seen mark is committed; False: the
        # store failed, and the record stays undone for the next run's recover().
        self.commit_seen: Callable[[], bool] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EmitJournal:
        settings = crawler.settings
        # Distributed crawls keep the ledger but not the journal file: they have claims.
        journal_file = settings.getbool("NEWSCRAWL_EMIT_JOURNAL", True) and not redis_url(settings)
        journal = cls(crawler, journal_file)
        _JOURNALS[crawler] = journal
        crawler.signals.connect(journal.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(journal.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(journal.item_scraped, signal=signals.item_scraped)
        return journal

    def _write(self, entry: dict[str, Any]) -> None:
        if self.handle is not None:
            self.handle.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))

    # -- start: settle what a killed run left ------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        stats = self.crawler.stats
        if stats is not None and stats.get_value(LOCKED):
            return  # another run holds the crawl lock: its journal is not ours to settle
        if not self.journal_file:
            return
        state = Path(self.crawler.settings.get("NEWSCRAWL_STATE_PATH", ".newscrawl/state.sqlite3"))
        self.path = state.with_name(f"{state.name}.{spider.name}.journal")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self.recover(self.path)
        self.handle = DurableFile(self.path, "wb")
        self.handle.fsync = False  # write(2) outlives the process; see "power loss" above

    def recover(self, path: Path) -> None:
        intents: dict[str, list[str]] = {}
        marks: dict[str, dict[str, Any]] = {}
        feeds: list[Path] = []
        for line in path.read_bytes().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut by the kill: its write never finished
            if "feed" in entry:
                feeds.append(Path(entry["feed"]))
            elif "emit" in entry:
                intents[entry["emit"]] = entry.get("urls", [])
                marks[entry["emit"]] = entry
            elif "done" in entry:
                intents.pop(entry["done"], None)
        if not intents:
            return
        in_feeds: set[str] = set()
        for feed in feeds:
            if repair_tail(feed):
                logger.warning("Cut the partial last record off %s (the run was killed)", feed)
            in_feeds |= _feed_urls(feed)
        store = store_for(self.crawler)
        lost, restored = [], 0
        for key, urls in intents.items():
            if key in in_feeds:
                restored += _restore_seen(store, key, urls, marks[key])
                continue
            lost.append(urls[0] if urls else key)
            for url in urls:
                store.forget(url)
        inc(self.crawler, "newscrawl/resume/checked", len(intents))
        if restored:  # the killed run's last store group, lost with it; the feed has them
            inc(self.crawler, "newscrawl/resume/restored", restored)
            logger.info("Marked %d article(s) seen that the last run wrote to its feed but was "
                        "killed before its state store committed them", restored)  # fmt: skip
        if lost:
            inc(self.crawler, "newscrawl/resume/forgotten", len(lost))
            logger.warning(
                "The last run was killed after marking %d article(s) seen but before its feed "
                "had them; forgotten, so this run fetches them again: %s",
                len(lost), ", ".join(lost[:10]) + (" ..." if len(lost) > 10 else ""),
            )  # fmt: skip

    # -- during the run ----------------------------------------------------------------

    def feed_opened(self, path: Path) -> None:
        if path not in self.feeds:
            self.feeds.append(path)
            self._write({"feed": str(path)})

    def emitting(
        self, key: str, *urls: str, item: Any = None, marks: dict[str, str] | None = None
    ) -> None:
        """Called by the deduplicate pipeline just before it marks ``key`` seen;
        ``marks``: what it stores for the record (hex keys: :func:`_restore_seen`)."""
        unique = list(dict.fromkeys(u for u in urls if u))
        if item is not None:
            self.pending[id(item)] = _Pending(key, unique, item)
        self._write({"emit": key, "urls": unique, **(marks or {})})

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if self.feed_exporter is not None:
            return  # it confirms each record itself
        if not self.crawler.settings.getdict("FEEDS"):
            self.written(item)  # no feed configured: nothing to wait for
        elif feed_exporter_active(self.crawler):
            # Scrapy's own FeedExporter (EXTENSIONS replaced on the command line): it
            # has written the record by now, as far as anyone can tell (old behaviour).
            if not self.warned_plain_exporter:
                self.warned_plain_exporter = True
                logger.warning(
                    "Scrapy's FeedExporter is in use, not "
                    "newscrawl.storage.feeds.CheckedFeedExporter: "
                    "a feed that fails is not noticed and its records count as written"
                )
            self.written(item)
        # else: the feed exporter is disabled (a feed it cannot use): nothing is written,
        # so nothing is confirmed, and settle() forgets every record at the end.

    def written(self, item: Any, waits: set[int] | None = None) -> None:
        """Every feed took the record; those in ``waits`` still have to store it."""
        entry = self.pending.pop(id(item), None)
        if entry is None:
            return
        entry.item = None  # an S3 feed may wait the whole run: keep only key and URLs
        entry.waits = set(waits or ())
        if entry.waits:
            self.awaiting.append(entry)
        else:
            self._confirm(entry)

    def not_written(self, item: Any) -> None:
        """A feed failed to take the record: not seen after all."""
        entry = self.pending.pop(id(item), None)
        if entry is not None:
            self._fail(entry)

    def slot_stored(self, slot_id: int, ok: bool) -> None:
        """A feed file (batch) was stored (uploaded, closed) or failed to be."""
        still = []
        for entry in self.awaiting:
            if slot_id in entry.waits:
                entry.waits.discard(slot_id)
                if not ok:
                    self._fail(entry)
                    continue
                if not entry.waits:
                    self._confirm(entry)
                    continue
            still.append(entry)
        self.awaiting = still

    def _confirm(self, entry: _Pending) -> None:
        self._done(entry.key)

    def _done(self, key: str) -> None:
        if self.commit_seen is not None and not self.commit_seen():
            return  # not committed: the next run's recover() settles it from the feeds
        self._write({"done": key})

    def _fail(self, entry: _Pending) -> None:
        inc(self.crawler, UNWRITTEN)
        try:  # the store may be gone too (closed at spider close, Redis down)
            store = store_for(self.crawler)
            for url in entry.urls:
                store.forget(url)
        except Exception as error:  # the store's own disk may be full too
            inc(self.crawler, "newscrawl/output/forget_failed")
            logger.error("Could not forget %s in the state store (%s): %s; the journal keeps "
                         "it for the next run", entry.key, type(error).__name__, error)  # fmt: skip
            return  # no "done": the next run's recover() forgets what its feeds lack
        self._done(entry.key)

    def settle(self) -> None:
        """End of run: whatever no feed confirmed is not seen; the journal is done."""
        if self.settled:
            return
        self.settled = True
        lost = [*self.pending.values(), *self.awaiting]
        self.pending, self.awaiting = {}, []
        if self.crawler.stats is not None and self.crawler.stats.get_value(STATE_FAILED):
            # The store cannot be written, so nothing can be forgotten in it: the journal
            # is kept, and the next run forgets what its feeds lack (recover()).
            if self.handle is not None:
                self.handle.close()
                self.handle = None
            return
        for entry in lost:
            self._fail(entry)
        if self.complete():
            for callback in self.on_complete:
                callback()
        self.on_complete.clear()
        if lost:
            logger.error(
                "%d record(s) never reached every feed; not marked seen, the next run "
                "fetches them again (newscrawl/output/unwritten): %s",
                len(lost), ", ".join(e.urls[0] if e.urls else e.key for e in lost[:5])
                + (" ..." if len(lost) > 5 else ""),
            )  # fmt: skip
        if self.handle is None or self.path is None:
            return
        self.handle.close()
        self.handle = None
        self.path.unlink(missing_ok=True)

    def complete(self) -> bool:
        """No feed failed and every record reached every feed (so far)."""
        stats = self.crawler.stats
        if stats is None:
            return True
        failed = stats.get_value(FEED_FAILED, 0)
        return not failed and not stats.get_value(UNWRITTEN, 0)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.feed_exporter is None:  # otherwise it settles once its feeds are stored
            self.settle()


_JOURNALS: weakref.WeakKeyDictionary[Crawler, EmitJournal] = weakref.WeakKeyDictionary()


def feed_exporter_active(crawler: Crawler) -> bool:
    """Whether a feed exporter (Scrapy's or ours) runs in this crawl."""
    manager = getattr(crawler, "_extensions", None)
    return any(isinstance(m, FeedExporter) for m in getattr(manager, "middlewares", ()))


def ledger(crawler: Crawler | None) -> EmitJournal | None:
    return _JOURNALS.get(crawler) if crawler is not None else None


def when_output_complete(crawler: Crawler, callback: Callable[[], None]) -> None:
    """Run ``callback`` once every feed is stored with all its records; never if not.

    For what a run may only keep when nothing it emitted is lost: the feed and sitemap
    validators (a failed run must read its sources in full again next time).
    """
    journal = ledger(crawler)
    if journal is None or journal.settled:
        if journal is None or journal.complete():
            callback()
        return
    journal.on_complete.append(callback)


def emitting(crawler: Crawler | None, key: str, *urls: str) -> None:
    """Journal an article about to be marked seen (no-op without the journal)."""
    journal = ledger(crawler)
    if journal is not None:
        journal.emitting(key, *urls)


def remember_emitted(
    crawler: Crawler | None,
    store: StateStore,
    item: Any,
    key: str,
    canonical: str,
    url: str,
    fingerprint: bytes,
    signature: bytes | None,
) -> int | None:
    """Mark an emitted article seen, pending until every feed holds its record.

    Journaled first (crash-safe); forgotten again if a feed fails to take it. Returns
    the store's row id for the near-duplicate signature, as ``remember`` does.
    """
    journal = ledger(crawler)
    if journal is not None:
        marks = {"fp": fingerprint.hex()} | ({"sig": signature.hex()} if signature else {})
        journal.emitting(key, canonical, url, item=item, marks=marks)
    try:
        row = store.remember(key, canonical, fingerprint, signature)
        if url_key(url) != key:
            store.remember(url_key(url), url, None, None)
    except StateStoreFailed:  # the item is dropped: no record to wait for (journal kept)
        if journal is not None:
            journal.pending.pop(id(item), None)
        raise
    return row


def _restore_seen(store: StateStore, key: str, urls: list[str], mark: dict[str, Any]) -> bool:
    """A killed run's record that is in its feed: seen, as that run's state store group
    would have said had it been committed (groups commit with the feed's fsync; the
    kill came first). ``mark``: the journal's emit entry (:func:`remember_emitted`)."""
    seen = store.seen(key)
    if (seen is not None and seen.fingerprint is not None) or "fp" not in mark or not urls:
        return False
    signature = bytes.fromhex(mark["sig"]) if "sig" in mark else None
    store.remember(key, urls[0], bytes.fromhex(mark["fp"]), signature)
    for url in urls[1:]:
        if url_key(url) != key:
            store.remember(url_key(url), url, None, None)
    return True


class JobdirGuard:
    """Moves a JOBDIR's queue aside when the run that used it did not close cleanly.

    The marker is flocked while a run uses the directory: the kernel drops the lock
    when the process dies, so a marker with a pid in it and no lock on it is the
    trace of a killed run, and a locked one is a live run (left alone: the crawl
    lock stops this one).
    """

    def __init__(self, crawler: Crawler, jobdir: Path) -> None:
        self.crawler = crawler
        self.jobdir = jobdir
        self.marker = jobdir / RUNNING_MARKER
        self.moved_aside: Path | None = None
        self.handle: TextIO | None = None
        jobdir.mkdir(parents=True, exist_ok=True)
        handle = self.marker.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return  # another live run uses this JOBDIR
        handle.seek(0)
        holder = handle.read().strip()
        if holder:
            self.moved_aside = self.quarantine(holder)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self.handle = handle
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobdirGuard:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured
        return cls(crawler, Path(jobdir))

    def quarantine(self, holder: str) -> Path:
        aside = self.jobdir / time.strftime("crashed-%Y%m%dT%H%M%S")
        aside.mkdir(parents=True, exist_ok=True)
        for name in ("requests.queue", "requests.seen"):
            if (self.jobdir / name).exists():
                shutil.move(str(self.jobdir / name), str(aside / name))
        logger.warning(
            "JOBDIR %s was left by a run that did not close (%s): its queue cannot be "
            "trusted, moved to %s; discovery starts afresh and the state store skips the "
            "articles that run emitted", self.jobdir, holder, aside,
        )  # fmt: skip
        return aside

    def spider_opened(self, spider: Spider) -> None:
        if self.moved_aside is not None and self.crawler.stats is not None:
            inc(self.crawler, "newscrawl/resume/unclean_jobdir")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # The scheduler has written its queue state by now (it closes before this signal).
        if self.handle is not None:
            self.handle.truncate(0)
            self.marker.unlink(missing_ok=True)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
