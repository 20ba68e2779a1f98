"""Pages served with 200 that are not the article: bot checks, consent walls,
"enable JavaScript" shells. They are never emitted as articles.

>>> interstitial_reason("<html><head><title>Just a moment...</title></head></html>", "")
'bot_check'
>>> text = "Real text. " * 50
>>> interstitial_reason(f"<html><body><p>{text}</p></body></html>", text)
"""

from __future__ import annotations

import re

# Markers that bot-protection and challenge pages carry in their HTML.
_BOT_MARKERS = re.compile(
    r"<title>\s*(?:just a moment|attention required|access denied|pardon our interruption|"
    r"are you a (?:human|robot)|security check|ddos-guard|one more step)"
    r"|cf-browser-verification|__cf_chl_|cf_chl_opt|challenge-platform|_Incapsula_Resource|"
    r"px-captcha|perimeterx|window\.rbzns|reblaze|distil_r_captcha|/_guard/|"
    r"g-recaptcha|hcaptcha\.com/1/api|checking your browser|verify you are human",
    re.IGNORECASE,
)
_JS_REQUIRED = re.compile(
    r"(?:please |you need to )?enable javascript|javascript is (?:disabled|required)|"
    r"يرجى تفعيل جافا ?سكريبت|لطفا جاوا ?اسکریپت",
    re.IGNORECASE,
)
_CONSENT_OR_PAYWALL = re.compile(
    r"we value your privacy|accept (?:all )?cookies|cookie consent|manage (?:your )?consent|"
    r"subscribe (?:now )?to (?:continue|read)|to continue reading|already a subscriber|"
    r"اشترك (?:الآن )?لمتابعة القراءة",
    re.IGNORECASE,
)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
# Below this much article text, a page with one of the signs above is an interstitial.
SHORT_BODY = 400
# ... and below this much, a script-heavy page is a JavaScript shell.
SHELL_BODY = 200


def interstitial_reason(html: str, body: str) -> str | None:
    """Why this page is not an article ('bot_check', 'js_shell', 'consent_wall'), or None.

    ``body`` is the extracted body text: a real article with a cookie banner or a
    "enable JavaScript for comments" line keeps its long body and is not rejected.
    """
    if len(body) >= SHORT_BODY:
        return None  # an article's worth of text: the page is the article (cheap check first)
    if _BOT_MARKERS.search(html[:200_000]):
        return "bot_check"
    scripts = sum(len(m) for m in _SCRIPT.findall(html[:2_000_000]))
    if (scripts > 0.5 * len(html) or _JS_REQUIRED.search(html)) and (
        len(body) < SHELL_BODY or _JS_REQUIRED.search(body)
    ):
        # A script-heavy page with a few sentences of its own is a short story (a brief,
        # a correction); a shell has next to no text, or text that asks for JavaScript.
        return "js_shell"
    if _CONSENT_OR_PAYWALL.search(html):
        return "consent_wall"
    return None
