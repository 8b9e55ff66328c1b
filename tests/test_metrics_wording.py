"""Tests for auditor.metrics.wording: hand-worked values, invariants, amplified phrases."""
from __future__ import annotations

import gzip
import io
import math
import random
import zlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.features.lexicon import phrase_stop_words
from auditor.metrics import wording as W

STOP = phrase_stop_words()

words = st.sampled_from(["a", "b", "c", "d", "e", "f"])
doc_lists = st.lists(st.lists(words, min_size=0, max_size=12), min_size=2, max_size=8)


# --------------------------------------------------------------------------- compression ratio


def deflate_by_hand(data: bytes) -> int:
    """gzip size = 10-byte header + raw deflate stream + 8-byte trailer (CRC32, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return 10 + len(c.compress(data) + c.flush()) + 8


def test_compression_ratio_known_string():
    texts = ["the same sentence again", "the same sentence again", "and a different one"]
    data = b"the same sentence again\nthe same sentence again\nand a different one"
    assert W.compression_ratio(texts) == pytest.approx(len(data) / deflate_by_hand(data))


def test_compression_ratio_is_single_gzip_not_double():
    texts = ["walking the dog every day", "walking the dog in the rain", "a cat sleeps"] * 3
    data = "\n".join(texts).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(gzip.compress(data))
    double = len(data) / len(buf.getvalue())
    ours = W.compression_ratio(texts)
    assert ours > double
    assert ours == pytest.approx(len(data) / len(gzip.compress(data, 9, mtime=0)))


def test_compression_ratio_rises_with_repetition():
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(2000)]
    diverse = [" ".join(rng.choices(vocab, k=60)) for _ in range(20)]
    samey = [diverse[0]] * 20
    assert W.compression_ratio(samey) > 3 * W.compression_ratio(diverse)


def test_compression_ratio_degenerate_and_deterministic():
    assert math.isnan(W.compression_ratio([]))
    assert math.isnan(W.compression_ratio([""]))
    texts = ["héllo wörld"] * 5
    assert W.compression_ratio(texts) == W.compression_ratio(list(texts))


# --------------------------------------------------------------------------- self-repetition


def test_self_repetition_three_tiny_docs_by_hand():
    # n = 2. Bigram sets: d1 {ab, bc}, d2 {ab, bd}, d3 {ab, bc, cx}.
    # Document frequencies: ab 3, bc 2, bd 1, cx 1.
    # d1: (3-1) + (2-1)         = 3 -> log 4
    # d2: (3-1) + (1-1)         = 2 -> log 3
    # d3: (3-1) + (2-1) + (1-1) = 3 -> log 4
    docs = [["a", "b", "c"], ["a", "b", "d"], ["a", "b", "c", "x", "a", "b"]]
    expected = (2 * math.log(4) + math.log(3)) / 3
    assert W.self_repetition(docs, n=2) == pytest.approx(expected)


def test_self_repetition_closed_forms():
    disjoint = [[f"{i}-{j}" for j in range(10)] for i in range(5)]
    assert W.self_repetition(disjoint) == 0.0
    # N identical docs with m distinct 4-grams: each shares m n-grams with N-1 others
    doc = list("abcdefgh")  # 5 distinct 4-grams
    assert W.self_repetition([doc] * 4) == pytest.approx(math.log(1 + 3 * 5))
    assert math.isnan(W.self_repetition([doc]))
    assert math.isnan(W.self_repetition([]))
    assert W.self_repetition([["a"], ["a"]]) == 0.0  # shorter than n: nothing to share


def brute_self_repetition(docs, n):
    grams = [{tuple(d[i : i + n]) for i in range(len(d) - n + 1)} for d in docs]
    scores = []
    for i, gi in enumerate(grams):
        shared = sum(1 for g in gi for j, gj in enumerate(grams) if j != i and g in gj)
        scores.append(math.log(1 + shared))
    return sum(scores) / len(scores)


@settings(max_examples=80, deadline=None)
@given(docs=doc_lists, n=st.integers(1, 4), seed=st.integers(0, 1000))
def test_self_repetition_brute_force_and_order(docs, n, seed):
    value = W.self_repetition(docs, n=n)
    assert value == pytest.approx(brute_self_repetition(docs, n))
    shuffled = list(docs)
    random.Random(seed).shuffle(shuffled)
    assert W.self_repetition(shuffled, n=n) == pytest.approx(value)
    assert value >= 0


# --------------------------------------------------------------------------- n-gram diversity


def test_ngram_diversity_closed_forms():
    distinct = [[f"w{i}-{j}" for j in range(8)] for i in range(4)]
    assert W.ngram_diversity(distinct, max_n=4) == pytest.approx(4.0)
    # the same doc twice halves every ratio
    assert W.ngram_diversity(distinct[:1] * 2, max_n=4) == pytest.approx(2.0)
    # hand-worked: unigrams a b a b -> 2/4; bigrams ab ba ab -> 2/3
    assert W.ngram_diversity([["a", "b", "a", "b"]], max_n=2) == pytest.approx(0.5 + 2 / 3)


def test_ngram_diversity_does_not_cross_documents():
    # joined, "a b" + "c d" would create the bigram "b c"; inside documents there are 2 bigrams
    assert W.ngram_diversity([["a", "b"], ["b", "a"]], max_n=2) == pytest.approx(2 / 4 + 2 / 2)


def test_ngram_diversity_degenerate():
    assert math.isnan(W.ngram_diversity([]))
    assert math.isnan(W.ngram_diversity([["a", "b"]], max_n=4))


@settings(max_examples=60, deadline=None)
@given(docs=doc_lists, max_n=st.integers(1, 4), seed=st.integers(0, 1000))
def test_ngram_diversity_range_and_order(docs, max_n, seed):
    value = W.ngram_diversity(docs, max_n=max_n)
    shuffled = list(docs)
    random.Random(seed).shuffle(shuffled)
    other = W.ngram_diversity(shuffled, max_n=max_n)
    if math.isnan(value):
        assert math.isnan(other)
    else:
        assert 0 < value <= max_n + 1e-12
        assert other == pytest.approx(value)


# --------------------------------------------------------------------------- document frequencies


def test_document_frequencies_by_hand():
    df = W.document_frequencies([["a", "b", "a"], ["b", "c"]], n_values=(1, 2))
    assert df == Counter({"a": 1, "b": 2, "c": 1, "a b": 1, "b a": 1, "b c": 1})


@settings(max_examples=40, deadline=None)
@given(a=doc_lists, b=doc_lists)
def test_document_frequencies_merge(a, b):
    merged = W.document_frequencies(a) + W.document_frequencies(b)
    assert merged == W.document_frequencies(a + b)


# --------------------------------------------------------------------------- amplified phrases


def _baseline(n_docs: int = 20, seed: int = 0) -> list[list[str]]:
    rng = random.Random(seed)
    vocab = [f"topic{i}" for i in range(300)]
    return [rng.choices(vocab, k=30) for _ in range(n_docs)]


def test_amplified_phrases_finds_planted_phrase_once():
    base = _baseline()
    period = _baseline(seed=1)
    for d in period[:10]:
        d[5:5] = ["we", "delve", "into", "the", "data"]
    for d in period[:12]:
        d[20:20] = ["of", "the"]  # stopwords only: never listed
        d.append("2024")  # a number: never listed
    found = W.amplified_phrases(period, base, top=5, stop_words=STOP)
    phrases = [a.phrase for a in found]
    # every sub-phrase of "we delve into the data" occurs in the same 10 documents: only the one
    # with the most content words and no stopword at its ends is listed
    assert phrases[0] == "delve into the data"
    redundant = {"delve", "data", "delve into", "delve into the", "we delve", "into the data"}
    assert not redundant & set(phrases)
    assert not {"of the", "of", "the", "2024"} & set(phrases)
    top = found[0]
    assert (top.n, top.period_docs, top.period_share, top.baseline_share) == (4, 10, 0.5, 0.0)
    # smoothing a = 1: p~ = 11/22, q~ = 1/22
    assert top.ratio == pytest.approx((11 / 22) / (1 / 22))
    assert top.gap == pytest.approx(0.5)
    scores = [a.gap * math.log(a.ratio) for a in found]
    assert scores == sorted(scores, reverse=True)


def test_amplified_phrases_keeps_phrases_with_different_documents():
    base = _baseline()
    period = _baseline(seed=2)
    for d in period[:12]:
        d.append("delve")
    for d in period[:6]:
        d[3:3] = ["delve", "deeper"]
    phrases = [a.phrase for a in W.amplified_phrases(period, base, top=10, stop_words=STOP)]
    assert "delve" in phrases and "delve deeper" in phrases
    assert "deeper" not in phrases  # same documents as "delve deeper", which is preferred


def test_amplified_phrases_respects_min_docs_and_baseline():
    base = [["old", "news"]] * 10
    period = [["old", "news", "fresh"]] * 2 + [["old", "news"]] * 8
    assert W.amplified_phrases(period, base, min_docs=3, stop_words=STOP) == []
    got = W.amplified_phrases(period, base, min_docs=2, stop_words=STOP)
    # "fresh" and "news fresh" occur in exactly the documents of "old news fresh", which has
    # the most content words
    assert [a.phrase for a in got] == ["old news fresh"]
    assert W.amplified_phrases([], base, stop_words=STOP) == []
    assert W.amplified_phrases(period, [], stop_words=STOP) == []


def test_amplified_phrases_deterministic_under_order():
    base = _baseline()
    period = _baseline(seed=3)
    for d in period[:8]:
        d.extend(["seamless", "experience"])
    a = W.amplified_phrases(period, base, stop_words=STOP)
    b = W.amplified_phrases(list(reversed(period)), list(reversed(base)), stop_words=STOP)
    assert a == b and a
