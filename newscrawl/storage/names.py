"""One file-name style for every feed, report and demo output: a UTC timestamp
without ``+`` (``2026-12-04T18-06-12Z``), which needs no escaping in URLs and object
keys. Scrapy's own ``%(time)s`` is ``2026-12-04T18-06-12+00-00``; ``FEED_URI_PARAMS``
points at :func:`uri_params` so that ``%(time)s`` and ``%(batch_time)s`` follow this
style in every feed URI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

URI_PARAMS = "newscrawl.storage.names.uri_params"


def utc_stamp(when: datetime | None = None, micro: bool = False) -> str:
    """``when`` (default: now) in UTC as a file-name-safe stamp.

    >>> utc_stamp(datetime(2026, 12, 4, 18, 6, 12, 5, tzinfo=UTC))
    '2026-12-04T18-06-12Z'
    >>> utc_stamp(datetime(2026, 12, 4, 18, 6, 12, 5, tzinfo=UTC), micro=True)
    '2026-12-04T18-06-12.000005Z'
    """
    moment = (when or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H-%M-%S" + (".%fZ" if micro else "Z"))


def uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """Scrapy's URI parameters with ``time``/``batch_time`` in :func:`utc_stamp` style."""
    now = datetime.now(UTC)
    params["time"] = utc_stamp(now)
    params["batch_time"] = utc_stamp(now, micro=True)
    return params
