"""Typed results of the three commands (audit, check, report): what the renderers read.

Results stay dataclasses until the JSON boundary: ``to_dict()`` (one generic walk, :func:`plain`)
gives exactly the document ``--json`` writes, checked against the JSON Schemas in
``auditor/render/schemas/``. Field order is key order. A field named in a class's ``OMIT_NONE``
is left out of the JSON when it is ``None`` (the key is absent there today, not ``null``).

Imports only ``auditor.types`` (inputs: Document, Skipped, Estimate, Period, Status).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from auditor.types import SCHEMA_VERSION, Estimate, Skipped, Status, worst

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

CHECK_SCHEMA_VERSION = "1.2"


def plain(x: Any) -> Any:
    """Plain JSON-like data of a result: dataclasses as dicts in field order (``OMIT_NONE``
    fields left out when ``None``), mappings and sequences walked, everything else as is."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        own = getattr(type(x), "to_dict", None)
        if own is not None and own is not Result.to_dict:
            return own(x)
        return _fields_dict(x)
    if isinstance(x, Mapping):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x


def _fields_dict(x: DataclassInstance) -> dict[str, Any]:
    omit = getattr(x, "OMIT_NONE", ())
    return {f.name: plain(getattr(x, f.name)) for f in dataclasses.fields(x)
            if not (f.name in omit and getattr(x, f.name) is None)}


class Result:
    """Base of the typed parts: ``to_dict`` is :func:`plain`."""

    if TYPE_CHECKING:  # every Result is a dataclass
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def to_dict(self) -> dict[str, Any]:
        return _fields_dict(self)


# ------------------------------------------------------------------ audit: periods


@dataclass(frozen=True)
class Comparison(Result):
    """One metric of one period against the baseline (``auditor.judge.verdict.compare``)."""

    baseline: float
    change: float          # value - baseline
    rel_change: float      # signed (value - baseline) / |baseline|
    z: float               # directed: positive = more homogeneous
    p: float               # one-sided
    p_holm: float = float("nan")
    moved: bool = False
    effect: float = float("nan")  # percentage points for shares, |relative change| otherwise
    sd: float = float("nan")      # the prediction sd z was computed with
    low_limit: float = float("nan")
    high_limit: float = float("nan")


@dataclass(frozen=True)
class LayerState(Result):
    """A layer of one period: its score (strongest directed z) and what it did."""

    score: float
    moved: bool
    trend: bool
    building: bool


@dataclass(frozen=True)
class PeriodResult(Result):
    """One period of an audit as judged."""

    label: str
    start: str            # ISO date
    end: str              # ISO date, inclusive
    n_docs: int
    is_baseline: bool
    status: str           # ok | watch | samey | baseline | before | set aside
    metrics: dict[str, Estimate]
    comparison: dict[str, Comparison]
    layers: dict[str, LayerState]
    reasons: list[str]

    @property
    def month(self) -> str:
        """The month a report stores this period as (its end month)."""
        return self.end[:7]


@dataclass(frozen=True)
class Verdict(Result):
    """The overall verdict: the worst compared period, its reasons, the headline."""

    OMIT_NONE: ClassVar[tuple[str, ...]] = ("notes",)

    status: str
    reasons: list[str]
    flagged_periods: list[str] = field(default_factory=list)
    notes: list[str] | None = None
    summary: str = ""


@dataclass(frozen=True)
class ControlLimits(Result):
    """One metric's baseline mean and control limits (for charts)."""

    label: str
    direction: int
    baseline: float
    low_limit: float
    high_limit: float


# ------------------------------------------------------------------ audit: evidence


@dataclass(frozen=True)
class DocRef(Result):
    """A document named in evidence (``path`` is its doc_id; ``date`` ISO or None)."""

    path: str
    title: str | None
    date: str | None


@dataclass(frozen=True)
class Excerpt(Result):
    path: str
    title: str | None
    date: str | None
    excerpt: str


@dataclass(frozen=True)
class PhraseEvidence(Result):
    """An amplified phrase (``auditor.metrics.wording.AmplifiedPhrase``) with an example post."""

    phrase: str
    n: int
    period_share: float
    baseline_share: float
    ratio: float
    gap: float
    period_docs: int
    text: str
    example: DocRef | None


@dataclass(frozen=True)
class StockEvidence(Result):
    """A frame (``opening``, ``closing``, ``outline``) or a ``phrase`` that a period's posts use
    far more often than the baseline's, counted over every post and tested
    (``auditor.metrics.excess``, ``auditor.judge.excess``), with example posts."""

    kind: str
    text: str
    docs: int
    of: int
    baseline_docs: int
    baseline_of: int
    odds_ratio: float
    examples: list[DocRef]

    @property
    def share(self) -> float:
        return self.docs / self.of if self.of else float("nan")

    @property
    def baseline_share(self) -> float:
        return self.baseline_docs / self.baseline_of if self.baseline_of else float("nan")


@dataclass(frozen=True)
class TemplateEvidence(Result):
    template: str
    docs: int
    share: float
    baseline_share: float


@dataclass(frozen=True)
class EdgeEvidence(Result):
    """A repeated opening or closing: ``docs`` of ``of`` posts share ``text``."""

    text: str
    docs: int
    of: int
    share: float
    examples: list[DocRef]


@dataclass(frozen=True)
class SkeletonEvidence(Result):
    skeleton: list[str]
    docs: int


@dataclass(frozen=True)
class FamilyEvidence(Result):
    size: int
    documents: list[DocRef]


@dataclass(frozen=True)
class RepostEvidence(Result):
    repost: DocRef
    original: DocRef
    days_later: int | None


@dataclass(frozen=True)
class VanishedTopic(Result):
    cluster: int
    keywords: list[str]
    titles: list[str]
    baseline_share: float
    period_share: float
    examples: list[DocRef]


@dataclass(frozen=True)
class DriftEvidence(Result):
    mmd2: float
    p_value: float
    auc: float
    baseline_words: list[str]
    period_words: list[str]


@dataclass(frozen=True)
class SideBySide(Result):
    recent: Excerpt
    baseline: Excerpt


@dataclass(frozen=True)
class Evidence(Result):
    """What a marketer can act on in one period. ``drift`` and ``side_by_side`` only for a
    compared period; ``context`` only when the period is not flagged."""

    OMIT_NONE: ClassVar[tuple[str, ...]] = ("drift", "side_by_side", "context")

    amplified_phrases: list[PhraseEvidence]
    templates: list[TemplateEvidence]
    template_share: float
    openings: list[EdgeEvidence]
    closings: list[EdgeEvidence]
    heading_skeletons: list[SkeletonEvidence]
    duplicate_families: list[FamilyEvidence]
    near_duplicate_share: float
    reposts: list[RepostEvidence]
    repost_count: int
    vanished_topics: list[VanishedTopic]
    drift: DriftEvidence | None = None
    side_by_side: SideBySide | None = None
    context: str | None = None
    #: frames and phrases whose whole-period excess counted in the verdict (judge.excess)
    stock_frames: list[StockEvidence] = field(default_factory=list)
    stock_phrases: list[StockEvidence] = field(default_factory=list)
    #: the words that mark this period's posts against the baseline's (character layer), with
    #: the share of posts using each on both sides
    markers: list[StockEvidence] = field(default_factory=list)


def evidence_dict(ev: Evidence | None) -> dict[str, Any]:
    """An evidence section as JSON data (``{}`` for a period whose evidence was not gathered)."""
    return {} if ev is None else ev.to_dict()


# ------------------------------------------------------------------ audit: reference, corpus


@dataclass(frozen=True)
class SiteFamily(Result):
    """One site-wide near-duplicate family: its size, the periods its members fall in (oldest
    first; ``first_date``/``last_date`` ISO), and up to 10 members, oldest first."""

    size: int
    periods: list[str]
    first_date: str | None
    last_date: str | None
    documents: list[DocRef]


@dataclass(frozen=True)
class SiteDuplicates(Result):
    """Near-duplicate families over *every* document in scope, not only the period samples
    (``auditor.app.site_duplicates``): ``documents`` checked, ``in_families`` of them in a
    family of two or more, ``share`` = in_families / documents, ``families`` found, the
    ``largest`` (at most 10) and the ``method`` in words."""

    documents: int
    in_families: int
    share: float
    families: int
    largest: list[SiteFamily]
    method: str


@dataclass(frozen=True)
class ChangePointInfo(Result):
    period: str
    metric: str
    before: float
    after: float
    z: float
    toward_sameness: bool
    sentence: str


@dataclass(frozen=True)
class PowerInfo(Result):
    """The smallest change of a layer the audit would catch (``auditor.judge.baseline.power``)."""

    metric: str
    label: str
    baseline: float
    detectable: float
    effect: float
    share: bool
    blind: bool
    sentence: str


@dataclass(frozen=True)
class ReferenceInfo(Result):
    """The baseline as checked (Phase I), change points and power per layer."""

    baseline: list[str]
    rule: str
    candidate: list[str]
    set_aside: list[str]
    stable: bool
    warnings: list[str]
    findings: list[dict[str, Any]]   # heterogeneous records (shift, trend, out of control)
    natural_variation: str
    change_points: dict[str, list[ChangePointInfo]]
    shifts: list[str]
    power: dict[str, PowerInfo]
    sample_size: int


@dataclass(frozen=True)
class CorpusSummary(Result):
    path: str
    documents: int
    dated: int
    undated: int
    skipped: int
    first_date: str | None
    last_date: str | None
    granularity: str
    periods: int
    baseline: list[str]
    formats: dict[str, int]
    date_sources: dict[str, int]


@dataclass(frozen=True)
class AuditResult(Result):
    """Everything an audit found; ``to_dict`` is exactly what ``--json`` writes.

    ``segments`` stays the nested dict of ``auditor.app.segments.analyse_segments`` (its shape
    varies with the segment field; see the README, "Segments"). ``config`` is the options as
    written (``AuditOptions.to_dict`` plus what the run used)."""

    verdict: Verdict
    periods: list[PeriodResult]
    skipped: list[Skipped]
    config: dict[str, Any]
    corpus: CorpusSummary
    evidence: dict[str, Evidence | None] = field(default_factory=dict)
    layers: dict[str, dict[str, ControlLimits]] = field(default_factory=dict)
    segments: dict[str, Any] = field(default_factory=dict)
    reference: ReferenceInfo | None = None
    site_duplicates: SiteDuplicates | None = None  # None: --no-site-duplicates
    schema_version: str = SCHEMA_VERSION
    provenance: Provenance | None = None   # None: no --source-field
    actions: Actions | None = None         # None: no judged period

    @property
    def status(self) -> str:
        return self.verdict.status

    def period(self, label: str) -> PeriodResult | None:
        return next((p for p in self.periods if p.label == label), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "summary": self.verdict.summary,
            "verdict": self.verdict.to_dict(),
            "corpus": self.corpus.to_dict(),
            "periods": plain(self.periods),
            "layers": plain(self.layers),
            "evidence": {k: evidence_dict(v) for k, v in self.evidence.items()},
            "provenance": plain(self.provenance),
            "actions": plain(self.actions),
            "segments": self.segments,
            "site_duplicates": plain(self.site_duplicates),
            "reference": {} if self.reference is None else self.reference.to_dict(),
            "skipped": [
                {"path": s.path, "reason": s.reason, "detail": s.detail} for s in self.skipped
            ],
            "config": self.config,
        }


# ------------------------------------------------------------------ report


@dataclass(frozen=True)
class Alert(Result):
    """A stored month past a control limit, in a trend, or not ok (``auditor.judge.alerts``)."""

    OMIT_NONE: ClassVar[tuple[str, ...]] = ("metric", "reasons")

    month: str
    kind: str            # limit | trend | status
    layer: str | None
    message: str
    metric: str | None = None
    reasons: list[str] | None = None   # status alerts: the month's reasons

    @classmethod
    def from_dict(cls, a: Mapping[str, Any]) -> Alert:
        return cls(month=a["month"], kind=a["kind"], layer=a.get("layer"),
                   message=a["message"], metric=a.get("metric"), reasons=a.get("reasons"))

    def to_dict(self) -> dict[str, Any]:  # key order as the alerts are written
        d: dict[str, Any] = {"month": self.month, "kind": self.kind, "layer": self.layer}
        if self.metric is not None:
            d["metric"] = self.metric
        d["message"] = self.message
        if self.reasons is not None:
            d["reasons"] = list(self.reasons)
        return d


@dataclass(frozen=True)
class ReportReference(Result):
    """The baseline a report compares with, named in every output (``report_reference``)."""

    baseline: list[str]
    spec: str | None
    rule: str
    text: str
    pinned_in: str | None
    pinned_now: bool
    warnings: list[str]
    change_points: dict[str, Any]
    change_point_lines: list[str]
    power: dict[str, Any]
    power_lines: list[str]


@dataclass(frozen=True)
class ReportResult(Result):
    """A monthly report: the audit up to ``month``, the stored trend and the alerts.

    ``history`` rows are the history store's records (``auditor.history``: month, label, status,
    figures as stored); they are read back from JSON and keep its shape."""

    month: str
    period: PeriodResult               # the month's entry of ``audit.periods``
    audit: AuditResult
    history: list[dict[str, Any]]      # stored months of this settings key, oldest first
    alerts: list[Alert]
    settings_key: str
    settings: dict[str, Any]
    history_path: str
    limits: dict[str, dict[str, ControlLimits]] = field(default_factory=dict)
    backfilled: list[str] = field(default_factory=list)  # months stored by this run besides it
    reference: ReportReference | None = None

    @property
    def status(self) -> str:
        """The verdict as in audit (worst compared month up to this one)."""
        return self.audit.status

    @property
    def month_status(self) -> str:
        return self.period.status

    @property
    def evidence(self) -> Evidence | None:
        """The month's evidence."""
        return self.audit.evidence.get(self.period.label)

    def to_dict(self) -> dict[str, Any]:
        """The audit's JSON plus a ``report`` section (what ``samey report --json`` writes)."""
        return {**self.audit.to_dict(), "schema_version": SCHEMA_VERSION, "report": {
            "month": self.month, "period_label": self.period.label,
            "month_status": self.month_status, "status": self.status,
            "history_path": self.history_path, "settings_key": self.settings_key,
            "settings": self.settings, "alerts": plain(self.alerts),
            "limits": plain(self.limits), "backfilled": self.backfilled,
            "reference": {} if self.reference is None else self.reference.to_dict(),
            "history": [{k: v for k, v in row.items() if k != "evidence"}
                        for row in self.history],
        }}


# ------------------------------------------------------------------ check


@dataclass(frozen=True)
class NearPost(Result):
    path: str
    title: str | None
    date: str | None
    similarity: float


@dataclass(frozen=True)
class NearDuplicate(Result):
    path: str
    title: str | None
    date: str | None
    similarity: float | None
    jaccard: float


@dataclass(frozen=True)
class Novelty(Result):
    nn_similarity: float
    percentile: float
    score: float | None


@dataclass(frozen=True)
class SharedPhrase(Result):
    phrase: str
    text: str
    docs: int
    share: float


@dataclass(frozen=True)
class DraftWording(Result):
    shared_phrases: list[SharedPhrase]
    shared_phrase_count: int
    percentile: float
    amplified: list[dict[str, Any]]   # the corpus index's amplified phrases, as stored


@dataclass(frozen=True)
class SharedFrame(Result):
    """An opening, closing or heading outline of a draft and how many corpus posts share it."""

    text: str
    docs: int


@dataclass(frozen=True)
class TemplateUse(Result):
    template: str
    docs: int


@dataclass(frozen=True)
class DraftStructure(Result):
    opening: SharedFrame | None
    closing: SharedFrame | None
    heading_outline: SharedFrame | None
    template_coverage: float
    template_percentile: float
    templates: list[TemplateUse]
    template_fill: dict[str, Any]     # {latest_period, frames: [...], stock}


@dataclass(frozen=True)
class DraftDuplication(Result):
    max_jaccard: float
    jaccard_path: str | None


@dataclass(frozen=True)
class DraftReport(Result):
    """One draft checked against the corpus."""

    name: str
    title: str | None
    words: int
    status: str
    reasons: list[str]
    layers: dict[str, str]            # topic, duplication, wording, structure -> status
    nearest: list[NearPost]
    near_duplicate: NearDuplicate | None
    novelty: Novelty
    wording: DraftWording
    structure: DraftStructure
    duplication: DraftDuplication
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckReference(Result):
    source: str
    periods: list[str]
    documents: int
    similarities: int
    copies_skipped: int
    left_out: int
    rule: str | None
    latest_period: str | None
    latest_period_documents: int


@dataclass(frozen=True)
class CheckThresholds(Result):
    """The cuts a check used and where they come from (``auditor.judge.check.calibrate``)."""

    watch_similarity: float
    samey_similarity: float
    similarity_source: str            # baseline | corpus | option
    reference: CheckReference
    duplicate_similarity: float
    duplicate_jaccard: float
    watch_percentile: float
    samey_percentile: float
    watch_level: float                # the layers' common watch percentile (joint calibration)
    samey_level: float                # ... and samey percentile
    min_shared_docs: int
    shared_phrases_watch: float
    shared_phrases_samey: float
    template_coverage_watch: float
    template_coverage_samey: float
    stock_words: int
    stock_share: float
    stock_growth: float
    reference_nn_similarity: dict[str, float]
    corpus_nn_similarity: dict[str, float]


@dataclass(frozen=True)
class IndexInfo(Result):
    path: str
    built: bool


@dataclass(frozen=True)
class CheckCorpus(Result):
    path: str
    documents: int
    skipped: int
    latest_period: str | None
    baseline: list[str]
    reference: str
    index: IndexInfo


@dataclass(frozen=True)
class CheckResult(Result):
    """Per-draft reports; ``to_dict`` is exactly what ``samey check --json`` writes."""

    drafts: list[DraftReport]
    corpus: CheckCorpus
    thresholds: CheckThresholds
    config: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    schema_version: str = CHECK_SCHEMA_VERSION

    @property
    def status(self) -> str:
        """The worst draft status (``ok`` when there is no draft)."""
        # a draft's status is a Status (judge.draft); the field is a str for the JSON Schema
        return worst(cast(Status, d.status) for d in self.drafts)

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": self.schema_version, "kind": "check", "status": self.status,
                "corpus": self.corpus.to_dict(), "thresholds": self.thresholds.to_dict(),
                "warnings": self.warnings, "drafts": plain(self.drafts), "config": self.config}


# ------------------------------------------------------------------ curate

CURATE_SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class CurateMeasure(Result):
    """One of samey's figures on the kept set, the whole corpus and random subsets of the kept
    size (``auditor.app.curate_report``). ``direction`` +1: higher is more samey.
    ``beats_random``: the kept set is less samey than every random subset."""

    name: str                # registry name, e.g. "topics.mean_cosine"
    layer: str
    label: str
    direction: int
    kept: float
    corpus: float
    random_low: float
    random_high: float
    random_mean: float
    beats_random: bool
    random: tuple[float, ...]


@dataclass(frozen=True)
class SourceShare(Result):
    """How much of one source (``--source-field``) was kept."""

    source: str              # the label as read (lower-cased), "(none)" without one
    documents: int
    kept: int
    share_kept: float        # kept / documents
    share_of_kept: float     # kept / all kept


@dataclass(frozen=True)
class CurateCounts(Result):
    """Inputs and what happened to them."""

    inputs: int              # documents + skipped inputs
    documents: int
    skipped: int
    kept: int
    families: int            # near-copy families (two or more members)
    in_families: int         # documents in them
    dropped_near_copies: int
    dropped_semantic: int
    dropped_structure: int
    dropped_crowded: int
    protected: int           # --always-keep documents
    clusters: int
    structure_cap: int       # documents one opening, closing or outline may have in the kept set


@dataclass(frozen=True)
class CurateResult(Result):
    """What ``samey curate`` did; ``to_dict`` is exactly what ``--json`` writes."""

    corpus: str
    counts: CurateCounts
    measures: tuple[CurateMeasure, ...]
    word_budget: int         # words per set behind the wording and rare-word figures
    random_subsets: int
    sources: tuple[SourceShare, ...]
    target: float | None     # --target: mean pairwise similarity asked for
    method: str
    manifest: str | None
    out: str | None
    notes: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    config: dict[str, Any]
    schema_version: str = CURATE_SCHEMA_VERSION

    def measure(self, name: str) -> CurateMeasure | None:
        """The figure called ``name`` (``topics.mean_cosine``...), or None."""
        return next((m for m in self.measures if m.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": self.schema_version, "kind": "curate", "corpus": self.corpus,
                "counts": self.counts.to_dict(), "measures": plain(self.measures),
                "word_budget": self.word_budget, "random_subsets": self.random_subsets,
                "sources": plain(self.sources), "target": self.target, "method": self.method,
                "manifest": self.manifest, "out": self.out, "notes": list(self.notes),
                "skipped": [{"path": s.path, "reason": s.reason, "detail": s.detail}
                            for s in self.skipped],
                "config": self.config}


# ------------------------------------------------------------------ audit: provenance, actions


@dataclass(frozen=True)
class LayerContribution(Result):
    """A source's share of one layer's move in one period (``auditor.app.provenance``): the
    shares of all sources sum to one; ``low``..``high`` is its 95% interval (bootstrap);
    ``metric`` names the measurement attributed (a registry metric, ``stock frames``,
    ``stock phrases``); ``method`` is ``shapley`` (exact), ``shapley sampled`` (random orders)
    or ``per post`` (a sum over posts)."""

    contribution: float
    low: float
    high: float
    metric: str
    method: str


@dataclass(frozen=True)
class SourceContribution(Result):
    """One source of one period: its posts, their share of the period, and its contribution
    to the period's move (the mean of ``by_layer`` over the layers attributed; ``None`` when
    nothing moved)."""

    source: str                      # the label as read (lower-cased); "(no source)" without one
    posts: int
    share: float
    contribution: float | None
    by_layer: dict[str, LayerContribution]


@dataclass(frozen=True)
class PeriodProvenance(Result):
    """A period split by source; ``layers``: the layers whose move was attributed."""

    label: str
    status: str
    layers: list[str]
    sources: list[SourceContribution]


@dataclass(frozen=True)
class DominantSource(Result):
    """The source the headline names (``auditor.judge.provenance.dominant_source``)."""

    source: str
    layer: str
    contribution: float              # of ``layer``'s move, mean over the flagged run
    share: float                     # of the posts of that run
    since: str                       # first period of the run
    sentence: str


@dataclass(frozen=True)
class Provenance(Result):
    """Who made it samey (``--source-field``): every period split by source, and the dominant
    source of the latest flagged run, if any."""

    field: str
    method: str
    periods: list[PeriodProvenance]
    dominant: DominantSource | None = None
    # dataclasses.field: ``field`` is the attribute above in this class body (for type checkers)
    notes: list[str] = dataclasses.field(default_factory=list)   # posts without the field, in words

    def period(self, label: str) -> PeriodProvenance | None:
        return next((p for p in self.periods if p.label == label), None)


@dataclass(frozen=True)
class RevisePost(Result):
    """A post to revise (``auditor.judge.actions``): ``score`` 0..1 (how much it adds to the
    period's sameness), ``why`` in plain words (strongest first), ``change`` the one change
    that would help most."""

    doc: str                         # file path, or file#record
    title: str | None
    date: str | None
    source: str | None
    score: float
    why: list[str]
    change: str


@dataclass(frozen=True)
class PeriodActions(Result):
    period: str
    status: str
    revise_first: list[RevisePost]


@dataclass(frozen=True)
class Actions(Result):
    """The posts to revise first in the latest judged period (``period``, ``revise_first``)
    and in every flagged period with evidence (``flagged``)."""

    period: str
    status: str
    revise_first: list[RevisePost]
    flagged: list[PeriodActions] = field(default_factory=list)
