"""Exact and near-duplicate detection of article bodies.

Two keys per body:

* :func:`fingerprint` -- the exact-duplicate key: a 16-byte BLAKE2b of the body with
  whitespace collapsed and casefolded. It is exactly
  ``blake2b(" ".join(body.split()).casefold().encode("utf-8", "surrogatepass"),
  digest_size=16).digest()``, computed faster than that.
* :func:`signature` -- the near-duplicate key: a MinHash sketch (one-permutation
  MinHash, 36 lanes of 16 bits = 72 bytes) of the set of 3-word shingles of the body.
  The share of equal lanes of two signatures estimates the Jaccard similarity of the
  two bodies' shingle sets.

:class:`NearDuplicateIndex` finds, for a signature, the first-added signature whose
estimated Jaccard similarity is at least ``threshold``: LSH banding (12 bands of 3
lanes by default) gives candidates, each checked on the whole signature.

>>> story = "The storm hit the coast on Monday, cutting power to 40,000 homes. " * 3
>>> fingerprint(story) == fingerprint("  THE STORM hit the coast on Monday,\\n" + story[35:])
True
>>> index = NearDuplicateIndex()
>>> index.add_or_query(1, signature(story)) is None
True
>>> index.add_or_query(2, signature(story.replace("Monday", "Tuesday")))
1

Why MinHash and not a 64-bit SimHash: a re-edited copy of a 400-word story (a few
words changed, a sentence added) keeps ~80% of its 3-word shingles, which moves a
SimHash by ~9 of 64 bits on average -- far beyond the 3 bits a pigeonhole index can
search, while unrelated texts are only ~4 standard deviations further away.
MinHash estimates the Jaccard similarity itself, so the threshold means what it says.

Tokens are ``\\w+`` runs (Unicode-aware, the same characters as ``re``'s ``\\w``),
with a normalisation that helps across sites: casefolded, decimal digits of any
script as ASCII digits, Arabic alef/hamza variants, alef maqsura, teh marbuta, and
Persian yeh/kaf folded, combining marks, format characters (ZWNJ, ZWJ, bidi marks)
and tatweel ignored inside words. The work is vectorised with numpy over the code
points of the body (a table lookup per character and a polynomial hash per word),
not a Python loop over tokens.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "EMPTY_SIGNATURE",
    "LANES",
    "SHINGLE_WORDS",
    "SIGNATURE_SIZE",
    "NearDuplicateIndex",
    "estimate_similarity",
    "fingerprint",
    "keys",
    "keys_many",
    "signature",
]

#: The token definition (the tables below are built from it).
WORD_RE = re.compile(r"\w+")
#: Words per shingle.
SHINGLE_WORDS = 3
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
_MULTI = 0xFFFFFFFF  # casefold table value: casefolds to more than one character

U16Array = npt.NDArray[np.uint16]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.intp]

# ----------------------------------------------------------------------------------
# Character tables (built on first use: ~0.1 s, 7 MB)

# Arabic letters folded to the form most sites agree on.
_ARABIC_FOLD = {
    "\u0622": "\u0627",  # alef with madda -> alef
    "\u0623": "\u0627",  # alef with hamza above
    "\u0625": "\u0627",  # alef with hamza below
    "\u0671": "\u0627",  # alef wasla
    "\u0649": "\u064a",  # alef maqsura -> yeh
    "\u06cc": "\u064a",  # Farsi yeh
    "\u0626": "\u064a",  # yeh with hamza above
    "\u0624": "\u0648",  # waw with hamza above -> waw
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u06a9": "\u0643",  # keheh (Persian kaf) -> kaf
}
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
    for source, target in _ARABIC_FOLD.items():  # also where NFKC led to the source
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
    return _Tables(
        fold=fold,
        sig=sig.astype(np.uint16),
        fold_ascii=bytes(fold[:128].tolist()) + bytes(range(128, 256)),
        sig_ascii=bytes(sig[:128].tolist()) + bytes(128),
    )


# ----------------------------------------------------------------------------------
# Hashing, vectorised over a chunk of bodies

_CHUNK_BODIES = 64  # bodies hashed together, at most
_CHUNK_CHARS = 1 << 18  # characters hashed together, at least one body

_S32, _S33 = _U64(32), _U64(33)
_K1, _K2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)
_M1, _M2 = _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53)
_LANES64 = _U64(LANES)


def _make_powers(size: int) -> tuple[U64Array, U64Array]:
    """FIB**i and FIB**-i modulo 2**64, for i < size."""
    powers = np.full(size, _FIB, dtype=_U64)
    inverses = np.full(size, pow(_FIB, -1, 1 << 64), dtype=_U64)
    powers[0] = inverses[0] = 1
    return np.cumprod(powers, dtype=_U64), np.cumprod(inverses, dtype=_U64)


@functools.cache
def _chunk_powers() -> tuple[U64Array, U64Array]:
    return _make_powers(_CHUNK_CHARS + _CHUNK_BODIES + 2)


def _powers(size: int) -> tuple[U64Array, U64Array]:
    """Power tables of at least ``size``: cached up to a chunk, built for one body above."""
    powers = _chunk_powers()
    return powers if size <= len(powers[0]) else _make_powers(size)


class _Chunk:
    """Stripped bodies, all ASCII or none, joined by NULs.

    Body ``i`` is ``codes[starts[i] : starts[i] + lengths[i]]``, where codes are
    ``raw`` (ASCII) or ``points`` (code points).
    """

    def __init__(self, texts: list[str], ascii_only: bool) -> None:
        self.texts = texts
        self.ascii = ascii_only
        self.lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
        self.starts = np.cumsum(self.lengths + 1) - self.lengths
        joined = "\0" + "\0".join(texts) + "\0"
        self.raw = joined.encode("ascii") if ascii_only else b""
        self.points: IntArray = np.empty(0, dtype=np.intp)
        if not ascii_only:
            encoded = joined.encode("utf-32-le", "surrogatepass")
            self.points = np.frombuffer(encoded, dtype="<u4").astype(np.intp)


def _doc_of(starts: IntArray, positions: IntArray) -> IntArray:
    """Which body each position is in."""
    return np.searchsorted(starts, positions, side="right") - 1


def _without(
    codes: npt.NDArray[Any], drop: IntArray, starts: IntArray
) -> tuple[npt.NDArray[Any], IntArray, IntArray]:
    """``codes`` less the positions ``drop``: the new starts, and what each body lost."""
    keep = np.ones(len(codes), dtype=bool)
    keep[drop] = False
    lost = np.bincount(_doc_of(starts, drop), minlength=len(starts))
    return codes[keep], starts - (np.cumsum(lost) - lost), lost


def _fingerprints(chunk: _Chunk) -> list[bytes]:
    """Casefold and whitespace by table, then drop the second space of each pair."""
    tables = _tables()
    folded: npt.NDArray[Any]
    expand: set[int] = set()
    if chunk.ascii:
        folded = np.frombuffer(chunk.raw.translate(tables.fold_ascii), dtype=np.uint8)
    else:
        folded = tables.fold[chunk.points]
        multi = np.flatnonzero(folded == _MULTI)
        if len(multi):  # ß, ligatures...: str.casefold expands them
            expand = set(_doc_of(chunk.starts, multi).tolist())
            folded[multi] = 0
    starts, lengths = chunk.starts, chunk.lengths
    space = folded == 0x20
    second = np.flatnonzero(space[1:] & space[:-1]) + 1  # never across bodies: stripped
    if len(second):
        folded, starts, lost = _without(folded, second, starts)
        lengths = lengths - lost
    spans = zip(starts.tolist(), (starts + lengths).tolist(), strict=True)
    blake2b = hashlib.blake2b
    if chunk.ascii:
        normal = memoryview(folded)
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


def _fmix(values: U64Array) -> U64Array:
    """MurmurHash3's 64-bit finaliser, in place."""
    values ^= values >> _S33
    values *= _M1
    values ^= values >> _S33
    values *= _M2
    values ^= values >> _S33
    return values


def _signatures(chunk: _Chunk) -> list[bytes]:
    tables = _tables()
    count = len(chunk.texts)
    starts = chunk.starts
    codes: npt.NDArray[Any]
    if chunk.ascii:
        codes = np.frombuffer(chunk.raw.translate(tables.sig_ascii), dtype=np.uint8)
    else:
        codes = tables.sig[chunk.points]
        ignored = np.flatnonzero(codes == _IGNORED)
        if len(ignored):
            codes, starts, _ = _without(codes, ignored, starts)
    # Words: runs of non-zero codes; a word hashes to the sum of code * FIB**position
    # over its run, times FIB**-start: the same wherever it is.
    is_word = codes != 0
    word_starts = np.flatnonzero(is_word[1:] > is_word[:-1]) + 1  # codes[0] is a NUL
    size = len(codes)
    powers, inverses = _powers(size)
    words = np.add.reduceat(codes * powers[:size], word_starts) if len(word_starts) else powers[:0]
    words *= inverses[word_starts]
    per_doc = np.diff(np.searchsorted(word_starts, np.append(starts, size)))
    docs = np.repeat(np.arange(count), per_doc)
    # Shingles of SHINGLE_WORDS consecutive words; those across two bodies go to a
    # dummy bin. A body of one or two words has one shingle of them.
    shingles = words[:-2] * _K1
    shingles += words[1:-1] * _K2
    shingles += words[2:]
    shingle_docs = docs[:-2] * LANES
    shingle_docs[np.flatnonzero(docs[:-2] != docs[2:])] = count * LANES
    short = np.flatnonzero((per_doc > 0) & (per_doc < SHINGLE_WORDS))
    if len(short):
        first = np.searchsorted(docs, short)
        extra = words[first] * _K1
        extra += words[first + per_doc[short] - 1]
        shingles = np.concatenate((shingles, extra))
        shingle_docs = np.concatenate((shingle_docs, short * LANES))
    _fmix(shingles)
    # One-permutation MinHash: the least hash in each of LANES even bins of the hash
    # range; a lane is its low 16 bits.
    shingle_docs += (((shingles >> _S32) * _LANES64) >> _S32).astype(np.intp)
    least = np.full((count + 1) * LANES, _ALL)
    np.minimum.at(least, shingle_docs, shingles)
    empty = (least[:-LANES] == _ALL).reshape(count, LANES)
    lanes = least[:-LANES].astype("<u2").reshape(count, LANES)
    if empty.any():
        _densify(lanes, empty)
    flat = lanes.tobytes()
    size = SIGNATURE_SIZE
    sigs = [flat[doc * size : (doc + 1) * size] for doc in range(count)]
    for doc, words_in_doc in enumerate(per_doc.tolist()):
        if not words_in_doc:
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
    donors = np.take_along_axis(lanes[rows], nearest % LANES, axis=1).astype(np.intp)
    filled = (donors + (nearest - np.arange(LANES)) * 0x9E37) & 0xFFFF
    lanes[rows] = np.where(holes, filled, lanes[rows]).astype(np.uint16)


def _fingerprint_reference(text: str) -> bytes:
    normal = " ".join(text.split()).casefold()
    return hashlib.blake2b(normal.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _chunk(body: str) -> _Chunk:
    text = body.strip()
    return _Chunk([text], text.isascii())


def _chunks(bodies: Iterable[str]) -> Iterator[tuple[_Chunk, list[int]]]:
    """Chunks of the stripped bodies, ASCII and not apart, with their bodies' numbers."""
    groups: dict[bool, tuple[list[str], list[int]]] = {True: ([], []), False: ([], [])}
    sizes = {True: 0, False: 0}
    for number, body in enumerate(bodies):
        text = body.strip()
        kind = text.isascii()
        texts, numbers = groups[kind]
        if texts and (len(texts) == _CHUNK_BODIES or sizes[kind] + len(text) > _CHUNK_CHARS):
            yield _Chunk(texts, kind), numbers
            groups[kind] = texts, numbers = [], []
            sizes[kind] = 0
        texts.append(text)
        numbers.append(number)
        sizes[kind] += len(text) + 1
    for kind, (texts, numbers) in groups.items():
        if texts:
            yield _Chunk(texts, kind), numbers


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
    """Near-duplicate key: MinHash of the body's 3-word shingles, SIGNATURE_SIZE bytes.

    LANES little-endian 16-bit lanes; :data:`EMPTY_SIGNATURE` for a body without words.

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


def keys_many(bodies: Iterable[str]) -> list[tuple[bytes, bytes]]:
    """``[keys(body) for body in bodies]``, vectorised over chunks of bodies.

    Several times faster than one :func:`keys` call per body: for bulk work.

    >>> bodies = ["A first body of text", "", "ANOTHER  body", "مرحبا بكم"]
    >>> keys_many(bodies) == [keys(body) for body in bodies]
    True
    """
    results: dict[int, tuple[bytes, bytes]] = {}
    for chunk, numbers in _chunks(bodies):
        results.update(zip(numbers, zip(_fingerprints(chunk), _signatures(chunk), strict=True), strict=True))
    return [results[number] for number in range(len(results))]


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
_HIGH = int.from_bytes(b"\x00\x80" * LANES, "little")


def _equal_lanes(first: bytes, second: bytes) -> int:
    """How many 16-bit lanes of two signatures are equal (SWAR on Python ints)."""
    diff = int.from_bytes(first, "little") ^ int.from_bytes(second, "little")
    nonzero = (((diff & _LOW15) + _LOW15) | diff) & _HIGH
    return LANES - nonzero.bit_count()


# ----------------------------------------------------------------------------------
# Index

_EMPTY_SLOT = 0xFFFFFFFF
_MAX_LOAD = 0.5


class NearDuplicateIndex:
    """Signatures by caller key; finds the first-added near duplicate of a signature.

    ``threshold``: the least estimated Jaccard similarity of 3-word shingle sets that
    makes two bodies near duplicates (0.5: a re-edit keeps well over that, two
    reports of the same event by different writers share well under 0.1).
    ``bands``: LSH bands of ``LANES // bands`` lanes; a pair becomes a candidate when
    one band is equal, then the whole signature is compared. With 12 bands of 3 lanes
    a pair of similarity 0.5 / 0.6 / 0.7 / 0.8 is a candidate with probability
    0.80 / 0.95 / 0.994 / 0.9998. More bands: better recall below 0.6, more memory.

    Storage is compact: the signatures in one bytearray, the keys in an ``array('q')``
    (so keys must fit a signed 64-bit integer), and per band an open-addressing table
    of 32-bit row numbers (the first row with each band value) at most half full:
    about 72 + 8 + 8 * bands bytes per signature (~170 MB for a million).

    >>> index = NearDuplicateIndex(threshold=0.6)
    >>> sig = signature("Rescue teams searched the rubble through the night in Adana")
    >>> index.add(10, sig)
    >>> index.query(sig), len(index), list(index.items()) == [(10, sig)]
    (10, 1, True)
    >>> NearDuplicateIndex.from_items(index.items(), threshold=0.6).query(sig)
    10
    """

    def __init__(self, threshold: float = 0.5, *, bands: int = 12) -> None:
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
        self._filled = [0] * bands
        self._bits = 10
        self._tables = self._empty_tables()

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

    def add_or_query(self, key: int, sig: bytes) -> int | None:
        """The key of the first-added near duplicate of ``sig``; else add it, and None.

        A near duplicate is not added: the index keeps the first of each group, which
        is what a deduplicating pipeline keeps.
        """
        _check(sig)
        candidates, free = self._probe(sig)
        earlier = self._best(sig, candidates)
        if earlier is None:
            self._insert(key, sig, free)
        return earlier

    def items(self) -> Iterator[tuple[int, bytes]]:
        """``(key, signature)`` pairs in the order they were added (to persist)."""
        sigs, size = self._sigs, SIGNATURE_SIZE
        for row, key in enumerate(self._keys):
            yield key, bytes(sigs[row * size : (row + 1) * size])

    @classmethod
    def from_items(
        cls, items: Iterable[tuple[int, bytes]], threshold: float = 0.5, *, bands: int = 12
    ) -> NearDuplicateIndex:
        """The index holding ``items`` (as :meth:`items` gives them), in their order."""
        index = cls(threshold, bands=bands)
        for key, sig in items:
            _check(sig)
            index._keys.append(key)
            index._sigs += sig
        index._rebuild(max(10, (2 * len(index) - 1).bit_length()))
        return index

    # -- internals ------------------------------------------------------------------

    def _empty_tables(self) -> list[array[int]]:
        return [array("I", [_EMPTY_SLOT]) * (1 << self._bits) for _ in range(self.bands)]

    def _probe(self, sig: bytes) -> tuple[list[int], list[tuple[int, int]]]:
        """Rows sharing a band with ``sig``, and the free slots of the other bands."""
        candidates: list[int] = []
        free: list[tuple[int, int]] = []
        if sig == EMPTY_SIGNATURE:
            return candidates, free
        sigs, width, size = self._sigs, self._width, SIGNATURE_SIZE
        shift, mask = 64 - self._bits, (1 << self._bits) - 1
        for band, table in enumerate(self._tables):
            start = band * width
            part = sig[start : start + width]
            slot = ((int.from_bytes(part, "little") * _FIB) & _MASK64) >> shift
            while True:
                row = table[slot]
                if row == _EMPTY_SLOT:
                    free.append((band, slot))
                    break
                at = row * size + start
                if sigs[at : at + width] == part:
                    candidates.append(row)
                    break
                slot = (slot + 1) & mask
        return candidates, free

    def _best(self, sig: bytes, candidates: list[int]) -> int | None:
        best = -1
        sigs, size = self._sigs, SIGNATURE_SIZE
        for row in candidates:
            if (best < 0 or row < best) and _equal_lanes(
                sig, bytes(sigs[row * size : (row + 1) * size])
            ) >= self._min_equal:
                best = row
        return None if best < 0 else self._keys[best]

    def _insert(self, key: int, sig: bytes, free: list[tuple[int, int]]) -> None:
        row = len(self._keys)
        if row >= _EMPTY_SLOT:
            raise OverflowError("NearDuplicateIndex holds at most 2**32 - 1 signatures")
        self._keys.append(key)
        self._sigs += sig
        tables, filled = self._tables, self._filled
        for band, slot in free:
            tables[band][slot] = row
            filled[band] += 1
        if max(filled) > _MAX_LOAD * (1 << self._bits):
            self._rebuild(self._bits + 1)

    def _rebuild(self, bits: int) -> None:
        """All band tables anew with 2**bits slots, vectorised, one band at a time."""
        self._bits = bits
        self._tables = []
        count = len(self._keys)
        words = np.frombuffer(self._sigs, dtype="<u8").reshape(count, SIGNATURE_SIZE // 8)
        live = np.flatnonzero(words.any(axis=1))
        del words
        lanes = np.frombuffer(self._sigs, dtype="<u2").reshape(count, LANES)
        per_band = self._width // 2
        for band in range(self.bands):
            table = array("I", [_EMPTY_SLOT]) * (1 << bits)
            values = np.zeros(len(live), dtype=_U64)
            for lane in range(per_band):
                column = lanes[live, band * per_band + lane].astype(_U64)
                values |= column << _U64(16 * lane)
            _, first = np.unique(values, return_index=True)
            first.sort()  # the first row of each band value, in row order
            rows = live[first]
            homes = (values[first] * _U64(_FIB)) >> _U64(64 - bits)
            _place(np.frombuffer(table, dtype=np.uint32), homes.astype(np.intp), rows)
            self._tables.append(table)
            self._filled[band] = len(rows)
        del lanes


def _place(table: U32Array, homes: npt.NDArray[np.intp], rows: npt.NDArray[np.intp]) -> None:
    """Linear-probing insertion of ``rows`` at their ``homes``, in rounds."""
    mask = len(table) - 1
    slots = homes.copy()
    pending = np.arange(len(rows))
    while len(pending):
        at = slots[pending]
        free = np.flatnonzero(table[at] == _EMPTY_SLOT)
        taken, first = np.unique(at[free], return_index=True)  # the lowest row per slot
        table[taken] = rows[pending[free[first]]]
        keep = np.ones(len(pending), dtype=bool)
        keep[free[first]] = False
        pending = pending[keep]
        slots[pending] = (slots[pending] + 1) & mask


def _check(sig: bytes) -> None:
    if len(sig) != SIGNATURE_SIZE:
        raise ValueError(f"a signature has {SIGNATURE_SIZE} bytes, not {len(sig)}")
