"""The terminal report of ``samey curate``: what was kept and dropped, and the kept set against
random subsets of the same size and the whole corpus, layer by layer. Fits 80 columns; reads the
result's fields, decides nothing."""
from __future__ import annotations

import math

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.metrics.registry import LAYER_SHORT
from auditor.progress import plural
from auditor.results import CurateMeasure, CurateResult

SHARES = ("structure.opening_repetition", "duplication.near_duplicate_share")
FINE_SHARES = ("structure.template_share", "tails.rare_word_mass")


def _num(m: CurateMeasure, x: float) -> str:
    if not math.isfinite(x):
        return "-"
    if m.name in SHARES:
        return f"{x:.0%}"
    if m.name in FINE_SHARES:
        return f"{x:.1%}"
    # not a threshold: display rounding
    return f"{x:.3g}" if abs(x) >= 10 else f"{x:.3f}"


def headline(r: CurateResult) -> str:
    """'Kept 100 of 300: mean similarity 0.080 (random subsets 0.100-0.120), 0 near-copies
    (random 8-12).'"""
    parts = [f"Kept {r.counts.kept:,} of {r.counts.documents:,}"]
    sim = r.measure("topics.mean_cosine")
    if sim is not None:
        parts.append(f": mean similarity {_num(sim, sim.kept)} (random subsets "
                     f"{_num(sim, sim.random_low)}-{_num(sim, sim.random_high)})")
    dup = r.measure("duplication.near_duplicate_share")
    if dup is not None and all(map(math.isfinite, (dup.kept, dup.random_low, dup.random_high))):
        k = r.counts.kept
        parts.append(f", {round(dup.kept * k):,} near-copies (random "
                     f"{round(dup.random_low * k):,}-{round(dup.random_high * k):,})")
    return "".join(parts) + "."


def dropped_line(r: CurateResult) -> str:
    c = r.counts
    parts = [f"{plural(c.dropped_near_copies, 'near-copy', 'near-copies')} "
             f"(of {plural(c.families, 'family', 'families')})",
             f"{plural(c.dropped_semantic, 'semantic near-copy', 'semantic near-copies')}",
             f"{c.dropped_structure:,} with a repeated opening, closing or outline",
             f"{c.dropped_crowded:,} from crowded topics"]
    return "Dropped " + ", ".join(parts) + "."


def render_curate(r: CurateResult, c: Console) -> None:
    """The report (module docstring)."""
    c.print(Text(headline(r), style="bold"))
    cnt = r.counts
    c.print(dropped_line(r), highlight=False)
    c.print(f"{cnt.clusters} topic clusters; at most {plural(cnt.structure_cap, 'document')} "
            f"kept per opening, closing or outline; "
            f"{plural(cnt.protected, 'protected document')}; "
            f"{plural(cnt.skipped, 'input')} skipped.", highlight=False)
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    t.add_column("figure", max_width=30)
    t.add_column("kept", justify="right")
    t.add_column(f"random ({r.random_subsets})", justify="right")
    t.add_column("vs random")  # less samey than every random subset
    t.add_column("corpus", justify="right")
    layer = None
    for m in r.measures:
        if m.layer != layer:
            layer = m.layer
            t.add_row(Text(LAYER_SHORT.get(layer, layer), style="bold"), "", "", "", "")
        verdict = Text("beats all", style="green") if m.beats_random else Text("no")
        t.add_row(f"  {m.label}", _num(m, m.kept),
                  f"{_num(m, m.random_low)}-{_num(m, m.random_high)}", verdict,
                  _num(m, m.corpus))
    c.print(t)
    c.print(Text(f"random: {r.random_subsets} random subsets of {cnt.kept:,} documents; "
                 "'beats all': the kept set is less samey than every one. Wording, templates "
                 f"and rare words on {r.word_budget:,} words of each set.", style="dim"))
    if r.sources:
        c.print("Sources kept: " + "; ".join(
            f"{s.source} {s.kept:,} of {s.documents:,} ({s.share_kept:.0%})"
            for s in r.sources) + ".", highlight=False)
    for note in r.notes:
        c.print(f"Note: {note}", highlight=False)
    for label, path in (("manifest", r.manifest), ("kept documents", r.out)):
        if path:
            c.print(f"Wrote the {label}: {path}", markup=False, highlight=False,
                    soft_wrap=True)
