import dataclasses
import datetime as dt
import math

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from datasketch.lsh import _optimal_param

from auditor.metrics.duplication import (
    EMPTY_HASH,
    DocRef,
    RepostPair,
    duplicate_share,
    lsh_params,
    minhash_signatures,
    near_duplicate_families,
    repost_pairs,
    repost_share,
    shingle_hash,
    shingle_sketches,
    signature_jaccard,
    signatures_and_sketches,
    sketch_jaccard,
)
from auditor.types import Document

PARAGRAPH = (
    "Our new analytics dashboard gives marketing teams a single view of every campaign, "
    "from paid search to email newsletters. Instead of exporting spreadsheets each Monday, "
    "managers can watch spend, clicks and conversions update in real time, compare regions "
    "side by side, and share a live link with the finance team before the quarterly review. "
    "Early customers told us they saved about four hours a week and caught budget overruns "
    "days sooner than before, which is why we are rolling it out to every plan this spring."
).lower().replace(",", "").replace(".", "").split()

UNRELATED = [
    "the bakery on fifth street opens at six and sells out of sourdough by nine most saturdays "
    "so regulars queue in the cold with coffee from the kiosk next door",
    "volcanic soils hold water unevenly which is why vineyards on the slope irrigate the lower "
    "rows less than the terraces near the ridge during a dry august",
    "our hiking guide covers twelve routes in the national park with elevation profiles water "
    "sources and the best season for each trail including two winter walks",
    "the committee postponed the vote on the harbour bridge until engineers finish the survey "
    "of corrosion in the cables which may take another six months",
    "to repot an orchid soak the roots trim the dead ones and use bark rather than soil because "
    "the roots need air as much as they need water",
]


def shingles(words, k=5):
    k = min(k, len(words))
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def exact_jaccard(a, b):
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_signatures_identical_to_datasketch_affine32():
    docs = [PARAGRAPH, PARAGRAPH[:40], PARAGRAPH[:3], UNRELATED[0].split()]
    sig = minhash_signatures(docs, num_perm=128, seed=1)
    assert sig.shape == (4, 128) and sig.dtype == np.uint32
    for words, row in zip(docs, sig):
        m = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
        m.update_batch(sorted(shingles(words)))
        assert np.array_equal(m.hashvalues, row)
    other_seed = minhash_signatures(docs[:1], seed=2)
    assert not np.array_equal(other_seed[0], sig[0])


def test_shingle_hash_is_stable_and_positional():
    # pinned value: must not change between runs or Python processes (no salted hash())
    assert shingle_hash(["a", "b"]) == shingle_hash("a b")
    assert shingle_hash(["a", "b"]) != shingle_hash(["b", "a"])
    assert shingle_hash(["ab"]) != shingle_hash(["a", "b"])
    assert shingle_hash(["the", "quick", "brown", "fox", "jumps"]) == 1035323896


def test_estimated_jaccard_agrees_with_exact_and_datasketch():
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(400)]
    base = list(rng.choice(vocab, 300))
    for n_changed in (0, 5, 20, 60, 150):
        other = list(base)
        for i in rng.choice(300, n_changed, replace=False):
            other[i] = "zz" + str(i)
        sig = minhash_signatures([base, other])
        est = signature_jaccard(sig[0], sig[1])
        exact = exact_jaccard(base, other)
        se = math.sqrt(max(exact * (1 - exact), 1e-3) / 128)
        assert abs(est - exact) <= 4 * se + 1e-9, (n_changed, est, exact)
        ms = []
        for w in (base, other):
            m = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
            m.update_batch(list(shingles(w)))
            ms.append(m)
        assert est == ms[0].jaccard(ms[1])


def test_short_documents_fall_back_to_shorter_shingles():
    sig = minhash_signatures([["hello", "world"], ["hello", "world"], ["world", "hello"], []])
    assert signature_jaccard(sig[0], sig[1]) == 1.0
    assert signature_jaccard(sig[0], sig[2]) < 0.1
    assert (sig[3] == EMPTY_HASH).all()
    # a string is split on whitespace
    assert np.array_equal(minhash_signatures(["hello world"])[0], sig[0])


def test_signatures_are_mergeable_per_document():
    docs = [PARAGRAPH, UNRELATED[1].split(), UNRELATED[2].split()]
    whole = minhash_signatures(docs)
    one_by_one = np.vstack([minhash_signatures([d]) for d in docs])
    assert np.array_equal(whole, one_by_one)
    # union of two shingle sets = element-wise minimum of their signatures
    a, b = PARAGRAPH[:30], PARAGRAPH[30:]
    sa, sb = minhash_signatures([a, b])
    m = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
    m.update_batch(list(shingles(a) | shingles(b)))
    assert np.array_equal(np.minimum(sa, sb), m.hashvalues)


def test_lsh_params_match_datasketch():
    assert lsh_params(0.8, 128) == (9, 13) == _optimal_param(0.8, 128, 0.5, 0.5)
    assert lsh_params(0.9, 128) == _optimal_param(0.9, 128, 0.5, 0.5)
    assert lsh_params(0.5, 64) == _optimal_param(0.5, 64, 0.5, 0.5)


def planted_corpus():
    copy1 = list(PARAGRAPH)
    copy1[10] = "one"  # one word changed
    copy2 = list(PARAGRAPH)
    copy2[40] = "twelve"
    copy2[42] = "winter"  # two words changed
    docs = [u.split() for u in UNRELATED[:2]] + [PARAGRAPH] + [u.split() for u in UNRELATED[2:]]
    docs += [copy1, copy2, [], []]
    return docs


def test_planted_near_copies_form_one_family():
    docs = planted_corpus()
    for d in (docs[-4], docs[-3]):
        assert exact_jaccard(PARAGRAPH, d) >= 0.8
    fam = near_duplicate_families(minhash_signatures(docs), threshold=0.8)
    assert fam == [[2, 6, 7]]
    assert duplicate_share(fam, len(docs)) == pytest.approx(3 / 10)


def test_families_agree_with_datasketch_lsh():
    docs = planted_corpus()[:-2]
    sig = minhash_signatures(docs)
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    mh = []
    for i, words in enumerate(docs):
        m = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
        m.update_batch(list(shingles(words)))
        lsh.insert(i, m)
        mh.append(m)
    ds_pairs = {
        tuple(sorted((i, j)))
        for i in range(len(docs))
        for j in lsh.query(mh[i])
        if i != j and mh[i].jaccard(mh[j]) >= 0.8
    }
    # the two copies differ from each other more (J ~ 0.74) but join through the original
    assert ds_pairs == {(2, 6), (2, 7)}
    assert near_duplicate_families(sig) == [[2, 6, 7]]


def test_no_families_among_unrelated_texts():
    docs = [u.split() for u in UNRELATED] + [PARAGRAPH]
    # halves of one text are unrelated too
    docs += [PARAGRAPH[:35], PARAGRAPH[35:]]
    assert near_duplicate_families(minhash_signatures(docs)) == []
    assert duplicate_share([], len(docs)) == 0.0


def test_families_threshold_and_ordering():
    rng = np.random.default_rng(1)
    vocab = [f"w{i}" for i in range(2000)]
    a = list(rng.choice(vocab, 200))
    b = list(rng.choice(vocab, 200))
    half = a[:100] + list(rng.choice(vocab, 100))  # Jaccard with a ~ 1/3
    docs = [b, a, half, b, a, a, list(rng.choice(vocab, 200))]
    fam = near_duplicate_families(minhash_signatures(docs))
    assert fam == [[1, 4, 5], [0, 3]]
    assert near_duplicate_families(minhash_signatures(docs), threshold=0.2)[0] == [1, 2, 4, 5]


def test_scales_linearly_without_pairwise_blowup():
    # 3,000 copies of one text form one family, checked without 4.5 million pairs
    sig = np.repeat(minhash_signatures([PARAGRAPH]), 3000, axis=0)
    fam = near_duplicate_families(sig)
    assert len(fam) == 1 and len(fam[0]) == 3000


def test_degenerate_inputs():
    assert near_duplicate_families(np.zeros((0, 128), dtype=np.uint32)) == []
    assert near_duplicate_families(minhash_signatures([PARAGRAPH])) == []
    assert near_duplicate_families(minhash_signatures([[], []])) == []
    assert math.isnan(duplicate_share([], 0))
    assert minhash_signatures([]).shape == (0, 128)
    assert math.isnan(signature_jaccard(np.array([]), np.array([])))


# ---------------------------------------------------------------- reposts


def doc(doc_id, day, repost_of=None, title=None):
    return Document(doc_id, doc_id.split("#")[0], "same words", title=title or doc_id.upper(),
                    date=None if day is None else dt.date(2025, 1, 1) + dt.timedelta(days=day),
                    repost_of=repost_of)


@pytest.mark.parametrize("flags, expected", [
    ([False, True, False, False], 0.25), ([True, True], 1.0), ([False] * 7, 0.0),
    ([True] + [False] * 9, 0.1), (np.array([1, 0, 1, 0], dtype=bool), 0.5),
])
def test_repost_share_known_values(flags, expected):
    assert repost_share(flags) == expected


def test_repost_share_degenerate_and_order_invariant():
    assert math.isnan(repost_share([]))
    rng = np.random.default_rng(0)
    flags = rng.random(50) < 0.3
    assert repost_share(flags) == repost_share(flags[rng.permutation(50)]) == flags.mean()
    # counts the repost, not its original: one post published twice in four -> 1/4, while the
    # near-duplicate share of the same sample counts both members of the family
    assert repost_share([False, True, False, False]) == 0.25
    assert duplicate_share([[0, 1]], 4) == 0.5


def test_repost_pairs_names_both_posts_sorted_and_limited():
    a, b = doc("a.md", 0, title="First"), doc("b.md", 10)
    later = [doc("z.md", 40, "a.md"), doc("c.md", 40, "b.md"), doc("y.md", 35, "a.md"),
             doc("ads.csv#3", 38, "a.md")]
    originals = {d.doc_id: d for d in [a, b, *later]}
    pairs = repost_pairs([*later, a], originals)
    # by the repost's (date, doc_id); originals are not reposts
    assert [(p.repost.path, p.original.path) for p in pairs] == [
        ("y.md", "a.md"), ("ads.csv#3", "a.md"), ("c.md", "b.md"), ("z.md", "a.md")]
    assert pairs[0] == RepostPair(DocRef("y.md", "Y.MD", "2025-02-05"),
                                  DocRef("a.md", "First", "2025-01-01"), 35)
    assert pairs[2].days_later == 30
    assert dataclasses.asdict(pairs[0]) == {
        "repost": {"path": "y.md", "title": "Y.MD", "date": "2025-02-05"},
        "original": {"path": "a.md", "title": "First", "date": "2025-01-01"}, "days_later": 35}
    assert [p.repost.path for p in repost_pairs(later, originals, top=2)] == ["y.md", "ads.csv#3"]
    assert repost_pairs(later, originals, top=0) == []
    # the same pairs whatever the order of the period's documents
    assert repost_pairs(later[::-1], originals) == pairs


def test_repost_pairs_degenerate():
    assert repost_pairs([], {}) == []
    assert repost_pairs([doc("a.md", 0), doc("b.md", None)], {}) == []
    # an original not in the lookup is still named, by its doc_id
    [p] = repost_pairs([doc("b.md", 5, "gone.md")], {})
    assert p.original == DocRef("gone.md", None, None) and p.days_later is None


# ------------------------------------------------------------------ shingle sketches

def _shingles(words, k=5):
    return {tuple(words[j:j + k]) for j in range(len(words) - k + 1)} if len(words) >= k \
        else ({tuple(words)} if words else set())


def test_sketch_jaccard_known_values():
    assert sketch_jaccard(np.array([1, 2, 3, 4]), np.array([2, 3, 4, 5])) == pytest.approx(0.6)
    assert sketch_jaccard(np.array([1, 2]), np.array([3, 4])) == 0.0
    assert sketch_jaccard(np.array([7]), np.array([7])) == 1.0
    assert math.isnan(sketch_jaccard(np.array([], np.uint32), np.array([], np.uint32)))
    # bottom-2 of the union {1, 2} holds 1 and 2, both in a and b
    assert sketch_jaccard(np.array([1, 2, 3, 4]), np.array([1, 2, 3, 5]), k=2) == 1.0


def test_sketches_give_exact_jaccard_for_short_documents_and_estimate_long_ones():
    rng = np.random.default_rng(0)
    vocab = [f"v{i}" for i in range(400)]
    base = [vocab[i] for i in rng.integers(400, size=900)]
    docs = [base[:60], base[:55] + ["x"] * 5, base, base[:800] + [vocab[i] for i in
                                                                  rng.integers(400, size=100)]]
    values, offsets = shingle_sketches(docs)
    sk = [values[offsets[i]:offsets[i + 1]] for i in range(len(docs))]
    exact = len(_shingles(docs[0]) & _shingles(docs[1])) / len(_shingles(docs[0])
                                                               | _shingles(docs[1]))
    assert sketch_jaccard(sk[0], sk[1]) == pytest.approx(exact)  # whole sets: exact
    assert len(sk[2]) == 256 and len(sk[0]) == 56  # long: the 256 smallest; short: all
    true = len(_shingles(docs[2]) & _shingles(docs[3])) / len(_shingles(docs[2])
                                                              | _shingles(docs[3]))
    assert abs(sketch_jaccard(sk[2], sk[3]) - true) < 4 * math.sqrt(true * (1 - true) / 256)


def test_signatures_and_sketches_agree_with_the_separate_functions():
    docs = [PARAGRAPH, PARAGRAPH[:3], [], UNRELATED[0].split()]
    sig, (v, o) = signatures_and_sketches(docs)
    v2, o2 = shingle_sketches(docs)
    assert (sig == minhash_signatures(docs)).all()
    assert (v == v2).all() and (o == o2).all() and o[3] == o[2]  # the empty one: no values
