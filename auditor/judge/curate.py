"""The curation rule: which documents ``samey curate`` keeps, and why each one is kept or not.

Inputs are per-document arrays computed upstream (``metrics.selection``, ``metrics.families``):
whether a document is eligible (not a near-copy of its family's kept member), its topic cluster,
its place in the cluster's farthest-point order, its similarity to the most similar document
ranked before it, and its structure keys (opening, closing, heading outline). The rule, in tiers:

0. **always keep** (``--always-keep``): kept, whatever the rest says;
1. **selected**: the eligible documents that are not semantic near-copies (similarity to a
   document ranked before them in their cluster below ``near_copy_similarity``: SemDeDup), taken
   round robin over the clusters, each cluster in its farthest-point order: the cluster with
   the fewest kept documents goes next (ties: its next document the most distinct, then the
   smaller cluster), which gives each cluster the
   :func:`~auditor.metrics.selection.water_fill` quota: rare topics whole, crowded ones
   thinned. A document whose opening, closing or heading outline is already shared by
   ``cap = max(1, floor(structure_cap * N))`` kept documents waits and its cluster offers its
   next one (stock openings and templates capped, topic balance kept);
   when a cluster has only waiting documents left, they fill its share ("filled: repeated
   structure");
2. **filled**, only when tier 1 cannot reach N: the semantic near-copies (least similar
   first), then near-copies of kept members (in reading order).

Everything not kept is dropped with its reason. Deterministic: ties are broken by document
number.
"""
from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["REASONS", "KEPT_REASONS", "Selection", "select", "largest_within", "beats_all"]

#: reason codes (index into this tuple), the words the manifest and the report use
REASONS: tuple[str, ...] = (
    "always keep",                  # 0: --always-keep
    "selected",                     # 1: among the most distinct of its topic, within its share
    "filled: repeated structure",   # 2: kept to reach N although its opening/closing/outline
    "filled: semantic near-copy",   # 3: ... although a semantic near-copy
    "filled: near-copy",            # 4: ... although a near-copy of a kept member
    "near-copy",                    # 5: its family's kept member stands for it
    "semantic near-copy",           # 6: embedding cosine to a kept one >= near_copy_similarity
    "repeated opening",             # 7: the opening's cap was reached
    "repeated closing",             # 8
    "repeated outline",             # 9: the heading outline's cap was reached
    "crowded topic",                # 10: its topic's share went to more distinct documents
)
KEPT_REASONS = frozenset(range(5))
ALWAYS, SELECTED, FILLED_STRUCTURE, FILLED_SEMANTIC, FILLED_COPY = 0, 1, 2, 3, 4
COPY, SEMANTIC, OPENING, CLOSING, OUTLINE, CROWDED = 5, 6, 7, 8, 9, 10


@dataclass(frozen=True)
class Selection:
    """The decision for every document: ``keep`` (bool), ``reason`` (code into
    :data:`REASONS`), and the structure cap that applied."""

    keep: np.ndarray
    reason: np.ndarray
    cap: int

    @property
    def n_kept(self) -> int:
        return int(self.keep.sum())


def select(n_keep: int, *, eligible: np.ndarray, always: np.ndarray, cluster: np.ndarray,
           rank: np.ndarray, max_sim: np.ndarray, keys: np.ndarray,
           near_copy_similarity: float, structure_cap: float) -> Selection:
    """Keep ``n_keep`` documents by the rule of the module docstring.

    Parameters
    ----------
    n_keep : documents to keep (at least the protected ones; at most all).
    eligible : not a near-copy of its family's kept member (every document outside families).
    always : protected (``--always-keep``).
    cluster, rank : topic cluster and place in the cluster's farthest-point order (eligible
        documents; anything for the others).
    max_sim : cosine to the most similar document ranked before it in its cluster (``nan`` for
        the first of a cluster).
    keys : ``(n, 3)`` int64 hashes of the opening, closing and heading outline (0: none).
    near_copy_similarity, structure_cap : ``config.CurateOptions``.

    >>> sel = select(2, eligible=np.array([True, True, True, False]),
    ...              always=np.zeros(4, bool), cluster=np.array([0, 0, 1, 0]),
    ...              rank=np.array([0, 1, 0, 0]), max_sim=np.array([np.nan, .5, np.nan, 1.]),
    ...              keys=np.zeros((4, 3), np.int64), near_copy_similarity=.95,
    ...              structure_cap=.02)
    >>> sel.keep.tolist(), [REASONS[r] for r in sel.reason]
    ([True, False, True, False], ['selected', 'crowded topic', 'selected', 'near-copy'])
    """
    eligible = np.asarray(eligible, dtype=bool)
    always = np.asarray(always, dtype=bool)
    n = len(eligible)
    n_keep = int(min(max(n_keep, 0), n))
    keep = np.zeros(n, dtype=bool)
    reason = np.full(n, CROWDED, dtype=np.int8)
    reason[~eligible] = COPY
    semantic = eligible & ~always & (np.nan_to_num(max_sim, nan=-1.0) >= near_copy_similarity)
    reason[semantic] = SEMANTIC
    cap = max(1, math.floor(structure_cap * n_keep))
    counts: list[dict[int, int]] = [{}, {}, {}]

    def take(i: int, why: int) -> None:
        keep[i] = True
        reason[i] = why
        for kind in range(3):
            key = int(keys[i, kind])
            if key:
                counts[kind][key] = counts[kind].get(key, 0) + 1

    for i in np.flatnonzero(always):
        take(int(i), ALWAYS)
    score = 1.0 - np.nan_to_num(max_sim, nan=-1.0)
    kept = int(keep.sum())
    tier1 = np.flatnonzero(eligible & ~always & ~semantic)
    tier1 = tier1[np.lexsort((tier1, rank[tier1], cluster[tier1]))]  # by cluster, then rank
    starts = np.flatnonzero(np.r_[True, cluster[tier1][1:] != cluster[tier1][:-1]])
    queues = [tier1[a:b].tolist() for a, b in zip(starts, np.r_[starts[1:], len(tier1)])]
    taken = np.bincount(cluster[keep], minlength=int(cluster.max(initial=0)) + 1)
    # Round robin over the clusters by documents kept so far (protected ones count): the
    # cluster with the fewest goes next; ties: its next document the most distinct, then the
    # smaller cluster, then the document number. A document whose structure key is at its cap
    # waits and the cluster's next one is offered instead; a cluster with only waiting
    # documents left fills its share with them, so caps never shift the topic balance.
    heap = [(int(taken[cluster[q[0]]]), -float(score[q[0]]), len(q), q[0], c)
            for c, q in enumerate(queues)]
    heapq.heapify(heap)
    pos = [0] * len(queues)
    held: list[list[int]] = [[] for _ in queues]
    while heap and kept < n_keep:
        n_taken, _, size, i, c = heapq.heappop(heap)
        if pos[c] >= len(queues[c]):  # only waiting documents left
            take(held[c].pop(0), FILLED_STRUCTURE)
            kept += 1
            n_taken += 1
        elif any(keys[i, kind] and counts[kind].get(int(keys[i, kind]), 0) >= cap
                 for kind in range(3)):
            held[c].append(i)
            pos[c] += 1
        else:
            take(i, SELECTED)
            kept += 1
            n_taken += 1
            pos[c] += 1
        if pos[c] < len(queues[c]):
            j = queues[c][pos[c]]
            heapq.heappush(heap, (n_taken, -float(score[j]), size, j, c))
        elif held[c]:
            heapq.heappush(heap, (n_taken, 2.0, size, held[c][0], c))
    for c_held in held:
        for h in c_held:
            full = [kind for kind in range(3) if keys[h, kind]
                    and counts[kind].get(int(keys[h, kind]), 0) >= cap]
            reason[h] = (OPENING, CLOSING, OUTLINE)[full[0]] if full else CROWDED
    semantic_ids = np.flatnonzero(semantic)
    fills = [(semantic_ids[np.lexsort((semantic_ids, -score[semantic_ids]))].tolist(),
              FILLED_SEMANTIC),
             (np.flatnonzero(~eligible & ~always).tolist(), FILLED_COPY)]
    for ids, why in fills:
        for i in ids:
            if kept >= n_keep:
                break
            take(i, why)
            kept += 1
    return Selection(keep, reason, cap)


def largest_within(evaluate: Callable[[int], float], target: float, lo: int, hi: int
                   ) -> tuple[int, float]:
    """The largest ``N`` in ``lo..hi`` whose kept set's figure ``evaluate(N)`` is at most
    ``target`` (a bisection: the figure, e.g. mean pairwise similarity, grows with N as less
    distinct documents join), and that figure; ``(lo, evaluate(lo))`` when even ``lo`` is above
    the target.

    >>> largest_within(lambda n: n / 10, 0.45, 1, 10)
    (4, 0.4)
    """
    best = (lo, evaluate(lo))
    if best[1] > target:
        return best
    a, b = lo, hi
    while a < b:
        mid = (a + b + 1) // 2
        value = evaluate(mid)
        if value <= target:
            a, best = mid, (mid, value)
        else:
            b = mid - 1
    return best


def beats_all(kept: float, others: Sequence[float], direction: int) -> bool:
    """The kept set is less samey than every one of ``others`` (random subsets) on a figure
    whose ``direction`` is +1 (higher is more samey) or -1; False when any value is undefined.

    >>> beats_all(0.08, [0.10, 0.12], +1), beats_all(0.11, [0.10, 0.12], +1)
    (True, False)
    """
    values = np.asarray(list(others), dtype=float)
    if not values.size or not np.isfinite(kept) or not np.isfinite(values).all() or not direction:
        return False
    return bool((direction * (values - kept) > 0).all())
