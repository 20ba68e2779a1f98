"""LBC / LBCI (lbcgroup.tv): Lebanese Broadcasting Corporation, Arabic edition.

Sources of what is declared here:
- Feed: https://www.lbcgroup.tv/rss/ar, from the saved page (linked in its footer,
  corpus fundus/lb/LBCGroup_2026_01_08.html.gz).
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); no sitemap URL is named
  here because none is linked from the saved page.
- Sections: category pages from the saved page's navigation
  (``/news/category/<id>/<name>/ar``).

The language of a URL is its LAST path segment (``.../898682/<slug>/ar``; the English
edition ends in ``/en``), which editions (path prefixes) cannot express, so one edition
is declared on ``/`` and the feed is the Arabic one; a page's language is then what it
declares and its script confirm.

Markup (ASP.NET, seen in the saved page): the story is ``<div itemprop="articleBody">``
> ``div.LongDesc``, its paragraphs separated by ``<br><br>`` only. ``articleBody`` also
holds the reading-time bar, a hidden title copy (``[id$=_lblTitle]``), the lead
(``.ShortDesc``, empty on the saved page but article text when filled), the keyword
chips (every one ``itemprop="articleSection"``) and next/previous teasers; all but the
lead are noise selectors. The chips are the headline's own words split by the CMS
(``يُشعل``, ``السخرية"…``, ``وخبير``), not tags, and the keywords meta is site-wide, so
``tags`` is empty on such pages. The printed date (``2026-01-08 | 12:42``) is one hour
ahead of the JSON-LD ``datePublished`` (``11:42:50+00:00``), which has an explicit
offset and wins; the printed form is parsed only as a fallback. Pages name no author
(the only author value is ``<meta itemprop="author" content="LBCI">``, the outlet), so
``authors`` is empty.
"""

import re

from newscrawl.sites.toolkit import Edition, Page, SiteRules, SiteSpec, override

# What every page carries whatever the story: ``<meta itemprop="author" content="LBCI">``,
# ``<meta name="keywords" content="news , lbci , أخبار">`` and the description
# ``| Lebanon News`` (the lead, when a story has one, is in ``.ShortDesc``).
OUTLET_NAMES = ("lbci", "lbc", "lbci lebanon", "lbciv7", "lbcgroup")
SITE_KEYWORDS = frozenset({"news", "lbci", "أخبار"})
DESCRIPTION_SUFFIX = re.compile(r"\s*[|\-–]\s*(?:Lebanon News|LBCI?)\s*$", re.IGNORECASE)


@override("tags")
def tags(page: Page, value: list[str]) -> list[str]:
    """The site-wide keywords alone are no tags."""
    return [] if set(map(str.casefold, value)) <= SITE_KEYWORDS else value


@override("description")
def description(page: Page, value: str | None) -> str | None:
    """Without the site's suffix; nothing when that was all of it."""
    return (DESCRIPTION_SUFFIX.sub("", value).strip() or None) if value else value


@override("images")
def images(page: Page, value: list[str]) -> list[str]:
    """The server is case-insensitive (IIS): /documentimages/ and /DocumentImages/ are
    one file, named both ways by the JSON-LD and the meta tags."""
    seen: set[str] = set()
    found = []
    for image in value:
        if image.casefold() not in seen:
            seen.add(image.casefold())
            found.append(image)
    return found


SPEC = SiteSpec(
    name="lbc",
    origin="https://www.lbcgroup.tv",
    domains=("lbcgroup.tv",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=("/rss/ar",),
            sections=(
                "/news/category/1/أخبار-لبنان/ar",
                "/news/category/6/أخبار-دولية/ar",
                "/news/category/3/أمن-وقضاء/ar",
                "/news/category/5/صحف-اليوم/ar",
                "/news/category/65/تقارير-نشرة-الاخبار/ar",
                "/news/category/29/منوعات/ar",
            ),
        ),
    },
    # /news/lifestyle/898682/<slug>/ar; not /news/category/29/<name>/ar nor /search/...
    article_url=r"^/(?:news|sports|infographics)/(?!category/)[\w-]+/\d{4,}(?:/[^/]+)?/ar/?$",
    rules=SiteRules(
        body_selectors=('[itemprop="articleBody"]', ".article_details_body"),
        noise_selectors=(
            '[id$="_lblTitle"]',
            ".article_details_time_to_read_container_full_width",
            ".article_details_tags",
            ".article_details_prev_next",
            ".injectedControl",
            ".my-gallery",
            "bannerinjection",
            "controlinjection",
        ),
        title_selectors=("h1", '[id$="_lblTitle"]'),
        title_affixes=(r"\s*[|\-–]\s*(?:LBCI?(?: Lebanon)?|Lebanon News)\s*$",),
        date_selectors=(".article_details_date", '[id$="_lblDate"]'),
        date_formats=("%Y-%m-%d | %H:%M", "%Y-%m-%d"),
        timezone="Asia/Beirut",
        section_selectors=(
            ".article_details_tag.cat-color",
            ".article_details_category",
        ),
        tag_selectors=(),
        not_authors=OUTLET_NAMES,
        overrides=(tags, description, images),
    ),
    sources=__doc__ or "",
)
