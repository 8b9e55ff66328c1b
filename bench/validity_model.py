"""Validity on real model-written text, length changes and long human-only runs: the parts of
``bench/validity.py`` that issue 17 added (run them with ``python bench/validity.py --only
model|length|human``; ``--fast`` for the quick version the tests run).

Sources (read at run time, never copied into the repository):

* ``../shared/corpora/detectrl-yelp.jsonl``: DetectRL (Wu et al., NeurIPS 2024 Datasets and
  Benchmarks, github.com/NLP2CT/DetectRL), Yelp review test split: 1,000 human reviews and 1,004
  reviews written by ChatGPT, Claude-instant, Google-PaLM and Llama-2-70b with nine methods
  (plain and few-shot prompts, an evasive prompt, three paraphrases, three typo attacks).
  Research use only.
* ``--extra FILE`` (optional, repeatable): more JSON Lines of the same shape (``text``,
  ``origin`` human/llm, ``llm``, ``method``, ``id``, optionally ``domain``). The second source
  used for the README's figures is L2R (Hao et al., "Learning to Rewrite", ACL 2025;
  github.com/ranhli/l2r_data at commit 2e0f258faa442b26ff3d28aeddcb13323b6496e3, licence
  CC BY 3.0; the human texts come from third-party sources with their own terms: research use):
  human texts in 16 domains and rewrites of them by gpt-3.5-turbo, gpt-4o, gemini-1.5-pro and
  llama-3-70b. ``bench/make_l2r_source.py`` turns a snapshot of that repository into the JSON
  Lines file (README, "Validity: does it catch real AI-written content?"). Unlike DetectRL, its
  model texts are *rewrites* of human texts (a house voice applied to the same content), not
  new texts on the same prompt. Each domain with at least ``MIN_SOURCE`` texts on both sides is
  a source of its own (a brand writes in one domain).

Records have no dates: months are assigned here, 25 posts a month (``PER``), human months first.
Every audit is samey's default (``period="month"``, no ``--baseline``: the audit picks and checks
its own baseline), through the same driving API as the rest of the bench.

PASS CRITERIA, written down (and committed) before any run; never weakened after one.
"Flagged" = ``watch`` or ``samey``; a month is *judged* when its status is ok/watch/samey.

M. Model text after a switch. Scenarios per source (seeded trials; full / fast counts):
   ``pure``: H human months (H = 2, 3, 4, 6 in turn) then 6 months of 100% model text drawn from
   all models and methods (full: 24 trials per source, 6 per H; fast: 2);
   ``model``: 4 human months, then 6 months of one model's text (each model: full 5 trials);
   ``method``: 4 human months, then 4 months of one method's text (each method: full 3 trials);
   ``share``: 4 human months, then 6 months in which a share s = 10, 20, ..., 60% of each month's
   posts is model text, the rest fresh human posts (each share: full 8 trials; fast: 60% only, 2);
   ``replace``: 4 human months, 3 months of one model, 3 months of another (full 8 trials).
   M1: over the ``pure`` and ``model`` trials, at least 90% of judged model months are flagged.
   M2: in at least 90% of the ``pure`` and ``model`` trials, a month among the first three model
       months is ``samey`` (samey by the third consecutive model month).
   M3: at least 75% of the judged 60%-share months are flagged.
   M4 (reported, no pass/fail): flagged and samey rates by share, by model, by method, and for
       the replacement months.
   M5: in the ``replace`` trials, at least 90% of judged model months are flagged (both models).

L. Length only. 4 human months of 25 posts, then 6 months of 25 fresh human posts of the same
   source drawn only from its shortest third (``shorter``) or its longest third (``longer``) by
   word count (full: 10 trials each; fast: 1 each).
   L1: no trial is ``samey``, and at most 5% of the judged changed months are flagged.

H. Long human-only runs: 10 months of 25 human posts of one source, or as many whole months as
   a smaller source holds (full: 20 trials per source; fast: 2), default audit.
   H1: at most 2% of the judged months are flagged, and no month is ``samey``.

(The null splits N of ``bench/validity.py`` also draw from the human side of each source here:
see its ``null_plan``.)
"""
from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

import validity as V

PER = 25                       # posts a month
MODEL_MONTHS = 6
HUMAN_MONTHS = (2, 3, 4, 6)    # for the ``pure`` scenario
SHARE_STEPS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


# ---------------------------------------------------------------- sources

MIN_SOURCE = 150  # human and model texts a source (or a domain of one) needs: 6 months of 25


def load_source(path: Path) -> list[dict]:
    """``[{"name", "human": [...], "llm": [...]}]`` from a JSON Lines file of human and model
    texts (fields ``text``, ``origin``, ``llm``, ``method``, ``id``). Rows with a ``domain``
    (the L2R file, ``bench/make_l2r_source.py``) give one source per domain, since a brand
    writes in one domain; domains with fewer than ``MIN_SOURCE`` texts on either side are
    left out."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r.get("text"):
            groups[f"{path.stem}-{r['domain']}" if r.get("domain") else path.stem].append(r)
    out = []
    for name, rs in sorted(groups.items()):
        human = [r for r in rs if r.get("origin") == "human"]
        llm = [r for r in rs if r.get("origin") != "human"]
        if len(human) >= MIN_SOURCE and len(llm) >= MIN_SOURCE:
            out.append({"name": name, "human": human, "llm": llm})
    return out


def sources(extra: list[str] | None = None) -> list[dict]:
    out = load_source(V.SHARED / "detectrl-yelp.jsonl")
    for p in extra or []:
        out += load_source(Path(p))
    return out


def _doc(row: dict, month: int, rng: random.Random, tag: str):
    words = len(row["text"].split())
    d = V.text_doc(f"{tag}:{row.get('id', id(row))}", row["text"], V.month_day(month, rng))
    return d, words


def build(src: dict, rng: random.Random, months: list[tuple[int, str | None]], *,
          human_pool: list[dict] | None = None, llm_pool: list[dict] | None = None):
    """Documents for months given as ``(model posts, kind)``: ``kind`` None = human only.
    Returns (documents, [(month index, n_model)])."""
    humans = list(human_pool if human_pool is not None else src["human"])
    llms = list(llm_pool if llm_pool is not None else src["llm"])
    rng.shuffle(humans)
    rng.shuffle(llms)
    return _fill(src, rng, months, humans, llms)


def _fill(src: dict, rng: random.Random, months, humans: list[dict], llms: list[dict]):
    """Each month's model posts (in ``llms`` order) then its human posts (in ``humans``
    order), dated in the month. Returns (documents, [(month index, n_model)])."""
    docs, plan, hi, mi = [], [], 0, 0
    for k, (n_model, _) in enumerate(months):
        for r in llms[mi:mi + n_model]:
            docs.append(_doc(r, k, rng, f"{src['name']}/llm")[0])
        mi += n_model
        for r in humans[hi:hi + PER - n_model]:
            docs.append(_doc(r, k, rng, f"{src['name']}/human")[0])
        hi += PER - n_model
        plan.append((k, n_model))
    if mi > len(llms) or hi > len(humans):
        raise ValueError(f"{src['name']}: not enough texts for this scenario")
    return docs, plan


def month_statuses(docs, embedder, n_months: int) -> tuple[list[str], list[dict]]:
    prep, verdicts, overall = V.audit(docs, embedder, period="month")
    out, info = [], []
    for k in range(n_months):
        p, v = V.verdict_at(prep, verdicts, V.month_mid(k))
        out.append(V.status_of(v))
        info.append({"period": p.label if p else None,
                     "layers": dict(v.layer_scores) if v is not None else {},
                     "moved": list(v.moved_layers) if v is not None else []})
    return out, info


# ---------------------------------------------------------------- M: model text

def model_plan(src: dict, fast: bool) -> list[dict]:
    """The scenarios of part M (module docstring) for one source."""
    plan = []
    n_pure = 2 if fast else 6
    for h in (HUMAN_MONTHS[2:3] if fast else HUMAN_MONTHS):
        plan += [{"scenario": "pure", "h": h, "trial": t} for t in range(n_pure)]
    if not fast:
        for llm in sorted({r.get("llm") for r in src["llm"]} - {None}):
            plan += [{"scenario": "model", "h": 4, "llm": llm, "trial": t} for t in range(5)]
        for method in sorted({r.get("method") for r in src["llm"]} - {None}):
            plan += [{"scenario": "method", "h": 4, "method": method, "trial": t}
                     for t in range(3)]
        for s in SHARE_STEPS:
            plan += [{"scenario": "share", "h": 4, "share": s, "trial": t} for t in range(8)]
        plan += [{"scenario": "replace", "h": 4, "trial": t} for t in range(8)]
    else:
        plan += [{"scenario": "share", "h": 4, "share": 0.6, "trial": t} for t in range(2)]
    return plan


def run_model(srcs: list[dict], embedder, fast: bool, log=print) -> list[dict]:
    out = []
    for src in srcs:
        t0 = time.time()
        for case in model_plan(src, fast):
            rng = random.Random(f"model|{src['name']}|{json.dumps(case, sort_keys=True)}")
            h, sc = case["h"], case["scenario"]
            llm_pool, model_months, labels = src["llm"], MODEL_MONTHS, []
            months = [(0, None)] * h
            if sc == "pure":
                months += [(PER, "llm")] * model_months
            elif sc == "model":
                llm_pool = [r for r in src["llm"] if r.get("llm") == case["llm"]]
                months += [(PER, "llm")] * model_months
            elif sc == "method":
                llm_pool = [r for r in src["llm"] if r.get("method") == case["method"]]
                model_months = min(4, len(llm_pool) // PER)
                months += [(PER, "llm")] * model_months
            elif sc == "share":
                months += [(round(case["share"] * PER), "llm")] * model_months
            else:  # replace: one model, then another
                names = sorted({r.get("llm") for r in src["llm"]} - {None})
                a, b = rng.sample(names, 2)
                pa = [r for r in src["llm"] if r.get("llm") == a]
                pb = [r for r in src["llm"] if r.get("llm") == b]
                rng.shuffle(pa)
                rng.shuffle(pb)
                llm_pool = pa[:3 * PER] + pb[:3 * PER]
                labels = [a] * 3 + [b] * 3
                months += [(PER, "llm")] * 6
            try:
                if sc == "replace":  # keep the pool's order (model a first): no shuffle
                    docs, _ = _build_in_order(src, rng, months, llm_pool)
                else:
                    docs, _ = build(src, rng, months, llm_pool=llm_pool)
            except ValueError as err:  # a small source lacks texts for this case: said, skipped
                log(f"  skipped {case}: {err}")
                continue
            statuses, info = month_statuses(docs, embedder, len(months))
            out.append({**case, "source": src["name"], "statuses": statuses[h:],
                        "human": statuses[:h], "info": info[h:], "labels": labels})
        log(f"  model text ({src['name']}): {len(model_plan(src, fast))} trials in "
            f"{time.time() - t0:.0f}s")
    return out


def _build_in_order(src: dict, rng: random.Random, months, llm_pool):
    humans = list(src["human"])
    rng.shuffle(humans)
    return _fill(src, rng, months, humans, list(llm_pool))[0], None


def _rate(statuses: list[str]) -> tuple[int, int, int]:
    judged = [s for s in statuses if s in V.JUDGED]
    return (sum(s in ("watch", "samey") for s in judged), sum(s == "samey" for s in judged),
            len(judged))


def model_table(trials: list[dict]) -> dict:
    """Flagged / samey / judged months per group (scenario, and by share, model, method)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for t in trials:
        keys = [t["scenario"]]
        if t["scenario"] == "pure":
            keys.append(f"pure, {t['h']} human months")
        if t["scenario"] == "model":
            keys.append(f"model {t['llm']}")
        if t["scenario"] == "method":
            keys.append(f"method {t['method']}")
        if t["scenario"] == "share":
            keys.append(f"share {t['share']:.0%}")
        keys.append(f"source {t['source']}")
        for k in keys:
            groups[k].extend(t["statuses"])
    table = {}
    for k, st in groups.items():
        f, s, n = _rate(st)
        table[k] = {"flagged": f, "samey": s, "judged": n, "months": len(st),
                    "rate": f / n if n else float("nan"),
                    "samey_rate": s / n if n else float("nan")}
    human = [s for t in trials for s in t["human"]]
    f, s, n = _rate(human)
    table["human months before the switch"] = {"flagged": f, "samey": s, "judged": n,
                                               "months": len(human),
                                               "rate": f / n if n else float("nan"),
                                               "samey_rate": s / n if n else float("nan")}
    return table


def samey_by_third(t: dict) -> bool:
    return "samey" in t["statuses"][:3]


def model_criteria(trials: list[dict], table: dict) -> dict:
    pm = [t for t in trials if t["scenario"] in ("pure", "model")]
    f, _, n = _rate([s for t in pm for s in t["statuses"]])
    m1 = {"pass": n > 0 and f / n >= 0.9,
          "detail": f"{f}/{n} judged pure-model months flagged "
                    f"({V.pct(f / n if n else float('nan'))})"}
    k = sum(samey_by_third(t) for t in pm)
    m2 = {"pass": bool(pm) and k / len(pm) >= 0.9,
          "detail": f"samey by the third model month in {k}/{len(pm)} trials"}
    sixty = [s for t in trials if t["scenario"] == "share" and abs(t["share"] - 0.6) < 1e-9
             for s in t["statuses"]]
    f3, _, n3 = _rate(sixty)
    m3 = {"pass": n3 > 0 and f3 / n3 >= 0.75,
          "detail": f"{f3}/{n3} judged 60% months flagged "
                    f"({V.pct(f3 / n3 if n3 else float('nan'))})"}
    rep = [s for t in trials if t["scenario"] == "replace" for s in t["statuses"]]
    f5, _, n5 = _rate(rep)
    m5 = {"pass": None if not rep else (n5 > 0 and f5 / n5 >= 0.9),
          "detail": (f"{f5}/{n5} judged replacement months flagged" if rep
                     else "no replacement trials (fast)")}
    return {"M1": m1, "M2": m2, "M3": m3, "M5": m5}


def print_model(table: dict, trials: list[dict]) -> None:
    print("| group | judged months | flagged | samey |")
    print("|---|---:|---:|---:|")
    for k in sorted(table):
        r = table[k]
        print(f"| {k} | {r['judged']} | {r['flagged']} ({V.pct(r['rate'])}) | "
              f"{r['samey']} ({V.pct(r['samey_rate'])}) |")
    layers = Counter(x for t in trials for i in t["info"] for x in i["moved"])
    print("\nlayers that moved in model months (count of months): "
          + ", ".join(f"{k} {v}" for k, v in layers.most_common()))
    misses = [t for t in trials if t["scenario"] in ("pure", "model") and not samey_by_third(t)]
    for t in misses[:6]:
        print(f"- not samey by the third month: {t['source']} {t['scenario']} h={t['h']} "
              f"{t.get('llm', '')} trial {t['trial']}: {t['statuses']}; z "
              + "; ".join(", ".join(f"{k[:4]} {v:.1f}" for k, v in i["layers"].items())
                          for i in t["info"][:3]))


# ---------------------------------------------------------------- L: length only

def run_length(srcs: list[dict], embedder, fast: bool, log=print,
               kinds: tuple[str, ...] = ("shorter", "longer")) -> list[dict]:
    out = []
    n = 1 if fast else 10
    for src in srcs:
        t0 = time.time()
        by_len = sorted(src["human"], key=lambda r: len(r["text"].split()))
        third = len(by_len) // 3
        pools = {"shorter": by_len[:third], "longer": by_len[-third:]}
        if third < MODEL_MONTHS * PER or len(by_len) - third < 4 * PER:
            log(f"  length ({src['name']}): skipped, a third of its human texts ({third}) is "
                f"fewer than {MODEL_MONTHS * PER} (six months of {PER})")
            continue
        for kind, pool in ((k, pools[k]) for k in kinds):
            for t in range(n):
                rng = random.Random(f"length|{src['name']}|{kind}|{t}")
                ids = {id(r) for r in pool}
                rest = [r for r in src["human"] if id(r) not in ids]
                rng.shuffle(rest)
                first = rest[:4 * PER]
                later = rng.sample(pool, MODEL_MONTHS * PER)
                docs = []
                for i, r in enumerate(first + later):
                    docs.append(_doc(r, i // PER, rng, f"{src['name']}/human")[0])
                statuses, info = month_statuses(docs, embedder, 4 + MODEL_MONTHS)
                out.append({"source": src["name"], "kind": kind, "trial": t,
                            "statuses": statuses[4:], "info": info[4:]})
        log(f"  length ({src['name']}): {len(kinds) * n} trials in {time.time() - t0:.0f}s")
    return out


def length_criteria(trials: list[dict]) -> dict:
    st = [s for t in trials for s in t["statuses"]]
    f, s, n = _rate(st)
    samey_trials = sum("samey" in t["statuses"] for t in trials)
    ok = samey_trials == 0 and n > 0 and f / n <= 0.05
    return {"L1": {"pass": ok, "detail": f"{samey_trials} trials samey; {f}/{n} judged changed "
                                         f"months flagged ({V.pct(f / n if n else float('nan'))})"}}


def print_length(trials: list[dict]) -> None:
    print("| source | kind | trials | judged months | flagged | samey |")
    print("|---|---|---:|---:|---:|---:|")
    for (src, kind), ts in sorted(_group(trials, ("source", "kind")).items()):
        f, s, n = _rate([x for t in ts for x in t["statuses"]])
        print(f"| {src} | {kind} | {len(ts)} | {n} | {f} | {s} |")


def _group(trials: list[dict], keys: tuple[str, ...]) -> dict:
    g: dict = defaultdict(list)
    for t in trials:
        g[tuple(t[k] for k in keys)].append(t)
    return g


# ---------------------------------------------------------------- H: long human-only runs

def run_human(srcs: list[dict], embedder, fast: bool, log=print) -> list[dict]:
    out = []
    n = 2 if fast else 20
    for src in srcs:
        t0 = time.time()
        months = min(10, len(src["human"]) // PER)
        for t in range(n):
            rng = random.Random(f"human|{src['name']}|{t}")
            docs, _ = build(src, rng, [(0, None)] * months)
            statuses, info = month_statuses(docs, embedder, months)
            out.append({"source": src["name"], "trial": t, "statuses": statuses, "info": info})
        log(f"  human-only runs ({src['name']}): {n} trials in {time.time() - t0:.0f}s")
    return out


def human_criteria(trials: list[dict]) -> dict:
    f, s, n = _rate([x for t in trials for x in t["statuses"]])
    return {"H1": {"pass": n > 0 and f / n <= 0.02 and s == 0,
                   "detail": f"{f}/{n} judged human months flagged "
                             f"({V.pct(f / n if n else float('nan'))}), {s} samey"}}


def print_human(trials: list[dict]) -> None:
    print("| source | trials | judged months | ok | watch | samey |")
    print("|---|---:|---:|---:|---:|---:|")
    for (src,), ts in sorted(_group(trials, ("source",)).items()):
        c = Counter(x for t in ts for x in t["statuses"])
        print(f"| {src} | {len(ts)} | {sum(c[s] for s in V.JUDGED)} | {c['ok']} | {c['watch']} "
              f"| {c['samey']} |")
    for t in trials:
        bad = [i for i, s in enumerate(t["statuses"]) if s in ("watch", "samey")]
        for i in bad[:1]:
            print(f"- flagged: {t['source']} trial {t['trial']} month {i + 1}: "
                  f"{t['statuses'][i]}, moved {t['info'][i]['moved']}")


def median_or_nan(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")
