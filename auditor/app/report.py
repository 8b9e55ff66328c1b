"""Scheduled monthly reports: audit up to the end of a month, store that month's figures in the
history, and build the trend of every stored month of the same settings.

``report(path, options, period_end="2026-03")``:

1. The month: ``period_end`` (``YYYY-MM``), or by default the last month before the current one
   that has documents. Documents dated after its end are left out, so a month's figures do not
   change when later months arrive.
2. The audit runs by month (``period="month"``), once per run. The baseline is pinned by the
   first run of a settings key: the validated baseline of that run's audit
   (``AuditResult.reference["baseline"]``: the default rule as checked, or ``--baseline``), with
   the reference it came from; every later month is compared with the same baseline.
3. The month's figures (metrics with intervals, comparisons with control limits, layer scores,
   status, reasons, top evidence) are written to the history in one transaction, replacing an
   earlier run of the same month; ``before_commit(result)`` (the CLI's output writes) runs
   inside it, so a run that dies before its report is written leaves the history as it was. The
   same transaction backfills the months the history lacks:
   on the first run of a settings key every complete month up to the reported one (baseline
   months included), later the months between the last stored month and the reported one. The
   audit already measures every month, so backfilling costs no extra audit; backfilled months
   keep their figures, status and reasons, not their evidence.
4. The trend: every stored month of the same settings key, with alerts (a month beyond a control
   limit, a sustained trend, a month that is not ok), and the reference in plain words: the
   baseline, how it was chosen, its warnings and the change points.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from auditor._version import __version__
from auditor.app.audit import audit as run_audit
from auditor.config import NEW_INGEST_DEFAULTS, AuditOptions
from auditor.errors import InputError, UsageError
from auditor.history import HistoryStore, settings_key
from auditor.judge.alerts import trend_alerts
from auditor.results import (
    Alert,
    AuditResult,
    Evidence,
    PeriodResult,
    ReportReference,
    ReportResult,
    plain,
)

HISTORY_DEFAULT = Path(".samey") / "history.sqlite"
EVIDENCE_KEEP = 5
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# ------------------------------------------------------------------ months

def parse_month(text: str) -> tuple[int, int]:
    m = _MONTH.match(text.strip())
    # not a threshold: the calendar
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
    # model_id names model and backend; site_duplicates changes no stored figure; the engine,
    # workers and scheduler never change figures; [scale] tunes the check and curate only
    for k in ("progress", "cache_dir", "check", "scale", "model", "backend", "site_duplicates",
              "engine", "workers", "scheduler"):
        d.pop(k, None)
    # ingest options added later count only when set (an existing trend keeps its key); the
    # exclusions name outputs, not content
    d["ingest"] = {k: v for k, v in d["ingest"].items() if k != "exclude" and not (
        k in NEW_INGEST_DEFAULTS and v == NEW_INGEST_DEFAULTS[k])}
    # the source field was first read as [curate] source_field: keyed where it was then
    d["curate"] = {**d["curate"], "source_field": d["ingest"].pop("source_field", None)}
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
    return run_audit(path, options, embedder=embedder, until=until, evidence="last")


# ------------------------------------------------------------------ report

def report(path: str | Path, options: AuditOptions | None = None, *,
           period_end: str | None = None, history: str | Path | None = None,
           embedder: Any = None, today: dt.date | None = None,
           before_commit: Callable[[ReportResult], Any] | None = None) -> ReportResult:
    """Audit ``path`` by month up to ``period_end``, store the month (and backfill the months
    the history lacks), return the trend. ``before_commit(result)`` runs before the history's
    transaction commits (write the outputs there): if it raises, nothing is stored.

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
        from auditor.features.embeddings import make_embedder
        embedder = make_embedder(options.model, cache_dir=options.cache_dir or None,
                                 progress=options.progress, backend=options.backend)
    corpus = Path(path).resolve().name
    settings = report_settings(options, embedder.model_id, corpus)
    key = settings_key(settings)
    hpath = history_path_for(path, history)

    pin, last_stored = None, None
    if hpath.exists():  # a run that fails later creates no history
        with HistoryStore(hpath) as store:
            pin = store.pinned(key)
            last_stored = store.last_month(key)
    pinned_spec = pin["baseline"] if pin and options.baseline is None else None
    run_opts = dataclasses.replace(options, baseline=pinned_spec) if pinned_spec else options
    result = _audit_until(path, run_opts, embedder, until)

    target = result.periods[-1]
    month = target.month
    if period_end and month != until.isoformat()[:7]:
        raise InputError(f"{path}: no documents dated in {period_end} (the latest month with "
                         f"documents up to then is {month}); pick another --period-end.")
    if len(result.periods) < 2 or target.is_baseline:
        raise InputError(f"{path}: {month} is part of the baseline (or the only month); a "
                         "report needs months after the baseline. Pick a later --period-end "
                         "or set --baseline.")

    labels = baseline_labels(result)
    baseline_spec = _spec(result.periods, labels)
    reference = report_reference(result, labels, spec=pinned_spec or baseline_spec, pin=pin,
                                 user_given=options.baseline is not None, month=month)
    to_store = months_to_store(result.periods, last_stored)
    rows = [_row(p, result, labels, embedder.model_id, as_of=month,
                 evidence=_top_evidence(result.evidence.get(p.label))
                 if p is target else {})
            for p in to_store]
    pin_record = {"baseline": reference.baseline, "rule": reference.rule,
                  "warnings": reference.warnings,
                  "change_points": plain(reference.change_points)}
    with HistoryStore(hpath) as store, store.writing():
        store.put_months(key, settings, rows, baseline=baseline_spec,
                         reference={**pin_record, "pinned_in": month})
        stored = store.months(key)
        alerts = trend_alerts(stored, plain(result.layers))
        out = ReportResult(month=month, period=target, audit=result, history=stored,
                           alerts=[Alert.from_dict(a) for a in alerts],
                           settings_key=key, settings=settings, history_path=str(hpath),
                           limits=result.layers,
                           backfilled=[r["month"] for r in rows if r["month"] != month],
                           reference=reference)
        if before_commit is not None:
            before_commit(out)
    return out


def months_to_store(periods: list[PeriodResult],
                    last_stored: str | None) -> list[PeriodResult]:
    """The audit's periods a run writes: the reported (last) one, and the complete months the
    history lacks: every one on the first run (``last_stored`` is None), otherwise those after
    the last stored month. A period's month is its end month (a merged period ``A..B`` is B)."""
    target = periods[-1]
    return [p for p in periods
            if p is target or last_stored is None or p.month > last_stored]


def _row(p: PeriodResult, result: AuditResult, labels: list[str], model_id: str, *,
         as_of: str, evidence: dict[str, Any]) -> dict[str, Any]:
    """One month of the history: the audit's period entry (plus the limits it was judged
    against, the baseline, and the month of the run that measured it)."""
    d = p.to_dict()  # the history is a JSON boundary
    figures = {
        "label": p.label, "start": p.start, "end": p.end, "n_docs": p.n_docs,
        "is_baseline": p.is_baseline, "metrics": d["metrics"],
        "comparison": d["comparison"], "layers": d["layers"], "reasons": p.reasons,
        "limits": plain(result.layers), "baseline": labels, "as_of": as_of,
        "backfilled": p.month != as_of,
    }
    prov = result.provenance
    pp = prov.period(p.label) if prov is not None else None
    if prov is not None and pp is not None:  # who made the month samey: a source's contribution
        figures["provenance"] = {**pp.to_dict(), "field": prov.field}
    if not figures["backfilled"]:
        figures["verdict"] = result.verdict.to_dict()  # the verdict as of this month
    return {"month": p.month, "label": p.label, "status": p.status,
            "model_id": model_id, "samey_version": __version__, "figures": figures,
            "evidence": evidence}


# ------------------------------------------------------------------ reference

_SAYS_ONE = re.compile(r"\b(single|one|1)[- ](month|period)\b|\bone-month\b", re.I)


def baseline_labels(result: AuditResult) -> list[str]:
    """The validated baseline of an audit: ``reference["baseline"]``, or (when the reference is
    empty) the periods the audit marked as baseline."""
    labels = [str(x) for x in result.reference.baseline] if result.reference else []
    return labels or [p.label for p in result.periods if p.is_baseline]


def _spec(periods: list[PeriodResult], labels: list[str]) -> str | None:
    """``START..END`` (ISO dates) covering the baseline periods, to pin for later runs."""
    base = [p for p in periods if p.label in set(labels)]
    return f"{base[0].start}..{base[-1].end}" if base else None


def change_point_lines(change_points: Any) -> list[str]:
    """Plain sentences for ``reference["change_points"]`` (per layer: where its series shifted).
    A record's own ``sentence`` is used when it has one; otherwise the layer and where: a
    label, a list of labels, or records with a ``period``/``label``/``month``/``start``."""
    out = []
    for layer, where in (change_points or {}).items():
        items = where if isinstance(where, (list, tuple)) else [where]
        said = [_sentence(x["sentence"]) for x in items
                if isinstance(x, Mapping) and x.get("sentence")]
        at = [w for x in items if not (isinstance(x, Mapping) and x.get("sentence"))
              for w in _where(x)]
        out += said
        if at:
            out.append(f"{str(layer).capitalize()} shifted in {', '.join(at)}.")
    return out


def power_lines(power: Any) -> list[str]:
    """Plain sentences for ``reference["power"]`` (per layer: the smallest change the data can
    detect): a record's own ``sentence``, else ``layer: value``."""
    out = []
    for layer, p in (power or {}).items():
        if isinstance(p, Mapping) and p.get("sentence"):
            out.append(_sentence(p["sentence"]))
        elif p not in (None, "", {}, []):
            out.append(f"{str(layer).capitalize()}: {p}.")
    return out


def _sentence(text: Any) -> str:
    t = " ".join(str(text).split())
    t = t[:1].upper() + t[1:]
    return t if t.endswith((".", "!", "?")) else t + "."


def _where(x: Any) -> list[str]:
    if x is None or x == "" or x == [] or x == {}:
        return []
    if isinstance(x, Mapping):
        for k in ("period", "label", "month", "start", "at"):
            if x.get(k):
                return [str(x[k])]
        return []
    if isinstance(x, (list, tuple)):
        return [w for item in x for w in _where(item)]
    return [str(x)]


def one_period_note(labels: list[str], rule: str, warnings: list[str]) -> str | None:
    """The note a one-period baseline needs, unless a reference warning already says it."""
    if len(labels) != 1 or any(_SAYS_ONE.search(str(w)) for w in warnings):
        return None
    what = "period" if ".." in labels[0] else "month"
    who = "The baseline you gave (--baseline)" if rule == "user" else "The baseline"
    return (f"{who} is a single {what} ({labels[0]}): one {what} cannot show the brand's normal "
            f"{what}-to-{what} variation, so the control bands only allow for sampling noise and "
            "ordinary swings may be flagged. Give a baseline of at least two months (three or "
            "more is better).")


def report_reference(result: AuditResult, labels: list[str], *, spec: str | None,
                     pin: dict[str, Any] | None, user_given: bool,
                     month: str) -> ReportReference:
    """The reference of a report, named in every output: the baseline (labels and the pinned
    spec), how it was chosen (``rule``: ``default`` or ``user``, as pinned by the first run),
    when it was pinned, the audit's reference warnings plus the report's own notes, change
    points per layer (raw and in plain sentences) and power per layer.

    ``pin``: the store's pin of the settings key (``None`` on its first run). Later runs pass
    the pinned baseline to the audit as a range, so the audit's own ``rule`` then reads
    ``user``; the rule named is the one the first run pinned."""
    ref = result.reference
    pinned_ref = (pin or {}).get("reference") or {}
    if pin is None:
        rule = (ref.rule if ref else None) or ("user" if user_given else "default")
    else:
        rule = pinned_ref.get("rule") or ("user" if user_given else "default")
    warnings = [str(w) for w in ref.warnings] if ref else []
    notes = []
    if pinned_ref.get("baseline") and list(pinned_ref["baseline"]) != labels:
        notes.append(f"The baseline pinned by the first run was "
                     f"{', '.join(pinned_ref['baseline'])}; this run's audit used "
                     f"{', '.join(labels)}.")
    note = one_period_note(labels, rule, warnings)
    if note:
        notes.append(note)
    merged = next((p.label for p in result.periods
                   if ".." in p.label and month in (p.label.split("..")[0],
                                                    p.label.split("..")[-1])), None)
    if merged:
        notes.append(f"{month} had too few posts to be compared on its own, so the audit merged "
                     f"it with a neighbouring month as {merged}; its stored figures cover "
                     "that whole span.")
    change_points = plain(ref.change_points) if ref else {}
    pinned_in = month if pin is None else pinned_ref.get("pinned_in")
    how = ("given with --baseline" if rule == "user"
           else "chosen by samey's default rule and checked")
    when = (f"pinned by the report of {pinned_in}" if pinned_in
            else "pinned by the first report of these settings")
    text = (f"{', '.join(labels) or 'none'} ({how}; {when}; every month is compared with it)")
    power = plain(ref.power) if ref else {}
    return ReportReference(
        baseline=labels, spec=spec, rule=rule, text=text,
        pinned_in=pinned_in,
        pinned_now=pin is None,
        warnings=warnings + notes,
        change_points=change_points,
        change_point_lines=[_sentence(x) for x in (ref.shifts if ref else [])]
        or change_point_lines(change_points),
        power=power, power_lines=power_lines(power),
    )


def _top_evidence(ev: Evidence | None) -> dict[str, Any]:
    """The first few items of each evidence list (what the history keeps of a month), as JSON
    data (the history is a JSON boundary)."""
    d = {} if ev is None else ev.to_dict()
    return {k: (v[:EVIDENCE_KEEP] if isinstance(v, list) else v) for k, v in d.items()}
