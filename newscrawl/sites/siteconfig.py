"""A site declared in TOML instead of Python: an operator adds a site without code.

The file holds what a site module declares; :func:`load_site` turns it into the same
:class:`~newscrawl.sites.spec.SiteSpec` a module declares, so both take one code path::

    name = "example"
    origin = "https://www.example.com"
    domains = ["example.com"]
    article_url = '^/news/\\d+'            # regex on the URL's path and query

    [editions.en]
    language = "en"
    path = "/"
    feeds = ["/rss"]
    sitemaps = []
    sections = ["/news", "/world"]

    [rules]                                 # any SiteRules field
    body_selectors = [".article-body"]
    noise_selectors = [".related", ".share"]
    noise_patterns = []
    date_formats = ["%d %B %Y %H:%M"]
    timezone = "Asia/Amman"

    [learned]                               # optional: written by `scrapy learn`
    pages = 8                               # how each body selector places a page
    [[learned.layouts]]                     # (newscrawl.extraction.template.model.Layout):
    body = ".article-body"                  # bodies then say extraction: "learned", and
    single = true                           # the generic extractor takes the pages no
    share = 0.8                             # layout places
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError
from parsel import Selector

from newscrawl.extraction.dates import zone
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.template.model import Template
from newscrawl.sites.spec import Edition, SiteSpec

# Not from TOML: the name (the site's), and the Python hooks.
_PYTHON_ONLY = {"name", "overrides", "printed_date_parser"}
_RULE_FIELDS = {f.name for f in fields(SiteRules) if f.init and f.name not in _PYTHON_ONLY}
_EDITION_FIELDS = {f.name for f in fields(Edition)}
_TOP_FIELDS = {
    "name", "origin", "domains", "editions", "article_url", "robots_sitemaps", "rules", "learned"
}  # fmt: skip


class SiteConfigError(ValueError):
    """A site declaration that cannot be used; the message is one line for a user."""


_LIST_FIELDS = {f.name for f in fields(SiteRules) if f.default == ()} | {
    "feeds", "sitemaps", "sections", "domains"
}  # fmt: skip


def _tuple(value: Any, key: str, source: str = "config") -> Any:
    """TOML lists as the tuples a site module declares; other values as they are."""
    if key in _LIST_FIELDS and not isinstance(value, list):
        raise SiteConfigError(f"{source}: {key} must be a list, got {value!r}")
    return tuple(value) if isinstance(value, list) else value


# The name becomes file names (output/<name>/, the lock beside the state store): no
# separators, no dots, so a config can never write outside its folders.
_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
_REGEX_FIELDS = ("noise_patterns", "title_affixes")


def _refuse_unknown(given: Any, known: set[str], where: str) -> None:
    """A mistyped key would silently be ignored (a site without its date formats):
    refuse it and suggest the closest valid one, as for `-a` typos."""
    for key in sorted(set(given) - known):
        close = difflib.get_close_matches(key, sorted(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SiteConfigError(f"{where}: unknown key {key!r}{hint}")


def _check_declaration(data: dict[str, Any], source: str) -> None:
    """Values a site module would get right by review: checked here, each error naming
    its field, before any of them reaches a crawl."""
    name = data["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise SiteConfigError(
            f"{source}: name must be a plain identifier (a-z, 0-9, _), got {name!r}"
        )
    origin = data["origin"]
    parts = urlsplit(origin) if isinstance(origin, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteConfigError(f"{source}: origin must be an http(s) URL, got {origin!r}")
    if not isinstance(data["editions"], dict) or not data["editions"]:
        raise SiteConfigError(f"{source}: editions must be tables like [editions.en]")
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise SiteConfigError(f"{source}: rules must be a table [rules]")
    timezone = rules.get("timezone", "UTC")
    try:  # an unknown zone would otherwise fail every page's dates, one by one
        zone(timezone)
    except (ValueError, TypeError, KeyError, AttributeError, OSError):  # KeyError: not found
        raise SiteConfigError(
            f"{source}: rules.timezone: unknown time zone {timezone!r} (an IANA name "
            "such as 'Asia/Beirut' or 'UTC')"
        ) from None
    patterns = [("article_url", data.get("article_url", ""))]
    for key in _REGEX_FIELDS:
        value = rules.get(key, [])
        patterns += [(f"rules.{key}", p) for p in (value if isinstance(value, list) else [value])]
    for key, pattern in patterns:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise SiteConfigError(f"{source}: {key}: bad regex {pattern!r} ({exc})") from None
    probe = Selector(text="<html></html>")
    for key in (k for k in rules if k.endswith("_selectors")):
        for css in rules[key] if isinstance(rules[key], list) else ():
            try:
                probe.css(css)
            except (SelectorError, ValueError, TypeError) as exc:
                raise SiteConfigError(f"{source}: rules.{key}: bad CSS {css!r} ({exc})") from None


def site_from_config(data: dict[str, Any], source: str = "config") -> SiteSpec:
    """The site spec of a parsed site declaration."""
    missing = [key for key in ("name", "origin", "domains", "editions") if key not in data]
    if missing:
        raise SiteConfigError(f"{source}: missing {', '.join(missing)}")
    _refuse_unknown(data, _TOP_FIELDS, source)
    _check_declaration(data, source)
    _refuse_unknown(data.get("rules", {}), _RULE_FIELDS, f"{source}: [rules]")
    editions = {}
    for key, edition in data["editions"].items():
        if not isinstance(edition, dict):
            raise SiteConfigError(f"{source}: edition {key} must be a table [editions.{key}]")
        _refuse_unknown(edition, _EDITION_FIELDS, f"{source}: [editions.{key}]")
        try:
            editions[key] = Edition(**{k: _tuple(v, k, source) for k, v in edition.items()})
        except TypeError as exc:  # e.g. no language
            raise SiteConfigError(f"{source}: edition {key}: {exc}") from None
    declared: dict[str, Any] = {k: _tuple(v, k, source) for k, v in data.get("rules", {}).items()}
    try:
        rules = SiteRules(name=data["name"], **declared)
    except (TypeError, ValueError, re.error) as exc:
        raise SiteConfigError(f"{source}: rules: {exc}") from None
    template = None
    if "learned" in data:  # written by `scrapy learn`: how each layout places a page
        try:
            template = Template.from_declaration(rules, data["origin"], data["learned"])
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise SiteConfigError(f"{source}: [learned]: {exc!r}") from None
    return SiteSpec(
        name=data["name"],
        origin=data["origin"],
        domains=_tuple(data["domains"], "domains", source),
        editions=editions,
        article_url=data.get("article_url", ""),
        robots_sitemaps=bool(data.get("robots_sitemaps", True)),
        rules=rules,
        sources=source,
        template=template,
    )


def load_site(path: str | Path) -> SiteSpec:
    """The site a TOML file declares; SiteConfigError (one line: the file, and the line
    or the field at fault) for a file that is missing, malformed or declares nonsense."""
    try:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:  # its message names line and column
        raise SiteConfigError(f"config {path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise SiteConfigError(f"config {path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise SiteConfigError(f"config {path}: cannot read it ({exc.strerror})") from None
    return site_from_config(data, f"config {path}")
