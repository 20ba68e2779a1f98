"""URL helpers: one spelling per page, before anything is fetched or compared.

:func:`canonicalize` gives the URL to *fetch*: w3lib's canonical form (lower-case
scheme and host, normalised percent-encoding, so an Arabic path typed as text and
its percent-encoded form meet; sorted query; no fragment) without default ports,
tracking parameters or AMP markers. :func:`url_key` gives the key to *compare*:
also without ``www.``/``m.``/``amp.`` host prefixes and trailing slashes.

>>> canonicalize("HTTPS://WWW.Example.com:443/a/?utm_source=rss&id=3#top")
'https://www.example.com/a/?id=3'
>>> canonicalize("https://example.com/ar/news/1/الذهب") == canonicalize(
...     "https://example.com/ar/news/1/%d8%a7%d9%84%d8%b0%d9%87%d8%a8")
True
>>> canonicalize("https://example.com/news/1/amp/?outputType=amp")
'https://example.com/news/1/'
>>> url_key("http://m.example.com/news/1/?fbclid=x") == url_key("https://www.example.com/news/1")
True
>>> rebase("https://www.arabstoday.net/en/news/1?x=1", "http://127.0.0.1:8080")
'http://127.0.0.1:8080/en/news/1?x=1'
>>> host_matches("news.example.com", ("example.com",))
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gclsrc|msclkid|yclid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|ref|ref_src|cmpid|ocid|sr_share|at_medium|at_campaign|at_xtor|xtor|"
    r"__twitter_impression|s_cid|share|ito|amp|outputtype)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# AMP copies of a page: ".../amp", ".../amp/", "....amp", "....amp.html".
_AMP_DIR = re.compile(r"/amp/?$", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"\.amp(?=(?:\.html?)?$)", re.IGNORECASE)
_AFTER_NETLOC = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/?#]*")
_VARIANT_HOST = re.compile(r"^(?:www\d?|m|mobile|amp)\.", re.IGNORECASE)


def canonicalize(url: str) -> str:
    """The URL to fetch for ``url``: one spelling per page (as given, if unparsable)."""
    try:
        parts = urlsplit(canonicalize_url(url.strip(), keep_fragments=False))
        port = parts.port
    except ValueError:  # a bad port or IPv6 literal: no canonical form, and no page
        return url.strip()
    scheme = parts.scheme
    host = parts.hostname or ""
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = _AMP_SUFFIX.sub("", _AMP_DIR.sub("/", parts.path or "/"))
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not TRACKING_PARAMS.match(k)]
    )  # fmt: skip
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """The key two URLs of one page share: scheme, host variant and trailing slash ignored."""
    try:
        parts = urlsplit(canonicalize(url))
    except ValueError:  # unparsable: its own key
        return url.strip()
    host = _VARIANT_HOST.sub("", parts.netloc)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, "")).lstrip("/")


def host_matches(host: str | None, domains: Iterable[str]) -> bool:
    host = (host or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def rebase(url: str, origin: str) -> str:
    """``url`` with scheme and host of ``origin``, path and query kept."""
    target = urlsplit(origin)
    try:
        parts = urlsplit(url)
    except ValueError:  # an unparsable host: keep what follows it
        rest = _AFTER_NETLOC.sub("", url.split("#", 1)[0])
        path, _, query = rest.partition("?")
        return urlunsplit((target.scheme, target.netloc, path or "/", query, ""))
    return urlunsplit((target.scheme, target.netloc, parts.path or "/", parts.query, ""))
