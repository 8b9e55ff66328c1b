"""Fast versions of bench/validity.py (hashing embedder, fewer trials): the same pass criteria as
the full real-model bench (see its module docstring and bench/validity_model.py), checked
through the public driving API (documents with real dates, default audit, no baseline given).

N2 and N3 (pooled bounds over >= 300 trials) need the full bench and are not checked here; M3
(60% months) is reported by the full bench, where it does not yet hold (README), so it is not
asserted here. The slices that run the real model are in tests/test_validity_real.py (a file of
their own, so that the parallel gate runs them beside these).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import ONEUPTIME, RUST, YELP, shared

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import validity as V  # noqa: E402
import validity_model as M  # noqa: E402


@pytest.fixture(scope="module")
def setup():
    shared(RUST), shared(ONEUPTIME), shared(YELP)
    return V.load_corpora(), V.MemoEmbedder(V.make_embedder("hashing"))


def _check(criteria: dict, name: str) -> None:
    c = criteria[name]
    assert c["pass"], f"{name}: {c['detail']}"


@pytest.fixture(scope="module")
def null(setup):
    corpora, emb = setup
    trials = V.run_null(corpora, emb, V.null_plan(fast=True), log=lambda s: None)
    table = V.null_table(trials)
    return table, V.null_criteria(table, fast=True)


@pytest.fixture(scope="module")
def dose(setup):
    corpora, emb = setup
    table = V.dose_table(V.run_dose(V.rust_early(corpora), emb, 1, log=lambda s: None))
    return table, V.dose_criteria(table)


@pytest.fixture(scope="module")
def recursive(setup):
    corpora, emb = setup
    runs = V.run_recursive(V.rust_early(corpora), emb, 1, log=lambda s: None)
    return runs, V.recursive_criteria(runs)


@pytest.fixture(scope="module")
def tiny(setup):
    corpora, emb = setup
    trials = V.run_tiny(corpora, emb, 6, log=lambda s: None)
    return trials, V.tiny_criteria(trials)


def test_wilson_interval_known_values():
    lo, hi = V.wilson(0, 60)
    assert lo == 0 and hi == pytest.approx(0.0602, abs=1e-3)
    lo, hi = V.wilson(5, 100)
    assert (lo, hi) == (pytest.approx(0.0215, abs=1e-3), pytest.approx(0.1118, abs=1e-3))


def test_null_plan_covers_sizes_and_both_corpora():
    full = V.null_plan(fast=False)
    assert set(full) == {3, 5, 10, 20, 50, 100}
    assert sum(n for per in full.values() for n in per.values()) >= 300
    assert all("oneuptime" in full[k] for k in (3, 5, 10, 20, 50))


def test_null_splits_no_false_alarms_N1(null):
    table, criteria = null
    # every planned trial ran, and not-judged trials are counted apart from ok
    assert sum(r["trials"] for r in table) == sum(
        n for per in V.null_plan(fast=True).values() for n in per.values())
    for r in table:
        assert r["ok"] + r["watch"] + r["samey"] + r["not_judged"] == r["trials"]
    _check(criteria, "N1")


@pytest.mark.parametrize("name", ["D1", "D2", "D3", "D4"])
def test_dose_response(dose, name):
    table, criteria = dose
    assert set(table) == set(V.KINDS)
    for t in table.values():
        assert [s["share"] for s in t["steps"]] == list(V.SHARES)
    _check(criteria, name)


@pytest.mark.parametrize("name", ["R1", "R2", "R3"])
def test_recursive_collapse_onset_in_month_2(recursive, name):
    _, criteria = recursive
    _check(criteria, name)


def test_tiny_months_never_samey_T1(tiny):
    trials, criteria = tiny
    assert len(trials) == 6
    _check(criteria, "T1")


@pytest.fixture(scope="module")
def model_text(setup):
    _, emb = setup
    trials = M.run_model(M.sources(), emb, fast=True, log=lambda s: None)
    return trials, M.model_criteria(trials, M.model_table(trials))


@pytest.mark.parametrize("name", ["M1", "M2"])
def test_real_model_text_after_a_switch(model_text, name):
    trials, criteria = model_text
    assert {t["scenario"] for t in trials} == {"pure", "share"}
    _check(criteria, name)


def test_long_human_only_runs_H1(setup):
    _, emb = setup
    trials = M.run_human(M.sources(), emb, fast=True, log=lambda s: None)
    assert len(trials) == 2 and all(len(t["statuses"]) == 10 for t in trials)
    _check(M.human_criteria(trials), "H1")
