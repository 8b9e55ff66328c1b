"""Files written atomically (a temp file in the same folder, then rename) with the permissions
of an ordinary new file, and ``-`` for standard output: outputs, the check index, reports.

Nothing is left behind by a run that is killed while it writes. On Linux the data goes first
into an unnamed file (``O_TMPFILE``: it has no name, so a kill before the rename leaves nothing
at all), which is given a temporary name only for the instant of the rename; elsewhere into a
named temporary file. Either way the temporary name holds the writer's process id
(``.NAME.PID.XXXX.tmp``), and the next write to the same folder removes those of processes that
are no longer running.

A write that fails because of the machine (the disk is full, a file-size limit, no permission, a
read-only disk) raises :class:`~auditor.errors.InputError` (exit code 3) naming the path and the
reason; an output that exists and is not a regular file (``/dev/stdout``, a named pipe) is
written in place, never replaced.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

from auditor.errors import InputError

STDOUT = "-"

#: What to do about an environment error, by errno (the rest: the system's own words).
FIXES = {
    errno.ENOSPC: "free some disk space, or write somewhere else",
    errno.EDQUOT: "free some space in your disk quota, or write somewhere else",
    errno.EFBIG: "the file-size limit (ulimit -f) is too small for it; raise it",
    errno.EACCES: "check that you may write there, or write somewhere else",
    errno.EPERM: "check that you may write there, or write somewhere else",
    errno.EROFS: "the disk is read-only; write somewhere else",
    errno.EISDIR: "it is a folder; give a file name",
    errno.ENOTDIR: "a part of the path is a file, not a folder; fix the path",
    errno.ENOENT: "its folder does not exist and could not be made; fix the path",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter one",
    errno.EIO: "the disk reported an input/output error; check the disk",
}


def is_stdout(path: str | Path | None) -> bool:
    """True for ``-``: the output goes to standard output instead of a file."""
    return path is not None and str(path) == STDOUT


def environment_error(path: str | Path, e: OSError, what: str = "write") -> InputError:
    """One line naming ``path``, what failed, the system's reason and the fix."""
    reason = e.strerror or str(e)
    fix = FIXES.get(e.errno or 0, "check the path and the disk")
    return InputError(f"{path}: cannot {what} the file ({reason}); {fix}.")


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


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running (another user's process counts as running)."""
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    return True


def sweep_stale(folder: Path, name: str) -> None:
    """Remove ``.NAME.PID.XXXX.tmp`` files of ``folder`` whose process is no longer running
    (left by a run that was killed mid-write)."""
    pattern = re.compile(rf"^\.{re.escape(name)}\.(\d+)\.[^.]+\.tmp$")
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        m = pattern.match(entry.name)
        if m and not _alive(int(m.group(1))):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the whole new one, never half.

    ``-`` writes to standard output. A new file gets the permissions any program would give it
    (``0o666`` less the umask; ``tempfile`` alone would leave ``0o600``); a file that is replaced
    keeps its permissions. Raises ``InputError`` when the machine refuses the write (see the
    module docstring).
    """
    if is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(path)
    data = text.encode("utf-8")
    try:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
            with open(path, "wb") as fh:  # a pipe or a device (/dev/stdout): write in place
                fh.write(data)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = st.st_mode & 0o7777 if st is not None else 0o666 & ~_umask()
        sweep_stale(path.parent, path.name)
        _write_replace(path, data, mode)
    except OSError as e:
        raise environment_error(path, e) from e


def _write_all(fd: int, data: bytes, mode: int) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)
    try:
        os.fchmod(fd, mode)
    except (AttributeError, OSError):  # no fchmod (Windows): chmod after the rename
        pass


def _unnamed(folder: Path, prefix: str, data: bytes, mode: int) -> str | None:
    """``data`` written to an unnamed file of ``folder`` (``O_TMPFILE``), then linked under a
    temporary name, which is returned; ``None`` where the system or file system cannot (the
    caller then writes a named temporary file). Errors of the write itself are raised."""
    if not hasattr(os, "O_TMPFILE") or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, mode)
    except OSError:
        return None
    try:
        _write_all(fd, data, mode)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            for _ in range(100):
                name = prefix + os.urandom(4).hex() + ".tmp"
                try:  # a dir fd makes Python call linkat(AT_SYMLINK_FOLLOW), not link()
                    os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dir_fd,
                            follow_symlinks=True)
                    return str(folder / name)
                except FileExistsError:
                    continue
                except OSError:  # a file system that cannot link an unnamed file
                    return None
        finally:
            os.close(dir_fd)
        return None
    finally:
        os.close(fd)


def _write_replace(path: Path, data: bytes, mode: int) -> None:
    folder, prefix = path.parent, f".{path.name}.{os.getpid()}."
    tmp = _unnamed(folder, prefix, data, mode)
    try:
        if tmp is None:  # no O_TMPFILE here: a named temporary file
            fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
            try:
                _write_all(fd, data, mode)
            finally:
                os.close(fd)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    if not hasattr(os, "fchmod"):  # pragma: no cover
        try:
            os.chmod(path, mode)
        except OSError:
            pass
