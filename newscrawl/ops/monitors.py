"""spidermon monitors run when a spider closes; a failing one fails the run.

spidermon reports failing monitors but leaves the process's exit code alone; the
``FailRun`` action below turns a failed suite into exit code 8 (``MONITORS_FAILED``)
unless the run already has a more specific non-zero verdict.
Thresholds are spidermon's own settings (``SPIDERMON_MAX_ERRORS``,
``SPIDERMON_MAX_WARNINGS``, ``SPIDERMON_UNWANTED_HTTP_CODES``, ...).
"""

from __future__ import annotations

import warnings
from typing import Any

from spidermon import MonitorSuite
from spidermon.contrib.scrapy.monitors import (
    ErrorCountMonitor,
    UnwantedHTTPCodesMonitor,
    WarningCountMonitor,
)
from spidermon.core.actions import Action

from newscrawl import exitcodes
from newscrawl.stats import EXIT_CODE, EXIT_REASON

# spidermon 1.27 still logs through the deprecated Spider.log(): not our run's warning.
warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", module="spidermon")


class FailRun(Action):  # type: ignore[misc]
    def run_action(self) -> None:
        crawler: Any = self.data["crawler"]
        stats = crawler.stats
        failed = sorted({r.monitor.name for r in self.result.monitors_failed_results})
        stats.set_value("newscrawl/monitors_failed", failed)
        if not stats.get_value(EXIT_CODE):
            stats.set_value(EXIT_CODE, exitcodes.MONITORS_FAILED)
            stats.set_value(EXIT_REASON, f"monitors failed: {', '.join(failed)}")


class CloseMonitors(MonitorSuite):  # type: ignore[misc]
    monitors = [ErrorCountMonitor, WarningCountMonitor, UnwantedHTTPCodesMonitor]  # noqa: RUF012
    monitors_failed_actions = [FailRun]  # noqa: RUF012
