"""Files written atomically (a temp file in the same folder, then rename) with the permissions
of an ordinary new file, and ``-`` for standard output: outputs, the check index, reports."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

STDOUT = "-"


def is_stdout(path: str | Path | None) -> bool:
    """True for ``-``: the output goes to standard output instead of a file."""
    return path is not None and str(path) == STDOUT


def _umask() -> int:
    """The process umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the whole new one, never half.

    ``-`` writes to standard output. A new file gets the permissions any program would give it
    (``0o666`` less the umask; ``tempfile`` alone would leave ``0o600``); a file that is replaced
    keeps its permissions.
    """
    if is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
            try:
                os.fchmod(fh.fileno(), mode)
            except (AttributeError, OSError):  # no fchmod (Windows): chmod after the rename
                pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if not hasattr(os, "fchmod"):  # pragma: no cover
        try:
            os.chmod(path, mode)
        except OSError:
            pass
