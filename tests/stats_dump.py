"""A stats collector that also writes the final stats as JSON (for subprocess tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy.statscollectors import MemoryStatsCollector


class JsonDumpStats(MemoryStatsCollector):
    def _persist_stats(self, stats: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super()._persist_stats(stats, *args, **kwargs)
        path = self._crawler.settings.get("STATS_DUMP_PATH")
        if path:
            Path(path).write_text(json.dumps(stats, default=str), "utf-8")
