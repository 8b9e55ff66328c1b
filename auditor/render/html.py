"""The monthly report as one self-contained HTML file: inline CSS, inline SVG charts, no script,
no network. The page is the Jinja2 template ``templates/report.html.j2``, rendered with
autoescape on and ``StrictUndefined``: every string that may come from the corpus (paths, titles,
phrases, keywords, segment names, reasons) is escaped; only the SVG charts drawn by
:mod:`auditor.render.charts` are marked safe. Reads a typed
:class:`~auditor.results.ReportResult`; computes nothing.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from auditor.judge.thresholds import ACTIONS_TOP
from auditor.metrics.registry import LAYER_SHORT, LAYERS
from auditor.render.charts import layer_chart_svg
from auditor.render.provenance_view import history_contributions, layers_text, no_actions, pct
from auditor.render.segments_view import segment_head, segment_rows
from auditor.render.site_view import summary_line
from auditor.results import ReportResult

COLOURS = {"ok": "#1e8449", "watch": "#b9770e", "samey": "#c0392b", "baseline": "#2874a6",
           "before": "#7f8c8d"}
MAX_ALERTS = 12
MAX_ACTIONS = 8
TEMPLATE = "report.html.j2"

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
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e5e8e8;vertical-align:top;
 overflow-wrap:break-word}
th{background:#f8f9f9;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td ul{margin:0;padding-left:16px}
.pill{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px}
.chart{overflow-x:auto}
.chart svg{width:100%;height:auto}
.muted{color:#7f8c8d;font-size:13px}
.path{font-size:12px;overflow-wrap:anywhere}
.lead{font-size:17px;margin:10px 0 0}
.card .lead{margin:0 0 10px}
.pair{display:flex;gap:14px;flex-wrap:wrap}
.excerpt{flex:1 1 300px;min-width:0;background:#f8f9f9;border-radius:8px;padding:10px 14px}
blockquote{margin:6px 0 0;font-style:italic}
code{background:#f2f3f4;padding:0 4px;border-radius:3px;overflow-wrap:break-word}
ul{margin:4px 0;padding-left:20px}
details>summary{cursor:pointer;list-style-position:outside}
details>summary h2{display:inline;margin:0}
details[open]>summary{margin-bottom:8px}
@media (max-width:640px){
 main{padding:10px}
 .banner{padding:14px 16px}
 .banner h1{font-size:24px}
 .card{padding:12px 14px}
 table.stack thead{display:none}
 table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:auto}
 table.stack tr{border-bottom:1px solid #d5d8dc;padding:6px 0}
 table.stack td{border:0;padding:2px 0;text-align:left}
 table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600;
  color:#566573}
 table.flow td+td{display:inline-block;margin-right:14px}
}
"""


def _pct(x: Any) -> str:
    return pct(None if x is None else float(x))


def _num(x: Any) -> str:
    return "-" if x is None else f"{float(x):.3g}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment of the HTML outputs: packaged templates, autoescape on,
    undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False,
        keep_trailing_newline=False)
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    return env


def render_html(report: ReportResult, *, json_name: str | None = None) -> str:
    """The whole page. ``json_name``: the JSON file written beside it, if any (the page refers
    to it only then)."""
    history = report.history
    charts = ([(layer, Markup(layer_chart_svg(layer, history, report.limits[layer])))
               for layer in LAYERS if layer in report.limits] if len(history) >= 2 else [])
    history_rows = [{"month": r["month"], "n_docs": r.get("n_docs"), "status": r["status"],
                     "scores": [((r.get("layers") or {}).get(layer) or {}).get("score")
                                for layer in LAYERS]}
                    for r in reversed(history)]  # store records (JSON), see ReportResult
    segments = _segments(report.audit.segments)
    baseline = (report.reference.baseline if report.reference is not None
                and report.reference.baseline else report.audit.corpus.baseline)
    prov = report.audit.provenance
    months, rows = history_contributions(history[-12:])
    return environment().get_template(TEMPLATE).render(
        r=report, verdict=report.audit.verdict, ref=report.reference, ev=report.evidence,
        css=Markup(CSS), colours=COLOURS, max_alerts=MAX_ALERTS, json_name=json_name,
        prov=prov, month_prov=prov.period(report.period.label) if prov is not None else None,
        prov_months=months, prov_rows=rows, layer_text=layers_text,
        actions=report.audit.actions, max_actions=MAX_ACTIONS, actions_top=ACTIONS_TOP,
        no_actions=(no_actions(report.audit.actions) if report.audit.actions is not None
                    else "No judged month yet: nothing to revise first."),
        month_reasons=list(dict.fromkeys(report.period.reasons)),
        month_alerts=[a for a in report.alerts if a.month == report.month],
        charts=charts, history_rows=history_rows,
        layer_heads=[LAYER_SHORT.get(layer, layer) for layer in LAYERS],
        segments=segments, baseline=baseline, site=report.audit.site_duplicates,
        site_line=(summary_line(report.audit.site_duplicates)
                   if report.audit.site_duplicates is not None else ""))


def _segments(seg: dict[str, Any]) -> dict[str, Any] | None:
    """What the segments card shows (``None``: no segment field was given)."""
    if not seg:
        return None
    return {"field": seg.get("field") or "segment", "head": segment_head(seg),
            "labels": len(seg.get("labels", [])), "rows": segment_rows(seg),
            "findings": seg.get("findings", [])}


def render_segments_html(seg: dict[str, Any]) -> str:
    """The segments card alone (``""`` when there are no segments)."""
    segments = _segments(seg)
    if segments is None:
        return ""
    return environment().get_template("segments.html.j2").render(segments=segments,
                                                                 colours=COLOURS)


def write_html(path: Any, report: ReportResult, *, json_path: Any = None) -> None:
    """The page to ``path`` (atomically; ``-``: standard output). ``json_path``: the JSON file
    written in the same run, if any (``-`` or None: the page names no JSON file)."""
    from auditor.render.jsonout import is_stdout, write_atomic

    name = None if json_path is None or is_stdout(json_path) else Path(json_path).name
    write_atomic(path, render_html(report, json_name=name))
