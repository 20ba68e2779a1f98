"""A site declared in TOML instead of Python: an operator adds a site without code.

The file holds what a site module declares; :func:`load_site` turns it into the same
``NewsSpider`` subclass a module would be, so both take one code path::

    name = "example"
    origin = "https://www.example.com"
    domains = ["example.com"]
    article_url = '^/news/\\d+'            # regex on the URL path

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
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from newscrawl.extraction.rules import SiteRules
from newscrawl.spiders.base import Edition, NewsSpider

_RULE_FIELDS = {
    f.name for f in fields(SiteRules) if f.init and f.name not in {"name", "postprocess"}
}
_EDITION_FIELDS = {f.name for f in fields(Edition)}


class SiteConfigError(ValueError):
    pass


_LIST_FIELDS = {f.name for f in fields(SiteRules) if f.default == ()} | {
    "feeds", "sitemaps", "sections", "domains"
}  # fmt: skip


def _tuple(value: Any, key: str) -> Any:
    """TOML lists as the tuples a site module declares; other values as they are."""
    if key in _LIST_FIELDS and not isinstance(value, list):
        raise SiteConfigError(f"{key} must be a list, got {value!r}")
    return tuple(value) if isinstance(value, list) else value


def site_from_config(data: dict[str, Any], source: str = "config") -> type[NewsSpider]:
    """A NewsSpider subclass from a parsed site declaration."""
    missing = [key for key in ("name", "origin", "domains", "editions") if key not in data]
    if missing:
        raise SiteConfigError(f"{source}: missing {', '.join(missing)}")
    unknown_rules = set(data.get("rules", {})) - _RULE_FIELDS
    if unknown_rules:
        raise SiteConfigError(f"{source}: unknown rules {', '.join(sorted(unknown_rules))}")
    editions = {}
    for key, edition in data["editions"].items():
        unknown = set(edition) - _EDITION_FIELDS
        if unknown:
            raise SiteConfigError(f"{source}: edition {key}: unknown {', '.join(sorted(unknown))}")
        editions[key] = Edition(**{k: _tuple(v, k) for k, v in edition.items()})
    declared: dict[str, Any] = {k: _tuple(v, k) for k, v in data.get("rules", {}).items()}
    rules = SiteRules(name=data["name"], **declared)
    attributes = {
        "name": data["name"],
        "origin": data["origin"].rstrip("/"),
        "domains": _tuple(data["domains"], "domains"),
        "editions": editions,
        "article_url": data.get("article_url", ""),
        "robots_sitemaps": bool(data.get("robots_sitemaps", True)),
        "rules": rules,
    }
    return type(f"Configured_{data['name']}", (NewsSpider,), attributes)


def load_site(path: str | Path) -> type[NewsSpider]:
    with Path(path).open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise SiteConfigError(f"{path}: {exc}") from exc
    return site_from_config(data, str(path))
