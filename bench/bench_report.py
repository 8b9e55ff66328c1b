"""Benchmark: `samey report` on 5,000 documents with a warm embedding cache.

Builds a synthetic corpus in a temporary folder (never in the repository): the posts of
/work/shared/corpora (rust-blog, oneuptime-blog; or --source FILE...) replicated with small word
variations up to --docs documents, spread evenly over --months months, capped at --max-words
words each, written as JSONL. Then runs `samey report` twice with the real default model and a
dedicated cache folder: the first run fills the embedding cache (cold, reported), the second is
the measured warm run.

    python bench/bench_report.py              # 5,000 documents, 24 months
    python bench/bench_report.py --docs 1000 --keep /tmp/bench
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCES = [Path("/work/shared/corpora/rust-blog.jsonl"),
           Path("/work/shared/corpora/oneuptime-blog.jsonl")]
SWAPS = {"the": "a", "a": "the", "is": "was", "we": "our team", "new": "fresh", "use": "try",
         "make": "build", "fast": "quick", "simple": "easy", "help": "support", "also": "too"}


def vary(text: str, rng: random.Random, max_words: int) -> str:
    words = text.split()[:max_words]
    out = [SWAPS.get(w, w) if rng.random() < 0.15 else w for w in words]
    if len(out) > 40 and rng.random() < 0.5:  # drop a short run of words
        i = rng.randrange(len(out) - 10)
        del out[i:i + rng.randint(2, 8)]
    return " ".join(out)


def build(folder: Path, n_docs: int, months: int, max_words: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    posts = [json.loads(line) for src in SOURCES for line in src.open(encoding="utf-8")]
    posts = [p for p in posts if len((p.get("text") or "").split()) >= 60]
    start = dt.date(2024, 1, 1)
    path = folder / "corpus" / "posts.jsonl"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n_docs):
            p = posts[i % len(posts)]
            m = i * months // n_docs
            day = dt.date(start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1,
                          1 + rng.randrange(28))
            fh.write(json.dumps({"id": f"doc-{i}", "date": day.isoformat(),
                                 "title": f"{p.get('title', '')} ({i})",
                                 "text": vary(p["text"], rng, max_words)}) + "\n")
    return path.parent


def run(corpus: Path, work: Path, period_end: str) -> float:
    cmd = [sys.executable, "-m", "auditor", "report", str(corpus), "--period-end", period_end,
           "--text-field", "text", "--date-field", "date", "--title-field", "title",
           "--cache-dir", str(work / "cache"), "--history", str(work / "history.sqlite"),
           "--html", str(work / "report.html"), "--json", str(work / "report.json"),
           "--markdown", str(work / "report.md"), "--quiet"]
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--max-words", type=int, default=600)
    ap.add_argument("--keep", type=Path, help="work in this folder (kept) instead of a temp one")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="samey-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        build(work, args.docs, args.months, args.max_words)
    last = dt.date(2024, 1, 1) + dt.timedelta(days=31 * (args.months - 1))
    period_end = f"{last.year}-{last.month:02d}"
    cold = run(corpus, work, period_end)
    print(f"cold run (fills the embedding cache): {cold:.1f} s", flush=True)
    warm = run(corpus, work, period_end)
    report = json.loads((work / "report.json").read_text())
    print(f"warm run: {warm:.1f} s for {report['corpus']['documents']} documents, "
          f"{report['corpus']['periods']} months, report {period_end} "
          f"({report['report']['month_status']}); outputs in {work}")


if __name__ == "__main__":
    main()
