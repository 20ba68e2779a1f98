"""Anadolu Agency (aa.com.tr): one site, one path per language edition.

Sources of what is declared here:
- Editions: the language menu of both saved pages
  (``fundus/tr/AnadoluAjansi_2025_04_05.html.gz``, ``..._2026_04_20.html.gz``) links
  ``/tr`` Türkçe, ``/en`` English, ``/ar`` العربية, ``/ba`` BHSC, ``/ru`` Pусский,
  ``/fr`` Français, ``/kk`` Kurdî (Kurmanji, so ``ku``: the path is not Kazakh),
  ``/ks`` کوردی (Sorani, ``ckb``), ``/sq`` Shqip, ``/fa`` فارسی, ``/mk`` македонски,
  ``/id`` Bahasa Indonesia, ``/es`` Español.
- Feeds: ``/tr/rss/default?cat=guncel`` is linked from both saved pages ("güncel" =
  latest). The other editions' feeds follow the same pattern,
  ``/<edition>/rss/default?cat=guncel`` (conventional path, unverified). ``/tr/rss/``,
  the ``<link rel="alternate">`` of the pages, is an HTML list of feeds, not a feed.
- Sitemaps: whatever robots.txt names (``robots_sitemaps``).
- Sections: the Turkish category pages of the saved pages' menu (``/tr/gundem``, ...);
  other editions are found by their feed and the sitemaps only.
- Markup, two generations seen in the saved pages:
  * 2025 (server-rendered): lead ``.detay-spot-category > h4``, text ``.detay-icerik``
    (``h6`` dateline, ``<p>`` and ``<h3>`` subheads, inline images), the subscription
    note ``.detay-foto-editor`` and tags/share ``.detay-paylas`` after it; byline
    ``Sehernur Karsu |`` in an unclassed span and the date line
    ``05.04.2025 - Güncelleme : 05.04.2025`` in ``.tarih``: no machine date at all.
  * 2026 (Next.js): JSON-LD NewsArticle (Person author, naive Istanbul-time dates),
    lead ``h1 + span``, text ``.embed-responsive.prose`` (``<h2>`` subheads, figures
    with "Fotoğraf : ..." captions), dateline in a span before it, all inside the
    streamed ``<div hidden id="S:...">`` that the client script reveals.
  The dateline ("Ankara") is not body text in either: it names the place, like a
  byline names the writer.
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
)

TIMEZONE = "Europe/Istanbul"
_DAY = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
# "... bildirdi. - Anadolu Ajansı" (2025 meta description), "... | Anadolu Ajansı" (2026 og).
_OUTLET_SUFFIX = re.compile(r"\s*[-|–]\s*(?:Anadolu Ajansı|Anadolu Agency)\s*$")


@override("authors")
def authors(page: Page, value: list[str]) -> list[str]:
    """The 2025 layout's byline, which no metadata repeats, ends in a "|"."""
    return [name for name in (a.strip(" |") for a in value) if name]


@override("description")
def description(page: Page, value: str | None) -> str | None:
    """Without the agency's name appended."""
    return (_OUTLET_SUFFIX.sub("", value) or None) if value else value


@override("dates")
def date_line(page: Page, dates: Dates) -> Dates:
    """The 2025 layout's date line, which no metadata repeats.

    ``05.04.2025 - Güncelleme : 05.04.2025`` is day.month.year: published, then
    updated ("Güncelleme"). Reading it day-first matters: fundus's answer for this
    page has the day and month swapped (2025-05-04).
    """
    if dates.published is not None:
        return dates
    for el in page.xpath('//*[contains(concat(" ", normalize-space(@class), " "), " tarih ")]'):
        raw = collapse_whitespace(el.text_content())
        days = _DAY.findall(raw)
        if not days:
            continue
        found = [parse_date(f"{y}-{m}-{d}", timezone=TIMEZONE) for d, m, y in days]
        if found[0] is not None:
            modified = dates.modified
            if len(found) > 1 and found[-1] is not None and not modified:
                modified = iso(found[-1])
            return Dates(iso(found[0]), raw, modified)
    return dates


def _edition(language: str, path: str, sections: tuple[str, ...] = ()) -> Edition:
    return Edition(
        language=language,
        path=path,
        feeds=(f"{path}rss/default?cat=guncel",),
        sections=sections,
    )


SPEC = SiteSpec(
    name="anadolu",
    origin="https://www.aa.com.tr",
    domains=("aa.com.tr",),
    editions={
        "tr": _edition(
            "tr",
            "/tr/",
            (
                "/tr/gundem",
                "/tr/politika",
                "/tr/ekonomi",
                "/tr/dunya",
                "/tr/analiz",
                "/tr/spor",
                "/tr/kultur",
                "/tr/saglik",
                "/tr/bilim-teknoloji",
                "/tr/yasam",
                "/tr/egitim",
            ),
        ),
        "en": _edition("en", "/en/"),
        "ar": _edition("ar", "/ar/"),
        "ba": _edition("bs", "/ba/"),
        "ru": _edition("ru", "/ru/"),
        "fr": _edition("fr", "/fr/"),
        "kk": _edition("ku", "/kk/"),
        "ks": _edition("ckb", "/ks/"),
        "sq": _edition("sq", "/sq/"),
        "fa": _edition("fa", "/fa/"),
        "mk": _edition("mk", "/mk/"),
        "id": _edition("id", "/id/"),
        "es": _edition("es", "/es/"),
    },
    # /tr/ekonomi/<slug>/3529015; not /tr/ekonomi, /tr/rss/default, /tr/search,
    # /tr/info/infographic/0, photo/video galleries (/tr/pgc/, /tr/vgc/).
    article_url=r"^/[a-z]{2}/(?!pgc/|vgc/|info/|search|rss/)[\w-]+/[^/]+/\d{5,}/?$",
    rules=SiteRules(
        body_selectors=(
            ".detay-spot-category > h4, .detay-icerik",
            "h1 + span, .embed-responsive.prose",
        ),
        noise_selectors=(
            ".detay-icerik > h6",
            ".detay-foto-editor",
            ".detay-paylas",
            ".social-left",
        ),
        noise_patterns=(r"^Anadolu Ajansı web sitesinde, AA Haber Akış Sistemi",),
        title_selectors=("h1",),
        title_affixes=(r"\s*[|\-–]\s*(?:Anadolu Ajansı|Anadolu Agency|AA)\s*$",),
        author_selectors=(".detay-spot-category .row > span:not(.tarih)",),
        date_selectors=(".tarih",),
        date_formats=("%d %B %Y",),
        timezone=TIMEZONE,
        section_selectors=(".detay-news-category a",),
        tag_selectors=(".detay-paylas a.btn-outline-secondary",),
        overrides=(authors, description, date_line),
    ),
    sources=__doc__ or "",
)
