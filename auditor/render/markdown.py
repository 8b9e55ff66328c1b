"""A short Markdown summary of a monthly report, fit for an email or a chat message (no links,
no images). Reads results; computes nothing."""
from __future__ import annotations

from typing import Any

from auditor.progress import plural

TOP = 3
MAX_CHARS = 4000  # Slack's recommended message length; Teams and email take more


def _one_line(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def render_markdown(report: dict[str, Any]) -> str:
    """The month's headline, every reason the HTML shows for it, the top evidence and the
    baseline, in at most ``MAX_CHARS`` characters (a chat message)."""
    rep, verdict = report["report"], report["verdict"]
    month = rep["month"]
    period = next((p for p in report.get("periods", []) if p["label"] == rep["period_label"]), {})
    ev = (report.get("evidence") or {}).get(rep["period_label"]) or {}
    n_hist = len(rep.get("history", []))
    lines = [f"**samey report {month}: {rep['month_status'].upper()}** "
             f"({period.get('n_docs', '?')} posts; overall {verdict['status']} over "
             f"{n_hist} stored month{'s' if n_hist != 1 else ''})", ""]
    summary = report.get("summary") or verdict.get("summary")
    if summary:
        lines += [_one_line(summary), ""]
    reasons = period.get("reasons") or ["Nothing moved beyond normal variation this month."]
    lines += [f"- {_one_line(r)}" for r in reasons]
    trend = [a for a in rep.get("alerts", []) if a["month"] == month and a["kind"] == "trend"]
    lines += [f"- Trend: {_one_line(a['message'])}" for a in trend[:TOP]]
    evidence = []
    opens = (ev.get("openings") or [])[:1]
    for o in opens:
        evidence.append(f"- Openings: {o['docs']} of {o.get('of', '?')} posts open with "
                        f"\"{_one_line(o['text'])}\"")
    amp = (ev.get("amplified_phrases") or [])[:TOP]
    if amp:
        evidence.append("- Phrases far more common than before: " + ", ".join(
            f"\"{_one_line(a.get('text') or a['phrase'])}\" ({a['period_share']:.0%} of posts vs "
            f"{a['baseline_share']:.0%})" for a in amp))
    fams = ev.get("duplicate_families") or []
    if fams:
        d = fams[0]["documents"][0]
        evidence.append(f"- Near-copies: {plural(len(fams), 'family', 'families')}, the largest "
                        f"{fams[0]['size']} "
                        f"posts (e.g. {_one_line(d.get('title') or d.get('path'))})")
    gone = ev.get("vanished_topics") or []
    if gone:
        evidence.append("- Topics no longer covered: " + "; ".join(
            _one_line(t["titles"][0] if t.get("titles") else ", ".join(t["keywords"][:3]))
            for t in gone[:TOP]))
    if ev.get("context") and evidence:
        evidence.insert(0, f"- Context ({ev['context']}):")
    ref_lines = _reference_lines(rep)

    def text() -> str:
        return "\n".join(lines + evidence + [""] + ref_lines + [""])

    # Too long for a chat message: drop evidence first, then reference lines, then shorten
    # the reasons (the HTML has everything).
    while len(text()) > MAX_CHARS and evidence:
        evidence.pop()
        if evidence == [f"- Context ({ev.get('context')}):"]:
            evidence.clear()
    while len(text()) > MAX_CHARS and len(ref_lines) > 1:
        ref_lines.pop()
    more = "- ... more reasons in the HTML and JSON reports."
    if len(text()) > MAX_CHARS:
        lines.append(more)
        while len(text()) > MAX_CHARS and len(lines) > 5:
            lines.pop(-2)
    out = text()
    return out if len(out) <= MAX_CHARS else out[:MAX_CHARS - 2].rsplit("\n", 1)[0] + "\n"


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
        lines.append(f"- History: {len(back)} earlier month{'s' if len(back) != 1 else ''} "
                     "backfilled this run "
                     f"({back[0]} .. {back[-1]}).")
    return lines


def write_markdown(path: Any, report: dict[str, Any]) -> None:
    """The summary to ``path`` (atomically; ``-``: standard output)."""
    from auditor.render.jsonout import write_atomic

    write_atomic(path, render_markdown(report))
