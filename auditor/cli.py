"""The ``samey`` command: thin typer wrappers over the Python API.

Exit codes: 0 done; 1 ``--fail-on`` reached; 2 usage error; 3 input error; 130 interrupted
(Ctrl-C). Errors are one line, ``Error: ...``, naming the file or option and the fix; never a
traceback.

Streams: ``--json -`` (and ``--markdown -`` / ``--html -`` of ``report``) write that output to
standard output, and then nothing else goes there: the human report and the list of written
files go to stderr (``--quiet`` drops them). Progress is always on stderr: a bar on a terminal,
plain lines otherwise (see :mod:`auditor.progress`).
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

try:  # typer >= 0.20 vendors its own click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx

from . import __version__
from .config import build_options, find_config, read_config
from .errors import InputError, SameyError, UsageError
from .progress import plain_lines

try:
    from typer.core import TyperArgument, TyperCommand, TyperOption
except ImportError:  # pragma: no cover
    TyperArgument = TyperCommand = TyperOption = None  # type: ignore[assignment,misc]


if TyperCommand is not None:
    class _Option(TyperOption):  # type: ignore[misc,valid-type]
        """An option shown with its metavar (``FILE``, ``N``), a flag with none (no ``<bool>``)."""

        def display_type_rich(self, ctx: Any) -> Any:
            if self.is_flag or self.count:
                return None
            return self.metavar if self.metavar is not None else super().display_type_rich(ctx)

    class _Argument(TyperArgument):  # type: ignore[misc,valid-type]
        """An argument shown by its metavar alone (``FOLDER``, ``DRAFT``; no ``list[str]``)."""

        def display_type_rich(self, ctx: Any) -> Any:
            return None if self.metavar is not None else super().display_type_rich(ctx)

    class SameyCommand(TyperCommand):  # type: ignore[misc,valid-type]
        """Help without type hints such as ``<bool>`` or ``<list[str]>``: metavars only."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for p in self.params:
                _plain_param(p)

        def get_help_option(self, ctx: Any) -> Any:
            return _plain_param(super().get_help_option(ctx))

        def invoke(self, ctx: Any) -> Any:
            """Ctrl-C: one line saying what was kept, and exit code 130 (typer would exit
            silently)."""
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt as e:
                raise typer.Exit(_interrupted(e)) from None

    def _plain_param(p: Any) -> Any:
        if type(p) is TyperOption and hasattr(TyperOption, "display_type_rich"):
            p.__class__ = _Option
        elif type(p) is TyperArgument and hasattr(TyperArgument, "display_type_rich"):
            p.__class__ = _Argument
        return p
else:  # pragma: no cover
    SameyCommand = None  # type: ignore[assignment,misc]


def epilog(example: str, fail_on: str) -> str:
    """The help's closing paragraphs: an example and the exit codes (each on its own line)."""
    return (f"Example:\n  {example}\n\n"
            "Exit codes:\n"
            "  0    done\n"
            f"  1    {fail_on}\n"
            "  2    usage error (bad option or config file)\n"
            "  3    input error (no such path, no documents, model or history unusable)\n"
            "  130  interrupted (Ctrl-C); finished embeddings stay cached, a re-run resumes")


app = typer.Typer(
    name="samey", add_completion=False, no_args_is_help=True,
    help="Audit brand content for homogenization: is it becoming samey?",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


class Period(str, Enum):
    month = "month"
    quarter = "quarter"
    year = "year"
    auto = "auto"


class FailOn(str, Enum):
    never = "never"
    watch = "watch"
    samey = "samey"


class DateFrom(str, Enum):
    git = "git"
    mtime = "mtime"


class SegmentFrom(str, Enum):
    field = "field"
    folder = "folder"


RANK = {"ok": 0, "watch": 1, "samey": 2}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"samey {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """samey: a content-homogenization auditor for marketing text."""


def load_config_values(config: Optional[Path]) -> tuple[dict[str, Any], Optional[Path]]:
    """Values of ``--config FILE`` or of the nearest samey.toml / [tool.samey]."""
    path = config or find_config()
    if config is not None and not config.is_file():
        raise UsageError(f"--config {config}: no such file.")
    return (read_config(path), path) if path else ({}, None)


def resolve_path(path: Optional[Path], values: dict[str, Any], config_path: Optional[Path]) -> Path:
    if path is not None:
        return path
    corpus = values.get("corpus")
    if corpus and config_path:
        return (config_path.parent / corpus).resolve()
    raise UsageError("give a FOLDER to audit, or set 'corpus' in samey.toml.")


def fails(status: str, fail_on: str) -> bool:
    """True when ``status`` reaches the ``--fail-on`` level."""
    return fail_on != "never" and RANK.get(status, 0) >= RANK[fail_on]


# Options shared by audit, check and report.
O_PERIOD = typer.Option(None, "--period", metavar="month|quarter|year|auto",
                        help="Period length (default auto).")
O_MIN_DOCS = typer.Option(None, "--min-docs", metavar="N",
                          help="Fewest documents per period (default 20).")
O_BASELINE = typer.Option(None, "--baseline", metavar="START..END",
                          help="Baseline periods, e.g. 2019..2020 or 2025-01..2025-06.")
O_MODEL = typer.Option(None, "--model", metavar="NAME|PATH", help="sentence-transformers model "
                       "name or folder (default: the packaged all-MiniLM-L6-v2; 'hashing' for a "
                       "fast test mode).")
O_TEXT = typer.Option(None, "--text-field", metavar="NAME",
                      help="Text column/key of JSON, JSONL, CSV inputs.")
O_DATE = typer.Option(None, "--date-field", metavar="NAME",
                      help="Date column/key (default: auto-detected).")
O_TITLE = typer.Option(None, "--title-field", metavar="NAME",
                       help="Title column/key (default: auto-detected).")
O_SEG = typer.Option(None, "--segment-field", metavar="NAME",
                     help="Front-matter key or column naming a segment.")
O_SEG_FROM = typer.Option(None, "--segment-from", metavar="field|folder",
                          help="Where segments come from (default field).")
O_DATE_FROM = typer.Option(None, "--date-from", metavar="git|mtime", help="Also date files by "
                           "their first git commit (git) or modification time (mtime) when "
                           "nothing else dates them.")
O_JSON = typer.Option(None, "--json", metavar="FILE", help="Write the versioned JSON result to "
                      "FILE (- for standard output).")
O_CONFIG = typer.Option(None, "--config", metavar="FILE", help="Config file (default: the "
                        "nearest samey.toml, or \\[tool.samey] in pyproject.toml).")
O_QUIET = typer.Option(False, "--quiet", "-q", help="No progress and no terminal report.")
O_MIN_WORDS = typer.Option(None, "--min-words", metavar="N",
                           help="Shortest document, in words (default 20).")
O_MIN_RECORD_WORDS = typer.Option(None, "--min-record-words", metavar="N",
                                  help="Shortest row of a CSV/TSV/JSON export (ad headlines and "
                                  "descriptions), in words (default 3).")
O_CACHE_DIR = typer.Option(None, "--cache-dir", metavar="FOLDER", help="Cache folder for "
                           "embeddings and the check index (default ~/.cache/samey or "
                           "$SAMEY_CACHE_DIR).")


def make_options(values: dict[str, Any], *, quiet: bool, **flags: Any):
    """Options from config-file values and command-line flags (enums and paths unwrapped).

    Progress is on unless ``--quiet``: a bar on a terminal, plain lines on a non-terminal stderr
    (switched on by :func:`main`)."""
    plain = {k: (v.value if isinstance(v, Enum) else str(v) if isinstance(v, Path) else v)
             for k, v in flags.items()}
    return build_options(values, progress=not quiet, **plain)


def to_stdout(**outputs: Any) -> bool:
    """True when one output option is ``-`` (standard output); more than one is a usage error."""
    from .render.jsonout import is_stdout

    dash = [f"--{name.replace('_', '-')}" for name, p in outputs.items() if is_stdout(p)]
    if len(dash) > 1:
        raise UsageError(f"{' and '.join(dash)} both ask for standard output (-); write all but "
                         "one of them to a file.")
    return bool(dash)


def human_console(quiet: bool, stdout_taken: bool) -> Optional[Console]:
    """Where the human report goes: stdout, stderr when stdout carries ``-`` data, or nowhere."""
    return None if quiet else Console(stderr=stdout_taken)


def say_written(console: Optional[Console], written: list[tuple[str, Any]]) -> None:
    """List the files written (``what``, path); outputs sent to stdout are not files."""
    from .render.jsonout import is_stdout

    files = [(what, p) for what, p in written if p is not None and not is_stdout(p)]
    if console is None or not files:
        return
    for what, p in files:
        console.print(f"Wrote the {what}: {p}", markup=False, highlight=False, soft_wrap=True)


@app.command(cls=SameyCommand, epilog=epilog(
    "samey audit content/blog --json audit.json --fail-on samey",
    "the verdict reached --fail-on (samey or watch; default never)"))
def audit(
    path: Optional[Path] = typer.Argument(None, metavar="FOLDER", help="Folder or file to audit "
                                          "(default: 'corpus' in samey.toml)."),
    period: Optional[Period] = O_PERIOD,
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
    min_record_words: Optional[int] = O_MIN_RECORD_WORDS,
    sample_size: Optional[int] = typer.Option(None, "--sample-size", metavar="N",
                                              help="Documents per sample (default: half the "
                                              "smallest period, at most 200)."),
    text_budget: Optional[int] = typer.Option(None, "--text-budget", metavar="N", help="Words "
                                              "per document for lexical metrics (default 300)."),
    repeats: Optional[int] = typer.Option(None, "--repeats", metavar="N",
                                          help="Samples per period (default 20)."),
    seed: Optional[int] = typer.Option(None, "--seed", metavar="N",
                                       help="Random seed (default 0)."),
    cache_dir: Optional[Path] = O_CACHE_DIR,
    json_out: Optional[Path] = O_JSON,
    fail_on: FailOn = typer.Option(FailOn.never, "--fail-on", metavar="never|watch|samey",
                                   help="Exit 1 when the verdict reaches this level."),
    config: Optional[Path] = O_CONFIG,
    quiet: bool = O_QUIET,
) -> None:
    """Audit a content folder period by period: is it becoming samey?"""
    from . import audit as api_audit
    from .render.jsonout import write_json
    from .render.terminal import render_audit

    console = human_console(quiet, to_stdout(json=json_out))
    values, cfg_path = load_config_values(config)
    target = resolve_path(path, values, cfg_path)
    opts = make_options(
        values, quiet=quiet, period=period, min_docs=min_docs, baseline=baseline, model=model,
        text_field=text_field, date_field=date_field, title_field=title_field,
        segment_field=segment_field, segment_from=segment_from, date_from=date_from,
        min_words=min_words, min_record_words=min_record_words, sample_size=sample_size,
        text_budget=text_budget, repeats=repeats,
        random_state=seed, cache_dir=cache_dir)
    if not target.exists():
        raise InputError(f"{target}: no such file or folder; check the path.")
    result = api_audit(target, opts)
    data = result.to_dict()
    if json_out:
        write_json(json_out, data)
    if console is not None:
        render_audit(data, console)
    say_written(console, [("JSON result", json_out)])
    if fails(result.status, fail_on.value):
        print(f"exit 1: the verdict is {result.status}, which reaches --fail-on {fail_on.value}.",
              file=sys.stderr)
        raise typer.Exit(1)


def _error(msg: str) -> None:
    """One plain, unwrapped line on stderr."""
    print(f"Error: {' '.join(msg.split())}", file=sys.stderr)


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI; returns the exit code (tests call this)."""
    cmd = typer.main.get_command(app)
    try:
        with plain_lines(not sys.stderr.isatty()):
            rv = cmd.main(args=argv, prog_name="samey", standalone_mode=False)
        return int(rv or 0)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort as e:
        return _interrupted(e.__cause__)
    except _cx.NoArgsIsHelpError as e:
        err.print(e.format_message(), markup=False, highlight=False)
        return 2
    except _cx.UsageError as e:
        _error(e.format_message())
        return 2
    except SameyError as e:
        _error(str(e))
        return e.exit_code
    except KeyboardInterrupt as e:
        return _interrupted(e)


def _interrupted(e: Optional[BaseException]) -> int:
    """Ctrl-C: one line on stderr (what was kept, when known), exit code 130."""
    detail = str(e) if isinstance(e, KeyboardInterrupt) and str(e) else ""
    print(f"Interrupted{': ' + detail if detail else '.'}", file=sys.stderr, flush=True)
    return 130


def entry() -> None:  # console script
    sys.exit(main())


# Commands defined in their own modules register themselves on ``app`` when imported.
from . import cli_check, cli_report  # noqa: E402,F401
