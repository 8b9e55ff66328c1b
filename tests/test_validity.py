"""Fast versions of bench/validity.py (hashing embedder, fewer trials): the verdict does not
flag unchanged content, catches recursive collapse early, and responds to the dose."""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import pytest

from auditor.config import build_options
from auditor.features.embeddings import HashingEmbedder
from auditor.pipeline import judge
from auditor.types import Document

from .conftest import RUST

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import validity as V  # noqa: E402

RANK = {"ok": 0, "watch": 1, "samey": 2}


@pytest.fixture(scope="module")
def world():
    if not RUST.exists():
        pytest.skip("shared corpora not found")
    options = build_options(None, period="month", progress=False, min_docs=2)
    rust = [r for r in V.load_rows("rust-blog.jsonl") if "2019" <= r["date"][:4] <= "2026"]
    rng = random.Random(7)
    early = [r for r in rust if r["date"][:4] in ("2019", "2020", "2021")]
    rng.shuffle(early)
    base, fresh = early[:75], early[75:100]
    gens, extra, texts = [], [], [r["text"] for r in base]
    for g in (1, 2, 3):
        model, starts = V.train_trigram(texts)
        texts = V.generate(model, starts, 25, 400, rng)
        ids = [f"gen{g}/{i}" for i in range(25)]
        gens.append(ids)
        extra += [Document(i, i, t, None, dt.date(2030, g, 1)) for i, t in zip(ids, texts)]
    tmpl = [f"tmpl/{i}" for i in range(25)]
    extra += [Document(i, i, t, None, dt.date(2031, 1, 1))
              for i, t in zip(tmpl, V.templated(25, rng))]
    prep = V.featurise([V.to_doc(r) for r in rust] + extra, options, HashingEmbedder())
    return {"prep": prep, "options": options, "rust": rust, "gens": gens, "tmpl": tmpl,
            "base": [[r["id"] for r in base[k:k + 25]] for k in (0, 25, 50)],
            "fresh": [r["id"] for r in fresh]}


def test_no_false_alarms_on_random_splits(world):
    ids_2024 = [r["id"] for r in world["rust"] if r["date"][:4] == "2024"]
    ids_2020 = [r["id"] for r in world["rust"] if r["date"][:4] == "2020"]
    counts = V.false_alarms(world["prep"], ids_2024, world["options"], 10)
    counts += V.false_alarms(world["prep"], ids_2020, world["options"], 10, seed=1)
    assert counts["samey"] == 0
    assert counts["ok"] >= 19, counts


def test_recursive_collapse_is_samey_by_generation_2_and_worsens(world):
    _, _, verdicts, _ = judge(V.with_groups(world["prep"], world["base"] + world["gens"], 3),
                              world["options"])
    gens = verdicts[3:]
    assert gens[1].status == "samey"
    # worsens monotonically: status never improves, and the number of layers that moved
    # (or are in a sustained trend) never falls
    ranks = [RANK[v.status] for v in gens]
    assert ranks == sorted(ranks)
    layers = [len(set(v.moved_layers) | set(v.trend_layers)) for v in gens]
    assert layers == sorted(layers) and layers[-1] >= 3, layers


def test_dose_response_templated(world):
    statuses, structure = [], []
    for share in (0.0, 0.5, 1.0):
        k = round(share * 25)
        period = world["tmpl"][:k] + world["fresh"][:25 - k]
        _, _, v, _ = judge(V.with_groups(world["prep"], world["base"] + [period], 3),
                           world["options"])
        statuses.append(v[3].status)
        structure.append(v[3].layer_scores["structure"])
    assert statuses[0] == "ok" and statuses[-1] == "samey"
    assert structure == sorted(structure), structure
