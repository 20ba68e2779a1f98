"""Al-Madenah News (almadenahnews.com, المدينة نيوز): Jordanian news site, Arabic.

Sources of what is declared here:
- Feed: https://www.almadenahnews.com/rss, from the saved page (the header's RSS icon
  links it, in markup commented out; corpus htmldate/almadenahnews.com-1588107198.html).
- Sitemaps: whatever robots.txt names (``robots_sitemaps``); none is linked from the page.
- Sections: ``/category/<name>`` pages from the saved page's navigation.

Markup (seen in the saved page): ``#main_article_content`` holds the ``h1``, the printed
date ``div.article_created``, the picture with its caption (``.article_image``, outside
the body) and ``div.main_article_body``: one ``<p>`` whose lines are ``<br>``-separated
spans, then a Facebook "like" box. Around it: "شارك هذا الخبر" share box, "مواضيع ساخنة
اخرى" (hot topics), "مواضيع ذات علاقة" (related), readers' choice and the footer.

The page has no machine-readable date; it prints ``تم نشره الجمعة 24 نيسان / أبريل 2020
09:22 مساءً``: both the Levantine and the Egyptian month name, which one ``strptime``
format cannot match (a format may hold ``%B`` once), so ``printed_date_parser`` reads it with
the pair folded to one name, in Amman time. Bylines: the only author value is
``<meta name="Author" content="المدينة نيوز">``, the outlet, dropped; writers' columns
may carry a real name there, which is kept. Titles carry the ``المدينة نيوز -`` prefix
in og:title.
"""

import re
from datetime import datetime

from newscrawl.sites.toolkit import Edition, SiteRules, SiteSpec, normalize_date_text, zone

OUTLET_NAMES = ("المدينة نيوز", "almadenah news", "almadenahnews", "المدينة الإخبارية")
TIMEZONE = "Asia/Amman"
DATE_SELECTORS = (".article_created", "#main_article_content .article_created")
# "24 April / April 2020 09:22 PM" once the names are normalised; a mark such as the
# tanween of "مساءً" may trail.
_MONTH_PAIR = re.compile(r"\b([A-Z][a-z]+)\s*/\s*([A-Z][a-z]+)\b")
_PRINTED = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}(?: \d{1,2}:\d{2}(?: [AP]M)?)?")


def parse_printed_date(raw: str) -> datetime | None:
    """``تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً`` -> 2020-04-24 21:22 Amman."""
    text = _MONTH_PAIR.sub(
        lambda m: m.group(2) if m.group(1) == m.group(2) else m.group(0),
        normalize_date_text(raw),
    )
    found = _PRINTED.search(text)
    if not found:
        return None
    value = found.group(0)
    for fmt in ("%d %B %Y %I:%M %p", "%d %B %Y %H:%M", "%d %B %Y"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=zone(TIMEZONE))
    return None


SPEC = SiteSpec(
    name="almadenahnews",
    origin="https://www.almadenahnews.com",
    domains=("almadenahnews.com",),
    editions={
        "ar": Edition(
            language="ar",
            path="/",
            feeds=("/rss",),
            sections=(
                "/category/شؤون-محلية",
                "/category/عربي-ودولي",
                "/category/اقتصاد-وتكنولوجيا",
                "/category/اخبار-البرلمان",
                "/category/رياضة",
                "/category/مقالات-مختارة",
            ),
        ),
    },
    # /article/825076-<slug>; not /category/..., /cms/..., /obituaries
    article_url=r"^/article/\d+(?:-[^/]*)?/?$",
    rules=SiteRules(
        body_selectors=(".main_article_body", "#main_article_content"),
        noise_selectors=(
            ".fb-like",
            ".main_artlce_title",
            ".article_image",
            ".social-share",
            "#hot_articles_wrap",
        ),
        title_selectors=("#main_article_content h1", "h1"),
        title_affixes=(r"^\s*المدينة نيوز\s*[-|:–]+\s*", r"\s*[-|:–]+\s*المدينة نيوز\s*$"),
        date_selectors=DATE_SELECTORS,
        timezone=TIMEZONE,
        section_selectors=(".article-details .boxTitle a",),
        not_authors=OUTLET_NAMES,
        printed_date_selectors=DATE_SELECTORS,
        printed_date_parser=parse_printed_date,
    ),
    sources=__doc__ or "",
)
