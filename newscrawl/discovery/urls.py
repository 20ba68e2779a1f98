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

import functools
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tldextract import TLDExtract
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


# A page's URL is canonicalised when discovered, when its response is keyed, and again
# for its record's identity (with its canonical link): about 0.1 ms each through w3lib.
# Bounded, so a 100k-page crawl's memory stays flat.
@functools.lru_cache(maxsize=4096)
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


@functools.lru_cache(maxsize=4096)  # a page's URLs are keyed at discovery and again later
def url_key(url: str) -> str:
    """The key two URLs of one page share: scheme, host variant and trailing slash ignored."""
    try:
        parts = urlsplit(canonicalize(url))
    except ValueError:  # unparsable: its own key
        return url.strip()
    host = _VARIANT_HOST.sub("", parts.netloc)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, "")).lstrip("/")


def canonical_key(url: str) -> str:
    """The state-store key of an article known by a canonical URL it was not fetched
    from. Apart from :func:`url_key`, so that a URL only *named* by another page's
    canonical is never taken for fetched: a real article published there later is
    fetched once, and body deduplication decides about it.

    >>> canonical_key("https://www.example.com/news/1/")
    'canonical:example.com/news/1'
    """
    return "canonical:" + url_key(url)


def identity_key(url: str, canonical: str | None) -> str:
    """The state-store key a record is known by: its canonical URL's
    (:func:`canonical_key`) when it names one other than the URL it was fetched from,
    else the fetched URL's (the deduplicate pipeline and the distributed claims agree).

    >>> identity_key("https://x.com/a?utm_source=rss", "https://x.com/a")
    'x.com/a'
    >>> identity_key("https://x.com/a", "https://x.com/b")
    'canonical:x.com/b'
    """
    if not canonical or url_key(canonical) == url_key(url):
        return url_key(canonical or url)
    return canonical_key(canonical)


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


# The Public Suffix List as tldextract ships it (a Scrapy dependency): no network
# fetch, no cache directory. Private suffixes count (blogspot.com, github.io: each
# subdomain is someone else's site).
_SUFFIXES = TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
# One path segment that names the home page ("/index.php") or a language edition
# ("/en", "/ar/", "/pt-br").
_ROOT_SEGMENT = re.compile(
    r"^(?:(?:index|default|home)(?:\.\w+)?|[a-z]{2}(?:[-_][a-z]{2,4})?)$", re.IGNORECASE
)


# Numbers of five digits or more: article ids (years and days are shorter).
_ARTICLE_ID = re.compile(r"(?<!\d)\d{5,}(?!\d)")


def registered_domain(host: str | None) -> str:
    """The domain a registrant controls: public suffix plus one label (the host itself for
    IP addresses, ``localhost`` and unknown suffixes).

    >>> registered_domain("news.bbc.co.uk"), registered_domain("WWW.Arabstoday.net")
    ('bbc.co.uk', 'arabstoday.net')
    >>> registered_domain("127.0.0.1"), registered_domain("a.blogspot.com")
    ('127.0.0.1', 'a.blogspot.com')
    """
    host = (host or "").lower().rstrip(".")
    return _SUFFIXES(host).top_domain_under_public_suffix or host


def canonical_rejection(
    candidate: str,
    fetched: str,
    domains: Iterable[str] = (),
    listings: Iterable[str] = (),
) -> str | None:
    """Why ``candidate`` (an absolute ``<link rel=canonical>`` or ``og:url``) cannot be the
    identity of the page fetched from ``fetched``; None when it is plausible.

    A canonical names the page itself, so it must be on the page's registered domain (or
    one of the site's ``domains``, for sites on several domains or crawled through a
    ``base_url`` mirror), and must not be a page that lists articles: the site root, an
    edition root ("/en/"), one of the site's ``listings`` (edition and section paths),
    or a one-word ancestor of the fetched path ("/news/" above "/news/123/x"). CMSs that
    print the home page as every article's canonical are common; trusting them makes
    every article one. Nor may it name another article by number (``other_article``:
    the page "/news/88001/x" whose canonical is "/news/88002/y"), which would mark that
    article seen before it was ever fetched. Reasons: ``invalid``, ``offsite``, ``root``,
    ``listing``, ``other_article``.

    >>> page = "https://www.example.com/news/2024/05/01/storm-hits-coast"
    >>> canonical_rejection("https://example.com/news/2024/05/01/storm-hits-coast", page)
    >>> canonical_rejection("https://m.example.com/story/123", page)
    >>> canonical_rejection("https://www.example.com/", page)
    'root'
    >>> canonical_rejection("https://www.example.com/en/", page), canonical_rejection(
    ...     "https://www.example.com/news", page)
    ('root', 'listing')
    >>> canonical_rejection("https://www.example.com/world", page, listings=["/world/"])
    'listing'
    >>> canonical_rejection("https://other.example.org/news/1", page)
    'offsite'
    >>> canonical_rejection("https://example.com/news/88002/y", "https://example.com/news/88001/x")
    'other_article'
    >>> canonical_rejection("https://example.com/88001", "https://example.com/2024/x-88001.html")
    >>> canonical_rejection("https://www.example.com/news/1", "http://127.0.0.1:8080/news/1",
    ...                     domains=["example.com"])
    >>> canonical_rejection("ftp://example.com/x", page)
    'invalid'
    >>> canonical_rejection("https://example.com/news/1", "file:///tmp/saved.html")
    """
    try:
        target, origin = urlsplit(candidate), urlsplit(fetched)
    except ValueError:
        return "invalid"
    if target.scheme not in ("http", "https") or not target.hostname:
        return "invalid"
    # A saved page read from a file:// URL has no host to compare with: the path rules
    # still apply.
    same_domain = registered_domain(target.hostname) == registered_domain(origin.hostname)
    if origin.hostname and not same_domain and not host_matches(target.hostname, domains):
        return "offsite"
    segments = [s for s in target.path.split("/") if s]
    if not segments or (len(segments) == 1 and _ROOT_SEGMENT.match(segments[0])):
        if not target.query:  # "/?p=123" is WordPress's article URL, not the root
            return "root"
    path = "/" + "/".join(segments)
    if not target.query and any(path == "/" + p.strip("/") for p in listings if p.strip("/")):
        return "listing"
    # A canonical naming another article by its number ("/news/88002" on the page
    # "/news/88001/x") would mark that article seen before anyone fetched it.
    ids = set(_ARTICLE_ID.findall(target.path + "?" + target.query))
    own_ids = _ARTICLE_ID.findall(origin.path + "?" + origin.query)
    if ids and own_ids and ids.isdisjoint(own_ids):
        return "other_article"
    own = [s for s in origin.path.split("/") if s]
    if (
        len(segments) == 1
        and not target.query
        and own[:1] == segments
        and len(own) > 1
        and not any(c.isdigit() for c in segments[0])  # "/123456" is a short article URL
    ):
        return "listing"
    return None
