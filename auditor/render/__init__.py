"""Renderers: terminal (rich), JSON (+ schemas/), Markdown, HTML (+ templates/, charts). They read
typed results (``auditor.results``) and compute nothing.

``WRITERS`` maps an output kind (the ``--json``/``--html``/``--markdown`` options) to the function
that writes a result in that form to a path (``-``: standard output), atomically. Each is imported
when used, so an audit does not load matplotlib or Jinja2.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

#: kind -> (what the CLI calls it, writer(path, result, *, json_path))
Writer = Callable[..., None]


def write_json(path: str | Path, result: Any, *, json_path: Any = None) -> None:
    """``result.to_dict()`` as versioned JSON (the JSON boundary)."""
    from auditor.render.jsonout import write_json as _write

    _write(path, result.to_dict())


def write_html(path: str | Path, result: Any, *, json_path: Any = None) -> None:
    from auditor.render.html import write_html as _write

    _write(path, result, json_path=json_path)


def write_markdown(path: str | Path, result: Any, *, json_path: Any = None) -> None:
    from auditor.render.markdown import write_markdown as _write

    _write(path, result)


def write_actions_csv(path: str | Path, result: Any, *, json_path: Any = None) -> None:
    """The action list (the posts to revise first) as CSV."""
    from auditor.render.actions_csv import write_actions_csv as _write

    _write(path, result)


WRITERS: dict[str, Writer] = {"json": write_json, "html": write_html, "markdown": write_markdown,
                              "actions_csv": write_actions_csv}
NAMES = {"json": "JSON result", "html": "HTML report", "markdown": "Markdown summary",
         "actions_csv": "action list (CSV)"}
