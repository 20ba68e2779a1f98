"""Bot checks, consent walls and JavaScript shells are never emitted as articles."""

from __future__ import annotations

import pytest

import newscrawl
from newscrawl.api import NotAnArticleError
from newscrawl.extraction.interstitial import interstitial_reason

from .corpus import read_page

ARTICLE_TEXT = "The council met on Sunday to approve the budget for the coming year. " * 12


def test_israel_hayom_bot_check_page_is_not_an_article() -> None:
    html = read_page({"corpus": "htmldate/israelhayom.co.il-1685121845.html"})
    assert interstitial_reason(html.decode("utf-8", "replace"), "") == "bot_check"
    with pytest.raises(NotAnArticleError, match="bot_check"):
        newscrawl.extract(html, "https://www.arabstoday.net/en/news/791661/x", site="arabstoday")


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (
            "<title>Just a moment...</title><body>Checking your browser</body>",
            "bot_check",
        ),
        (
            "<body><noscript>Please enable JavaScript to view this site.</noscript></body>",
            "js_shell",
        ),
        (
            "<html><body><div id=app></div><script>" + "x=1;" * 500 + "</script></body></html>",
            "js_shell",
        ),
        (
            "<body><h2>We value your privacy</h2><button>Accept all cookies</button></body>",
            "consent_wall",
        ),
    ],
)
def test_interstitial_kinds(html: str, reason: str) -> None:
    assert interstitial_reason(html, "") == reason


def test_real_article_with_cookie_banner_and_scripts_is_kept() -> None:
    html = (
        "<html><body><div class=cookie>We value your privacy. Accept cookies.</div>"
        f"<script>{'x=1;' * 5000}</script>"
        f"<article><p>{ARTICLE_TEXT}</p></article></body></html>"
    )
    assert interstitial_reason(html, ARTICLE_TEXT) is None
