"""Alerts of a scheduled report over the stored months: a metric past its control limit, a
sustained trend, a flagged month."""
from __future__ import annotations

from typing import Any

from auditor.metrics.registry import BY_NAME, LAYER_FULL, LAYERS
from auditor.types import STATUSES


def trend_alerts(rows: list[dict[str, Any]], limits: dict[str, Any]) -> list[dict[str, Any]]:
    """Alerts over the stored months that were judged (not baseline or earlier), newest first.

    * ``limit``: a verdict metric beyond its control limit (current baseline) toward sameness;
    * ``trend``: a layer in a sustained shift in that month, as the month's own verdict found it
      (the one trend rule, ``auditor.judge.sequential``; stored with the month);
    * ``status``: the month's own status is watch or samey (its reasons follow).
    """
    alerts: list[dict[str, Any]] = []
    for row in rows:
        month = row["month"]
        if row.get("status") not in STATUSES:  # baseline, before, set aside: charted, not judged
            continue
        for layer in LAYERS:
            if (row.get("layers", {}).get(layer) or {}).get("trend"):
                name = LAYER_FULL[layer]
                alerts.append({"month": month, "kind": "trend", "layer": layer,
                               "message": f"{name[:1].upper()}{name[1:]} has stayed beyond "
                                          "normal variation: a sustained shift."})
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
                                   "message": f"{spec.short[:1].upper()}{spec.short[1:]} past the "
                                              f"baseline's usual range: {spec.plain} "
                                              f"({spec.label} {val:.3g}, limit {bound:.3g})."})
        if row.get("status") in ("watch", "samey"):
            alerts.append({"month": month, "kind": "status", "layer": None,
                           "message": f"{month} is {row['status']} "
                                      f"({len(row.get('reasons') or [])} reason"
                                      f"{'s' if len(row.get('reasons') or []) != 1 else ''})",
                           "reasons": row.get("reasons") or []})
    return sorted(alerts, key=lambda a: a["month"], reverse=True)
