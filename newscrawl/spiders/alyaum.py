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
  is "Name - City": ``postprocess`` drops the city dateline and the paper's own name.
- ``<meta name="keywords">`` is the headline cut into words ("طهران,تدفن,«زادة»..,")
  rather than real tags: ``postprocess`` drops such tags (the page shows no tag list).
- The JSON-LD ``description`` repeats the headline; the page's real summary is
  ``og:description`` / ``<meta name="description">`` (the lead, cut with "..."), which
  ``postprocess`` takes instead.
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

from newscrawl.extraction.text import collapse_whitespace
from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec

# "حسام أبو العلا - القاهرة": the name, a dash, the city the story was filed from.
DATELINE = re.compile(r"\s+[-–—]\s+[^-–—]+$")
# The paper itself and agencies credited instead of a writer.
OUTLETS = frozenset({"اليوم", "صحيفة اليوم", "جريدة اليوم", "alyaum", "واس", "وكالات"})
_WORD_EDGES = "«»\"'.,،:؛!?()[]… "


def _words(text: str) -> list[str]:
    return [word for w in text.split() if (word := w.strip(_WORD_EDGES))]


def _meta_description(root: HtmlElement) -> str | None:
    for xpath in (
        '//meta[@property="og:description"]/@content',
        '//meta[@name="description"]/@content',
    ):
        for value in root.xpath(xpath):
            text = collapse_whitespace(str(value))
            if text:
                return text
    return None


def clean_record(record: dict[str, Any], root: HtmlElement) -> None:
    """Authors without city dateline or outlet; no tags cut from the title; a real summary."""
    authors = []
    for name in record["authors"]:
        name = DATELINE.sub("", name).strip()
        if name and name.casefold() not in OUTLETS and name not in authors:
            authors.append(name)
    record["authors"] = authors
    # Only the headline's own words, in its order: not tags chosen by an editor.
    tags = record["tags"]
    if tags and [w for tag in tags for w in _words(tag)] == _words(record["title"] or ""):
        record["tags"] = []
    if record["description"] and record["description"] == record["title"]:
        record["description"] = _meta_description(root) or record["description"]


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
        postprocess=clean_record,
    ),
    sources=__doc__ or "",
)
