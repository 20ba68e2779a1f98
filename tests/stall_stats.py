"""A stats collector that blocks the reactor once (for subprocess tests of distributed
workers): ``-s STATS_CLASS=tests.stall_stats.StallingStats -s TEST_STALL_SECONDS=6``.

Once its second article is scraped (the first page's one-off costs, such as loading the
language model, are behind it) the process spends ``TEST_STALL_SECONDS`` without
returning to the reactor, as a worker does on a crowded machine or a huge page.
"""

from __future__ import annotations

import time

from scrapy import Spider
from scrapy.statscollectors import MemoryStatsCollector


class StallingStats(MemoryStatsCollector):
    def inc_value(
        self, key: str, count: int = 1, start: int = 0, spider: Spider | None = None
    ) -> None:
        super().inc_value(key, count, start)
        if key == "item_scraped_count" and self.get_value(key) == 2:
            seconds = self._crawler.settings.getfloat("TEST_STALL_SECONDS")
            self.set_value("newscrawl/test/stalled_seconds", seconds)
            time.sleep(seconds)  # on the reactor's thread: nothing else runs meanwhile
