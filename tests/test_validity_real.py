"""The real-model slices of the validity bench (bench/validity.py, bench/validity_model.py):
a switch to real model-written reviews, and a length-only change, with the packaged model.
The hashing-embedder slices are in tests/test_validity.py."""
from __future__ import annotations

import sys
from pathlib import Path

from .conftest import YELP, shared

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import validity as V  # noqa: E402
import validity_model as M  # noqa: E402


def _check(criteria: dict, name: str) -> None:
    c = criteria[name]
    assert c["pass"], f"{name}: {c['detail']}"


def test_length_only_changes_are_not_flagged_L1():
    """Later months of only the longest human reviews (the direction that flagged before word
    budgets): one seeded trial with the real model (the hashing stand-in reads a longer post as
    closer to every other, which no sentence-embedding model does as strongly)."""
    from auditor.features.embeddings import make_embedder

    shared(YELP)

    emb = V.MemoEmbedder(make_embedder("all-MiniLM-L6-v2"))
    trials = [t for t in M.run_length(M.sources(), emb, fast=True, kinds=("longer",),
                                      log=lambda s: None)]
    assert [t["kind"] for t in trials] == ["longer"]
    _check(M.length_criteria(trials), "L1")


def test_the_real_model_catches_a_switch_to_model_written_reviews():
    """The packaged model end to end on real text: four months of human Yelp reviews, then
    three of model-written ones (all four models, all methods): every model month flagged,
    samey by the third (M1, M2 on one seeded trial)."""
    import random

    from auditor.features.embeddings import make_embedder

    (src,) = M.sources()
    docs, _ = M.build(src, random.Random("real-model slice"),
                      [(0, None)] * 4 + [(M.PER, "llm")] * 3)
    statuses, _ = M.month_statuses(docs, make_embedder("all-MiniLM-L6-v2"), 7)
    assert statuses[:4].count(V.NJ) >= 2  # the human months form the baseline
    assert all(s in ("watch", "samey") for s in statuses[4:]), statuses
    assert "samey" in statuses[4:], statuses
