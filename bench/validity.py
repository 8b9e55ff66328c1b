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
   it; the 1,000 human Yelp reviews of DetectRL, added with issue 17), dates the first k in
   month A and the other k in month B (random days), and runs a default
   audit ``period="month", min_docs=2``. Sizes k = 3, 5, 10, 20, 50, 100 posts per period;
   full mode: >= 300 judged trials in total with the real model (all-MiniLM-L6-v2), the three
   corpora.
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
   N3 (issue 17's goal, pooled, full mode only): at least 300 judged trials, a pooled
        false-alarm rate <= 2% and the upper end of its 95% Wilson interval <= 3%. (N2 is
        kept as it was written; N3 is the issue's own goal, weaker than N2's bound.)

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
   D5 (added with issue 17: the house-voice case flagged at 60% again): at 60% the fifth
       month's median status is flagged (watch or samey), for every kind.

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

M, L, H. Real model-written text after a switch, length-only changes and long human-only
   runs: see ``bench/validity_model.py`` (criteria M1-M5, L1, H1).

Usage: python bench/validity.py [--fast] [--model M]
       [--only null|dose|recursive|tiny|model|length|human] [--extra FILE.jsonl]
       [--json out.json]. ``--fast`` uses the model-free hashing embedder and fewer trials (what
       tests/test_validity.py runs; N2 is not evaluated there). Prints a Markdown table per part
       and one PASS/FAIL line per criterion.
Never copies corpus text into the repository: everything is read from ../shared/corpora at run time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.app.judged import judge_full  # noqa: E402
from auditor.app.prepare import prepare_documents  # noqa: E402
from auditor.config import build_options  # noqa: E402
from auditor.features.embeddings import make_embedder  # noqa: E402
from auditor.ingest.markdown import clean_markdown  # noqa: E402
from auditor.types import Document  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import validity_model as M  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"
RANK = {"ok": 0, "watch": 1, "samey": 2}
JUDGED = ("ok", "watch", "samey")
NJ = "not judged"
SIZES = (3, 5, 10, 20, 50, 100)
SHARES = tuple(round(0.1 * i, 1) for i in range(11))
KINDS = ("templated", "recursive", "near-duplicate")
PARTS = ("null", "dose", "recursive", "tiny", "model", "length", "human")
RUST_YEARS = tuple(str(y) for y in range(2019, 2027))
OU_YEARS = ("2025", "2026")
BASE_DAY = dt.date(2031, 1, 1)
GOAL = 0.02


# ---------------------------------------------------------------- corpora

def load_rows(name: str) -> list[dict]:
    with open(SHARED / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def to_doc(row: dict, date: dt.date | None = None, tag: str = "") -> Document:
    """The document as ingestion would make it (same cleaning, so the embedding cache is shared
    with audits of the same JSONL)."""
    text, _ = clean_markdown(row["text"])
    return Document(doc_id=f"{tag}{row['id']}", path=f"{tag}{row['id']}", text=text,
                    title=row.get("title"), date=date or dt.date.fromisoformat(row["date"]))


def text_doc(doc_id: str, text: str, date: dt.date) -> Document:
    return Document(doc_id=doc_id, path=doc_id, text=text, title=None, date=date)


def month_day(k: int, rng: random.Random) -> dt.date:
    """A random day in the k-th month after January 2031."""
    y, m = divmod(BASE_DAY.month - 1 + k, 12)
    return dt.date(BASE_DAY.year + y, m + 1, rng.randint(1, 28))


def month_mid(k: int) -> dt.date:
    y, m = divmod(BASE_DAY.month - 1 + k, 12)
    return dt.date(BASE_DAY.year + y, m + 1, 15)


# ---------------------------------------------------------------- generated content

def _tokens(text: str) -> list[str]:
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


def generations(texts: list[str], n_gens: int, n_docs: int, rng: random.Random) -> list[list[str]]:
    """Generations 1..n_gens of a trigram model, each trained only on the previous output."""
    out = []
    for _ in range(n_gens):
        model, starts = train_trigram(texts)
        texts = generate(model, starts, n_docs, 400, rng)
        out.append(texts)
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


def near_duplicates(sources: list[str], n: int, rng: random.Random, drop: float = 0.1) -> list[str]:
    """``n`` copies of the source texts (cycled), each with ~``drop`` of its sentences dropped."""
    out = []
    for i in range(n):
        sents = re.split(r"(?<=[.!?])\s+", sources[i % len(sources)])
        kept = [s for s in sents if rng.random() >= drop] or sents[:1]
        out.append(" ".join(kept))
    return out


# ---------------------------------------------------------------- machinery

class _Records:
    """In-memory layer over an embedder's on-disk record cache (token features)."""

    def __init__(self, inner) -> None:
        self.inner, self.mem = inner, {}

    def get_records(self, namespace: str, keys) -> dict:
        keys = list(keys)
        out = {k: self.mem[(namespace, k)] for k in keys if (namespace, k) in self.mem}
        miss = [k for k in keys if k not in out]
        if miss and self.inner is not None:
            got = self.inner.get_records(namespace, miss)
            self.mem.update({(namespace, k): v for k, v in got.items()})
            out.update(got)
        return out

    def put_records(self, namespace: str, items) -> None:
        items = list(items)
        self.mem.update({(namespace, k): v for k, v in items})
        if self.inner is not None:
            self.inner.put_records(namespace, items)


class MemoEmbedder:
    """The given embedder with per-text memoisation of vectors and token records in memory:
    thousands of trials re-use the same posts; results are identical, only faster."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.cache = _Records(getattr(inner, "cache", None))
        self._vecs: dict[str, np.ndarray] = {}

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def embed(self, texts) -> np.ndarray:
        texts = list(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._vecs))
        if todo:
            for t, v in zip(todo, self.inner.embed(todo)):
                self._vecs[t] = v
        if not texts:
            return self.inner.embed([])
        return np.stack([self._vecs[t] for t in texts])


def audit(docs: list[Document], embedder, **opts):
    """A default audit of ``docs`` (no baseline given): (prep, verdicts, overall)."""
    options = build_options(None, progress=False, **opts)
    j = judge_full(prepare_documents(docs, options, embedder=embedder), options)
    return j.prep, j.verdicts, {"status": j.overall.status, "reasons": list(j.overall.reasons),
                                "flagged_periods": list(j.overall.flagged_periods)}


def is_judged(verdicts) -> bool:
    return any(v.status in JUDGED for v in verdicts)


def verdict_at(prep, verdicts, day: dt.date):
    """The verdict of the period holding ``day`` (whatever merging the audit did)."""
    for p, v in zip(prep.periods, verdicts):
        if p.start <= day <= p.end:
            return p, v
    return None, None


def status_of(v) -> str:
    return v.status if v is not None and v.status in JUDGED else NJ


def strongest(v) -> float:
    return max(v.layer_scores.values()) if v is not None and v.layer_scores else float("nan")


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95% Wilson score interval of a binomial proportion x/n."""
    if n == 0:
        return float("nan"), float("nan")
    p = x / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def fmt(x: float, nd: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{nd}f}"


def pct(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f}%"


# ---------------------------------------------------------------- N: null splits

def year_windows(rows: list[dict], years: tuple[str, ...],
                 need: int) -> list[tuple[str, list[dict]]]:
    """The shortest runs of consecutive years holding >= ``need`` posts (single years first)."""
    by_year = defaultdict(list)
    for r in rows:
        by_year[r["date"][:4]].append(r)
    for w in range(1, len(years) + 1):
        out = []
        for i in range(len(years) - w + 1):
            span = years[i:i + w]
            pool = [r for y in span for r in by_year.get(y, [])]
            if len(pool) >= need:
                out.append((span[0] if w == 1 else f"{span[0]}-{span[-1]}", pool))
        if out:
            return out
    return []


def null_pools(corpus: str, rows: list[dict], k: int) -> list[tuple[str, list[dict]]]:
    if corpus == "rust":
        return year_windows(rows, RUST_YEARS, 2 * k)
    if corpus == "yelp":
        return [("human", rows)] if len(rows) >= 2 * k else []
    years = [(y, [r for r in rows if r["date"][:4] == y]) for y in OU_YEARS]
    pools = [(y, p) for y, p in years if len(p) >= 2 * k]
    if not pools and len(rows) >= 2 * k:
        pools = [("all", rows)]
    return pools


def null_plan(fast: bool) -> dict[int, dict[str, int]]:
    """Trials per size and corpus."""
    if fast:
        return {k: ({"rust": 3} if k == 100 else {"rust": 2, "oneuptime": 1}) for k in SIZES}
    return {k: ({"rust": 60, "yelp": 20} if k == 100 else {"rust": 40, "oneuptime": 20,
                                                          "yelp": 20}) for k in SIZES}


def run_null(corpora: dict[str, list[dict]], embedder, plan, log=print) -> list[dict]:
    out = []
    for k, per in plan.items():
        t0 = time.time()
        for corpus, n in per.items():
            pools = null_pools(corpus, corpora[corpus], k)
            if not pools:
                continue
            for t in range(n):
                rng = random.Random(f"null|{corpus}|{k}|{t}")
                name, pool = rng.choice(pools)
                rows = rng.sample(pool, 2 * k)
                docs = [to_doc(r, month_day(0 if i < k else 1, rng), tag=f"{corpus}:")
                        for i, r in enumerate(rows)]
                prep, verdicts, overall = audit(docs, embedder, period="month", min_docs=2,
                                                random_state=t)
                judged = is_judged(verdicts)
                _, vb = verdict_at(prep, verdicts, month_mid(1))
                out.append({"size": k, "corpus": corpus, "pool": name, "trial": t,
                            "judged": judged, "status": overall["status"] if judged else NJ,
                            "month_b": status_of(vb), "strongest_z": strongest(vb),
                            "n_periods": len(prep.periods),
                            "reasons": overall.get("reasons", []) if overall["status"] != "ok"
                            or not judged else []})
        log(f"  null k={k}: {sum(per.values())} trials in {time.time() - t0:.0f}s")
    return out


def null_table(trials: list[dict]) -> list[dict]:
    rows = []
    for k in SIZES:
        ts = [t for t in trials if t["size"] == k]
        if not ts:
            continue
        c = Counter(t["status"] for t in ts)
        judged = sum(c[s] for s in JUDGED)
        flagged = c["watch"] + c["samey"]
        lo, hi = wilson(flagged, judged)
        rows.append({"size": k, "trials": len(ts), "judged": judged, "not_judged": c[NJ],
                     "ok": c["ok"], "watch": c["watch"], "samey": c["samey"],
                     "corpora": dict(Counter(t["corpus"] for t in ts)),
                     "rate": flagged / judged if judged else float("nan"),
                     "low": lo, "high": hi,
                     "samey_rate": c["samey"] / judged if judged else float("nan"),
                     "rate_all": flagged / len(ts)})
    return rows


def null_criteria(table: list[dict], fast: bool) -> dict:
    judged_rows = [r for r in table if r["judged"]]
    bad = [r["size"] for r in judged_rows if r["rate"] > GOAL]
    unjudged = [r["size"] for r in table if not r["judged"]]
    note = (f" (NOT JUDGED: sizes {', '.join(map(str, unjudged))})" if unjudged else "")
    n1 = {"pass": not bad and bool(judged_rows),
          "detail": ("point false-alarm rate <= 2% at every judged size" if not bad else
                     f"rate > 2% at sizes {bad}") + note}
    x = sum(r["watch"] + r["samey"] for r in table)
    n = sum(r["judged"] for r in table)
    lo, hi = wilson(x, n)
    pooled = (f"pooled {x}/{n} flagged = {pct(x / n if n else float('nan'))}, "
              f"95% Wilson [{pct(lo)}, {pct(hi)}]" + (" (not evaluated in --fast)"
                                                     if fast else ""))
    n2 = {"pass": None if fast else (n > 0 and hi <= GOAL), "detail": pooled}
    n3 = {"pass": None if fast else (n >= 300 and x / n <= GOAL and hi <= 0.03),
          "detail": pooled + (f"; only {n} judged trials (300 needed)" if n < 300 else "")}
    return {"N1": n1, "N2": n2, "N3": n3}


def print_null(table, trials) -> None:
    print("| k posts/period | trials | judged | not judged | ok | watch | samey | false alarms "
          "(judged) | 95% Wilson | samey rate | rate over all trials |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for r in table:
        print(f"| {r['size']} | {r['trials']} | {r['judged']} | {r['not_judged']} | {r['ok']} | "
              f"{r['watch']} | {r['samey']} | {pct(r['rate'])} | [{pct(r['low'])}, "
              f"{pct(r['high'])}] | {pct(r['samey_rate'])} | {pct(r['rate_all'])} |")
    print("\ncorpora per size: " + "; ".join(
        f"{r['size']}: " + ", ".join(f"{c} {n}" for c, n in r["corpora"].items()) for r in table))
    flagged = [t for t in trials if t["status"] in ("watch", "samey")]
    for t in flagged[:8]:
        print(f"- flagged: k={t['size']} {t['corpus']} {t['pool']} trial {t['trial']}: "
              f"{t['status']}; " + " ".join(t["reasons"])[:300])
    nj = [t for t in trials if t["status"] == NJ]
    if nj:
        print(f"- not judged, e.g. k={nj[0]['size']} ({nj[0]['n_periods']} period(s)): "
              + " ".join(nj[0]["reasons"])[:300])


# ---------------------------------------------------------------- D: dose response

def dose_world(rust_early: list[dict], seed: int) -> dict:
    rng = random.Random(f"dose|{seed}")
    pool = rust_early[:]
    rng.shuffle(pool)
    real, fresh, sources = pool[:100], pool[100:125], pool[125:128]
    g1, g2 = generations([r["text"] for r in real], 2, 25, rng)
    return {"real": real, "fresh": fresh,
            "pools": {"templated": templated(25, rng), "recursive": g2,
                      "near-duplicate": near_duplicates([r["text"] for r in sources], 25, rng)},
            "rng": rng}


def run_dose(rust_early: list[dict], embedder, seeds: int, log=print) -> list[dict]:
    out = []
    for seed in range(seeds):
        t0 = time.time()
        w = dose_world(rust_early, seed)
        drng = random.Random(f"dates|{seed}")
        real_docs = [to_doc(r, month_day(i // 25, drng)) for i, r in enumerate(w["real"])]
        fresh_docs = [to_doc(r, month_day(4, drng)) for r in w["fresh"]]
        for kind in KINDS:
            gen_docs = [text_doc(f"{kind}/{seed}/{i}", t, month_day(4, drng))
                        for i, t in enumerate(w["pools"][kind])]
            for share in SHARES:
                k = round(share * 25)
                docs = real_docs + gen_docs[:k] + fresh_docs[:25 - k]
                prep, verdicts, overall = audit(docs, embedder, period="month")
                _, v = verdict_at(prep, verdicts, month_mid(4))
                out.append({"kind": kind, "seed": seed, "share": share, "status": status_of(v),
                            "overall": overall["status"],
                            "layer_scores": dict(v.layer_scores) if v is not None else {},
                            "moved": list(v.moved_layers) if v is not None else []})
        log(f"  dose seed {seed}: {time.time() - t0:.0f}s")
    return out


def _rank(s: str) -> int:
    return RANK.get(s, -1)


def _median_status(statuses: list[str]) -> str:
    r = statistics.median_low(sorted(_rank(s) for s in statuses))
    return {-1: NJ, 0: "ok", 1: "watch", 2: "samey"}[r]


def dose_table(trials: list[dict]) -> dict:
    out = {}
    for kind in KINDS:
        ts = [t for t in trials if t["kind"] == kind]
        if not ts:
            continue
        layers = sorted({layer for t in ts for layer in t["layer_scores"]})
        steps = []
        for share in SHARES:
            st = [t for t in ts if t["share"] == share]
            z = {layer: statistics.median(t["layer_scores"].get(layer, float("nan")) for t in st)
                 for layer in layers}
            steps.append({"share": share, "status": _median_status([t["status"] for t in st]),
                          "statuses": [t["status"] for t in st], "z": z})
        relevant = max(layers, key=lambda layer: steps[-1]["z"][layer]) if layers else None
        first = {}
        for name, rank in (("watch", 1), ("samey", 2)):
            first[name] = next((s["share"] for s in steps if _rank(s["status"]) >= rank), None)
        out[kind] = {"layers": layers, "relevant": relevant, "steps": steps, "first": first}
    return out


def dose_criteria(table: dict) -> dict:
    d1, d2, d3, d4, d5, strict = [], [], [], [], [], []
    for kind, t in table.items():
        steps = t["steps"]
        if steps[0]["status"] != "ok":
            d1.append(f"{kind}: 0% is {steps[0]['status']}")
        if steps[-1]["status"] != "samey":
            d2.append(f"{kind}: 100% is {steps[-1]['status']}")
        at60 = next(s for s in steps if abs(s["share"] - 0.6) < 1e-9)
        if _rank(at60["status"]) < 1:
            d5.append(f"{kind}: 60% is {at60['status']}")
        ranks = [_rank(s["status"]) for s in steps]
        if ranks != sorted(ranks):
            d3.append(f"{kind}: statuses {[s['status'] for s in steps]}")
        zs = [s["z"][t["relevant"]] for s in steps]
        drops = [(steps[i + 1]["share"], zs[i] - zs[i + 1]) for i in range(len(zs) - 1)
                 if zs[i] - zs[i + 1] > 1.0 or math.isnan(zs[i + 1])]
        if drops or not zs[-1] > zs[0]:
            d4.append(f"{kind} ({t['relevant']}): drops {[(f'{s:.0%}', fmt(d)) for s, d in drops]}"
                      f", z 0% {fmt(zs[0])} -> 100% {fmt(zs[-1])}")
        if any(b < a for a, b in zip(zs, zs[1:])):
            strict.append(kind)
    return {
        "D1": {"pass": not d1, "detail": "; ".join(d1) or "0% is ok for every kind"},
        "D2": {"pass": not d2, "detail": "; ".join(d2) or "100% is samey for every kind"},
        "D3": {"pass": not d3, "detail": "; ".join(d3) or "median status never falls"},
        "D4": {"pass": not d4, "detail": ("; ".join(d4) or "relevant-layer z never drops by "
                                          "more than 1 sd, higher at 100% than at 0%")
               + f" (strictly monotone: {'no for ' + ', '.join(strict) if strict else 'yes'})"},
        "D5": {"pass": not d5, "detail": "; ".join(d5) or "60% is flagged for every kind"},
    }


def print_dose(table: dict) -> None:
    for kind, t in table.items():
        layers = t["layers"]
        print(f"\n**{kind}** (relevant layer: {t['relevant']}; medians over seeds)\n")
        print("| share | status | seeds | " + " | ".join(
            ("**" + layer + "**") if layer == t["relevant"] else layer for layer in layers) + " |")
        print("|---:|---|---|" + "---:|" * len(layers))
        for s in t["steps"]:
            print(f"| {s['share']:.0%} | {s['status']} | {','.join(s['statuses'])} | "
                  + " | ".join(fmt(s["z"][layer]) for layer in layers) + " |")
        f = t["first"]
        print(f"\nfirst fires ({kind}): watch-or-worse at "
              f"{'never' if f['watch'] is None else format(f['watch'], '.0%')}, samey at "
              f"{'never' if f['samey'] is None else format(f['samey'], '.0%')}")


# ---------------------------------------------------------------- R: recursive collapse

def run_recursive(rust_early: list[dict], embedder, seeds: int, n_docs: int = 30,
                  log=print) -> list[dict]:
    out = []
    for seed in range(seeds):
        t0 = time.time()
        rng = random.Random(f"recursive|{seed}")
        real = rng.sample(rust_early, n_docs)
        gens = generations([r["text"] for r in real], 5, n_docs, rng)
        docs = [to_doc(r, month_day(0, rng)) for r in real]
        for g, texts in enumerate(gens, start=1):
            docs += [text_doc(f"gen{g}/{seed}/{i}", t, month_day(g, rng))
                     for i, t in enumerate(texts)]
        prep, verdicts, overall = audit(docs, embedder, period="month")
        months = []
        for m in range(6):
            p, v = verdict_at(prep, verdicts, month_mid(m))
            months.append({"month": m + 1, "generation": m, "period": p.label if p else None,
                           "status": v.status if v is not None else NJ,
                           "strongest_z": strongest(v),
                           "layer_scores": dict(v.layer_scores) if v is not None else {},
                           "moved": list(v.moved_layers) if v is not None else [],
                           "trend": list(v.trend_layers) if v is not None else []})
        # the baseline the verdict used (periods judged "baseline"; Phase I may cut the
        # candidate window that prep.periods still flags)
        out.append({"seed": seed, "overall": overall["status"],
                    "baseline": [p.label for p, v in zip(prep.periods, verdicts)
                                 if v.status == "baseline"],
                    "candidate_baseline": [p.label for p in prep.periods if p.is_baseline],
                    "reasons": overall.get("reasons", []), "months": months})
        log(f"  recursive seed {seed}: {time.time() - t0:.0f}s")
    return out


def recursive_criteria(runs: list[dict]) -> dict:
    r1, r2, r3 = [], [], []
    for run in runs:
        ms = run["months"][1:]
        if ms[0]["status"] not in ("watch", "samey"):
            r1.append(f"seed {run['seed']}: month 2 is {ms[0]['status']}")
        s = [m["strongest_z"] for m in ms]
        if not all(b > a for a, b in zip(s, s[1:])):
            r2.append(f"seed {run['seed']}: S = {[fmt(x) for x in s]}")
        ranks = [_rank(m["status"]) for m in ms]
        if ranks != sorted(ranks) or any(m["status"] != "samey" for m in ms[1:]):
            r3.append(f"seed {run['seed']}: {[m['status'] for m in ms]}")
    return {
        "R1": {"pass": not r1, "detail": "; ".join(r1) or "month 2 flagged in every seed"},
        "R2": {"pass": not r2, "detail": "; ".join(r2) or "strongest z rises strictly with every "
                                                         "generation in every seed"},
        "R3": {"pass": not r3, "detail": "; ".join(r3) or "never improves; generations 2-5 samey"},
    }


def print_recursive(runs: list[dict]) -> None:
    for run in runs:
        print(f"\nseed {run['seed']}: baseline periods {run['baseline']} (candidate window "
              f"{run['candidate_baseline']}), overall {run['overall']}\n")
        layers = sorted({layer for m in run["months"] for layer in m["layer_scores"]})
        print("| month | generation | period | status | strongest z | " + " | ".join(layers)
              + " | moved |")
        print("|---:|---:|---|---|---:|" + "---:|" * len(layers) + "---|")
        for m in run["months"]:
            print(f"| {m['month']} | {m['generation'] or 'real'} | {m['period']} | {m['status']} | "
                  f"{fmt(m['strongest_z'])} | "
                  + " | ".join(fmt(m["layer_scores"].get(layer, float("nan"))) for layer in layers)
                  + f" | {','.join(m['moved'] + ['trend:' + x for x in m['trend']]) or '-'} |")


# ---------------------------------------------------------------- T: tiny months

def run_tiny(corpora: dict[str, list[dict]], embedder, trials: int, log=print) -> list[dict]:
    rust = [r for r in corpora["rust"] if r["date"][:4] in RUST_YEARS]
    ou = [r for r in corpora["oneuptime"] if r["date"][:4] in OU_YEARS]
    out = []
    t0 = time.time()
    for t in range(trials):
        rng = random.Random(f"tiny|{t}")
        corpus, pool = ("oneuptime", ou) if t % 4 == 3 else ("rust", rust)
        n_months = rng.randint(12, 24)
        per = [rng.choice((2, 3)) for _ in range(n_months)]
        rows = rng.sample(pool, sum(per))
        docs, i = [], 0
        for m, n in enumerate(per):
            docs += [to_doc(r, month_day(m, rng), tag=f"{corpus}:") for r in rows[i:i + n]]
            i += n
        prep, verdicts, overall = audit(docs, embedder, period="month", min_docs=2,
                                        random_state=t)
        judged = is_judged(verdicts)
        out.append({"trial": t, "corpus": corpus, "months": n_months, "posts": len(docs),
                    "n_periods": len(prep.periods),
                    "n_baseline": sum(v.status == "baseline" for v in verdicts),
                    "status": overall["status"] if judged else NJ,
                    "period_statuses": dict(Counter(v.status for v in verdicts)),
                    "reasons": overall.get("reasons", []), "notes": overall.get("notes", [])})
    log(f"  tiny: {trials} trials in {time.time() - t0:.0f}s")
    return out


def tiny_criteria(trials: list[dict]) -> dict:
    c = Counter(t["status"] for t in trials)
    return {"T1": {"pass": c["samey"] == 0,
                   "detail": f"{c['samey']} samey in {len(trials)} trials "
                             f"(ok {c['ok']}, watch {c['watch']}, not judged {c[NJ]})"}}


def print_tiny(trials: list[dict]) -> None:
    c = Counter(t["status"] for t in trials)
    print("| trials | ok | watch | samey | not judged | months | periods formed (median) |")
    print("|---:|---:|---:|---:|---:|---|---:|")
    print(f"| {len(trials)} | {c['ok']} | {c['watch']} | {c['samey']} | {c[NJ]} | "
          f"{min(t['months'] for t in trials)}-{max(t['months'] for t in trials)} | "
          f"{statistics.median(t['n_periods'] for t in trials)} |")
    for t in trials:
        if t["status"] != "ok":
            print(f"- trial {t['trial']} ({t['corpus']}, {t['months']} months, {t['posts']} posts, "
                  f"{t['n_periods']} periods, {t['n_baseline']} baseline): {t['status']}; "
                  + " ".join(t["reasons"] + t["notes"])[:400])


# ---------------------------------------------------------------- main

def load_corpora() -> dict[str, list[dict]]:
    yelp = [r for r in load_rows("detectrl-yelp.jsonl") if r["origin"] == "human"]
    return {"rust": load_rows("rust-blog.jsonl"), "oneuptime": load_rows("oneuptime-blog.jsonl"),
            "yelp": yelp}


def rust_early(corpora) -> list[dict]:
    return [r for r in corpora["rust"] if r["date"][:4] in ("2019", "2020", "2021")]


def run_all(parts, *, fast: bool, model: str, log=print, on_part=None,
            backend: str = "torch", extra: list[str] | None = None) -> dict:
    """Run the chosen parts; returns {part: {"trials"/"table": ..., "criteria": {...}}}.
    ``on_part(res, part)`` is called after each part (to print and save as results come)."""
    corpora = load_corpora()
    embedder = MemoEmbedder(make_embedder(model, cache_dir=None, progress=False, backend=backend))
    res: dict = {"model": model, "backend": backend, "fast": fast}
    srcs = M.sources(extra) if set(parts) & {"model", "length", "human"} else []
    for part in PARTS:
        if part not in parts:
            continue
        if part == "null":
            trials = run_null(corpora, embedder, null_plan(fast), log=log)
            table = null_table(trials)
            res["null"] = {"table": table, "trials": trials,
                           "criteria": null_criteria(table, fast)}
        elif part == "dose":
            trials = run_dose(rust_early(corpora), embedder, 1 if fast else 3, log=log)
            table = dose_table(trials)
            res["dose"] = {"table": table, "trials": trials, "criteria": dose_criteria(table)}
        elif part == "recursive":
            runs = run_recursive(rust_early(corpora), embedder, 1 if fast else 3, log=log)
            res["recursive"] = {"runs": runs, "criteria": recursive_criteria(runs)}
        elif part == "tiny":
            trials = run_tiny(corpora, embedder, 6 if fast else 40, log=log)
            res["tiny"] = {"trials": trials, "criteria": tiny_criteria(trials)}
        elif part == "model":
            trials = M.run_model(srcs, embedder, fast, log=log)
            table = M.model_table(trials)
            res["model"] = {"table": table, "trials": trials,
                            "criteria": M.model_criteria(trials, table)}
        elif part == "length":
            trials = M.run_length(srcs, embedder, fast, log=log)
            res["length"] = {"trials": trials, "criteria": M.length_criteria(trials)}
        else:
            trials = M.run_human(srcs, embedder, fast, log=log)
            res["human"] = {"trials": trials, "criteria": M.human_criteria(trials)}
        if on_part is not None:
            on_part(res, part)
    return res


def print_part(res: dict, part: str) -> None:
    if part == "null":
        print("## N. False alarms: null splits (2 pseudo-months of k real posts, default audit)\n")
        print_null(res["null"]["table"], res["null"]["trials"])
    elif part == "dose":
        print("\n## D. Dose response (fifth month; 4 real months before it)")
        print_dose(res["dose"]["table"])
    elif part == "recursive":
        print("\n## R. Recursive collapse, onset in month 2 (default audit)")
        print_recursive(res["recursive"]["runs"])
    elif part == "tiny":
        print("\n## T. Tiny months (2-3 real posts a month, min_docs 2)\n")
        print_tiny(res["tiny"]["trials"])
    elif part == "model":
        print("\n## M. Real model-written text after a switch (25 posts a month)\n")
        M.print_model(res["model"]["table"], res["model"]["trials"])
    elif part == "length":
        print("\n## L. Length only: later months of shorter or longer human posts\n")
        M.print_length(res["length"]["trials"])
    else:
        print("\n## H. Long human-only runs (10 months of 25 human posts)\n")
        M.print_human(res["human"]["trials"])
    for name, c in res[part]["criteria"].items():
        word = "PASS" if c["pass"] else ("n/a" if c["pass"] is None else "FAIL")
        print(f"\n{name}: {word}: {c['detail']}")
    sys.stdout.flush()


def _clean(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="hashing embedder, few trials")
    ap.add_argument("--model", default=None)
    ap.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    ap.add_argument("--only", choices=list(PARTS), action="append")
    ap.add_argument("--extra", action="append", default=None,
                    help="another JSON Lines source of human and model texts (parts M, L, H)")
    ap.add_argument("--json", default=None, help="write the results here")
    args = ap.parse_args(argv)
    model = args.model or ("hashing" if args.fast else "all-MiniLM-L6-v2")
    parts = args.only or list(PARTS)
    t0 = time.time()
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    print(f"# samey validity ({model}, {args.backend}{', fast' if args.fast else ''})\n",
          flush=True)

    def on_part(res, part):
        print_part(res, part)
        if args.json:  # saved after every part, so an interrupted run keeps what it measured
            Path(args.json).write_text(json.dumps(_clean(res), indent=1))

    res = run_all(parts, fast=args.fast, model=model, log=log, on_part=on_part,
                  backend=args.backend, extra=args.extra)
    print("\n## Criteria\n")
    ok = True
    for part in PARTS:
        got = res.get(part)  # res["model"] is the model's name when the model part did not run
        for name, c in (got.get("criteria", {}) if isinstance(got, dict) else {}).items():
            word = "PASS" if c["pass"] else ("n/a" if c["pass"] is None else "FAIL")
            ok &= c["pass"] is not False
            print(f"- {name}: {word}: {c['detail']}")
    res["wall_s"] = round(time.time() - t0, 1)
    print(f"\ntotal {res['wall_s']:.0f}s")
    if args.json:
        Path(args.json).write_text(json.dumps(_clean(res), indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
