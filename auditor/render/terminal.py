"""Rich terminal report of an audit: summary, periods table, verdict with reasons, skipped files."""
from __future__ import annotations

import math

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from auditor.metrics.registry import BY_NAME, LAYER_SHORT, in_points
from auditor.progress import plural
from auditor.render.provenance_view import render_actions, render_provenance
from auditor.render.safe import scrub
from auditor.render.site_view import family_line, summary_line
from auditor.render.styles import STATUS_STYLE
from auditor.results import AuditResult, Evidence, PeriodResult, ReferenceInfo, SiteDuplicates
from auditor.types import Estimate

WIDE = 160  # from this width the metric columns (with intervals) are shown too
# (metric, short column header); the legend under the table names them in full.
TABLE_METRICS = (
    ("topics.mean_cosine", "cosine"), ("topics.vendi", "vendi"),
    ("wording.compression_ratio", "gzip"), ("wording.self_repetition", "selfrep"),
    ("structure.template_share", "templ"), ("duplication.near_duplicate_share", "dup"),
    ("tails.rare_word_mass", "rare"),
)


def _finite(x: float | None) -> bool:
    return x is not None and not math.isnan(x) and not math.isinf(x)


def _fmt(m: Estimate | None) -> str:
    """``value±half-width`` of the 95% interval, compact."""
    if m is None or not _finite(m.value):
        return "-"
    v, lo, hi = m.value, m.low, m.high
    if not _finite(lo) or not _finite(hi):
        return f"{v:.3g}"
    hw = (hi - lo) / 2
    if hw <= 0:
        return f"{v:.3g}"
    dec = max(0, -math.floor(math.log10(hw)))
    return f"{v:.{dec}f}±{hw:.{dec}f}"


def _z(x: float) -> float:
    return x if _finite(x) else 0.0


def _stock_figure(layer: str, ev: Evidence | None) -> str | None:
    """The counted frame or phrase that moved a layer no metric moved: 'stock phrase "fast
    paced" 8 of 37 (was 0 of 171)'."""
    found = (ev.stock_frames if layer == "structure" else ev.stock_phrases
             if layer == "wording" else []) if ev is not None else []
    if not found:
        return None
    t = found[0]
    what = "stock phrase" if t.kind == "phrase" else f"stock {t.kind}"
    return f"{what} \"{t.text}\" {t.docs} of {t.of} (was {t.baseline_docs} of {t.baseline_of})"


def _moved_cell(p: PeriodResult, ev: Evidence | None = None) -> Text:
    """What moved in a period, in plain words, with the figure that drove it:
    'structure: repeated openings 81% (12%)'; a layer moved by its counted stock frames or
    phrases alone shows the first of them."""
    out = Text()
    comps = p.comparison
    for layer, info in p.layers.items():
        if not (info.moved or info.trend):
            continue
        cands = [(_z(c.z), n) for n, c in comps.items()
                 if n in BY_NAME and BY_NAME[n].layer == layer and c.moved]
        stock = _stock_figure(layer, ev) if not cands and not info.trend else None
        if stock is not None:
            if out:
                out.append("; ")
            out.append(LAYER_SHORT.get(layer, layer), style="bold")
            out.append(f" {stock}")
            continue
        if not cands:
            cands = [(_z(c.z), n) for n, c in comps.items()
                     if n in BY_NAME and BY_NAME[n].layer == layer and _finite(c.z)]
        if out:
            out.append("; ")
        out.append(LAYER_SHORT.get(layer, layer), style="bold")
        if cands:
            _, n = max(cands)
            spec, c = BY_NAME[n], comps[n]
            m = p.metrics.get(n)
            v = m.value if m is not None else None
            if _finite(v) and _finite(c.baseline):
                fig = (f"{v:.0%} (was {c.baseline:.0%})" if in_points(spec)
                       else f"{v:.3g} (was {c.baseline:.3g})")
                out.append(f" {spec.short} {fig}")
        if info.trend and not info.moved:
            out.append(" sustained")
    leaning = [LAYER_SHORT.get(layer, layer) for layer, info in p.layers.items()
               if info.building and not (info.moved or info.trend)]
    if leaning:
        if out:
            out.append("; ")
        out.append(", ".join(leaning) + " leaning toward sameness", style="yellow")
    elif not out and p.status == "watch":
        out.append("leaning toward sameness", style="yellow")
    return out


def render_audit(result: AuditResult, console: Console | None = None, *,
                 max_skipped: int = 15) -> None:
    """Print the audit: the headline first, then the periods (every label whole at 80 columns;
    the metric columns from ``WIDE``), who made it samey (``--source-field``), the posts to
    revise first, the reasons, the reference and the skipped files. Data (titles, labels,
    paths) is shown as text: escape sequences removed, never read as markup (``render.safe``)."""
    c = console or Console()
    result = scrub(result)
    corpus, cfg, v = result.corpus, result.config, result.verdict
    head = Text()
    head.append(f"{v.status.upper()}  ", style=STATUS_STYLE.get(v.status, ""))
    head.append(v.summary)
    c.print(Panel(head, title=Text(f"samey audit: {corpus.path}")))

    # not a threshold: terminal layout
    wide = c.width >= WIDE
    t = Table(title=None, show_lines=False, pad_edge=False, padding=(0, 1),
              box=box.SIMPLE_HEAD)
    t.add_column("period", no_wrap=True)
    t.add_column("posts", justify="right", no_wrap=True)
    t.add_column("status", no_wrap=True)
    if wide:
        for _, head_ in TABLE_METRICS:
            t.add_column(head_, justify="right", no_wrap=True)
    t.add_column("what moved beyond normal variation (figure, was)", ratio=1)
    for p in result.periods:
        st = p.status
        moved = {n for n, cmp in p.comparison.items() if cmp.moved}
        cells = [Text(_fmt(p.metrics.get(n)), style="bold red" if n in moved else "")
                 for n, _ in TABLE_METRICS] if wide else []
        t.add_row(Text(p.label), str(p.n_docs), Text(st, style=STATUS_STYLE.get(st, "")), *cells,
                  _moved_cell(p, result.evidence.get(p.label)))
    c.print(t)
    if wide:
        c.print("[dim]" + "; ".join(f"{h} = {BY_NAME[n].label}" for n, h in TABLE_METRICS)
                + ": value ± half-width of the 95% interval. Red: moved beyond normal "
                "variation.[/]")
    sampling = cfg["sampling"]
    c.print(Text(f"{plural(corpus.documents, 'post')} analysed ({corpus.first_date} .. "
                 f"{corpus.last_date}), {corpus.skipped} skipped; "
                 f"{plural(corpus.periods, 'period')} by "
                 f"{corpus.granularity}; samples of "
                 f"{cfg['sample_size_used']} posts, {cfg.get('word_budget_per_sample', 0)} "
                 f"words each, {sampling['repeats']} repeats; model "
                 f"{cfg['model_id']}.", style="dim"))

    if result.provenance is not None:
        render_provenance(result.provenance, c)
    if result.actions is not None:
        render_actions(result.actions, c)

    body = Text()
    for r in v.reasons:
        body.append(f"- {r}\n")
    for note in v.notes or []:
        body.append(f"note: {note}\n", style="dim")
    c.print(Panel(body, title="why: the details"))

    if result.reference is not None:
        render_reference(result.reference, c)

    if result.site_duplicates is not None:
        render_site_duplicates(result.site_duplicates, c)

    if result.segments:
        from auditor.render.segments_view import render_segments
        render_segments(result.segments, c)

    skipped = result.skipped
    if skipped:
        by_reason: dict[str, int] = {}
        for item in skipped:
            by_reason[item.reason] = by_reason.get(item.reason, 0) + 1
        s = Table(title=Text(f"Skipped inputs ({len(skipped)}: " + ", ".join(
            f"{n} {r}" for r, n in sorted(by_reason.items())) + ")", style="italic"))
        s.add_column("path", overflow="fold")
        s.add_column("reason")
        s.add_column("how to fix / detail", overflow="fold")
        for item in skipped[:max_skipped]:
            s.add_row(Text(item.path), Text(item.reason), Text(item.detail))
        if len(skipped) > max_skipped:
            s.add_row(f"... {len(skipped) - max_skipped} more (all are listed in the JSON "
                      "output, --json FILE)", "", "")
        c.print(s)


def render_reference(ref: ReferenceInfo, c: Console) -> None:
    """The baseline as checked (warnings first), where each layer shifted, and what the audit
    could see (power)."""
    body = Text()
    base = ref.baseline
    span = base[0] if len(base) == 1 else f"{base[0]}..{base[-1]}" if base else "none"
    how = "you chose" if ref.rule == "user" else "chosen by samey and checked"
    body.append(f"Baseline {span} ({how})", style="bold")
    body.append(": stable.\n" if ref.stable else ".\n")
    for w in ref.warnings:
        body.append(f"! {w}\n", style="yellow")
    if ref.shifts:
        body.append("Where each layer shifted over the whole history:\n", style="bold")
        for line in ref.shifts:
            body.append(f"- {line}\n")
    if ref.power:
        body.append(f"Smallest change samey would catch (4 times in 5, with samples of "
                    f"{ref.sample_size} posts):\n", style="bold")
        for p in ref.power.values():
            body.append(f"- {p.sentence}" + (" (little data)" if p.blind else "")
                        + "\n", style="dim" if not p.blind else "")
    c.print(Panel(body, title="reference"))


def render_site_duplicates(sd: SiteDuplicates, c: Console, *, top: int = 5) -> None:
    """The site-wide duplicate audit: how many posts sit in families, the largest families
    (size, periods spanned, the oldest member); the JSON lists up to 10 members of 10."""
    body = Text(summary_line(sd) + "\n")
    for f in sd.largest[:top]:
        body.append(f"- {family_line(f)}\n")
    if sd.families:
        body.append("Paths, dates and up to 10 members of each of the 10 largest families: "
                    "--json (site_duplicates).", style="dim")
    c.print(Panel(body, title="near-copies across the site"))
