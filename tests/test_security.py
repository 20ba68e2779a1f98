"""Security: the SSRF guard, safe XML, no secrets in logs or reports, no consoles."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from newscrawl import settings as project_settings
from newscrawl.discovery.sources import parse_feed, parse_sitemap
from newscrawl.guards.faults import xml_problems
from newscrawl.guards.redact import redact
from newscrawl.guards.ssrf import SsrfBlocked, SsrfGuardMiddleware, SsrfPolicy, ip_verdict, parse_ip

from .crawlrun import crawl, path_of
from .faultserver import FaultSite, Page, fault, make_article, serve

# -- the SSRF policy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.1/", "loopback"),  # inet_aton shorthand
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one number
        ("http://0x7f000001/", "loopback"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped
        ("http://localhost:6379/", "loopback"),
        ("http://api.localhost/", "loopback"),
        ("http://10.0.0.5/", "private"),
        ("http://172.16.3.4/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://[fd00::1]/", "private"),
        ("http://[2002:a00:1::]/", "private"),  # 6to4 around 10.0.0.1
        ("http://[64:ff9b::a9fe:a9fe]/", "link_local"),  # NAT64 around 169.254.169.254
        ("http://169.254.169.254/latest/meta-data/", "link_local"),
        ("http://[fe80::1]/", "link_local"),
        ("http://224.0.0.251/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://100.64.0.1/", "reserved"),  # carrier-grade NAT
        ("http://240.0.0.1/", "private"),
        ("file:///etc/passwd", "scheme"),
        ("ftp://example.com/x", "scheme"),
        ("gopher://example.com:70/_x", "scheme"),
        ("data:text/html,<b>x</b>", "scheme"),
        ("http://93.184.216.34/", None),
        ("https://[2606:4700::1111]/", None),
    ],
)
def test_policy_refuses_internal_addresses(url: str, reason: str | None) -> None:
    assert SsrfPolicy.build([]).check_url(url) == (reason, None)


def test_policy_resolves_names_and_honours_allow_list_and_base_url() -> None:
    policy = SsrfPolicy.build(["intranet.example", ".corp.example", "10.20.0.0/16", "fd00::7"],
                              named=["http://127.0.0.1:8080"])  # fmt: skip
    assert policy.check_url("https://www.arabstoday.net/en/") == (None, "www.arabstoday.net")
    assert policy.check_url("http://127.0.0.1:8080/en/news/1/x") == (None, None)  # base origin
    assert policy.check_url("http://127.0.0.1:8081/") == ("loopback", None)  # other port
    assert policy.check_url("https://127.0.0.1:8080/") == ("loopback", None)  # other scheme
    assert policy.check_url("http://intranet.example/") == (None, None)
    assert policy.check_url("http://news.corp.example/") == (None, None)
    assert policy.check_url("http://10.20.1.2/") == (None, None)
    assert policy.check_url("http://10.21.1.2/") == ("private", None)
    assert policy.check_url("http://[fd00::7]/") == (None, None)
    ten = ipaddress.ip_address("10.0.0.7")
    assert policy.check_ips([ipaddress.ip_address("93.184.216.34"), ten]) == "private"
    assert policy.check_ips([ipaddress.ip_address("10.20.9.9")]) is None
    assert parse_ip("example.com") is None and ip_verdict(ten) == "private"


class _Spider(Spider):
    name = "ssrf"
    base_url = None


def _guard(settings: dict[str, Any] | None = None) -> SsrfGuardMiddleware:
    crawler = get_crawler(_Spider, settings or {})
    crawler.spider = _Spider()
    return SsrfGuardMiddleware.from_crawler(crawler)


def test_resolved_addresses_are_checked_not_just_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public-looking name that resolves to a private address is refused."""
    guard = _guard()
    lookups: list[str] = []

    async def resolve(host: str) -> list[Any]:
        lookups.append(host)
        return {"evil.example": [ipaddress.ip_address("10.0.0.7")],
                "good.example": [ipaddress.ip_address("93.184.216.34")]}.get(host, [])  # fmt: skip

    monkeypatch.setattr(guard, "resolve", resolve)
    with pytest.raises(SsrfBlocked, match="private"):
        asyncio.run(guard.process_request(Request("http://evil.example/a")))
    assert asyncio.run(guard.process_request(Request("http://good.example/a"))) is None
    assert asyncio.run(guard.process_request(Request("http://nowhere.example/a"))) is None
    assert lookups == ["evil.example", "good.example", "nowhere.example"]
    stats = guard.crawler.stats
    assert stats is not None
    assert stats.get_value("newscrawl/ssrf/blocked") == 1
    assert stats.get_value("newscrawl/ssrf/blocked/private") == 1


def test_dns_answers_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    from twisted.internet import defer, threads

    import newscrawl.guards.ssrf as ssrf

    calls: list[str] = []

    def lookup(host: str, *args: Any) -> list[Any]:
        calls.append(host)
        return [(2, 1, 6, "", ("127.0.0.1", 0))]

    monkeypatch.setattr(threads, "deferToThread", lambda f, *a: defer.succeed(lookup(*a)))
    monkeypatch.setattr(ssrf, "maybe_deferred_to_future", lambda d: d)
    guard = _guard()
    for _ in range(3):
        with pytest.raises(SsrfBlocked, match="loopback"):
            asyncio.run(guard.process_request(Request("http://rebind.example/")))
    assert calls == ["rebind.example"]


def test_guard_can_be_switched_off_and_allows_the_spider_base_url() -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        _guard({"NEWSCRAWL_SSRF_GUARD": False})
    guard = _guard()
    guard.crawler.spider.base_url = "http://127.0.0.1:8080"  # type: ignore[union-attr]
    assert asyncio.run(guard.process_request(Request("http://127.0.0.1:8080/x"))) is None


def test_the_guard_is_on_by_default_and_consoles_are_off() -> None:
    order = project_settings.DOWNLOADER_MIDDLEWARES["newscrawl.guards.ssrf.SsrfGuardMiddleware"]
    assert order is not None and order < 50  # before the offsite and robots.txt middlewares
    assert project_settings.NEWSCRAWL_SSRF_GUARD is True
    assert project_settings.TELNETCONSOLE_ENABLED is False
    assert project_settings.REMOTE_CONTROL_ENABLED is False


def test_redirected_requests_pass_the_guard_again(tmp_path: Path) -> None:
    """Without RedirectGuardMiddleware (which checks a Location before it is followed),
    the request Scrapy's RedirectMiddleware builds still meets SsrfGuardMiddleware."""
    article = make_article(650_000)
    site = FaultSite([article], {article.path: fault("redirect", location="http://127.0.0.1:9/x")})
    middlewares = json.dumps(
        dict(
            project_settings.DOWNLOADER_MIDDLEWARES,
            **{"newscrawl.guards.faults.RedirectGuardMiddleware": None},
        )
    )
    with serve(site) as origin:
        run = crawl(origin, tmp_path, "-s", f"DOWNLOADER_MIDDLEWARES={middlewares}")
    assert run.stat("newscrawl/ssrf/blocked/loopback") == 1
    assert not run.stat("newscrawl/redirect/offsite")
    assert len(run.lines_about("http://127.0.0.1:9/x", "WARNING")) == 1
    assert run.records == []


# -- XML: entities and network off ------------------------------------------------------

LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


def test_billion_laughs_is_not_expanded() -> None:
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{LAUGHS}]>'
        "<rss><channel><item><title>ok</title><link>https://x.example/a</link></item>"
        "<item><title>&lol9;</title><link>https://x.example/b</link></item></channel></rss>"
    ).encode()
    started = time.perf_counter()
    entries = parse_feed(feed)
    assert time.perf_counter() - started < 5  # a bound, not a benchmark: 10^9 "lol"s would not
    assert [e.url for e in entries] == ["https://x.example/a"]
    assert all("lol" not in (e.title or "") for e in entries)
    assert "xml_entities" in xml_problems(feed)
    sitemap = feed.replace(b"<rss><channel>", b"<urlset>").replace(
        b"</channel></rss>", b"</urlset>"
    )
    parse_sitemap(sitemap)  # does not blow up either


def test_external_entities_and_dtds_are_not_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    site = FaultSite([])
    site.pages["/evil.dtd"] = Page(b'<!ENTITY ext "FROM-THE-NETWORK">', "application/xml-dtd")
    with serve(site) as origin:
        for doctype in (
            f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>',
            f'<!DOCTYPE rss SYSTEM "{origin}/evil.dtd">',
            f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{origin}/evil.dtd"> %remote;]>',
        ):
            feed = (
                f'<?xml version="1.0"?>{doctype}<rss><channel><item><title>&xxe;&ext;</title>'
                "<link>https://x.example/a</link></item></channel></rss>"
            ).encode()
            entries = parse_feed(feed)
            titles = " ".join(e.title or "" for e in entries)
            assert "TOP-SECRET" not in titles and "FROM-THE-NETWORK" not in titles
            if "<!ENTITY" in doctype:
                assert "xml_entities" in xml_problems(feed)
        assert site.hits == [], "the parser fetched a DTD over the network"


# -- secrets -----------------------------------------------------------------------------

PROXY_PASSWORD = "hunter2-proxy-pw"
REDIS_PASSWORD = "s3cr3t-redis-pw"
FTP_PASSWORD = "ftp-s3cr3t-pw"
AWS_SECRET = "aws-s3cr3t-key"


def test_no_secret_reaches_the_log_or_the_report(tmp_path: Path) -> None:
    """A crawl through an authenticating HTTP proxy (HTTP_PROXY with credentials), with
    a Redis URL carrying a password, secret-named settings and a second feed on an FTP
    URL with a password, at DEBUG: none of the secrets shows up anywhere. (Without
    newscrawl.guards.redact, Scrapy prints the settings and the FTP URL with the passwords.)"""
    articles = [make_article(660_000 + i) for i in range(3)]
    site = FaultSite(articles)
    with serve(site) as origin:
        proxy = origin.replace("http://", f"http://crawler:{PROXY_PASSWORD}@")
        env = dict(os.environ, HTTP_PROXY=proxy, http_proxy=proxy, NO_PROXY="", no_proxy="")
        run = crawl(
            origin, tmp_path,
            "-s", "LOG_LEVEL=DEBUG",
            "-s", f"NEWSCRAWL_NOTIFY_URL=redis://:{REDIS_PASSWORD}@127.0.0.1:1/0",
            "-s", f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}",
            "-s", f"TELNETCONSOLE_PASSWORD={AWS_SECRET}",
            "-o", f"ftp://feeds:{FTP_PASSWORD}@127.0.0.1:1/out.jsonl",
            env=env, append=True,
        )  # fmt: skip
    assert {path_of(r) for r in run.records} == {a.path for a in articles}
    # The proxy was really used, with the credentials: the secret was live in the run.
    token = base64.b64encode(f"crawler:{PROXY_PASSWORD}".encode()).decode()
    assert any(h.proxy_authorization == f"Basic {token}" for h in site.hits)
    assert "Error storing" in run.log or "ftp" in run.log  # the FTP feed was attempted
    report = run.feed.with_name(run.feed.stem + ".report.json").read_text("utf-8")
    for secret in (PROXY_PASSWORD, REDIS_PASSWORD, FTP_PASSWORD, AWS_SECRET, token):
        assert secret not in run.log, secret
        assert secret not in report, secret
    # Redacted, not dropped: Scrapy logs overridden settings and the feed it failed to store.
    assert "ftp://feeds:***@127.0.0.1:1/out.jsonl" in run.log
    assert "'AWS_SECRET_ACCESS_KEY': '***'" in run.log
    assert "'TELNETCONSOLE_PASSWORD': '***'" in run.log
    assert "Telnet console listening" not in run.log
    assert "Remote control" not in run.log


def test_redact() -> None:
    assert redact("redis://:pw@h:1/0") == "redis://:***@h:1/0"
    assert redact("{'NEWSCRAWL_REDIS_URL': 'rediss://u:p@h/0'}") == (
        "{'NEWSCRAWL_REDIS_URL': 'rediss://u:***@h/0'}"
    )
    assert redact("'TELNETCONSOLE_PASSWORD': 'x'") == "'TELNETCONSOLE_PASSWORD': '***'"
    assert redact("plain https://example.com/a@b text") == "plain https://example.com/a@b text"
    assert redact("mailto:news@example.com") == "mailto:news@example.com"
