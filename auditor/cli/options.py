"""What the commands share: option declarations, config loading, output streams, help layout.

Streams: ``--json -`` (and ``--markdown -`` / ``--html -`` of ``report``) write that output to
standard output, and then nothing else goes there: the human report and the list of written
files go to stderr (``--quiet`` drops them). Progress is always on stderr: a bar on a terminal,
plain lines otherwise (see :mod:`auditor.progress`).
"""
from __future__ import annotations

import functools
import inspect
import os
import sys
import typing
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Optional, TypeVar

import typer
from rich.console import Console

from auditor.config import AuditOptions, build_options, find_config, read_config
from auditor.errors import InputError, UsageError
from auditor.types import RANK

F = TypeVar("F", bound=Callable[..., Any])

try:
    from typer.core import TyperArgument, TyperCommand, TyperOption
except ImportError:  # pragma: no cover
    TyperArgument = TyperCommand = TyperOption = None  # type: ignore[assignment,misc]


if TyperCommand is not None:
    class _Option(TyperOption):
        """An option shown with its metavar (``FILE``, ``N``), a flag with none (no ``<bool>``)."""

        def display_type_rich(self, ctx: Any) -> Any:
            if self.is_flag or self.count:
                return None
            return self.metavar if self.metavar is not None else super().display_type_rich(ctx)

    class _Argument(TyperArgument):
        """An argument shown by its metavar alone (``FOLDER``, ``DRAFT``; no ``list[str]``)."""

        def display_type_rich(self, ctx: Any) -> Any:
            return None if self.metavar is not None else super().display_type_rich(ctx)

    class SameyCommand(TyperCommand):
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
                raise typer.Exit(interrupted(e)) from None

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
            "  4    internal error (a bug; --debug before the command shows the traceback)\n"
            "  130  interrupted (Ctrl-C); finished embeddings stay cached, a re-run resumes")


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
        found: Path = (config_path.parent / corpus).resolve()
        return found
    raise UsageError("give a FOLDER to audit, or set 'corpus' in samey.toml.")


def fails(status: str, fail_on: str) -> bool:
    """True when ``status`` reaches the ``--fail-on`` level."""
    return fail_on != "never" and RANK.get(status, 0) >= RANK[fail_on]


def exit_if_fails(status: str, fail_on: Enum, what: str = "the verdict") -> None:
    """Exit 1, with one line on stderr, when ``status`` reaches ``--fail-on``."""
    if fails(status, fail_on.value):
        print(f"exit 1: {what} is {status}, which reaches --fail-on {fail_on.value}.",
              file=sys.stderr)
        raise typer.Exit(1)


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
O_BACKEND = typer.Option(None, "--backend", metavar="torch|numpy|onnx|onnx-int8",
                         help="Embedding backend (default torch; numpy: the same vectors without "
                         "torch, about 400 MB less memory; onnx and onnx-int8 need "
                         "samey\\[onnx]: faster on large corpora, see README 'Faster embedding').")
O_ENGINE = typer.Option(None, "--engine", metavar="local|dask", help="Read the corpus in this "
                        "process (local, the default) or in partitions on a Dask cluster (dask; "
                        "needs samey\\[dask]; same result, see README 'Running on a cluster').")
O_WORKERS = typer.Option(None, "--workers", metavar="N", help="--engine dask: start a local "
                         "cluster of N worker processes (default: one per CPU core).")
O_SCHEDULER = typer.Option(None, "--scheduler", metavar="ADDRESS", help="--engine dask: use the "
                           "running cluster at ADDRESS (e.g. tcp://10.0.0.5:8786).")
O_TEXT = typer.Option(None, "--text-field", metavar="NAME",
                      help="Text column/key of JSON, JSONL, CSV inputs.")
O_DATE = typer.Option(None, "--date-field", metavar="NAME",
                      help="Date column/key (default: auto-detected).")
O_TITLE = typer.Option(None, "--title-field", metavar="NAME",
                       help="Title column/key (default: auto-detected).")
O_SEG = typer.Option(None, "--segment-field", metavar="NAME",
                     help="Front-matter key or column naming a segment.")
O_SOURCE = typer.Option(None, "--source-field", metavar="NAME", help="Front-matter key or "
                        "column naming who or what wrote each post (author, tool, agency, "
                        "channel).")
O_ACTIONS_CSV = typer.Option(None, "--actions-csv", metavar="FILE", help="Write the posts to "
                             "revise first (latest and flagged periods) as CSV, for a content "
                             "calendar (- for standard output).")
O_SEG_FROM = typer.Option(None, "--segment-from", metavar="field|folder",
                          help="Where segments come from (default field).")
O_DATE_FROM = typer.Option(None, "--date-from", metavar="git|mtime", help="Also date files by "
                           "their first git commit (git) or modification time (mtime) when "
                           "nothing else dates them.")
O_JSON = typer.Option(None, "--json", metavar="FILE", help="Write the versioned JSON result to "
                      "FILE (- for standard output).")
O_DATE_FORMAT = typer.Option(None, "--date-format", metavar="PATTERN", help="strptime pattern "
                             "of the dates in front matter or a date column, e.g. %m/%d/%Y for "
                             "03/24/2024 (default: ISO and other unambiguous forms only).")
O_OUTPUT_IN_CORPUS = typer.Option(False, "--output-in-corpus", help="Allow output files inside "
                                  "the corpus folder (they are then not read as inputs).")
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
O_SITE_DUPLICATES = typer.Option(
    None, "--site-duplicates/--no-site-duplicates", help="Near-duplicate families over every "
    "document, not only the period samples (default on; one MinHash per document during the "
    "read).")


def make_options(values: dict[str, Any], *, quiet: bool, **flags: Any) -> AuditOptions:
    """Options from config-file values and command-line flags (enums and paths unwrapped).

    Progress is on unless ``--quiet``: a bar on a terminal, plain lines on a non-terminal stderr
    (switched on by :func:`main`)."""
    plain = {k: (v.value if isinstance(v, Enum) else str(v) if isinstance(v, Path) else v)
             for k, v in flags.items()}
    return build_options(values, progress=not quiet, **plain)


def to_stdout(**outputs: Any) -> bool:
    """True when one output option is ``-`` (standard output); more than one is a usage error."""
    from auditor.render.jsonout import is_stdout

    dash = [f"--{name.replace('_', '-')}" for name, p in outputs.items() if is_stdout(p)]
    if len(dash) > 1:
        raise UsageError(f"{' and '.join(dash)} both ask for standard output (-); write all but "
                         "one of them to a file.")
    return bool(dash)


def write_outputs(result: Any, **outputs: Any) -> list[tuple[str, Any]]:
    """Write ``result`` in every requested form (``json=``, ``html=``, ``markdown=``: a path,
    ``-`` for standard output, or None) with :data:`auditor.render.WRITERS`; at most one may be
    ``-``. Returns (what, path) of each output asked for, for :func:`say_written`."""
    from auditor.render import NAMES, WRITERS

    to_stdout(**outputs)
    json_path = outputs.get("json")
    written = []
    for kind, path in outputs.items():
        if path is not None:
            WRITERS[kind](path, result, json_path=json_path)
        written.append((NAMES[kind], path))
    return written


def human_console(quiet: bool, stdout_taken: bool) -> Optional[Console]:
    """Where the human report goes: stdout, stderr when stdout carries ``-`` data, or nowhere."""
    return None if quiet else Console(stderr=stdout_taken)


def say_written(console: Optional[Console], written: list[tuple[str, Any]]) -> None:
    """List the files written (``what``, path); outputs sent to stdout are not files."""
    from auditor.render.jsonout import is_stdout

    files = [(what, p) for what, p in written if p is not None and not is_stdout(p)]
    if console is None or not files:
        return
    for what, p in files:
        console.print(f"Wrote the {what}: {p}", markup=False, highlight=False, soft_wrap=True)


def interrupted(e: Optional[BaseException]) -> int:
    """Ctrl-C: one line on stderr (what was kept, when known), exit code 130."""
    detail = str(e) if isinstance(e, KeyboardInterrupt) and str(e) else ""
    print(f"Interrupted{': ' + detail if detail else '.'}", file=sys.stderr, flush=True)
    return 130


#: Output names in messages, and a file name to suggest when a folder is given.
_OUTPUT_FILES = {"json": "audit.json", "html": "report.html", "markdown": "summary.md",
                 "history": "history.sqlite", "manifest": "manifest.jsonl",
                 "actions-csv": "actions.csv"}


def check_outputs(target: Path, outputs: dict[str, Any], *, allow_inside: bool = False,
                  exclude: Any = (), inputs: Any = ()) -> tuple[str, ...]:
    """Refuse, before any work, an output (``{option name: path or None}``) that is a folder,
    that lies below a file, that is the input file, or that lies inside the corpus folder
    where the next run would read it back as an input (allowed with ``--output-in-corpus``;
    hidden paths such as ``FOLDER/.samey/`` are never inputs, so they are always allowed).
    ``inputs``: other input files (``samey check``'s drafts), which no output may be either.
    Returns the corpus exclusions (``IngestOptions.exclude``): ``exclude`` plus the outputs
    allowed inside the corpus, relative to it."""
    from auditor.files import is_stdout
    from auditor.ingest.walk import SKIP_DIRS

    out = [str(x) for x in exclude or ()]
    corpus = target.resolve()
    seen: dict[Path, str] = {}
    for name, value in outputs.items():
        if name == "history" and value is not None and is_stdout(value):
            raise UsageError("--history -: the history is a database file, it cannot go to "
                             "standard output; give a file name, e.g. --history "
                             "history.sqlite.")
        if name == "manifest" and value is not None and is_stdout(value):
            raise UsageError("--manifest -: the manifest is written as a file; give a file "
                             "name, e.g. --manifest manifest.jsonl (--json - prints the result).")
        if value is None or is_stdout(value):
            continue
        opt, path = f"--{name}", Path(value)
        if path.resolve() in seen:
            raise UsageError(f"{seen[path.resolve()]} and {opt} both write {path}: one would "
                             "overwrite the other; give each output its own file.")
        seen[path.resolve()] = opt
        if path.is_dir():
            raise UsageError(f"{opt} {path}: is a folder; give a file name, e.g. "
                             f"{opt} {path / _OUTPUT_FILES.get(name, 'out')}.")
        above = next((p for p in path.absolute().parents if p.exists()), None)
        if above is not None and not above.is_dir():
            raise UsageError(f"{opt} {path}: {above} is a file, not a folder; fix the path.")
        full = path.resolve()
        for other in inputs:
            if Path(other).exists() and Path(other).resolve() == full:
                raise UsageError(f"{opt} {path} is the input file {other}; writing it would "
                                 "destroy the input: write the output to another file.")
        if full == corpus:
            raise UsageError(f"{opt} {path} is the input file {target}; writing it would "
                             "destroy the input: write the output to another file.")
        if corpus.is_dir() and full.is_relative_to(corpus):
            rel = full.relative_to(corpus).as_posix()
            if any(part.startswith(".") or part in SKIP_DIRS for part in rel.split("/")):
                continue  # hidden: never read as an input
            if not allow_inside:
                now = " (it is one of the corpus's files now)" if full.exists() else ""
                raise UsageError(
                    f"{opt} {path} lies inside the corpus {target}{now}, so it would be read "
                    "back as an input (or overwrite one): write it outside the corpus or in a "
                    f"hidden folder such as {target / '.samey'}, or pass --output-in-corpus to "
                    "write it there and leave it out of the inputs.")
            out.append(rel)
            if name == "history":  # SQLite's companions while it writes
                out += [rel + "-wal", rel + "-shm", rel + "-journal"]
        if full.exists() and not os.access(full, os.W_OK):
            raise InputError(f"{path}: cannot write the file (permission denied); check that "
                             "you may write it, or write somewhere else.")
        if above is not None and not full.exists() and not os.access(above, os.W_OK | os.X_OK):
            raise InputError(f"{path}: cannot write in {above} (permission denied); check that "
                             "you may write there, or write somewhere else.")
    return tuple(dict.fromkeys(out))


#: The options that say how a corpus is read, embedded and run, declared once: name (as
#: :func:`make_options` reads it) -> (type, typer option). A command takes the ones it needs
#: with :func:`corpus_options` and passes them on as they came.
CORPUS_OPTIONS: dict[str, tuple[Any, Any]] = {
    "min_docs": (Optional[int], O_MIN_DOCS),
    "baseline": (Optional[str], O_BASELINE),
    "model": (Optional[str], O_MODEL),
    "backend": (Optional[str], O_BACKEND),
    "text_field": (Optional[str], O_TEXT),
    "date_field": (Optional[str], O_DATE),
    "title_field": (Optional[str], O_TITLE),
    "segment_field": (Optional[str], O_SEG),
    "source_field": (Optional[str], O_SOURCE),
    "segment_from": (Optional[SegmentFrom], O_SEG_FROM),
    "date_from": (Optional[DateFrom], O_DATE_FROM),
    "date_format": (Optional[str], O_DATE_FORMAT),
    "min_words": (Optional[int], O_MIN_WORDS),
    "min_record_words": (Optional[int], O_MIN_RECORD_WORDS),
    "cache_dir": (Optional[Path], O_CACHE_DIR),
    "engine": (Optional[str], O_ENGINE),
    "workers": (Optional[int], O_WORKERS),
    "scheduler": (Optional[str], O_SCHEDULER),
    "site_duplicates": (Optional[bool], O_SITE_DUPLICATES),
}


#: a command's own options that --help lists after the corpus options
LAST_OPTIONS = ("json_out", "output_in_corpus", "actions_csv", "html_out", "md_out", "history",
                "manifest", "out", "fail_on", "config", "quiet")


def corpus_options(*names: str) -> Callable[[F], F]:
    """Give a command the options ``names`` of :data:`CORPUS_OPTIONS`, after its own (typer
    reads the signature this sets); the command collects them in ``**corpus``."""

    def add(fn: F) -> F:
        sig = inspect.signature(fn)
        own = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
        extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY,
                                   default=CORPUS_OPTIONS[n][1], annotation=CORPUS_OPTIONS[n][0])
                 for n in names]
        # --help lists them before the outputs and the run's switches, as it always did
        at = next((i for i, p in enumerate(own) if p.name in LAST_OPTIONS), len(own))
        params = own[:at] + extra + [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
                                     for p in own[at:]]

        @functools.wraps(fn)
        def command(*args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        command.__annotations__ = {**typing.get_type_hints(fn),
                                   **{n: CORPUS_OPTIONS[n][0] for n in names}}
        return command  # type: ignore[return-value]

    return add
