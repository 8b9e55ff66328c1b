"""Read a real WordPress export (WXR) as samey does and account for every item.

    python bench/probe_wxr.py themeunittestdata.wordpress.xml

The official WordPress test export is not part of this repository; get it from
github.com/WordPress/theme-test-data (``themeunittestdata.wordpress.xml``). Prints the items in
the file, the documents read (by format, with their date range), every skip reason with its
count and one example, and whether the items in equal the items out (exit code 1 if not, or if
the file is not read as a WordPress export).
"""
from __future__ import annotations

import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str]) -> int:
    from auditor.ingest import load_documents

    if len(argv) != 1:
        print(__doc__)
        return 2
    path = Path(argv[0])
    data = path.read_bytes()
    items = data.count(b"<item>") + data.count(b"<item ")
    got = load_documents(path)
    formats = collections.Counter(d.fmt for d in got.documents)
    dates = sorted(d.date for d in got.documents if d.date)
    print(f"{path.name}: {items} items; {len(got.documents)} documents read "
          f"({dict(formats)}; dates {dates[0] if dates else '-'} .. "
          f"{dates[-1] if dates else '-'}; undated {sum(d.date is None for d in got.documents)})")
    by_reason: dict[str, list] = collections.defaultdict(list)
    for s in got.skipped:
        by_reason[s.reason].append(s)
    for reason, lst in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(lst):4d} {reason}: e.g. {lst[0].path}: {lst[0].detail[:110]}")
    out = len(got.documents) + len(got.skipped)
    ok = out == items and set(formats) <= {"wxr"} and bool(formats)
    print(f"items in {items}, out {out}: {'ok' if ok else 'MISMATCH or not read as WXR'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
