"""``samey report FOLDER``: a thin wrapper over :func:`auditor.report`.

The terminal gets the Markdown summary as plain text (bold kept, no ``**`` markers) and the list
of files the run wrote. ``--json -``, ``--markdown -`` or ``--html -`` (one of them) writes that
output to standard output; the terminal summary and the list then go to stderr.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.text import Text

from auditor.cli.options import (
    O_ACTIONS_CSV,
    O_BACKEND,
    O_BASELINE,
    O_CACHE_DIR,
    O_CONFIG,
    O_DATE,
    O_DATE_FORMAT,
    O_DATE_FROM,
    O_ENGINE,
    O_JSON,
    O_MIN_DOCS,
    O_MIN_RECORD_WORDS,
    O_MIN_WORDS,
    O_MODEL,
    O_OUTPUT_IN_CORPUS,
    O_QUIET,
    O_SCHEDULER,
    O_SEG,
    O_SOURCE,
    O_SEG_FROM,
    O_SITE_DUPLICATES,
    O_TEXT,
    O_TITLE,
    O_WORKERS,
    DateFrom,
    FailOn,
    SegmentFrom,
    check_outputs,
    epilog,
    exit_if_fails,
    human_console,
    load_config_values,
    make_options,
    resolve_path,
    say_written,
    to_stdout,
    write_outputs,
)
from auditor.errors import InputError
from auditor.render.safe import terminal_text

EPILOG = epilog(
    "samey report content/blog --html report.html --markdown summary.md",
    "the verdict reached --fail-on (samey or watch; default never)")


def report(
    path: Optional[Path] = typer.Argument(None, metavar="FOLDER", help="Folder (or file) to "
                                          "report on (default: 'corpus' in samey.toml)."),
    period_end: Optional[str] = typer.Option(
        None, "--period-end", metavar="YYYY-MM", help="Month to report (default: the last "
        "month before the current one that has documents)."),
    history: Optional[Path] = typer.Option(
        None, "--history", metavar="FILE",
        help="History store (default: FOLDER/.samey/history.sqlite)."),
    html_out: Optional[Path] = typer.Option(None, "--html", metavar="FILE", help="Write a "
                                            "self-contained HTML report (charts, verdict, "
                                            "evidence) to FILE (- for standard output)."),
    md_out: Optional[Path] = typer.Option(None, "--markdown", metavar="FILE", help="Write a short "
                                          "Markdown summary (for email or chat) to FILE (- for "
                                          "standard output)."),
    json_out: Optional[Path] = O_JSON,
    output_in_corpus: bool = O_OUTPUT_IN_CORPUS,
    actions_csv: Optional[Path] = O_ACTIONS_CSV,
    min_docs: Optional[int] = O_MIN_DOCS,
    baseline: Optional[str] = O_BASELINE,
    model: Optional[str] = O_MODEL,
    backend: Optional[str] = O_BACKEND,
    text_field: Optional[str] = O_TEXT,
    date_field: Optional[str] = O_DATE,
    title_field: Optional[str] = O_TITLE,
    segment_field: Optional[str] = O_SEG,
    source_field: Optional[str] = O_SOURCE,
    segment_from: Optional[SegmentFrom] = O_SEG_FROM,
    date_from: Optional[DateFrom] = O_DATE_FROM,
    date_format: Optional[str] = O_DATE_FORMAT,
    min_words: Optional[int] = O_MIN_WORDS,
    min_record_words: Optional[int] = O_MIN_RECORD_WORDS,
    cache_dir: Optional[Path] = O_CACHE_DIR,
    engine: Optional[str] = O_ENGINE,
    workers: Optional[int] = O_WORKERS,
    scheduler: Optional[str] = O_SCHEDULER,
    fail_on: FailOn = typer.Option(FailOn.never, "--fail-on", metavar="never|watch|samey",
                                   help="Exit 1 when the verdict reaches this level."),
    site_duplicates: Optional[bool] = O_SITE_DUPLICATES,
    config: Optional[Path] = O_CONFIG,
    quiet: bool = O_QUIET,
) -> None:
    """Monthly report: audit up to a month, add it to the history, render the trend."""
    from auditor.app.report import report as api_report
    from auditor.render.markdown import render_markdown

    console = human_console(quiet, to_stdout(json=json_out, markdown=md_out, html=html_out,
                                               actions_csv=actions_csv))
    values, cfg_path = load_config_values(config)
    target = resolve_path(path, values, cfg_path)
    exclude = check_outputs(target, {"html": html_out, "markdown": md_out, "json": json_out,
                                     "history": history, "actions-csv": actions_csv}, allow_inside=output_in_corpus,
                            exclude=values.get("ingest", {}).get("exclude"))
    values.pop("period", None)  # a report is always monthly
    opts = make_options(
        values, quiet=quiet, period="month", min_docs=min_docs, baseline=baseline, model=model,
        text_field=text_field, date_field=date_field, title_field=title_field,
        segment_field=segment_field, source_field=source_field,
        segment_from=segment_from, date_from=date_from,
        date_format=date_format, exclude=exclude or None,
        min_words=min_words, min_record_words=min_record_words, cache_dir=cache_dir,
        backend=backend, site_duplicates=site_duplicates, engine=engine, workers=workers,
        scheduler=scheduler)
    if not target.exists():
        raise InputError(f"{target}: no such file or folder; check the path.")
    written: list = []

    def write(result: object) -> None:  # before the history commits: never a month without it
        written.extend(write_outputs(result, html=html_out, markdown=md_out, json=json_out,
                                     actions_csv=actions_csv))

    result = api_report(target, opts, period_end=period_end, history=history,
                        before_commit=write)
    if console is not None:
        print_markdown(console, render_markdown(result))
    say_written(console, [*written, ("history store", result.history_path)])
    exit_if_fails(result.status, fail_on)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def print_markdown(console: Console, markdown: str) -> None:
    """The summary as terminal text: ``**bold**`` shown bold without its stars, ``- `` items and
    everything else as written (no markup is interpreted: corpus text stays literal; the
    Markdown's HTML escapes undone and escape sequences removed, see ``render.safe``)."""
    for line in terminal_text(html.unescape(markdown)).rstrip("\n").split("\n"):
        text = Text()
        for i, part in enumerate(_BOLD.split(line)):
            text.append(part, style="bold" if i % 2 else "")
        console.print(text, highlight=False)
