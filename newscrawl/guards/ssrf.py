"""SSRF guard: the crawler never requests internal addresses unless told to.

A crawler follows URLs that strangers write (feeds, sitemaps, redirects). Without a
guard, a feed entry or a ``302 Location`` pointing at ``http://169.254.169.254/`` (a
cloud metadata service), ``http://127.0.0.1:6379/`` or ``file:///etc/passwd`` makes
the crawler fetch it from inside the network. :class:`SsrfGuardMiddleware`
(downloader middleware, on by default, ``NEWSCRAWL_SSRF_GUARD``) refuses, before
anything is sent:

* any scheme other than http and https;
* a host that is, or resolves to, a loopback, private, link-local, multicast,
  reserved, unspecified or otherwise non-global address (IPv4-mapped, 6to4, Teredo
  and NAT64 IPv6 forms are unwrapped; shorthand IPv4 such as ``127.1`` or
  ``2130706433`` is read the way ``inet_aton`` reads it). Names are resolved with
  ``getaddrinfo`` in a thread, cached for ``NEWSCRAWL_SSRF_DNS_TTL`` seconds; every
  address a name resolves to must be allowed.

Allowed anyway: the origins the user named for this run (:func:`named_urls`, one rule
for every command: ``-a base_url=``, the news spider's ``-a site=``/``feeds=``/
``sitemaps=``, ``scrapy extract URL``, ``scrapy shell URL``; exactly their scheme, host
and port, so the offline demo and the tests crawl 127.0.0.1 while a redirect to
another port or another spelling of the address is still refused), and whatever
``NEWSCRAWL_SSRF_ALLOW`` lists: host names (``intranet.example``; ``.example`` for a
domain and its subdomains) and addresses or networks (``10.1.2.3``, ``10.0.0.0/8``).

Redirects: Scrapy turns a 3xx into a new request that goes through the downloader
middlewares again, so this guard sees it; ``RedirectGuardMiddleware``
(newscrawl.guards.faults) also checks the ``Location`` against the same policy before the
redirect is followed, so a redirect to an internal address is refused under this
guard's name even when it is offsite too.

Blocked requests are counted (``newscrawl/ssrf/blocked`` and
``newscrawl/ssrf/blocked/<reason>``) and logged once per host. A name that does not
resolve is let through: the download fails on its own (and through an HTTP proxy the
proxy resolves it). Known limit: the check resolves the name, then Scrapy resolves it
again to connect; a DNS server that answers differently the second time (rebinding)
within the cache TTL could slip through.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

from newscrawl.stats import inc

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_INET_ATON = re.compile(r"^(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){0,3}$", re.IGNORECASE)


class SsrfBlocked(IgnoreRequest):
    """A request to an address the crawler must not reach; counted and logged."""

    reported = True  # newscrawl.spiders.base.NewsSpider.on_error does not log it again


def parse_ip(host: str) -> IPAddress | None:
    """The address a host literal names (``[::1]``, ``127.1``, ``0x7f000001``), or None."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _INET_ATON.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    return None


def _embedded(ip: IPAddress) -> list[IPAddress]:
    """Any IPv4 address it carries (mapped, 6to4, Teredo, NAT64), then the address itself:
    the carried one says where a connection really goes."""
    found: list[IPAddress] = []
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour:
            found.append(ip.sixtofour)
        if ip.teredo:
            found.extend(ip.teredo)
        if ip in _NAT64:
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [*found, ip]


def ip_verdict(ip: IPAddress) -> str | None:
    """Why the crawler must not connect to ``ip`` ('loopback', 'private', ...), or None."""
    for address in _embedded(ip):
        if address.is_loopback:
            return "loopback"
        if address.is_unspecified:
            return "unspecified"
        if address.is_link_local:
            return "link_local"
        if address.is_multicast:
            return "multicast"
        if address.is_private:
            return "private"
        if address.is_reserved or not address.is_global:
            return "reserved"
    return None


@dataclass
class SsrfPolicy:
    """What may be requested: public addresses, the origins named for the run, the allow-list."""

    allowed_hosts: frozenset[str] = frozenset()
    allowed_suffixes: tuple[str, ...] = ()
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_origins: frozenset[tuple[str, str, int]] = frozenset()
    logged_hosts: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, allow: list[str], named: Iterable[str] = ()) -> SsrfPolicy:
        hosts, suffixes, networks = set(), [], []
        for entry in (e.strip().lower() for e in allow if e and e.strip()):
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith("."):
                suffixes.append(entry)
            else:
                hosts.add(entry)
        origins = {origin for url in named if url and (origin := _origin(url)) is not None}
        return cls(frozenset(hosts), tuple(suffixes), tuple(networks), frozenset(origins))

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.allowed_hosts or any(
            host.endswith(s) or host == s[1:] for s in self.allowed_suffixes
        )

    def ip_allowed(self, ip: IPAddress) -> bool:
        return any(
            ip in network for network in self.allowed_networks if ip.version == network.version
        )

    def check_url(self, url: str) -> tuple[str | None, str | None]:
        """(block reason, host to resolve): what can be decided without DNS.

        (None, None): allowed; (reason, None): blocked; (None, host): resolve ``host``
        and check its addresses with :meth:`check_ips`.
        """
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").rstrip(".")
        except ValueError:  # e.g. a bracketed host that is no IPv6 address
            return "unparsable", None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            return "scheme", None
        if not host:
            return "no_host", None
        origin = _origin(url)
        if origin is not None and origin in self.allowed_origins:
            return None, None
        if self.host_allowed(host):
            return None, None
        ip = parse_ip(host)
        if ip is not None:
            if self.ip_allowed(ip):
                return None, None
            return ip_verdict(ip), None
        if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
            ".localhost"
        ):
            return "loopback", None
        return None, host

    def check_ips(self, ips: list[IPAddress]) -> str | None:
        for ip in ips:
            if not self.ip_allowed(ip) and (reason := ip_verdict(ip)) is not None:
                return reason
        return None


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not parts.hostname:
        return None
    default = {"http": 80, "https": 443}.get(scheme, 0)
    return scheme, parts.hostname.lower(), port or default


_POLICIES: weakref.WeakKeyDictionary[Crawler, SsrfPolicy] = weakref.WeakKeyDictionary()


def named_urls(spider: Any, settings: BaseSettings) -> list[str]:
    """URLs the user named for this run, whose origins the guard lets through.

    The one rule for every command: a spider's ``base_url`` (``-a base_url=``,
    ``scrapy extract URL``) and ``named_urls`` (the news spider's ``-a site=``,
    ``feeds=``, ``sitemaps=``), and ``NEWSCRAWL_SSRF_NAMED`` (``scrapy shell URL``).
    Only http(s) URLs count; feeds, sitemaps and redirects never add to them.
    """
    urls = [getattr(spider, "base_url", None), *getattr(spider, "named_urls", ())]
    urls += settings.getlist("NEWSCRAWL_SSRF_NAMED")
    return [u for u in urls if isinstance(u, str) and u.lower().startswith(("http:", "https:"))]


def policy_for(crawler: Crawler) -> SsrfPolicy:
    """The run's policy: settings plus the origins named for it (built on first use)."""
    policy = _POLICIES.get(crawler)
    if policy is None:
        allow = crawler.settings.getlist("NEWSCRAWL_SSRF_ALLOW")
        policy = SsrfPolicy.build(allow, named_urls(crawler.spider, crawler.settings))
        _POLICIES[crawler] = policy
    return policy


def block(crawler: Crawler, url: str, reason: str, via: str | None = None) -> SsrfBlocked:
    """Count and log (once per host) a blocked URL; returns the exception to raise."""
    inc(crawler, "newscrawl/ssrf/blocked")
    inc(crawler, f"newscrawl/ssrf/blocked/{reason}")
    policy = policy_for(crawler)
    host = urlsplit(url).hostname or urlsplit(url).scheme
    source = f" (redirect from {via})" if via else ""
    if host not in policy.logged_hosts:
        policy.logged_hosts.add(host)
        logger.warning(
            "SSRF guard: not requesting %s, a %s address%s; later requests to %s are only "
            "counted in newscrawl/ssrf/blocked (NEWSCRAWL_SSRF_ALLOW to allow it)",
            url, reason.replace("_", "-"), source, host,
        )  # fmt: skip
    else:
        logger.debug("SSRF guard: not requesting %s (%s)%s", url, reason, source)
    return SsrfBlocked(f"SSRF guard: {reason} address: {url}")


class SsrfGuardMiddleware:
    """Downloader middleware enforcing :class:`SsrfPolicy` on every request."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ttl = crawler.settings.getfloat("NEWSCRAWL_SSRF_DNS_TTL", 300.0)
        self._dns: dict[str, tuple[float, list[IPAddress]]] = {}
        # file:// URLs of local pages the user named (scrapy shell ./page.html): exact
        # URLs only, so a redirect or a link to another file is still refused.
        self.files = set(crawler.settings.getlist("NEWSCRAWL_SSRF_ALLOW_FILES"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        if not crawler.settings.getbool("NEWSCRAWL_SSRF_GUARD", True):
            raise NotConfigured
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        if request.url in self.files:
            return None
        policy = policy_for(self.crawler)
        reason, host = policy.check_url(request.url)
        if reason is not None:
            raise block(self.crawler, request.url, reason)
        if host is None:
            return None
        ips = await self.resolve(host)
        if (reason := policy.check_ips(ips)) is not None:
            raise block(self.crawler, request.url, reason)
        return None

    async def resolve(self, host: str) -> list[IPAddress]:
        cached = self._dns.get(host)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            infos: list[Any] = await maybe_deferred_to_future(
                threads.deferToThread(socket.getaddrinfo, host, None, 0, socket.SOCK_STREAM)
            )
        except (OSError, UnicodeError):
            infos = []  # does not resolve: the download will fail by itself
        ips: list[IPAddress] = []
        for info in infos:
            ip = parse_ip(str(info[4][0]))
            if ip is not None and ip not in ips:
                ips.append(ip)
        self._dns[host] = (now + self.ttl, ips)
        return ips
