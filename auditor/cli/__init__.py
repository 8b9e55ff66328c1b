"""The ``samey`` command: thin typer wrappers over the Python API, one module per command.

Exit codes (one map, :data:`EXIT_CODES`): 0 done; 1 ``--fail-on`` reached; 2 usage error;
3 input or environment error (a full disk, a file-size limit, no permission, not UTF-8: also
when they surface outside samey's own checks, as ``OSError``, SQLite's "disk is full" or
``MemoryError``); 4 internal error (a bug: one line naming what failed; ``--debug`` shows the
traceback); 130 interrupted (Ctrl-C, or SIGTERM, which is turned into the same clean stop so
that temporary files are removed and open transactions rolled back). Errors are one line,
``Error: ...``, naming the file or option and the fix; never a bare traceback; control and
escape characters from file names or data are removed from them.

Streams: ``--json -`` (and ``--markdown -`` / ``--html -`` of ``report``) write that output to
standard output, and then nothing else goes there: the human report and the list of written
files go to stderr (``--quiet`` drops them). Progress is always on stderr: a bar on a terminal,
plain lines otherwise (see :mod:`auditor.progress`).
"""
from __future__ import annotations

import errno
import os
import signal
import sqlite3
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

if TYPE_CHECKING:  # the type checker reads the current typer (its own click)
    from typer._click import exceptions as _cx
else:
    try:  # typer >= 0.20 vendors its own click
        from typer._click import exceptions as _cx
    except ImportError:  # pragma: no cover
        from click import exceptions as _cx

from auditor._version import __version__
from auditor.cli import audit, check, curate, report
from auditor.cli.options import SameyCommand, err, interrupted
from auditor.errors import SameyError
from auditor.files import environment_error
from auditor.progress import plain_lines
from auditor.render.safe import terminal_text

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
EXIT_DONE, EXIT_FAIL_ON, EXIT_USAGE, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = (
    0, 1, 2, 3, 4, 130)


def _error(msg: str) -> None:
    """One plain, unwrapped line on stderr (no control or escape characters from data)."""
    print(f"Error: {' '.join(terminal_text(msg).split())}", file=sys.stderr)


#: errno values that are the machine's doing, not samey's: exit 3, never "a bug".
ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM,
                      errno.EROFS, errno.EIO, errno.EMFILE, errno.ENFILE, errno.ENOMEM,
                      errno.ENAMETOOLONG, errno.ELOOP, errno.ENXIO, errno.ETXTBSY}


def environment_message(e: BaseException) -> Optional[str]:
    """The one-line message of an environment failure that reached the top (exit 3), or None
    when ``e`` is not one (then it is a bug)."""
    if isinstance(e, MemoryError):
        return ("not enough memory for this corpus; audit a smaller folder, lower "
                "sampling.max_pool, or use --engine dask.")
    if isinstance(e, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({e}); save it as UTF-8."
    if isinstance(e, OSError) and e.errno in ENVIRONMENT_ERRNOS:
        return str(environment_error(e.filename or "a file samey writes", e, "use"))
    if isinstance(e, sqlite3.OperationalError) and any(
            w in str(e) for w in ("full", "I/O", "readonly", "unable to open", "locked")):
        return (f"a cache or index database cannot be written ({e}); free some disk space, or "
                "point --cache-dir at a writable folder.")
    return None


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While the command runs, SIGTERM stops it like Ctrl-C (cleanup runs, exit 130)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        old = signal.getsignal(signal.SIGTERM)
        if old is not signal.SIG_DFL:
            yield
            return

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt("terminated (SIGTERM); nothing half-written was kept")

        signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # pragma: no cover (no signals here)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI; returns the exit code (tests call this). Every outcome maps to one code:
    samey's own errors carry theirs (usage 2, input 3), anything else is an internal error (4)
    reported in one line; ``--debug`` (or ``SAMEY_DEBUG=1``) adds the traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("SAMEY_DEBUG", "") not in ("", "0")
    cmd = typer.main.get_command(app)
    try:
        with plain_lines(not sys.stderr.isatty()), _sigterm_as_interrupt():
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
        if (message := environment_message(e)) is not None:
            if debug:
                traceback.print_exc()
            _error(message)
            return EXIT_INPUT
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

