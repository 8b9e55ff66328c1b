"""Ad copy is first class: short rows of tabular exports are analysed, prose keeps min_words."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import auditor
from auditor.config import IngestOptions, build_options
from auditor.errors import UsageError
from auditor.ingest import load_documents

ADS = Path(__file__).resolve().parents[1] / "sample_corpora" / "tidewater-ads"
EXPORT = ADS / "ads" / "tidewater-ads-export.csv"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_short_rows_are_analysed_prose_keeps_min_words(tmp_path: Path) -> None:
    _write(tmp_path / "ads.csv", "date,headline,description\n"
           "2025-01-02,Shop Boots,Waterproof boots for muddy trails\n"    # 5 words
           "2025-01-03,Sale,Shop winter boots\n"                           # 3 words
           "2025-01-04,Now,Buy now\n")                                     # 2 words
    _write(tmp_path / "ads.jsonl",
           '{"date": "2025-01-05", "text": "Free returns on every order"}\n')
    _write(tmp_path / "note.md", "---\ndate: 2025-01-02\n---\nWaterproof boots for muddy trails, "
                                 "now in our shop.\n")
    res = load_documents(tmp_path, IngestOptions())
    assert sorted(d.doc_id for d in res.documents) == ["ads.csv#1", "ads.csv#2", "ads.jsonl#1"]
    doc = next(d for d in res.documents if d.doc_id == "ads.csv#1")
    assert doc.title == "Shop Boots" and doc.text == "Waterproof boots for muddy trails"
    skipped = {s.path: s for s in res.skipped}
    assert skipped["ads.csv#3"].reason == "too short"
    assert "min_record_words=3" in skipped["ads.csv#3"].detail
    assert skipped["note.md"].reason == "too short" and "min_words=20" in skipped["note.md"].detail


def test_min_words_lowers_both_and_min_record_words_is_its_own(tmp_path: Path) -> None:
    _write(tmp_path / "ads.csv", "date,description\n2025-01-04,Buy now\n2025-01-05,"
           "Shop winter boots today\n")
    _write(tmp_path / "note.md", "---\ndate: 2025-01-02\n---\nShop closed today.\n")

    def ids(**kw) -> list[str]:
        return sorted(d.doc_id for d in load_documents(tmp_path, IngestOptions(**kw)).documents)

    assert ids() == ["ads.csv#2"]
    assert ids(min_words=2) == ["ads.csv#1", "ads.csv#2", "note.md"]  # min(min_words, 3) = 2
    assert ids(min_record_words=5) == []  # "Shop winter boots today" is 4 words
    assert ids(min_record_words=50) == []  # records never need more than min_words...
    assert ids(min_words=4, min_record_words=50) == ["ads.csv#2"]  # ...min(4, 50) = 4
    with pytest.raises(UsageError):
        build_options(min_record_words=0)
    assert build_options().ingest.min_record_words == 3


def test_sample_ad_export_rows_all_read() -> None:
    with EXPORT.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    words = [len(r["description"].split()) for r in rows]
    assert len(rows) > 300 and max(words) < 20  # every description is under the prose minimum
    res = load_documents(ADS, IngestOptions(segment_field="campaign"))
    assert {s.path: s.reason for s in res.skipped} == {
        "ads/tidewater-ads-export.csv#41": "empty", "ads/tidewater-ads-export.csv#91": "too short"}
    assert len(res.documents) == len(rows) - 2
    assert all(d.date is not None and d.segments and d.title for d in res.documents)


def test_sample_ad_export_is_samey(tmp_path: Path) -> None:
    """The whole audit of the sample ad export (hashing embedder): varied first, then stock copy,
    with every short row analysed."""
    res = auditor.audit(ADS, model="hashing", repeats=8, progress=False,
                        cache_dir=str(tmp_path / "cache"))
    assert res.status == "samey"
    assert {(s.path, s.reason) for s in res.skipped} == {
        ("ads/tidewater-ads-export.csv#41", "empty"),
        ("ads/tidewater-ads-export.csv#91", "too short")}
    assert res.corpus.documents == 387 and res.corpus.formats == {"csv": 387}
    statuses = {p.label: p.status for p in res.periods}
    assert statuses["2026-03"] == "samey"
    assert all(statuses[m] == "baseline" for m in ("2025-01", "2025-02", "2025-03"))
    assert "unforgettable adventures" in json.dumps(res.to_dict()["evidence"]).lower()
