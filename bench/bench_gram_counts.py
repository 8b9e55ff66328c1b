"""The check index's gram frequencies at scale: time and peak memory of
``index.corpus.gram_frequencies`` and ``phrase_scores`` on a built index's stored grams.

    python bench/bench_gram_counts.py GENERATION_FOLDER [--shared N]

``GENERATION_FOLDER``: an index generation (``<cache>/index/<key>/<generation>/``, holding
``grams.npy`` and ``grams_off.npy``), e.g. the one ``bench_check_scale.py --docs 1000000``
builds. Each way runs in a fresh subprocess (peak RSS of that process, the grams memory-mapped):

* ``one pass``: every distinct gram counted at once (``at_least=1``, one pass: the memory of
  counting the corpus's distinct grams);
* ``passes``: the index's way (``at_least=MIN_SHARED_DOCS``, passes of ``GRAMS_PER_PASS``
  values over hash classes).

Both give the stored grams (those of at least ``MIN_SHARED_DOCS`` documents) and the phrase
scores; the bench checks they are equal (digests).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import hashlib, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from auditor.index import corpus
from auditor.judge.thresholds import MIN_SHARED_DOCS
folder, way, shared = sys.argv[2], sys.argv[3], int(sys.argv[4])
g = np.load(f"{folder}/grams.npy", mmap_mode="r")
off = np.load(f"{folder}/grams_off.npy", mmap_mode="r")
if not shared:  # the check's own: 1% of the documents, at least MIN_SHARED_DOCS
    from auditor.judge.draft import min_shared_docs
    shared = min_shared_docs(None, len(off) - 1)
t = time.perf_counter()
if way == "one pass":
    keys, counts = corpus.gram_frequencies(g, off, at_least=1, per_pass=int(off[-1]) + 1)
else:
    keys, counts = corpus.gram_frequencies(g, off, at_least=MIN_SHARED_DOCS)
t_freq = time.perf_counter() - t
scores = corpus.phrase_scores(g, off, keys, counts, shared=shared)
kept_k, kept_c = corpus.stored_grams(keys, counts)
h = hashlib.sha256()
for a in (kept_k, kept_c, scores):
    h.update(np.ascontiguousarray(a).tobytes())
print(json.dumps({"way": way, "documents": len(off) - 1, "grams": int(off[-1]),
                  "distinct_counted": len(keys), "stored": len(kept_k),
                  "frequencies_s": round(t_freq, 1),
                  "with_scores_s": round(time.perf_counter() - t, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "digest": h.hexdigest()[:16]}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--shared", type=int, default=0,
                    help="phrase_scores' 'shared by many' count (default: the check's own for "
                         "the index's size)")
    ap.add_argument("--ways", nargs="+", default=["passes", "one pass"])
    a = ap.parse_args()
    rows = []
    for way in a.ways:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(a.folder), way,
                              str(a.shared)], capture_output=True, text=True, check=False)
        if out.returncode:
            rows.append({"way": way, "rc": out.returncode, "stderr": out.stderr[-500:]})
        else:
            rows.append(json.loads(out.stdout))
        print(json.dumps(rows[-1]), flush=True)
    done = [r for r in rows if "digest" in r]
    if len(done) > 1:
        print(json.dumps({"same_result": len({r["digest"] for r in done}) == 1}))


if __name__ == "__main__":
    main()
