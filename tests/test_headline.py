"""The headline (auditor.judge.headline): status, since when, which aspects, everyday figures,
action."""
from __future__ import annotations

import dataclasses

from auditor.judge.headline import headline, period_name, period_span
from auditor.metrics.registry import LAYERS  # noqa: E402
from auditor.results import (
    Comparison,
    DocRef,
    EdgeEvidence,
    Evidence,
    FamilyEvidence,
    LayerState,
    PeriodResult,
    PhraseEvidence,
    PowerInfo,
    ReferenceInfo,
    SkeletonEvidence,
    StockEvidence,
    VanishedTopic,
    Verdict,
)


def period(label, status, moved=(), trend=(), building=(), reasons=(), comparison=None):
    return PeriodResult(
        label=label, start=f"{label}-01", end=f"{label}-28", n_docs=32,
        is_baseline=status == "baseline", status=status, metrics={},
        comparison=comparison or {},
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
    assert "2 phrases appear in every post" in h
    # coherence: reposts are duplication's evidence, and duplication did not move
    assert "republish" not in h
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


# ---------------------------------------------------------------- coherence, every layer

def comp(z, moved=True, baseline=0.3, change=0.1):
    return Comparison(baseline, change, change / baseline, z, 1e-6, 1e-5, moved, 0.3, 0.02)


def stock(kind, text, docs=14, of=25, base=2, base_of=75):
    return StockEvidence(kind, text, docs, of, base, base_of, 9.0, [DocRef("a.md", None, None)])


#: evidence of every layer at once: each layer's headline must pick its own, and only its own
ALL = evidence(
    stock_frames=[stock("opening", "here is a")],
    stock_phrases=[stock("phrase", "delve into")],
    markers=[stock("word", "overall"), stock("word", "delightful", docs=10)],
    openings=[EdgeEvidence("Here is a", 20, 25, 0.8, [])],
    amplified_phrases=[phrase("delve into", 9, 0.6, 0.03)],
    repost_count=5,
    duplicate_families=[FamilyEvidence(3, [])],
    vanished_topics=[VanishedTopic(0, ["pricing"], ["Pricing for teams"], 0.2, 0.0, [])])

#: per layer: (driving metric, words its fact must hold, words of its action)
OWN = {
    "structure": ("structure.opening_repetition", 'open with "here is a"', "Vary openings"),
    "wording": ("wording.self_repetition", '"delve into" is in 14 of 25', "Cut stock phrases"),
    "character": ("character.unlike_baseline", '"overall" and "delightful" now appear',
                  "own voice"),
    "topics": ("topics.mean_cosine", "closer together in meaning", "fresh subjects"),
    "tails": ("tails.topic_coverage", '"Pricing for teams"', "Bring back the topics"),
    "duplication": ("duplication.repost_share", "5 posts republish", "Stop republishing"),
}


def test_every_layer_quotes_and_advises_from_its_own_measurement():
    assert set(OWN) == set(LAYERS)
    for layer, (metric, fact, action) in OWN.items():
        p = period("2025-03", "watch", moved=(layer,), comparison={metric: comp(5.0)})
        h = headline(verdict("watch"), BASE + [p], {"2025-03": ALL}, REF)
        assert fact in h and action in h, (layer, h)
        for other, (_, ofact, oaction) in OWN.items():
            if other != layer:
                assert ofact not in h and oaction not in h, (layer, other, h)


def test_segments_headline_gives_the_segments_advice_only():
    p = period("2025-03", "watch", reasons=["2025-03: product lines now read the same"])
    h = headline(verdict("watch"), BASE + [p], {"2025-03": ALL}, REF)
    assert "product lines" in h and "own voice" in h
    assert all(o[2] not in h for o in OWN.values() if o[2] != "own voice")


def test_structure_from_templates_does_not_say_vary_openings():
    """The issue's case: a structure flag driven by template coverage, no opening repeated."""
    ev = evidence(templates=[], openings=[])
    p = period("2025-03", "watch", moved=("structure",),
               comparison={"structure.template_share": comp(4.0, baseline=0.2, change=0.05)})
    h = headline(verdict("watch"), BASE + [p], {"2025-03": ev}, REF)
    assert "25% of the text follows recurring sentence templates (20% before)" in h
    assert "openings" not in h.lower() and "Vary sentence patterns" in h


def test_structure_from_repeated_outlines_names_the_outline():
    """A heading-repetition flag quotes the most repeated outline (its keys, not the levels)."""
    ev = evidence(heading_skeletons=[SkeletonEvidence(["2 step 0", "2 step 0", "2 faq"], 12)])
    p = period("2025-03", "watch", moved=("structure",),
               comparison={"structure.heading_repetition": comp(4.0)})
    h = headline(verdict("watch"), BASE + [p], {"2025-03": ev}, REF)
    assert '12 posts share the outline "step 0 / step 0 / faq"' in h and "Vary outlines" in h


def test_changed_character_names_the_marking_words_with_their_shares():
    p = period("2025-03", "samey", moved=("character", "wording"),
               comparison={"character.unlike_baseline": comp(6.0)})
    h = headline(verdict("samey"), BASE + [p], {"2025-03": ALL}, REF)
    assert h.startswith("Since March 2025 your posts read differently and far more alike in "
                        "wording: \"overall\" and \"delightful\" now appear in 56% and 40% of "
                        "posts (3% before)")
