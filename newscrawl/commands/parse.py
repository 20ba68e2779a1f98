"""``scrapy parse`` as Scrapy's, but it never writes a feed or a run report nor moves `latest`."""

from __future__ import annotations

from scrapy.commands.parse import Command as ScrapyParse

from newscrawl.commands._nofiles import NoRunFiles


class Command(NoRunFiles, ScrapyParse):
    pass
