"""The article record. Its JSON Schema ships in ``newscrawl/schema/article.schema.json``."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import scrapy


class Article(scrapy.Item):
    url = scrapy.Field()
    canonical_url = scrapy.Field()
    site = scrapy.Field()
    language = scrapy.Field()
    language_declared = scrapy.Field()
    title = scrapy.Field()
    body = scrapy.Field()
    authors = scrapy.Field()
    published = scrapy.Field()
    published_raw = scrapy.Field()
    modified = scrapy.Field()
    section = scrapy.Field()
    tags = scrapy.Field()
    description = scrapy.Field()
    images = scrapy.Field()
    fetched_at = scrapy.Field()
    extraction = scrapy.Field()
    duplicate_of = scrapy.Field()  # set by DeduplicatePipeline on near duplicates


@lru_cache(maxsize=1)
def article_schema() -> dict[str, Any]:
    text = resources.files("newscrawl").joinpath("schema/article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
