"""Finding input files and reading them as text.

Folders are searched recursively in sorted order. Hidden folders and files (name starting with
``.``, e.g. ``.git``, ``.samey``, ``.DS_Store``) and ``node_modules``/``__pycache__`` are not part
of the corpus and are never listed. A single file given directly is always read. Which files are
read, and by which reader, is decided by the format registry (``readers``).
"""
from __future__ import annotations

import os
from pathlib import Path

SKIP_DIRS = {"node_modules", "__pycache__"}
_CONTROL = {chr(c) for c in range(32)} - set("\t\n\r\f") | {"\x7f"}


def iter_files(root: Path) -> list[tuple[Path, str]]:
    """``(absolute path, posix path relative to root)`` of every corpus file, sorted by the
    relative path. For a single file, the relative path is its name."""
    if not root.is_dir():
        return [(root, root.name)]
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for name in filenames:
            if not name.startswith("."):
                full = Path(dirpath) / name
                out.append((full, full.relative_to(root).as_posix()))
    return sorted(out, key=lambda item: item[1])


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
