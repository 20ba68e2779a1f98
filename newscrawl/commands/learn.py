"""``scrapy learn DIR_OR_WARC [-O site.toml] [--origin URL]``: a site declaration learned
from saved article pages of one site, for a human to review and commit.

DIR is a folder of saved pages (``.html``, ``.htm``, gzipped or not); each page's URL
is its canonical or og:url, else ``--origin`` joined with its path in the folder. A
WARC (``.warc``, ``.warc.gz``, as ``NEWSCRAWL_WARC`` writes them) gives its HTML
responses with their URLs. The TOML goes to ``-O FILE`` (else stdout) and loads with
``scrapy crawl news -a config=FILE``.

Exit codes: 0 written; 2 a usage error (no such path, no page, unwritable output);
3 no article layout found in the pages.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import exitcodes

_PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
_CANONICAL = re.compile(
    rb"""<(?:link[^>]+rel=["']?canonical|meta[^>]+property=["']?og:url)[^>]*>""", re.I
)
_HREF = re.compile(rb"""(?:href|content)=["']([^"']+)["']""", re.I)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _declared_url(html: bytes) -> str | None:
    for tag in _CANONICAL.finditer(html[:200_000]):
        href = _HREF.search(tag.group(0))
        if href:
            url = href.group(1).decode("utf-8", "replace").strip()
            if url.startswith(("http://", "https://")):
                return url
    return None


def folder_pages(folder: Path, origin: str | None) -> Iterator[tuple[bytes, str]]:
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or not path.name.lower().endswith(_PAGE_SUFFIXES):
            continue
        html = _read(path)
        url = _declared_url(html)
        if url is None:
            if origin is None:
                raise UsageError(f"{path}: no canonical URL in the page; give --origin URL")
            relative = path.relative_to(folder).as_posix()
            url = urljoin(origin.rstrip("/") + "/", re.sub(r"\.html?(\.gz)?$", "", relative))
        yield html, url


def warc_pages(path: Path) -> Iterator[tuple[bytes, str]]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            if record.http_headers.get_statuscode() != "200":
                continue
            kind = record.http_headers.get_header("Content-Type") or ""
            if "html" not in kind.lower():
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            if url:
                yield record.content_stream().read(), url


class Command(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "DIR_OR_WARC [-O site.toml] [--origin URL] [--feed PATH]"

    def short_desc(self) -> str:
        return "Learn a site declaration (TOML) from saved pages or a WARC of one site"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-O", dest="output", help="write the TOML here (default: stdout)")
        parser.add_argument("--origin", help="the site's origin, for pages without a canonical")
        parser.add_argument("--feed", action="append", default=[], help="a feed path to declare")
        parser.add_argument("--max-pages", type=int, default=50, help="pages to learn from")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newscrawl.extraction.template.learn import learn_site

        try:
            if len(args) != 1:
                raise UsageError("give one folder or WARC file")
            if opts.origin is not None and not opts.origin.startswith(("http://", "https://")):
                raise UsageError(f"--origin must be an http(s) URL, got {opts.origin!r}")
            source = Path(args[0])
            if source.is_dir():
                found = folder_pages(source, opts.origin)
            elif source.is_file() and ".warc" in source.name:
                found = warc_pages(source)
            else:
                raise UsageError(f"{source}: not a folder or a .warc(.gz) file")
            pages = []
            for page in found:
                pages.append(page)
                if len(pages) >= opts.max_pages:
                    break
            if not pages:
                raise UsageError(f"{source}: no HTML page in it")
        except (UsageError, OSError, ValueError) as exc:
            self._fail(exitcodes.USAGE, str(exc) or "usage: scrapy learn " + self.syntax())
            return
        template = learn_site(pages)
        if not template.layouts:
            self._fail(
                exitcodes.NO_ITEMS, f"no article layout found in {len(pages)} page(s) of {source}"
            )
            return
        text = template.to_toml(feeds=tuple(opts.feed))
        if opts.output is None:
            sys.stdout.write(text)
            return
        try:
            Path(opts.output).write_text(text, "utf-8")
        except OSError as exc:
            self._fail(exitcodes.USAGE, f"cannot write {opts.output}: {exc.strerror}")
            return
        print(
            f"{len(template.layouts)} layout(s) learned from {template.pages} page(s): "
            f"{opts.output}",
            file=sys.stderr,
        )

    def _fail(self, code: int, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        self.exitcode = code
