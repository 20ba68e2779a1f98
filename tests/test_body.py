"""Body extraction: noise removed on the tree, by structure and by site patterns."""

from __future__ import annotations

from parsel import Selector

from newscrawl.extraction.body import extract_body
from newscrawl.extraction.rules import SiteRules
from newscrawl.sites.registry import site_spiders

ArabsTodaySpider = site_spiders()["arabstoday"]

RULES = ArabsTodaySpider.rules
PARAS = [
    "The international coalition said on Wednesday that fewer fighters remain in the area "
    "than at any time since the campaign began three years ago.",
    "Officials in Baghdad welcomed the figure but warned that sleeper cells were still able "
    "to mount attacks on roads and villages in the desert.",
    "Aid agencies said evacuations of the critically ill had begun after months of delays "
    "and negotiations with the authorities in Damascus.",
]


def body_of(html: str, rules: SiteRules = RULES) -> list[str]:
    return extract_body(Selector(text=html).root, rules).paragraphs


def page(inner: str) -> str:
    return f"<html><body><div class='nav'><a href='/'>Home</a></div>{inner}</body></html>"


def ps(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_paragraphs_stay_paragraphs() -> None:
    assert body_of(page(f"<div class='article-body'>{ps(PARAS)}</div>")) == PARAS


def test_br_only_body_is_split_into_paragraphs() -> None:
    html = page(f"<div id='NewsStory'>{'<br><br>'.join(PARAS)}<br></div>")
    assert body_of(html) == PARAS


def test_ticker_without_telling_class_is_removed_by_link_density() -> None:
    ticker = "".join(
        f"<li><span>GMT 08:5{i} 2017 Sunday ,17 December</span><a href='/en/news/{i}'>"
        f"Headline number {i} about something else</a></li>"
        for i in range(4)
    )
    html = page(f"<div class='txt'>{ps(PARAS)}<div class='box-list'><ul>{ticker}</ul></div></div>")
    body = body_of(html)
    assert body == PARAS
    assert not any("Headline number" in p or "GMT" in p for p in body)


def test_read_also_box_between_paragraphs_is_removed() -> None:
    html = page(
        "<div class='article-body'>"
        + ps(PARAS[:2])
        + "<div class='inline-box'><strong>Read also:</strong> <a href='/en/news/1/x'>"
        "Minister resigns</a></div>"
        + "<p>اقرأ أيضا: <a href='/ar/news/2/y'>عنوان آخر</a></p>"
        + ps(PARAS[2:])
        + "</div>"
    )
    assert body_of(html) == PARAS


def test_paragraph_with_an_inline_link_is_kept() -> None:
    linked = (
        "The report, <a href='/en/report'>published by the ministry</a>, said the number of "
        "displaced families had fallen by a third since the spring."
    )
    html = page(f"<div class='article-body'>{ps(PARAS[:1])}<p>{linked}</p></div>")
    assert len(body_of(html)) == 2


def test_furniture_containers_and_hidden_blocks_are_removed() -> None:
    html = page(
        "<div class='article-body'>"
        "<div class='share-tools'>Share: Facebook Twitter WhatsApp</div>"
        + ps(PARAS)
        + "<div class='most-read'><h3>Most Read</h3><p>A popular story</p></div>"
        "<div style='display:none'>hidden text</div><script>var x = 1;</script>"
        "<figure><img src='/a.jpg'><figcaption>Caption words</figcaption></figure>"
        "</div>"
    )
    assert body_of(html) == PARAS


def test_timestamp_and_footer_blocks_are_dropped_by_site_pattern() -> None:
    html = page(
        "<div class='article-body'>" + ps(PARAS) + "<p>GMT 16:12 2018 Monday ,01 January</p>"
        "<p>GMT ١٦:١٢ ٢٠١٨ الإثنين ,٠١ كانون الثاني</p>"
        "<div>Maintained and developed by Arabs Today Group SAL.</div>"
        "</div>"
    )
    assert body_of(html) == PARAS


def test_ticker_glued_to_the_last_paragraph_is_cut_and_reported() -> None:
    glued = (
        PARAS[2] + " GMT 16:12 2018 Monday ,01 January Iraqi PM threatens corrupters again"
        "GMT 08:55 2017 Sunday ,17 December"
    )
    result = extract_body(
        Selector(text=page(f"<div class='article-body'>{ps(PARAS[:2])}<p>{glued}</p></div>")).root,
        RULES,
    )
    assert result.paragraphs == PARAS
    assert "noise_cleaned" in result.notes


def test_furniture_class_on_the_article_wrapper_does_not_remove_the_article() -> None:
    long_paras = PARAS * 3
    html = page(f"<div class='article-body'><div class='widget'>{ps(long_paras)}</div></div>")
    assert body_of(html) == long_paras


def test_heuristic_finds_the_body_when_no_selector_matches() -> None:
    html = page(f"<div class='unknown-cms-x'>{ps(PARAS)}</div><div class='foot'>x</div>")
    result = extract_body(Selector(text=html).root, RULES)
    assert result.method == "heuristic"
    assert result.paragraphs == PARAS


def test_arabic_text_keeps_zwnj_diacritics_comma_and_digits() -> None:
    text = "قالت الوزارة، في بيان صدر يوم ١٢ آذار، إن مُعدّل النمو بلغ ٣٫٥ في المئة می‌خواهم"
    html = page(f"<div class='article-body'><p>{text}</p><p>{text} ثانياً</p></div>")
    body = body_of(html, SiteRules(min_body_chars=10))
    assert body[0] == text
    assert "\u200c" in body[0] and "،" in body[0] and "١٢" in body[0]


def test_comments_and_empty_pages_do_not_break_extraction() -> None:
    assert body_of("<html><body><!-- only a comment --></body></html>") == []
    assert body_of("") == []
