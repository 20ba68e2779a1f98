"""Arabs Today (arabstoday.net): English and Arabic editions.

Sources of what is declared here:
- Feeds: https://www.arabstoday.net/en/rss and /ar/rss are the site's published RSS 2.0
  feeds (shared/reference/README.md). It also has /sports/rss.xml, whose edition is
  not known, so it is not crawled.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``).
- Sections: the site's politics and economy pages; the real markup is not available
  here, so the body is found by several plausible containers and, failing those, by
  the densest text block, and noise is removed by structure (see extraction.body).
- The ticker timestamp ``GMT 16:12 2018 Monday ,01 January`` (Arabic edition: the same
  order with Arabic names and often Arabic-Indic digits) and the footer lines are the
  site's own patterns, seen in shared/reference/arabstoday-naive-extraction.txt.
"""

from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec

# "GMT 16:12 2018 Monday ,01 January"; \d also matches Arabic-Indic digits.
TICKER_TIMESTAMP = r"GMT\s*\d{1,2}:\d{2}\s+\d{4}\s+\S+\s*[,،]\s*\d{1,2}\s+\S+"


SPEC = SiteSpec(
    name="arabstoday",
    origin="https://www.arabstoday.net",
    domains=("arabstoday.net",),
    editions={
        "en": Edition(
            language="en",
            path="/en/",
            feeds=("/en/rss",),
            sections=("/en/politics", "/en/economy"),
        ),
        "ar": Edition(
            language="ar",
            path="/ar/",
            feeds=("/ar/rss",),
            sections=("/ar/politics",),
        ),
    },
    article_url=r"^/(?:en|ar)/(?:[\w%-]+/)*\d{4,}(?:[/.-]|$)",
    rules=SiteRules(
        body_selectors=(
            '[itemprop="articleBody"]',
            ".article-body",
            ".article-content",
            ".story__content",
            ".news-content",
            ".entry-content",
            "#NewsStory",
            ".NewsText",
            "article",
        ),
        noise_selectors=(
            ".news-ticker",
            "#breaking-bar",
            ".related-articles",
            ".most-read",
            ".share-tools",
        ),
        noise_patterns=(
            TICKER_TIMESTAMP,
            r"Maintained and developed by Arabs Today",
            r"All rights reserved to Arabs? Today",
            r"جميع الحقوق محفوظة",
        ),
        boilerplate=(
            "Maintained and developed by Arabs Today Group SAL.",
            "All rights reserved to Arab Today Media Group 2023 ©",
        ),
        title_selectors=("h1", ".article-title", ".NewsTitle", '[itemprop="headline"]'),
        title_affixes=(
            r"\s*(?:[|\-–]|::)\s*(?:Arabs? Today|العرب اليوم)\s*$",
            r"^\s*(?:Arabs? Today|العرب اليوم)\s*(?:[|\-–]|::)\s*",
        ),
        author_selectors=('[itemprop="author"]', ".author", ".byline", ".writer", '[rel="author"]'),
        date_selectors=("time", ".article-date", ".news-date", ".NewsDate", ".date", ".time"),
        date_formats=("%H:%M %Y %d %B", "%d %B %Y %H:%M", "%d %B %Y"),
        timezone="UTC",
        section_selectors=(
            ".article-section",
            ".section-name",
            ".category",
            ".breadcrumb a:last-child",
        ),
        tag_selectors=(".article-tags a", ".tags a", ".tags span"),
    ),
    sources=__doc__ or "",
)
