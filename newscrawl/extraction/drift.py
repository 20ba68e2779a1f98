"""Layout drift: is a site extraction still good, or did the site change its markup?

A site record is checked right after extraction; when its selectors failed on the
page the crawl extracts the page again with the generic extractor (``fallback``).

>>> from newscrawl.extraction.rules import SiteRules
>>> layout_problems({"title": "T", "body": "x" * 300}, "selector", SiteRules())
[]
>>> layout_problems({"title": None, "body": "short"}, "heuristic", SiteRules())
['body_selectors_missed', 'short_body', 'no_title']
"""

from __future__ import annotations

from typing import Any

from newscrawl.extraction.rules import SiteRules


def layout_problems(record: dict[str, Any], method: str, rules: SiteRules) -> list[str]:
    """Why the site's selectors did not give a good record (empty: they did)."""
    problems = []
    if method != "selector":
        problems.append("body_selectors_missed")
    if len(record.get("body") or "") < rules.min_body_chars:
        problems.append("short_body")
    if not record.get("title"):
        problems.append("no_title")
    return problems
