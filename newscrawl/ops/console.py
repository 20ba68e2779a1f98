"""A console people can read: quiet by default, progress while it runs, the summary last.

At the default log level (``LOG_LEVEL`` not given with ``-L`` or ``-s``, no
``LOG_FILE``, not ``--nolog``), ``scrapy crawl``/``newscrawl crawl`` log warnings and
errors only: no start-up banner (settings, middlewares, extensions), no spidermon
banner, no stats dump. What the run is doing is shown by :class:`Progress` instead, a live bar
(rich) on a terminal, one line per ``NEWSCRAWL_PROGRESS_INTERVAL`` otherwise, and
the run summary is printed last. Any explicit ``LOG_LEVEL`` (``-L INFO``, ``-L
DEBUG``, ``-s LOG_LEVEL=...``) or ``NEWSCRAWL_CONSOLE=log`` gives Scrapy's full log
back, with the progress and summary as log lines in it.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

from scrapy.settings import BaseSettings

# NEWSCRAWL_CONSOLE: "auto" (quiet unless a log level or file is given) or "log".
SETTING = "NEWSCRAWL_CONSOLE"


def quiet_wanted(settings: BaseSettings) -> bool:
    """Whether this run gets the quiet console (see the module's docstring)."""
    if str(settings.get(SETTING, "auto")).lower() == "log":
        return False
    if not settings.getbool("LOG_ENABLED", True) or settings.get("LOG_FILE"):
        return False  # --nolog means silence; a log file (scrapyd) keeps the full log
    return (settings.getpriority("LOG_LEVEL") or 0) < 40  # 40: "cmdline" (-L, -s)


def apply(settings: BaseSettings) -> None:
    """Make the run quiet if it should be; call before Scrapy configures logging."""
    if quiet_wanted(settings):
        settings.set("LOG_LEVEL", "WARNING", priority="project")
        settings.set(SETTING, "quiet", priority="cmdline")
    else:
        settings.set(SETTING, "log", priority="cmdline")


def is_quiet(settings: BaseSettings) -> bool:
    return str(settings.get(SETTING, "")).lower() == "quiet"


@dataclass
class Snapshot:
    """What the progress display shows."""

    spider: str
    pages: int
    articles: int
    errors: int
    per_minute: float
    queued: int | None
    in_flight: int

    def status(self) -> str:
        queued = "?" if self.queued is None else str(self.queued)
        return (
            f"{self.pages} pages ({self.per_minute:.0f}/min), {self.articles} articles, "
            f"{self.errors} errors, {queued} queued, {self.in_flight} in flight"
        )

    def line(self) -> str:
        return f"{self.spider}: {self.status()}"


def errors_of(stats: dict[str, Any]) -> int:
    """Pages that went wrong so far: the failures the run's verdict counts."""
    prefixes = ("spider_exceptions/", "newscrawl/http/", "newscrawl/errors/",
                "newscrawl/extraction/error")  # fmt: skip
    return sum(int(v) for k, v in stats.items() if k.startswith(prefixes) and isinstance(v, int))


class Progress:
    """A live bar on a terminal, else one plain line per update, on stderr."""

    def __init__(self, stream: TextIO | None = None, total: int | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.total = total  # the run's article limit, when it has one: a real bar
        self.bar: Any = None
        self.task: Any = None
        self.handlers: list[tuple[logging.StreamHandler[Any], Any]] = []

    def start(self, spider: str) -> None:
        if not self.live:
            return
        from rich.console import Console
        from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.bar = RichProgress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(bar_width=16),
            TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
            console=Console(file=self.stream), transient=True,
        )  # fmt: skip
        self.bar.start()
        self.task = self.bar.add_task(spider, total=self.total, status="starting")
        # Warnings logged meanwhile must print above the bar, not through it.
        for handler in logging.root.handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                self.handlers.append((handler, handler.stream))
                handler.setStream(_AboveBar(self.bar))

    def update(self, snapshot: Snapshot) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=snapshot.articles, status=snapshot.status())
        elif not self.live:
            print(f"{time.strftime('%H:%M:%S')} {snapshot.line()}", file=self.stream, flush=True)

    def stop(self) -> None:
        for handler, stream in self.handlers:
            handler.setStream(stream)
        self.handlers = []
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


class _AboveBar:
    """A stream for logging handlers that prints through the live display."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def write(self, text: str) -> int:
        if text.strip():
            self.bar.console.print(text.rstrip("\n"), markup=False, highlight=False)
        return len(text)

    def flush(self) -> None:
        pass
