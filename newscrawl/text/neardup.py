"""Exact and near-duplicate detection of article bodies.

Two keys per body, and an index for the second:

* :func:`fingerprint` -- the exact-duplicate key: the 16-byte BLAKE2b of the body with
  whitespace collapsed and casefolded, exactly ``blake2b(" ".join(body.split())
  .casefold().encode("utf-8"), digest_size=16).digest()`` (the digest the
  deduplicating pipeline keeps), computed with table lookups.
* :func:`signature` -- the near-duplicate key: ``SIGNATURE_SIZE`` (72) bytes, a
  one-permutation MinHash of the body's shingles in ``LANES`` (36) little-endian
  16-bit lanes. The share of equal lanes of two signatures estimates the Jaccard
  similarity of their shingle sets (:func:`estimate_similarity`). A body without a
  word has :data:`EMPTY_SIGNATURE`, which is nobody's near duplicate.
* :class:`NearDuplicateIndex` -- signatures under the caller's integer keys; finds the
  first-added one whose estimated similarity to a new one reaches ``threshold``
  (LSH: 10 bands of 3 lanes find candidates, the whole signature decides).

>>> story = "The storm hit the coast on Monday, cutting power to 40,000 homes. " * 3
>>> fingerprint(story) == fingerprint("  THE STORM hit the coast on Monday,\\n" + story[35:])
True
>>> index = NearDuplicateIndex()
>>> index.add_or_query(1, signature(story)) is None
True
>>> index.add_or_query(2, signature(story.replace("Monday", "Tuesday")))
1

Shingles. A body is reduced to its words (``\\w+`` runs: the characters of ``re``'s
``\\w``) with one separator between two -- punctuation, spacing and paragraph breaks
do not count -- casefolded, and with what differs between sites' copies of a story
folded: digits of any script as ASCII digits, every letter form of the one Arabic
folding table (:mod:`newscrawl.text.arabic`: alef and hamza forms, alef maqsura, teh
marbuta, Persian yeh and kaf), presentation forms (NFKC); combining
marks (harakat), tatweel and format characters (ZWNJ, bidi marks) dropped inside
words. A shingle is the ``SHINGLE_CHARS`` (16) characters of that text from the start
of a word, about three words: a changed word changes the ~3 shingles over it, like
3-word shingles, and fixed-width windows hash without a Python loop over words.

Why MinHash and not a 64-bit SimHash with a Hamming-distance index: a re-edited copy
of a 400-word story (a few words changed, a sentence added) keeps ~80% of its
shingles, which moves a SimHash by ~9 of 64 bits on average, far beyond the 3 bits a
pigeonhole index searches, and only ~6 standard deviations from unrelated texts.
MinHash estimates the Jaccard similarity itself, so the threshold means what it says.
Why not datasketch: its ``MinHash`` takes a SHA-1 of each shingle in Python, then
128 permutations of a shingles x 128 matrix, and its LSH keeps Python objects per
band: ~1,500 bodies/s here, 15-20 times slower; ``bench/dedup.py`` compares both.

Speed: :func:`keys` and :meth:`NearDuplicateIndex.add_or_query` take one body at a
time, which is what an item pipeline needs. The hashing works on numpy arrays of one
or more bodies (a ``_Chunk``); ``bench/neardup_batch.py`` drives it over batches of
bodies, with an index answering batches (22,000-29,000 news bodies/s for fingerprint,
signature and index together, about 3 times the one-at-a-time rate, ~160 MB for a
million: ``bench/dedup.py``), for bulk work such as deduplicating an archive.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import re
import unicodedata
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from newscrawl.text.arabic import fold_map

__all__ = [
    "EMPTY_SIGNATURE",
    "LANES",
    "SHINGLE_CHARS",
    "SIGNATURE_SIZE",
    "NearDuplicateIndex",
    "RecentIndex",
    "estimate_similarity",
    "fingerprint",
    "keys",
    "paragraph_keys",
    "same_story",
    "signature",
]

#: The token definition (the tables below are built from it).
WORD_RE = re.compile(r"\w+")
#: Characters per shingle: a shingle is this many characters of the normalised body
#: (words, one separator between two) from the start of a word -- about three words.
SHINGLE_CHARS = 16
#: MinHash lanes (one-permutation hashing bins) per signature, 16 bits each.
LANES = 36
#: Bytes per signature.
SIGNATURE_SIZE = 2 * LANES
#: The signature of a body without a single word: never a near duplicate of anything.
EMPTY_SIGNATURE = bytes(SIGNATURE_SIZE)

_U64 = np.uint64
_MASK64 = (1 << 64) - 1
_ALL = _U64(_MASK64)
_FIB = 0x9E3779B97F4A7C15  # 2**64 / golden ratio, odd
_IGNORED = 0xFFFF  # signature table value: drop the character, keep its word whole
_BREAK = 1  # signature table value of NUL, which keeps bodies apart (a separator is 0)
_MULTI = 0xFFFFFFFF  # casefold table value: casefolds to more than one character

U16Array = npt.NDArray[np.uint16]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.intp]

# ----------------------------------------------------------------------------------
# Character tables (built on first use: ~0.1 s, 7 MB)

# Compatibility forms worth folding (NFKC, one character to one): Latin ligatures and
# Arabic presentation forms, fullwidth and halfwidth forms.
_NFKC_RANGES = ((0xFB00, 0xFDFF), (0xFE70, 0xFEFF), (0xFF00, 0xFFEF))


@dataclass(frozen=True)
class _Tables:
    fold: U32Array  # code point -> casefolded code point (_MULTI), whitespace -> 0x20
    sig: U16Array  # code point -> 16-bit word character code, 0 (separator) or _IGNORED
    fold_ascii: bytes  # the same two for ASCII, as bytes.translate tables
    sig_ascii: bytes


def _casefold_table() -> U32Array:
    """Single-character casefold of every code point, _MULTI where it expands."""
    table = np.arange(0x110000, dtype=np.uint32)
    step = 4096
    for lo in range(0, 0x110000, step):
        chunk = table[lo : lo + step].tobytes().decode("utf-32-le", "surrogatepass")
        folded = chunk.casefold()
        if folded == chunk:
            continue
        if len(folded) == len(chunk):
            encoded = folded.encode("utf-32-le", "surrogatepass")
            table[lo : lo + step] = np.frombuffer(encoded, dtype="<u4")
            continue
        for offset, char in enumerate(chunk):
            one = char.casefold()
            table[lo + offset] = ord(one) if len(one) == 1 else _MULTI
    return table


@functools.cache
def _tables() -> _Tables:
    identity = np.arange(0x110000, dtype=np.uint32)
    everything = identity.tobytes().decode("utf-32-le", "surrogatepass")
    casefold = _casefold_table()

    fold = casefold.copy()
    for cp in range(0x3001):  # no whitespace above U+3000
        if chr(cp).isspace():
            fold[cp] = 0x20

    is_word = np.zeros(0x110000, dtype=bool)
    for match in WORD_RE.finditer(everything):
        is_word[match.start() : match.end()] = True
    # Word characters casefolded (kept as they are where that takes two characters).
    sig = np.where(is_word, np.where(casefold == _MULTI, identity, casefold), 0)
    for lo, hi in _NFKC_RANGES:
        for cp in range(lo, hi + 1):
            if is_word[cp]:
                one = unicodedata.normalize("NFKC", chr(cp)).casefold()
                if len(one) == 1 and WORD_RE.fullmatch(one):
                    sig[cp] = ord(one)
    for match in re.finditer(r"\d", everything):
        sig[match.start()] = ord("0") + unicodedata.decimal(match.group())
    for source, target in fold_map().items():  # also where NFKC led to the source
        sig[sig == ord(source)] = ord(target)
    # 16 bits a character: outside the BMP (rare in news) distinct characters may share
    # a code, which only makes two words hash alike.
    astral = sig > 0xFFFF
    sig[astral] = 0x8000 | (sig[astral] & 0x7FFE)
    # Combining marks and format characters (ZWNJ, bidi marks) are not \w and would
    # split their word; tatweel is \w and would change it: all are dropped instead.
    # Planes 2-13 (ideographs, unassigned) and 15-16 (private use) have none.
    for cp in itertools.chain(range(0x20000), range(0xE0000, 0xE1000)):
        if not is_word[cp] and unicodedata.category(chr(cp)) in ("Mn", "Me", "Cf"):
            sig[cp] = _IGNORED
    sig[0x0640] = _IGNORED
    sig[0] = _BREAK
    return _Tables(
        fold=fold,
        sig=sig.astype(np.uint16),
        fold_ascii=bytes(fold[:128].tolist()) + bytes(range(128, 256)),
        sig_ascii=bytes(sig[:128].tolist()) + bytes(128),
    )


# ----------------------------------------------------------------------------------
# Hashing, vectorised over a chunk of bodies

_GAP = SHINGLE_CHARS  # NULs around each body: a shingle never reads past its body

_S29, _S32 = _U64(29), _U64(32)
_FIB64 = _U64(_FIB)
_M1 = _U64(0xFF51AFD7ED558CCD)
_LANES64 = _U64(LANES)


class _Chunk:
    """Stripped bodies, all ASCII or none, each after _GAP NULs (and _GAP at the end).

    Body ``i`` is ``codes[starts[i] : starts[i] + lengths[i]]``, where the codes are
    ``raw`` (ASCII) or ``points`` (code points).
    """

    def __init__(self, texts: list[str], ascii_only: bool) -> None:
        self.texts = texts
        self.ascii = ascii_only
        self.lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
        self.starts = np.cumsum(self.lengths + _GAP) - self.lengths
        joined = ("\0" * _GAP).join(["", *texts, ""])
        self.raw = joined.encode("ascii") if ascii_only else b""
        self.points: U32Array = np.empty(0, dtype=np.uint32)
        if not ascii_only:  # numpy's copy to UCS-4 is ~5 times faster than encode()
            self.points = np.array(joined).reshape(1).view(np.uint32)
            if len(self.points) != len(joined):  # (never: numpy keeps trailing NULs)
                self.points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), "<u4")


def _doc_of(starts: IntArray, positions: IntArray) -> IntArray:
    """Which body each position is in."""
    return np.searchsorted(starts, positions, side="right") - 1


def _without(codes: npt.NDArray[Any], drop: IntArray) -> npt.NDArray[Any]:
    keep = np.ones(len(codes), dtype=bool)
    keep[drop] = False
    return codes[keep]


def _fingerprints(chunk: _Chunk) -> list[bytes]:
    """Casefold and whitespace by table, then drop the second space of each pair."""
    tables = _tables()
    folded: npt.NDArray[Any]
    expand: set[int] = set()
    if chunk.ascii:
        folded = np.frombuffer(chunk.raw.translate(tables.fold_ascii), dtype=np.uint8)
    else:
        folded = tables.fold.take(chunk.points)
        multi = np.flatnonzero(folded == _MULTI)
        if len(multi):  # ß, ligatures...: str.casefold expands them
            expand = set(_doc_of(chunk.starts, multi).tolist())
            folded[multi] = 0
    starts, ends = chunk.starts, chunk.starts + chunk.lengths
    space = folded == 0x20
    second = np.flatnonzero(space[1:] & space[:-1]) + 1  # never across bodies: stripped
    if len(second):
        folded = _without(folded, second)
        starts, ends = (
            starts - np.searchsorted(second, starts),
            ends - np.searchsorted(second, ends),
        )
    spans = zip(starts.tolist(), ends.tolist(), strict=True)
    blake2b = hashlib.blake2b
    if chunk.ascii:
        normal = folded.data
        return [blake2b(normal[start:end], digest_size=16).digest() for start, end in spans]
    text = folded.tobytes().decode("utf-32-le", "surrogatepass")
    digests = []
    for doc, (start, end) in enumerate(spans):
        if doc in expand:
            digests.append(_fingerprint_reference(chunk.texts[doc]))
        else:
            utf8 = text[start:end].encode("utf-8", "surrogatepass")
            digests.append(blake2b(utf8, digest_size=16).digest())
    return digests


def _mix(values: U64Array) -> U64Array:
    """A xorshift-multiply-xorshift round (of MurmurHash3's finaliser), in place."""
    values ^= values >> _S32
    values *= _M1
    values ^= values >> _S29
    return values


def _shingle_hashes(codes: U16Array, starts: IntArray) -> U64Array:
    """A hash of the SHINGLE_CHARS codes from each start, read 4 codes (64 bits) at a time.

    The codes are laid out four times, shifted by 0..3, so that every start is at
    the beginning of a 64-bit block of one of them.
    """
    size = len(codes)
    blocks = size // 4 + SHINGLE_CHARS // 4 + 1
    shifted = np.zeros((4, 4 * blocks), dtype="<u2")
    for shift in range(4):
        shifted[shift, : size - shift] = codes[shift:]
    view: U64Array = shifted.view("<u8").reshape(-1)
    index = (starts & 3) * blocks + (starts >> 2)
    hashes = view[index]
    for part in range(1, SHINGLE_CHARS // 4):
        hashes *= _FIB64
        hashes += view[index + part]
    return _mix(hashes)


def _signatures(chunk: _Chunk) -> list[bytes]:
    """One-permutation MinHash of the shingles of each body."""
    tables = _tables()
    count = len(chunk.texts)
    codes: npt.NDArray[Any]
    starts = chunk.starts
    if chunk.ascii:
        raw = np.frombuffer(chunk.raw.translate(tables.sig_ascii), dtype=np.uint8)
        codes = raw.astype(np.uint16)
    else:
        codes = tables.sig.take(chunk.points)
        ignored = np.flatnonzero(codes == _IGNORED)
        if len(ignored):
            codes = _without(codes, ignored)
            starts = starts - np.searchsorted(ignored, starts)
    # One separator (0) between two words: punctuation and spacing do not count.
    separator = codes == 0
    second = np.flatnonzero(separator[1:] & separator[:-1]) + 1
    if len(second):
        codes = _without(codes, second)
        starts = starts - np.searchsorted(second, starts)
    is_word = codes > _BREAK
    word_starts = np.flatnonzero(is_word[1:] > is_word[:-1]) + 1
    per_doc = np.diff(np.searchsorted(word_starts, np.append(starts, len(codes))))
    docs = np.repeat(np.arange(count) * LANES, per_doc)
    shingles = _shingle_hashes(codes, word_starts)
    # The least hash in each of LANES even bins of the hash range; a lane is its low
    # 16 bits.
    docs += (((shingles >> _S32) * _LANES64) >> _S32).astype(np.intp)
    least = np.full(count * LANES, _ALL)
    np.minimum.at(least, docs, shingles)
    empty = (least == _ALL).reshape(count, LANES)
    lanes = least.astype("<u2").reshape(count, LANES)
    if empty.any():
        _densify(lanes, empty)
    flat = lanes.tobytes()
    size = SIGNATURE_SIZE
    sigs = [flat[doc * size : (doc + 1) * size] for doc in range(count)]
    for doc, words in enumerate(per_doc.tolist()):
        if not words:
            sigs[doc] = EMPTY_SIGNATURE
        elif sigs[doc] == EMPTY_SIGNATURE:  # all lanes 0 by chance (p = 2**-576)
            sigs[doc] = b"\x01" + sigs[doc][1:]
    return sigs


def _densify(lanes: U16Array, empty: npt.NDArray[np.bool_]) -> None:
    """Fill each empty bin from the next non-empty one (cyclically), offset by distance."""
    rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    if not len(rows):
        return
    holes = empty[rows]
    # The nearest non-empty bin at or after each bin, in the row written twice.
    twice = np.where(np.concatenate((holes, holes), axis=1), 3 * LANES, np.arange(2 * LANES))
    nearest = np.minimum.accumulate(twice[:, ::-1], axis=1)[:, ::-1][:, :LANES]
    picked = lanes[rows]
    donors = picked.reshape(-1)[(nearest % LANES) + LANES * np.arange(len(rows))[:, None]]
    filled = (donors.astype(np.intp) + (nearest - np.arange(LANES)) * 0x9E37) & 0xFFFF
    lanes[rows] = np.where(holes, filled, picked)


def _fingerprint_reference(text: str) -> bytes:
    normal = " ".join(text.split()).casefold()
    return hashlib.blake2b(normal.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _chunk(body: str) -> _Chunk:
    text = body.strip()
    return _Chunk([text], text.isascii())


def fingerprint(body: str) -> bytes:
    """Exact-duplicate key: 16-byte BLAKE2b of the body, whitespace collapsed, casefolded.

    >>> fingerprint("Breaking:  the\\tVOTE is in ") == fingerprint("breaking: the vote is in")
    True
    >>> fingerprint("the vote is in") == fingerprint("the vote is in.")
    False
    >>> fingerprint("").hex()
    'cae66941d9efbd404e4d88758ea67670'
    """
    return _fingerprints(_chunk(body))[0]


def signature(body: str) -> bytes:
    """Near-duplicate key: a MinHash of the body's shingles, SIGNATURE_SIZE bytes.

    LANES little-endian 16-bit lanes; :data:`EMPTY_SIGNATURE` for a body without words.
    Store it as a blob (SQLite ``BLOB``, a Redis string): it is the same on every run
    and machine (only texts using characters newer than Python's Unicode tables could
    differ under another Python).

    >>> len(signature("Three words here")), signature("...") == EMPTY_SIGNATURE
    (72, True)
    """
    return _signatures(_chunk(body))[0]


def keys(body: str) -> tuple[bytes, bytes]:
    """``(fingerprint(body), signature(body))``, sharing the work of both.

    >>> keys("Some body text") == (fingerprint("Some body text"), signature("Some body text"))
    True
    """
    chunk = _chunk(body)
    return _fingerprints(chunk)[0], _signatures(chunk)[0]


def estimate_similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures.

    >>> a = signature("the storm hit the coast on monday and cut power to homes")
    >>> estimate_similarity(a, a), estimate_similarity(a, EMPTY_SIGNATURE)
    (1.0, 0.0)
    """
    _check(first)
    _check(second)
    if first == EMPTY_SIGNATURE or second == EMPTY_SIGNATURE:
        return 0.0
    return _equal_lanes(first, second) / LANES


_LOW15 = int.from_bytes(b"\xff\x7f" * LANES, "little")
#: Lanes a body must win with text of its own (outside the shared paragraphs), ~10% of
#: LANES, for :func:`same_story` to compare what the two bodies have of their own.
OWN_LANES = 4
#: Least similarity of what two near-duplicate bodies have of their own for them to be
#: one story. Lower than the index's threshold: the pair already passed that on the whole
#: bodies, and the own text of a re-edit is where its edits are (a changed paragraph of
#: a wire copy keeps 0.36-0.5 in bench/dedup.py), while two different stories' own texts,
#: even on one event, share under 0.15 (tests/test_neardup.py).
OWN_SIMILARITY = 0.25


def paragraph_keys(body: str) -> list[bytes]:
    """An 8-byte key per non-empty paragraph (blank-line separated), whitespace collapsed
    and casefolded as :func:`fingerprint` does: what a store keeps to recognise a paragraph
    already published in another article (a disclaimer, a "follow us" line).

    >>> a, b, c = paragraph_keys("Follow us  on X.\\n\\nThe story.\\n\\n\\n\\nFOLLOW US ON X.")
    >>> a == c != b, len(a)
    (True, 8)
    """
    return [
        hashlib.blake2b(" ".join(p.split()).casefold().encode("utf-8"), digest_size=8).digest()
        for p in body.split("\n\n")
        if p.strip()
    ]


def same_story(first: bytes, second: bytes, shared: bytes, threshold: float = 0.5) -> bool:
    """Whether two bodies whose signatures are near duplicates tell one story once the
    paragraphs they share with other articles are set aside.

    ``shared`` is the signature of those paragraphs of ``second`` that some earlier
    article already had (:data:`EMPTY_SIGNATURE` for none). Short stories that end in
    one long disclaimer are near duplicates by their shingles; what each has of its own
    is not. A lane whose minimum comes from the shared text in both bodies says nothing;
    the other lanes decide, as MinHash would on the bodies without the shared text: at
    least :data:`OWN_SIMILARITY` of them equal. Without shared text, ``threshold`` (the
    index's) decides on the whole bodies.
    A body with (almost) nothing of its own beside it (fewer than :data:`OWN_LANES`
    lanes) is a copy of the other, extended or cut: still one story.

    >>> disclaimer = " ".join(f"term{i} applies to every story here" for i in range(30))
    >>> one = "Floods closed the coastal road near Sidon on Monday morning. " + disclaimer
    >>> two = "The central bank kept its main interest rate unchanged today. " + disclaimer
    >>> estimate_similarity(signature(one), signature(two)) >= 0.5
    True
    >>> same_story(signature(one), signature(two), signature(disclaimer))
    False
    >>> edited = one.replace("Monday", "Tuesday")
    >>> same_story(signature(one), signature(edited), signature(disclaimer))
    True
    >>> same_story(signature(one), signature(edited), EMPTY_SIGNATURE)
    True
    """
    if shared == EMPTY_SIGNATURE:
        return estimate_similarity(first, second) >= threshold
    a, b, s = (np.frombuffer(sig, dtype="<u2") for sig in (first, second, shared))
    own_a, own_b = a != s, b != s
    if int(own_a.sum()) < OWN_LANES or int(own_b.sum()) < OWN_LANES:
        return True
    decided = own_a | own_b
    return int(((a == b) & decided).sum()) >= OWN_SIMILARITY * int(decided.sum())


_HIGH = int.from_bytes(b"\x00\x80" * LANES, "little")


def _equal_lanes(first: bytes, second: bytes | bytearray) -> int:
    """How many 16-bit lanes of two signatures are equal (SWAR on Python ints)."""
    diff = int.from_bytes(first, "little") ^ int.from_bytes(second, "little")
    nonzero = (((diff & _LOW15) + _LOW15) | diff) & _HIGH
    return LANES - nonzero.bit_count()


# ----------------------------------------------------------------------------------
# Index

_EMPTY_SLOT = 0xFFFFFFFF
_MAX_LOAD = 0.5  # tables at most half full: short probes


class NearDuplicateIndex:
    """Signatures by caller key; finds the first-added near duplicate of a signature.

    ``threshold``: the least estimated Jaccard similarity (the share of equal lanes of
    two signatures) that makes two bodies near duplicates. 0.5: a re-edited copy keeps
    well over that, two reports of the same event by different writers share well
    under 0.1 of their shingles.
    ``bands``: LSH bands of ``LANES // bands`` lanes each; two signatures with one
    band equal are candidates, then compared whole. With the default 10 bands of 3
    lanes, a pair of similarity 0.5 / 0.6 / 0.7 / 0.8 is a candidate with probability
    0.74 / 0.91 / 0.985 / 0.999; with 12 bands 0.80 / 0.95 / 0.994 / 0.9998, for 8
    bytes more per signature.

    Storage is compact: the signatures in one bytearray, the keys in an ``array('q')``
    (so keys are signed 64-bit integers), and per band a linear-probing table of
    32-bit row numbers by band value, at most half full: 72 + 8 + 4 * bands * 2..4
    bytes per signature, ~160 MB for a million with 10 bands. Not thread-safe.

    >>> index = NearDuplicateIndex(threshold=0.6)
    >>> sig = signature("Rescue teams searched the rubble through the night in Adana")
    >>> index.add(10, sig)
    >>> index.query(sig), len(index), list(index.items()) == [(10, sig)]
    (10, 1, True)
    >>> NearDuplicateIndex.from_items(index.items(), threshold=0.6).query(sig)
    10
    """

    def __init__(self, threshold: float = 0.5, *, bands: int = 10) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        if not 1 <= bands <= LANES:
            raise ValueError(f"bands must be in [1, {LANES}], not {bands}")
        self.threshold = threshold
        self.bands = bands
        self._width = 2 * (LANES // bands)  # bytes per band
        self._min_equal = max(1, math.ceil(threshold * LANES - 1e-9))
        self._keys = array("q")
        self._sigs = bytearray()
        self._bits = 10
        self._filled = 0  # entries in the fullest table, or a little more
        self._tables = [array("I", [_EMPTY_SLOT]) * (1 << self._bits) for _ in range(bands)]

    # -- public API -----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: int, sig: bytes) -> None:
        """Store ``sig`` under ``key`` (a signed 64-bit integer), near duplicate or not."""
        _check(sig)
        self._insert(key, sig, self._probe(sig)[1])

    def query(self, sig: bytes) -> int | None:
        """The key of the first-added near duplicate of ``sig``, or None."""
        _check(sig)
        return self._best(sig, self._probe(sig)[0])

    def matches(self, sig: bytes) -> Iterator[tuple[int, bytes]]:
        """``(key, signature)`` of every near duplicate of ``sig``, first-added first (for a
        caller that checks each further, as the pipeline does with :func:`same_story`)."""
        _check(sig)
        sigs, size = self._sigs, SIGNATURE_SIZE
        for row in sorted(set(self._probe(sig)[0])):
            stored = bytes(sigs[row * size : (row + 1) * size])
            if _equal_lanes(sig, stored) >= self._min_equal:
                yield self._keys[row], stored

    def add_or_query(self, key: int, sig: bytes) -> int | None:
        """The key of the first-added near duplicate of ``sig``; else add it, and None.

        A near duplicate is not added: the index keeps the first of each group, as a
        deduplicating pipeline keeps the first and drops the others.
        """
        _check(sig)
        candidates, free = self._probe(sig)
        if candidates:
            earlier = self._best(sig, candidates)
            if earlier is not None:
                return earlier
        self._insert(key, sig, free)
        return None

    def items(self) -> Iterator[tuple[int, bytes]]:
        """``(key, signature)`` pairs in the order they were added (to persist)."""
        sigs, size = self._sigs, SIGNATURE_SIZE
        for row, key in enumerate(self._keys):
            yield key, bytes(sigs[row * size : (row + 1) * size])

    @classmethod
    def from_items(
        cls, items: Iterable[tuple[int, bytes]], threshold: float = 0.5, *, bands: int = 10
    ) -> NearDuplicateIndex:
        """The index holding ``items`` (as :meth:`items` gives them), in their order.

        Every pair is stored, as :meth:`add` would.
        """
        index = cls(threshold, bands=bands)
        for key, sig in items:
            _check(sig)
            index._keys.append(key)
            index._sigs += sig
        index._rebuild(max(10, (2 * len(index)).bit_length()))
        return index

    # -- one signature at a time --------------------------------------------------------

    def _probe(self, sig: bytes) -> tuple[list[int], list[int]]:
        """Rows sharing a band value with ``sig``; per band, the free slot or -1."""
        if sig == EMPTY_SIGNATURE:
            return [], [-1] * self.bands
        candidates: list[int] = []
        free: list[int] = []
        sigs, width, size = self._sigs, self._width, SIGNATURE_SIZE
        mask, shift = (1 << self._bits) - 1, 64 - self._bits
        start = 0
        for table in self._tables:
            part = sig[start : start + width]
            slot = ((int.from_bytes(part, "little") * _FIB) & _MASK64) >> shift
            row = table[slot]
            while row != _EMPTY_SLOT:
                at = row * size + start
                if sigs[at : at + width] == part:
                    candidates.append(row)
                    slot = -1
                    break
                slot = (slot + 1) & mask
                row = table[slot]
            free.append(slot)
            start += width
        return candidates, free

    def _best(self, sig: bytes, candidates: list[int]) -> int | None:
        """The key of the first-added candidate that is a near duplicate of ``sig``."""
        sigs, size = self._sigs, SIGNATURE_SIZE
        for row in sorted(set(candidates)):
            if _equal_lanes(sig, sigs[row * size : (row + 1) * size]) >= self._min_equal:
                return self._keys[row]
        return None

    def _insert(self, key: int, sig: bytes, free: list[int]) -> None:
        row = len(self._keys)
        if row >= _EMPTY_SLOT:
            raise OverflowError("a NearDuplicateIndex holds at most 2**32 - 1 signatures")
        self._keys.append(key)
        self._sigs += sig
        new_value = False
        for table, slot in zip(self._tables, free, strict=True):
            if slot >= 0:
                table[slot] = row
                new_value = True
        if new_value:  # the fullest table has at most one entry more
            self._filled += 1
            if self._filled > _MAX_LOAD * (1 << self._bits):
                self._rebuild(self._bits + 1)

    # -- whole tables (bench/neardup_batch.py builds its batch methods on these) ---------

    def _lanes(self) -> U16Array:
        """The stored signatures as a view: delete it before adding to the index."""
        return np.frombuffer(self._sigs, dtype="<u2").reshape(len(self._keys), LANES)

    def _band_values(self, lanes: U16Array, band: int, rows: IntArray | None = None) -> U64Array:
        """The value of ``band`` (its lanes as one little-endian integer) in each row."""
        per_band = self._width // 2
        first = band * per_band
        if rows is None:
            columns = [lanes[:, first + lane] for lane in range(per_band)]
        else:
            flat, at = lanes.reshape(-1), rows * LANES + first
            columns = [flat[at + lane] for lane in range(per_band)]
        values = columns[0].astype(_U64)
        for lane in range(1, per_band):
            values |= columns[lane].astype(_U64) << _U64(16 * lane)
        return values

    def _homes(self, values: U64Array) -> IntArray:
        return ((values * _U64(_FIB)) >> _U64(64 - self._bits)).astype(np.intp)

    def _rebuild(self, bits: int) -> None:
        """All band tables anew with 2**bits slots, one band at a time.

        Every live row goes in, in the layout linear probing would give inserting them
        in order: sorted by home slot (then row), each at its home or just after the
        one before. Rows with the same band value share a home, so the first found
        is the first added, as with one at a time.
        """
        if bits > 32:
            raise OverflowError("a NearDuplicateIndex holds at most 2**31 signatures")
        self._bits = bits
        self._tables = []
        size = 1 << bits
        lanes = self._lanes()
        live = np.flatnonzero(lanes.any(axis=1)).astype(_U64)
        self._filled = len(live)
        for band in range(self.bands):
            homes = self._homes(self._band_values(lanes, band, live.astype(np.intp)))
            ordered = np.sort((homes.astype(_U64) << _S32) | live)
            homes = (ordered >> _S32).astype(np.intp)
            rows = (ordered & _U64(0xFFFFFFFF)).astype(np.uint32)
            table = array("I", [_EMPTY_SLOT]) * size
            _layout(np.frombuffer(table, dtype=np.uint32), homes, rows)
            self._tables.append(table)
        del lanes


def _layout(table: U32Array, homes: IntArray, rows: U32Array) -> None:
    """Fill an empty linear-probing table with ``rows`` sorted by ``homes``."""
    size, count = len(table), len(homes)
    steps = np.arange(count)
    positions = np.maximum.accumulate(homes - steps) + steps
    over = np.flatnonzero(positions >= size)
    if len(over):  # past the end: wrap round, before all the others, then lay out again
        homes = np.concatenate((np.zeros(len(over), dtype=np.intp), np.delete(homes, over)))
        rows = np.concatenate((rows[over], np.delete(rows, over)))
        positions = np.maximum.accumulate(homes - steps) + steps
        if positions[-1] >= size:
            raise RuntimeError("hash table overfull")  # (at most half full: never)
    table[positions] = rows


def _check(sig: bytes) -> None:
    if len(sig) != SIGNATURE_SIZE:
        raise ValueError(f"a signature has {SIGNATURE_SIZE} bytes, not {len(sig)}")


class RecentIndex:
    """A :class:`NearDuplicateIndex` of the last ``window`` signatures or so, in memory
    whatever the number of signatures ever added: two generations of ``window // 2``,
    the older dropped whole when the newer fills (no delete in an index). So the
    signatures of the last ``window // 2`` to ``window`` records are searched: re-edits
    of one wire story come within days; a store of years neither slows a run's start
    (it reads the window, not the store) nor grows its memory (~160 bytes a signature).

    >>> index = RecentIndex(window=4)
    >>> sigs = [signature(" ".join(f"w{i}x{j}" for j in range(40))) for i in range(5)]
    >>> for key, sig in enumerate(sigs):
    ...     index.add(key, sig)
    >>> len(index), [key for key, _ in index.matches(sigs[0])], index.query(sigs[4])
    (3, [], 4)
    """

    def __init__(self, threshold: float = 0.5, *, window: int = 200_000) -> None:
        if window < 2:
            raise ValueError(f"window must be at least 2, not {window}")
        self.threshold = threshold
        self.half = window // 2
        self._older: NearDuplicateIndex | None = None
        self._newer = NearDuplicateIndex(threshold)

    def __len__(self) -> int:
        return len(self._newer) + (len(self._older) if self._older is not None else 0)

    def add(self, key: int, sig: bytes) -> None:
        if len(self._newer) >= self.half:
            self._older, self._newer = self._newer, NearDuplicateIndex(self.threshold)
        self._newer.add(key, sig)

    def matches(self, sig: bytes) -> Iterator[tuple[int, bytes]]:
        """As :meth:`NearDuplicateIndex.matches`: first-added first."""
        if self._older is not None:
            yield from self._older.matches(sig)
        yield from self._newer.matches(sig)

    def query(self, sig: bytes) -> int | None:
        return next((key for key, _ in self.matches(sig)), None)

    @classmethod
    def from_items(
        cls, items: Iterable[tuple[int, bytes]], threshold: float = 0.5, *, window: int = 200_000
    ) -> RecentIndex:
        """The window over ``items`` (oldest first): their last ``window // 2`` or more."""
        index = cls(threshold, window=window)
        rows = list(deque(items, maxlen=2 * index.half))
        cut = max(0, len(rows) - index.half)
        if cut:
            index._older = NearDuplicateIndex.from_items(rows[:cut], threshold)
        index._newer = NearDuplicateIndex.from_items(rows[cut:], threshold)
        return index
