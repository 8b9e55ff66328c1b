"""A short Markdown summary of a monthly report, fit for an email or a chat message (no links,
no images). Reads results; computes nothing."""
from __future__ import annotations

from typing import Any

TOP = 3


def _one_line(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def render_markdown(report: dict[str, Any]) -> str:
    rep, verdict = report["report"], report["verdict"]
    month = rep["month"]
    period = next((p for p in report.get("periods", []) if p["label"] == rep["period_label"]), {})
    ev = (report.get("evidence") or {}).get(rep["period_label"]) or {}
    lines = [f"**samey report {month}: {rep['month_status'].upper()}** "
             f"({period.get('n_docs', '?')} documents; overall verdict {verdict['status']} over "
             f"{len(rep.get('history', []))} stored months)", ""]
    lines += _reference_lines(rep)
    reasons = (period.get("reasons") or [])[:TOP] or \
        ["No layer moved beyond normal variation this month."]
    lines += [f"- {_one_line(r)}" for r in reasons]
    trend = [a for a in rep.get("alerts", []) if a["month"] == month and a["kind"] == "trend"]
    lines += [f"- Trend: {_one_line(a['message'])}" for a in trend[:TOP]]
    amp = (ev.get("amplified_phrases") or [])[:TOP]
    if amp:
        lines.append("- Amplified phrases: " + ", ".join(
            f"\"{_one_line(a['phrase'])}\" ({a['period_share']:.0%} of posts vs "
            f"{a['baseline_share']:.0%})" for a in amp))
    fams = ev.get("duplicate_families") or []
    if fams:
        d = fams[0]["documents"][0]
        lines.append(f"- Near-duplicates: {len(fams)} families, the largest {fams[0]['size']} "
                     f"posts (e.g. {_one_line(d.get('title') or d.get('path'))})")
    gone = ev.get("vanished_topics") or []
    if gone:
        lines.append("- Vanished topics: " + "; ".join(
            ", ".join(map(_one_line, t["keywords"][:4])) for t in gone[:TOP]))
    lines.append("")
    return "\n".join(lines)


def _reference_lines(rep: dict[str, Any]) -> list[str]:
    """The report's baseline, its warnings, change points and backfilled months (report only)."""
    ref = rep.get("reference") or {}
    lines = []
    if ref.get("text"):
        lines.append(f"- Baseline: {_one_line(ref['text'])}")
    lines += [f"- Note: {_one_line(w)}" for w in ref.get("warnings") or []]
    shifts = ref.get("change_point_lines") or []
    if shifts:
        lines.append("- Shifts: " + " ".join(map(_one_line, shifts[:TOP + 2])))
    back = rep.get("backfilled") or []
    if back:
        lines.append(f"- History: {len(back)} earlier month(s) backfilled this run "
                     f"({back[0]} .. {back[-1]}).")
    return lines


def write_markdown(path: Any, report: dict[str, Any]) -> None:
    """The summary to ``path`` (atomically; ``-``: standard output)."""
    from .jsonout import write_atomic

    write_atomic(path, render_markdown(report))
