"""Streaming ingestion: bottom-k pools the same whatever the read order or partitioning,
mergeable summaries, Parquet input, bounded memory, and the same result as ``load_documents``
on small corpora."""
import csv
import datetime as dt
import json
import random
from pathlib import Path

import pyarrow as pa  # noqa: E402  (test extras: missing fails)
import pyarrow.parquet as pq  # noqa: E402
import pytest

from auditor.config import IngestOptions
from auditor.ingest import load_documents, readers
from auditor.ingest.periods import make_periods, merge_small, periods_from_counts
from auditor.ingest.stream import BottomK, SkipLog, summarise, summarise_files
from auditor.ingest.walk import iter_files
from auditor.types import Skipped

ROOT = Path(__file__).resolve().parents[1]
ADS = ROOT / "sample_corpora" / "tidewater-ads"
_WORDS = ("bright calm steady quick fresh bold quiet warm clear sharp smooth light deep wide "
          "soft rich pure true keen fair")
WORDS = _WORDS.split()


def rows(n, *, seed=0, months=6):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        m = i % months
        words = " ".join(rng.choice(WORDS) for _ in range(8))
        out.append({"id": i, "date": f"2025-{m + 1:02d}-{1 + i % 28:02d}",
                    "title": f"Item {i}", "text": f"Item number {i} is {words}."})
    return out


def write_csv(path, recs, fields=("id", "date", "title", "text")):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(fields))
        w.writeheader()
        w.writerows(recs)


def write_jsonl(path, recs):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")


def write_parquet(path, recs):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(recs), path)


def pools(summary):
    """Per period: the pool's texts (the identity of a row whatever file it is in)."""
    spans, _, _ = periods_from_counts(summary.month_counts(), period="month")
    return {s.label: sorted(d.text for d in summary.pool(s.months)) for s in spans}


@pytest.fixture
def streamed(monkeypatch):
    """Every CSV/TSV/JSONL file is streamed (as a large one would be)."""
    monkeypatch.setattr(readers, "STREAM_BYTES", 0)


def test_pools_do_not_depend_on_order_or_partitioning(tmp_path, streamed):
    recs = rows(3000)
    write_csv(tmp_path / "one" / "all.csv", recs)
    shuffled = recs[:]
    random.Random(7).shuffle(shuffled)
    write_csv(tmp_path / "split" / "a.csv", shuffled[:1000])
    write_jsonl(tmp_path / "split" / "sub" / "b.jsonl", shuffled[1000:1700])
    write_parquet(tmp_path / "split" / "c.parquet", shuffled[1700:2500])
    write_csv(tmp_path / "split" / "z" / "d.csv", shuffled[2500:])
    one = summarise(tmp_path / "one", k=40, seed=3)
    split = summarise(tmp_path / "split", k=40, seed=3)
    assert one.month_counts() == split.month_counts() == {(2025, m): 500 for m in range(1, 7)}
    a, b = pools(one), pools(split)
    assert a == b and all(len(p) == 40 for p in a.values())
    # a period that is a union of months: its pool is the bottom-k of the months' samples
    quarters = periods_from_counts(one.month_counts(), period="quarter")[0]
    q1 = sorted(d.text for d in one.pool(quarters[0].months))
    assert q1 == sorted(d.text for d in split.pool(quarters[0].months)) and len(q1) == 40
    # another seed, another sample
    assert pools(summarise(tmp_path / "one", k=40, seed=4)) != a


def test_summaries_of_partitions_merge_to_the_whole(tmp_path, streamed):
    recs = rows(1200, seed=1)
    for i in range(4):
        write_csv(tmp_path / f"part-{i}.csv", recs[i::4])
    files = iter_files(tmp_path)
    whole = summarise(tmp_path, k=25)
    parts = [summarise_files(tmp_path, files[i:i + 1], IngestOptions(), seed=0, k=25)
             for i in range(4)]
    merged = parts[3].merge(parts[1]).merge(parts[0].merge(parts[2])).finish()
    assert merged.month_counts() == whole.month_counts()
    assert pools(merged) == pools(whole)


def test_bottom_k_keeps_the_k_smallest_keys_in_any_order():
    from auditor.types import Document

    docs = [Document(f"d{i}", "x", f"text {i}") for i in range(500)]
    keys = list(range(500))
    random.Random(0).shuffle(keys)
    a, b = BottomK(7), BottomK(7)
    for key, d in zip(keys, docs):
        a.offer(key, d)
    for key, d in reversed(list(zip(keys, docs))):
        b.offer(key, d)
    assert [t[0] for t in a.smallest()] == [t[0] for t in b.smallest()] == list(range(7))


def test_streamed_csv_reads_as_the_whole_file(monkeypatch):
    whole = load_documents(ADS, IngestOptions(segment_field="campaign"))
    monkeypatch.setattr(readers, "STREAM_BYTES", 0)
    streamed = load_documents(ADS, IngestOptions(segment_field="campaign"))
    assert streamed == whole


def test_summary_matches_load_documents_on_a_small_corpus(monkeypatch):
    """Same periods, skipped list, undated list and reposts (with their originals) as reading
    every document, when k exceeds every month (so a pool is the whole period)."""
    for root in (ADS, ROOT / "sample_corpora" / "brightpath-saas"):
        res = load_documents(root, IngestOptions())
        dated = sorted((d for d in res.documents if d.date), key=lambda d: (d.date, d.doc_id))
        periods, gran = make_periods([d.date for d in dated])
        periods, notes = merge_small(periods)
        s = summarise(root, k=10**6)
        spans, gran2, notes2 = periods_from_counts(s.month_counts())
        assert [(p.label, p.n_docs) for p in periods] == [(x.label, x.n_docs) for x in spans]
        assert (gran, notes) == (gran2, notes2)
        assert s.skipped.listed() == res.skipped
        assert [x.path for x in s.undated.listed()] == \
            [d.doc_id for d in res.documents if d.date is None]
        analysed = [d for x in spans for d in s.pool(x.months)]
        assert [d.doc_id for d in analysed] == [d.doc_id for d in dated]
        marked, originals = s.reposts(analysed, IngestOptions())
        assert marked == dated
        assert set(originals) == {d.repost_of for d in dated if d.repost_of}


def test_parquet_file_fields_detected_and_bad_rows_skipped(tmp_path):
    recs = [{"Body": f"Fresh copy number {i} for the spring range.", "Headline": f"H{i}",
             "published_at": dt.date(2025, 1 + i % 3, 5), "channel": "search, social"}
            for i in range(6)]
    recs[2]["Body"] = None
    recs[4]["Body"] = "ok"
    write_parquet(tmp_path / "ads.parquet", recs)
    res = load_documents(tmp_path, IngestOptions(segment_field="channel"))
    docs = {d.doc_id: d for d in res.documents}
    assert sorted(docs) == ["ads.parquet#1", "ads.parquet#2", "ads.parquet#4", "ads.parquet#6"]
    d = docs["ads.parquet#1"]
    assert (d.title, d.date, d.date_source, d.fmt) == \
        ("H0", dt.date(2025, 1, 5), "field:published_at", "parquet")
    assert d.segments == ("search", "social")
    skipped = {s.path: s.reason for s in res.skipped}
    assert skipped == {"ads.parquet#3": "empty", "ads.parquet#5": "too short"}
    # a text field asked for but absent skips the file, naming the fields found
    res = load_documents(tmp_path, IngestOptions(text_field="copy"))
    assert [(s.path, s.reason) for s in res.skipped] == [("ads.parquet", "not prose")]
    assert "Body" in res.skipped[0].detail
    # not a Parquet file
    (tmp_path / "ads.parquet").write_bytes(b"PAR1 this is not parquet")
    [s] = load_documents(tmp_path, IngestOptions()).skipped
    assert s.reason == "unreadable" and "Parquet" in s.detail


def test_parquet_partitioned_dataset_takes_dates_from_folder_names(tmp_path):
    for month in ("2025-01", "2025-02"):
        for part in range(2):
            write_parquet(tmp_path / f"month={month}" / f"part-{part}.parquet",
                          [{"text": f"Copy {month} {part} {i} about our calm steady boots."}
                           for i in range(3)])
    res = load_documents(tmp_path, IngestOptions())
    assert len(res.documents) == 12 and not res.skipped
    d = res.documents[0]
    assert d.doc_id == "month=2025-01/part-0.parquet#1"
    assert (d.date, d.date_source) == (dt.date(2025, 1, 1), "field:month")
    s = summarise(tmp_path)
    assert s.month_counts() == {(2025, 1): 6, (2025, 2): 6}


def test_parquet_reads_as_csv(tmp_path, streamed):
    recs = rows(200, seed=5)
    write_csv(tmp_path / "c" / "x.csv", recs)
    write_parquet(tmp_path / "p" / "x.parquet", [{**r, "id": r["id"]} for r in recs])
    a = load_documents(tmp_path / "c", IngestOptions())
    b = load_documents(tmp_path / "p", IngestOptions())
    strip = [(d.doc_id.split(".")[0], d.text, d.title, d.date) for d in a.documents]
    assert strip == [(d.doc_id.split(".")[0], d.text, d.title, d.date) for d in b.documents]


def test_memory_is_bounded_on_a_large_corpus(tmp_path, streamed):
    """200,000 short rows: what the summary keeps is capped (pools, samples, skipped list), not
    proportional to the rows, except the 20-byte row index."""
    n, k = 200_000, 50
    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["date", "text"])
        for i in range(n):
            # every 10th row is too short (2 words), to be skipped
            text = f"w{i} x" if i % 10 == 0 else f"Copy {i} for our boots"
            w.writerow([f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", text])
    s = summarise(tmp_path, k=k, skip_cap=100)
    assert s.n_dated == n - n // 10
    assert all(len(v[1].items) < 2 * k for v in s.months.values())
    spans, _, _ = periods_from_counts(s.month_counts(), period="month")
    assert len(spans) == 12 and all(len(s.pool(x.months)) == k for x in spans)
    listed = s.skipped.listed()
    assert len(listed) == 101 and s.skipped.total == n // 10
    assert listed[-1].reason == "too short" and f"{n // 10 - 100:,} more" in listed[-1].path
    assert listed[:3] == [Skipped("big.csv#1", "too short", listed[0].detail),
                          Skipped("big.csv#11", "too short", listed[1].detail),
                          Skipped("big.csv#21", "too short", listed[2].detail)]
    assert sum(len(e[1]) for e in s.rows.values()) == n - n // 10


def test_skip_log_is_order_independent_and_merges():
    items = [(i, Skipped(f"f.csv#{i}", "too short" if i % 3 else "empty")) for i in range(1, 50)]
    a, b = SkipLog(5), SkipLog(5)
    for i, s in items:
        a.add(i, s)
    for i, s in reversed(items):
        b.add(i, s)
    assert a.listed() == b.listed()
    assert [s.path for s in a.listed()[:5]] == [f"f.csv#{i}" for i in range(1, 6)]
    halves = SkipLog(5), SkipLog(5)
    for i, s in items:
        halves[i % 2].add(i, s)
    assert halves[0].merge(halves[1]).listed() == a.listed()


def test_prepare_pools_are_capped_and_partition_independent(tmp_path, streamed):
    from auditor.app.prepare import prepare
    from auditor.config import build_options
    from auditor.features.embeddings import HashingEmbedder

    recs = rows(1200, seed=9, months=4)
    write_csv(tmp_path / "one" / "all.csv", recs)
    shuffled = recs[:]
    random.Random(2).shuffle(shuffled)
    write_csv(tmp_path / "two" / "a.csv", shuffled[:600])
    write_parquet(tmp_path / "two" / "b.parquet", shuffled[600:])
    opts = build_options(max_pool=60, progress=False)
    a = prepare(tmp_path / "one", opts, embedder=HashingEmbedder())
    b = prepare(tmp_path / "two", opts, embedder=HashingEmbedder())
    assert (a.n_dated, a.n_skipped) == (b.n_dated, b.n_skipped) == (1200, 0)
    assert [(p.label, p.n_docs) for p in a.periods] == [(p.label, p.n_docs) for p in b.periods] \
        == [(f"2025-{m:02d}", 60) for m in range(1, 5)]
    # the same pools (as sets: within a pool documents are in (date, doc_id) order, as before)
    for pa_, pb in zip(a.periods, b.periods):
        assert sorted(a.documents[i].text for i in pa_.doc_indices) == \
            sorted(b.documents[i].text for i in pb.doc_indices)
