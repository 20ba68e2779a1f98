"""The item pipelines' work that depends on the record alone, done where it was extracted.

The clean step, the language check of validation and the deduplicate pipeline's body
keys are pure functions of the record and the site's rules. A page extracted in a
worker process (extraction/pool.py) gets them there, right after the decision, as a
:class:`Prepared` carried with its item (``item._prepared``, never a field, so never
in a feed); the pipelines on the crawl's reactor then only check and look up. A record
extracted in the crawl process comes without, and the pipelines compute the same
things themselves with the same functions: the records are the same either way.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from newscrawl.extraction.language import SAMPLE_CHARS, language_for_text
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.text import SCRIPT_SAMPLE
from newscrawl.text.cleaning import bound_record, clean_authors, clean_body, clean_text
from newscrawl.text.neardup import keys, paragraph_keys

# All of the body that language_for_text reads: the identifier's sample and the script's.
LANGUAGE_EVIDENCE_CHARS = max(SAMPLE_CHARS, SCRIPT_SAMPLE)

Boilerplate = tuple["str | re.Pattern[str]", ...]


@dataclass(frozen=True)
class Prepared:
    """What the pipelines would compute from the cleaned record."""

    body: str  # the cleaned body all this was computed from (checked by identity)
    language_ok: bool  # the record's language stands (validation's language check)
    fingerprint: bytes  # newscrawl.text.neardup.keys(body)
    signature: bytes
    paragraph_keys: tuple[bytes, ...]  # newscrawl.text.neardup.paragraph_keys(body)
    cut: tuple[str, ...]  # fields cleaning cut to size (counted by the crawl)


def boilerplate_of(rules: SiteRules | None) -> Boilerplate:
    """The site's boilerplate lines and noise patterns, as clean_body takes them."""
    return (*rules.boilerplate, *rules.compiled_noise) if rules is not None else ()


def clean_record(record: MutableMapping[str, Any], boilerplate: Boilerplate) -> list[str]:
    """Text fields cleaned in place (newscrawl.text.cleaning): entities, NFC, invisible
    junk, whitespace; body paragraphs kept apart and the site's boilerplate lines
    removed; bylines split into names. Returns the fields cut to size."""
    for key in ("title", "section", "description", "published_raw"):
        value = record.get(key)
        if isinstance(value, str):
            record[key] = clean_text(value) or None
    record["body"] = clean_body(record.get("body") or "", boilerplate)
    record["authors"] = clean_authors(record.get("authors") or [])
    tags = (clean_text(tag) for tag in record.get("tags") or [])
    record["tags"] = list(dict.fromkeys(tag for tag in tags if tag))
    return bound_record(record)  # cleaning (NFC) can lengthen a bounded field


def language_evidence_kept(extracted: str, cleaned: str) -> bool:
    """Whether cleaning left all language_for_text reads of the body unchanged: the
    language the extraction identified from it then stands without asking again."""
    return cleaned[:LANGUAGE_EVIDENCE_CHARS] == extracted[:LANGUAGE_EVIDENCE_CHARS]


def prepare(record: MutableMapping[str, Any], boilerplate: Boilerplate) -> Prepared:
    """Clean ``record`` in place and compute what the pipelines need from it."""
    extracted = record.get("body") or ""
    cut = clean_record(record, boilerplate)
    body: str = record["body"]
    language = record.get("language")
    language_ok = (
        not language
        or language_evidence_kept(extracted, body)
        or language_for_text(language, body) == language
    )
    fingerprint, signature = keys(body)
    return Prepared(
        body, language_ok, fingerprint, signature, tuple(paragraph_keys(body)), tuple(cut)
    )


def prepared_of(item: Any, body: Any) -> Prepared | None:
    """The item's :class:`Prepared`, if it has one computed from this very ``body``."""
    prepared = getattr(item, "_prepared", None)
    return prepared if isinstance(prepared, Prepared) and prepared.body is body else None
