"""A hostile news site on 127.0.0.1: arabstoday's URL shape, misbehaving per URL.

:class:`FaultSite` builds the pages (robots.txt with a Sitemap line, a sitemap of
every article, the ``/en/rss`` and ``/ar/rss`` feeds, the section pages, and article
pages ``/{en,ar}/news/<6 digits>/<slug>`` long enough to pass validation, with text
generated per article so no two bodies are alike) and :func:`serve` runs it in a
thread on a free port. Any path can carry a :class:`Fault`, for its first ``times``
requests or for all of them:

==================  ===============================================================
``status``          that HTTP status (``code``), optional ``headers`` (Retry-After)
``hang``            read the request, answer nothing (the client's timeout ends it)
``reset``           headers and half the body, then a TCP reset (RST)
``drip``            headers, then the body one byte per ``interval`` seconds
``short``           a body shorter than its Content-Length, then close
``bad_gzip``        ``Content-Encoding: gzip`` over bytes that are not gzip
``gzip_bomb``       ``size`` bytes of zeros, gzipped (a few kB on the wire)
``huge``            ``size`` bytes, announced in Content-Length (``stream``: without)
``binary``          random bytes (NULs included) as ``text/html``
``empty``           200 with an empty body
``charset``         an Arabic article encoded/declared per ``variant`` (see below)
``redirect``        ``status`` (302) to ``location`` (``{origin}`` is filled in)
``interstitial``    a bot check / consent wall / paywall (``variant``) with 200
``body``            ``body`` bytes as ``content_type`` with ``headers``
==================  ===============================================================

Charset variants: ``meta_only`` (windows-1256, declared only in ``<meta>``),
``header_utf8_body_cp1256``, ``header_latin1_body_cp1256``,
``header_latin1_body_utf8``, ``header_cp1256_body_utf8``, ``meta_utf8_body_cp1256``,
``undeclared_cp1256``,
``undeclared_utf8``, ``bom`` (UTF-8 with a BOM, header without charset),
``mojibake`` (the CMS stored UTF-8 bytes decoded as cp1256: served as valid UTF-8).

Every request is logged in :attr:`FaultSite.hits` (path, attempt, time). The server
also answers proxy-style requests (``GET http://host/path``), recording the
``Proxy-Authorization`` header, so a crawl can be pointed at it as its HTTP proxy.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

REAL_ORIGIN = "https://www.arabstoday.net"

_EN_SUBJECTS = (
    "The finance ministry", "The central bank", "Parliament", "The port authority",
    "The health ministry", "The national oil company", "The municipal council",
    "The electricity authority", "The transport ministry", "Farmers' unions",
    "The statistics office", "The tourism board", "Exporters", "The water authority",
)  # fmt: skip
_EN_VERBS = (
    "announced", "approved", "rejected", "postponed", "reviewed", "welcomed",
    "criticised", "published", "expanded", "suspended", "financed", "proposed",
)  # fmt: skip
_EN_OBJECTS = (
    "a new budget plan", "the housing programme", "a fuel subsidy reform",
    "the desalination project", "a road safety law", "the customs agreement",
    "a tender for solar plants", "the wheat import schedule", "a pension review",
    "the rail link study", "new rules for ride-hailing firms", "a bond issue",
)  # fmt: skip
_EN_TAILS = (
    "on Tuesday after weeks of talks", "despite objections from the opposition",
    "in a statement carried by the state news agency", "for the coming fiscal year",
    "after a request from the cabinet", "amid rising prices in the capital",
    "following a review by independent auditors", "in the southern provinces",
    "with support from regional lenders", "ahead of the summer season",
)  # fmt: skip
_AR_SUBJECTS = (
    "وزارة المالية", "البنك المركزي", "مجلس النواب", "هيئة الموانئ", "وزارة الصحة",
    "شركة النفط الوطنية", "المجلس البلدي", "هيئة الكهرباء", "وزارة النقل",
    "اتحاد المزارعين", "دائرة الإحصاء", "هيئة السياحة",
)  # fmt: skip
_AR_VERBS = (
    "أعلنت", "أقرت", "رفضت", "أرجأت", "راجعت", "رحبت ب", "انتقدت", "نشرت", "وسعت",
    "علقت", "مولت", "اقترحت",
)  # fmt: skip
_AR_OBJECTS = (
    "خطة الموازنة الجديدة", "برنامج الإسكان", "إصلاح دعم الوقود", "مشروع تحلية المياه",
    "قانون السلامة المرورية", "الاتفاقية الجمركية", "مناقصة محطات الطاقة الشمسية",
    "جدول استيراد القمح", "مراجعة نظام التقاعد", "دراسة خط السكك الحديدية",
)  # fmt: skip
_AR_TAILS = (
    "يوم الثلاثاء بعد أسابيع من المشاورات", "رغم اعتراض المعارضة",
    "في بيان نقلته وكالة الأنباء الرسمية", "للسنة المالية المقبلة",
    "بناء على طلب من مجلس الوزراء", "وسط ارتفاع الأسعار في العاصمة",
    "بعد مراجعة أجراها مدققون مستقلون", "في المحافظات الجنوبية",
)  # fmt: skip


@dataclass(frozen=True)
class Article:
    id: int
    language: str  # "en" | "ar"
    title: str
    paragraphs: tuple[str, ...]
    published: datetime

    @property
    def path(self) -> str:
        return f"/{self.language}/news/{self.id}/story-{self.id}"

    @property
    def body(self) -> str:
        """The body the crawl should emit: paragraphs apart by one blank line."""
        return "\n\n".join(self.paragraphs)

    def html(self, meta_charset: str | None = "utf-8") -> str:
        meta = f'<meta charset="{meta_charset}">\n' if meta_charset else ""
        direction = ' dir="rtl"' if self.language == "ar" else ""
        story = "\n<br><br>\n".join(html.escape(p) for p in self.paragraphs)
        ticker = (
            "آخر الأخبار: أسعار الذهب ترتفع"
            if self.language == "ar"
            else "Latest: gold prices rise"
        )
        return f"""<!DOCTYPE html>
<html lang="{self.language}"{direction}>
<head>
{meta}<title>Arabs Today :: {html.escape(self.title)}</title>
<link rel="canonical" href="{REAL_ORIGIN}{self.path}">
<meta property="article:published_time" content="{self.published.isoformat()}">
</head>
<body>
<div class="news-ticker"><a href="/{self.language}/news/999999/other">{ticker}</a></div>
<div id="content">
<h1 class="NewsTitle">{html.escape(self.title)}</h1>
<div id="NewsStory">
{story}
</div>
</div>
<div id="footer"><p>Maintained and developed by Arabs Today Group SAL.</p></div>
</body>
</html>
"""


def make_article(article_id: int, language: str = "en") -> Article:
    """A distinct, valid article: text drawn from a seeded generator per id."""
    rng = random.Random(article_id)
    parts: tuple[tuple[str, ...], ...]
    if language == "ar":
        parts = (_AR_SUBJECTS, _AR_VERBS, _AR_OBJECTS, _AR_TAILS)
        stop, comma = ".", "،"
    else:
        parts = (_EN_SUBJECTS, _EN_VERBS, _EN_OBJECTS, _EN_TAILS)
        stop, comma = ".", ","
    paragraphs = []
    for _ in range(4):
        sentences = []
        for _ in range(3):
            subject, verb, obj, tail = (rng.choice(p) for p in parts)
            number = rng.randint(2, 98_000)
            sentences.append(f"{subject} {verb} {obj} {tail}{comma} {number}{stop}")
        paragraphs.append(" ".join(sentences))
    title_words = paragraphs[0].split()[:8]
    title = " ".join(title_words).rstrip("،,.") + f" {article_id}"
    published = datetime(2023, 1, 1, 9, 0, tzinfo=UTC) + timedelta(hours=article_id % 5000)
    return Article(article_id, language, title, tuple(paragraphs), published)


@dataclass
class Fault:
    kind: str
    times: int | None = None  # the first N requests misbehave; None: all of them
    params: dict[str, Any] = field(default_factory=dict)


def fault(kind: str, times: int | None = None, **params: Any) -> Fault:
    return Fault(kind, times, params)


@dataclass(frozen=True)
class Hit:
    path: str
    attempt: int
    at: float
    proxy_authorization: str | None = None


def rss(articles: list[Article], extra_items: str = "", doctype: str = "") -> bytes:
    items = "".join(
        f"<item><title>{html.escape(a.title)}</title>"
        f"<link>{REAL_ORIGIN}{a.path}</link>"
        f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate></item>\n"
        for a in articles
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}<rss version="2.0"><channel>'
        f"<title>Arabs Today</title><link>{REAL_ORIGIN}/</link>\n{items}{extra_items}"
        "</channel></rss>\n"
    ).encode()


def urlset(urls: Iterator[str] | list[str]) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    head += '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    body = "".join(f"<url><loc>{u}</loc></url>\n" for u in urls)
    return (head + body + "</urlset>\n").encode()


def sitemap_index(urls: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>\n" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    ).encode()


def listing(language: str, articles: Sequence[Article] = ()) -> bytes:
    links = "".join(f'<li><a href="{a.path}">{html.escape(a.title)}</a></li>' for a in articles)
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>Arabs Today</title></head><body><ul>{links}</ul></body></html>"
    ).encode()


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)


class FaultSite:
    """The pages and faults of one hostile site; :func:`serve` puts it on 127.0.0.1."""

    def __init__(
        self,
        articles: list[Article],
        faults: dict[str, Fault] | None = None,
        *,
        in_feeds: list[Article] | None = None,
        hidden: Sequence[Article] = (),
        robots: str = "User-agent: *\nDisallow: /admin/\n\nSitemap: {real}/sitemap.xml\n",
        delay: float = 0.0,
    ) -> None:
        self.articles = articles
        self.faults = dict(faults or {})
        self.delay = delay  # seconds before each article response (a slow site)
        self.hits: list[Hit] = []
        self.origin = ""
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        feeds = articles if in_feeds is None else in_feeds
        self.pages: dict[str, Page] = {
            "/robots.txt": Page(robots.replace("{real}", REAL_ORIGIN).encode(), "text/plain"),
            "/sitemap.xml": Page(
                urlset([REAL_ORIGIN + a.path for a in articles]), "application/xml"
            ),
            "/en/rss": Page(rss([a for a in feeds if a.language == "en"]), "application/rss+xml"),
            "/ar/rss": Page(rss([a for a in feeds if a.language == "ar"]), "application/rss+xml"),
            "/en/politics": Page(listing("en")),
            "/en/economy": Page(listing("en")),
            "/ar/politics": Page(listing("ar")),
        }
        for article in [*articles, *hidden]:  # hidden: served, listed nowhere
            self.pages[article.path] = Page(article.html().encode("utf-8"))
        self.by_path = {a.path: a for a in [*articles, *hidden]}

    # -- what the tests look at ------------------------------------------------

    def requests_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def _attempt(self, path: str, hit: Hit | None = None) -> int:
        with self._lock:
            self._attempts[path] = self._attempts.get(path, 0) + 1
            return self._attempts[path]

    def record(self, path: str, attempt: int, proxy_authorization: str | None) -> None:
        with self._lock:
            self.hits.append(Hit(path, attempt, time.monotonic(), proxy_authorization))

    def active_fault(self, path: str, attempt: int) -> Fault | None:
        found = self.faults.get(path)
        if found is None or (found.times is not None and attempt > found.times):
            return None
        return found


_BOMB_CACHE: dict[int, bytes] = {}


def gzip_bomb(size: int) -> bytes:
    if size not in _BOMB_CACHE:
        _BOMB_CACHE[size] = gzip.compress(b"\0" * size, compresslevel=9)
    return _BOMB_CACHE[size]


def charset_variant(article: Article, variant: str) -> Page:
    """An (Arabic) article encoded and declared as ``variant`` says."""
    if variant == "meta_only":
        return Page(article.html("windows-1256").encode("cp1256"), "text/html")
    if variant == "header_utf8_body_cp1256":
        body = article.html(None).encode("cp1256")
        return Page(body, "text/html; charset=utf-8")
    if variant == "header_latin1_body_cp1256":
        return Page(article.html(None).encode("cp1256"), "text/html; charset=iso-8859-1")
    if variant == "header_latin1_body_utf8":
        return Page(article.html(None).encode("utf-8"), "text/html; charset=iso-8859-1")
    if variant == "header_cp1256_body_utf8":
        return Page(article.html(None).encode("utf-8"), "text/html; charset=windows-1256")
    if variant == "meta_utf8_body_cp1256":
        return Page(article.html("utf-8").encode("cp1256"), "text/html")
    if variant == "undeclared_cp1256":
        return Page(article.html(None).encode("cp1256"), "text/html")
    if variant == "undeclared_utf8":
        return Page(article.html(None).encode("utf-8"), "text/html")
    if variant == "bom":
        return Page(b"\xef\xbb\xbf" + article.html(None).encode("utf-8"), "text/html")
    if variant == "mojibake":
        # What a CMS stores when it reads UTF-8 bytes as windows-1256 and saves the text.
        text = article.html("utf-8")
        head, _, rest = text.partition("<body>")
        garbled = rest.encode("utf-8").decode("cp1256")
        return Page((head + "<body>" + garbled).encode("utf-8"), "text/html; charset=utf-8")
    raise ValueError(f"unknown charset variant {variant!r}")


_INTERSTITIALS = {
    "bot_check": (
        "<html><head><title>Just a moment...</title>"
        "<script>window._cf_chl_opt={cType:'managed'};</script></head>"
        "<body><h1>Checking your browser before accessing the site</h1></body></html>"
    ),
    "consent_wall": (
        "<html><head><title>Arabs Today</title></head><body><h2>We value your privacy</h2>"
        "<p>We and our partners use cookies.</p><button>Accept all cookies</button>"
        "</body></html>"
    ),
    "paywall": (
        "<html><head><title>Arabs Today :: Premium</title></head><body><h1>Premium story</h1>"
        "<p>The first lines of the story.</p><div class='wall'>Subscribe now to continue "
        "reading. Already a subscriber? Sign in.</div></body></html>"
    ),
}


class FaultHandler(BaseHTTPRequestHandler):
    site: FaultSite
    protocol_version = "HTTP/1.0"  # one request per connection: faults stay per request

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):  # asked as a proxy
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        path = urlsplit(target).path
        site = self.site
        attempt = site._attempt(path)
        site.record(path, attempt, self.headers.get("Proxy-Authorization"))
        if site.delay and path in site.by_path:
            time.sleep(site.delay)
        active = site.active_fault(path, attempt)
        page = site.pages.get(path)
        try:
            if active is not None:
                self._misbehave(active, page, path)
            elif page is None:
                self._send(404, b"<html><body>Not found</body></html>", "text/html")
            elif "xml" in page.content_type or path == "/robots.txt":
                # Feeds and sitemaps carry validators, as real ones do: conditional requests.
                etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._head(304, {"ETag": etag})
                else:
                    self._send(200, page.body, page.content_type, {"ETag": etag, **page.headers})
            else:
                self._send(200, page.body, page.content_type, page.headers)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up: that is the point of most faults

    # -- plumbing ---------------------------------------------------------------

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.flush()

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        all_headers = {"Content-Type": content_type, **(headers or {})}
        all_headers["Content-Length"] = str(len(body) if length is None else length)
        self._head(status, all_headers)
        self.wfile.write(body)
        self.wfile.flush()

    def _reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0) instead of a FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _misbehave(self, active: Fault, page: Page | None, path: str) -> None:
        kind, params = active.kind, active.params
        body = page.body if page is not None else b"<html><body>gone</body></html>"
        if kind == "status":
            code = int(params.get("code", 500))
            text = f"<html><body><h1>Error {code}</h1></body></html>".encode()
            self._send(code, params.get("body", text), "text/html", params.get("headers"))
        elif kind == "hang":
            self.site.stop.wait(float(params.get("seconds", 60)))
        elif kind == "reset":
            self._head(200, {"Content-Type": "text/html", "Content-Length": str(len(body))})
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(0.05)
            self._reset()
        elif kind == "drip":
            self._head(200, {"Content-Type": "text/html", "Content-Length": str(len(body))})
            interval = float(params.get("interval", 1.0))
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                if self.site.stop.wait(interval):
                    break
        elif kind == "short":
            self._send(200, body[: len(body) // 2], "text/html", length=len(body))
        elif kind == "bad_gzip":
            junk = b"\x1f\x8b\x08\x00" + bytes(random.Random(7).randrange(256) for _ in range(400))
            self._send(200, junk, "text/html", {"Content-Encoding": "gzip"})
        elif kind == "gzip_bomb":
            bomb = gzip_bomb(int(params.get("size", 64 * 1024 * 1024)))
            self._send(200, bomb, "text/html", {"Content-Encoding": "gzip"})
        elif kind == "huge":
            size = int(params.get("size", 16 * 1024 * 1024))
            chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"
            headers = {"Content-Type": "text/html"}
            if not params.get("stream"):
                headers["Content-Length"] = str(size)
            self._head(200, headers)
            sent = 0
            while sent < size and not self.site.stop.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        elif kind == "binary":
            rng = random.Random(path)
            blob = bytes(rng.randrange(256) for _ in range(6000)) + b"\0" * 200
            self._send(200, blob, "text/html")
        elif kind == "empty":
            self._send(200, b"", "text/html")
        elif kind == "charset":
            article = self.site.by_path[path]
            variant = charset_variant(article, params["variant"])
            self._send(200, variant.body, variant.content_type)
        elif kind == "redirect":
            location = str(params["location"]).replace("{origin}", self.site.origin)
            port = urlsplit(self.site.origin).port
            location = location.replace("{port}", str(port))
            self._send(
                int(params.get("status", 302)),
                b"",
                "text/html",
                {"Location": location},
            )
        elif kind == "interstitial":
            self._send(200, _INTERSTITIALS[params["variant"]].encode(), "text/html")
        elif kind == "body":
            self._send(
                int(params.get("code", 200)),
                params["body"],
                params.get("content_type", "text/html"),
                params.get("headers"),
            )
        else:
            raise ValueError(f"unknown fault {kind!r}")


@contextmanager
def serve(site: FaultSite) -> Iterator[str]:
    """Serve ``site`` on a free 127.0.0.1 port in threads; yields the origin URL."""
    handler = type("Handler", (FaultHandler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    site.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site.origin
    finally:
        site.stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


def retry_after_date(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)
