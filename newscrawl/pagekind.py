"""What a request is for, carried in ``request.meta`` (never read from callback names).

The spider sets the kind where it makes a request; the WARC archive, the distributed
queue's routing, the discovery guards and ``scrapy reextract`` read it back. Renaming
a callback therefore cannot change any of them. A leaf: it imports nothing of ours.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

#: request.meta key holding a :class:`PageKind`
KIND = "newscrawl_kind"


class PageKind(StrEnum):
    """A str, so it survives any request serialization (pickle, JSON) and WARC headers."""

    ROBOTS = "robots"
    FEED = "feed"
    SITEMAP = "sitemap"
    LISTING = "listing"
    HOME = "home"  # the news spider's home and section pages: listings that also name feeds
    ARTICLE = "article"
    PAGE = "page"  # anything else (a one-off fetch)


SOURCES = frozenset({PageKind.FEED, PageKind.SITEMAP})  # discovery documents


def kind_of(request: Any) -> PageKind:
    """The kind a request (or a response's request) was made for; PAGE when unmarked."""
    meta = getattr(request, "meta", None) or {}
    try:
        return PageKind(meta.get(KIND, PageKind.PAGE))
    except ValueError:
        return PageKind.PAGE
