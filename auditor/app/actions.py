"""The action list: the posts to revise first in the latest judged period and in every flagged
period with evidence. This module measures what each post adds (``PostSignals``); the ranking,
the reasons and the change are ``auditor.judge.actions``'s.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.app.judged import Judged
from auditor.app.measure import frame_keys_of, phrase_keys_of
from auditor.app.prepare import Prepared
from auditor.app.provenance import UnlikeCache
from auditor.features.lexicon import stop_words
from auditor.judge.actions import Frame, PostSignals, rank_posts
from auditor.judge.excess import frame_phrase
from auditor.judge.thresholds import ACTION_AMPLIFIED_RATIO, ACTION_NEIGHBOURS
from auditor.metrics import duplication, wording
from auditor.metrics.excess import Excess
from auditor.metrics.posts import holders, k_occurrence
from auditor.results import Actions, Evidence, PeriodActions, PeriodResult
from auditor.types import STATUSES, Document, Period

FLAGGED = ("watch", "samey")


def moved_layers(p: PeriodResult) -> list[str]:
    """The layers of a period that moved, are sustained or are building."""
    return [x for x, s in p.layers.items() if s.moved or s.trend or s.building]


def audit_actions(j: Judged, periods: Sequence[PeriodResult],
                  evidence: Mapping[str, Evidence | None], unlike: UnlikeCache
                  ) -> Actions | None:
    """The posts to revise first: the latest judged period, and every flagged one with
    evidence (None when no period is judged). A period within normal variation gets an empty
    list: no post needs revising for sameness there."""
    prep = j.prep
    judged = [(p, po) for p, po in zip(prep.periods, periods) if po.status in STATUSES]
    if not judged:
        return None
    latest = judged[-1]
    flagged = [x for x in judged if x[1].status in FLAGGED]
    per: dict[str, PeriodActions] = {}
    for p, po in flagged + [latest]:
        ev = evidence.get(p.label)
        if p.label in per:
            continue
        if ev is None or po.status not in FLAGGED:
            per[p.label] = PeriodActions(p.label, po.status, [])
            continue
        stock = {layer: list(found.get(p.label, ())) for layer, found in (j.stock or {}).items()}
        sig = post_signals(j, p, ev, stock, unlike)
        per[p.label] = PeriodActions(p.label, po.status, rank_posts(sig, moved_layers(po)))
    top = per.get(latest[0].label)
    return Actions(latest[0].label, latest[1].status, top.revise_first if top else [],
                   [per[p.label] for p, _ in flagged if per[p.label].revise_first])


def _name(d: Document | None, fallback: str) -> str:
    return (d.title or d.doc_id) if d is not None else fallback


def post_signals(j: Judged, p: Period, ev: Evidence, stock: Mapping[str, Sequence[Excess]],
                 unlike: UnlikeCache) -> list[PostSignals]:
    """What each post of period ``p`` adds to its sameness (``judge.actions.PostSignals``)."""
    prep: Prepared = j.prep
    f, docs = prep.features, prep.documents
    idx = list(p.doc_indices)
    frames = [frame_keys_of(prep, i) for i in idx]
    held = holders(frames)
    stock_frames = {t.key for t in stock.get("structure", ())}
    per_doc = j.word_budget // max(j.sample_size, 1)
    stop = stop_words()
    stock_phrases = [t.key for t in stock.get("wording", ())]
    amplified = [a.phrase for a in ev.amplified_phrases if a.ratio >= ACTION_AMPLIFIED_RATIO]
    spreading = _distinct(list(dict.fromkeys(stock_phrases + amplified)))
    markers = [m.text for m in ev.markers if m.share > m.baseline_share]
    u = unlike(p)
    neighbours = k_occurrence(f.embeddings[idx], k=ACTION_NEIGHBOURS)
    fams = duplication.near_duplicate_families(f.signatures[idx],
                                               threshold=duplication.DUP_THRESHOLD,
                                               num_perm=duplication.NUM_PERM)
    family = {m: fam for fam in fams for m in fam}
    out = []
    for local, i in enumerate(idx):
        d = docs[i]
        keys = phrase_keys_of(prep, i, per_doc, stop) if stock_phrases else set()
        carried = tuple(x for x in spreading
                        if x in keys or wording.contains_phrase(f.words[i], x))
        fam = family.get(local, [])
        other = next((idx[m] for m in fam if m != local), None)
        orig = prep.originals.get(d.repost_of) if d.repost_of else None
        out.append(PostSignals(
            doc=d.doc_id, title=d.title, date=d.date.isoformat() if d.date else None,
            source=d.source,
            frames=tuple(Frame(*frame_phrase(k), held[k] - 1, k in stock_frames)
                         for k in sorted(frames[local])
                         if held[k] >= 2 or k in stock_frames),
            phrases=tuple(wording.display_phrase(x) for x in carried),
            phrase_total=len(spreading),
            markers=tuple(w for w in markers if w in f.words[i]),
            unlike=float(u[local]),
            family=len(fam), copy_of=_name(docs[other], "") if other is not None else None,
            repost_of=_name(orig, d.repost_of) if d.repost_of else None,
            repost_date=orig.date.isoformat() if orig is not None and orig.date else None,
            neighbours=int(neighbours[local])))
    return out


def _distinct(phrases: list[str]) -> list[str]:
    """Phrases that share no word with a stronger one listed ("paced", "fast paced world"
    beside "fast paced" are the same stock phrase)."""
    seen: set[str] = set()
    out = []
    for x in phrases:
        words = set(x.split())
        if not words & seen:
            out.append(x)
            seen |= words
    return out
