"""Embedding backends side by side: speed (documents/second) and the quality of int8 vectors.

    python bench/bench_backend.py [--sample 500] [--short 200] [--long 40]

Quality gate (fixed before the first measurement, never to be lowered): for each shared corpus
(``../shared/corpora/*.jsonl``, up to ``--sample`` posts drawn with seed 0), the Spearman rank
correlation between the cosines of all pairs of posts under ``onnx-int8`` and under the float32
torch backend (sentence-transformers) must be at least ``GATE = 0.98``. The top-1 nearest
neighbour agreement (share of posts whose most similar other post is the same under both) is
reported alongside; it has no threshold. Posts are embedded as samey embeds them (chunks of at
most 254 word pieces, up to 8, averaged by word pieces).

Speed: the same texts through each backend's embedder without the cache (chunking included),
after one warm-up call, in documents per second: ``short`` texts are the first 50 words of
posts, ``long`` ones the first 800 words of posts that have as many (about 4 chunks each).
The first-use cost of the ONNX export (and quantization) is timed separately.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
GATE = 0.98
BACKENDS = ("torch", "onnx", "onnx-int8")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _docs_per_s(embedder, texts: list[str], repeats: int = 1) -> float:
    embedder._compute(texts[:2])  # warm-up: model loaded, first batch allocated
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        embedder._compute(texts)
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best


def _nn(x: np.ndarray) -> np.ndarray:
    s = x @ x.T
    np.fill_diagonal(s, -np.inf)
    return s.argmax(axis=1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=500, help="posts per corpus for quality")
    ap.add_argument("--short", type=int, default=200, help="short texts timed")
    ap.add_argument("--long", type=int, default=40, help="long texts timed")
    args = ap.parse_args()

    from scipy.stats import spearmanr

    from auditor.features.embeddings import make_embedder

    rng = random.Random(0)
    corpora = {p.stem: _rows(p) for p in sorted(CORPORA.glob("*.jsonl"))}
    every = [r["text"] for rows in corpora.values() for r in rows]
    words = [t.split() for t in every]
    short = [" ".join(w[:50]) for w in rng.sample(words, args.short)]
    long_pool = [w for w in words if len(w) >= 800]
    long = [" ".join(w[:800]) for w in rng.sample(long_pool, min(args.long, len(long_pool)))]

    with tempfile.TemporaryDirectory() as cache:
        embedders = {b: make_embedder(cache_dir=cache, backend=b) for b in BACKENDS}
        export_s = {}
        for b in ("onnx", "onnx-int8"):  # int8 reuses the float32 export: time the difference
            t0 = time.perf_counter()
            _ = embedders[b].model  # loads the model: the export
            export_s[b] = time.perf_counter() - t0

        speed = {b: (_docs_per_s(e, short), _docs_per_s(e, long)) for b, e in embedders.items()}

        quality = {}
        for name, rows in corpora.items():
            texts = [r["text"] for r in random.Random(0).sample(rows, min(args.sample,
                                                                            len(rows)))]
            vecs = {b: embedders[b]._compute(texts) for b in BACKENDS}
            iu = np.triu_indices(len(texts), 1)
            ref = (vecs["torch"] @ vecs["torch"].T)[iu]
            nn_ref = _nn(vecs["torch"])
            quality[name] = {
                "n": len(texts), "pairs": len(ref),
                **{b: (float(spearmanr(ref, (vecs[b] @ vecs[b].T)[iu]).statistic),
                       float((_nn(vecs[b]) == nn_ref).mean()),
                       float(np.abs((vecs[b] * vecs["torch"]).sum(axis=1)).min()))
                   for b in ("onnx", "onnx-int8")},
            }

    print(f"machine: {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end)")
    print(f"texts timed: {len(short)} short (50 words), {len(long)} long (800 words)\n")
    print(f"{'backend':<11} {'short docs/s':>13} {'long docs/s':>12}  first use")
    for b in BACKENDS:
        s, ll = speed[b]
        first = {"onnx": f"export {export_s.get('onnx', 0):.0f} s",
                 "onnx-int8": f"+ quantize {export_s.get('onnx-int8', 0):.0f} s"}.get(b, "-")
        print(f"{b:<11} {s:13.1f} {ll:12.2f}  {first}")
    print(f"\nquality vs torch float32 (gate: int8 Spearman >= {GATE} on every corpus)")
    print(f"{'corpus':<16} {'posts':>5} {'pairs':>7}  {'backend':<10} {'Spearman':>8} "
          f"{'top-1 NN':>8} {'min cos':>8}")
    ok = True
    for name, q in quality.items():
        for b in ("onnx", "onnx-int8"):
            rho, nn, mincos = q[b]
            print(f"{name:<16} {q['n']:5d} {q['pairs']:7d}  {b:<10} {rho:8.4f} {nn:8.1%} "
                  f"{mincos:8.4f}")
        ok &= q["onnx-int8"][0] >= GATE
    print(f"\nquality gate: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
