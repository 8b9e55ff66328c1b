"""Data made safe to show: corpus text, titles, segment labels and file names are data, and a
terminal must never execute them.

* :func:`terminal_text` removes terminal escape sequences (CSI colours and cursor moves, OSC
  window titles and hyperlinks, DCS and other string sequences, 7- and 8-bit forms), every other
  control character except newline and tab, and the Unicode bidirectional overrides that can
  make a line read differently from what it holds.
* :func:`scrub` applies it to every string of a result (dataclasses, lists, dicts), so a
  renderer prints what it would print, minus what a terminal would interpret.
* :func:`html_text` escapes ``&``, ``<`` and ``>`` (Markdown renderers pass raw HTML through,
  so the Markdown summary escapes it like the HTML report does).

Rich markup in data (``[bold]``, ``[/x]``) is not interpreted either: the terminal renderers
put data into ``rich.text.Text`` objects, never into markup strings.
"""
from __future__ import annotations

import dataclasses
import html
import re
from typing import Any, TypeVar, cast

T = TypeVar("T")

_ESCAPES = re.compile(
    r"""
      \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?      # OSC: titles, hyperlinks
    | \x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?            # DCS, PM, APC, SOS strings
    | \x1b\[[0-?]*[ -/]*[@-~]?                          # CSI: colours, cursor, erase
    | \x1b[ -/]*[0-~]?                                  # any other ESC sequence
    | \x9b[0-?]*[ -/]*[@-~]?                            # 8-bit CSI
    | [\x90\x9d-\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?      # 8-bit DCS, OSC, PM, APC
    """,
    re.VERBOSE,
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` without escape sequences and control characters (newline and tab kept).

    >>> link = "a\\x1b]8;;https://x.example/\\x1b\\\\link\\x1b]8;;\\x1b\\\\ "
    >>> terminal_text(link + "\\x1b[31mred\\x1b[0m\\x07")
    'alink red'
    """
    if not isinstance(text, str):
        return text
    return _CONTROL.sub("", _ESCAPES.sub("", text))


def html_text(text: str) -> str:
    """``text`` with ``&``, ``<``, ``>`` escaped (quotes kept: Markdown text, not attributes).

    >>> html_text("<script>alert('x')</script> & more")
    "&lt;script&gt;alert('x')&lt;/script&gt; &amp; more"
    """
    return html.escape(text, quote=False)


def scrub(obj: T) -> T:
    """A copy of ``obj`` with :func:`terminal_text` applied to every string in it (fields of
    dataclasses, items of lists, tuples and dicts, dict keys); other values are kept."""
    return cast(T, _scrub(obj, 0))  # _scrub rebuilds obj as the same kind of value


def _scrub(obj: Any, depth: int) -> Any:
    if isinstance(obj, str):
        return terminal_text(obj)
    # not a threshold: recursion depth
    if depth > 50:
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: _scrub(getattr(obj, f.name), depth + 1)
                   for f in dataclasses.fields(obj) if f.init}
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, dict):
        return {_scrub(k, depth + 1): _scrub(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_scrub(v, depth + 1) for v in obj]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_scrub(v, depth + 1) for v in obj)
    return obj
