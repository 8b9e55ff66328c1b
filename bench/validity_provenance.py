"""Validity of provenance and the action list (issue 20) on corpora whose sources are known.

Source (read at run time, never copied into the repository): ``../shared/corpora/
detectrl-yelp.jsonl`` (DetectRL, Wu et al., NeurIPS 2024 Datasets and Benchmarks; research use
only): 1,000 human Yelp reviews and 1,004 reviews written by four language models with nine
methods (see ``bench/validity_model.py``).

Corpus of one trial (seeded): 10 months of 25 reviews, dates assigned here (25 a month, human
months first, as ``bench/validity_model.py`` does). Months 1-4: human reviews only. Months 5-10:
a share ``s`` of each month's reviews (s = 30% or 60%: 8 or 15 of 25) comes from one account,
``ai-desk``, that posts model-written reviews (any model, any method); the rest are fresh
human reviews. Every human review is posted by one of three human accounts (``ana``, ``ben``,
``chloe``, drawn at random per review), in every month. The source is a ``byline`` column of a
JSON Lines file; the audit is samey's default run on it (``samey audit FILE --source-field
byline``: monthly periods, the baseline chosen and checked by samey, the packaged MiniLM).

"Flagged model months": months 5-10 whose status is ``watch`` or ``samey`` (the months where
the move happens: provenance attributes a move only where there is one). Trials: 6 per share
(``--trials``).

PASS CRITERIA, written down (and committed) before any run; never weakened after one.

P1. Largest contribution. In the flagged model months, ``ai-desk`` carries the largest
    contribution of all sources (``provenance.periods[].sources[].contribution``) in at least
    90% of them, separately at 30% and at 60%. (At 30%, if fewer than 5 model months are
    flagged over all trials, P1 at 30% is reported as "too few flagged months", not as a pass.)
P2. The posts to revise first. Over the flagged model months, among the top 10 posts of each
    month's action list (``actions.flagged[].revise_first[:10]``), the share written by
    ``ai-desk`` is at least its share of posts plus half the rest: at least 65% at 30%, at
    least 80% at 60% (well above its share, and most of them). Same "too few" rule as P1.
P3. The headline. In the 60% trials whose verdict is ``watch`` or ``samey``, the headline names
    ``ai-desk`` as the dominant source (``provenance.dominant.source``) in at least 75% of
    them, and no trial at either share names a human account.
P4 (reported, no pass/fail): ai-desk's mean contribution per layer with the mean 95% interval
    width, the share of its posts among the top 10, 20 (all listed) and by rank, and how many
    model months were flagged at each share.

Usage: python bench/validity_provenance.py [--trials N] [--model M] [--json out.json]
                                           [--cache-dir FOLDER]
Prints a Markdown table and one PASS/FAIL line per criterion.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import validity as V  # noqa: E402
import validity_model as M  # noqa: E402

from auditor import audit  # noqa: E402

PER = 25
HUMAN_MONTHS = 4
MODEL_MONTHS = 6
SHARES = (0.3, 0.6)
HUMANS = ("ana", "ben", "chloe")
MODEL = "ai-desk"
TOP = 10
MIN_FLAGGED = 5


def build_rows(src: dict, share: float, rng: random.Random) -> tuple[list[dict], list[str]]:
    """The trial's JSON Lines rows (id, date, byline, text) and its model months' labels."""
    humans, llms = list(src["human"]), list(src["llm"])
    rng.shuffle(humans)
    rng.shuffle(llms)
    rows, labels, hi, mi = [], [], 0, 0
    for k in range(HUMAN_MONTHS + MODEL_MONTHS):
        n_model = round(share * PER) if k >= HUMAN_MONTHS else 0
        for r in llms[mi:mi + n_model]:
            rows.append({"date": V.month_day(k, rng).isoformat(), "byline": MODEL,
                         "text": r["text"]})
        for r in humans[hi:hi + PER - n_model]:
            rows.append({"date": V.month_day(k, rng).isoformat(),
                         "byline": rng.choice(HUMANS), "text": r["text"]})
        mi += n_model
        hi += PER - n_model
        if k >= HUMAN_MONTHS:
            labels.append(V.month_mid(k).isoformat()[:7])
    rng.shuffle(rows)
    for i, r in enumerate(rows):
        r["id"] = f"r{i}"
    return rows, labels


def run_trial(src: dict, share: float, trial: int, *, model: str, cache_dir: str) -> dict:
    rng = random.Random(f"provenance|{src['name']}|{share}|{trial}")
    rows, labels = build_rows(src, share, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reviews.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        res = audit(path, model=model, period="month", source_field="byline", progress=False,
                    cache_dir=cache_dir)
    status = {p.label: p.status for p in res.periods}
    flagged = [x for x in labels if status.get(x) in ("watch", "samey")]
    months = []
    prov = res.provenance
    acts = {a.period: a for a in (res.actions.flagged if res.actions else [])}
    for label in flagged:
        pp = prov.period(label) if prov else None
        srcs = pp.sources if pp else []
        top = srcs[0].source if srcs and srcs[0].contribution is not None else None
        mine = next((s for s in srcs if s.source == MODEL), None)
        ranked = [r.source for r in acts[label].revise_first] if label in acts else []
        months.append({
            "label": label, "status": status[label], "largest": top,
            "contribution": mine.contribution if mine else None,
            "share": mine.share if mine else 0.0,
            "by_layer": {k: [c.contribution, c.low, c.high]
                         for k, c in (mine.by_layer.items() if mine else [])},
            "ranked": ranked})
    dom = prov.dominant if prov else None
    return {"share": share, "trial": trial, "model": res.config["model_id"],
            "verdict": res.status, "labels": labels,
            "statuses": [status.get(x) for x in labels], "months": months,
            "dominant": dom.source if dom else None, "headline": res.verdict.summary}


def criteria(trials: list[dict]) -> dict:
    out = {}
    for share in SHARES:
        ms = [m for t in trials if t["share"] == share for m in t["months"]]
        tag = f"{share:.0%}"
        if len(ms) < MIN_FLAGGED:
            out[f"P1 at {tag}"] = {"pass": None, "detail": f"too few flagged months ({len(ms)})"}
            out[f"P2 at {tag}"] = {"pass": None, "detail": f"too few flagged months ({len(ms)})"}
            continue
        k = sum(m["largest"] == MODEL for m in ms)
        out[f"P1 at {tag}"] = {"pass": k / len(ms) >= 0.9,
                               "detail": f"ai-desk largest in {k}/{len(ms)} flagged model months"}
        top = [s for m in ms for s in m["ranked"][:TOP]]
        mine = sum(s == MODEL for s in top)
        goal = share + (1 - share) / 2
        out[f"P2 at {tag}"] = {
            "pass": bool(top) and mine / len(top) >= goal,
            "detail": f"{mine}/{len(top)} top-{TOP} posts by ai-desk "
                      f"({V.pct(mine / len(top) if top else float('nan'))}; goal {goal:.0%})"}
    sixty = [t for t in trials if t["share"] == 0.6 and t["verdict"] in ("watch", "samey")]
    named = sum(t["dominant"] == MODEL for t in sixty)
    wrong = sum(t["dominant"] in HUMANS for t in trials)
    out["P3"] = {"pass": bool(sixty) and named / len(sixty) >= 0.75 and wrong == 0,
                 "detail": f"headline names ai-desk in {named}/{len(sixty)} flagged 60% trials; "
                           f"{wrong} trials name a human account"}
    return out


def report(trials: list[dict]) -> None:
    print("| share | trials | model months judged flagged | ai-desk largest | ai-desk in top 10 "
          "| ai-desk in all listed | mean contribution |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for share in SHARES:
        ts = [t for t in trials if t["share"] == share]
        ms = [m for t in ts for m in t["months"]]
        n_model = sum(len(t["labels"]) for t in ts)
        k = sum(m["largest"] == MODEL for m in ms)
        top = [s for m in ms for s in m["ranked"][:TOP]]
        every = [s for m in ms for s in m["ranked"]]
        contrib = [m["contribution"] for m in ms if m["contribution"] is not None]
        print(f"| {share:.0%} | {len(ts)} | {len(ms)}/{n_model} | {k}/{len(ms)} | "
              f"{V.pct(sum(s == MODEL for s in top) / len(top)) if top else '-'} | "
              f"{V.pct(sum(s == MODEL for s in every) / len(every)) if every else '-'} | "
              f"{V.pct(statistics.mean(contrib)) if contrib else '-'} |")
    print("\nai-desk's mean contribution by layer (mean 95% interval width), flagged months:")
    for share in SHARES:
        by: dict[str, list[list[float]]] = defaultdict(list)
        for t in trials:
            if t["share"] == share:
                for m in t["months"]:
                    for layer, c in m["by_layer"].items():
                        by[layer].append(c)
        print(f"- {share:.0%}: " + "; ".join(
            f"{layer} {V.pct(statistics.mean(c[0] for c in cs))} "
            f"(+/- {V.pct(statistics.mean((c[2] - c[1]) / 2 for c in cs))}, {len(cs)} months)"
            for layer, cs in sorted(by.items())))
    print("\nai-desk share of the action list by rank (flagged model months):")
    for share in SHARES:
        ms = [m for t in trials if t["share"] == share for m in t["months"]]
        ranks = [f"{r + 1}: {V.pct(sum(m['ranked'][r:r + 1] == [MODEL] for m in ms) / len(ms))}"
                 for r in range(5)] if ms else []
        print(f"- {share:.0%}: " + ", ".join(ranks))
    for t in trials[:2]:
        print(f"\nexample headline ({t['share']:.0%}, trial {t['trial']}): {t['headline']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=6)
    ap.add_argument("--model", default=None, help="embedding model (default: the packaged one)")
    ap.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "samey"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    src = M.sources()[0]
    trials = []
    t0 = time.time()
    for share in SHARES:
        for trial in range(args.trials):
            t = run_trial(src, share, trial, model=args.model or "all-MiniLM-L6-v2",
                          cache_dir=args.cache_dir)
            trials.append(t)
            print(f"  {share:.0%} trial {trial}: {t['statuses']} dominant {t['dominant']} "
                  f"({time.time() - t0:.0f}s)", file=sys.stderr)
    report(trials)
    res = criteria(trials)
    print()
    for name, c in res.items():
        verdict = "n/a" if c["pass"] is None else "PASS" if c["pass"] else "FAIL"
        print(f"{name}: {verdict} ({c['detail']})")
    if args.json:
        args.json.write_text(json.dumps({"trials": trials, "criteria": res}, indent=1))
    return 0 if all(c["pass"] is not False for c in res.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
