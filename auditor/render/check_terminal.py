"""Rich terminal report of ``samey check``: one panel per draft (status, reasons, nearest posts,
shared phrases and structure). Reads a :class:`~auditor.results.CheckResult`; computes nothing."""
from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from auditor.progress import ordinal
from auditor.render.safe import scrub
from auditor.render.styles import STATUS_STYLE
from auditor.results import CheckResult, DraftReport


def render_check(result: CheckResult, console: Console | None = None) -> None:
    """Print a check result (data shown as text, never as markup; see ``render.safe``)."""
    c = console or Console()
    result = scrub(result)
    corpus, cuts = result.corpus, result.thresholds
    n = len(result.drafts)
    periods = cuts.reference.periods
    c.print(Text.assemble(
        (str(n), "bold"), f" draft{'s' if n != 1 else ''} against ", (str(corpus.path), "bold"),
        f" ({corpus.documents} documents; index "
        f"{'built' if corpus.index.built else 'cached'}). Similarity cuts: "
        f"watch > {cuts.watch_similarity:.2f}, samey > "
        f"{cuts.samey_similarity:.2f} ({cuts.similarity_source}"
        + (f" {', '.join(periods)}" if periods and cuts.similarity_source == "baseline"
           else "") + ")."),
        highlight=False)
    for w in result.warnings:
        c.print(Text("Warning: " + w, style="yellow"))
    for d in result.drafts:
        _draft(c, d)
    status = result.status
    c.print(Text.assemble("Overall: ", (status.upper(), STATUS_STYLE.get(status, ""))))


def _draft(c: Console, d: DraftReport) -> None:
    status = d.status
    body = Table.grid(padding=(0, 1))
    body.add_column()
    for r in d.reasons:
        body.add_row(Text("- " + r))
    nov = d.novelty
    if nov.percentile is not None and nov.score is not None:
        body.add_row(Text(f"novelty {nov.score:.0f}/100: closer to its nearest post "
                          f"(similarity {nov.nn_similarity:.2f}) than "
                          f"{nov.percentile:.0f}% of the baseline's posts are to theirs",
                          style="dim"))
    elif nov.percentile is not None:
        body.add_row(Text("novelty: not scored (too short to judge)", style="dim"))
    near = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    near.add_column("nearest posts", ratio=1)
    near.add_column("similarity", justify="right", no_wrap=True)
    near.add_column("date", no_wrap=True)
    for n in d.nearest:  # by title, the path beside it (a JSONL row's path says little)
        name = Text.assemble((n.title, ""), (f"  {n.path}", "dim")) if n.title else Text(n.path)
        near.add_row(name, f"{n.similarity:.2f}", Text(n.date or ""))
    body.add_row(near)
    phrases = d.wording.shared_phrases
    if phrases:
        body.add_row(Text("common phrases: " + ", ".join(
            f"\"{p.text or p.phrase}\" ({p.docs})" for p in phrases), style="dim"))
    st = d.structure
    frames = (("opening", st.opening), ("closing", st.closing),
              ("heading_outline", st.heading_outline))
    bits = [f"{k.replace('_', ' ')} \"{v.text}\" ({v.docs} posts)"
            for k, v in frames if v is not None and v.docs >= 2]
    if st.template_coverage is not None:
        bits.append(f"template coverage {st.template_coverage:.0%} "
                    f"({ordinal(round(st.template_percentile))} percentile)")
    if bits:
        body.add_row(Text("structure: " + "; ".join(bits), style="dim"))
    layers = "  ".join(f"{k} {v}" for k, v in d.layers.items())
    c.print(Panel(body, title=Text.assemble((status.upper(), STATUS_STYLE.get(status, "")), "  ",
                                            d.name),
                  subtitle=Text(layers), title_align="left", subtitle_align="right"))
