"""Usage errors are one line and exit 2; a broken state store is one line and exit 10;
a lock that cannot be taken (symlinks included) is exit 7. Run as a user runs them."""

from __future__ import annotations

import fcntl
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl import exitcodes
from newscrawl.fixtureserver import PROJECT_ROOT

from .crawlrun import crawl

ARABSTODAY_TOML = PROJECT_ROOT / "tests" / "sites_config" / "arabstoday.toml"


def scrapy(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=cwd, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The only stderr line: no banner, no usage block, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith("error: ")
    return lines[0]


# -- bad -a arguments, unknown spiders -----------------------------------------------


@pytest.mark.parametrize(
    ("spider", "argument", "expected"),
    [
        ("arabstoday", "since=yesterday", "since must be a date YYYY-MM-DD, got 'yesterday'"),
        ("arabstoday", "limit=abc", "limit must be a whole number >= 0"),
        ("arabstoday", "limit=-3", "limit must be a whole number >= 0"),
        ("arabstoday", "max_pages=many", "max_pages must be a whole number"),
        ("arabstoday", "edition=fr", "unknown edition fr for arabstoday; choose from en, ar"),
        ("arabstoday", "base_url=not a url", "base_url must be an http(s) origin"),
        ("arabstoday", "base_url=ftp://x", "base_url must be an http(s) origin"),
        ("arabstoday", "recrawl=maybe", "recrawl must be 1 or 0"),
        ("arabstoday", "role=boss", "role must be one of all, seed, worker"),
        ("arabstoday", "sinse=2024-01-01", "unknown argument 'sinse' for spider arabstoday "
                                           "(did you mean since?)"),
        ("arabstoday", "name=../../tmp/x", "unknown argument 'name' for spider arabstoday"),
        ("news", "site=ftp://example.com", "site must be http(s) URLs, got 'ftp://example.com'"),
        ("news", "feeds=https://example.com/rss,rss.xml", "feeds must be http(s) URLs"),
        ("news", "sitemap=https://example.com/s.xml", "(did you mean sitemaps?)"),
        ("news", "config=/nonexistent/site.toml", "config /nonexistent/site.toml: cannot read"),
        ("news", f"config={ARABSTODAY_TOML}", None),  # valid: then edition is checked on it
    ],
)  # fmt: skip
def test_bad_spider_arguments_are_one_line_exit_2(
    tmp_path: Path, spider: str, argument: str, expected: str | None
) -> None:
    extra = ("-a", "edition=fr") if expected is None else ()
    result = scrapy("crawl", spider, "-a", argument, *extra,
                    "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}")  # fmt: skip
    assert result.returncode == exitcodes.USAGE, result.stderr[-3000:]
    line = one_line(result)
    assert (expected or "unknown edition fr for arabstoday; choose from en, ar") in line
    assert not (tmp_path / "state.sqlite3").exists()  # refused before anything is opened


def test_unknown_spider_suggests_the_closest(tmp_path: Path) -> None:
    result = scrapy("crawl", "arabtoday")
    assert result.returncode == exitcodes.USAGE
    assert "unknown spider 'arabtoday' (did you mean arabstoday?)" in one_line(result)


def test_scheduler_arguments_are_still_accepted() -> None:
    """scrapyd passes -a _job=...; a NewsSpider takes names starting with _ as Scrapy does."""
    from newscrawl.sites.registry import site_spiders
    ArabsTodaySpider = site_spiders()["arabstoday"]

    ArabsTodaySpider.check_arguments({"_job": "abc", "since": "2024-01-01", "role": "seed"})
    spider = ArabsTodaySpider(_job="abc", limit="0", recrawl="yes")
    assert spider.limit is None and spider.recrawl


# -- TOML site declarations -------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, "utf-8")
    return path


GOOD = ARABSTODAY_TOML.read_text("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name = "x"\norigin = "https://x.example"\ndomains = [x.example]\n', "line 3"),
        (GOOD.replace('name = "arabstoday"', 'name = "../../../tmp/x"'),
         "name must be a plain identifier (a-z, 0-9, _), got '../../../tmp/x'"),
        (GOOD.replace('name = "arabstoday"', 'name = "Arabs Today"'), "plain identifier"),
        (GOOD.replace('origin = "https://www.arabstoday.net"', 'origin = "ftp://x"'),
         "origin must be an http(s) URL"),
        (GOOD.replace("article_url = '", "article_url = '(?P<"), "article_url: bad regex"),
        (GOOD.replace("noise_patterns = ['", "noise_patterns = ['[a-"),
         "rules.noise_patterns: bad regex"),
        (GOOD.replace("body_selectors = ['", "body_selectors = ['div[[', '"),
         "rules.body_selectors: bad CSS"),
        (GOOD.replace('language = "en"\n', ""), "edition en"),
        (GOOD.replace("noise_patterns = [", 'noise_patterns = "[a-"\nx = ['),
         "rules.noise_patterns: bad regex '[a-'"),
        (GOOD.replace('domains = ["arabstoday.net"]', 'domains = "arabstoday.net"'),
         "domains must be a list"),
        (GOOD.replace('timezone = "UTC"', 'timezone = "Mars/Olympus"'),
         "rules.timezone: unknown time zone 'Mars/Olympus'"),
        ("bogus_key = 1\n" + GOOD, "unknown key 'bogus_key'"),
        ("robot_sitemaps = false\n" + GOOD,
         "unknown key 'robot_sitemaps' (did you mean robots_sitemaps?)"),
        (GOOD.replace("date_formats =", "date_format ="),
         "[rules]: unknown key 'date_format' (did you mean date_formats?)"),
        (GOOD.replace('path = "/ar/"', 'paht = "/ar/"'),
         "[editions.ar]: unknown key 'paht' (did you mean path?)"),
    ],
)  # fmt: skip
def test_bad_site_config_is_one_line_naming_file_and_place(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = _config(tmp_path, text)
    result = scrapy("crawl", "news", "-a", f"config={path}",
                    "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}")  # fmt: skip
    assert result.returncode == exitcodes.USAGE, result.stderr[-3000:]
    line = one_line(result)
    assert f"config {path}" in line and expected in line


def test_config_name_cannot_write_outside_output(tmp_path: Path) -> None:
    """The name becomes output/<name>/ and the lock's file name: `..` never gets there."""
    escape = tmp_path / "escaped"
    path = _config(tmp_path, GOOD.replace('name = "arabstoday"', f'name = "../../../{escape}"'))
    result = scrapy("crawl", "news", "-a", f"config={path}", cwd=tmp_path)
    assert result.returncode == exitcodes.USAGE
    assert not escape.exists() and not (tmp_path / "output").exists()


# -- the state store ----------------------------------------------------------------------


def _corrupt(path: Path, kind: str) -> None:
    if kind == "garbage":
        path.write_bytes(b"this is not a database \x00\xff" * 500)
    elif kind == "truncated":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE t (x TEXT)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 2000)
        db.commit()
        db.close()
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(b"")


@pytest.mark.parametrize("kind", ["garbage", "truncated", "empty"])
def test_corrupt_state_store_is_one_line_exit_10_before_any_request(
    site_origin: str, tmp_path: Path, kind: str
) -> None:
    state = tmp_path / "state.sqlite3"
    _corrupt(state, kind)
    run = crawl(site_origin, tmp_path)
    assert run.code == exitcodes.STATE_CORRUPT, run.log[-3000:]
    lines = run.log.strip().splitlines()
    assert len(lines) == 1 and str(state) in lines[0] and "move it aside" in lines[0], run.log
    assert run.stats == {} and run.records == []  # the crawl never started

    result = scrapy("state", "stats", "-s", f"NEWSCRAWL_STATE_PATH={state}")
    assert result.returncode == exitcodes.STATE_CORRUPT
    assert str(state) in one_line(result)


def test_state_command_refuses_paths_that_are_no_store(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "state.sqlite3"
    result = scrapy("state", "stats", "-s", f"NEWSCRAWL_STATE_PATH={missing}")
    assert result.returncode == exitcodes.USAGE
    assert f"NEWSCRAWL_STATE_PATH={missing}: no such file" in one_line(result)
    assert not missing.parent.exists()  # nothing created on a typo
    result = scrapy("state", "stats", "-s", f"NEWSCRAWL_STATE_PATH={tmp_path}")
    assert result.returncode == exitcodes.USAGE
    assert "is a directory" in one_line(result)
    result = scrapy("state", "prune", "--older-than", "soon", "-s",
                    f"NEWSCRAWL_STATE_PATH={tmp_path}")  # fmt: skip
    assert result.returncode == exitcodes.USAGE and "90d" in one_line(result)


def test_crawl_refuses_a_state_path_it_cannot_open(tmp_path: Path) -> None:
    result = scrapy("crawl", "arabstoday", "-s", f"NEWSCRAWL_STATE_PATH={tmp_path}")
    assert result.returncode == exitcodes.USAGE
    assert f"NEWSCRAWL_STATE_PATH={tmp_path}: cannot open" in one_line(result)


# -- the crawl lock ---------------------------------------------------------------------


def test_lock_holds_through_a_symlinked_state_path(site_origin: str, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    (tmp_path / "work").mkdir()
    lock = real / "state.sqlite3.arabstoday.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write("pid 12345 since test")
        handle.flush()
        # Same store through a symlinked folder, and through a symlink to the file.
        (tmp_path / "alias.sqlite3").symlink_to(real / "state.sqlite3")
        for state in (tmp_path / "linked" / "state.sqlite3", tmp_path / "alias.sqlite3"):
            run = crawl(site_origin, tmp_path / "work", "-s", f"NEWSCRAWL_STATE_PATH={state}")
            assert run.code == exitcodes.LOCKED, run.log[-3000:]
            assert run.records == []


def test_lock_that_cannot_be_created_exits_locked(site_origin: str, tmp_path: Path) -> None:
    (tmp_path / "state.sqlite3.arabstoday.lock").mkdir()  # where the lock file must go
    run = crawl(site_origin, tmp_path)
    assert run.code == exitcodes.LOCKED, run.log[-3000:]
    assert run.lines_about("Cannot create the lock", "ERROR")
    assert run.records == [] and run.stat("response_received_count") == 0


def test_reextract_checks_spider_arguments_too(tmp_path: Path) -> None:
    warc = tmp_path / "archive.warc.gz"
    warc.write_bytes(b"")
    result = scrapy("reextract", str(warc), "--spider", "arabstoday", "-a", "limit=x")
    assert result.returncode == exitcodes.USAGE
    assert "limit must be a whole number" in result.stderr and "Traceback" not in result.stderr


def test_a_new_store_opened_by_many_at_once_is_never_seen_empty(tmp_path: Path) -> None:
    """A new store appears whole, so runs starting together never take it for a 0-byte
    (refused) one."""
    from concurrent.futures import ThreadPoolExecutor

    from newscrawl.storage.state import SQLiteStore

    def open_and_count(path: Path) -> int:
        store = SQLiteStore(path)
        try:
            return store.stats()["articles"]
        finally:
            store.close()

    for attempt in range(5):
        path = tmp_path / str(attempt) / "state.sqlite3"
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(open_and_count, [path] * 8)) == [0] * 8
        assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


# -- commands without what they need say what they need ----------------------------------


@pytest.mark.parametrize("args", [(), ("bogus",)])
def test_state_without_a_known_subcommand_names_them(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = scrapy("state", *args, "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 's.sqlite3'}")
    assert result.returncode == exitcodes.USAGE
    line = one_line(result)
    assert "stats, forget URL [URL ...], prune --older-than 90d" in line
    assert ("unknown subcommand 'bogus'" in line) == bool(args)


def test_crawl_without_a_spider_is_one_line_without_banner() -> None:
    result = scrapy("crawl")
    assert result.returncode == exitcodes.USAGE
    assert one_line(result) == "error: give one spider name; `scrapy list` shows them"
    assert "Scrapy" not in result.stdout + result.stderr  # no log banner
