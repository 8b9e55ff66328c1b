"""Progress of the slow steps, on stderr, and small helpers for counted words in user text.

Two forms, both on stderr only (stdout stays free for ``--json -`` and friends):

- **Terminal** (stderr is a TTY): a transient rich bar with a count and the time left.
- **Plain lines** (stderr is not a terminal, e.g. a CI log or ``2> log``): one line such as
  ``Embedding 1,200/5,000 documents (24%), about 3 min left`` each time another 10% is done, or
  after 30 s without a line, and a last line when the step ends; never two lines within
  ``PLAIN_GAP_S`` (5 s), and a step that ends within ``PLAIN_DELAY`` seconds prints nothing, so
  quick runs stay quiet. Plain lines are printed only
  when the caller switched them on with :func:`plain_lines` (the ``samey`` CLI does, unless
  ``--quiet``); through the Python API piped output, logs and tests stay clean.

``enabled=False`` shows nothing in either form.
"""
from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

PLAIN_STEP = 0.10  # a plain line each time another 10% is done ...
PLAIN_EVERY_S = 30.0  # ... or after this many seconds without one,
PLAIN_GAP_S = 5.0  # but never two lines, nor the first one, within this many seconds
PLAIN_DELAY = PLAIN_GAP_S  # (so a step shorter than this prints no plain line at all)

_plain = False
_clock = time.monotonic  # tests replace it


# ---------------------------------------------------------------- words


def plural(n: float, word: str, words: str | None = None, *, sep: bool = True) -> str:
    """``1 document``, ``2 documents``, ``1,200 documents`` (``words``: an irregular plural)."""
    count = f"{n:,}" if (sep and isinstance(n, int)) else f"{n:g}"
    return f"{count} {word if n == 1 else (words or word + 's')}"


def ordinal(n: float) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``, ``99th``; non-integers as ``97.5th``."""
    if float(n) != int(n):
        return f"{n:g}th"
    k = int(n)
    # not a threshold: English ordinals
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def duration(seconds: float) -> str:
    """A rough, readable duration: ``40 s``, ``3 min``, ``1.5 h``."""
    # not a threshold: display rounding
    if seconds < 10:
        return f"{max(1, round(seconds))} s"
    # not a threshold: display rounding
    if seconds < 60:
        return f"{int(round(seconds / 5)) * 5} s"
    if seconds < 90 * 60:
        return f"{int(round(seconds / 60))} min"
    return f"{seconds / 3600:.1f} h"


# ---------------------------------------------------------------- switches


def plain_lines_enabled() -> bool:
    return _plain


@contextlib.contextmanager
def plain_lines(on: bool = True) -> Iterator[None]:
    """Within the block, enabled progress prints plain lines when stderr is not a terminal."""
    global _plain
    before, _plain = _plain, on
    try:
        yield
    finally:
        _plain = before


# ---------------------------------------------------------------- progress


class Progress:
    """A progress display for ``total`` units of work; ``advance(n)`` as work finishes.

    Use as a context manager. ``unit`` names what is counted in plain lines (``documents``);
    ``note`` is said once (``once: cached for later runs``). ``advance`` accepts fractions.
    """

    def __init__(self, total: int | None, description: str, *, enabled: bool,
                 unit: str = "", note: str = "") -> None:
        self.total = total
        self.description = description
        self.unit = unit
        self.note = note
        self.done = 0.0
        tty = sys.stderr.isatty()
        self.mode = "off" if not enabled else "bar" if tty else "lines" if _plain else "off"
        self._bar: Any = None
        self._task: Any = None
        self._start = self._last = 0.0
        self._step = -1
        self._printed = False
        self._shown = -1  # the count in the last plain line

    # -------------------------------------------------------------- context

    def __enter__(self) -> Progress:
        self._start = self._last = _clock()
        if self.mode == "bar":
            from rich.console import Console
            from rich.markup import escape
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            text = escape(self.description)
            if self.note:
                text += f" [dim]({escape(self.note)})[/]"
            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(escape(self.unit)) if self.unit else TextColumn(""),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(text, total=self.total)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
            self._bar = None
        elif self.mode == "lines" and exc_type is None and self._printed and (
                self.total is None or round(self.done) != self._shown):
            self._line(final=True)

    # -------------------------------------------------------------- updates

    def advance(self, n: float = 1.0) -> None:
        self.done += n
        if self.mode == "bar":
            self._bar.advance(self._task, n)
        elif self.mode == "lines":
            now = _clock()
            # not a threshold: display timing
            if now - self._start < PLAIN_DELAY or now - self._last < PLAIN_GAP_S:
                return
            step = (math.floor(self.done / self.total / PLAIN_STEP + 1e-9)
                    if self.total else self._step)
            # not a threshold: display timing
            if step > self._step or now - self._last >= PLAIN_EVERY_S:
                self._line()

    def _line(self, final: bool = False) -> None:
        now = _clock()
        done = int(round(self.done))
        count = f"{done:,}" + (f"/{self.total:,}" if self.total else "")
        unit = self.unit[:-1] if self.total == 1 and self.unit.endswith("s") else self.unit
        text = f"{self.description} {count}" + (f" {unit}" if unit else "")
        if self.total:
            pct = self.done / self.total
            text += f" ({pct:.0%})"
            elapsed = now - self._start
            if done >= self.total:
                text += f", done in {duration(elapsed)}"
            elif self.done > 0:
                text += f", about {duration(elapsed * (self.total - self.done) / self.done)} left"
            self._step = math.floor(pct / PLAIN_STEP + 1e-9)
        if self.note and not self._printed:
            text += f" ({self.note})"
        print(text, file=sys.stderr, flush=True)
        self._printed, self._last, self._shown = True, now, done


def progress_iter(
    iterable: Iterable[T], *, total: int | None, description: str, enabled: bool,
    unit: str = "", note: str = "",
) -> Iterator[T]:
    """Yield the items of ``iterable``, showing progress on stderr if enabled (module docstring)."""
    if not enabled:
        yield from iterable
        return
    with Progress(total, description, enabled=enabled, unit=unit, note=note) as bar:
        if bar.mode == "off":
            yield from iterable
            return
        for item in iterable:
            yield item
            bar.advance(1)
