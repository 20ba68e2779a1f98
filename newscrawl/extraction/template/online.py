"""Learning during a crawl: the first article pages of a site teach its template,
the rest of the run (and the next runs) are extracted with it.

The learner sees each page through the one decision (``decide(..., template=)``,
given by the spider) and learns from the pages nothing placed: all of them for the
``news`` spider, those its selectors missed for a site module. The spider holds the
pages that taught the first template back and extracts them again with it
(newscrawl/spiders/learning.py). The template is stored in a ``templates`` table of
the state store's SQLite file (or the fleet's Redis), so the next run starts with it.

Stats: ``newscrawl/learn/learned`` (templates learned this run),
``newscrawl/learn/loaded`` (from the store), ``newscrawl/learn/placed`` (pages the
template extracted), ``newscrawl/learn/not_placed`` (pages it could not place: generic),
``newscrawl/learn/no_layout`` (a learning attempt that found none, retried later),
``newscrawl/learn/error`` (learning failed: generic for the rest of the run),
``newscrawl/learn/relearned`` (the template fit under half of the last pages, so it
was learned again from them: the layout changed; once a run, WARNING). A page fits
when the template placed it and no block it knows as noise leaked into its body; a
template relearned after leaks keeps those blocks out of the story (``learn_site``'s
``noise``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from scrapy.settings import BaseSettings

from newscrawl.extraction.article import Extraction
from newscrawl.extraction.template.apply import NOISE_LEAK
from newscrawl.extraction.template.learn import learn_site
from newscrawl.extraction.template.model import Template

logger = logging.getLogger(__name__)


class Templates(Protocol):
    """Where templates are kept between runs: :class:`TemplateStore` (SQLite), or the
    fleet's Redis (newscrawl.distributed.redisstore.RedisTemplateStore)."""

    def load(self, site: str) -> Template | None: ...
    def save(self, site: str, template: Template) -> None: ...
    def close(self) -> None: ...


class SharedState(Protocol):
    """The crawl's own SQLite state store (storage/state.py SQLiteStore), as far as
    :class:`TemplateStore` needs it."""

    db: sqlite3.Connection
    closed: bool


class TemplateStore:
    """Templates by site in a SQLite file (the state store's, in a table of their own).

    ``shared``: the crawl's own state store on that file. Its records are written in
    groups whose transaction stays open until the feed's group fsync (storage/state.py),
    holding the file's write lock; a write from this connection would wait for that
    commit, which the reactor, waiting here, cannot make. So while a group is open the
    template's writes join it (and are committed with it)."""

    def __init__(self, path: str | Path, shared: SharedState | None = None) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30)
        self.shared = shared
        self._write(
            "CREATE TABLE IF NOT EXISTS templates"
            " (site TEXT PRIMARY KEY, template TEXT NOT NULL, learned_at TEXT NOT NULL)"
        )

    def _write(self, sql: str, row: tuple[str, ...] = ()) -> None:
        shared = self.shared
        if shared is not None and not shared.closed and shared.db.in_transaction:
            shared.db.execute(sql, row)
            return
        with self.db:
            self.db.execute(sql, row)

    def load(self, site: str) -> Template | None:
        row = self.db.execute("SELECT template FROM templates WHERE site = ?", (site,)).fetchone()
        if row is None:
            return None
        try:
            return Template.from_json(row[0])
        except (ValueError, TypeError, KeyError) as exc:  # an older format: relearn
            logger.warning("Stored template of %s not usable (%s), relearning", site, exc)
            return None

    def save(self, site: str, template: Template) -> None:
        self._write(
            "INSERT OR REPLACE INTO templates VALUES (?, ?, ?)",
            (site, template.to_json(), datetime.now(UTC).isoformat(timespec="seconds")),
        )

    def close(self) -> None:
        self.db.close()


class SiteLearner:
    """One site's template during a run: learned from its first ``pages`` articles."""

    def __init__(
        self,
        site: str,
        pages: int,
        store: Templates | None,
        count: Callable[[str], None],
    ) -> None:
        self.site = site
        self.pages = max(2, pages)
        self.store = store
        self.count = count  # increments newscrawl/learn/<key>
        self.seen: list[tuple[str, str]] = []
        # The last pages extracted with the template, and whether it placed them.
        self.recent: deque[tuple[str, str, bool]] = deque(maxlen=self.pages)
        self.relearned = False
        self.attempts = 0  # learning attempts this run (the spider releases held pages)
        self.gave_up = False  # learning failed: generic for the rest of the run
        self.template = store.load(site) if store is not None else None
        # What the site was known by when the run started: drift is judged against it.
        self.history = self.template
        if self.template is not None:
            count("loaded")
            logger.info("Template of %s loaded from the state store", site)

    def extract(
        self,
        html: str,
        url: str,
        decide: Callable[[str, str, Template | None], Extraction],
    ) -> Extraction:
        """``decide``'s record with the template as it stands (None before one is learned:
        newscrawl.extraction.decide.decide is the one extraction path). Pages a site
        module's own selectors placed (``"selector"``) are none of the learner's business;
        the others teach the template, or tell whether it still places the site's pages."""
        extraction = decide(html, url, self.template)
        self.observe(html, url, extraction)
        return extraction

    def observe(self, html: str, url: str, extraction: Extraction) -> None:
        """What the page's record (made with ``self.template``) teaches: called by
        :meth:`extract`, or directly by a caller that extracted elsewhere (a process pool)."""
        if extraction.record["extraction"] == "selector":
            return
        if self.template is not None:
            placed = extraction.record["extraction"] == "learned"
            self.count("placed" if placed else "not_placed")
            self._watch((html, url, placed and NOISE_LEAK not in extraction.notes))
            return
        if not extraction.rejected and extraction.record["body"] and not self.gave_up:
            self.seen.append((html, url))
        if len(self.seen) >= self.pages:
            self._learn()

    def finish(self) -> None:
        """At the end of a run: the pages that taught nothing yet (a run shorter than
        ``pages``, a layout met on a few pages) still teach the next run, from 2 up."""
        if self.template is None and len(self.seen) >= 2:
            self._learn()
        elif self.template is not None and len(self.recent) >= 2:
            self._watch(None, final=True)

    def _watch(self, page: tuple[str, str, bool] | None, final: bool = False) -> None:
        """Relearn (once a run) when the template fits fewer than half of the last
        pages: the site's layout changed since it was learned (a layout was added, a
        noise block moved into the story), and learn again."""
        if self.relearned:
            return
        if page is not None:
            self.recent.append(page)
        if len(self.recent) < self.pages and not final:
            return
        misses = sum(1 for _, _, hit in self.recent if not hit)
        if misses * 2 > len(self.recent):
            self.relearned = True
            self.count("relearned")
            logger.warning(
                "Template of %s fit %d of the last %d pages (placed, no noise leaking in): "
                "layout changed, relearning",
                self.site, len(self.recent) - misses, len(self.recent),
            )  # fmt: skip
            self.seen = [(h, u) for h, u, _ in self.recent]
            self.recent.clear()
            previous, self.template = self.template, None
            assert previous is not None
            self._learn(previous.outside)
            if self.template is None:
                self.template = previous  # nothing better to learn from: keep it

    def _learn(self, noise: tuple[str, ...] = ()) -> None:
        self.attempts += 1
        try:
            template = learn_site(self.seen, noise=noise)
        except Exception:  # a learner bug must not cost pages: generic for the rest
            self.count("error")
            logger.exception("Learning the template of %s failed; generic extraction", self.site)
            self.seen.clear()
            self.pages = 10**9  # never again this run
            self.gave_up = True  # nor hold pages back to learn from
            return
        if not template.layouts:
            self.count("no_layout")
            logger.warning(
                "No article layout found in %d pages of %s; generic extraction goes on",
                len(self.seen), self.site,
            )  # fmt: skip
            self.seen.clear()  # try again on the next pages
            return
        self.template = template
        self.seen.clear()
        self.count("learned")
        logger.info(
            "Template of %s learned from %d pages: %d layout(s), body %s",
            self.site, template.pages, len(template.layouts),
            [layout.body for layout in template.layouts],
        )  # fmt: skip
        if self.store is not None:
            self.store.save(self.site, template)


def open_learner(
    site: str,
    settings: BaseSettings,
    inc: Callable[[str], None],
    store: Templates | None = None,
    shared: SharedState | None = None,
) -> SiteLearner | None:
    """The run's learner for ``site`` (None when ``NEWSCRAWL_LEARN_PAGES`` is 0), with
    ``store``, or else the templates table of ``NEWSCRAWL_STATE_PATH``'s SQLite file
    (``shared``: the crawl's state store on it, :class:`TemplateStore`)."""
    pages = settings.getint("NEWSCRAWL_LEARN_PAGES", 8)
    if pages <= 0:
        return None
    path = settings.get("NEWSCRAWL_STATE_PATH")
    if store is None and path:
        try:
            store = TemplateStore(path, shared)
        except (OSError, sqlite3.Error) as exc:  # learning still serves this run
            inc("learn/store_unavailable")
            logger.warning("Templates not stored (%s: %s); learned for this run only", path, exc)

    def count(key: str) -> None:
        inc(f"learn/{key}")

    return SiteLearner(site, pages, store, count)
