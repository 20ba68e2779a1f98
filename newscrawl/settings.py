"""Project settings. Every value can be overridden with ``-s NAME=VALUE``."""

import os

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# Politeness: identify ourselves, obey robots.txt, adapt to the server's speed.
NEWSCRAWL_CONTACT_URL = os.environ.get(
    "NEWSCRAWL_CONTACT_URL", "https://github.com/newscrawl/newscrawl"
)
USER_AGENT = f"newscrawl/0.1 (+{NEWSCRAWL_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Feeds and sitemaps (read streaming) may be as large as the sitemap protocol allows,
# 50 MB unpacked (gzip too); article pages keep DOWNLOAD_MAXSIZE.
NEWSCRAWL_SOURCE_MAXSIZE = 50 * 1024 * 1024
# Without -a limit=, at most this many requests from discovery (feeds, sitemaps,
# listings) are scheduled at a time; the rest is read on as they come back, so a
# 100,000-URL sitemap does not sit in Scrapy's memory queue (0: no bound). Not applied
# with JOBDIR (disk queue) or NEWSCRAWL_REDIS_URL (Redis queue).
NEWSCRAWL_DISCOVERY_INFLIGHT = 2000
# Scrapy's, its fingerprints in 16 bytes a request, not ~90 (newscrawl/dupefilter.py).
DUPEFILTER_CLASS = "newscrawl.dupefilter.CompactDupeFilter"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19's code-execution HTTP server: off, like telnet
COOKIES_ENABLED = False
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "newscrawl.pipelines.CleanPipeline": 100,
    "newscrawl.pipelines.ValidatePipeline": 200,
    "newscrawl.pipelines.DeduplicatePipeline": 300,
}
# Sanity rules of the validation pipeline.
NEWSCRAWL_MIN_BODY_CHARS = 150
NEWSCRAWL_FUTURE_TOLERANCE_HOURS = 26

# One file per run, so scheduled runs never overwrite each other. Used when no feed
# is given (`-o`/`-O`/FEEDS); Scrapy would otherwise merge it with those.
NEWSCRAWL_DEFAULT_FEED = "output/%(name)s/%(time)s.jsonl"
# %(time)s is a UTC stamp without "+" (2026-12-04T18-06-12Z) in every feed URI.
FEED_URI_PARAMS = "newscrawl.storage.names.uri_params"
# -O articles.parquet: columns from the JSON Schema (pip install 'newscrawl[parquet]').
FEED_EXPORTERS = {
    "parquet": "newscrawl.storage.parquet.ParquetItemExporter",
    # Scrapy's JSON lines, same bytes, cheaper per record (newscrawl/storage/feeds.py).
    "jsonlines": "newscrawl.storage.feeds.RecordJsonLinesExporter",
    "jsonl": "newscrawl.storage.feeds.RecordJsonLinesExporter",
    "jl": "newscrawl.storage.feeds.RecordJsonLinesExporter",
}
FEED_EXPORT_ENCODING = "utf-8"

# Scrapy add-ons, applied as each crawler is set up (not by the spider class): with
# NEWSCRAWL_REDIS_URL the crawl is distributed (docs/distributed.md); then the default
# feed above and the User-Agent (newscrawl/ops/defaults.py). Order matters: a
# distributed worker's default feed gets its worker id first.
ADDONS = {
    "newscrawl.distributed.wiring.DistributedAddon": 0,
    "newscrawl.ops.defaults.CrawlDefaults": 10,
}

# Scrapy starts this many asyncio tasks for *every* callback's output; our callbacks
# yield one article (or a page of links) and pipelines are synchronous, so the default
# of 100 only costs ~1 ms of task churn per page.
CONCURRENT_ITEMS = 8

# Incremental state (seen URLs, fingerprints, near-duplicate index, feed validators).
NEWSCRAWL_STATE_PATH = ".newscrawl/state.sqlite3"
# The `news` spider learns a site's template from its first this-many article pages
# and extracts the rest with it (stored in the state file; 0: generic only).
NEWSCRAWL_LEARN_PAGES = 8
# Near duplicates (same story, lightly re-edited): "mark" sets duplicate_of, "drop"
# drops them, "off" skips the check. Threshold: estimated Jaccard similarity of the
# bodies' 3-word shingle sets (MinHash) from which two bodies are one story.
NEWSCRAWL_NEAR_DUPLICATES = "mark"
NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD = 0.5
# Signatures of the latest articles the near-duplicate index holds (read from the state
# store at start): memory and start-up stay bounded whatever the store's size.
NEWSCRAWL_NEAR_DUPLICATE_WINDOW = 200_000
# Fetch an already-seen article again when its feed or sitemap says it changed.
NEWSCRAWL_REFETCH_UPDATED = True

# Unattended runs: a lock per spider and state store, progress lines, a run report
# next to the feed, a `latest` pointer, and an exit code (newscrawl/exitcodes.py).
EXTENSIONS = {
    "newscrawl.guards.redact.RedactSecrets": 0,  # first: no secret reaches a log line
    "newscrawl.ops.lock.CrawlLock": 10,
    "newscrawl.ops.report.RunReport": 20,
    "newscrawl.ops.history.ExtractionMethods": 21,  # records per extraction method, for `runs`
    "newscrawl.ops.extractpool.ExtractionPoolExtension": 25,  # extraction off the reactor
    "newscrawl.storage.durable.EmitJournal": 30,  # crash-safe emission (storage/durable.py)
    "newscrawl.storage.durable.JobdirGuard": 31,
    # Scrapy's feed exporter, per feed fault-isolated; confirms records to the journal.
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newscrawl.storage.feeds.CheckedFeedExporter": 35,
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
}
# spidermon: monitors run at close; a failure becomes exit code 8 (newscrawl/ops/monitors.py).
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ("newscrawl.ops.monitors.CloseMonitors",)
SPIDERMON_MAX_ERRORS = 20
SPIDERMON_MAX_WARNINGS = 1000
SPIDERMON_UNWANTED_HTTP_CODES_MAX_COUNT = 50
NEWSCRAWL_LOCK_ENABLED = True
NEWSCRAWL_PROGRESS_INTERVAL = 60.0
# "auto": warnings, a progress display and the summary unless a log level or LOG_FILE
# is given (newscrawl/ops/console.py); "log": Scrapy's full log always.
NEWSCRAWL_CONSOLE = "auto"
NEWSCRAWL_MAX_ERROR_RATE = 0.2
NEWSCRAWL_MAX_FALLBACK_SHARE = 0.2
# Below this many pages, layout drift only fails a run when every page fell back.
NEWSCRAWL_DRIFT_MIN_PAGES = 10
# With learning on (NEWSCRAWL_LEARN_PAGES), drift is judged against the site's history:
# more than this share of a run's pages in a layout its selectors and stored template do
# not know (newscrawl.ops.report.drift_verdict); NEWSCRAWL_MAX_FALLBACK_SHARE without.
NEWSCRAWL_MAX_NEW_LAYOUT_SHARE = 0.5
# ...and more than this share of the pages its history placed with a block it knows as
# noise (a related list, a ticker) inside their body: the site moved it into the story.
NEWSCRAWL_MAX_NOISE_LEAK_SHARE = 0.3
# Crawls write a feed, a report and `latest`; scrapy parse/shell/bench set this off.
NEWSCRAWL_RUN_FILES = True
LOGSTATS_INTERVAL = 0  # our progress line replaces Scrapy's (it adds articles and queue)

# WARC archive of every fetched page (-s NEWSCRAWL_WARC=dir/), rotated by size;
# `scrapy reextract` replays it offline. Order 580: sees bodies after decompression.
DOWNLOADER_MIDDLEWARES = {
    "newscrawl.storage.warc.WarcArchiveMiddleware": 580,
    # A hostile web (newscrawl/guards/ssrf.py, robots.py, faults.py, charset.py).
    "newscrawl.guards.ssrf.SsrfGuardMiddleware": 40,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawl.discovery.robots.Rfc9309RobotsTxtMiddleware": 100,
    "newscrawl.guards.faults.RetryAfterMiddleware": 560,
    "newscrawl.text.charset.CharsetMiddleware": 584,
    "newscrawl.guards.faults.ResponseGuardMiddleware": 585,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawl.guards.faults.CompressionGuardMiddleware": 590,
    "newscrawl.guards.faults.RedirectGuardMiddleware": 610,
}
NEWSCRAWL_WARC = None
NEWSCRAWL_WARC_MAX_BYTES = 1024**3

# Layout drift: a page the site's selectors fail on is extracted by the generic
# extractor ("fallback"); above NEWSCRAWL_MAX_FALLBACK_SHARE of a run, exit code 5.
NEWSCRAWL_FALLBACK = True

# A hostile web. SSRF guard: never request loopback/private/link-local/... addresses
# (origins named on the command line are allowed for their run: guards/ssrf.named_urls);
# exceptions: host names, ".domain"
# suffixes, addresses or CIDR networks.
NEWSCRAWL_SSRF_GUARD = True
NEWSCRAWL_SSRF_ALLOW: list[str] = []
# Exact file:// URLs allowed through the guard: `scrapy shell ./page.html` sets the one
# the user named (newscrawl/commands/shell.py).
NEWSCRAWL_SSRF_ALLOW_FILES: list[str] = []
# Origins named on the command line (scrapy shell URL sets it; guards/ssrf.named_urls).
NEWSCRAWL_SSRF_NAMED: list[str] = []
NEWSCRAWL_SSRF_DNS_TTL = 300
# Retry-After (429/503) pauses the domain that long, at most this many seconds.
NEWSCRAWL_RETRY_AFTER_MAX = 120
# The errback logs a page given up on (once, with its URL); Scrapy need not as well.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
SPIDER_MIDDLEWARES = {"newscrawl.guards.faults.DiscoveryGuardMiddleware": 950}
# Crash-safe feeds: one write(2) per record, fsynced; a journal makes "seen" mean "in
# a feed" across SIGKILL; a JOBDIR left by a killed run is set aside (newscrawl/storage/durable.py).
FEED_STORAGES = {
    "": "newscrawl.storage.durable.DurableFileFeedStorage",
    "file": "newscrawl.storage.durable.DurableFileFeedStorage",
}
NEWSCRAWL_FEED_FSYNC = True
NEWSCRAWL_EMIT_JOURNAL = True
# Group commit: feed files are fsynced every NEWSCRAWL_FEED_FSYNC_RECORDS records or
# NEWSCRAWL_FEED_FSYNC_MS after the first unsynced one, whichever comes first; a record
# counts as written (its article seen for good) only once an fsync covers it.
NEWSCRAWL_FEED_FSYNC_RECORDS = 64
NEWSCRAWL_FEED_FSYNC_MS = 200
# Extraction off the reactor (newscrawl/extraction/pool.py): worker processes, "auto"
# (the cores this process may use, less the reactor's one), or 0 to extract in the
# crawl process. The environment variable of the same name sets the default (the test
# suite sets 0: most of its crawls are a few pages, where workers only cost start-up).
NEWSCRAWL_EXTRACT_WORKERS = os.environ.get("NEWSCRAWL_EXTRACT_WORKERS", "auto")
