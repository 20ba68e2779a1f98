"""``scrapy runs --html``: one static page, a set of charts per site over time.

Charts are drawn with Altair (Vega-Lite) and rendered to SVG by vl-convert, in this
process, and inlined: the page needs no JavaScript, no network and no other file, so
it can be mailed, archived, or opened from object storage. Both come with the
``charts`` extra (``pip install 'newscrawl[charts]'``).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from newscrawl.ops.history import HistoryError, Run

# (key, caption) of the charts every site gets, in page order.
CHARTS = (
    ("articles", "Articles per run (new, updated); failed runs marked with their exit code"),
    ("error_rate", "Error rate (errors per page fetched)"),
    ("methods", "Extraction methods (records per method)"),
    ("duration", "Duration (seconds)"),
)
WIDTH, HEIGHT = 560, 160


def _alt() -> Any:
    try:
        import altair
        import vl_convert  # noqa: F401 - altair's SVG renderer
    except ImportError as error:
        raise HistoryError(
            f"--html needs the charts extra ({error.name} is missing): "
            "pip install 'newscrawl[charts]'"
        ) from None
    return altair


def _rows(runs: list[Run]) -> list[dict[str, Any]]:
    return [
        {
            "started": run.started.astimezone(UTC).isoformat(),
            "articles": run.articles,
            "new": run.new,
            "updated": run.updated,
            "error_rate": round(run.error_rate, 4),
            "duration": run.duration_s,
            "exit": run.exit_code if run.exit_code is not None else -1,
            "label": f"exit {run.exit_code if run.exit_code is not None else '?'}",
            "failed": run.exit_code != 0,
        }
        for run in runs
    ]


def site_charts(runs: list[Run]) -> dict[str, Any]:
    """The Altair chart of each of CHARTS for one site's runs."""
    alt = _alt()
    rows = _rows(runs)
    data = alt.Data(values=rows)
    # Padding: bars of the first and last runs are not cut in half at the edges.
    x = alt.X("started:T", title="run start (UTC)", scale=alt.Scale(type="utc", padding=16))
    bar = max(3, min(24, WIDTH // (2 * len(rows) + 2)))  # bars on a time axis need a width
    failed = alt.Chart(data).transform_filter("datum.failed")
    marks = failed.mark_rule(color="#d62728", strokeDash=[4, 3]).encode(x=x)  # exit != 0

    def line(field: str, title: str) -> Any:
        base = alt.Chart(data).encode(x=x, y=alt.Y(f"{field}:Q", title=title))
        return base.mark_line(point=True) + marks

    articles = (
        alt.Chart(data)
        .transform_fold(["new", "updated"], as_=["kind", "count"])
        .mark_bar(size=bar)
        .encode(
            x=x,
            y=alt.Y("count:Q", title="articles", stack=True),
            color=alt.Color("kind:N", title=None),
        )
    )
    labels = failed.mark_text(dy=-6, color="#d62728", fontWeight="bold").encode(
        x=x, y=alt.value(8), text="label:N"
    )
    method_rows = [
        {"started": run.started.astimezone(UTC).isoformat(), "method": method, "records": count}
        for run in runs
        for method, count in sorted(run.methods.items())
    ]
    if not method_rows:  # no record in any run: an empty chart, still drawn
        method_rows = [{"started": rows[0]["started"], "method": "none", "records": 0}]
    methods = (
        alt.Chart(alt.Data(values=method_rows))
        .mark_bar(size=bar)
        .encode(x=x, y=alt.Y("records:Q", stack=True), color=alt.Color("method:N"))
    )
    charts = {
        "articles": articles + marks + labels,
        "error_rate": line("error_rate", "error rate"),
        "methods": methods + marks,
        "duration": line("duration", "seconds"),
    }
    return {key: chart.properties(width=WIDTH, height=HEIGHT) for key, chart in charts.items()}


def svg(chart: Any) -> str:
    import vl_convert

    text: str = vl_convert.vegalite_to_svg(chart.to_dict())
    return text


def page(runs: dict[str, list[Run]], title: str = "newscrawl runs") -> str:
    """The whole HTML page: per site, its last runs' charts and a line on its last run."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:1.5em;color:#222}"
        "section{margin-bottom:2em;border-top:1px solid #ccc}"
        ".charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}"
        "figcaption{font-size:.85em;color:#555}.failed{color:#d62728;font-weight:bold}"
        "</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{sum(map(len, runs.values()))} runs of {len(runs)} sites, drawn "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC.</p>",
    ]
    for site, site_runs in runs.items():
        ordered = sorted(site_runs, key=lambda r: r.started)
        last = ordered[-1]
        state = "failed" if last.exit_code != 0 else "ok"
        parts.append(f'<section class="site" data-site="{html.escape(site)}">')
        parts.append(f"<h2>{html.escape(site)}</h2>")
        parts.append(
            f'<p>last run {last.started.astimezone(UTC):%Y-%m-%d %H:%M} UTC: <span class="'
            f'{state}">exit {last.exit_code if last.exit_code is not None else "?"} '
            f"({html.escape(last.exit_name)})</span> {html.escape(last.reason)}; "
            f"{len(ordered)} runs shown</p>"
        )
        parts.append('<div class="charts">')
        charts = site_charts(ordered)
        for key, caption in CHARTS:
            parts.append(f'<figure data-chart="{key}"><figcaption>{html.escape(caption)}'
                         f"</figcaption>{svg(charts[key])}</figure>")  # fmt: skip
        parts.append("</div></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
