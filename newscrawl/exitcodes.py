"""Exit codes of `scrapy crawl` for scheduled runs (cron, systemd, scrapyd wrappers).

1 and 2 stay Scrapy's own (start-up failure, usage error).
"""

OK = 0  # the run finished and looks healthy
NO_ITEMS = 3  # nothing emitted and nothing known to be unchanged: the site likely broke
ERROR_RATE = 4  # spider errors, HTTP errors and dropped items above NEWSCRAWL_MAX_ERROR_RATE
LAYOUT_DRIFT = 5  # the site's layout changed against its history (ops.report.drift_verdict)
ABORTED = 6  # killed, interrupted or closed early (finish reason not a normal one)
LOCKED = 7  # another run of this spider on this state store is in progress
MONITORS_FAILED = 8  # a spidermon monitor (newscrawl/ops/monitors.py) failed
OUTPUT_FAILED = 9  # a feed failed mid-run (disk full, upload error): unwritten records not seen
STATE_CORRUPT = 10  # the state store is corrupt, unreadable or cannot be written: one line names it
STORE_UNAVAILABLE = 11  # the Redis store stayed unreachable past NEWSCRAWL_REDIS_OUTAGE_TIMEOUT
MISSING_DEPENDENCY = 12  # a declared dependency fails to import: one line names the package
USAGE = 2  # Scrapy's own: bad argument, unknown spider, feed that cannot be opened

NAMES = {
    OK: "ok",
    NO_ITEMS: "no_items",
    ERROR_RATE: "error_rate",
    LAYOUT_DRIFT: "layout_drift",
    ABORTED: "aborted",
    LOCKED: "locked",
    MONITORS_FAILED: "monitors_failed",
    OUTPUT_FAILED: "output_failed",
    STATE_CORRUPT: "state_corrupt",
    STORE_UNAVAILABLE: "store_unavailable",
    MISSING_DEPENDENCY: "missing_dependency",
    USAGE: "usage",
}
