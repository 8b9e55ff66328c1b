"""The monthly report as one self-contained HTML file: inline CSS, inline SVG charts, no script,
no network. Every string that may come from the corpus (paths, titles, phrases, keywords,
segment names, reasons) goes through ``e()`` (``html.escape``). Reads results; computes nothing.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from auditor.metrics.registry import LAYER_SHORT, LAYERS
from auditor.render.charts import layer_chart_svg

COLOURS = {"ok": "#1e8449", "watch": "#b9770e", "samey": "#c0392b", "baseline": "#2874a6",
           "before": "#7f8c8d"}
MAX_ALERTS = 12

CSS = """
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;
 color:#1c2833;background:#f4f6f7;margin:0}
main{max-width:1120px;margin:0 auto;padding:24px}
.banner{color:#fff;border-radius:10px;padding:20px 26px;margin-bottom:18px}
.banner h1{margin:0;font-size:30px;letter-spacing:.5px}
.banner p{margin:4px 0 0;opacity:.95}
.card{background:#fff;border-radius:10px;padding:16px 22px;margin-bottom:18px;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:19px;margin:4px 0 12px}
h3{font-size:16px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e5e8e8;vertical-align:top}
th{background:#f8f9f9;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.pill{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px}
.chart{overflow-x:auto}
.chart svg{max-width:100%;min-width:640px;height:auto}
.card{overflow-x:auto}
td:first-child{white-space:nowrap}
.muted{color:#7f8c8d;font-size:13px}
.lead{font-size:17px;margin:10px 0 0}
.pair{display:flex;gap:14px;flex-wrap:wrap}
.excerpt{flex:1 1 300px;background:#f8f9f9;border-radius:8px;padding:10px 14px}
blockquote{margin:6px 0 0;font-style:italic}
code{background:#f2f3f4;padding:0 4px;border-radius:3px}
ul{margin:4px 0;padding-left:20px}
"""


def e(x: Any) -> str:
    """Escape any value for HTML text or attribute context."""
    return html.escape("" if x is None else str(x), quote=True)


def _pct(x: Any) -> str:
    return "-" if x is None else f"{float(x):.0%}"


def _num(x: Any) -> str:
    return "-" if x is None else f"{float(x):.3g}"


def _pill(status: str) -> str:
    return f'<span class="pill" style="background:{COLOURS.get(status, "#7f8c8d")}">{e(status)}</span>'


def _doc(d: dict | None) -> str:
    if not d:
        return ""
    title = d.get("title")
    return (f"<strong>{e(title)}</strong> <span class=muted>{e(d.get('path'))}</span>" if title
            else f"<span class=muted>{e(d.get('path'))}</span>")


def _table(headers: list[str], rows: list[list[str]], empty: str = "None.") -> str:
    """``rows`` cells must already be escaped HTML."""
    if not rows:
        return f"<p class=muted>{e(empty)}</p>"
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    head = f"<thead><tr>{head}</tr></thead>" if any(headers) else ""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table>{head}<tbody>{body}</tbody></table>"


def _side_by_side(sbs: dict[str, Any] | None) -> str:
    if not sbs:
        return ""
    cell = ("<div class=excerpt><div class=muted>{when}</div>{doc}<blockquote>{text}</blockquote>"
            "</div>")
    return ("<h3>A typical post this month next to the closest baseline post in meaning</h3>"
            "<div class=pair>"
            + cell.format(when="baseline", doc=_doc(sbs.get("baseline")),
                          text=e((sbs.get("baseline") or {}).get("excerpt")))
            + cell.format(when="this month", doc=_doc(sbs.get("recent")),
                          text=e((sbs.get("recent") or {}).get("excerpt")))
            + "</div>")


def _evidence(ev: dict[str, Any]) -> str:
    out = []
    if ev.get("context"):
        out.append(f"<p class=muted>This month is {e(ev['context'])}: the figures below are "
                   "context, not findings.</p>")
    out.append(_side_by_side(ev.get("side_by_side")))
    amp = ev.get("amplified_phrases") or []
    out.append("<h3>Phrases far more common than in the baseline</h3>" + _table(
        ["phrase", "posts this month", "posts in baseline", "example"],
        [[f"<code>{e(a.get('text') or a.get('phrase'))}</code>", _pct(a.get("period_share")),
          _pct(a.get("baseline_share")), _doc(a.get("example"))] for a in amp]))
    reposts = ev.get("reposts") or []
    if reposts:
        out.append("<h3>Reposts</h3>" + _table(
            ["repost", "repeats", "days later"],
            [[_doc(r.get("repost")), _doc(r.get("original")), e(r.get("days_later"))]
             for r in reposts]))
    fams = ev.get("duplicate_families") or []
    out.append("<h3>Near-copies</h3>" + _table(
        ["posts", "documents"],
        [[e(f.get("size")), "<br>".join(_doc(d) for d in f.get("documents", []))]
         for f in fams], empty="No near-duplicate families this month."))
    gone = ev.get("vanished_topics") or []
    out.append("<h3>Topics no longer covered</h3>" + _table(
        ["topic", "baseline share", "this month", "baseline examples"],
        [[(f"<strong>{e(t['titles'][0])}</strong><br>" if t.get("titles") else "")
          + f"<span class=muted>{e(', '.join(map(str, t.get('keywords', [])[:6])))}</span>",
          _pct(t.get("baseline_share")),
          _pct(t.get("period_share")), "<br>".join(_doc(d) for d in t.get("examples", []))]
         for t in gone], empty="No baseline topic has vanished."))
    rows = []
    for key, what in (("openings", "opening"), ("closings", "closing")):
        for o in ev.get(key) or []:
            rows.append([e(what), f"<code>{e(o.get('text'))}</code>",
                         e(f"{o.get('docs')} of {o.get('of')}" if o.get("of") else o.get("docs")),
                         "<br>".join(_doc(d) for d in o.get("examples", []))])
    out.append("<h3>Repeated openings and closings</h3>" + _table(
        ["where", "text", "posts", "examples"], rows, empty="No repeated openings or closings."))
    tpl = ev.get("templates") or []
    out.append("<h3>Recurring sentence templates</h3>" + _table(
        ["template", "posts this month", "posts in baseline"],
        [[f"<code>{e(t.get('template'))}</code>", _pct(t.get("share")),
          _pct(t.get("baseline_share"))] for t in tpl]))
    drift = ev.get("drift")
    if drift:
        out.append("<h3>What the month talks about more / less than the baseline</h3>"
                   f"<p>More: {e(', '.join(map(str, drift.get('period_words', []))))}<br>"
                   f"Less: {e(', '.join(map(str, drift.get('baseline_words', []))))}</p>")
    return "".join(out)


def _generic(value: Any, depth: int = 0) -> str:
    """A key/value rendering of any JSON-like value (for sections such as ``segments``)."""
    if isinstance(value, dict):
        if not value:
            return "<p class=muted>None.</p>"
        rows = [[f"<strong>{e(k)}</strong>", _generic(v, depth + 1)] for k, v in value.items()]
        return _table(["", ""], rows) if depth < 3 else e(value)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value) and depth < 3:
            keys = list(dict.fromkeys(k for v in value for k in v))
            return _table(keys, [[_generic(v.get(k), depth + 1) for k in keys] for v in value])
        return e(", ".join(_scalar(v) for v in value))
    return e(_scalar(value))


def _scalar(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return "" if v is None else str(v)


def _reference_card(rep: dict[str, Any]) -> str:
    """The baseline the report compares with: how it was chosen, its warnings, change points,
    power, and the months this run backfilled (report only)."""
    ref = rep.get("reference") or {}
    out = [f'<div class="card" id="reference"><h2>Details: the baseline, shifts and what samey '
           f'could see</h2><p>Baseline: {e(ref.get("text"))}</p>']
    warnings = ref.get("warnings") or []
    if warnings:
        out.append("<h3>Warnings</h3><ul>" + "".join(f"<li>{e(w)}</li>" for w in warnings)
                   + "</ul>")
    shifts = ref.get("change_point_lines") or []
    if shifts:
        out.append("<h3>Change points</h3><ul>" + "".join(f"<li>{e(c)}</li>" for c in shifts)
                   + "</ul>")
    power = ref.get("power_lines") or []
    if power:
        out.append("<h3>Smallest change the data can detect</h3><ul>"
                   + "".join(f"<li>{e(x)}</li>" for x in power) + "</ul>")
    back = rep.get("backfilled") or []
    if back:
        out.append(f"<p class=muted>This run backfilled {e(len(back))} earlier "
                   f"month{'s' if len(back) != 1 else ''} into "
                   f"the history ({e(back[0])} .. {e(back[-1])}).</p>")
    out.append("</div>")
    return "".join(out)


def render_html(report: dict[str, Any], *, json_name: str | None = None) -> str:
    """The whole page from ``ReportResult.to_dict()``. ``json_name``: the JSON file written
    beside it, if any (the page refers to it only then)."""
    rep, verdict, corpus = report["report"], report["verdict"], report.get("corpus", {})
    cfg = report.get("config", {})
    month, mstatus = rep["month"], rep["month_status"]
    history = rep.get("history", [])
    row = next((r for r in history if r["month"] == month), {})
    period = next((p for p in report.get("periods", []) if p["label"] == rep["period_label"]), {})
    colour = COLOURS.get(mstatus, "#7f8c8d")
    parts = [f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>samey report {e(month)}: {e(mstatus)}</title><style>{CSS}</style></head><body><main>
<div class="banner" style="background:{colour}">
<h1>{e(month)}: {e(mstatus.upper())}</h1>
<p class="lead">{e(report.get("summary") or verdict.get("summary") or "")}</p>
<p>{e(rep['settings'].get('corpus'))}: {e(period.get('n_docs'))} posts this month &middot;
overall verdict over {e(len(history))} stored month{"s" if len(history) != 1 else ""}:
<strong>{e(verdict['status'])}</strong>
&middot; baseline {e(', '.join(rep.get('reference', {}).get('baseline')
                           or corpus.get('baseline', [])))}</p></div>"""]

    month_alerts = [a for a in rep.get("alerts", []) if a["month"] == month]
    reasons = period.get("reasons") or []
    body = "".join(f"<li>{e(r)}</li>" for r in reasons) or \
        "<li>Nothing moved beyond normal variation this month.</li>"
    parts.append(f'<div class="card"><h2>Why: what changed this month</h2><ul>{body}</ul>')
    if month_alerts:
        items = "".join(f"<li><strong>{e(a['kind'])}</strong> {e(a['message'])}</li>"
                        for a in month_alerts[:MAX_ALERTS])
        more = len(month_alerts) - MAX_ALERTS
        where = (f"in {e(json_name)}" if json_name else
                 "not shown: <code>samey report --json FILE</code> lists them all")
        parts.append(f"<h3>Alerts</h3><ul>{items}</ul>"
                     + (f"<p class=muted>{more} more {where}.</p>" if more > 0 else ""))
    parts.append("</div>")

    parts.append('<div class="card"><h2>Trend by layer</h2><p class=muted>Each point is a stored '
                 "month (bar: 95% interval); grey: a baseline month; shaded: the control band from "
                 "the baseline; dashed: the baseline mean; red: the metric moved beyond normal "
                 "variation.</p>")
    limits = rep.get("limits", {})
    if len(history) < 2:
        parts.append(f"<p>{'Only 1 month is' if len(history) == 1 else 'No month is'} stored so "
                     "far: a trend needs at least "
                     "two, so no chart is drawn yet. The next report adds one.</p>")
    for layer in LAYERS if len(history) >= 2 else ():
        if layer in limits:
            parts.append(f'<div class="chart" id="chart-{e(layer)}">'
                         f"{layer_chart_svg(layer, history, limits[layer])}</div>")
    parts.append("</div>")

    hist_rows = []
    for r in reversed(history):
        scores = r.get("layers") or {}
        hist_rows.append([e(r["month"]), f"<span class=num>{e(r.get('n_docs'))}</span>",
                          _pill(r.get("status", "")),
                          *[_num((scores.get(layer) or {}).get("score")) for layer in LAYERS]])
    parts.append('<div class="card"><h2>History</h2>' + _table(
        ["month", "posts", "status", *[LAYER_SHORT.get(layer, layer) for layer in LAYERS]],
        hist_rows) + "<p class=muted>Per aspect: how far the month's strongest figure was from "
        "the baseline, in standard deviations of normal variation (toward sameness is positive; "
        "3.5 or more can count as moved).</p></div>")

    ev = (report.get("evidence") or {}).get(rep["period_label"]) or row.get("evidence") or {}
    parts.append(f'<div class="card"><h2>Evidence for {e(month)}</h2>{_evidence(ev)}</div>')

    segments = report.get("segments")
    if segments:
        parts.append(f'<div class="card"><h2>Segments</h2>{_generic(segments)}</div>')

    parts.append(_reference_card(rep))
    v_reasons = "".join(f"<li>{e(r)}</li>" for r in verdict.get("reasons", []))
    notes = "".join(f"<li class=muted>{e(n)}</li>" for n in verdict.get("notes", []))
    parts.append(f'<div class="card"><h2>Details: the verdict over every month {_pill(verdict["status"])}</h2>'
                 f"<ul>{v_reasons}{notes}</ul></div>")


    parts.append(f"""<p class=muted>samey {e(cfg.get('samey_version'))} &middot; model
{e(cfg.get('model_id'))} &middot; history {e(rep.get('history_path'))} (settings
{e(rep.get('settings_key'))}) &middot; {e(corpus.get('documents'))} documents analysed,
{e(corpus.get('skipped'))} skipped.</p></main></body></html>""")
    return "\n".join(parts)


def write_html(path: Any, report: dict[str, Any], *, json_path: Any = None) -> None:
    """The page to ``path`` (atomically; ``-``: standard output). ``json_path``: the JSON file
    written in the same run, if any (``-`` or None: the page names no JSON file)."""
    from auditor.render.jsonout import is_stdout, write_atomic

    name = None if json_path is None or is_stdout(json_path) else Path(json_path).name
    write_atomic(path, render_html(report, json_name=name))
