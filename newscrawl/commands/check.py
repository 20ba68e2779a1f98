"""``scrapy check`` as Scrapy's, but it never writes a feed or a run report nor moves `latest`."""

from __future__ import annotations

from scrapy.commands.check import Command as ScrapyCheck

from newscrawl.commands._nofiles import NoRunFiles


class Command(NoRunFiles, ScrapyCheck):
    pass
