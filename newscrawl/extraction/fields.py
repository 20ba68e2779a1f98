"""What a site's per-field hook is: the field names, the :class:`Page` it reads and the
:func:`override` decorator (applied by ``newscrawl.extraction.overrides``).

A leaf module: :class:`~newscrawl.extraction.rules.SiteRules` holds the overrides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as attribute
from typing import Any, Generic, NamedTuple, TypeVar

from lxml.html import HtmlElement

from newscrawl.extraction.selectors import compiled_css
from newscrawl.extraction.text import collapse_whitespace

V = TypeVar("V")


class Dates(NamedTuple):
    """The record's dates: ISO 8601 strings with offsets, and the published one as printed."""

    published: str | None
    published_raw: str | None
    modified: str | None


# Fields a hook may override, and the record keys each stands for.
FIELDS: Mapping[str, tuple[str, ...]] = {
    "title": ("title",),
    "authors": ("authors",),
    "dates": ("published", "published_raw", "modified"),
    "section": ("section",),
    "tags": ("tags",),
    "description": ("description",),
    "images": ("images",),
}


@dataclass(frozen=True)
class Page:
    """What a per-field hook may read: the page, and the record as extracted so far."""

    url: str
    root: HtmlElement
    record: Mapping[str, Any]
    language: str | None

    def select(self, *selectors: str) -> list[HtmlElement]:
        """Elements matching any of the CSS selectors, in document order."""
        return [
            el
            for css in selectors
            for el in compiled_css(css)(self.root)
            if isinstance(el, HtmlElement)
        ]

    def texts(self, *selectors: str) -> list[str]:
        """The whitespace-collapsed, non-empty texts of :meth:`select`."""
        found = (collapse_whitespace(el.text_content()) for el in self.select(*selectors))
        return [text for text in found if text]

    def xpath(self, expression: str) -> list[Any]:
        result = self.root.xpath(expression)
        return list(result) if isinstance(result, list) else [result]

    def meta(self, expression: str) -> list[str]:
        """Non-empty collapsed strings an XPath gives (``//meta[@name="x"]/@content``)."""
        values = (collapse_whitespace(str(value)) for value in self.xpath(expression))
        return [value for value in values if value]


@dataclass(frozen=True)
class Override(Generic[V]):
    """One site's hook for one field (made by :func:`override`)."""

    field: str
    hook: Callable[[Page, V], V] = attribute(compare=False)


def override(name: str) -> Callable[[Callable[[Page, V], V]], Override[V]]:
    """Declare ``hook`` as the site's fix of field ``name`` (see :data:`FIELDS`)."""
    if name not in FIELDS:
        raise ValueError(f"no field {name!r} to override; fields: {', '.join(FIELDS)}")

    def declare(hook: Callable[[Page, V], V]) -> Override[V]:
        return Override(name, hook)

    return declare
