"""Provenance (``--source-field``): every period split by source, and each source's share of
the period's move on every layer that moved.

The method (``auditor.metrics.provenance``): Shapley values over the period's sources, where a
coalition keeps its own posts in each of the verdict's kind of samples (the same size and word
budget) and every other source's posts are replaced, position by position, by a draw of
baseline posts; repeated over ``sampling.repeats`` samples, the share of a source is the ratio
of its mean value to the mean move, with a bootstrap interval. Which layers and measurements
are attributed, and which source the headline names: ``auditor.judge.provenance``.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from auditor.app.judged import Judged
from auditor.app.measure import (
    character_reference,
    frame_keys_of,
    phrase_keys_of,
)
from auditor.app.prepare import Prepared
from auditor.config import AuditOptions
from auditor.features.lexicon import stop_words
from auditor.judge.provenance import (
    NO_SOURCE,
    Target,
    dominant_source,
    period_contribution,
    targets,
)
from auditor.judge.thresholds import SHAPLEY_EXACT_SOURCES
from auditor.metrics import character
from auditor.metrics.corpus import CorpusFeatures
from auditor.metrics.excess import Excess
from auditor.metrics.panel import Sample
from auditor.metrics.posts import excess_per_post
from auditor.metrics.provenance import (
    Shares,
    additive_shares,
    coalition_rows,
    ratio_shares,
    shapley_in_order,
    shapley_values,
)
from auditor.metrics.registry import BY_NAME, MetricSpec
from auditor.metrics.sampling import stable_seed, water_fill
from auditor.results import (
    LayerContribution,
    PeriodProvenance,
    PeriodResult,
    Provenance,
    SourceContribution,
)
from auditor.types import Period

METHOD = ("Shapley values over sources: each source's posts replaced by a size-matched draw of "
          "baseline posts, on repeated samples of the same size and word budget as the verdict's; "
          "per-post sums for stock frames, stock phrases and posts that read unlike the baseline")


class UnlikeCache:
    """Per period, how often each of its posts reads unlike the baseline
    (``metrics.character.unlike_posts``, on the character layer's own inputs), computed once
    for provenance and the action list."""

    def __init__(self, prep: Prepared, words_per_doc: int, random_state: int) -> None:
        self.prep = prep
        self.words_per_doc = max(words_per_doc, 1)
        self.random_state = random_state
        self._ref: list[int] | None = None
        self._done: dict[str, np.ndarray] = {}

    def __call__(self, p: Period) -> np.ndarray:
        if p.label not in self._done:
            words = self.prep.features.words
            if self._ref is None:
                self._ref = character_reference(self.prep, random_state=self.random_state)
            own = set(p.doc_indices)
            ref = [i for i in self._ref if i not in own]
            self._done[p.label] = character.unlike_posts(
                [words[i][:self.words_per_doc] for i in ref],
                [words[i][:self.words_per_doc] for i in p.doc_indices],
                random_state=stable_seed(self.random_state, "unlike posts", p.label))
        return self._done[p.label]


def source_of(prep: Prepared, i: int) -> str:
    """The source label of analysed document ``i`` ("(no source)" without one)."""
    return prep.documents[i].source or NO_SOURCE


def audit_provenance(j: Judged, periods: Sequence[PeriodResult], options: AuditOptions,
                     unlike: UnlikeCache) -> Provenance | None:
    """Every period of the audit split by source, with contributions where a layer moved, and
    the dominant source (None without ``ingest.source_field``)."""
    field = options.ingest.source_field
    if not field:
        return None
    prep, rs = j.prep, options.sampling.random_state
    out = []
    for p, po in zip(prep.periods, periods):
        names = [source_of(prep, i) for i in p.doc_indices]
        counts = Counter(names)
        sources = sorted(counts, key=lambda s: (-counts[s], s))
        players = np.array([sources.index(s) for s in names], dtype=np.int64)
        found = {layer: list(by_label.get(p.label, ()))
                 for layer, by_label in (j.stock or {}).items()}
        layers: dict[str, tuple[Shares, Target, str]] = {}
        for t in targets(po, [layer for layer, f in found.items() if f]):
            shares, method = _attribute(j, p, t, players, len(sources), found, unlike, rs,
                                        options.sampling.repeats)
            if np.isfinite(shares.value).all():
                layers[t.layer] = (shares, t, method)
        rows = []
        for k, s in enumerate(sources):
            by_layer = {layer: LayerContribution(float(sh.value[k]), float(sh.low[k]),
                                                 float(sh.high[k]), t.metric, method)
                        for layer, (sh, t, method) in layers.items()}
            rows.append(SourceContribution(
                s, counts[s], counts[s] / max(p.n_docs, 1),
                period_contribution({x: c.contribution for x, c in by_layer.items()}),
                by_layer))
        rows.sort(key=lambda r: (-(r.contribution if r.contribution is not None else -math.inf),
                                 -r.posts, r.source))
        out.append(PeriodProvenance(p.label, po.status, list(layers), rows))
    return Provenance(field, METHOD, out, dominant_source(periods, out, field),
                      missing_notes(prep, field))


def missing_notes(prep: Prepared, field: str) -> list[str]:
    """Plain words on the analysed posts that lack the source field."""
    n = len(prep.documents)
    missing = sum(d.source is None for d in prep.documents)
    if not missing:
        return []
    if missing == n:
        return [f"--source-field {field}: none of the {n} analysed posts has the field "
                f"'{field}' (a front matter key or column); check the name (matched "
                "case-insensitively) or pick another field."]
    return [f"{missing} of the {n} analysed posts have no '{field}': they are listed as "
            f"\"{NO_SOURCE}\"."]


def _attribute(j: Judged, p: Period, t: Target, players: np.ndarray, k: int,
               found: Mapping[str, Sequence[Excess]], unlike: UnlikeCache, rs: int,
               repeats: int) -> tuple[Shares, str]:
    """The shares of ``t``'s move by source, and the method's name."""
    seed = stable_seed(rs, "provenance", p.label, t.layer)
    if t.kind == "character":
        x = unlike(p) - (1.0 - character.UNLIKE_QUANTILE)  # beyond what chance gives
        x = np.where(np.isfinite(x), x, 0.0)
        return additive_shares(x, players, k, random_state=seed), "per post"
    if t.kind == "stock":
        return _stock_shares(j, p, t, players, k, found, seed), "per post"
    return _shapley_shares(j, p, t.metric, players, k, seed, repeats)


def _stock_shares(j: Judged, p: Period, t: Target, players: np.ndarray, k: int,
                  found: Mapping[str, Sequence[Excess]], seed: int) -> Shares:
    """Who holds the period's counted stock frames or phrases beyond their baseline rate."""
    tests = list(found.get(t.layer, ()))
    if t.layer == "structure":
        sets = [frame_keys_of(j.prep, i) for i in p.doc_indices]
    else:
        per_doc = j.word_budget // max(j.sample_size, 1)
        stop = stop_words()
        sets = [phrase_keys_of(j.prep, i, per_doc, stop) for i in p.doc_indices]
    q = {x.key: x.baseline_share for x in tests}
    x = excess_per_post(sets, q, [x.key for x in tests])
    return additive_shares(x, players, k, random_state=seed)


def _shapley_shares(j: Judged, p: Period, metric: str, players: np.ndarray, k: int,
                    seed: int, repeats: int) -> tuple[Shares, str]:
    """Shapley values of the sources on ``sampling.repeats`` samples of the period
    (``metrics.provenance``), baseline posts standing in for the sources outside a
    coalition."""
    prep, spec = j.prep, BY_NAME[metric]
    f, lengths = prep.features, prep.features.lengths
    pool = np.asarray(p.doc_indices, dtype=np.int64)
    base = np.asarray([i for q in prep.periods if q.is_baseline for i in q.doc_indices],
                      dtype=np.int64)
    m = min(j.sample_size, len(pool), len(base))
    rng = np.random.default_rng(seed)
    exact = k <= SHAPLEY_EXACT_SOURCES
    phis = []
    for r in range(repeats):
        local = np.sort(rng.choice(len(pool), size=m, replace=False))
        rows, who = pool[local], players[local]
        fillers = np.sort(rng.choice(base, size=m, replace=False))
        value = _value(f, lengths, spec, rows, fillers, who, j.word_budget,
                       stable_seed(seed, r))
        phi = shapley_values(k, value) if exact \
            else shapley_in_order(rng.permutation(k).tolist(), value)
        if np.isfinite(phi).all():
            phis.append(phi)
    shares = ratio_shares(np.array(phis).reshape(-1, k), random_state=seed)
    return shares, "shapley" if exact else "shapley sampled"


def _value(f: CorpusFeatures, lengths: np.ndarray, spec: MetricSpec, rows: np.ndarray,
           fillers: np.ndarray, who: np.ndarray, budget: int, seed: int
           ) -> Callable[[frozenset[int]], float]:
    """The characteristic function: a coalition's sample, its metric turned toward sameness."""

    compute = spec.compute
    if compute is None:  # pragma: no cover  (targets() only picks computed metrics)
        raise ValueError(f"{spec.name} is not computed on a sample")

    def value(coalition: frozenset[int]) -> float:
        idx = coalition_rows(rows, fillers, who, coalition)
        with np.errstate(all="ignore"):
            v = compute(Sample(f, idx, seed, water_fill(lengths[idx], budget)))
        return math.nan if v is None else spec.direction * float(v)

    return value

