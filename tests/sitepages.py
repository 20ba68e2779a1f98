"""The golden pages of the site modules: one folder per site, ``tests/sites/<name>/``.

A folder holds ``expected.json`` (a list of pages, each with its source, the URL it was
published at, the whole expected record and the page's noise strings) and the pages
saved for it by hand (``"page": "<file>"``, a path inside the folder). Pages of the
shared corpus stay in ``../shared/corpus`` (``"corpus": "<file>"``) and pages of the
fixture site in ``newscrawl/fixture_site/www`` (``"fixture": "<file>"``): referenced,
never copied. ``scrapy golden`` writes a first entry from a saved page.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from .corpus import read_page

SITES_DIR = Path(__file__).parent / "sites"
EXPECTED = "expected.json"
SOURCES = ("page", "corpus", "fixture")  # exactly one per entry


def site_folder(name: str, root: Path = SITES_DIR) -> Path:
    return root / name


def expected_pages(name: str, root: Path = SITES_DIR) -> list[dict[str, Any]]:
    path = site_folder(name, root) / EXPECTED
    if not path.is_file():
        return []
    pages: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return pages


def page_source(page: dict[str, Any]) -> str:
    """The entry's source file, as written in it (for test ids and messages)."""
    return str(next((page[key] for key in SOURCES if key in page), "?"))


def read_site_page(name: str, page: dict[str, Any], root: Path = SITES_DIR) -> bytes:
    """Bytes of a golden page: saved in the site's folder, or in the corpus / fixture site."""
    if "page" not in page:
        return read_page(page)
    data = (site_folder(name, root) / page["page"]).read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def site_problems(name: str, root: Path = SITES_DIR) -> list[str]:
    """What keeps a site's golden folder from being whole (empty: nothing).

    A site needs its folder with an ``expected.json`` listing at least one page; each
    entry needs one source, its URL, the expected record and a list of noise strings;
    a saved page must exist inside the folder, and every file saved there must be
    listed (a page saved and never checked is a half-added site too).
    """
    folder = site_folder(name, root)
    path = folder / EXPECTED
    if not folder.is_dir():
        return [f"{name} needs a folder of golden pages: {folder}"]
    if not path.is_file():
        return [f"{name} needs {path} (write a first one with `scrapy golden`)"]
    try:
        pages = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"{path} is not valid JSON: {exc}"]
    if not isinstance(pages, list) or not pages:
        return [f"{path} must list at least one golden page"]
    problems: list[str] = []
    listed: set[Path] = set()
    for number, page in enumerate(pages):
        where = f"{path} entry {number}"
        if not isinstance(page, dict):
            problems.append(f"{where} is not an object")
            continue
        sources = [key for key in SOURCES if key in page]
        if len(sources) != 1:
            problems.append(f"{where} needs exactly one of {', '.join(SOURCES)}")
        # A bot check or consent wall saved as a golden page expects no record at all.
        for key in ("url",) if page.get("not_an_article") else ("url", "expected"):
            if not page.get(key):
                problems.append(f"{where} needs {key!r}")
        if not isinstance(page.get("noise", []), list):
            problems.append(f"{where}: 'noise' must be a list of strings")
        if "page" in page:
            saved = (folder / str(page["page"])).resolve()
            if not saved.is_relative_to(folder.resolve()):
                problems.append(f"{where}: saved page {page['page']!r} is outside {folder}")
            elif not saved.is_file():
                problems.append(f"{where}: saved page {page['page']!r} is missing")
            listed.add(saved)
    for file in sorted(folder.rglob("*")):
        if file.is_file() and file.name != EXPECTED and file.resolve() not in listed:
            problems.append(f"{file} is saved in {folder} but no entry of {EXPECTED} uses it")
    return problems


def orphan_folders(names: set[str], root: Path = SITES_DIR) -> list[str]:
    """Folders of golden pages whose site module does not exist (renamed or removed)."""
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in names)
