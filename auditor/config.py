"""Options with documented defaults, and the project config file (``samey.toml`` or
``[tool.samey]`` in ``pyproject.toml``). Unknown keys are errors.

Precedence: command-line option > config file > default here.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from auditor.errors import InputError, UsageError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: Embedding backends: sentence-transformers on torch (the default), the same model's forward pass
#: in numpy (``auditor.features.fastbert``: the same vectors and cache as torch, no torch import,
#: BERT-family models), or the model exported to ONNX Runtime in float32 or int8
#: (``samey[onnx]``; see ``auditor.features.onnx_backend``).
BACKENDS = ("torch", "numpy", "onnx", "onnx-int8")
#: Ingest engines: ``local`` (one process, the default) or ``dask`` (partitions read on
#: dask.distributed workers and their summaries merged; ``samey[dask]``, see
#: ``auditor.app.engine_dask``). Both give the same audit.
ENGINES = ("local", "dask")

#: Plausible publication dates (the defaults of ``IngestOptions.earliest_date`` and
#: ``future_days``): a document dated before ``EARLIEST_DATE`` or more than ``FUTURE_DAYS`` after
#: today is skipped as ``implausible date`` (a typo, a placeholder such as 1970-01-01 or
#: 2100-12-31, a far-future schedule) and never decides the periods. 1990: before the web, no
#: brand published posts or ads; 31 days: posts scheduled for the coming month still count.
EARLIEST_DATE = "1990-01-01"
FUTURE_DAYS = 31
#: Years a date value is read in at all (a number or string outside them is not a date: a
#: price, an id); inside them but outside the window above it is an implausible date.
PARSE_YEARS = (1000, 9999)
#: ``--period auto`` (``ingest.periods``) takes the finest period whose median count reaches
#: ``--min-docs`` over the whole history, or over its most recent periods: the last
#: ``AUTO_RECENT_SHARE`` of them, at least ``AUTO_RECENT_MIN``. So a blog that publishes far more
#: now than it did is audited at the pace it has now, and a recent change is not averaged into
#: one long period (sparse early periods are merged up to --min-docs, as always).
AUTO_RECENT_SHARE = 1 / 3
AUTO_RECENT_MIN = 3
#: Two documents are near-copies when the Jaccard similarity of their word 5-gram shingles is
#: at least this (Lee et al. 2022, "Deduplicating training data"): the near-copy definition of
#: the duplication layer, the site-wide families, the evidence and curation.
DUP_THRESHOLD = 0.8
#: The default baseline candidates (``ingest.periods.select_baseline``; Phase I in
#: ``judge.baseline`` then checks them): the first ``ceil(n / 3)`` of ``n`` periods, at least two
#: once there are ``BASELINE_TWO_FROM`` periods, always leaving one period to judge.
BASELINE_TWO_FROM = 4
#: Years a date in a file or folder name is read in (``2024/05/slug.md``): narrower, since a
#: number in a name (``sku-5000-12.md``) is more often not a date.
PATH_YEARS = (1900, 2199)
#: A number is read as a unix timestamp from this many seconds on (1973-03-03): smaller numbers
#: (a year, a count, 0) are not dates; from ``EPOCH_MS_FROM`` on, as milliseconds.
EPOCH_SECONDS_FROM = 10**8
EPOCH_MS_FROM = 10**11
#: Bytes of one document that are analysed (``IngestOptions.max_document_bytes``): a longer
#: post (or record cell) is cut to its first megabyte, about 150,000 words of prose, with a note,
#: so that one huge file cannot exhaust memory. The lexical metrics read 300 words and the model
#: about 1,800 of each post; only site-wide near-copies read more.
MAX_DOCUMENT_BYTES = 1_000_000
#: The longest CSV/TSV cell read at all (characters): a longer one is almost always a quote
#: that never closes, swallowing the rest of the file; its row is skipped and reading resumes
#: on the next line, so a broken file costs bounded memory.
MAX_CELL_CHARS = 64 * 2**20


@dataclass(frozen=True)
class IngestOptions:
    """How files become documents.

    date_from: ``content`` (front matter / record field, then file or folder name: the default),
    ``git`` (then the first git commit of the file), ``mtime`` (then the file's modification time).
    segment_from: ``field`` (front matter key / column named by ``segment_field``; for WordPress
    exports and RSS/Atom feeds ``category`` or ``tags``) or ``folder`` (the first folder level
    below the audited root).
    min_words: the shortest document, in words, for files of prose (Markdown, MDX, text, HTML
    pages, and the posts of WordPress exports and feeds); shorter ones are skipped ``too short``.
    min_record_words: the shortest record of a tabular file (a CSV/TSV/JSON/JSONL row: ad
    headlines and descriptions, social posts), which is analysed when it has at least
    ``min(min_words, min_record_words)`` words. Ad copy is short by design, so an ad export is
    audited row by row by default (3 words: "Shop winter boots"), while a two-word fragment is
    still skipped. Lowering ``min_words`` (``--min-words``) lowers both.
    date_format: a ``strptime`` pattern (``%m/%d/%Y``) tried first on every date value of front
    matter and record fields (``--date-format``); dates it does not match are read as usual.
    earliest_date, future_days: the plausible dates (see ``EARLIEST_DATE``): a document dated
    before ``earliest_date`` (ISO) or more than ``future_days`` days after today is skipped as
    ``implausible date``.
    max_document_bytes: the bytes of one document (a file, or one record's text) that are read
    (see ``MAX_DOCUMENT_BYTES``); a longer one is cut, and the audit says which.
    exclude: paths (relative to the audited folder, posix) that are not inputs: outputs written
    inside the corpus with ``--output-in-corpus``. A folder excludes everything below it.
    source_field: front matter key or column naming who or what wrote each document (an author,
    a tool, an agency, a channel: ``--source-field``). The audit splits every period by it
    (provenance: which source made the period samey) and ``samey curate`` reports the share of
    each source kept. ``[curate] source_field``, where curate first read it, is still accepted.
    """

    text_field: str | None = None
    date_field: str | None = None
    title_field: str | None = None
    segment_field: str | None = None
    source_field: str | None = None
    segment_from: str = "field"
    date_from: str = "content"
    min_words: int = 20
    min_record_words: int = 3
    date_format: str | None = None
    earliest_date: str = EARLIEST_DATE
    future_days: int = FUTURE_DAYS
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    exclude: tuple[str, ...] = ()

    def date_window(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The first and last plausible dates (inclusive)."""
        today = today or dt.date.today()
        return dt.date.fromisoformat(self.earliest_date), today + dt.timedelta(
            days=self.future_days)


#: IngestOptions fields added after the history's settings key was defined: left out of a
#: report's settings while they keep their defaults, so an existing trend keeps its key.
NEW_INGEST_DEFAULTS = {"date_format": None, "earliest_date": EARLIEST_DATE,
                       "future_days": FUTURE_DAYS, "max_document_bytes": MAX_DOCUMENT_BYTES,
                       "exclude": (), "source_field": None}


@dataclass(frozen=True)
class SamplingOptions:
    """Equal-size sampling of periods.

    sample_size: documents per sample (``None``: half the smallest compared period, at most 200).
    text_budget: tokens kept from the start of each document for lexical/structural metrics.
    repeats: samples drawn per period (the interval comes from their spread).
    max_pool: at most this many documents of a period are analysed (drawn at random), which bounds
    the cost on very large corpora; the interval accounts for it.
    """

    sample_size: int | None = None
    text_budget: int = 300
    repeats: int = 20
    max_pool: int = 1000
    random_state: int = 0


@dataclass(frozen=True)
class VerdictOptions:
    """Thresholds of the verdict (see README, "How the verdict is decided").

    alpha: family-wise error rate over all (metric, period) comparisons (Holm).
    min_effect: smallest relative change (vs the baseline value) that may count as a move.
    """

    alpha: float = 0.05
    min_effect: float = 0.05


@dataclass(frozen=True)
class CheckOptions:
    """Thresholds of ``samey check``; ``None`` means calibrated from the corpus itself."""

    max_similarity: float | None = None
    duplicate_similarity: float = 0.95
    watch_percentile: float = 90.0
    samey_percentile: float = 99.0
    neighbours: int = 5
    # Added for ``samey check`` (see docs/check.md): MinHash Jaccard of word 5-gram shingles at
    # or above which a draft is a near-duplicate; corpus documents that make a phrase, opening,
    # closing or heading outline "shared by many" (``None``: max(3, 1% of the corpus)).
    duplicate_jaccard: float = 0.8
    min_shared_docs: int | None = None


@dataclass(frozen=True)
class CurateOptions:
    """How ``samey curate`` selects and reports (README, "samey curate"); documented defaults.

    near_copy_similarity: SemDeDup's cut-off (Abbas et al. 2023): a document whose embedding
    cosine to a document ranked before it in its topic cluster reaches this is a semantic
    near-copy, dropped unless needed to reach ``--keep`` (0.95, as ``check.duplicate_similarity``).
    structure_cap: at most this share of the kept set (and at least one document) may share one
    opening, one closing or one heading outline; further ones wait until their topic has nothing
    else left. 1%: in independently written text the most common 6-word opening is rarer (0.1%
    of the 1,000 human Yelp reviews, 1% of the OneUptime posts; against 8% of the model-written
    Yelp reviews and 16% of the Rust blog's templated release posts).
    lexical_weight: inside a topic, documents are ordered by how unlike the ones before them
    they are in meaning (embedding cosine) and in wording (cosine of word-count vectors): this
    is the wording's share of that similarity (0.5: both count equally; 0: meaning only, as
    SemDeDup and D4).
    clusters: topic clusters the selection balances (``None``: round(sqrt(n / 2)), 2..1000).
    cluster_sample: documents the k-means is fitted on (a seeded uniform sample; all when fewer).
    random_subsets: random subsets of the kept size the report compares the kept set with.
    report_words: words per set (each document cut to ``sampling.text_budget``) on which the
    report compares wording and rare words: equal budgets for every set.
    (The source of each document, ``--source-field``, is ``IngestOptions.source_field``.)
    """

    near_copy_similarity: float = 0.95
    structure_cap: float = 0.01
    lexical_weight: float = 0.5
    clusters: int | None = None
    cluster_sample: int = 20000
    random_subsets: int = 20
    report_words: int = 50000


@dataclass(frozen=True)
class ScaleOptions:
    """Two-stage search over large corpora: the check's index and curation (README, "Corpus
    index at scale"); documented defaults.

    first_stage_mb: corpora whose input files hold at least this many megabytes are embedded
    by the fast first stage (a static table distilled from the model, ``features.static``) and
    the model rescores only what decides; smaller ones are embedded whole by the model (exact).
    The model's cost grows with the text, not the documents: on 2 cores it embeds about
    12 KB of text a second (40 short ad texts or 2 long posts), so 5 MB is about 7 minutes.
    candidates: first-stage candidates per query that the model rescores (a check's draft).
    calibration_docs: reference posts whose nearest neighbours the model rescores when the
    index is built (the check's calibration; a seeded sample of the validated baseline's posts).
    calibration_candidates: first-stage candidates per calibration post.
    align_docs: documents whose model vectors fit the first stage's alignment map
    (``features.static.fit_alignment``): the validated baseline's posts first (the reference
    pass embeds them anyway), then a seeded sample.
    rescore_margin: curation rescores with the model the first-stage semantic near-copy
    decisions within this cosine of ``curate.near_copy_similarity`` (the borderline picks) ...
    rescore_pairs: ... at most this many pairs, the closest to the cut first.
    """

    first_stage_mb: float = 5.0
    candidates: int = 100
    calibration_docs: int = 500
    calibration_candidates: int = 20
    align_docs: int = 5000
    rescore_margin: float = 0.1
    rescore_pairs: int = 2000


@dataclass(frozen=True)
class AuditOptions:
    """Everything an audit needs besides the path."""

    period: str = "auto"  # month | quarter | year | auto
    min_docs: int = 20
    baseline: str | None = None  # "START..END" as period labels or dates
    model: str = DEFAULT_MODEL
    backend: str = "torch"  # one of BACKENDS
    cache_dir: str | None = None  # default: <root>/.samey/cache or ~/.cache/samey
    engine: str = "local"  # one of ENGINES
    workers: int | None = None  # --engine dask: a local cluster of N worker processes
    scheduler: str | None = None  # --engine dask: the address of a running Dask scheduler
    progress: bool = True
    # Near-duplicate families over every document (not only the period samples): one more
    # MinHash per document during the ingest pass (auditor.app.site_duplicates).
    site_duplicates: bool = True
    ingest: IngestOptions = field(default_factory=IngestOptions)
    sampling: SamplingOptions = field(default_factory=SamplingOptions)
    verdict: VerdictOptions = field(default_factory=VerdictOptions)
    check: CheckOptions = field(default_factory=CheckOptions)
    curate: CurateOptions = field(default_factory=CurateOptions)
    scale: ScaleOptions = field(default_factory=ScaleOptions)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ---------------------------------------------------------------- config file

_SECTIONS = {
    "ingest": IngestOptions,
    "sampling": SamplingOptions,
    "verdict": VerdictOptions,
    "check": CheckOptions,
    "curate": CurateOptions,
    "scale": ScaleOptions,
}
_TOP_KEYS = {f.name for f in fields(AuditOptions)} - set(_SECTIONS) | {"corpus"}


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``samey.toml``, or ``pyproject.toml`` with a ``[tool.samey]`` table, from
    ``start`` (default: the current directory) upwards."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "samey.toml").is_file():
            return d / "samey.toml"
        pp = d / "pyproject.toml"
        if pp.is_file():
            try:
                if "samey" in tomllib.loads(pp.read_text(encoding="utf-8")).get("tool", {}):
                    return pp
            except (OSError, ValueError):  # unreadable, not UTF-8 or not TOML: not ours
                pass
    return None


def read_config(path: Path) -> dict[str, Any]:
    """Read and validate a config file; returns a nested dict of known keys only.

    Raises UsageError naming the file and the unknown key or bad value.
    """
    try:
        data = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read the config file ({e.strerror or e}); check that "
                         "it exists and that you may read it.") from e
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: the config file is not UTF-8 text (byte {e.start}); save it "
                         "as UTF-8 (TOML files must be).") from e
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML ({e}). Fix the syntax or remove the file.") from e
    if Path(path).name == "pyproject.toml":
        data = data.get("tool", {}).get("samey", {})
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise UsageError(f"{path}: [{key}] must be a table.")
            if key == "curate" and "source_field" in value:  # where curate first read it
                value = {k: v for k, v in value.items() if k != "source_field"}
            known = {f.name for f in fields(_SECTIONS[key])}
            for sub in value:
                if sub not in known:
                    raise UsageError(
                        f"{path}: unknown key '{key}.{sub}'. Known keys in [{key}]: "
                        + ", ".join(sorted(known)) + "."
                    )
            out[key] = dict(value)
        elif key in _TOP_KEYS:
            out[key] = value
        else:
            raise UsageError(
                f"{path}: unknown key '{key}'. Known keys: "
                + ", ".join(sorted(_TOP_KEYS | set(_SECTIONS))) + "."
            )
    legacy = data.get("curate")
    if isinstance(legacy, dict) and "source_field" in legacy:  # [ingest] wins when both are set
        out.setdefault("ingest", {}).setdefault("source_field", legacy["source_field"])
    return out


def build_options(file_values: dict[str, Any] | None = None, **overrides: Any) -> AuditOptions:
    """Merge config-file values and explicit overrides (``None`` overrides are ignored).

    Overrides use flat names: top-level fields (``period``, ``model``...) or any field of a
    section (``text_field``, ``repeats``, ``alpha``, ``max_similarity``...).
    """
    file_values = dict(file_values or {})
    file_values.pop("corpus", None)
    section_vals = {name: dict(file_values.pop(name, {})) for name in _SECTIONS}
    top_vals = dict(file_values)
    section_of = {f.name: name for name, cls in _SECTIONS.items() for f in fields(cls)}
    for key, value in overrides.items():
        if value is None:
            continue
        if key in _TOP_KEYS:
            top_vals[key] = value
        elif key in section_of:
            section_vals[section_of[key]][key] = value
        else:
            raise UsageError(f"unknown option '{key}'.")
    try:
        sections = {name: cls(**section_vals[name]) for name, cls in _SECTIONS.items()}
        opts = AuditOptions(**top_vals, **sections)
    except TypeError as e:
        raise UsageError(f"bad configuration: {e}") from e
    validate(opts)
    return opts


_KINDS = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


def _check_types(obj: Any, section: str | None = None) -> None:
    """Each field's value has its declared type (``int``, ``float``, ``str``, ``bool``, or
    ``X | None``), so a config value such as ``min_effect = "big"`` is refused before any work,
    naming the key, instead of failing halfway through an audit."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            _check_types(value, f.name)
            continue
        kinds = [k.strip() for k in str(f.type).split("|")]
        if value is None and "None" in kinds:
            continue
        allowed = tuple(t for k in kinds for t in _KINDS.get(k, ()))
        if not allowed:
            continue
        ok = isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
        if not ok:
            key = f"{section}.{f.name}" if section else f.name
            want = {"int": "a whole number", "float": "a number", "str": "text",
                    "bool": "true or false"}[next(k for k in kinds if k in _KINDS)]
            example = {"int": " (e.g. 20)", "float": " (e.g. 0.05)", "str": " (in quotes)",
                       "bool": ""}[next(k for k in kinds if k in _KINDS)]
            raise UsageError(f"{key} must be {want}{example}, not {value!r}; fix it in the "
                             "config file or on the command line.")


def validate(opts: AuditOptions) -> None:
    """Raise UsageError for values of the wrong type or out of range (before any work)."""
    _check_types(opts)
    if not 0 <= opts.verdict.min_effect < 1:
        raise UsageError(f"verdict.min_effect must be between 0 and 1 (e.g. 0.05 for 5%), not "
                         f"{opts.verdict.min_effect!r}.")
    if opts.sampling.sample_size is not None and opts.sampling.sample_size < 2:
        raise UsageError("--sample-size must be at least 2.")
    if opts.sampling.max_pool < 4:
        raise UsageError("sampling.max_pool must be at least 4.")
    if opts.period not in ("month", "quarter", "year", "auto"):
        raise UsageError(f"--period must be month, quarter, year or auto, not '{opts.period}'.")
    if opts.backend not in BACKENDS:
        raise UsageError(f"--backend must be {', '.join(BACKENDS[:-1])} or {BACKENDS[-1]}, not "
                         f"'{opts.backend}'.")
    if opts.engine not in ENGINES:
        raise UsageError(f"--engine must be local or dask, not '{opts.engine}'.")
    if opts.engine != "dask" and (opts.workers is not None or opts.scheduler):
        raise UsageError("--workers and --scheduler need --engine dask.")
    if opts.workers is not None and opts.scheduler:
        raise UsageError("give --workers N (a local cluster) or --scheduler ADDRESS (a running "
                         "cluster), not both.")
    if opts.workers is not None and opts.workers < 1:
        raise UsageError(f"--workers must be at least 1, not {opts.workers}.")
    if opts.min_docs < 2:
        raise UsageError("--min-docs must be at least 2.")
    if opts.ingest.date_from not in ("content", "git", "mtime"):
        raise UsageError(f"--date-from must be git or mtime, not '{opts.ingest.date_from}'.")
    if opts.ingest.segment_from not in ("field", "folder"):
        raise UsageError("--segment-from must be field or folder, not "
                         f"'{opts.ingest.segment_from}'.")
    if opts.ingest.min_words < 1 or opts.ingest.min_record_words < 1:
        raise UsageError(f"[ingest] min_words (--min-words) and min_record_words "
                         f"(--min-record-words) must be at least 1; got "
                         f"{opts.ingest.min_words} and {opts.ingest.min_record_words}.")
    _validate_ingest(opts.ingest)
    if not 0 <= opts.sampling.random_state < 2**32:
        raise UsageError(f"--seed (sampling.random_state) must be a whole number from 0 to "
                         f"{2**32 - 1}, not {opts.sampling.random_state}.")
    if opts.sampling.repeats < 2:
        raise UsageError("--repeats must be at least 2.")
    if opts.sampling.text_budget < 20:
        raise UsageError("--text-budget must be at least 20 tokens.")
    if not 0 < opts.verdict.alpha < 1:
        raise UsageError("alpha must be between 0 and 1.")
    validate_check(opts.check)
    validate_curate(opts.curate)
    validate_scale(opts.scale)


def validate_check(c: CheckOptions) -> None:
    """Raise UsageError for ``[check]`` values out of range."""
    if not 0 < c.watch_percentile <= c.samey_percentile <= 100:
        raise UsageError("percentiles must satisfy 0 < watch_percentile <= samey_percentile "
                         "<= 100.")
    if c.max_similarity is not None and not -1 <= c.max_similarity <= 1:
        raise UsageError("--max-similarity must be a cosine similarity between -1 and 1.")
    if not 0 < c.duplicate_similarity <= 1 or not 0 < c.duplicate_jaccard <= 1:
        raise UsageError("duplicate_similarity and duplicate_jaccard must be in (0, 1].")
    if c.neighbours < 1:
        raise UsageError("--neighbours must be at least 1.")
    if c.min_shared_docs is not None and c.min_shared_docs < 2:
        raise UsageError("min_shared_docs must be at least 2.")


def validate_curate(c: CurateOptions) -> None:
    """Raise UsageError for ``[curate]`` values out of range."""
    if not 0 < c.near_copy_similarity <= 1:
        raise UsageError(f"curate.near_copy_similarity must be above 0 and at most 1 (a cosine, "
                         f"e.g. 0.95), not {c.near_copy_similarity!r}.")
    if not 0 < c.structure_cap <= 1:
        raise UsageError(f"curate.structure_cap must be a share above 0 and at most 1 (e.g. "
                         f"0.01), not {c.structure_cap!r}.")
    if not 0 <= c.lexical_weight <= 1:
        raise UsageError(f"curate.lexical_weight must be between 0 and 1, not "
                         f"{c.lexical_weight!r}.")
    if c.clusters is not None and c.clusters < 1:
        raise UsageError(f"curate.clusters must be at least 1, not {c.clusters}.")
    if c.cluster_sample < 100 or c.report_words < 100:
        raise UsageError("curate.cluster_sample and curate.report_words must be at least 100.")
    if c.random_subsets < 2:
        raise UsageError(f"curate.random_subsets must be at least 2, not {c.random_subsets}.")


def _validate_ingest(ing: IngestOptions) -> None:
    """The date format, the date window, the size cap and the exclusions (before any work)."""
    if ing.date_format is not None:
        fmt = ing.date_format
        if "%" not in fmt or not any(d in fmt for d in ("%Y", "%y", "%G")):
            raise UsageError(f"--date-format '{fmt}' must name the year (%Y, or %y), e.g. "
                             "--date-format %m/%d/%Y for 03/24/2024.")
        try:
            sample = dt.datetime(2024, 3, 24, 13, 5, 7).strftime(fmt)
            dt.datetime.strptime(sample, fmt)
        except ValueError as e:
            raise UsageError(f"--date-format '{fmt}' is not a strptime pattern that samey can "
                             f"read back ({e}); e.g. --date-format %m/%d/%Y.") from e
    try:
        earliest = dt.date.fromisoformat(ing.earliest_date)
    except ValueError as e:
        raise UsageError(f"ingest.earliest_date must be an ISO date such as 1990-01-01, not "
                         f"'{ing.earliest_date}'.") from e
    if not PARSE_YEARS[0] <= earliest.year:
        raise UsageError(f"ingest.earliest_date must be in the year {PARSE_YEARS[0]} or later.")
    if ing.future_days < 0:
        raise UsageError(f"ingest.future_days must be 0 or more, not {ing.future_days}.")
    if ing.max_document_bytes < 1000:
        raise UsageError(f"ingest.max_document_bytes must be at least 1000, not "
                         f"{ing.max_document_bytes}.")
    if not isinstance(ing.exclude, (list, tuple)) or not all(
            isinstance(x, str) for x in ing.exclude):
        raise UsageError("ingest.exclude must be a list of paths relative to the corpus "
                         "(e.g. [\"reports/\"]).")


def validate_scale(c: ScaleOptions) -> None:
    """Raise UsageError for ``[scale]`` values out of range."""
    if c.first_stage_mb < 0:
        raise UsageError(f"scale.first_stage_mb must be 0 or more (megabytes), not "
                         f"{c.first_stage_mb!r}.")
    for name in ("candidates", "calibration_docs", "calibration_candidates", "rescore_pairs"):
        if getattr(c, name) < 1:
            raise UsageError(f"scale.{name} must be at least 1, not {getattr(c, name)!r}.")
    if c.align_docs < 100:
        raise UsageError(f"scale.align_docs must be at least 100, not {c.align_docs!r}.")
    if not 0 <= c.rescore_margin <= 1:
        raise UsageError(f"scale.rescore_margin must be between 0 and 1, not "
                         f"{c.rescore_margin!r}.")
