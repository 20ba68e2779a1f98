"""Generic extraction: any news page, no site module.

``extract_generic(html, url)`` gives the record of ``extract_article`` (metadata from
JSON-LD/OpenGraph/meta, dates with our Arabic and Persian handling, the language
checked against the script), with ``site`` and ``extraction`` "generic". Only the
body is found differently (``generic_body``), by trafilatura plus our own rules,
none of them about one site:

1. the page tree is read for noise. *Pruned* nodes, other stories appended below
   the page's own (infinite scroll), are marked and trafilatura drops them from its
   own copy of the tree (ours is left as it was). *Noise blocks*, link-dense
   headline lists, tickers (links between timestamps), hidden copies, boxes whose
   class names a ticker, related or most-read box, share bar or footer, and "read
   also" boxes, are only remembered: pruning them changes which container
   trafilatura picks, so their text is taken out of its output instead (unless the
   same text is also on the page outside them). The block with the most paragraph
   text, and what holds it, is never noise;
2. trafilatura's main-content extraction on the tree, reader comments left out;
   when the story goes on in further containers like the one it took it from
   (same tag and class, same <article>: a body split by ads), their text is added;
3. its blocks as paragraphs (``<lb>`` ends one, list items and table rows are
   paragraphs of their own), then noise by text: the noise blocks' text, the
   headline, a byline at the top, a few lines the page repeats, timestamp lines,
   "read also" lines, share labels, calls to subscribe, copyright and e-mail
   lines, box headings, "Source:" lines, counters; cut at a subscribers-only notice
   or at "Related"/"Top stories" past the middle; a hidden copy of the story glued
   into one paragraph;
4. the JSON-LD ``articleBody``, where the page has one that holds what was found:
   paragraphs mostly not in it are dropped, and when it is much longer, the page's
   paragraphs it holds are taken instead;
5. the page's densest block (``body.extract_body``) when trafilatura found little,
   and that block holds it and twice as much.

``RULES`` names every rule; ``extract_generic(..., disabled=[...])`` switches some
off, which is how bench/extraction.py --generic --ablate measures each.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction  # a hard dependency: no path without it

from newscrawl.extraction import metadata as md
from newscrawl.extraction.article import Extraction, extract_article
from newscrawl.extraction.body import (
    BLOCK_TAGS,
    BodyResult,
    _heuristic_container,
    extract_body,
    paragraphs_of,
)
from newscrawl.extraction.dates import _ARABIC_MONTHS, _ENGLISH_MONTHS, _WEEKDAYS
from newscrawl.extraction.rules import GENERIC_RULES, READ_ALSO_RE, SiteRules
from newscrawl.extraction.text import collapse_whitespace, normalize_paragraph
from newscrawl.text.arabic import ALEF, KAF, YEH, folding

logger = logging.getLogger(__name__)

# The rules, by name: ``disabled`` switches some off (the benchmark's ablation).
RULES = {
    "appended": "prune <article>s with their own <h1> below the page's own (infinite scroll)",
    "linkdense": "noise block: links >60% of its text (90% for a <p>), no sentence outside",
    "furniture": "noise block: class/id names a ticker, related/most-read box, share bar, footer",
    "hidden": "noise block: hidden (display:none, the hidden attribute), e.g. microdata copies",
    "readalso": "noise block: a short box that starts with 'read also' (Arabic, English, ...)",
    "title": "drop lines that are the headline (h1, og:title, <title>)",
    "byline": "drop a byline ('By ...', 'بقلم ...', an author's name) in the first lines",
    "repeat": "drop lines that occur twice or more (placeholders, captions, boilerplate)",
    "ticker": "drop timestamp lines (ticker items, datelines)",
    "readalso_line": "drop 'read also: ...' lines",
    "share": "drop share labels (Share, Facebook Twitter WhatsApp, شارك)",
    "cta": "drop calls to subscribe or follow, copyright lines, e-mail contact lines",
    "label": "drop box headings alone on a line (Related, Most read, الأكثر قراءة, More:)",
    "source": "drop 'Source: ...' attribution lines",
    "noletters": "drop lines of digits without a letter (gallery counters, ids)",
    "paywall": "cut at a subscribers-only notice",
    "tailbox": "cut at a box heading (Related, Top stories) in the second half of the text",
    "duplicate": "drop a paragraph that is other paragraphs glued together (a hidden copy)",
    "siblings": "add the story's text in containers like trafilatura's (same class), split off",
    "jsonld": "check paragraphs against the JSON-LD articleBody (precision and recall)",
    "fallback": "our densest block when trafilatura found only a fragment of it",
}

_MARK = "data-newscrawl-prune"
# Comments too: given a tree with comments, trafilatura loses the text after one.
_PRUNE = [f"//*[@{_MARK}]", "//comment()"]


# --- noise on the tree --------------------------------------------------------------


# Subtrees trafilatura always deletes: no text of theirs reaches its output, so no
# noise needs finding there (and not walking them saves time).
_UNSEEN = frozenset(
    """script style noscript template svg iframe object embed canvas video audio map
    select button nav aside footer figure picture math textarea dialog menu""".split()
)
# Indexes of the measures of an element (lists, not objects: this runs on every node).
TEXT, LINK, LINKS, PROSE = range(4)


def _measure_blocks(container: HtmlElement) -> dict[HtmlElement, list[int]]:
    """Per element: characters of text, of link text, number of links, and the
    longest run of text outside links (a sentence, not a label). One walk."""
    # iterwalk passes over comments, not over the text that follows them
    after_comments: dict[HtmlElement, tuple[int, int]] = {}
    for comment in container.iter(etree.Comment, etree.ProcessingInstruction):
        n = len((comment.tail or "").strip())
        if n:
            parent = comment.getparent()
            total, longest = after_comments.get(parent, (0, 0))
            after_comments[parent] = (total + n, max(longest, n))
    sizes: dict[HtmlElement, list[int]] = {}
    stack = [[0, 0, 0, 0]]
    walker = etree.iterwalk(container, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            stack.append([0, 0, 0, 0])
            if el.tag in _UNSEEN:
                walker.skip_subtree()
            continue
        own = stack.pop()
        tag = el.tag
        text = None if tag in _UNSEEN else el.text
        if text:
            n = len(text.strip())
            own[TEXT] += n
            if n > own[PROSE]:
                own[PROSE] = n
        if after_comments and el in after_comments and tag not in _UNSEEN:
            n, longest = after_comments[el]
            own[TEXT] += n
            if longest > own[PROSE]:
                own[PROSE] = longest
        if tag == "a" and el.get("href") is not None:
            own[LINK] = own[TEXT]
            own[LINKS] += 1
            own[PROSE] = 0
        sizes[el] = own
        parent = stack[-1]
        parent[TEXT] += own[TEXT]
        parent[LINK] += own[LINK]
        parent[LINKS] += own[LINKS]
        if own[PROSE] > parent[PROSE]:
            parent[PROSE] = own[PROSE]
        tail = el.tail
        if tail:  # the container's own tail goes to a parent nobody reads
            n = len(tail.strip())
            parent[TEXT] += n
            if n > parent[PROSE]:
                parent[PROSE] = n
    return sizes


# A block of links with no sentence of its own is a headline list.
LINK_DENSITY_LIMIT = 0.6
PROSE_CHARS = 120
# Three links or more, with nothing but labels (timestamps, bullets) between them.
LIST_LINK_SHARE = 0.4
LIST_PROSE_CHARS = 50

# Class/id tokens of page furniture that trafilatura keeps: tickers, "read also" and
# most-read boxes, footers. Matched on whole tokens of class, id (split at - and _).
FURNITURE_TOKENS = frozenset(
    """ticker marquee newsbar readalso read-also also-read
    related relatednews most-read mostread most-viewed mostviewed popular trending
    more-news morenews footer copyright share sharing social breadcrumb breadcrumbs
    tags keywords""".split()
)
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:"
    + "|".join(sorted(FURNITURE_TOKENS, key=len, reverse=True))
    + r")(?:$|[\s_-])"
)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _is_hidden(el: HtmlElement) -> bool:
    # (not aria-hidden: sites put it on text they show, such as a paywalled paragraph)
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return style is not None and _HIDDEN_STYLE.search(style) is not None


def _is_furniture(el: HtmlElement) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return _FURNITURE.search(names) is not None


def _is_noise_block(el: HtmlElement, size: list[int], total: int, disabled: frozenset[str]) -> bool:
    text = size[TEXT]
    if not text or (text > 0.5 * total and text > 400):  # empty, or holds the article
        return False
    if (
        "linkdense" not in disabled
        and size[LINKS] >= 2
        # A paragraph is a sentence with links in it unless it is nearly all links.
        and size[LINK] > (0.9 if el.tag == "p" else LINK_DENSITY_LIMIT) * text
        and size[PROSE] < PROSE_CHARS
    ):
        return True
    if (
        "linkdense" not in disabled
        and el.tag != "p"
        and size[LINKS] >= 3
        and size[LINK] > LIST_LINK_SHARE * text
        and size[PROSE] < LIST_PROSE_CHARS
    ):
        return True  # a list of links with short labels between: "GMT 08:52 ... <a>headline"
    if "hidden" not in disabled and _is_hidden(el):
        return True  # microdata copies, templates: not what a reader sees
    if (
        "furniture" not in disabled
        and _is_furniture(el)
        # not a wrapper named after its furniture that holds the story's sentences
        and (size[PROSE] < PROSE_CHARS or size[LINK] > 0.3 * text)
    ):
        return True
    if "readalso" not in disabled and text < 300:
        line = collapse_whitespace(el.text_content())
        if _READ_ALSO.match(line) and (
            (size[LINKS] and size[LINK] / text >= 0.3) or len(line.split()) <= 4
        ):
            return True
    return False


def _appended_articles(body: HtmlElement, headlines: set[str]) -> list[HtmlElement]:
    """Other stories appended below the page's own (infinite scroll): <article>s with
    their own <h1>, apart from the one whose <h1> is in the page's title (else the
    first)."""
    holders: list[tuple[HtmlElement, HtmlElement]] = []
    for h1 in body.iter("h1"):
        article = next(h1.iterancestors("article"), None)
        if article is not None and all(article is not a for a, _ in holders):
            holders.append((article, h1))
    if len(holders) < 2:
        return []
    main = next(
        (
            a
            for a, h1 in holders
            if any(collapse_whitespace(h1.text_content()).casefold() in h for h in headlines)
        ),
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


def find_tree_noise(
    root: HtmlElement, headlines: set[str], disabled: frozenset[str] = frozenset()
) -> TreeNoise:
    """Nodes to prune before trafilatura, and noise blocks to take out of its text."""
    body = root.find("body")
    if body is None:
        body = root
    pruned: list[HtmlElement] = []
    if "appended" not in disabled:
        pruned += _appended_articles(body, headlines)
    blocks: list[HtmlElement] = []
    if {"linkdense", "hidden", "furniture", "readalso"} <= disabled:
        return TreeNoise(pruned, blocks)
    sizes = _measure_blocks(body)
    total = sizes[body][TEXT] or 1
    # The block with the most paragraph text, and what holds it, is never noise.
    anchor = _heuristic_container(body)
    protected = set() if anchor is None else {anchor, *anchor.iterancestors()}
    walker = etree.iterwalk(body, events=("start",))
    for _event, el in walker:
        size = sizes.get(el)
        if size is None or not size[TEXT]:  # unseen or empty: nothing to find inside
            walker.skip_subtree()
            continue
        if el in protected or el.tag not in BLOCK_TAGS:
            continue
        if _is_noise_block(el, size, total, disabled):
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
    """trafilatura's main content of the page (its own copy of our tree, the pruned
    nodes and comments dropped from it), as paragraphs."""
    if root.xpath("boolean(//table[count(ancestor::table) >= 16])"):
        return []  # trafilatura's table handling is cubic in nesting: 2,000 nested tables
        # (14 kB of hostile HTML) take it 20 s of the crawl's one thread; our block remains
    for el in pruned:
        el.set(_MARK, "")
    try:
        document = bare_extraction(
            root, include_comments=False, prune_xpath=_PRUNE, with_metadata=False
        )
    except Exception:  # a page that breaks it must not break the crawl: our block remains
        logger.warning("trafilatura failed on a page", exc_info=True)
        return []
    finally:
        for el in pruned:
            el.attrib.pop(_MARK, None)
    body = getattr(document, "body", None)
    return [] if body is None else _out_paragraphs(body)


# --- noise by text ---------------------------------------------------------------------

# Folded for comparison: the forms of alef, yeh and kaf (Arabic and Persian ones alike).
_ALEF = folding(ALEF, YEH, KAF)
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
        في مساء مساءا صباحا ص م بتوقيت غرينتش ب.ظ ق.ظ ساعت""".split(),
    ]
)
_HAS_STAMP = re.compile(
    r"\d{1,2}\s*[:.]\s*\d{2}|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}|\d+\s*[年月日時分]|"
    r"\d+\s+\w+\s+ago\b|منذ\s+\S+",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"^(?:[\W\d٠-٩۰-۹年月日時分更新]+|\d{4}-\d\d-\d\dt[\d:.]+(?:z|[+-][\d:]+)?)$")
_STRIP = ",.:;|-–—()[]{}•·/،"


def is_ticker_line(line: str) -> bool:
    """A timestamp alone (a ticker's, a dateline's), with at most a label word or two."""
    if len(line) > 120 or not _HAS_STAMP.search(line):
        return False
    words = [w.strip(_STRIP).casefold().translate(_ALEF) for w in line.split()]
    words = [w for w in words if w]
    rest = [w for w in words if not (_NUMERIC.match(w) or w in _DATE_WORDS)]
    return len(rest) <= 1 and len(words) <= 14 and sum(map(len, rest)) <= 15


# The "read also" labels of rules.READ_ALSO_RE and of more of Europe's languages.
_READ_ALSO = re.compile(
    READ_ALSO_RE.pattern.replace(
        r"read also|",
        r"read also|les også|läs även|läs också|læs også|lesen sie auch|mehr zum thema|"
        r"lees ook|leggi anche|à lire aussi|lire aussi|lea también|leia também|czytaj też|"
        r"czytaj także|čtěte také|devamını oku|bunu da okuyun|",
        1,
    ),
    re.IGNORECASE,
)


def is_read_also_line(line: str) -> bool:
    match = _READ_ALSO.match(line)
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
    if len(line) > 100:
        return False
    words = [w.strip(_STRIP + "!").casefold() for w in line.split()]
    words = [w for w in words if w]
    return 0 < len(words) <= 8 and all(w in _SHARE_WORDS for w in words)


# Calls to subscribe or follow, contact lines and copyright lines: short, and never the
# story. Phrased as the site speaks to its reader, not as news speaks of the world
# ("2 million people subscribe" is news; "Subscribe to our newsletter" is not).
_CALL_TO_ACTION = re.compile(
    r"^(?:sign up|subscribe|join our|follow (?:us|\w+ on)|download (?:our|the)|get (?:our|the)\b)|"
    r"\b(?:sign up (?:for|to) (?:our|the|free)|free sign up|sign up (?:now|here|today)|"
    r"subscribe (?:to|for) our|subscribe (?:now|here|today)|(?:our|daily|weekly|the) "
    r"newsletter|follow us|by email and never miss|download (?:our|the) app|write to us|"
    r"get in touch|e-?mail us|contact us at|all rights reserved|copyright (?:©|\d{4})|"
    r"letters? to the editor|(?:designed|developed|powered|maintained)(?: and \w+)? by|"
    r"abonnez-vous|inscrivez-vous|tous droits réservés|suscríbete|todos los derechos "
    r"reservados|jetzt abonnieren|alle rechte vorbehalten|tüm hakları saklıdır)\b|©|"
    r"اشترك (?:الآن|معنا|في النشرة|في قناتنا)|للاشتراك في|النشرة البريدية|القائمة البريدية|"
    r"تابعونا|جميع الحقوق محفوظة|حقوق النشر محفوظة|حمل تطبيق|حملوا تطبيق|"
    r"[\w.+-]+@[\w-]+\.[\w.]+",  # "write to us at ...@..."
    re.IGNORECASE,
)


def is_call_to_action(line: str) -> bool:
    return len(line) <= 300 and len(line.split()) <= 25 and _CALL_TO_ACTION.search(line) is not None


# Headings of the boxes that follow a story, as a whole line: "Related", "Most read" ...
_END_LABELS = (
    r"related(?: articles| news| stories| topics| content)?|recommended(?: for you)?|"
    r"more (?:from|on|news|stories)(?: \w+)?|most (?:read|viewed|popular)|trending(?: now)?|"
    r"latest(?: news)?|top stories|you may also like|tags|topics|keywords|"
    r"ilgili haberler|ilgili konular|daha fazla|etiketler|"
    r"关联|関連記事|関連キーワード|おすすめ(?:情報|記事)?|人気記事|"
    r"الأكثر قراءة|الاكثر قراءة|الأكثر مشاهدة|الاكثر مشاهدة|مقالات ذات صلة|أخبار متعلقة|"
    r"اخبار متعلقة|مواضيع متعلقة|آخر الأخبار|اخر الاخبار|الكلمات المفتاحية|كلمات مفتاحية|"
    r"الوسوم|وسوم|مواضيع|ذات صلة"
)
# ... and of boxes inside it ("read also") or of a gallery's buttons.
_INLINE_LABELS = (
    r"lesen sie auch|mehr zum thema|à lire aussi|lire aussi|ver también|leer más|"
    r"أقرأ أيضا|اقرأ أيضاً|اقرأ أيضا|اقرأ ايضا|شاهد أيضا|"
    r"(?:(?:previous|next|prev|önceki|sonraki|précédent|suivant|السابق|التالي)\s*)+"
)
_END_LABEL = re.compile(rf"^(?:{_END_LABELS})\s*[:：]?$", re.IGNORECASE)
_BOX_LABEL = re.compile(rf"^(?:{_END_LABELS}|{_INLINE_LABELS})\s*[:：]?$", re.IGNORECASE)
_LABEL_STRIP = " .:-–—|»«>"


def is_label_line(line: str) -> bool:
    return len(line) <= 40 and _BOX_LABEL.match(line.strip(_LABEL_STRIP)) is not None


def is_end_label(line: str) -> bool:
    """A heading of what comes after a story: "Related", "Top stories", "الأكثر قراءة"."""
    return len(line) <= 40 and _END_LABEL.match(line.strip(_LABEL_STRIP)) is not None


# A notice that the rest is for subscribers: it and all after it is the paywall's.
_PAYWALL = re.compile(
    r"(?:this (?:article|story|content) is (?:only )?(?:for|available to|reserved for) "
    r"(?:subscribers|members)|subscribe to (?:continue|read)|"
    r"(?:log|sign) in to continue reading|to continue reading,? (?:please )?(?:subscribe|log in|"
    r"sign in|register)|réservé aux abonnés|nur für abonnenten|exclusivo para suscriptores|"
    r"abonelere özel|この記事は(?:有料)?会員限定|有料会員になると|للمشتركين فقط|"
    r"هذا المحتوى (?:متاح )?للمشتركين)",
    re.IGNORECASE,
)


# "Source: ..." attribution under a story.
_SOURCE_LINE = re.compile(
    r"^(?:source|sources|kaynak|quelle|fuente|المصدر|المصادر|منبع)\s*[:：]", re.IGNORECASE
)


_LETTER = re.compile(r"[^\W\d_]")


def has_no_letters(line: str) -> bool:
    """Counters, ids, lone numbers ("1 / 22", "17302"): never a paragraph of a story.
    (A separator such as "***" or "◇" without digits is the story's.)"""
    return _LETTER.search(line) is None and any(c.isdigit() for c in line)


def is_source_line(line: str) -> bool:
    return _SOURCE_LINE.match(line) is not None and len(line.split()) <= 8


# A byline at the top: "By ...", "بقلم ...", "حوار: ...", or an author's name alone.
_BYLINE = re.compile(
    r"^(?:(?i:by|written by|reported by|von|par|por|yazan)\s*[:：]?\s+[A-ZÀ-ÞÇŞİÖÜ]|"
    r"(?:بقلم|كتب|كتبت|كتبه|حوار|إعداد|اعداد|تقرير|متابعة|ترجمة)\s*[:：]?\s*\S)",
)


def is_byline(line: str, authors: set[str]) -> bool:
    """A short line naming the writer, not a sentence ("By Monday, talks had ...")."""
    if line.casefold() in authors:
        return True
    return (
        len(line.split()) <= 6
        and not line.endswith((".", "!", "?", "؟", "،", ","))
        and _BYLINE.match(line) is not None
    )


def _author_names(root: HtmlElement, article: dict[str, object]) -> set[str]:
    names = set(md.names(article.get("author")))
    for meta in root.iterfind(".//meta[@name='author']"):
        names.add(meta.get("content") or "")
    return {collapse_whitespace(n).casefold() for n in names if n and n.strip()}


def _headlines(root: HtmlElement, article: dict[str, object]) -> set[str]:
    """The page's title as its metadata gives it (og:title, JSON-LD, <title>), folded."""
    found = {str(article.get("headline") or "")}
    found.update(
        meta.get("content") or "" for meta in root.iterfind(".//meta[@property='og:title']")
    )
    title = root.find(".//title")
    if title is not None and title.text:
        found.add(title.text)
    return {collapse_whitespace(t).casefold() for t in found} - {""}


def _title_candidates(root: HtmlElement, headlines: set[str]) -> set[str]:
    """Lines that are the headline: the metadata's, and the <h1>s' text."""
    found = {collapse_whitespace(el.text_content()).casefold() for el in root.iterfind(".//h1")}
    return (found | headlines) - {""}


def _flat(text: str) -> str:
    """Whitespace collapsed, like ``collapse_whitespace`` (faster on whole pages)."""
    return " ".join(text.split())


def _compact(text: str) -> str:
    """Without any whitespace: trafilatura and ``text_content`` space blocks differently."""
    return "".join(text.split())


class _NoiseText:
    """The text of the noise blocks, to find trafilatura's paragraphs in."""

    def __init__(self, root: HtmlElement, blocks: list[HtmlElement]) -> None:
        self.root = root
        self.blocks = blocks
        self.blob = "\n".join(_compact(el.text_content()) for el in blocks)
        self.atoms: set[str] | None = None  # text nodes, for short paragraphs
        self._page: str | None = None
        self._code = ""

    def holds(self, paragraph: str) -> bool:
        """Whether the text is in a noise block (wherever else it is)."""
        return _compact(paragraph) in self.blob

    def __contains__(self, paragraph: str) -> bool:
        if len(paragraph) < 15:
            if self.atoms is None:
                self.atoms = {collapse_whitespace(t) for el in self.blocks for t in el.itertext()}
            if paragraph not in self.atoms:
                return False
        compact = _compact(paragraph)
        if compact not in self.blob:
            return False
        # The same words outside the noise (a live blog's entry title that is also in
        # the most-read box) are the story's.
        if self._page is None:
            body = self.root.find("body")
            body = self.root if body is None else body
            self._page = _compact(body.text_content())
            # (not where trafilatura never looks: scripts with a JSON copy of the page,
            # <noscript>, <nav>, <footer> ...)
            self._code = "\n".join(
                _compact(el.text_content())
                for el in body.iter(*_UNSEEN)
                if not any(a.tag in _UNSEEN for a in el.iterancestors())
            )
        outside = self._page.count(compact) - self._code.count(compact)
        return outside <= self.blob.count(compact)


_LINE_RULES = (
    ("ticker", is_ticker_line, "ticker_removed"),
    ("readalso_line", is_read_also_line, "read_also_removed"),
    ("share", is_share_line, "share_removed"),
    ("cta", is_call_to_action, "call_to_action_removed"),
    ("label", is_label_line, "box_label_removed"),
    ("source", is_source_line, "source_line_removed"),
    ("noletters", has_no_letters, "no_letters_removed"),
)


# Placeholders and labels repeated on a page are a few lines; more is structure.
REPEATED_AT_MOST = 4


def filter_lines(
    root: HtmlElement,
    paragraphs: list[str],
    titles: set[str],
    authors: set[str],
    blocks: list[HtmlElement],
    notes: list[str],
    disabled: frozenset[str] = frozenset(),
) -> list[str]:
    """Paragraphs minus noise by text (see the module docstring)."""
    counts = Counter(p for p in paragraphs if _LETTER.search(p))
    repeated = {p for p, count in counts.items() if count > 1}
    if len(repeated) > REPEATED_AT_MOST:  # a table or a plan that repeats its headings
        repeated = set()
    noise = _NoiseText(root, blocks) if blocks else None
    total = sum(len(p) for p in paragraphs)
    seen = 0
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        seen += len(paragraph)
        if (
            "paywall" not in disabled
            and kept
            and len(paragraph) <= 200
            and _PAYWALL.search(paragraph)
        ):
            notes.append("paywall_cut")
            break
        if "tailbox" not in disabled and seen > 0.5 * total and is_end_label(paragraph):
            # "Top stories", "Related": the story has ended, the boxes below begin
            notes.append("tail_boxes_cut")
            break
        if noise is not None and paragraph in noise:
            notes.append("noise_block_removed")
            continue
        if "title" not in disabled and paragraph.casefold() in titles:
            notes.append("title_removed")
            continue
        if index < 3 and "byline" not in disabled and is_byline(paragraph, authors):
            notes.append("byline_removed")
            continue
        if "repeat" not in disabled and paragraph in repeated:
            notes.append("repeated_removed")
            continue
        for name, rule, note in _LINE_RULES:
            if name not in disabled and rule(paragraph):
                notes.append(note)
                break
        else:
            kept.append(paragraph)
    # A box's heading ("More:") left behind by the box.
    while "label" not in disabled and kept and kept[-1].endswith((":", "：")):
        if len(kept[-1].split()) > 3:
            break
        notes.append("box_label_removed")
        kept.pop()
    if "duplicate" not in disabled and noise is not None:
        kept = _without_glued_copies(kept, noise, notes)
    return kept


def _without_glued_copies(paragraphs: list[str], noise: _NoiseText, notes: list[str]) -> list[str]:
    """Drop a long paragraph of a noise block that is other paragraphs of the body
    glued together: a hidden or microdata copy of the story next to the story. (A lead
    that repeats what follows is the publisher's, and not in a noise block.)"""
    long = [i for i, p in enumerate(paragraphs) if len(p) >= 300 and noise.holds(p)]
    if not long or len(paragraphs) < 3:
        return paragraphs
    drop: set[int] = set()
    for i in long:
        copy = _compact(paragraphs[i])
        inside = [
            len(p)
            for j, p in enumerate(paragraphs)
            if j != i and 40 <= len(p) < len(paragraphs[i]) and _compact(p) in copy
        ]
        if len(inside) >= 2 and sum(inside) >= 0.8 * len(paragraphs[i]):
            drop.add(i)
    if drop:
        notes.append("glued_copy_removed")
    return [p for i, p in enumerate(paragraphs) if i not in drop]


_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]+>")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _json_ld_body(article: dict[str, object]) -> str | None:
    """The page's JSON-LD ``articleBody``, as plain text, if it has one worth using."""
    body = article.get("articleBody")
    if not isinstance(body, str) or len(body) < JSON_LD_MIN_CHARS:
        return None
    if "<" in body:  # some sites put the HTML in
        body = _TAG.sub(" ", body)
    return _flat(html_lib.unescape(body))


JSON_LD_MIN_CHARS = 500


def _guided_by_json_ld(
    root: HtmlElement,
    article: dict[str, object],
    paragraphs: list[str],
    noise: TreeNoise,
    notes: list[str],
) -> list[str]:
    """The publisher's own ``articleBody`` (JSON-LD) as a check on the paragraphs.

    Only where most of what trafilatura found is in it (so it is this story's
    full text, not a teaser): paragraphs mostly not in it are dropped; and if it is
    much longer than what was found, the page's paragraphs that it holds are taken
    instead (trafilatura stopped at a split in the markup).
    """
    reference = _json_ld_body(article)
    if reference is None:
        return paragraphs
    vocabulary = set(_words(reference))

    def share_in(paragraph: str) -> float:
        words = _words(paragraph)
        return sum(w in vocabulary for w in words) / len(words) if words else 1.0

    shares = [share_in(p) for p in paragraphs]
    found = sum(len(p) for p in paragraphs) or 1
    matched = sum(len(p) for p, share in zip(paragraphs, shares, strict=True) if share >= 0.8)
    if matched < 0.7 * found or len(reference) < 0.7 * found:
        return paragraphs
    if len(reference) > 1.5 * found:
        body = root.find("body")
        body = root if body is None else body
        skip = set(noise.blocks) | set(noise.pruned)
        skip.update(body.iter("script", "style", "noscript", "template"))
        held = [
            p
            for p in paragraphs_of(body, skip)
            if share_in(p) >= 0.9 and (len(p.split()) >= 6 or p in reference)
        ]
        if sum(len(p) for p in held) > 1.3 * found:
            notes.append("json_ld_recall")
            return held
    kept = [p for p, share in zip(paragraphs, shares, strict=True) if share >= 0.5]
    if len(kept) < len(paragraphs):
        notes.append("json_ld_precision")
    return kept


def _continued_in_siblings(
    root: HtmlElement, paragraphs: list[str], noise: TreeNoise, notes: list[str]
) -> list[str]:
    """The story's text in further containers like the one trafilatura took it from
    (same tag, same class, same <article>), split by ads or embeds: added after it."""
    found = {p: i for i, p in enumerate(paragraphs)}
    holders: Counter[HtmlElement] = Counter()
    last: dict[HtmlElement, int] = {}
    for p in root.iter("p"):
        text = normalize_paragraph(p.text_content())
        parent = p.getparent()
        if len(text) >= 40 and text in found and parent is not None:
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
    taken = _compact("\n".join(paragraphs))
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
        size = _measure_blocks(el)[el]
        if (
            size[PROSE] < PROSE_CHARS  # no sentence: a teaser card, a form
            or size[LINK] > 0.3 * size[TEXT]
            or el.find(".//form") is not None
            or el.find(".//textarea") is not None
        ):
            continue
        hidden = skip.union(el.iter(*_UNSEEN))
        extra += [p for p in paragraphs_of(el, hidden) if _compact(p) not in taken]
    if sum(len(p) for p in extra) < 200:
        return paragraphs
    notes.append("continued_in_siblings")
    at = last[main] + 1
    return paragraphs[:at] + extra + paragraphs[at:]


# Below this many characters from trafilatura, the page's densest block is a candidate.
FALLBACK_BELOW = 2000


def generic_body(
    root: HtmlElement,
    rules: SiteRules = GENERIC_RULES,
    disabled: frozenset[str] = frozenset(),
) -> BodyResult:
    """The body of any page: trafilatura, minus our noise, else our densest block."""
    article = md.read_jsonld(root)
    headlines = _headlines(root, article)
    titles = _title_candidates(root, headlines)
    authors = _author_names(root, article)
    noise = find_tree_noise(root, headlines, disabled)
    notes: list[str] = []
    paragraphs = _trafilatura_paragraphs(root, noise.pruned)
    if "siblings" not in disabled and paragraphs:
        paragraphs = _continued_in_siblings(root, paragraphs, noise, notes)
    paragraphs = filter_lines(
        root,
        paragraphs,
        titles,
        authors,
        noise.blocks,
        notes,
        disabled,
    )
    if "jsonld" not in disabled:
        paragraphs = _guided_by_json_ld(root, article, paragraphs, noise, notes)
    found = sum(len(p) for p in paragraphs)
    if "fallback" not in disabled and found < FALLBACK_BELOW:
        # Little text: trafilatura may have kept a fragment of a block that holds
        # twice as much. Take the block, if it holds what trafilatura found (else
        # it is another story).
        own = extract_body(root, rules)
        if (
            found < 0.5 * len(own.text)
            and sum(len(p) for p in paragraphs if p in own.text) >= 0.8 * found
        ):
            notes.append("own_candidate")
            paragraphs = filter_lines(
                root, own.paragraphs, titles, authors, noise.blocks, notes, disabled
            )
    return BodyResult(paragraphs, "generic", [], sorted(set(notes)))


def extract_generic(html: str | bytes, url: str, *, disabled: Iterable[str] = ()) -> Extraction:
    """Extract an article from any page: the record of ``extract_article``, a generic body.

    ``disabled`` names rules of ``RULES`` to leave out (for measuring them).
    """
    off = frozenset(disabled)
    unknown = off - RULES.keys()
    if unknown:
        raise ValueError(f"unknown rules: {sorted(unknown)}")

    def body(root: HtmlElement, rules: SiteRules) -> BodyResult:
        return generic_body(root, rules, off)

    return extract_article(html, url, GENERIC_RULES, body_extractor=body)
