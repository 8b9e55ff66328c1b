"""Time a cold and a warm audit of the Rust blog, and bare SentenceTransformer.encode of the
same texts, in one run.

    python bench/bench_audit.py [--corpus ../shared/corpora/rust-blog.jsonl] [--period year]
    python bench/bench_audit.py --warm-only --cache-dir /tmp/warm --runs 3   # warm audits only

``--warm-only``: one audit fills ``--cache-dir`` (kept between invocations), then ``--runs``
warm audits are timed and their median printed (what before/after comparisons use).

Cold: an empty embedding cache (a temporary SAMEY_CACHE_DIR), so every post is chunked and
embedded. Warm: the same audit again (embeddings from the cache; tokens and metrics recomputed).
Bare encode: ``SentenceTransformer.encode`` of the same cleaned texts with the same model, which
truncates each text at 256 word pieces (samey embeds up to 8 chunks per post instead), so it is a
floor for the embedding step rather than like-for-like work.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/corpora/rust-blog.jsonl"))
    ap.add_argument("--period", default="year")
    ap.add_argument("--warm-only", action="store_true")
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.warm_only:
        return warm_only(args)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["SAMEY_CACHE_DIR"] = cache
        import auditor
        from auditor.config import IngestOptions
        from auditor.features.embeddings import load_model
        from auditor.ingest import load_documents

        times = {}
        for run in ("cold", "warm"):
            t0 = time.perf_counter()
            res = auditor.audit(args.corpus, period=args.period, progress=False)
            times[run] = time.perf_counter() - t0
            print(f"{run} audit: {times[run]:.1f} s  status={res.status} "
                  f"docs={res.corpus.documents} periods={res.corpus.periods}", flush=True)
        texts = [d.text for d in load_documents(args.corpus, IngestOptions()).documents]
        t0 = time.perf_counter()
        model = load_model("all-MiniLM-L6-v2")
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.encode(texts, batch_size=32)
        t_enc = time.perf_counter() - t0
        print(f"bare SentenceTransformer.encode of the same {len(texts)} texts: {t_enc:.1f} s "
              f"(+ {t_load:.1f} s model load; truncated at 256 word pieces)")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {rss:.0f} MB; cpus {os.cpu_count()}")
    return 0


def warm_only(args: argparse.Namespace) -> int:
    import statistics

    os.environ["SAMEY_CACHE_DIR"] = args.cache_dir or tempfile.mkdtemp(prefix="samey-warm-")
    import auditor

    auditor.audit(args.corpus, period=args.period, progress=False)  # fills the cache
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        res = auditor.audit(args.corpus, period=args.period, progress=False)
        times.append(time.perf_counter() - t0)
    print(f"warm audit, median of {args.runs}: {statistics.median(times):.1f} s "
          f"(runs {', '.join(f'{x:.1f}' for x in times)}) status={res.status}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB; cpus {os.cpu_count()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
