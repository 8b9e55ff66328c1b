"""Site-wide near-duplicate families: banded MinHash LSH over every document, in a summary that
merges.

The pool-level :func:`auditor.metrics.duplication.near_duplicate_families` holds every signature
of a (<= 1,000 document) sample in memory. Over a whole site the signatures are too many to hold,
so the work is split the way a distributed engine splits it (NeMo Curator's fuzzy deduplication:
MinHash, a shuffle of band buckets across workers, connected components; datatrove runs the same
stages over shards):

1. **Band keys** (:func:`band_keys`): each document's ``num_perm`` MinHash values
   (:func:`~auditor.metrics.duplication.minhash_signatures`: word 5-gram shingles, 128
   permutations) are cut into ``b`` bands of ``r`` rows and each band is hashed to 64 bits.
   Two documents are *candidates* when they agree on all ``r`` rows of some band. For Jaccard
   similarity ``s`` that happens with probability ``1 - (1 - s^r)^b`` (Broder 1997; Leskovec,
   Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3.4).
2. **A band index** (:class:`BandIndex`): per document its id and its ``b`` band keys, folded
   to 32 bits when stored (4 bytes a band: 44 bytes a document for b = 9, with the id). Plain
   numpy arrays: a partition's index merges with another's by concatenation
   (:meth:`BandIndex.merge`), and the buckets can be shuffled by ``(band, key)`` across workers;
   the candidate buckets do not depend on the read order or on how documents were split into
   partitions.
3. **Verification** (:func:`verified_families`): inside each bucket of two or more documents,
   a pair is kept when its signatures agree on at least ``ceil(threshold * num_perm)`` slots
   (estimated Jaccard >= threshold, as ``datasketch.MinHash.jaccard``). Only the signatures of
   documents that share a bucket are needed; the caller looks them up (in memory, a numpy
   memmap, a key-value store).
4. **Families**: connected components (union-find) of the kept pairs, size >= 2.

Parameters: threshold 0.8 (Lee et al. 2022) with 128 permutations gives b = 9, r = 13
(:func:`~auditor.metrics.duplication.lsh_params`, datasketch's ``_optimal_param``); the
integrated false-positive probability below the threshold is 0.025 and the false-negative
probability above it 0.033 (:func:`lsh_error_rates`). The S-curve is steep but centred above
0.8: a pair becomes a candidate with probability 0.08 at Jaccard 0.7, 0.40 at 0.8, 0.69 at
0.85, 0.93 at 0.9 and 0.998 at 0.95 (and 0.001 at 0.5), so pairs near the threshold are often
missed and near-verbatim copies almost never; a family is still found whole when its members
are linked through other members. NeMo Curator's configuration (20 bands x 13 rows, 260 hashes)
buys fewer misses with twice the hashes.

**Families found whole** (the site index, ``SITE_BANDS x SITE_ROWS``). Curation keeps one
member of each family, so a family split in two keeps two near-copies. Two changes, measured on
``bench/bench_dedup.py`` (100,000 rows, 173 planted families whose members pair at true Jaccard
0.82-0.93): with 9 x 13 bands and verification at an estimated 0.8, 130 families were found
whole; the misses were (a) pairs that never became candidates and (b) pairs whose 128-slot
estimate fell below 0.8 although their true Jaccard is above it.

* a looser candidate pass: **16 bands x 8 rows** (all 128 slots): a pair becomes a candidate
  with probability 0.61 at Jaccard 0.7, 0.95 at 0.8, 0.97 at 0.82, 0.994 at 0.85 (and 0.06 at
  0.5, 0.001 at 0.3: more candidates to verify, never more families, since every candidate is
  verified). Integrated false negatives above 0.8: 0.001 (9 x 13: 0.033). Memory: 16 keys of 4
  bytes a document instead of 9. Alone: 163 of 173 whole;
* a second verification for the pairs estimated between 0.7 and 0.8
  (:func:`verified_families`' ``recheck``): exact Jaccard of their shingle sets (bottom-256
  sketches kept on disk beside the signatures: the whole set for documents of up to 256
  shingles, an estimate with standard error 0.025 for longer ones), so that a pair is kept when
  its Jaccard is at least 0.8, not when its noisy estimate is. Together: 173 of 173 whole, no
  false family. The pool-level families and the check keep 9 x 13 (their samples are small).

Pure functions over arrays; no I/O.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from auditor.metrics.duplication import (
    DUP_THRESHOLD,
    EMPTY_HASH,
    FNV64_PRIME,
    NUM_PERM,
    fmix64,
)

__all__ = [
    "BANDS",
    "ROWS",
    "SITE_BANDS",
    "SITE_ROWS",
    "ALL_PAIRS_MAX",
    "band_keys",
    "fold32",
    "key_groups",
    "lsh_error_rates",
    "BandIndex",
    "verified_families",
]

BANDS, ROWS = 9, 13  # lsh_params(0.8, 128), checked in the tests
# The site-wide index (``app.site_duplicates``) bands looser: 16 bands x 8 rows (all 128 slots),
# so that pairs just above the threshold become candidates (module docstring, "Two passes").
SITE_BANDS, SITE_ROWS = 16, 8
ALL_PAIRS_MAX = 256  # buckets up to this size verify every pair (exact); larger: representatives

_P64 = FNV64_PRIME


def lsh_error_rates(threshold: float = DUP_THRESHOLD, bands: int = BANDS,
                    rows: int = ROWS) -> tuple[float, float]:
    """Integrated false-positive and false-negative probabilities of ``bands x rows`` banding.

    ``FP = int_0^t 1 - (1 - s^r)^b ds`` (pairs below the threshold that become candidates) and
    ``FN = int_t^1 (1 - s^r)^b ds`` (pairs above it that never do), as datasketch's
    ``_optimal_param`` weighs them (uniform prior over similarities). Candidates are then
    verified, so a false positive costs work, not a wrong family.

    >>> fp, fn = lsh_error_rates(0.8, 9, 13)
    >>> round(fp, 4), round(fn, 4)
    (0.0253, 0.0333)
    """
    from scipy.integrate import quad  # lazily, as duplication.lsh_params

    fp = quad(lambda s: 1 - (1 - s**rows) ** bands, 0.0, threshold)[0]
    fn = quad(lambda s: (1 - s**rows) ** bands, threshold, 1.0)[0]
    return float(fp), float(fn)


def band_keys(signatures: np.ndarray, *, bands: int = BANDS, rows: int = ROWS) -> np.ndarray:
    """64-bit keys of each document's LSH bands.

    ``key[d, i] = fmix64(fold_j (h * P + sig[d, i*r + j] + 1) + i)`` over the ``r`` rows of band
    ``i`` (``P`` the FNV prime, arithmetic mod 2^64), so two documents share ``key[:, i]`` when
    they agree on all ``r`` rows of band ``i`` (and, for different rows, with probability about
    2^-64: a false bucket-mate is removed by verification). The band index is mixed in, so the
    64-bit keys of different bands differ; once folded to 32 bits (:func:`fold32`) they may
    meet by chance, so tables that hold several bands keep the band beside the key.

    Parameters
    ----------
    signatures : ``(n, num_perm)`` uint32 MinHash signatures, ``bands * rows <= num_perm``.
    bands, rows : the banding (9 x 13 for threshold 0.8 and 128 permutations).

    Returns
    -------
    ``(n, bands)`` uint64.

    >>> s = np.array([[1, 2, 3, 4], [1, 2, 9, 9]], dtype=np.uint32)
    >>> k = band_keys(s, bands=2, rows=2)
    >>> bool(k[0, 0] == k[1, 0]), bool(k[0, 1] == k[1, 1])
    (True, False)
    """
    sig = np.asarray(signatures, dtype=np.uint32)
    if sig.ndim != 2 or bands * rows > sig.shape[1]:
        raise ValueError(f"need (n, >= {bands * rows}) signatures, got shape {sig.shape}")
    out = np.empty((sig.shape[0], bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(bands):
            h = np.zeros(sig.shape[0], dtype=np.uint64)
            for j in range(rows):
                h = h * _P64 + sig[:, i * rows + j].astype(np.uint64) + np.uint64(1)
            out[:, i] = fmix64(h + np.uint64(i))
    return out


def fold32(keys: np.ndarray) -> np.ndarray:
    """64-bit band keys folded to 32 bits, ``k ^ (k >> 32)`` (what :class:`BandIndex` stores).

    >>> int(fold32(np.array([0x0000000100000002], dtype=np.uint64))[0])
    3
    """
    k = np.asarray(keys, dtype=np.uint64)
    return (k ^ (k >> np.uint64(32))).astype(np.uint32)


@dataclass
class BandIndex:
    """Band keys of documents, by document id: the mergeable summary of site-wide LSH.

    ``ids`` (int64) name documents in the caller's numbering (global across partitions);
    ``keys`` is ``(n, bands)`` uint32: :func:`band_keys` folded to 32 bits
    (``k ^ (k >> 32)``). Folding halves the memory and adds chance bucket-mates: among ``n``
    documents about ``n^2 / 2^33`` unrelated pairs share a band's key (about 12,000 a band at
    10 million), which verification then rejects, so the families are unchanged. Documents
    without words (every slot ``EMPTY_HASH``) are not added: they are never near-duplicates.
    Memory: 8 bytes per id plus 4 per band (44 bytes a document for 9 bands); chunks are kept
    as added and read a band column at a time, never joined into one copy, so adding is O(1)
    amortised and finding buckets adds about 20 bytes a document.

    >>> sig = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [5, 6, 7, 8]], dtype=np.uint32)
    >>> a = BandIndex(2, 2); a.add([0, 1], sig[:2])
    >>> b = BandIndex(2, 2); b.add([2], sig[2:])
    >>> [bucket.tolist() for bucket in a.merge(b).buckets()]
    [[0, 1], [0, 1]]
    """

    bands: int = BANDS
    rows: int = ROWS
    _ids: list[np.ndarray] = field(default_factory=list, repr=False)
    _keys: list[np.ndarray] = field(default_factory=list, repr=False)

    def add(self, ids: Sequence[int] | np.ndarray, signatures: np.ndarray) -> None:
        """Index the documents ``ids`` with these signatures (one row each)."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        sig = np.asarray(signatures, dtype=np.uint32)
        if len(ids) != len(sig):
            raise ValueError("one signature row per id")
        keep = ~(sig == EMPTY_HASH).all(axis=1)
        if not keep.any():
            return
        self._ids.append(ids[keep])
        self._keys.append(fold32(band_keys(sig[keep], bands=self.bands, rows=self.rows)))

    @property
    def ids(self) -> np.ndarray:
        """Every id, in order added (a new array)."""
        return np.concatenate(self._ids) if self._ids else np.zeros(0, np.int64)

    @property
    def keys(self) -> np.ndarray:
        """Every document's keys, ``(n, bands)`` uint32 (a new array)."""
        return (np.concatenate(self._keys) if self._keys
                else np.zeros((0, self.bands), np.uint32))

    def column(self, band: int) -> np.ndarray:
        """One band's keys of every document (a new array: 4 bytes a document)."""
        if not self._keys:
            return np.zeros(0, np.uint32)
        return np.concatenate([k[:, band] for k in self._keys])

    def __len__(self) -> int:
        return sum(len(i) for i in self._ids)

    @property
    def nbytes(self) -> int:
        return sum(i.nbytes for i in self._ids) + sum(k.nbytes for k in self._keys)

    def shifted(self, offset: int) -> BandIndex:
        """The same index with every id increased by ``offset`` (to append a partition whose
        ids were numbered from 0)."""
        return BandIndex(self.bands, self.rows, [i + offset for i in self._ids],
                         list(self._keys))

    def merge(self, other: BandIndex) -> BandIndex:
        """The index of both parts (disjoint ids, same banding)."""
        if (self.bands, self.rows) != (other.bands, other.rows):
            raise ValueError("band indexes of different bandings")
        return BandIndex(self.bands, self.rows, [*self._ids, *other._ids],
                         [*self._keys, *other._keys])

    def buckets(self) -> Iterator[np.ndarray]:
        """Every bucket of two or more documents: for each band in turn, the sorted ids that
        share a key (:func:`key_groups`). O(n log n) per band."""
        ids = self.ids
        if len(ids) < 2:
            return
        for i in range(self.bands):
            yield from key_groups(self.column(i), ids)


def key_groups(keys: np.ndarray, ids: np.ndarray) -> Iterator[np.ndarray]:
    """The groups of two or more ``ids`` that share a key, each sorted, in key order: the
    candidate buckets of one band (or of a shuffled table whose keys carry their band).

    >>> [g.tolist() for g in key_groups(np.array([5, 3, 5, 3, 9]), np.array([4, 1, 0, 2, 7]))]
    [[1, 2], [0, 4]]
    """
    order = np.lexsort((ids, keys))
    sk, si = keys[order], ids[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    sizes = np.diff(np.r_[starts, len(sk)])
    for a, n in zip(starts[sizes >= 2], sizes[sizes >= 2]):
        yield si[a:a + n]


class _UnionFind:
    """Union-find over arbitrary int ids (dict-based: only colliding documents enter)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, i: int) -> int:
        p = self.parent
        root = p.setdefault(i, i)
        while p[root] != root:
            root = p[root]
        while p[i] != root:
            p[i], i = root, p[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def verified_families(
    buckets: Iterator[np.ndarray] | Sequence[np.ndarray],
    signatures_of: Callable[[np.ndarray], np.ndarray],
    *,
    threshold: float = DUP_THRESHOLD,
    num_perm: int = NUM_PERM,
    all_pairs_max: int = ALL_PAIRS_MAX,
    recheck: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    recheck_from: float | None = None,
) -> list[list[int]]:
    """Near-duplicate families from candidate buckets: verified pairs, connected components.

    A pair inside a bucket is kept when its signatures agree on at least
    ``need = ceil(threshold * num_perm)`` slots (estimated Jaccard >= ``threshold``;
    ``datasketch.MinHash.jaccard >= threshold``). A bucket of up to ``all_pairs_max`` documents
    checks every pair, so the families equal those of datasketch's ``MinHashLSH`` queried with
    every document and its candidates verified the same way. A larger bucket (a template copied
    hundreds of times) is verified against successive representatives (the first member no
    earlier representative matched, at most 64): O(size x representatives). A bucket whose
    members are already one family is skipped.

    A second, finer verification (``recheck``): a pair whose estimate falls short of the
    threshold but reaches ``recheck_from`` (0.7 for the site index) is not rejected on the
    estimate alone, since 128 slots estimate Jaccard with a standard error of about 0.035 near
    0.8 and so reject about a quarter of the pairs at 0.82; it is passed to
    ``recheck(ids_a, ids_b) -> bool array``, which decides on better evidence (the site index:
    exact Jaccard of the shingle sets, from :func:`~auditor.metrics.duplication.sketch_jaccard`).
    Pairs already in one family are not rechecked.

    Parameters
    ----------
    buckets : arrays of document ids (:meth:`BandIndex.buckets`).
    signatures_of : ``ids -> (len(ids), num_perm)`` uint32 signatures, rows in the order of
        ``ids`` (sorted ids are passed).
    threshold, num_perm : Jaccard threshold (0.8) and signature length (128).
    recheck, recheck_from : the finer verification of pairs estimated in
        ``[recheck_from, threshold)`` (both or neither).

    Returns
    -------
    families as sorted lists of ids, largest first (ties: smallest first id).

    >>> from auditor.metrics.duplication import minhash_signatures
    >>> sig = minhash_signatures([["a", "b", "c", "d", "e", "f"]] * 2 + [["x", "y"]])
    >>> idx = BandIndex(); idx.add([10, 11, 12], sig)
    >>> verified_families(idx.buckets(), lambda ids: sig[ids - 10])
    [[10, 11]]
    """
    if (recheck is None) != (recheck_from is None):
        raise ValueError("give recheck and recheck_from together")
    need = int(np.ceil(threshold * num_perm - 1e-9))
    low = need if recheck_from is None else int(np.ceil(recheck_from * num_perm - 1e-9))
    uf = _UnionFind()

    def second_look(a: np.ndarray, b: np.ndarray) -> None:
        """Unite the borderline pairs ``(a[i], b[i])`` that ``recheck`` accepts."""
        apart = np.array([uf.find(int(x)) != uf.find(int(y)) for x, y in zip(a, b)], dtype=bool)
        if recheck is None or not apart.any():
            return
        a, b = a[apart], b[apart]
        same = np.asarray(recheck(a, b), dtype=bool)
        for x, y in zip(a[same].tolist(), b[same].tolist()):
            uf.union(int(x), int(y))

    for bucket in buckets:
        members = np.asarray(bucket, dtype=np.int64)
        if len(members) < 2:
            continue
        roots = {uf.find(int(m)) for m in members}
        if len(roots) == 1:
            continue
        rows = np.asarray(signatures_of(members))[:, :num_perm]
        if len(members) <= all_pairs_max:
            agree = np.triu((rows[:, None, :] == rows[None, :, :]).sum(axis=2) + 1, k=1) - 1
            ii, jj = np.nonzero(agree >= need)
            for i, j in zip(ii.tolist(), jj.tolist()):
                uf.union(int(members[i]), int(members[j]))
            if low < need:
                ii, jj = np.nonzero((agree >= low) & (agree < need))
                second_look(members[ii], members[jj])
            continue
        matched = np.zeros(len(members), dtype=bool)
        for _ in range(64):
            left = np.flatnonzero(~matched)
            if left.size == 0:
                break
            rep = left[0]
            count = np.count_nonzero(rows == rows[rep], axis=1)
            ok = count >= need
            ok[rep] = True
            for m in np.flatnonzero(ok):
                uf.union(int(members[rep]), int(members[m]))
            matched |= ok
            if low < need:
                near = np.flatnonzero((count >= low) & ~ok)
                second_look(np.full(len(near), members[rep]), members[near])
    groups: dict[int, list[int]] = {}
    for i in list(uf.parent):
        groups.setdefault(uf.find(i), []).append(i)
    families = [sorted(g) for g in groups.values() if len(g) >= 2]
    families.sort(key=lambda g: (-len(g), g[0]))
    return families
