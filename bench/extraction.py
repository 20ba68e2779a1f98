"""Site extraction against trafilatura on the real regional pages of ../shared/corpus.

    python bench/extraction.py [--repeat 5]

For every corpus page whose URL a site module covers, in one process:

* pages/s of ``newscrawl.extract`` (the site module) and of ``trafilatura.extract``
  (defaults, and ``favor_precision=True``), each over the same decoded pages;
* body F1 against the corpus's gold body where it has one (fundus, aeb): ``\\w+``
  tokens, 4-token shingles, per page (the corpus README's convention), plus the
  share of ``with``/``without`` snippets satisfied where the corpus gives those.

Site extraction is measured on decoded text, like trafilatura, so neither pays for
charset detection; both parse the HTML themselves.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura  # noqa: E402

from newscrawl.api import NotAnArticleError, extract  # noqa: E402
from newscrawl.evaluation import f1  # noqa: E402
from newscrawl.extraction.article import decode_html  # noqa: E402
from newscrawl.sites import spider_for_url  # noqa: E402
from tests.corpus import CORPUS, gold_body, manifest, read_page  # noqa: E402


def site_pages() -> list[dict[str, Any]]:
    pages = []
    for file, entry in manifest().items():
        spider = spider_for_url(entry["url"])
        if spider is None:
            continue
        html = decode_html(read_page({"corpus": file}))
        pages.append({"file": file, "url": entry["url"], "site": spider.name, "html": html,
                      "gold": gold_body(file), "expected": entry["expected"]})  # fmt: skip
    return pages


def ours(page: dict[str, Any]) -> str:
    try:
        return str(extract(page["html"], page["url"])["body"])
    except NotAnArticleError:
        return ""


def trafilatura_default(page: dict[str, Any]) -> str:
    return trafilatura.extract(page["html"], url=page["url"]) or ""


def trafilatura_precision(page: dict[str, Any]) -> str:
    return trafilatura.extract(page["html"], url=page["url"], favor_precision=True) or ""


def timed(
    func: Callable[[dict[str, Any]], str], pages: list[dict[str, Any]], repeat: int
) -> tuple[list[str], float]:
    bodies = [func(p) for p in pages]  # warm-up, and the bodies to score
    start = time.perf_counter()
    for _ in range(repeat):
        for page in pages:
            func(page)
    elapsed = time.perf_counter() - start
    return bodies, len(pages) * repeat / elapsed


def snippet_score(body: str, expected: dict[str, Any]) -> float | None:
    checks = [s in body for s in expected.get("with", [])]
    checks += [s not in body for s in expected.get("without", [])]
    return sum(checks) / len(checks) if checks else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (CORPUS / "MANIFEST.json").is_file():
        raise SystemExit(f"needs the corpus at {CORPUS}")
    pages = site_pages()
    runs = {
        "newscrawl": timed(ours, pages, args.repeat),
        "trafilatura": timed(trafilatura_default, pages, args.repeat),
        "traf-precision": timed(trafilatura_precision, pages, args.repeat),
    }
    names = list(runs)
    print(f"{len(pages)} regional corpus pages with a site module, {args.repeat} timed passes\n")
    print(f"{'page':<44} {'site':<15} " + " ".join(f"{n:>15}" for n in names))
    totals: dict[str, list[float]] = {n: [] for n in names}
    for i, page in enumerate(pages):
        cells = []
        for name in names:
            body = runs[name][0][i]
            if page["gold"] is not None:
                score = f1(body, page["gold"])
                totals[name].append(score)
                cells.append(f"F1 {score:>12.3f}")
            else:
                snippets = snippet_score(body, page["expected"])
                cells.append(f"snip {snippets:>10.2f}" if snippets is not None else f"{'-':>15}")
        print(
            f"{Path(page['file']).name[:44]:<44} {page['site']:<15} "
            + " ".join(f"{c:>15}" for c in cells)
        )
    print()
    gold_count = len(totals["newscrawl"])
    print(f"{'mean F1 (' + str(gold_count) + ' gold pages)':<60} " + " ".join(
        f"{sum(totals[n]) / max(len(totals[n]), 1):>15.3f}" for n in names))  # fmt: skip
    print(f"{'pages/s':<60} " + " ".join(f"{runs[n][1]:>15.1f}" for n in names))
    speedup = runs["newscrawl"][1] / runs["trafilatura"][1]
    print(f"\nsite extraction is {speedup:.1f}x trafilatura's default speed (goal >= 10x)")


if __name__ == "__main__":
    main()
