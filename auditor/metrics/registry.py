"""The metrics samey reports: layer, direction and plain-words description.

``direction`` is +1 when a higher value means more homogeneous (samey), -1 when lower does, and
0 for context metrics that never drive the verdict (drift, per-document richness).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricSpec:
    name: str
    layer: str
    direction: int
    label: str
    plain: str  # what a rise in samey-ness means, for reasons


LAYERS = ("topics", "wording", "structure", "duplication", "tails")
CONTEXT_LAYERS = ("drift", "richness")

METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("topics.mean_cosine", "topics", +1, "mean pairwise cosine",
               "posts sit closer together in meaning"),
    MetricSpec("topics.vendi", "topics", -1, "Vendi score",
               "fewer effectively distinct posts"),
    MetricSpec("topics.nn_similarity", "topics", +1, "nearest-neighbour similarity",
               "each post has a closer look-alike"),
    MetricSpec("wording.compression_ratio", "wording", +1, "compression ratio",
               "the text compresses better: more repeated wording"),
    MetricSpec("wording.self_repetition", "wording", +1, "4-gram self-repetition",
               "more 4-word phrases are shared between posts"),
    MetricSpec("wording.ngram_diversity", "wording", -1, "n-gram diversity (1-4)",
               "fewer distinct words and phrases"),
    MetricSpec("structure.template_share", "structure", +1, "template coverage",
               "more of the text follows recurring sentence templates"),
    MetricSpec("structure.opening_repetition", "structure", +1, "repeated openings",
               "more posts open with the same words"),
    MetricSpec("structure.closing_repetition", "structure", +1, "repeated closings",
               "more posts close with the same words"),
    MetricSpec("structure.heading_repetition", "structure", +1, "repeated heading skeletons",
               "more posts share the same heading outline"),
    MetricSpec("structure.sentence_uniformity", "structure", +1, "sentence-length uniformity",
               "posts have more uniform sentence rhythm"),
    MetricSpec("duplication.near_duplicate_share", "duplication", +1, "near-duplicate share",
               "more posts are near-copies of another"),
    MetricSpec("tails.rare_word_mass", "tails", -1, "rare-word mass",
               "less rare vocabulary (lemmas used by a single post)"),
    MetricSpec("tails.topic_coverage", "tails", -1, "topic coverage",
               "posts spread over fewer topics (effective number of topic clusters)"),
    # Lost baseline topic mass also rises when a brand simply moves to new subjects (drift),
    # so it is context and evidence (vanished topics), not a verdict metric.
    MetricSpec("tails.lost_topic_mass", "drift", 0, "lost baseline topic mass",
               "more of the baseline's topics have gone"),
    MetricSpec("richness.mtld", "richness", 0, "MTLD (per document)", ""),
    MetricSpec("richness.mattr", "richness", 0, "MATTR (per document)", ""),
)

BY_NAME = {m.name: m for m in METRICS}
VERDICT_METRICS = tuple(m for m in METRICS if m.direction != 0)
