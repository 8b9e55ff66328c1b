"""Duplication layer: near-duplicate families by MinHash LSH over word shingles.

Parameters (stated, not datasketch's defaults of num_perm=128, threshold=0.9): word 5-gram
shingles, ``num_perm=128`` permutations, Jaccard threshold 0.8 (Lee et al. 2022, "Deduplicating
Training Data Makes Language Models Better"). For threshold 0.8 and 128 permutations the banding
that minimises the equally weighted false-positive + false-negative probability (datasketch's
``_optimal_param``) is **b = 9 bands of r = 13 rows** (117 of the 128 values).

Signatures reproduce datasketch's ``MinHash`` with its default ``affine32`` scheme bit for bit
(same seed -> same permutations, MurmurHash3 pre-mix, ``a * h + b mod 2^32``) when datasketch is
given :func:`shingle_hash` as its ``hashfunc``; they are computed vectorised with numpy. A
signature is a mergeable per-document summary: cache it, and merge two signatures of the same
seed by an element-wise minimum.

Reposts (the same body republished under a later date, marked at ingest as
``Document.repost_of``) are counted by :func:`repost_share` and named by :func:`repost_pairs`:
a repost whose original is in an earlier period is never in a family with it, since families are
found inside one period's sample.
"""
from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np

from auditor.config import DUP_THRESHOLD
from auditor.types import Document

__all__ = [
    "DUP_THRESHOLD",
    "shingle_hash",
    "minhash_signatures",
    "signature_jaccard",
    "shingle_sketches",
    "signatures_and_sketches",
    "sketch_jaccard",
    "lsh_params",
    "near_duplicate_families",
    "duplicate_share",
    "repost_share",
    "repost_pairs",
    "RepostPair",
    "DocRef",
    "EMPTY_HASH",
    "FNV64_PRIME",
    "fmix64",
]

NAN = float("nan")
# MinHash / LSH parameters (stated, per REFERENCE.md): word 5-gram shingles, 128 permutations,
# estimated Jaccard >= DUP_THRESHOLD (0.8, Lee et al. 2022; a documented default in config).
SHINGLE_SIZE = 5
NUM_PERM = 128
SKETCH_SIZE = 256  # shingle hashes kept per document by shingle_sketches (exact up to this)
EMPTY_HASH = np.uint32(0xFFFFFFFF)  # value of every slot of an empty document's signature

FNV64_PRIME = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: positional hash combiner
_M64 = FNV64_PRIME
_ONE64 = np.uint64(1)
_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_CHUNK = 1 << 16  # shingles per vectorised block: 128 x 65536 uint32 = 32 MB


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (avalanche), element-wise on uint64."""
    s, m1, m2 = _FMIX64
    h = h ^ (h >> s)
    h = h * m1
    h = h ^ (h >> s)
    h = h * m2
    mixed: np.ndarray = h ^ (h >> s)
    return mixed


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2 = _FMIX32
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    mixed: np.ndarray = h ^ (h >> s1)
    return mixed


class _CrcCache(dict[str, int]):
    """word -> crc32(word) memo, filled on first use."""

    def __missing__(self, word: str) -> int:
        h = self[word] = zlib.crc32(str(word).encode("utf-8"))
        return h


def _word_hashes(words: Sequence[str], cache: _CrcCache) -> np.ndarray:
    return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))


def _shingle_hashes_from_words(wh: np.ndarray, k: int) -> np.ndarray:
    """32-bit hashes of the ``len(wh) - k + 1`` consecutive k-word shingles."""
    m = len(wh) - k + 1
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _M64 + wh[j : j + m] + _ONE64
        return (fmix64(h) >> np.uint64(32)).astype(np.uint32)


def shingle_hash(shingle: Sequence[str] | str) -> int:
    """Stable 32-bit hash of one word shingle (not Python's salted ``hash``).

    ``h = fold(fmix64(sum_j (crc32(w_j) + 1) * P^(k-1-j) mod 2^64))``, ``P`` the FNV prime, the
    fold keeping the top 32 bits. A string is split on whitespace. Usable as datasketch's
    ``hashfunc`` to reproduce :func:`minhash_signatures`.

    >>> words = ["the", "quick", "brown", "fox", "jumps"]
    >>> shingle_hash(words) == shingle_hash("the quick brown fox jumps")
    True
    """
    words = shingle.split() if isinstance(shingle, str) else list(shingle)
    if not words:
        return int(EMPTY_HASH)
    return int(_shingle_hashes_from_words(_word_hashes(words, _CrcCache()), len(words))[0])


@lru_cache(maxsize=16)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters: odd ``a`` and any ``b`` in [0, 2^32)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def minhash_signatures(
    docs: Sequence[Sequence[str]],
    *,
    shingle_size: int = 5,
    num_perm: int = 128,
    seed: int = 1,
) -> np.ndarray:
    """MinHash signatures of the word-shingle sets of documents.

    For document ``d`` with shingle set ``S_d`` (consecutive ``shingle_size``-word shingles;
    a document with fewer words than that has one shingle of all its words)::

        sig[d, k] = min_{s in S_d} (a_k * fmix32(shingle_hash(s)) + b_k) mod 2^32

    so ``P(sig[d, k] == sig[e, k]) ~ Jaccard(S_d, S_e)``.

    Parameters
    ----------
    docs : word tokens per document (a ``str`` is split on whitespace). Tokens are used as given:
        lower-case them upstream for case-insensitive matching.
    shingle_size : words per shingle (5).
    num_perm : permutations (signature length, 128).
    seed : permutation seed (1, datasketch's default).

    Returns
    -------
    ``np.ndarray`` of shape ``(n, num_perm)``, dtype ``uint32``. A document without words gets
    ``EMPTY_HASH`` in every slot (and is never a near-duplicate).

    Notes
    -----
    Identical to ``datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash)`` (scheme
    ``affine32``) updated with the same shingles. Memory O(n * num_perm); work is done in blocks of
    about 65,536 words, whole blocks at a time (no per-document numpy calls), so a batch of
    short documents costs about 15 microseconds each.

    >>> sig = minhash_signatures([["a", "b", "c"], ["a", "b", "c"], []], num_perm=4)
    >>> bool((sig[0] == sig[1]).all()), bool((sig[2] == EMPTY_HASH).all())
    (True, True)
    """
    return signatures_and_sketches(docs, shingle_size=shingle_size, num_perm=num_perm,
                                   seed=seed, k=0)[0]


def signatures_and_sketches(
    docs: Sequence[Sequence[str]],
    *,
    shingle_size: int = SHINGLE_SIZE,
    num_perm: int = NUM_PERM,
    seed: int = 1,
    k: int = SKETCH_SIZE,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """:func:`minhash_signatures` and :func:`shingle_sketches` of the same documents, hashing
    their shingles once (``k=0``: no sketches; ``num_perm=0``: no signatures).

    >>> sig, (values, offsets) = signatures_and_sketches([["a", "b", "c"]], shingle_size=2,
    ...                                                  num_perm=4, k=8)
    >>> sig.shape, offsets.tolist()
    ((1, 4), [0, 2])
    """
    a, b = _permutations(int(num_perm), int(seed))
    sig = np.full((len(docs), num_perm), EMPTY_HASH, dtype=np.uint32)
    lengths = np.zeros(len(docs), dtype=np.int64)
    parts: list[tuple[list[int], np.ndarray, np.ndarray]] = []
    for block, h, counts in _shingle_blocks(docs, int(shingle_size)):
        first = np.r_[0, np.cumsum(counts)[:-1]]
        for lo in range(0, num_perm, 16):  # 16 permutations at a time: 64 bytes a shingle
            with np.errstate(over="ignore"):
                phv = h[None, :] * a[lo:lo + 16, None] + b[lo:lo + 16, None]
            sig[block, lo:lo + 16] = np.minimum.reduceat(phv, first, axis=1).T
        if k > 0:
            part = _bottom_k(h, counts, int(k))
            lengths[block] = np.bincount(part[1], minlength=len(block))
            parts.append((block, *part))
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    values = np.empty(int(offsets[-1]), dtype=np.uint32)
    for block, h, owner in parts:
        starts = offsets[np.asarray(block)]
        values[starts[owner] + (np.arange(len(h)) - np.searchsorted(owner, owner))] = h
    return sig, (values, offsets)


def _bottom_k(h: np.ndarray, counts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` smallest distinct hashes of each document of a block, sorted, and the number
    of the document (in the block) each belongs to."""
    owner = np.repeat(np.arange(len(counts), dtype=np.uint64), counts)
    key = (owner << np.uint64(32)) | h.astype(np.uint64)  # by document, then hash
    key.sort(kind="stable")  # numpy's radix sort for integers: several times a lexsort's speed
    key = key[np.r_[True, key[1:] != key[:-1]]]  # distinct shingles per document
    owner_i = (key >> np.uint64(32)).astype(np.int64)
    rank = np.arange(len(key)) - np.searchsorted(owner_i, owner_i)
    keep = rank < k
    return (key[keep] & np.uint64(0xFFFFFFFF)).astype(np.uint32), owner_i[keep]


def _shingle_blocks(docs: Sequence[Sequence[str]], k: int
                    ) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
    """The 32-bit (``fmix32``-mixed) shingle hashes of the documents, a block at a time:
    ``(document numbers, hashes, shingles per document)``, each document's hashes contiguous
    and in the order of the numbers. Documents without words are left out; a document of fewer
    than ``k`` words is one shingle of all its words (a block of its own)."""
    cache = _CrcCache()
    words = [doc.split() if isinstance(doc, str) else doc for doc in docs]
    # Documents of at least k words: every word hashed once, the shingle hashes of a whole block
    # of documents computed over their concatenation (shingles that straddle two documents are
    # dropped).
    block: list[int] = []
    block_len = 0

    def flush() -> tuple[list[int], np.ndarray, np.ndarray]:
        lens = np.fromiter((len(words[i]) for i in block), dtype=np.int64, count=len(block))
        wh = np.fromiter(map(cache.__getitem__, chain.from_iterable(map(words.__getitem__, block))),
                         dtype=np.uint64, count=int(lens.sum()))
        starts = np.r_[0, np.cumsum(lens)[:-1]]
        hashes = _shingle_hashes_from_words(wh, k)       # one per start position
        keep = np.ones(len(hashes), dtype=bool)          # drop straddling positions
        for j in range(1, k):
            cut = starts[1:] - j
            keep[cut[cut >= 0]] = False
        return list(block), _fmix32(hashes[keep]), lens - k + 1

    for i, w in enumerate(words):
        if not w:
            continue
        if len(w) < k:
            h = _fmix32(_shingle_hashes_from_words(_word_hashes(w, cache), len(w)))
            yield [i], h, np.ones(1, dtype=np.int64)
            continue
        block.append(i)
        block_len += len(w)
        if block_len >= _CHUNK:
            yield flush()
            block, block_len = [], 0
    if block:
        yield flush()


def shingle_sketches(
    docs: Sequence[Sequence[str]],
    *,
    shingle_size: int = SHINGLE_SIZE,
    k: int = SKETCH_SIZE,
) -> tuple[np.ndarray, np.ndarray]:
    """Bottom-k sketches of the documents' word-shingle sets: each document's ``k`` smallest
    distinct 32-bit shingle hashes, sorted.

    ``sketch(d) = the k smallest of {fmix32(shingle_hash(s)) : s in S_d}`` (the shingles of
    :func:`minhash_signatures`). A document with at most ``k`` distinct shingles keeps its whole
    set, so :func:`sketch_jaccard` of two such documents is their exact Jaccard similarity
    (up to 32-bit hash collisions, about m^2 / 2^33 for m shingles); a longer one keeps a
    uniform sample of its shingles that still estimates Jaccard (Broder 1997; Cohen & Kaplan
    2007, bottom-k sketches).

    Returns
    -------
    ``(values, offsets)``: uint32 values of every sketch, concatenated, and int64 offsets of
    length ``n + 1`` (document ``d``'s sketch is ``values[offsets[d]:offsets[d + 1]]``; empty
    for a document without words).

    >>> v, o = shingle_sketches([["a", "b", "c"], [], ["a", "b", "c", "a", "b", "c"]],
    ...                         shingle_size=2, k=8)
    >>> o.tolist(), len(v[o[2]:o[3]])
    ([0, 2, 2, 5], 3)
    """
    return signatures_and_sketches(docs, shingle_size=shingle_size, num_perm=0, k=k)[1]


def sketch_jaccard(a: np.ndarray, b: np.ndarray, *, k: int = SKETCH_SIZE) -> float:
    """Jaccard similarity from two bottom-k sketches (:func:`shingle_sketches`).

    When both sketches hold fewer than ``k`` values they are the whole shingle sets, and the
    result is exact: ``|A & B| / |A | B|``. Otherwise the bottom-k estimator:
    ``U = the k smallest of a | b``, ``J = |U & a & b| / |U|`` (Broder 1997; Cohen & Kaplan
    2007), unbiased with standard error about ``sqrt(J (1 - J) / k)`` (0.025 at J = 0.8 and
    k = 256, against 0.035 for 128 MinHash slots). Range 0..1; ``nan`` when both are empty.

    >>> sketch_jaccard(np.array([1, 2, 3, 4]), np.array([2, 3, 4, 5]))
    0.6
    >>> sketch_jaccard(np.array([1, 2, 3, 4]), np.array([1, 2, 3, 5]), k=2)
    1.0
    """
    a = np.asarray(a, dtype=np.uint32)
    b = np.asarray(b, dtype=np.uint32)
    if a.size == 0 and b.size == 0:
        return NAN
    union = np.union1d(a, b)
    if a.size >= k or b.size >= k:
        union = union[:k]
    both = np.intersect1d(a, b, assume_unique=True)
    return float(np.count_nonzero(np.isin(union, both, assume_unique=True))) / union.size


def signature_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal signature slots (as datasketch's
    ``MinHash.jaccard``); standard error about ``sqrt(J (1 - J) / num_perm)``.

    >>> signature_jaccard(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 0]))
    0.5
    """
    sig_a, sig_b = np.asarray(sig_a), np.asarray(sig_b)
    if sig_a.size == 0 or sig_a.shape != sig_b.shape:
        return NAN
    return float(np.count_nonzero(sig_a == sig_b)) / sig_a.size


def _collision_fp(threshold: float, b: int, r: int) -> float:
    from scipy.integrate import (
        quad,  # lazily: scipy costs ~0.5 s to import (samey check)
    )

    return quad(lambda s: 1 - (1 - s**r) ** b, 0.0, threshold)[0]


def _collision_fn(threshold: float, b: int, r: int) -> float:
    from scipy.integrate import quad

    return quad(lambda s: 1 - (1 - (1 - s**r) ** b), threshold, 1.0)[0]


@lru_cache(maxsize=32)
def lsh_params(threshold: float = 0.8, num_perm: int = 128) -> tuple[int, int]:
    """Bands ``b`` and rows per band ``r`` (``b * r <= num_perm``) minimising
    ``FP + FN``, the integrated probabilities of a candidate below / a miss above the threshold
    (datasketch's ``_optimal_param`` with equal weights).

    >>> lsh_params(0.8, 128)
    (9, 13)
    """
    best, opt = float("inf"), (1, num_perm)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            err = _collision_fp(threshold, b, r) + _collision_fn(threshold, b, r)
            if err < best:
                best, opt = err, (b, r)
    return opt


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)

    def find(self, i: int) -> int:
        p = self.parent
        root = i
        while p[root] != root:
            root = p[root]
        while p[i] != root:
            p[i], i = root, p[i]
        return int(root)

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def near_duplicate_families(
    signatures: np.ndarray,
    *,
    threshold: float = 0.8,
    num_perm: int | None = None,
    max_representatives: int = 64,
) -> list[list[int]]:
    """Families of near-duplicate documents: banded MinHash LSH, verified, then union-find.

    Signatures are cut into ``b`` bands of ``r`` rows (:func:`lsh_params`; b = 9, r = 13 for
    threshold 0.8 and 128 permutations). Documents whose band values coincide in some band are
    candidates; a candidate pair is kept when its estimated Jaccard (share of equal slots over all
    ``num_perm`` slots) is ``>= threshold``. Families are the connected components (size >= 2) of
    kept pairs, each sorted by index, largest family first (ties by smallest index).

    Parameters
    ----------
    signatures : ``(n, num_perm)`` array from :func:`minhash_signatures`.
    threshold : Jaccard similarity threshold (0.8, Lee et al. 2022).
    num_perm : slots to use (default: all columns).
    max_representatives : cap on verification work per bucket (see notes).

    Returns
    -------
    list of families (lists of row indices); empty when nothing is duplicated.

    Notes
    -----
    O(n log n) time and O(n * num_perm) memory: no pairwise matrix. Inside a bucket, members are
    verified against successive *representatives* (the first member not yet matched by an earlier
    representative), each compared with every member, so a bucket costs O(size x representatives)
    and at most ``max_representatives`` are tried; a chain of two members both unmatched by
    every representative can be missed (rare: bucket-mates share ``r`` identical slots).
    Empty documents (all slots ``EMPTY_HASH``) never join a family.

    >>> sig = minhash_signatures([["a", "b", "c", "d", "e", "f"]] * 2 + [["x", "y"]])
    >>> near_duplicate_families(sig)
    [[0, 1]]
    """
    sig = np.asarray(signatures)
    if sig.ndim != 2 or sig.shape[0] < 2:
        return []
    k = sig.shape[1] if num_perm is None else min(int(num_perm), sig.shape[1])
    if k < 1:
        return []
    sig = np.ascontiguousarray(sig[:, :k])
    valid = np.flatnonzero(~(sig == EMPTY_HASH).all(axis=1))
    if valid.size < 2:
        return []
    b, r = lsh_params(float(threshold), k)
    need = int(np.ceil(threshold * k - 1e-9))  # equal slots needed
    uf = _UnionFind(sig.shape[0])
    sub = sig[valid]
    for band in range(b):
        keys = np.ascontiguousarray(sub[:, band * r : (band + 1) * r])
        keys = keys.view(np.dtype((np.void, keys.dtype.itemsize * r))).ravel()
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        if counts.max() < 2:
            continue
        order = np.argsort(inverse, kind="stable")
        bounds = np.cumsum(counts)[:-1]
        for bucket, size in zip(np.split(order, bounds), counts):
            if size < 2:
                continue
            members = valid[bucket]
            rows = sig[members]
            matched = np.zeros(len(members), dtype=bool)
            for _ in range(max_representatives):
                left = np.flatnonzero(~matched)
                if left.size == 0:
                    break
                rep = left[0]
                matched[rep] = True
                ok = np.count_nonzero(rows == rows[rep], axis=1) >= need
                for m in np.flatnonzero(ok):
                    if m != rep:
                        uf.union(int(members[rep]), int(members[m]))
                matched |= ok
    groups: dict[int, list[int]] = {}
    for i in valid:
        groups.setdefault(uf.find(int(i)), []).append(int(i))
    families = [sorted(g) for g in groups.values() if len(g) >= 2]
    families.sort(key=lambda g: (-len(g), g[0]))
    return families


def duplicate_share(families: Sequence[Sequence[int]], n_docs: int) -> float:
    """Share of documents that belong to a near-duplicate family (size >= 2).

    ``share = sum_f |f| / n_docs``; range 0..1, higher = more homogeneous. ``nan`` when
    ``n_docs`` is 0.

    >>> duplicate_share([[0, 3, 4], [1, 2]], 10)
    0.5
    """
    if n_docs <= 0:
        return NAN
    members = {int(i) for f in families if len(f) >= 2 for i in f}
    return len(members) / n_docs


def repost_share(is_repost: Sequence[bool]) -> float:
    """Share of a sample's documents that republish an earlier document (reposts).

    ``share = #{d : is_repost[d]} / n``, where a document is a repost when its body equals that
    of an earlier-dated document (``Document.repost_of is not None``, see ``auditor.ingest``).
    Range 0..1; higher = more homogeneous (more of the period is old content published again).
    ``nan`` for an empty sample. The original itself is not counted: one post published twice in a
    sample of four gives 1/4, not 2/4 (unlike :func:`duplicate_share`, which counts every member
    of a family).

    >>> repost_share([False, True, False, False])
    0.25
    """
    flags = np.asarray(is_repost, dtype=bool).ravel()
    if flags.size == 0:
        return NAN
    return float(np.count_nonzero(flags)) / flags.size


@dataclass(frozen=True)
class DocRef:
    """A document named in evidence: ``path`` is its ``doc_id`` (``file.csv#3`` for a record),
    ``date`` an ISO date or ``None`` (the same shape as the audit's other evidence entries)."""

    path: str
    title: str | None
    date: str | None

    @classmethod
    def of(cls, doc: Document) -> DocRef:
        return cls(doc.doc_id, doc.title, doc.date.isoformat() if doc.date else None)


@dataclass(frozen=True)
class RepostPair:
    """A repost and the first publication it repeats; ``days_later`` between their dates."""

    repost: DocRef
    original: DocRef
    days_later: int | None


def repost_pairs(
    documents: Sequence[Document],
    originals: Mapping[str, Document],
    *,
    top: int = 5,
) -> list[RepostPair]:
    """The reposts among ``documents`` (one period's), each with the original it repeats.

    Evidence for :func:`repost_share`: one :class:`RepostPair` per document with ``repost_of``
    set, naming both posts (path = doc_id, title, date) and the days between the publications.
    The original is looked up by ``doc_id`` in ``originals`` (every ingested document, not only
    the period's: the original is usually in an earlier period); one not found is named by its
    ``doc_id`` alone (title and date ``None``, ``days_later`` ``None``). Sorted by the repost's
    (date, doc_id); at most ``top`` pairs (``top`` <= 0: none). Empty when the period has no
    repost. ``dataclasses.asdict`` gives the JSON evidence entry.

    >>> import datetime as dt
    >>> a = Document("a.md", "a.md", "Same words.", title="A", date=dt.date(2025, 1, 1))
    >>> b = Document("b.md", "b.md", "Same words.", title="A again", date=dt.date(2025, 3, 1),
    ...              repost_of="a.md")
    >>> [pair] = repost_pairs([a, b], {"a.md": a, "b.md": b})
    >>> pair.repost
    DocRef(path='b.md', title='A again', date='2025-03-01')
    >>> pair.original, pair.days_later
    (DocRef(path='a.md', title='A', date='2025-01-01'), 59)
    """
    reposts = sorted((d for d in documents if d.repost_of is not None),
                     key=lambda d: (d.date is None, d.date or dt.date.min, d.doc_id))
    out = []
    for d in reposts[: max(int(top), 0)]:
        assert d.repost_of is not None  # reposts only
        orig = originals.get(d.repost_of)
        if orig is None:
            out.append(RepostPair(DocRef.of(d), DocRef(d.repost_of, None, None), None))
            continue
        days = (d.date - orig.date).days if d.date and orig.date else None
        out.append(RepostPair(DocRef.of(d), DocRef.of(orig), days))
    return out
