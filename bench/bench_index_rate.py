"""Per-document work of a two-stage index build, by text length: what grows with the corpus.

    python bench/bench_index_rate.py [--cache-dir DIR] [--short 20000]

For short texts (``--short`` generated product texts of ``bench_stream.py``, ~50 words), the
2,004 Yelp reviews (~220 words) and the 642 Rust blog posts (long: median ~800 words) of
``../shared/corpora``: the time of the index's per-document work in a two-stage build
(``index.rows.featurise``: the audit's ``build_features``, spaCy tokens with the 300-word
budget, MinHash, openings and closings, content 2-4-gram and shape ids; embedding by the
first stage, the static table distilled from the packaged MiniLM), split into the first
stage's embedding and the rest, in documents per second of wall time on this (shared)
machine. Reading the files and writing the index are not included (the bench_check_scale
build's ``documents`` phase has them).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SHARED = ROOT.parent / "shared" / "corpora"

from bench_stream import chunks  # noqa: E402

from auditor.features.embeddings import HashingEmbedder  # noqa: E402
from auditor.features.lexicon import import_spacy, phrase_stop_words  # noqa: E402
from auditor.features.static import StaticEmbedder  # noqa: E402
from auditor.index.rows import featurise  # noqa: E402
from auditor.types import Document  # noqa: E402


def docs_of(texts: list[str]) -> list[Document]:
    return [Document(f"d#{i}", "d", t, date=dt.date(2024, 1, 1)) for i, t in enumerate(texts)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-dir", default="/tmp/samey-bench-first-stage")
    ap.add_argument("--short", type=int, default=20_000)
    a = ap.parse_args()
    import_spacy()
    stop = phrase_stop_words()
    static = StaticEmbedder.from_model("all-MiniLM-L6-v2", a.cache_dir)
    sets = {
        "short (product, ~50 words)": next(chunks(a.short, chunk=a.short))[4],
        "Yelp reviews (~220 words)": [json.loads(x)["text"] for x in
                                      (SHARED / "detectrl-yelp.jsonl").open(encoding="utf-8")],
        "Rust blog posts (long)": [json.loads(x)["text"] for x in
                                   (SHARED / "rust-blog.jsonl").open(encoding="utf-8")],
    }
    featurise(docs_of(["warm up the tokenizer and the table"] * 8), static, budget=300,
              stop=stop, vocab={})
    out = {}
    for name, texts in sets.items():
        docs = docs_of(texts)
        t = time.perf_counter()
        static.embed(texts)
        emb = time.perf_counter() - t
        t = time.perf_counter()
        featurise(docs, HashingEmbedder(8), budget=300, stop=stop, vocab={})
        rest = time.perf_counter() - t
        words = sum(len(x.split()) for x in texts) / len(texts)
        out[name] = {"docs": len(texts), "mean_words": round(words),
                     "first_stage_docs_per_s": round(len(texts) / emb),
                     "other_work_docs_per_s": round(len(texts) / rest),
                     "both_docs_per_s": round(len(texts) / (emb + rest)),
                     "hours_per_million": round(1e6 * (emb + rest) / len(texts) / 3600, 2)}
        print(name, out[name], flush=True)
    print(json.dumps({"rates": out, "load": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()
