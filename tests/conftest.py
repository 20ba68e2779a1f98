"""Shared fixtures: the offline fixture site on 127.0.0.1 and the ../shared folder.

In CI (``CI`` set, as .ci/run is run) a skip is a failure: CI has ../shared, a
redis-server and scrapyd, so a test that skips there hides a broken environment.
Locally, without ../shared, those tests skip with their reason (``-ra`` lists them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from newscrawl.fixtureserver import FIXTURE_SITE, Seed, load_seed, serve, shared_dir

FIXTURE_DIR = FIXTURE_SITE.parent  # pages.json: the truth manifest of the site

# Crawls under test extract in their own process unless a test asks for workers
# (-s NEWSCRAWL_EXTRACT_WORKERS=2, tests/test_pool.py): most test crawls are a few
# pages on a 2-core CI, where starting worker processes would only add seconds.
os.environ.setdefault("NEWSCRAWL_EXTRACT_WORKERS", "0")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _failed_in_ci(report: pytest.TestReport) -> None:
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (CI={os.environ['CI']}), which must run it: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _failed_in_ci(report)
    return report


_SKIPPED_MODULES: list[str] = []


def pytest_collectreport(report: pytest.CollectReport) -> None:
    # A module that skips as a whole stays a skip (a failed collection would stop the
    # whole run), and fails the session at its end.
    if in_ci() and report.skipped:
        _SKIPPED_MODULES.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _SKIPPED_MODULES and exitstatus in {pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED}:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SKIPPED_MODULES:
        terminalreporter.write_line(
            f"FAILED: skipped in CI, which must run them: {', '.join(_SKIPPED_MODULES)}",
            red=True,
        )


@pytest.fixture(scope="session")
def site_origin() -> Iterator[str]:
    with serve(FIXTURE_SITE) as origin:
        yield origin


@pytest.fixture(scope="session")
def seed() -> Seed:
    loaded = load_seed()
    if loaded is None:
        pytest.skip(f"seed page needs {shared_dir()}/reference (absent here)")
    return loaded


def fixture_pages() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((FIXTURE_DIR / "pages.json").read_text("utf-8"))
    return data
