"""Evidence a marketer can act on, per period: amplified phrases, templates, openings and
closings, near-duplicate families, reposts, vanished topics, drift and a side-by-side pair of
posts. Data, not prose (the sentences are in ``auditor.judge``)."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from auditor.app.measure import frame_keys_of
from auditor.app.prepare import Prepared
from auditor.features.lexicon import phrase_stop_words, stop_words
from auditor.judge.excess import frame_phrase
from auditor.judge.thresholds import DRIFT_MIN_POSTS
from auditor.metrics import drift, duplication, structure, tails, wording
from auditor.metrics.excess import Excess
from auditor.metrics.sampling import (
    stable_seed,
)
from auditor.results import (
    DocRef,
    DriftEvidence,
    EdgeEvidence,
    Evidence,
    Excerpt,
    FamilyEvidence,
    PhraseEvidence,
    RepostEvidence,
    SideBySide,
    SkeletonEvidence,
    StockEvidence,
    TemplateEvidence,
    VanishedTopic,
)
from auditor.types import Document, Period

EVIDENCE_TOP = 8
EVIDENCE_BASELINE = 1000  # baseline documents drawn (seeded) for evidence and drift


def _doc_ref(d: Document) -> DocRef:
    return DocRef(d.doc_id, d.title, d.date.isoformat() if d.date else None)


def evidence_baseline(prep: Prepared, *, random_state: int = 0) -> list[int]:
    """The baseline documents evidence compares with: all of them, or EVIDENCE_BASELINE drawn
    at random (seeded) from a larger baseline, so evidence costs the same at any corpus size."""
    base_idx = [i for p in prep.periods if p.is_baseline for i in p.doc_indices]
    # not a threshold: a sample size (cost)
    if len(base_idx) > EVIDENCE_BASELINE:
        rng = np.random.default_rng(stable_seed(random_state, "evidence"))
        base_idx = sorted(int(i) for i in rng.choice(base_idx, EVIDENCE_BASELINE, replace=False))
    return base_idx


def stock_evidence(prep: Prepared, p: Period, found: Mapping[str, Sequence[Excess]]
                   ) -> tuple[list[StockEvidence], list[StockEvidence]]:
    """The counted frames and phrases of period ``p`` (``judge.excess``) with up to three
    example posts each: ``(frames, phrases)``. Phrases that share a word with a stronger one
    listed are left out ("paced", "fast paced world" beside "fast paced"): they are the same
    stock phrase."""
    f, docs, idx = prep.features, prep.documents, list(p.doc_indices)
    frames, phrases = [], []
    for t in found.get("structure", ())[:EVIDENCE_TOP]:
        kind, text = frame_phrase(t.key)
        ex = [i for i in idx if t.key in frame_keys_of(prep, i)][:3]
        frames.append(StockEvidence(kind, text, t.docs, t.of, t.baseline_docs, t.baseline_of,
                                    t.odds_ratio, [_doc_ref(docs[i]) for i in ex]))
    seen: set[str] = set()
    for t in found.get("wording", ()):
        words = set(t.key.split())
        if words & seen:
            continue
        seen |= words
        ex = [i for i in idx if wording.contains_phrase(f.words[i], t.key)][:3]
        phrases.append(StockEvidence("phrase", t.key, t.docs, t.of, t.baseline_docs,
                                     t.baseline_of, t.odds_ratio, [_doc_ref(docs[i]) for i in ex]))
        if len(phrases) == EVIDENCE_TOP:
            break
    return frames, phrases


def period_evidence(prep: Prepared, p: Period, base_idx: Sequence[int], *,
                    random_state: int,
                    stock: Mapping[str, Sequence[Excess]] | None = None,
                    context: str | None = None) -> Evidence:
    """What a marketer can act on: counted stock frames and phrases, amplified phrases,
    templates, openings, duplicate families, vanished topics, drift and marker words, with
    example documents. ``context``: what the evidence is for a period that was not flagged."""
    f, docs = prep.features, prep.documents
    idx = list(p.doc_indices)
    words = [f.words[i] for i in idx]
    base_words = [f.words[i] for i in base_idx]
    amp = wording.amplified_phrases(words, base_words, top=EVIDENCE_TOP,
                                     stop_words=phrase_stop_words())
    phrases = []
    used: set[int] = set()
    for a in amp:  # a different example post for each phrase where there is one
        having = [i for i in idx if wording.contains_phrase(f.words[i], a.phrase)]
        ex = next((i for i in having if i not in used), having[0] if having else None)
        if ex is not None:
            used.add(ex)
        phrases.append(PhraseEvidence(**dataclasses.asdict(a),
                                      text=wording.display_phrase(a.phrase),
                                      example=_doc_ref(docs[ex]) if ex is not None else None))

    tstats = structure.shape_ngram_templates([f.shapes[i] for i in idx], top=EVIDENCE_TOP)
    bstats = structure.shape_ngram_templates([f.shapes[i] for i in base_idx], top=200)
    base_counts = dict(bstats.templates)
    templates = [TemplateEvidence(t, c, c / max(len(idx), 1),
                                  base_counts.get(t, 0) / max(len(base_idx), 1))
                 for t, c in tstats.templates]

    edges_of: dict[str, list[EdgeEvidence]] = {}
    for key, end in (("openings", False), ("closings", True)):
        edges = [structure.edge_words(docs[i].text, end=end) for i in idx]
        edges_of[key] = [EdgeEvidence(phrase, len(members), len(idx),
                                      len(members) / max(len(idx), 1),
                                      [_doc_ref(docs[idx[j]]) for j in members[:3]])
                         for phrase, members in structure.shared_edges(edges, end=end,
                                                                       top=EVIDENCE_TOP)]
    rep = structure.most_repeated([f.skeletons[i] for i in idx], top=3)
    skeletons = [SkeletonEvidence([" ".join(map(str, h)) for h in s], c)
                 for s, c in rep if c >= 2]

    fams = duplication.near_duplicate_families(f.signatures[idx],
                                               threshold=duplication.DUP_THRESHOLD,
                                               num_perm=duplication.NUM_PERM)
    families = [FamilyEvidence(len(fam), [_doc_ref(docs[idx[j]]) for j in fam[:5]])
                for fam in fams[:EVIDENCE_TOP]]
    reposts = [RepostEvidence(DocRef(**dataclasses.asdict(r.repost)),
                              DocRef(**dataclasses.asdict(r.original)), r.days_later)
               for r in duplication.repost_pairs([docs[i] for i in idx], prep.originals,
                                                 top=EVIDENCE_TOP)]

    k = prep.features.n_base_clusters
    shares = tails.cluster_shares(f.base_clusters[idx], k)
    gone = tails.vanished_clusters(prep.baseline_shares, shares)
    vanished = []
    if gone:
        kw = tails.cluster_keywords(base_words, f.base_clusters[list(base_idx)], k=k,
                                    stop_words=phrase_stop_words())
        for c in gone:  # named by the baseline posts nearest the topic's centre
            members = [i for i in base_idx if f.base_clusters[i] == c]
            centre = f.embeddings[members].mean(axis=0) if members else None
            order = sorted(members, key=lambda i: -float(f.embeddings[i] @ centre)) \
                if members else []
            vanished.append(VanishedTopic(
                cluster=int(c), keywords=list(kw[c]),
                titles=list(dict.fromkeys(title for i in order if (title := docs[i].title)))[:3],
                baseline_share=float(prep.baseline_shares[c]),
                period_share=float(shares[c]),
                examples=[_doc_ref(docs[i]) for i in order[:3]]))

    drift_ev, markers, pair = None, [], None
    if not p.is_baseline and min(len(base_idx), len(idx)) >= DRIFT_MIN_POSTS:
        X, Y = f.embeddings[list(base_idx)], f.embeddings[idx]
        mmd = drift.mmd2_rbf(X, Y, random_state=random_state)
        auc = drift.domain_classifier_auc(X, Y, random_state=random_state)
        wa, wb = drift.characteristic_words(base_words, words, top=EVIDENCE_TOP,
                                            stop_words=stop_words())
        drift_ev = DriftEvidence(mmd.mmd2, mmd.p_value, auc, [w for w, _ in wa],
                                 [w for w, _ in wb])
        markers = marker_words(prep, idx, list(base_idx), [w for w, _ in wb])
        pair = side_by_side(prep, idx, list(base_idx))
    frames, stock_phr = stock_evidence(prep, p, stock or {})
    return Evidence(
        amplified_phrases=phrases, templates=templates, template_share=tstats.share,
        openings=edges_of["openings"], closings=edges_of["closings"],
        heading_skeletons=skeletons, duplicate_families=families,
        near_duplicate_share=duplication.duplicate_share(fams, len(idx)), reposts=reposts,
        repost_count=sum(docs[i].repost_of is not None for i in idx), vanished_topics=vanished,
        drift=drift_ev, side_by_side=pair, context=context, stock_frames=frames,
        stock_phrases=stock_phr, markers=markers)


def marker_words(prep: Prepared, idx: Sequence[int], base_idx: Sequence[int],
                 words: Sequence[str]) -> list[StockEvidence]:
    """The words that characterise a period against its baseline (``drift.characteristic_words``),
    each with the share of posts using it on both sides and example posts, most used first."""
    f, docs = prep.features, prep.documents
    out = []
    for w in words:
        have = [i for i in idx if w in f.words[i]]
        base = sum(w in f.words[i] for i in base_idx)
        a, b = len(have) + 0.5, len(base_idx) - base + 0.5
        c, d = len(idx) - len(have) + 0.5, base + 0.5
        out.append(StockEvidence("word", w, len(have), len(idx), base, len(base_idx),
                                 (a * b) / (c * d), [_doc_ref(docs[i]) for i in have[:3]]))
    return sorted(out, key=lambda m: (-(m.share - m.baseline_share), m.text))


EXCERPT_CHARS = 240


def _excerpt(text: str, n: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " ..."


def side_by_side(prep: Prepared, idx: Sequence[int], base_idx: Sequence[int]) -> SideBySide:
    """A recent post next to a baseline post on the same subject: the period's most typical
    post (highest mean cosine to the others of its period) and the baseline post nearest to it
    in meaning, so the contrast is in how they are written."""
    E, docs = prep.features.embeddings, prep.documents
    Y = E[list(idx)]
    centre = Y.sum(axis=0)
    typical = [float(Y[j] @ centre - 1.0) for j in range(len(idx))]
    recent = idx[int(np.argmax(typical))]
    near = base_idx[int(np.argmax(E[list(base_idx)] @ E[recent]))]
    return SideBySide(_excerpt_of(docs[recent]), _excerpt_of(docs[near]))


def _excerpt_of(d: Document) -> Excerpt:
    return Excerpt(d.doc_id, d.title, d.date.isoformat() if d.date else None, _excerpt(d.text))


