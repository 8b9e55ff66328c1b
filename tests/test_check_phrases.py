"""The check's phrase rule (issue 17): a phrase is amplified only with enough posts behind it,
a large rise and a significant one after Holm over every phrase tested."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

import auditor
from auditor.features.embeddings import HashingEmbedder
from auditor.index.corpus import Baseline, amplified
from auditor.judge.amplified import rise_tests
from auditor.judge.thresholds import (
    AMPLIFIED_ALPHA,
    AMPLIFIED_MIN_DOCS,
    AMPLIFIED_MIN_RATIO,
)
from auditor.metrics.proportions import fisher_exact_greater
from auditor.metrics.wording import AmplifiedPhrase

from .conftest import write_corpus

STOP = frozenset({"the", "a", "of", "in", "and", "we", "it", "to", "is"})


def phrase(name: str, c_p: int, n_p: int, c_b: int, n_b: int) -> AmplifiedPhrase:
    """A candidate as ``wording.amplified_phrases`` lists it (Laplace-smoothed ratio)."""
    ratio = ((c_p + 1) / (n_p + 2)) / ((c_b + 1) / (n_b + 2))
    return AmplifiedPhrase(name, len(name.split()), c_p / n_p, c_b / n_b, ratio,
                           c_p / n_p - c_b / n_b, c_p)


def test_fisher_exact_matches_closed_form_and_scipy():
    from math import comb

    from scipy.stats import fisher_exact

    # 4 of 25 vs 0 of 100: only the observed table is as extreme, C(25,4) / C(125,4)
    assert fisher_exact_greater(4, 25, 0, 100) == pytest.approx(comb(25, 4) / comb(125, 4))
    assert fisher_exact_greater(0, 10, 0, 10) == pytest.approx(1.0)
    rng = random.Random(0)
    for _ in range(200):
        n1, n2 = rng.randint(1, 200), rng.randint(1, 400)
        c1, c2 = rng.randint(0, n1), rng.randint(0, n2)
        want = fisher_exact([[c1, n1 - c1], [c2, n2 - c2]], alternative="greater").pvalue
        assert fisher_exact_greater(c1, n1, c2, n2) == pytest.approx(want, rel=1e-9, abs=1e-300)
    with pytest.raises(ValueError):
        fisher_exact_greater(5, 4, 0, 10)


def test_one_month_of_noise_is_not_amplified():
    """Issue 17's case: "site" in 16% of one month's 25 posts (4) vs 0% of 100 before."""
    tests = rise_tests([phrase("site", 4, 25, 0, 100)], period_posts=25, baseline_posts=100)
    assert tests == []  # under the floor of posts: not even tested
    assert AMPLIFIED_MIN_DOCS > 4


def test_a_strong_rise_is_amplified_and_the_noise_around_it_is_not():
    noise = [phrase(f"word{i}", 5, 25, 6, 100) for i in range(300)]
    strong = phrase("delve into", 12, 25, 3, 100)
    tests = rise_tests([strong, *noise], period_posts=25, baseline_posts=100)
    assert len(tests) == 301
    got = {t.phrase: t for t in tests}
    assert got["delve into"].amplified
    assert got["delve into"].p_holm <= AMPLIFIED_ALPHA
    assert got["delve into"].baseline_docs == 3 and got["delve into"].period_docs == 12
    assert not any(got[f"word{i}"].amplified for i in range(300))
    # each noise phrase alone is "significant" (p < 0.05): Holm over 301 phrases is what stops it
    assert got["word0"].p_value < 0.05 < got["word0"].p_holm


def test_holm_counts_every_phrase_tested():
    mid = phrase("key takeaway", 6, 25, 2, 100)  # p = 0.0008: x 201 phrases is 0.16
    alone = rise_tests([mid], period_posts=25, baseline_posts=100)[0]
    assert alone.amplified
    crowd = [phrase(f"w{i}", 5, 25, 20, 100) for i in range(200)]
    among = rise_tests([mid, *crowd], period_posts=25, baseline_posts=100)[0]
    assert among.p_value == alone.p_value and not among.amplified


def test_a_significant_but_small_rise_is_not_amplified():
    """Large samples make a 1.3-fold rise significant; the effect floor keeps it out."""
    small = phrase("cloud", 520, 1000, 400, 1000)
    t = rise_tests([small], period_posts=1000, baseline_posts=1000)[0]
    assert t.p_holm < 1e-6 and t.ratio < AMPLIFIED_MIN_RATIO and not t.amplified


def test_index_amplified_uses_the_audit_pools():
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(400)]

    def post(extra: list[str]) -> list[str]:
        return [rng.choice(vocab) for _ in range(60)] + extra

    base = [post([]) for _ in range(100)]
    latest = ([post(["seamless", "synergy"]) for _ in range(12)]
              + [post(["site"]) for _ in range(4)] + [post([]) for _ in range(9)])
    b = Baseline(labels=("2025-01",), doc_ids=frozenset(), rule=None, warnings=(),
                 latest_label="2025-05", latest_is_baseline=False, latest_words=latest,
                 baseline_words=base)
    found, tested = amplified(b, "2025-05", stop=STOP)
    assert [a["phrase"] for a in found] == ["seamless synergy"]
    assert found[0]["period_docs"] == 12 and found[0]["period_posts"] == 25
    assert found[0]["baseline_docs"] == 0 and found[0]["baseline_posts"] == 100
    assert tested >= 1
    # no baseline, or the latest period is a baseline one: nothing is amplified
    assert amplified(None, "2025-05", stop=STOP) == ([], 0)
    assert amplified(b, "2025-04", stop=STOP) == ([], 0)


@pytest.mark.slow
def test_a_draft_using_two_amplified_phrases_is_watch_with_counts(tmp_path: Path):
    """End to end: the latest month of a dated corpus repeats two phrases in most posts; a
    draft that uses both is watch on wording, and the reason gives the counts."""
    root = write_corpus(tmp_path / "c", months=5, per_month=22)
    latest = sorted((root / "blog").glob("2025-05-*.md"))
    for i, p in enumerate(latest):
        extra = (" Seamless synergy matters." if i < 14 else "") + (
            " Unlock the roadmap." if 3 <= i < 17 else "")
        p.write_text(p.read_text(encoding="utf-8").rstrip() + extra + "\n", encoding="utf-8")
    draft = ("Notes from the river trail. We walked past the orchard and the old bridge, then "
             "followed the coast until the storm. Seamless synergy matters. Unlock the roadmap "
             "for the next festival: the library will host the workshop in autumn.")
    r = auditor.check([("-", draft)], root, auditor.options(cache_dir=str(tmp_path / "cache"),
                                                            progress=False),
                      embedder=HashingEmbedder())
    d = r.drafts[0]
    phrases = {a["phrase"] for a in d.wording.amplified}
    assert len(phrases) >= 2, (phrases, r.thresholds.reference)
    assert d.layers["wording"] == "watch"
    reason = next(x for x in d.reasons if x.startswith("uses phrases the corpus"))
    assert "14 of 22 posts vs 0 of" in reason
