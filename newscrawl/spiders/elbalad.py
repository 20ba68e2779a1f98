"""Sada El Balad TV (elbaladtv.net, قناة صدى البلد): Egyptian channel's news site, Arabic.

Sources of what is declared here:
- Feed: https://elbaladtv.net/feed/, from the saved page's
  ``<link rel="alternate" type="application/rss+xml">`` (corpus
  htmldate/elbaladtv.net-1806793639.html; WordPress 5.4).
- Sitemap: /sitemap_index.xml, conventional path of the Rank Math SEO plugin whose
  markup the page carries (``#richSnippet`` JSON-LD, robots meta), unverified; plus
  whatever robots.txt names (``robots_sitemaps``).
- Sections: ``/category/<slug>/`` pages from the saved page's main menu.

Markup (JNews theme, seen in the saved page): ``.entry-header`` holds ``h1.jeg_post_title``,
``.jeg_meta_author`` ("كتب <a>name</a>") and ``.jeg_meta_date``; the story is
``.entry-content .content-inner``: ``<p>`` paragraphs with an AdSense ``.code-block``,
an inline "إقرأ أيضاً" box (``.jnews_inline_related_post_wrapper``), inline ads
(``.jeg_ad``) and the tag list (``.jeg_post_tags``, "تاجز:") between or after them.
JSON-LD (Rank Math) gives headline (with the " - قناة صدى البلد" suffix), datePublished in
Cairo time with its offset, the author as a Person, and description; article:tag gives
tags. The section the page declares (article:section, breadcrumb) is the WordPress
category it is filed under, which may be the "featured" flag category. An ``images``
override drops the JSON-LD image ``@id`` reference (``<page>#primaryImage``) that is not a file.
"""

from urllib.parse import urldefrag

from newscrawl.sites.toolkit import Edition, Page, SiteRules, SiteSpec, override


@override("images")
def images(page: Page, value: list[str]) -> list[str]:
    """Drop JSON-LD ``{"@id": "<page>#primaryImage"}`` references read as image URLs.

    Rank Math's NewsArticle points at its ImageObject by ``@id`` (the page URL plus a
    fragment); the real file is in the ImageObject and in og:image.
    """
    pages = {urldefrag(u)[0] for u in (page.url, page.record["canonical_url"]) if u}
    return [image for image in value if not (urldefrag(image)[1] and urldefrag(image)[0] in pages)]


SPEC = SiteSpec(
    name="elbalad",
    origin="https://elbaladtv.net",
    domains=("elbaladtv.net",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=("/feed/",),
            sitemaps=("/sitemap_index.xml",),
            sections=(
                "/category/نشرة-الأخبار/",
                "/category/حوادث/",
                "/category/عرب-وعالم/",
                "/category/سياسة-وبرلمان/",
                "/category/رياضة/",
                "/category/فن/",
            ),
        ),
    },
    # WordPress /%postname%/: one slug segment, not a category/tag/author/program page.
    article_url=(
        r"^/(?!(?:category|tag|author|programs|page|feed|comments|search|wp-[a-z-]+)"
        r"(?:/|$))[^/]+/?$"
    ),
    rules=SiteRules(
        body_selectors=(".entry-content .content-inner", ".entry-content", "article"),
        noise_selectors=(
            ".code-block",
            ".jnews_inline_related_post_wrapper",
            ".jeg_ad",
            ".jeg_post_tags",
            ".jeg_share_bottom_container",
            ".jeg_share_top_container",
            ".wp-caption-text",
        ),
        title_selectors=("h1.jeg_post_title", "h1"),
        title_affixes=(r"\s*[-|–]\s*(?:قناة )?صدى البلد\s*$",),
        author_selectors=(".entry-header .jeg_meta_author a", ".jeg_meta_author a"),
        date_selectors=(".entry-header .jeg_meta_date",),
        # "2020/12/25 - 1:59 صباحًا" -> "2020/12/25 - 1:59 AM"
        date_formats=("%Y/%m/%d - %I:%M %p", "%Y/%m/%d"),
        timezone="Africa/Cairo",
        section_selectors=("#breadcrumbs .breadcrumb_last_link a",),
        tag_selectors=(".jeg_post_tags a",),
        overrides=(images,),
    ),
    sources=__doc__ or "",
)
