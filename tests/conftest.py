"""Shared fixtures: the offline fixture site on 127.0.0.1 and the ../shared folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.fixtureserver import FIXTURE_SITE, Seed, load_seed, serve, shared_dir

FIXTURE_DIR = Path(__file__).parent / "fixture_site"


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
