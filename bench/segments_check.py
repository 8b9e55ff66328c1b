"""Real check of the segments layer on the Rust blog (2019-2026, by year, baseline 2019..2021).

(a) segments = ``subcorpus`` (main / inside-rust), then ``team``: a stable human-written blog,
    which should show no strong convergence (most teams are too small per year, and say so).
(b) a constructed case: the same corpus, but from 2024 on, the posts of both subcorpora are
    generated from one shared template (slot words filled at random, here at run time): it must
    be flagged (a converging pair and a "samey" status).

Usage: python bench/segments_check.py [--model all-MiniLM-L6-v2] [--corpus PATH]
Uses the real embedder (cached on disk after the first run).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import auditor
from auditor.app import audit as pipeline
from auditor.app import prepare as preparing
from auditor.app.segments import analyse_segments

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "rust-blog.jsonl"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpora/rust-blog.jsonl")

SLOTS = {
    "thing": ["release", "update", "roadmap", "survey", "program", "initiative", "milestone"],
    "area": ["the compiler", "cargo", "the toolchain", "documentation", "the ecosystem",
             "governance", "infrastructure"],
    "adj": ["exciting", "important", "significant", "major", "key"],
    "verb": ["improve", "streamline", "strengthen", "simplify", "accelerate"],
}
TEMPLATE = (
    "We are {adj} to share our latest {thing} for {area}. In today's fast-paced world, it is "
    "more important than ever to {verb} the experience of every developer. This {thing} is a "
    "{adj} step forward for {area}, and we are committed to delivering value to our community.\n\n"
    "Key highlights include a {adj} focus on {area}, new ways to {verb} your workflow, and a "
    "renewed commitment to excellence. We believe this {thing} will {verb} how teams work with "
    "{area}.\n\nIn conclusion, this {thing} represents a {adj} milestone. Stay tuned for more "
    "updates, and thank you for being part of our journey."
)


def fill(rng: random.Random) -> str:
    return TEMPLATE.format(**{k: rng.choice(v) for k, v in SLOTS.items()})


def write_corpus(rows: list[dict], folder: Path) -> Path:
    path = folder / "rust-blog.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    return path


def run(path: Path, field: str, model: str, *, label: str) -> dict:
    opts = auditor.options(period="year", baseline="2019..2021", segment_field=field,
                           model=model, progress=False)
    wired = "analyse_segments" in Path(pipeline.__file__).read_text()
    if wired:
        seg = auditor.audit(path, opts).segments
    else:
        prep = preparing.prepare(path, opts)
        seg = analyse_segments(prep, field=field, random_state=opts.sampling.random_state)
    print(f"\n=== {label}: segments by '{field}' ({'audit()' if wired else 'prepare()'}) ===")
    print(f"labels: {len(seg['labels'])}, unlabelled: {seg['unlabelled']}, "
          f"multi-labelled: {seg['multi_labelled']}")
    print(f"{'period':8} {'status':7} {'segs':>4} {'bal.acc base->period':>21} "
          f"{'top pair':32} {'CDNV ratio [interval]':>24} conv unif")
    for plabel, status in seg["status"].items():
        c = seg["periods"][plabel]["comparison"]
        top = c["pairs"][0] if c["pairs"] else None
        pair = f"{top['a']} / {top['b']}"[:32] if top else "-"
        ratio = f"{top['ratio']:.2f} [{top['low']:.2f}, {top['high']:.2f}]" if top else "-"
        n_conv = sum(r["converging"] for r in c["pairs"])
        n_uni = sum(r["uniform"] for r in c["spreads"])
        print(f"{plabel:8} {status:7} {len(c['segments']):>4} "
              f"{c['baseline_balanced_accuracy']:>10.2f} -> {c['balanced_accuracy']:<6.2f}    "
              f"{pair:32} {ratio:>24} {n_conv:>4} {n_uni:>4}")
    print("findings:")
    for f in seg["findings"]:
        print(f"  - {f}")
    return seg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.corpus.open(encoding="utf-8")]
    rows = [r for r in rows if r["date"] >= "2019"]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        real = Path(tmp, "real")
        real.mkdir()
        path = write_corpus(rows, real)
        results["subcorpus"] = run(path, "subcorpus", args.model, label="(a) Rust blog")
        results["team"] = run(path, "team", args.model, label="(a) Rust blog")

        rng = random.Random(0)
        forged = [dict(r, text=fill(rng)) if r["date"] >= "2024" else r for r in rows]
        fake = Path(tmp, "templated")
        fake.mkdir()
        path = write_corpus(forged, fake)
        results["templated"] = run(path, "subcorpus", args.model,
                                   label="(b) Rust blog, both subcorpora templated from 2024")

    ok_a = not results["subcorpus"]["converging_pairs"]
    later = [p for p in results["templated"]["status"] if p >= "2024"]
    ok_b = (bool(results["templated"]["converging_pairs"])
            and all(results["templated"]["status"][p] == "samey" for p in later))
    print(f"\n(a) no convergence between subcorpora: {'PASS' if ok_a else 'FAIL'}")
    print(f"(b) templated subcorpora flagged samey in {', '.join(later)}: "
          f"{'PASS' if ok_b else 'FAIL'}")
    return 0 if ok_a and ok_b else 1


if __name__ == "__main__":
    sys.exit(main())
