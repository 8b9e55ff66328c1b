"""Provenance (who made it samey) and the action list (what to revise first): the Shapley
functions on closed-form games, the per-post measurements, the rules, and one audit of a
synthetic corpus whose sources are known, through the CLI (JSON, CSV, terminal)."""
from __future__ import annotations

import csv
import itertools
import json
import math
import random

import numpy as np
import pytest

from auditor.cli import main
from auditor.config import read_config
from auditor.judge.actions import Frame, PostSignals, rank_posts
from auditor.judge.provenance import dominant_source, period_contribution, targets
from auditor.metrics.posts import excess_per_post, k_occurrence
from auditor.metrics.provenance import (
    additive_shares,
    coalition_rows,
    ratio_shares,
    shapley_in_order,
    shapley_values,
)
from auditor.render.schema import load
from auditor.results import (
    Comparison,
    LayerContribution,
    LayerState,
    PeriodProvenance,
    PeriodResult,
    SourceContribution,
)

# ---------------------------------------------------------------- Shapley values


def test_glove_game_and_additive_game_have_their_closed_form_values():
    glove = lambda s: float(0 in s and bool(s & {1, 2}))  # noqa: E731
    assert np.allclose(shapley_values(3, glove), [2 / 3, 1 / 6, 1 / 6])
    additive = lambda s: sum((5.0, -1.0, 2.0)[i] for i in s)  # noqa: E731
    assert np.allclose(shapley_values(3, additive), [5.0, -1.0, 2.0])
    assert shapley_values(0, glove).size == 0


def test_exact_values_are_the_mean_over_every_order_and_each_order_is_efficient():
    rng = np.random.default_rng(3)
    table = {frozenset(c): float(rng.normal())
             for n in range(5) for c in itertools.combinations(range(4), n)}
    v = table.__getitem__
    orders = [shapley_in_order(list(o), v) for o in itertools.permutations(range(4))]
    assert np.allclose(np.mean(orders, axis=0), shapley_values(4, v))
    total = v(frozenset(range(4))) - v(frozenset())
    assert all(math.isclose(o.sum(), total) for o in orders)
    assert math.isclose(shapley_values(4, v).sum(), total)


def test_symmetric_players_get_the_same_and_null_players_nothing():
    v = lambda s: float(len(s & {0, 1}) ** 2)  # noqa: E731  (player 2 adds nothing)
    phi = shapley_values(3, v)
    assert math.isclose(phi[0], phi[1]) and math.isclose(phi[2], 0.0, abs_tol=1e-12)


def test_a_coalition_keeps_its_posts_and_stands_baseline_posts_in_for_the_rest():
    rows, fillers, who = np.array([10, 11, 12, 13]), np.array([0, 1, 2, 3]), np.array([0, 1, 1, 2])
    assert coalition_rows(rows, fillers, who, frozenset({1})).tolist() == [0, 11, 12, 3]
    assert coalition_rows(rows, fillers, who, frozenset()).tolist() == [0, 1, 2, 3]


def test_shares_sum_to_one_and_are_undefined_without_a_move():
    phi = np.array([[3.0, 1.0, -0.5], [2.0, 0.5, 0.0], [4.0, 1.5, -1.0]])
    s = ratio_shares(phi, random_state=1)
    assert math.isclose(s.value.sum(), 1.0)
    assert np.all(s.low <= s.value + 1e-12) and np.all(s.value <= s.high + 1e-12)
    assert np.isnan(ratio_shares(-phi).value).all()
    a = additive_shares(np.array([0.9, 0.8, -0.1, 0.0]), np.array([0, 0, 1, 1]), 2)
    assert math.isclose(a.value.sum(), 1.0) and a.value[0] > 1.0 > a.value[1] + 1
    assert np.isnan(additive_shares(np.zeros(3), np.zeros(3, int), 1).value).all()


def test_excess_per_post_sums_to_the_period_excess_and_k_occurrence_to_nk():
    sets = [{"a"}, {"a", "b"}, set(), {"b"}]
    q = {"a": 0.1, "b": 0.2}
    x = excess_per_post(sets, q, ["a", "b"])
    assert math.isclose(x.sum(), (2 - 4 * 0.1) + (2 - 4 * 0.2))
    X = np.random.default_rng(0).normal(size=(30, 8))
    assert k_occurrence(X, k=3).sum() == 30 * 3
    assert k_occurrence(X[:1], k=3).tolist() == [0]


# ---------------------------------------------------------------- rules


def _period(label: str, status: str, moved: dict[str, bool]) -> PeriodResult:
    comps = {"wording.compression_ratio": Comparison(2.0, 1.0, 0.5, 9.0, 0.0, moved=True),
             "wording.self_repetition": Comparison(2.0, 0.1, 0.05, 1.0, 0.2),
             "structure.opening_repetition": Comparison(0.1, 0.0, 0.0, 0.5, 0.3)}
    layers = {x: LayerState(0.0, moved.get(x, False), False, False)
              for x in ("topics", "wording", "structure", "duplication", "tails", "character")}
    return PeriodResult(label, "", "", 25, False, status, {}, comps, layers, [])


def test_targets_attribute_the_driving_metric_stock_frames_and_the_character_layer():
    p = _period("2024-06", "samey", {"wording": True, "structure": True, "character": True})
    got = {(t.layer, t.kind, t.metric) for t in targets(p, stock_layers=["structure"])}
    assert got == {("wording", "metric", "wording.compression_ratio"),
                   ("structure", "stock", "stock frames"),
                   ("character", "character", "character.unlike_baseline")}
    assert targets(_period("2024-06", "baseline", {"wording": True})) == []
    assert targets(_period("2024-06", "ok", {})) == []


def _prov(label: str, shares: dict[str, tuple[int, float]]) -> PeriodProvenance:
    return PeriodProvenance(label, "samey", ["wording"], [
        SourceContribution(s, n, n / 25, c, {"wording": LayerContribution(c, c, c, "m", "x")})
        for s, (n, c) in shares.items()])


def test_the_headline_names_a_source_that_made_most_of_the_move():
    periods = [_period("2024-05", "ok", {}), _period("2024-06", "samey", {"wording": True}),
               _period("2024-07", "samey", {"wording": True})]
    prov = [_prov("2024-06", {"ai-desk": (8, 0.8), "ana": (17, 0.2)}),
            _prov("2024-07", {"ai-desk": (8, 0.9), "ana": (17, 0.1)})]
    d = dominant_source(periods, prov, "byline")
    assert d is not None and d.source == "ai-desk" and d.since == "2024-06"
    assert d.sentence == ("Posts by ai-desk (32% of posts) account for 85% of the rise in "
                          "repeated wording since June 2024.")
    shared = [_prov(x, {"ai-desk": (12, 0.45), "ana": (13, 0.55)}) for x in ("2024-06",
                                                                           "2024-07")]
    assert dominant_source(periods, shared, "byline").source == "ana"
    even = [_prov(x, {"ai-desk": (12, 0.4), "ana": (13, 0.4), "ben": (0, 0.2)})
            for x in ("2024-06", "2024-07")]
    assert dominant_source(periods, even, "byline") is None
    beyond = [_prov(x, {"(no source)": (8, 1.2), "ana": (17, -0.2)}) for x in ("2024-06",
                                                                               "2024-07")]
    assert dominant_source(periods, beyond, "byline").sentence.startswith(
        "Posts with no byline (32% of posts) account for all of the rise")
    assert period_contribution({}) is None


def test_the_action_list_ranks_by_what_each_post_adds_and_says_why():
    stock = PostSignals("a.md", "A", None, "ai-desk",
                        frames=(Frame("opening", "here is a", 7, True),),
                        phrases=("seamless",), phrase_total=2, unlike=0.8,
                        markers=("delightful",))
    shared = PostSignals("b.md", "B", None, "ana", frames=(Frame("closing", "see you", 3, False),))
    plain = PostSignals("c.md", None, None, None, unlike=0.25)
    ranked = rank_posts([plain, shared, stock], moved=["structure", "wording", "character"])
    assert [r.doc for r in ranked] == ["a.md", "b.md"]  # c.md has no reason: not listed
    top = ranked[0]
    assert top.why[0].startswith("opens with \"here is a\", as 7 other posts do")
    assert any("reads unlike your baseline posts" in w for w in top.why)
    assert top.change == 'rewrite the opening ("here is a")'
    assert 0 < ranked[1].score < top.score <= 1


def test_source_field_is_an_ingest_key_and_the_curate_key_still_works(tmp_path):
    cfg = tmp_path / "samey.toml"
    cfg.write_text("[curate]\nsource_field = \"origin\"\nrandom_subsets = 5\n")
    assert read_config(cfg) == {"curate": {"random_subsets": 5},
                                "ingest": {"source_field": "origin"}}
    cfg.write_text("[ingest]\nsource_field = \"byline\"\n[curate]\nsource_field = \"origin\"\n")
    assert read_config(cfg)["ingest"] == {"source_field": "byline"}


# ---------------------------------------------------------------- one audit, end to end

_WORDS = ("trail river summit forest canyon meadow ridge lake valley harbor market coffee bread "
          "garden lantern compass kettle blanket journal bicycle kayak tent stove boots map "
          "weather storm sunrise winter spring autumn neighbour volunteer workshop repair recipe "
          "story letter festival library museum orchard village bridge tunnel island coast").split()
_STOCK = ("In today's fast-paced world, teams need seamless workflows. {x} We unlock robust "
          "results and elevate every project with seamless tools. {y} Start your free trial "
          "today.")


def _human(rng: random.Random) -> str:
    return " ".join(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(7, 14))).capitalize()
                    + "." for _ in range(rng.randint(7, 11)))


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """Six months of 24 posts: ana and ben (and one post a month without a byline), then from
    month 5 half the posts from ai-desk, a stock template."""
    root = tmp_path_factory.mktemp("prov") / "corpus"
    rng = random.Random(7)
    for m in range(6):
        for i in range(24):
            bot = m >= 4 and i % 2 == 0
            text = (_STOCK.format(x=_human(rng)[:160], y=_human(rng)[:160]) if bot
                    else _human(rng))
            by = "" if i == 23 else f"byline: {'ai-desk' if bot else rng.choice(['ana', 'ben'])}\n"
            p = root / f"2025-{m + 1:02d}-{i:02d}.md"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(f"---\ntitle: Post {m}-{i}\ndate: 2025-{m + 1:02d}-{i + 1:02d}\n{by}"
                         f"---\n\n{text}\n")
    out, table = root.parent / "audit.json", root.parent / "actions.csv"
    code = main(["audit", str(root), "--model", "hashing", "--period", "month", "--quiet",
                 "--source-field", "ByLine", "--json", str(out), "--actions-csv", str(table)])
    return code, json.loads(out.read_text()), table


def test_the_audit_splits_every_period_by_source_and_credits_the_account_that_moved(audited):
    code, doc, _ = audited
    assert code == 0
    import jsonschema
    jsonschema.validate(doc, load("audit"))
    prov = doc["provenance"]
    assert prov["field"] == "ByLine" and len(prov["periods"]) == len(doc["periods"])
    assert any("have no 'ByLine'" in n for n in prov["notes"])
    flagged = [p for p in prov["periods"] if p["status"] in ("watch", "samey")]
    assert flagged and all(p["layers"] for p in flagged)
    for p in prov["periods"]:
        names = {s["source"] for s in p["sources"]}
        assert "(no source)" in names and sum(s["posts"] for s in p["sources"]) == \
            next(q["n_docs"] for q in doc["periods"] if q["label"] == p["label"])
    for p in flagged:
        assert p["sources"][0]["source"] == "ai-desk"
        for layer in p["layers"]:
            assert math.isclose(sum(s["by_layer"][layer]["contribution"]
                                    for s in p["sources"]), 1.0, abs_tol=1e-9)
    assert prov["dominant"]["source"] == "ai-desk"
    assert "Posts by ai-desk" in doc["summary"]


def test_the_action_list_puts_the_accounts_posts_first_and_exports_csv(audited):
    _, doc, table = audited
    acts = doc["actions"]
    assert acts["period"] == doc["periods"][-1]["label"]
    top = acts["revise_first"][:5]
    assert top and all(r["source"] == "ai-desk" and r["why"] and r["change"] for r in top)
    assert {a["period"] for a in acts["flagged"]} <= {p["label"] for p in doc["periods"]}
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert rows[0]["period"] == acts["period"] and rows[0]["rank"] == "1"
    assert rows[0]["doc"] == top[0]["doc"] and rows[0]["source"] == "ai-desk"
    assert len(rows) == len(acts["revise_first"]) + sum(
        len(a["revise_first"]) for a in acts["flagged"] if a["period"] != acts["period"])


def test_source_field_on_no_post_is_said_in_one_line(tmp_path, capsys):
    root = tmp_path / "c"
    rng = random.Random(1)
    for m in range(3):
        for i in range(12):
            p = root / f"2025-{m + 1:02d}-{i:02d}.md"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(f"---\ndate: 2025-{m + 1:02d}-{i + 1:02d}\n---\n\n{_human(rng)}\n")
    out = tmp_path / "a.json"
    assert main(["audit", str(root), "--model", "hashing", "--period", "month", "--quiet",
                 "--source-field", "author", "--json", str(out)]) == 0
    prov = json.loads(out.read_text())["provenance"]
    assert prov["notes"] == ["--source-field author: none of the 36 analysed posts has the "
                             "field 'author' (a front matter key or column); check the name "
                             "(matched case-insensitively) or pick another field."]
    assert prov["dominant"] is None


def test_the_source_is_read_like_a_segment_field_in_every_format(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from auditor.config import IngestOptions
    from auditor.ingest import load_documents

    body = " ".join(_WORDS[:30])
    (tmp_path / "a.md").write_text(
        f"---\ndate: 2025-01-02\nByline: [AI  Desk, ana]\n---\n\n{body}\n")
    (tmp_path / "b.md").write_text(f"---\ndate: 2025-01-03\nbyline: 'ben, ana'\n---\n\n{body} b\n")
    (tmp_path / "c.md").write_text(f"---\ndate: 2025-01-04\n---\n\n{body} c\n")
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": body + " d", "byline": "Chloe",
                                                  "date": "2025-01-05"}) + "\n")
    pq.write_table(pa.table({"text": [body + " e"], "byline": ["dana"], "date": ["2025-01-06"]}),
                   tmp_path / "e.parquet")
    docs = load_documents(tmp_path, IngestOptions(source_field="BYLINE")).documents
    got = {d.path: d.source for d in docs}
    assert got == {"a.md": "ai desk", "b.md": "ben", "c.md": None, "d.jsonl": "chloe",
                   "e.parquet": "dana"}
