"""Item pipelines, in order: clean (100), validate (200), deduplicate (300).

Each works through itemadapter, so items may be dicts, scrapy Items or dataclasses.
A dropped item is counted as ``newscrawl/dropped/<reason>`` and each reason is
logged once, with an example URL.
"""

from __future__ import annotations

import logging
import re
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import fastjsonschema
from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.asyncio import CallLaterResult, call_later

from newscrawl.discovery.urls import identity_key, url_key
from newscrawl.extraction.language import language_for_text
from newscrawl.extraction.rules import SiteRules
from newscrawl.items import Article, article_schema
from newscrawl.stats import ITEMS_NEW, ITEMS_UPDATED, dropped, inc
from newscrawl.storage.durable import ledger, remember_emitted
from newscrawl.storage.runkeys import HashMap64, HashSet64, fingerprint_hash, key_hash
from newscrawl.storage.state import ClaimLost, StateStore, StateStoreFailed
from newscrawl.storage.stores import store_for
from newscrawl.text.neardup import (
    EMPTY_SIGNATURE,
    RecentIndex,
    fingerprint,
    keys,
    paragraph_keys,
    same_story,
    signature,
)
from newscrawl.text.prepared import (
    boilerplate_of,
    clean_record,
    language_evidence_kept,
    prepared_of,
)

logger = logging.getLogger(__name__)


@runtime_checkable
class SiteRun(Protocol):
    """What the pipelines need from the running spider (NewsSpider provides it): its
    site's rules, whether the state store is ignored, which URLs it refetched as
    updates. Declared here, so the pipelines never guess at spider attributes."""

    rules: SiteRules
    recrawl: bool

    def is_update(self, key: str) -> bool: ...


_NO_SPIDER = object()

# Per crawl: id(item) -> its cleaned body, for items whose language evidence cleaning
# left as extraction saw it (CleanPipeline writes, ValidatePipeline pops). The body
# object itself is kept, so a reused id or a body changed in between never matches.
_EVIDENCE_KEPT: weakref.WeakKeyDictionary[Crawler, dict[int, str]] = weakref.WeakKeyDictionary()


def _evidence_kept(crawler: Crawler) -> dict[int, str]:
    return _EVIDENCE_KEPT.setdefault(crawler, {})


class _Pipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self._logged_reasons: set[str] = set()
        self._run_of: object = _NO_SPIDER
        self._run: SiteRun | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    @property
    def run(self) -> SiteRun | None:
        """The running spider, when it is a site run (any other spider: None)."""
        spider = self.crawler.spider
        if spider is not self._run_of:  # isinstance of a runtime Protocol: ~100 µs
            self._run_of, self._run = spider, spider if isinstance(spider, SiteRun) else None
        return self._run

    def drop(self, reason: str, adapter: ItemAdapter, detail: str = "") -> DropItem:
        inc(self.crawler, dropped(reason))
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
    """Text fields cleaned (newscrawl.text.prepared.clean_record): entities, NFC, invisible
    junk, whitespace; body paragraphs kept apart and the site's boilerplate lines
    removed wherever they survived extraction; bylines split into names. A record an
    extraction worker cleaned already (newscrawl.text.prepared) only has its cuts counted."""

    def _boilerplate(self) -> tuple[str | re.Pattern[str], ...]:
        # The running spider's rules, not a class looked up by item["site"]: a site
        # declared in TOML (news -a config=) has no class to look up.
        return boilerplate_of(self.run.rules if self.run is not None else None)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        adapter = ItemAdapter(item)
        prepared = prepared_of(item, adapter.get("body"))
        if prepared is not None:
            cut: list[str] | tuple[str, ...] = prepared.cut
        else:
            extracted = adapter.get("body") or ""
            cut = clean_record(adapter, self._boilerplate())
            # The extraction identified the language from this body (extraction.article):
            # when cleaning left all it read unchanged, identifying it again gives the
            # same answer (~1 ms a page, and the model loaded in the crawl process) -
            # validate trusts it.
            kept = _evidence_kept(self.crawler)
            if language_evidence_kept(extracted, adapter["body"]):
                kept[id(item)] = adapter["body"]
            else:
                kept.pop(id(item), None)
        for name in cut:  # cleaning (NFC) can lengthen a bounded field
            inc(self.crawler, f"newscrawl/extraction/field_cut/{name}")
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
        kept = _evidence_kept(self.crawler).pop(id(item), None)  # first: dropped ones too
        # A record's values are strings and lists of strings: a shallow copy is all the
        # validator needs (asdict walks and copies every value, on the reactor).
        record = dict(item) if isinstance(item, Article) else adapter.asdict()
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
        prepared = prepared_of(item, adapter.get("body"))
        if prepared is not None:
            language_ok = prepared.language_ok  # checked by the extraction worker
        else:
            trusted = kept is not None and kept is adapter.get("body")
            language_ok = not language or trusted or language_for_text(language, body) == language
        if not language_ok:
            raise self.drop("language_mismatch", adapter, f"declared {language}")
        return item


class DeduplicatePipeline(_Pipeline):
    """One record per article, across runs: by URL, by exact body, by near-duplicate body.

    * Identity: the canonical URL's key (:func:`newscrawl.discovery.urls.url_key`), when the
      extraction found it plausible (``canonical_url`` set) and no page with another
      body holds it already (in this run or in the state store); otherwise the fetched
      URL's key, counted as ``newscrawl/canonical/rejected/shared``. A canonical is a hint:
      four articles naming one canonical are four articles.
    * URL: the same identity with the same body fingerprint drops the item
      (``duplicate_url``); with another body it is emitted (an update, when the spider
      refetched it because its feed or sitemap said it changed; an unchanged body is then
      dropped as ``unchanged``).
    * Exact body: a fingerprint of the cleaned body seen before drops it (``duplicate_body``).
    * Near duplicate (same wire story, lightly re-edited): marked with ``duplicate_of``
      pointing at the first record's canonical URL, or dropped (``near_duplicate``), as
      ``NEWSCRAWL_NEAR_DUPLICATES`` says (``mark`` | ``drop`` | ``off``). Paragraphs that
      earlier articles already had (a disclaimer, a "follow us" line) are set aside
      first (:func:`newscrawl.text.neardup.same_story`): stories that share only those are
      not near duplicates.

    Every emitted or duplicate article is remembered in the state store, so the next
    run does not fetch it; a fetched URL only ever under its own body. With
    ``-a recrawl=1`` the store is not consulted, only written.

    The store's writes are grouped: one transaction for the records of one group of
    the feed's fsync (``NEWSCRAWL_FEED_FSYNC_RECORDS`` / ``_MS``), committed when the
    emit ledger confirms them (after that fsync, storage/durable.py) or at those bounds.
    The near-duplicate index holds the last ``NEWSCRAWL_NEAR_DUPLICATE_WINDOW``
    signatures at most (:class:`newscrawl.text.neardup.RecentIndex`), read from the store
    on first use: start-up and memory do not grow with the store.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.mode = self.settings.get("NEWSCRAWL_NEAR_DUPLICATES", "mark")
        if self.mode not in {"mark", "drop", "off"}:
            raise ValueError(f"NEWSCRAWL_NEAR_DUPLICATES must be mark, drop or off: {self.mode!r}")
        self.threshold = self.settings.getfloat("NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD", 0.5)
        # This run's identities -> their body fingerprints, and its fingerprints, as 64-bit
        # hashes (storage/runkeys.py: 16 bytes a record, not ~180 as str/bytes in a dict
        # and a set). A hit that would drop an article is confirmed against the store
        # (_same_body); a false hit that only skips a claim takes two keys of one run
        # sharing 64 bits: a chance of n**2 / 2**65 (3e-8 for a million).
        self.run_keys = HashMap64()
        self.run_fingerprints = HashSet64()
        self.window = self.settings.getint("NEWSCRAWL_NEAR_DUPLICATE_WINDOW", 200_000)
        if self.window < 2:
            raise ValueError(f"NEWSCRAWL_NEAR_DUPLICATE_WINDOW must be at least 2: {self.window}")
        self.group_records = max(1, self.settings.getint("NEWSCRAWL_FEED_FSYNC_RECORDS", 64))
        self.group_seconds = max(0.0, self.settings.getfloat("NEWSCRAWL_FEED_FSYNC_MS", 200) / 1000)
        self._index: RecentIndex | None = None
        self._store: StateStore | None = None
        self._commit_timer: CallLaterResult | None = None
        self._timers = True

    @property
    def recrawl(self) -> bool:
        return self.run is not None and self.run.recrawl

    @property
    def store(self) -> StateStore:
        if self._store is None:
            self._store = store = store_for(self.crawler)
            store.group(self.group_records, self.group_seconds)
            journal = ledger(self.crawler)
            if journal is not None:  # the group is committed before its records are "done"
                journal.commit_seen = self._commit_group
        return self._store

    def _commit_group(self) -> bool:
        """Commit the store's open group; False if the store failed (said by the store)."""
        if self._commit_timer is not None:
            self._commit_timer.cancel()
            self._commit_timer = None
        store = self._store
        if store is None:
            return True
        try:
            store.commit_group()
        except StateStoreFailed:
            return False
        return True

    @property
    def index(self) -> RecentIndex:
        """The near-duplicate index, its window read from the store on first use."""
        if self._index is None:
            pairs = () if self.recrawl else self.store.recent_signatures(self.window)
            self._index = RecentIndex.from_items(pairs, self.threshold, window=self.window)
        return self._index

    def _is_update(self, key: str) -> bool:
        return self.run is not None and self.run.is_update(key)

    def _run_holds(self, key: str, body_fingerprint: bytes) -> bool | None:
        """Whether this run emitted ``key`` with this body (None: it did not emit ``key``).

        The run's map holds 64-bit hashes; a hit is confirmed by the store's row of
        ``key`` (written in the open group: this connection reads it), so a false one
        would take two keys and two bodies of one run each sharing 64 bits, *and* the
        store holding this very key with this very body (from an earlier run, under
        -a recrawl=1): never, in practice; and it drops no article the store did not
        already have.
        """
        held = self.run_keys.get(key_hash(key))
        if held is None:
            return None
        if held != fingerprint_hash(body_fingerprint):
            return False
        seen = self.store.seen(key)
        return seen is not None and seen.fingerprint == body_fingerprint

    def _holder(self, key: str, body_fingerprint: bytes) -> tuple[bool, bool]:
        """(whether a record holds ``key`` already, whether with this body)."""
        run = self._run_holds(key, body_fingerprint)
        if run is not None:
            return True, run
        seen = None if self.recrawl else self.store.seen(key)
        return seen is not None, seen is not None and seen.fingerprint == body_fingerprint

    def _identity(self, adapter: ItemAdapter, body_fingerprint: bytes) -> tuple[str, str]:
        """(URL, key) the record is known by: its canonical URL unless another body has it."""
        url = adapter["url"]
        canonical = adapter.get("canonical_url")
        key = identity_key(url, canonical)  # a canonical's own key space: see urls.canonical_key
        if not canonical or key == url_key(url):
            return canonical or url, key
        held, same = self._holder(key, body_fingerprint)
        if not held or same:
            return canonical, key
        if self._is_update(key) or self._is_update(url_key(url)):
            return canonical, key  # the article itself, changed since we fetched it
        # Several pages with different bodies name one canonical URL (a CMS or template
        # bug): it identifies none of them, and trusting it would hide all but the first.
        inc(self.crawler, "newscrawl/canonical/rejected/shared")
        logger.info(
            "Canonical URL %s of %s rejected (shared): another page with a different body "
            "names it; the fetched URL is the identity",
            canonical,
            url,
        )
        adapter["canonical_url"] = None
        return url, url_key(url)

    def _near_duplicate_of(self, body: str, sig: bytes, keys: list[bytes]) -> str | None:
        """Canonical URL of the first record this body is a near duplicate of, if any.

        ``keys``: the body's :func:`~newscrawl.text.neardup.paragraph_keys`.
        """
        index = self.index
        for added in self.store.new_signatures():  # by other workers, since last read
            index.add(*added)
        known = self.store.known_paragraphs(keys)
        shared = EMPTY_SIGNATURE
        if known:
            paragraphs = [p for p in body.split("\n\n") if p.strip()]  # as paragraph_keys splits
            shared_text = "\n\n".join(
                p for p, k in zip(paragraphs, keys, strict=True) if k in known
            )
            shared = signature(shared_text) if shared_text else EMPTY_SIGNATURE
        set_aside = False
        for row, other in index.matches(sig):
            if not same_story(other, sig, shared, self.threshold):
                set_aside = True
                continue
            first = self.store.signature_owner(row)
            if first is not None:  # None: that entry was forgotten meanwhile
                return first
        if set_aside:  # near only by paragraphs other articles had too
            inc(self.crawler, "newscrawl/duplicates/near_shared_text_only")
        return None

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        # The record's claim, remember and paragraph writes join the store's group,
        # committed with the feed's group fsync (so "seen" still waits for the feed:
        # storage/durable.py); a group left open by records that never reach a feed
        # (duplicates dropped) is committed by a timer, not held while the crawl idles.
        store = self.store
        try:
            with store.batch():
                return self._process(item)
        finally:
            if self._commit_timer is None and self._timers and store.grouping:
                try:
                    self._commit_timer = call_later(self.group_seconds, self._commit_group)
                except RuntimeError:  # no reactor, no loop: the pipeline driven by hand
                    self._timers = False  # (bench, tests): groups commit at their bounds

    def _process(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter["url"]
        body = adapter.get("body") or ""
        prepared = prepared_of(item, adapter.get("body"))  # the keys, from the worker
        if prepared is not None:
            body_fingerprint, body_signature = prepared.fingerprint, prepared.signature
        else:  # both keys from one pass over the body when the signature will be wanted
            body_fingerprint, body_signature = (
                keys(body) if self.mode != "off" else (fingerprint(body), EMPTY_SIGNATURE)
            )
        canonical, key = self._identity(adapter, body_fingerprint)
        fetched_key = url_key(url)
        if self._run_holds(key, body_fingerprint):
            raise self.drop("duplicate_url", adapter)
        seen = None if self.recrawl else self.store.seen(key)
        updated = self._is_update(fetched_key) or self._is_update(key)
        if seen is not None and seen.fingerprint == body_fingerprint:
            if updated:
                raise self.drop("unchanged", adapter)
            # The same article under another URL: that URL is known too, body and all.
            self.store.remember(fetched_key, url, None, None)
            raise self.drop("duplicate_url", adapter, f"seen as {seen.url}")
        # A known identity with another body is the article changed (refetched as an
        # update) or a page whose own URL was remembered without a body: emitted.
        new = seen is None or seen.fingerprint is None
        if key_hash(key) not in self.run_keys and not self.store.claim(key):
            # atomic across processes and distributed workers
            raise ClaimLost(str(self.drop("duplicate_url", adapter, "claimed by another run")))
        if new:
            # A 64-bit hit of this run's is confirmed by the store: it has every emitted
            # record's whole fingerprint (see _run_holds).
            in_run = fingerprint_hash(body_fingerprint) in self.run_fingerprints
            owner = (
                self.store.fingerprint_owner(body_fingerprint)
                if in_run or not self.recrawl
                else None
            )
            if owner is not None:
                self.store.remember(key, canonical, None, None)
                raise self.drop("duplicate_body", adapter, f"same body as {owner}" if owner else "")
        sig = None
        known: list[bytes] = []
        if self.mode != "off":
            known = list(prepared.paragraph_keys) if prepared else paragraph_keys(body)
        # Not for an update: the new version would be a near duplicate of the old one.
        if self.mode != "off" and (new or not updated):
            sig = body_signature
            first = self._near_duplicate_of(body, sig, known)
            if first is not None:
                inc(self.crawler, "newscrawl/duplicates/near")
                if self.mode == "drop":
                    self.store.remember(key, canonical, body_fingerprint, None)
                    raise self.drop("near_duplicate", adapter, f"near {first}")
                adapter["duplicate_of"] = first
                sig = None  # index the first version only
        if "duplicate_of" in adapter.field_names() or isinstance(item, dict):
            adapter.setdefault("duplicate_of", None)
        # Journaled, then seen; forgotten again unless every feed takes it (storage/durable.py).
        row = remember_emitted(
            self.crawler, self.store, item, key, canonical, url, body_fingerprint, sig
        )
        if row is not None and sig is not None:
            self.index.add(row, sig)
        if known:
            self.store.add_paragraphs(known)
        self.run_keys[key_hash(key)] = fingerprint_hash(body_fingerprint)
        self.run_fingerprints.add(fingerprint_hash(body_fingerprint))
        inc(self.crawler, ITEMS_UPDATED if updated and not new else ITEMS_NEW)
        return item
