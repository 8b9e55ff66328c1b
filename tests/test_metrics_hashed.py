"""The hashed fast paths give exactly the reference metric values."""
import random

import numpy as np
import pytest

from auditor.metrics import hashed, structure, wording
from auditor.metrics.corpus import hash_features


def random_docs(seed, n_docs=30, vocab=40):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    return [tuple(rng.choice(words) for _ in range(rng.randint(0, 60))) for _ in range(n_docs)]


def random_shapes(seed, n_docs=30):
    rng = random.Random(seed)
    toks = ["X", "X", "X", "the", "of", "and", "to", ",", ".", "0"]
    return [tuple(rng.choice(toks) for _ in range(rng.randint(0, 40))) for _ in range(n_docs)]


@pytest.mark.parametrize("seed", range(5))
def test_hashed_equals_reference(seed):
    docs, shapes = random_docs(seed), random_shapes(seed)
    wng, totals, sng, elig = hash_features(docs, shapes)
    assert hashed.self_repetition_hashed([g[3] for g in wng]) == pytest.approx(
        wording.self_repetition(docs, n=4), abs=1e-12)
    ref = wording.ngram_diversity(docs, max_n=4)
    got = hashed.ngram_diversity_hashed(wng, totals.sum(axis=0))
    assert (np.isnan(ref) and np.isnan(got)) or got == pytest.approx(ref, abs=1e-12)
    assert hashed.template_coverage_hashed(sng, elig) == pytest.approx(
        structure.template_share(shapes), abs=1e-12)


def test_hash_ngrams_order_matters_and_short_input():
    a = hashed.hash_ngrams(np.array([1, 2, 3]), 2)
    b = hashed.hash_ngrams(np.array([2, 1, 3]), 2)
    assert len(a) == 2 and a[0] != b[0]
    assert hashed.hash_ngrams(np.array([1]), 2).size == 0
    assert np.isnan(hashed.self_repetition_hashed([np.zeros(0, np.uint64)]))
