"""Exact + near-duplicate detection throughput and accuracy on synthetic news bodies.

    python bench/dedup.py [--n 1000000] [--seed 1] [--compare 5000] [--furniture 20000]

Generates N article bodies on the fly (never all in memory): half English, half
Arabic, lengths log-normal around 420 words clipped to 150..1500, words Zipf-drawn
from a vocabulary of common news words plus a long tail of made-up names, each story
repeating a few names of its own, with sentences, commas, paragraphs (blank lines)
and, in 30% of the English bodies, typographic quotes and dashes. Planted among them,
each copied from one of the 1,000 most recent originals:

* exact duplicates (1%): the same body with whitespace and case changed;
* near duplicates (3%): a re-edit -- 1 to 6 words changed, a sentence added and/or
  removed, a dateline added, paragraphs swapped, the last one cut, spacing and
  punctuation changed;
* same-event stories (2%): a different text sharing the original's names and topic
  words (a quarter of its words are drawn from the original), which must NOT be
  flagged.

Each body goes through ``keys_many`` (fingerprint + signature, bench/neardup_batch.py), a
set of the exact keys seen, and ``BatchIndex.add_or_query_many`` (default thresholds),
2,000 bodies at a time. The bodies of a batch are generated first and only the dedup
work is timed (wall clock and process CPU time; generation time printed apart).
Printed: records/s, peak RSS (ru_maxrss, taken right after this run), recall on the
planted duplicates, false positives among the others. Then, on ``--compare`` further
records: datasketch's MinHash (num_perm=128, ``update_batch``) + MinHashLSH (threshold
0.8) on 3-word shingles, this module one body at a time, and in batches. Last, on
``--furniture`` records, the pipeline's rule for paragraphs earlier articles already had
(``neardup.same_story``): planted near duplicates it still flags, and short stories
sharing one disclaimer that the index alone flags and the rule does not. With the
default seed and 20,000 records: 630 of the 630 near duplicates the index flags stay flagged, 0 of
18,771 originals and 401 same-event stories flagged; 857 of 2,000 disclaimer stories
flagged by the index alone, 0 with the rule.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import resource
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.neardup_batch import BatchIndex, keys_many
from newscrawl.text import neardup

ORIGINAL, EXACT, NEAR, EVENT = range(4)
KIND_NAMES = ("originals", "exact duplicates", "near duplicates", "same-event stories")
PLANTED = ((EXACT, 0.01), (NEAR, 0.03), (EVENT, 0.02))
CHUNK = 2000  # bodies generated, then timed through dedup, at a time
RECENT = 1000  # originals kept as sources for the planted copies

EN_COMMON = """
the of to and a in that for on is said was with he it as at by from his be have has
are but were not they this who an which after their had been will would its more
than over also government minister president police people year years state new
two one first last told percent city country security forces official officials
military army killed attack talks meeting agreement election parliament court
economy prices oil gas market bank billion million week monday tuesday wednesday
thursday friday saturday sunday capital border region international united nations
council ministry statement spokesman sources according report reported news agency
protesters protest crisis war peace ceasefire aid humanitarian water power health
hospital children women families refugees camp camps support plan project trade
deal sanctions foreign affairs prime national local public private company workers
during between against under since while before until into about some many other
such most may could should can must still only even then when where there these
those what all any both each few much very well back out up down off again further
""".split()
AR_COMMON = """
في من على إلى أن التي الذي عن مع هذا هذه كان قد لا ما بين بعد قبل خلال حيث كما
وقال وأضاف وأكد وأشار قال أكد أشار أوضح الرئيس الوزير الحكومة وزير وزارة رئيس
المجلس مجلس الأمن الأمم المتحدة الدولة الدول العربية العربي الشرق الأوسط مصر
السعودية الإمارات الأردن لبنان العراق سوريا فلسطين غزة القدس الخليج اليوم أمس
العام الماضي الجاري الأسبوع الشهر مليون مليار دولار النفط الغاز الاقتصاد السوق
الأسعار البنك المركزي الانتخابات البرلمان المحكمة القوات الجيش الشرطة الهجوم
المفاوضات الاتفاق الاجتماع القمة بيان المتحدث مصادر وفقا وكالة الأنباء المواطنين
الشعب الحرب السلام وقف إطلاق النار المساعدات الإنسانية المياه الكهرباء الصحة
المستشفى الأطفال النساء اللاجئين المخيم دعم خطة مشروع التجارة العقوبات الخارجية
الداخلية الوطنية المحلية العامة الشركة العمال عدد أكثر أقل جميع بعض كل أي حتى
منذ عند لدى أيضا ولكن لكن إذا ثم أو وهو وهي التي الذين
""".split()
EN_SYLLABLES = "ka ri to ma na ben al or el san mon ter vi da lu gra sha mir ho zen fal".split()
AR_LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
CURLY = ("’s", "“", "”", " — ")


ZIPF_STEPS = 1 << 18  # resolution of the word sampling table


@dataclass
class Language:
    vocab: np.ndarray  # object array of words
    zipf: np.ndarray  # ZIPF_STEPS word numbers: a uniform draw from it is Zipf-distributed
    names: np.ndarray  # rare words: names of people, places, organisations


def language(common: list[str], tail: list[str]) -> Language:
    words = list(dict.fromkeys(common + tail))
    ranks = np.arange(1, len(words) + 1)
    weights = 1.0 / ranks**1.05
    cdf = np.cumsum(weights / weights.sum())
    zipf = np.searchsorted(cdf, (np.arange(ZIPF_STEPS) + 0.5) / ZIPF_STEPS).astype(np.int32)
    vocab = np.array(words, dtype=object)
    return Language(vocab, np.minimum(zipf, len(words) - 1), np.array(tail[-5000:], dtype=object))


def made_up(rng: random.Random, parts: list[str], low: int, high: int, count: int) -> list[str]:
    return ["".join(rng.choices(parts, k=rng.randint(low, high))) for _ in range(count)]


class Corpus:
    """Bodies with their kind and, for planted ones, the number of their source."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.prng = random.Random(seed)
        english_tail = made_up(self.prng, EN_SYLLABLES, 2, 4, 30000)
        arabic_tail = made_up(self.prng, AR_LETTERS, 3, 7, 30000)
        arabic_tail = ["ال" + word if i % 3 == 0 else word for i, word in enumerate(arabic_tail)]
        self.languages = {
            "en": language(EN_COMMON, english_tail),
            "ar": language(AR_COMMON, arabic_tail),
        }
        self.recent: deque[tuple[int, str, str]] = deque(maxlen=RECENT)
        self.words = 0  # of the originals
        self.arabic = 0  # originals in Arabic

    def lengths(self, count: int) -> np.ndarray:
        words = self.rng.lognormal(np.log(420), 0.55, count)
        return np.clip(words, 150, 1500).astype(np.int64)

    def write(self, lang: str, length: int, borrowed: list[str] | None = None) -> str:
        """A body of ``length`` words; with ``borrowed``, a quarter of them from it."""
        spec = self.languages[lang]
        rng = self.rng
        words = spec.vocab[spec.zipf[rng.integers(0, ZIPF_STEPS, length)]]
        names = spec.names[rng.integers(0, len(spec.names), 4)]  # the story's own names
        at = rng.integers(0, length, length // 25 + 1)
        words[at] = names[rng.integers(0, 4, len(at))]
        if borrowed:
            at = rng.integers(0, length, length // 4)
            words[at] = np.array(borrowed, dtype=object)[rng.integers(0, len(borrowed), len(at))]
        tokens = words.tolist()
        # Sentences of 8-29 words, every fourth ending a paragraph; commas in half.
        ends = np.cumsum(rng.integers(8, 30, length // 8 + 2)).tolist()
        commas = (rng.random(len(ends)) < 0.5).tolist()
        back = rng.integers(2, 7, len(ends)).tolist()
        for sentence, end in enumerate(ends, 1):
            if end >= length - 1:
                break
            tokens[end] += ".\n\n" if sentence % 4 == 0 else "."
            if commas[sentence - 1]:
                tokens[end - back[sentence - 1]] += ","
        if lang == "en" and self.prng.random() < 0.3:  # typographic quotes and dashes
            for mark in CURLY:
                at_ = self.prng.randrange(length)
                tokens[at_] = mark + tokens[at_] if mark == "“" else tokens[at_] + mark
        return " ".join(tokens) + "."

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        number = 0
        while True:
            lengths = self.lengths(4096)
            kinds = self.rng.random(4096)
            for length, draw in zip(lengths.tolist(), kinds.tolist(), strict=True):
                kind, edge = ORIGINAL, 0.0
                for planted, share in PLANTED:
                    edge += share
                    if draw < edge and self.recent:
                        kind = planted
                        break
                if kind == ORIGINAL:
                    lang = "en" if self.prng.random() < 0.5 else "ar"
                    body = self.write(lang, length)
                    self.words += length
                    self.arabic += lang == "ar"
                    self.recent.append((number, lang, body))
                    yield body, ORIGINAL, -1
                else:
                    source, lang, original = self.prng.choice(self.recent)
                    if kind == EXACT:
                        body = self.reformat(original)
                    elif kind == NEAR:
                        body = self.reedit(original, lang)
                    else:
                        body = self.write(lang, length, original.split())
                    yield body, kind, source
                number += 1

    def reformat(self, body: str) -> str:
        """Whitespace and case only."""
        prng = self.prng
        body = body.replace("\n\n", prng.choice(["\n", "\r\n\r\n", "  \n \n", "\n\n\n"]))
        body = body.replace(". ", prng.choice([".  ", ".\t", ". "]))
        return prng.choice([str.upper, str.lower, str.title, lambda s: s])(body) + "\n"

    def reedit(self, body: str, lang: str) -> str:
        """A re-edit: words changed, sentences added or removed, paragraphs moved..."""
        prng, spec = self.prng, self.languages[lang]
        paragraphs = body.split("\n\n")
        sentences = [p.split(". ") for p in paragraphs]
        for _ in range(prng.randint(1, 6)):  # change a few words
            sentence = prng.choice(prng.choice(sentences))
            words = sentence.split(" ")
            words[prng.randrange(len(words))] = str(prng.choice(spec.vocab[:3000]))
            for group in sentences:
                if sentence in group:
                    group[group.index(sentence)] = " ".join(words)
                    break
        if prng.random() < 0.5:  # drop a sentence
            group = prng.choice(sentences)
            if len(group) > 1:
                del group[prng.randrange(len(group))]
        if prng.random() < 0.5:  # add a sentence
            group = prng.choice(sentences)
            extra = " ".join(str(w) for w in prng.choices(list(spec.vocab[:2000]), k=15))
            group.insert(prng.randrange(len(group) + 1), extra)
        paragraphs = [". ".join(group) for group in sentences]
        if prng.random() < 0.3 and len(paragraphs) > 2:  # two paragraphs swapped
            i = prng.randrange(len(paragraphs) - 1)
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
        if prng.random() < 0.2 and len(paragraphs) > 3:  # the last paragraph cut
            paragraphs.pop()
        if prng.random() < 0.3:  # dateline
            dateline = "CAIRO (Reuters) - " if lang == "en" else "القاهرة (رويترز) - "
            paragraphs[0] = dateline + paragraphs[0]
        text = prng.choice(["\n\n", "\n", "\n \n"]).join(paragraphs)
        if prng.random() < 0.5:  # punctuation and spacing
            text = text.replace(", ", " ").replace(".", " .")
        return text


class FingerprintSet:
    """The exact keys seen, as a store would keep them: 64 bits of each, in a numpy
    linear-probing table at most half full (16 MB for a million), a batch at a time."""

    def __init__(self, bits: int = 21) -> None:
        self.slots = np.zeros(1 << bits, dtype=np.uint64)
        self.count = 0

    def add_many(self, fingerprints: list[bytes]) -> list[bool]:
        """Add each; for each, whether it was there already (or earlier in the batch)."""
        values = np.frombuffer(b"".join(f[:8] for f in fingerprints), dtype="<u8") | 1
        _, first = np.unique(values, return_index=True)
        seen = np.ones(len(values), dtype=bool)
        seen[first] = False  # a later copy within the batch was seen
        fresh = values[first]
        if (self.count + len(fresh)) * 2 > len(self.slots):
            old = self.slots[self.slots != 0]
            self.slots = np.zeros(2 * len(self.slots), dtype=np.uint64)
            self.count = 0
            self._insert(old)
        found = self._probe(fresh)
        seen[first[found]] = True
        self._insert(fresh[~found])
        return seen.tolist()

    def _home(self, values: np.ndarray) -> np.ndarray:
        shift = np.uint64(64 - (len(self.slots) - 1).bit_length())
        return ((values * np.uint64(0x9E3779B97F4A7C15)) >> shift).astype(np.intp)

    def _probe(self, values: np.ndarray) -> np.ndarray:
        mask = len(self.slots) - 1
        slots, found = self._home(values), np.zeros(len(values), dtype=bool)
        pending = np.arange(len(values))
        while len(pending):
            held = self.slots[slots[pending]]
            found[pending[held == values[pending]]] = True
            pending = pending[(held != 0) & (held != values[pending])]
            slots[pending] = (slots[pending] + 1) & mask
        return found

    def _insert(self, values: np.ndarray) -> None:  # values distinct and absent
        mask = len(self.slots) - 1
        slots, pending = self._home(values), np.arange(len(values))
        while len(pending):
            at = slots[pending]
            empty = self.slots[at] == 0
            _, winners = np.unique(at[empty], return_index=True)
            won = np.flatnonzero(empty)[winners]
            self.slots[at[won]] = values[pending[won]]
            keep = np.ones(len(pending), dtype=bool)
            keep[won] = False
            pending = pending[keep]
            moving = self.slots[slots[pending]] != 0
            slots[pending[moving]] = (slots[pending[moving]] + 1) & mask
        self.count += len(values)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, seed: int) -> tuple[float, float]:
    generator = Corpus(seed)
    corpus = iter(generator)
    index = BatchIndex()
    exact = FingerprintSet()
    neardup.keys("warm up: build the character tables")
    counts = {kind: 0 for kind in range(4)}
    flagged = {kind: 0 for kind in range(4)}
    caught_exact = caught_near = wrong_source = 0
    wall = cpu = generation = 0.0
    done = 0
    while done < n:
        started = time.perf_counter()
        batch = [next(corpus) for _ in range(min(CHUNK, n - done))]
        bodies = [body for body, _, _ in batch]
        generation += time.perf_counter() - started

        wall_start, cpu_start = time.perf_counter(), time.process_time()
        results = [-1] * len(bodies)
        pairs = keys_many(bodies)
        numbers, sigs = [], []
        seen = exact.add_many([fingerprint for fingerprint, _ in pairs])
        for offset, ((_, sig), was_seen) in enumerate(zip(pairs, seen, strict=True)):
            if was_seen:
                results[offset] = -2  # exact duplicate: not looked up further
            else:
                numbers.append(done + offset)
                sigs.append(sig)
        for number, earlier in zip(numbers, index.add_or_query_many(numbers, sigs), strict=True):
            if earlier is not None:
                results[number - done] = earlier
        wall += time.perf_counter() - wall_start
        cpu += time.process_time() - cpu_start

        for (_, kind, source), found in zip(batch, results, strict=True):
            counts[kind] += 1
            if found != -1:
                flagged[kind] += 1
            if kind == EXACT and found == -2:
                caught_exact += 1
            elif kind == NEAR and found >= 0:
                if found == source:
                    caught_near += 1
                else:
                    wrong_source += 1
        done += len(batch)
    rss = peak_rss_mb()

    print(f"records: {n:,} ({', '.join(f'{counts[k]:,} {KIND_NAMES[k]}' for k in range(4))})")
    originals = max(1, counts[ORIGINAL])
    print(
        f"originals: {generator.words / originals:.0f} words on average, "
        f"{generator.arabic / originals:.0%} Arabic"
    )
    print(
        f"generation (not timed below): {generation:.1f} s; dedup: {wall:.1f} s wall, "
        f"{cpu:.1f} s CPU"
    )
    print(
        f"dedup throughput: {n / wall:,.0f} records/s wall clock, {n / cpu:,.0f} records/s "
        f"process CPU time (load average {os.getloadavg()[0]:.2f} at the end)"
    )
    print(f"peak RSS: {rss:.0f} MB; index: {len(index):,} signatures")
    print(f"exact duplicates caught by fingerprint: {caught_exact:,} / {counts[EXACT]:,}")
    print(
        f"near duplicates caught (earlier key = the source): {caught_near:,} / {counts[NEAR]:,}"
        f" = {caught_near / max(1, counts[NEAR]):.2%}; with another key: {wrong_source}"
    )
    print(
        f"false positives: originals flagged {flagged[ORIGINAL]:,} / {counts[ORIGINAL]:,}; "
        f"same-event stories flagged {flagged[EVENT]:,} / {counts[EVENT]:,}"
    )
    return n / wall, n / cpu


def compare(n: int, seed: int) -> None:
    """datasketch and this module, one body at a time and in batches, on one sample."""
    corpus = iter(Corpus(seed))
    batch = [next(corpus) for _ in range(n)]
    planted = [(number, source) for number, (_, kind, source) in enumerate(batch) if kind == NEAR]

    def report(name: str, seconds: float, found: list[set[int]]) -> None:
        caught = sum(source in found[number] for number, source in planted)
        print(
            f"  {name}: {n / seconds:,.0f} records/s CPU; near duplicates caught "
            f"{caught} / {len(planted)}"
        )

    print(f"the same {n:,} records, one process (CPU time):")
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("  datasketch is not installed: skipped")
    else:
        words = re.compile(r"\w+")
        lsh = MinHashLSH(threshold=0.8, num_perm=128)
        found: list[set[int]] = []
        started = time.process_time()
        for number, (body, _, _) in enumerate(batch):
            tokens = words.findall(body.lower())
            shingles = {" ".join(tokens[i : i + 3]) for i in range(max(1, len(tokens) - 2))}
            minhash = MinHash(num_perm=128)
            minhash.update_batch([shingle.encode() for shingle in shingles])
            earlier = lsh.query(minhash)
            if not earlier:
                lsh.insert(number, minhash)
            found.append(set(earlier))
        report(
            "datasketch MinHash(num_perm=128, update_batch) + MinHashLSH(threshold=0.8), "
            "3-word shingles",
            time.process_time() - started,
            found,
        )

    bodies = [body for body, _, _ in batch]
    index = neardup.NearDuplicateIndex()
    started = time.process_time()
    answers = []
    for number, body in enumerate(bodies):
        _, sig = neardup.keys(body)
        answers.append(index.add_or_query(number, sig))
    report(
        "neardup, one body at a time: keys() + add_or_query()",
        time.process_time() - started,
        [set() if answer is None else {answer} for answer in answers],
    )

    index = BatchIndex()
    started = time.process_time()
    sigs = [sig for _, sig in keys_many(bodies)]
    answers = index.add_or_query_many(range(n), sigs)
    report(
        "neardup, batches: keys_many() + add_or_query_many()",
        time.process_time() - started,
        [set() if answer is None else {answer} for answer in answers],
    )


def furniture(n: int, seed: int) -> None:
    """The pipeline's rule for shared paragraphs (``neardup.same_story``), one body at a
    time as the pipeline runs it: on ``n`` records of the corpus above (planted near
    duplicates must stay caught, nothing else flagged), then on ``n // 10`` short
    stories (40-80 words) that each end in one site-wide disclaimer (~110 words)."""
    corpus = iter(Corpus(seed))
    index = neardup.NearDuplicateIndex()
    known: set[bytes] = set()

    def flag(number: int, body: str) -> tuple[bool, bool]:
        """(flagged by the index alone, still flagged with shared paragraphs set aside)."""
        sig = neardup.signature(body)
        keys = neardup.paragraph_keys(body)
        paragraphs = [p for p in body.split("\n\n") if p.strip()]
        shared_text = "\n\n".join(p for p, k in zip(paragraphs, keys, strict=True) if k in known)
        shared = neardup.signature(shared_text) if shared_text else neardup.EMPTY_SIGNATURE
        matches = list(index.matches(sig))
        kept = any(neardup.same_story(other, sig, shared) for _, other in matches)
        if not matches:
            index.add(number, sig)
        known.update(keys)
        return bool(matches), kept

    counts = {kind: 0 for kind in range(4)}
    flagged = {kind: [0, 0] for kind in range(4)}
    for number in range(n):
        body, kind, _ = next(corpus)
        counts[kind] += 1
        for column, value in enumerate(flag(number, body)):
            flagged[kind][column] += value
    print(
        f"shared-paragraph rule on {n:,} records: near duplicates flagged by the index "
        f"{flagged[NEAR][0]:,} / {counts[NEAR]:,}, still flagged with the rule "
        f"{flagged[NEAR][1]:,}; exact copies {flagged[EXACT][1]:,} / {counts[EXACT]:,}; "
        f"originals flagged {flagged[ORIGINAL][1]:,} / {counts[ORIGINAL]:,}, same-event "
        f"stories {flagged[EVENT][1]:,} / {counts[EVENT]:,}"
    )
    rng = random.Random(seed)
    spec = Corpus(seed + 1).languages["en"]
    vocabulary = [str(w) for w in spec.vocab[:5000]]
    disclaimer = " ".join(rng.choices(vocabulary, k=110)) + "."
    stories = n // 10
    by_index = by_rule = 0
    for number in range(stories):
        own = " ".join(rng.choices(vocabulary, k=rng.randint(40, 80))) + "."
        was_flagged, kept = flag(n + number, own + "\n\n" + disclaimer)
        by_index += was_flagged
        by_rule += kept
    print(
        f"short stories sharing one disclaimer: {stories:,}; flagged as near duplicates by "
        f"the index alone {by_index:,}, with the rule {by_rule:,}"
    )


# The pipeline as a pool-on crawl runs it (items carry the worker's keys, the store
# groups its writes, the index holds a window), and the path it replaced, as settings.
PIPELINE_PATHS = {
    "baseline": {  # plain dicts, one commit per record, every signature loaded
        "NEWSCRAWL_FEED_FSYNC_RECORDS": 1,
        "NEWSCRAWL_NEAR_DUPLICATE_WINDOW": 2**40,
    },
    "grouped": {},  # the project's settings
}


RECORDS_AT_ONCE = 500  # generated, then timed: fewer than url_key's cache holds


def _items(
    corpus: Iterator[tuple[str, int, int]], first: int, count: int, prepared: bool
) -> tuple[list, list[int]]:
    """Records as the crawl's pipelines get them: an Article whose ``_prepared`` keys the
    extraction worker computed (newscrawl.text.prepared), or a plain dict without; and
    the kind of each (ORIGINAL, EXACT, NEAR, EVENT)."""
    from newscrawl.discovery.urls import url_key
    from newscrawl.items import Article
    from newscrawl.text.prepared import Prepared

    items: list = []
    drawn = [next(corpus) for _ in range(count)]
    bodies = [body for body, _, _ in drawn]
    keys = keys_many(bodies) if prepared else []  # = neardup.keys(body), batched
    for number, body in enumerate(bodies, start=first):
        url = f"https://www.example.com/news/{number}"
        if not prepared:
            items.append({"url": url, "canonical_url": None, "body": body})
            continue
        url_key(url)  # the spider keys the fetched URL before yielding (cached, lru 1024)
        item = Article(url=url, canonical_url=url, body=body)
        fingerprint, signature = keys[number - first]
        paragraphs = tuple(neardup.paragraph_keys(body))
        item._prepared = Prepared(body, True, fingerprint, signature, paragraphs, ())
        items.append(item)
    return items, [kind for _, kind, _ in drawn]


def _rss_mb() -> float:
    """Resident set size now (not the peak)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pipeline_child(path: str, n: int, seed: int, state: str) -> None:
    """``n`` records of the corpus through the crawl's DeduplicatePipeline on the SQLite
    store ``state``, as ``path`` (PIPELINE_PATHS) says; then a second pipeline on that
    store, as the next run's start-up: seconds to its first record and the memory it
    took. Prints the figures as JSON."""
    import json

    from scrapy.exceptions import DropItem
    from scrapy.utils.test import get_crawler

    from newscrawl.pipelines import DeduplicatePipeline

    logging.disable(logging.WARNING)  # the pipeline's "Dropping ..." lines
    corpus = iter(Corpus(seed))
    neardup.keys("warm up: build the character tables")
    prepared = path != "baseline"
    settings = {"NEWSCRAWL_STATE_PATH": state, **PIPELINE_PATHS[path]}
    wall = cpu = generation = 0.0
    dedup = DeduplicatePipeline.from_crawler(get_crawler(settings_dict=settings))
    done = 0
    counts, flagged = [0] * 4, [0] * 4  # per kind: records, dropped or marked duplicate
    while done < n:
        started = time.perf_counter()
        items, kinds = _items(corpus, done, min(RECORDS_AT_ONCE, n - done), prepared)
        generation += time.perf_counter() - started
        dropped = []
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        for item in items:
            try:
                dedup.process_item(item)
            except DropItem:
                dropped.append(item)
        wall += time.perf_counter() - wall_start
        cpu += time.process_time() - cpu_start
        done += len(items)
        dropped_ids = {id(item) for item in dropped}
        for item, kind in zip(items, kinds, strict=True):
            counts[kind] += 1
            flagged[kind] += id(item) in dropped_ids or item.get("duplicate_of") is not None
    dedup.store.close()
    peak = peak_rss_mb()
    item = _items(corpus, n, 1, prepared)[0][0]
    before, started = _rss_mb(), time.perf_counter()
    again = DeduplicatePipeline.from_crawler(get_crawler(settings_dict=settings))
    again.process_item(item)
    opened = time.perf_counter() - started
    again.store.close()
    figures = {"wall": wall, "cpu": cpu, "generation": generation, "rss": peak,
               "open": opened, "open_rss": _rss_mb() - before,
               "counts": counts, "flagged": flagged}  # fmt: skip
    print(json.dumps(figures))


def pipeline(n: int, seed: int, baseline: int) -> None:
    """The crawl's pipeline (NEWSCRAWL_NEAR_DUPLICATES=mark), one child process per path
    on the same records: the baseline on ``baseline`` records, the grouped path on ``n``."""
    import json
    import subprocess
    import tempfile

    print("DeduplicatePipeline.process_item with its SQLite store, near duplicates marked:")
    results = {}
    for path, count in (("baseline", baseline), ("grouped", n)):
        with tempfile.TemporaryDirectory(prefix="bench-dedup-") as folder:
            child = subprocess.run(
                [sys.executable, __file__, "--pipeline-child", path, str(count), str(seed),
                 f"{folder}/state.sqlite3"],
                stdout=subprocess.PIPE, text=True, check=True,
            )  # fmt: skip
        times = results[path] = json.loads(child.stdout)
        print(
            f"  {path} ({count:,} records): {count / times['wall']:,.0f} records/s wall, "
            f"{count / times['cpu']:,.0f} records/s CPU; peak RSS {times['rss']:.0f} MB "
            f"(generation apart: {times['generation']:.1f} s); next run on that store: "
            f"first record after {times['open']:.2f} s, +{times['open_rss']:.0f} MB",
            flush=True,
        )
        counts, flagged = times["counts"], times["flagged"]
        shares = [
            f"{flagged[k]:,} / {counts[k]:,} ({flagged[k] / max(1, counts[k]):.2%})"
            for k in range(4)
        ]
        kinds = (EXACT, NEAR, ORIGINAL, EVENT)
        print(
            "    flagged as duplicates: " + ", ".join(f"{KIND_NAMES[k]} {shares[k]}" for k in kinds)
        )
    base, grouped = results["baseline"], results["grouped"]
    wall = base["wall"] / baseline / (grouped["wall"] / n)
    cpu = base["cpu"] / baseline / (grouped["cpu"] / n)
    print(f"  grouped / baseline, records/s: wall {wall:.1f}x, CPU {cpu:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--compare", type=int, default=5000, help="records for the datasketch comparison"
    )
    parser.add_argument(
        "--furniture", type=int, default=20000, help="records for the shared-paragraph rule"
    )
    parser.add_argument(
        "--pipeline",
        type=int,
        default=0,
        help="records through the crawl's DeduplicatePipeline (SQLite store), grouped path",
    )
    parser.add_argument(
        "--baseline",
        type=int,
        default=0,
        help="records through the baseline path (default: as --pipeline, at most 100,000)",
    )
    args = parser.parse_args()
    if args.pipeline:
        pipeline(args.pipeline, args.seed, args.baseline or min(args.pipeline, 100_000))
        return
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at the start"
    )
    run(args.n, args.seed)
    if args.compare:
        compare(args.compare, args.seed + 1)
    if args.furniture:
        furniture(args.furniture, args.seed + 2)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--pipeline-child":
        pipeline_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        main()
