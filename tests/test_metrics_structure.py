import math
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.metrics.structure import (
    closing_key,
    heading_skeleton,
    most_repeated,
    opening_key,
    repetition_share,
    sentence_length_uniformity,
    shape_ngram_templates,
    template_share,
)


def brute_templates(docs, n, min_docs, min_doc_share, min_fw):
    """Reference: document frequency by scanning every document for every candidate n-gram."""
    long = [d for d in docs if len(d) >= n]
    cands = {tuple(d[i : i + n]) for d in long for i in range(len(d) - n + 1)}
    thr = max(min_docs, math.ceil(min_doc_share * len(long)))

    def contains(d, g):
        return any(tuple(d[i : i + n]) == g for i in range(len(d) - n + 1))

    temps = {g for g in cands if sum(contains(d, g) for d in long) >= thr
             and sum(t.islower() for t in g) >= min_fw}
    share = sum(any(contains(d, g) for g in temps) for d in long) / len(long)
    cov = sum(
        sum(tuple(d[i : i + n]) in temps for i in range(len(d) - n + 1)) / (len(d) - n + 1)
        for d in long
    ) / len(long)
    return temps, share, cov


def test_templates_known_values():
    t = ["in", "the", "X", "of", "the", "X"]
    docs = [t, t + ["X"], t, ["X"] * 5, ["the"]]  # last doc too short: left out
    s = shape_ngram_templates(docs, n=5, min_docs=3)
    assert s.n_docs == 4
    assert s.share == 0.75
    # doc 2 has 3 five-grams, two of them templates
    assert s.coverage == pytest.approx((1 + 2 / 3 + 1 + 0) / 4)
    assert s.templates == [("in the X of the", 3), ("the X of the X", 3)]
    assert template_share(docs, n=5, min_docs=3) == s.coverage


def test_templates_need_function_words_and_enough_docs():
    docs = [["X"] * 6] * 10
    assert shape_ngram_templates(docs, n=5).share == 0.0  # no function words
    docs = [["in", "the", "X", "of", "the"]] * 2 + [["a", "b", "c", "d", "e"]]
    assert shape_ngram_templates(docs, n=5, min_docs=3).share == 0.0  # only 2 docs
    # within-document repetition does not make a template
    docs = [["in", "the", "X", "of", "the"] * 4, ["X"] * 5, ["X"] * 5]
    assert shape_ngram_templates(docs, n=5, min_docs=2).templates == []


def test_templates_degenerate():
    assert math.isnan(shape_ngram_templates([]).share)
    assert math.isnan(shape_ngram_templates([["a", "b"]], n=5).coverage)
    assert math.isnan(template_share([[]]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["the", "of", "X", "N", "a"]), max_size=12),
                min_size=1, max_size=12),
       st.integers(1, 4), st.integers(1, 4))
def test_templates_match_brute_force(docs, n, min_docs):
    s = shape_ngram_templates(docs, n=n, min_docs=min_docs, min_doc_share=0.2,
                              min_function_words=1, top=10_000)
    if not any(len(d) >= n for d in docs):
        assert math.isnan(s.share)
        return
    temps, share, cov = brute_templates(docs, n, min_docs, 0.2, 1)
    assert {tuple(t.split()) for t, _ in s.templates} == temps
    assert s.share == pytest.approx(share)
    assert s.coverage == pytest.approx(cov)


def test_templates_order_invariant():
    rng = random.Random(3)
    docs = [[rng.choice(["the", "of", "X", "and"]) for _ in range(rng.randint(0, 15))]
            for _ in range(40)]
    a = shape_ngram_templates(docs, n=3)
    rng.shuffle(docs)
    b = shape_ngram_templates(docs, n=3)
    assert a == b


def test_repetition_share_counts_missing_in_denominator():
    items = ["a b", "a b", "c", None, "", ("x",), ("x",), ()]
    assert repetition_share(items) == pytest.approx(4 / 8)
    assert repetition_share(["a", "b", "c"]) == 0.0
    assert repetition_share(["a"] * 5) == 1.0
    assert math.isnan(repetition_share([]))
    assert most_repeated(items) == [("a b", 2), (("x",), 2)]
    assert most_repeated(["a"] * 3 + ["b"] * 5 + ["c"], top=1) == [("b", 5)]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from("abcdef")), max_size=30))
def test_repetition_share_brute_force(items):
    if not items:
        assert math.isnan(repetition_share(items))
        return
    ref = sum(
        1 for i, x in enumerate(items)
        if x is not None and any(x == y for j, y in enumerate(items) if j != i)
    ) / len(items)
    assert repetition_share(items) == pytest.approx(ref)
    counts = Counter(x for x in items if x is not None)
    assert dict(most_repeated(items, top=100)) == {k: c for k, c in counts.items() if c >= 2}


def test_opening_and_closing_keys():
    text = "In 2024, every brand needs a content strategy! Here's why. Ready to grow in 2025?"
    assert opening_key(text) == "in 0 every brand needs a"
    assert closing_key(text) == "ready to grow in 0"
    assert opening_key(text, n_words=2) == "in 0"
    assert closing_key("Don't wait.  Let's talk 24/7.", n_words=4) == "lets talk 0 0"
    # numbers differ, keys agree
    assert opening_key("Top 10 tips for SEO now. More.") == \
        opening_key("Top 7 tips for SEO now, in May.")
    assert opening_key(["Top", "10", "Tips", ",", "for"]) == "top 0 tips for"
    assert closing_key(["it", "is", "5", "pm", "."], n_words=2) == "0 pm"
    assert opening_key("") is None and closing_key("  ... !") is None
    assert opening_key([]) is None
    assert opening_key("First line\nSecond line") == "first line"


def test_heading_skeleton_collapses_templated_headings():
    a = heading_skeleton(((2, "Step 1: Install"), (2, "Step 2: Configure"), (3, "Why Choose Us?")))
    b = heading_skeleton(((2, "Step 7 - Deploy"), (2, "Step 8: Monitor it"), (3, "why choose us")))
    assert a == ((2, "step 0"), (2, "step 0"), (3, "why choose us"))
    assert a == b
    assert heading_skeleton(((1, "Frequently Asked Questions About Pricing"),)) == (
        (1, "frequently asked questions"),)
    # a separator with nothing before it keeps the full text
    assert heading_skeleton(((2, ": Introduction"),)) == ((2, "introduction"),)
    assert heading_skeleton(((2, "!!!"),)) == ()
    assert heading_skeleton(()) == ()
    assert repetition_share([a, b, heading_skeleton(((2, "Intro"),)), ()]) == 0.5


def test_sentence_length_uniformity_known_values():
    assert sentence_length_uniformity([[10, 10], [10, 10], [10]]) == 1.0
    # means 10 and 20 -> Var = 25, sds 0 -> D = 5/15
    assert sentence_length_uniformity([[10], [20]]) == pytest.approx(1 / (1 + 1 / 3))
    # same means, sds 5 and 3 -> D = 1/15
    assert sentence_length_uniformity([[10, 20], [12, 18]]) == pytest.approx(15 / 16)
    # documents without sentences are ignored
    assert sentence_length_uniformity([[10], [20], []]) == sentence_length_uniformity([[10], [20]])
    assert math.isnan(sentence_length_uniformity([[10]]))
    assert math.isnan(sentence_length_uniformity([]))
    assert math.isnan(sentence_length_uniformity([[0], [0]]))


def test_sentence_length_uniformity_scale_free_and_direction():
    docs = [[5, 9, 14], [20, 3], [8, 8, 8, 30]]
    scaled = [[3 * x for x in d] for d in docs]
    assert sentence_length_uniformity(scaled) == pytest.approx(sentence_length_uniformity(docs))
    uniform = [[12, 14, 13]] * 3 + [[13, 13, 13]]
    assert sentence_length_uniformity(uniform) > sentence_length_uniformity(docs)
