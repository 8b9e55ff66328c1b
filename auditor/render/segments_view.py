"""Render the segments layer (the dict ``segments_layer.analyse_segments`` returns): a rich
terminal section and an HTML fragment. Reads results, computes nothing."""
from __future__ import annotations

import math
from html import escape
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

__all__ = ["render_segments", "segments_html"]

STYLE = {"ok": "green", "watch": "yellow", "samey": "bold red"}


def _num(x: Any, fmt: str = ".2f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    return format(x, fmt)


def _rows(seg: dict[str, Any]) -> list[dict[str, Any]]:
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


def render_segments(seg: dict[str, Any], console: Console | None = None) -> None:
    """Print the segments section of an audit (nothing when no segment field was given)."""
    if not seg:
        return
    c = console or Console()
    field = seg.get("field") or "segment"
    base = seg.get("baseline", {})
    head = (f"{len(seg.get('labels', []))} segments by '{field}'; "
            f"{seg.get('unlabelled', 0)} unlabelled, "
            f"{seg.get('multi_labelled', 0)} with several labels. Baseline: balanced "
            f"nearest-segment accuracy {_num(base.get('ncm_balanced_accuracy'), '.0%')} "
            f"(chance {_num(base.get('chance_accuracy'), '.0%')}), NC1 {_num(base.get('nc1'))}, "
            f"mean cosine of centred segment means {_num(base.get('mean_centred_cosine'))} "
            f"(simplex {_num(base.get('simplex_cosine'))}).")
    t = Table(title="Segments vs baseline", show_lines=False)
    for col, kw in (("period", {}), ("status", {}), ("segments", {"justify": "right"}),
                    ("balanced accuracy", {}), ("most confusable pair", {"overflow": "fold"}),
                    ("CDNV vs baseline", {}), ("too small", {"justify": "right"})):
        t.add_column(col, **kw)
    for r in _rows(seg):
        t.add_row(r["period"], Text(r["status"], style=STYLE.get(r["status"], "")),
                  str(r["segments"]), r["accuracy"], Text(r["pair"]), r["ratio"], str(r["small"]))
    body = Text()
    for f in seg.get("findings", []):
        body.append(f"- {f}\n")
    c.print(Panel(Text(head), title=f"segments: {field}"))
    if seg.get("status"):
        c.print(t)
    if body:
        c.print(Panel(body, title="segment findings"))


def segments_html(seg: dict[str, Any]) -> str:
    """An HTML fragment (a ``<section>``) for the HTML report; corpus strings are escaped."""
    if not seg:
        return ""
    e = escape
    field = seg.get("field") or "segment"
    base = seg.get("baseline", {})
    parts = [f'<section class="segments"><h2>Segments by &lsquo;{e(str(field))}&rsquo;</h2>',
             f"<p>{len(seg.get('labels', []))} segments; {int(seg.get('unlabelled', 0))} "
             f"unlabelled, {int(seg.get('multi_labelled', 0))} with several labels. Baseline: "
             f"balanced nearest-segment accuracy {e(_num(base.get('ncm_balanced_accuracy'), '.0%'))}"
             f" (chance {e(_num(base.get('chance_accuracy'), '.0%'))}), NC1 "
             f"{e(_num(base.get('nc1')))}, mean centred-mean cosine "
             f"{e(_num(base.get('mean_centred_cosine')))} (simplex "
             f"{e(_num(base.get('simplex_cosine')))}).</p>"]
    rows = _rows(seg)
    if rows:
        parts.append("<table><thead><tr><th>period</th><th>status</th><th>segments</th>"
                     "<th>balanced accuracy</th><th>most confusable pair</th>"
                     "<th>CDNV vs baseline</th><th>too small</th></tr></thead><tbody>")
        for r in rows:
            parts.append(
                f'<tr><td>{e(r["period"])}</td><td class="status-{e(r["status"])}">'
                f'{e(r["status"])}</td><td>{r["segments"]}</td><td>{e(r["accuracy"])}</td>'
                f'<td>{e(r["pair"])}</td><td>{e(r["ratio"])}</td><td>{r["small"]}</td></tr>')
        parts.append("</tbody></table>")
    findings = seg.get("findings", [])
    if findings:
        parts.append("<ul class=\"findings\">")
        parts.extend(f"<li>{e(f)}</li>" for f in findings)
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)
