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


# A short real story (391 characters, a brief) on a page that is mostly scripts.
BRIEF = (
    "The port authority said on Monday that the northern terminal would reopen on Thursday "
    "after repairs to the cranes damaged in last week's storm. Ships waiting at anchor will be "
    "served in the order of their arrival, and the authority expects the backlog to be cleared "
    "within ten days. Two berths of the southern terminal stay closed until the end of the month "
    "for dredging."
)


def test_short_story_on_a_script_heavy_page_is_an_article() -> None:
    html = (
        "<html><head><title>Northern terminal to reopen</title>"
        f"<script>{'var config = {};' * 2000}</script></head><body><article>"
        f"<h1>Northern terminal to reopen</h1><p>{BRIEF}</p></article>"
        f"<script>{'track();' * 2000}</script></body></html>"
    )
    assert 300 < len(BRIEF) < 400
    record = newscrawl.extract(html, "https://news.example/2024/05/01/terminal-to-reopen")
    assert record["body"] == BRIEF
    shell = html.replace(BRIEF, "Loading the latest news ...")
    with pytest.raises(NotAnArticleError, match="js_shell"):
        newscrawl.extract(shell, "https://news.example/2024/05/01/terminal-to-reopen")


def test_a_body_that_asks_for_javascript_is_a_shell() -> None:
    body = "Please enable JavaScript to read this page. " * 6
    assert interstitial_reason(f"<body><p>{body}</p></body>", body) == "js_shell"
