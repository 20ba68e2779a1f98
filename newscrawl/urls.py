"""URL helpers: tracking parameters off, one spelling per page, origin rewriting.

>>> canonicalize("HTTPS://WWW.Example.com:443/a/?utm_source=rss&id=3#top")
'https://www.example.com/a/?id=3'
>>> rebase("https://www.arabstoday.net/en/news/1?x=1", "http://127.0.0.1:8080")
'http://127.0.0.1:8080/en/news/1?x=1'
>>> host_matches("news.example.com", ("example.com",))
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gclsrc|msclkid|yclid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|ref|ref_src|cmpid|ocid|sr_share|at_medium|at_campaign|at_xtor|xtor|"
    r"__twitter_impression|s_cid|share|ito)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters."""
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not TRACKING_PARAMS.match(k)]
    )  # fmt: skip
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def host_matches(host: str | None, domains: Iterable[str]) -> bool:
    host = (host or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def rebase(url: str, origin: str) -> str:
    """``url`` with scheme and host of ``origin``, path and query kept."""
    target = urlsplit(origin)
    parts = urlsplit(url)
    return urlunsplit((target.scheme, target.netloc, parts.path or "/", parts.query, ""))
