"""Throwaway local servers for tests and benchmarks of distributed crawls.

* :func:`generate_site` writes a synthetic Arabs Today-like site of N small article
  pages (``/en/news/<n>/story``) with robots.txt, one sitemap listing them all, an
  RSS feed of the newest and two section pages linking some of them (so discovery
  finds many articles twice: the dupefilter has work).
* :func:`serve_site` serves such a folder with Twisted, each response after a delay
  (``--delay 0.15 --jitter 0.05``: 100-200 ms) without blocking the others -- a
  slow news site, where a crawler is limited by its concurrency, not its CPU.
  ``python tests/localservers.py serve ROOT PORT [--delay S] [--jitter S]``.
* :func:`start_redis_server` starts ``redis-server`` on 127.0.0.1, on a free port,
  with its own data folder and no persistence; ``stop()`` ends it by its PID.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ORIGIN = "https://www.arabstoday.net"
WORDS = (
    "the minister said government council security economy agreement talks region city "
    "officials report ministry week people border forces aid water power prices market "
    "parliament election court decision plan project support crisis meeting president "
    "budget health school farmers port trade oil gas bank loan energy drought harvest"
).split()
CONTENT_TYPES = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain"}


def article_path(number: int) -> str:
    return f"/en/news/{number:07d}/story"


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def article_html(rng: random.Random, number: int, published: datetime) -> str:
    """A small article page (~2 KB): title, byline, date, a few paragraphs, noise."""
    paragraphs = "".join(
        f"<p>{' '.join(_sentence(rng, rng.randint(10, 20)) for _ in range(3))}</p>"
        for _ in range(rng.randint(3, 5))
    )
    title = f"Story {number}: {_sentence(rng, 6)[:-1]}"
    related = "".join(
        f'<li><a href="{article_path(rng.randrange(10**6))}">{_sentence(rng, 5)}</a></li>'
        for _ in range(3)
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Arabs Today</title>
<link rel="canonical" href="{ORIGIN}{article_path(number)}">
<meta property="article:published_time" content="{published.isoformat()}">
</head><body><div class="article-details"><h1>{title}</h1>
<span class="author">By Sara Haddad</span>
<div class="article-body">{paragraphs}</div>
<div class="related-articles"><h3>Related News</h3><ul>{related}</ul></div></div>
<div class="footer"><p>All rights reserved to Arab Today Media Group 2023 ©</p></div>
</body></html>"""


def generate_site(root: Path, size: int, *, seed: int = 1) -> list[str]:
    """Write the site; returns the article paths."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    paths = []
    for number in range(1, size + 1):
        path = article_path(number)
        file = root / f"{path.lstrip('/')}.html"
        file.parent.mkdir(parents=True, exist_ok=True)
        published = start + timedelta(minutes=7 * number)
        file.write_text(article_html(rng, number, published), "utf-8")
        paths.append(path)
    locs = "".join(f"<url><loc>{ORIGIN}{p}</loc></url>\n" for p in paths)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{locs}</urlset>\n',
        "utf-8",
    )
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {ORIGIN}/sitemap.xml\n")
    newest = paths[-20:]
    items = "".join(
        f"<item><title>Story</title><link>{ORIGIN}{p}</link></item>\n" for p in reversed(newest)
    )
    (root / "en").mkdir(exist_ok=True)
    (root / "en" / "rss.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Arabs Today</title>\n'
        f"{items}</channel></rss>\n",
        "utf-8",
    )
    for section, chosen in (("politics", paths[:30]), ("economy", paths[30:60])):
        links = "".join(f'<li><a href="{p}">Story</a></li>' for p in chosen)
        (root / "en" / f"{section}.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head>'
            f"<body><ul>{links}</ul></body></html>",
            "utf-8",
        )
    return paths


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port}") from None
            time.sleep(0.05)


def _resolve(root: Path, url_path: str) -> Path | None:
    base = (root / url_path.lstrip("/")).resolve()
    if not str(base).startswith(str(root.resolve())):
        return None
    for candidate in (base, Path(f"{base}.html"), Path(f"{base}.xml"), base / "index.html"):
        if candidate.is_file():
            return candidate
    return None


def serve_site(root: Path, port: int, delay: float = 0.15, jitter: float = 0.05) -> None:
    """Serve ``root`` on 127.0.0.1:``port`` until killed, each answer after a delay."""
    from twisted.internet import reactor as installed
    from twisted.web.resource import Resource
    from twisted.web.server import NOT_DONE_YET, Site

    reactor: Any = installed
    rng = random.Random(0)

    class Delayed(Resource):
        isLeaf = True

        def render_GET(self, request: Any) -> Any:
            gone: list[bool] = []
            request.notifyFinish().addErrback(lambda _: gone.append(True))
            path = request.path.decode("utf-8", "replace").split("?")[0]

            def answer() -> None:
                if gone:
                    return
                target = _resolve(root, path)
                if target is None:
                    request.setResponseCode(404)
                    request.setHeader(b"content-type", b"text/plain")
                    request.write(b"not found")
                else:
                    kind = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
                    request.setHeader(b"content-type", kind.encode())
                    request.write(target.read_bytes())
                request.finish()

            wait = max(0.0, delay + rng.uniform(-jitter, jitter)) if delay else 0.0
            reactor.callLater(wait, answer)
            return NOT_DONE_YET

    make_site: Any = Site  # twisted.web is not typed
    make_resource: Any = Delayed
    site = make_site(make_resource())
    site.noisy = False
    reactor.listenTCP(port, site, interface="127.0.0.1", backlog=512)
    reactor.run()


@dataclass
class SiteServer:
    process: subprocess.Popen[bytes]
    origin: str

    def stop(self) -> None:
        _stop(self.process)


def start_site_server(root: Path, delay: float = 0.15, jitter: float = 0.05) -> SiteServer:
    """:func:`serve_site` in a child process (its own reactor); ``stop()`` ends it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve", str(root), str(port),
         "--delay", str(delay), "--jitter", str(jitter)],
    )  # fmt: skip
    try:
        wait_for_port(port)
    except TimeoutError:
        _stop(process)
        raise
    return SiteServer(process, f"http://127.0.0.1:{port}")


# ----------------------------------------------------------------------------------
# redis-server


def redis_server_binary() -> str | None:
    """$NEWSCRAWL_REDIS_SERVER, else ``redis-server`` on the PATH or in /usr/(s)bin."""
    named = os.environ.get("NEWSCRAWL_REDIS_SERVER")
    if named:
        return named if Path(named).is_file() else None
    found = shutil.which("redis-server")
    if found:
        return found
    for folder in ("/usr/bin", "/usr/sbin", "/usr/local/bin"):
        if Path(folder, "redis-server").is_file():
            return str(Path(folder, "redis-server"))
    return None


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    port: int
    password: str | None
    datadir: Path

    def url(self, db: int = 0) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        _stop(self.process)

    def kill(self) -> None:
        """SIGKILL: a crash, for outage tests (a persistent server keeps its data)."""
        self.process.kill()
        self.process.wait()


def start_redis_server(
    datadir: Path,
    *,
    password: str | None = None,
    binary: str | None = None,
    port: int | None = None,
    persistent: bool = False,
) -> RedisServer:
    """redis-server on 127.0.0.1 (``port``, or a free one), data in ``datadir``; nothing
    saved unless ``persistent`` (an append-only file fsynced on every write, so a
    SIGKILLed server restarted on the same folder has every acknowledged write)."""
    binary = binary or redis_server_binary()
    if binary is None:
        raise FileNotFoundError("no redis-server binary (apt-get install redis-server)")
    datadir.mkdir(parents=True, exist_ok=True)
    chosen = port
    for _ in range(3):  # the free port may be taken between choosing and binding
        port = chosen or free_port()
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if persistent else [
            "--appendonly", "no"]  # fmt: skip
        args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(datadir),
                "--save", "", *aof, "--daemonize", "no",
                "--logfile", str(datadir / "redis.log")]  # fmt: skip
        if password:
            args += ["--requirepass", password]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, timeout=10)
        except TimeoutError:
            _stop(process)
            continue
        if process.poll() is None:
            return RedisServer(process, port, password, datadir)
    log = datadir / "redis.log"
    raise RuntimeError(
        f"redis-server did not start: {log.read_text()[-2000:] if log.is_file() else ''}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python tests/localservers.py")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a generated site with a delay")
    serve.add_argument("root", type=Path)
    serve.add_argument("port", type=int)
    serve.add_argument("--delay", type=float, default=0.15)
    serve.add_argument("--jitter", type=float, default=0.05)
    generate = commands.add_parser("generate", help="write a site of N articles")
    generate.add_argument("root", type=Path)
    generate.add_argument("size", type=int)
    args = parser.parse_args()
    if args.command == "serve":
        serve_site(args.root, args.port, args.delay, args.jitter)
    else:
        print(len(generate_site(args.root, args.size)), "articles in", args.root)


if __name__ == "__main__":
    main()
