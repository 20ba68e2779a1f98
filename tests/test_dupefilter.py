"""The request duplicate filter the crawl uses: compact, exact, Scrapy's JOBDIR file."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from newscrawl import settings as project_settings
from newscrawl.dupefilter import CompactDupeFilter
from newscrawl.storage import runkeys


def _filter(jobdir: Path | None = None) -> CompactDupeFilter:
    chosen = project_settings.DUPEFILTER_CLASS  # the project's setting chooses it
    settings = {"DUPEFILTER_CLASS": chosen} | ({"JOBDIR": str(jobdir)} if jobdir else {})
    dupefilter = build_from_crawler(load_object(chosen), get_crawler(settings_dict=settings))
    assert isinstance(dupefilter, CompactDupeFilter)
    return dupefilter


def test_a_request_is_seen_once_and_others_are_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runkeys, "_MIN_PENDING", 8)  # through the merged arrays too
    dupefilter = _filter()
    urls = [f"https://www.example.com/news/{n}" for n in range(50)]
    assert not any(dupefilter.request_seen(Request(url)) for url in urls)
    assert all(dupefilter.request_seen(Request(url)) for url in urls)
    assert dupefilter.request_seen(Request(urls[3] + "#comments"))  # Scrapy's fingerprint
    assert not dupefilter.request_seen(Request(urls[3], method="POST"))


def test_the_jobdir_file_carries_the_seen_requests_to_a_resumed_run(tmp_path: Path) -> None:
    first = _filter(tmp_path)
    assert not first.request_seen(Request("https://www.example.com/news/1"))
    first.close("shutdown")
    resumed = _filter(tmp_path)
    assert resumed.request_seen(Request("https://www.example.com/news/1"))
    assert not resumed.request_seen(Request("https://www.example.com/news/2"))
