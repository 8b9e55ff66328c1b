"""The one-paragraph headline of an audit, in a marketer's words: the status, since when, which
aspects, how big in everyday terms, and what to do next. It reads the verdict, the periods,
the evidence and the reference (plain data) and decides nothing: every status comes from
``auditor.judge.verdict``.

Example: "Since September 2025 your posts read far more alike in structure, wording and
subjects: 30 of 36 posts in March 2026 open with "In today's fast-paced world", and 3 phrases
appear in every post. Vary openings and closings, cut stock phrases such as "seamless", and
bring back the topics you stopped covering ("Pricing for teams")."
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence

from auditor.judge.thresholds import FACT_SHARE
from auditor.metrics.registry import BY_NAME, LAYER_SHORT
from auditor.progress import plural
from auditor.results import (
    Evidence,
    PeriodResult,
    PhraseEvidence,
    ReferenceInfo,
    StockEvidence,
    Verdict,
)
from auditor.types import STATUSES

ORDER = ("character", "structure", "wording", "topics", "tails", "duplication", "segments")
DRIFT_LAYERS = ("character",)  # posts read *differently*; the others read *alike*

def period_name(label: str) -> str:
    """'2025-09' -> 'September 2025', '2025-Q3' -> 'Q3 2025', '2019' -> '2019'; a merged
    label names its first period.

    >>> period_name("2025-09"), period_name("2025-Q3"), period_name("2024-01..2024-03")
    ('September 2025', 'Q3 2025', 'January 2024')
    """
    first = label.split("..")[0]
    m = re.fullmatch(r"(\d{4})-(\d{2})", first)
    if m:
        return f"{calendar.month_name[int(m.group(2))]} {m.group(1)}"
    m = re.fullmatch(r"(\d{4})-Q([1-4])", first)
    if m:
        return f"Q{m.group(2)} {m.group(1)}"
    return first


def period_span(first: str, last: str) -> str:
    """'January to May 2025', 'December 2024 to March 2025', 'Q1 2025'.

    >>> period_span("2025-01", "2025-05"), period_span("2024-12", "2025-03")
    ('January to May 2025', 'December 2024 to March 2025')
    """
    a, b = period_name(first), period_name(last.split("..")[-1])
    if a == b:
        return a
    ya, yb = a.rsplit(" ", 1)[-1], b.rsplit(" ", 1)[-1]
    if ya == yb and " " in a:
        return f"{a.rsplit(' ', 1)[0]} to {b}"
    return f"{a} to {b}"


def join(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _distinct(phrases: list[PhraseEvidence]) -> list[PhraseEvidence]:
    """Phrases not contained in a longer one listed ("book" beside "book now" says nothing)."""
    texts = [f" {a.text.lower()} " for a in phrases]
    return [a for a, t in zip(phrases, texts)
            if not any(t != u and t in u for u in texts)]


def _layers_of(periods: Sequence[PeriodResult]) -> list[str]:
    """Layers that moved, are sustained or building in these periods, in ORDER."""
    found: list[str] = []
    for p in periods:
        for layer, info in p.layers.items():
            if (info.moved or info.trend or info.building) and layer not in found:
                found.append(layer)
        if any(r.split(": ", 1)[-1].lower().startswith(("segments", "product lines"))
               or "now read the same" in r for r in p.reasons) \
                and "segments" not in found:
            found.append("segments")
    return [x for x in ORDER if x in found]


def _driver(p: PeriodResult, layer: str) -> str | None:
    """The metric behind a layer's flag in period ``p``: its moved metric with the largest z,
    else its metric with the largest z (a sustained or building shift), else None."""
    mine = [(n, c) for n, c in p.comparison.items() if n.split(".")[0] == layer
            and c.z == c.z]
    moved = [x for x in mine if x[1].moved]
    pool = moved or mine
    return max(pool, key=lambda x: x[1].z)[0] if pool else None


def _quote(items: Sequence[str]) -> str:
    return join([f'"{x}"' for x in items])


FRAME_VERB = {"opening": "open with", "closing": "close with", "outline": "follow the outline"}
FRAME_ACTION = {"opening": "vary openings", "closing": "vary closings",
                "outline": "vary outlines"}


def _structure(p: PeriodResult, ev: Evidence, when: str) -> tuple[str | None, str]:
    if ev.stock_frames:
        f = ev.stock_frames[0]
        return (f"{f.docs} of {f.of} posts in {when} {FRAME_VERB.get(f.kind, 'use')} "
                f"\"{f.text}\" ({f.baseline_docs} of {f.baseline_of} before)",
                FRAME_ACTION.get(f.kind, "vary the frames of your posts"))
    driver = _driver(p, "structure")
    if driver in (None, "structure.opening_repetition") and ev.openings \
            and ev.openings[0].share >= FACT_SHARE:
        o = ev.openings[0]
        return f"{o.docs} of {o.of} posts in {when} open with \"{o.text}\"", "vary openings"
    if driver in (None, "structure.closing_repetition") and ev.closings \
            and ev.closings[0].share >= FACT_SHARE:
        c = ev.closings[0]
        return f"{c.docs} of {c.of} posts in {when} close with \"{c.text}\"", "vary closings"
    if driver in (None, "structure.heading_repetition") and ev.heading_skeletons:
        sk = ev.heading_skeletons[0]
        # each skeleton entry is "level key" (app.evidence): the outline names the keys
        keys = [h.split(" ", 1)[-1] for h in sk.skeleton[:3]]
        return (f"{sk.docs} posts share the outline \"{' / '.join(keys)}\"", "vary outlines")
    cmp = p.comparison.get(driver or "")
    if driver == "structure.sentence_uniformity":
        return ("sentence lengths became more uniform across posts"
                + (f" (uniformity {cmp.baseline + cmp.change:.2f} vs {cmp.baseline:.2f})"
                   if cmp else ""),
                "vary sentence length and rhythm")
    if driver == "structure.template_share" and cmp is not None:
        return (f"{cmp.baseline + cmp.change:.0%} of the text follows recurring sentence "
                f"templates ({cmp.baseline:.0%} before)", "vary sentence patterns")
    return None, "vary sentence patterns and frames"


def _wording(p: PeriodResult, ev: Evidence, when: str) -> tuple[str | None, str]:
    if ev.stock_phrases:
        top: list[StockEvidence] = []
        for x in ev.stock_phrases:  # "paced" beside "fast paced" says nothing new
            if not any(f" {x.text} " in f" {y.text} " or f" {y.text} " in f" {x.text} "
                       for y in top):
                top.append(x)
        t = top[0]
        fact = (f"\"{t.text}\" is in {t.docs} of {t.of} posts in {when} ({t.baseline_docs} of "
                f"{t.baseline_of} before)")
        return fact, f"cut stock phrases such as {_quote([x.text for x in top[:2]])}"
    amp = _distinct([a for a in ev.amplified_phrases if a.ratio >= 2])
    if not amp:
        return None, "cut stock phrases"
    everywhere = [a for a in amp if a.period_share >= 0.95]
    if len(everywhere) >= 2:
        every = ("every post" if all(a.period_share >= 1.0 for a in everywhere)
                 else "almost every post")
        such = "such as " if len(everywhere) > 3 else ""
        fact = (f"{len(everywhere)} phrases appear in {every} "
                f"({such}{_quote([a.text for a in everywhere[:3]])})")
    else:
        a = amp[0]
        fact = (f"\"{a.text}\" appears in {a.period_share:.0%} of posts (it was in "
                f"{a.baseline_share:.0%} before)")
    return fact, f"cut stock phrases such as {_quote([a.text for a in amp[:2]])}"


def _character(p: PeriodResult, ev: Evidence, when: str) -> tuple[str | None, str]:
    rising = [m for m in ev.markers if m.share > m.baseline_share][:3]
    if not rising:
        return None, "write in your own voice again"
    words = _quote([m.text for m in rising])
    verb = "now appears" if len(rising) == 1 else "now appear"
    return (f"{words} {verb} in {_shares([m.share for m in rising])} "
            f"({_shares([m.baseline_share for m in rising], before=True)})",
            f"write in your own voice again: brief writers and prompts away from {words}")


def _shares(values: Sequence[float], *, before: bool = False) -> str:
    """'40%, 32% and 28% of posts' (or, ``before``, '5%, 3% and 1% before'); one figure when
    they round alike ('every post', 'none before').

    >>> _shares([1.0, 1.0]), _shares([0.0, 0.0], before=True), _shares([0.4, 0.25])
    ('every post', 'none before', '40% and 25% of posts')
    >>> _shares([0.03, 0.031], before=True)
    '3% before'
    """
    pct = [f"{v:.0%}" for v in values]
    tail = " before" if before else " of posts"
    if len(set(pct)) == 1:
        if pct[0] == "100%":
            return "every post" + (" before" if before else "")
        if pct[0] == "0%":
            return "none before" if before else "no post"
        return pct[0] + tail
    return join(pct) + tail


def _topics(p: PeriodResult, ev: Evidence, when: str) -> tuple[str | None, str]:
    c = p.comparison.get(_driver(p, "topics") or "")
    fact = None
    if c is not None and c.change == c.change and c.baseline == c.baseline:
        fact = (f"posts sit closer together in meaning ({BY_NAME[_driver(p, 'topics') or ''].label}"
                f" {c.baseline + c.change:.2f}, {c.baseline:.2f} before)")
    return fact, "brief writers on fresh subjects and angles"


def _tails(p: PeriodResult, ev: Evidence, when: str) -> tuple[str | None, str]:
    topics = [t.titles[0] if t.titles else ", ".join(t.keywords[:2])
              for t in ev.vanished_topics][:2]
    if not topics:
        return None, "bring back rarer subjects and words"
    return (f"topics you stopped covering include {_quote(topics)}",
            f"bring back the topics you stopped covering ({_quote(topics)})")


def _duplication(p: PeriodResult, ev: Evidence, when: str) -> tuple[str | None, str]:
    if ev.repost_count:
        return (f"{plural(ev.repost_count, 'post')} republish earlier ones",
                "stop republishing and merge near-copies")
    if ev.duplicate_families:
        n = sum(f.size for f in ev.duplicate_families)
        return (f"{n} posts in {when} are near-copies of another",
                "stop republishing and merge near-copies")
    return None, "stop republishing and merge near-copies"


def _segments(p: PeriodResult, ev: Evidence, when: str) -> tuple[str | None, str]:
    return None, "give each product line its own voice"


STORIES = {"structure": _structure, "wording": _wording, "character": _character,
           "topics": _topics, "tails": _tails, "duplication": _duplication,
           "segments": _segments}


def layer_story(layer: str, p: PeriodResult, ev: Evidence | None,
                when: str) -> tuple[str | None, str]:
    """``(fact, action)`` for a flagged layer of period ``p``, both from the measurement that
    flagged it (its counted frames or phrases, its driving metric, its own evidence): the
    headline never quotes one layer's evidence, or gives its advice, for another."""
    if ev is None:
        ev = Evidence([], [], 0.0, [], [], [], [], 0.0, [], 0, [])
    return STORIES[layer](p, ev, when)


def _aspects(layers: Sequence[str], status: str) -> str:
    """'read far more alike in structure and wording', 'are starting to read differently and
    alike in wording', 'read differently'."""
    alike = join([LAYER_SHORT.get(x, x) for x in layers if x not in DRIFT_LAYERS])
    differ = any(x in DRIFT_LAYERS for x in layers)
    samey = status == "samey"
    if differ and alike:
        return ("read differently and far more alike in " if samey
                else "are starting to read differently and alike in ") + alike
    if differ:
        return "read differently" if samey else "are starting to read differently"
    return ("read far more alike in " if samey
            else "are starting to read alike in ") + (alike or "several aspects")


def latest_run(judged: Sequence[PeriodResult]
               ) -> tuple[int, list[PeriodResult], str, list[PeriodResult]]:
    """The latest unbroken run of flagged periods among the ``judged`` ones (at least one is
    flagged): ``(its start index, the run, its worst status, the periods at that status)``."""
    last = max(i for i, p in enumerate(judged) if p.status != "ok")
    start = last
    while start > 0 and judged[start - 1].status != "ok":
        start -= 1
    run = list(judged[start:last + 1])
    run_status = "samey" if any(p.status == "samey" for p in run) else "watch"
    return start, run, run_status, [p for p in run if p.status == run_status]


def headline(verdict: Verdict, periods: Sequence[PeriodResult],
             evidence: Mapping[str, Evidence | None], reference: ReferenceInfo, *,
             source_line: str | None = None) -> str:
    """The headline (module docstring). ``source_line``: the sentence naming the source that
    made the latest flagged run samey (``judge.provenance.dominant_source``), said after the
    facts."""
    status = verdict.status
    judged = [p for p in periods if p.status in STATUSES]
    base = reference.baseline or [p.label for p in periods if p.is_baseline]
    span = period_span(base[0], base[-1]) if base else "the baseline"
    if not judged:
        return ("Not enough history to compare yet: samey needs at least two periods with "
                "enough posts. Add older content, or use a finer --period.")
    if status == "ok":
        blind = [LAYER_SHORT.get(k, k) for k, p in reference.power.items() if p.blind]
        out = (f"Your content is as varied as it was in {span}: nothing moved beyond normal "
               f"variation in the {plural(len(judged), 'period')} since.")
        if blind:
            out += (f" With this few posts per period, only large changes in {join(blind)} "
                    "would show.")
        return out + " Keep auditing as you publish."
    start, run, run_status, at_worst = latest_run(judged)
    since, latest = at_worst[0].label, run[-1].label
    layers = _layers_of(at_worst) or _layers_of(run)
    ev = evidence.get(latest)
    lead = f"Since {period_name(since)} your posts " + _aspects(layers, run_status)
    earlier = ""
    if status == "samey" and run_status != "samey":  # the samey periods lie before this run
        sam = [p for p in judged[:start] if p.status == "samey"]
        earlier = (f"Earlier, {period_span(sam[0].label, sam[-1].label)} "
                   f"{_aspects(_layers_of(sam), 'samey')}. ")
    stories = [layer_story(x, run[-1], ev, period_name(latest)) for x in layers[:3]]
    facts = [f for f, _ in stories if f]
    out = earlier + lead + (": " + join(facts) + "." if facts else ".")
    if source_line:
        out += " " + source_line
    acts = join(list(dict.fromkeys(a for _, a in stories)))
    if acts:
        out += " " + acts[:1].upper() + acts[1:] + "."
    if run_status == "watch" and status != "samey":
        out += " Not samey yet: keep an eye on the next periods."
    if reference.rule == "user" and reference.warnings:
        out += " Note: the baseline you chose is not stable (see the reference section)."
    return out


def evidence_reasons(evidence: Mapping[str, Evidence | None],
                     periods_out: Sequence[PeriodResult]) -> list[str]:
    """A plain-words evidence line for the latest flagged period: phrases, openings, families,
    vanished topics (every period's evidence is in ``evidence``)."""
    out = []
    flagged = [p for p in periods_out if p.status in ("watch", "samey")]
    for p in flagged[-1:]:  # evidence of the latest flagged period (each period has its own)
        ev = evidence[p.label]
        if ev is None:
            continue
        bits = []
        amp = [a for a in ev.amplified_phrases if a.ratio >= 2][:3]
        if amp:
            bits.append("phrases far more common than before: " + ", ".join(
                f"\"{a.text}\" ({a.period_share:.0%} of posts vs {a.baseline_share:.0%})"
                for a in amp))
        if ev.openings:
            o = ev.openings[0]
            bits.append(f"{o.docs} of {o.of} posts open with \"{o.text}\"")
        if ev.duplicate_families:
            fam = ev.duplicate_families[0]
            bits.append(f"largest family of near-copies: {fam.size} posts "
                        f"(e.g. {fam.documents[0].path})")
        if ev.reposts:
            r = ev.reposts[0]
            bits.append(f"{plural(ev.repost_count, 'post')} republish earlier ones, e.g. "
                        f"{r.repost.path} ({r.repost.date}) repeats "
                        f"{r.original.path} ({r.original.date})")
        if ev.vanished_topics:
            bits.append("topics no longer covered: " + "; ".join(
                (f"\"{t.titles[0]}\"" if t.titles else "")
                + f" ({', '.join(t.keywords[:3])})" for t in ev.vanished_topics[:2]))
        if bits:
            out.append(f"{p.label} evidence: " + "; ".join(bits) + ".")
    return out
