"""The Jerusalem Post (jpost.com).

Sources of what is declared here:
- Feeds: the saved page's footer links "RSS feed" to https://www.jpost.com/rss, the
  index of the site's RSS feeds (an HTML page, not a feed). The feeds declared are the
  front-page feed /rss/rssfeedsfrontpage.aspx and the headlines feed
  /rss/rssfeedsheadlines.aspx, publicly documented on that index
  (https://www.jpost.com/rss); they are not in the saved page and are unverified here.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``).
- Sections: /Breaking-News (the saved page's footer), /Israel-News, /Middle-East,
  /Arab-Israeli-Conflict, /International and /Opinion (the saved page's main menu).
- Article URLs, from the saved page and its Breaking News list: a section path, then a
  capitalised slug ending in the numeric article id
  (``/Breaking-News/Son-of-former-German-president-stabbed-to-death-in-Berlin-608399``);
  section, tag and landing pages (``/Middle-East/Iran-News``, ``/Tags/Benjamin-Netanyahu``,
  ``/LandedPages/AboutUs.aspx``) have no trailing id. Promotional pages under
  /PromoContent do have one and are excluded. The current site's
  ``/israel-news/article-757016`` form (publicly visible on jpost.com) matches too.
- Markup, from the saved page: the body is the ``itemprop="articleBody"`` element
  (``div.article-inner-content-breaking-news`` on Breaking News items, whose paragraphs
  are separated by empty ``div.fake-br-for-article-body``); the Breaking News list
  under it, the share buttons and the Outbrain/ad slots are siblings.
- Authors: the byline is ``By <span class="article-reporter">`` a reporter or, as on the
  saved page, the desk ("JERUSALEM POST STAFF"), or an agency (REUTERS, seen in the
  saved page's list). Desk and agency bylines name no person and are dropped.
- Section: the page's ``<title>`` is "<headline> - <section> - The Jerusalem post"
  ("Breaking News" on the saved page); the printed ``.breaking-news-title`` header is
  only the fallback (it exists on Breaking News items only).
- Dates: the ``itemprop`` microdata says ``2019-11-20T10:43Z`` while the page prints
  ``NOVEMBER 20, 2019 10:43``, and the Breaking News list prints Israeli wall-clock
  times (the Netanyahu-Gantz meeting of the evening of 19 November 2019 "ends after one
  hour" at "11/19/2019 11:40 PM"): the "Z" is a literal appended to Israel local time.
  When the microdata's wall clock equals the printed one it is read in Asia/Jerusalem
  (``wall_clock_selectors``); a real UTC value (differing from the printed time)
  is left as it is.
"""

import re

from newscrawl.sites.toolkit import (
    Edition,
    Page,
    SiteRules,
    SiteSpec,
    collapse_whitespace,
    override,
)

TIMEZONE = "Asia/Jerusalem"
PRINTED_DATE_FORMAT = "%B %d %Y %H:%M"  # "NOVEMBER 20, 2019 10:43", normalised
PRINTED_DATE_SELECTOR = ".article-subline-name"
# The <title>: "Son of former German president ... - Breaking News - The Jerusalem post".
_TITLE_SECTION = re.compile(r"^.+ - ([^-]+?) - The Jerusalem Post$", re.IGNORECASE)
# Bylines that name the desk or a wire agency, not a person.
NOT_PEOPLE = (
    "jerusalem post staff",
    "jpost.com staff",
    "jerusalem post",
    "the jerusalem post",
    "reuters",
    "associated press",
    "ap",
    "afp",
    "jta",
    "tps",
    "xinhua",
)


@override("section")
def section_from_title(page: Page, value: str | None) -> str | None:
    """ "<headline> - <section> - The Jerusalem Post": the section as the site names it."""
    titles = page.xpath("//head/title/text()")
    match = _TITLE_SECTION.match(collapse_whitespace(titles[0])) if titles else None
    return match.group(1) if match else value


SPEC = SiteSpec(
    name="jpost",
    origin="https://www.jpost.com",
    domains=("jpost.com",),
    editions={
        "en": Edition(
            language="en",
            path="/",
            feeds=("/rss/rssfeedsfrontpage.aspx", "/rss/rssfeedsheadlines.aspx"),
            sections=(
                "/Breaking-News",
                "/Israel-News",
                "/Middle-East",
                "/Arab-Israeli-Conflict",
                "/International",
                "/Opinion",
            ),
        ),
    },
    article_url=r"^/(?!PromoContent/)(?:[\w%-]+/)+[\w%.,'-]+-\d{5,}/?$",
    rules=SiteRules(
        body_selectors=(
            '[itemprop="articleBody"]',
            ".article-inner-content-breaking-news",
            ".article-inner-content",
        ),
        noise_selectors=(
            ".breaking-news-lst",
            ".share-buttons",
            ".OUTBRAIN",
            ".banner",
        ),
        title_selectors=("h1.article-title", "h1"),
        title_affixes=(r"(?i)\s+-\s+[^-]+?\s+-\s+The Jerusalem Post\s*$",),
        author_selectors=(".article-subline .article-reporter",),
        date_selectors=(PRINTED_DATE_SELECTOR,),
        date_formats=(PRINTED_DATE_FORMAT,),
        timezone=TIMEZONE,
        section_selectors=(".breaking-news-title",),  # the <title> wins, see _section_from_title
        tag_selectors=(".tags-container a", ".article-tags a"),
        min_body_chars=150,  # Breaking News items are a few sentences long
        not_authors=NOT_PEOPLE,
        wall_clock_selectors=(PRINTED_DATE_SELECTOR,),
        overrides=(section_from_title,),
    ),
    sources=__doc__ or "",
)
