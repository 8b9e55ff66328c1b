"""The metric phase at 100,000 documents, with embeddings already cached.

    python bench/bench_scale.py [--docs 100000] [--period quarter]

Builds N synthetic posts in memory by recombining sentences of the two real blogs in
../shared/corpora (read at run time, never written to the repository), dated over six years.
Embeddings come from a precomputed table (the stand-in for a warm on-disk cache, so the model is
not timed). Prints the time of each phase and the peak resident memory.

Cost is bounded by design: each period is analysed on at most ``max_pool`` (1,000) documents
drawn at random; samples are equal-size; pairwise quantities are sampled or computed in chunks.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.app.evidence import evidence_baseline, period_evidence  # noqa: E402
from auditor.app.judged import judge_full  # noqa: E402
from auditor.app.prepare import prepare_documents  # noqa: E402
from auditor.config import build_options  # noqa: E402
from auditor.types import Document  # noqa: E402


class TableEmbedder:
    """Embeddings looked up by text, like a warm cache (random unit vectors, dimension 384)."""

    model_id = "table-384"
    dim = 384

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def embed(self, texts):
        X = self.rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return X / np.linalg.norm(X, axis=1, keepdims=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--period", default="quarter")
    args = ap.parse_args()
    shared = ROOT.parent / "shared" / "corpora"
    sents = []
    for name in ("rust-blog.jsonl", "oneuptime-blog.jsonl"):
        with open(shared / name, encoding="utf-8") as fh:
            for line in fh:
                sents += [s for s in re.split(r"(?<=[.!?])\s+", json.loads(line)["text"])
                          if 5 <= len(s.split()) <= 40]
    rng = random.Random(0)
    t0 = time.perf_counter()
    start = dt.date(2020, 1, 1)
    docs = [Document(f"d{i}", f"d{i}",
                     " ".join(rng.choice(sents) for _ in range(rng.randint(8, 30))),
                     None, start + dt.timedelta(days=int(i * 2190 / args.docs)))
            for i in range(args.docs)]
    print(f"built {len(docs)} documents from {len(sents)} sentences in "
          f"{time.perf_counter() - t0:.0f} s; RSS {rss_mb():.0f} MB", flush=True)

    options = build_options(None, period=args.period, progress=False)
    t0 = time.perf_counter()
    prep = prepare_documents(docs, options, embedder=TableEmbedder())
    t_feat = time.perf_counter() - t0
    print(f"periods {len(prep.periods)}, analysed {len(prep.documents)} documents "
          f"(at most {options.sampling.max_pool} per period)")
    print(f"features (tokens, shapes, n-gram hashes, MinHash, clusters): {t_feat:.0f} s; "
          f"RSS {rss_mb():.0f} MB", flush=True)
    t0 = time.perf_counter()
    j = judge_full(prep, options)
    prep, m, overall = j.prep, j.sample_size, j.overall  # prep: the checked baseline
    t_metrics = time.perf_counter() - t0
    print(f"metrics + verdict ({options.sampling.repeats} samples of {m} docs per period): "
          f"{t_metrics:.0f} s; status {overall.status}; RSS {rss_mb():.0f} MB", flush=True)
    t0 = time.perf_counter()
    base = evidence_baseline(prep)
    for p in prep.periods:
        period_evidence(prep, p, base, random_state=0)
    t_ev = time.perf_counter() - t0
    print(f"evidence + drift: {t_ev:.0f} s; peak RSS {rss_mb():.0f} MB")
    print(f"metric phase total (features + metrics + evidence): {t_feat + t_metrics + t_ev:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
