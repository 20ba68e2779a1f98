"""The documented Python entry point runs the same spider three times in one process."""

from __future__ import annotations

from pathlib import Path

from newscrawl import exitcodes
from newscrawl.ops.runner import crawl


def test_three_runs_in_a_row_from_one_process(site_origin: str, tmp_path: Path) -> None:
    settings = {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
                "AUTOTHROTTLE_ENABLED": 0, "DOWNLOAD_DELAY": 0}  # fmt: skip
    results = [
        crawl("arabstoday", args={"base_url": site_origin}, settings=settings, cwd=tmp_path)
        for _ in range(3)
    ]
    for result in results:
        assert result.exit_code == exitcodes.OK, result.log[-2000:]
        assert "ReactorNotRestartable" not in result.log
        assert result.report is not None and result.feed.is_file()
        assert result.feed.parent == tmp_path / "output" / "arabstoday"
    assert results[0].report and results[0].report["articles_emitted"] >= 13
    assert [r.report and r.report["articles_emitted"] for r in results[1:]] == [0, 0]
    assert len({r.feed for r in results}) == 3, "each run writes its own feed"
