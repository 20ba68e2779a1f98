"""Project commands: ``scrapy extract``, ``demo``, ``state``, ``merge``, ``reextract``.

Scrapy imports this package for every command it runs in the project (crawl, list,
shell, scrapyd's runs ...), after the settings and before the command: the place to
refuse a broken install before anything happens.
"""

from newscrawl.dependencies import require

require()
