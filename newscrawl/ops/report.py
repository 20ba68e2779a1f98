"""Unattended runs: progress lines, a JSON run report, a `latest` pointer and a
documented exit code (see :mod:`newscrawl.exitcodes`); the lock per spider is
:mod:`newscrawl.ops.lock`.

``RunReport`` decides the run's health when the spider closes and stores it in the
stats (``newscrawl/exit_code``, ``newscrawl/exit_reason``); ``scrapy crawl`` (our
override in newscrawl/commands/crawl.py) exits with it. The report is written next to
the feed (``<feed>.report.json``) once the feed is closed, and only then does
``latest`` (a small file beside the feeds) name the new feed.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import sys
import time
from collections.abc import Sized
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newscrawl import exitcodes
from newscrawl import stats as keys
from newscrawl.distributed.config import keys_for, redis_url
from newscrawl.ops import console
from newscrawl.storage.durable import feed_exporter_active, ledger
from newscrawl.storage.names import utc_stamp
from newscrawl.storage.remote import is_remote, public, put_text, sibling

logger = logging.getLogger(__name__)

# Finish reasons of a run that ended as it should.
NORMAL_FINISH = frozenset({"finished", "limit_reached", "closespider_itemcount"})


def _by_suffix(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}


# Exit codes that never move `latest`: the feed may be incomplete.
NO_LATEST = frozenset(
    {exitcodes.ABORTED, exitcodes.LOCKED, exitcodes.OUTPUT_FAILED, exitcodes.STORE_UNAVAILABLE}
)


def is_drift(fallbacks: int, extracted: int, max_share: float, min_pages: int) -> bool:
    """Layout drift fails a run only on enough evidence.

    Above ``max_share`` of at least ``min_pages`` pages; in a smaller run, only when
    every page fell back and there were at least 3 of them (or ``min_pages``, if
    lower). One fallback among 3 pages of an hourly run is reported, not a failure.

    >>> is_drift(1, 3, 0.2, 10), is_drift(3, 3, 0.2, 10), is_drift(3, 10, 0.2, 10)
    (False, True, True)
    """
    share = fallbacks / max(extracted, 1)
    if share <= max_share:
        return False
    if extracted >= min_pages:
        return True
    return fallbacks >= extracted and fallbacks >= min(3, max(min_pages, 1))


@dataclass(frozen=True)
class DriftVerdict:
    """A site's layout verdict: whether it fails the run (exit 5), and its one line
    (empty: nothing to say) at ``level``."""

    drift: bool = False
    message: str = ""
    level: int = logging.INFO


def drift_verdict(
    stats: dict[str, Any],
    name: str,
    max_fallback: float = 0.2,
    min_pages: int = 10,
    max_new_layout: float = 0.5,
    pages: int | None = None,
    detail: str = "",
    max_noise_leak: float = 0.3,
) -> DriftVerdict:
    """Layout drift of the site ``name`` (its stats key), from a run's stats: the one
    rule NewsSpider.closed, ``judge`` and ``scrapy backfill`` apply.

    With learning on (``layout/history/<name>`` set: spiders/learning.py), drift is a
    change against the site's own history, the layouts it was known by when the run
    started (its selectors, its stored template): more than ``max_new_layout`` of the
    run's pages in a layout that history does not know. A site that has always had
    three layouts is healthy; a site with no history yet (its first learning run) has
    nothing to drift from. Noise leaking back is drift too: more than
    ``max_noise_leak`` of the pages placed by the history with a block it knows as
    noise in their body (``layout/noise_leak/<name>``: the site moved it into the
    story container). Without learning, more than ``max_fallback`` of the
    ``pages`` fell back to the generic extractor. Either way a small run needs every
    page against it (:func:`is_drift`).

    >>> drift_verdict({"newscrawl/layout/history/s": 1, "newscrawl/layout/new/s": 3}, "s").drift
    True
    >>> drift_verdict({"newscrawl/layout/history/s": 2, "newscrawl/layout/new/s": 3,
    ...                "newscrawl/layout/known/s": 6}, "s").drift
    False
    """
    fallbacks = int(stats.get(keys.fallback(name), 0))
    history = stats.get(keys.LAYOUT_HISTORY + name)
    suffix = f"; {detail}" if detail else ""
    if history is not None:
        new = int(stats.get(keys.LAYOUT_NEW + name, 0))
        seen = new + int(stats.get(keys.LAYOUT_KNOWN + name, 0))
        leaks = int(stats.get(keys.LAYOUT_NOISE_LEAK + name, 0))
        if leaks and leaks / seen > max_noise_leak:
            drift = is_drift(leaks, seen, max_noise_leak, min_pages)
            return DriftVerdict(
                drift,
                f"{'Layout drift' if drift else 'Possible layout drift (too few pages to judge)'}"
                f" on {name}: noise leaks back into {leaks} of {seen} pages "
                f"(> {max_noise_leak:.0%}): blocks its template knows as noise outside the "
                "story are inside the body container now; its template is learned again "
                f"from this run's pages{suffix}",
                logging.ERROR if drift else logging.WARNING,
            )
        if not new:
            return DriftVerdict()
        if not history:
            return DriftVerdict(
                message=f"First layouts of {name} learned from {new} pages (no history to "
                "judge drift against yet)"
            )
        share = new / seen
        against = (
            f"{name}: {new} of {seen} pages fell back from the {history} layout(s) it was "
            "known by (its selectors and stored template)"
        )
        if is_drift(new, seen, max_new_layout, min_pages):
            return DriftVerdict(
                True,
                f"Layout drift on {against}, > {max_new_layout:.0%}; its template is "
                f"learned again from this run's pages{suffix}",
                logging.ERROR,
            )
        if share > max_new_layout:
            return DriftVerdict(
                message=f"Possible layout drift (too few pages to judge) on {against}{suffix}",
                level=logging.WARNING,
            )
        return DriftVerdict(
            message=f"New layout on {against}: {share:.0%} of pages, not most: not drift",
            level=logging.WARNING,
        )
    extracted = pages if pages is not None else (
        int(stats.get("item_scraped_count", 0)) + keys.total(stats, keys.DROPPED)
    )  # fmt: skip
    if not fallbacks:
        return DriftVerdict()
    share = fallbacks / max(extracted, 1)
    if share <= max_fallback:
        return DriftVerdict()
    drift = is_drift(fallbacks, extracted, max_fallback, min_pages)
    return DriftVerdict(
        drift,
        f"{'Layout drift' if drift else 'Possible layout drift (too few pages to judge)'} "
        f"on {name}: {fallbacks} of {extracted} pages fell back to generic extraction "
        f"(fallback share {share:.2f} > {max_fallback:.0%}){suffix}",
        logging.ERROR if drift else logging.WARNING,
    )


def judge(
    stats: dict[str, Any],
    max_error_rate: float,
    max_fallback: float,
    min_drift_pages: int = 10,
    max_new_layout: float = 0.5,
    max_noise_leak: float = 0.3,
) -> tuple[int, str]:
    """(exit code, reason) of a finished run from its stats.

    >>> judge({"finish_reason": "shutdown"}, 0.2, 0.2)
    (6, 'aborted: finish reason shutdown')
    >>> judge({"finish_reason": "finished", "newscrawl/state/skipped_seen": 4}, 0.2, 0.2)
    (0, 'ok: nothing new')
    """
    if state := stats.get("newscrawl/state/write_failed"):  # before output: it caused that
        return exitcodes.STATE_CORRUPT, str(state)
    if output := output_failure(stats):
        return exitcodes.OUTPUT_FAILED, output
    reason = stats.get("finish_reason")
    if reason == "store_unavailable":  # rediscrawl.Coordinator: Redis gone past its timeout
        return exitcodes.STORE_UNAVAILABLE, str(stats.get(keys.REDIS_UNAVAILABLE))
    if reason not in NORMAL_FINISH:
        return exitcodes.ABORTED, f"aborted: finish reason {reason}"
    items = int(stats.get("item_scraped_count", 0))
    pages = int(stats.get("response_received_count", 0))
    failed = failed_sources(stats)  # feeds/sitemaps refused: never an "ok" run
    if items == 0:
        unchanged = sum(keys.total(stats, prefix) for prefix in keys.UNCHANGED)
        if unchanged and failed:
            return exitcodes.ERROR_RATE, failed
        if unchanged:
            return exitcodes.OK, "ok: nothing new"
        if seeded := int(stats.get(keys.REDIS_SEEDED, 0)):  # a distributed seed
            return exitcodes.OK, f"ok: seeded {seeded} article requests to the shared queue"
        if stats.get(keys.REDIS_WORKER) and stats.get(keys.REDIS_DISCOVERS) is False:
            if pages == 0:  # a distributed worker that others left nothing to
                return exitcodes.OK, "ok: nothing left for this worker in the shared queue"
        why = f"no items from {pages} pages"
        return exitcodes.NO_ITEMS, f"{why}; {failed}" if failed else why
    failures = sum(keys.total(stats, prefix, keys.NOT_FAILURES) for prefix in keys.FAILURES)
    error_rate = failures / max(pages, 1)
    if error_rate > max_error_rate:
        return exitcodes.ERROR_RATE, f"error rate {error_rate:.2f} > {max_error_rate}"
    # Each site's layout verdict (one rule: drift_verdict); a run of several sites
    # (backfill) fails on any of them.
    layouts = (keys.FALLBACK, keys.LAYOUT_NEW, keys.LAYOUT_NOISE_LEAK)
    names = {k.rsplit("/", 1)[1] for k in stats if k.startswith(layouts)}
    limits = (max_fallback, min_drift_pages, max_new_layout)
    verdicts = [
        drift_verdict(
            stats, name, *limits, pages=_site_pages(stats, name), max_noise_leak=max_noise_leak
        )
        for name in sorted(names)
    ]
    if drifted := [v.message for v in verdicts if v.drift]:
        return exitcodes.LAYOUT_DRIFT, "; ".join(drifted)
    if failed:
        return exitcodes.ERROR_RATE, failed
    if noted := [v.message for v in verdicts if v.message]:
        return exitcodes.OK, f"ok ({'; '.join(noted)})"
    return exitcodes.OK, "ok"


def _site_pages(stats: dict[str, Any], name: str) -> int | None:
    """The pages of one site in a run of several (backfill), else None: the run's."""
    pages = stats.get(f"newscrawl/backfill/pages/{name}")
    return int(pages) if pages is not None else None


def output_failure(stats: dict[str, Any]) -> str | None:
    """Why the run's output is incomplete (a feed failed), or None."""
    failed = int(stats.get(keys.FEED_FAILED, 0))
    unwritten = int(stats.get(keys.UNWRITTEN, 0))
    if not failed and not unwritten:
        return None
    return (
        f"output failed: {failed} feed(s) failed, {unwritten} record(s) not written "
        "(not marked seen: the next run fetches them again)"
    )


def failed_sources(stats: dict[str, Any]) -> str:
    """The feeds and sitemaps a run could not read (NewsSpider.source_failed), or "".

    >>> failed_sources({"newscrawl/discovery/failed_sources": ["http_404 https://x/rss"]})
    '1 feed/sitemap failed: http_404 https://x/rss'
    """
    failed = stats.get(keys.FAILED_SOURCES) or []
    if not failed:
        return ""
    shown = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
    return f"{len(failed)} feed/sitemap{'s' if len(failed) > 1 else ''} failed: {shown}"


class RunReport:
    """Progress lines, the run's exit code, its JSON report, `latest`, a summary."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.started = time.time()
        self.feeds: list[Path] = []
        self.feed_records: dict[Path, int] = {}  # records each local feed file holds
        self.remote_records: dict[str, int] = {}  # the same for feeds on object storage
        self.progress: task.LoopingCall | None = None
        self.display: console.Progress | None = None  # the quiet console's progress
        self.last_pages = 0
        self.exit_code: int | None = None
        self.reported = False  # the report is written (or, for a locked run, not due)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        if not crawler.settings.getbool("NEWSCRAWL_RUN_FILES", True):
            raise NotConfigured  # scrapy parse, shell, bench: no report, no `latest`
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(extension.feed_exporter_closed, signal=signals.feed_exporter_closed)
        return extension

    @property
    def stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats() if self.crawler.stats else {}

    # -- progress --------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.time()
        interval = self.settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 60.0)
        if console.is_quiet(self.settings):  # a live bar on a terminal, else plain lines
            limit = getattr(spider, "limit", None)  # a bar that fills up when there is one
            total = limit if isinstance(limit, int) and limit > 0 else None
            self.display = console.Progress(total=total)
            self.display.start(spider.name)
            interval = min(interval, 1.0) if self.display.live else interval
        if interval > 0:
            self.progress = task.LoopingCall(self.log_progress, spider, interval)
            self.progress.start(interval, now=False)

    def log_progress(self, spider: Spider, interval: float) -> None:
        stats = self.stats
        pages = int(stats.get("response_received_count", 0))
        engine = self.crawler.engine
        scheduler = getattr(getattr(engine, "_slot", None), "scheduler", None)
        downloader = getattr(engine, "downloader", None)
        snapshot = console.Snapshot(
            spider=spider.name,
            pages=pages,
            articles=int(stats.get("item_scraped_count", 0)),
            errors=console.errors_of(stats),
            per_minute=(pages - self.last_pages) * 60 / interval,
            queued=len(scheduler) if isinstance(scheduler, Sized) else None,
            in_flight=len(getattr(downloader, "active", ())),  # the scheduler no longer has them
        )
        if self.display is not None:
            self.display.update(snapshot)
        else:
            logger.info("%s", snapshot.line())
        self.last_pages = pages

    # -- end of run ------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.progress is not None and self.progress.running:
            self.progress.stop()
        if self.display is not None:
            self.display.stop()  # the bar goes; what follows prints as plain lines
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value(keys.LOCKED):
            self.exit_code = int(self.crawler.stats.get_value(keys.EXIT_CODE))
            self.reported = True
            return
        journal = ledger(self.crawler)
        exporting = feed_exporter_active(self.crawler)  # it sends feed_exporter_closed
        if journal is not None and journal.feed_exporter is None:
            journal.settle()  # no feed exporter to wait for: settle the ledger before judging
        stats = dict(self.stats, finish_reason=reason)
        code, why = judge(
            stats,
            self.settings.getfloat("NEWSCRAWL_MAX_ERROR_RATE", 0.2),
            self.settings.getfloat("NEWSCRAWL_MAX_FALLBACK_SHARE", 0.2),
            self.settings.getint("NEWSCRAWL_DRIFT_MIN_PAGES", 10),
            self.settings.getfloat("NEWSCRAWL_MAX_NEW_LAYOUT_SHARE", 0.5),
            self.settings.getfloat("NEWSCRAWL_MAX_NOISE_LEAK_SHARE", 0.3),
        )
        self.set_exit(spider, code, why)
        if not exporting:
            self.write_report(spider, reason)

    def set_exit(self, spider: Spider, code: int, why: str) -> None:
        assert self.crawler.stats is not None
        self.exit_code = code
        self.crawler.stats.set_value(keys.EXIT_CODE, code)
        self.crawler.stats.set_value(keys.EXIT_REASON, why)
        log = logger.info if code == exitcodes.OK else logger.error
        log("%s run result: exit code %d (%s): %s", spider.name, code, exitcodes.NAMES[code], why)

    def feed_slot_closed(self, slot: Any) -> None:
        uri = str(getattr(slot, "uri", ""))
        if uri.startswith("file://"):
            uri = uri[len("file://") :]
        if is_remote(uri):  # s3://...: its report and `latest` go beside it
            count = int(getattr(slot, "itemcount", 0))
            self.remote_records[uri] = self.remote_records.get(uri, 0) + count
        elif uri and "://" not in uri:
            path = Path(uri).resolve()
            if path not in self.feed_records:
                self.feeds.append(path)
            self.feed_records[path] = self.feed_records.get(path, 0) + int(
                getattr(slot, "itemcount", 0)
            )

    def feed_exporter_closed(self) -> None:
        spider = self.crawler.spider
        if spider is None or self.exit_code is None:
            return
        # Feeds are stored (uploads done) only now: a failure there overrides the verdict.
        output = output_failure(self.stats)
        kept = (exitcodes.OUTPUT_FAILED, exitcodes.LOCKED, exitcodes.STATE_CORRUPT)
        if output and self.exit_code not in kept:
            self.set_exit(spider, exitcodes.OUTPUT_FAILED, output)
        self.write_report(spider, str(self.stats.get("finish_reason", "")))

    def report_path(self, spider: Spider) -> Path:
        feeds = self.feeds or self.open_feeds()
        if feeds:
            feed = feeds[0]
            return feed.with_name(feed.name.removesuffix(feed.suffix) + ".report.json")
        stamp = utc_stamp(datetime.fromtimestamp(self.started, UTC))
        return Path("output", spider.name, f"{stamp}.report.json").resolve()

    def open_feeds(self) -> list[Path]:
        """Local feeds still open (a run stopped before its feeds were closed)."""
        journal = ledger(self.crawler)
        exporter = journal.feed_exporter if journal is not None else None
        uris = [str(getattr(slot, "uri", "")) for slot in getattr(exporter, "slots", ())]
        uris = [uri.removeprefix("file://") for uri in uris]
        return [Path(uri).resolve() for uri in uris if uri and "://" not in uri]

    def write_report(self, spider: Spider, reason: str) -> None:
        stats = self.stats
        code = int(stats.get(keys.EXIT_CODE, exitcodes.OK))
        path = self.report_path(spider)
        drops = _by_suffix(stats, keys.DROPPED)
        finished = time.time()
        report = {
            "spider": spider.name,
            "started_at": datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds"),
            "finished_at": datetime.fromtimestamp(finished, UTC).isoformat(timespec="seconds"),
            "duration_s": round(finished - self.started, 3),
            "finish_reason": reason,
            "exit_code": code,
            "exit_name": exitcodes.NAMES.get(code, "?"),
            "exit_reason": stats.get(keys.EXIT_REASON),
            "pages_fetched": stats.get("response_received_count", 0),
            "bytes": stats.get("downloader/response_bytes", 0),
            "articles_emitted": stats.get("item_scraped_count", 0),
            "new": stats.get(keys.ITEMS_NEW, 0),
            "updated": stats.get(keys.ITEMS_UPDATED, 0),
            "duplicates": sum(v for k, v in drops.items() if k.startswith("duplicate")),
            "near_duplicates_marked": stats.get(keys.DUPLICATES_NEAR, 0),
            "skipped_seen": stats.get(keys.SKIPPED_SEEN, 0),
            "records_not_written": stats.get(keys.UNWRITTEN, 0),
            "drops": drops,
            # Held pages a learned template placed after all are taken back off (to 0).
            "fallbacks": {k: v for k, v in _by_suffix(stats, keys.FALLBACK).items() if v},
            "http_status": _by_suffix(stats, "downloader/response_status_count/"),
            "errors": _by_suffix(stats, keys.ERRORS),
            "failed_sources": stats.get(keys.FAILED_SOURCES, []),
            "feeds": [str(feed) for feed in self.feeds] + [public(u) for u in self.remote_records],
            "stats": {k: v for k, v in sorted(stats.items()) if k.startswith("newscrawl/")},
        }
        self.reported = True
        if self.remote_records and not self.feeds:  # only remote feeds: the report goes there
            self.write_remote(report, code, reason)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
            _write_atomic(path, text)
        except OSError as error:  # the feed's disk is full, most likely: the log has it all
            logger.error("Could not write the run report %s (%s); `latest` not moved", path, error)
            self.summary(report, path)
            return
        if self.moves_latest(code, reason):
            pointer = {"feed": str(self.feeds[0]), "report": str(path), "exit_code": code,
                       "finished_at": report["finished_at"]}  # fmt: skip
            self.point_latest(self.feeds[0].parent / "latest", pointer)
        self.summary(report, path)

    def moves_latest(self, code: int, reason: str) -> bool:
        """`latest` names only a complete feed that holds records of a normal run."""
        if not self.feeds or reason not in NORMAL_FINISH:
            return False
        if code in NO_LATEST:
            return False
        return self.feed_records.get(self.feeds[0], 0) > 0

    def write_remote(self, report: dict[str, Any], code: int, reason: str) -> None:
        """The report and `latest` next to the remote feeds (s3://bucket/prefix/...):
        one of each per folder, named after its first feed (batches share them)."""
        text = json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
        folders: dict[str, list[str]] = {}
        for uri in self.remote_records:
            folders.setdefault(sibling(uri, ""), []).append(uri)
        where = []
        for uris in folders.values():
            # Batches finish uploading in any order: name the run by its first batch.
            uris.sort(key=_natural_order)
            first = uris[0]
            name = first.rpartition("/")[2]
            report_uri = sibling(first, name.removesuffix(Path(name).suffix) + ".report.json")
            records = sum(self.remote_records[uri] for uri in uris)
            try:
                put_text(self.crawler, report_uri, text, "application/json")
                where.append(public(report_uri))
                # Never for a run that failed, aborted or wrote nothing (as for local feeds).
                if records and reason in NORMAL_FINISH and code not in NO_LATEST:
                    pointer = {"feed": public(first), "report": public(report_uri),
                               "exit_code": code, "finished_at": report["finished_at"]}  # fmt: skip
                    if len(uris) > 1:
                        pointer["feeds"] = [public(uri) for uri in uris]
                    put_text(self.crawler, sibling(first, "latest"),
                             json.dumps(pointer, indent=2) + "\n", "application/json")  # fmt: skip
            except Exception as error:  # boto3/botocore raise many kinds; all mean "not there"
                logger.error(
                    "Could not write the run report next to %s (%s: %s); `latest` not moved",
                    public(first), type(error).__name__, error,
                )  # fmt: skip
        if not where:  # the store refused it: keep the report where the run was
            stamp = utc_stamp(datetime.fromtimestamp(self.started, UTC))
            local = Path("output", str(report["spider"]), f"{stamp}.report.json").resolve()
            try:
                local.parent.mkdir(parents=True, exist_ok=True)
                _write_atomic(local, text)
                where.append(str(local))
                logger.error("The run report is written locally instead: %s", local)
            except OSError as error:
                logger.error("Could not write the run report %s either (%s)", local, error)
        self.summary(report, ", ".join(where) or "(not written)")

    def point_latest(self, latest: Path, pointer: dict[str, Any]) -> None:
        """Move `latest`; in a distributed run, add this worker's feed to the run's.

        Workers of one distributed run (same run number in Redis) share one `latest`
        per output folder: ``feeds``/``reports`` list every worker feed of the run that
        holds records, ``feed``/``report`` stay the first. A new run starts a new list.
        """
        run = distributed_run(self.crawler)
        if run is None:
            _write_atomic(latest, json.dumps(pointer, indent=2) + "\n")
            return
        with latest.with_name(".latest.lock").open("a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # workers on one machine finish concurrently
            try:
                current = json.loads(latest.read_text("utf-8"))
            except (OSError, ValueError):
                current = {}
            same_run = isinstance(current, dict) and current.get("run") == run
            feeds = list(current.get("feeds", [])) if same_run else []
            reports = list(current.get("reports", [])) if same_run else []
            if pointer["feed"] not in feeds:
                feeds.append(pointer["feed"])
                reports.append(pointer["report"])
            merged = dict(pointer, run=run, feed=feeds[0], report=reports[0], feeds=feeds,
                          reports=reports)  # fmt: skip
            if same_run:
                merged["exit_code"] = max(int(current.get("exit_code", 0)), pointer["exit_code"])
            _write_atomic(latest, json.dumps(merged, indent=2) + "\n")

    def summary(self, report: dict[str, Any], path: Path | str) -> None:
        lines = [
            f"{report['spider']} finished in {report['duration_s']:.1f}s: "
            f"exit {report['exit_code']} ({report['exit_name']}) {report['exit_reason'] or ''}",
            f"  pages {report['pages_fetched']}, articles {report['articles_emitted']} "
            f"(new {report['new']}, updated {report['updated']}), duplicates "
            f"{report['duplicates']}, skipped as seen {report['skipped_seen']}",
            f"  drops {report['drops'] or '-'}; fallbacks {report['fallbacks'] or '-'}; "
            f"errors {report['errors'] or '-'}; HTTP {report['http_status'] or '-'}",
            f"  feed {', '.join(report['feeds']) or '-'}",
            f"  report {path}",
        ]
        if console.is_quiet(self.settings):  # the last thing the quiet console prints
            print("Run summary:", *lines, sep="\n", file=sys.stderr, flush=True)
        else:
            logger.info("Run summary:\n%s", "\n".join(lines))


def distributed_run(crawler: Crawler) -> str | None:
    """The distributed run this crawl belongs to ("<number>@<start>"), or None."""
    url = redis_url(crawler.settings)
    spider = crawler.spider
    if not url or spider is None:
        return None
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        run = client.hmget(keys_for(crawler.settings, spider.name).run, "number", "started_at")
        client.close()
    except Exception as error:  # Redis gone at the very end: a per-worker `latest`
        logger.warning("Distributed run unknown (%s): `latest` names this worker's feed", error)
        return None
    number, started = (v.decode() if isinstance(v, bytes) else v for v in run)
    return f"{number}@{started}" if number else None


def _write_atomic(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a full disk must not keep a half file around
        raise


def _natural_order(text: str) -> list[tuple[int, int | str]]:
    """Sort key reading digit runs as numbers, so batch 10 comes after batch 9.

    >>> sorted(["s3://b/10.jsonl", "s3://b/9.jsonl"], key=_natural_order)
    ['s3://b/9.jsonl', 's3://b/10.jsonl']
    """
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text)]
