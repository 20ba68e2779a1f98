"""Small files next to a remote feed: the run report and ``latest`` on object storage.

The feed itself goes through Scrapy's feed storage; these two are written once, at
the end of the run, after the feed is stored. The S3 client is the one Scrapy's
``S3FeedStorage`` builds from the crawl's settings (``AWS_ACCESS_KEY_ID``,
``AWS_ENDPOINT_URL``, ``AWS_REGION_NAME``, credentials in the URI ...), so the
report reaches the same place with the same credentials as the feed. A PUT of one
object is atomic: readers of ``latest`` see the old pointer or the new one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse, urlunparse

from scrapy.crawler import Crawler
from scrapy.utils.misc import build_from_crawler


def is_remote(uri: str) -> bool:
    """A feed URI on object storage (or any other non-local scheme).

    >>> is_remote("s3://bucket/a.jsonl"), is_remote("/tmp/a.jsonl"), is_remote("file:///a")
    (True, False, False)
    """
    scheme = urlparse(uri).scheme
    return len(scheme) > 1 and scheme != "file"  # "C:" is a Windows drive, not a scheme


def public(uri: str) -> str:
    """``uri`` without credentials, for reports and log lines.

    >>> public("s3://KEY:SECRET@bucket/out/a.jsonl")
    's3://bucket/out/a.jsonl'
    """
    parsed = urlparse(uri)
    if parsed.username is None and parsed.password is None:
        return uri
    host = parsed.hostname or ""
    netloc = host + (f":{parsed.port}" if parsed.port else "")
    return urlunparse(parsed._replace(netloc=netloc))


def sibling(uri: str, name: str) -> str:
    """The URI of ``name`` in the same folder (key prefix) as ``uri``.

    >>> sibling("s3://b/out/arabstoday/2026-12-04T18-06-12Z.jsonl", "latest")
    's3://b/out/arabstoday/latest'
    """
    parsed = urlparse(uri)
    folder = parsed.path.rpartition("/")[0]
    return urlunparse(parsed._replace(path=f"{folder}/{name}", query="", fragment=""))


def put_text(crawler: Crawler, uri: str, text: str, content_type: str) -> None:
    """Write ``text`` to ``uri``; raises what the storage raises (the caller logs it)."""
    scheme = urlparse(uri).scheme
    if scheme != "s3":
        raise ValueError(f"reports are written next to local and s3:// feeds, not {scheme}://")
    from scrapy.extensions.feedexport import S3FeedStorage

    storage: Any = build_from_crawler(S3FeedStorage, crawler, uri)
    storage.s3_client.put_object(
        Bucket=storage.bucketname, Key=storage.keyname, Body=text.encode("utf-8"),
        ContentType=content_type,
    )  # fmt: skip
