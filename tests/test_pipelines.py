"""Pipelines through a real crawler's settings and stats (scrapy.utils.test.get_crawler)."""

from __future__ import annotations

import sqlite3
from dataclasses import make_dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl import pipelines
from newscrawl.discovery.urls import url_key
from newscrawl.fixtureserver import PROJECT_ROOT
from newscrawl.items import Article
from newscrawl.pipelines import CleanPipeline, DeduplicatePipeline, ValidatePipeline
from newscrawl.sites.registry import site_spiders
from newscrawl.storage import runkeys
from newscrawl.storage.stores import store_for
from newscrawl.text.prepared import boilerplate_of, clean_record, prepare

ArabsTodaySpider = site_spiders()["arabstoday"]

BODY = (
    "The ministry said on Sunday that the new crossing would open next month.\n\n"
    "Traders welcomed the decision, saying it would cut the cost of goods in the south."
) * 2


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "url": "https://www.arabstoday.net/en/news/1234/x",
        "canonical_url": "https://www.arabstoday.net/en/news/1234/x",
        "site": "arabstoday",
        "language": "en",
        "language_declared": "en",
        "title": "Crossing to open",
        "body": BODY,
        "authors": [],
        "published": "2024-01-01T10:00:00+03:00",
        "published_raw": "2024-01-01T10:00:00+03:00",
        "modified": None,
        "section": None,
        "tags": [],
        "description": None,
        "images": [],
        "fetched_at": "2024-01-01T10:00:00+00:00",
        "extraction": "selector",
    }
    base.update(changes)
    return base


@pytest.fixture
def crawler(tmp_path: Path) -> Any:
    crawler = get_crawler(
        ArabsTodaySpider, {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3")}
    )
    crawler.stats.open_spider()
    return crawler


def test_clean_normalises_text_and_keeps_paragraphs(crawler: Any) -> None:
    item = CleanPipeline(crawler).process_item(
        record(
            title="  Cafe\u0301   news ",
            body="one  two\n\n\n\n  \n\nthree\u00a0four",
            tags=["a", "a", " "],
        )
    )
    assert item["title"] == "Café news"
    assert item["body"] == "one two\n\nthree four"
    assert item["tags"] == ["a"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": ""}, "no_title"),
        ({"body": ""}, "empty_body"),
        ({"body": "Too short."}, "short_body"),
        ({"published": "2999-01-01T00:00:00+00:00"}, "future_date"),
        ({"language": "ar"}, "language_mismatch"),
        ({"published": "1 Jan 2024"}, "schema"),
        ({"images": ["/relative.jpg"]}, "schema"),
    ],
)
def test_validate_drops_with_a_counted_reason(
    crawler: Any, changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(DropItem):
        ValidatePipeline(crawler).process_item(record(**changes))
    assert crawler.stats.get_value(f"newscrawl/dropped/{reason}") == 1


def test_valid_record_passes_as_item_dict_or_dataclass(crawler: Any) -> None:
    record_class = make_dataclass("Record", [(key, Any) for key in record()])
    for item in (record(), Article(record()), record_class(**record())):
        for pipeline in (CleanPipeline(crawler), ValidatePipeline(crawler)):
            assert pipeline.process_item(item) is item
    assert not any(k.startswith("newscrawl/dropped") for k in crawler.stats.get_stats())


def test_deduplicate_by_canonical_url_and_by_body(crawler: Any) -> None:
    pipeline = DeduplicatePipeline(crawler)
    pipeline.process_item(record())
    with pytest.raises(DropItem):
        pipeline.process_item(
            record(url="https://www.arabstoday.net/en/news/1234/x?utm_source=rss")
        )
    with pytest.raises(DropItem):
        pipeline.process_item(
            record(
                url="https://www.arabstoday.net/en/news/999/y",
                canonical_url=None,
                body=BODY.upper(),
            )
        )
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_url") == 1
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_body") == 1


STORY = (
    "Jordan's government on Sunday approved a plan to build a national water carrier that "
    "would pump desalinated water from the Red Sea port of Aqaba to Amman, the ministry of "
    "water said in a statement after the weekly cabinet session. The project is expected to "
    "cost about two billion dollars and to provide 300 million cubic metres a year by 2029, "
    "officials said, adding that international lenders had shown strong interest."
)


def test_near_duplicate_is_marked_with_the_first_url_across_runs(tmp_path: Path) -> None:
    settings = {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3")}
    first_run = get_crawler(ArabsTodaySpider, settings)
    first_run.stats.open_spider()
    DeduplicatePipeline(first_run).process_item(record(body=STORY))
    store_for(first_run).close()

    second_run = get_crawler(ArabsTodaySpider, settings)  # a later run, same store
    second_run.stats.open_spider()
    edited = STORY.replace("on Sunday", "on Sunday evening").replace("strong", "keen")
    item = DeduplicatePipeline(second_run).process_item(
        record(url="https://other.example/story/7", canonical_url=None, body=edited)
    )
    assert item["duplicate_of"] == "https://www.arabstoday.net/en/news/1234/x"
    assert second_run.stats.get_value("newscrawl/duplicates/near") == 1


def test_the_next_run_reads_only_the_window_of_recent_signatures(tmp_path: Path) -> None:
    # The index is not the whole store: a run's start-up reads the last
    # NEWSCRAWL_NEAR_DUPLICATE_WINDOW signatures (by the id index, LIMIT), so a re-edit of
    # a story older than that is not marked; one of a recent story is.
    settings = {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
                "NEWSCRAWL_NEAR_DUPLICATE_WINDOW": 4}  # fmt: skip
    # Six different stories (no two near duplicates), remembered in that order.
    stories = [" ".join(f"w{n}x{j}" for j in range(80)) for n in range(6)]
    first_run = get_crawler(ArabsTodaySpider, settings)
    first_run.stats.open_spider()
    pipeline = DeduplicatePipeline(first_run)
    for n, story in enumerate(stories):
        url = f"https://www.arabstoday.net/en/news/{n}/s"
        pipeline.process_item(record(url=url, canonical_url=url, body=story))
    store_for(first_run).close()

    second_run = get_crawler(ArabsTodaySpider, settings)
    second_run.stats.open_spider()
    pipeline = DeduplicatePipeline(second_run)
    statements: list[str] = []
    pipeline.store.db.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    marked = []
    for n in (0, 5):
        edited = stories[n].replace(f"w{n}x7 ", "changed ")  # a re-edit of story n
        url = f"https://other.example/story/{n}"
        item = pipeline.process_item(record(url=url, canonical_url=None, body=edited))
        marked.append(item["duplicate_of"])
    assert marked == [None, "https://www.arabstoday.net/en/news/5/s"]
    assert [s for s in statements if "FROM signatures ORDER BY id DESC LIMIT" in s]


def test_near_duplicates_can_be_dropped(tmp_path: Path) -> None:
    crawler = get_crawler(
        ArabsTodaySpider,
        {"NEWSCRAWL_STATE_PATH": str(tmp_path / "s.sqlite3"), "NEWSCRAWL_NEAR_DUPLICATES": "drop"},
    )
    crawler.stats.open_spider()
    pipeline = DeduplicatePipeline(crawler)
    pipeline.process_item(record(body=STORY))
    with pytest.raises(DropItem):
        pipeline.process_item(
            record(
                url="https://x.example/2",
                canonical_url=None,
                body=STORY.replace("Sunday", "Monday"),
            )
        )
    assert crawler.stats.get_value("newscrawl/dropped/near_duplicate") == 1


def test_different_story_on_the_same_event_is_not_a_duplicate(crawler: Any) -> None:
    pipeline = DeduplicatePipeline(crawler)
    pipeline.process_item(record(body=STORY))
    other = (
        "Amman residents have faced water cuts for years, and the national carrier approved by "
        "ministers this week will not change that before the end of the decade, engineers warned. "
        "The Aqaba-Amman pipeline, which critics say depends on foreign loans, must cross 450 "
        "kilometres of desert, and its pumping stations will need as much power as a small city."
    )
    item = pipeline.process_item(record(url="https://x.example/3", canonical_url=None, body=other))
    assert item["duplicate_of"] is None


def test_clean_removes_site_boilerplate_and_splits_bylines(crawler: Any) -> None:
    crawler.spider = ArabsTodaySpider.from_crawler(crawler)  # its rules name the boilerplate
    item = CleanPipeline(crawler).process_item(
        record(
            body=BODY + "\n\nMaintained and developed by Arabs Today Group SAL.",
            authors=["By Sara Haddad and Omar Khalil"],
        )
    )
    assert "Maintained and developed" not in item["body"]
    assert item["authors"] == ["Sara Haddad", "Omar Khalil"]


ARABIC = (
    "قال وزير المالية يوم الأحد إن الحكومة ستقدم مشروع قانون جديدا للموازنة العامة قبل نهاية "
    "الشهر، وإن المفاوضات مع النقابات ستستمر طوال الأسبوع المقبل في العاصمة.\n\n"
) * 3


def test_validate_trusts_the_extracted_language_when_cleaning_kept_its_evidence(
    crawler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The extraction identified "en" from this body; cleaning leaves all the identifier
    # reads unchanged, so validation does not identify it a second time.
    identified: list[str] = []
    monkeypatch.setattr(pipelines, "language_for_text", lambda d, t: identified.append(t) or d)
    for item in (record(), Article(record())):
        for pipeline in (CleanPipeline(crawler), ValidatePipeline(crawler)):
            assert pipeline.process_item(item) is item
    assert identified == []


def test_validate_identifies_again_when_cleaning_changed_the_evidence(crawler: Any) -> None:
    # Cleaning removed the English boilerplate line the record's language was read
    # from: the Arabic text left contradicts "en", so the record is dropped.
    crawler.spider = ArabsTodaySpider.from_crawler(crawler)
    body = "Maintained and developed by Arabs Today Group SAL.\n\n" + ARABIC
    item = CleanPipeline(crawler).process_item(record(body=body))
    with pytest.raises(DropItem):
        ValidatePipeline(crawler).process_item(item)
    assert crawler.stats.get_value("newscrawl/dropped/language_mismatch") == 1


def test_deduplicate_commits_a_group_of_records_once(tmp_path: Path) -> None:
    # Claim, remember (canonical and fetched URL) and paragraphs of several records: one
    # transaction, one commit (each commit writes the WAL pages it changed), at the
    # feed's group size (NEWSCRAWL_FEED_FSYNC_RECORDS) or when the emit ledger commits
    # it before noting records done (after the feed's fsync); a drop counts too.
    # Until then another connection to the store does not see the records as seen.
    state = tmp_path / "state.sqlite3"
    settings = {"NEWSCRAWL_STATE_PATH": str(state), "NEWSCRAWL_FEED_FSYNC_RECORDS": 3}
    crawler = get_crawler(ArabsTodaySpider, settings)
    crawler.stats.open_spider()
    pipeline = DeduplicatePipeline(crawler)
    statements: list[str] = []
    pipeline.store.db.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    other = sqlite3.connect(state)
    second = "Floods closed the coastal road near Sidon on Monday, officials said.\n\n" * 3
    third = "The central bank kept its main interest rate unchanged on Thursday.\n\n" * 3

    def committed() -> int:
        return int(other.execute("SELECT count(*) FROM articles").fetchone()[0])

    pipeline.process_item(record(url="https://www.arabstoday.net/en/news/1234/x?page=1"))
    pipeline.process_item(
        record(url="https://www.arabstoday.net/en/news/1235/y", canonical_url=None, body=second)
    )
    assert [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT")] == ["BEGIN IMMEDIATE"]
    assert committed() == 0
    assert pipeline.store.seen(url_key("https://www.arabstoday.net/en/news/1235/y")) is not None
    with pytest.raises(DropItem):  # the third record of the group, a duplicate
        pipeline.process_item(
            record(url="https://www.arabstoday.net/en/news/555/z", canonical_url=None)
        )
    assert statements.count("COMMIT") == 1 and committed() == 4
    statements.clear()
    pipeline.process_item(
        record(url="https://www.arabstoday.net/en/news/1236/w", canonical_url=None, body=third)
    )
    assert pipeline._commit_group() and statements.count("COMMIT") == 1  # the ledger's call
    assert committed() == 5
    other.close()


def test_a_record_the_worker_prepared_is_not_cleaned_or_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The extraction worker cleaned the record and computed its language check and body
    # keys (newscrawl.text.prepared); the pipelines use them, and the record and the
    # store come out as when the pipelines compute everything themselves.
    raw = record(
        title="  Crossing \u00a0to open ",
        body=BODY + "\n\nMaintained and developed by Arabs Today Group SAL.",
        authors=["By Sara Haddad and Omar Khalil"],
    )
    results = []
    for worker in (False, True):
        crawler = get_crawler(
            ArabsTodaySpider, {"NEWSCRAWL_STATE_PATH": str(tmp_path / f"{worker}.sqlite3")}
        )
        crawler.stats.open_spider()
        crawler.spider = ArabsTodaySpider.from_crawler(crawler)
        fields = dict(raw)
        prepared = prepare(fields, boilerplate_of(crawler.spider.rules)) if worker else None
        item = Article(fields)
        item._prepared = prepared
        if worker:
            for name in ("clean_record", "language_for_text", "keys", "paragraph_keys"):
                monkeypatch.setattr(pipelines, name, lambda *a: pytest.fail("done twice"))
        for pipeline in (CleanPipeline, ValidatePipeline, DeduplicatePipeline):
            item = pipeline(crawler).process_item(item)
        store = store_for(crawler)
        seen = store.seen(url_key(raw["url"]))
        assert seen is not None
        results.append((dict(item), store.stats(), seen.url, seen.fingerprint))
        store.close()
    assert results[0] == results[1]
    assert "Maintained and developed" not in results[0][0]["body"]


def test_the_extraction_worker_prepares_the_record() -> None:
    # What run_job returns: the decision's record, cleaned as CleanPipeline cleans it.
    from newscrawl.extraction.decide import decide
    from newscrawl.extraction.pool import Job, run_job, spec_blob

    spec = ArabsTodaySpider.spec
    url = "https://www.arabstoday.net/en/news/482913/iraq-parliament-opens-debate-on-2018-budget"
    html = (PROJECT_ROOT / "newscrawl/fixture_site/www/en/news/482913/"
            "iraq-parliament-opens-debate-on-2018-budget.html").read_bytes()  # fmt: skip
    extraction = run_job(Job(html, url, "utf-8", spec_blob(spec), True))
    expected = dict(decide(html.decode("utf-8"), url, spec).record)
    clean_record(expected, boilerplate_of(spec.rules))
    assert extraction.record == expected
    prepared = extraction.prepared  # type: ignore[attr-defined]
    assert prepared.body is extraction.record["body"] and prepared.language_ok


def test_run_keys_stay_exact_across_merges_of_the_compact_map(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The pipeline's per-run identities live in sorted arrays once merged: a key set
    # again keeps its newest value, before and after a merge.
    monkeypatch.setattr(runkeys, "_MIN_PENDING", 4)
    table = runkeys.HashMap64()
    for number in range(10):
        table[number * 2**60 + number] = number
    table[3 * 2**60 + 3] = 33  # after the first merges
    for number in range(10, 20):
        table[number] = number
    assert table.get(3 * 2**60 + 3) == 33
    assert table.get(9 * 2**60 + 9) == 9 and table.get(19) == 19 and table.get(20) is None
    assert len(table) == 20
    seen = runkeys.HashSet64()
    seen.add(2**64 - 1)
    assert 2**64 - 1 in seen and -1 in seen and 0 not in seen


def test_a_duplicate_is_found_in_the_run_after_its_keys_were_merged(
    crawler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runkeys, "_MIN_PENDING", 2)
    crawler.spider = ArabsTodaySpider.from_crawler(crawler)
    crawler.spider.recrawl = True  # the store is not read: the run's own keys decide
    pipeline = DeduplicatePipeline(crawler)
    for number in range(6):  # several merges of the compact map
        url = f"https://www.arabstoday.net/en/news/{number}/x"
        pipeline.process_item(record(url=url, canonical_url=url, body=f"{number} {BODY}"))
    with pytest.raises(DropItem):  # news/1 again
        url = "https://www.arabstoday.net/en/news/1/x"
        pipeline.process_item(record(url=url, canonical_url=url, body=f"1 {BODY}"))
    with pytest.raises(DropItem):  # the body of news/2, under another URL
        url = "https://www.arabstoday.net/en/news/77/z"
        pipeline.process_item(record(url=url, canonical_url=url, body=f"2 {BODY}"))
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_url") == 1
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_body") == 1


@pytest.mark.parametrize("recrawl", [False, True])
def test_a_hash_collision_in_the_run_keys_drops_no_article(
    crawler: Any, monkeypatch: pytest.MonkeyPatch, recrawl: bool
) -> None:
    # Every key and every fingerprint sharing one 64-bit hash: each hit is confirmed
    # against the store, so different articles are all emitted, true duplicates dropped.
    monkeypatch.setattr(pipelines, "key_hash", lambda key: 7)
    monkeypatch.setattr(pipelines, "fingerprint_hash", lambda fingerprint: 7)
    crawler.spider = ArabsTodaySpider.from_crawler(crawler)
    crawler.spider.recrawl = recrawl
    pipeline = DeduplicatePipeline(crawler)
    for number in range(4):
        url = f"https://www.arabstoday.net/en/news/{number}/x"
        pipeline.process_item(record(url=url, canonical_url=url, body=f"Story {number}. {BODY}"))
    with pytest.raises(DropItem):
        url = "https://www.arabstoday.net/en/news/2/x"
        pipeline.process_item(record(url=url, canonical_url=url, body=f"Story 2. {BODY}"))
    with pytest.raises(DropItem):
        url = "https://www.arabstoday.net/en/news/9/x"
        pipeline.process_item(record(url=url, canonical_url=url, body=f"Story 3. {BODY}"))
    assert crawler.stats.get_value("newscrawl/items/new") == 4
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_url") == 1
    assert crawler.stats.get_value("newscrawl/dropped/duplicate_body") == 1
