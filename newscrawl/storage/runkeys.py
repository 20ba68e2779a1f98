"""What one run emitted, compactly: 64-bit hashes in sorted numpy arrays.

The deduplicate pipeline remembers, for the run, each identity it emitted and the
fingerprint of that record's body. Python dicts and sets of str/bytes took ~180 bytes
a record (177 MB at a million records, bench/dedup.py --pipeline); here a record takes
16 bytes (a 64-bit key hash and a 64-bit fingerprint hash) once merged, plus a small
dict of the latest entries, merged into the sorted arrays when it grows.

A hash is not the value: two values may share one (a chance of about n / 2**64 per
look-up). Callers confirm a hit where a false one would drop an article
(pipelines.DeduplicatePipeline confirms a body fingerprint against the state store).
"""

from __future__ import annotations

import numpy as np

MASK = (1 << 64) - 1
_MIN_PENDING = 1 << 16  # entries in the dict before a merge (~5 MB of dict at most)


def key_hash(key: str) -> int:
    """64 bits of a string (Python's own SipHash, seeded per process)."""
    return hash(key) & MASK


def fingerprint_hash(fingerprint: bytes) -> int:
    """64 bits of a body fingerprint, itself a BLAKE2b digest: its first 8 bytes."""
    return int.from_bytes(fingerprint[:8], "little")


class HashMap64:
    """64-bit int -> 64-bit int, the last value set for a key kept.

    Recent entries live in a dict; once it holds ``max(65536, len(self) / 16)`` of
    them they are merged into two aligned arrays sorted by key (a merge sorts, so
    merging rarely keeps the cost per entry flat; 1/16 of the entries in a dict
    costs ~4 bytes an entry more).
    """

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._values = np.empty(0, dtype=np.uint64)
        self._pending: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._keys) + sum(1 for k in self._pending if self._find(k) is None)

    def __setitem__(self, key: int, value: int) -> None:
        self._pending[key & MASK] = value & MASK
        if len(self._pending) >= max(_MIN_PENDING, len(self._keys) >> 4):
            self._merge()

    def get(self, key: int) -> int | None:
        key &= MASK
        found = self._pending.get(key)
        return found if found is not None else self._find(key)

    def __contains__(self, key: int) -> bool:
        return self.get(key) is not None

    def _find(self, key: int) -> int | None:
        keys = self._keys
        at = int(keys.searchsorted(np.uint64(key)))
        if at < len(keys) and int(keys[at]) == key:
            return int(self._values[at])
        return None

    def _merge(self) -> None:
        count = len(self._pending)
        new_keys = np.fromiter(self._pending.keys(), dtype=np.uint64, count=count)
        new_values = np.fromiter(self._pending.values(), dtype=np.uint64, count=count)
        keys = np.concatenate((self._keys, new_keys))
        values = np.concatenate((self._values, new_values))
        order = np.argsort(keys, kind="stable")  # a key's newer value comes after its older
        keys, values = keys[order], values[order]
        last = np.ones(len(keys), dtype=bool)  # of equal keys, the newest value stays
        last[:-1] = keys[1:] != keys[:-1]
        self._keys, self._values = keys[last], values[last]
        self._pending = {}


class HashSet64:
    """A set of 64-bit ints, 8 bytes each once merged (see :class:`HashMap64`)."""

    def __init__(self) -> None:
        self._map = HashMap64()

    def add(self, value: int) -> None:
        self._map[value] = 0

    def __contains__(self, value: int) -> bool:
        return value in self._map

    def __len__(self) -> int:
        return len(self._map)
