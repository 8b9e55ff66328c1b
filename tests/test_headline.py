"""The headline (auditor.judge.headline): status, since when, which aspects, everyday figures, action."""
from __future__ import annotations

from auditor.judge.headline import headline, period_name, period_span

LAYERS = ("topics", "wording", "structure", "duplication", "tails")


def period(label, status, moved=(), trend=(), building=(), reasons=()):
    return {"label": label, "status": status, "is_baseline": status == "baseline",
            "reasons": list(reasons),
            "layers": {x: {"moved": x in moved, "trend": x in trend, "building": x in building}
                       for x in LAYERS}}


BASE = [period("2025-01", "baseline"), period("2025-02", "baseline")]
REF = {"baseline": ["2025-01", "2025-02"], "rule": "default", "warnings": [], "power": {}}


def test_ok_names_the_baseline_and_little_data():
    ps = BASE + [period("2025-03", "ok"), period("2025-04", "ok")]
    ref = {**REF, "power": {"tails": {"blind": True}, "topics": {"blind": False}}}
    h = headline({"status": "ok"}, ps, {}, ref)
    assert h.startswith("Your content is as varied as it was in January to February 2025")
    assert "in the 2 periods since" in h and "only large changes in niche ideas" in h


def test_watch_from_a_building_trend_names_that_layer():
    ps = BASE + [period("2025-03", "ok"), period("2025-04", "watch", building=("wording",))]
    h = headline({"status": "watch"}, ps, {}, REF)
    assert h.startswith("Since April 2025 your posts are starting to read alike in wording")
    assert "structure" not in h and "Not samey yet" in h


def test_samey_since_the_first_samey_period_with_everyday_figures():
    ev = {"openings": [{"text": "In today's fast-paced world", "docs": 30, "of": 32,
                        "share": 30 / 32}],
          "amplified_phrases": [{"text": "seamless", "ratio": 9, "period_share": 1.0,
                                 "baseline_share": 0.0},
                                {"text": "robust", "ratio": 9, "period_share": 1.0,
                                 "baseline_share": 0.0}],
          "repost_count": 12,
          "vanished_topics": [{"titles": ["Pricing for teams"], "keywords": ["pricing"]}]}
    ps = BASE + [period("2025-03", "watch", building=("structure",)),
                 period("2025-04", "samey", moved=("structure", "tails")),
                 period("2025-05", "samey", moved=("structure", "wording", "tails"))]
    h = headline({"status": "samey"}, ps, {"2025-05": ev}, REF)
    assert h.startswith("Since April 2025 your posts read far more alike in structure, wording "
                        "and niche ideas: 30 of 32 posts in May 2025 open with \"In today's "
                        "fast-paced world\"")
    assert "2 phrases appear in every post" in h and "12 posts republish earlier ones" in h
    assert "Vary openings" in h and "\"seamless\"" in h and "\"Pricing for teams\"" in h


def test_an_earlier_samey_spell_is_not_hidden_by_a_later_watch():
    ps = BASE + [period("2025-03", "samey", moved=("wording", "topics")),
                 period("2025-04", "ok"), period("2025-05", "watch", moved=("tails",))]
    h = headline({"status": "samey"}, ps, {}, REF)
    assert h.startswith("Earlier, March 2025 read far more alike in wording and subjects. "
                        "Since May 2025 your posts are starting to read alike in niche ideas")


def test_almost_every_post_and_reposts_counted_from_the_period():
    ev = {"amplified_phrases": [{"text": "a", "ratio": 5, "period_share": 0.96,
                                 "baseline_share": 0.0},
                                {"text": "b", "ratio": 5, "period_share": 1.0,
                                 "baseline_share": 0.0}],
          "repost_count": 17}
    ps = BASE + [period("2025-03", "samey", moved=("duplication", "wording"))]
    h = headline({"status": "samey"}, ps, {"2025-03": ev}, REF)
    assert "appear in almost every post" in h and "17 posts republish earlier ones" in h


def test_nothing_to_compare_and_labels():
    assert headline({"status": "ok"}, BASE, {}, REF).startswith("Not enough history")
    assert period_name("2024-12..2025-02") == "December 2024"
    assert period_span("2024-12..2025-01", "2025-03") == "December 2024 to March 2025"
    assert period_span("2025-Q1", "2025-Q3") == "Q1 to Q3 2025"
