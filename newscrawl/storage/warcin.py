"""Reading WARC files written by any crawler (Common Crawl / CC-NEWS, wget, Heritrix,
newscrawl itself): gzip per record, one gzip over the whole file, or plain.

Only HTTP responses with status 200 and an HTML body are pages; every other record is
counted (``newscrawl/warc/records``, ``warc/skipped/<why>``), never silently dropped.
A file cut short (a copy interrupted, a disk that filled) keeps the records before the
cut: one warning names the file and where, and ``warc/truncated`` and
``warc/skipped_records`` count it. warcio alone would stop quietly at a cut gzip
member, and refuse a WARC gzipped as one stream; both are handled here.
"""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newscrawl.storage.warc import KIND_HEADER

logger = logging.getLogger(__name__)

Count = Callable[[str, int], None]  # (stat key under newscrawl/, amount)


@dataclass(frozen=True)
class ArchivedPage:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # ISO 8601 with offset, from WARC-Date
    kind: str | None  # newscrawl's own page kind (article, feed, ...), None from others


def warc_date(value: str | None) -> str:
    """WARC-Date (``2024-05-01T10:00:00Z``, maybe with fractions) as ISO 8601 + offset.

    >>> warc_date("2024-05-01T10:00:00.123Z"), warc_date(None)
    ('2024-05-01T10:00:00+00:00', '')
    """
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.replace(microsecond=0).isoformat()


def is_html(headers: dict[str, str]) -> bool:
    """HTML, or no Content-Type at all (old crawlers leave it out: the extractor judges)."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return not content_type or "html" in content_type.lower()


def read_pages(path: Path, count: Count, max_bytes: int = 0) -> Iterator[ArchivedPage]:
    """Every HTML 200 response of one WARC file, in file order.

    A page over ``max_bytes`` (0: no limit; decoded, as the crawl's DOWNLOAD_MAXSIZE)
    is skipped without being held in memory (``warc/skipped/too_large``).
    """
    reader = _Reader(path, count, max_bytes)
    with path.open("rb") as stream:
        gzipped = stream.read(2) == b"\x1f\x8b"
        stream.seek(0)
        try:
            yield from reader.pages(ArchiveIterator(stream), gzipped)
            return
        except ArchiveLoadFailed as error:
            if "single gzip" not in str(error):
                why = (str(error).strip().splitlines() or ["?"])[0][:80]
                if reader.done:  # damage after good records: the rest is lost
                    reader.cut(f"damaged after record {reader.done}: {why}")
                else:
                    count("warc/not_warc", 1)
                    logger.warning("%s is not a WARC file (%s), skipped (newscrawl/warc/not_warc)",
                                   path, why)  # fmt: skip
                return
    # One gzip stream over the whole file (not one per record): read it inflated, on.
    with path.open("rb") as raw:
        inflated = WholeGzip(raw)
        yield from reader.pages(ArchiveIterator(io.BufferedReader(inflated)), False)
        if inflated.cut and not reader.was_cut:
            reader.cut("the gzip stream ends early")


class _Reader:
    def __init__(self, path: Path, count: Count, max_bytes: int) -> None:
        self.path = path
        self.count = count
        self.max_bytes = max_bytes
        self.done = 0  # records read whole (a second pass skips them)
        self.was_cut = False

    def pages(self, records: ArchiveIterator, gzipped: bool) -> Iterator[ArchivedPage]:
        end = 0  # offset after the last whole record (in the file, or inflated)
        for index, record in enumerate(records):
            found = _page(record)
            body, why = b"", found if isinstance(found, str) else None
            if isinstance(found, ArchivedPage):  # only pages' bodies are read into memory
                body, why = self.body(record)
            records.read_to_end()
            # The file ends inside this record: its block is short, or (a gzip member
            # cut inside the header) its Content-Length is missing or cut.
            length = record.rec_headers.get_header("Content-Length") or ""
            if getattr(record.raw_stream, "limit", 0) or not length.isdigit():
                self.cut(f"the record at byte {end} is incomplete")
                return
            offset, size = records.member_info
            end = offset + size
            if index < self.done:
                continue  # read whole by the first pass
            self.done += 1
            self.count("warc/records", 1)
            if why is not None:
                self.count(f"warc/skipped/{why}", 1)
                if isinstance(found, ArchivedPage):  # a page lost: say which
                    logger.warning("WARC %s: %s skipped (%s; newscrawl/warc/skipped/%s)",
                                   self.path, found.url, why, why)  # fmt: skip
            elif isinstance(found, ArchivedPage):
                yield ArchivedPage(**{**found.__dict__, "body": body})
        if gzipped and end < self.path.stat().st_size:
            # gzip per record: warcio stops quietly at a member cut short
            self.cut(f"{self.path.stat().st_size - end} bytes after the last whole record")

    def body(self, record: Any) -> tuple[bytes, str | None]:
        """The page's decoded body, or why not: over max_bytes, or not decodable."""
        stream = record.content_stream()  # undoes chunking and Content-Encoding
        try:
            body: bytes = stream.read(self.max_bytes + 1) if self.max_bytes else stream.read()
        except (zlib.error, OSError, EOFError, ValueError):
            return b"", "bad_encoding"  # (a cut record is told apart by the caller)
        if self.max_bytes and len(body) > self.max_bytes:
            return b"", "too_large"  # the rest is read past, never held
        return body, None

    def cut(self, where: str) -> None:
        self.was_cut = True
        self.count("warc/truncated", 1)
        self.count("warc/skipped_records", 1)
        logger.warning(
            "WARC %s is truncated (%s): the records before the cut were read, the cut one "
            "skipped (newscrawl/warc/truncated)", self.path, where,
        )  # fmt: skip


class WholeGzip(io.RawIOBase):
    """A whole-file gzip stream, inflated; ``cut`` when the file ends before the stream."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.inflate = zlib.decompressobj(wbits=31)
        self.cut = False
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending and not self.inflate.eof and not self.cut:
            chunk = self.raw.read(1 << 16)
            if not chunk:
                self.cut = True
                break
            try:
                self.pending = self.inflate.decompress(chunk)
            except zlib.error:
                self.cut = True
        data, self.pending = self.pending[: len(buffer)], self.pending[len(buffer) :]
        buffer[: len(data)] = data
        return len(data)


def _page(record: Any) -> ArchivedPage | str:
    """The page a record holds (without its body yet), or why it holds none."""
    rec_type = record.rec_type
    if rec_type != "response":
        return str(rec_type or "unknown")  # request, warcinfo, metadata, revisit...
    rec_headers = record.rec_headers
    http = record.http_headers
    url = rec_headers.get_header("WARC-Target-URI") or ""
    if http is None or not url.startswith(("http://", "https://")):
        return "not_http"  # dns:, whois:, ftp responses
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        status = 0
    if status != 200:
        return "not_200"  # redirects, errors: no article in them
    # Transfer and content encodings are undone by warcio's content_stream().
    headers = {
        k: v for k, v in http.headers
        if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
    }  # fmt: skip
    if not is_html(headers):
        return "not_html"
    return ArchivedPage(
        url=url,
        status=status,
        headers=headers,
        body=b"",
        fetched_at=warc_date(rec_headers.get_header("WARC-Date")),
        kind=rec_headers.get_header(KIND_HEADER),
    )
