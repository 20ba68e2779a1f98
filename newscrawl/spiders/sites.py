"""The spider of every site module's spec, where Scrapy's spider loader looks for spiders."""

from newscrawl.sites.registry import site_spiders

globals().update({spider.__name__: spider for spider in site_spiders().values()})
