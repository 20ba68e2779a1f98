"""The article body: the positive selector, minus noise nodes, as paragraphs.

Noise is decided on the tree, node by node, before any text is produced:

* tags that never carry article text (script, nav, aside, form, figcaption, ...);
* the site's noise selectors;
* containers whose class or id names page furniture (ticker, related, most-read,
  share, footer, ...), on any site;
* link-dense blocks (headline lists) and "read also" boxes between paragraphs.

Text is then produced by one walk that starts a new paragraph at every block
boundary and ``<br>``, so ``<p>`` bodies and ``<br><br>`` bodies come out alike.
Finally whole paragraphs that match a site noise pattern (its ticker timestamp,
its footer) are dropped, and a paragraph that still *contains* one (blocks glued
by broken markup) is cut there and reported in ``notes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from newscrawl.extraction.noise import (
    ALL_TOKENS,
    READ_ALSO_RE,
    is_hidden,
    link_dense,
    names_furniture,
)
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.selectors import compiled_css
from newscrawl.extraction.text import normalize_paragraph

BLOCK_TAGS = frozenset(
    """address article aside blockquote body center dd details div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre
    section summary table tbody td tfoot th thead tr ul""".split()
)
NOISE_TAGS = frozenset(
    """script style noscript template iframe object embed svg canvas form button
    input select textarea nav aside footer figcaption video audio dialog""".split()
)


@dataclass
class BodyResult:
    paragraphs: list[str]
    method: str  # "selector" | "heuristic" | "none"
    images: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def select_all(root: HtmlElement, selectors: Iterable[str]) -> list[HtmlElement]:
    found: list[HtmlElement] = []
    for css in selectors:
        found.extend(el for el in compiled_css(css)(root) if isinstance(el, HtmlElement))
    return found


def is_furniture(el: HtmlElement) -> bool:
    """A noise tag, hidden (aria-hidden too: site pages hide their copies so), or named
    after furniture or page chrome (``noise.ALL_TOKENS``)."""
    if el.tag in NOISE_TAGS or el.get("aria-hidden") == "true" or is_hidden(el):
        return True
    return names_furniture(el, ALL_TOKENS)


@dataclass(slots=True)
class _Sizes:
    text: int = 0
    link: int = 0
    links: int = 0


def _measure(container: HtmlElement) -> dict[HtmlElement, _Sizes]:
    """Text and link-text length of every element, in one bottom-up pass (sums kept
    in locals, one object made per element: about a third cheaper than adding into
    the element's object child by child)."""
    sizes: dict[HtmlElement, _Sizes] = {}
    for _event, el in etree.iterwalk(container, events=("end",)):
        tag = el.tag
        if not isinstance(tag, str):
            continue
        text = 0 if tag in NOISE_TAGS else len((el.text or "").strip())
        link = links = 0
        for child in el:
            child_sizes = sizes.get(child)
            if child_sizes is not None:
                text += child_sizes.text
                link += child_sizes.link
                links += child_sizes.links
            tail = child.tail
            if tail:
                text += len(tail.strip())
        if tag == "a" and el.get("href") is not None:
            link = text
            links += 1
        sizes[el] = _Sizes(text, link, links)
    return sizes


def _short_label(text: str) -> bool:
    return len(text.split()) <= 4


def find_noise(
    container: HtmlElement, rules: SiteRules, sizes: dict[HtmlElement, _Sizes]
) -> set[HtmlElement]:
    """Elements inside ``container`` whose whole subtree is not article text."""
    noise: set[HtmlElement] = set(select_all(container, rules.noise_selectors))
    total = sizes[container].text or 1
    for el in container.iterdescendants():
        if not isinstance(el.tag, str) or el in noise:
            continue
        size = sizes.get(el)
        if size is None:
            continue
        if el.tag in NOISE_TAGS:  # scripts, forms, nav ...: never article text
            noise.add(el)
            continue
        # Never let a furniture-looking wrapper take the article with it.
        holds_article = size.text > 0.5 * total and size.text > 400
        if is_furniture(el) and not holds_article:
            noise.add(el)
            continue
        if el.tag not in BLOCK_TAGS and el.tag not in {"span", "strong", "b"}:
            continue
        if link_dense(size.text, size.link, size.links):
            if not holds_article:
                noise.add(el)
            continue
        if el.tag in BLOCK_TAGS and size.text < 300:
            text = normalize_paragraph(el.text_content())
            if READ_ALSO_RE.match(text) and (
                (size.links and size.link / max(size.text, 1) >= 0.3) or _short_label(text)
            ):
                noise.add(el)
    return noise


def paragraphs_of(
    container: HtmlElement, noise: set[HtmlElement], split_lines: bool = False
) -> list[str]:
    """Text of ``container`` split at block boundaries and <br>, noise skipped.

    With ``split_lines``, line breaks in the text also end a paragraph.
    """
    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            raw = "".join(buffer)
            buffer.clear()
            for part in raw.splitlines() if split_lines else (raw,):
                text = normalize_paragraph(part)
                if text:
                    paragraphs.append(text)

    walker = etree.iterwalk(container, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else None
        if event == "start":
            if tag is None:  # comment or processing instruction: text is not content
                walker.skip_subtree()
                continue
            if tag == "br" or tag in BLOCK_TAGS or el in noise:
                flush()
            if el in noise:
                walker.skip_subtree()
                continue
            if el.text:
                buffer.append(el.text)
        else:
            if tag in BLOCK_TAGS or el in noise:
                flush()
            elif tag == "img":
                buffer.append(" ")
            if el is not container and el.tail:
                buffer.append(el.tail)
    flush()
    return paragraphs


def _outermost(elements: Sequence[HtmlElement]) -> list[HtmlElement]:
    chosen: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    for el in elements:
        if el in seen or any(anc in seen for anc in el.iterancestors()):
            continue
        seen.add(el)
        chosen.append(el)
    return chosen


def _images(containers: Iterable[HtmlElement], noise: set[HtmlElement]) -> list[str]:
    found: list[str] = []
    for container in containers:
        for img in container.iter("img"):
            if img in noise or any(anc in noise for anc in img.iterancestors()):
                continue
            src = img.get("data-src") or img.get("src")
            if src and not src.startswith("data:"):
                found.append(src.strip())
    return found


def _filter_patterns(paragraphs: list[str], rules: SiteRules, notes: list[str]) -> list[str]:
    """Drop noise paragraphs; cut paragraphs that still contain noise."""
    boilerplate = {normalize_paragraph(line).casefold() for line in rules.boilerplate}
    kept: list[str] = []
    for paragraph in paragraphs:
        if paragraph.casefold() in boilerplate:
            notes.append("boilerplate_removed")
            continue
        first = None
        for pattern in rules.compiled_noise:
            match = pattern.search(paragraph)
            if match and (first is None or match.start() < first):
                first = match.start()
        if first is None:
            kept.append(paragraph)
            continue
        prefix = paragraph[:first].strip()
        if len(prefix.split()) >= 12:
            # Article text glued to a ticker or footer: keep the article part.
            kept.append(prefix)
            notes.append("noise_cleaned")
        else:
            notes.append("noise_block_removed")
    return kept


def heuristic_container(root: HtmlElement) -> HtmlElement | None:
    """The element holding the most paragraph text (p children or br-separated text)."""
    scores: dict[HtmlElement, int] = {}
    for p in root.iter("p"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(p.text_content().strip())
    for br in root.iter("br"):
        parent = br.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len((br.tail or "").strip())
    candidates = [el for el in scores if not is_furniture(el)]
    if not candidates:
        return None
    return max(candidates, key=lambda el: scores[el])


def _body_from(containers: list[HtmlElement], rules: SiteRules, method: str) -> BodyResult:
    paragraphs: list[str] = []
    noise_all: set[HtmlElement] = set()
    for container in containers:
        sizes = _measure(container)
        noise = find_noise(container, rules, sizes)
        noise_all |= noise
        paragraphs.extend(paragraphs_of(container, noise, rules.newline_paragraphs))
    notes: list[str] = []
    paragraphs = _filter_patterns(paragraphs, rules, notes)
    return BodyResult(paragraphs, method, _images(containers, noise_all), notes)


def body_of(found: list[HtmlElement], rules: SiteRules) -> BodyResult:
    """The body in elements a selector found (``select_all``), as ``extract_body`` reads
    them: for a caller that has selected them already (a learned layout), so the page is
    not walked twice for one selector."""
    return _body_from(_outermost(found), rules, "selector")


def extract_body(root: HtmlElement, rules: SiteRules) -> BodyResult:
    """Body paragraphs by the site's selectors, else by the densest text block."""
    best: BodyResult | None = None
    for css in rules.body_selectors:
        containers = _outermost(select_all(root, (css,)))
        if not containers:
            continue
        result = _body_from(containers, rules, "selector")
        if len(result.text) >= rules.min_body_chars:
            return result
        if best is None or len(result.text) > len(best.text):
            best = result
    container = heuristic_container(root)
    if container is not None:
        result = _body_from([container], rules, "heuristic")
        if best is None or len(result.text) > len(best.text):
            best = result
    if best is None:
        return BodyResult([], "none")
    return best
