"""Akhbar El Yom / بوابة أخبار اليوم (akhbarelyom.com, Cairo, Egypt): Arabic.

Sources of what is declared here:
- Feeds: ``/RSS/GetSectionRSS?JournalID=1`` is the RSS icon of the saved page's share
  bar (corpus page htmldate/akhbarelyom.com-1731695567.html).
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); none is linked from the
  saved page.
- Sections: the main menu of the saved page, ``/news/newssection/<id>/<page>/<name>``;
  the page number is the second segment, hence ``pagination_url``.
- Markup (saved page): breadcrumb ``nav.breadcrumb`` (last item = section), headline
  ``h1.entry-title``, printed date ``.post-meta-date`` ("الأربعاء، 07 أكتوبر 2020 -
  12:09 م"), photo with ``figcaption.img-caption``, byline ``.post-meta-author h5`` (a
  link to the writer's page), body ``.entry-content`` (<p>), then an empty
  ``#ADonContent`` box, a Speakol/AdSense block, the tag list ``.post-tags``
  ("الكلمات الدالة"), the share bar and the "إقرأ أيضاً" / "الأكثر قراءة" modules.
- Dates: there is no machine date; ``article:published_time`` holds the printed Arabic
  form, read with ``date_formats`` in Africa/Cairo.
- ``<meta name="author">`` is the outlet ("akhbarelyom"): the byline link is used, and
  the outlet is never taken as an author.
- ``article:tag`` is one comma-joined string ("النمر,مدرسة البنات,..."), and
  ``article:modified_time`` is printed Arabic like the published time (the shared
  code reads modified dates without the site's formats): ``postprocess`` splits the
  one and parses the other.
- ``og:description`` is the portal's slogan ("بوابة أخبار اليوم الإلكترونية") on every
  page; ``postprocess`` takes the article's ``<meta itemprop="description">`` instead.
"""

from __future__ import annotations

from typing import Any

from lxml.html import HtmlElement

from newscrawl.extraction.dates import iso, parse_date
from newscrawl.extraction.text import collapse_whitespace
from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec

# What og:description says on every page, whatever the article.
SLOGANS = frozenset({"بوابة أخبار اليوم الإلكترونية", "بوابة اخبار اليوم"})
OUTLETS = frozenset({"akhbarelyom", "akhbarelyom.com", "بوابة أخبار اليوم", "أخبار اليوم"})
TIMEZONE = "Africa/Cairo"
# "الأربعاء، 07 أكتوبر 2020 - 12:09 م" once normalised: "07 October 2020 - 12:09 PM".
DATE_FORMATS = ("%d %B %Y - %I:%M %p", "%d %B %Y %I:%M %p", "%d %B %Y")


def _split_tags(tags: list[str]) -> list[str]:
    found: list[str] = []
    for tag in tags:
        for part in tag.split(","):
            part = collapse_whitespace(part)
            if part and part not in found:
                found.append(part)
    return found


def _modified(root: HtmlElement) -> str | None:
    for value in root.xpath('//meta[@property="article:modified_time"]/@content'):
        parsed = parse_date(str(value), DATE_FORMATS, TIMEZONE, use_dateparser=False)
        if parsed:
            return iso(parsed)
    return None


def fix_record(record: dict[str, Any], root: HtmlElement) -> None:
    """Real summary, tags one by one, printed modified date, no outlet as author."""
    record["authors"] = [a for a in record["authors"] if a.casefold() not in OUTLETS]
    record["tags"] = _split_tags(record["tags"])
    if record["modified"] is None:
        record["modified"] = _modified(root)
    if record["description"] in SLOGANS:
        for value in root.xpath('//meta[@itemprop="description"]/@content'):
            text = collapse_whitespace(str(value))
            if text and text not in SLOGANS:
                record["description"] = text
                break
        else:
            record["description"] = None


SPEC = SiteSpec(
    name="akhbarelyom",
    origin="https://akhbarelyom.com",
    domains=("akhbarelyom.com",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=("/RSS/GetSectionRSS?JournalID=1",),
            sections=(
                "/news/newssection/1/1/أخبار-مصر",
                "/news/newssection/160/1/حوارات-وتحقيقات",
                "/news/newssection/23/1/أخبار-الرياضة",
                "/news/newssection/36/1/أخبار-الفن",
            ),
        ),
    },
    # /news/newdetails/3126898/1/<slug>
    article_url=r"^/news/newdetails/\d+/\d+(?:/[^/]*)?/?$",
    # /news/newssection/<id>/<page>/<name>
    pagination_url=r"^/news/newssection/\d+/\d+(?:/[^/]*)?/?$",
    rules=SiteRules(
        body_selectors=(".entry-content", ".entry-main"),
        noise_selectors=(
            "#ADonContent",
            ".post-tags",
            ".post-meta-elements",
            '[id^="div-gpt-ad"]',
            ".speakol-widget",
        ),
        title_selectors=("h1.entry-title", "h1"),
        title_affixes=(r"\s*[|\-–]\s*بوابة أخبار اليوم(?: الإلكترونية)?\s*$",),
        author_selectors=(".post-meta-author h5", ".post-meta-author a"),
        date_selectors=(".post-meta-date",),
        date_formats=DATE_FORMATS,
        timezone=TIMEZONE,
        section_selectors=("nav.breadcrumb li.active a", "nav.breadcrumb li:last-child a"),
        tag_selectors=(".post-tags a.post-tags_link",),
        postprocess=fix_record,
    ),
    sources=__doc__ or "",
)
