"""False alarms of ``samey check`` on fresh human drafts (issues 17 and 18).

Question: a writer checks a new draft of their own, written like everything they published
before, against their corpus. How often does ``samey check`` call it ``watch`` or ``samey``?
The percentile rule's honest rate is about 10% ``watch`` (a draft closer to its nearest post
than 90% of the baseline's posts are to theirs), and ``samey`` should never happen.

Design (fixed before the first run). Everything is real human text of one source, read at run
time from ``../shared/corpora/`` (never copied into the project); corpus and drafts are
disjoint, drawn with a seeded random generator (``--seed``, default 0):

- ``yelp``: the 1,000 human reviews of ``detectrl-yelp.jsonl`` (undated). Shuffled; the first
  ``--corpus-size`` (default 300) become the corpus, dated 25 a month from January 2024 (random
  days) and checked with ``period="month"``; the next ``--drafts`` (default 100) are the drafts.
- ``rust``: the Rust blog (``rust-blog.jsonl``, 642 posts with their real dates, 2014-2026).
  ``--drafts`` (default 60) posts drawn at random among the posts that are not release posts
  (``is_release_post``) are the drafts; every other post (release posts included) is the corpus,
  checked with the default options (``period="auto"``). Release posts are excluded from the
  drafts because they are templated on purpose ("Announcing Rust 1.x"): a new one *should* look
  like the others. For information only (no criterion), the bench also checks 10 held-out
  release posts against the corpus without them and reports their statuses.

The corpus is written as one JSONL file (id, title, date, text) and the drafts as another (one
draft per row), in a temporary folder; ``auditor.check`` runs with the default options except
``period`` (above), the model (``--model``, default the packaged all-MiniLM-L6-v2; ``hashing``
for a fast run) and a cache folder in ``--workdir``.

PASS CRITERIA (per source; written down and committed before any run, never weakened after
one). "Flagged" = ``watch`` or ``samey``.

C1. At least 50 drafts are checked.
C2. No draft is ``samey``.
C3. The flagged share is not significantly above 10%: the one-sided exact binomial test of
    H0: rate <= 0.10 gives p >= 0.05 (with 100 drafts: at most 15 flagged; with 60: at most 10).

Reported per source: drafts, ok / watch / samey, the flagged share with its 95% Wilson interval
and the binomial p-value, the number of drafts each layer flagged and each kind of reason
(similar topic, shared phrases, amplified phrases, shared opening/closing/outline, sentence
templates, stock frames), and the corpus's amplified phrases. The figures for the README are
the real model's; the fast default test (``tests/test_check_validity.py``) runs a small
``--model hashing`` slice and fails when a human draft is ``samey``.

    python bench/check_validity.py [--sources yelp,rust] [--model hashing] [--drafts N]
        [--corpus-size N] [--seed 0] [--workdir DIR] [--json FILE]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
P0 = 0.10    # the percentile rule's honest watch rate
ALPHA = 0.05
MIN_DRAFTS = 50
SOURCES = ("yelp", "rust")
#: reason prefixes (judge.draft) -> kind
KINDS = (("near-duplicate", "near-duplicate"), ("very close", "similar topic"),
         ("close to", "similar topic"), ("shares ", "shared phrases"),
         ("uses phrases the corpus has been amplifying", "amplified phrases"),
         ("opens like", "shared frame"), ("closes like", "shared frame"),
         ("has the heading outline", "shared frame"),
         ("follows the corpus's common sentence templates", "sentence templates"),
         ("one more fill", "stock frames"), ("uses a stock frame", "stock frames"),
         ("close in topic and repeating", "topic + wording/structure"))


@dataclass
class Outcome:
    source: str
    model: str
    drafts: int
    statuses: dict[str, int]
    flagged: int
    share: float
    wilson95: tuple[float, float]
    p_binomial: float
    layers: dict[str, int]
    reasons: dict[str, int]
    amplified: list[str]
    baseline: list[str]
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)
    criteria: dict[str, bool] = field(default_factory=dict)


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval of a proportion x / n."""
    if not n:
        return (float("nan"), float("nan"))
    p = x / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def binom_sf(x: int, n: int, p: float) -> float:
    """P(X >= x) for X ~ Binomial(n, p): the one-sided p-value of x successes."""
    return sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(x, n + 1))


def read(name: str) -> list[dict[str, Any]]:
    path = CORPORA / name
    if not path.is_file():
        sys.exit(f"Error: {path} not found; the shared corpora must be in ../shared/corpora "
                 "(see its README.md).")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def yelp_split(rng: random.Random, corpus_size: int, n_drafts: int
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """(corpus rows dated 25 a month from 2024-01, draft rows, period)."""
    human = [r for r in read("detectrl-yelp.jsonl") if r["origin"] == "human"]
    rng.shuffle(human)
    corpus = []
    for i, r in enumerate(human[:corpus_size]):
        month = dt.date(2024 + (i // 25) // 12, 1 + (i // 25) % 12, 1)
        day = month + dt.timedelta(days=rng.randrange(28))
        corpus.append({"id": r["id"], "title": "", "date": day.isoformat(), "text": r["text"]})
    drafts = [{"id": r["id"], "text": r["text"]}
              for r in human[corpus_size:corpus_size + n_drafts]]
    return corpus, drafts, "month"


def rust_split(rng: random.Random, n_drafts: int, *, release: bool = False
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """(corpus rows, draft rows: held-out non-release posts, or 10 release posts, period)."""
    rows = read("rust-blog.jsonl")
    pool = [i for i, r in enumerate(rows) if bool(r["is_release_post"]) == release]
    held = set(rng.sample(pool, n_drafts))
    corpus = [{"id": r["id"], "title": r["title"], "date": r["date"], "text": r["text"]}
              for i, r in enumerate(rows) if i not in held]
    drafts = [{"id": rows[i]["id"], "title": rows[i]["title"], "text": rows[i]["text"]}
              for i in sorted(held)]
    return corpus, drafts, "auto"


def kind_of(reason: str) -> str | None:
    for prefix, kind in KINDS:
        if reason.startswith(prefix):
            return kind
    return None


def check_split(source: str, corpus: list[dict[str, Any]], drafts: list[dict[str, Any]],
                period: str, *, model: str, work: Path) -> Outcome:
    """Run ``auditor.check`` on one split and count the outcome."""
    sys.path.insert(0, str(REPO))
    import auditor

    folder = Path(tempfile.mkdtemp(prefix=f"{source}-", dir=work))
    against = write_jsonl(folder / "corpus" / "posts.jsonl", corpus).parent
    draft_file = write_jsonl(folder / "drafts.jsonl", drafts)
    opts = auditor.options(cache_dir=str(work / "cache"), progress=False, model=model,
                           period=period)
    t = time.perf_counter()
    res = auditor.check([draft_file], against, opts)
    seconds = time.perf_counter() - t
    statuses = Counter(d.status for d in res.drafts)
    layers = Counter(layer for d in res.drafts for layer, s in d.layers.items() if s != "ok")
    reasons = Counter(k for d in res.drafts if d.status != "ok"
                      for k in {kind_of(r) for r in d.reasons} if k)
    n = len(res.drafts)
    flagged = statuses["watch"] + statuses["samey"]
    amplified = sorted({a["phrase"] for d in res.drafts for a in d.wording.amplified})
    return Outcome(source=source, model=res.config["model_id"], drafts=n,
                   statuses={s: statuses[s] for s in ("ok", "watch", "samey")},
                   flagged=flagged, share=flagged / n if n else float("nan"),
                   wilson95=wilson(flagged, n), p_binomial=binom_sf(flagged, n, P0),
                   layers=dict(layers), reasons=dict(reasons), amplified=amplified,
                   baseline=list(res.thresholds.reference.periods), seconds=seconds)


def judge(o: Outcome) -> dict[str, bool]:
    """The PASS criteria of the module docstring."""
    return {"C1 at least 50 drafts": o.drafts >= MIN_DRAFTS,
            "C2 no samey": o.statuses["samey"] == 0,
            "C3 flagged not significantly above 10%": o.p_binomial >= ALPHA}


def run_source(source: str, *, model: str, n_drafts: int | None, corpus_size: int, seed: int,
               work: Path) -> Outcome:
    rng = random.Random(seed)
    if source == "yelp":
        corpus, drafts, period = yelp_split(rng, corpus_size, n_drafts or 100)
    elif source == "rust":
        corpus, drafts, period = rust_split(rng, n_drafts or 60)
    else:
        sys.exit(f"Error: --sources: unknown source '{source}'; use yelp and/or rust.")
    out = check_split(source, corpus, drafts, period, model=model, work=work)
    if source == "rust":
        rel = check_split("rust-release", *rust_split(random.Random(seed), 10, release=True),
                          model=model, work=work)
        out.extra["release_posts (information only)"] = rel.statuses
    out.criteria = judge(out)
    return out


def report(o: Outcome) -> str:
    lo, hi = o.wilson95
    lines = [f"== {o.source} ({o.model}; baseline {', '.join(o.baseline) or 'none'}; "
             f"{o.seconds:.0f} s)",
             f"drafts {o.drafts}: ok {o.statuses['ok']}, watch {o.statuses['watch']}, samey "
             f"{o.statuses['samey']}; flagged {o.share:.1%} (95% Wilson {lo:.1%}-{hi:.1%}; "
             f"one-sided binomial p vs 10%: {o.p_binomial:.3f})",
             f"layers flagging: {o.layers or '-'}; reasons of flagged drafts: {o.reasons or '-'}",
             f"amplified phrases used by drafts: {o.amplified or '-'}"]
    lines += [f"{k}: {v}" for k, v in o.extra.items()]
    lines += [f"{'PASS' if ok else 'FAIL'} {name}" for name, ok in o.criteria.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", default=",".join(SOURCES))
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--drafts", type=int, default=None)
    ap.add_argument("--corpus-size", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    work = Path(a.workdir or tempfile.mkdtemp(prefix="samey-check-validity-"))
    work.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for source in a.sources.split(","):
        o = run_source(source.strip(), model=a.model, n_drafts=a.drafts,
                       corpus_size=a.corpus_size, seed=a.seed, work=work)
        print(report(o), flush=True)
        outcomes.append(o)
    if a.json:
        Path(a.json).write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    ok = all(all(o.criteria.values()) for o in outcomes)
    print("ALL PASS" if ok else "SOME CRITERIA FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
