"""Fuzz every extraction and cleaning function with Hypothesis: 10,000 examples.

    python bench/fuzz.py [--examples 10000] [--seed 0]

Among the targets, story pages with metadata of every JSON shape (any JSON, 100,000
levels deep, huge or escaped strings, cut) and with damaged encodings (1-10 stray
bytes, a cut last character, wrong or no declaration) must keep their whole story.
The last line says how many exceptions escaped and how many articles were lost.

The examples are shared among the targets of tests/fuzzing.py by weight (the site
extraction, ``newscrawl.extract`` over every site module, gets the largest share).
Prints how many examples each target ran and every failure (the shrunk input and
the error); exits 1 if there was one. The test suite runs the same targets with a
few examples each (tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.fuzzing import TARGETS, Target


def run(target: Target, examples: int, random_seed: int) -> tuple[int, str | None, bool]:
    """(examples run, the failure's traceback or None, whether an exception escaped)."""
    count = 0

    @seed(random_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
    )
    @given(target.strategy)
    def test(value: object) -> None:
        nonlocal count
        count += 1
        target.check(value)

    try:
        test()
    except AssertionError:  # an invariant broken: a lost article, an invalid record
        return count, traceback.format_exc(limit=-8), False
    except Exception:
        return count, traceback.format_exc(limit=-8), True
    return count, None, False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    total_weight = sum(t.weight for t in TARGETS)
    failures = []
    escaped = lost = 0
    ran = 0
    started = time.perf_counter()
    for target in TARGETS:
        share = max(1, round(args.examples * target.weight / total_weight))
        begun = time.perf_counter()
        count, failure, exception = run(target, share, args.seed)
        escaped += exception
        lost += bool(failure) and not exception and "loses_the_article" in target.check.__name__
        ran += count
        status = "FAILED" if failure else "ok"
        print(
            f"{target.name:40} {count:6d} examples  {time.perf_counter() - begun:6.1f}s  {status}"
        )
        if failure:
            failures.append((target.name, failure))
    print(
        f"\n{ran} examples in {time.perf_counter() - started:.0f}s, {len(failures)} failing targets"
        f" ({escaped} with an exception escaping, {lost} losing an article)"
    )
    for name, failure in failures:
        print(f"\n--- {name} ---\n{failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
