"""A short Markdown summary of a monthly report, fit for an email or a chat message (no links,
no images). Reads results; computes nothing. Text from the corpus (titles, phrases, openings)
has its HTML escaped (``&lt;script&gt;``), since Markdown renderers pass raw HTML through."""
from __future__ import annotations

from typing import Any

from auditor.progress import plural
from auditor.render.provenance_view import markdown_lines
from auditor.render.safe import html_text
from auditor.render.site_view import family_line, summary_line
from auditor.results import ReportResult

TOP = 3
MAX_CHARS = 4000  # Slack's recommended message length; Teams and email take more


def _one_line(text: Any) -> str:
    return html_text(" ".join(str(text).split()).replace("|", "/"))


def render_markdown(report: ReportResult) -> str:
    """The month's headline, who made it samey and the posts to revise first, every reason
    the HTML shows for it, the top evidence and the baseline, in at most ``MAX_CHARS``
    characters (a chat message)."""
    verdict, month, period = report.audit.verdict, report.month, report.period
    ev = report.evidence
    n_hist = len(report.history)
    lines = [f"**samey report {month}: {report.month_status.upper()}** "
             f"({period.n_docs} posts; overall {verdict.status} over "
             f"{n_hist} stored month{'s' if n_hist != 1 else ''})", ""]
    if verdict.summary:
        lines += [_one_line(verdict.summary), ""]
    acts = report.audit.actions if report.audit.actions is not None \
        and report.audit.actions.period == report.period.label else None
    who = markdown_lines(report.audit.provenance, acts, top=TOP)  # who, and what to revise
    lines += who + ([""] if who else [])
    reasons = list(dict.fromkeys(period.reasons)) or [
        "Nothing moved beyond normal variation this month."]
    lines += [f"- {_one_line(r)}" for r in reasons]
    trend = [a for a in report.alerts if a.month == month and a.kind == "trend"]
    lines += [f"- Trend: {_one_line(a.message)}" for a in trend[:TOP]]

    evidence = []
    if ev is not None:
        for o in ev.openings[:1]:
            evidence.append(f"- Openings: {o.docs} of {o.of} posts open with "
                            f"\"{_one_line(o.text)}\"")
        amp = ev.amplified_phrases[:TOP]
        if amp:
            evidence.append("- Phrases far more common than before: " + ", ".join(
                f"\"{_one_line(a.text or a.phrase)}\" ({a.period_share:.0%} of posts vs "
                f"{a.baseline_share:.0%})" for a in amp))
        fams = ev.duplicate_families
        if fams:
            d = fams[0].documents[0]
            evidence.append(f"- Near-copies: {plural(len(fams), 'family', 'families')}, the "
                            f"largest {fams[0].size} "
                            f"posts (e.g. {_one_line(d.title or d.path)})")
        gone = ev.vanished_topics
        if gone:
            evidence.append("- Topics no longer covered: " + "; ".join(
                _one_line(t.titles[0] if t.titles else ", ".join(t.keywords[:3]))
                for t in gone[:TOP]))
        if ev.context and evidence:
            evidence.insert(0, f"- Context ({ev.context}):")
    context = ev.context if ev is not None else None
    ref_lines = reference_lines(report)
    sd = report.audit.site_duplicates
    site = [] if sd is None else [f"- Across the site: {_one_line(summary_line(sd))}" + (
        f" Largest: {_one_line(family_line(sd.largest[0]))}." if sd.largest else "")]

    def text() -> str:
        return "\n".join(lines + evidence + site + [""] + ref_lines + [""])

    # Too long for a chat message: drop the site-wide line and evidence first, then reference
    # lines, then shorten the reasons (the HTML has everything).
    # not a threshold: a chat message length
    if len(text()) > MAX_CHARS:
        site = []
    # not a threshold: a chat message length
    while len(text()) > MAX_CHARS and evidence:
        evidence.pop()
        if evidence == [f"- Context ({context}):"]:
            evidence.clear()
    # not a threshold: a chat message length
    while len(text()) > MAX_CHARS and len(ref_lines) > 1:
        ref_lines.pop()
    more = "- ... more reasons in the HTML and JSON reports."
    # not a threshold: a chat message length
    if len(text()) > MAX_CHARS:
        lines.append(more)
        # not a threshold: a chat message length
        while len(text()) > MAX_CHARS and len(lines) > 5:
            lines.pop(-2)
    out = text()
    # not a threshold: a chat message length
    return out if len(out) <= MAX_CHARS else out[:MAX_CHARS - 2].rsplit("\n", 1)[0] + "\n"


def reference_lines(report: ReportResult) -> list[str]:
    """The report's baseline, its warnings, change points and backfilled months (report only)."""
    ref = report.reference
    lines = []
    if ref is not None:
        if ref.text:
            lines.append(f"- Baseline: {_one_line(ref.text)}")
        lines += [f"- Note: {_one_line(w)}" for w in ref.warnings]
        if ref.change_point_lines:
            lines.append("- Shifts: " + " ".join(map(_one_line, ref.change_point_lines[:TOP + 2])))
    back = report.backfilled
    if back:
        lines.append(f"- History: {len(back)} earlier month{'s' if len(back) != 1 else ''} "
                     "backfilled this run "
                     f"({back[0]} .. {back[-1]}).")
    return lines


def write_markdown(path: Any, report: ReportResult) -> None:
    """The summary to ``path`` (atomically; ``-``: standard output)."""
    from auditor.render.jsonout import write_atomic

    write_atomic(path, render_markdown(report))
