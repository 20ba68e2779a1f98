"""Extraction off the reactor: :func:`newscrawl.extraction.decide.decide` in worker processes.

Extraction is Python and lxml work that holds the GIL (~2-4 ms a page): on the reactor
thread it stalls every download, and a thread pool would not run it beside the reactor.
So pages go to a pool of processes, as (body bytes, URL, encoding, pickled site spec),
and come back as :class:`~newscrawl.extraction.article.Extraction` values, each page
its own future, in order of completion.

* Start-up: workers are forked from a ``forkserver`` that imported the extractor
  once (preload); each worker's initializer then warms what imports leave lazy
  (py3langid's model, lxml and trafilatura's first call) once, not per page. A
  forkserver child inherits none of the crawl's open files (the crawl lock's flock,
  the feed, SQLite), unlike ``fork``.
* The site spec travels pickled (every spec is plain data and module-level
  functions); the parent pickles it once per spider, each worker unpickles it once
  and keeps it by its bytes.
* A worker that dies (segfault, OOM killer, ``os._exit``) breaks the whole
  ``ProcessPoolExecutor``: every page in flight fails with ``BrokenProcessPool``. The
  pool is replaced, and each of those pages is tried once more, alone, in a
  one-worker retry lane (one page at a time, so a second death names its page):
  the page that killed its worker twice fails with :class:`WorkerDied`, the pages
  that were only beside it are extracted.
* Workers leave with the crawl: each watches its parent's sentinel and exits when
  the crawl process is gone (SIGKILL included), so no orphan holds CPU or memory.
"""

from __future__ import annotations

import gc
import importlib
import io
import logging
import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields
from logging.handlers import QueueHandler, QueueListener
from multiprocessing.connection import wait
from types import MappingProxyType
from typing import Any

from w3lib.encoding import html_to_unicode

from newscrawl.extraction.article import Extraction
from newscrawl.extraction.decide import decide
from newscrawl.extraction.template.model import Template
from newscrawl.sites.spec import SiteSpec
from newscrawl.text.prepared import Prepared, boilerplate_of, prepare

logger = logging.getLogger(__name__)

SITE_MODULES = "newscrawl.spiders."  # where site modules declare their SPEC

# Imported once by the fork server, so workers start with them loaded.
PRELOAD = ["newscrawl.extraction.decide", "newscrawl.extraction.pool"]
WARM_PAGE = (
    '<html lang="en"><head><title>Warm up</title></head><body><article><h1>Warm up</h1>'
    + "<p>The minister said the council met on Monday to discuss the budget. </p>" * 8
    + "</article></body></html>"
)


@dataclass
class PreparedExtraction(Extraction):
    """An extraction whose record the worker also cleaned, with what the item pipelines
    need from it computed (newscrawl.text.prepared), so the crawl process does not."""

    prepared: Prepared | None = None


class WorkerDied(RuntimeError):
    """The page's worker process died on it twice (first try and its retry)."""


def default_workers() -> int:
    """The cores this process may use, less the one the reactor keeps busy."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(cores - 1, 0)


@dataclass(frozen=True)
class Job:
    body: bytes
    url: str
    encoding: str  # the response's: decoded as Scrapy's TextResponse.text decodes it
    spec: bytes  # pickle of the SiteSpec
    fallback: bool
    crash_mark: bytes = b""  # tests only (NEWSCRAWL_EXTRACT_CRASH_MARK): see _crash_test
    attempt: int = 0
    template: bytes = b""  # the site's learned template (Template.to_json), if any


# -- in the worker ----------------------------------------------------------------------

_SPECS: dict[bytes, SiteSpec | None] = {}
_TEMPLATES: dict[bytes, Template] = {}  # a run's few templates, parsed once per worker


def _watch_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])  # readable once the process that started us is gone
        os._exit(0)


def init_worker(log_queue: Any, level: int) -> None:
    """Once per worker: leave with the parent, log through it, warm the extractor."""
    threading.Thread(target=_watch_parent, name="parent-watch", daemon=True).start()
    root = logging.getLogger()
    root.handlers = [SyncQueueHandler(log_queue)]  # the crawl's log, as if extracted there
    root.setLevel(level)
    decide(WARM_PAGE, "https://warm.example/news/2024/01/01/warm-up-page-story", None)
    # What is alive now (modules, models, caches) lives as long as the worker: out of
    # the collector's sight, a full collection no longer walks it (about 0.7 ms a page
    # of generic extraction went to walking it, bench/extraction.py --generic).
    gc.freeze()


def _crash_test(job: Job) -> None:
    """A test-only hook, off unless ``NEWSCRAWL_EXTRACT_CRASH_MARK`` is set: a page
    holding ``<mark>-always`` kills its worker on every try, ``<mark>-once`` on the first."""
    if job.crash_mark and (
        job.crash_mark + b"-always" in job.body
        or (job.attempt == 0 and job.crash_mark + b"-once" in job.body)
    ):
        os._exit(70)


def run_job(job: Job) -> Extraction:
    """The worker's side: the page decoded as the spider would, and the one decision."""
    _crash_test(job)
    spec = _SPECS.get(job.spec)
    if spec is None:
        spec = _SPECS[job.spec] = pickle.loads(job.spec)
    template = None
    if job.template:
        template = _TEMPLATES.get(job.template)
        if template is None:
            template = _TEMPLATES[job.template] = Template.from_json(job.template.decode())
    html = html_to_unicode(f"charset={job.encoding}", job.body)[1]
    extraction = decide(html, job.url, spec, template=template, fallback=job.fallback)
    if extraction.rejected:
        return extraction
    # The pipelines' pure work on the record, here off the reactor (text/prepared.py).
    prepared = prepare(extraction.record, boilerplate_of(spec.rules))  # type: ignore[arg-type]
    values = {f.name: getattr(extraction, f.name) for f in fields(Extraction)}
    return PreparedExtraction(**values, prepared=prepared)


def _ready() -> int:
    return os.getpid()


# -- in the crawl --------------------------------------------------------------------


def _mapping(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _module_spec(module: str) -> SiteSpec:
    spec: SiteSpec = importlib.import_module(module).SPEC
    return spec


def _declaring_module(spec: SiteSpec) -> str | None:
    """The site module whose ``SPEC`` this is (its per-field hooks are module functions
    wrapped by ``@override``, which pickle cannot name: the module can)."""
    for name, module in list(sys.modules.items()):
        if name.startswith(SITE_MODULES) and getattr(module, "SPEC", None) is spec:
            return name
    return None


class _SpecPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:  # read-only mappings travel as dicts
            return _mapping, (dict(obj),)
        if isinstance(obj, SiteSpec) and (module := _declaring_module(obj)):
            return _module_spec, (module,)  # a site module's spec: by its module's name
        return NotImplemented


def spec_blob(spec: SiteSpec) -> bytes:
    """The spec as workers get it: a site module's by name, any other (a TOML site, a
    generic one) by value; raises if it cannot travel (the crawl then extracts it)."""
    buffer = io.BytesIO()
    _SpecPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(spec)
    return buffer.getvalue()


class ExtractionPool:
    """``workers`` processes running :func:`run_job`; see the module doc."""

    def __init__(
        self,
        workers: int,
        on_retry: Callable[[str], None] | None = None,
        relay: logging.Handler | None = None,
    ) -> None:
        self.workers = workers
        self.on_retry = on_retry or (lambda url: None)
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.lock = threading.Lock()
        self.closed = False
        # What the extraction logs in a worker (a rejected canonical URL, a field cut)
        # goes to the crawl's own loggers, at the level its handlers take.
        levels = [h.level for h in logging.getLogger().handlers]
        self.level = min(levels) if levels else logging.WARNING
        self.log_queue: Any = self.context.SimpleQueue()
        self.listener = SimpleQueueListener(self.log_queue, relay or Relay())
        self.listener.start()
        self.ready = False  # workers started; until then pages wait in `early`
        self.early: list[tuple[Job, Future[Extraction]]] = []
        self.executor = self._executor(workers)
        self.lane: ProcessPoolExecutor | None = None  # the retry lane, made on first need
        self.lane_queue: deque[tuple[Job, Future[Extraction]]] = deque()
        self.lane_busy = False

    def _executor(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers, self.context, initializer=init_worker, initargs=(self.log_queue, self.level)
        )

    def start(self) -> None:
        """Start every worker now, in a thread: the first fork waits for the fork server
        to import the extractor (~1 s), which must not hold the caller (the reactor)."""
        threading.Thread(target=self._start, name="extraction-pool-start", daemon=True).start()

    def _start(self) -> None:
        try:
            for _ in range(self.workers):
                self.executor.submit(_ready)
        finally:
            with self.lock:
                early, self.early, self.ready = self.early, [], True
            for job, result in early:
                self._run(job, result)

    def submit(self, job: Job) -> Future[Extraction]:
        result: Future[Extraction] = Future()
        with self.lock:
            if not self.ready:
                self.early.append((job, result))
                return result
        self._run(job, result)
        return result

    def _run(self, job: Job, result: Future[Extraction]) -> None:
        with self.lock:
            executor = self.executor
        try:
            inner = executor.submit(run_job, job)
        except (BrokenProcessPool, RuntimeError) as error:  # broken, or shut down meanwhile
            self._failed(job, result, executor, error)
            return
        inner.add_done_callback(lambda done: self._done(job, result, executor, done))

    def _done(
        self,
        job: Job,
        result: Future[Extraction],
        executor: ProcessPoolExecutor,
        done: Future[Extraction],
    ) -> None:
        if done.cancelled():  # the pool closed under it
            result.cancel()
        elif (error := done.exception()) is None:
            result.set_result(done.result())
        else:
            self._failed(job, result, executor, error)

    def _failed(
        self,
        job: Job,
        result: Future[Extraction],
        executor: ProcessPoolExecutor,
        error: BaseException,
    ) -> None:
        if not isinstance(error, BrokenProcessPool) or self.closed:
            result.set_exception(error)  # the extraction's own error, as in-process
            return
        with self.lock:
            if self.executor is executor:  # the first page to hear of it replaces the pool
                self.executor = self._executor(self.workers)
                executor.shutdown(wait=False, cancel_futures=True)
                logger.warning("An extraction worker died; replaced, its pages tried again")
            self.lane_queue.append((Job(**{**job.__dict__, "attempt": job.attempt + 1}), result))
        self.on_retry(job.url)
        self._next_in_lane()

    # The retry lane: one page at a time in one worker, so a death names its page.

    def _next_in_lane(self) -> None:
        with self.lock:
            if self.lane_busy or not self.lane_queue or self.closed:
                return
            self.lane_busy = True
            job, result = self.lane_queue.popleft()
            if self.lane is None:
                self.lane = self._executor(1)
            lane = self.lane
        try:
            inner = lane.submit(run_job, job)
        except (BrokenProcessPool, RuntimeError) as error:
            self._lane_done(job, result, lane, error, None)
            return
        inner.add_done_callback(lambda done: self._lane_done(job, result, lane, None, done))

    def _lane_done(
        self,
        job: Job,
        result: Future[Extraction],
        lane: ProcessPoolExecutor,
        error: BaseException | None,
        done: Future[Extraction] | None,
    ) -> None:
        if done is not None and done.cancelled():
            error = CancelledError()
        elif done is not None:
            error = done.exception()
        if error is None and done is not None:
            result.set_result(done.result())
        elif isinstance(error, BrokenProcessPool):
            with self.lock:
                if self.lane is lane:
                    self.lane = None
                    lane.shutdown(wait=False, cancel_futures=True)
            result.set_exception(WorkerDied(f"extraction worker died twice on {job.url}"))
        else:
            result.set_exception(error or RuntimeError("no result"))
        with self.lock:
            self.lane_busy = False
        self._next_in_lane()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            executors = [e for e in (self.executor, self.lane) if e is not None]
            for _, result in self.lane_queue:
                result.cancel()
            self.lane_queue.clear()
        for executor in executors:
            executor.shutdown(wait=False, cancel_futures=True)
        self.listener.stop()


class SyncQueueHandler(QueueHandler):
    """Puts each record in the pipe before the worker goes on: a ``Queue`` hands it to a
    feeder thread, and a worker that dies next (``os._exit``, a segfault) loses the
    lines it logged for pages it already returned."""

    def __init__(self, pipe: Any) -> None:
        super().__init__(pipe)
        self.pipe = pipe

    def enqueue(self, record: logging.LogRecord) -> None:
        self.pipe.put(record)


class SimpleQueueListener(QueueListener):
    """A QueueListener over a ``SimpleQueue`` (no ``put_nowait``; ``get`` always blocks)."""

    def __init__(self, pipe: Any, *handlers: logging.Handler) -> None:
        super().__init__(pipe, *handlers)
        self.pipe = pipe

    def dequeue(self, block: bool) -> logging.LogRecord:
        record: logging.LogRecord = self.pipe.get()
        return record

    def enqueue_sentinel(self) -> None:
        self.pipe.put(None)  # QueueListener's sentinel


class Relay(logging.Handler):
    """A worker's log record, handled by the crawl's logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(record.name).handle(record)
