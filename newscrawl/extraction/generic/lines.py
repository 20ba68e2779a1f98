"""Stage 3: noise by text, on the paragraphs trafilatura gave.

The noise blocks' text (stage 1), the headline, a byline at the top, placeholders the
page repeats, timestamp lines, share labels, calls to subscribe, copyright and e-mail
lines, box headings, "Source:" lines; a cut at a subscribers-only notice or at
"Related"/"Top stories" past the middle.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml.html import HtmlElement

from newscrawl.extraction import metadata as md
from newscrawl.extraction.dates import ARABIC_MONTHS, ENGLISH_MONTHS, WEEKDAYS
from newscrawl.extraction.generic.tree import UNSEEN
from newscrawl.extraction.text import collapse_whitespace
from newscrawl.text.arabic import ALEF, KAF, YEH, folding

# Folded for comparison: hamza forms of alef, Arabic yeh and kaf as Persian ones.
_ALEF = folding(ALEF, YEH, KAF)
_DATE_WORDS = frozenset(
    w.casefold().translate(_ALEF)
    for w in [
        *(part for name in ARABIC_MONTHS for part in name.split()),
        *ENGLISH_MONTHS,
        *(m[:3] for m in ENGLISH_MONTHS),
        "sept",
        *WEEKDAYS,
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


def author_names(root: HtmlElement, article: dict[str, object]) -> set[str]:
    names = set(md.names(article.get("author")))
    for meta in root.iterfind(".//meta[@name='author']"):
        names.add(meta.get("content") or "")
    return {collapse_whitespace(n).casefold() for n in names if n and n.strip()}


def headlines_of(root: HtmlElement, article: dict[str, object]) -> set[str]:
    """The page's title as its metadata gives it (og:title, JSON-LD, <title>), folded."""
    found = {str(article.get("headline") or "")}
    found.update(
        meta.get("content") or "" for meta in root.iterfind(".//meta[@property='og:title']")
    )
    title = root.find(".//title")
    if title is not None and title.text:
        found.add(title.text)
    return {collapse_whitespace(t).casefold() for t in found} - {""}


def title_candidates(root: HtmlElement, headlines: set[str]) -> set[str]:
    """Lines that are the headline: the metadata's, and the <h1>s' text."""
    found = {collapse_whitespace(el.text_content()).casefold() for el in root.iterfind(".//h1")}
    return (found | headlines) - {""}


def flat(text: str) -> str:
    """Whitespace collapsed, like ``collapse_whitespace`` (faster on whole pages)."""
    return " ".join(text.split())


def compact(text: str) -> str:
    """Without any whitespace: trafilatura and ``text_content`` space blocks differently."""
    return "".join(text.split())


class _NoiseText:
    """The text of the noise blocks, to find trafilatura's paragraphs in."""

    def __init__(self, root: HtmlElement, blocks: list[HtmlElement]) -> None:
        self.root = root
        self.blocks = blocks
        self.blob = "\n".join(compact(el.text_content()) for el in blocks)
        self.atoms: set[str] | None = None  # text nodes, for short paragraphs
        self._page: str | None = None
        self._code: str | None = None

    def _body(self) -> HtmlElement:
        body = self.root.find("body")
        return self.root if body is None else body

    def __contains__(self, paragraph: str) -> bool:
        if len(paragraph) < 15:
            if self.atoms is None:
                self.atoms = {collapse_whitespace(t) for el in self.blocks for t in el.itertext()}
            if paragraph not in self.atoms:
                return False
        squeezed = compact(paragraph)
        if squeezed not in self.blob:
            return False
        # The same words outside the noise (a live blog's entry title that is also in
        # the most-read box) are the story's.
        if self._page is None:
            self._page = compact(self._body().text_content())
        in_noise = self.blob.count(squeezed)
        in_page = self._page.count(squeezed)
        if in_page <= in_noise:
            return True  # nowhere else, whatever of the page is code
        if self._code is None:
            # (not where trafilatura never looks: scripts with a JSON copy of the page,
            # <noscript>, <nav>, <footer> ...). Read only here: most pages never ask,
            # and a page's scripts can be most of its text.
            self._code = "\n".join(
                compact(el.text_content())
                for el in self._body().iter(*UNSEEN)
                if not any(a.tag in UNSEEN for a in el.iterancestors())
            )
        return in_page - self._code.count(squeezed) <= in_noise


_LINE_RULES = (
    ("ticker", is_ticker_line, "ticker_removed"),
    ("share", is_share_line, "share_removed"),
    ("cta", is_call_to_action, "call_to_action_removed"),
    ("label", is_label_line, "box_label_removed"),
    ("source", is_source_line, "source_line_removed"),
)


# Placeholders and labels repeated on a page are a few lines; more is structure.
REPEATED_AT_MOST = 4
# ... and short, or said three times or more: a sentence said twice is the story's (a
# quote, a refrain); a long placeholder ("your privacy settings block this embed") recurs.
REPEATED_LABEL_CHARS = 80


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
    repeated = {
        p
        for p, count in counts.items()
        if count > 1 and (len(p) <= REPEATED_LABEL_CHARS or count > 2)
    }
    if len(repeated) > REPEATED_AT_MOST:  # a table or a plan that repeats its headings
        repeated = set()
    if sum(len(p) * counts[p] for p in repeated) > 0.5 * sum(map(len, paragraphs)):
        repeated = set()  # most of the text: the story repeats itself, it wins over a guess
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
    return kept
