"""The article record. Its JSON Schema ships in ``newscrawl/schema/article.schema.json``.

No ``from __future__ import annotations`` here: TypedDict reads ``NotRequired`` from
evaluated annotations only.
"""

import json
from functools import lru_cache
from importlib import resources
from typing import Any, NotRequired, TypedDict

import scrapy


class Record(TypedDict):
    """One article record: the one definition the extraction fills, the item carries and
    ``schema/article.schema.json`` describes (tests/test_record.py holds them equal)."""

    url: str  # the URL the page was fetched from
    canonical_url: str | None
    site: str
    language: str | None  # identified from the text (the declaration is evidence)
    language_declared: str | None  # as the page declared it (lang, og:locale, JSON-LD)
    title: str | None
    body: str
    authors: list[str]
    published: str | None
    published_raw: str | None
    modified: str | None
    section: str | None
    tags: list[str]
    description: str | None
    images: list[str]
    fetched_at: NotRequired[str]  # only a crawl knows: when it fetched the page
    duplicate_of: NotRequired[str | None]  # only a crawl knows: set by DeduplicatePipeline
    extraction: str


RECORD_FIELDS: tuple[str, ...] = tuple(Record.__annotations__)


class Article(scrapy.Item):
    """The Scrapy item of a :class:`Record`: one ``Field`` per record field."""

    # A class body's namespace is a dict: the fields come from Record, never listed twice.
    locals().update({name: scrapy.Field() for name in RECORD_FIELDS})


@lru_cache(maxsize=1)
def article_schema() -> dict[str, Any]:
    text = resources.files("newscrawl").joinpath("schema/article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
