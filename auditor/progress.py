"""A tiny wrapper around rich progress bars, shared by the slow steps.

The bar is drawn on stderr only when it is enabled *and* stderr is a terminal; otherwise
``progress_iter`` just yields the items, so piped output, CI logs and tests stay clean.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress_iter(
    iterable: Iterable[T], *, total: int | None, description: str, enabled: bool
) -> Iterator[T]:
    """Yield the items of ``iterable``, showing a transient progress bar on stderr if enabled."""
    if not enabled or not sys.stderr.isatty():
        yield from iterable
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        for item in iterable:
            yield item
            bar.advance(task)
