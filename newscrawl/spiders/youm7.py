"""Youm7 / اليوم السابع (youm7.com, Egypt): Arabic.

Sources of what is declared here:
- Feeds: ``/rss/rss`` is linked from the saved page (news ticker and footer RSS icon,
  corpus page htmldate/youm7.com-1691196862.html). The per-section feeds
  ``/rss/SectionRss?SectionID=<id>`` (ids as in the section URLs below: 65 breaking,
  319 politics, 97 Egyptian reports, 297 economy) are the site's RSS page, from
  knowledge of the site, unverified here.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); no sitemap is linked from
  the saved page.
- Sections: the main menu of the saved page, ``/Section/<name>/<id>/<page>``; listings
  are paginated by their last path segment.
- Markup (saved page): headline ``.articleHeader h1``, printed date
  ``span.newsStoryDate`` ("الإثنين، 24 أغسطس 2020 09:23 ص"), byline ``span.writeBy``
  ("كتبت أسماء نصار"), body ``#articleBody`` (<p> with <br><br> inside), tags
  ``div.tags h3 a``, photo caption ``span.img-cap`` outside the body.
- Dates: ``article:published_time`` says ``2020-08-24T09:23:13Z`` while the page prints
  09:23 ص for the same story: the "Z" labels Cairo wall time. ``wall_clock_selectors`` reads
  that time in Africa/Cairo when the printed date agrees with the wall time (and
  leaves a real UTC value alone, should the site fix its tag).
"""

from __future__ import annotations

from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec

TIMEZONE = "Africa/Cairo"
PRINTED_DATE = ("span.newsStoryDate",)
# "الإثنين، 24 أغسطس 2020 09:23 ص" once normalised: "24 August 2020 09:23 AM".
DATE_FORMATS = ("%d %B %Y %I:%M %p", "%d %B %Y %H:%M", "%d %B %Y")


SPEC = SiteSpec(
    name="youm7",
    origin="https://www.youm7.com",
    domains=("youm7.com",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=(
                "/rss/rss",
                "/rss/SectionRss?SectionID=65",
                "/rss/SectionRss?SectionID=319",
                "/rss/SectionRss?SectionID=97",
                "/rss/SectionRss?SectionID=297",
            ),
            sections=(
                "/Section/أخبار-عاجلة/65/1",
                "/Section/سياسة/319/1",
                "/Section/تقارير-مصرية/97/1",
                "/Section/حوادث/203/1",
                "/Section/اقتصاد-وبورصة/297/1",
                "/Section/أخبار-عربية/88/1",
                "/Section/أخبار-عالمية/286/1",
                "/Section/أخبار-المحافظات/296/1",
            ),
        ),
    },
    # /story/2020/8/24/<slug>/4943459
    article_url=r"^/story/\d{4}/\d{1,2}/\d{1,2}/[^/]+/\d+/?$",
    # /Section/<name>/<id>/<page>
    pagination_url=r"^/Section/[^/]+/\d+/\d+/?$",
    rules=SiteRules(
        body_selectors=("#articleBody", "article .articleCont"),
        noise_selectors=(
            ".img-cap",
            ".NEwShare_Icons",
            ".writeBy",
            '[id^="div-gpt-ad"]',
            "#After_F_Paragraph",
        ),
        title_selectors=(".articleHeader h1", "h1"),
        title_affixes=(r"\s*[|\-–]\s*اليوم السابع\s*$",),
        author_selectors=("span.writeBy",),
        date_selectors=PRINTED_DATE,
        date_formats=DATE_FORMATS,
        timezone=TIMEZONE,
        section_selectors=(".articleHeader .breadcumb a:last-child",),
        tag_selectors=("div.tags h3 a",),
        wall_clock_selectors=PRINTED_DATE,
    ),
    sources=__doc__ or "",
)
