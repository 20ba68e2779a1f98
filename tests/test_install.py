"""Install truth: what pyproject.toml declares is what the code needs, and a broken
install stops every command at start with one line (exit 12), never a quieter path."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
from lxml import html as lxml_html
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from newscrawl.dependencies import MODULES, problems
from newscrawl.exitcodes import MISSING_DEPENDENCY
from newscrawl.extraction.body import compiled_css
from newscrawl.extraction.rules import SiteRules
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.sites.registry import site_spiders
from newscrawl.sites.siteconfig import load_site

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))
SELECTOR_FIELDS = [f.name for f in fields(SiteRules) if f.name.endswith("_selectors")]
# Site files in TOML (newscrawl.sites.siteconfig) wherever the project keeps them.
SITE_TOMLS = sorted(
    path
    for folder in ("tests", "deploy", "docs", "newscrawl")
    for path in (PROJECT_ROOT / folder).rglob("*.toml")
)


def declared_sites() -> list[tuple[str, SiteRules]]:
    sites = [(name, spider.rules) for name, spider in sorted(site_spiders().items())]
    sites += [(path.name, load_site(path).rules) for path in SITE_TOMLS]
    return sites


def test_every_selector_every_site_declares_compiles_with_the_installed_cssselect() -> None:
    """A selector the installed cssselect cannot parse (``ul:has(> li > h4 > a)`` needs
    cssselect 1.6) would fail on the first page of its site: here it fails CI."""
    page = lxml_html.fromstring("<html><body><ul><li><h4><a>x</a></h4></li></ul></body></html>")
    checked: list[str] = []
    failures: list[str] = []
    for site, rules in declared_sites():
        for field in SELECTOR_FIELDS:
            for css in getattr(rules, field):
                try:
                    compiled_css(css)(page)  # as extraction runs it: translated, compiled, run
                except Exception as error:
                    failures.append(f"{site}.{field} {css!r}: {type(error).__name__}: {error}")
                checked.append(css)
    assert not failures, "\n".join(failures)
    assert "ul:has(> li > h4 > a)" in checked  # aljazeera's: the site modules were read
    assert len(SITE_TOMLS) >= 1 and len(checked) > 200


def test_the_start_up_check_covers_every_declared_dependency() -> None:
    """The check's module table and pyproject.toml's dependencies name the same packages."""
    declared = {
        canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]
    }
    assert declared == {canonicalize_name(name) for name in MODULES}


def test_the_installed_dependencies_satisfy_what_is_declared() -> None:
    assert problems() == []


def test_a_version_below_the_floor_or_a_missing_package_is_named() -> None:
    [low, absent] = problems(["cssselect>=99", "no-such-package-newscrawl>=1"])
    assert low.startswith("cssselect ") and low.endswith("newscrawl needs cssselect>=99")
    assert absent == "no-such-package-newscrawl is not installed (newscrawl needs " \
        "no-such-package-newscrawl>=1)"  # fmt: skip
    assert problems(["boto3>=1.20.0; extra == 's3'"]) == []  # an extra is not required


def without_trafilatura(tmp_path: Path) -> dict[str, str]:
    """The environment of a venv whose trafilatura does not import (lxml without
    lxml_html_clean): a module of that name earlier on the path that raises."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "trafilatura.py").write_text(
        'raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")\n'
    )
    return {**os.environ, "PYTHONPATH": str(shadow), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}


@pytest.mark.parametrize(
    "command",
    [
        ["crawl", "arabstoday", "-a", "base_url=http://127.0.0.1:9"],
        ["crawl", "news", "-a", "site=http://127.0.0.1:9"],
        ["extract", "page.html", "--url", "https://www.arabstoday.net/en/news/1/x"],
        ["list"],
        ["demo"],
    ],
    ids=lambda c: c[0] + (f"-{c[1]}" if c[0] == "crawl" else ""),
)
def test_a_dependency_that_fails_to_import_stops_any_command_with_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "page.html").write_text("<html><body><p>x</p></body></html>")
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", *command],
        cwd=tmp_path, env=without_trafilatura(tmp_path),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == MISSING_DEPENDENCY, result.stderr
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("newscrawl: missing dependency: trafilatura ")
    assert "fails to import: ImportError: lxml.html.clean module is now a separate" in line
    # before anything happened: no feed, report, state store or demo output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "shadow"]


def test_the_generic_extractor_has_no_path_without_trafilatura(tmp_path: Path) -> None:
    """The library (``newscrawl.extract``) raises the ImportError; it never falls back
    to another body quietly."""
    script = "import newscrawl; newscrawl.extract('<p>x</p>', 'https://unknown.example/a')"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=without_trafilatura(tmp_path),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("ImportError: lxml.html.clean module")


@pytest.mark.parametrize("ci", ["true", ""])
def test_a_skip_is_a_failure_in_ci(tmp_path: Path, ci: str) -> None:
    """CI has ../shared, redis-server and scrapyd: a test that skips there (at
    collection or in a fixture) hides a broken environment, so it fails instead."""
    (tmp_path / "test_probe.py").write_text(
        "import pytest\n"
        "def test_needs_shared():\n    pytest.skip('needs ../shared (absent here)')\n"
    )
    (tmp_path / "test_probe_module.py").write_text(
        "import pytest\npytest.skip('no redis-server', allow_module_level=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-ra", str(tmp_path)],
        cwd=PROJECT_ROOT, env={**os.environ, "CI": ci}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    if ci:
        assert result.returncode == 1, result.stdout
        assert "skipped in CI (CI=true), which must run it: needs ../shared" in result.stdout
        [line] = [x for x in result.stdout.splitlines() if "which must run them" in x]
        assert line.startswith("FAILED: skipped in CI") and line.endswith("test_probe_module.py")
        assert "1 failed, 1 skipped" in result.stdout
    else:
        assert result.returncode == 0, result.stdout
        assert "2 skipped" in result.stdout and "needs ../shared (absent here)" in result.stdout


def test_demo_without_its_fixture_site_refuses_with_one_line(tmp_path: Path) -> None:
    """A package built without its data: `scrapy demo` says so, it does not crawl nothing."""
    script = (
        "import pathlib, sys, newscrawl.commands.demo as demo\n"
        "demo.FIXTURE_SITE = pathlib.Path(sys.argv[1])\n"
        "from scrapy.cmdline import execute\n"
        "execute(['scrapy', 'demo'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "absent")], cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"scrapy demo: no fixture site at {tmp_path}/absent"]
