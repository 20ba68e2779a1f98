"""Assabah (assabah.com.tn): Tunisian daily, Arabic.

Sources of what is declared here:
- Feed: ``/rss-feed.xml``, the "Flux RSS" link of the saved page's header
  (``trafilatura/assabah.com.tn.article.html``).
- Sitemaps: whatever robots.txt names (``robots_sitemaps``).
- Sections: the ``/sections/<name>`` pages of the saved page's main menu.
- The saved page is the site's Drupal (OpenPublish) edition of 2019: articles at
  ``/article/<node id>/<slug>``, the paper's daily PDF at ``/content/...`` (not
  articles). Markup seen there: the text is the body field
  (``.field-name-body``, RDFa ``schema:articleBody``) and starts with a byline
  paragraph (``حوار: آسيا العتروس``, "interview by"); the deck
  (``.field-name-field-op-subtitle``) repeats quotes of the text and is not body; the
  date is the paper's date, printed ``الجمعة 8 فيفري 2019`` (Maghreb month names) with
  its RDFa ``content="2019-02-08T00:00:00+01:00"`` on the same span, inside the
  article's ``<footer>``; the header also has a "today" widget (``#date-widget``)
  that is not the article's date. A per-field override reads the former, drops the latter.
- Authors: from that byline paragraph (the shared byline cleaner does not know
  ``حوار``), by a per-field override of the site; the paragraph is left out of the body.
- Tags: the page has none; its ``<meta name="keywords">`` is only the title followed by
  a comma, which a per-field override drops.
"""

from __future__ import annotations

import re

from newscrawl.sites.toolkit import (
    Dates,
    Edition,
    Page,
    SiteRules,
    SiteSpec,
    collapse_whitespace,
    iso,
    override,
    parse_date,
    split_authors,
)

# "حوار: آسيا العتروس", "بقلم: ...", "متابعة: ...": a whole paragraph naming the writer.
BYLINE = r"^(?:حوار|بقلم|كتب|كتبت|إعداد|اعداد|متابعة|تقرير)\s*[:：]\s*(?P<names>[^.!?؟]{2,60})$"
_BYLINE_RE = re.compile(BYLINE)


DATE_FORMATS = ("%d %B %Y",)
TIMEZONE = "Africa/Tunis"
# The paper's date, inside the article's <footer class="submitted">, which the shared
# date finder skips as page furniture.
PAPER_DATE = (
    '//article//*[contains(concat(" ", normalize-space(@class), " "),'
    ' " field-name-field-op-date-paper-online ")]//*[@property="dc:date"]'
)


@override("dates")
def paper_date(page: Page, dates: Dates) -> Dates:
    """The paper's date, wherever the shared date finder looked."""
    for el in page.xpath(PAPER_DATE):
        for raw in (el.get("content"), collapse_whitespace(el.text_content())):
            parsed = parse_date(raw, DATE_FORMATS, TIMEZONE, use_dateparser=False)
            if parsed:
                return dates._replace(published=iso(parsed), published_raw=raw)
    # Without it, the only other date is the header's "today" widget: not the article's.
    if dates.published_raw in page.texts("#date-widget"):
        return dates._replace(published=None, published_raw=None)
    return dates


@override("authors")
def byline_paragraph(page: Page, value: list[str]) -> list[str]:
    """Without a byline: the names of a first body paragraph that is one."""
    if value:
        return value
    for paragraph in page.xpath(
        '//*[contains(concat(" ", normalize-space(@class), " "), " field-name-body ")]//p'
    ):
        text = collapse_whitespace(paragraph.text_content())
        if not text:
            continue
        if match := _BYLINE_RE.match(text):
            return split_authors(match["names"])
        break  # only the first paragraph can be the byline
    return value


@override("tags")
def tags(page: Page, value: list[str]) -> list[str]:
    """The title given as keywords is no tag."""
    title = collapse_whitespace(page.record["title"] or "")
    return [tag for tag in value if collapse_whitespace(tag) != title]


SPEC = SiteSpec(
    name="assabah",
    origin="http://www.assabah.com.tn",
    domains=("assabah.com.tn",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=("/rss-feed.xml",),
            sections=(
                "/sections/الحياة-الوطنية",
                "/sections/وطنية",
                "/sections/الاقتصادية",
                "/sections/جهات",
                "/sections/قضايا-المجتمع",
                "/sections/فكر-و-فن",
                "/sections/صباح-العالم",
                "/sections/رياضة",
            ),
        ),
    },
    # /article/164913/<slug>; not /sections/..., /content/<paper of the day>, /node/...
    article_url=r"^/article/\d+(?:/|$)",
    rules=SiteRules(
        body_selectors=(
            '.field-name-body [property~="schema:articleBody"]',
            ".field-name-body .field-item",
            '[property~="schema:articleBody"]',
        ),
        noise_selectors=(".print-link", ".beacon9-social", ".field-name-field-op-subtitle"),
        noise_patterns=(BYLINE,),
        title_selectors=("h1#page-title", "h1.title", "h1"),
        title_affixes=(r"\s*[|\-–]\s*(?:الصباح|Assabah(?: News)?)\s*$",),
        date_selectors=(".field-name-field-op-date-paper-online .date-display-single",),
        date_formats=DATE_FORMATS,
        timezone=TIMEZONE,
        section_selectors=(),
        tag_selectors=(".field-name-field-op-tags a",),
        overrides=(paper_date, byline_paragraph, tags),
    ),
    sources=__doc__ or "",
)
