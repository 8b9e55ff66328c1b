"""The metrics samey reports: layer, direction and plain-words description.

``direction`` is +1 when a higher value means more homogeneous (samey), -1 when lower does, and
0 for context metrics that never drive the verdict (drift, per-document richness).

``bounds`` is the metric's range: intervals and control limits are clipped to it, so a share never
gets a band below 0. ``share`` marks metrics that are a share of the sample's posts (0..1): their
effect size is measured in percentage points (a move from 0% has no relative size), and their
standard deviation never falls below the binomial one (see ``auditor.judge.verdict``).
``proportion`` marks other 0..1 proportions (template coverage: a share of text, not of posts):
effects in percentage points, the ordinary relative sd floor.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from auditor.metrics import duplication, hashed, structure, tails, topics, wording


@dataclass(frozen=True)
class MetricSpec:
    name: str
    layer: str
    direction: int
    label: str
    plain: str  # what a rise in samey-ness means, for reasons
    bounds: tuple[float, float] = (-math.inf, math.inf)
    share: bool = False        # a share of the sample's posts (binomial sd floor)
    proportion: bool = False   # a proportion 0..1 that is not a count of posts
    short: str = ""  # a marketer's name for the figure (tables); ``label`` is the technical one
    #: effects are relative to at least this base (a figure on an absolute scale, such as an
    #: AUC, whose baseline value may be near 0): ``auditor.judge.variation.effect_size``
    effect_base: float = 0.0
    #: the metric on one sample (``auditor.metrics.panel.Sample``); None: computed elsewhere
    compute: Callable[[Any], float] | None = field(default=None, compare=False, repr=False)


LAYERS = ("topics", "wording", "structure", "duplication", "tails", "character")

# Each layer in a marketer's words (``short``), and with its technical name beside it (``full``):
# used the same way in every output.
LAYER_SHORT = {"topics": "subjects", "wording": "wording", "structure": "structure",
               "duplication": "copies", "tails": "niche ideas", "character": "voice",
               "segments": "product lines"}
LAYER_FULL = {
    "topics": "subjects (topics layer)",
    "wording": "wording (repeated words and phrases)",
    "structure": "structure (openings, closings, templates)",
    "duplication": "copies (duplication layer)",
    "tails": "niche ideas (rare words and topics: tails layer)",
    "character": "voice (how posts read: character layer)",
    "segments": "product lines (segments layer)",
}

def _mean(values: np.ndarray) -> float:
    """Mean of the finite per-document values (NaN when none)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("topics.mean_cosine", "topics", +1, "mean pairwise cosine",
               "posts sit closer together in meaning", bounds=(-1.0, 1.0),
               compute=lambda s: topics.mean_pairwise_cosine(s.embeddings)),
    MetricSpec("topics.vendi", "topics", -1, "Vendi score",
               "fewer effectively distinct posts", bounds=(1.0, math.inf),
               compute=lambda s: topics.vendi_score(s.embeddings)),
    MetricSpec("topics.nn_similarity", "topics", +1, "nearest-neighbour similarity",
               "each post has a closer look-alike", bounds=(-1.0, 1.0),
               compute=lambda s: topics.nearest_neighbour_similarity(
                   s.embeddings, random_state=s.random_state)),
    MetricSpec("wording.compression_ratio", "wording", +1, "compression ratio",
               "the text compresses better: more repeated wording",
               bounds=(0.0, math.inf),
               compute=lambda s: wording.compression_ratio([" ".join(w) for w in s.words])),
    MetricSpec("wording.self_repetition", "wording", +1, "4-gram self-repetition",
               "more 4-word phrases are shared between posts", bounds=(0.0, math.inf),
               compute=lambda s: hashed.self_repetition_hashed([g[3] for g in s.ngram_sets])),
    MetricSpec("wording.ngram_diversity", "wording", -1, "n-gram diversity (1-4)",
               "fewer distinct words and phrases", bounds=(0.0, 4.0),
               compute=lambda s: hashed.ngram_diversity_hashed(s.ngram_sets, s.ngram_totals)),
    MetricSpec("structure.template_share", "structure", +1, "template coverage",
               "more of the text follows recurring sentence templates",
               bounds=(0.0, 1.0), proportion=True,
               compute=lambda s: hashed.template_coverage_hashed(
                   s.shape_grams, s.shape_eligible, doc_unique=s.shape_sets)),
    MetricSpec("structure.opening_repetition", "structure", +1, "repeated openings",
               "more posts open with the same words", bounds=(0.0, 1.0), share=True,
               compute=lambda s: structure.repetition_share(s.rows("openings"))),
    MetricSpec("structure.closing_repetition", "structure", +1, "repeated closings",
               "more posts close with the same words", bounds=(0.0, 1.0), share=True,
               compute=lambda s: structure.repetition_share(s.rows("closings"))),
    MetricSpec("structure.heading_repetition", "structure", +1, "repeated heading skeletons",
               "more posts share the same heading outline", bounds=(0.0, 1.0),
               share=True,
               compute=lambda s: structure.repetition_share(s.rows("skeletons"))),
    MetricSpec("structure.sentence_uniformity", "structure", +1, "sentence-length uniformity",
               "posts have more uniform sentence rhythm", bounds=(0.0, 1.0),
               compute=lambda s: structure.sentence_length_uniformity(s.sentence_lengths)),
    MetricSpec("duplication.near_duplicate_share", "duplication", +1, "near-duplicate share",
               "more posts are near-copies of another", bounds=(0.0, 1.0), share=True,
               compute=lambda s: duplication.duplicate_share(
                   duplication.near_duplicate_families(
                       s.array("signatures"), threshold=duplication.DUP_THRESHOLD,
                       num_perm=duplication.NUM_PERM), len(s.idx))),
    MetricSpec("duplication.repost_share", "duplication", +1, "repost share",
               "more posts republish an earlier post's text", bounds=(0.0, 1.0), share=True,
               compute=lambda s: (duplication.repost_share(s.array("is_repost"))
                                  if s.features.is_repost is not None else 0.0)),
    MetricSpec("tails.rare_word_mass", "tails", -1, "rare-word mass",
               "less rare vocabulary",
               bounds=(0.0, 1.0),
               compute=lambda s: tails.rare_word_mass(s.lemmas)),
    MetricSpec("tails.topic_coverage", "tails", -1, "topic coverage",
               "posts spread over fewer topics",
               bounds=(1.0, math.inf),
               compute=lambda s: tails.topic_coverage(
                   tails.cluster_shares(s.array("clusters"), s.features.n_clusters))),
    # Computed once the baseline is known (auditor.app.measure.fill_character), on every post
    # of each period: the share of posts a word classifier scores above the baseline's 90th
    # percentile (metrics.character), in excess of what relabelled posts reach (0 by chance);
    # baseline periods get their own excess against the rest of the baseline, which is the
    # brand's natural drift. A rise of 5 points of posts is the smallest move.
    MetricSpec("character.unlike_baseline", "character", +1,
               "posts unlike the baseline (excess share)",
               "more posts read unlike the baseline's: a word classifier tells them apart",
               bounds=(-1.0, 1.0), proportion=True, effect_base=1.0),
    # Lost baseline topic mass also rises when a brand simply moves to new subjects (drift),
    # so it is context and evidence (vanished topics), not a verdict metric.
    MetricSpec("tails.lost_topic_mass", "drift", 0, "lost baseline topic mass",
               "more of the baseline's topics have gone", bounds=(0.0, 1.0)),
    MetricSpec("richness.mtld", "richness", 0, "MTLD (per document)", "",
               compute=lambda s: _mean(s.array("mtld"))),
    MetricSpec("richness.mattr", "richness", 0, "MATTR (per document)", "",
               compute=lambda s: _mean(s.array("mattr"))),
)

SHORT = {
    "topics.mean_cosine": "closeness in meaning",
    "topics.vendi": "distinct posts",
    "topics.nn_similarity": "closest look-alike",
    "wording.compression_ratio": "compressibility",
    "wording.self_repetition": "shared 4-word phrases",
    "wording.ngram_diversity": "distinct phrases",
    "structure.template_share": "templated sentences",
    "structure.opening_repetition": "same openings",
    "structure.closing_repetition": "same closings",
    "structure.heading_repetition": "same outlines",
    "structure.sentence_uniformity": "uniform rhythm",
    "duplication.near_duplicate_share": "near-copies",
    "duplication.repost_share": "reposts",
    "tails.rare_word_mass": "rare words",
    "tails.topic_coverage": "topics covered",
    "tails.lost_topic_mass": "baseline topics lost",
    "character.unlike_baseline": "posts unlike the baseline",
}
METRICS = tuple(dataclasses.replace(m, short=SHORT.get(m.name, m.label)) for m in METRICS)
BY_NAME = {m.name: m for m in METRICS}


def in_points(spec: MetricSpec) -> bool:
    """Effects of this metric are measured in percentage points (shares and proportions)."""
    return spec.share or spec.proportion
VERDICT_METRICS = tuple(m for m in METRICS if m.direction != 0)
