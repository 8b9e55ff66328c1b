"""Versioned JSON output, written atomically (``auditor.files.write_atomic``); ``-`` writes to
standard output."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.files import STDOUT, is_stdout, write_atomic
from auditor.types import json_safe

# STDOUT, is_stdout and write_atomic are re-exported from auditor.files
__all__ = ["STDOUT", "dumps", "is_stdout", "write_atomic", "write_json"]


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(json_safe(data), indent=2, ensure_ascii=False, allow_nan=False)


def write_json(path: str | Path, data: dict[str, Any]) -> None:
    """The JSON document to ``path`` (atomically), or to standard output for ``-``."""
    write_atomic(path, dumps(data) + "\n")
