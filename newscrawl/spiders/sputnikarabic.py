"""Sputnik Arabic (arabic.sputniknews.com, since 2022 sputnikarabic.ae): Arabic only.

Sources of what is declared here:
- Feeds: ``/export/rss2/archive/index.xml`` (all news) and
  ``/export/rss2/arab_world/index.xml`` (the article's rubric) are the
  ``<link rel="alternate" type="application/rss+xml">`` of the saved page
  ``htmldate/arabic.sputniknews.com-1550981615.html``; the first is also the RSS icon
  of its header. Other rubrics follow the same ``/export/rss2/<rubric>/index.xml``
  pattern (conventional path, unverified): ``world`` and ``business`` are declared.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``).
- Sections: ``/arab_world/``, ``/world/``, ``/business/`` rubric pages, as linked from
  the saved page (the article's rubric and its "see also" links).
- Hosts: the saved page is on arabic.sputniknews.com; the edition moved to
  sputnikarabic.ae in 2022 (publicly known; the old host redirects), which is the
  origin crawled now. Both are declared so that old and new URLs are recognised.
  Articles are ``/<rubric>/<YYYYMMDD><id>-<slug>/`` on the old platform and
  ``/<YYYYMMDD>/<slug>-<id>.html`` on the new one (new pattern from the site's public
  URLs, not in a saved page here).
- Markup (saved page): lead ``.b-article__lead`` (itemprop description), text
  ``.b-article__text`` (itemprop articleBody) with ``.b-inject`` boxes (a linked
  "read also" story with its photo credit, embedded videos) inside paragraphs;
  displayed tags in ``.b-article__refs-tags``; the photo credit of the header image in
  ``.b-article__header-copy``. Dates are machine dates in UTC (``Z``); the update
  time only in ``<meta itemprop="dateModified" name="lastmod">`` (read by a
  per-field override).
- Authors: the page names only the agency (microdata author "Sputnik", an
  Organization); no person, so ``authors`` is empty.
"""

from __future__ import annotations

from newscrawl.sites.toolkit import (
    Dates,
    Edition,
    Page,
    SiteRules,
    SiteSpec,
    iso,
    override,
    parse_date,
)


@override("dates")
def modified_from_microdata(page: Page, dates: Dates) -> Dates:
    """The update time is ``<meta itemprop="dateModified" name="lastmod">``, a name
    the shared metadata reader does not look at."""
    if dates.modified:
        return dates
    for value in page.xpath('//meta[@itemprop="dateModified" or @name="lastmod"]/@content'):
        if parsed := parse_date(value, use_dateparser=False):
            return dates._replace(modified=iso(parsed))
    return dates


SPEC = SiteSpec(
    name="sputnikarabic",
    origin="https://sputnikarabic.ae",
    domains=("arabic.sputniknews.com", "sputnikarabic.ae"),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=(
                "/export/rss2/archive/index.xml",
                "/export/rss2/arab_world/index.xml",
                "/export/rss2/world/index.xml",
                "/export/rss2/business/index.xml",
            ),
            sections=("/arab_world/", "/world/", "/business/"),
        ),
    },
    # Old: /arab_world/202003171044893040-<slug>/ (date + id glued); new:
    # /20240101/<slug>-1084123456.html. Not /trend/..., /tags/..., /arab_world/.
    article_url=r"^/(?:[a-z_]+/\d{14,}(?:-|/|$)|\d{8}/[^/]+-\d{6,}\.html$)",
    rules=SiteRules(
        body_selectors=(
            ".b-article__lead, .b-article__text",
            '[itemprop="articleBody"]',
            ".article__body",
        ),
        noise_selectors=(
            ".b-inject",
            ".ria-fb",
            ".b-banner",
            ".social-likes-pane",
            ".b-article__refs",
            ".article__google-news",
        ),
        title_selectors=('h1[itemprop="headline"]', "h1"),
        title_affixes=(r"\s*[|\-–]\s*(?:Sputnik عربي|سبوتنيك عربي)\s*$",),
        date_selectors=("time.b-article__refs-date",),
        date_formats=("%H:%M %d.%m.%Y",),
        timezone="UTC",
        section_selectors=(".b-article__refs-rubric",),
        tag_selectors=(".b-article__refs-tags a",),
        overrides=(modified_from_microdata,),
    ),
    sources=__doc__ or "",
)
