"""Extraction with a learned template: the site-module path, generic when it cannot place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from lxml.html import HtmlComment, HtmlElement

from newscrawl.extraction.article import Extraction, extract_article
from newscrawl.extraction.body import BodyResult, body_of, select_all
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.selectors import compiled_css
from newscrawl.extraction.template.generic import generic_body, line_filter
from newscrawl.extraction.template.model import Layout, Template
from newscrawl.extraction.text import normalize_paragraph

# Learned noise may take at most this share of the container's text: more, and the
# page is not the layout the noise was learned on (a teaser page, a redesign).
MAX_NOISE_SHARE = 0.6
# A page's containers must hold at least this part of the share they held in training.
MIN_SHARE_KEPT = 0.6
# A layout whose bodies scored less F1 than this against the generic extractor's on
# its own training pages keeps text the story does not have (or drops some): unused.
AGREEMENT = 0.95
# The note of a body that took in a block the template knows as noise outside the
# story (its ``outside`` selectors): the site moved it into the story container.
NOISE_LEAK = "noise_leak"
# Text pieces shorter than this are too common ("Share", "12:30") to say which block.
LEAK_PIECE = 15
# Embedded social posts (a tweet, an Instagram or TikTok post, a WordPress link card)
# quote another page inside the story; the publishers' own bodies leave them out.
EMBEDS = (
    "blockquote.twitter-tweet",
    "blockquote.instagram-media",
    "blockquote.tiktok-embed",
    "blockquote.wp-embedded-content",
)


def paragraph_share(root: HtmlElement, containers: list[HtmlElement]) -> float:
    """The share of the page's <p> text inside the containers."""
    inside = sum(len(p.text_content()) for el in containers for p in el.iter("p"))
    total = sum(len(p.text_content()) for p in root.iter("p"))
    return inside / total if total else 1.0


def place(root: HtmlElement, template: Template) -> tuple[Layout, BodyResult] | None:
    """The first layout naming exactly one container on this page (or, for a layout of
    sibling blocks, some) with enough text in them, and the body it gives."""
    rules = template.rules()
    for layout in template.layouts:
        found = select_all(root, (layout.body,))
        if not found or (layout.single and len(found) != 1):  # absent, or teasers share it
            continue
        if paragraph_share(root, found) < MIN_SHARE_KEPT * layout.share:
            continue
        body = body_of(found, template.layout_rules(layout))  # extract_body, one walk less
        if len(body.text) < rules.min_body_chars:
            continue
        held = sum(len(el.text_content().strip()) for el in found)
        if len(body.text) < (1 - MAX_NOISE_SHARE) * held:
            continue
        notes = list(body.notes)
        paragraphs = line_filter(root, lead_paragraph(root, layout, found) + body.paragraphs, notes)
        if template.outside and leaked(found, template.outside, paragraphs):
            notes.append(NOISE_LEAK)
        return layout, BodyResult(paragraphs, "learned", body.images, notes)
    return None


def leaked(containers: list[HtmlElement], outside: tuple[str, ...], paragraphs: list[str]) -> bool:
    """A block the template learned outside the story (a related list, a ticker) now
    inside a container, and its text in the body. Searched inside the containers
    only: on a page of the learned layout nothing is found, at little cost."""
    text = "\n".join(paragraphs)
    blocks = compiled_css(", ".join(outside))  # one XPath union: half the cost of each alone
    for container in containers:
        for el in blocks(container):
            if el is not container and isinstance(el, HtmlElement):
                for piece in el.itertext():
                    piece = normalize_paragraph(piece)
                    if len(piece) >= LEAK_PIECE and piece in text:
                        return True
    return False


def lead_paragraph(root: HtmlElement, layout: Layout, containers: list[HtmlElement]) -> list[str]:
    """The layout's lead paragraph, when its selector names one element outside the
    containers and before them."""
    if not layout.lead:
        return []
    found = [el for el in select_all(root, (layout.lead,)) if not inside_any(el, containers)]
    if len(found) != 1 or not precedes(root, found[0], containers[0]):
        return []
    text = normalize_paragraph(found[0].text_content())
    return [text] if text else []


def inside_any(el: HtmlElement, containers: list[HtmlElement]) -> bool:
    return any(el is c or c in el.iterancestors() or el in c.iterancestors() for c in containers)


def precedes(root: HtmlElement, first: HtmlElement, second: HtmlElement) -> bool:
    """``first`` comes before ``second`` in document order."""
    for el in root.iter():
        if el is first:
            return True
        if el is second:
            return False
    return False


def learned_body(root: HtmlElement, template: Template) -> BodyResult | None:
    """The template's body for this page (embedded posts left out); None when no layout
    places the page, or the one that does disagreed with the per-page extractor on its
    training pages."""
    with embeds_hidden(root):
        placed = place(root, template)
    if placed is None or placed[0].agreement < AGREEMENT:
        return None
    return placed[1]


def extract_with_template(
    html: str | bytes,
    url: str,
    template: Template,
    site: str | None = None,
    language: str | None = None,
    domains: tuple[str, ...] = (),
    listings: tuple[str, ...] = (),
    rules: SiteRules | None = None,
) -> Extraction:
    """The record of ``extract_article`` with the template's selectors for the body
    (``extraction: "learned"``); the generic body (``"generic"``) for a page none of
    its layouts places, so never an empty body because of the template. ``rules``: a
    site declaration's (its dates, time zone, ...) for the other fields, else the
    template's."""

    def body(root: HtmlElement, _rules: SiteRules) -> BodyResult:
        found = learned_body(root, template)
        if found is not None:
            return found
        with embeds_hidden(root):
            return generic_body(root)

    rules = rules or template.rules()
    # Only the edition's language (or the page's own) counts as declared: the
    # template's is what most training pages declared, not what this page says.
    extraction = extract_article(html, url, rules, language, body, domains, listings)
    extraction.record["site"] = site or template.name
    return extraction


@contextmanager
def embeds_hidden(root: HtmlElement) -> Iterator[None]:
    """The tree without its embedded posts, put back afterwards (a body extractor must
    leave the tree as it found it): each is swapped for an empty comment, which keeps
    the text that follows it in place."""
    swapped: list[tuple[HtmlElement, HtmlComment]] = []
    for el in select_all(root, EMBEDS):
        parent = el.getparent()
        if parent is None or any(
            el is outer or outer in el.iterancestors() for outer, _ in swapped
        ):
            continue
        mark = HtmlComment("")
        mark.tail = el.tail
        parent.replace(el, mark)
        swapped.append((el, mark))
    try:
        yield
    finally:
        for el, mark in reversed(swapped):
            tail = el.tail
            mark_parent = mark.getparent()
            if mark_parent is not None:
                mark_parent.replace(mark, el)
            el.tail = tail
