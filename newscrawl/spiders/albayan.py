"""Al Bayan / البيان (albayan.ae, Dubai, UAE): Arabic.

Sources of what is declared here:
- Feeds: the ``<link rel="alternate" type="application/rss+xml">`` of the saved page
  (corpus page htmldate/albayan.ae-1623715966.html): ``/cmlink/1.446`` "آخر الأخبار"
  (latest news), ``/cmlink/1.447`` "الأخبار الرئيسية" (main news) and
  ``/cmlink/1.2267549`` "اختيارات المحرر" (editor's picks). The page also links video,
  photo gallery, Ramadan and most-read feeds, left out as not news or duplicates.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); none is linked from the
  saved page.
- Sections: the main menu of the saved page (``/across-the-uae``, ``/one-world``,
  ``/economy`` and their news sub-sections).
- Markup (saved page, a Polopoly site): ``article[itemtype*=NewsArticle]`` with
  ``h1.title``; the body is ``#articledetails[itemprop=articleBody]``, which also
  holds the ``.metadata`` box (source and date labels), the "follow us on Google
  News" line (``p.follow-google``), the Parse.ly related-stories slot and the share
  bar; the sidebar poll sits beside it. Breadcrumb ``ul.breadcrumb``.
- Dates: JSON-LD and ``<time itemprop="datePublished">`` carry +0400; the printed
  date is "03 يونيو 2020" (day only).
- Byline: "المصدر: (أبوظبي - البيان)": a dateline "(City - Source)" where the source is
  the paper, an agency or a reporter. a per-field override drops the city and the
  parentheses and keeps the source only when it is a person, not the paper or an
  agency, so this page has no author.
"""

from __future__ import annotations

import re

from newscrawl.sites.toolkit import Edition, Page, SiteRules, SiteSpec, override

# The paper and the agencies it credits instead of a writer.
OUTLETS = (
    "البيان", "البيان الإلكتروني", "وام", "وكالات", "رويترز", "أ ف ب", "أ.ف.ب", "د ب أ", "أ ب",
)  # fmt: skip
_DASH = re.compile(r"\s+[-–—]\s+")


def _writer(byline: str) -> str | None:
    """ "(أبوظبي - البيان)" -> "البيان"; "دبي - رحاب حلاوة" -> "رحاب حلاوة"."""
    text = byline.strip().strip("()").strip()
    parts = _DASH.split(text, maxsplit=1)
    name = parts[-1].strip(" ()")
    return name or None


@override("authors")
def writers(page: Page, bylines: list[str]) -> list[str]:
    """Writers from "(City - Source)" datelines (the paper and agencies: ``not_authors``)."""
    authors: list[str] = []
    for byline in bylines:
        name = _writer(byline)
        if name and name not in authors:
            authors.append(name)
    return authors


SPEC = SiteSpec(
    name="albayan",
    origin="https://www.albayan.ae",
    domains=("albayan.ae",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=("/cmlink/1.446", "/cmlink/1.447", "/cmlink/1.2267549"),
            sections=(
                "/across-the-uae/news-and-reports",
                "/across-the-uae/accidents",
                "/one-world/arabs",
                "/one-world/overseas",
                "/one-world/political-issues",
                "/economy/local-market",
                "/economy/the-world-today",
            ),
        ),
    },
    # /across-the-uae/news-and-reports/2020-06-03-1.3874341 (Polopoly id "1.N")
    article_url=r"^/[a-z0-9-]+(?:/[a-z0-9-]+)*/\d{4}-\d{2}-\d{2}-1\.\d+/?$",
    rules=SiteRules(
        body_selectors=('[itemprop="articleBody"]', "#articledetails"),
        noise_selectors=(
            # The Parse.ly <script> inside the body holds more text than the article,
            # so the generic "never drop a block holding most of the text" guard keeps
            # it; naming it here removes it unconditionally.
            "script",
            ".metadata",
            "p.follow-google",
            "#parsely-related-stories",
            ".shareholder",
            ".comments",
        ),
        title_selectors=("article h1.title", "h1"),
        title_affixes=(r"\s*-\s*البيان\s*$",),
        author_selectors=(".metadata .source li",),
        date_selectors=("time.published",),
        date_formats=("%d %B %Y",),
        timezone="Asia/Dubai",
        section_selectors=("ul.breadcrumb li:last-child a",),
        not_authors=OUTLETS,
        overrides=(writers,),
    ),
    sources=__doc__ or "",
)
