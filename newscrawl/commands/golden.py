"""``scrapy golden PAGE_OR_URL --url URL [--site NAME] [-o tests/sites/NAME/expected.json]``.

Writes a first golden entry for a site module from a saved page (or a URL, fetched as
``scrapy extract`` fetches): the record the crawl would emit, and proposed noise
strings, for a human to check and edit before the golden test holds the site to them
(docs/adding-a-site.md). The noise proposed is the text the extraction left out that
a careless extractor would keep: paragraphs of the site's body containers that did not
make it into the body, and paragraphs the generic extractor keeps that the site's
selectors drop. Each is absent from the record's body, so the entry passes as written;
the human keeps the ones that name real page furniture (a "related" headline, a share
bar, the footer) and deletes the rest.

With ``-o``, the entry is added to that file (replacing one for the same page): a page
already in the file's folder is listed as ``"page"``, a corpus or fixture-site page by
its path there (never copied), any other saved file is copied into the folder, and a
fetched URL is saved there. Without ``-o`` the entry is printed. Exit codes as
``scrapy extract``: 1 the page could not be had, 2 a usage error, 3 not an article.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy.exceptions import UsageError

from newscrawl import exitcodes
from newscrawl.api import NoSiteError, NotAnArticleError, extract, resolve_site
from newscrawl.commands.extract import FETCH_FAILED, NOT_AN_ARTICLE, PageError, _is_http
from newscrawl.commands.extract import Command as ExtractCommand
from newscrawl.extraction.article import decode_html
from newscrawl.extraction.body import select_all
from newscrawl.extraction.decide import decide
from newscrawl.extraction.depth import parse_html
from newscrawl.fixtureserver import FIXTURE_SITE, shared_dir
from newscrawl.guards.faults import looks_binary

MAX_NOISE = 20  # proposals: a human reads each one
MIN_NOISE_CHARS = 12  # shorter strings ("Share", "12") say little about furniture


def noise_candidates(html: bytes, url: str, record: Mapping[str, Any], site: str) -> list[str]:
    """Text of the page the record's body does not hold, nearest the story first.

    First what the site's body containers held and the extraction removed, then what
    the generic extractor keeps and the site's selectors drop, then the rest of the
    page (tickers, "related" lists, footers). Text is taken element by element (each
    element's own text and each tail), so a headline and its timestamp are two strings.
    """
    rules = resolve_site(site, url).rules
    root, _, _ = parse_html(decode_html(html) or "<html></html>", url)
    containers = select_all(root, rules.body_selectors)
    blocks = [piece for container in containers for piece in _pieces(container)]
    blocks += decide(html, url, None).record["body"].split("\n\n")  # the generic record
    blocks += _pieces(root)
    # The record's own fields are on the page outside the body, but they are not noise.
    metadata = {record.get(key) for key in ("title", "description", "published_raw", "section")}
    metadata |= {*(record.get("authors") or ()), *(record.get("tags") or ())}
    body = record["body"]
    chosen: list[str] = []
    for block in blocks:
        text = " ".join(block.split())
        if len(text) >= MIN_NOISE_CHARS and text not in body and text not in metadata:
            if text not in chosen:
                chosen.append(text)
    return chosen[:MAX_NOISE]


def _pieces(root: Any) -> list[str]:
    """Each element's own text and tail, in document order, outside script and style."""
    pieces: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments: their tails are text all the same
            pieces.append(el.tail or "")
            continue
        if el.tag not in _NO_TEXT:
            pieces.append(el.text or "")
        pieces.append(el.tail or "")
    return pieces


_NO_TEXT = frozenset({"script", "style", "noscript", "template", "head", "title"})


def _slug(url: str) -> str:
    """A file name for a fetched page: its last path segment, made safe."""
    last = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.-]+", "-", last).strip("-.")[:80] or "page"
    return name if name.endswith((".html", ".htm")) else name + ".html"


def golden_file(output: Path) -> list[dict[str, Any]]:
    """The entries already in a golden file (none if there is no file yet)."""
    if not output.exists():
        return []
    try:
        pages = json.loads(output.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{output} cannot be read as a golden file: {exc}") from None
    if not isinstance(pages, list):
        raise UsageError(f"{output} is not a golden file (a JSON list of pages)")
    return pages


def add_entry(output: Path, entry: dict[str, Any]) -> None:
    """Add ``entry`` to the golden file, replacing one for the same page or URL."""
    pages = golden_file(output)
    source = {k: v for k, v in entry.items() if k in ("page", "corpus", "fixture")}
    same = [i for i, p in enumerate(pages) if p.get("url") == entry["url"]
            or source.items() <= p.items()]  # fmt: skip
    if same:
        pages[same[0]] = entry
    else:
        pages.append(entry)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(pages, ensure_ascii=False, indent=2) + "\n", "utf-8")


class Command(ExtractCommand):
    def syntax(self) -> str:
        return "PAGE_OR_URL --url URL [--site NAME] [-o tests/sites/NAME/expected.json]"

    def short_desc(self) -> str:
        return "Write a first golden record (and noise strings) of a site from a saved page"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super(ExtractCommand, self).add_options(parser)
        parser.add_argument("--site", help="site module (default: the one matching the URL)")
        parser.add_argument("--url", help="URL the saved page was published at (http or https)")
        parser.add_argument("-o", "--output", help="golden file to add the entry to")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError()
        target = args[0]
        output = Path(opts.output) if opts.output else None
        try:
            if not _is_http(target) and opts.url is None:
                raise UsageError("--url is needed: the URL the saved page was published at")
            if _is_http(target) and output is None:
                raise UsageError("a fetched page is saved beside its golden file: give -o")
            if output is not None:
                golden_file(output)  # before any work: a file we could not add to
            html, url = self._page(target, opts.url)
            site = resolve_site(opts.site, url).name
            if not html.strip() or looks_binary(html):
                raise NotAnArticleError(url, "empty" if not html.strip() else "binary data")
            record = extract(html, url, site=site)
            entry = {**self._source(target, html, url, output), "url": url, "expected": record,
                     "noise": noise_candidates(html, url, record, site)}  # fmt: skip
        except (UsageError, NoSiteError) as exc:
            self._fail(exitcodes.USAGE, str(exc))
            return
        except PageError as exc:
            self._fail(FETCH_FAILED, f"{target}: {exc}")
            return
        except NotAnArticleError as exc:
            self._fail(NOT_AN_ARTICLE, str(exc))
            return
        if output is None:
            json.dump(entry, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
            return
        try:
            add_entry(output, entry)
        except OSError as exc:
            self._fail(exitcodes.USAGE, f"cannot write {output}: {exc.strerror or exc}")
            return
        print(f"wrote the {site} record of {url} to {output}: check every field and the "
              f"{len(entry['noise'])} noise strings by hand", file=sys.stderr)  # fmt: skip

    def _source(self, target: str, html: bytes, url: str, output: Path | None) -> dict[str, str]:
        """How the golden entry names its page (saving it in the site's folder if need be)."""
        folder = output.resolve().parent if output is not None else None
        if _is_http(target):
            assert folder is not None
            return {"page": _save(folder, _slug(url), html)}
        path = Path(target).resolve()
        if folder is not None and path.is_relative_to(folder):
            return {"page": path.relative_to(folder).as_posix()}
        for key, root in (("corpus", shared_dir() / "corpus"), ("fixture", FIXTURE_SITE)):
            if path.is_relative_to(root.resolve()):
                return {key: path.relative_to(root.resolve()).as_posix()}
        if folder is not None:
            _save(folder, path.name, path.read_bytes())
        return {"page": path.name}


def _save(folder: Path, name: str, data: bytes) -> str:
    """Save a page in the site's folder, never over a different page of that name."""
    target = folder / name
    if target.exists() and target.read_bytes() != data:
        raise UsageError(f"{target} already holds another page: rename the one to add")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot save the page as {target}: {exc.strerror or exc}") from None
    return name
