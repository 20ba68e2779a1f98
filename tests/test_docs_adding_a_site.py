"""docs/adding-a-site.md, run as written: its commands give what it shows."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from newscrawl.fixtureserver import PROJECT_ROOT

from .sitepages import site_problems

DOC = PROJECT_ROOT / "docs" / "adding-a-site.md"


def doc_commands() -> list[list[str]]:
    """The shell commands of the walk-through (continuation lines joined), split."""
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text("utf-8"), re.DOTALL)
    lines = "\n".join(blocks).replace("\\\n", " ").splitlines()
    return [shlex.split(line) for line in lines if line.strip()]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *command[1:]],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_walk_through_runs_as_written(tmp_path: Path) -> None:
    commands = doc_commands()
    [copy] = [c for c in commands if c[0] == "cp"]  # the offline way to save the page
    target = tmp_path / copy[2]
    target.parent.mkdir(parents=True)
    shutil.copyfile(PROJECT_ROOT / copy[1], target)
    text = DOC.read_text("utf-8")

    [extract] = [c for c in commands if c[:2] == ["scrapy", "extract"]]
    result = run(extract, tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    fields = ("site", "title", "authors", "published", "published_raw", "section", "tags")
    for field in (*fields, "extraction"):
        assert f'"{field}": {json.dumps(record[field], ensure_ascii=False)}' in text, field
    assert record["body"][:80] in text

    [golden] = [c for c in commands if c[:2] == ["scrapy", "golden"] and "--url" in c]
    result = run(golden, tmp_path)
    assert result.returncode == 0, result.stderr
    written = json.loads((tmp_path / golden[golden.index("-o") + 1]).read_text("utf-8"))
    assert f"and the {len(written[0]['noise'])} noise strings by hand" in text
    assert written[0]["page"] == target.name and written[0]["expected"] == record
    shown = re.search(r'"noise": \[\n(.*?)\n\]', text, re.DOTALL)
    assert shown is not None
    for line in shown.group(1).splitlines():
        if line.strip() != "...":
            assert json.loads(line.strip().rstrip(",")) in written[0]["noise"], line
    assert site_problems("arabstoday", tmp_path / "tests" / "sites") == []
