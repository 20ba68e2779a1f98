"""An arabstoday-shaped site (its paths, its feed) whose articles come in layouts of
the module's selectors and in others, for learning in site modules (issue 14).

Layouts "a" and "b" are markup the ``arabstoday`` module's selectors know
(``.article-body``, ``[itemprop=articleBody]``); "c" and "d" are not (no selector of the
module matches them, and nothing in them says "article"): "c" is the site's third
template, "d" a redesign. Every page carries furniture whose text changes from page
to page (a ticker, a related box inside the story, a most-read list), a share bar, a
copyright line and a footer, as tests/learnsite.py does.

``picks``: a box of teasers for other stories (a linked headline and a line of its
summary each, in paragraphs: nothing in its markup says noise) "beside" the story, or
moved "inside" the story container after its first paragraph (noise leaking back).
"""

from __future__ import annotations

import random
from pathlib import Path

from .learnsite import _SENTENCES, COPYRIGHT, FOOTER, MENU, Article, _links, _prose, _ul

ORIGIN = "https://www.arabstoday.net"


def _story(article: Article, rng: random.Random, related: list[str]) -> str:
    ps = [f"<p>{p}</p>" for p in article.paragraphs]
    middle = len(ps) // 2
    box = _ul("lnk", related)
    if article.layout == "a":
        return (
            f'<div class="article-details"><h1 class="article-title">{article.title}</h1>'
            f'<span class="author">Staff Writer</span><div class="article-body">'
            f'{"".join(ps[:middle])}<div class="related-articles">{box}</div>'
            f"{''.join(ps[middle:])}</div></div>"
        )
    if article.layout == "b":
        return (
            f'<div class="story"><h1>{article.title}</h1>'
            f'<section class="story-main" itemprop="articleBody">{"".join(ps)}</section>'
            f'<div class="related-articles">{box}</div></div>'
        )
    if article.layout == "c":
        breaks = "<br><br>".join(article.paragraphs)
        return (
            f'<div class="col-main"><h1 class="ttl">{article.title}</h1>'
            f'<div class="entry"><div class="pic"><img src="/img/{article.path[-4:]}.jpg">'
            f"<span>Photo archive</span></div>{breaks}"
            f'<div class="box3">{box}</div>'
            f'<p class="rights">{COPYRIGHT}</p></div></div>'
        )
    return (  # "d": the redesign
        f'<main class="v5"><header class="hd"><h1>{article.title}</h1></header>'
        f'<div class="prose-zone">{"".join(ps[:middle])}<aside class="x-more">{box}</aside>'
        f'{"".join(ps[middle:])}<p class="rights">{COPYRIGHT}</p></div></main>'
    )


_SUMMARIES = (
    "Our reporters spent the night with the traders who open the stalls before dawn",
    "What the forecasters expect for the fishing boats and the beaches this weekend",
    "Engineers walked us through the turbines that will light up the southern towns",
    "Supporters travelled by bus for two days to watch the match in the stadium",
    "Travel agents say the new routes will cut the price of a family holiday",
    "The students we met want the ministry to move the exams after the holidays",
)


def _picks(rng: random.Random) -> tuple[str, list[str]]:
    """The teasers box and its text (headlines and summaries)."""
    headlines, summaries = _links(rng, 3), rng.sample(_SUMMARIES, 3)
    items = "".join(
        f'<p><a href="/en/news/{7100 + i}/pick">{h}</a> {s}.</p>'
        for i, (h, s) in enumerate(zip(headlines, summaries, strict=True))
    )
    return f'<section class="picks">{items}</section>', [*headlines, *summaries]


def page(article: Article, rng: random.Random, picks: str = "") -> str:
    ticker = _links(rng, 3, stamped=True)
    related = _links(rng, 3)
    popular = _links(rng, 4)
    article.noise = [*ticker, *related, *popular, COPYRIGHT, "Learn Site is an independent"]
    story, beside = _story(article, rng, related), ""
    if picks:
        box, text = _picks(rng)
        article.noise += text
        if picks == "inside":  # after the story's first paragraph, in its container
            at = story.index(article.paragraphs[0]) + len(article.paragraphs[0])
            at += 4 if story.startswith("</p>", at) else 0
            story = story[:at] + box + story[at:]
        else:
            beside = box
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{article.title} | Arabs Today</title>"
        f'<meta property="og:title" content="{article.title}">'
        '<meta property="article:published_time" '
        f'content="2026-03-{int(article.path.split("/")[3]) % 28 + 1:02d}T09:00:00Z">'
        f"</head><body>{MENU}"
        f'<div class="strip">{_ul("flow", ticker)}</div>'
        f'<div class="wrap">{story}{beside}<div class="aside-box">'
        f"<h3>Most read</h3>{_ul('rank', popular)}</div></div>"
        '<div class="tools"><a href="#">Facebook</a> <a href="#">X</a> '
        '<a href="#">WhatsApp</a></div>'
        f"{FOOTER}</body></html>"
    )


def build(
    layouts: str = "abc", count: int = 9, seed: int = 41, picks: str = ""
) -> list[tuple[Article, str]]:
    """``count`` articles, their layouts taken in turn from ``layouts``; the same
    articles (paths, titles, text) whatever the layouts and ``picks`` (module doc)."""
    rng = random.Random(seed)
    pages: list[tuple[Article, str]] = []
    for index in range(count):
        words = rng.sample(_SENTENCES, 1)[0].split(" ")[:7]
        article = Article(
            path=f"/en/news/{640100 + index}/story-{index}",
            layout=layouts[index % len(layouts)],
            title=" ".join(words).capitalize(),
            paragraphs=_prose(rng, rng.randint(4, 7)),
            noise=[],
        )
        pages.append((article, page(article, random.Random(f"{seed}-{index}"), picks)))
    return pages


def write_site(folder: Path, pages: list[tuple[Article, str]]) -> Path:
    """The site as files for newscrawl.fixtureserver.serve: its articles, the English
    feed (``/en/rss``, links on the real origin as the site's are) and section pages."""
    for article, html in pages:
        target = folder / (article.path.lstrip("/") + ".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, "utf-8")
    items = "".join(
        f"<item><title>{a.title}</title><link>{ORIGIN}{a.path}</link></item>" for a, _ in pages
    )
    (folder / "en").mkdir(parents=True, exist_ok=True)
    (folder / "en" / "rss.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Arabs Today</title>{items}'
        "</channel></rss>",
        "utf-8",
    )
    for section in ("politics", "economy"):
        (folder / "en" / f"{section}.html").write_text(
            f"<html><body><h1>{section}</h1></body></html>", "utf-8"
        )
    (folder / "index.html").write_text("<html><body><h1>Arabs Today</h1></body></html>", "utf-8")
    return folder
