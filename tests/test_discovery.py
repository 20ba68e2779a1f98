"""Feed, sitemap and robots.txt parsing, including hostile XML."""

from __future__ import annotations

from newscrawl.discovery.sources import parse_feed, parse_sitemap, sitemaps_in_robots

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>A</title><link rel="alternate" href="https://example.com/a"/>
<published>2024-03-01T10:00:00+03:00</published><updated>2024-03-02T10:00:00+03:00</updated>
</entry></feed>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://example.com/ar/news/1</loc><lastmod>2024-01-02T00:00:00+00:00</lastmod>
<news:news><news:publication><news:name>X</news:name><news:language>ar</news:language>
</news:publication><news:publication_date>2024-01-01T08:00:00+02:00</news:publication_date>
<news:title>عنوان</news:title><news:keywords>سياسة, اقتصاد</news:keywords></news:news></url>
</urlset>""".encode()

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss><channel><item><title>&lol3;</title><link>https://example.com/x</link></item></channel></rss>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title><link>https://example.com/y</link></item></channel></rss>"""


def test_atom_entries_with_dates() -> None:
    [entry] = parse_feed(ATOM)
    assert entry.url == "https://example.com/a"
    assert (
        entry.published is not None and entry.published.isoformat() == "2024-03-01T10:00:00+03:00"
    )
    assert entry.modified is not None and entry.modified.day == 2


def test_google_news_fields_are_kept() -> None:
    page = parse_sitemap(NEWS_SITEMAP)
    assert page.kind == "urlset"
    [entry] = page.entries
    assert (
        entry.published is not None and entry.published.isoformat() == "2024-01-01T08:00:00+02:00"
    )
    assert (entry.title, entry.language, entry.keywords) == ("عنوان", "ar", ("سياسة", "اقتصاد"))


def test_sitemap_index() -> None:
    page = parse_sitemap(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://example.com/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert page.kind == "index"
    assert [s.url for s in page.sitemaps] == ["https://example.com/s1.xml"]


def test_entities_are_not_expanded_nor_fetched() -> None:
    for data in (BOMB, EXTERNAL):
        entries = parse_feed(data)
        assert all("lol" not in (e.title or "") and "root:" not in (e.title or "") for e in entries)


def test_truncated_feed_keeps_the_entries_before_the_cut() -> None:
    data = (
        b"<rss><channel><item><link>https://example.com/1</link></item>"
        b"<item><link>https://example.com/2</link></item><item><link>https://exa"
    )
    assert [e.url for e in parse_feed(data)][:2] == [
        "https://example.com/1",
        "https://example.com/2",
    ]


def test_garbage_is_not_a_feed_or_sitemap() -> None:
    assert parse_feed(b"\x00\x01 not xml") == []
    assert parse_sitemap(b"<html><body>hi</body></html>").kind == "invalid"


def test_robots_sitemaps() -> None:
    robots = "User-agent: *\nDisallow: /admin/\nSITEMAP: https://e.com/a.xml # main\nSitemap: https://e.com/a.xml\n"
    assert sitemaps_in_robots(robots) == ["https://e.com/a.xml"]
