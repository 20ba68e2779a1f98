"""``scrapy learn URL_OR_WARC_OR_DIR [-O site.toml] [--origin URL]``: a site declaration
learned from article pages of one site, for a human to review and commit.

A URL is a live site: the ``news`` spider's discovery from it (robots.txt sitemaps,
the feeds its home page names, its home and section pages, article-like links) with
the crawl's middlewares and guards, learning from the first ``--max-pages`` article
pages it fetches (nothing is written to the state store, no feed, no report). The
feeds it read are declared in the TOML, and the URL's path as a section.

DIR is a folder of saved pages (``.html``, ``.htm``, gzipped or not); each page's URL
is its canonical or og:url, else ``--origin`` joined with its path in the folder. A
WARC (``.warc``, ``.warc.gz``, as ``NEWSCRAWL_WARC`` writes them) gives its HTML
responses with their URLs. The TOML goes to ``-O FILE`` (else stdout) and loads with
``scrapy crawl news -a config=FILE``.

Exit codes: 0 written; 2 a usage error (no such path, no page, unwritable output);
3 no article layout found in the pages (or no article page found on the live site).
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import exitcodes
from newscrawl.extraction.article import Extraction
from newscrawl.extraction.decide import decide
from newscrawl.spiders.news import GenericNewsSpider

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


class _Collect(GenericNewsSpider):
    """The ``news`` spider's discovery on a live site, keeping the article pages it
    extracts (generically) and the feeds it reads, for learning."""

    name = "learn"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.collected: list[tuple[str, str]] = []
        self.feeds_read: list[str] = []

    def parse_feed(self, response: Any) -> Any:
        self.feeds_read.append(response.url)
        return super().parse_feed(response)

    def extract(self, html: str, url: str) -> Extraction:
        extraction = decide(html, url, self.spec)
        if not extraction.rejected and extraction.record["body"]:
            self.collected.append((html, url))
        return extraction


# A discovery run and nothing else: no lock, feed, report, journal, monitors, learning;
# the state store in a folder thrown away (a page seen before is still learned from).
_DISCOVERY = {
    "EXTENSIONS": {},
    "ITEM_PIPELINES": {},
    "FEEDS": {},
    "SPIDERMON_ENABLED": False,
    "NEWSCRAWL_WARC": None,
    "NEWSCRAWL_PROGRESS_INTERVAL": 0,
    "NEWSCRAWL_LEARN_PAGES": 0,
}


class Command(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "URL_OR_WARC_OR_DIR [-O site.toml] [--origin URL] [--feed PATH] [--max-pages N]"

    def short_desc(self) -> str:
        return "Learn a site declaration (TOML) from a live site, saved pages or a WARC"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-O", dest="output", help="write the TOML here (default: stdout)")
        parser.add_argument("--origin", help="the site's origin, for pages without a canonical")
        parser.add_argument("--feed", action="append", default=[], help="a feed path to declare")
        parser.add_argument("--max-pages", type=int, default=None,
                            help="pages to learn from (default: 50; a live site: 10)")  # fmt: skip

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newscrawl.extraction.template.learn import learn_site

        feeds = tuple(opts.feed)
        sections: tuple[str, ...] = ()
        found: Iterable[tuple[str | bytes, str]]
        try:
            if len(args) != 1:
                raise UsageError("give one URL, folder or WARC file")
            if opts.origin is not None and not opts.origin.startswith(("http://", "https://")):
                raise UsageError(f"--origin must be an http(s) URL, got {opts.origin!r}")
            if opts.max_pages is not None and opts.max_pages < 2:
                raise UsageError(f"--max-pages must be 2 or more, got {opts.max_pages}")
            source = Path(args[0])
            if args[0].startswith(("http://", "https://")):
                found, read = self._discover(args[0], opts.max_pages or 10)
                feeds = feeds or read
                sections = (urlsplit(args[0]).path or "/",)
                if not found:
                    self._fail(exitcodes.NO_ITEMS, f"no article page found from {args[0]}")
                    return
            elif "://" in args[0]:
                raise UsageError(f"only http(s) URLs, folders and WARCs, got {args[0]!r}")
            elif source.is_dir():
                found = folder_pages(source, opts.origin)
            elif source.is_file() and ".warc" in source.name:
                found = warc_pages(source)
            else:
                raise UsageError(f"{source}: not a folder or a .warc(.gz) file")
            pages: list[tuple[str | bytes, str]] = []
            for page in found:
                pages.append(page)
                if len(pages) >= (opts.max_pages or 50):
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
        text = template.to_toml(feeds=feeds, sections=sections)
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

    def _discover(self, url: str, limit: int) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
        """(article pages, feed paths read) of a crawl of the live site at ``url``."""
        assert self.settings is not None and self.crawler_process is not None
        for key, value in _DISCOVERY.items():
            self.settings.set(key, value, priority="cmdline")
        with tempfile.TemporaryDirectory(prefix="newscrawl-learn-") as scratch:
            state = str(Path(scratch) / "state.sqlite3")
            self.settings.set("NEWSCRAWL_STATE_PATH", state, priority="cmdline")
            crawler = self.crawler_process.create_crawler(_Collect)
            self.crawler_process.crawl(crawler, site=url, limit=limit)
            self.crawler_process.start()
        spider = crawler.spider
        assert isinstance(spider, _Collect)
        origin = urlsplit(url)
        feeds = tuple(
            dict.fromkeys(
                parts.path + (f"?{parts.query}" if parts.query else "")
                for parts in map(urlsplit, spider.feeds_read)
                if parts.netloc == origin.netloc
            )
        )
        return spider.collected[:limit], feeds

    def _fail(self, code: int, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        self.exitcode = code
