"""``samey check --engine dask``: the corpus index built on a LocalCluster is the local build,
array for array and row for row (partitions appended in reading order, shape ids translated,
whole files featurised on the driver after the rows)."""
import json
import sqlite3
from pathlib import Path

import distributed  # noqa: F401  (test extras: missing fails)
import numpy as np
import pytest

from tests.test_curate_dask import corpus


def built(root: Path, cache: Path, **kw):
    import auditor
    from auditor.app.check import corpus_index
    from auditor.features.embeddings import HashingEmbedder

    opts = auditor.options(cache_dir=str(cache), progress=False, period="month", **kw)
    index = corpus_index(root, opts, embedder=HashingEmbedder())
    folder = Path(index.directory) / index.meta["generation"]
    return index, folder


@pytest.mark.parametrize("processes,split", [(True, True), (False, False)],
                         ids=["processes", "large-files-on-the-driver"])
def test_dask_index_is_the_local_index(tmp_path, monkeypatch, processes, split):
    from auditor.app import curate_dask
    from auditor.ingest import readers

    if split:
        monkeypatch.setattr(readers, "STREAM_BYTES", 0)
    else:  # record files not cut: each one a large partition that the driver reads
        monkeypatch.setattr(curate_dask, "LOCAL_BYTES", 1_000)
    root = corpus(tmp_path / "corpus")
    for i in range(3):  # whole files with their own headings: featurised on the driver
        (root / f"guide-{i}.md").write_text(
            f"---\ndate: 2025-0{i + 2}-11\ntitle: Guide {i}\n---\n# Start {i}\n\nA guide "
            f"number {i} with a heading of its own and enough words to count.\n\n## Next\n\n"
            "More words here to pass the minimum length of a document.\n", encoding="utf-8")
    local, a = built(root, tmp_path / "local")
    monkeypatch.setattr(curate_dask, "PART_BYTES", 6_000)
    with distributed.LocalCluster(n_workers=2, processes=processes, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            jobs = curate_dask.partitions(root, _ingest(), client)
        on_driver = sum(curate_dask.on_driver(root, j) for j in jobs)
        assert len(jobs) > 8 if split else 2 <= on_driver < len(jobs)
        remote, b = built(root, tmp_path / "dask", engine="dask",
                          scheduler=cluster.scheduler_address)
    names = sorted(p.name for p in a.glob("*.npy"))
    assert names == sorted(p.name for p in b.glob("*.npy")) and "shapes.npy" in names
    for name in names:
        x, y = np.load(a / name), np.load(b / name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    q = "SELECT * FROM docs ORDER BY row"
    rows_a = sqlite3.connect(a / "docs.sqlite").execute(q).fetchall()
    assert rows_a == sqlite3.connect(b / "docs.sqlite").execute(q).fetchall()
    assert any(r[4].startswith("guide-") and r[7] for r in rows_a)  # a whole file, headings
    ma, mb = (json.loads(json.dumps(m, sort_keys=True, default=str))
              for m in (local.meta, remote.meta))
    for m in (ma, mb):
        for k in ("build_seconds", "generation"):
            m.pop(k)
    assert ma == mb and ma["n_docs"] > 500 and len(ma["shape_vocab"]) > 10


def _ingest():
    from auditor.config import IngestOptions

    return IngestOptions()


def test_check_engine_usage_errors(tmp_path, capsys):
    from auditor.cli import main

    root = corpus(tmp_path / "corpus")
    (tmp_path / "d.md").write_text("A draft with some words in it.\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "d.md"), "--against", str(root), "--workers", "2",
                 "-q"]) == 2
    assert "--workers and --scheduler need --engine dask" in capsys.readouterr().err


def test_cli_check_on_a_running_scheduler(tmp_path):
    """The check's command line with --engine dask builds the index on the cluster and gives
    the local JSON (the index is keyed without the engine: the second run opens it)."""
    from auditor.cli import main
    from tests.test_curate_dask import write_csv
    from tests.test_engine_dask import records

    root = tmp_path / "corpus"
    recs = records(400, seed=4)
    for r in recs:
        r["source"] = ""
    write_csv(root / "a.csv", recs[:200])
    write_csv(root / "b.csv", recs[200:])
    draft = tmp_path / "draft.md"
    draft.write_text("---\ntitle: Draft\n---\nA draft about bright calm steady quick fresh bold "
                     "quiet warm clear sharp smooth light deep wide soft rich items.\n",
                     encoding="utf-8")
    args = ["check", str(draft), "--against", str(root), "--model", "hashing", "-q",
            "--fail-on", "never"]
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as c:
        assert main([*args, "--cache-dir", str(tmp_path / "a"), "--engine", "dask",
                     "--scheduler", c.scheduler_address,
                     "--json", str(tmp_path / "dask.json")]) == 0
    assert main([*args, "--cache-dir", str(tmp_path / "b"),
                 "--json", str(tmp_path / "local.json")]) == 0
    a, b = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("local", "dask"))
    for d in (a, b):
        for k in ("engine", "workers", "scheduler", "cache_dir"):
            d["config"].pop(k, None)
        d["corpus"]["index"].pop("path")  # the two cache folders
    assert a == b and a["drafts"]
