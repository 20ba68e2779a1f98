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
  code reads modified dates without the site's formats): per-field overrides split the
  one and parses the other.
- ``og:description`` is the portal's slogan ("بوابة أخبار اليوم الإلكترونية") on every
  page; an override takes the article's ``<meta itemprop="description">`` instead.
"""

from __future__ import annotations

from newscrawl.sites.toolkit import (
    Dates,
    Edition,
    Page,
    SiteRules,
    SiteSpec,
    collapse_whitespace,
    iso,
    override,
    parse_date,
)

# What og:description says on every page, whatever the article.
SLOGANS = frozenset({"بوابة أخبار اليوم الإلكترونية", "بوابة اخبار اليوم"})
OUTLETS = ("akhbarelyom", "akhbarelyom.com", "بوابة أخبار اليوم", "أخبار اليوم")
TIMEZONE = "Africa/Cairo"
# "الأربعاء، 07 أكتوبر 2020 - 12:09 م" once normalised: "07 October 2020 - 12:09 PM".
DATE_FORMATS = ("%d %B %Y - %I:%M %p", "%d %B %Y %I:%M %p", "%d %B %Y")


@override("tags")
def tags(page: Page, value: list[str]) -> list[str]:
    """One by one: the meta keywords are one comma-separated value."""
    found: list[str] = []
    for tag in value:
        for part in tag.split(","):
            part = collapse_whitespace(part)
            if part and part not in found:
                found.append(part)
    return found


@override("dates")
def modified(page: Page, dates: Dates) -> Dates:
    """The modified date in the site's printed form, which machine dates are not read in."""
    if dates.modified is not None:
        return dates
    for value in page.xpath('//meta[@property="article:modified_time"]/@content'):
        parsed = parse_date(str(value), DATE_FORMATS, TIMEZONE, use_dateparser=False)
        if parsed:
            return dates._replace(modified=iso(parsed))
    return dates


@override("description")
def description(page: Page, value: str | None) -> str | None:
    """The article's own summary when og:description is the site's slogan."""
    if value not in SLOGANS:
        return value
    found = page.meta('//meta[@itemprop="description"]/@content')
    return next((text for text in found if text not in SLOGANS), None)


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
        not_authors=OUTLETS,
        overrides=(tags, modified, description),
    ),
    sources=__doc__ or "",
)
