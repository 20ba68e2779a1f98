"""Batch paths of the near-duplicate keys and index, for bulk work and bench/dedup.py.

The crawl's pipeline takes one body at a time (:func:`newscrawl.text.neardup.keys`,
:meth:`~newscrawl.text.neardup.NearDuplicateIndex.add_or_query`); these give the same
answers for many bodies at once, about 3 times faster with numpy: :func:`keys_many`
hashes chunks of bodies together, and :class:`BatchIndex` answers a batch of
signatures against the index and within the batch. They were part of the package and
only ever served the benchmark, so they live here, on the package's internals (the
chunk hashing and the index's tables), which ``tests/test_neardup_batch.py`` holds them
to: each answer equals the one-at-a-time answer.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.text.neardup import (
    _EMPTY_SLOT,
    _MAX_LOAD,
    LANES,
    SIGNATURE_SIZE,
    IntArray,
    NearDuplicateIndex,
    U16Array,
    U64Array,
    _check,
    _Chunk,
    _equal_lanes,
    _fingerprints,
    _signatures,
)

_CHUNK_BODIES = 32  # bodies hashed together, at most
_CHUNK_CHARS = 1 << 18  # characters hashed together, at least one body
_STRAGGLERS = 24  # vectorised probing rounds stop at this few, Python does the rest


def _chunks(texts: list[str]) -> Iterator[tuple[_Chunk, list[int]]]:
    """Chunks of the (stripped) texts, ASCII and not apart, with the texts' numbers."""
    ascii_only = [text.isascii() for text in texts]
    for kind in (True, False):
        numbers = [number for number, flag in enumerate(ascii_only) if flag is kind]
        start = 0
        while start < len(numbers):
            end, size = start, 0
            while end < len(numbers) and end - start < _CHUNK_BODIES:
                size += len(texts[numbers[end]])
                if size > _CHUNK_CHARS and end > start:
                    break
                end += 1
            group = numbers[start:end]
            yield _Chunk([texts[number] for number in group], kind), group
            start = end


def keys_many(bodies: Iterable[str]) -> list[tuple[bytes, bytes]]:
    """``[keys(body) for body in bodies]``, vectorised over chunks of bodies.

    Several times faster than one :func:`keys` call per body: for bulk work.

    >>> from newscrawl.text.neardup import keys
    >>> bodies = ["A first body of text", "", "ANOTHER  body", "مرحبا بكم"]
    >>> keys_many(bodies) == [keys(body) for body in bodies]
    True
    """
    texts = [body.strip() for body in bodies]
    results: list[tuple[bytes, bytes]] = [(b"", b"")] * len(texts)
    for chunk, numbers in _chunks(texts):
        pairs = zip(numbers, _fingerprints(chunk), _signatures(chunk), strict=True)
        for number, fingerprint_, signature_ in pairs:
            results[number] = fingerprint_, signature_
    return results


class BatchIndex(NearDuplicateIndex):
    """A :class:`~newscrawl.text.neardup.NearDuplicateIndex` that also answers batches."""

    def add_or_query_many(self, keys: Sequence[int], sigs: Sequence[bytes]) -> list[int | None]:
        """``[self.add_or_query(key, sig) for key, sig in zip(keys, sigs)]``, vectorised.

        The same answers, near duplicates within the batch included; several times
        faster for batches of hundreds or thousands.

        >>> from newscrawl.text.neardup import EMPTY_SIGNATURE, signature
        >>> index = BatchIndex()
        >>> a, b = signature("one story " * 20), signature("another story " * 20)
        >>> index.add_or_query_many([1, 2, 3, 4], [a, b, a, EMPTY_SIGNATURE])
        [None, None, 1, None]
        >>> index.add_or_query_many([5], [b]), len(index)
        ([2], 3)
        """
        count = len(sigs)
        if len(keys) != count:
            raise ValueError(f"{len(keys)} keys for {count} signatures")
        for sig in sigs:
            _check(sig)
        new_keys = array("q", keys)
        if not count:
            return []
        batch = np.frombuffer(b"".join(sigs), dtype="<u2").reshape(count, LANES)
        live = np.flatnonzero(batch.any(axis=1))
        stored = len(self._keys)
        values = [self._band_values(batch, band) for band in range(self.bands)]
        lanes = self._lanes()
        looked = [self._lookup(band, values[band], live, lanes) for band in range(self.bands)]
        found = np.stack([rows for rows, _ in looked])

        # Near duplicates among the stored rows: the first-added that passes the check.
        earliest = np.full(count, stored, dtype=np.intp)
        bands_, records = np.nonzero(found >= 0)
        if len(records):
            rows = found[bands_, records]
            equal = np.count_nonzero(lanes[rows] == batch[records], axis=1)
            near = equal >= self._min_equal
            np.minimum.at(earliest, records[near], rows[near])
        del lanes
        duplicate_of = np.where(earliest < stored, earliest, -1)  # a stored row, or -1
        self._within(sigs, values, live, found, duplicate_of)

        results: list[int | None] = []
        stored_keys = self._keys
        for row in duplicate_of.tolist():
            if row < 0:
                results.append(None)
            elif row < stored:
                results.append(stored_keys[row])
            else:
                results.append(new_keys[row - stored])
        added = np.flatnonzero(duplicate_of < 0)
        if stored + len(added) >= _EMPTY_SLOT:
            raise OverflowError("a NearDuplicateIndex holds at most 2**32 - 1 signatures")
        added_list = added.tolist()
        self._keys.extend(new_keys[record] for record in added_list)
        self._sigs += b"".join(sigs[record] for record in added_list)

        # Into each table: the band values new to it, from their first new row.
        row_of = np.full(count, -1, dtype=np.intp)
        row_of[added] = stored + np.arange(len(added))
        new = np.zeros(count, dtype=bool)
        new[live] = True
        new &= duplicate_of < 0
        fresh = [np.flatnonzero(new & (found[band] < 0)) for band in range(self.bands)]
        most = max(len(records) for records in fresh)
        if self._filled + most > _MAX_LOAD * (1 << self._bits):
            self._rebuild(max(self._bits + 1, (2 * (self._filled + most)).bit_length()))
            return results
        lanes = self._lanes()
        placed = [  # starting where the lookups ended: at the first empty slots
            self._place(band, values[band][rows], row_of[rows], lanes, looked[band][1][rows])
            for band, rows in enumerate(fresh)
        ]
        del lanes
        self._filled += max(placed)
        return results

    def _band_value(self, row: int, band: int) -> int:
        at = row * SIGNATURE_SIZE + band * self._width
        return int.from_bytes(self._sigs[at : at + self._width], "little")

    def _lookup(
        self, band: int, values: U64Array, which: IntArray, lanes: U16Array
    ) -> tuple[IntArray, IntArray]:
        """For each of ``which``: the stored row with its band value, or -1; and the
        slot where the search ended (the row's, or the empty slot to put it in)."""
        table = self._tables[band]
        view = np.frombuffer(table, dtype=np.uint32)
        mask = len(table) - 1
        slots = self._homes(values)
        found = np.full(len(values), -1, dtype=np.intp)
        pending = which
        while len(pending) > _STRAGGLERS:
            held = view[slots[pending]]
            occupied = np.flatnonzero(held != _EMPTY_SLOT)
            pending, rows = pending[occupied], held[occupied].astype(np.intp)
            same = self._band_values(lanes, band, rows) == values[pending]
            found[pending[same]] = rows[same]
            pending = pending[~same]
            slots[pending] = (slots[pending] + 1) & mask
        for record in pending.tolist():
            value, slot = int(values[record]), int(slots[record])
            row = table[slot]
            while row != _EMPTY_SLOT:
                if self._band_value(row, band) == value:
                    found[record] = row
                    break
                slot = (slot + 1) & mask
                row = table[slot]
            slots[record] = slot
        return found, slots

    def _place(
        self,
        band: int,
        values: U64Array,
        rows: IntArray,
        lanes: U16Array,
        slots: IntArray | None = None,
    ) -> int:
        """Put ``rows`` (ascending, stored) into a table by their band ``values``.

        Only the first row with a value goes in, as one at a time would. Vectorised: in
        each round every pending row looks at its slot; a row finding its own value
        there is done, rows finding it empty claim it (the lowest row wins, the others
        look at the same slot again), rows finding another value move on; the last
        few go one at a time. ``slots``: where to start looking (else each value's
        home). Returns how many went in.
        """
        table = self._tables[band]
        view = np.frombuffer(table, dtype=np.uint32)
        mask = len(table) - 1
        slots = self._homes(values) if slots is None else slots
        pending = np.arange(len(rows))
        many = len(rows) > len(table) // 16
        claims = np.full(len(table) if many else 0, len(rows), dtype=np.intp)
        placed = 0
        while len(pending) > _STRAGGLERS:
            at = slots[pending]
            held = view[at]
            empty = held == _EMPTY_SLOT
            occupied = np.flatnonzero(~empty)
            same = self._band_values(lanes, band, held[occupied].astype(np.intp))
            same = same == values[pending[occupied]]
            moving = pending[occupied[~same]]
            slots[moving] = (slots[moving] + 1) & mask
            open_ = np.flatnonzero(empty)
            claimants, where = pending[open_], at[open_]
            if many:
                np.minimum.at(claims, where, claimants)
                won = claims[where] == claimants
                claims[where] = len(rows)
            else:  # claimants are ascending: the first of each slot wins
                won = np.zeros(len(open_), dtype=bool)
                won[np.unique(where, return_index=True)[1]] = True
            view[where[won]] = rows[claimants[won]]
            placed += int(np.count_nonzero(won))
            keep = np.ones(len(pending), dtype=bool)
            keep[open_[won]] = False
            keep[occupied[same]] = False
            pending = pending[keep]
        del view
        for record in pending.tolist():
            value, slot, row = int(values[record]), int(slots[record]), int(rows[record])
            occupant = table[slot]
            while occupant != _EMPTY_SLOT and self._band_value(occupant, band) != value:
                slot = (slot + 1) & mask
                occupant = table[slot]
            if occupant == _EMPTY_SLOT:
                table[slot] = row
                placed += 1
        return placed

    def _within(
        self,
        sigs: Sequence[bytes],
        values: list[U64Array],
        live: IntArray,
        found: IntArray,
        duplicate_of: IntArray,
    ) -> None:
        """Near duplicates within a batch: ``duplicate_of[i] = len(self) + j``, record j.

        Only records sharing a band value that is not in the table can be: in order,
        each is checked against the first added record of each such value it has.
        """
        groups: dict[int, list[int]] = {}  # record -> its shared values (numbered)
        shared = 0
        for band in range(self.bands):
            which = live[found[band, live] < 0]
            order = which[np.argsort(values[band][which], kind="stable")]
            ordered = values[band][order]
            change = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
            bounds = np.concatenate(([0], change, [len(order)]))
            big = np.flatnonzero(np.diff(bounds) > 1)
            for start, end in zip(bounds[big].tolist(), bounds[big + 1].tolist(), strict=True):
                for record in order[start:end].tolist():
                    groups.setdefault(record, []).append(shared)
                shared += 1
        stored = len(self._keys)
        first_added: dict[int, int] = {}  # shared value -> the first record added
        for record in sorted(groups):
            if duplicate_of[record] < 0:
                earlier = sorted(first_added[g] for g in groups[record] if g in first_added)
                for other in earlier:
                    if _equal_lanes(sigs[record], sigs[other]) >= self._min_equal:
                        duplicate_of[record] = stored + other
                        break
            if duplicate_of[record] < 0:
                for group in groups[record]:
                    first_added.setdefault(group, record)
