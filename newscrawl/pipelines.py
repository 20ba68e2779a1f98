"""Item pipelines, in order: clean (100), validate (200), deduplicate (300).

Each works through itemadapter, so items may be dicts, scrapy Items or dataclasses.
A dropped item is counted as ``newscrawl/dropped/<reason>`` and each reason is
logged once, with an example URL.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import fastjsonschema
from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.extraction.text import language_for_text, normalize_paragraph
from newscrawl.items import article_schema
from newscrawl.urls import canonicalize

logger = logging.getLogger(__name__)


class _Pipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self._logged_reasons: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    def inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"newscrawl/{key}")

    def drop(self, reason: str, adapter: ItemAdapter, detail: str = "") -> DropItem:
        self.inc(f"dropped/{reason}")
        if reason not in self._logged_reasons:
            self._logged_reasons.add(reason)
            logger.warning(
                "Dropping items for %s (first: %s)%s; later ones are only counted in "
                "newscrawl/dropped/%s",
                reason,
                adapter.get("url"),
                f": {detail}" if detail else "",
                reason,
            )
        return DropItem(f"{reason}: {adapter.get('url')}")


class CleanPipeline(_Pipeline):
    """Unicode NFC and collapsed whitespace in every text field; paragraphs kept apart."""

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        adapter = ItemAdapter(item)
        for key in ("title", "section", "description", "published_raw"):
            value = adapter.get(key)
            if isinstance(value, str):
                adapter[key] = normalize_paragraph(value) or None
        body = adapter.get("body") or ""
        paragraphs = (normalize_paragraph(p) for p in body.split("\n\n"))
        adapter["body"] = "\n\n".join(p for p in paragraphs if p)
        for key in ("authors", "tags"):
            values = [normalize_paragraph(v) for v in adapter.get(key) or []]
            adapter[key] = list(dict.fromkeys(v for v in values if v))
        return item


class ValidatePipeline(_Pipeline):
    """JSON Schema plus sanity rules; failures are dropped with a counted reason."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # fastjsonschema compiles the schema to Python: ~10x jsonschema's speed per item.
        self.validate_schema = fastjsonschema.compile(article_schema())
        self.min_body = self.settings.getint("NEWSCRAWL_MIN_BODY_CHARS", 150)
        self.future = timedelta(
            hours=self.settings.getfloat("NEWSCRAWL_FUTURE_TOLERANCE_HOURS", 26)
        )

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        adapter = ItemAdapter(item)
        record = adapter.asdict()
        try:
            self.validate_schema(record)
        except fastjsonschema.JsonSchemaValueException as error:
            raise self.drop("schema", adapter, error.message) from None
        if not (record.get("title") or "").strip():
            raise self.drop("no_title", adapter)
        body = record.get("body") or ""
        if not body.strip():
            raise self.drop("empty_body", adapter)
        if len(body) < self.min_body:
            raise self.drop("short_body", adapter, f"{len(body)} < {self.min_body} characters")
        published = record.get("published")
        if published and datetime.fromisoformat(published) - datetime.now(UTC) > self.future:
            raise self.drop("future_date", adapter, published)
        language = record.get("language")
        if language and language_for_text(language, body) != language:
            raise self.drop("language_mismatch", adapter, f"declared {language}")
        return item


class DeduplicatePipeline(_Pipeline):
    """Within a run: one record per canonical URL and per exact body.

    Keeps 16-byte digests only, so memory stays small on long runs.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.urls: set[bytes] = set()
        self.bodies: set[bytes] = set()

    @staticmethod
    def _digest(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        adapter = ItemAdapter(item)
        url = canonicalize(adapter.get("canonical_url") or adapter["url"])
        url_key = self._digest(url)
        if url_key in self.urls:
            raise self.drop("duplicate_url", adapter)
        body_key = self._digest(" ".join(adapter.get("body", "").split()).casefold())
        if body_key in self.bodies:
            raise self.drop("duplicate_body", adapter)
        self.urls.add(url_key)
        self.bodies.add(body_key)
        return item
