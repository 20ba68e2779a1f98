"""Every ``newscrawl/...`` stat in one place: the key names, one ``inc``, and the
prefixes the run verdict (newscrawl.ops.report.judge) sums.

Stat names are an interface: run reports, monitors, dashboards and tests read them,
so they never change; add new ones here. A leaf: it imports nothing of ours.

>>> dropped("short_body"), fallback("arabstoday")
('newscrawl/dropped/short_body', 'newscrawl/fallback/arabstoday')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

PREFIX = "newscrawl/"


def ours(name: str) -> str:
    """``newscrawl/<name>``: a stat of this project (``name`` as the code counts it)."""
    return PREFIX + name


def inc(target: Crawler | StatsCollector | None, key: str, count: float = 1) -> None:
    """Add ``count`` to the stat ``key`` (a full name) of a crawler or stats collector;
    nothing when there is none (a spider or pipeline used outside a crawl)."""
    stats = target.stats if isinstance(target, Crawler) else target
    if stats is not None:
        stats.inc_value(key, count)  # type: ignore[arg-type]  # typed int; seconds add too


def counter(target: Crawler | StatsCollector | None) -> Callable[[str, float], None]:
    """``count(name, amount)``: :func:`inc` of ``newscrawl/<name>``, for code that names
    its stats without the prefix (storage/warcin.py's ``Count``)."""

    def count(name: str, amount: float = 1) -> None:
        inc(target, ours(name), amount)

    return count


def put(target: Crawler | StatsCollector | None, key: str, value: Any) -> None:
    """Set the stat ``key`` (a full name) to ``value``."""
    stats = target.stats if isinstance(target, Crawler) else target
    if stats is not None:
        stats.set_value(key, value)


# -- keys read by the run verdict, the report, the commands ----------------------------

EXIT_CODE = ours("exit_code")  # the run's exit code; scrapy crawl exits with it
EXIT_REASON = ours("exit_reason")
LOCKED = ours("locked")  # another run holds the lock
SKIPPED_SEEN = ours("state/skipped_seen")  # known to the state store, not fetched
REFETCH_UPDATED = ours("state/refetch_updated")
NOT_MODIFIED = ours("discovery/not_modified")  # a feed or sitemap answered 304
FAILED_SOURCES = ours("discovery/failed_sources")  # list of "<reason> <url>"
# The most requests from discovery out at once without limit= (NEWSCRAWL_DISCOVERY_INFLIGHT);
# discovery/inflight_deferred and _resumed count the waits and the requests sent later.
DISCOVERY_PEAK = ours("discovery/inflight_peak")
ITEMS_NEW = ours("items/new")
ITEMS_UPDATED = ours("items/updated")
DUPLICATES_NEAR = ours("duplicates/near")
FEED_FAILED = ours("output/feed_failed")
UNWRITTEN = ours("output/unwritten")  # records that missed a feed: forgotten again
REDIS_SEEDED = ours("redis/seeded")
REDIS_WORKER = ours("redis/worker")
REDIS_DISCOVERS = ours("redis/discovers")
REDIS_UNAVAILABLE = ours("redis/unavailable")
# Extraction pool (newscrawl/extraction/pool.py): pages tried again after their worker
# died, and pages given up because it died on them twice (also extraction/error).
WORKER_RETRIED = ours("extraction/worker_retried")
WORKER_DIED = ours("extraction/worker_died")
# The one decision (extraction/decide.py) run for the crawl's pages, by where: a page
# is decided once (twice only when held back to learn from, then placed by the template).
DECIDED_IN_POOL = ours("extraction/decided/pool")
DECIDED_IN_SPIDER = ours("extraction/decided/spider")

# -- families: a prefix and its builder ------------------------------------------------

DROPPED = ours("dropped/")  # + reason: a pipeline dropped the item
FALLBACK = ours("fallback/")  # + site: the generic extractor stood in for the selectors
# + site, with learning on: layouts the site was known by when the run started (its
# selectors, its stored template's layouts), and pages placed by one of them or not.
LAYOUT_HISTORY = ours("layout/history/")
LAYOUT_KNOWN = ours("layout/known/")
LAYOUT_NEW = ours("layout/new/")
# + site: known pages whose body took in a block the site's history knows as noise.
LAYOUT_NOISE_LEAK = ours("layout/noise_leak/")
HTTP = ours("http/")  # + status: an HTTP error answer
ERRORS = ours("errors/")  # + exception name: a fetch that failed
SKIPPED = ours("skipped/")  # + why: empty, not HTML, bot check / consent wall
EXTRACTION_ERROR = ours("extraction/error")  # extraction raised on a page
OUTPUT = ours("output/")


def dropped(reason: str) -> str:
    return DROPPED + reason


def fallback(site: str) -> str:
    return FALLBACK + site


# -- what the verdict sums ---------------------------------------------------------------

#: Counted as failed pages in the error rate (Scrapy's own spider_exceptions/ too).
FAILURES = ("spider_exceptions/", HTTP, ERRORS, EXTRACTION_ERROR, SKIPPED, DROPPED)
#: Drops that are the pipeline working, not something going wrong.
NOT_FAILURES = (dropped("duplicate"), dropped("unchanged"), dropped("near_duplicate"))
#: A run without items is "nothing new" (exit 0) when these say why.
UNCHANGED = (SKIPPED_SEEN, NOT_MODIFIED)


def total(stats: dict[str, Any], prefix: str, exclude: tuple[str, ...] = ()) -> int:
    """The sum of the integer stats under ``prefix``, less those under ``exclude``."""
    return sum(
        int(v) for k, v in stats.items()
        if k.startswith(prefix) and not k.startswith(exclude) and isinstance(v, int)
    )  # fmt: skip
