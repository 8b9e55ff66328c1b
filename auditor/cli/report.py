"""``samey report FOLDER``: a thin wrapper over :func:`auditor.report`.

The terminal gets the Markdown summary as plain text (bold kept, no ``**`` markers) and the list
of files the run wrote. ``--json -``, ``--markdown -`` or ``--html -`` (one of them) writes that
output to standard output; the terminal summary and the list then go to stderr.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.text import Text

from auditor.cli import options as opt
from auditor.errors import InputError
from auditor.render.safe import terminal_text

EPILOG = opt.epilog(
    "samey report content/blog --html report.html --markdown summary.md",
    "the verdict reached --fail-on (samey or watch; default never)")


@opt.corpus_options(*opt.CORPUS_OPTIONS)
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
    json_out: Optional[Path] = opt.O_JSON,
    output_in_corpus: bool = opt.O_OUTPUT_IN_CORPUS,
    actions_csv: Optional[Path] = opt.O_ACTIONS_CSV,
    fail_on: opt.FailOn = typer.Option(opt.FailOn.never, "--fail-on", metavar="never|watch|samey",
                                   help="Exit 1 when the verdict reaches this level."),
    config: Optional[Path] = opt.O_CONFIG,
    quiet: bool = opt.O_QUIET,
    **corpus: Any,
) -> None:
    """Monthly report: audit up to a month, add it to the history, render the trend."""
    from auditor.app.report import report as api_report
    from auditor.render.markdown import render_markdown

    console = opt.human_console(quiet, opt.to_stdout(json=json_out, markdown=md_out, html=html_out,
                                               actions_csv=actions_csv))
    values, cfg_path = opt.load_config_values(config)
    target = opt.resolve_path(path, values, cfg_path)
    exclude = opt.check_outputs(target, {"html": html_out, "markdown": md_out, "json": json_out,
                                         "history": history, "actions-csv": actions_csv},
                                allow_inside=output_in_corpus,
                                exclude=values.get("ingest", {}).get("exclude"))
    values.pop("period", None)  # a report is always monthly
    opts = opt.make_options(values, quiet=quiet, period="month", exclude=exclude or None,
                            **corpus)
    if not target.exists():
        raise InputError(f"{target}: no such file or folder; check the path.")
    written: list[tuple[str, Any]] = []

    def write(result: object) -> None:  # before the history commits: never a month without it
        written.extend(opt.write_outputs(result, html=html_out, markdown=md_out, json=json_out,
                                         actions_csv=actions_csv))

    result = api_report(target, opts, period_end=period_end, history=history,
                        before_commit=write)
    if console is not None:
        print_markdown(console, render_markdown(result))
    opt.say_written(console, [*written, ("history store", result.history_path)])
    opt.exit_if_fails(result.status, fail_on)


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
