"""The Times of Israel (timesofisrael.com), English edition.

Sources of what is declared here:
- Feed: /feed/, the WordPress feed path (the site runs WordPress: the saved page loads
  /wp-content/ plugins and links /wp-admin/). The saved page links no feed, so this
  is the conventional path, unverified.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); the saved page says it is
  built with Yoast SEO, whose sitemaps robots.txt normally lists.
- Sections: /israel-and-the-region/, /jewish-times/, /israel-inside/ and
  /start-up-israel/, from the saved page's main navigation. The blogs
  (blogs.timesofisrael.com), the partner papers (*.timesofisrael.com) and the Arabic,
  French and Persian editions (ar., fr., fa.timesofisrael.com) are other hosts with
  other markup; the domain list names www only.
- Article URLs, from the saved page and its lists: one slug segment
  (``/state-of-washington-swears-in-first-native-american-jewish-supreme-court-justice/``);
  live-blog entries are ``/liveblog_entry/<slug>/``. Section pages are one segment too
  (``/israel-and-the-region/``, ``/jewish-times/``, ``/latest/``), so an article slug
  must have five words or more; topic, writer and promoted pages (``/topic/judges/``,
  ``/writers/emily-burack/``, ``/spotlight/...``) have two segments.
- Markup, from the saved page: the body is ``div.the-content`` inside
  ``article .article-content``. Inside it sit ad slots (``div.banner``), the
  newsletter promo paragraph (``p.newsletter-promo``), WordPress image captions
  (``.wp-caption``) and embedded tweets (``blockquote.twitter-tweet``, quoted posts,
  not the article's prose). The lead image and caption (``div.media``), the topic list
  ("read more:"), the share bar, promoted content, comments and the "ADS FREE"
  membership box are outside it.
- Authors: ``.wrap-byline .byline a`` under the headline; desk and agency bylines
  (TOI staff, Agencies, AP, AFP, JTA, ... seen in the saved page's lists) name no person
  and are dropped.
- Dates: no machine date on the page; the byline prints ``8 January 2020, 3:51 pm``,
  Israel local time, read by the shared date search from ``date_selectors`` (it
  trusts a site's own selectors inside furniture-looking wrappers such as this
  site's ``<article class="print-active sticky-sidebar-parent">``).
- Section and tags: the topic list under the article starts with the section (a link
  to a section page, ``/jewish-times/``), then the topics (``/topic/...``); all of its
  entries are the page's tags (trafilatura's answer lists the same eight).
"""

from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec

# Bylines that name the desk or a wire agency, not a person.
NOT_PEOPLE = (
    "toi staff",
    "times of israel staff",
    "the times of israel",
    "agencies",
    "ap",
    "afp",
    "jta",
    "reuters",
    "tps",
)


TIMEZONE = "Asia/Jerusalem"
DATE_SELECTORS = (".wrap-byline .date",)
DATE_FORMATS = ("%d %B %Y %I:%M %p", "%d %B %Y")


SPEC = SiteSpec(
    name="timesofisrael",
    origin="https://www.timesofisrael.com",
    domains=("www.timesofisrael.com",),
    editions={
        "en": Edition(
            language="en",
            path="/",
            feeds=("/feed/",),
            sections=(
                "/israel-and-the-region/",
                "/jewish-times/",
                "/israel-inside/",
                "/start-up-israel/",
            ),
        ),
    },
    article_url=r"^/(?:liveblog_entry/)?[\w%]+(?:-[\w%]+){4,}/?$",
    rules=SiteRules(
        body_selectors=(
            "article .article-content .the-content",
            ".the-content",
        ),
        noise_selectors=(
            ".banner",
            ".newsletter-promo",
            ".wp-caption",
            "blockquote.twitter-tweet",
            "blockquote.instagram-media",
        ),
        title_selectors=("article h1.headline", "h1"),
        title_affixes=(r"\s*\|\s*The Times of Israel\s*$",),
        author_selectors=(".wrap-byline .byline a", ".wrap-byline .byline"),
        date_selectors=DATE_SELECTORS,
        date_formats=DATE_FORMATS,
        timezone=TIMEZONE,
        section_selectors=('.article-topics a:not([href*="/topic/"])',),
        tag_selectors=(".article-topics li a",),
        not_authors=NOT_PEOPLE,
    ),
    sources=__doc__ or "",
)
