"""Does float16 storage of the check index's embeddings hold? float16 vs float32 on the real posts
of ../shared/corpora (all-MiniLM-L6-v2 embeddings, as ``samey check`` stores them).

Criterion, fixed before measuring: float16 holds when, with every post as a query against all
the others (a corpus post, both sides stored: the reference neighbours) and against all posts
with the query kept in float32 (a draft),

- the largest cosine error |cos16 - cos32| over all pairs is at most 1e-3 (a tenth of the
  two-decimal precision the cuts are shown with), and
- the mean top-10 agreement |top10_16 & top10_32| / 10 is at least 0.99, and the nearest
  neighbour is the same for at least 99% of the posts.

    python bench/bench_index_float16.py [--cache-dir DIR]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-dir", default=None, help="embedding cache (default: samey's)")
    ap.add_argument("--backend", default="torch")
    a = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's samey
    from auditor.config import IngestOptions
    from auditor.features.embeddings import make_embedder
    from auditor.index.search import nearest_rows
    from auditor.ingest import load_documents

    texts = [d.text for f in sorted(CORPORA.glob("*.jsonl"))  # as samey reads them
             for d in load_documents(f, IngestOptions()).documents]
    emb = make_embedder(cache_dir=a.cache_dir, backend=a.backend)
    E32 = np.asarray(emb.embed(texts), dtype=np.float32)
    E16 = E32.astype(np.float16)
    n = len(texts)
    rows = np.arange(n)
    S32 = E32 @ E32.T
    U16 = E16.astype(np.float32)
    U16 /= np.linalg.norm(U16, axis=1, keepdims=True)
    cases = {"corpus post (both float16)": U16 @ U16.T, "draft (float32 query)": E32 @ U16.T}
    i32, _ = nearest_rows(E32, E32, k=10, exclude=rows)
    print(f"{n} posts ({', '.join(f.name for f in sorted(CORPORA.glob('*.jsonl')))}), "
          f"model {emb.model_id}, dim {E32.shape[1]}")
    ok = True
    for name, S16 in cases.items():
        err = np.abs(S16 - S32)
        np.fill_diagonal(err, 0)
        Q = U16 if name.startswith("corpus") else E32
        i16, _ = nearest_rows(Q, E16, k=10, exclude=rows)
        agree = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(i16, i32)])
        top1 = float(np.mean(i16[:, 0] == i32[:, 0]))
        holds = err.max() <= 1e-3 and agree >= 0.99 and top1 >= 0.99
        ok &= holds
        print(f"{name}: max |cos16 - cos32| = {err.max():.2e} (mean {err.mean():.1e}); top-10 "
              f"agreement {agree:.4f}; same nearest {top1:.4f} -> "
              f"{'holds' if holds else 'FAILS'}")
    print("float16 storage: " + ("criterion met" if ok else "criterion NOT met"))


if __name__ == "__main__":
    main()
