"""Validity of samey's verdict, measured through the public driving API only
(``build_options`` -> ``prepare_documents`` -> ``judge``): documents get real dates and the
audit forms its own periods and picks its own baseline (no ``--baseline``), so whatever rule the
pipeline uses for baselines, uncertainty and tiny periods is what gets measured.

PASS CRITERIA, written down (and committed) before any run; never weakened after one.
"Flagged" = ``watch`` or ``samey``. A trial is *judged* when at least one period of the audit
got a status of ok/watch/samey (was compared with a baseline); a trial whose audit compared
nothing (single period, everything merged or set aside) is *not judged*: counted and reported
separately, never counted as an ``ok``.

N. False alarms on unchanged content (null splits). A trial draws 2k distinct real posts at
   random (seeded) from one pool of one corpus (a Rust-blog year 2019-2026, or the shortest run
   of consecutive years holding 2k posts; OneUptime 2025, 2026, or the whole corpus when k needs
   it), dates the first k in month A and the other k in month B (random days), and runs a default
   audit ``period="month", min_docs=2``. Sizes k = 3, 5, 10, 20, 50, 100 posts per period;
   full mode: >= 300 trials in total with the real model (all-MiniLM-L6-v2), both corpora.
   Reported per size: trials, judged, not judged, ok/watch/samey, the false-alarm rate among
   judged trials with its 95% Wilson interval, the samey rate, and the rate over all trials
   (not judged counted as not flagged).
   N1 (per size): the point false-alarm rate (flagged / judged) is <= 2% at every size that has
        at least one judged trial. Sizes with no judged trial are named as NOT JUDGED in the
        result line; they neither pass nor fail N1.
   N2 (pooled, full mode only): over all judged trials of all sizes, the upper end of the 95%
        Wilson interval of the false-alarm rate is <= 2%. (Per size, ~60 trials cannot show
        <= 2% at 95% confidence: 0/60 gives an upper end of 6%; the per-size intervals are
        reported, not judged.)

D. Dose response. Four real months of 25 Rust posts (2019-2021, random, seeded), then a fifth
   month of 25 posts in which a share s = 0, 10, ..., 100% is generated, the rest fresh real
   posts; default audit by month (min_docs 20). Kinds: ``templated`` (one marketing template
   with slots), ``recursive`` (generation-2 posts of a word-trigram model: generation 1 trained
   on the four real months, generation 2 on generation 1's output) and ``near-duplicate`` (copies
   of three real posts from outside the audit, each with ~10% of its sentences dropped).
   Seeds: 3 (full), 1 (fast); the median over seeds is reported per step (status rank and each
   layer's strongest z). The *relevant layer* of a kind is the layer with the highest median z
   at 100%. Reported: status and z per step, and the smallest share at which watch (flagged)
   and samey first fire (median status).
   D1: at 0% the fifth month's median status is ok (judged).
   D2: at 100% the fifth month's median status is samey, for every kind.
   D3: the median status rank never falls as the share rises (every kind).
   D4: the median z of the relevant layer never drops by more than 1.0 sd from one step to the
       next, and is higher at 100% than at 0% (every kind). Strict monotonicity (no drop at
       all) is reported alongside, for information.

R. Recursive collapse with the onset in the second month. Month 1: 30 real Rust posts
   (2019-2021, random, seeded); months 2..6: generations 1..5 of a word-trigram model, 30 posts
   each, generation g trained only on month g's output (generation 1 on the real month).
   Default audit by month (no ``--baseline``, min_docs 20). Seeds: 3 (full), 1 (fast); each
   criterion must hold in every seed. S_g = the strongest z over layers (``max(layer_scores)``)
   of month g+1.
   R1: month 2 (generation 1) is flagged (watch or samey).
   R2 (the stricter criterion, restored): the strongest layer's z rises with every
       generation: S_1 < S_2 < S_3 < S_4 < S_5 (strictly).
   R3: the status never improves from one generation to the next, and generations 2-5
       (months 3-6) are samey.

T. Tiny months. 12-24 consecutive months (random per trial) of 2 or 3 real posts each (random
   per month), drawn at random from Rust 2019-2026 or OneUptime 2025-2026 (unchanged real posts,
   so nothing should be flagged); ``period="month", min_docs=2``. Trials: 40 (full), 6 (fast).
   Reported: ok/watch/samey/not judged, and the reasons and notes of every non-ok verdict.
   T1: no trial is samey.

Usage: python bench/validity.py [--fast] [--model M] [--only null|dose|recursive|tiny]
       [--json out.json]. ``--fast`` uses the model-free hashing embedder and fewer trials (what
       tests/test_validity.py runs; N2 is not evaluated there). Prints a Markdown table per part
       and one PASS/FAIL line per criterion.
Never copies corpus text into the repository: everything is read from ../shared/corpora at run time.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.config import build_options  # noqa: E402
from auditor.features.embeddings import make_embedder  # noqa: E402
from auditor.ingest.markdown import clean_markdown  # noqa: E402
from auditor.pipeline import judge, prepare_documents  # noqa: E402
from auditor.types import Document, Period  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"
RANK = {"ok": 0, "watch": 1, "samey": 2}


def load_rows(name: str) -> list[dict]:
    with open(SHARED / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def to_doc(row: dict, date: dt.date | None = None, tag: str = "") -> Document:
    """The document as ingestion would make it (same cleaning, so the embedding cache is shared
    with audits of the same JSONL)."""
    text, _ = clean_markdown(row["text"])
    return Document(doc_id=f"{tag}{row['id']}", path=f"{tag}{row['id']}", text=text,
                    title=row.get("title"), date=date or dt.date.fromisoformat(row["date"]))


# ---------------------------------------------------------------- recursive generation

def _tokens(text: str) -> list[str]:
    import re
    return re.findall(r"[A-Za-z0-9']+|[.,;:!?]", text)


def train_trigram(texts: list[str]) -> tuple[dict, list[tuple[str, str]]]:
    model: dict[tuple[str, str], Counter] = defaultdict(Counter)
    starts = []
    for t in texts:
        toks = _tokens(t)
        if len(toks) < 3:
            continue
        starts.append((toks[0], toks[1]))
        for a, b, c in zip(toks, toks[1:], toks[2:]):
            model[(a, b)][c] += 1
    return model, starts


def generate(model, starts, n_docs: int, length: int, rng: random.Random) -> list[str]:
    """Sample ``n_docs`` texts of about ``length`` tokens from a trigram model."""
    keys = {k: (list(v), np.cumsum(list(v.values()))) for k, v in model.items()}
    out = []
    for _ in range(n_docs):
        a, b = rng.choice(starts)
        toks = [a, b]
        while len(toks) < length:
            if (a, b) not in keys:
                a, b = rng.choice(starts)
                toks += [".", a, b]
                continue
            words, cum = keys[(a, b)]
            c = words[int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))]
            toks.append(c)
            a, b = b, c
        text = " ".join(toks)
        for p in ".,;:!?":
            text = text.replace(f" {p}", p)
        out.append(text)
    return out


TEMPLATE = (
    "In today's fast-paced world, {topic} matters more than ever. Unlock the power of {product} "
    "and elevate your {audience} experience with seamless, robust {thing}.\n\n"
    "Why {topic} matters. Teams everywhere struggle with {pain}. That is why we built {product}: "
    "to help you leverage {thing} and deliver {benefit} at scale.\n\n"
    "Key benefits. First, {benefit}. Second, a seamless {thing} workflow. Third, robust support "
    "for {audience}. It is a true game-changer for {audience} who want {benefit}.\n\n"
    "How to get started. Sign up, connect your {thing}, and let {product} do the rest. In "
    "conclusion, {product} helps you unlock {benefit} and elevate {topic} today."
)
SLOTS = {
    "topic": ["productivity", "collaboration", "reliability", "security", "performance"],
    "product": ["FlowDesk", "the new release", "our platform", "Cargo Cloud"],
    "audience": ["developers", "teams", "maintainers", "managers"],
    "thing": ["pipelines", "workflows", "dashboards", "builds", "deployments"],
    "pain": ["slow builds", "scattered tools", "manual checks", "noisy alerts"],
    "benefit": ["faster delivery", "fewer incidents", "happier teams", "real results"],
}


def templated(n: int, rng: random.Random) -> list[str]:
    return [TEMPLATE.format(**{k: rng.choice(v) for k, v in SLOTS.items()}) for _ in range(n)]


# ---------------------------------------------------------------- machinery

def featurise(docs: list[Document], options, embedder):
    """One Prepared holding every document, whose periods the experiments replace."""
    return prepare_documents(docs, options, embedder=embedder)


def with_groups(prep, groups: list[list[str]], n_baseline: int):
    """``prep`` with periods made of the given document ids (the first n_baseline = baseline)."""
    pos = {d.doc_id: i for i, d in enumerate(prep.documents)}
    periods = []
    for k, ids in enumerate(groups):
        start = dt.date(2000, 1, 1) + dt.timedelta(days=31 * k)
        periods.append(Period(f"P{k + 1}", start, start, tuple(pos[i] for i in ids),
                              k < n_baseline))
    return dataclasses.replace(prep, periods=periods)


def false_alarms(prep, ids: list[str], options, trials: int, seed: int = 0) -> Counter:
    """Statuses of the second half over ``trials`` random half splits of one period."""
    out: Counter = Counter()
    for t in range(trials):
        rng = random.Random(seed * 100003 + t)
        shuffled = ids[:]
        rng.shuffle(shuffled)
        h = len(shuffled) // 2
        opts = dataclasses.replace(options, sampling=dataclasses.replace(options.sampling,
                                                                         random_state=t))
        _, _, verdicts, _ = judge(with_groups(prep, [shuffled[:h], shuffled[h:]], 1), opts)
        out[verdicts[1].status] += 1
    return out


def summarise(verdict) -> str:
    moved = ",".join(verdict.moved_layers + [f"trend:{t}" for t in verdict.trend_layers]) or "-"
    return f"{verdict.status:<6} {moved}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="hashing embedder, 20 trials")
    ap.add_argument("--trials", type=int, default=None)
    ap.add_argument("--model", default=None)
    ap.add_argument("--only", choices=["false", "collapse", "dose"], default=None)
    args = ap.parse_args(argv)
    trials = args.trials or (20 if args.fast else 100)
    model = args.model or ("hashing" if args.fast else "all-MiniLM-L6-v2")
    options = build_options(None, period="month", progress=False, min_docs=2)
    embedder = make_embedder(model, cache_dir=None, progress=not args.fast)
    rust = [r for r in load_rows("rust-blog.jsonl") if "2019" <= r["date"][:4] <= "2026"]
    one = [r for r in load_rows("oneuptime-blog.jsonl") if "2025-07" <= r["date"][:7] <= "2025-12"]
    rng = random.Random(7)
    t0 = time.time()

    # documents for all experiments, featurised once (embeddings cached on disk)
    docs = [to_doc(r) for r in rust] + [to_doc(r, tag="ou:") for r in one]
    early = [r for r in rust if r["date"][:4] in ("2019", "2020", "2021")]
    rng.shuffle(early)
    base_rows, fresh_rows = early[:75], early[75:125]
    gen_docs, gens = [], []
    texts = [r["text"] for r in base_rows]
    for g in range(1, 6):
        model_g, starts = train_trigram(texts)
        texts = generate(model_g, starts, 25, 400, rng)
        ids = [f"gen{g}/{i}" for i in range(25)]
        gens.append(ids)
        gen_docs += [Document(i, i, t, f"gen {g}", dt.date(2030, g, 1)) for i, t in zip(ids, texts)]
    tmpl_ids = [f"tmpl/{i}" for i in range(50)]
    gen_docs += [Document(i, i, t, "templated", dt.date(2031, 1, 1))
                 for i, t in zip(tmpl_ids, templated(50, rng))]
    prep = featurise(docs + gen_docs, options, embedder)
    print(f"featurised {len(prep.documents)} documents in {time.time() - t0:.0f}s ({model})\n")

    if args.only in (None, "false"):
        print(f"1. False alarms: random half splits of one real period, {trials} trials each")
        print(f"{'corpus':<18}{'docs':>6}{'ok':>6}{'watch':>7}{'samey':>7}{'ok %':>7}")
        groups = defaultdict(list)
        for r in rust:
            groups[f"rust {r['date'][:4]}"].append(r["id"])
        groups["oneuptime 2025-H2"] = [f"ou:{r['id']}" for r in one]
        for name, ids in sorted(groups.items()):
            c = false_alarms(prep, ids, options, trials)
            print(f"{name:<18}{len(ids):>6}{c['ok']:>6}{c['watch']:>7}{c['samey']:>7}"
                  f"{100 * c['ok'] / trials:>6.0f}%")
        print()

    base_ids = [r["id"] for r in base_rows]
    baseline_groups = [base_ids[0:25], base_ids[25:50], base_ids[50:75]]
    if args.only in (None, "collapse"):
        print("2. Recursive collapse: 3 real months, then generations 1-5 of a trigram model")
        _, _, verdicts, _ = judge(with_groups(prep, baseline_groups + gens, 3), options)
        for k, v in enumerate(verdicts[3:], start=1):
            top = max(v.layer_scores.values())
            n = len(set(v.moved_layers) | set(v.trend_layers))
            print(f"generation {k}: {summarise(v)}  ({n} layers; strongest {top:.1f} sd)")
        print()

    if args.only in (None, "dose"):
        print("3. Dose response: share of a real period replaced (templated | recursive gen 2)")
        fresh_ids = [r["id"] for r in fresh_rows][:25]
        header = "share   " + " ".join(f"{layer[:6]:>7}" for layer in
                                        ("topics", "wording", "structure", "duplication", "tails"))
        for kind, pool in (("templated", tmpl_ids), ("recursive", gens[1])):
            print(f"{kind}:\n{header}  status")
            first = None
            for share in (0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0):
                k = round(share * 25)
                period = pool[:k] + fresh_ids[: 25 - k]
                _, _, verdicts, _ = judge(with_groups(prep, baseline_groups + [period], 3),
                                          options)
                v = verdicts[3]
                if v.status == "samey" and first is None:
                    first = share
                print(f"{share:>5.0%}   " + " ".join(
                    f"{v.layer_scores[layer]:>7.1f}" for layer in
                    ("topics", "wording", "structure", "duplication", "tails")) + f"  {v.status}")
            print(f"samey first fires at {first:.0%} {kind}\n" if first is not None
                  else f"samey never fired ({kind})\n")
    print(f"total {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
