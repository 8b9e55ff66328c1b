"""Charts of the monthly trend: one inline SVG per layer (matplotlib, Agg, no JS, no network).

Each layer's chart has one small panel per metric: the stored months' values with their 95%
intervals, the baseline mean (dashed) and the control band (shaded, baseline +/- 3 sd of normal
variation). Baseline months are drawn in grey, months whose metric moved in red. Reads results;
computes nothing.
"""
from __future__ import annotations

import io
import math
import re
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from auditor.metrics.registry import BY_NAME, LAYER_FULL  # noqa: E402
from auditor.results import ControlLimits  # noqa: E402

COLS = 3
INK, BAND, ALERT, BASE = "#1f4e79", "#d9e7f5", "#c0392b", "#5d6d7e"


def _num(x: Any) -> float:
    return float("nan") if x is None else float(x)


def layer_chart_svg(layer: str, rows: list[dict[str, Any]],
                    limits: dict[str, ControlLimits]) -> str:
    """An SVG (a string starting with ``<svg``) of one layer's metrics over the stored months.

    ``rows``: the history store's months (JSON records, oldest first); ``limits``: the layer's
    control limits per metric."""
    names = [n for n in limits if BY_NAME.get(n) and BY_NAME[n].direction != 0] or list(limits)
    months = [r["month"] for r in rows]
    n = max(len(names), 1)
    ncols = COLS  # same width for every layer, so charts share one scale on the page
    nrows = math.ceil(n / ncols)
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 8, "axes.spines.top": False,
                         "axes.spines.right": False, "font.family": "sans-serif",
                         "axes.formatter.useoffset": False}):
        fig = Figure(figsize=(3.6 * ncols, 2.3 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        x = list(range(len(months)))
        for ax, name in zip(axes.flat, names):
            lim = limits[name]
            lo, hi, base = _num(lim.low_limit), _num(lim.high_limit), _num(lim.baseline)
            if not math.isnan(lo) and not math.isnan(hi):
                ax.axhspan(lo, hi, color=BAND, zorder=0, label="control band")
            if not math.isnan(base):
                ax.axhline(base, color=BASE, lw=0.8, ls="--", zorder=1, label="baseline")
            vals, los, his, moved = [], [], [], []
            for r in rows:
                m = (r.get("metrics") or {}).get(name) or {}
                v = _num(m.get("value"))
                vals.append(v)
                los.append(v - _num(m.get("low")) if m.get("low") is not None else 0.0)
                his.append(_num(m.get("high")) - v if m.get("high") is not None else 0.0)
                moved.append(bool(((r.get("comparison") or {}).get(name) or {}).get("moved")))
            ax.errorbar(x, vals, yerr=[los, his], color=INK, lw=1.4, marker="o", ms=3.5,
                        elinewidth=0.7, capsize=0, zorder=3)
            bx = [i for i, r in enumerate(rows) if r.get("status") == "baseline"]
            if bx:
                ax.scatter(bx, [vals[i] for i in bx], color=BASE, s=22, zorder=4,
                           label="baseline month")
            mx = [i for i, f in enumerate(moved) if f]
            if mx:
                ax.scatter(mx, [vals[i] for i in mx], color=ALERT, s=26, zorder=4,
                           label="moved")
            spec = BY_NAME.get(name)
            arrow = "" if spec is None else (" (higher = samier)" if spec.direction > 0
                                             else " (lower = samier)")
            ax.set_title((lim.label or name) + arrow, fontsize=8.5, loc="left")
            step = max(1, math.ceil(len(months) / 6))
            ax.set_xticks(x[::step])
            ax.set_xticklabels(months[::step], fontsize=7)
            ax.grid(axis="y", color="#eeeeee", lw=0.6)
            finite = [v for v in (*vals, lo, hi) if not math.isnan(v)]
            # not a threshold: a flat chart axis
            if finite and max(finite) - min(finite) < 1e-9:  # flat: show a readable range
                ax.set_ylim(min(finite) - 0.05, max(finite) + 0.05)
            ax.margins(x=0.05)
        for ax in list(axes.flat)[len(names):]:
            ax.axis("off")
        fig.suptitle(LAYER_FULL.get(layer, layer)[:1].upper() + LAYER_FULL.get(layer, layer)[1:],
                     x=0.01, ha="left", fontsize=11, fontweight="bold")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: inline in HTML
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
