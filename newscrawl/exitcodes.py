"""Exit codes of `scrapy crawl` for scheduled runs (cron, systemd, scrapyd wrappers).

1 and 2 stay Scrapy's own (start-up failure, usage error).
"""

OK = 0  # the run finished and looks healthy
NO_ITEMS = 3  # nothing emitted and nothing known to be unchanged: the site likely broke
ERROR_RATE = 4  # spider errors, HTTP errors and dropped items above NEWSCRAWL_MAX_ERROR_RATE
LAYOUT_DRIFT = 5  # share of pages extracted by fallback above NEWSCRAWL_MAX_FALLBACK_SHARE
ABORTED = 6  # killed, interrupted or closed early (finish reason not a normal one)
LOCKED = 7  # another run of this spider on this state store is in progress
MONITORS_FAILED = 8  # a spidermon monitor (newscrawl/monitors.py) failed

NAMES = {
    OK: "ok",
    NO_ITEMS: "no_items",
    ERROR_RATE: "error_rate",
    LAYOUT_DRIFT: "layout_drift",
    ABORTED: "aborted",
    LOCKED: "locked",
    MONITORS_FAILED: "monitors_failed",
}
