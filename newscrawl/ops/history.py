"""Run history: the runs of each site over time, from their run reports and scrapyd.

Every run writes ``<feed>.report.json`` (newscrawl/ops/report.py). ``scrapy runs``
reads them back from a folder (default ``output/``) or object storage
(:func:`report_texts`, the one place that knows where reports live), and from a
scrapyd's job list and job logs, where the exit code would otherwise be invisible:
scrapyd records no exit code, but each job's log holds the run's
``run result: exit code N`` line and the path of its report.

``ExtractionMethods`` (an extension) counts the records of a run by extraction
method (``newscrawl/extraction/method/<selector|fallback|generic|...>``), so the
report, and the charts, can show how the articles were found.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newscrawl import exitcodes
from newscrawl.stats import inc

logger = logging.getLogger(__name__)

METHOD_STAT = "newscrawl/extraction/method/"
# What the run judge counts as a failure (report.judge), from a report's stats.
FAILURE_PREFIXES = ("newscrawl/http/", "newscrawl/errors/", "newscrawl/extraction/error",
                    "newscrawl/skipped/")  # fmt: skip
NOT_FAILED_DROPS = ("duplicate", "unchanged", "near_duplicate")


class HistoryError(Exception):
    """Reports or scrapyd cannot be read: ``scrapy runs`` prints it, exit 2."""


class ExtractionMethods:
    """Counts emitted records per ``extraction`` value, for the run history."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionMethods:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def item_scraped(self, item: Any, spider: Spider) -> None:
        method = item.get("extraction") if hasattr(item, "get") else None
        if isinstance(method, str) and method:
            inc(self.crawler, METHOD_STAT + method)


@dataclass
class Run:
    site: str
    started: datetime
    exit_code: int | None  # None: the run left no verdict (killed before its end)
    duration_s: float | None = None
    pages: int = 0
    articles: int = 0
    new: int = 0
    updated: int = 0
    errors: int = 0
    methods: dict[str, int] = field(default_factory=dict)
    source: str = ""  # report path, or "scrapyd <job id>"
    reason: str = ""

    @property
    def exit_name(self) -> str:
        return "?" if self.exit_code is None else exitcodes.NAMES.get(self.exit_code, "?")

    @property
    def error_rate(self) -> float:
        return self.errors / max(self.pages, 1)

    def share(self, method: str) -> float:
        return self.methods.get(method, 0) / max(sum(self.methods.values()), 1)


def run_from_report(report: dict[str, Any], source: str) -> Run:
    """A run from a report's JSON (reports of older versions lack some fields)."""
    stats: dict[str, Any] = report.get("stats") or {}
    errors = sum(int(v) for k, v in stats.items()
                 if k.startswith(FAILURE_PREFIXES) and isinstance(v, int))  # fmt: skip
    errors += sum(int(v) for k, v in (report.get("drops") or {}).items()
                  if not k.startswith(NOT_FAILED_DROPS))  # fmt: skip
    methods = {k[len(METHOD_STAT) :]: int(v) for k, v in stats.items() if k.startswith(METHOD_STAT)}
    articles = int(report.get("articles_emitted") or 0)
    if not methods and articles:  # a report from before method counts: fallbacks only
        fallbacks = sum(int(v) for v in (report.get("fallbacks") or {}).values())
        methods = {"selector": articles - fallbacks, "fallback": fallbacks}
    code = report.get("exit_code")
    return Run(
        site=str(report.get("spider") or "?"),
        started=_time(report.get("started_at")),
        exit_code=int(code) if isinstance(code, int) else None,
        duration_s=float(report["duration_s"]) if report.get("duration_s") is not None else None,
        pages=int(report.get("pages_fetched") or 0),
        articles=articles,
        new=int(report.get("new") or 0),
        updated=int(report.get("updated") or 0),
        errors=errors,
        methods={k: v for k, v in methods.items() if v},
        source=source,
        reason=str(report.get("exit_reason") or ""),
    )


def _time(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def report_texts(location: str) -> Iterator[tuple[str, str]]:
    """(name, JSON text) of every run report under ``location``: a local folder, or
    ``s3://bucket/prefix`` (boto3, the ``s3`` extra). Other stores plug in here."""
    if location.startswith("s3://"):
        yield from _s3_report_texts(location)
        return
    if "://" in location:
        raise HistoryError(f"cannot read run reports from {location}: a folder or s3:// URL")
    root = Path(location)
    if not root.is_dir():
        raise HistoryError(f"no such folder of run reports: {location}")
    for path in sorted(root.rglob("*.report.json")):
        try:
            yield str(path), path.read_text("utf-8")
        except OSError as error:
            logger.warning("Run report %s unreadable, left out: %s", path, error)


def _s3_report_texts(location: str) -> Iterator[tuple[str, str]]:
    try:
        boto3 = importlib.import_module("boto3")  # the s3 extra: optional, untyped
    except ImportError:
        raise HistoryError(
            f"{location}: reading s3:// needs boto3: pip install 'newscrawl[s3]'"
        ) from None
    parts = urllib.parse.urlsplit(location)
    client = boto3.client("s3")
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=parts.netloc, Prefix=parts.path.lstrip("/")
    )
    for page in pages:
        for item in page.get("Contents", []):
            key = item["Key"]
            if key.endswith(".report.json"):
                body = client.get_object(Bucket=parts.netloc, Key=key)["Body"].read()
                yield f"s3://{parts.netloc}/{key}", body.decode("utf-8")


def reports(location: str) -> Iterator[Run]:
    for name, text in report_texts(location):
        try:
            report = json.loads(text)
            if not isinstance(report, dict):
                raise ValueError("not a JSON object")
            yield run_from_report(report, name)
        except (ValueError, TypeError, KeyError) as error:
            logger.warning("Run report %s is not a run report, left out: %s", name, error)


RESULT_LINE = re.compile(r"run result: exit code (\d+)")
REPORT_LINE = re.compile(r"^\s+report (\S.*\.report\.json)\s*$", re.M)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:  # the scrapyd the user named
        body: bytes = response.read()
        return body


def scrapyd_runs(origin: str) -> Iterator[Run]:
    """Finished jobs of every project of a scrapyd, with the exit code from each log.

    A job whose report is readable here (scrapyd on this machine) is that report's
    run; otherwise the log's result line gives the exit code. A job whose log has no
    result line (killed, or failed before the crawl started) has exit code None.
    """
    origin = origin.rstrip("/")
    try:
        projects = json.loads(_get(f"{origin}/listprojects.json"))["projects"]
        for project in projects:
            query = urllib.parse.urlencode({"project": project})
            jobs = json.loads(_get(f"{origin}/listjobs.json?{query}"))
            for job in jobs.get("finished", []):
                yield _scrapyd_run(origin, project, job)
    except (OSError, ValueError, KeyError) as error:
        raise HistoryError(f"scrapyd at {origin} cannot be read: {error}") from None


def _scrapyd_run(origin: str, project: str, job: dict[str, Any]) -> Run:
    log_url = job.get("log_url") or f"/logs/{project}/{job['spider']}/{job['id']}.log"
    try:
        log = _get(urllib.parse.urljoin(origin + "/", log_url)).decode("utf-8", "replace")
    except OSError as error:
        logger.warning("scrapyd job %s: log unreadable (%s)", job["id"], error)
        log = ""
    source = f"scrapyd {job['id']}"
    report = REPORT_LINE.search(log)
    if report:
        try:
            loaded = json.loads(Path(report.group(1)).read_text("utf-8"))
            return run_from_report(loaded, f"{source}: {report.group(1)}")
        except (OSError, ValueError):
            pass  # scrapyd runs on another machine: the log says enough
    result = RESULT_LINE.search(log)
    started, ended = _time(job.get("start_time")), _time(job.get("end_time"))
    return Run(
        site=str(job["spider"]),
        started=started,
        exit_code=int(result.group(1)) if result else None,
        duration_s=(ended - started).total_seconds() if job.get("end_time") else None,
        source=source,
        reason="" if result else "no run result in the job log",
    )


def latest_runs(runs: list[Run], per_site: int) -> dict[str, list[Run]]:
    """Runs by site (sorted by name), newest first, at most ``per_site`` each.

    The same run read from a report and from scrapyd (its report) is kept once.
    """
    by_site: dict[str, dict[datetime, Run]] = {}
    for run in runs:
        seen = by_site.setdefault(run.site, {})
        same = seen.get(run.started)
        if same is None:
            seen[run.started] = run
        elif run.source.startswith("scrapyd") and not same.source.startswith("scrapyd"):
            seen[run.started] = run  # its report, found through scrapyd: say both
    return {
        site: sorted(seen.values(), key=lambda r: r.started, reverse=True)[:per_site]
        for site, seen in sorted(by_site.items())
    }


def table(runs: dict[str, list[Run]]) -> str:
    """The runs as a plain-text table, one line per run, sites in turn."""
    header = ("site", "started (UTC)", "exit", "new", "updated", "errors", "fallback",
              "learned", "duration", "source")  # fmt: skip
    rows = [header]
    for site, site_runs in runs.items():
        for run in site_runs:
            rows.append((
                site,
                run.started.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                f"{run.exit_code if run.exit_code is not None else '?'} {run.exit_name}",
                str(run.new),
                str(run.updated),
                f"{run.errors} ({run.error_rate:.0%})",
                f"{run.share('fallback'):.0%}",
                f"{run.share('learned'):.0%}",
                f"{run.duration_s:.0f}s" if run.duration_s is not None else "?",
                run.source,
            ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  "
        + row[-1]
        for row in rows
    )
