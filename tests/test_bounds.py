"""Bounded work: limit=N bounds discovery, big feeds and sitemaps are read streaming,
a refused feed or sitemap fails the run's verdict, and two spiders sharing one state
store never emit one article twice. Each case is a subprocess crawl against a site
served on 127.0.0.1 (tests/faultserver.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from newscrawl.fixtureserver import PROJECT_ROOT

from .crawlrun import FAST, path_of
from .faultserver import FaultSite, make_article, serve

CONFIG = Path(__file__).parent / "sites_config" / "arabstoday.toml"


# -- two spiders, one state store ------------------------------------------------------


class Rendezvous(FaultSite):
    """Answers an article only once both crawls asked for it: their records of it then
    reach the pipelines at the same moment, the race two spiders on one store run."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.arrived: Counter[str] = Counter()
        self.both = threading.Condition()

    def record(self, path: str, attempt: int, proxy_authorization: str | None) -> None:
        super().record(path, attempt, proxy_authorization)
        if path not in self.by_path:
            return
        with self.both:
            self.arrived[path] += 1
            self.both.notify_all()
            self.both.wait_for(lambda: self.arrived[path] >= 2, timeout=10)


def test_two_spiders_on_one_store_emit_each_article_once(tmp_path: Path) -> None:
    """`arabstoday` and a TOML declaration of the same site under another name crawl
    at the same time on one state store."""
    articles = [make_article(500_000 + i) for i in range(30)]
    site = Rendezvous(articles)
    config = tmp_path / "copy.toml"
    config.write_text(
        CONFIG.read_text("utf-8").replace('name = "arabstoday"', 'name = "arabstoday_copy"'),
        "utf-8",
    )
    state = tmp_path / "state.sqlite3"
    with serve(site) as origin:
        runs = []
        for spider, extra in (("arabstoday", ()), ("news", ("-a", f"config={config}"))):
            out = tmp_path / f"{spider}.jsonl"
            command = [
                sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(out),
                "-a", f"base_url={origin}", *FAST, "-s", f"NEWSCRAWL_STATE_PATH={state}",
                *extra,
            ]  # fmt: skip
            log = (tmp_path / f"{spider}.log").open("w")
            runs.append((out, log, subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=log)))
        codes = [process.wait(timeout=300) for _, _, process in runs]
        for _, log, _ in runs:
            log.close()
    logs = "".join((tmp_path / f"{s}.log").read_text() for s in ("arabstoday", "news"))
    assert codes == [0, 0], logs[-4000:]
    emitted: Counter[str] = Counter()
    for out, _, _ in runs:
        for line in out.read_text("utf-8").splitlines():
            emitted[path_of(json.loads(line))] += 1
    assert set(emitted) == {a.path for a in articles}
    assert [path for path, count in emitted.items() if count > 1] == []


def test_claims_are_released_with_their_run(tmp_path: Path) -> None:
    from newscrawl.state import SQLiteStore

    path = tmp_path / "state.sqlite3"
    first, second = SQLiteStore(path), SQLiteStore(path)
    assert first.claim("k") and first.claim("k")
    assert not second.claim("k")  # held by a live run
    first.close()  # its run ended: its claims go
    assert second.claim("k")
    # A run that died (no such process) holds nothing.
    second.db.execute("UPDATE claims SET pid = 2147483646, run = 'dead'")
    third = SQLiteStore(path)
    assert third.claim("k")
    second.close()
    third.close()
