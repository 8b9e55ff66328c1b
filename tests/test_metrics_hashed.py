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
    hf = hash_features(docs, shapes)
    wng, totals, sng, elig = hf.word_ngrams, hf.totals, hf.shape_ngrams, hf.shape_eligible
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


def _features(docs, shapes):
    from auditor.features.tokens import SHAPE_PUNCT
    from auditor.metrics.corpus import CorpusFeatures
    hf = hash_features(docs, shapes)
    n = len(docs)
    lemmas = tuple(tuple(w.upper() for w in d) for d in docs)
    return CorpusFeatures(
        doc_ids=tuple(str(i) for i in range(n)), words=tuple(docs), shapes=tuple(shapes),
        sentence_lengths=tuple((len(d),) if d else () for d in docs),
        openings=(None,) * n, closings=(None,) * n, skeletons=(None,) * n,
        embeddings=np.zeros((n, 2), np.float32), signatures=np.zeros((n, 4), np.uint64),
        clusters=np.zeros(n, int), n_clusters=1, base_clusters=np.zeros(n, int),
        n_base_clusters=1, word_ngrams=hf.word_ngrams, word_ngram_totals=hf.totals,
        shape_ngrams=hf.shape_ngrams, shape_eligible=hf.shape_eligible,
        shape_unique=hf.shape_unique, lemmas=lemmas, word_first=hf.word_first,
        shape_first=hf.shape_first, shape_words=hf.shape_words), SHAPE_PUNCT


@pytest.mark.parametrize("seed", range(4))
def test_a_cut_sample_equals_the_reference_metrics_on_the_kept_words(seed):
    """With per-document cuts, every word-level view of a sample is what the reference
    functions give on the first ``cut`` words of each document (and the shape prefix that
    holds them)."""
    from auditor.metrics import tails
    from auditor.metrics.panel import Sample
    docs = random_docs(seed)
    r = random.Random(seed)
    shapes = []  # one shape per word, as real tokens give, with marks in between
    for d in docs:
        sh = []
        for _ in d:
            sh.append(r.choice(["X", "X", "the", "of", "and", "to", "0"]))
            if r.random() < 0.2:
                sh.append(r.choice([",", "."]))
        shapes.append(tuple(sh))
    f, punct = _features(docs, shapes)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(docs), 12, replace=False))
    cuts = np.array([rng.integers(0, len(docs[i]) + 1) for i in idx])
    s = Sample(f, idx, cuts=cuts)
    kept = [docs[i][:c] for i, c in zip(idx, cuts)]
    kshapes = []
    for i, c in zip(idx, cuts):
        words_so_far = np.cumsum([t not in punct for t in shapes[i]])
        kshapes.append(shapes[i][:int(np.searchsorted(words_so_far, c, side="right"))])
    assert s.words == kept
    assert [len(g) for g in s.shape_grams] == [max(0, len(k) - 4) for k in kshapes]
    assert hashed.self_repetition_hashed([g[3] for g in s.ngram_sets]) == pytest.approx(
        wording.self_repetition(kept, n=4), abs=1e-12, nan_ok=True)
    ref = wording.ngram_diversity(kept, max_n=4)
    got = hashed.ngram_diversity_hashed(s.ngram_sets, s.ngram_totals)
    assert (np.isnan(ref) and np.isnan(got)) or got == pytest.approx(ref, abs=1e-12)
    assert hashed.template_coverage_hashed(s.shape_grams, s.shape_eligible,
                                           doc_unique=s.shape_sets) == pytest.approx(
        structure.template_share(kshapes), abs=1e-12, nan_ok=True)
    assert tails.rare_word_mass(s.lemmas) == pytest.approx(
        tails.rare_word_mass([tuple(w.upper() for w in d) for d in kept]), nan_ok=True)
    assert [sum(x) for x in s.sentence_lengths] == [len(k) for k in kept]
    # no cuts: the whole text budget
    full = Sample(f, idx)
    assert full.words == [docs[i] for i in idx]
