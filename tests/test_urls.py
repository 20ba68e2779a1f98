"""URL canonicalisation: idempotent, and every spelling of one page meets."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.discovery.urls import canonical_rejection, canonicalize, registered_domain, url_key
from newscrawl.sites.registry import site_spiders
from newscrawl.spiders.base import canonical_scope

ArabsTodaySpider = site_spiders()["arabstoday"]

ARABIC = st.text(
    alphabet=st.characters(min_codepoint=0x0621, max_codepoint=0x064A), min_size=1, max_size=12
)
SEGMENT = st.one_of(ARABIC, st.from_regex(r"[a-z0-9\-]{1,12}", fullmatch=True))
PATHS = st.lists(SEGMENT, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))
HOSTS = st.sampled_from(["www.aljazeera.net", "arabstoday.net", "news.example.com"])
QUERIES = st.lists(
    st.tuples(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True),
        st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True),
    ),
    max_size=3,
).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))


@settings(max_examples=300, deadline=None)
@given(HOSTS, PATHS, QUERIES)
def test_canonicalize_and_key_are_idempotent(host: str, path: str, query: str) -> None:
    url = f"https://{host}{path}" + (f"?{query}" if query else "")
    once = canonicalize(url)
    assert canonicalize(once) == once
    assert url_key(url_key(url).join(["https://", ""])) == url_key(url)


@settings(max_examples=300, deadline=None)
@given(HOSTS, PATHS, st.sampled_from(["", "/"]), st.booleans(), st.booleans())
def test_spellings_of_one_arabic_url_meet(
    host: str, path: str, slash: str, upper: bool, tracking: bool
) -> None:
    typed = f"https://{host}{path}{slash}"
    encoded = quote(path, safe="/")
    # Percent-escapes in either case; the path's own letters are case-sensitive.
    encoded = re.sub(
        "%[0-9A-Fa-f]{2}", lambda m: m.group(0).upper() if upper else m.group(0).lower(), encoded
    )
    scheme_host = f"HTTP://{host.upper()}:80" if upper else f"https://{host}:443"
    variant = f"{scheme_host}{encoded}" + (
        "?utm_source=rss&fbclid=abc#comments" if tracking else ""
    )
    assert url_key(typed) == url_key(variant)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.example.com/news/1", "https://m.example.com/news/1/"),
        ("https://www.example.com/news/1", "https://amp.example.com/news/1/amp"),
        ("https://example.com/news/1.html", "https://example.com/news/1.amp.html"),
        ("https://example.com/news/1?id=2&x=1", "https://example.com/news/1?x=1&id=2&gclid=9"),
        ("https://example.com/news/1", "https://example.com/news/1?outputType=amp"),
    ],
)
def test_variants_share_a_key(a: str, b: str) -> None:
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/news/1", "https://example.com/news/2"),
        ("https://example.com/news?id=1", "https://example.com/news?id=2"),
        ("https://example.com/campaign/amp-story", "https://example.com/campaign/"),
    ],
)
def test_different_pages_keep_different_keys(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


PAGE = "https://www.arabstoday.net/en/news/482913/iraq-parliament-opens-debate"


@pytest.mark.parametrize(
    ("candidate", "reason"),
    [
        (PAGE, None),
        ("https://arabstoday.net/en/news/482913", None),  # slug dropped: an ancestor, an id
        ("https://m.arabstoday.net/en/news/482913/x", None),
        ("https://www.arabstoday.net/?p=482913", None),  # WordPress's article URL
        ("https://www.arabstoday.net/", "root"),
        ("https://www.arabstoday.net/index.php", "root"),
        ("https://www.arabstoday.net/indexes", None),
        ("https://www.arabstoday.net/ar", "root"),
        ("https://www.arabstoday.net/en/politics/", "listing"),  # a declared section
        ("https://www.arabstoday.net/en", "root"),
        ("https://arabstoday.net.evil.example/en/news/1", "offsite"),
        ("https://elsewhere.example.org/en/news/482913", "offsite"),
        ("javascript:void(0)", "invalid"),
    ],
)
def test_canonical_plausibility(candidate: str, reason: str | None) -> None:
    domains, listings = canonical_scope(ArabsTodaySpider)
    assert canonical_rejection(candidate, PAGE, domains, listings) == reason


def test_canonical_of_a_mirror_and_of_other_registrants() -> None:
    mirror = "http://127.0.0.1:8080/en/news/482913/iraq-parliament-opens-debate"
    assert canonical_rejection(PAGE, mirror) == "offsite"
    assert canonical_rejection(PAGE, mirror, domains=("arabstoday.net",)) is None
    # Two registrants under one public suffix are two sites; one under co.uk is one.
    assert registered_domain("a.blogspot.com") != registered_domain("b.blogspot.com")
    assert canonical_rejection("https://www.bbc.co.uk/news/1", "https://news.bbc.co.uk/x/1") is None
    assert canonical_rejection("https://evil.co.uk/news/1", "https://news.bbc.co.uk/x/1")
