"""Reading ../shared/corpus at test time: pages and the answers their sources hold."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from newscrawl.fixtureserver import FIXTURE_SITE, shared_dir

CORPUS = shared_dir() / "corpus"


def require_corpus() -> Path:
    if not (CORPUS / "MANIFEST.json").is_file():
        pytest.skip(f"real publisher pages need {CORPUS} (absent here)")
    return CORPUS


@lru_cache(maxsize=1)
def manifest() -> dict[str, dict[str, Any]]:
    return {entry["file"]: entry for entry in json.loads((CORPUS / "MANIFEST.json").read_text())}


def read_page(source: dict[str, str]) -> bytes:
    """Bytes of a golden page: ``{"corpus": file}`` or ``{"fixture": file}``."""
    if "fixture" in source:
        return (FIXTURE_SITE / source["fixture"]).read_bytes()
    data = (require_corpus() / source["corpus"]).read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def gold_body(file: str) -> str | None:
    """The gold body text the corpus holds for a page (fundus, aeb), paragraphs joined."""
    expected = manifest()[file]["expected"]
    if "json" not in expected:
        return None
    data = json.loads((CORPUS / expected["json"]).read_text("utf-8"))
    if "field" in expected:
        return str(data[expected["field"]])
    if expected.get("key") is None:
        return None
    body = data[expected["key"]]["body"]
    paragraphs = list(body.get("summary", []))
    for section in body.get("sections", []):
        paragraphs += section.get("headline", []) + section.get("paragraphs", [])
    return "\n\n".join(paragraphs)
