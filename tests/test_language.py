"""Language identification (py3langid) where the declaration is missing or contradicted;
the declared value is kept beside it (``language_declared``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.extraction import language as language_module
from newscrawl.extraction.generic.extractor import extract_generic
from newscrawl.extraction.language import language_for_text
from newscrawl.fixtureserver import PROJECT_ROOT, serve

FRENCH = (
    "Le ministre de l'Économie a annoncé mercredi un nouveau plan de soutien aux petites "
    "entreprises touchées par la sécheresse, qui dure depuis trois ans dans le sud du pays. "
    "Selon lui, les premières aides seront versées avant la fin du mois prochain."
)
PERSIAN = (
    "وزیر امور خارجه روز چهارشنبه در یک نشست خبری گفت که دولت برای از سرگیری گفت‌وگوها "
    "آماده است و هیئتی را هفته آینده به پایتخت خواهد فرستاد. او افزود که این گفت‌وگوها "
    "می‌تواند به کاهش تنش‌ها در منطقه کمک کند."
)
URDU = (
    "وزیر خارجہ نے بدھ کے روز ایک پریس کانفرنس میں کہا کہ حکومت مذاکرات دوبارہ شروع کرنے "
    "کے لیے تیار ہے اور اگلے ہفتے ایک وفد دارالحکومت بھیجے گی۔ انہوں نے مزید کہا کہ ان "
    "مذاکرات سے خطے میں کشیدگی کم کرنے میں مدد ملے گی۔"
)
TURKISH = (
    "Dışişleri Bakanı çarşamba günü düzenlediği basın toplantısında hükümetin müzakerelere "
    "yeniden başlamaya hazır olduğunu ve gelecek hafta başkente bir heyet göndereceğini "
    "söyledi. Bakan, görüşmelerin bölgedeki gerginliğin azalmasına katkı sağlayacağını ekledi."
)
ARABIC = (
    "قالت وزارة الخارجية في بيان صدر مساء الأربعاء إن المحادثات بين الجانبين ستستأنف الأسبوع "
    "المقبل في العاصمة بعد توقف دام أكثر من شهرين بسبب الخلاف على جدول الأعمال."
)
ENGLISH = (
    "The foreign minister said on Wednesday that the government was ready to resume talks "
    "and would send a delegation to the capital next week to discuss the remaining issues."
)
# (declared, text, language, language_declared): the four misses, and the
# declarations that stand.
CASES = [
    ("ar", FRENCH, "fr", "ar"),  # a Maghreb French edition declared ar (was "en")
    (None, PERSIAN, "fa", None),  # undeclared Persian (was "ar")
    (None, URDU, "ur", None),  # undeclared Urdu (was "ar")
    (None, TURKISH, "tr", None),  # undeclared Turkish (was None)
    ("fa", PERSIAN, "fa", "fa"),
    ("en", ARABIC, "ar", "en"),  # the script still refutes a declaration
    ("en-GB", ENGLISH, "en", "en"),
    ("fr", ENGLISH, "en", "fr"),  # contradicted by the text
]


def page(lang: str | None, text: str, title: str = "Talks to resume") -> str:
    attribute = f" lang='{lang}'" if lang else ""
    paragraphs = "".join(f"<p>{text}</p>" for _ in range(3))
    return (
        f"<html{attribute}><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(("declared", "text", "language", "kept"), CASES)
def test_language_of_a_page(declared: str | None, text: str, language: str, kept: str) -> None:
    record = extract_generic(page(declared, text), "https://news.example/2024/05/01/talks").record
    assert (record["language"], record["language_declared"]) == (language, kept)


# (declared, text, language): the text plainly bears the declaration out, so the
# identifier (about 1 ms a page) is not consulted ...
BORNE_OUT = [("ar", ARABIC, "ar"), ("fa", PERSIAN, "fa"), ("en-GB", ENGLISH, "en")]
# ... and where it does not (another Arabic-script language, another Latin-script
# language), the identifier still decides.
CONTRADICTED = [
    ("ar", PERSIAN, "fa"),
    ("ar", URDU, "ur"),
    ("fa", URDU, "ur"),
    ("fa", ARABIC, "ar"),
    ("ar", FRENCH, "fr"),
    ("en", FRENCH, "fr"),
    ("fr", ENGLISH, "en"),
    ("en", TURKISH, "tr"),
]


def _identified(
    monkeypatch: pytest.MonkeyPatch, declared: str, text: str
) -> tuple[str | None, list[str]]:
    calls: list[str] = []
    real = language_module.identify

    def spy(sample: str) -> dict[str, float]:
        calls.append(sample)
        return real(sample)

    monkeypatch.setattr(language_module, "identify", spy)
    record = extract_generic(page(declared, text), "https://news.example/2024/05/01/talks").record
    return record["language"], calls


@pytest.mark.parametrize(("declared", "text", "language"), BORNE_OUT)
def test_a_declaration_the_text_bears_out_is_not_identified_again(
    monkeypatch: pytest.MonkeyPatch, declared: str, text: str, language: str
) -> None:
    assert _identified(monkeypatch, declared, text) == (language, [])


@pytest.mark.parametrize(("declared", "text", "language"), CONTRADICTED)
def test_a_declaration_the_text_may_contradict_is_identified(
    monkeypatch: pytest.MonkeyPatch, declared: str, text: str, language: str
) -> None:
    found, calls = _identified(monkeypatch, declared, text)
    assert found == language
    assert calls


def test_too_little_text_keeps_the_declaration_unless_the_script_refutes_it() -> None:
    assert language_for_text("tr", "Haber") == "tr"
    assert language_for_text("en", "خبر") == "ar"
    assert language_for_text(None, "") is None


def test_a_crawl_records_the_identified_and_the_declared_language(tmp_path: Path) -> None:
    site = tmp_path / "www"
    articles = {"fr": ("ar", FRENCH), "fa": (None, PERSIAN), "tr": (None, TURKISH)}
    items = ""
    for name, (declared, text) in articles.items():
        path = f"/2024/05/01/{name}-story-of-the-day-12345678.html"
        (site / path[1:]).parent.mkdir(parents=True, exist_ok=True)
        (site / path[1:]).write_text(page(declared, text, f"Story {name}"), "utf-8")
        items += f"<item><title>Story {name}</title><link>https://lang.example{path}</link></item>"
    (site / "feed.xml").write_text(
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
        "utf-8",
    )
    out = tmp_path / "out.jsonl"
    with serve(site) as origin:
        result = subprocess.run(
            [
                sys.executable, "-m", "scrapy", "crawl", "news", "-O", str(out),
                "-a", "feeds=https://lang.example/feed.xml", "-a", f"base_url={origin}",
                "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
                "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
            ],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    found = {r["title"]: (r["language"], r["language_declared"]) for r in records}
    assert found == {"Story fr": ("fr", "ar"), "Story fa": ("fa", None), "Story tr": ("tr", None)}


def test_identification_works_on_a_full_disk() -> None:
    """py3langid's own loader unpacks its model through a temporary file; on a full disk
    that failed and took every page's language (and record) with it."""
    import subprocess
    import sys

    code = (
        "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0)); "
        "from newscrawl.extraction.language import identify; "
        "found = identify('The cabinet approved the emergency plan for the power grid'); "
        "print(max(found, key=found.get))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "en"
