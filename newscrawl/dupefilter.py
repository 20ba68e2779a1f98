"""Scrapy's request duplicate filter, with its fingerprints in 16 bytes each.

RFPDupeFilter keeps each request's 20-byte fingerprint as a bytes object in a set:
~90 bytes a request, one of what grows with a crawl (bench/scale.py). Here the first
16 bytes are kept as two 64-bit ints in sorted arrays (storage/runkeys.py): a request
is a duplicate when both match, so a new request is filtered by mistake only if its
128 bits equal another's (a chance of about n**2 / 2**129). Two fingerprints sharing
the first 64 bits keep the later one: the earlier request, met again, is fetched again
(and deduplicated by the pipeline), never lost. The JOBDIR file is Scrapy's own.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

from newscrawl.storage.runkeys import HashMap64


class CompactDupeFilter(RFPDupeFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compact = HashMap64()

    def request_seen(self, request: Request) -> bool:
        fp = self._fingerprint(request)
        if self._fingerprints and fp in self._fingerprints:  # read from JOBDIR's file
            return True
        first, second = int.from_bytes(fp[:8], "little"), int.from_bytes(fp[8:16], "little")
        if self._compact.get(first) == second:
            return True
        self._compact[first] = second
        if self.file:  # as RFPDupeFilter writes it (2-byte big-endian length, fingerprint)
            self.file.write(len(fp).to_bytes(2, "big") + fp)
        return False
