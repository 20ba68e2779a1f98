"""Khabar Online (khabaronline.ir): Persian news agency, Nastooh CMS.

Sources of what is declared here:
- Feeds: ``/rss`` is the CMS's all-news feed; the saved page links ``/rss-help``, the
  site's page that lists its feeds (conventional path of Nastooh sites, unverified).
- Sitemaps: whatever robots.txt names (``robots_sitemaps``).
- Sections: the ``/service/<Name>`` pages of the saved page's main menu. Listings
  paginate with ``?page=N`` (the base class's default pattern).
- The site also has ``arabic.khabaronline.ir`` and ``english.khabaronline.ir`` (links
  in the saved page's header). They live on other hosts, which an ``Edition`` (a path
  on this origin) cannot express, so they are not declared; only the Persian edition is.
- Markup, from the saved page ``htmldate/khabaronline.ir-1523806243.html``: the lead
  is ``p.introtext`` in ``.item-summary``, the text is ``.item-text`` (itemprop
  articleBody), ``<br>``-separated inside ``div[dir=rtl]`` blocks, and ends with a
  bare number (the print edition's code, not text). The date is printed in the Solar
  Hijri calendar (``۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵``, Tehran time); JSON-LD has it in UTC.
- Authors: JSON-LD names only the agency (an Organization) and bylines are not marked
  up; the agency is not an author, so ``authors`` is empty on such pages.
"""

from __future__ import annotations

import re

from newscrawl.sites.toolkit import Edition, Page, SiteRules, SiteSpec, override

OUTLET_NAMES = ("خبرآنلاین", "khabaronline")


@override("authors")
def authors(page: Page, value: list[str]) -> list[str]:
    """JSON-LD gives the agency (an Organization, in several spellings) as author."""
    return [name for name in value if not any(o in name.casefold() for o in OUTLET_NAMES)]


@override("tags")
def tags(page: Page, value: list[str]) -> list[str]:
    """``<meta property="article:tag">`` holds all tags in one comma-separated value
    (``اصلاح طلبان,رقابت انتخاباتی``), beside the same tags one by one in JSON-LD."""
    found: list[str] = []
    for tag in value:
        for part in re.split(r"[,،]", tag):
            if part.strip() and part.strip() not in found:
                found.append(part.strip())
    return found


SPEC = SiteSpec(
    name="khabaronline",
    origin="https://www.khabaronline.ir",
    domains=("khabaronline.ir",),
    editions={
        "fa": Edition(
            language="fa",
            path="/",
            feeds=("/rss",),
            sections=(
                "/service/Politics",
                "/service/Economy",
                "/service/World",
                "/service/society",
                "/service/culture",
                "/service/sport",
                "/service/science",
                "/service/ict",
                "/service/provinces",
            ),
        ),
    },
    # /news/1353889/<slug> or /news/1353889; not /amp/1353889/, /service/..., /tag/...
    article_url=r"^/news/\d+(?:/|$)",
    rules=SiteRules(
        body_selectors=(
            "article.item .item-summary .introtext, article.item .item-text",
            '[itemprop="articleBody"]',
        ),
        noise_selectors=(".item-code", ".gallery", ".print-header"),
        noise_patterns=(
            r"^[\d۰-۹]+$",  # the print edition's code closing the text
        ),
        title_selectors=("article.item h1.title", "h1"),
        title_affixes=(r"\s*[|\-–]\s*خبرآنلاین\s*$",),
        date_selectors=(".item-date", ".print-header .date"),
        date_formats=("%d %B %Y - %H:%M", "%d %B %Y"),
        timezone="Asia/Tehran",
        section_selectors=(".page-header .breadcrumb-item:last-child a",),
        tag_selectors=("section.tags li a",),
        overrides=(authors, tags),
    ),
    sources=__doc__ or "",
)
