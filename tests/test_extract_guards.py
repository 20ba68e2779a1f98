"""`scrapy extract` meets the guards a crawl meets: SSRF on every redirect hop, a total
download deadline, DOWNLOAD_MAXSIZE on what a body or file decompresses to; empty and
binary files are not articles, a truncated gzip is one line. Run as a user runs it."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from newscrawl.fixtureserver import PROJECT_ROOT

from .faultserver import FaultSite, fault, make_article, serve

ARTICLE = make_article(424242)
QUICK = ("-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=0")


def extract(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", *args], cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-3000:]
    return lines[0]


def test_extract_url_gives_the_record() -> None:
    with serve(FaultSite([ARTICLE])) as origin:
        result = extract(origin + ARTICLE.path, *QUICK)
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(result.stdout)
    assert record["title"] == ARTICLE.title
    assert record["url"] == origin + ARTICLE.path


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "0x7f000001:{port}", "2130706433:{port}", "localhost:{port}",
             "127.1:{port}", "[::ffff:127.0.0.1]:{port}"],
)  # fmt: skip
def test_redirects_to_internal_addresses_are_refused(host: str) -> None:
    """The named origin is allowed (as -a base_url= is for a crawl); a redirect to any
    other internal address, however it is spelled, is not followed."""
    inside = FaultSite([ARTICLE])
    with serve(inside) as inside_origin:
        port = inside_origin.rsplit(":", 1)[1]
        target = f"http://{host.format(port=port)}{ARTICLE.path}"
        outside = FaultSite([ARTICLE], {ARTICLE.path: fault("redirect", location=target)})
        with serve(outside) as origin:
            result = extract(origin + ARTICLE.path, *QUICK)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "SSRF guard" in error_line(result)
    assert inside.requests_for(ARTICLE.path) == []
    assert result.stdout == ""


def test_redirect_to_an_allowed_host_is_followed() -> None:
    """NEWSCRAWL_SSRF_ALLOW, the crawl's setting, is honoured the same way."""
    inside = FaultSite([ARTICLE])
    with serve(inside) as inside_origin:
        target = inside_origin + ARTICLE.path
        outside = FaultSite([ARTICLE], {ARTICLE.path: fault("redirect", location=target)})
        with serve(outside) as origin:
            result = extract(origin + ARTICLE.path, *QUICK,
                             "-s", "NEWSCRAWL_SSRF_ALLOW=127.0.0.0/8")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout)["url"] == target


def test_a_dripping_server_is_given_up_on_at_download_timeout() -> None:
    """One byte every half second keeps every read alive: only a deadline for the whole
    download ends it (the old per-read timeout never did)."""
    site = FaultSite([ARTICLE], {ARTICLE.path: fault("drip", interval=0.5)})
    with serve(site) as origin:
        result = extract(origin + ARTICLE.path, *QUICK, timeout=90)
    assert result.returncode == 1
    assert "took longer than 2" in error_line(result)


def test_a_gzip_bomb_over_http_is_refused_at_download_maxsize() -> None:
    site = FaultSite([ARTICLE], {ARTICLE.path: fault("gzip_bomb", size=64 * 1024 * 1024)})
    with serve(site) as origin:
        result = extract(origin + ARTICLE.path, *QUICK, "-s", "DOWNLOAD_MAXSIZE=1000000")
    assert result.returncode == 1
    assert "1000000" in error_line(result)


def _bomb(path: Path, size: int) -> None:
    """``size`` bytes of spaces, gzipped in steps (the file is a few hundred kB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * (1 << 20)
    with path.open("wb") as handle:
        handle.write(packer.compress(b"<html><body><p>"))
        for _ in range(size // len(chunk)):
            handle.write(packer.compress(chunk))
        handle.write(packer.flush())


def test_a_gzip_bomb_file_is_refused_at_download_maxsize(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    _bomb(bomb, 256 * 1024 * 1024)
    assert bomb.stat().st_size < 1024 * 1024
    result = extract(str(bomb), "--url", "https://unknown.example/news/1/x")
    assert result.returncode == 1
    line = error_line(result)
    assert str(bomb) in line and "DOWNLOAD_MAXSIZE (10485760 bytes)" in line


def test_truncated_gzip_is_one_line(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    data = gzip.compress(ARTICLE.html().encode())
    page.write_bytes(data[: len(data) // 2])
    result = extract(str(page), "--url", "https://unknown.example/news/1/x")
    assert result.returncode == 1
    assert "truncated gzip" in error_line(result)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"  \n\t ", "empty"), (bytes(range(256)) * 40, "binary data"),
     (b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "binary data"), (gzip.compress(b""), "empty")],
)  # fmt: skip
def test_empty_or_binary_file_is_not_an_article(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(content)
    result = extract(str(page), "--url", "https://unknown.example/news/1/x")
    assert result.returncode == 3
    assert f"is not an article page ({reason})" in error_line(result)


@pytest.mark.parametrize(
    ("args", "expected"),
    [(("page.html", "--url", "ftp://example.com/x"), "--url must be an http(s) URL"),
     (("page.html", "--url", "javascript:alert(1)"), "--url must be an http(s) URL"),
     (("file:///etc/passwd",), "only http(s) URLs and saved files"),
     (("gopher://example.com/",), "only http(s) URLs and saved files"),
     (("nosuch.html",), "no such file: nosuch.html")],
)  # fmt: skip
def test_extract_usage_errors_are_one_line(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    (tmp_path / "page.html").write_text(ARTICLE.html(), "utf-8")
    args = tuple(str(tmp_path / a) if a == "page.html" else a for a in args)
    result = extract(*args)
    assert result.returncode == 2
    assert expected in error_line(result)


def test_http_errors_and_empty_pages_by_url() -> None:
    site = FaultSite([ARTICLE], {ARTICLE.path: fault("status", code=404)})
    with serve(site) as origin:
        missing = extract(origin + ARTICLE.path, *QUICK)
    assert missing.returncode == 1 and "HTTP 404" in error_line(missing)
    site = FaultSite([ARTICLE], {ARTICLE.path: fault("empty")})
    with serve(site) as origin:
        empty = extract(origin + ARTICLE.path, *QUICK)
    assert empty.returncode == 3 and "not an article page (empty)" in error_line(empty)
