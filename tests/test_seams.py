"""Typed seams between the rooms, as a user meets them: a site declared in TOML gets
its boilerplate cleaning; the distributed wiring is an add-on, not a spider side effect."""

from __future__ import annotations

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
