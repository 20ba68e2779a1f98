"""A local HTTP server for a fixture news site (tests, the offline demo, benchmarks).

It serves a directory the way a news CMS serves its URLs: ``/X`` is ``X``, else
``X.html``, else ``X.xml``, else ``X/index.html``. HTML goes out as ``text/html``
without a charset, so pages declare theirs in ``<meta>`` as real legacy pages do.

``*.html.in`` files are templates for the "seed" page: its body and ticker are
filled in from ``shared/reference/arabstoday-naive-extraction.txt`` at serve time,
because the project must not carry a copy of that text. Without the reference the
template answers 404.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Package data, so that `scrapy demo` works from an installed wheel too.
FIXTURE_SITE = Path(__file__).resolve().parent / "fixture_site" / "www"
REFERENCE_NAME = "arabstoday-naive-extraction.txt"
# The last body line of the reference page; what follows is ticker and footer.
SEED_LAST_BODY_LINE = "lack of authorizations from the Syrian authorities."
_TIMESTAMP = re.compile(r"GMT \d{2}:\d{2} \d{4} \w+ ,\d{2} \w+")
_CONTENT_TYPES = {
    ".html": "text/html",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}


def shared_dir() -> Path:
    """``../shared`` beside the project (CI puts it there), or $NEWSCRAWL_SHARED."""
    return Path(os.environ.get("NEWSCRAWL_SHARED", PROJECT_ROOT.parent / "shared"))


@dataclass(frozen=True)
class Seed:
    body: tuple[str, ...]
    ticker: tuple[tuple[str, str], ...]  # (timestamp, headline)
    footer: tuple[str, ...]


def load_seed(reference: Path | None = None) -> Seed | None:
    """Body paragraphs, ticker items and footer lines of the reference page."""
    path = reference or shared_dir() / "reference" / REFERENCE_NAME
    if not path.is_file():
        return None
    lines = [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]
    cut = next(i for i, line in enumerate(lines) if line.endswith(SEED_LAST_BODY_LINE)) + 1
    noise = "\n".join(lines[cut:])
    footer = ("Maintained and developed by Arabs Today Group SAL.",
              "All rights reserved to Arab Today Media Group 2023 ©")  # fmt: skip
    for line in footer:
        noise = noise.replace(line, "\n")
    # "<time>\n<headline><time>\n<headline>...": a timestamp then its headline.
    parts = [p.strip() for p in _TIMESTAMP.split(noise)]
    stamps = _TIMESTAMP.findall(noise)
    ticker = tuple(zip(stamps, parts[1:], strict=False))
    return Seed(tuple(lines[:cut]), ticker, footer)


def render_seed(template: str, seed: Seed) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in seed.body)
    ticker = "\n".join(
        f'<li><span class="t">{html.escape(stamp)}</span>'
        f'<a href="/en/news/{900000 + i}/item">{html.escape(headline)}</a></li>'
        for i, (stamp, headline) in enumerate(seed.ticker)
    )
    return template.replace("{{SEED_BODY}}", body).replace("{{SEED_TICKER}}", ticker)


class FixtureHandler(SimpleHTTPRequestHandler):
    root: Path = FIXTURE_SITE
    seed: Seed | None = None
    requested: list[str] | None = None  # paths served, for tests that count fetches

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the crawl logs what matters; a request log would drown it

    def _resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path).lstrip("/")
        base = (self.root / path).resolve()
        if not str(base).startswith(str(self.root.resolve())):
            return None
        for candidate in (base, Path(f"{base}.html"), Path(f"{base}.xml"),
                          base / "index.html", Path(f"{base}.html.in")):  # fmt: skip
            if candidate.is_file():
                return candidate
        return None

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        if self.requested is not None:
            self.requested.append(self.path)
        target = self._resolve()
        if target is None:
            self.send_error(404)
            return
        if target.name.endswith(".html.in"):
            if self.seed is None:
                self.send_error(404, "seed page needs shared/reference")
                return
            data = render_seed(target.read_text("utf-8"), self.seed).encode("utf-8")
            content_type = "text/html"
        else:
            data = target.read_bytes()
            content_type = _CONTENT_TYPES.get(target.suffix, "application/octet-stream")
        # Validators, so incremental crawls can make conditional requests.
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        modified = formatdate(int(target.stat().st_mtime), usegmt=True)
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-None-Match") is None
            and self.headers.get("If-Modified-Since") == modified
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)


@contextmanager
def serve(
    root: Path = FIXTURE_SITE, port: int = 0, requested: list[str] | None = None
) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 in a thread; yields the origin URL.

    Paths requested are appended to ``requested`` when one is given.
    """
    handler = type(
        "Handler", (FixtureHandler,), {"root": root, "seed": load_seed(), "requested": requested}
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
