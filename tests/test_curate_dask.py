"""``samey curate --engine dask``: the per-document pass on a LocalCluster gives the local
engine's curation, manifest row for manifest row (the partitions appended in reading order)."""
import json
import random
from pathlib import Path

import distributed  # noqa: F401  (test extras: missing fails)
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.ingest import readers
from tests.test_engine_dask import WORDS, records

FIELDS = ["id", "date", "title", "text", "source"]


def write_csv(path: Path, recs):
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(recs)


def corpus(root: Path) -> Path:
    """Record files split into byte ranges and row groups, whole Markdown files between them
    in reading order (``a-post.md`` before ``big.csv``, ``m-post.md`` after it), a source
    label on every record, near-copies across files, skipped rows and files."""
    recs = records(600, seed=5)
    for r in recs:
        r["source"] = "model" if r["id"] % 3 else "human"
    rng = random.Random(2)
    body = " ".join(rng.choice(WORDS) for _ in range(60))
    root.mkdir(parents=True)
    for name, tail in (("a-post.md", "one"), ("m-post.md", "two"), ("z-post.md", "three")):
        (root / name).write_text(f"---\ndate: 2025-03-10\ntitle: {name}\n---\n{body} {tail}\n",
                                 encoding="utf-8")
    (root / "empty.md").write_text("", encoding="utf-8")
    write_csv(root / "big.csv", recs[:320])
    (root / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[320:480]),
                                     encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(recs[480:600]), root / "rows.parquet",
                   row_group_size=60)
    return root


@pytest.mark.parametrize("processes,split", [(False, True), (True, True), (False, False)],
                         ids=["threads", "processes", "large-files-on-the-driver"])
def test_dask_curation_is_the_local_curation(tmp_path, monkeypatch, processes, split):
    """Record files split into parts on the workers; unsplit (``split`` False: not streamed,
    so not cut), each record file is a partition of one file larger than ``LOCAL_BYTES``,
    which the driver reads itself, between the workers' partitions."""
    import auditor
    from auditor.app import curate_dask
    from auditor.features.embeddings import HashingEmbedder
    from auditor.ingest.walk import iter_files

    if split:
        monkeypatch.setattr(readers, "STREAM_BYTES", 0)
    else:
        monkeypatch.setattr(curate_dask, "LOCAL_BYTES", 1_000)
    root = corpus(tmp_path / "corpus")
    keep_list = tmp_path / "always.txt"
    keep_list.write_text("big.csv#7\nz-post.md\n", encoding="utf-8")
    kw = dict(progress=False, source_field="source")
    args = dict(keep="35%", always_keep=keep_list, prefer_source="human")
    local = auditor.curate(root, auditor.options(**kw), manifest=tmp_path / "local.jsonl",
                           embedder=HashingEmbedder(), **args)
    monkeypatch.setattr(curate_dask, "PART_BYTES", 6_000)
    with distributed.LocalCluster(n_workers=2, processes=processes, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        opts = auditor.options(engine="dask", scheduler=cluster.scheduler_address, **kw)
        with distributed.Client(cluster) as client:
            jobs = curate_dask.partitions(root, opts.ingest, client)
        remote = auditor.curate(root, opts, manifest=tmp_path / "dask.jsonl",
                                embedder=HashingEmbedder(), **args)
    # split files and whole files in reading order: the partitions give a local read's order
    if split:
        assert len(jobs) > 8 and any(span for job in jobs for _, span in job)
    else:
        driver = [job for job in jobs if curate_dask.on_driver(root, job)]
        assert {rel for job in driver for rel, _ in job} >= {"big.csv", "feed.jsonl"}
        assert len(driver) < len(jobs)
    order = [rel for _, rel in iter_files(root)]
    seen = [rel for job in jobs for rel, _ in job]
    assert [r for r in dict.fromkeys(seen)] == order
    a = (tmp_path / "local.jsonl").read_text(encoding="utf-8")
    b = (tmp_path / "dask.jsonl").read_text(encoding="utf-8")
    assert len(a.splitlines()) == 600 + 4 and a == b
    assert '"reason": "skipped: ' in a and '"big.csv#7", "keep": true' in a
    assert remote.counts == local.counts and remote.counts.families >= 1
    assert remote.sources == local.sources and remote.measures == local.measures
    assert remote.skipped == local.skipped and remote.notes == local.notes


def test_a_failing_worker_is_one_line_naming_the_files(tmp_path, monkeypatch, capsys):
    from auditor.app import curate_dask
    from auditor.cli import main

    root = corpus(tmp_path / "corpus")

    def boom(partition, *args):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(curate_dask, "curate_partition", boom)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as c:
        code = main(["curate", str(root), "--keep", "50", "--model", "hashing", "-q",
                     "--engine", "dask", "--scheduler", c.scheduler_address])
    err = capsys.readouterr().err.strip()
    assert code == 3 and len(err.splitlines()) == 1, err
    assert "a worker failed on a-post.md" in err and "RuntimeError: worker lost" in err


def test_workers_that_cannot_see_the_corpus_are_one_line(tmp_path, capsys):
    import auditor
    from auditor.app.curate_dask import partitions

    root = corpus(tmp_path / "corpus")
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as c, \
            distributed.Client(c) as client:
        with pytest.raises(auditor.InputError, match="1 of 1 Dask workers cannot read"):
            partitions(tmp_path / "elsewhere", auditor.options().ingest, client)
        assert partitions(root, auditor.options().ingest, client)


def test_cli_curate_on_a_running_scheduler(tmp_path):
    from auditor.cli import main

    root = corpus(tmp_path / "corpus")
    args = ["curate", str(root), "--keep", "50", "--model", "hashing", "-q"]
    assert main([*args, "--manifest", str(tmp_path / "local.jsonl")]) == 0
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as c:
        assert main([*args, "--engine", "dask", "--scheduler", c.scheduler_address,
                     "--manifest", str(tmp_path / "dask.jsonl")]) == 0
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()


def test_curate_engine_usage_errors(tmp_path, capsys):
    from auditor.cli import main

    corpus(tmp_path / "corpus")
    assert main(["curate", str(tmp_path / "corpus"), "--keep", "5", "--workers", "2",
                 "-q"]) == 2
    assert "--workers and --scheduler need --engine dask" in capsys.readouterr().err


def test_add_part_appends_like_adding(tmp_path):
    """Two indexes' parts appended give the index of reading everything into one."""
    import numpy as np

    from auditor.app.curate_index import CurateIndex, read_corpus
    from auditor.config import IngestOptions
    from auditor.features.embeddings import HashingEmbedder
    from auditor.ingest import iter_file
    from auditor.ingest.walk import iter_files
    from auditor.types import Skipped

    root = corpus(tmp_path / "corpus")
    opts = IngestOptions(source_field="source")

    def protected(doc_id, path):
        return path == "a-post.md"

    with CurateIndex(HashingEmbedder(), protected=protected) as whole, \
            CurateIndex(HashingEmbedder(), protected=protected) as joined:
        read_corpus(root, opts, whole)
        files = iter_files(root)
        for chunk in (files[:3], files[3:]):
            with CurateIndex(HashingEmbedder(), protected=protected) as part:
                for full, rel in chunk:
                    for n, item in iter_file(full, rel, opts, {})[0]:
                        if isinstance(item, Skipped):
                            part.skip(n, item)
                        else:
                            part.add(n, item)
                joined.add_part(part.part())
        joined.finish()
        assert joined.n == whole.n and joined.n_skipped == whole.n_skipped
        for k, v in whole.arrays().items():
            assert np.array_equal(joined.arrays()[k], v), k
        assert joined.labels == whole.labels
        assert list(joined.skipped_rows()) == list(whole.skipped_rows())
        assert [joined.name(i) for i in range(joined.n)] == [whole.name(i)
                                                              for i in range(whole.n)]
        ids = np.arange(whole.n)
        assert np.array_equal(joined.store.read(ids), whole.store.read(ids))
        assert np.array_equal(joined.lexical.read(ids), whole.lexical.read(ids))
        assert joined.site.families() == whole.site.families() != []  # (flushes the batch)
        assert np.array_equal(joined.site.signatures(ids), whole.site.signatures(ids))
