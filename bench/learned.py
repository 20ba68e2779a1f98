"""Learned templates, leave-one-out per site, against trafilatura and the generic extractor.

    python bench/learned.py [--repeat 1] [--only fundus,peer,fixture] [--profile]

For every site with two or more pages with a gold body, each page in turn is held
out: the template is learned from the site's OTHER pages (``newscrawl.learn_site``)
and the held-out page is extracted with it (``newscrawl.extract(..., template=)``).
In one run, on the same held-out pages:

* learned: the template's body ("learned"), or the generic extractor's when the
  template cannot place the page ("generic"); the share it placed is printed;
* generic: ``newscrawl.extraction.generic`` alone (no template);
* trafilatura: ``trafilatura.extract`` with its defaults.

Sets: the fundus pages of ../shared/corpus (sites with 2+ pages), the peer suites'
sites with several pages (readability, newspaper4k; placeholder hosts left out),
and the three-layout fixture site of tests/learnsite.py. Scores: ``\\w+`` tokens,
4-token shingles, precision / recall / F1 per page, averaged (the corpus README's
convention). pages/s: extraction only (learning is not timed), on decoded text,
passes interleaved so a busy machine slows all alike. ``--profile``: the ten costliest
calls (cumulative) of learned extraction on the pages the template placed.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura

from newscrawl.extraction.article import decode_html
from newscrawl.extraction.generic.extractor import extract_generic
from newscrawl.extraction.template.apply import extract_with_template
from newscrawl.extraction.template.learn import learn_site
from newscrawl.extraction.template.model import Template
from newscrawl.text.overlap import precision_recall_f1
from tests.corpus import CORPUS, gold_body, manifest, read_page
from tests.learnsite import build

Page = dict[str, Any]


def fundus_sites() -> dict[str, list[Page]]:
    sites: dict[str, list[Page]] = defaultdict(list)
    for file, entry in manifest().items():
        if not file.startswith("fundus/"):
            continue
        gold = gold_body(file)
        if gold:
            html = decode_html(read_page({"corpus": file}))
            sites[entry["publisher"]].append({"url": entry["url"], "html": html, "gold": gold})
    return {k: v for k, v in sites.items() if len(v) >= 2}


def peer_sites() -> dict[str, list[Page]]:
    sites: dict[str, list[Page]] = defaultdict(list)
    for suite in ("readability", "newspaper4k"):
        folder = CORPUS / "peer" / suite
        for key, entry in json.loads((folder / "gold.json").read_text("utf-8")).items():
            host = (urlsplit(entry["url"]).hostname or "").removeprefix("www.")
            if host in ("", "fakehost", "test.com"):  # placeholders, not one site
                continue
            html = decode_html((folder / "html" / f"{key}.html").read_bytes())
            sites[f"{suite}:{host}"].append({"url": entry["url"], "html": html,
                                             "gold": entry["body"]})  # fmt: skip
    return {k: v for k, v in sites.items() if len(v) >= 2}


def fixture_sites() -> dict[str, list[Page]]:
    pages = [{"url": a.url, "html": html, "gold": a.body} for a, html in build(4, seed=140)]
    return {"learnsite (3 layouts)": pages}


def held_out(sites: dict[str, list[Page]]) -> list[Page]:
    """Each page with the template learned from the other pages of its site."""
    cases = []
    for site, pages in sorted(sites.items()):
        for i, page in enumerate(pages):
            others = [(p["html"], p["url"]) for j, p in enumerate(pages) if j != i]
            cases.append(dict(page, site=site, template=learn_site(others)))
    return cases


def learned(page: Page) -> str:
    template: Template = page["template"]
    record = extract_with_template(page["html"], page["url"], template).record
    page["placed"] = record["extraction"] == "learned"
    return str(record["body"] or "")


def generic(page: Page) -> str:
    return str(extract_generic(page["html"], page["url"]).record["body"] or "")


def trafilatura_default(page: Page) -> str:
    return trafilatura.extract(page["html"], url=page["url"]) or ""


def interleaved(
    funcs: dict[str, Callable[[Page], str]], pages: list[Page], repeat: int
) -> dict[str, tuple[list[str], float]]:
    bodies = {name: [func(p) for p in pages] for name, func in funcs.items()}
    elapsed = dict.fromkeys(funcs, 0.0)
    for _ in range(repeat):
        for name, func in funcs.items():
            start = time.perf_counter()
            for page in pages:
                func(page)
            elapsed[name] += time.perf_counter() - start
    return {name: (bodies[name], len(pages) * repeat / elapsed[name]) for name in funcs}


def profile(pages: list[Page]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for page in pages:
        learned(page)
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(10)


def report(
    label: str, sites: dict[str, list[Page]], repeat: int, profiled: bool, worst: int = 0
) -> None:
    cases = held_out(sites)
    funcs = {"learned": learned, "generic": generic, "trafilatura": trafilatura_default}
    results = interleaved(funcs, cases, repeat)
    placed = sum(1 for c in cases if c.get("placed"))
    print(f"\n{label}: {len(sites)} sites, {len(cases)} held-out pages, "
          f"template placed {placed} ({placed / len(cases):.0%})")  # fmt: skip
    print(f"{'':14}{'F1':>7}{'prec':>7}{'recall':>7}{'pages/s':>9}")
    for name, (bodies, rate) in results.items():
        scores = [precision_recall_f1(b, c["gold"]) for b, c in zip(bodies, cases, strict=True)]
        p, r, f = (sum(s[k] for s in scores) / len(scores) for k in range(3))
        print(f"{name:14}{f:7.3f}{p:7.3f}{r:7.3f}{rate:9.1f}")
    idx = [i for i, c in enumerate(cases) if c.get("placed")]
    if idx:  # what the template itself changes: the pages it placed, against generic
        on = {
            name: sum(precision_recall_f1(results[name][0][i], cases[i]["gold"])[2] for i in idx)
            / len(idx)
            for name in funcs
        }
        print("F1 on the placed pages: " + ", ".join(f"{n} {f:.3f}" for n, f in on.items()))
    learned_rate, traf_rate = results["learned"][1], results["trafilatura"][1]
    print(f"learned / trafilatura pages/s: {learned_rate / traf_rate:.1f}x (all held-out pages)")
    on_placed = [c for c in cases if c.get("placed")]
    if on_placed:  # the template's own cost, without the generic fallback's
        speed = interleaved({"learned": learned, "trafilatura": trafilatura_default},
                            on_placed, max(repeat, 2))  # fmt: skip
        ratio = speed["learned"][1] / speed["trafilatura"][1]
        print(
            f"on the {len(on_placed)} placed pages: learned {speed['learned'][1]:.1f} pages/s,"
            f" trafilatura {speed['trafilatura'][1]:.1f} pages/s: {ratio:.1f}x"
        )
        if profiled:
            profile(on_placed)
    worse = [
        (c["site"], precision_recall_f1(lb, c["gold"])[2], precision_recall_f1(gb, c["gold"])[2])
        for c, lb, gb in zip(cases, results["learned"][0], results["generic"][0], strict=True)
    ]
    for site, lf, gf in sorted(worse, key=lambda w: w[1] - w[2])[:5]:
        if lf < gf - 0.02:
            print(f"  learned below generic: {site}: {lf:.3f} vs {gf:.3f}")
    if worst:  # where the F1 is lost: learned, generic, trafilatura against the gold
        print(f"worst {worst} pages (learned F1 prec recall | generic F1 | trafilatura F1):")
        rows = []
        for i, case in enumerate(cases):
            lp, lr, lf = precision_recall_f1(results["learned"][0][i], case["gold"])
            gf = precision_recall_f1(results["generic"][0][i], case["gold"])[2]
            tf = precision_recall_f1(results["trafilatura"][0][i], case["gold"])[2]
            rows.append((lf, lp, lr, gf, tf, "L" if case.get("placed") else "g", case["url"]))
        for lf, lp, lr, gf, tf, how, url in sorted(rows)[:worst]:
            print(f"  {lf:.3f} {lp:.3f} {lr:.3f} | {gf:.3f} | {tf:.3f} {how} {url[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", default="fundus,peer,fixture")
    parser.add_argument("--profile", action="store_true", help="top-10 of learned extraction")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages learned worst")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # per-page notes would drown the table
    sets = {"fundus": fundus_sites, "peer": peer_sites, "fixture": fixture_sites}
    for name in args.only.split(","):
        report(name, sets[name](), args.repeat, args.profile, args.worst)


if __name__ == "__main__":
    main()
