"""Scheduled monthly reports: audit up to the end of a month, store that month's figures in the
history, and build the trend of every stored month of the same settings.

``report(path, options, period_end="2026-03")``:

1. The month: ``period_end`` (``YYYY-MM``), or by default the last month before the current one
   that has documents. Documents dated after its end are left out, so a month's figures do not
   change when later months arrive.
2. The audit runs by month (``period="month"``). The baseline is pinned by the first run of a
   settings key (the default rule on that run's months, or ``--baseline``), so every later month
   is compared with the same baseline.
3. The month's figures (metrics with intervals, comparisons with control limits, layer scores,
   status, reasons, top evidence) are written to the history in one transaction, replacing an
   earlier run of the same month.
4. The trend: every stored month of the same settings key, with alerts (a month beyond a control
   limit, a sustained trend, a month that is not ok).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .config import AuditOptions
from .errors import InputError, UsageError
from .history import HistoryStore, settings_key
from .metrics.registry import BY_NAME, LAYERS
from .types import SCHEMA_VERSION, AuditResult

HISTORY_DEFAULT = Path(".samey") / "history.sqlite"
EVIDENCE_KEEP = 5
Z_TREND = 1.6448536269514722
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class ReportResult:
    """A monthly report: the audit up to ``month``, the stored trend and the alerts."""

    month: str
    period: dict[str, Any]             # the month's entry of ``audit.periods``
    audit: AuditResult
    history: list[dict[str, Any]]      # stored months of this settings key, oldest first
    alerts: list[dict[str, Any]]
    settings_key: str
    settings: dict[str, Any]
    history_path: str
    limits: dict[str, Any] = field(default_factory=dict)  # per layer, per metric control limits

    @property
    def status(self) -> str:
        """The verdict as in audit (worst compared month up to this one)."""
        return self.audit.status

    @property
    def month_status(self) -> str:
        return self.period["status"]

    def to_dict(self) -> dict[str, Any]:
        """The audit's JSON plus a ``report`` section (what ``samey report --json`` writes)."""
        return {**self.audit.to_dict(), "schema_version": SCHEMA_VERSION, "report": {
            "month": self.month, "period_label": self.period["label"],
            "month_status": self.month_status, "status": self.status,
            "history_path": self.history_path, "settings_key": self.settings_key,
            "settings": self.settings, "alerts": self.alerts, "limits": self.limits,
            "history": [{k: v for k, v in row.items() if k != "evidence"}
                        for row in self.history],
        }}


# ------------------------------------------------------------------ months

def parse_month(text: str) -> tuple[int, int]:
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UsageError(f"--period-end must be a month YYYY-MM (e.g. 2026-03), not '{text}'.")
    return int(m.group(1)), int(m.group(2))


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def default_until(today: dt.date | None = None) -> dt.date:
    """The last day of the month before ``today``'s month (the latest complete month)."""
    today = today or dt.date.today()
    return today.replace(day=1) - dt.timedelta(days=1)


# ------------------------------------------------------------------ settings

def report_settings(options: AuditOptions, model_id: str, corpus: str) -> dict[str, Any]:
    """What changes the figures, hence the trend a month belongs to (hashed into the key).

    The corpus is named by its folder name (not its absolute path), so a checkout that moves
    (CI runners) keeps its trend.
    """
    d = options.to_dict()
    for k in ("progress", "cache_dir", "check", "model"):
        d.pop(k, None)
    return {"corpus": corpus, "model_id": model_id, **d,
            "samey_major": __version__.split(".")[0]}


def history_path_for(path: str | Path, history: str | Path | None) -> Path:
    """``history`` or ``<FOLDER>/.samey/history.sqlite`` (a file's folder for a single file)."""
    if history is not None:
        return Path(history)
    root = Path(path)
    return (root if root.is_dir() else root.parent) / HISTORY_DEFAULT


# ------------------------------------------------------------------ the audit up to a date



def _audit_until(path: str | Path, options: AuditOptions, embedder: Any,
                 until: dt.date) -> AuditResult:
    """The audit as of ``until``, with evidence for the baseline and the reported month only."""
    from . import pipeline

    return pipeline.audit(path, options, embedder=embedder, until=until, evidence="last")


# ------------------------------------------------------------------ report

def report(path: str | Path, options: AuditOptions | None = None, *,
           period_end: str | None = None, history: str | Path | None = None,
           embedder: Any = None, today: dt.date | None = None) -> ReportResult:
    """Audit ``path`` by month up to ``period_end``, store the month, return the trend.

    Raises ``UsageError`` (bad month or options), ``InputError`` (nothing dated in the month),
    ``HistoryError`` (the store cannot be opened or stays locked), ``ModelError``.
    """
    options = dataclasses.replace(options or AuditOptions(), period="month")
    if period_end:
        y, m = parse_month(period_end)
        until = month_end(y, m)
    else:
        until = default_until(today)
    if embedder is None:
        from .features.embeddings import make_embedder
        embedder = make_embedder(options.model, cache_dir=options.cache_dir or None,
                                 progress=options.progress)
    corpus = Path(path).resolve().name
    settings = report_settings(options, embedder.model_id, corpus)
    key = settings_key(settings)
    hpath = history_path_for(path, history)

    with HistoryStore(hpath) as store:
        pinned = store.pinned_baseline(key) if options.baseline is None else None
    run_opts = dataclasses.replace(options, baseline=pinned) if pinned else options
    result = _audit_until(path, run_opts, embedder, until)

    target = result.periods[-1]
    month = target["end"][:7]
    if period_end and month != until.isoformat()[:7]:
        raise InputError(f"{path}: no documents dated in {period_end} (the latest month with "
                         f"documents up to then is {month}); pick another --period-end.")
    if len(result.periods) < 2 or target["is_baseline"]:
        raise InputError(f"{path}: {month} is part of the baseline (or the only month); a "
                         "report needs months after the baseline. Pick a later --period-end "
                         "or set --baseline.")

    base = [p for p in result.periods if p["is_baseline"]]
    baseline_spec = f"{base[0]['start']}..{base[-1]['end']}" if base else None
    figures = {
        "label": target["label"], "start": target["start"], "end": target["end"],
        "n_docs": target["n_docs"], "metrics": target["metrics"],
        "comparison": target["comparison"], "layers": target["layers"],
        "reasons": target["reasons"], "limits": result.layers,
        "verdict": result.verdict, "baseline": [p["label"] for p in base],
    }
    evidence = _top_evidence(result.evidence.get(target["label"], {}))
    with HistoryStore(hpath) as store:
        store.record(key, settings, month, label=target["label"], status=target["status"],
                     model_id=embedder.model_id, samey_version=__version__, figures=figures,
                     evidence=evidence, baseline=baseline_spec)
        rows = store.months(key)
    alerts = trend_alerts(rows, result.layers, trend_periods=options.verdict.trend_periods)
    return ReportResult(month=month, period=target, audit=result, history=rows, alerts=alerts,
                        settings_key=key, settings=settings, history_path=str(hpath),
                        limits=result.layers)


def _top_evidence(ev: dict[str, Any]) -> dict[str, Any]:
    """The first few items of each evidence list (what the history keeps of a month)."""
    return {k: (v[:EVIDENCE_KEEP] if isinstance(v, list) else v) for k, v in ev.items()}


def trend_alerts(rows: list[dict[str, Any]], limits: dict[str, Any], *,
                 trend_periods: int = 3) -> list[dict[str, Any]]:
    """Alerts over the stored months, newest first.

    * ``limit``: a verdict metric beyond its control limit (current baseline) toward sameness;
    * ``trend``: a layer's score at or above z = 1.645 for ``trend_periods`` stored months in a
      row up to the month (a sustained trend);
    * ``status``: the month's own status is watch or samey (its reasons follow).
    """
    alerts: list[dict[str, Any]] = []
    runs = {layer: 0 for layer in LAYERS}
    for row in rows:
        month = row["month"]
        for layer in LAYERS:
            score = (row.get("layers", {}).get(layer) or {}).get("score") or 0.0
            runs[layer] = runs[layer] + 1 if score >= Z_TREND else 0
            if runs[layer] >= trend_periods:
                alerts.append({"month": month, "kind": "trend", "layer": layer,
                               "message": f"{layer.capitalize()} has been beyond normal variation "
                                          f"for {runs[layer]} stored months in a row."})
        for layer, metrics in limits.items():
            for name, lim in metrics.items():
                spec = BY_NAME.get(name)
                val = (row.get("metrics", {}).get(name) or {}).get("value")
                if spec is None or spec.direction == 0 or val is None:
                    continue
                lo, hi = lim.get("low_limit"), lim.get("high_limit")
                crossed = (spec.direction > 0 and hi is not None and val > hi) or \
                          (spec.direction < 0 and lo is not None and val < lo)
                if crossed:
                    bound = hi if spec.direction > 0 else lo
                    alerts.append({"month": month, "kind": "limit", "layer": layer,
                                   "metric": name,
                                   "message": f"{spec.label} {val:.3g} beyond its control limit "
                                              f"{bound:.3g}: {spec.plain}."})
        if row.get("status") in ("watch", "samey"):
            alerts.append({"month": month, "kind": "status", "layer": None,
                           "message": f"{month} is {row['status']} "
                                      f"({len(row.get('reasons') or [])} reason(s))",
                           "reasons": row.get("reasons") or []})
    return sorted(alerts, key=lambda a: a["month"], reverse=True)
