"""``scrapy bench`` as Scrapy's, but it never writes a feed or a run report nor moves `latest`."""

from __future__ import annotations

from scrapy.commands.bench import Command as ScrapyBench

from newscrawl.commands._nofiles import NoRunFiles


class Command(NoRunFiles, ScrapyBench):
    pass
