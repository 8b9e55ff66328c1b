"""Every metric of the registry on one sample of documents.

A sample is rows ``idx`` of a corpus's :class:`~auditor.metrics.corpus.CorpusFeatures`;
:func:`measure_sample` calls each registry entry's ``compute`` once on it. Adding a metric is a
function in its layer's module, an entry in ``auditor.metrics.registry.METRICS`` (with its
``compute``) and a test; nothing here changes.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from auditor.metrics.corpus import CorpusFeatures
from auditor.metrics.registry import METRICS


@dataclass(frozen=True)
class Sample:
    """The documents ``idx`` of ``features``: what a registry entry's ``compute`` reads."""

    features: CorpusFeatures
    idx: np.ndarray
    random_state: int = 0

    def rows(self, column: str) -> list[Any]:
        """The sample's rows of a per-document column of the features (``"words"``...)."""
        values = getattr(self.features, column)
        return [values[i] for i in self.idx]

    def array(self, column: str) -> np.ndarray:
        """The sample's rows of a per-document array column (``"embeddings"``...)."""
        return getattr(self.features, column)[self.idx]

    @cached_property
    def embeddings(self) -> np.ndarray:
        return self.features.embeddings[self.idx]

    @cached_property
    def words(self) -> list[tuple[str, ...]]:
        return self.rows("words")


def measure_sample(f: CorpusFeatures, idx: Sequence[int], *,
                   random_state: int = 0) -> dict[str, float]:
    """Every registry metric that has a ``compute`` on the documents ``idx`` of ``f`` (NaN where
    a metric is undefined). ``tails.lost_topic_mass`` has none: it needs the checked baseline
    (``auditor.app.audit.fill_lost_topic_mass``)."""
    s = Sample(f, np.asarray(idx, dtype=int), random_state)
    out: dict[str, float] = {}
    with np.errstate(all="ignore"):
        for spec in METRICS:
            if spec.compute is not None:
                v = spec.compute(s)
                out[spec.name] = math.nan if v is None else float(v)
    return out
