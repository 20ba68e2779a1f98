"""Learning a site's template from a handful of its pages.

On every page the generic extractor gives a first guess of the story. The story
container is the deepest element holding nearly all of that text; it is named
by a CSS selector made of its stable class, id or itemprop, and the selector that
places the most pages well is a layout (repeated on the pages it does not place,
so a site with three article layouts gets three). Inside the containers, blocks
the guess left out and that never hold story text on any page (tickers, related
and most-read lists, share bars, headings) become noise selectors; text blocks
seen verbatim on two pages are boilerplate. Everything is checked against every
training page, so what is learned is what repeats, not what one page happens to
show.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newscrawl.extraction import metadata as md
from newscrawl.extraction.article import decode_html
from newscrawl.extraction.body import NOISE_TAGS, BodyResult, extract_body, select_all
from newscrawl.extraction.depth import parse_html
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.template.apply import inside_any, lead_paragraph, paragraph_share, place
from newscrawl.extraction.template.generic import generic_body
from newscrawl.extraction.template.model import Layout, Template
from newscrawl.extraction.text import normalize_paragraph
from newscrawl.text.charset import repair_mojibake
from newscrawl.text.overlap import precision_recall_f1

# A container must hold this share of the first guess's text.
COVER = 0.85
# A selector places a page when its body scores this F1 against the page's guess.
PLACED = 0.8
CLOSE = 0.01
# Fragments shorter than this are too common ("Share", "12:30") to say "story".
FRAGMENT = 15
# A lead outside the container is a whole paragraph of the story, not a label.
LEAD = 40
# Ids and classes that belong to one page (post-1234) or one build of the site's CSS
# (CSS-module and styled-component hashes: text__large__nEccO, sc-AxjAm, css-1x2y3z).
_UNSTABLE = re.compile(
    r"\d{2,}|^\d|[^\w-]|__[A-Za-z0-9]{5,}$|_[A-Za-z0-9]{5}$|^(?:sc|css|jsx)-|"
    r"(?=[a-z]*[A-Z])(?=[A-Za-z]*\d)^[A-Za-z\d]{5,8}$"
)
_HOLDERS_UP = 3  # container ancestors also tried as layouts
_INLINE = frozenset("a abbr b cite code em font i mark q small span strong sub sup u".split())
_BARE_NOISE_TAGS = ("h1", "h2", "h3", "figure", "ul", "ol", "table", "blockquote", "time")
MAX_OUTSIDE = 24  # noise blocks outside the story kept (each is a lookup per placed page)


@dataclass
class _Page:
    url: str
    root: HtmlElement
    guess: str  # the generic extractor's body, paragraphs joined by newlines
    language: str | None


def _page(html: str | bytes, url: str, known: tuple[str, ...] = ()) -> _Page | None:
    text, _ = repair_mojibake(decode_html(html))
    root, _, _ = parse_html(text or "<html></html>", url)
    guess = generic_body(root)
    paragraphs = guess.paragraphs
    if known:  # blocks the site's history knows as noise are not story, wherever they are
        pieces = {
            piece
            for el in select_all(root, known)
            for piece in map(normalize_paragraph, el.itertext())
            if len(piece) >= FRAGMENT
        }
        paragraphs = [p for p in paragraphs if not any(piece in p for piece in pieces)]
    if sum(len(p) for p in paragraphs) < 200:  # not an article (or nothing to learn from)
        return None
    lang = root.get("lang")
    language = lang.split("-")[0].lower() if lang else None
    return _Page(url, root, "\n".join(paragraphs), language)


def _fragments(el: HtmlElement) -> Iterator[str]:
    """The element's own text pieces (its text and its children's tails)."""
    if el.tag in NOISE_TAGS:
        return
    for raw in [el.text] + [child.tail for child in el]:
        if raw:
            text = normalize_paragraph(raw)
            if text:
                yield text


def _story_weight(el: HtmlElement, guess: str) -> tuple[int, int]:
    """(characters of story text, characters of other text) in the element's subtree."""
    story = other = 0
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        for text in _fragments(node):
            if len(text) >= FRAGMENT and text in guess:
                story += len(text)
            else:
                other += len(text)
    return story, other


def _container(page: _Page) -> HtmlElement | None:
    """The deepest element holding COVER of the guessed story's text."""
    weight: Counter[HtmlElement] = Counter()
    total = 0
    for el in page.root.iter():
        if not isinstance(el.tag, str):
            continue
        own = sum(len(t) for t in _fragments(el) if len(t) >= FRAGMENT and t in page.guess)
        if own:
            total += own
            weight[el] += own
            for ancestor in el.iterancestors():
                weight[ancestor] += own
    if not total:
        return None
    best: HtmlElement | None = None
    best_depth = -1
    for el, held in weight.items():
        if held >= COVER * total:
            depth = sum(1 for _ in el.iterancestors())
            if depth > best_depth:
                best, best_depth = el, depth
    return best


def _stable(token: str) -> bool:
    return bool(token) and not _UNSTABLE.search(token)


def _names(el: HtmlElement, bare: tuple[str, ...] = ()) -> list[str]:
    """CSS selectors naming the element by what should hold on other pages."""
    tag = el.tag
    found: list[str] = []
    itemprop = el.get("itemprop")
    if itemprop and _stable(itemprop):
        found.append(f'[itemprop="{itemprop}"]')
    ident = el.get("id")
    if ident and _stable(ident):
        found.append(f'{tag}[id="{ident}"]')
    classes = [c for c in (el.get("class") or "").split() if _stable(c)]
    for cls in classes:
        found.append(f'{tag}[class~="{cls}"]')
    if len(classes) > 1:
        found.append(tag + "".join(f'[class~="{c}"]' for c in classes))
    for attr in ("data-component", "data-testid"):
        value = el.get(attr)
        if value and _stable(value):
            found.append(f'{tag}[{attr}="{value}"]')
    if tag in bare:
        found.append(tag)
    return found


def _body(page: _Page, rules: SiteRules) -> BodyResult:
    return extract_body(page.root, rules)


def _score(page: _Page, css: str) -> tuple[float, int]:
    """(F1 of the selector's body against the page's guess, elements it names)."""
    count = len(select_all(page.root, (css,)))
    if not count:
        return 0.0, 0
    body = _body(page, SiteRules(body_selectors=(css,), min_body_chars=0))
    if body.method != "selector":
        return 0.0, count
    return precision_recall_f1(body.text, page.guess)[2], count


def _holders(page: _Page, limit: int = 12) -> list[HtmlElement]:
    """Parents of the story's text, most story first: a story split in sibling blocks
    (one element per paragraph group) is named by what those blocks share."""
    weight: Counter[HtmlElement] = Counter()
    for el in page.root.iter():
        if not isinstance(el.tag, str):
            continue
        own = sum(len(t) for t in _fragments(el) if len(t) >= FRAGMENT and t in page.guess)
        if own:
            parent = el.getparent()
            weight[el] += own
            if parent is not None:
                weight[parent] += own
    return [el for el, _ in weight.most_common(limit)]


def _layouts(pages: list[_Page]) -> list[Layout]:
    """Greedy cover: the selector placing most unplaced pages, until none is left."""
    candidates: dict[str, None] = {}
    for page in pages:
        container = _container(page)
        if container is None:
            continue
        for el in [container, *list(container.iterancestors())[:_HOLDERS_UP]]:
            for css in _names(el, ("article", "main")):
                candidates.setdefault(css, None)
    scored = {css: [_score(p, css) for p in pages] for css in candidates}
    # A page no container names well may have its story in sibling blocks: name those.
    for i, page in enumerate(pages):
        if all(row[i][0] < PLACED for row in scored.values()):
            for el in _holders(page):
                for css in _names(el):
                    if css not in scored:
                        scored[css] = [_score(p, css) for p in pages]
    scores = {css: [f1 for f1, _ in row] for css, row in scored.items()}
    # Each page is placed by the selectors within CLOSE of its best: a page-wide wrapper
    # that places every page loosely does not beat the tight container of each layout.
    best = [max((row[i] for row in scores.values()), default=0.0) for i in range(len(pages))]
    fits = {
        css: {i for i, f1 in enumerate(row) if f1 >= PLACED and f1 >= best[i] - CLOSE}
        for css, row in scores.items()
    }
    layouts: list[Layout] = []
    unplaced = {i for i in range(len(pages)) if best[i] >= PLACED}
    while unplaced:
        css = max(
            fits, key=lambda c: (len(fits[c] & unplaced), sum(scores[c][i] for i in unplaced))
        )
        placed = fits[css] & unplaced
        if not placed:
            break
        single = all(scored[css][i][1] == 1 for i in placed)
        share = min(
            paragraph_share(pages[i].root, select_all(pages[i].root, (css,))) for i in placed
        )
        lead = _lead_selector([pages[i] for i in sorted(placed)], css)
        layouts.append(Layout(css, len(placed), single, round(share, 3), lead=lead))
        unplaced -= placed
    return layouts


def _lead_selector(pages: list[_Page], css: str) -> str:
    """A selector naming, on every page of the layout, one element before the container
    whose whole text is a paragraph of the page's guessed story (its lead), else ""."""
    common: dict[str, None] | None = None
    for page in pages:
        containers = select_all(page.root, (css,))
        if not containers:
            return ""
        paragraphs = {p for p in page.guess.split("\n") if len(p) >= LEAD}
        names: dict[str, None] = {}
        for el in page.root.iter():
            if el is containers[0]:
                break  # document order: only what comes before the story
            if not isinstance(el.tag, str) or el.tag in NOISE_TAGS:
                continue
            if normalize_paragraph(el.text_content()) in paragraphs and not inside_any(
                el, containers
            ):
                # By class alone first: the lead's tag varies more than its class (h2, p).
                classes = [c for c in (el.get("class") or "").split() if _stable(c)]
                names.update(dict.fromkeys([*(f'[class~="{c}"]' for c in classes), *_names(el)]))
        common = names if common is None else {n: None for n in common if n in names}
    for name in common or ():
        if all(lead_paragraph(page.root, Layout(css, lead=name), select_all(page.root, (css,)))
               for page in pages):  # fmt: skip
            return name
    return ""


def _noise(pages: list[_Page], rules: SiteRules) -> tuple[str, ...]:
    """Selectors of blocks inside the containers that never hold story text."""
    candidates: Counter[str] = Counter()
    for page in pages:
        for css_of, container in _named_containers(page, rules):
            for el in container.iterdescendants():
                if not isinstance(el.tag, str):
                    continue
                story, other = _story_weight(el, page.guess)
                parent = el.getparent()
                if story or not other or parent is None or not _story_weight(parent, page.guess)[0]:
                    continue  # story text, or inside a block already a candidate
                if _in_story_sentence(el, page.guess):
                    continue  # a link or emphasis inside a story paragraph is the story
                for css in [*_names(el, _BARE_NOISE_TAGS), _path(css_of, container, el)]:
                    candidates[css] += other
    accepted: list[str] = []
    for css, _ in candidates.most_common(60):
        if all(_harmless(page, rules, css) for page in pages):
            accepted.append(css)
    return tuple(accepted)


def _outside(pages: list[_Page], rules: SiteRules) -> tuple[str, ...]:
    """Selectors of the blocks outside the story containers that hold text and never
    story, on two pages or more (related and most-read lists, tickers, share bars,
    menus): the site's noise, which a later body must not take in."""
    candidates: Counter[str] = Counter()
    for page in pages:
        containers = _containers(page, rules)
        body = page.root.find("body")
        if not containers or body is None:
            continue
        holders = {a for c in containers for a in c.iterancestors()}
        named: set[str] = set()
        stack = [body]
        while stack:  # the outermost named block without story text, down each branch
            el = stack.pop()
            if not isinstance(el.tag, str) or el.tag in NOISE_TAGS or el in containers:
                continue
            if el not in holders:
                story, other = _story_weight(el, page.guess)
                names = _names(el)
                if not story and other >= FRAGMENT and names:
                    named.update(names)
                    continue
            stack.extend(el)
        candidates.update(named)
    accepted: list[str] = []
    held: list[list[set[str]]] = []  # what each accepted selector names, page by page
    for css, count in candidates.most_common():
        if count < 2 or len(accepted) >= MAX_OUTSIDE:
            break
        blocks = [
            {page.root.getroottree().getpath(el) for el in select_all(page.root, (css,))}
            for page in pages
        ]
        if blocks in held or not all(_apart(page, rules, css) for page in pages):
            continue  # another name of a block already kept, or story somewhere
        accepted.append(css)
        held.append(blocks)
    return tuple(accepted)


def _apart(page: _Page, rules: SiteRules, css: str) -> bool:
    """Nothing ``css`` names on the page is or holds a story container, or is in
    one, or holds story text."""
    containers = _containers(page, rules)
    return not any(
        inside_any(el, containers) or _story_weight(el, page.guess)[0]
        for el in select_all(page.root, (css,))
    )


def _in_story_sentence(el: HtmlElement, guess: str) -> bool:
    """The element is inline in running story text: a link or emphasis whose parent's
    own text around it (the text before it, its tail) is story, as in a paragraph."""
    parent = el.getparent()
    return (
        el.tag in _INLINE
        and parent is not None
        and any(len(text) >= FRAGMENT and text in guess for text in _fragments(parent))
    )


def _path(css: str, container: HtmlElement, el: HtmlElement) -> str:
    """A CSS path of tags from the container (named ``css``) down to the element: its
    place in that layout, for blocks that have no name of their own."""
    tags = [el.tag]
    for ancestor in el.iterancestors():
        if ancestor is container:
            break
        tags.append(ancestor.tag)
    return " > ".join([css, *reversed(tags)])


def _harmless(page: _Page, rules: SiteRules, css: str) -> bool:
    """No element ``css`` names inside the page's container holds story text."""
    for container in _containers(page, rules):
        for el in select_all(container, (css,)):
            if _story_weight(el, page.guess)[0]:
                return False
    return True


def _named_containers(page: _Page, rules: SiteRules) -> list[tuple[str, HtmlElement]]:
    """The page's story containers by the first layout naming any, with its selector."""
    for css in rules.body_selectors:
        found = select_all(page.root, (css,))
        if found:
            return [(css, el) for el in found]
    return []


def _containers(page: _Page, rules: SiteRules) -> list[HtmlElement]:
    return [el for _, el in _named_containers(page, rules)]


def _boilerplate(pages: list[_Page], rules: SiteRules) -> tuple[str, ...]:
    """Body paragraphs seen verbatim on two pages or more, outside the story guesses."""
    seen: Counter[str] = Counter()
    for page in pages:
        for paragraph in set(_body(page, rules).paragraphs):
            if paragraph not in page.guess:
                seen[paragraph] += 1
    return tuple(sorted(p for p, n in seen.items() if n >= 2))


def _same_title(text: str, value: str) -> bool:
    # og:title and headline often carry the site's name after the page's headline.
    return text == value or (len(text) >= 0.6 * len(value) and value.startswith(text))


def _same_byline(text: str, value: str) -> bool:
    # A byline element says more than the name ("By Jane Doe, Beirut").
    return value in text and len(text) <= len(value) + 30


def _field_selectors(
    pages: list[_Page], values: list[str | None], same: Callable[[str, str], bool]
) -> tuple[str, ...]:
    """Selectors whose first element holds the page's value of a field (its headline,
    its author, as the metadata say) on every page where they name anything, and on two
    pages or more: for the pages whose metadata lack the field. Greedy, most pages
    first (one per layout)."""
    candidates: dict[str, None] = {}
    for page, value in zip(pages, values, strict=True):
        body = page.root.find("body")
        if not value or body is None:
            continue
        for el in body.iter():
            if isinstance(el.tag, str) and el.tag not in NOISE_TAGS:
                if same(normalize_paragraph(el.text_content()), value):
                    candidates.update(dict.fromkeys(_names(el, ("h1", "h2"))))
    covers: dict[str, set[int]] = {}
    for css in candidates:
        held: set[int] = set()
        for i, (page, value) in enumerate(zip(pages, values, strict=True)):
            found = select_all(page.root, (css,))
            if not found:
                continue
            if not value or not same(normalize_paragraph(found[0].text_content()), value):
                break  # names something else on a page: not the field
            held.add(i)
        else:
            if len(held) >= 2:
                covers[css] = held
    chosen: list[str] = []
    left = set(range(len(pages)))
    while covers and left:
        css = max(covers, key=lambda c: len(covers[c] & left))
        if not covers[css] & left:
            break
        chosen.append(css)
        left -= covers.pop(css)
    return tuple(chosen)


def _titles_and_authors(pages: list[_Page]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    titles: list[str | None] = []
    authors: list[str | None] = []
    for page in pages:
        meta = md.read_metadata(page.root)
        title = md.text_value(meta.article.get("headline")) or meta.first("og:title")
        names = md.names(meta.article.get("author")) or [meta.first("author") or ""]
        titles.append(normalize_paragraph(title) if title else None)
        authors.append(normalize_paragraph(names[0]) if names and names[0] else None)
    return (
        _field_selectors(pages, titles, _same_title),
        _field_selectors(pages, authors, _same_byline),
    )


def _article_url(urls: list[str]) -> str:
    """``^/first/`` when every page's path starts with that folder, else no pattern."""
    firsts = {urlsplit(url).path.lstrip("/").partition("/")[0] for url in urls}
    if len(firsts) == 1 and (first := firsts.pop()) and len(urls) > 1:
        return f"^/{re.escape(first)}/"
    return ""


def learn_site(pages: Iterable[tuple[str | bytes, str]], noise: tuple[str, ...] = ()) -> Template:
    """The template of one site, from some of its article pages (2 or more).

    Pages that are not articles are ignored; with no page to learn from, the
    template has no layout and every extraction with it is generic. ``noise``: blocks
    the site's history knows as noise (an earlier template's ``outside``), never story
    even where the site moved them into the story container.
    """
    parsed = [p for p in (_page(html, url, noise) for html, url in pages) if p is not None]
    first = parsed[0].url if parsed else ""
    parts = urlsplit(first)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "https://unknown.invalid"
    languages = Counter(p.language for p in parsed if p.language)
    template = Template(
        site=parts.hostname or "unknown.invalid",
        origin=origin,
        language=languages.most_common(1)[0][0] if languages else None,
        pages=len(parsed),
    )
    layouts = _layouts(parsed)
    if not layouts:
        return template
    shortest = min(len(p.guess) for p in parsed)
    min_chars = max(50, min(200, shortest // 2))
    rules = SiteRules(
        body_selectors=tuple(layout.body for layout in layouts), min_body_chars=min_chars
    )
    noise = _noise(parsed, rules)
    rules = SiteRules(body_selectors=rules.body_selectors, noise_selectors=noise,
                      min_body_chars=min_chars)  # fmt: skip
    title, author = _titles_and_authors(parsed)
    learned = Template(
        site=template.site,
        title=title,
        author=author,
        origin=origin,
        language=template.language,
        layouts=tuple(layouts),
        noise=noise,
        boilerplate=_boilerplate(parsed, rules),
        min_body_chars=min_chars,
        pages=len(parsed),
        article_url=_article_url([p.url for p in parsed]),
        outside=_outside(parsed, rules),
    )
    return _with_agreement(learned, parsed)


def _with_agreement(template: Template, pages: list[_Page]) -> Template:
    """Each layout with the least F1 of its bodies against the pages' guesses."""
    scores: dict[str, list[float]] = {}
    for page in pages:
        placed = place(page.root, template)
        if placed is not None:
            layout, body = placed
            scores.setdefault(layout.body, []).append(precision_recall_f1(body.text, page.guess)[2])
    layouts = tuple(
        replace(layout, agreement=round(min(scores.get(layout.body, [0.0])), 3))
        for layout in template.layouts
    )
    return replace(template, layouts=layouts)
