"""The site registry: the spec every site module declares (``SPEC``), and its spider.

Site modules live in ``newscrawl/spiders/`` and declare a :class:`SiteSpec` only;
``newscrawl/spiders/sites.py`` puts the spider class of each where Scrapy's spider
loader (``scrapy list``, ``scrapy crawl <site>``) finds it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from urllib.parse import urlsplit

from newscrawl import spiders as spiders_package
from newscrawl.discovery.urls import host_matches
from newscrawl.sites.spec import SiteSpec
from newscrawl.spiders.base import NewsSpider, spider_class

SPIDERS_MODULE = "newscrawl.spiders.sites"  # where the generated spider classes live


@lru_cache(maxsize=1)
def site_specs() -> dict[str, SiteSpec]:
    """Every site module's spec, by name."""
    found: dict[str, SiteSpec] = {}
    for info in pkgutil.iter_modules(spiders_package.__path__):
        if info.name == SPIDERS_MODULE.rpartition(".")[2]:
            continue  # it is made from this registry
        module = importlib.import_module(f"{spiders_package.__name__}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if isinstance(spec, SiteSpec):
            found[spec.name] = spec
    return found


@lru_cache(maxsize=1)
def site_spiders() -> dict[str, type[NewsSpider]]:
    """The spider class of every site, by name."""
    return {name: spider_class(spec, SPIDERS_MODULE) for name, spec in site_specs().items()}


def spec_for_url(url: str) -> SiteSpec | None:
    """The site whose domain matches ``url`` most specifically (arabic.x.com over x.com)."""
    host = urlsplit(url).hostname
    best: tuple[int, SiteSpec] | None = None
    for spec in site_specs().values():
        for domain in spec.domains:
            if host_matches(host, (domain,)) and (best is None or len(domain) > best[0]):
                best = (len(domain), spec)
    return best[1] if best else None


def spider_for_url(url: str) -> type[NewsSpider] | None:
    """The spider of :func:`spec_for_url`."""
    spec = spec_for_url(url)
    return site_spiders()[spec.name] if spec else None
