"""Rich terminal report of an audit: summary, periods table, verdict with reasons, skipped files."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..metrics.registry import BY_NAME

STYLE = {"ok": "green", "watch": "yellow", "samey": "bold red", "baseline": "cyan", "before": "dim"}
TABLE_METRICS = (
    "topics.mean_cosine", "topics.vendi", "wording.compression_ratio",
    "wording.self_repetition", "structure.template_share", "duplication.near_duplicate_share",
    "tails.rare_word_mass",
)


def _fmt(m: dict[str, Any] | None) -> str:
    if not m or m.get("value") is None:
        return "-"
    v, lo, hi = m["value"], m.get("low"), m.get("high")
    if lo is None or hi is None:
        return f"{v:.3g}"
    return f"{v:.3g} [{lo:.3g}, {hi:.3g}]"


def render_audit(result: dict[str, Any], console: Console | None = None, *,
                 max_skipped: int = 30) -> None:
    """Print the audit (the dict that ``--json`` writes)."""
    c = console or Console()
    corpus = result.get("corpus", {})
    cfg = result.get("config", {})
    c.print(Panel.fit(
        f"[bold]{corpus.get('path')}[/]: {corpus.get('documents')} documents analysed "
        f"({corpus.get('first_date')} .. {corpus.get('last_date')}), "
        f"{corpus.get('skipped')} skipped; {corpus.get('periods')} periods by "
        f"{corpus.get('granularity')}; baseline {', '.join(corpus.get('baseline', []))}\n"
        f"equal-size samples of {cfg.get('sample_size_used')} documents x "
        f"{cfg.get('sampling', {}).get('text_budget')} words, "
        f"{cfg.get('sampling', {}).get('repeats')} repeats; model {cfg.get('model_id')}",
        title="samey audit"))

    t = Table(title="Periods (value [95% interval])", show_lines=False)
    t.add_column("period")
    t.add_column("docs", justify="right")
    t.add_column("status")
    for name in TABLE_METRICS:
        t.add_column(BY_NAME[name].label, overflow="fold")
    for p in result.get("periods", []):
        st = p["status"]
        t.add_row(p["label"], str(p["n_docs"]), Text(st, style=STYLE.get(st, "")),
                  *[_fmt(p["metrics"].get(n)) for n in TABLE_METRICS])
    c.print(t)

    v = result["verdict"]
    body = Text()
    body.append(f"{v['status'].upper()}\n", style=STYLE.get(v["status"], ""))
    for r in v.get("reasons", []):
        body.append(f"- {r}\n")
    for note in v.get("notes", []):
        body.append(f"note: {note}\n", style="dim")
    c.print(Panel(body, title="verdict"))

    if result.get("segments"):
        from .segments_view import render_segments
        render_segments(result["segments"], c)

    skipped = result.get("skipped", [])
    if skipped:
        s = Table(title=f"Skipped files ({len(skipped)})")
        s.add_column("path", overflow="fold")
        s.add_column("reason")
        s.add_column("how to fix / detail", overflow="fold")
        for item in skipped[:max_skipped]:
            s.add_row(item["path"], item["reason"], item.get("detail", ""))
        if len(skipped) > max_skipped:
            s.add_row(f"... {len(skipped) - max_skipped} more (see --json)", "", "")
        c.print(s)
