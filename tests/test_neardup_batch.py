"""The batch paths of bench/neardup_batch.py give the package's one-at-a-time answers."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import neardup_batch
from bench.neardup_batch import BatchIndex, keys_many
from newscrawl.text.neardup import NearDuplicateIndex, keys, signature

from .test_neardup import QUAKE_A, corpus, text_strategy


@settings(max_examples=300, deadline=None)
@given(st.lists(text_strategy, max_size=6))
def test_batch_keys_equal_one_at_a_time(bodies: list[str]) -> None:
    assert keys_many(bodies) == [keys(body) for body in bodies]


def test_ascii_and_unicode_chunks_agree() -> None:
    joined = QUAKE_A.replace("earthquake", "earth\u200dquake")
    spaced = QUAKE_A.replace(" ", "\u00a0", 20)
    assert keys_many([spaced, QUAKE_A, joined]) == [keys(QUAKE_A)] * 2 + [keys(joined)]


@pytest.mark.parametrize("batch", [1, 7, 50, 400])
def test_batch_index_answers_as_one_at_a_time(batch: int) -> None:
    sigs = [sig for _, sig in keys_many(corpus(batch, 400))]
    one = NearDuplicateIndex()
    expected = [one.add_or_query(key, sig) for key, sig in enumerate(sigs)]
    many = BatchIndex()
    answers: list[int | None] = []
    for start in range(0, len(sigs), batch):
        part = sigs[start : start + batch]
        answers += many.add_or_query_many(range(start, start + len(part)), part)
    assert answers == expected
    assert sum(answer is not None for answer in expected) > 50
    assert list(many.items()) == list(one.items())
    probes = [signature(body) for body in corpus(batch + 1, 100)]
    assert [many.query(sig) for sig in probes] == [one.query(sig) for sig in probes]


def test_batch_module_examples() -> None:
    result = doctest.testmod(neardup_batch)
    assert result.attempted > 0 and result.failed == 0
