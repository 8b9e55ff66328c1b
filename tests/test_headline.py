"""The headline (auditor.judge.headline): status, since when, which aspects, everyday figures, action."""
from __future__ import annotations

import dataclasses

from auditor.judge.headline import headline, period_name, period_span
from auditor.results import (
    EdgeEvidence,
    Evidence,
    LayerState,
    PeriodResult,
    PhraseEvidence,
    PowerInfo,
    ReferenceInfo,
    VanishedTopic,
    Verdict,
)

LAYERS = ("topics", "wording", "structure", "duplication", "tails")


def period(label, status, moved=(), trend=(), building=(), reasons=()):
    return PeriodResult(
        label=label, start=f"{label}-01", end=f"{label}-28", n_docs=32,
        is_baseline=status == "baseline", status=status, metrics={}, comparison={},
        layers={x: LayerState(0.0, x in moved, x in trend, x in building) for x in LAYERS},
        reasons=list(reasons))


def verdict(status):
    return Verdict(status=status, reasons=[])


def evidence(**kw):
    empty = dict(amplified_phrases=[], templates=[], template_share=0.0, openings=[],
                 closings=[], heading_skeletons=[], duplicate_families=[],
                 near_duplicate_share=0.0, reposts=[], repost_count=0, vanished_topics=[])
    return Evidence(**{**empty, **kw})


def phrase(text, ratio, period_share, baseline_share):
    return PhraseEvidence(phrase=text, n=1, period_share=period_share,
                          baseline_share=baseline_share, ratio=ratio,
                          gap=period_share - baseline_share, period_docs=0, text=text,
                          example=None)


def power(blind):
    return PowerInfo(metric="m", label="m", baseline=1.0, detectable=0.5, effect=0.5,
                     share=False, blind=blind, sentence="")


BASE = [period("2025-01", "baseline"), period("2025-02", "baseline")]
REF = ReferenceInfo(baseline=["2025-01", "2025-02"], rule="default", candidate=[], set_aside=[],
                    stable=True, warnings=[], findings=[], natural_variation="baseline",
                    change_points={}, shifts=[], power={}, sample_size=16)


def test_ok_names_the_baseline_and_little_data():
    ps = BASE + [period("2025-03", "ok"), period("2025-04", "ok")]
    ref = dataclasses.replace(REF, power={"tails": power(True), "topics": power(False)})
    h = headline(verdict("ok"), ps, {}, ref)
    assert h.startswith("Your content is as varied as it was in January to February 2025")
    assert "in the 2 periods since" in h and "only large changes in niche ideas" in h


def test_watch_from_a_building_trend_names_that_layer():
    ps = BASE + [period("2025-03", "ok"), period("2025-04", "watch", building=("wording",))]
    h = headline(verdict("watch"), ps, {}, REF)
    assert h.startswith("Since April 2025 your posts are starting to read alike in wording")
    assert "structure" not in h and "Not samey yet" in h


def test_samey_since_the_first_samey_period_with_everyday_figures():
    ev = evidence(
        openings=[EdgeEvidence("In today's fast-paced world", 30, 32, 30 / 32, [])],
        amplified_phrases=[phrase("seamless", 9, 1.0, 0.0), phrase("robust", 9, 1.0, 0.0)],
        repost_count=12,
        vanished_topics=[VanishedTopic(0, ["pricing"], ["Pricing for teams"], 0.2, 0.0, [])])
    ps = BASE + [period("2025-03", "watch", building=("structure",)),
                 period("2025-04", "samey", moved=("structure", "tails")),
                 period("2025-05", "samey", moved=("structure", "wording", "tails"))]
    h = headline(verdict("samey"), ps, {"2025-05": ev}, REF)
    assert h.startswith("Since April 2025 your posts read far more alike in structure, wording "
                        "and niche ideas: 30 of 32 posts in May 2025 open with \"In today's "
                        "fast-paced world\"")
    assert "2 phrases appear in every post" in h and "12 posts republish earlier ones" in h
    assert "Vary openings" in h and "\"seamless\"" in h and "\"Pricing for teams\"" in h


def test_an_earlier_samey_spell_is_not_hidden_by_a_later_watch():
    ps = BASE + [period("2025-03", "samey", moved=("wording", "topics")),
                 period("2025-04", "ok"), period("2025-05", "watch", moved=("tails",))]
    h = headline(verdict("samey"), ps, {}, REF)
    assert h.startswith("Earlier, March 2025 read far more alike in wording and subjects. "
                        "Since May 2025 your posts are starting to read alike in niche ideas")


def test_almost_every_post_and_reposts_counted_from_the_period():
    ev = evidence(amplified_phrases=[phrase("a", 5, 0.96, 0.0), phrase("b", 5, 1.0, 0.0)],
                  repost_count=17)
    ps = BASE + [period("2025-03", "samey", moved=("duplication", "wording"))]
    h = headline(verdict("samey"), ps, {"2025-03": ev}, REF)
    assert "appear in almost every post" in h and "17 posts republish earlier ones" in h


def test_nothing_to_compare_and_labels():
    assert headline(verdict("ok"), BASE, {}, REF).startswith("Not enough history")
    assert period_name("2024-12..2025-02") == "December 2024"
    assert period_span("2024-12..2025-01", "2025-03") == "December 2024 to March 2025"
    assert period_span("2025-Q1", "2025-Q3") == "Q1 to Q3 2025"
