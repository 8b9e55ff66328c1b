"""Finding input files and reading them as text.

Folders are searched recursively in sorted order. Hidden folders and files (name starting with
``.``, e.g. ``.git``, ``.samey``, ``.DS_Store``) and ``node_modules``/``__pycache__`` are not part
of the corpus and are never listed, nor are the paths in ``exclude`` (samey's own outputs). A
single file given directly is always read. Which files are read, and by which reader, is decided
by the format registry (``readers``).

Nothing is left out silently: a folder that cannot be listed (no permission) and a link to a
folder (not followed: links can loop) are returned as entries of their own, their relative path
ending in ``/``, which the reader then lists as skipped (``unreadable``, ``unsupported``).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

SKIP_DIRS = {"node_modules", "__pycache__"}
_CONTROL = {chr(c) for c in range(32)} - set("\t\n\r\f") | {"\x7f"}


def iter_files(root: Path, exclude: Sequence[str] = ()) -> list[tuple[Path, str]]:
    """``(absolute path, posix path relative to root)`` of every corpus file, and of every
    folder that could not be listed or is a link (relative path ending in ``/``), sorted by the
    relative path. For a single file, the relative path is its name. ``exclude``: relative paths
    (files, or folders and everything below) that are not inputs."""
    if not root.is_dir():
        return [(root, root.name)]
    out: list[tuple[Path, str]] = []
    skip = {x.strip("/") for x in exclude}

    def rel_of(full: Path) -> str:
        return full.relative_to(root).as_posix()

    def excluded(rel: str) -> bool:
        return any(rel == x or rel.startswith(x + "/") for x in skip)

    def unlisted(e: OSError) -> None:
        full = Path(e.filename) if e.filename else root
        rel = "." if full == root else rel_of(full)
        out.append((full, rel.rstrip("/") + "/"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unlisted):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            if d.startswith(".") or d in SKIP_DIRS or excluded(rel_of(here / d)):
                continue
            if (here / d).is_symlink():
                out.append((here / d, rel_of(here / d) + "/"))
            else:
                keep.append(d)
        dirnames[:] = keep
        for name in filenames:
            if not name.startswith("."):
                full = here / name
                if not excluded(rel := rel_of(full)):
                    out.append((full, rel))
    return sorted(out, key=lambda item: item[1])


def folder_problem(full: Path) -> str:
    """Why the folder entry ``full`` (see :func:`iter_files`) was not read, with the fix."""
    if full.is_symlink():
        return ("a link to a folder, which samey does not follow (links can loop); audit the "
                "folder it points to, or copy its files in")
    try:
        with os.scandir(full):
            pass
    except OSError as e:
        return (f"cannot list the folder ({e.strerror or e}), so none of its files were read; "
                "check its permissions (it needs read and execute, chmod u+rx), or move it out")
    return ("the folder could not be listed while samey read the corpus (it changed?); run "
            "again")


def decode(data: bytes) -> str | None:
    """Text of a file's bytes (utf-8 with or without BOM, utf-16 with BOM, else cp1252 if that
    gives no control characters), or ``None`` for a binary file. Line ends become ``\\n``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    elif b"\x00" in data:
        return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                return None
            if any(ch in _CONTROL for ch in text):
                return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def cut_text_bytes(data: bytes) -> bytes:
    """``data`` without a character cut in two at its end (UTF-8, or UTF-16 after a BOM).

    >>> cut_text_bytes("caf\u00e9".encode()[:-1])
    b'caf'
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[:len(data) - len(data) % 2]
    end = len(data)
    i = end - 1
    # not a threshold: UTF-8 byte layout
    while i >= 0 and end - i <= 4 and data[i] & 0xC0 == 0x80:
        i -= 1
    # not a threshold: UTF-8 byte layout
    if i >= 0 and data[i] >= 0xC0:
        # not a threshold: UTF-8 byte layout
        need = 2 if data[i] < 0xE0 else 3 if data[i] < 0xF0 else 4
        if end - i < need:
            return data[:i]
    return data


def cap_text(text: str, max_bytes: int) -> tuple[str, bool]:
    """``text`` cut to at most ``max_bytes`` bytes of UTF-8 (whole characters), and whether it
    was cut.

    >>> cap_text("ab\u00e9c", 3)
    ('ab', True)
    """
    if len(text) * 4 <= max_bytes:
        return text, False
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text, False
    return cut_text_bytes(data[:max_bytes]).decode("utf-8", "ignore"), True
