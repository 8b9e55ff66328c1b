"""``--engine dask``: partitions (groups of files, byte ranges of a large CSV/JSONL, row groups of
a Parquet file) keep every record's number, their summaries are plain data and merge to the
local summary, and an audit on a LocalCluster gives the local engine's JSON."""
import csv
import dataclasses
import importlib.util
import json
import random
from pathlib import Path

import pyarrow as pa  # noqa: E402  (test extras: missing fails)
import pyarrow.parquet as pq  # noqa: E402
import pytest

from auditor.config import IngestOptions
from auditor.ingest import readers
from auditor.ingest.partition import plan, summarise_partition
from auditor.ingest.stream import IngestSummary, summarise
from auditor.ingest.walk import iter_files
from auditor.types import json_safe

WORDS = ("bright calm steady quick fresh bold quiet warm clear sharp smooth light deep wide soft "
         "rich pure true keen fair").split()


def records(n, *, seed=0, months=6, tricky=True):
    """Rows with commas, quotes and newlines inside cells (tricky), repeated texts (reposts),
    short and undated rows."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(9))
        text = f"Item {i}, a \"{words}\" one.\n\nSecond paragraph {words}." \
            if tricky and i % 7 == 0 else f"Item number {i} is {words}."
        if i % 50 == 3:
            text = "The very same ad text is run again and again."  # reposts
        if i % 97 == 5:
            text = "Too short"
        date = "" if i % 113 == 9 else f"2025-{i % months + 1:02d}-{1 + i % 28:02d}"
        out.append({"id": i, "date": date, "title": f"Item {i}", "text": text})
    return out


def write_csv(path, recs):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "date", "title", "text"])
        w.writeheader()
        w.writerows(recs)


def corpus(root: Path) -> Path:
    recs = records(2400, seed=3)
    write_csv(root / "big.csv", recs[:1200])
    (root / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[1200:1700]),
                                     encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(recs[1700:2100]), root / "rows.parquet",
                   row_group_size=90)
    for i in range(3):
        write_csv(root / f"small/part-{i}.csv", recs[2100 + 100 * i:2200 + 100 * i])
    return root


@pytest.fixture
def streamed(monkeypatch):
    """Every record file is streamed, as a large one is (the ones split must be)."""
    monkeypatch.setattr(readers, "STREAM_BYTES", 0)


def merged(root, partitions, seed=0, k=30):
    opts = json.loads(json.dumps(dataclasses.asdict(IngestOptions())))
    parts = [IngestSummary.from_plain(summarise_partition(str(root), p, opts, seed=seed, k=k))
             for p in partitions]
    random.Random(1).shuffle(parts)  # any merge order
    out = parts[0]
    for p in parts[1:]:
        out = out.merge(p)
    return out.finish()


def same(a: IngestSummary, b: IngestSummary):
    assert a.month_counts() == b.month_counts()
    assert a.n_undated == b.n_undated
    for m in a.months:  # the same documents, doc_ids (record numbers) included
        assert a.pool([m]) == b.pool([m])
    assert a.skipped.listed() == b.skipped.listed() and a.undated.listed() == b.undated.listed()
    assert a.skipped.total == b.skipped.total
    for rel, (_, h, d, i) in a.rows.items():
        assert sorted(zip(h, d, i)) == sorted(zip(*b.rows[rel][1:]))
    assert set(a.rows) == set(b.rows)


def test_large_files_split_at_record_boundaries_and_merge_to_the_local_summary(
        tmp_path, streamed):
    root = corpus(tmp_path)
    files = iter_files(root)
    parts = plan(root, files, IngestOptions(), part_bytes=20_000, partitions=4)
    split = {rel for p in parts for rel, part in p if part}
    assert split == {"big.csv", "feed.jsonl", "rows.parquet"}
    assert sum(1 for p in parts for rel, part in p if rel == "big.csv") >= 5
    whole = summarise(root, k=30)
    same(merged(root, parts), whole)
    # reposts resolved over the whole corpus, as locally
    docs = [d for m in whole.months for d in whole.pool([m])]
    assert whole.reposts(docs, IngestOptions())[0] == merged(root, parts).reposts(
        docs, IngestOptions())[0]


def test_a_stray_quote_makes_the_file_one_partition(tmp_path, streamed):
    recs = records(900, seed=5, tricky=True)
    write_csv(tmp_path / "a.csv", recs)
    text = (tmp_path / "a.csv").read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[40] = lines[40].replace("Item number", 'Item 5" number', 1)  # quote in an unquoted cell
    (tmp_path / "a.csv").write_text("\n".join(lines), encoding="utf-8")
    parts = plan(tmp_path, iter_files(tmp_path), IngestOptions(), part_bytes=10_000)
    same(merged(tmp_path, parts), summarise(tmp_path, k=30))


def test_summaries_are_plain_data_and_round_trip(tmp_path, streamed):
    import msgpack
    root = corpus(tmp_path)
    whole = summarise(root, k=30)
    plain = whole.to_plain()
    back = IngestSummary.from_plain(msgpack.unpackb(msgpack.packb(plain, use_bin_type=True)))
    same(back, whole)


def test_engine_options_are_checked():
    import auditor
    from auditor.errors import UsageError

    assert auditor.options().engine == "local"
    assert auditor.options(engine="dask", workers=2).workers == 2
    with pytest.raises(UsageError, match="--engine must be local or dask"):
        auditor.options(engine="spark")
    with pytest.raises(UsageError, match="need --engine dask"):
        auditor.options(workers=2)
    with pytest.raises(UsageError, match="not both"):
        auditor.options(engine="dask", workers=2, scheduler="tcp://x:8786")


def test_without_dask_the_cli_names_the_fix(tmp_path, monkeypatch, capsys):
    from auditor.app import engine_dask
    from auditor.cli import main

    monkeypatch.setattr(engine_dask, "missing", lambda: "--engine dask needs dask.distributed "
                        "(distributed is not installed); pip install 'samey[dask]'")
    write_csv(tmp_path / "a.csv", records(100))
    code = main(["audit", str(tmp_path), "--engine", "dask", "--model", "hashing", "-q"])
    err = capsys.readouterr().err
    assert code == 3 and "pip install 'samey[dask]'" in err and len(err.strip().splitlines()) == 1


RUN_SPECIFIC = ("engine", "workers", "scheduler")


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_dask_audit_is_the_local_audit(tmp_path, streamed, processes):
    """Worker processes do not see this test's ``STREAM_BYTES``: parts are streamed anyway,
    and the small files read whole give the same rows."""
    import distributed

    import auditor
    from auditor.app import engine_dask
    from auditor.features.embeddings import HashingEmbedder

    root = corpus(tmp_path / "corpus")
    rng = random.Random(7)
    body = " ".join(rng.choice(WORDS) for _ in range(80))
    for i, tail in enumerate(("first", "second")):  # whole files: counted on the driver
        (root / f"post-{i}.md").write_text(f"---\ndate: 2025-0{i + 2}-10\ntitle: Post {i}\n---\n"
                                           f"{body} {tail}\n", encoding="utf-8")
    kw = dict(period="month", max_pool=60, repeats=4, progress=False)
    local = auditor.audit(root, embedder=HashingEmbedder(), **kw).to_dict()
    # site-wide families whose members lie in several partitions, and on the driver
    largest = local["site_duplicates"]["largest"]
    assert len({d["path"].split("#")[0] for d in largest[0]["documents"]}) >= 3
    assert any({d["path"] for d in f["documents"]} == {"post-0.md", "post-1.md"}
               for f in largest)
    with distributed.LocalCluster(n_workers=2, processes=processes, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        opts = auditor.options(engine="dask", scheduler=cluster.scheduler_address, **kw)
        # small partitions: the CSV, JSON Lines and Parquet files are split
        assert len(engine_dask.plan(root, iter_files(root), opts.ingest, part_bytes=20_000)) > 5
        old = engine_dask.PART_BYTES
        try:
            engine_dask.PART_BYTES = 20_000
            remote = auditor.audit(root, opts, embedder=HashingEmbedder()).to_dict()
        finally:
            engine_dask.PART_BYTES = old
    for d in (local, remote):
        for k in RUN_SPECIFIC:
            d["config"].pop(k)
    # as JSON (NaN is not equal to itself as a float)
    assert json.dumps(json_safe(remote), sort_keys=True) == json.dumps(json_safe(local),
                                                                       sort_keys=True)


def test_cli_audit_on_a_running_scheduler(tmp_path, streamed):
    import distributed

    from auditor.cli import main

    root = corpus(tmp_path / "corpus")
    args = ["audit", str(root), "--model", "hashing", "--period", "month", "--repeats", "3", "-q"]
    assert main([*args, "--json", str(tmp_path / "local.json")]) == 0
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as c:
        assert main([*args, "--engine", "dask", "--scheduler", c.scheduler_address,
                     "--json", str(tmp_path / "dask.json")]) == 0
    a, b = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("local", "dask"))
    assert b["config"]["engine"] == "dask" and b["config"]["scheduler"] == c.scheduler_address
    for d in (a, b):
        for k in RUN_SPECIFIC:
            d["config"].pop(k)
    assert a == b


def test_cli_engine_usage_errors(tmp_path, capsys):
    from auditor.cli import main

    write_csv(tmp_path / "a.csv", records(50))
    assert main(["audit", str(tmp_path), "--workers", "2", "-q"]) == 2
    assert "--workers and --scheduler need --engine dask" in capsys.readouterr().err
    assert main(["audit", str(tmp_path), "--engine", "ray", "-q"]) == 2
    capsys.readouterr()
    if importlib.util.find_spec("distributed"):  # a malformed address: one line, exit 3
        assert main(["audit", str(tmp_path), "--engine", "dask", "--scheduler",
                     "http://h:8786", "--model", "hashing", "-q"]) == 3
        err = capsys.readouterr().err.strip()
        assert "tcp://HOST:PORT" in err and len(err.splitlines()) == 1


def test_workers_start_a_local_cluster_of_processes(tmp_path):
    """``--workers N`` (no scheduler): samey starts and stops its own LocalCluster."""
    import auditor
    from auditor.app.engine_dask import summarise_dask

    write_csv(tmp_path / "a.csv", records(300, tricky=False))
    write_csv(tmp_path / "b.csv", records(200, seed=1, tricky=False))
    s = summarise_dask(tmp_path, auditor.options(engine="dask", workers=1, progress=False))
    same(s, summarise(tmp_path, k=1000))


def test_site_families_on_dask_are_the_local_families(tmp_path, streamed):
    """Every family (not only the largest shown), as sets of (file, record): the band-bucket
    shuffle over many partitions and buckets finds what one local pass finds."""
    rng = random.Random(11)
    recs = records(1500, seed=4, tricky=False)
    for _ in range(40):  # planted families of 2-6 near-copies spread over the rows
        base = [rng.choice(WORDS) for _ in range(40)]
        for _ in range(rng.randint(2, 6)):
            words = list(base)
            words[rng.randrange(35, 40)] = rng.choice(WORDS)
            recs[rng.randrange(len(recs))]["text"] = " ".join(words)
    write_csv(tmp_path / "c/a.csv", recs[:900])
    (tmp_path / "c/b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[900:]),
                                        encoding="utf-8")
    root = tmp_path / "c"
    assert len(plan(root, iter_files(root), IngestOptions(), part_bytes=8_000)) >= 8
    (local, n), (remote, m) = local_and_dask_families(root, part_bytes=8_000, workers=2)
    assert len(local) >= 30
    assert m == n and remote == local
    # the borderline pairs' second verification (shingle sketches shipped with the candidates)
    # is part of what the two paths agree on: without it the families differ
    import auditor.app.site_duplicates as sd

    with pytest.MonkeyPatch.context() as mp, sd.SiteIndex() as ix:
        mp.setattr(sd, "FAMILY_RECHECK_FROM", 0.8)
        summarise(root, k=30, sinks=[ix])
        assert sorted(sorted((ix.paths[ix.file_ix[i]], ix.record[i]) for i in f)
                      for f in ix.families()) != local


def test_site_families_on_dask_with_empty_and_wordless_parts(tmp_path, streamed):
    """A partition with no dated rows and one whose rows have no words at all (no band keys)
    take part in the shuffle without changing the families."""
    root = tmp_path / "c"
    recs = records(300, seed=8, tricky=False)
    write_csv(root / "a.csv", recs)
    write_csv(root / "undated.csv", [dict(r, date="") for r in records(40, seed=9)])
    write_csv(root / "wordless.csv", [dict(r, text="-- -- -- !! ?? .. -- -- -- -- --")
                                      for r in records(40, seed=10)])

    (local, n), (remote, m) = local_and_dask_families(root, part_bytes=4_000, workers=1)
    assert local  # the reposts in records() form a family
    assert m == n and remote == local


def local_and_dask_families(root, *, part_bytes, workers):
    """Every site family as sorted (file, record) lists, and the documents indexed: by one
    local pass, then by ``summarise_dask`` on a LocalCluster of ``workers`` threads."""
    import distributed

    import auditor
    from auditor.app.engine_dask import summarise_dask
    from auditor.app.site_duplicates import SiteIndex

    def named(ix):
        return sorted(sorted((ix.paths[ix.file_ix[i]], ix.record[i]) for i in f)
                      for f in ix.families()), ix.n

    with SiteIndex() as ix:
        summarise(root, k=30, sinks=[ix])
        local = named(ix)
    with distributed.LocalCluster(n_workers=workers, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, SiteIndex() as ix:
        summarise_dask(root, auditor.options(engine="dask", progress=False),
                       part_bytes=part_bytes, client=client, site=ix)
        return local, named(ix)
