"""Per-field site quirks: declarative knobs on :class:`SiteRules` and typed hooks.

A site fixes one field at a time, never the whole record (the spirit of Fundus's
``@attribute`` and web-poet's ``@field``)::

    @override("tags")
    def tags(page: Page, value: list[str]) -> list[str]:
        return [tag for tag in value if tag != page.record["title"]]

A hook gets the :class:`Page` (URL, parsed tree, the record as extracted so far, the
edition's language) and the field's value, and returns the new value. Dates are one
field, ``dates`` (:class:`Dates`), because published, its raw text and modified are
found together. A hook that raises loses its own change only (``field_error/<field>``).

The knobs, applied after the hooks, cover the quirks many sites share:
``not_authors`` (the outlet's own name, desks, agencies given as a byline),
``printed_date_selectors`` (read the printed date when nothing else was found) and
``wall_clock_selectors`` (a machine date whose "Z" labels local wall-clock time).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from lxml.html import HtmlElement

from newscrawl.extraction.body import select_all
from newscrawl.extraction.dates import iso, parse_date, zone
from newscrawl.extraction.fields import Dates, Page
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.text import collapse_whitespace

logger = logging.getLogger(__name__)


def _get(record: Mapping[str, Any], name: str) -> Any:
    if name == "dates":
        return Dates(record["published"], record["published_raw"], record["modified"])
    return record[name]


def _set(record: dict[str, Any], name: str, value: Any) -> None:
    if name == "dates":
        record["published"], record["published_raw"], record["modified"] = Dates(*value)
    else:
        record[name] = value


def apply_overrides(
    record: dict[str, Any], root: HtmlElement, rules: SiteRules, language: str | None
) -> list[str]:
    """The site's hooks, then its knobs, on ``record`` in place; notes of hooks that failed."""
    notes: list[str] = []
    url = record["url"]
    for fix in rules.overrides:
        page = Page(url, root, dict(record), language)
        try:
            _set(record, fix.field, fix.hook(page, _get(record, fix.field)))
        except Exception as error:  # a site's bug loses its own change, not the article
            notes.append(f"field_error/{fix.field}")
            logger.warning(
                "Site override of %s failed (%s: %s): %s", fix.field, type(error).__name__,
                error, url,
            )  # fmt: skip
    if rules.not_authors:
        people = {name.casefold() for name in rules.not_authors}
        record["authors"] = [a for a in record["authors"] if a.casefold() not in people]
    if record["published"] is None and rules.printed_date_selectors:
        _printed_date(record, root, rules)
    if rules.wall_clock_selectors:
        _wall_clock(record, root, rules)
    return notes


def _printed_date(record: dict[str, Any], root: HtmlElement, rules: SiteRules) -> None:
    """Read the printed date when nothing else was found (furniture around it or not)."""
    for el in select_all(root, rules.printed_date_selectors):
        raw = collapse_whitespace(el.text_content())
        if rules.printed_date_parser is not None:
            parsed = rules.printed_date_parser(raw) if raw else None
        else:
            parsed = parse_date(raw, rules.date_formats, rules.timezone, use_dateparser=False)
        if parsed:
            record["published"], record["published_raw"] = iso(parsed), raw
            return


def _wall_clock(record: dict[str, Any], root: HtmlElement, rules: SiteRules) -> None:
    """A machine date in UTC ("Z") whose wall time the page prints as its local time
    labels local time: read it (and a UTC modified date) in the site's timezone."""
    formats, timezone = rules.date_formats, rules.timezone
    printed = next(
        filter(
            None,
            (
                parse_date(text, formats, timezone, use_dateparser=False)
                for el in select_all(root, rules.wall_clock_selectors)
                if (text := collapse_whitespace(el.text_content()))
            ),
        ),
        None,
    )
    machine = parse_date(record["published_raw"], (), "UTC", use_dateparser=False)
    if printed is None or machine is None or machine.utcoffset() != timedelta(0):
        return
    wall = machine.replace(tzinfo=None)
    if abs(wall - printed.replace(tzinfo=None)) >= timedelta(minutes=1):
        return  # the printed time is not the tag's wall time: the "Z" is real
    local = zone(rules.timezone)
    record["published"] = iso(wall.replace(tzinfo=local))
    modified = record["modified"]
    if modified and modified.endswith("+00:00"):
        record["modified"] = iso(datetime.fromisoformat(modified).replace(tzinfo=local))
