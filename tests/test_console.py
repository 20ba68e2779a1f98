"""The console of a crawl (issue 17): quiet by default with progress and the summary
last, Scrapy's full log back with an explicit level, a live bar on a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from scrapy.settings import Settings

from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.ops import console

BANNER = ("Scrapy 2.19.0 started", "Versions:", "Overridden settings", "Enabled extensions",
          "Enabled downloader middlewares", "Enabled item pipelines", "[Spidermon]",
          "Dumping Scrapy stats", "Spider closed")  # fmt: skip
PROGRESS = re.compile(
    r"arabstoday: \d+ pages \(\d+/min\), \d+ articles, \d+ errors, (\d+|\?) queued, "
    r"\d+ in flight"
)


def command(origin: str, workdir: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawl", "arabstoday", "-O", str(workdir / "a.jsonl"),
        "-a", f"base_url={origin}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", f"NEWSCRAWL_STATE_PATH={workdir / 'state.sqlite3'}",
        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0.05", *args,
    ]  # fmt: skip


def crawl(origin: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(origin, workdir, *args), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_default_console_has_progress_and_ends_with_the_summary(
    tmp_path: Path, site_origin: str
) -> None:
    done = crawl(site_origin, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    for banner in BANNER:
        assert banner not in done.stderr, banner
    assert "INFO" not in done.stderr  # warnings and errors only, besides ours
    assert PROGRESS.search(done.stderr), done.stderr[-2000:]
    lines = done.stderr.rstrip().splitlines()
    summary = lines.index("Run summary:")
    assert lines[summary + 1].startswith("arabstoday finished in")
    assert lines[-1] == f"  report {tmp_path / 'a.report.json'}"  # nothing after it
    assert len(lines) - summary == 6


def test_an_explicit_log_level_brings_the_full_log_back(tmp_path: Path, site_origin: str) -> None:
    for n, level in enumerate((["-L", "DEBUG"], ["-s", "LOG_LEVEL=INFO"])):
        (tmp_path / str(n)).mkdir()
        done = crawl(site_origin, tmp_path / str(n), *level)
        assert done.returncode == 0, done.stderr[-3000:]
        for banner in BANNER:
            assert banner in done.stderr, (level, banner)
        assert "[newscrawl.ops.report] INFO: Run summary:" in done.stderr
        assert PROGRESS.search(done.stderr)


def test_live_progress_bar_on_a_terminal(tmp_path: Path, site_origin: str) -> None:
    leader, follower = pty.openpty()
    env = dict(os.environ, TERM="xterm", COLUMNS="200")
    process = subprocess.Popen(
        command(site_origin, tmp_path), cwd=PROJECT_ROOT, env=env,
        stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=300) == 0, shown[-3000:]
    text = shown.decode("utf-8", "replace")
    assert "\x1b[?25l" in text  # the live display hides the cursor while it draws
    assert re.search(r"\d+ pages \(\d+/min\), \d+ articles", text)
    assert not PROGRESS.search(text)  # a bar, not the plain progress lines
    assert text.rstrip().splitlines()[-1].endswith(f"report {tmp_path / 'a.report.json'}")


def test_which_runs_get_the_quiet_console() -> None:
    def quiet(**cmdline: object) -> bool:
        settings = Settings({"LOG_LEVEL": "INFO"}, priority="project")
        settings.setdict(cmdline, priority="cmdline")
        console.apply(settings)
        return console.is_quiet(settings)

    assert quiet()
    assert not quiet(LOG_LEVEL="INFO") and not quiet(LOG_LEVEL="DEBUG")
    assert not quiet(LOG_FILE="scrapyd.log")  # scrapyd's jobs keep the full log
    assert not quiet(LOG_ENABLED=False)  # --nolog: nothing at all
    assert not quiet(NEWSCRAWL_CONSOLE="log")
