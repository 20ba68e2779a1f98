"""Learning in the crawl, for every NewsSpider (issue 14).

A site module's selectors know some layouts of its site; the ``news`` spider's know
none. Either way the pages nothing placed teach a template during the run
(newscrawl/extraction/template/online.py), and the rest of the run is extracted with
it through the one decision (``decide(..., template=...)``): for a module, only on
the pages its selectors miss. The template is stored with the state (the SQLite
file of ``NEWSCRAWL_STATE_PATH``, or Redis with ``NEWSCRAWL_REDIS_URL``), so the next
run starts with it. A page may be extracted elsewhere (the extraction pool) with
:attr:`Learning.template` and handed back to :meth:`Learning.observe`: each page is
decided once.

Each page is also counted against the site's history, what the site was known by
when the run started (its selectors, its stored template): ``newscrawl/layout/known/
<site>`` or ``newscrawl/layout/new/<site>``, with ``newscrawl/layout/history/<site>``
the number of layouts known, and ``newscrawl/layout/noise_leak/<site>`` the known pages
whose body took in a block the history knows as noise (the template's ``outside``
blocks, newscrawl/extraction/template/apply.py). ``<site>`` is the site's name: a
module's, a declaration's, or for the ``news`` spider the page's host. The drift
verdict (newscrawl.ops.report.drift_verdict) reads them. The learner lives in the
spider's process (its state is the run's).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from scrapy.crawler import Crawler

from newscrawl.distributed.config import redis_url
from newscrawl.extraction.article import Extraction
from newscrawl.extraction.template.apply import NOISE_LEAK
from newscrawl.extraction.template.model import Template
from newscrawl.extraction.template.online import SiteLearner, Templates, open_learner
from newscrawl.stats import LAYOUT_HISTORY, LAYOUT_KNOWN, LAYOUT_NEW, LAYOUT_NOISE_LEAK, inc, put
from newscrawl.storage.state import SQLiteStore, StateStoreFailed
from newscrawl.storage.stores import store_for

logger = logging.getLogger(__name__)

Decide = Callable[[str, str, Template | None], Extraction]


class Ask(Enum):
    """What a page's extraction asks of the spider."""

    EMIT = "emit"
    HOLD = "hold"  # it teaches the first template: emitted once that exists
    RELEASE = "release"  # learning was tried: emit it and the held pages


@dataclass(frozen=True)
class Learned:
    """A page's extraction, and what it asks of the spider."""

    extraction: Extraction
    ask: Ask = Ask.EMIT


class Learning:
    """One site's learning for one run: its learner, its store, its layout counts."""

    def __init__(
        self,
        crawler: Crawler,
        site: str,
        decide: Decide,
        module: bool,
        declared: Template | None = None,
    ) -> None:
        """``site`` names the stored template and the stats. ``decide`` extracts a page
        with a template (or None). ``declared``: the template a site declaration
        carries (``scrapy learn``'s ``[learned]`` table); it decides the pages, so it is
        the site's history and nothing is learned beside it."""
        self.crawler = crawler
        self.site = site
        self.decide = decide
        self.declared = declared
        self.learner: SiteLearner | None = None
        if declared is not None:
            put(crawler, LAYOUT_HISTORY + site, int(module) + len(declared.layouts))
            return
        settings = crawler.settings
        store: Templates | None = None
        if url := redis_url(settings):  # the fleet shares its templates
            from newscrawl.distributed.redisstore import RedisTemplateStore  # not for local runs

            store = RedisTemplateStore(url, settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl")
        self.learner = open_learner(
            site, settings, lambda key: inc(crawler, f"newscrawl/{key}"), store,
            None if store is not None else _state_store(crawler),
        )  # fmt: skip
        if self.learner is not None:
            # A module's selectors are one layout of its history; the stored template's
            # layouts are the others.
            history = self.learner.history
            known = int(module) + (len(history.layouts) if history is not None else 0)
            put(crawler, LAYOUT_HISTORY + site, known)

    @property
    def template(self) -> Template | None:
        """The template a page is to be extracted with now (None: before one exists;
        a declared template travels in the site's spec)."""
        return self.learner.template if self.learner is not None else None

    def extract(self, html: str, url: str) -> Learned:
        """The page's record with the site's template as it stands, and its ask."""
        template = self.template
        return self.observe(html, url, self.decide(html, url, template), template)

    def observe(
        self, html: str, url: str, extraction: Extraction, used: Template | None
    ) -> Learned:
        """What the page's record, made with the template ``used`` (here or in the
        extraction pool), teaches, and what it asks of the spider."""
        learner = self.learner
        if learner is None:
            self.count(extraction)
            return Learned(extraction)
        if used is not learner.template:  # learned (again) while the page was in the pool
            if used is None and extraction.record["extraction"] != "selector":
                # Decided before the first template: again with it, as a held page is.
                extraction = self.again(html, url, extraction)
                used = learner.template
            self.count(extraction, used)
            return Learned(extraction)
        taught, attempts = len(learner.seen), learner.attempts
        learner.observe(html, url, extraction)
        # Before the first template: a page that teaches it is held back (emitted once
        # the template exists, extracted again with it); a learning attempt releases them.
        ask = Ask.EMIT
        if used is None and learner.attempts > attempts:
            ask = Ask.RELEASE
        elif used is None and len(learner.seen) > taught:
            ask = Ask.HOLD
        self.count(extraction, used)
        return Learned(extraction, ask)

    def count(self, extraction: Extraction, template: Template | None = None) -> None:
        """The page against the site's history: placed by its selectors, by the
        declared template, or by the stored ``template`` it was extracted with."""
        if extraction.rejected or (self.learner is None and self.declared is None):
            return
        method = extraction.record["extraction"]
        known = method == "selector" or (
            method == "learned"
            and (
                self.declared is not None
                or (template is not None and self.learner is not None
                    and template is self.learner.history)
            )
        )  # fmt: skip
        inc(self.crawler, (LAYOUT_KNOWN if known else LAYOUT_NEW) + self.site)
        if known and NOISE_LEAK in extraction.notes:
            inc(self.crawler, LAYOUT_NOISE_LEAK + self.site)

    def again(self, html: str, url: str, first: Extraction) -> Extraction:
        """A held page's record: with the template now learned where it places the page,
        else its first one."""
        learner = self.learner
        if learner is None or learner.template is None:
            return first
        extraction = self.decide(html, url, learner.template)
        if extraction.record["extraction"] != "learned":
            return first
        inc(self.crawler, "newscrawl/learn/placed")
        return extraction

    def flush(self) -> None:
        """No more pages to come (the crawl idles): learn from what the last ones taught."""
        if self.learner is not None:
            self.learner.finish()

    def finish(self) -> None:
        """End of the run: what the last pages taught is stored for the next run."""
        if self.learner is None:
            return
        try:
            self.learner.finish()
        finally:
            if self.learner.store is not None:
                self.learner.store.close()


def _state_store(crawler: Crawler) -> SQLiteStore | None:
    """The crawl's own SQLite state store, which the templates table shares
    (extraction/template/online.py TemplateStore); None when it cannot be opened (the
    pipelines say so, once)."""
    try:
        store = store_for(crawler)
    except (StateStoreFailed, OSError, sqlite3.Error):
        return None
    return store if isinstance(store, SQLiteStore) else None
