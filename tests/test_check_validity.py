"""The check's false alarms on fresh human drafts, fast: a small ``--model hashing`` slice of
``bench/check_validity.py`` (real human Yelp reviews: a dated corpus of 150, 50 other reviews as
drafts). The figures with the real model are the bench's (README, "Pre-publish check")."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from .conftest import YELP, shared

BENCH = Path(__file__).resolve().parents[1] / "bench" / "check_validity.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("check_validity", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_fresh_human_drafts_are_never_samey(tmp_path):
    shared(YELP)
    bench = load_bench()
    out = bench.run_source("yelp", model="hashing", n_drafts=50, corpus_size=150, seed=0,
                           work=tmp_path)
    print(bench.report(out))
    assert out.drafts == 50
    assert out.statuses["samey"] == 0, bench.report(out)
    assert sum(out.statuses.values()) == 50


def test_the_bench_criteria_are_the_documented_ones():
    """C3 at 100 drafts allows 15 flagged, not 16 (the docstring's worked numbers)."""
    bench = load_bench()
    assert bench.binom_sf(15, 100, 0.10) >= 0.05 > bench.binom_sf(16, 100, 0.10)
    assert bench.binom_sf(10, 60, 0.10) >= 0.05 > bench.binom_sf(11, 60, 0.10)
    lo, hi = bench.wilson(0, 60)
    assert lo == 0.0 and 0.05 < hi < 0.07
