"""Feeds that cannot lose a record quietly.

``feed_problem`` runs before a crawl starts (``scrapy crawl``): a feed whose format,
storage scheme or path cannot work (unknown format, ``s3://`` without boto3, a path
that cannot be created) is a usage error, one line and exit 2, before the first
request. Scrapy itself only logs such a feed and crawls on without it.

``CheckedFeedExporter`` replaces Scrapy's FeedExporter. It writes each record to
every feed on its own, so one failing feed neither hides the error (Scrapy logs a
traceback per item and goes on) nor keeps the others from their record, and it tells
the emit ledger (:class:`newscrawl.storage.durable.EmitJournal`) when a record is durably in
every feed: at once for an unbuffered local JSON-lines file, else when the file (or
batch) holding it was stored. The first failure stops the run (finish reason
``output_failed``, exit code 9); records that did not reach every feed are not
marked seen, so the next run fetches them again.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import (
    FeedExporter,
    FeedSlot,
    FileFeedStorage,
    apply_uri_params,
)
from scrapy.utils.asyncio import CallLaterResult, call_later, is_asyncio_available
from scrapy.utils.conf import feed_complete_default_values_from_settings
from scrapy.utils.defer import deferred_from_coro, ensure_awaitable
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.python import without_none_values
from twisted.internet.defer import Deferred, DeferredList

from newscrawl.items import Article
from newscrawl.stats import FEED_FAILED, inc
from newscrawl.storage.durable import DurableFile, ledger
from newscrawl.storage.names import URI_PARAMS, utc_stamp

logger = logging.getLogger(__name__)

# Exporters that write each record whole in one write() call: with an unbuffered
# file, a record is in the file as soon as export_item returns.
LINE_FORMATS = frozenset({"jsonlines", "jsonl", "jl", "json"})

# What to install when a storage scheme's library is missing.
INSTALL_HINTS = {
    "s3": "pip install 'newscrawl[s3]'",
    "gs": "pip install google-cloud-storage",
}


# Feed formats whose exporter needs an optional library: (module, how to install it).
FORMAT_NEEDS = {"parquet": ("pyarrow", "pip install 'newscrawl[parquet]'")}


class _Params(dict[str, Any]):
    """URI parameters for a check before the spider exists: unknown ones are a stand-in."""

    def __missing__(self, key: str) -> str:
        return "x"


def feed_problem(crawler: Crawler, spider_args: dict[str, Any] | None = None) -> str | None:
    """Why a configured feed cannot be written, in one line; None if every one can."""
    settings = crawler.settings
    storages = without_none_values(settings.getwithbase("FEED_STORAGES"))
    exporters = without_none_values(settings.getwithbase("FEED_EXPORTERS"))
    for raw_uri, raw_options in settings.getdict("FEEDS").items():
        uri = str(raw_uri.absolute()) if isinstance(raw_uri, Path) else str(raw_uri)
        options = feed_complete_default_values_from_settings(dict(raw_options or {}), settings)
        format_ = options.get("format")
        if not format_ or format_ not in exporters:
            known = ", ".join(sorted(exporters))
            return f"feed {uri}: unknown format {format_!r} (one of: {known})"
        module, install = FORMAT_NEEDS.get(format_, ("", ""))
        if module and importlib.util.find_spec(module) is None:
            return f"feed {uri}: {format_} feeds need {module}; install it with {install}"
        scheme = urlparse(uri).scheme
        if scheme not in storages:
            return f"feed {uri}: no storage for the scheme {scheme!r} (one of: " + ", ".join(
                sorted(s or "a path" for s in storages)
            ) + ")"  # fmt: skip
        try:
            cls = load_object(storages[scheme])
            storage = build_from_crawler(cls, crawler, uri, feed_options=options)
        except NotConfigured as error:
            hint = INSTALL_HINTS.get(scheme, "")
            why = str(error) or "storage disabled"
            return f"feed {uri}: {scheme}:// feeds unavailable ({why})" + (
                f"; install it with {hint}" if hint else ""
            )
        except Exception as error:  # a storage that rejects its URI or options
            return f"feed {uri}: {type(error).__name__}: {error}"
        own_params = options.get("uri_params") in (None, URI_PARAMS)
        if isinstance(storage, FileFeedStorage) and own_params:
            if problem := _path_problem(crawler, storage.path, spider_args or {}):
                return f"feed {uri}: {problem}"
    return None


def _path_problem(crawler: Crawler, template: str, spider_args: dict[str, Any]) -> str | None:
    """Create the feed's folder and file as the storage will (then undo the file)."""
    now = datetime.now(UTC)
    params = _Params(
        {k: getattr(crawler.spidercls, k) for k in dir(crawler.spidercls) if not k.startswith("_")}
    )
    params.update(spider_args)
    params.update(
        time=utc_stamp(now),
        batch_time=utc_stamp(now, micro=True),
        batch_id=1,
    )
    try:
        path = Path(template % params)
    except (TypeError, ValueError, KeyError):
        return None  # a template we cannot render now; the run reports a failure itself
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        with path.open("ab"):
            pass
        if not existed:
            path.unlink()
    except OSError as error:
        return f"cannot write {path}: {error.strerror or error}"
    return None


class RecordJsonLinesExporter(JsonLinesItemExporter):
    """Scrapy's JSON lines exporter (FEED_EXPORTERS ``jsonlines``, ``jsonl``, ``jl``),
    writing the same bytes. An :class:`~newscrawl.items.Article` (no field serializers)
    goes to the encoder as its fields in declaration order, as Scrapy orders them,
    without Scrapy's per-field adapter walk (a third of the feed's ~0.15 ms a record)."""

    def export_item(self, item: Any) -> None:
        if type(item) is not Article or self.fields_to_export or self.export_empty_fields:
            super().export_item(item)
            return
        record = {name: item[name] for name in Article.fields if name in item}
        self.file.write((self.encoder.encode(record) + "\n").encode(self.encoding or "utf-8"))


class CheckedFeedExporter(FeedExporter):
    """Scrapy's FeedExporter, per feed fault-isolated and reporting to the emit ledger."""

    def __init__(self, crawler: Crawler) -> None:
        try:
            super().__init__(crawler)
        except NotConfigured:
            if crawler.settings.getdict("FEEDS"):
                # Scrapy disables the exporter for a feed it cannot use (logged above):
                # no record reaches a feed, so nothing may become seen.
                inc(crawler, FEED_FAILED)
            raise
        self.failed: dict[int, str] = {}  # id(slot) -> why it failed
        # Group commit: records written to files that sync later wait for the next
        # group fsync, named by a token (negative: never an id(slot)) in the ledger.
        settings = crawler.settings
        self.sync_every = max(settings.getint("NEWSCRAWL_FEED_FSYNC_RECORDS", 1), 1)
        self.sync_delay = max(settings.getfloat("NEWSCRAWL_FEED_FSYNC_MS", 200), 0) / 1000
        self.sync_token = -1
        self.unsynced: dict[int, FeedSlot] = {}  # id(slot) -> slot written since the last sync
        self.unsynced_records = 0
        self.sync_timer: CallLaterResult | None = None
        journal = ledger(crawler)
        if journal is not None:
            journal.feed_exporter = self

    @staticmethod
    def immediate(slot: FeedSlot) -> bool:
        """A record in this slot is durable once written (no buffer, no upload)."""
        return isinstance(slot.file, DurableFile) and slot.format in LINE_FORMATS

    def fail(self, slot: FeedSlot, error: BaseException) -> None:
        if id(slot) in self.failed:
            return
        self.failed[id(slot)] = f"{type(error).__name__}: {error}"
        inc(self.crawler, FEED_FAILED)
        logger.error(
            "Feed %s failed (%s: %s): the crawl stops; records not in every feed are not "
            "marked seen, so the next run fetches them again",
            slot.uri, type(error).__name__, error,
        )  # fmt: skip
        engine = self.crawler.engine
        engine_slot = getattr(engine, "_slot", None)  # closing: no second close
        if engine.spider is not None and getattr(engine_slot, "closing", True) is None:
            deferred_from_coro(engine.close_spider_async(reason="output_failed"))

    def item_scraped(self, item: Any, spider: Spider) -> None:
        complete, waits, slots, full = True, set(), [], []
        for slot in self.slots:
            slots.append(slot)
            if not slot.filter.accepts(item):
                continue
            if id(slot) in self.failed:
                complete = False
                continue
            try:
                slot.start_exporting()
                assert slot.exporter is not None
                slot.exporter.export_item(item)
            except Exception as error:
                complete = False
                self.fail(slot, error)
                continue
            slot.itemcount += 1
            if not self.immediate(slot):
                waits.add(id(slot))
            elif getattr(slot.file, "sync_later", False):
                waits.add(self.sync_token)
                self.unsynced[id(slot)] = slot
            batch = self.feeds[slot.uri_template]["batch_item_count"]
            if batch and slot.itemcount >= batch:  # as Scrapy: close the batch, start the next
                options = self.feeds[slot.uri_template]
                params = self._get_uri_params(spider, options["uri_params"], slot)
                slots[-1] = self._start_new_batch(
                    batch_id=slot.batch_id + 1,
                    uri=apply_uri_params(slot.uri_template, params),
                    feed_options=options,
                    spider=spider,
                    uri_template=slot.uri_template,
                )
                full.append(slot)
        self.slots = slots
        if (journal := ledger(self.crawler)) is not None:
            if complete:
                journal.written(item, waits)
            else:
                journal.not_written(item)
        if self.sync_token in waits:
            self.unsynced_records += 1
            if self.unsynced_records >= self.sync_every or full:
                self.group_sync()
            elif self.sync_timer is None:
                self.sync_timer = call_later(self.sync_delay, self.group_sync)
        for slot in full:  # after the ledger knows the record waits for them
            self._schedule_slot_close(slot, spider)

    def group_sync(self) -> None:
        """fsync every feed file written since the last group, then confirm its records
        (a file that cannot be synced fails its feed: its records are not seen)."""
        if self.sync_timer is not None:
            self.sync_timer.cancel()  # nothing if it is what called us
            self.sync_timer = None
        if not self.unsynced_records:
            return
        token, ok = self.sync_token, True
        self.sync_token -= 1
        slots, self.unsynced, self.unsynced_records = list(self.unsynced.values()), {}, 0
        for slot in slots:
            try:
                cast("DurableFile", slot.file).sync()
            except OSError as error:
                ok = False
                self.fail(slot, error)
        if (journal := ledger(self.crawler)) is not None:
            journal.slot_stored(token, ok)

    async def close_spider(self, spider: Spider) -> None:
        """Scrapy's, plus: once every feed is stored, settle the ledger (records not
        confirmed are not seen) before feed_exporter_closed, where the report is written."""
        self.group_sync()  # the last records are confirmed before their files close
        for slot in self.slots:
            self._schedule_slot_close(slot, spider)
        if pending := list(self._pending_close_tasks):  # batches closed mid-run too
            if is_asyncio_available():
                await asyncio.wait(cast("list[asyncio.Task[None]]", pending))
            else:
                await DeferredList(cast("list[Deferred[None]]", pending))
        if (journal := ledger(self.crawler)) is not None:
            journal.settle()
        await self.crawler.signals.send_catch_log_async(signals.feed_exporter_closed)

    async def _close_slot(self, slot: FeedSlot, spider: Spider) -> None:
        ok = await self._store_slot(slot, spider)
        if (journal := ledger(self.crawler)) is not None:
            journal.slot_stored(id(slot), ok)
        await self.crawler.signals.send_catch_log_async(signals.feed_slot_closed, slot=slot)

    async def _store_slot(self, slot: FeedSlot, spider: Spider) -> bool:
        """Scrapy's close of a feed file (batch); False if any record of it may be missing."""
        ok = id(slot) not in self.failed
        if slot.file is None and slot.itemcount == 0:
            if not (slot.store_empty and slot.batch_id == 1) or not ok:
                return ok
        try:
            if ok:
                slot.start_exporting()
                slot.finish_exporting()
        except Exception as error:
            ok = False
            self.fail(slot, error)
        if slot.file is None:
            return ok
        label = f"{slot.format} feed ({slot.itemcount} items) in: {slot.uri}"
        kind = type(slot.storage).__name__
        try:
            # A failed local feed is closed too: it holds every whole record before the error.
            await ensure_awaitable(slot.storage.store(self._get_file(slot)))
        except Exception as error:
            self.fail(slot, error)
            inc(self.crawler, f"feedexport/failed_count/{kind}")
            return False
        log = logger.info if ok else logger.error
        log("Stored %s%s", label, "" if ok else " (incomplete)", extra={"spider": spider})
        inc(self.crawler, f"feedexport/success_count/{kind}")
        return ok
