"""`scrapy demo` from a built wheel, installed in a fresh venv outside the checkout.

SLOW (about a minute: a wheel build and a venv with every dependency installed from
the package index), and the only test that does this: the fixture site must ship
as package data, or the demo from a wheel has nothing to serve.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.fixtureserver import PROJECT_ROOT


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, (
        f"{command}: {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


@pytest.mark.slow
def test_demo_from_a_built_wheel_in_a_fresh_venv(tmp_path: Path) -> None:
    # From a copy: setuptools leaves build/ where it builds, and a stale build/ of the
    # checkout would go into later wheels.
    source = tmp_path / "source"
    shutil.copytree(PROJECT_ROOT / "newscrawl", source / "newscrawl",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist",
        source, cwd=tmp_path)  # fmt: skip
    [wheel] = (tmp_path / "dist").glob("newscrawl-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin" / "pip", "install", "-q", wheel, cwd=tmp_path)
    user = tmp_path / "elsewhere"  # no scrapy.cfg here or above: the settings as documented
    user.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["SCRAPY_SETTINGS_MODULE"] = "newscrawl.settings"
    out = run(venv / "bin" / "scrapy", "demo", cwd=user, env=env)
    assert "/site-packages/newscrawl/fixture_site/www at http://127.0.0.1:" in out
    [feed] = (user / "output" / "demo").glob("*.jsonl")
    records = feed.read_text("utf-8").splitlines()
    assert len(records) >= 13 and f"wrote {len(records)} articles" in out
    assert "finish reason: finished" in out
