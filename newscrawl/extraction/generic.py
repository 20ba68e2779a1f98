"""Generic extraction: any news page, no site module.

Metadata, dates and language come from ``extract_article`` exactly as for a site;
only the body differs (``generic_body``):

1. the tree is read for noise by rules that hold on any site. Two kinds:
   *pruned* nodes (articles appended below the page's own, embedded posts) are
   marked and trafilatura drops them from its own copy of the tree (ours is left
   as it was); *noise blocks* (link-dense headline lists, tickers, "read also" and
   related boxes, share bars, footers) are only remembered: pruning them would
   change which container trafilatura picks, so their text is removed from its
   output instead;
2. trafilatura's main-content extraction, comments left out;
3. its blocks as paragraphs (``<lb>`` ends one, list items and table rows are
   paragraphs of their own), then noise by text: the text of the noise blocks,
   ticker timestamp lines, "read also" lines, share labels, calls to subscribe and
   copyright lines, lines repeated on the page, the headline repeated;
4. the page's own densest block (``body.extract_body``) when trafilatura finds
   nothing or only a fragment of it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from newscrawl.extraction.article import Extraction, extract_article
from newscrawl.extraction.body import (
    BLOCK_TAGS,
    BodyResult,
    _heuristic_container,
    extract_body,
)
from newscrawl.extraction.dates import _ARABIC_MONTHS, _ENGLISH_MONTHS, _WEEKDAYS
from newscrawl.extraction.rules import READ_ALSO_RE, SiteRules
from newscrawl.extraction.text import collapse_whitespace, normalize_paragraph

GENERIC_SITE_RULES = SiteRules(name="generic")
DISABLED: set[str] = set()  # rule names switched off (ablation in bench/extraction.py)
ENABLED: set[str] = set()

_MARK = "data-newscrawl-prune"
# Comments too: given a tree with comments, trafilatura loses the text after one.
_PRUNE = [f"//*[@{_MARK}]", "//comment()"]


# --- noise on the tree --------------------------------------------------------------


_SKIP_TEXT = frozenset({"script", "style", "noscript", "template"})
# Indexes of the measures of an element (lists, not objects: this runs on every node).
TEXT, LINK, LINKS, PROSE = range(4)


def _measure_blocks(container: HtmlElement) -> dict[HtmlElement, list[int]]:
    """Per element: characters of text, of link text, number of links, and the
    longest run of text outside links (a sentence, not a label). One walk."""
    sizes: dict[HtmlElement, list[int]] = {}
    stack = [[0, 0, 0, 0]]
    for event, el in etree.iterwalk(container, events=("start", "end")):
        if event == "start":
            stack.append([0, 0, 0, 0])
            continue
        own = stack.pop()
        tag = el.tag
        if isinstance(tag, str):
            text = el.text
            if text and tag not in _SKIP_TEXT:
                n = len(text.strip())
                own[TEXT] += n
                own[PROSE] = max(own[PROSE], n)
            if tag == "a" and el.get("href") is not None:
                own[LINK] = own[TEXT]
                own[LINKS] += 1
                own[PROSE] = 0
            sizes[el] = own
        parent = stack[-1]
        parent[TEXT] += own[TEXT]
        parent[LINK] += own[LINK]
        parent[LINKS] += own[LINKS]
        parent[PROSE] = max(parent[PROSE], own[PROSE])
        tail = el.tail
        if tail and el is not container:
            n = len(tail.strip())
            parent[TEXT] += n
            parent[PROSE] = max(parent[PROSE], n)
    return sizes


# A block of links with no sentence of its own is a headline list.
LINK_DENSITY_LIMIT = 0.6
PROSE_CHARS = 120

# Class/id tokens of page furniture that trafilatura keeps: tickers, "read also" and
# most-read boxes, footers. Matched on whole tokens of class, id (split at - and _).
FURNITURE_TOKENS = frozenset(
    """ticker marquee newsbar breaking-news urgent readalso read-also also-read
    related relatednews most-read mostread most-viewed mostviewed popular trending
    more-news morenews footer copyright share sharing social breadcrumb breadcrumbs
    tags keywords""".split()
)
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:"
    + "|".join(sorted(FURNITURE_TOKENS, key=len, reverse=True))
    + r")(?:$|[\s_-])"
)
# Posts embedded from social networks: the post is someone else's text.
_EMBED_CLASSES = frozenset({"twitter-tweet", "instagram-media", "tiktok-embed", "fb-post"})


def _is_furniture(el: HtmlElement) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return _FURNITURE.search(names) is not None


def _is_noise_block(el: HtmlElement, size: list[int], total: int) -> bool:
    text = size[TEXT]
    if not text or (text > 0.5 * total and text > 400):  # empty, or holds the article
        return False
    if (
        "linkdense" not in DISABLED
        and size[LINKS] >= 2
        # A paragraph is a sentence with links in it unless it is nearly all links.
        and size[LINK] > (0.9 if el.tag == "p" else LINK_DENSITY_LIMIT) * text
        and size[PROSE] < PROSE_CHARS
    ):
        return True
    if "furniture" not in DISABLED and _is_furniture(el):
        return True
    if "readalso" not in DISABLED and text < 300:
        line = collapse_whitespace(el.text_content())
        if READ_ALSO_RE.match(line) and (
            (size[LINKS] and size[LINK] / text >= 0.3) or len(line.split()) <= 4
        ):
            return True
    return False


def _appended_articles(body: HtmlElement, titles: set[str]) -> list[HtmlElement]:
    """Other stories appended below the page's own (infinite scroll): <article>s with
    their own <h1>, apart from the one whose <h1> is the page's title (else the first)."""
    holders: list[tuple[HtmlElement, HtmlElement]] = []
    for h1 in body.iter("h1"):
        article = next(h1.iterancestors("article"), None)
        if article is not None and all(article is not a for a, _ in holders):
            holders.append((article, h1))
    if len(holders) < 2:
        return []
    main = next(
        (a for a, h1 in holders if collapse_whitespace(h1.text_content()).casefold() in titles),
        holders[0][0],
    )
    return [
        a
        for a, _ in holders
        if a is not main
        and not any(x is main for x in a.iterancestors())
        and not any(x is a for x in main.iterancestors())
    ]


@dataclass
class TreeNoise:
    pruned: list[HtmlElement]  # removed before trafilatura
    blocks: list[HtmlElement]  # whose text is removed from its output


def find_tree_noise(root: HtmlElement, titles: set[str]) -> TreeNoise:
    body = root.find("body")
    if body is None:
        body = root
    pruned: list[HtmlElement] = []
    if "appended" not in DISABLED:
        pruned += _appended_articles(body, titles)
    if "embeds" not in DISABLED:
        pruned += [
            el
            for el in body.iter("blockquote", "div")
            if _EMBED_CLASSES.intersection((el.get("class") or "").split())
        ]
    blocks: list[HtmlElement] = []
    if "tree" in DISABLED:
        return TreeNoise(pruned, blocks)
    sizes = _measure_blocks(body)
    total = sizes[body][TEXT] or 1
    # The block with the most paragraph text, and what holds it, is never noise.
    anchor = _heuristic_container(body)
    protected = set() if anchor is None else {anchor, *anchor.iterancestors()}
    walker = etree.iterwalk(body, events=("start",))
    for _event, el in walker:
        if el in protected or not isinstance(el.tag, str) or el.tag not in BLOCK_TAGS:
            continue
        size = sizes.get(el)
        if size is not None and _is_noise_block(el, size, total):
            blocks.append(el)
            walker.skip_subtree()
    return TreeNoise(pruned, blocks)


# --- trafilatura -----------------------------------------------------------------------

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


def _trafilatura_paragraphs(root: HtmlElement, pruned: list[HtmlElement]) -> list[str]:
    for el in pruned:
        el.set(_MARK, "")
    try:
        document = trafilatura.bare_extraction(
            root,
            include_comments=False,
            prune_xpath=_PRUNE,
            with_metadata=False,
            fast="fast" in ENABLED,
        )
    finally:
        for el in pruned:
            el.attrib.pop(_MARK, None)
    if document is None or document.body is None:  # type: ignore[union-attr]
        return []
    return _out_paragraphs(document.body)  # type: ignore[union-attr]


# --- noise by text ---------------------------------------------------------------------

_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا"})
_DATE_WORDS = frozenset(
    w.casefold().translate(_ALEF)
    for w in [
        *(part for name in _ARABIC_MONTHS for part in name.split()),
        *_ENGLISH_MONTHS,
        *(m[:3] for m in _ENGLISH_MONTHS),
        "sept",
        *_WEEKDAYS,
        *"""janvier février mars avril mai juin juillet août septembre octobre novembre
        décembre januar februar märz april juni juli oktober dezember enero febrero marzo
        abril mayo junio julio agosto septiembre octubre noviembre diciembre ocak şubat mart
        nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık lundi mardi mercredi
        jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag freitag samstag
        sonntag pazartesi salı çarşamba perşembe cuma cumartesi pazar
        فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند شنبه
        gmt utc am pm a.m. p.m. uhr h hrs stand updated update published posted last
        modified on at ago min mins minutes hours hour güncelleme güncellenme yayınlanma
        tarihi aktualisiert veröffentlicht mis à jour publié le actualizado publicado
        منذ ساعة ساعات ساعتين دقيقة دقائق الساعة تحديث اخر تم نشر نشره نشرت بتاريخ تاريخ
        في مساء مساءا صباحا ص م بتوقيت غرينتش""".split(),
    ]
)
_HAS_STAMP = re.compile(
    r"\d{1,2}\s*[:.]\s*\d{2}|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}|\d+\s*[年月日時分]",
)
_NUMERIC = re.compile(r"^[\W\d٠-٩۰-۹年月日時分更新]+$")
_STRIP = ",.:;|-–—()[]{}•·/،"


def is_ticker_line(line: str) -> bool:
    """A timestamp alone (a ticker's, a dateline's), with at most a label word or two."""
    if len(line) > 120 or not _HAS_STAMP.search(line):
        return False
    words = [w.strip(_STRIP).casefold().translate(_ALEF) for w in line.split()]
    words = [w for w in words if w]
    rest = [w for w in words if not (_NUMERIC.match(w) or w in _DATE_WORDS)]
    return len(rest) <= 1 and len(words) <= 14 and sum(map(len, rest)) <= 15


def is_read_also_line(line: str) -> bool:
    match = READ_ALSO_RE.match(line)
    if not match:
        return False
    return match.group(0).rstrip().endswith((":", "：", "-", "–")) or len(line.split()) <= 4


_SHARE_WORDS = frozenset(
    """share shares sharing tweet email e-mail print copy link facebook twitter x whatsapp
    telegram linkedin pinterest reddit messenger instagram youtube tiktok snapchat this
    article on via comments comment save bookmark follow us teilen partager compartir
    condividi paylaş شارك مشاركة المقال الخبر انشر طباعة نسخ الرابط تابعونا تابعنا على
    واتساب تويتر فيسبوك تلغرام تيليجرام""".split()
)


def is_share_line(line: str) -> bool:
    words = [w.strip(_STRIP + "!").casefold() for w in line.split()]
    words = [w for w in words if w]
    return 0 < len(words) <= 8 and all(w in _SHARE_WORDS for w in words)


# Calls to subscribe or follow, and copyright lines: short, and never the story.
_CALL_TO_ACTION = re.compile(
    r"\b(?:sign up|subscribe|newsletter|follow us|by email|download (?:our|the) app|"
    r"all rights reserved|copyright|letters? to the editor|"
    r"(?:designed|developed|powered|maintained)(?: and \w+)? by|"
    r"abonnez-vous|inscrivez-vous|tous droits réservés|suscr[ií]b|todos los derechos|"
    r"abonnieren|alle rechte vorbehalten|tüm hakları saklıdır)\b|©|"
    r"اشترك|النشرة البريدية|القائمة البريدية|تابعونا|تابعوا|جميع الحقوق محفوظة|"
    r"حقوق النشر|حمل تطبيق|حملوا تطبيق",
    re.IGNORECASE,
)


def is_call_to_action(line: str) -> bool:
    return len(line.split()) <= 25 and _CALL_TO_ACTION.search(line) is not None


# Headings of the boxes around a story, as a whole line: "Related", "Most read" ...
_BOX_LABEL = re.compile(
    r"^(?:related(?: articles| news| stories| topics| content)?|recommended(?: for you)?|"
    r"more (?:from|on|news|stories)(?: \w+)?|most (?:read|viewed|popular)|trending(?: now)?|"
    r"latest(?: news)?|top stories|you may also like|tags|topics|keywords|"
    r"lesen sie auch|mehr zum thema|à lire aussi|lire aussi|ver también|leer más|"
    r"ilgili haberler|ilgili konular|daha fazla|etiketler|"
    r"关联|関連記事|関連キーワード|おすすめ(?:情報|記事)?|人気記事|"
    r"الأكثر قراءة|الاكثر قراءة|الأكثر مشاهدة|الاكثر مشاهدة|مقالات ذات صلة|أخبار متعلقة|"
    r"اخبار متعلقة|مواضيع متعلقة|آخر الأخبار|اخر الاخبار|الكلمات المفتاحية|كلمات مفتاحية|"
    r"الوسوم|وسوم|مواضيع|أقرأ أيضا|اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|شاهد أيضا|ذات صلة)"
    r"\s*[:：]?$",
    re.IGNORECASE,
)


def is_label_line(line: str) -> bool:
    return len(line) <= 40 and _BOX_LABEL.match(line.strip(" .:-–—|»«>")) is not None


# A notice that the rest is for subscribers: it and all after it is the paywall's.
_PAYWALL = re.compile(
    r"(?:this (?:article|story|content) is (?:only )?(?:for|available to|reserved for) "
    r"(?:subscribers|members)|subscribe to (?:continue|read)|to continue reading|"
    r"réservé aux abonnés|nur für abonnenten|exclusivo para suscriptores|abonelere özel|"
    r"会員限定|有料会員|للمشتركين فقط|هذا المحتوى (?:متاح )?للمشتركين)",
    re.IGNORECASE,
)


def _title_candidates(root: HtmlElement) -> set[str]:
    found: set[str] = set()
    for el in root.iterfind(".//h1"):
        found.add(collapse_whitespace(el.text_content()).casefold())
    for meta in root.iterfind(".//meta[@property='og:title']"):
        found.add(collapse_whitespace(meta.get("content") or "").casefold())
    title = root.find(".//title")
    if title is not None and title.text:
        found.add(collapse_whitespace(title.text).casefold())
    found.discard("")
    return found


class _NoiseText:
    """The text of the noise blocks, to find trafilatura's paragraphs in."""

    def __init__(self, root: HtmlElement, blocks: list[HtmlElement]) -> None:
        self.root = root
        self.blocks = blocks
        self.flat = [collapse_whitespace(el.text_content()) for el in blocks]
        self.blob = "\n".join(self.flat)
        self.atoms: set[str] | None = None  # text nodes, for short paragraphs
        self._page: str | None = None

    def __contains__(self, paragraph: str) -> bool:
        if len(paragraph) >= 15:
            if paragraph not in self.blob:
                return False
        else:
            if self.atoms is None:
                self.atoms = {collapse_whitespace(t) for el in self.blocks for t in el.itertext()}
            if paragraph not in self.atoms:
                return False
        # The same words outside the noise (a live blog's entry title that is also in
        # the most-read box) are the story's.
        if self._page is None:
            body = self.root.find("body")
            self._page = collapse_whitespace((self.root if body is None else body).text_content())
        return self._page.count(paragraph) <= self.blob.count(paragraph)


_LINE_RULES = (
    ("ticker", is_ticker_line, "ticker_removed"),
    ("readalso_line", is_read_also_line, "read_also_removed"),
    ("share", is_share_line, "share_removed"),
    ("cta", is_call_to_action, "call_to_action_removed"),
    ("label", is_label_line, "box_label_removed"),
)


def filter_lines(
    root: HtmlElement,
    paragraphs: list[str],
    titles: set[str],
    blocks: list[HtmlElement],
    notes: list[str],
) -> list[str]:
    """Paragraphs minus noise by text (see the module docstring)."""
    counts = Counter(p for p in paragraphs if len(p.split()) >= 2)
    noise = _NoiseText(root, blocks) if blocks else None
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if (
            "paywall" not in DISABLED
            and kept
            and len(paragraph) <= 200
            and _PAYWALL.search(paragraph)
        ):
            notes.append("paywall_cut")
            break
        if noise is not None and paragraph in noise:
            notes.append("noise_block_removed")
            continue
        if "title" not in DISABLED and index < 3 and paragraph.casefold() in titles:
            notes.append("title_removed")
            continue
        if "repeat" not in DISABLED and counts[paragraph] > 1:
            notes.append("repeated_removed")
            continue
        for name, rule, note in _LINE_RULES:
            if name not in DISABLED and rule(paragraph):
                notes.append(note)
                break
        else:
            kept.append(paragraph)
    return kept


def generic_body(root: HtmlElement, rules: SiteRules = GENERIC_SITE_RULES) -> BodyResult:
    """The body of any page: trafilatura, minus our noise, else our densest block."""
    titles = _title_candidates(root)
    noise = find_tree_noise(root, titles)
    notes: list[str] = []
    paragraphs = filter_lines(
        root, _trafilatura_paragraphs(root, noise.pruned), titles, noise.blocks, notes
    )
    if "fallback" not in DISABLED:
        own = extract_body(root, rules)
        found = sum(len(p) for p in paragraphs)
        # trafilatura kept a fragment of a block that holds twice as much: the block
        # (it must hold what trafilatura found, or it is another story).
        if (
            found < 0.5 * len(own.text)
            and sum(len(p) for p in paragraphs if p in own.text) >= 0.8 * found
        ):
            notes.append("own_candidate")
            paragraphs = filter_lines(root, own.paragraphs, titles, noise.blocks, notes)
    return BodyResult(paragraphs, "generic", [], sorted(set(notes)))


def extract_generic(html: str | bytes, url: str) -> Extraction:
    """Extract an article from any page: the record of ``extract_article``, a generic body."""
    return extract_article(html, url, GENERIC_SITE_RULES, body_extractor=generic_body)
