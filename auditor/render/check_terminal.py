"""Rich terminal report of ``samey check``: one panel per draft (status, reasons, nearest posts,
shared phrases and structure). Reads the dict that ``--json`` writes; computes nothing."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from auditor.progress import ordinal

STYLE = {"ok": "green", "watch": "yellow", "samey": "bold red"}


def render_check(result: dict[str, Any], console: Console | None = None) -> None:
    """Print a check result (the dict of ``CheckResult.to_dict``)."""
    c = console or Console()
    corpus, cuts = result.get("corpus", {}), result.get("thresholds", {})
    c.print(
        f"[bold]{len(result.get('drafts', []))}[/] "
        f"draft{'s' if len(result.get('drafts', [])) != 1 else ''} against "
        f"[bold]{corpus.get('path')}[/]"
        f" ({corpus.get('documents')} documents; index "
        f"{'built' if corpus.get('index', {}).get('built') else 'cached'}). Similarity cuts: "
        f"watch > {cuts.get('watch_similarity', float('nan')):.2f}, samey > "
        f"{cuts.get('samey_similarity', float('nan')):.2f} ({cuts.get('similarity_source')}"
        + (f" {', '.join(ref['periods'])}" if (ref := cuts.get("reference") or {}).get("periods")
           and cuts.get("similarity_source") == "baseline" else "") + ").",
        highlight=False)
    for w in result.get("warnings", []):
        c.print(Text("Warning: " + w, style="yellow"))
    for d in result.get("drafts", []):
        _draft(c, d)
    status = result.get("status", "ok")
    c.print(Text.assemble("Overall: ", (status.upper(), STYLE.get(status, ""))))


def _draft(c: Console, d: dict[str, Any]) -> None:
    status = d["status"]
    body = Table.grid(padding=(0, 1))
    body.add_column()
    for r in d.get("reasons", []):
        body.add_row(Text("- " + r))
    nov = d.get("novelty", {})
    if nov.get("percentile") is not None and nov.get("score") is not None:
        body.add_row(Text(f"novelty {nov['score']:.0f}/100: closer to its nearest post "
                          f"(similarity {nov['nn_similarity']:.2f}) than "
                          f"{nov['percentile']:.0f}% of the baseline's posts are to theirs",
                          style="dim"))
    elif nov.get("percentile") is not None:
        body.add_row(Text("novelty: not scored (too short to judge)", style="dim"))
    near = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    near.add_column("nearest posts")
    near.add_column("similarity", justify="right")
    near.add_column("date")
    for n in d.get("nearest", []):
        near.add_row(n["path"], f"{n['similarity']:.2f}", n.get("date") or "")
    body.add_row(near)
    phrases = d.get("wording", {}).get("shared_phrases", [])
    if phrases:
        body.add_row(Text("common phrases: " + ", ".join(
            f"\"{p.get('text') or p['phrase']}\" ({p['docs']})" for p in phrases), style="dim"))
    st = d.get("structure", {})
    bits = [f"{k.replace('_', ' ')} \"{v['text']}\" ({v['docs']} posts)"
            for k in ("opening", "closing", "heading_outline")
            if (v := st.get(k)) and v.get("docs", 0) >= 2]
    if st.get("template_coverage") is not None:
        bits.append(f"template coverage {st['template_coverage']:.0%} "
                    f"({ordinal(round(st.get('template_percentile', 0)))} percentile)")
    if bits:
        body.add_row(Text("structure: " + "; ".join(bits), style="dim"))
    layers = "  ".join(f"{k} {v}" for k, v in d.get("layers", {}).items())
    c.print(Panel(body, title=Text.assemble((status.upper(), STYLE.get(status, "")), "  ",
                                            d["name"]),
                  subtitle=layers, title_align="left", subtitle_align="right"))
