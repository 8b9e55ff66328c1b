"""``samey curate``: the selection's parts (``metrics.selection``, ``judge.curate``) on known
values, the command end to end (manifest for every input, kept documents in their format,
determinism, protected and preferred documents, errors), and a fast version of the validity
bench (``bench/bench_curate.py``) on real human and model text with planted near-copies."""
from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

import auditor
from auditor.cli import main
from auditor.errors import InputError, UsageError
from auditor.features.embeddings import HashingEmbedder
from auditor.judge.curate import REASONS, largest_within, select
from auditor.metrics.selection import (
    cut_to_budget,
    default_clusters,
    farthest_point_order,
    water_fill,
)
from auditor.render.curate_terminal import render_curate
from tests.conftest import YELP, shared

EMB = HashingEmbedder(dim=64)
WORDS = ("harbor kettle lantern orchard summit canyon meadow glacier prairie compass tunnel "
         "village museum festival bicycle journal blanket weather sunrise workshop recipe "
         "volunteer library bridge island desert forest river valley market bread garden "
         "quietly boldly gently stubborn curious patient ancient hollow bright narrow").split()


# ------------------------------------------------------------------ metrics.selection

def test_farthest_point_order_is_the_greedy_max_min_order():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 8))
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    fp = farthest_point_order(X)
    assert sorted(fp.order.tolist()) == list(range(40))
    assert fp.order[0] == int(np.argmin(U @ (U.mean(0) / np.linalg.norm(U.mean(0)))))
    S = U @ U.T
    for t in range(1, 40):
        before = fp.order[:t]
        i = fp.order[t]
        assert fp.max_sim[i] == pytest.approx(S[i, before].max())
        assert fp.nearest[i] == before[int(np.argmax(S[i, before]))]
        rest = fp.order[t:]
        assert S[i, before].max() <= S[np.ix_(rest, before)].max(axis=1).min() + 1e-12


def test_farthest_point_order_takes_groups_in_turn():
    X = np.eye(6) + 0.01
    fp = farthest_point_order(X, groups=[2, 1, 0, 2, 1, 0], d4_start=False)
    assert sorted(fp.order[:2].tolist()) == [2, 5] and sorted(fp.order[2:4].tolist()) == [1, 4]
    assert np.isnan(fp.max_sim[fp.order[0]]) and fp.nearest[fp.order[0]] == -1
    empty = farthest_point_order(np.zeros((0, 3)))
    assert len(empty.order) == 0


def test_farthest_point_order_with_wording_orders_by_both_and_reports_meaning():
    rng = np.random.default_rng(1)
    X, L = rng.normal(size=(30, 6)), rng.normal(size=(30, 5))
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    V = L / np.linalg.norm(L, axis=1, keepdims=True)
    fp = farthest_point_order(X, lexical=L, lexical_weight=0.5, d4_start=False)
    S, C = U @ U.T, 0.5 * (U @ U.T) + 0.5 * (V @ V.T)
    for t in range(1, 30):
        before, i, rest = fp.order[:t], fp.order[t], fp.order[t:]
        assert C[i, before].max() <= C[np.ix_(rest, before)].max(axis=1).min() + 1e-12
        assert fp.max_sim[i] == pytest.approx(S[i, before].max())  # meaning alone
    same = farthest_point_order(X, lexical=L, lexical_weight=0.0)
    assert (same.order == farthest_point_order(X).order).all()


@pytest.mark.parametrize("sizes,total,expect", [
    ([2, 10, 30], 20, [2, 9, 9]), ([5, 5], 3, [2, 1]), ([1, 1, 1], 10, [1, 1, 1]),
    ([4, 4, 4], 0, [0, 0, 0]), ([3, 8], 7, [3, 4])])
def test_water_fill_known_values(sizes, total, expect):
    q = water_fill(sizes, total)
    assert q.tolist() == expect and q.sum() == min(total, sum(sizes))


def test_cut_to_budget_and_default_clusters():
    assert cut_to_budget([["a"] * 3, ["b"] * 3], 10) == [["a"] * 3, ["b"] * 3]
    assert sum(map(len, cut_to_budget([["a"] * 7] * 5, 12))) == 12
    assert default_clusters(0) == 0 and default_clusters(2) == 2 and default_clusters(200) == 10


# ------------------------------------------------------------------ judge.curate

def _select(n_keep, cluster, rank, max_sim=None, eligible=None, always=None, keys=None,
            cap=0.01):
    n = len(cluster)
    return select(n_keep, eligible=np.ones(n, bool) if eligible is None else np.array(eligible),
                  always=np.zeros(n, bool) if always is None else np.array(always),
                  cluster=np.array(cluster), rank=np.array(rank),
                  max_sim=np.full(n, 0.1) if max_sim is None else np.array(max_sim, float),
                  keys=np.zeros((n, 3), np.int64) if keys is None else np.array(keys),
                  near_copy_similarity=0.95, structure_cap=cap)


def test_round_robin_gives_water_fill_quotas():
    sizes = [2, 10, 30]
    cluster = np.repeat([0, 1, 2], sizes)
    rank = np.concatenate([np.arange(s) for s in sizes])
    sel = _select(20, cluster, rank)
    assert np.bincount(cluster[sel.keep], minlength=3).tolist() == water_fill(sizes, 20).tolist()
    # inside a cluster, the first of its farthest-point order are kept
    assert sel.keep[np.flatnonzero(cluster == 2)[:9]].all()
    assert {REASONS[r] for r in sel.reason[~sel.keep]} == {"crowded topic"}


def test_copies_semantic_copies_and_protected_documents():
    sel = _select(3, [0, 0, 0, 1, 1], [0, 1, 2, 0, 1], max_sim=[np.nan, 0.97, 0.2, np.nan, 0.3],
                  eligible=[True, True, True, True, False], always=[0, 0, 0, 0, 1])
    why = [REASONS[r] for r in sel.reason]
    # the protected copy counts for its cluster; then cluster 0's first, then the most
    # distinct next document (cluster 1's first, over cluster 0's second)
    assert sel.keep.tolist() == [True, False, False, True, True]
    assert why == ["selected", "semantic near-copy", "crowded topic", "selected", "always keep"]
    full = _select(5, [0, 0, 0, 1, 1], [0, 1, 2, 0, 1], max_sim=[np.nan, 0.97, 0.2, np.nan, 0.3],
                   eligible=[True, True, True, True, False])
    assert full.keep.all()  # all asked for: copies fill last
    assert REASONS[full.reason[1]] == "filled: semantic near-copy"
    assert REASONS[full.reason[4]] == "filled: near-copy"


def test_repeated_openings_wait_for_the_rest_of_their_topic():
    keys = [[7, 0, 0], [7, 0, 0], [0, 0, 0], [7, 0, 0]]
    sel = _select(2, [0, 0, 0, 0], [0, 1, 2, 3], keys=keys)  # cap 1 at N = 2
    assert sel.keep.tolist() == [True, False, True, False] and sel.cap == 1
    assert REASONS[sel.reason[1]] == "repeated opening"
    sel = _select(3, [0, 0, 0, 0], [0, 1, 2, 3], keys=keys)  # nothing else left: they fill
    assert sel.keep.sum() == 3 and REASONS[sel.reason[1]] == "filled: repeated structure"


def test_largest_within_finds_the_last_size_under_the_target():
    values = {n: 0.05 + 0.01 * n for n in range(1, 51)}
    assert largest_within(values.__getitem__, 0.3, 1, 50) == (25, pytest.approx(0.3))
    assert largest_within(values.__getitem__, 0.01, 1, 50)[0] == 1


# ------------------------------------------------------------------ the command

def _text(rng: random.Random, n: int = 40) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path)


def make_corpus(tmp_path: Path) -> Path:
    """Markdown posts (three near-copy families), a CSV, a JSON Lines file, a Parquet file
    and two inputs to skip."""
    rng = random.Random(3)
    root = tmp_path / "corpus"
    (root / "posts").mkdir(parents=True)
    for i in range(24):
        (root / "posts" / f"p{i:02d}.md").write_text(f"---\ntitle: P{i}\nsource: "
                                                     f"{'model' if i % 3 else 'human'}\n---\n\n"
                                                     f"{_text(rng, 60)}\n", encoding="utf-8")
    for f in range(3):  # families: posts/p0f.md copied twice with one word changed
        src = (root / "posts" / f"p{f:02d}.md").read_text().split("---\n\n", 1)[1]
        for c in range(2):
            words = src.split()
            words[-3 - c] = "zebra"
            (root / "posts" / f"copy-{f}-{c}.md").write_text(
                f"---\ntitle: C{f}{c}\nsource: model\n---\n\n{' '.join(words)}\n",
                encoding="utf-8")
    with open(root / "ads.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "headline", "text", "source"])
        for i in range(12):
            w.writerow([i, f"H{i}", _text(rng, 25), "human"])
    with open(root / "social.jsonl", "w", encoding="utf-8") as fh:
        for i in range(10):
            fh.write(json.dumps({"text": _text(rng, 25), "source": "model", "n": i}) + "\n")
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": [_text(rng, 25) for _ in range(8)],
                             "source": ["human"] * 8}), root / "rows.parquet")
    (root / "empty.md").write_text("")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    return root


def _run(root, tmp_path, name="run", **kw):
    kw.setdefault("keep", 20)
    kw.setdefault("random_subsets", 4)
    manifest = tmp_path / f"{name}.jsonl"
    r = auditor.curate(root, embedder=EMB, progress=False, manifest=manifest, **kw)
    rows = [json.loads(x) for x in manifest.read_text().splitlines()]
    return r, rows


def test_curate_end_to_end(corpus, tmp_path):
    r, rows = _run(corpus, tmp_path, out=tmp_path / "kept", source_field="source")
    assert r.counts.documents == 24 + 6 + 12 + 10 + 8 and r.counts.skipped == 2
    assert len(rows) == r.counts.inputs == 62  # one row per input, skipped ones too
    skipped = {x["doc"]: x["reason"] for x in rows if x["reason"].startswith("skipped")}
    assert skipped == {"empty.md": "skipped: empty", "logo.png": "skipped: unsupported"}
    assert sum(x["keep"] for x in rows) == r.counts.kept == 20
    assert [x["doc"] for x in rows][:3] == ["ads.csv#1", "ads.csv#2", "ads.csv#3"]
    for f in range(3):  # at most one member of each family
        fam = {f"posts/p{f:02d}.md", f"posts/copy-{f}-0.md", f"posts/copy-{f}-1.md"}
        members = [x for x in rows if x["doc"] in fam]
        assert sum(x["keep"] for x in members) <= 1
        assert len({x["family"] for x in members}) == 1 and members[0]["family"] is not None
        assert any(x["reason"] == "near-copy" and x["of"] in fam for x in members)
    assert {s.source for s in r.sources} == {"human", "model"}
    assert sum(s.kept for s in r.sources) == 20
    assert r.measure("duplication.near_duplicate_share").kept == 0.0
    # the kept documents, in their input format
    out = tmp_path / "kept"
    kept = {x["doc"] for x in rows if x["keep"]}
    md = {p.relative_to(out).as_posix() for p in out.rglob("*.md")}
    assert md == {d for d in kept if d.endswith(".md")}
    for d in md:
        assert (out / d).read_bytes() == (corpus / d).read_bytes()
    n_csv = sum(d.startswith("ads.csv#") for d in kept)
    if n_csv:
        with open(out / "ads.csv", newline="", encoding="utf-8") as fh:
            got = list(csv.DictReader(fh))
        assert len(got) == n_csv and set(got[0]) == {"id", "headline", "text", "source"}
    n_jsonl = sum(d.startswith("social.jsonl#") for d in kept)
    if n_jsonl:
        assert len((out / "social.jsonl").read_text().splitlines()) == n_jsonl
    n_pq = sum(d.startswith("rows.parquet#") for d in kept)
    if n_pq:
        import pyarrow.parquet as pq

        assert pq.read_table(out / "rows.parquet").num_rows == n_pq


def test_curate_is_deterministic_and_the_seed_matters_only_where_random(corpus, tmp_path):
    a, rows_a = _run(corpus, tmp_path, "a")
    b, rows_b = _run(corpus, tmp_path, "b")
    assert rows_a == rows_b
    assert {**a.to_dict(), "manifest": None} == {**b.to_dict(), "manifest": None}
    c, rows_c = _run(corpus, tmp_path, "c", random_state=5)
    assert c.measure("topics.mean_cosine").random != a.measure("topics.mean_cosine").random


def test_always_keep_prefer_source_keep_share_and_target(corpus, tmp_path):
    listing = tmp_path / "keep.txt"
    listing.write_text("# protected\nposts/copy-0-0.md\nads.csv#4\nnot/there.md\n")
    r, rows = _run(corpus, tmp_path, always_keep=listing)
    by = {x["doc"]: x for x in rows}
    assert by["posts/copy-0-0.md"]["keep"] and by["ads.csv#4"]["reason"] == "always keep"
    assert not by["posts/p00.md"]["keep"]  # its family's protected member stands for it
    r, rows = _run(corpus, tmp_path, always_keep=corpus / "posts", keep=40)
    assert all(x["keep"] for x in rows if x["doc"].startswith("posts/"))
    r, rows = _run(corpus, tmp_path, keep="25%", source_field="source", prefer_source="Human")
    assert r.counts.kept == round(60 * 0.25)
    share = {s.source: s.share_kept for s in r.sources}
    assert share["human"] > share["model"]
    t, _ = _run(corpus, tmp_path, keep=None, target=0.05)
    assert t.measure("topics.mean_cosine").kept <= 0.05 or t.notes
    assert t.target == 0.05 and 2 <= t.counts.kept <= 60


@pytest.mark.parametrize("kw,message", [
    ({"keep": 5, "target": 0.1}, "one of the two"),
    ({"keep": None}, "one of the two"),
    ({"keep": "lots"}, "--keep lots"),
    ({"keep": "150%"}, "at most 100%"),
    ({"keep": 5, "prefer_source": "human"}, "needs --source-field"),
    ({"keep": 5, "always_keep": "/no/such/list"}, "no such file"),
])
def test_curate_usage_errors(corpus, kw, message):
    with pytest.raises(UsageError, match=message):
        auditor.curate(corpus, embedder=EMB, progress=False, **kw)


def test_curate_refuses_an_out_folder_inside_the_corpus_or_not_empty(corpus, tmp_path):
    with pytest.raises(UsageError, match="inside the corpus"):
        auditor.curate(corpus, keep=5, out=corpus / "kept", embedder=EMB, progress=False)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    with pytest.raises(UsageError, match="not an empty folder"):
        auditor.curate(corpus, keep=5, out=tmp_path / "full", embedder=EMB, progress=False)
    with pytest.raises(UsageError, match="more than"):
        auditor.curate(corpus, keep=3, always_keep=corpus / "posts", embedder=EMB,
                       progress=False)
    with pytest.raises(InputError, match="no such file"):
        auditor.curate(tmp_path / "nothing", keep=3, embedder=EMB, progress=False)


def test_cli_curate_json_exit_codes_and_80_columns(corpus, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["curate", str(corpus), "--keep", "20", "--model", "hashing", "--json",
                 str(out), "--quiet"]) == 0
    data = json.loads(out.read_text())
    assert data["kind"] == "curate" and data["counts"]["kept"] == 20
    assert main(["curate", str(corpus), "--keep", "20", "--target", "0.1", "--quiet"]) == 2
    assert "one of the two" in capsys.readouterr().err
    assert main(["curate", str(tmp_path / "missing"), "--keep", "2", "--quiet"]) == 3
    r = auditor.curate(corpus, keep=20, embedder=EMB, progress=False, random_subsets=3)
    buf = io.StringIO()
    render_curate(r, Console(file=buf, width=80, color_system=None))
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("Kept 20 of 60: mean similarity")
    assert max(map(len, lines)) <= 80 and any("beats all" in x or " no " in x for x in lines)


# ------------------------------------------------------------------ validity, fast version

def test_validity_on_real_reviews_with_planted_near_copies(tmp_path):
    """bench_curate.py's criteria on 400 real Yelp reviews (200 human, 200 model-written)
    with 40 planted families (one word in 50 replaced, or an exact copy): at most one member
    of each family kept, and the kept set below every one of 20 random subsets on mean
    pairwise similarity and compression ratio (hashing embedder)."""
    recs = [json.loads(x) for x in shared(YELP).read_text(encoding="utf-8").splitlines()]
    rng = random.Random(0)
    human = rng.sample([r for r in recs if r["origin"] == "human"], 200)
    model = rng.sample([r for r in recs if r["origin"] != "human"], 200)
    docs = [{"text": r["text"], "source": "human" if r in human else "model", "family": -1}
            for r in human + model]
    for f, i in enumerate(rng.sample(range(len(docs)), 40)):
        docs[i]["family"] = f
        for _ in range(rng.randint(1, 3)):
            words = docs[i]["text"].split()
            for j in rng.sample(range(len(words)), len(words) // 50):
                words[j] = rng.choice(WORDS)
            docs.append({**docs[i], "text": " ".join(words)})
    rng.shuffle(docs)
    path = tmp_path / "pool.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    r, rows = _run(path, tmp_path, keep="30%", source_field="source", random_subsets=20,
                   report_words=10000)
    kept_families = [docs[i]["family"] for i, x in enumerate(rows)
                     if x["keep"] and docs[i]["family"] >= 0]
    assert len(kept_families) == len(set(kept_families))  # V1
    assert r.measure("topics.mean_cosine").beats_random  # V2
    assert r.measure("wording.compression_ratio").beats_random  # V3
    assert len(r.measure("topics.mean_cosine").random) == 20
