"""End to end with the real packaged model: the Rust blog audited by year, 2019-2026.

The Rust blog is a stable, human-written control with templated-on-purpose release posts: the
audit must not call it samey, and must describe the release template instead of flagging it.
"""
from __future__ import annotations

import json

import pytest

from auditor.cli import main

from .conftest import RUST, shared

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rust_1926(tmp_path_factory):
    shared(RUST)
    path = tmp_path_factory.mktemp("rust") / "rust-2019-2026.jsonl"
    with open(RUST, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
        for line in src:
            if "2019" <= json.loads(line)["date"][:4] <= "2026":
                dst.write(line)
    return path


def test_rust_blog_by_year_is_not_samey(rust_1926, tmp_path):
    out = tmp_path / "rust.json"
    code = main(["audit", str(rust_1926), "--period", "year", "--json", str(out), "--quiet",
                 "--fail-on", "samey"])
    data = json.loads(out.read_text())
    assert code == 0, data["verdict"]
    assert data["verdict"]["status"] != "samey"
    assert [p["label"] for p in data["periods"]] == [str(y) for y in range(2019, 2027)]
    assert [p["label"] for p in data["periods"] if p["is_baseline"]] == ["2019", "2020", "2021"]
    assert data["corpus"]["documents"] == sum(p["n_docs"] for p in data["periods"])
    assert data["config"]["model_id"].startswith("all-MiniLM-L6-v2")
    # templated release posts are described, not flagged
    notes = " ".join(data["verdict"].get("notes", []))
    assert "Templated but stable" in notes and "rust team is happy" in notes
    # every metric of every period has an interval around its value
    for p in data["periods"]:
        for name, m in p["metrics"].items():
            if m["value"] is not None and m["low"] is not None:
                assert m["low"] <= m["value"] <= m["high"], (p["label"], name)
    # the embedding cache makes a second run embed nothing new
    from auditor.config import IngestOptions
    from auditor.features.embeddings import make_embedder
    from auditor.ingest import load_documents
    emb = make_embedder("all-MiniLM-L6-v2", cache_dir=None)
    docs = load_documents(rust_1926, IngestOptions()).documents[:50]
    emb.embed([d.text for d in docs])
    assert emb.encoded_chunks == 0  # served from the cache: nothing was sent to the model
