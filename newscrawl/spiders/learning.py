"""Learning in the crawl, for every NewsSpider (issue 14).

A site module's selectors know some layouts of its site; the ``news`` spider's know
none. Either way the pages nothing placed teach a template during the run
(newscrawl/extraction/template/online.py), and the rest of the run is extracted with
it through the one decision (``decide(..., template=...)``): for a module, only on
the pages its selectors miss. The template is stored with the state (the SQLite
file of ``NEWSCRAWL_STATE_PATH``, or Redis with ``NEWSCRAWL_REDIS_URL``), so the next
run starts with it.

Each page is also counted against the site's history, what the site was known by
when the run started (its selectors, its stored template): ``newscrawl/layout/known/
<spider>`` or ``newscrawl/layout/new/<spider>``, with ``newscrawl/layout/history/<spider>``
the number of layouts known. The drift verdict (newscrawl.ops.report.drift_verdict)
reads them. The learner lives in the spider's process (its state is the run's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from scrapy.crawler import Crawler

from newscrawl.distributed.config import redis_url
from newscrawl.extraction.article import Extraction
from newscrawl.extraction.template.model import Template
from newscrawl.extraction.template.online import SiteLearner, Templates, open_learner
from newscrawl.stats import LAYOUT_HISTORY, LAYOUT_KNOWN, LAYOUT_NEW, inc, put

logger = logging.getLogger(__name__)

Decide = Callable[[str, str, Template | None], Extraction]


class Learning:
    """One site's learning for one run: its learner, its store, its layout counts."""

    def __init__(
        self,
        crawler: Crawler,
        site: str,
        key: str,
        module: bool,
        declared: Template | None = None,
    ) -> None:
        """``site`` names the stored template, ``key`` the stats (the spider's name).
        ``declared``: the template a site declaration carries (``scrapy learn``'s
        ``[learned]`` table); it decides the pages, so it is the site's history and
        nothing is learned beside it."""
        self.crawler = crawler
        self.site = site
        self.key = key
        self.decide: Decide | None = None
        self.hold = self.release = False  # what the last page asks of the spider
        self.declared = declared
        self.learner: SiteLearner | None = None
        if declared is not None:
            put(crawler, LAYOUT_HISTORY + key, int(module) + len(declared.layouts))
            return
        settings = crawler.settings
        store: Templates | None = None
        if url := redis_url(settings):  # the fleet shares its templates
            from newscrawl.distributed.redisstore import RedisTemplateStore  # not for local runs

            store = RedisTemplateStore(url, settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl")
        self.learner = open_learner(
            site, settings, lambda key: inc(crawler, f"newscrawl/{key}"), store
        )
        if self.learner is not None:
            # A module's selectors are one layout of its history; the stored template's
            # layouts are the others.
            history = self.learner.history
            known = int(module) + (len(history.layouts) if history is not None else 0)
            put(crawler, LAYOUT_HISTORY + key, known)

    def extract(self, html: str, url: str, decide: Decide) -> Extraction:
        """``decide``'s record, with the site's template once there is one."""
        learner = self.learner
        if learner is None:
            extraction = decide(html, url, None)
            self.count(extraction)
            return extraction
        self.decide = decide
        before, taught, attempts = learner.template, len(learner.seen), learner.attempts
        extraction = learner.extract(html, url, decide)
        # Before the first template: a page that teaches it is held back (emitted once
        # the template exists, extracted again with it); a learning attempt releases them.
        tried = learner.attempts > attempts
        self.hold = before is None and not tried and len(learner.seen) > taught
        self.release = before is None and tried
        self.count(extraction, before)
        return extraction

    def extracted_elsewhere(self, extraction: Extraction) -> None:
        """A page the learner did not read (the extraction pool's, its selectors placed
        it): counted against the history; it asks nothing of the spider."""
        self.hold = self.release = False
        self.count(extraction)

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
        inc(self.crawler, (LAYOUT_KNOWN if known else LAYOUT_NEW) + self.key)

    def again(self, html: str, url: str, first: Extraction) -> Extraction:
        """A held page's record: with the template now learned where it places the page,
        else its first one."""
        learner = self.learner
        if learner is None or learner.template is None or self.decide is None:
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
