"""Two stages for ``samey curate`` at a million documents (README, "samey curate"): every
document is embedded by the fast first stage (``features.static``: a table distilled from the
model), and the model embeds only what decides.

1. :func:`align_store`: ``scale.align_docs`` documents (a seeded sample) are read again and
   embedded by the model; the alignment map fitted on them (``features.static.fit_alignment``)
   turns every stored first-stage row into the model's space (the store is rewritten as
   aligned unit rows, one pass), so clusters, the farthest-point order and the report work on
   vectors close to the model's;
2. :func:`rescore_borderline`: the semantic near-copy decisions (SemDeDup's cosine to the most
   similar document ranked before it, against ``curate.near_copy_similarity``) within
   ``scale.rescore_margin`` of the cut are the borderline picks: both documents of each such
   pair are embedded by the model and the model's cosine replaces the first stage's, the
   closest to the cut first, at most ``scale.rescore_pairs`` pairs (the rest keep the first
   stage's cosine, and the result says how many).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from auditor.app.curate_index import CurateIndex, EmbeddingStore
from auditor.app.site_duplicates import reread
from auditor.config import IngestOptions
from auditor.features.embeddings import TextEmbedder
from auditor.features.static import aligned, fit_alignment
from auditor.metrics.sampling import stable_seed

REWRITE_ROWS = 16_384  # rows aligned and rewritten at a time


def _texts(index: CurateIndex, ids: np.ndarray, root: Path,
           ingest: IngestOptions) -> dict[int, str]:
    return {i: d.text for i, d in reread(index.site, [int(x) for x in ids], root,
                                         ingest).items()}


def align_store(index: CurateIndex, root: Path, ingest: IngestOptions, full: TextEmbedder, *,
                docs: int, seed: int) -> int:
    """Fit the alignment map on ``docs`` sampled documents and rewrite the store as aligned
    rows (module docstring, 1); the number of documents it was fitted on."""
    n = index.n
    rng = np.random.default_rng(stable_seed(seed, "curate-align"))
    train = np.sort(rng.choice(n, size=min(n, docs), replace=False))
    texts = _texts(index, train, root, ingest)
    ids = np.array([i for i in train.tolist() if i in texts], dtype=np.int64)
    M = np.asarray(full.embed([texts[int(i)] for i in ids]), dtype=np.float32)
    P = fit_alignment(index.store.read(ids), M)
    store = EmbeddingStore(str(Path(index.store.path).parent))
    for _, X in index.store.chunks(REWRITE_ROWS):
        store.append(aligned(X, P))
    index.store.close()
    index.store = store
    return len(ids)


def rescore_borderline(plan: Any, index: CurateIndex, root: Path, ingest: IngestOptions,
                       full: TextEmbedder, *, cut: float, margin: float, budget: int
                       ) -> tuple[Any, int, int]:
    """The plan with the model's cosine for the borderline semantic near-copy decisions
    (module docstring, 2), the pairs rescored and the borderline pairs left to the first
    stage."""
    sim = np.nan_to_num(plan.max_sim, nan=-2.0)
    band = np.flatnonzero(plan.eligible & (plan.nearest >= 0) & (sim >= cut - margin))
    band = band[np.lexsort((band, np.abs(sim[band] - cut)))]
    take, left = band[:budget], max(0, len(band) - budget)
    if not len(take):
        return plan, 0, left
    pairs = np.unique(np.concatenate([take, plan.nearest[take]]))
    texts = _texts(index, pairs, root, ingest)
    have = np.array([i for i in pairs.tolist() if i in texts], dtype=np.int64)
    V = np.asarray(full.embed([texts[int(i)] for i in have]), dtype=np.float32)
    row = {int(i): r for r, i in enumerate(have.tolist())}
    max_sim = np.array(plan.max_sim, dtype=np.float64)
    done = 0
    for i in take.tolist():
        j = int(plan.nearest[i])
        if i in row and j in row:
            max_sim[i] = float(V[row[i]] @ V[row[j]])
            done += 1
    return dataclasses.replace(plan, max_sim=max_sim), done, left + len(take) - done
