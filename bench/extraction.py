"""Site and generic extraction against trafilatura on the real pages of ../shared/corpus.

    python bench/extraction.py [--repeat 5]
    python bench/extraction.py --profile [--repeat 5]
    python bench/extraction.py --generic [--repeat 3] [--ablate] [--peer-only]

Default mode: for every corpus page whose URL a site module covers, in one process:

* pages/s of ``newscrawl.extract`` (the site module) and of ``trafilatura.extract``
  (defaults, and ``favor_precision=True``), each over the same decoded pages, timed
  passes interleaved, and the ratio of the first to the second;
* body F1 against the corpus's gold body where it has one (fundus, aeb): ``\\w+``
  tokens, 4-token shingles, per page (the corpus README's convention), plus the
  share of ``with``/``without`` snippets satisfied where the corpus gives those.

Site extraction is measured on decoded text, like trafilatura, so neither pays for
charset detection; both parse the HTML themselves.

``--profile``: the same site pages through ``newscrawl.extraction.decide`` under
cProfile, the top 10 functions by cumulative time and by own time (no timing run).

``--generic``: the generic extractor (``newscrawl.extraction.generic``, no site
module) against ``trafilatura.extract`` with its defaults and with
``favor_precision=True``, in one run, on EVERY corpus page with a body answer: gold
text (fundus, aeb) or with/without snippets (the trafilatura folder). Scores per
page, averaged, for the whole corpus and for its Arabic pages (manifest language
"ar"):

* gold pages: precision, recall and F1 of whitespace-split tokens (bag of words,
  the issue's definition), and F1 of ``\\w+`` 4-token shingles (the corpus README's);
* snippet pages: recall = share of ``with`` snippets found in the body, precision =
  share of ``without`` snippets absent; F1 of the two (the same number in both
  column sets);
* pages/s of each (CPU time), over the same decoded pages, timed passes interleaved;
* the pages where generic is more than 0.05 below either trafilatura mode;
* the regional pages of tests/sites (their bodies as the site modules give them,
  checked by hand): the same token scores, a check on unseen-site-like pages.

Then the peer suites of ../shared/corpus/peer (mozilla/readability's and
newspaper4k's own test pages, their gold): per suite and group, F1, precision and
recall of ``\\w+`` 4-token shingles (mean P and mean R over pages, F1 of the two) and
pages/s for newscrawl (generic), trafilatura (both modes) and readability-lxml (the
``bench`` extra), side by side; the pages where newscrawl is furthest behind the best
peer; and the pages it leaves empty where a peer finds the story.
(``--peer-only`` runs this part alone.)

``--ablate`` adds the mean F1 with each rule of ``generic.RULES`` switched off, on the
corpus and on the peer suites.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lxml.html
import trafilatura
from readability import Document  # readability-lxml, the `bench` extra

from newscrawl.api import NotAnArticleError, extract, resolve_spec
from newscrawl.extraction.article import decode_html
from newscrawl.extraction.body import paragraphs_of
from newscrawl.extraction.decide import decide
from newscrawl.extraction.generic.extractor import RULES, extract_generic
from newscrawl.sites.registry import spider_for_url
from newscrawl.text.overlap import f1, precision_recall_f1
from tests.corpus import CORPUS, gold_body, manifest, read_page


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


def snippet_score(body: str, expected: dict[str, Any]) -> float | None:
    checks = [s in body for s in expected.get("with", [])]
    checks += [s not in body for s in expected.get("without", [])]
    return sum(checks) / len(checks) if checks else None


def profile_site_pages(pages: list[dict[str, Any]], repeat: int, top: int = 10) -> None:
    """The site pages through ``decide`` (what ``newscrawl.extract`` and the crawl call)
    under cProfile: the top functions by cumulative time, then by own time."""
    specs = [resolve_spec(None, page["url"]) for page in pages]
    for page, spec in zip(pages, specs, strict=True):  # warm-up: models, caches, selectors
        decide(page["html"], page["url"], spec)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        for page, spec in zip(pages, specs, strict=True):
            decide(page["html"], page["url"], spec)
    profiler.disable()
    print(f"{len(pages)} site pages x {repeat} passes through newscrawl.extraction.decide")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# --- generic mode ----------------------------------------------------------------------

Scores = tuple[float, float, float, float]  # token precision, recall, F1; shingle F1


def token_scores(body: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall, F1 of whitespace-split tokens, counted with multiplicity."""
    guess, truth = Counter(body.split()), Counter(gold.split())
    if not guess and not truth:
        return 1.0, 1.0, 1.0
    overlap = sum((guess & truth).values())
    precision = overlap / sum(guess.values()) if guess else 0.0
    recall = overlap / sum(truth.values()) if truth else 0.0
    f1_score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1_score


def snippet_scores(body: str, expected: dict[str, Any]) -> tuple[float, float, float]:
    """Precision = share of ``without`` snippets absent, recall = share of ``with`` found."""
    wanted, unwanted = expected.get("with", []), expected.get("without", [])
    recall = sum(s in body for s in wanted) / len(wanted) if wanted else 1.0
    precision = sum(s not in body for s in unwanted) / len(unwanted) if unwanted else 1.0
    f1_score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1_score


def score(body: str, page: dict[str, Any]) -> Scores:
    if page["gold"] is not None:
        return (*token_scores(body, page["gold"]), precision_recall_f1(body, page["gold"])[2])
    p, r, f = snippet_scores(body, page["expected"])
    return p, r, f, f


def answer_pages() -> list[dict[str, Any]]:
    """Every corpus page with a gold body or with/without snippets."""
    pages = []
    for file, entry in manifest().items():
        gold = gold_body(file)
        if gold is None and "with" not in entry["expected"]:
            continue
        html = decode_html(read_page({"corpus": file}))
        pages.append({"file": file, "url": entry["url"], "language": entry["language"],
                      "regional": entry["regional"], "html": html, "gold": gold,
                      "expected": entry["expected"]})  # fmt: skip
    return pages


def generic(page: dict[str, Any], disabled: tuple[str, ...] = ()) -> str:
    """The body the crawl would emit: none for a page rejected as not an article."""
    extraction = extract_generic(page["html"], page["url"], disabled=disabled)
    return "" if extraction.rejected else str(extraction.record["body"] or "")


def readability_lxml(page: dict[str, Any]) -> str:
    """readability-lxml's summary as text, one paragraph per block (the bench extra)."""
    summary = Document(page["html"], url=page["url"]).summary(html_partial=True)
    if not summary.strip():
        return ""
    return "\n".join(paragraphs_of(lxml.html.fromstring(summary), set()))


PEER = CORPUS / "peer"


def peer_pages() -> list[dict[str, Any]]:
    """The readability and newspaper4k suites' pages (../shared/corpus/peer/README.md)."""
    pages = []
    for suite in ("readability", "newspaper4k"):
        gold = json.loads((PEER / suite / "gold.json").read_text("utf-8"))
        for key, entry in sorted(gold.items()):
            raw = (PEER / suite / "html" / f"{key}.html").read_bytes()
            pages.append({"file": f"{suite}/{key}", "suite": suite, "group": entry["group"],
                          "url": entry["url"], "html": decode_html(raw),
                          "gold": entry["body"]})  # fmt: skip
    return pages


PEER_FUNCS: dict[str, Callable[[dict[str, Any]], str]] = {
    "newscrawl": generic,
    "trafilatura": trafilatura_default,
    "traf-precision": trafilatura_precision,
    "readability-lxml": readability_lxml,
}


def _prf(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision, mean recall, F1 of the two (the peer README's convention)."""
    p, r = _mean([x[0] for x in rows]), _mean([x[1] for x in rows])
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def peer_main(repeat: int, ablate: bool) -> None:
    pages = peer_pages()
    names = list(PEER_FUNCS)
    runs = interleaved(PEER_FUNCS, pages, repeat)
    scores = {n: [precision_recall_f1(b, p["gold"]) for b, p in zip(runs[n][0], pages, strict=True)]
              for n in names}  # fmt: skip
    print(f"\nPeer suites ({len(pages)} pages of ../shared/corpus/peer): \\w+ 4-token shingles,")
    print("mean P and mean R over pages, F1 of the two; pages/s over the whole peer set,")
    print(f"{repeat} timed passes each, interleaved\n")
    print(f"{'suite / group':<28} {'n':>4}  " + "  ".join(f"{n:^27}" for n in names))
    print(f"{'':<28} {'':>4}  " + "  ".join(f"{'F1':>6} {'P':>6} {'R':>6} {'':>6}" for _ in names))
    groups: list[tuple[str, list[int]]] = []
    for suite in ("readability", "newspaper4k"):
        members = [i for i, p in enumerate(pages) if p["suite"] == suite]
        groups.append((suite + " (all)", members))
        for group in sorted({pages[i]["group"] for i in members}):
            groups.append((f"  {group}", [i for i in members if pages[i]["group"] == group]))
    for label, members in groups:
        cells = []
        for n in names:
            p, r, f = _prf([scores[n][i] for i in members])
            cells.append(f"{f:>6.3f} {p:>6.3f} {r:>6.3f} {'':>6}")
        print(f"{label:<28} {len(members):>4}  " + "  ".join(cells))
    print(f"{'pages/s':<28} {'':>4}  " + "  ".join(f"{runs[n][1]:>27.1f}" for n in names))
    ratio = runs["newscrawl"][1] / runs["trafilatura"][1]
    print(f"\nnewscrawl runs at {ratio:.2f}x trafilatura's default speed here (goal >= 1.0)")

    print("\nPages where newscrawl is furthest behind the best peer (F1-4, worst 15):")
    gaps = sorted(
        ((max(scores[n][i][2] for n in names[1:]) - scores["newscrawl"][i][2], i)
         for i in range(len(pages))), reverse=True)  # fmt: skip
    for gap, i in gaps[:15]:
        if gap <= 0:
            break
        print(f"  {pages[i]['file'][:44]:<44} newscrawl {scores['newscrawl'][i][2]:.3f}  "
              + "  ".join(f"{n} {scores[n][i][2]:.3f}" for n in names[1:]))  # fmt: skip
    empty = [p["file"] for i, p in enumerate(pages) if not runs["newscrawl"][0][i].strip()
             and any(scores[n][i][2] > 0.5 for n in names[1:])]  # fmt: skip
    print(f"\nEmpty where a peer finds the story (F1-4 > 0.5): {', '.join(empty) or 'none'}")

    if ablate:
        base = _prf(scores["newscrawl"])[2]
        news = [i for i, p in enumerate(pages) if p["group"] in ("news", "arabic")]
        base_news = _prf([scores["newscrawl"][i] for i in news])[2]
        print("\nAblation on the peer suites: F1-4 with one rule of generic.RULES switched off")
        print(f"{'rule':<15} {'all':>8} {'delta':>8} {'news':>8} {'delta':>8}")
        print(f"{'(none off)':<15} {base:>8.4f} {'':>8} {base_news:>8.4f}")
        for rule in RULES:
            off = [precision_recall_f1(generic(p, (rule,)), p["gold"]) for p in pages]
            f_all, f_news = _prf(off)[2], _prf([off[i] for i in news])[2]
            print(f"{rule:<15} {f_all:>8.4f} {base - f_all:>+8.4f} "
                  f"{f_news:>8.4f} {base_news - f_news:>+8.4f}")  # fmt: skip


def interleaved(
    funcs: dict[str, Callable[[dict[str, Any]], str]], pages: list[dict[str, Any]], repeat: int
) -> dict[str, tuple[list[str], float]]:
    """Bodies (from a warm-up pass) and pages/s of each function; the functions take
    turns page by page, so that a busy machine slows all of them alike (turns of a whole
    pass each gave ratios 10% apart from one run to the next). Time is this process's
    CPU time: every function runs on one thread, and on a shared machine the wall clock
    mostly measures the other processes' turns."""
    bodies = {name: [func(p) for p in pages] for name, func in funcs.items()}
    # Warm now, as an extraction worker is after its warm-up: its heap frozen as the
    # worker's is (pool.init_worker), so full collections walk what pages allocate.
    gc.freeze()
    elapsed = dict.fromkeys(funcs, 0.0)
    for _ in range(repeat):
        for page in pages:
            for name, func in funcs.items():
                start = time.process_time()
                func(page)
                elapsed[name] += time.process_time() - start
    return {name: (bodies[name], len(pages) * repeat / elapsed[name]) for name in funcs}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _summary(label: str, rows: list[list[Scores]], names: list[str]) -> str:
    cells = [
        " ".join(f"{_mean([r[i][k] for r in rows]):>6.4f}" for k in range(4))
        for i in range(len(names))
    ]
    return f"{label:<24} {len(rows):>4}  " + "  ".join(cells)


def _headers(titles: list[str], columns: tuple[str, ...]) -> str:
    width = len(columns) * 7 - 1
    top = f"{'':<24} {'':>4}  " + "  ".join(f"{t:^{width}}" for t in titles)
    sub = " ".join(f"{c:>6}" for c in columns)
    return top + "\n" + f"{'pages':<24} {'n':>4}  " + "  ".join(sub for _ in titles)


def regional_site_pages() -> list[dict[str, Any]]:
    """tests/sites goldens on corpus pages: the site modules' bodies, checked by hand."""
    pages = []
    sites = Path(__file__).resolve().parent.parent / "tests" / "sites"
    for path in sorted(sites.glob("*/expected.json")):
        for case in json.loads(path.read_text("utf-8")):
            if "corpus" not in case:
                continue
            html = decode_html(read_page({"corpus": case["corpus"]}))
            pages.append({"file": case["corpus"], "url": case["url"], "html": html,
                          "gold": case["expected"]["body"], "site": path.parent.name})  # fmt: skip
    return pages


def generic_main(repeat: int, ablate: bool) -> None:
    pages = answer_pages()
    funcs: dict[str, Callable[[dict[str, Any]], str]] = {
        "generic": generic,
        "trafilatura": trafilatura_default,
        "traf-precision": trafilatura_precision,
    }
    names = list(funcs)
    runs = interleaved(funcs, pages, repeat)
    rows = [[score(runs[n][0][i], page) for n in names] for i, page in enumerate(pages)]
    gold = [r for r, p in zip(rows, pages, strict=True) if p["gold"] is not None]
    snippets = [r for r, p in zip(rows, pages, strict=True) if p["gold"] is None]
    arabic = [r for r, p in zip(rows, pages, strict=True) if p["language"] == "ar"]
    print(
        f"{len(pages)} corpus pages with a body answer ({len(gold)} gold bodies: fundus, aeb; "
        f"{len(snippets)} with/without snippet pages: trafilatura), {len(arabic)} Arabic; "
        f"{repeat} timed passes each, interleaved\n"
    )
    print("Per page, averaged. Gold pages: P R F1 of whitespace-split tokens, then F1 of")
    print("\\w+ 4-token shingles (F1-4). Snippet pages: recall = share of `with` snippets")
    print("found, precision = share of `without` snippets absent; F1-4 = F1 there.\n")
    titles = ["generic", "trafilatura (defaults)", "trafilatura favor_precision"]
    print(_headers(titles, ("P", "R", "F1", "F1-4")))
    regional_rows = [r for r, p in zip(rows, pages, strict=True) if p["regional"]]
    print(_summary("whole corpus", rows, names))
    print(_summary("  gold bodies", gold, names))
    print(_summary("  snippet pages", snippets, names))
    print(_summary("Arabic (language ar)", arabic, names))
    print(_summary("regional (manifest)", regional_rows, names))
    rates = "  ".join(f"{runs[n][1]:>27.1f}" for n in names)
    print(f"{'pages/s':<24} {'':>4}  {rates}")
    ratio = runs["generic"][1] / runs["trafilatura"][1]
    print(f"\ngeneric runs at {ratio:.2f}x trafilatura's default speed (goal >= 1.0)")

    print("\nPages where generic's token F1 is more than 0.05 below a trafilatura mode:")
    losses = 0
    for page, row in zip(pages, rows, strict=True):
        best = max(row[1][2], row[2][2])
        if row[0][2] < best - 0.05:
            losses += 1
            print(f"  {Path(page['file']).name[:48]:<48} generic {row[0][2]:.3f}  "
                  f"trafilatura {row[1][2]:.3f}  traf-precision {row[2][2]:.3f}")  # fmt: skip
    if not losses:
        print("  none")

    regional = regional_site_pages()
    print(f"\nRegional pages of tests/sites ({len(regional)}), scored against the bodies the")
    print("site modules give (checked by hand): whitespace tokens")
    scored = {n: [token_scores(f(p), p["gold"]) for p in regional] for n, f in funcs.items()}
    print(_headers(titles, ("P", "R", "F1")))
    print(f"{'regional site pages':<24} {len(regional):>4}  " + "  ".join(
        " ".join(f"{_mean([s[k] for s in scored[n]]):>6.4f}" for k in range(3))
        for n in names))  # fmt: skip

    if ablate:
        print("\nAblation: mean token F1 with one rule of generic.RULES switched off")
        print("(delta = F1 with the rule - F1 without it: what the rule contributes)")
        base_all = _mean([r[0][2] for r in rows])
        base_ar = _mean([r[0][2] for r in arabic])
        base_reg = _mean([s[2] for s in scored["generic"]])
        print(f"{'rule':<15} {'corpus':>8} {'delta':>8} {'Arabic':>8} {'delta':>8} "
              f"{'regional':>8} {'delta':>8}")  # fmt: skip
        print(f"{'(none off)':<15} {base_all:>8.4f} {'':>8} {base_ar:>8.4f} {'':>8} "
              f"{base_reg:>8.4f}")  # fmt: skip
        for rule in RULES:
            bodies = [
generic(p, (rule,)) for p in pages
            ]
            f_all = [score(b, p)[2] for b, p in zip(bodies, pages, strict=True)]
            f_ar = [f for f, p in zip(f_all, pages, strict=True) if p["language"] == "ar"]
            f_reg = [
                token_scores(generic(p, (rule,)), p["gold"])[2]
                for p in regional
            ]
            print(
                f"{rule:<15} {_mean(f_all):>8.4f} {base_all - _mean(f_all):>+8.4f} "
                f"{_mean(f_ar):>8.4f} {base_ar - _mean(f_ar):>+8.4f} "
                f"{_mean(f_reg):>8.4f} {base_reg - _mean(f_reg):>+8.4f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=None, help="timed passes (5; generic: 3)")
    parser.add_argument("--generic", action="store_true", help="generic extractor on all pages")
    parser.add_argument("--ablate", action="store_true", help="with --generic: rule ablation")
    parser.add_argument("--peer-only", action="store_true", help="with --generic: peer suites only")
    parser.add_argument(
        "--profile", action="store_true",
        help="site pages through the extraction decision under cProfile: top 10 by cumulative time",
    )  # fmt: skip
    args = parser.parse_args()
    if not (CORPUS / "MANIFEST.json").is_file():
        raise SystemExit(f"needs the corpus at {CORPUS}")
    if args.generic:
        if not args.peer_only:
            generic_main(args.repeat or 3, args.ablate)
        peer_main(args.repeat or 3, args.ablate)
        return
    args.repeat = args.repeat or 5
    pages = site_pages()
    if args.profile:
        profile_site_pages(pages, args.repeat)
        return
    # Passes interleaved: a machine that gets busier mid-run slows all three alike.
    runs = interleaved(
        {"newscrawl": ours, "trafilatura": trafilatura_default,
         "traf-precision": trafilatura_precision},
        pages, args.repeat,
    )  # fmt: skip
    names = list(runs)
    print(f"{len(pages)} regional corpus pages with a site module, {args.repeat} timed passes"
          " each, interleaved\n")  # fmt: skip
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
