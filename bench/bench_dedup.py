"""Site-wide near-duplicate families at scale: recall of planted families, false families, wall
time and peak memory.

    python bench/bench_dedup.py [--rows 1000000] [--share 0.02] [--mode function audit]
                                [--keep DIR]

Generates N synthetic product texts (~55 words: "Item N." and five sentences from the product
vocabulary of ``bench_stream.py``, a stock sentence creeping in over 24 months) with planted
near-copy families: ``--share`` of the rows (2%) belong to families of 2-20 rows that share one
text and differ by their "Item N." number (2 of ~52 word 5-grams) and, for half of the members,
one of the last three words replaced (1-3 more 5-grams): word 5-gram Jaccard 0.73-0.92 between
two members, about 0.85-0.92 between an unedited member and the others.

``function``: the rows, as Documents, go straight into ``auditor.app.site_duplicates.SiteIndex``
(what the audit's ingest sink does, without reading files); prints the wall time, the peak
resident memory of this process, the index's own bytes per document, and against the planted
families: families recovered whole (all members in one found family), found exactly, member
recall (a planted member found with another member of its family) and false families (found
families that mix rows of different planted families or hold only unplanted rows).

``audit``: the rows written as one CSV (a temporary folder, or ``--keep DIR``), then
``python -m auditor audit DIR --model hashing --json out.json -q`` in a subprocess, with
``--no-site-duplicates`` and without, each with its wall time and peak RSS (measured as in
``bench_stream.py``) and the ``site_duplicates`` section of the JSON.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_stream import _MEASURE, REST, STOCK, _sentences, work_dir  # noqa: E402

from auditor.app.site_duplicates import SiteIndex  # noqa: E402
from auditor.types import Document  # noqa: E402


def plant(n_rows: int, share: float, seed: int = 0) -> np.ndarray:
    """Family label per row (-1: not planted); families of 2-20 rows at random positions."""
    rng = np.random.default_rng(seed + 1)
    labels = np.full(n_rows, -1, dtype=np.int32)
    sizes = []
    while sum(sizes) < share * n_rows:
        sizes.append(int(rng.integers(2, 21)))
    rows = rng.choice(n_rows, sum(sizes), replace=False)
    labels[rows] = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    return labels


def rows(n_rows: int, labels: np.ndarray, *, seed: int = 0, chunk: int = 100_000):
    """Yields (ids, dates, titles, texts) in chunks; rows of a planted family share a text."""
    rng = np.random.default_rng(seed)
    n_fam = int(labels.max()) + 1 if len(labels) else 0
    fam_rng = np.random.default_rng(seed + 2)
    fam_text = [" ".join(_sentences(fam_rng, 5)) for _ in range(n_fam)]
    for lo in range(0, n_rows, chunk):
        m = min(chunk, n_rows - lo)
        month = np.sort(rng.integers(24, size=m))
        day = rng.integers(1, 29, size=m)
        sents = _sentences(rng, 5 * m)
        stock = rng.random(m) < 0.05 + 0.4 * month / 23
        edit = rng.random(m) < 0.5
        where = rng.integers(1, 4, size=m)
        repl = np.asarray(REST)[rng.integers(len(REST), size=m)]
        texts = []
        for i in range(m):
            f = labels[lo + i]
            if f >= 0:
                words = fam_text[f].split()
                if edit[i]:
                    j = len(words) - int(where[i])
                    words[j] = str(repl[i]) + ("." if words[j].endswith(".") else "")
                body = " ".join(words)
            else:
                s = sents[5 * i: 5 * i + 5]
                if stock[i]:
                    s[0] = STOCK + "."
                body = " ".join(s)
            texts.append(f"Item {lo + i}. {body}")
        dates = [f"{2024 + mo // 12}-{mo % 12 + 1:02d}-{d:02d}" for mo, d in zip(month, day)]
        yield list(range(lo, lo + m)), dates, [f"Product {lo + i}" for i in range(m)], texts


def score(found: list[list[int]], labels: np.ndarray) -> dict:
    """Recall of planted families and false families (see the module docstring)."""
    planted: dict[int, set[int]] = {}
    for i in np.flatnonzero(labels >= 0):
        planted.setdefault(int(labels[i]), set()).add(int(i))
    where = {i: k for k, f in enumerate(found) for i in f}
    whole = exact = 0
    recalled = 0
    for fam in planted.values():
        ks = {where.get(i) for i in fam}
        if len(ks) == 1 and None not in ks:
            whole += 1
            exact += len(found[ks.pop()]) == len(fam)
        for i in fam:
            k = where.get(i)
            if k is not None and any(labels[j] == labels[i] and j != i for j in found[k]):
                recalled += 1
    mixed = sum(1 for f in found if len({int(labels[i]) for i in f}) > 1)
    unplanted = sum(1 for f in found if all(labels[i] < 0 for i in f))
    members = sum(len(f) for f in planted.values())
    return {"planted_families": len(planted), "planted_rows": members,
            "found_families": len(found), "recovered_whole": whole,
            "recovered_whole_share": round(whole / max(len(planted), 1), 4),
            "found_exactly": exact, "member_recall": round(recalled / max(members, 1), 4),
            "false_families_mixed": mixed, "false_families_unplanted": unplanted}


def run_function(n_rows: int, labels: np.ndarray) -> dict:
    t = time.perf_counter()
    gen = t_add = 0.0
    with SiteIndex() as index:
        for ids, dates, titles, texts in rows(n_rows, labels):
            g = time.perf_counter()
            docs = [Document(f"products.csv#{i + 1}", "products.csv", x, title=tt,
                             date=dt.date.fromisoformat(d))
                    for i, d, tt, x in zip(ids, dates, titles, texts)]
            gen += time.perf_counter() - g
            a = time.perf_counter()
            for i, d in zip(ids, docs):
                index.add(i + 1, d)
            t_add += time.perf_counter() - a
        t1 = time.perf_counter()
        found = index.families()
        t_fam = time.perf_counter() - t1
        mem = index.memory_bytes
        n = index.n
    found = [[i for i in f] for f in found]  # ids are row numbers
    return {"mode": "function", "rows": n_rows, "index_s": round(t_add, 1),
            "families_s": round(t_fam, 1), "documents_s": round(gen, 1),
            "total_s": round(time.perf_counter() - t, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "index_bytes_per_doc": round(mem / max(n, 1), 1),
            "signature_file_bytes_per_doc": 512, **score(found, labels)}


def write_csv(path: Path, n_rows: int, labels: np.ndarray) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "date", "title", "text"])
        for ids, dates, titles, texts in rows(n_rows, labels):
            w.writerows(zip(ids, dates, titles, texts))


def run_audit(data: Path, out_json: Path, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "auditor", "audit", str(data), "--model", "hashing",
           "--json", str(out_json), "-q", *extra]
    out_json.unlink(missing_ok=True)
    helper = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            check=False)
    res = json.loads(helper.stdout)
    res = {"command": " ".join(["python", *cmd[1:]]), "rc": res["rc"],
           "wall_s": round(res["wall_s"], 1), "peak_rss_mb": round(res["peak_rss_mb"]),
           **({"stderr": res["stderr"]} if res["rc"] else {})}
    if out_json.exists():
        doc = json.loads(out_json.read_text())
        res["verdict"] = doc["verdict"]["status"]
        sd = doc.get("site_duplicates")
        if sd is not None:
            res["site_duplicates"] = {k: sd[k] for k in ("documents", "in_families", "share",
                                                         "families")}
            res["largest_sizes"] = [f["size"] for f in sd["largest"]]
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--share", type=float, default=0.02)
    ap.add_argument("--mode", nargs="+", default=["function", "audit"],
                    choices=["function", "audit"])
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    labels = plant(args.rows, args.share)
    if "function" in args.mode:
        print(json.dumps(run_function(args.rows, labels), indent=1), flush=True)
    if "audit" in args.mode:
        with work_dir(args.keep, "samey-bench-dedup-") as base:
            data = base / "csv"
            data.mkdir(parents=True, exist_ok=True)
            if not (data / "products.csv").exists():
                t = time.perf_counter()
                write_csv(data / "products.csv", args.rows, labels)
                print(json.dumps({"generate_s": round(time.perf_counter() - t, 1)}), flush=True)
            for extra in (["--no-site-duplicates"], []):
                res = run_audit(data, base / "audit.json", *extra)
                print(json.dumps(res, indent=1), flush=True)


if __name__ == "__main__":
    main()
