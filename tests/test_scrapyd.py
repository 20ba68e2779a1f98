"""A real scrapyd on 127.0.0.1 with the project deployed as an egg, driven over HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from newscrawl.fixtureserver import PROJECT_ROOT

from .localservers import free_port


def build_egg(workdir: Path) -> Path:
    """The egg, built as a user deploys: ``scrapyd-deploy --build-egg`` (the deploy extra),
    which runs ``setup.py bdist_egg`` with this environment's setuptools. On a copy of
    the project, as it writes a setup.py and build folders where scrapy.cfg is."""
    source = workdir / "project"
    source.mkdir()
    for name in ("scrapy.cfg", "pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    shutil.copytree(PROJECT_ROOT / "newscrawl", source / "newscrawl",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    egg = workdir / "newscrawl.egg"
    deploy = Path(sys.executable).parent / "scrapyd-deploy"
    built = subprocess.run(
        [str(deploy), "--build-egg", str(egg), "--debug"], cwd=source,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return egg


def post(url: str, fields: dict[str, str], files: dict[str, Path] | None = None) -> Any:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, path in (files or {}).items():
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + path.read_bytes()
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


@pytest.fixture
def scrapyd(tmp_path: Path) -> Any:
    if shutil.which("scrapyd", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("scrapyd is not installed in this environment")
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
        "poll_interval = 0.5\n"
    )
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "scrapyd")], cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                get(origin + "/daemonstatus.json")
                break
            except OSError:
                time.sleep(0.2)
        yield origin, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_scheduled_through_scrapyd(scrapyd: Any, site_origin: str) -> None:
    origin, workdir = scrapyd
    egg = build_egg(workdir)
    added = post(
        origin + "/addversion.json", {"project": "newscrawl", "version": "1"}, {"egg": egg}
    )
    assert added["status"] == "ok", added
    assert "arabstoday" in get(origin + "/listspiders.json?project=newscrawl")["spiders"]
    job = post(origin + "/schedule.json", {
        "project": "newscrawl", "spider": "arabstoday", "base_url": site_origin,
        "setting": "DOWNLOAD_DELAY=0",
    })  # fmt: skip
    assert job["status"] == "ok", job
    for _ in range(600):
        jobs = get(origin + "/listjobs.json?project=newscrawl")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail("scrapyd job did not finish")
    feeds = sorted((workdir / "output" / "arabstoday").glob("*.jsonl"))
    log = next((workdir / "logs").rglob("*.log")).read_text("utf-8")
    assert len(feeds) == 1, log[-3000:]
    records = [json.loads(line) for line in feeds[0].read_text("utf-8").splitlines()]
    assert len(records) >= 13 and all(r["site"] == "arabstoday" for r in records)
    report = json.loads(feeds[0].with_name(feeds[0].stem + ".report.json").read_text("utf-8"))
    assert report["exit_code"] == 0 and report["articles_emitted"] == len(records)
    latest = json.loads((feeds[0].parent / "latest").read_text("utf-8"))
    assert latest["feed"] == str(feeds[0])
