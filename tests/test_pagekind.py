"""The page kind travels in request.meta: no component reads a callback's name."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler
from scrapy_redis import picklecompat

from newscrawl.distributed.rediscrawl import is_article
from newscrawl.guards.faults import DiscoveryGuardMiddleware
from newscrawl.pagekind import KIND, PageKind, kind_of
from newscrawl.sites.registry import site_spiders
from newscrawl.spiders.base import ARTICLE_PRIORITY
from newscrawl.storage.warc import page_kind

ArabsTodaySpider = site_spiders()["arabstoday"]

PACKAGE = Path(__file__).resolve().parent.parent / "newscrawl"


def _reads_callback_name(node: ast.AST) -> bool:
    """``x.callback.__name__``, ``getattr(x.callback, "__name__")`` or a literal
    callback name ("parse_article") compared or looked up."""
    if isinstance(node, ast.Attribute) and node.attr == "__name__":
        return "callback" in ast.unparse(node.value)
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "getattr" and len(node.args) > 1:
        name = node.args[1]
        return (
            isinstance(name, ast.Constant)
            and name.value == "__name__"
            and "callback" in ast.unparse(node.args[0])
        )
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        # the callbacks' own names (parse_date and such are other functions)
        return bool(re.fullmatch(r"parse_(?:article|feed|sitemap|listing|robots|home)", node.value))
    return False


def test_no_module_reads_a_callback_name() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {ast.unparse(node)}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if _reads_callback_name(node) and hasattr(node, "lineno")
    ]
    assert not offenders, "read request.meta[KIND] (newscrawl.pagekind) instead:\n" + "\n".join(
        offenders
    )


def _renamed(request: Request) -> Request:
    """The same request, its callback renamed."""

    def handle_story(response: Any) -> None:  # any name at all
        return None

    return request.replace(callback=handle_story)


def test_renaming_a_callback_changes_no_kind() -> None:
    spider = ArabsTodaySpider.from_crawler(get_crawler(ArabsTodaySpider), recrawl="1")
    url = "https://www.arabstoday.net/en/news/1/x"
    article = spider._request(url, spider.parse_article, ARTICLE_PRIORITY, kind=PageKind.ARTICLE)
    listing = spider._request(url, spider.parse_listing, 0, kind=PageKind.LISTING, page=1)
    sitemap = spider._source_request("https://www.arabstoday.net/sitemap.xml", spider.parse_sitemap)
    feed = spider._source_request("https://www.arabstoday.net/en/rss.xml", spider.parse_feed)
    guard = DiscoveryGuardMiddleware.__new__(DiscoveryGuardMiddleware)
    for request, kind in [(article, "article"), (listing, "listing"), (sitemap, "sitemap"),
                          (feed, "feed")]:  # fmt: skip
        for same in (request, _renamed(request)):
            assert kind_of(same) == kind
            assert page_kind(same) == kind  # the WARC record's kind, read by reextract
            assert is_article(same) is (kind == "article")  # distributed routing
            response = HtmlResponse(same.url, body=b"<rss/>", request=same)
            assert guard._kind(response) == (kind if kind in ("feed", "sitemap") else None)
    # Kinds survive a request's serialization (the Redis queue pickles request dicts).
    encoded = picklecompat.dumps(article.to_dict(spider=spider))
    revived = request_from_dict(picklecompat.loads(encoded), spider=spider)
    assert kind_of(revived) is PageKind.ARTICLE
    assert kind_of(Request(url, meta={KIND: "article"})) is PageKind.ARTICLE
    assert kind_of(Request(url)) is PageKind.PAGE
