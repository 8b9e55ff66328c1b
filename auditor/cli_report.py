"""Registers the `samey report` command on the CLI app (imported at the end of cli.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .cli import (
    O_BASELINE,
    O_CACHE_DIR,
    O_CONFIG,
    O_DATE,
    O_DATE_FROM,
    O_JSON,
    O_MIN_DOCS,
    O_MIN_WORDS,
    O_MODEL,
    O_QUIET,
    O_SEG,
    O_SEG_FROM,
    O_TEXT,
    O_TITLE,
    DateFrom,
    FailOn,
    SegmentFrom,
    app,
    fails,
    load_config_values,
    make_options,
    resolve_path,
)
from .errors import InputError


@app.command()
def report(
    path: Optional[Path] = typer.Argument(None, help="Folder (or file) to report on."),
    period_end: Optional[str] = typer.Option(
        None, "--period-end", help="Month to report, YYYY-MM (default: the last month before "
        "the current one that has documents)."),
    history: Optional[Path] = typer.Option(
        None, "--history", help="History store (default: FOLDER/.samey/history.sqlite)."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Write a self-contained HTML "
                                            "report (charts, verdict, evidence) to FILE."),
    md_out: Optional[Path] = typer.Option(None, "--markdown", help="Write a short Markdown "
                                          "summary (for email or chat) to FILE."),
    json_out: Optional[Path] = O_JSON,
    min_docs: Optional[int] = O_MIN_DOCS,
    baseline: Optional[str] = O_BASELINE,
    model: Optional[str] = O_MODEL,
    text_field: Optional[str] = O_TEXT,
    date_field: Optional[str] = O_DATE,
    title_field: Optional[str] = O_TITLE,
    segment_field: Optional[str] = O_SEG,
    segment_from: Optional[SegmentFrom] = O_SEG_FROM,
    date_from: Optional[DateFrom] = O_DATE_FROM,
    min_words: Optional[int] = O_MIN_WORDS,
    cache_dir: Optional[Path] = O_CACHE_DIR,
    fail_on: FailOn = typer.Option(FailOn.never, "--fail-on", help="Exit 1 when the verdict "
                                   "reaches this level."),
    config: Optional[Path] = O_CONFIG,
    quiet: bool = O_QUIET,
) -> None:
    """Monthly report: audit up to a month, add it to the history, render the trend."""
    from .report.html import write_html
    from .report.jsonout import write_json
    from .report.markdown import render_markdown, write_markdown
    from .reporting import report as api_report

    values, cfg_path = load_config_values(config)
    target = resolve_path(path, values, cfg_path)
    values.pop("period", None)  # a report is always monthly
    opts = make_options(
        values, quiet=quiet, period="month", min_docs=min_docs, baseline=baseline, model=model,
        text_field=text_field, date_field=date_field, title_field=title_field,
        segment_field=segment_field, segment_from=segment_from, date_from=date_from,
        min_words=min_words, cache_dir=cache_dir)
    if not target.exists():
        raise InputError(f"{target}: no such file or folder; check the path.")
    result = api_report(target, opts, period_end=period_end, history=history)
    data = result.to_dict()
    if json_out:
        write_json(json_out, data)
    if html_out:
        write_html(html_out, data)
    if md_out:
        write_markdown(md_out, data)
    if not quiet:
        Console().print(render_markdown(data), markup=False, highlight=False)
    if fails(result.status, fail_on.value):
        raise typer.Exit(1)
