"""Render the segments layer (the nested dict ``auditor.app.segments.analyse_segments``
returns; it stays a dict in the typed results, its shape follows the segment field): a rich
terminal section, and the rows and summary the HTML template shows. Reads results, computes
nothing."""
from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from auditor.render.styles import STATUS_STYLE

__all__ = ["render_segments", "segment_head", "segment_rows"]


def _num(x: Any, fmt: str = ".2f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    return format(x, fmt)


def segment_rows(seg: dict[str, Any]) -> list[dict[str, Any]]:
    """One summary row per compared period."""
    out = []
    for label, status in seg.get("status", {}).items():
        c = seg.get("periods", {}).get(label, {}).get("comparison", {})
        top = (c.get("pairs") or [None])[0]
        out.append({
            "period": label, "status": status, "segments": len(c.get("segments", [])),
            "accuracy": f"{_num(c.get('baseline_balanced_accuracy'), '.0%')} -> "
                        f"{_num(c.get('balanced_accuracy'), '.0%')}",
            "pair": f"{top['a']} / {top['b']}" if top else "-",
            "ratio": (("indistinguishable" if _num(top["ratio"]) == "inf" else
                       f"{_num(top['ratio'])}x") + f" [{_num(top['low'])}, {_num(top['high'])}]"
                      if top else "-"),
            "small": len(seg.get("too_small", {}).get(label, [])),
        })
    return out


def segment_head(seg: dict[str, Any]) -> str:
    """Labelled and unlabelled posts and the baseline's segment figures, in one sentence."""
    base = seg.get("baseline", {})
    return (f"{seg.get('unlabelled', 0)} unlabelled, "
            f"{seg.get('multi_labelled', 0)} with several labels. Baseline: balanced "
            f"nearest-segment accuracy {_num(base.get('ncm_balanced_accuracy'), '.0%')} "
            f"(chance {_num(base.get('chance_accuracy'), '.0%')}), NC1 {_num(base.get('nc1'))}, "
            f"mean cosine of centred segment means {_num(base.get('mean_centred_cosine'))} "
            f"(simplex {_num(base.get('simplex_cosine'))}).")


def render_segments(seg: dict[str, Any], console: Console | None = None) -> None:
    """Print the segments section of an audit (nothing when no segment field was given)."""
    if not seg:
        return
    c = console or Console()
    field = seg.get("field") or "segment"
    head = f"{len(seg.get('labels', []))} segments by '{field}'; " + segment_head(seg)
    t = Table(title="Segments vs baseline", show_lines=False)
    columns: tuple[tuple[str, dict[str, Any]], ...] = (
        ("period", {}), ("status", {}), ("segments", {"justify": "right"}),
        ("balanced accuracy", {}), ("most confusable pair", {"overflow": "fold"}),
        ("CDNV vs baseline", {}), ("too small", {"justify": "right"}))
    for col, kw in columns:
        t.add_column(col, **kw)
    for r in segment_rows(seg):
        t.add_row(Text(r["period"]), Text(r["status"], style=STATUS_STYLE.get(r["status"], "")),
                  str(r["segments"]), Text(r["accuracy"]), Text(r["pair"]), Text(r["ratio"]),
                  str(r["small"]))
    body = Text()
    for f in seg.get("findings", []):
        body.append(f"- {f}\n")
    c.print(Panel(Text(head), title=Text(f"segments: {field}")))
    if seg.get("status"):
        c.print(t)
    if body:
        c.print(Panel(body, title="segment findings"))
