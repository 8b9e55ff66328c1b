"""The ``samey`` command: thin typer wrappers over the Python API, one module per command.

Exit codes (one map, :data:`EXIT_CODES`): 0 done; 1 ``--fail-on`` reached; 2 usage error;
3 input error; 4 internal error (a bug: one line naming what failed; ``--debug`` shows the
traceback); 130 interrupted (Ctrl-C). Errors are one line, ``Error: ...``, naming the file or
option and the fix; never a bare traceback.

Streams: ``--json -`` (and ``--markdown -`` / ``--html -`` of ``report``) write that output to
standard output, and then nothing else goes there: the human report and the list of written
files go to stderr (``--quiet`` drops them). Progress is always on stderr: a bar on a terminal,
plain lines otherwise (see :mod:`auditor.progress`).
"""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Optional

import typer

try:  # typer >= 0.20 vendors its own click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx

from auditor._version import __version__
from auditor.cli import audit, check, curate, report
from auditor.cli.options import SameyCommand, err, interrupted
from auditor.errors import SameyError
from auditor.progress import plain_lines

app = typer.Typer(
    name="samey", add_completion=False, no_args_is_help=True,
    help="Audit brand content for homogenization: is it becoming samey?",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"samey {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit."),
          debug: bool = typer.Option(False, "--debug", help="On an internal error, show the "
                                     "full traceback (to include in a bug report).")) -> None:
    """samey: a content-homogenization auditor for marketing text."""


# Each command lives in its own module; registered here, explicitly, in the order of --help.
app.command("audit", cls=SameyCommand, epilog=audit.EPILOG)(audit.audit)
app.command("check", cls=SameyCommand, epilog=check.EPILOG)(check.check)
app.command("report", cls=SameyCommand, epilog=report.EPILOG)(report.report)
app.command("curate", cls=SameyCommand, epilog=curate.EPILOG)(curate.curate)

#: The one map from outcomes to exit codes (the help of each command lists them).
EXIT_DONE, EXIT_FAIL_ON, EXIT_USAGE, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


def _error(msg: str) -> None:
    """One plain, unwrapped line on stderr."""
    print(f"Error: {' '.join(msg.split())}", file=sys.stderr)


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI; returns the exit code (tests call this). Every outcome maps to one code:
    samey's own errors carry theirs (usage 2, input 3), anything else is an internal error (4)
    reported in one line; ``--debug`` (or ``SAMEY_DEBUG=1``) adds the traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("SAMEY_DEBUG", "") not in ("", "0")
    cmd = typer.main.get_command(app)
    try:
        with plain_lines(not sys.stderr.isatty()):
            rv = cmd.main(args=args, prog_name="samey", standalone_mode=False)
        return int(rv or 0)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort as e:
        return interrupted(e.__cause__)
    except _cx.NoArgsIsHelpError as e:
        err.print(e.format_message(), markup=False, highlight=False)
        return EXIT_USAGE
    except _cx.UsageError as e:
        _error(e.format_message())
        return EXIT_USAGE
    except SameyError as e:
        _error(str(e))
        return e.exit_code
    except KeyboardInterrupt as e:
        return interrupted(e)
    except Exception as e:  # a bug: one line, the traceback only on request
        if debug:
            traceback.print_exc()
        where = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
        at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
        _error(f"internal error ({type(e).__name__}{at}: {e}). This is a bug in samey "
               f"{__version__}; " + ("the traceback is above" if debug else
                                     "run again with --debug to see the traceback")
               + ", and please report it.")
        return EXIT_INTERNAL


def entry() -> None:  # console script
    sys.exit(main())

