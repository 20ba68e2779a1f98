"""Text overlap scores: the corpus and benchmarks score bodies against gold text with
them, and template learning checks a learned layout against the generic extractor.

>>> round(f1("a b c d", "a b c d"), 2), round(f1("a b", "c d"), 2)
(1.0, 0.0)
>>> precision_recall_f1("the cat sat", "the cat sat on the mat", shingle=1)
(1.0, 0.5, 0.6666666666666666)
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"\w+")


def _shingles(text: str, size: int) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def precision_recall_f1(predicted: str, gold: str, shingle: int = 4) -> tuple[float, float, float]:
    """Precision, recall, F1 over ``\\w+`` token shingles (4 = the corpus convention)."""
    guess, truth = _shingles(predicted, shingle), _shingles(gold, shingle)
    if not guess and not truth:
        return 1.0, 1.0, 1.0
    overlap = sum((guess & truth).values())
    precision = overlap / sum(guess.values()) if guess else 0.0
    recall = overlap / sum(truth.values()) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def f1(predicted: str, gold: str, shingle: int = 4) -> float:
    return precision_recall_f1(predicted, gold, shingle)[2]
