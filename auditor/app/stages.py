"""Which documents the model embeds at scale: the choice between one stage (every document
embedded by the model) and two (the fast first stage for every document, the model for what
decides), shared by ``samey check``'s index and ``samey curate``. The choice depends on the
input's size in bytes (``scale.first_stage_mb``: the model's cost grows with the text), and on
the embedder (the hashing stand-in and test embedders are their own first stage).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from auditor.config import AuditOptions
from auditor.features.embeddings import TextEmbedder


def corpus_bytes(root: Path, exclude: Sequence[str] = ()) -> int:
    """The bytes of every input file below ``root`` (what ``scale.first_stage_mb`` counts);
    ``exclude``: paths that are not inputs (``IngestOptions.exclude``)."""
    from auditor.ingest.walk import iter_files

    total = 0
    for full, rel in iter_files(root, exclude):
        if rel.endswith("/"):  # a folder that could not be listed: no input bytes
            continue
        try:
            total += full.stat().st_size
        except OSError:
            continue
    return total


def first_stage_for(root: Path, options: AuditOptions, full: TextEmbedder,
                    first: TextEmbedder | None = None) -> TextEmbedder | None:
    """The first stage of a two-stage index of ``root`` (``features.static.first_stage`` of the
    model, or ``first`` when given), or ``None`` for one stage: a corpus under
    ``scale.first_stage_mb`` megabytes, or an embedder that is its own first stage."""
    from auditor.features.static import first_stage, first_stage_id

    if first is None and first_stage_id(full) == full.model_id:
        return None
    # not a threshold: megabytes to bytes (the cut-off is the option [scale] first_stage_mb)
    if corpus_bytes(root, options.ingest.exclude) < options.scale.first_stage_mb * 1e6:
        return None
    if first is not None:
        return first
    return LazyFirst(lambda: first_stage(full, cache_dir=options.cache_dir,
                                          progress=options.progress), first_stage_id(full))


class LazyFirst:
    """A first-stage embedder distilled only when something is embedded (an unchanged index
    never needs it)."""

    def __init__(self, make: Callable[[], TextEmbedder], model_id: str) -> None:
        self._make, self._model_id = make, model_id
        self._inner: TextEmbedder | None = None

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def inner(self) -> TextEmbedder:
        if self._inner is None:
            self._inner = self._make()
        return self._inner

    def embed(self, texts: Iterable[str]) -> np.ndarray:
        return self.inner.embed(texts)
