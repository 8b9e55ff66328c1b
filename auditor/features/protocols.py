"""The protocol an embedder meets: what samey needs of one, and what a caller may plug in
(``auditor.audit(..., embedder=...)``). Kept apart from ``features.embeddings`` so that
``import auditor`` stays light."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


@runtime_checkable
class TextEmbedder(Protocol):
    """What samey needs of an embedder: a stable ``model_id`` (part of every cache key), the
    vector width ``dim`` and ``embed(texts)`` -> an ``(n, dim)`` float32 array of unit rows (zero
    rows for empty texts)."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Iterable[str]) -> np.ndarray: ...
