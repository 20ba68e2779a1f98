"""Al Bawaba (albawaba.com), English edition.

Sources of what is declared here:
- Feeds: none declared. The saved page's footer links "RSS Feeds" to /rss, an HTML
  index of the site's feeds, not a feed; the feed URLs themselves are not in the saved
  page, so none is guessed.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``).
- Sections: /news, /business, /entertainment, /sport and /opinion, from the saved page's
  main navigation. The Arabic site lives under /ar on the same host (the saved page's
  language switcher); it is not declared here (the corpus page is English only).
- Article URLs, from the saved page and its "Latest" list: a section, then a slug that
  ends in the Drupal node id (``/news/world-community-...-illegal-1322354``,
  ``/business/us-top-100-brands-...-1322432``); section pages (``/news``) and static
  pages (``/abstatic/about-us``) have no id.
- Markup, from the saved page (Drupal 8 layout builder): the body is the
  ``field--name-body`` of the ``block-field-blocknodearticlebody`` block. The lead image
  with its ``abn-image-caption``, the "Highlights" pull quote, the share bar, the
  "Via SyndiGate.info" credit and the "You may also like" widgets are sibling blocks
  (the widgets are ``field--name-body`` too, so the bare field class is not used
  first). The closing "This article has been adapted from its original source." is
  part of the publisher's own articleBody (the corpus gold keeps it), so it is kept.
- Authors: the JSON-LD author is the Organization "Al-Bawaba" (the outlet; syndicated
  copy names its source only in the SyndiGate credit), so no person is named and
  ``authors`` is empty.
- Dates: JSON-LD ``datePublished`` carries an explicit offset
  (``2019-11-20T07:29:39+0000``); the page prints ``Published November 20th, 2019 -
  07:29 GMT``, i.e. in GMT although the company is based in Amman, so naive printed
  times are read as UTC.
"""

from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec

# The JSON-LD names the outlet itself as author: that is no byline.
OUTLET_NAMES = ("al-bawaba", "al bawaba", "albawaba")


SPEC = SiteSpec(
    name="albawaba",
    origin="https://www.albawaba.com",
    domains=("albawaba.com",),
    editions={
        "en": Edition(
            language="en",
            path="/",
            sections=("/news", "/business", "/entertainment", "/sport", "/opinion"),
        ),
    },
    article_url=r"^/(?!ar/)(?:[\w%-]+/)+[\w%-]+-\d{5,}/?$",
    rules=SiteRules(
        body_selectors=(
            ".block-field-blocknodearticlebody .field--name-body",
            '[itemprop="articleBody"]',
            "article.full .field--name-body.field--type-text-with-summary",
        ),
        noise_selectors=(
            ".abn-image-caption",
            ".field--name-field-highlights",
            ".syndigate-link",
            ".syndigate-compyrights",
            ".addtoany_list",
        ),
        title_selectors=("h1.page-header", "h1"),
        title_affixes=(r"\s*\|\s*Al Bawaba\s*$",),
        author_selectors=(),
        date_selectors=(".block-field-blocknodearticlecreated",),
        # "Published November 20th, 2019 - 07:29 GMT" (normalised: comma and GMT gone).
        date_formats=tuple(
            f"Published %B %d{suffix} %Y - %H:%M" for suffix in ("st", "nd", "rd", "th")
        ),
        timezone="UTC",
        section_selectors=(".page-category", ".breadcrumb li:nth-child(2) a"),
        tag_selectors=(),
        not_authors=OUTLET_NAMES,
    ),
    sources=__doc__ or "",
)
