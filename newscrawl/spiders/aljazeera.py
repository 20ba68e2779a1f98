"""Al Jazeera English (aljazeera.com).

Sources of what is declared here:
- Feed: /xml/rss/all.xml, from the saved page (its ``<link rel="alternate"
  type="application/rss+xml">`` and the footer's "RSS" link).
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); no sitemap URL is named in
  the saved page, so none is declared.
- Sections: /news/, /ajimpact/, /indepth/features/, /indepth/opinion/ and
  /investigations/, from the saved page's main navigation.
- Article URLs, from the saved page and its links: the older CMS ends an article in a
  15-digit id (``/ajimpact/nasas-...-191119041538885.html``,
  ``/news/2018/10/bezos-...-181003201303388.html``); topic and profile pages
  (``/topics/subjects/space.html``, ``/profile/laura-winter.html``) have none. The
  current site puts a date before the slug (``/news/2023/10/15/slug``; publicly visible
  on aljazeera.com), which the pattern accepts too.
- Markup, from the saved page: the article's paragraphs are in
  ``div.article-p-wrapper`` inside ``article#main-article-block``; the lead image and
  its ``figcaption`` come before it, and the "SOURCE: Al Jazeera News", "About the
  author" and topic list blocks after it, so the wrapper alone is the body. Inside it
  the editors drop "More:" boxes (an ``<h4>More:</h4>`` then ``<ul>`` of ``<h4>``
  links). The current site's body class ``wysiwyg--all-content`` is kept as a second
  choice (publicly visible markup, not in the corpus page).
- Dates: the JSON-LD prints ``datePublished`` as ``19 Nov 2019 07:09 GMT`` (from the
  saved page, RFC 822-like, with its zone); the ``<time datetime>`` holds
  ``Tue Nov 19 2019 05:44:06 GMT+0000``, equal to the JSON-LD ``dateModified``, and is
  the only time printed. The saved page's published time is thus later than its
  modified one; both are kept as the page declares them. Al Jazeera prints times in
  GMT, so naive printed times are read as UTC.
"""

from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec

SPEC = SiteSpec(
    name="aljazeera",
    origin="https://www.aljazeera.com",
    domains=("aljazeera.com",),
    editions={
        "en": Edition(
            language="en",
            path="/",
            feeds=("/xml/rss/all.xml",),
            sections=(
                "/news/",
                "/ajimpact/",
                "/indepth/features/",
                "/indepth/opinion/",
                "/investigations/",
            ),
        ),
    },
    article_url=r"^/(?:[\w-]+/)+(?:[\w%-]+-\d{12,}\.html|\d{4}/\d{1,2}/\d{1,2}/[\w%-]+/?)$",
    rules=SiteRules(
        body_selectors=(
            ".article-p-wrapper",
            ".wysiwyg--all-content",
            "#main-article-block .main-article-body",
            '[itemprop="articleBody"]',
        ),
        noise_selectors=(
            ".inpage-auto-embed",
            # "More:" boxes: lists whose items are a heading link each.
            "ul:has(> li > h4 > a)",
            ".more-on",
            ".article-body-artSource",
            ".article-about-the-author",
            ".article-tags-feedback-wrapper",
        ),
        noise_patterns=(r"^More:$",),
        title_selectors=("h1.post-title", "#main-article-block h1", "h1"),
        title_affixes=(r"\s*\|\s*(?:[\w &]+\|\s*)?Al Jazeera\s*$",),
        author_selectors=(
            ".article-heading-author-name a[rel~='author']",
            ".article-author-name a[rel~='author']",
        ),
        date_selectors=("time",),
        date_formats=("%d %b %Y %H:%M", "%d %B %Y", "%b %d %Y %H:%M:%S"),
        timezone="UTC",
        section_selectors=("#articlestoplabel a", ".article-top-label .mini-primary a"),
        tag_selectors=("#article-body-topics li",),
    ),
    sources=__doc__ or "",
)
