"""The site registry: every NewsSpider subclass with a name, found by walking the spiders."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from scrapy.utils.misc import walk_modules_iter

from newscrawl.discovery.urls import host_matches
from newscrawl.spiders.base import NewsSpider


@lru_cache(maxsize=1)
def site_spiders() -> dict[str, type[NewsSpider]]:
    found: dict[str, type[NewsSpider]] = {}
    for module in walk_modules_iter("newscrawl.spiders"):
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, NewsSpider)
                and obj is not NewsSpider
                and getattr(obj, "name", None)
                and hasattr(obj, "rules")
                and getattr(obj, "is_site", True)
            ):
                found[obj.name] = obj
    return found


def spider_for_url(url: str) -> type[NewsSpider] | None:
    """The site whose domain matches ``url`` most specifically (arabic.x.com over x.com)."""
    host = urlsplit(url).hostname
    best: tuple[int, type[NewsSpider]] | None = None
    for spider in site_spiders().values():
        for domain in spider.domains:
            if host_matches(host, (domain,)) and (best is None or len(domain) > best[0]):
                best = (len(domain), spider)
    return best[1] if best else None
