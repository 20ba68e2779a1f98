"""Stage 2: trafilatura's main content of the page, as paragraphs, and the story's
continuation in further containers like the one it took it from (a body split by ads).
"""

from __future__ import annotations

import logging
from collections import Counter

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction  # a hard dependency: no path without it

from newscrawl.extraction.body import paragraphs_of
from newscrawl.extraction.generic.lines import compact
from newscrawl.extraction.generic.tree import (
    LINK,
    PROSE,
    PROSE_CHARS,
    PRUNE_MARK,
    PRUNE_XPATHS,
    TEXT,
    UNSEEN,
    TreeNoise,
    measure_blocks,
)
from newscrawl.extraction.noise import LEAD_TOKENS, names_furniture
from newscrawl.extraction.text import normalize_paragraph

logger = logging.getLogger(__name__)

# trafilatura's output tree: blocks that are paragraphs of their own.
_OUT_BLOCKS = frozenset({"p", "head", "item", "quote", "row", "code", "list", "table", "div"})


def _out_paragraphs(body: etree._Element) -> list[str]:
    """Text of trafilatura's output tree, one paragraph per block and per <lb>."""
    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            text = normalize_paragraph("".join(buffer))
            buffer.clear()
            if text:
                paragraphs.append(text)

    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == "lb" or tag in _OUT_BLOCKS:
                flush()
            if el.text:
                buffer.append(el.text)
        else:
            if tag in _OUT_BLOCKS:
                flush()
            elif tag == "cell":
                buffer.append(" ")
            if el is not body and el.tail:
                buffer.append(el.tail)
    flush()
    return paragraphs


# trafilatura's fast mode (its own extractor alone, without the comparison with
# readability and justext) takes about half its time and gives the same text on nearly
# every page. Where the full cascade would look further, it runs: a result shorter than
# this share of the page's densest paragraph block (its extractor missed the story),
# shorter than trafilatura's own minimum, one block (its last resort's dump of the
# page), without paragraphs, or holding elements it sanitises (the cases in which its
# comparison replaces its own extractor's result).
FAST_SHARE = 0.8
FAST_MIN_CHARS = 250  # trafilatura's MIN_EXTRACTED_SIZE
_UNSURE = etree.XPath(
    "boolean(.//aside|.//audio|.//button|.//fieldset|.//figure|.//footer|.//iframe|.//input"
    "|.//label|.//link|.//nav|.//noscript|.//object|.//option|.//select|.//source|.//svg"
    "|.//time)"
)


def _fast_is_unsure(body: etree._Element, chars: int, story_chars: int) -> bool:
    if chars < FAST_MIN_CHARS or chars < FAST_SHARE * story_chars:
        return True
    if len(body) < 2:  # one block: the page's whole text, its last resort (baseline)
        return True
    paragraphs = body.findall(".//p")
    if not any(p.text or len(p) for p in paragraphs):
        return True
    return len(body.findall(".//table")) > len(paragraphs) or bool(_UNSURE(body))


def trafilatura_paragraphs(
    root: HtmlElement, pruned: list[HtmlElement], story_chars: int = 0
) -> list[str]:
    """trafilatura's main content of the page (its own copy of our tree, the pruned
    nodes and comments dropped from it), as paragraphs: its fast mode, or its full
    cascade where that would look further (``_fast_is_unsure``)."""
    if root.xpath("boolean(//table[count(ancestor::table) >= 16])"):
        return []  # trafilatura's table handling is cubic in nesting: 2,000 nested tables
        # (14 kB of hostile HTML) take it 20 s of the crawl's one thread; our block remains
    for el in pruned:
        el.set(PRUNE_MARK, "")
    try:
        body = _trafilatura(root, fast=True)
        paragraphs = [] if body is None else _out_paragraphs(body)
        if body is None or _fast_is_unsure(body, sum(map(len, paragraphs)), story_chars):
            body = _trafilatura(root, fast=False)
            paragraphs = [] if body is None else _out_paragraphs(body)
    except Exception:  # a page that breaks it must not break the crawl: our block remains
        logger.warning("trafilatura failed on a page", exc_info=True)
        return []
    finally:
        for el in pruned:
            el.attrib.pop(PRUNE_MARK, None)
    return paragraphs


# Subtrees its own cleaning deletes anyway (asides, footers, navigation: a third of a
# page's elements), pruned before its fast mode's passes so that they have fewer to
# walk. Not before the full cascade, whose page measure (recall retry) and comparison
# with readability read them, nor <svg>: the icons its cleaning misses flag an unsure
# result (_UNSURE).
FAST_PRUNE_XPATHS = ["//aside|//footer|//nav|//fencedframe"]


def _trafilatura(root: HtmlElement, *, fast: bool) -> etree._Element | None:
    # "txt", not "python": the body tree is all we read, so skip its text rendering
    document = bare_extraction(
        root,
        include_comments=False,
        prune_xpath=PRUNE_XPATHS + FAST_PRUNE_XPATHS if fast else PRUNE_XPATHS,
        with_metadata=False,
        fast=fast,
        output_format="txt",
    )
    body: etree._Element | None = getattr(document, "body", None)
    return body


# A <p> this long is a sentence of a story, not a label.
SENTENCE_CHARS = 40


def page_sentences(root: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """Each <p> of a sentence or more, as (its parent, its text): one pass over the
    page for the rules that locate trafilatura's paragraphs in the tree."""
    found = []
    for p in root.iter("p"):
        parent = p.getparent()
        if parent is not None:
            text = normalize_paragraph(p.text_content())
            if len(text) >= SENTENCE_CHARS:
                found.append((parent, text))
    return found


def _story_holder(
    sentences: list[tuple[HtmlElement, str]], paragraphs: list[str]
) -> HtmlElement | None:
    """The element whose <p> children hold most of the paragraphs found."""
    found = set(paragraphs)
    holders = Counter(parent for parent, text in sentences if text in found)
    return holders.most_common(1)[0][0] if holders else None


# A lead's length: a sentence or a short paragraph, not a second body.
LEAD_CHARS = (40, 1000)


def lead_of(
    root: HtmlElement,
    paragraphs: list[str],
    noise: TreeNoise,
    sentences: list[tuple[HtmlElement, str]] | None = None,
) -> list[str]:
    """The story's lead (standfirst) that trafilatura left out: the paragraphs of an
    element before the story's text, in the same <article>, whose class names a lead."""
    holder = _story_holder(page_sentences(root) if sentences is None else sentences, paragraphs)
    story = None if holder is None else next(holder.iterancestors("article"), None)
    if holder is None or story is None:
        return []
    skip = set(noise.blocks) | set(noise.pruned)
    taken = compact("\n".join(paragraphs))
    for el in story.iter():
        if el is holder:
            break  # only what comes before the story's text
        if not isinstance(el.tag, str) or not names_furniture(el, LEAD_TOKENS):
            continue
        if el in skip or any(a in skip for a in el.iterancestors()):
            continue
        lead = [
            p for p in paragraphs_of(el, set(el.iter(*UNSEEN)) - {el}) if compact(p) not in taken
        ]
        size = sum(map(len, lead))
        return lead if LEAD_CHARS[0] <= size <= LEAD_CHARS[1] else []
    return []


def continued_in_siblings(
    root: HtmlElement,
    paragraphs: list[str],
    noise: TreeNoise,
    notes: list[str],
    sentences: list[tuple[HtmlElement, str]] | None = None,
) -> list[str]:
    """The story's text in further containers like the one trafilatura took it from
    (same tag, same class, same <article>), split by ads or embeds: added after it."""
    found = {p: i for i, p in enumerate(paragraphs)}
    holders: Counter[HtmlElement] = Counter()
    last: dict[HtmlElement, int] = {}
    for parent, text in page_sentences(root) if sentences is None else sentences:
        if text in found:
            holders[parent] += 1
            last[parent] = max(last.get(parent, -1), found[text])
    if not holders:
        return paragraphs
    main, _count = holders.most_common(1)[0]
    names = main.get("class")
    if not names or not names.strip():
        return paragraphs
    story = next(main.iterancestors("article"), None)
    skip = set(noise.blocks) | set(noise.pruned)
    taken = compact("\n".join(paragraphs))
    extra: list[str] = []
    after = False
    for el in root.iter(main.tag):
        if el is main:
            after = True
            continue
        if (
            not after
            or el.get("class") != names
            or next(el.iterancestors("article"), None) is not story
        ):
            continue
        if any(a in skip for a in el.iterancestors()) or el in skip:
            continue
        size = noise.sizes.get(el) or measure_blocks(el)[el]  # measured with the page
        if (
            size[PROSE] < PROSE_CHARS  # no sentence: a teaser card, a form
            or size[LINK] > 0.3 * size[TEXT]
            or el.find(".//form") is not None
            or el.find(".//textarea") is not None
        ):
            continue
        hidden = skip.union(el.iter(*UNSEEN))
        extra += [p for p in paragraphs_of(el, hidden) if compact(p) not in taken]
    if sum(len(p) for p in extra) < 200:
        return paragraphs
    notes.append("continued_in_siblings")
    at = last[main] + 1
    return paragraphs[:at] + extra + paragraphs[at:]
