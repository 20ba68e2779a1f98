"""Every declared dependency imports, at the declared version, before any command runs.

An install can lack a part pip did not bring (lxml's html-clean half, without which
trafilatura does not import), or another package can hold a library below our floor
(cssselect < 1.6 cannot parse a site's selectors). The code would then fail on the
first page of some site, hours into a run, or take a quieter path. So every project
command (``newscrawl/commands/__init__.py``) calls :func:`require` first: one line on
stderr naming the package and the error, exit ``MISSING_DEPENDENCY``. There is no
fallback for a hard dependency.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import sys
from collections.abc import Iterable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from newscrawl.exitcodes import MISSING_DEPENDENCY

# Distribution -> the module that proves it works. One entry per [project]
# dependency in pyproject.toml (tests/test_install.py holds them equal).
MODULES = {
    "scrapy": "scrapy",
    "parsel": "parsel",
    "cssselect": "cssselect",
    "w3lib": "w3lib",
    "itemadapter": "itemadapter",
    "lxml": "lxml.html",
    "lxml-html-clean": "lxml_html_clean",
    "dateparser": "dateparser",
    "fastjsonschema": "fastjsonschema",
    "numpy": "numpy",
    "warcio": "warcio",
    "spidermon": "spidermon",
    "scrapy-redis": "scrapy_redis",
    "redis": "redis",
    "trafilatura": "trafilatura",
    "packaging": "packaging",
    "rich": "rich",
    "py3langid": "py3langid",
}


def declared() -> list[str]:
    """The requirements newscrawl's installed metadata declares, extras left out.
    (Run from a source tree that was never installed: the names above, unversioned.)"""
    try:
        found = metadata.requires("newscrawl")
    except metadata.PackageNotFoundError:
        found = None
    return list(MODULES) if found is None else found


def _one_line(error: BaseException) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


def problems(requirements: Iterable[str] | None = None) -> list[str]:
    """What is wrong with the installed dependencies, one sentence each."""
    found: list[str] = []
    for line in declared() if requirements is None else requirements:
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            found.append(f"unreadable requirement {line!r}: {error}")
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an extra's, or another platform's
        name = canonicalize_name(requirement.name)
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            found.append(f"{requirement.name} is not installed (newscrawl needs {requirement})")
            continue
        if requirement.specifier and not requirement.specifier.contains(version, prereleases=True):
            found.append(
                f"{requirement.name} {version} is installed, newscrawl needs {requirement}"
            )
            continue
        module = MODULES.get(name, name.replace("-", "_"))
        try:
            importlib.import_module(module)
        except Exception as error:  # ImportError, or whatever its own imports raise
            found.append(f"{requirement.name} {version} fails to import: {_one_line(error)}")
    return found


def require() -> None:
    """Stop here, with one line and exit 12, unless every dependency is usable."""
    found = problems()
    if found:
        print(
            f"newscrawl: missing dependency: {found[0]}"
            + (f" (and {len(found) - 1} more)" if len(found) > 1 else "")
            + "; reinstall newscrawl with its dependencies",
            file=sys.stderr,
        )
        raise SystemExit(MISSING_DEPENDENCY)
