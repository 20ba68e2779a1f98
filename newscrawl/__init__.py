"""newscrawl: a Scrapy crawler for the news sites of the Arab world and the Middle East.

``newscrawl.extract(html, url, site=None)`` runs the crawl's extraction on one page;
``newscrawl.learn_site([(html, url), ...])`` learns a site's template from its pages,
for ``newscrawl.extract(html, url, template=template)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from newscrawl.api import extract as extract
    from newscrawl.extraction.template.learn import learn_site as learn_site


def __getattr__(name: str) -> Any:
    # Lazy, so `import newscrawl.settings` (every scrapy command) stays cheap.
    if name == "extract":
        from newscrawl.api import extract

        return extract
    if name == "learn_site":
        from newscrawl.extraction.template.learn import learn_site

        return learn_site
    raise AttributeError(name)


__all__ = ["__version__", "extract", "learn_site"]
