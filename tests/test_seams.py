"""Typed seams between the rooms, as a user meets them: a site declared in TOML gets
its boilerplate cleaning; the distributed wiring is an add-on, not a spider side effect."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from newscrawl.fixtureserver import PROJECT_ROOT, serve

# A soft hyphen inside the line, as CMSs insert them for hyphenation: extraction
# compares paragraphs as they are and keeps it; the clean pipeline strips invisible
# junk first and recognises the site's boilerplate line.
BOILERPLATE = "Follow Gulf Wire on Telegram for the latest news."
PARAGRAPHS = [
    "The ministry of water said on Sunday that the new desalination plant would open "
    "next month and serve two hundred thousand homes in the south of the country.",
    "Engineers finished the last tests of the intake pipes on Thursday, officials said, "
    "adding that the plant had cost about four hundred million dollars to build.",
    BOILERPLATE.replace("Telegram", "Tele&shy;gram"),
]
ARTICLE = f"""<!doctype html><html lang="en"><head><title>Plant to open | Gulf Wire</title></head>
<body><h1>Desalination plant to open next month</h1>
<div class="article-body">{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</div></body></html>"""
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Gulf Wire</title>
<item><title>Plant</title><link>https://www.gulfwire.test/news/1001/plant</link></item>
</channel></rss>"""
CONFIG = f"""name = "gulfwire"
origin = "https://www.gulfwire.test"
domains = ["gulfwire.test"]
article_url = '^/news/\\d+/'
robots_sitemaps = false

[editions.en]
language = "en"
path = "/"
feeds = ["/rss.xml"]

[rules]
body_selectors = [".article-body"]
boilerplate = ["{BOILERPLATE}"]
"""


def _site(root: Path) -> Path:
    (root / "news" / "1001").mkdir(parents=True)
    (root / "news" / "1001" / "plant.html").write_text(ARTICLE, "utf-8")
    (root / "rss.xml").write_text(FEED, "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    config = root.parent / "gulfwire.toml"
    config.write_text(CONFIG, "utf-8")
    return config


def _crawl(origin: str, workdir: Path, *args: str) -> tuple[int, str, list[dict[str, Any]]]:
    out = workdir / "out.jsonl"
    result = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", *args, "-O", str(out),
            "-a", f"base_url={origin}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
            "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}",
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = out.read_text("utf-8").splitlines() if out.exists() else []
    return result.returncode, result.stderr, [json.loads(line) for line in lines]


def test_a_toml_site_gets_its_boilerplate_cleaning(tmp_path: Path) -> None:
    config = _site(tmp_path / "www")
    with serve(tmp_path / "www") as origin:
        code, stderr, records = _crawl(origin, tmp_path, "news", "-a", f"config={config}")
    assert code == 0, stderr[-3000:]
    [record] = records
    assert record["site"] == "gulfwire"
    assert record["body"] == "\n\n".join(PARAGRAPHS[:2])


PACKAGE = PROJECT_ROOT / "newscrawl"


def test_one_stats_module_counts_every_stat() -> None:
    """newscrawl/stats.py holds the one ``inc``: no other module touches the collector's
    inc_value or defines a counting helper of its own."""
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "stats.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "inc_value(" in line or line.strip().startswith(("def inc(", "def _inc(", "def _count("))
    ]
    assert not offenders, "use newscrawl.stats.inc:\n" + "\n".join(offenders)


# Scrapy's own stat families, which some of our components count into as Scrapy would.
SCRAPY_FAMILIES = ("robotstxt/", "feedexport/", "dupefilter/", "scheduler/")


def _stat_heads(node: ast.expr) -> list[str]:
    """The literal beginnings of the stat names an expression can give."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr) and node.values:
        return _stat_heads(node.values[0]) or ["{...}"]
    if isinstance(node, ast.IfExp):
        return _stat_heads(node.body) + _stat_heads(node.orelse)
    return []  # a constant or builder of newscrawl.stats


def test_every_counted_stat_has_its_full_name() -> None:
    """inc() takes full names: "newscrawl/..." (or one of Scrapy's families)."""
    wrong = [
        f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {head}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "inc" and len(node.args) > 1
        for head in _stat_heads(node.args[1])
        if not head.startswith(("newscrawl/", *SCRAPY_FAMILIES))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_verdict_sums_the_prefixes_of_the_stats_module() -> None:
    from newscrawl import exitcodes, stats
    from newscrawl.ops.report import judge

    base = {"finish_reason": "finished", "item_scraped_count": 5, "response_received_count": 10}
    # Every failure family counts towards the error rate; pipeline work does not.
    for prefix in stats.FAILURES:
        code, _ = judge({**base, prefix + "x": 3}, 0.2, 0.2)
        assert code == exitcodes.ERROR_RATE, prefix
    for key in stats.NOT_FAILURES:
        assert judge({**base, key: 3}, 0.2, 0.2)[0] == exitcodes.OK, key
    nothing = {"finish_reason": "finished", "response_received_count": 2}
    for key in stats.UNCHANGED:
        assert judge({**nothing, key: 1}, 0.2, 0.2) == (exitcodes.OK, "ok: nothing new")


def test_the_spider_class_rewires_nothing() -> None:
    """The distributed wiring and the default feed are add-ons (ADDONS), applied to a
    site crawl by the crawler; the spider class's update_settings is Scrapy's own."""
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from newscrawl.sites.registry import site_spiders

    ArabsTodaySpider = site_spiders()["arabstoday"]

    redis = {"NEWSCRAWL_REDIS_URL": "redis://127.0.0.1:1/0"}
    settings = Settings({**redis, "NEWSCRAWL_DEFAULT_FEED": "out/%(name)s.jsonl"})
    ArabsTodaySpider.update_settings(settings)
    assert settings["SCHEDULER"] == Settings()["SCHEDULER"]
    assert not settings.getdict("FEEDS")

    addons = {"ADDONS": {"newscrawl.distributed.wiring.DistributedAddon": 0,
                         "newscrawl.ops.defaults.CrawlDefaults": 10}}  # fmt: skip
    for spidercls, wired in ((ArabsTodaySpider, True), (Spider, False)):
        crawler = Crawler(spidercls, Settings({**redis, **addons, "NEWSCRAWL_DEFAULT_FEED": "o"}))
        crawler.addons.load_settings(crawler.settings)  # as the crawl's set-up does
        scheduler = crawler.settings["SCHEDULER"]
        assert (scheduler == "newscrawl.distributed.rediscrawl.Scheduler") is wired, spidercls
        # A worker's default feed carries its id (the distributed add-on runs first).
        feeds = list(crawler.settings.getdict("FEEDS"))
        assert feeds == ([f"o.{crawler.settings['NEWSCRAWL_WORKER_ID']}"] if wired else [])


def test_an_unwritable_default_feed_stops_the_run_before_any_request(tmp_path: Path) -> None:
    """The default feed comes from an add-on, applied as the crawl starts; the feed
    check before the first request still sees it."""
    (tmp_path / "not-a-dir").write_text("a file where the output folder should be")
    requested: list[str] = []
    config = _site(tmp_path / "www")
    with serve(tmp_path / "www", requested=requested) as origin:
        result = subprocess.run(
            [
                sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"config={config}",
                "-a", f"base_url={origin}",
                "-s", f"NEWSCRAWL_DEFAULT_FEED={tmp_path / 'not-a-dir' / '%(name)s.jsonl'}",
                "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
            ],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr[-3000:]
    assert "not-a-dir" in result.stderr and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr
    assert requested == []
