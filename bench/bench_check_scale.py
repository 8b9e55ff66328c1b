"""Benchmark: ``samey check`` against a large corpus: index build, warm checks, an incremental
update, each as a subprocess (process start included) with its peak RSS.

The corpus: N generated ~50-word posts (sentences drawn, seeded, from the vocabulary of the real
posts in ../shared/corpora, plus one of a few stock openings), dated over 24 months, one JSONL
file per month (``posts-YYYY-MM.jsonl``), in ``--workdir``. Then:

1. the first check builds the index (``--model`` / ``--backend`` as given);
2. ``--runs`` warm checks of one draft: median and max wall time, max peak RSS;
3. an update: 100 posts appended to the last month's file, then one check (the index embeds
   only those 100 and recomputes the corpus-level parts).

    python bench/bench_check_scale.py --docs 100000 --model hashing
    python bench/bench_check_scale.py --docs 2000 --backend onnx-int8 --workdir /tmp/b-onnx

``--tile K`` then times warm checks against a K-times larger index made by tiling the built
one (every per-document array and docs.sqlite row repeated K times, the baseline kept as it
is): the cost of a check at K x N rows without building it (the posts are repeats, so the
verdicts are not meaningful, the timing is).

``--model hashing`` (the HashingEmbedder, no model) makes large builds feasible on a laptop; the
build time of the real model is then the embedding rate of ``--backend onnx-int8`` on a smaller N
times N (an extrapolation, printed as such).

With the packaged model a corpus of ``scale.first_stage_mb`` (5 MB) or more is indexed in two
stages (README, "Corpus index at scale"); the build prints its phases from the index's
``meta.json``: ``documents`` (reading, featurising, the first stage, writing: grows with N),
``reference_pass`` (the audit's reference pass: reading again, the pools embedded by the model:
at most 1,000 posts a period), ``alignment`` and ``corpus_level`` (the calibration's rescoring).

**Criterion** for issue 21's goal, written before the first two-stage run (2026-12-07; never
weakened afterwards): B1, a 1M-post index of ~50-word posts built in under 1 hour on this
2-core machine with the packaged model. A build at a smaller N is extrapolated as
``documents * 1e6 / N`` plus the other phases (which do not grow with N past 24,000 posts,
except the reading inside the reference pass), and reported as an extrapolation.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
OPENINGS = ("In today's fast-paced world,", "Here is what we learned:", "Every team knows that",
            "We are excited to share that", "Last month", "It is no secret that")
DRAFT = """---
title: Faster incremental builds for large workspaces
---

We spent the last quarter measuring where time goes when a large workspace is rebuilt after a
one-line change. Most of it was not code generation: it was re-checking crates whose public
interface had not changed at all. This post explains the dependency fingerprinting we added.
"""
MONTHS = 24


def vocabulary() -> list[str]:
    words: dict[str, int] = {}
    for f in sorted(CORPORA.glob("*.jsonl")):
        for line in f.open(encoding="utf-8"):
            for w in re.findall(r"[A-Za-z][a-z']+", json.loads(line)["text"]):
                words[w.lower()] = words.get(w.lower(), 0) + 1
    return [w for w, _ in sorted(words.items(), key=lambda kv: -kv[1])[:8000]]


def post(rng: random.Random, vocab: list[str], cum: list[float]) -> str:
    sentences = [rng.choice(OPENINGS)] if rng.random() < 0.3 else []
    n = 0
    while n < 50:
        k = rng.randint(7, 14)
        words = rng.choices(vocab, cum_weights=cum, k=k)
        sentences.append(" ".join(words).capitalize() + ".")
        n += k
    return " ".join(sentences)


def make_corpus(folder: Path, n_docs: int, seed: int = 0) -> Path:
    root = folder / f"corpus-{n_docs}"
    done = root / ".complete"
    if done.exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    vocab = vocabulary()
    cum = list(itertools.accumulate(1.0 / (r + 10) for r in range(len(vocab))))  # Zipf-like
    start = dt.date(2024, 1, 1)
    per_month = n_docs // MONTHS
    i = 0
    for m in range(MONTHS):
        month = dt.date(start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1)
        count = per_month + (1 if m < n_docs % MONTHS else 0)
        with (root / f"posts-{month:%Y-%m}.jsonl").open("w", encoding="utf-8") as fh:
            for _ in range(count):
                day = month + dt.timedelta(days=rng.randrange(28))
                fh.write(json.dumps({"id": f"p{i}", "title": f"Post {i}",
                                     "date": day.isoformat(),
                                     "text": post(rng, vocab, cum)}) + "\n")
                i += 1
    done.write_text("ok")
    return root


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one subprocess (stderr to a file: a pipe read after
    the wait could fill and block the child)."""
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            sys.exit(f"check failed ({code}): {err.read().decode().strip()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def warm_checks(cmd: list[str], env: dict[str, str], runs: int, against: str) -> None:
    """``runs`` warm checks: each time, then the median, max and peak RSS."""
    res = [run(cmd, env) for _ in range(runs)]
    times = [w for w, _ in res]
    print(f"warm checks vs {against} (s): " + ", ".join(f"{x:.2f}" for x in times))
    print(f"warm check, one draft vs {against}: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s, peak RSS {max(r for _, r in res):.0f} MiB "
          f"(cpus: {os.cpu_count()})")


def tile_index(src: Path, dst: Path, k: int) -> None:
    """Copy the index under ``src`` (a cache dir) to ``dst``, every document repeated k times."""
    import shutil
    import sqlite3

    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's samey
    from auditor.index.files import FIXED, RAGGED, NpyAppender
    from auditor.index.store import CORPUS

    (folder,) = [p for p in (src / "index").iterdir()]
    meta = json.loads((folder / "meta.json").read_text())
    gen = folder / meta["generation"]
    out = dst / "index" / folder.name / meta["generation"]
    if dst.exists():
        shutil.rmtree(dst)
    out.mkdir(parents=True)
    n = meta["n_docs"]
    for name in FIXED:
        a = np.load(gen / f"{name}.npy", mmap_mode="r")
        w = NpyAppender(out / f"{name}.npy", a.dtype, a.shape[1:])
        for _ in range(k):
            w.append(np.asarray(a))
        w.close()
    for name in RAGGED:
        a = np.load(gen / f"{name}.npy", mmap_mode="r")
        off = np.load(gen / f"{name}_off.npy")
        w = NpyAppender(out / f"{name}.npy", a.dtype, ())
        for _ in range(k):
            w.append(np.asarray(a))
        w.close()
        total = int(off[-1])
        np.save(out / f"{name}_off.npy", np.concatenate(
            [off[:-1] + j * total for j in range(k)] + [[k * total]]).astype(np.int64))
    for name in CORPUS:
        a = np.load(gen / f"{name}.npy")
        if name in ("phrase_scores", "template_cov", "is_recent", "norms"):
            a = np.tile(a, k)
        elif name == "is_baseline":
            a = np.concatenate([a, np.zeros(n * (k - 1), dtype=bool)])
        np.save(out / f"{name}.npy", a)
    shutil.copy(gen / "docs.sqlite", out / "docs.sqlite")
    with sqlite3.connect(out / "docs.sqlite") as db:
        for j in range(1, k):
            db.execute("INSERT INTO docs SELECT row + ?, key || ?, content, texthash, path || ?, "
                       "title, date, n_headings, outline FROM docs WHERE row < ?",
                       (j * n, f"~{j}", f"~{j}", n))
    meta["n_docs"] = n * k
    (out.parent / "meta.json").write_text(json.dumps(meta))


def du(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--backend", default="torch")
    ap.add_argument("--workdir", default="/tmp/samey-bench-scale")
    ap.add_argument("--no-update", action="store_true")
    ap.add_argument("--tile", type=int, default=0)
    a = ap.parse_args()
    work = Path(a.workdir)
    t = time.perf_counter()
    corpus = make_corpus(work, a.docs)
    print(f"corpus: {a.docs:,} posts of ~50 words in {MONTHS} JSONL files "
          f"({time.perf_counter() - t:.0f} s to generate)")
    draft = work / "draft.md"
    draft.write_text(DRAFT, encoding="utf-8")
    cache = work / f"cache-{a.docs}-{a.model}-{a.backend}"
    env = {**os.environ, "SAMEY_CACHE_DIR": str(cache),  # this checkout's samey
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    cmd = [sys.executable, "-m", "auditor", "check", str(draft), "--against", str(corpus),
           "--quiet", "--fail-on", "never", "--model", a.model, "--backend", a.backend]
    wall, rss = run(cmd, env)
    index = cache / "index"
    print(f"index build (first check, --model {a.model} --backend {a.backend}): {wall:.1f} s, "
          f"peak RSS {rss:.0f} MiB, index on disk {du(index):.0f} MiB"
          + (f"; {a.docs / wall:.0f} posts/s -> 1,000,000 posts: ~{1e6 / a.docs * wall / 60:.0f}"
             " min (extrapolated linearly)" if a.model != "hashing" else ""))
    for meta_file in index.glob("*/meta.json"):
        meta = json.loads(meta_file.read_text())
        print(f"index: {meta.get('stages', 'one')} stage(s), first stage "
              f"{meta.get('first_stage')}; build phases (s): {meta.get('build_seconds')}; "
              f"reference posts rescored: {len(meta.get('reference', {}).get('labels', []))} "
              f"baseline periods")
    warm_checks(cmd, env, a.runs, f"{a.docs:,} posts")
    if a.tile > 1:
        tiled = work / f"cache-{a.docs}x{a.tile}"
        t = time.perf_counter()
        tile_index(cache, tiled, a.tile)
        print(f"tiled index: {a.docs * a.tile:,} rows ({a.tile} x {a.docs:,}), "
              f"{du(tiled / 'index'):.0f} MiB, made in {time.perf_counter() - t:.0f} s")
        warm_checks(cmd, {**env, "SAMEY_CACHE_DIR": str(tiled)}, a.runs,
                    f"the tiled {a.docs * a.tile:,}-row index")
    if a.no_update:
        return
    last = sorted(corpus.glob("posts-*.jsonl"))[-1]
    rng = random.Random(1)
    vocab = vocabulary()
    cum = list(itertools.accumulate(1.0 / (r + 10) for r in range(len(vocab))))
    with last.open("a", encoding="utf-8") as fh:
        for j in range(100):
            fh.write(json.dumps({"id": f"new{j}-{time.time_ns()}", "title": f"New {j}",
                                 "date": "2025-12-20", "text": post(rng, vocab, cum)}) + "\n")
    wall, rss = run(cmd, env)
    print(f"update after 100 posts appended to {last.name}: {wall:.1f} s, peak RSS {rss:.0f} MiB")
    wall, rss = run(cmd, env)
    print(f"warm check after the update: {wall:.2f} s, peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
