"""Provenance (who made it samey) and the action list (what to revise first) in words: the
helpers the terminal, the Markdown and the HTML share, and the two terminal panels. Reads
results; computes nothing."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from auditor.metrics.registry import LAYER_SHORT
from auditor.render.safe import html_text
from auditor.results import (
    Actions,
    LayerContribution,
    PeriodProvenance,
    Provenance,
    RevisePost,
    SourceContribution,
)

STATUSES = ("ok", "watch", "samey")


def pct(x: float | None) -> str:
    """'56%'; '-' when unknown; a small negative share (a source that pulled the other way
    by less than half a point) reads '0%'."""
    if x is None or math.isnan(x):
        return "-"
    # not a threshold: display rounding
    return "0%" if abs(x) < 0.005 else f"{x:.0%}"


def interval(c: LayerContribution) -> str:
    """'70% (66-75%)'."""
    lo, hi = pct(c.low), pct(c.high)
    return f"{pct(c.contribution)} ({lo[:-1] if lo.endswith('%') else lo}-{hi})"


def shown_period(prov: Provenance) -> PeriodProvenance | None:
    """The period the outputs show: the latest one whose move was attributed, else the
    latest judged one."""
    moved = [p for p in prov.periods if p.layers]
    judged = [p for p in prov.periods if p.status in STATUSES]
    pick = moved or judged
    return pick[-1] if pick else None


def contribution_text(s: SourceContribution) -> str:
    """A source's share of the period's move ('56%'; '-' when nothing moved)."""
    return "-" if s.contribution is None else pct(s.contribution)


def layers_text(by_layer: dict[str, LayerContribution], top: int = 2) -> str:
    """'voice 58%, structure 65%': the layers where the source made most of the move, with
    each interval: 'voice 58% (44-72%)'."""
    items = sorted(by_layer.items(), key=lambda kv: -kv[1].contribution)[:top]
    return ", ".join(f"{LAYER_SHORT.get(k, k)} {interval(c)}" for k, c in items)


def over_time(prov: Provenance, *, sources: int = 4, last: int = 12
              ) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    """The judged periods with an attributed move (the last ``last``) and, for the sources
    with the largest mean contribution over them, each one's contribution per period."""
    rows = [p for p in prov.periods if p.layers][-last:]
    mean: dict[str, list[float]] = {}
    for p in rows:
        for s in p.sources:
            if s.contribution is not None:
                mean.setdefault(s.source, []).append(s.contribution)
    order = sorted(mean, key=lambda s: (-sum(mean[s]) / len(mean[s]), s))[:sources]
    table = []
    for name in order:
        vals: list[float | None] = []
        for p in rows:
            hit = next((s for s in p.sources if s.source == name), None)
            vals.append(hit.contribution if hit is not None else None)
        table.append((name, vals))
    return [p.label for p in rows], table


def post_name(r: RevisePost) -> str:
    return r.title or r.doc


def render_provenance(prov: Provenance, c: Console, *, top: int = 6) -> None:
    """Who made the shown period samey: each source's posts, share of posts and share of the
    move (with the layers it drove), then each source's share of the move over time."""
    p = shown_period(prov)
    body = Table.grid(padding=(0, 0))
    if p is None:
        c.print(Panel(Text("No judged period to split by source."),
                      title=Text(f"by {prov.field}")))
        return
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    t.add_column("source", overflow="fold", ratio=2)
    t.add_column("posts", justify="right", no_wrap=True)
    t.add_column("share of the move", justify="right", no_wrap=True)
    t.add_column("most in (95% interval)", ratio=3)
    for s in p.sources[:top]:
        t.add_row(Text(s.source), f"{s.posts} ({pct(s.share)})", contribution_text(s),
                  layers_text(s.by_layer))
    body.add_row(t)
    if len(p.sources) > top:
        body.add_row(Text(f"... and {len(p.sources) - top} more sources (--json)", style="dim"))
    if not p.layers:
        body.add_row(Text("Nothing moved in this period: no move to attribute.", style="dim"))
    labels, rows = over_time(prov, last=10)
    if len(labels) >= 2:
        body.add_row(Text(f"Share of the move, period by period ({labels[0]} .. {labels[-1]}):",
                          style="bold"))
        width = max(len(name) for name, _ in rows)
        for name, vals in rows:
            body.add_row(Text(f"  {name:<{width}} " + "".join(f"{pct(v):>5}" for v in vals)))
    if prov.dominant is not None:
        body.add_row(Text(prov.dominant.sentence))
    for note in prov.notes:
        body.add_row(Text(f"note: {note}", style="dim"))
    c.print(Panel(body, title=Text(f"who made it samey: {p.label} by {prov.field}")))


def render_actions(actions: Actions, c: Console, *, top: int = 5) -> None:
    """The first posts to revise in the latest judged period, each with its change and why."""
    body = Table.grid(padding=(0, 1))
    body.add_column(no_wrap=True)
    body.add_column()
    if not actions.revise_first:
        body.add_row("", Text(no_actions(actions), style="dim"))
    for i, r in enumerate(actions.revise_first[:top], start=1):
        cell = Text()
        cell.append(post_name(r), style="bold")
        cell.append(f" ({r.source}, score {r.score:.2f})" if r.source
                    else f" (score {r.score:.2f})")
        if r.title:
            cell.append(f"\n{r.doc}", style="dim")
        cell.append(f"\nchange: {r.change}")
        cell.append(f"\nwhy: {'; '.join(r.why[:2])}", style="dim")
        body.add_row(f"{i}.", cell)
    n = len(actions.revise_first)
    more = n - min(n, top)
    if more or actions.flagged:
        body.add_row("", Text(f"{more} more here, and the list of every flagged period: --json "
                              "(actions) or --actions-csv FILE.", style="dim"))
    c.print(Panel(body, title=Text(f"revise first: {actions.period} ({actions.status})")))


def no_actions(actions: Actions) -> str:
    """Why the list is empty, in words."""
    if actions.status not in ("watch", "samey"):
        return (f"Nothing moved beyond normal variation in {actions.period}: no post needs "
                "revising for sameness.")
    return "No post stands out: nothing to revise first."


def _one_line(x: object) -> str:
    return html_text(" ".join(str(x).split()).replace("|", "/"))


def markdown_lines(prov: Provenance | None, actions: Actions | None, *, top: int = 3
                   ) -> list[str]:
    """Chat-message lines: each source's share of the month's move (the headline already
    names a dominant source), and the posts to revise first."""
    one_line = _one_line
    out: list[str] = []
    if prov is not None:
        p = shown_period(prov)
        if p is not None and p.layers:
            out.append(f"- By {one_line(prov.field)} ({p.label}): " + "; ".join(
                f"{one_line(s.source)} {pct(s.contribution)} of the move, "
                f"{s.posts} posts" for s in p.sources[:top]))
    if actions is not None and actions.revise_first:
        out.append(f"- Revise first ({actions.period}):")
        out += [f"  {i}. {one_line(post_name(r))}: {one_line(r.change)}"
                for i, r in enumerate(actions.revise_first[:top], start=1)]
    return out


def history_contributions(history: Sequence[dict[str, Any]]
                          ) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    """From the stored months (``figures["provenance"]``): the months with an attributed move
    and each source's contribution per month, sources by mean contribution."""
    months, per = [], []
    for row in history:
        pv = row.get("provenance") or {}
        if pv.get("layers"):
            months.append(row["month"])
            per.append({s["source"]: s.get("contribution") for s in pv.get("sources", [])})
    names: dict[str, list[float]] = {}
    for d in per:
        for k, v in d.items():
            if v is not None:
                names.setdefault(k, []).append(v)
    order = sorted(names, key=lambda s: (-sum(names[s]) / len(names[s]), s))[:5]
    return months, [(n, [d.get(n) for d in per]) for n in order]
