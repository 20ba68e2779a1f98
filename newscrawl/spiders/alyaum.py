"""Alyaum / اليوم (alyaum.com, Dammam, Saudi Arabia): Arabic.

Sources of what is declared here:
- Feeds: ``/rss`` is the footer link "الخلاصات RSS" of the saved page (corpus page
  htmldate/alyaum.com-1784190729.html). Whether it is a feed or an index of feeds is
  not known here; if it is an index, the base spider logs it as an empty feed and
  the sitemaps and sections below still find the articles.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); none is linked from the
  saved page.
- Sections: the main menu of the saved page (``/المحليات``, ``/الاقتصاد-اليوم``,
  ``/الدولي`` ...), and the section link of the article (``/القارات-السبع``).
- Markup (saved page, a NewsPress site): headline ``.aksa-to1-main h1``, section
  ``.aksa-section a``, byline ``a.aksa-byline`` ("Name - City"), printed date
  ``.aksa-date`` ("<time>٠٢:٠٠</time>الثلاثاء ١ / ١٢ / ٢٠٢٠"), body
  ``.aksa-articleBody`` inside ``article#post-<id>``. The body has no <p>: it is text
  separated by ``<br><br>``, with bare crossheads as their own lines, and an ad slot
  (``div-gpt-ad-...``) between paragraphs. Photo captions sit in the slider above,
  outside the body. The "read speaker" button and share links are outside too.
- JSON-LD NewsArticle carries dates with +03:00. The byline, in JSON-LD and meta,
  is "Name - City": a per-field override drops the city dateline and the paper's own name.
- ``<meta name="keywords">`` is the headline cut into words ("طهران,تدفن,«زادة»..,")
  rather than real tags: a per-field override drops such tags (the page shows no tag list).
- The JSON-LD ``description`` repeats the headline; the page's real summary is
  ``og:description`` / ``<meta name="description">`` (the lead, cut with "..."), which
  a per-field override takes instead.
"""

from __future__ import annotations

import re

from newscrawl.sites.toolkit import Edition, Page, SiteRules, SiteSpec, override

# "حسام أبو العلا - القاهرة": the name, a dash, the city the story was filed from.
DATELINE = re.compile(r"\s+[-–—]\s+[^-–—]+$")
# The paper itself and agencies credited instead of a writer.
OUTLETS = ("اليوم", "صحيفة اليوم", "جريدة اليوم", "alyaum", "واس", "وكالات")
_WORD_EDGES = "«»\"'.,،:؛!?()[]… "


def _words(text: str) -> list[str]:
    return [word for w in text.split() if (word := w.strip(_WORD_EDGES))]


@override("authors")
def authors(page: Page, names: list[str]) -> list[str]:
    """Without the city dateline (the outlet itself: ``not_authors``)."""
    found: list[str] = []
    for name in names:
        name = DATELINE.sub("", name).strip()
        if name and name not in found:
            found.append(name)
    return found


@override("tags")
def tags(page: Page, value: list[str]) -> list[str]:
    """Only the headline's own words, in its order, are no tags chosen by an editor."""
    title = page.record["title"] or ""
    if value and [w for tag in value for w in _words(tag)] == _words(title):
        return []
    return value


@override("description")
def description(page: Page, value: str | None) -> str | None:
    """A description that repeats the title: the page's meta summary instead."""
    if value and value == page.record["title"]:
        found = page.meta('//meta[@property="og:description"]/@content') + page.meta(
            '//meta[@name="description"]/@content'
        )
        return found[0] if found else value
    return value


SPEC = SiteSpec(
    name="alyaum",
    origin="https://www.alyaum.com",
    domains=("alyaum.com",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=("/rss",),
            sections=(
                "/المحليات",
                "/الاقتصاد-اليوم",
                "/حديث-الشرقية",
                "/الميدان",
                "/الدولي",
                "/القارات-السبع",
                "/الرأي",
                "/الأخيرة",
            ),
        ),
    },
    # /articles/6291787/<section>/<slug>
    article_url=r"^/articles/\d+(?:/[^/]+){0,2}/?$",
    rules=SiteRules(
        body_selectors=(".aksa-articleBody", 'article[id^="post-"]'),
        noise_selectors=('[id^="div-gpt-ad"]', ".readspeaker-div", ".rs_skip"),
        title_selectors=(".aksa-to1-main h1", "h1"),
        author_selectors=("a.aksa-byline",),
        date_selectors=(".aksa-date",),
        # "٠٢:٠٠ الثلاثاء ١ / ١٢ / ٢٠٢٠" once normalised: "02:00 1 / 12 / 2020".
        date_formats=("%H:%M %d / %m / %Y", "%d / %m / %Y"),
        timezone="Asia/Riyadh",
        section_selectors=(".aksa-section a", ".article-section-info a:last-child"),
        not_authors=OUTLETS,
        overrides=(authors, tags, description),
    ),
    sources=__doc__ or "",
)
