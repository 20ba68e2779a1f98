"""Beirut Observer (beirutobserver.com, بيروت اوبزرفر): Lebanese news site, Arabic.

Sources of what is declared here:
- Feed: https://www.beirutobserver.com/feed/, from the saved page's
  ``<link rel="alternate" type="application/rss+xml">`` (corpus
  htmldate/beirutobserver.com-1764731404.html; WordPress 5.0, Jarida theme).
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); none is linked from the page.
- Sections: ``/category/s1-news/...`` pages from the saved page's main menu (their slugs
  are Joomla-era ids such as ``c42-2009-03-14-14-55-14``).

Markup (seen in the saved page): ``article#the-post`` > ``.post-inner`` holds the
``h1.post-title``, ``p.post-meta`` with the date only, and ``.entry`` > ``.content-rules``
(the story's ``<p>``), an in-post AdSense box (``.wpipa-container``) between paragraphs,
then the AddToAny share bar. The byline is a hidden ``.vcard.author`` (also
``<meta itemprop="author">``): the WordPress account that posted the story, kept as the
page's declared author. Around the story: the breaking-news ticker, "أخبار ٢٤ ساعة" and
"مقالات مختارة" sidebar lists, and previous/next links.

The page declares ``<html lang="en-US">`` and ``og:locale en_US`` though it is written in
Arabic: the language comes from the text's script. Dates: ``article:published_time``
has an explicit offset; the printed date (``November 9, 2020``) is a fallback.
"""

from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec

SPEC = SiteSpec(
    name="beirutobserver",
    origin="https://www.beirutobserver.com",
    domains=("beirutobserver.com",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=("/feed/",),
            sections=(
                "/category/s1-news/c42-2009-03-14-14-55-14/",
                "/category/s1-news/c41-2010-10-03-20-24-15/",
                "/category/s1-news/c25-2009-03-20-15-25-41/",
                "/category/s1-news/c54-2009-03-29-02-24-03/",
                "/category/s1-news/دولية/",
                "/category/s9-2009-03-17-03-31-08/c45-2009-03-14-14-54-24/",
                "/category/s1-news/c53-2009-03-20-19-19-09/",
            ),
        ),
    },
    # /2020/11/2338761/ (year, month, post id); not /category/..., /author/..., pages.
    article_url=r"^/\d{4}/\d{2}/\d+/?$",
    rules=SiteRules(
        body_selectors=(".post-inner .entry .content-rules", ".post-inner .entry", "article"),
        noise_selectors=(
            ".wpipa-container",
            ".addtoany_share_save_container",
            ".post-navigation",
            ".wp-caption-text",
        ),
        title_selectors=("h1.post-title", "h1"),
        title_affixes=(r"\s*[|\-–]\s*Beirut Observer\s*$",),
        author_selectors=(".post-inner .vcard.author .fn", ".vcard.author"),
        date_selectors=(".post-inner .post-meta .tie-date",),
        date_formats=("%B %d %Y",),
        timezone="Asia/Beirut",
        section_selectors=(),
        tag_selectors=(".post-tag a",),
    ),
    sources=__doc__ or "",
)
