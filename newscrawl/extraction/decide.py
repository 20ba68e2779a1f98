"""The one extraction decision: which extractor's record a page gets.

The crawl (``NewsSpider``, the ``news`` spider, ``scrapy reextract``, ``scrapy demo``),
``newscrawl.extract``, ``scrapy extract`` and the golden tests all call :func:`decide`,
so a page gives one record whichever way it comes in:

1. the edition the URL belongs to gives the language (longest edition path wins);
2. a site known only by its address (or no site: ``spec=None``) goes to the generic
   extractor (``extraction: "generic"``);
3. otherwise the site's selectors; when they miss (:func:`layout_problems`: no body
   container, short body, no title) a template learned from the site's pages in the
   layouts its selectors do not know places the page if it can (``"learned"``), else
   the generic extractor tries, and its record is kept (``extraction: "fallback"``,
   ``Extraction.drift`` says why) unless it does no better.
"""

from __future__ import annotations

from typing import Any, cast

from lxml.html import HtmlElement

from newscrawl.extraction.article import Extraction, extract_article, parse_page
from newscrawl.extraction.body import BodyResult
from newscrawl.extraction.drift import layout_problems
from newscrawl.extraction.generic.extractor import generic_body
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.template.apply import extract_with_template, learned_body
from newscrawl.extraction.template.model import Template
from newscrawl.sites.spec import GENERIC_SPEC, SiteSpec


def decide(
    html: str | bytes,
    url: str,
    spec: SiteSpec | None,
    *,
    template: Template | None = None,
    fallback: bool = True,
) -> Extraction:
    """The record for ``html`` fetched from ``url``, extracted with ``spec``.

    ``fallback=False`` (the ``NEWSCRAWL_FALLBACK`` setting) keeps the site's record even
    when its selectors missed. ``template`` (from :func:`newscrawl.learn_site`) decides
    the body where one of its layouts places the page (``extraction: "learned"``), else
    the generic extractor does; for a site module, only on pages its selectors miss
    (the module's rules still give title, dates and authors).
    """
    named = spec.name if spec is not None else None  # the news spider's site, by its host
    spec = spec or GENERIC_SPEC
    language = spec.language_for(url)
    domains, listings = spec.canonical_scope()
    if template is not None and spec.generic:  # learned from the site's pages; generic misses
        return extract_with_template(html, url, template, named, language, domains, listings)
    if spec.template is not None:  # a declaration `scrapy learn` wrote ([learned] table)
        return extract_with_template(
            html, url, spec.template, spec.name, language, domains, listings, spec.rules
        )
    if spec.generic:
        generic = extract_article(
            html, url, spec.rules, language, generic_body, domains=domains, listings=listings
        )
        generic.record["extraction"] = "generic"
        return generic
    rules = spec.rules
    page = parse_page(html, url)  # decoded and parsed once, for the fallback too
    site = extract_article(page, url, rules, language, domains=domains, listings=listings)
    record = cast("dict[str, Any]", site.record)
    problems = layout_problems(record, site.record["extraction"], rules)
    if site.rejected or not problems or not fallback:
        return site
    if template is not None:  # a layout the selectors do not know, learned from the site
        placed: list[BodyResult] = []

        def body(root: HtmlElement, _rules: SiteRules) -> BodyResult:
            found = learned_body(root, template)
            placed.extend([found] if found is not None else [])
            return found or BodyResult([], "none")

        learned = extract_article(page, url, rules, language, body, domains, listings)
        if placed and not learned.rejected:
            return learned
    generic = extract_article(
        page, url, rules, language, generic_body, domains=domains, listings=listings
    )
    generic_ok = len(generic.record["body"]) >= rules.min_body_chars
    if not generic_ok and len(generic.record["body"]) <= len(site.record["body"]):
        return site  # the generic extractor does no better: keep the site's record
    generic.record["extraction"] = "fallback"
    return Extraction(
        generic.record, generic.notes + problems, generic.rejected,
        generic.canonical_rejected, drift=tuple(problems),
    )  # fmt: skip
