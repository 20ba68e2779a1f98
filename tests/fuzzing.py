"""Hypothesis strategies and checks for fuzzing every extraction and cleaning function.

Shared by tests/test_fuzz.py (a few dozen examples per target, in the suite) and
bench/fuzz.py (10,000 examples). Each :class:`Target` draws an input and checks an
invariant: no exception, and an output valid for its contract (an article record
valid for the JSON Schema, or :class:`NotAnArticleError` with a reason; idempotent
cleaning; URLs that stay strings; dates that stay ISO with an offset...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import fastjsonschema
from hypothesis import strategies as st
from parsel import Selector

from newscrawl.api import NotAnArticleError, extract
from newscrawl.discovery.sources import parse_feed, parse_sitemap, sitemaps_in_robots
from newscrawl.discovery.urls import canonicalize, host_matches, rebase, url_key
from newscrawl.extraction import metadata as md
from newscrawl.extraction.article import decode_html, extract_article
from newscrawl.extraction.body import extract_body
from newscrawl.extraction.dates import iso, normalize_date_text, parse_date
from newscrawl.extraction.generic.extractor import extract_generic
from newscrawl.extraction.interstitial import interstitial_reason
from newscrawl.extraction.language import language_for_text
from newscrawl.extraction.rules import GENERIC_RULES
from newscrawl.extraction.text import (
    collapse_whitespace,
    dominant_script,
    normalize_paragraph,
    to_ascii_digits,
)
from newscrawl.fixtureserver import FIXTURE_SITE
from newscrawl.guards.faults import looks_binary, retry_after_seconds, xml_problems
from newscrawl.guards.redact import redact
from newscrawl.guards.ssrf import SsrfPolicy, parse_ip
from newscrawl.items import article_schema
from newscrawl.sites.registry import site_spiders
from newscrawl.text.charset import (
    choose_encoding,
    guess_encoding,
    invalid_utf8_bytes,
    repair_mojibake,
)
from newscrawl.text.cleaning import (
    bound_record,
    clean_authors,
    clean_body,
    clean_text,
    remove_invisible,
    split_authors,
)

FIXTURES = FIXTURE_SITE
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
REASONS = {"bot_check", "js_shell", "consent_wall"}
# Unicode's noncharacters (U+FDD0..U+FDEF, the last two of every plane) and surrogates.
NONCHARACTER = re.compile(
    "[\ufdd0-\ufdef\ud800-\udfff"
    + "".join(chr(p + 0xFFFE) + chr(p + 0xFFFF) for p in range(0, 0x110000, 0x10000))
    + "]"
)
SITES = sorted(site_spiders())


@lru_cache(maxsize=1)
def validator() -> Callable[[dict[str, Any]], Any]:
    validate: Callable[[dict[str, Any]], Any] = fastjsonschema.compile(article_schema())
    return validate


@lru_cache(maxsize=1)
def fixture_pages() -> tuple[str, ...]:
    return tuple(decode_html(p.read_bytes()) for p in sorted(FIXTURES.rglob("*.html")))


# -- characters and text ---------------------------------------------------------------

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى،؛؟ًٌٍَُِّْـ٠١٢٣٤٥٦٧٨٩"
PERSIAN = "پچژگکی۰۱۲۳۴۵۶۷۸۹\u200c"
HEBREW = "אבגדהוזחטיכלמנסעפצקרשת"
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\x9f\xa0\xad\ufeff\u200b\u200d\u2028\u2029\ufffd"
MOJIBAKE = "ط§ظ„ظ…طھ\u0081ØÙ§„…Ã©â€™"
ALPHABET = (
    ARABIC + PERSIAN + HEBREW + BIDI + INVISIBLE + MOJIBAKE
    + "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 \t\n\r.,;:!?'\"<>/=&#-_()[]{}"
    + "中文日本語한국어😀🇸🇦"
)  # fmt: skip
words = st.text(alphabet=ALPHABET, max_size=40)
any_text = st.one_of(st.text(max_size=200), st.text(alphabet=ALPHABET, max_size=300))

TAGS = ("div", "p", "article", "section", "main", "span", "a", "h1", "h2", "title", "time",
        "script", "style", "noscript", "table", "tr", "td", "ul", "li", "br", "img", "meta",
        "link", "head", "body", "html", "template", "svg", "math", "iframe", "figure", "b",
        "font", "marquee", "textarea", "xmp", "plaintext", "select", "option", "form")  # fmt: skip
CLASSES = ("NewsText", "article-body", "entry-content", "story__content", "related",
           "ticker", "share", "footer", "most-read", "date", "time", "author", "byline",
           "breadcrumb", "tags", "NewsTitle", "news-ticker", "read-also", "sidebar")  # fmt: skip
META_KEYS = ("og:title", "og:url", "og:image", "og:description", "og:site_name",
             "article:published_time", "article:modified_time", "article:section",
             "article:tag", "author", "description", "keywords", "news_keywords",
             "twitter:image", "pubdate", "date", "og:locale", "content-language")  # fmt: skip
URLISH = st.one_of(
    st.sampled_from((
        "https://www.arabstoday.net/en/news/1/x", "/relative/path", "//cdn.example/a.jpg",
        "javascript:alert(1)", "data:image/png;base64,AAAA", "ftp://files.example/x",
        "mailto:news@example.com", "http://[::1]:99999/", "http://a b.example/", "https://",
        "http://xn--mgbh0fb.example/", "https://موقع.مثال/خبر", "\x00http://x", "#top", "",
        "http://127.0.0.1:80a/", "https://user:pw@host.example/", "http://[zz::1]/",
    )),
    words,
)  # fmt: skip
DATEISH = st.one_of(
    st.sampled_from((
        "2023-03-15T09:05:00+02:00", "2023-02-30", "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00", "Wed, 15 Mar 2023 09:05:00 GMT", "1678871100",
        "GMT 16:12 2018 Monday ,01 January", "١٥ مارس ٢٠٢٣", "۱۴۰۲/۰۱/۲۵", "yesterday",
        "2023-03-15T25:61:61Z", "2023-13-45", "+002023-01-01", "-1", "2023-03-15T09:05:00+99:99",
    )),
    words,
)  # fmt: skip


ARTICLE_TYPES_SAMPLE = ("NewsArticle", "Article", "WebPage", "ReportageNews", "BlogPosting")
ODDITIES = (
    "&amp;", "&#0;", "&#x110000;", "&#1575;", "&foo;", "&", "&amp;amp;", "&#xD800;",
    "&nbsp;", "<!--", "-->", "<![CDATA[x]]>", "<!DOCTYPE html>", "<?xml?>", "\x00",
)  # fmt: skip


JSON_KEYS = ("@type", "headline", "author", "name", "image", "url", "contentUrl",
             "datePublished", "dateModified", "keywords", "description", "articleSection",
             "inLanguage", "@graph", "mainEntity", "articleBody", "publisher", "@id")  # fmt: skip
ODD_STRINGS = st.sampled_from((
    "\ud800", "\udfff", "a\ud83d", "\uffff", "\ufffe", "\ufdd0", "\U0010ffff", "\x00",
    "x" * 250_000, "NewsArticle", "Person", "Organization", "a {'b': 1}", "[]", "{}",
))  # fmt: skip


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        words, URLISH, DATEISH, ODD_STRINGS,
                        st.sampled_from(ARTICLE_TYPES_SAMPLE))  # fmt: skip
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.sampled_from(JSON_KEYS), words), inner, max_size=6),
        ),
        max_leaves=20,
    )


def _attr_value(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return "x" * draw(st.integers(10_000, 300_000))  # a huge attribute
    if kind < 4:
        return draw(st.sampled_from(CLASSES))
    if kind < 6:
        return draw(URLISH)
    return draw(words)


@st.composite
def fragments(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 14))
    if kind <= 3:  # a tag, opened or closed or both, with attributes
        tag = draw(st.sampled_from(TAGS))
        attrs = "".join(
            f' {name}="{_attr_value(draw)}"'
            for name in draw(st.lists(st.sampled_from(
                ("class", "id", "itemprop", "href", "src", "datetime", "content", "rel",
                 "lang", "dir", "style", "property", "name", "type", "charset")), max_size=3))
        )  # fmt: skip
        shape = draw(st.integers(0, 2))
        inner = draw(words)
        if shape == 0:
            return f"<{tag}{attrs}>{inner}</{tag}>"
        return f"<{tag}{attrs}>{inner}" if shape == 1 else f"</{tag}>{inner}"
    if kind == 4:
        depth = draw(st.integers(50, 3000))
        tag = draw(st.sampled_from(("div", "span", "b", "table", "p", "li")))
        return f"<{tag}>" * depth + draw(words) + f"</{tag}>" * draw(st.integers(0, depth))
    if kind == 5:
        return f'<meta property="{draw(st.sampled_from(META_KEYS))}" content="{draw(DATEISH)}">'
    if kind == 6:
        return f'<meta name="{draw(st.sampled_from(META_KEYS))}" content="{draw(URLISH)}">'
    if kind == 7:
        value = json.dumps(draw(_json_values()), ensure_ascii=draw(st.booleans()))
        if draw(st.booleans()):
            value = value[: draw(st.integers(0, len(value)))]  # broken JSON-LD
        return f'<script type="application/ld+json">{value}</script>'
    if kind == 8:
        return f'<link rel="{draw(st.sampled_from(("canonical", "alternate", "next")))}" href="{draw(URLISH)}">'  # noqa: E501
    if kind == 9:
        return f'<time datetime="{draw(DATEISH)}">{draw(DATEISH)}</time>'
    if kind == 10:
        return draw(st.sampled_from(ODDITIES))
    if kind == 11:
        return draw(st.sampled_from(BIDI)) + draw(words) + draw(st.sampled_from(BIDI))
    if kind == 12:
        return "<p>" + " ".join(draw(st.lists(words, min_size=5, max_size=60))) + "</p>"
    return draw(any_text)


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    """Arbitrary and adversarial HTML: random text, random tag soup, or a real fixture
    page with fragments spliced in and maybe cut short."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(any_text)
    parts = draw(st.lists(fragments(), min_size=1, max_size=25))
    if kind == 1:
        return "".join(parts)
    page = draw(st.sampled_from(fixture_pages()))
    for part in parts:
        at = draw(st.integers(0, len(page)))
        page = page[:at] + part + page[at:]
    if kind == 3:
        page = page[: draw(st.integers(0, len(page)))]
    return page


@st.composite
def html_inputs(draw: st.DrawFn) -> str | bytes:
    """A page as text, or as bytes in some encoding (declared or not), or random bytes."""
    text = draw(html_documents())
    kind = draw(st.integers(0, 6))
    if kind <= 2:
        return text
    if kind == 3:
        return draw(st.binary(max_size=3000))
    codec = draw(st.sampled_from(("utf-8", "cp1256", "cp1252", "utf-16", "iso-8859-6")))
    data = text.encode(codec, "replace")
    if draw(st.booleans()):
        data = draw(st.sampled_from((b"\xef\xbb\xbf", b"\xff\xfe", b""))) + data
    return data


# -- every JSON shape, damaged encodings: the article is never lost ---------------------

STORIES = {
    "en": tuple(
        f"The minister said plan number {i} for the {w} sector would be ready within the "
        "month, after long talks with the unions and the central bank in the capital."
        for i, w in enumerate(("energy", "water", "housing", "transport", "health", "trade"))
    ),
    "ar": tuple(
        f"قال الوزير إن الخطة رقم {i} لقطاع {w} ستكون جاهزة خلال الشهر بعد محادثات طويلة "
        "مع النقابات والبنك المركزي في العاصمة."
        for i, w in enumerate(("الطاقة", "المياه", "الإسكان", "النقل", "الصحة", "التجارة"))
    ),
    "fa": tuple(
        f"وزیر گفت برنامه‌ی شماره {i} برای بخش {w} تا پایان ماه آماده می‌شود و "
        "پس از گفتگوهای طولانی با اتحادیه‌ها و بانک مرکزی در پایتخت ارائه خواهد شد."
        for i, w in enumerate(("انرژی", "آب", "مسکن", "حمل و نقل", "بهداشت", "تجارت"))
    ),
}


@st.composite
def jsonld_blocks(draw: st.DrawFn) -> str:
    """A JSON-LD block of any shape: any JSON, an article with any values, nesting up to
    100,000 levels, huge or escaped strings (lone surrogates, noncharacters), or cut."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        value = json.dumps(draw(_json_values()), ensure_ascii=draw(st.booleans()))
    elif kind == 1:
        depth = draw(st.sampled_from((30, 500, 990, 1500, 100_000)))
        openers = (("[", "]"), ('{"author":', "}"), ('{"@type":', "}"), ('{"@graph":[', "]}"))
        opener, closer = draw(st.sampled_from(openers))
        leaf = json.dumps(draw(_json_values()))
        value = opener * depth + leaf + closer * depth
    elif kind == 2:
        fields = draw(st.dictionaries(st.sampled_from(JSON_KEYS), _json_values(), max_size=8))
        value = json.dumps({"@type": draw(st.sampled_from(ARTICLE_TYPES_SAMPLE)), **fields})
    elif kind == 3:
        size = draw(st.sampled_from((1_000, 10_000, 300_000)))
        value = json.dumps({"@type": "NewsArticle", "headline": "H " * size,
                            "author": [{"name": f"N{i}"} for i in range(size // 100)],
                            "keywords": ",".join(["k"] * size), "image": ["/i.jpg"] * size})
    elif kind == 4:
        escape = draw(st.sampled_from(("\\ud800", "\\udfff", "\\uffff", "\\ufdd0", "\\u0000",
                                       "\\ud83d\\ude00", "\\\"")))
        value = json.dumps({"@type": "NewsArticle", "headline": "H", "author": "A"})
        value = value.replace('"H"', f'"H{escape}x"').replace('"A"', f'"A{escape}"')
    else:
        value = json.dumps(draw(_json_values()))
        value = value[: draw(st.integers(0, len(value)))]
    return f'<script type="application/ld+json">{value}</script>'


def story_page(language: str, head: str = "", meta_charset: str | None = "utf-8") -> str:
    charset = f'<meta charset="{meta_charset}">' if meta_charset else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in STORIES[language])
    return (
        f'<!DOCTYPE html><html lang="{language}"><head>{charset}<title>The plan</title>{head}'
        f"</head><body><article><h1>The plan</h1>{paragraphs}</article></body></html>"
    )


@st.composite
def metadata_pages(draw: st.DrawFn) -> tuple[str, str | bytes]:
    """(language, a story page whose head holds JSON-LD of any shape and odd meta tags)."""
    language = draw(st.sampled_from(sorted(STORIES)))
    head = "".join(draw(st.lists(jsonld_blocks(), min_size=1, max_size=3)))
    for key in draw(st.lists(st.sampled_from(META_KEYS), max_size=4)):
        value = draw(st.one_of(words, URLISH, DATEISH, ODD_STRINGS))
        head += f'<meta property="{key}" content="{value.replace(chr(34), "")}">'
    page = story_page(language, head)
    return language, (page.encode("utf-8", "surrogatepass") if draw(st.booleans()) else page)


@st.composite
def damaged_pages(draw: st.DrawFn) -> tuple[str, bytes, int]:
    """(language, a UTF-8 story page with 1-10 stray bytes and maybe a cut last character,
    declared UTF-8, undeclared or declared as another charset, how many bytes)."""
    language = draw(st.sampled_from(sorted(STORIES)))
    meta = draw(st.sampled_from(("utf-8", None, "gb2312", "iso-8859-1", "windows-1256")))
    data = story_page(language, meta_charset=meta).encode("utf-8")
    damage = draw(st.integers(1, 10))
    for _ in range(damage):
        # In the text, as a CMS damages it: a stray byte inside "</title>" swallows the
        # page into the title in any HTML parser, browsers' included.
        text_at = [i for i in range(len(data)) if data.rfind(b">", 0, i) >= data.rfind(b"<", 0, i)]
        at = draw(st.sampled_from(text_at))
        data = data[:at] + bytes([draw(st.integers(0x80, 0xFF))]) + data[at:]
    if draw(st.integers(0, 4)) == 0:
        data += "ة’".encode()[: draw(st.sampled_from((1, 3, 4)))]  # a character cut short
        damage += 1
    return language, data, damage


def _site_url(site: str) -> str:
    spider = site_spiders()[site]
    edition = next(iter(spider.editions.values()), None)
    path = edition.path if edition else "/"
    return f"{spider.origin.rstrip('/')}{path.rstrip('/')}/news/123456/x"


# -- the checks --------------------------------------------------------------------------


def check_record(record: dict[str, Any], url: str) -> None:
    validator()(record)
    assert record["url"] == url
    cleaned = dict(record)  # what the crawl's CleanPipeline makes of it stays valid too
    for key in ("title", "section", "description", "published_raw"):
        if isinstance(cleaned.get(key), str):
            cleaned[key] = clean_text(cleaned[key]) or None
    cleaned["body"] = clean_body(cleaned["body"])
    cleaned["authors"] = clean_authors(cleaned["authors"])
    cleaned["tags"] = [t for t in (clean_text(t) for t in cleaned["tags"]) if t]
    bound_record(cleaned)
    validator()(cleaned)
    for value in (*record.values(), *record["authors"], *record["tags"], *record["images"]):
        assert not (isinstance(value, str) and NONCHARACTER.search(value)), repr(value)[:200]


def check_extract(value: tuple[str, str | bytes]) -> None:
    site, html = value
    url = _site_url(site)
    try:
        record = extract(html, url, site=site)
    except NotAnArticleError as rejected:
        assert rejected.reason in REASONS
        return
    check_record(record, url)


def check_extract_article(value: tuple[str | bytes, str | None]) -> None:
    html, language = value
    url = "https://news.example/ar/2023/03/15/x"
    extraction = extract_article(html, url, GENERIC_RULES, language)
    assert extraction.rejected in REASONS | {None}
    check_record(extraction.record, url)
    assert all(isinstance(n, str) and n for n in extraction.notes)


def check_extract_generic(html: str | bytes) -> None:
    url = "https://news.example/a/b"
    extraction = extract_generic(html, url)
    assert extraction.rejected in REASONS | {None}
    check_record(extraction.record, url)


def check_body_and_metadata(html: str) -> None:
    root = Selector(text=html or "<html></html>", type="html").root
    before = len(root.xpath("//*")) if root is not None else 0
    body = extract_body(root, GENERIC_RULES)
    assert isinstance(body.text, str) and body.method in {"selector", "heuristic", "none"}
    assert len(root.xpath("//*")) == before, "extract_body changed the tree"
    meta = md.read_metadata(root)
    for value in (meta.article.get("author"), meta.article.get("image"), meta.article):
        assert all(isinstance(n, str) for n in md.names(value))
        assert all(isinstance(u, str) for u in md.urls(value))
        assert all(isinstance(s, str) for s in md.strings(value))
        assert md.text_value(value) is None or isinstance(md.text_value(value), str)


def check_decode(value: tuple[bytes, str | None]) -> None:
    data, declared = value
    assert isinstance(decode_html(data, declared), str)
    encoding, wrong = choose_encoding(data, declared, declared)
    assert (encoding is None) == (wrong is None)
    guess = guess_encoding(data)
    assert guess is None or isinstance(guess, str)


def check_dates(value: tuple[str, tuple[str, ...], str]) -> None:
    raw, formats, timezone = value
    assert isinstance(normalize_date_text(raw), str)
    for parsed in (parse_date(raw, formats, timezone), parse_date(raw, formats, timezone, False)):
        if parsed is not None:
            assert isinstance(parsed, datetime) and parsed.tzinfo is not None
            assert ISO.match(iso(parsed) or ""), iso(parsed)


def check_text(value: tuple[str, str | None]) -> None:
    text, declared = value
    assert isinstance(to_ascii_digits(text), str)
    once = collapse_whitespace(text)
    assert collapse_whitespace(once) == once
    assert normalize_paragraph(normalize_paragraph(text)) == normalize_paragraph(text)
    assert dominant_script(text) in {None, "arabic", "latin", "hebrew", "other"}
    language = language_for_text(declared, text)
    assert language is None or LANGUAGE.match(language), language


def check_interstitial(value: tuple[str, str]) -> None:
    html, body = value
    assert interstitial_reason(html, body) in REASONS | {None}


def check_cleaning(value: tuple[str, list[str]]) -> None:
    text, lines = value
    for function in (clean_text, remove_invisible, clean_body):
        once = function(text)
        assert function(once) == once, function.__name__
    boiler = tuple(lines)
    once = clean_body(text, boiler)
    assert clean_body(once, boiler) == once
    names = split_authors(text)
    assert all(isinstance(n, str) and n for n in names)
    authors = clean_authors([text, *lines])
    assert clean_authors(authors) == authors
    assert "\x00" not in clean_text(text) and "\ufeff" not in clean_text(text)


def check_discovery(data: bytes) -> None:
    for entry in parse_feed(data):
        assert isinstance(entry.url, str) and entry.url
    page = parse_sitemap(data)
    assert page.kind in {"index", "urlset", "invalid"}
    assert all(isinstance(e.url, str) for e in (*page.entries, *page.sitemaps))
    assert all(isinstance(u, str) for u in sitemaps_in_robots(data.decode("utf-8", "replace")))
    assert all(isinstance(p, str) for p in xml_problems(data))


def check_urls(value: tuple[str, str]) -> None:
    url, other = value
    for result in (canonicalize(url), url_key(url), rebase(url, "http://127.0.0.1:8080")):
        assert isinstance(result, str)
    assert canonicalize(canonicalize(url)) == canonicalize(url)
    assert isinstance(host_matches(other, ("arabstoday.net", other)), bool)
    reason, host = SsrfPolicy.build([other]).check_url(url)
    assert reason is None or isinstance(reason, str)
    assert host is None or isinstance(host, str)
    assert parse_ip(other) is None or str(parse_ip(other))


def check_misc(value: tuple[str, bytes]) -> None:
    text, data = value
    fixed, codec = repair_mojibake(text)
    assert (codec is None and fixed == text) or codec in {"cp1256", "cp1252"}
    assert repair_mojibake(fixed)[0] == fixed or codec is not None
    once = redact(text)
    assert redact(once) == once
    assert isinstance(looks_binary(data), bool)
    seconds = retry_after_seconds(text)
    assert seconds is None or seconds >= 0


def _kept(body: str, language: str) -> float:
    """Share of the story's words that reached the body."""
    story = " ".join(STORIES[language]).split()
    found = set(body.split())
    return sum(word in found for word in story) / len(story)


def check_metadata_never_loses_the_article(value: tuple[str, str | bytes]) -> None:
    language, html = value
    url = "https://news.example/2024/05/01/story"
    for extraction in (extract_article(html, url, GENERIC_RULES), extract_generic(html, url)):
        check_record(extraction.record, url)
        assert _kept(extraction.record["body"], language) == 1.0, extraction.record["body"][:300]
        assert extraction.rejected is None


def check_damaged_encoding_never_loses_the_article(value: tuple[str, bytes, int]) -> None:
    language, data, damage = value
    url = "https://news.example/2024/05/01/story"
    extraction = extract_article(data, url, GENERIC_RULES)
    check_record(extraction.record, url)
    if language != "en":  # (an ASCII story with stray bytes may be read as windows-1252)
        assert invalid_utf8_bytes(data), "a UTF-8 page with a few bad bytes taken for legacy"
    # Each stray byte can spoil one word (two if between); the rest arrives as written.
    words = len(" ".join(STORIES[language]).split())
    assert _kept(extraction.record["body"], language) >= 1 - 2 * damage / words


# -- the targets -------------------------------------------------------------------------

XML_PARTS = st.sampled_from((
    '<?xml version="1.0" encoding="UTF-8"?>', "<rss>", "<channel>", "<item>", "</item>",
    "<link>", "</link>", "<title>", "</title>", "<pubDate>", "</pubDate>", "<guid>",
    "</guid>", '<feed xmlns="http://www.w3.org/2005/Atom">', "<entry>", '<link href="',
    '"/>', "</entry>", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    "<url>", "<loc>", "</loc>", "</url>", "<lastmod>", "</lastmod>", "<sitemapindex>",
    "<sitemap>", "</sitemap>", "<news:news>", "<news:publication_date>",
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&a;", "&b;", "&e;",
    "&amp;", "<![CDATA[", "]]>", "https://www.arabstoday.net/en/news/1/x", "\x00",
))  # fmt: skip


@st.composite
def xml_documents(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.one_of(XML_PARTS, words, DATEISH), max_size=60))
    text = "".join(parts)
    codec = draw(st.sampled_from(("utf-8", "utf-16", "latin-1")))
    data = text.encode(codec, "replace")
    if draw(st.integers(0, 4)) == 0:
        data = draw(st.binary(max_size=500))
    return data


@dataclass(frozen=True)
class Target:
    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]
    weight: int = 1  # share of bench/fuzz.py's examples


TARGETS = (
    Target("newscrawl.extract[site]", st.tuples(st.sampled_from(SITES), html_inputs()),
           check_extract, 6),
    Target("extraction.article.extract_article", st.tuples(html_inputs(),
           st.one_of(st.none(), st.sampled_from(("ar", "en", "fa", "he")), words)),
           check_extract_article, 3),
    Target("extraction.generic.extract_generic", html_inputs(), check_extract_generic, 2),
    Target("extraction.body+metadata", html_documents(), check_body_and_metadata, 2),
    Target("extraction.article.decode_html", st.tuples(st.binary(max_size=4000),
           st.one_of(st.none(), st.sampled_from(("utf-8", "windows-1256", "latin-1", "utf-16",
                                                 "bogus", "", "x" * 300)))),
           check_decode),
    Target("extraction.dates", st.tuples(DATEISH, st.lists(st.sampled_from((
           "%H:%M %Y %d %B", "%d %B %Y", "%Y/%m/%d", "%d.%m.%Y %H:%M", "%A %d %B %Y")),
           max_size=3).map(tuple), st.sampled_from(("UTC", "Asia/Beirut", "Africa/Cairo",
                                                    "Asia/Tehran"))),
           check_dates),
    Target("extraction.text", st.tuples(any_text, st.one_of(st.none(), words, st.sampled_from(
           ("ar", "en-US", "fa_IR", "zh-Hant", "x", "english", "e1", "ar-", "-")))),
           check_text),
    Target("extraction.interstitial", st.tuples(html_documents(), any_text), check_interstitial),
    Target("cleaning", st.tuples(any_text, st.lists(words, max_size=4)), check_cleaning, 2),
    Target("discovery", xml_documents(), check_discovery, 2),
    Target("urls+ssrf", st.tuples(st.one_of(URLISH, st.text(max_size=80)), st.one_of(
           words, st.sampled_from(("10.0.0.0/8", "::1", "localhost", ".example", "")))),
           check_urls, 2),
    Target("charset+redact+faults", st.tuples(any_text, st.binary(max_size=2000)), check_misc),
    Target("metadata of every JSON shape", metadata_pages(),
           check_metadata_never_loses_the_article, 3),
    Target("damaged encodings", damaged_pages(), check_damaged_encoding_never_loses_the_article,
           2),
)  # fmt: skip
