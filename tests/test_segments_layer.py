"""Segments layer: known synthetic cases for convergence, uniformity, imbalance, small and
multi-label segments, and invariance to renaming segments."""
import datetime as dt
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from auditor.app.segments import analyse_segments
from auditor.render.jsonout import dumps
from auditor.types import Document, Period

D = 32
NOISE = 0.12


def unit(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def centre(k):
    return np.eye(D)[k]


def build(spec, *, n_periods=6, n_base=3, seed=0):
    """spec(period_index) -> list of (labels tuple, centre vector, noise, count).

    Returns a Prepared-like object: documents, features.embeddings, periods (by year from 2019)."""
    rng = np.random.default_rng(seed)
    docs, rows, periods = [], [], []
    for t in range(n_periods):
        start = len(docs)
        for labels, c, noise, count in spec(t):
            for _ in range(count):
                rows.append(unit(c + noise * rng.normal(size=D)))
                docs.append(Document(doc_id=f"d{len(docs)}", path=f"d{len(docs)}", text="x",
                                     date=dt.date(2019 + t, 6, 1), segments=tuple(labels)))
        periods.append(Period(str(2019 + t), dt.date(2019 + t, 1, 1), dt.date(2019 + t, 12, 31),
                              tuple(range(start, len(docs))), is_baseline=t < n_base))
    return SimpleNamespace(documents=docs, features=SimpleNamespace(embeddings=np.array(rows)),
                           periods=periods)


def stable(t):
    return [(("a",), centre(0), NOISE, 30), (("b",), centre(1), NOISE, 30),
            (("c",), centre(2), NOISE, 30)]


def pairs(res):
    return {frozenset((r["a"], r["b"])) for r in res["converging_pairs"]}


def test_separated_stable_clusters_are_ok():
    res = analyse_segments(build(stable), field="category")
    assert res["status"] == {"2022": "ok", "2023": "ok", "2024": "ok"}
    assert res["converging_pairs"] == [] and res["uniform_segments"] == []
    base = res["baseline"]
    assert base["ncm_balanced_accuracy"] == pytest.approx(1.0)
    assert all(p["cdnv"] < 0.3 for p in base["top_pairs"])
    assert base["simplex_cosine"] == pytest.approx(-0.5)
    assert base["mean_centred_cosine"] == pytest.approx(-0.5, abs=0.05)
    assert base["nc1"] < 0.5
    json.loads(dumps(res))  # JSON-ready


def test_two_segments_moving_to_one_template_converge():
    template = unit(centre(0) + centre(1))

    def spec(t):
        if t < 4:
            return stable(t)
        return [(("a",), template, NOISE, 30), (("b",), template, NOISE, 30),
                (("c",), centre(2), NOISE, 30)]

    res = analyse_segments(build(spec))
    assert res["status"]["2022"] == "ok"
    assert res["status"]["2023"] == "samey" and res["status"]["2024"] == "samey"
    assert pairs(res) == {frozenset("ab")}
    row = res["converging_pairs"][0]
    assert row["ratio"] > 10 and row["low"] > 1
    cmp_ = res["periods"]["2023"]["comparison"]
    assert cmp_["accuracy_fell"] and cmp_["balanced_accuracy"] < 0.85
    assert any("'a' and 'b' now read the same" in f for f in res["findings"])
    # merged clusters: high CDNV within the period itself
    assert res["periods"]["2024"]["top_pairs"][0]["cdnv"] > 1


def test_one_segment_collapsing_is_uniform_not_converging():
    def spec(t):
        rows = stable(t)
        if t >= 3:
            rows[2] = (("c",), centre(2), NOISE / 5, 30)
        return rows

    res = analyse_segments(build(spec))
    assert res["converging_pairs"] == []
    assert {r["segment"] for r in res["uniform_segments"]} == {"c"}
    assert all(r["ratio"] < 0.2 and r["high"] < 1 for r in res["uniform_segments"])
    assert set(res["status"].values()) == {"watch"}
    assert any(f.startswith("'c' is becoming uniform") for f in res["findings"])


def test_imbalance_20x_uses_balanced_accuracy_and_small_pair_still_flagged():
    mid = unit(centre(1) + centre(2))

    def spec(t):
        if t < 3:
            return [(("big",), centre(0), NOISE, 200), (("b",), centre(1), NOISE, 10),
                    (("c",), centre(2), NOISE, 10)]
        return [(("big",), centre(0), NOISE, 200), (("b",), mid, NOISE, 10),
                (("c",), mid, NOISE, 10)]

    res = analyse_segments(build(spec))
    cmp_ = res["periods"]["2023"]["comparison"]
    # weighted accuracy would be ~ (200 + 10) / 220 = 0.95; balanced is ~ (1 + .5 + .5) / 3
    assert cmp_["balanced_accuracy"] < 0.8
    assert res["periods"]["2023"]["ncm_balanced_accuracy"] == pytest.approx(
        cmp_["balanced_accuracy"])
    assert pairs(res) == {frozenset("bc")}
    assert set(res["status"].values()) == {"samey"}


def test_too_small_segment_is_listed_not_used():
    def spec(t):
        return stable(t) + [(("events",), centre(3), NOISE, 3 if t == 4 else 8)]

    res = analyse_segments(build(spec))
    assert res["too_small"]["2023"] == ["events"]
    assert res["too_small"]["2022"] == []
    assert "events" not in res["periods"]["2023"]["comparison"]["segments"]
    assert "events" in res["periods"]["2022"]["comparison"]["segments"]
    assert "'events' has too few posts (3) in 2023 to judge." in res["findings"]
    assert math.isnan(res["periods"]["2023"]["segments"]["events"]["spread"])


def test_multi_label_rule_spread_every_label_between_first_label():
    def spec(t):
        # 10 posts near a's centre tagged (a, b): in a's partition, in b's spread
        return [(("a",), centre(0), NOISE, 20), (("a", "b"), centre(0), NOISE, 10),
                (("b",), centre(1), NOISE, 30), (("c",), centre(2), NOISE, 30)]

    res = analyse_segments(build(spec))
    base = res["baseline"]
    assert res["multi_labelled"] == 60
    assert base["segments"]["b"]["n"] == 120 and base["segments"]["b"]["n_primary"] == 90
    assert base["segments"]["a"]["n"] == 90
    # partition by first label: everything classifies right
    assert base["ncm_balanced_accuracy"] == pytest.approx(1.0)
    # b's spread includes the a-like posts: far wider than c's
    assert base["segments"]["b"]["spread"] > 1.5 * base["segments"]["c"]["spread"]
    assert res["converging_pairs"] == []

    def swapped(t):  # same posts, primary label b: b's docs are now 25% misplaced
        rows = spec(t)
        rows[1] = (("b", "a"), centre(0), NOISE, 10)
        return rows

    res2 = analyse_segments(build(swapped))
    assert res2["baseline"]["segments"]["b"]["ncm_recall"] < 0.8
    assert res2["baseline"]["segments"]["b"]["spread"] == pytest.approx(
        base["segments"]["b"]["spread"])


def test_unlabelled_documents_are_counted():
    def spec(t):
        return stable(t) + [((), centre(4), NOISE, 4)]

    res = analyse_segments(build(spec), field="team")
    assert res["unlabelled"] == 24
    assert res["labels"] == ["a", "b", "c"]
    assert "24 posts have no 'team' label and are left out of the segment comparison." \
        in res["findings"]


def test_relabelling_invariance():
    template = unit(centre(0) + centre(1))

    def spec(t, names=("a", "b", "c")):
        a, b, c = names
        if t < 4:
            return [((a,), centre(0), NOISE, 30), ((b,), centre(1), NOISE, 20),
                    ((c,), centre(2), NOISE / (3 if t >= 3 else 1), 25)]
        return [((a,), template, NOISE, 30), ((b,), template, NOISE, 20),
                ((c,), centre(2), NOISE / 3, 25)]

    names = ("zeta", "alpha", "mu")
    r1 = analyse_segments(build(spec))
    r2 = analyse_segments(build(lambda t: spec(t, names)))
    back = dict(zip(names, "abc"))
    assert r1["status"] == r2["status"]
    assert pairs(r1) == {frozenset(back[x] for x in p) for p in pairs(r2)}
    for k in ("nc1", "ncm_balanced_accuracy", "mean_centred_cosine"):
        assert r1["baseline"][k] == pytest.approx(r2["baseline"][k])
    key = lambda r: (frozenset((r["a"], r["b"])), r["period"])  # noqa: E731
    rows1 = {key(r): (r["ratio"], r["low"]) for r in r1["converging_pairs"]}
    rows2 = {(frozenset(back[x] for x in key(r)[0]), r["period"]): (r["ratio"], r["low"])
             for r in r2["converging_pairs"]}
    assert rows1.keys() == rows2.keys() and rows1
    for k in rows1:
        assert rows1[k] == pytest.approx(rows2[k])
    u1 = {(r["segment"], r["period"]): r["high"] for r in r1["uniform_segments"]}
    u2 = {(back[r["segment"]], r["period"]): r["high"] for r in r2["uniform_segments"]}
    assert u1.keys() == u2.keys() and u1 and all(u1[k] == pytest.approx(u2[k]) for k in u1)


def test_seeded_and_noisy_labels_noted():
    def spec(t):  # labels assigned at random: nothing separates x from y
        return [(("x",), centre(0), 0.5, 20), (("y",), centre(0), 0.5, 20)]

    p = build(spec)
    r1, r2 = analyse_segments(p, random_state=3), analyse_segments(p, random_state=3)
    assert dumps(r1) == dumps(r2)
    assert {n["segment"] for n in r1["noisy_labels"]} <= {"x", "y"} and r1["noisy_labels"]
    assert any("look noisy" in f for f in r1["findings"])


def test_renderers_escape_and_show_findings():
    from io import StringIO

    from rich.console import Console

    from auditor.render.html import render_segments_html as segments_html
    from auditor.render.segments_view import render_segments

    template = unit(centre(0) + centre(1))

    def spec(t):
        names = ("<b>A&B</b>", "b", "c")
        pts = [centre(0), centre(1), centre(2)] if t < 4 else [template, template, centre(2)]
        return [((n,), c, NOISE, 30) for n, c in zip(names, pts)]

    res = analyse_segments(build(spec), field="cat<egory>")
    html = segments_html(res)
    assert "<b>A&B</b>" not in html and "&lt;b&gt;A&amp;B&lt;/b&gt;" in html
    assert "cat&lt;egory&gt;" in html and "samey" in html
    buf = StringIO()
    render_segments(res, Console(file=buf, width=200))
    out = buf.getvalue()
    assert "now read the same" in out and "samey" in out
    assert segments_html({}) == ""
