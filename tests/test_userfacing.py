"""What users meet (issue 17): the `newscrawl` command from any folder, one feed-name
style, Parquet feeds, feeds on object storage (a real S3 server on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pyarrow.parquet as pq
import pytest
from moto.server import ThreadedMotoServer

from newscrawl import exitcodes

NEWSCRAWL = str(Path(sys.executable).with_name("newscrawl"))
STAMP = r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=5"]


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    environ.update(env or {})
    return subprocess.run([NEWSCRAWL, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=environ)  # fmt: skip


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def test_newscrawl_command_works_outside_the_checkout(tmp_path: Path, site_origin: str) -> None:
    assert not (tmp_path / "scrapy.cfg").exists()
    listed = run(tmp_path, "list")
    assert listed.returncode == 0 and "arabstoday" in listed.stdout.split(), listed.stderr
    for command in ("crawl", "extract", "state", "demo", "merge", "reextract", "list"):
        helped = run(tmp_path, command, "--help")
        assert helped.returncode == 0, (command, helped.stderr)
        assert f"newscrawl {command} " in helped.stdout, helped.stdout  # the usage line
    commands = run(tmp_path, "--help")
    assert commands.returncode == 0 and "newscrawl <command>" in commands.stdout
    assert "extract" in commands.stdout and "state" in commands.stdout
    crawled = run(tmp_path, "crawl", "arabstoday", "-a", f"base_url={site_origin}", *FAST)
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    folder = tmp_path / "output" / "arabstoday"
    [feed] = folder.glob("*.jsonl")
    assert re.fullmatch(STAMP + r"\.jsonl", feed.name), feed.name  # no "+00-00"
    assert (folder / feed.name.replace(".jsonl", ".report.json")).exists()
    assert json.loads((folder / "latest").read_text())["feed"] == str(feed)
    assert lines(feed)
    page = next(p for p in (Path(__file__).parents[1] / "newscrawl/fixture_site/www/en/news")
                .rglob("*.html"))  # fmt: skip
    extracted = run(
        tmp_path, "extract", str(page), "--url", "https://www.arabstoday.net/en/news/1/x"
    )
    assert extracted.returncode == 0 and json.loads(extracted.stdout)["title"], extracted.stderr


def test_parquet_feed_round_trips_with_the_jsonl_records(tmp_path: Path, site_origin: str) -> None:
    args = ("crawl", "arabstoday", "-a", f"base_url={site_origin}", *FAST,
            "-o", "articles.parquet", "-o", "articles.jsonl")  # fmt: skip
    first = run(tmp_path, *args)
    assert first.returncode == 0, first.stderr[-3000:]
    table = pq.read_table(tmp_path / "articles.parquet")
    schema = json.loads((Path(__file__).parents[1] / "newscrawl/schema/article.schema.json")
                        .read_text())  # fmt: skip
    assert table.schema.names == list(schema["properties"])
    assert str(table.schema.field("authors").type).startswith("list<")
    records = lines(tmp_path / "articles.jsonl")
    assert records
    assert table.to_pylist() == [{k: r.get(k) for k in table.schema.names} for r in records]
    # Confirmed when the Parquet file was stored: a second run finds nothing new.
    (tmp_path / "articles.parquet").unlink()
    (tmp_path / "articles.jsonl").unlink()
    second = run(tmp_path, *args)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "articles 0" in second.stderr


# -- object storage: moto's S3 server, reached over HTTP by boto3 --------------------

AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
       "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto keeps its buckets per process: each test starts from an empty store.
    urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset",
                                                  method="POST"), timeout=30).close()  # fmt: skip
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip


def _keys(endpoint: str, bucket: str) -> list[str]:
    listed = _client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(obj["Key"] for obj in listed.get("Contents", []))


def _s3_crawl(
    tmp: Path, origin: str, endpoint: str, uri: str, *args: str
) -> subprocess.CompletedProcess[str]:
    return run(tmp, "crawl", "arabstoday", "-a", f"base_url={origin}", *FAST, "-O", uri,
               "-s", f"AWS_ENDPOINT_URL={endpoint}", "-s", "NEWSCRAWL_STATE_PATH=state.sqlite3",
               *args, env=AWS)  # fmt: skip


def test_s3_feed_gets_its_report_and_latest(
    tmp_path: Path, site_origin: str, s3_endpoint: str
) -> None:
    _client(s3_endpoint).create_bucket(Bucket="news")
    done = _s3_crawl(tmp_path, site_origin, s3_endpoint, "s3://news/out/%(name)s/%(time)s.jsonl")
    assert done.returncode == 0, done.stderr[-3000:]
    keys = _keys(s3_endpoint, "news")
    [feed] = [k for k in keys if k.endswith(".jsonl")]
    assert re.fullmatch(r"out/arabstoday/" + STAMP + r"\.jsonl", feed)
    report_key = feed.replace(".jsonl", ".report.json")
    assert set(keys) == {feed, report_key, "out/arabstoday/latest"}
    body = _client(s3_endpoint).get_object(Bucket="news", Key=feed)["Body"].read().decode()
    records = [json.loads(line) for line in body.splitlines()]
    report = json.loads(_client(s3_endpoint).get_object(Bucket="news", Key=report_key)["Body"]
                        .read())  # fmt: skip
    assert report["articles_emitted"] == len(records) > 0
    assert report["feeds"] == [f"s3://news/{feed}"]
    latest = json.loads(_client(s3_endpoint).get_object(Bucket="news", Key="out/arabstoday/latest")
                        ["Body"].read())  # fmt: skip
    assert latest["feed"] == f"s3://news/{feed}"
    assert latest["report"] == f"s3://news/{report_key}"
    assert not (tmp_path / "output").exists()  # nothing left behind locally


def test_s3_batches_share_one_report_and_latest(
    tmp_path: Path, site_origin: str, s3_endpoint: str
) -> None:
    _client(s3_endpoint).create_bucket(Bucket="news")
    uri = "s3://news/out/%(batch_id)d.jsonl"
    done = _s3_crawl(
        tmp_path, site_origin, s3_endpoint, uri, "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=5"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    keys = _keys(s3_endpoint, "news")
    batches = sorted((k for k in keys if k.endswith(".jsonl")), key=lambda k: int(k[4:-6]))
    assert len(batches) >= 2
    assert set(keys) - set(batches) == {"out/1.report.json", "out/latest"}
    latest = json.loads(_client(s3_endpoint).get_object(Bucket="news", Key="out/latest")["Body"]
                        .read())  # fmt: skip
    assert latest["feed"] == "s3://news/out/1.jsonl"
    assert latest["feeds"] == [f"s3://news/{k}" for k in batches]


def test_failed_s3_upload_exits_9_and_marks_nothing_seen(
    tmp_path: Path, site_origin: str, s3_endpoint: str
) -> None:
    failed = _s3_crawl(tmp_path, site_origin, s3_endpoint, "s3://missing/out/a.jsonl")
    assert failed.returncode == exitcodes.OUTPUT_FAILED, failed.stderr[-3000:]
    assert "NoSuchBucket" in failed.stderr
    assert "Could not write the run report next to s3://missing/out/a.jsonl" in failed.stderr
    [local] = (tmp_path / "output" / "arabstoday").glob("*.report.json")  # kept, locally
    assert json.loads(local.read_text())["exit_code"] == exitcodes.OUTPUT_FAILED
    # Nothing was marked seen: with the bucket there, the next run emits every article.
    _client(s3_endpoint).create_bucket(Bucket="missing")
    again = _s3_crawl(tmp_path, site_origin, s3_endpoint, "s3://missing/out/a.jsonl")
    assert again.returncode == 0, again.stderr[-3000:]
    body = _client(s3_endpoint).get_object(Bucket="missing", Key="out/a.jsonl")["Body"].read()
    attempted = re.search(r"articles (\d+) \(new", failed.stderr)
    assert attempted and int(attempted.group(1)) > 0, failed.stderr[-2000:]
    assert len(body.decode().splitlines()) == int(attempted.group(1))


def test_parquet_without_pyarrow_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from scrapy.utils.test import get_crawler

    from newscrawl.storage.feeds import feed_problem

    parquet = "newscrawl.storage.parquet.ParquetItemExporter"

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
    )
    crawler = get_crawler(settings_dict={"FEEDS": {"a.parquet": {"format": "parquet"}},
                                         "FEED_EXPORTERS": {"parquet": parquet}})  # fmt: skip
    assert feed_problem(crawler) == (
        "feed a.parquet: parquet feeds need pyarrow; install it with pip install "
        "'newscrawl[parquet]'"
    )
