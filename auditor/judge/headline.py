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
from auditor.metrics.registry import LAYER_SHORT
from auditor.progress import plural
from auditor.results import (
    Evidence,
    PeriodResult,
    PhraseEvidence,
    ReferenceInfo,
    Verdict,
)
from auditor.types import STATUSES

ACTIONS = {
    "structure": "vary openings, closings and outlines",
    "wording": "cut stock phrases{phrases}",
    "topics": "brief writers on fresh subjects and angles",
    "tails": "bring back the topics you stopped covering{topics}",
    "duplication": "stop republishing and merge near-copies",
    "segments": "give each product line its own voice",
}
ORDER = ("structure", "wording", "topics", "tails", "duplication", "segments")  # actions first


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


def _facts(ev: Evidence | None, when: str) -> list[str]:
    out = []
    if ev is None:
        return out
    if ev.openings and ev.openings[0].share >= FACT_SHARE:
        o = ev.openings[0]
        out.append(f"{o.docs} of {o.of} posts in {when} open with \"{o.text}\"")
    if ev.closings and ev.closings[0].share >= FACT_SHARE and len(out) < 2:
        c = ev.closings[0]
        out.append(f"{c.docs} of {c.of} close with \"{c.text}\"")
    amp = _distinct([a for a in ev.amplified_phrases if a.ratio >= 2])
    everywhere = [a for a in amp if a.period_share >= 0.95]
    if len(everywhere) >= 2:
        quoted = join(['"' + a.text + '"' for a in everywhere[:3]])
        every = ("every post" if all(a.period_share >= 1.0 for a in everywhere)
                 else "almost every post")
        such = "such as " if len(everywhere) > 3 else ""
        out.append(f"{len(everywhere)} phrases appear in {every} ({such}{quoted})")
    elif amp:
        a = amp[0]
        out.append(f"\"{a.text}\" appears in {a.period_share:.0%} of posts (it was in "
                   f"{a.baseline_share:.0%} before)")
    n = ev.repost_count
    if n and len(out) < 3:
        out.append(f"{plural(n, 'post')} republish earlier ones")
    return out[:3]


def _distinct(phrases: list[PhraseEvidence]) -> list[PhraseEvidence]:
    """Phrases not contained in a longer one listed ("book" beside "book now" says nothing)."""
    texts = [f" {a.text.lower()} " for a in phrases]
    return [a for a, t in zip(phrases, texts)
            if not any(t != u and t in u for u in texts)]


def _layers_of(periods: Sequence[PeriodResult]) -> list[str]:
    """Layers that moved, trend or are building a trend in these periods, in ORDER."""
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


def _actions(layers: Sequence[str], ev: Evidence | None) -> str:
    amplified = ev.amplified_phrases if ev is not None else []
    phrases = [a.text for a in _distinct([a for a in amplified if a.ratio >= 2])][:2]
    topics = [t.titles[0] if t.titles else ", ".join(t.keywords[:2])
              for t in (ev.vanished_topics if ev is not None else [])][:2]
    acts = []
    for x in layers[:3]:
        a = ACTIONS[x]
        a = a.replace("{phrases}", (" such as " + join([f'"{p}"' for p in phrases]))
                      if phrases else "")
        a = a.replace("{topics}", (" (" + join([f'"{t}"' for t in topics]) + ")")
                      if topics else "")
        acts.append(a)
    text = join(acts)
    return text[:1].upper() + text[1:] + "." if text else ""


def headline(verdict: Verdict, periods: Sequence[PeriodResult],
             evidence: Mapping[str, Evidence | None], reference: ReferenceInfo) -> str:
    """The headline (module docstring)."""
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
    # The latest unbroken run of flagged periods, and within it the periods at its worst status.
    last = max(i for i, p in enumerate(judged) if p.status != "ok")
    start = last
    while start > 0 and judged[start - 1].status != "ok":
        start -= 1
    run = judged[start:last + 1]
    run_status = "samey" if any(p.status == "samey" for p in run) else "watch"
    at_worst = [p for p in run if p.status == run_status]
    since, latest = at_worst[0].label, run[-1].label
    layers = _layers_of(at_worst) or _layers_of(run)
    aspects = join([LAYER_SHORT.get(x, x) for x in layers]) or "several aspects"
    ev = evidence.get(latest)
    if run_status == "samey":
        lead = f"Since {period_name(since)} your posts read far more alike in {aspects}"
    else:
        lead = f"Since {period_name(since)} your posts are starting to read alike in {aspects}"
    earlier = ""
    if status == "samey" and run_status != "samey":  # the samey periods lie before this run
        sam = [p for p in judged[:start] if p.status == "samey"]
        earlier = (f"Earlier, {period_span(sam[0].label, sam[-1].label)} read far more "
                   f"alike in {join([LAYER_SHORT.get(x, x) for x in _layers_of(sam)])}. ")
    facts = _facts(ev, period_name(latest))
    out = earlier + lead + (": " + join(facts) + "." if facts else ".")
    acts = _actions(layers, ev)
    if acts:
        out += " " + acts
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
