"""A small news site with three article layouts, for the template learner's tests.

Every page has furniture that repeats: a menu and a footer (identical on every
page), a ticker of timestamped headlines, a related-headlines box inside the story
and a most-read list (same place and shape, other text on every page), a share bar,
and a copyright line inside the story container. None of their class names says
"ticker" or "related", so only what repeats can tell them from the story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

ORIGIN = "https://www.learnsite.example"

_SENTENCES = """
The council met on Tuesday to discuss the new water plan for the northern districts
Farmers in the valley said the spring rains came late this year and the harvest was small
Officials promised that the repairs to the main road would be finished before the winter
The ministry published figures showing that exports of olive oil rose by a fifth
Residents of the old quarter gathered in the square to hear the mayor speak
A delegation from the neighbouring province arrived to sign the trade agreement
Teachers asked for more classrooms as the number of pupils keeps growing every year
The hospital opened a new wing for children with help from local donors
Engineers warned that the old bridge needs urgent work after the floods of last month
The museum will show manuscripts that have not been seen in public for a century
Traders at the central market complained about the rising price of bread and sugar
The football club named a young coach who played for the national team
Scientists at the university found a new species of bird in the coastal marshes
The port authority said ships will wait less once the second quay opens in June
Young people queued for hours to apply for the new training programme
The festival of music and poetry returns to the citadel after three years away
Bus drivers agreed to end their strike after talks that lasted all night
The central bank kept its interest rate unchanged for the fourth month in a row
Volunteers planted thousands of trees along the river to hold back the sand
A new library with books in four languages opened its doors near the station
""".strip().splitlines()

_HEADLINES = """
Prices of vegetables fall at the wholesale market
Storm expected on the coast by the weekend
Minister visits the new power station
National team wins friendly match abroad
Airport to add flights to three capitals
Students protest over exam dates
Rare manuscript returns to the national library
Water cuts announced for the eastern suburbs
Film festival announces its jury
Startups gather for the technology fair
Railway line to the south reopens
Heat wave breaks records in the desert towns
""".strip().splitlines()


@dataclass
class Article:
    path: str
    layout: str
    title: str
    paragraphs: list[str]
    noise: list[str]  # text on the page that must not reach the body

    @property
    def url(self) -> str:
        return ORIGIN + self.path

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def _prose(rng: random.Random, count: int) -> list[str]:
    return [". ".join(rng.sample(_SENTENCES, rng.randint(2, 4))) + "." for _ in range(count)]


def _links(rng: random.Random, count: int, stamped: bool = False) -> list[str]:
    picked = rng.sample(_HEADLINES, count)
    if stamped:
        return [f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} {h}" for h in picked]
    return picked


def _ul(cls: str, items: list[str]) -> str:
    lis = "".join(f'<li><a href="/news/{i + 7000}">{t}</a></li>' for i, t in enumerate(items))
    return f'<ul class="{cls}">{lis}</ul>'


MENU = (
    '<div class="top"><a href="/">Home</a> <a href="/news">News</a> '
    '<a href="/sport">Sport</a></div>'
)
FOOTER = (
    '<div class="bottom"><p>Learn Site is an independent daily paper published in the valley'
    " since 1952.</p></div>"
)
COPYRIGHT = "All rights reserved to the Learn Site press group."


def article_page(article: Article, rng: random.Random) -> str:
    ticker = _links(rng, 3, stamped=True)
    related = _links(rng, 3)
    popular = _links(rng, 4)
    article.noise = [*ticker, *related, *popular, COPYRIGHT, "Learn Site is an independent"]
    ps = [f"<p>{p}</p>" for p in article.paragraphs]
    middle = len(ps) // 2
    if article.layout == "a":
        story = (
            f'<article class="news"><h1 class="headline">{article.title}</h1>'
            '<div class="who">By Staff Writer</div>'
            f'<div class="story-text">{"".join(ps[:middle])}'
            f'<div class="more-box"><b>Also</b>{_ul("lnk", related)}</div>'
            f'{"".join(ps[middle:])}<p class="rights">{COPYRIGHT}</p></div></article>'
        )
    elif article.layout == "b":
        story = (
            f'<div id="page"><h1>{article.title}</h1>'
            f'<section class="txt-area"><div class="txt">{"".join(ps)}</div>'
            f'<div class="side-list">{_ul("items", related)}</div>'
            f'<p class="rights">{COPYRIGHT}</p></section></div>'
        )
    else:
        breaks = "<br><br>".join(article.paragraphs)
        story = (
            f'<div class="col-main"><h2 class="ttl">{article.title}</h2>'
            f'<div class="entry"><div class="pic"><img src="/img/{article.path[-4:]}.jpg">'
            f"<span>Photo archive</span></div>{breaks}"
            f'<div class="box3">{_ul("items", related)}</div>'
            f'<p class="rights">{COPYRIGHT}</p></div></div>'
        )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{article.title} | Learn Site</title>"
        f'<meta property="og:title" content="{article.title}">'
        '<meta property="article:published_time" '
        f'content="2026-03-{int(article.path[-2:]) % 28 + 1:02d}T09:00:00Z">'
        f"</head><body>{MENU}"
        f'<div class="strip">{_ul("flow", ticker)}</div>'
        f'<div class="wrap">{story}<div class="aside-box"><h3>Most read</h3>'
        f"{_ul('rank', popular)}</div></div>"
        '<div class="tools"><a href="#">Facebook</a> <a href="#">X</a> '
        '<a href="#">WhatsApp</a></div>'
        f"{FOOTER}</body></html>"
    )


def build(count_per_layout: int = 4, seed: int = 14) -> list[tuple[Article, str]]:
    """(article, its HTML) for three layouts, ``count_per_layout`` articles each."""
    rng = random.Random(seed)
    pages: list[tuple[Article, str]] = []
    for index in range(count_per_layout * 3):
        layout = "abc"[index % 3]
        titles = rng.sample(_SENTENCES, 1)[0].split(" ")[:7]
        article = Article(
            path=f"/news/{2026000 + index:07d}",
            layout=layout,
            title=" ".join(titles).capitalize(),
            paragraphs=_prose(rng, rng.randint(4, 7)),
            noise=[],
        )
        pages.append((article, article_page(article, rng)))
    return pages


def write_site(folder: Path, pages: list[tuple[Article, str]], origin: str = ORIGIN) -> Path:
    """The site as files for newscrawl.fixtureserver.serve: articles, an RSS feed (its
    links on ``origin``), a home page."""
    for article, html in pages:
        target = folder / article.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.with_suffix(".html").write_text(html, "utf-8")
    items = "".join(
        f"<item><title>{a.title}</title><link>{origin}{a.path}</link></item>" for a, _ in pages
    )
    (folder / "rss.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Learn Site</title>{items}'
        "</channel></rss>",
        "utf-8",
    )
    (folder / "index.html").write_text("<html><body><h1>Learn Site</h1></body></html>", "utf-8")
    return folder
