"""samey: audit a folder of brand content for homogenization over time.

Public API (the CLI is a thin layer over these; every function is typed and returns a frozen,
typed result whose ``to_dict()`` is exactly what the matching ``--json`` writes)::

    import auditor
    result = auditor.audit("content/", period="quarter")        # AuditResult
    result.status            # "ok" | "watch" | "samey"
    auditor.audit_documents([{"text": ..., "date": "2025-03-01"}, ...])   # records in memory
    auditor.check(["draft.md"], against="content/")             # CheckResult
    auditor.report("content/")                                   # ReportResult
    auditor.curate("content/", keep="60%")                       # CurateResult

``embedder=`` takes any object meeting :class:`TextEmbedder` (``model_id``, ``dim``,
``embed(texts)``). Heavy modules (torch, sentence-transformers, spaCy) are imported only when a
function needs them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from auditor._version import __version__

__all__ = [
    "__version__",
    "audit",
    "audit_documents",
    "report",
    "check",
    "curate",
    "options",
    "AuditOptions",
    "AuditResult",
    "CheckResult",
    "ReportResult",
    "CurateResult",
    "Document",
    "TextEmbedder",
    "SameyError",
    "UsageError",
    "InputError",
    "ModelError",
]

from auditor.config import AuditOptions, build_options
from auditor.errors import InputError, ModelError, SameyError, UsageError
from auditor.features.protocols import TextEmbedder
from auditor.results import AuditResult, CheckResult, CurateResult, ReportResult
from auditor.types import Document

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


def options(config: dict[str, Any] | None = None, **overrides: Any) -> AuditOptions:
    """Build validated options from config-file values and keyword overrides
    (``period="month"``, ``text_field="body"``, ``repeats=10``...)."""
    return build_options(config, **overrides)


def audit(path: str | Path, opts: AuditOptions | None = None, *,
          embedder: TextEmbedder | None = None, **overrides: Any) -> AuditResult:
    """Audit a content folder (or one file) period by period.

    ``opts`` or keyword overrides (the names of the CLI options, e.g. ``period="quarter"``,
    ``min_docs=10``, ``baseline="2019..2020"``, ``model="all-MiniLM-L6-v2"``). ``embedder``: any
    :class:`TextEmbedder` (tests use ``HashingEmbedder``). Raises ``InputError`` (nothing to
    audit), ``UsageError`` (bad options), ``ModelError``.
    """
    from auditor.app.audit import audit as _audit

    return _audit(path, _resolve(opts, overrides), embedder=embedder)


def audit_documents(documents: Iterable[Document | Mapping[str, Any]] | Any,
                    opts: AuditOptions | None = None, *, embedder: TextEmbedder | None = None,
                    name: str = "documents", **overrides: Any) -> AuditResult:
    """Audit documents already in memory: ``Document`` objects, dicts, or a pandas DataFrame
    (its rows). Dicts and rows are read exactly as the records of a JSON Lines file would be:
    the text, date and title are found by name (``text``/``body``/``content``...,
    ``date``/``published``..., ``title``) or named with ``text_field=``, ``date_field=``,
    ``title_field=`` (and ``date_format=`` for dates such as ``03/24/2024``). Every record is
    analysed or listed in ``result.skipped`` as ``documents#N`` (``name#N``) with its reason.
    Other overrides and errors as for :func:`audit`.
    """
    from auditor.app.audit import audit_documents as _audit_documents

    if hasattr(documents, "to_dict") and hasattr(documents, "columns"):  # a pandas DataFrame
        documents = documents.to_dict("records")
    return _audit_documents(documents, _resolve(opts, overrides), embedder=embedder, name=name)


def check(drafts: Sequence[str | Path | tuple[str, str]], against: str | Path,
          opts: AuditOptions | None = None, *, embedder: TextEmbedder | None = None,
          **overrides: Any) -> CheckResult:
    """Check drafts against an existing corpus: is each one just more of the same?

    ``drafts``: file paths, or ``("-", text)`` pairs; ``against``: the corpus folder (or file).
    ``opts`` or keyword overrides (``max_similarity=0.9``, ``watch_percentile=95``...). Returns a
    ``CheckResult`` (``.status``, ``.drafts``, ``.to_dict()``: what ``samey check --json``
    writes). See docs/check.md and ``auditor.judge.draft`` for the status rule.
    """
    from auditor.app.check import check as _check

    return _check(drafts, against, _resolve(opts, overrides), embedder=embedder)


def report(path: str | Path, opts: AuditOptions | None = None, *, period_end: str | None = None,
           history: str | Path | None = None, embedder: TextEmbedder | None = None,
           before_commit: Callable[[ReportResult], Any] | None = None,
           **overrides: Any) -> ReportResult:
    """Monthly report: audit ``path`` by month up to ``period_end`` (``YYYY-MM``; default the
    last complete month with documents), store that month in the history (default
    ``<path>/.samey/history.sqlite``) and return a ``ReportResult`` with the trend and alerts.
    ``before_commit(result)``: called before the month is committed to the history (write your
    outputs there; if it raises, the history is left as it was).
    Raises ``UsageError``, ``InputError``, ``HistoryError``, ``ModelError``.
    """
    from auditor.app.report import report as _report

    return _report(path, _resolve(opts, overrides), period_end=period_end, history=history,
                   embedder=embedder, before_commit=before_commit)


def curate(path: str | Path, opts: AuditOptions | None = None, *, keep: int | str | None = None,
           target: float | None = None, always_keep: str | Path | None = None,
           prefer_source: str | None = None, manifest: str | Path | None = None,
           out: str | Path | None = None, embedder: TextEmbedder | None = None,
           **overrides: Any) -> CurateResult:
    """Choose the documents of a corpus that keep the most diversity (``samey curate``).

    ``keep``: how many (``100``) or what share (``"60%"``); or ``target``: the mean pairwise
    similarity the kept set may reach (the largest selection at or under it). ``always_keep``:
    a folder of the corpus, or a file listing document ids, kept whatever happens.
    ``prefer_source``: with ``source_field=NAME`` (front matter key or column), documents of
    this source come first in each topic and among near-copies. ``manifest``: a JSON Lines file
    with one row per input (kept or not, and why); ``out``: a new folder for the kept documents
    in their input format. Other overrides as for :func:`audit` (``model``, ``random_state``
    for the seed, ``structure_cap``, ``near_copy_similarity``, ``random_subsets``...).

    Returns a frozen ``CurateResult`` (``.kept``, ``.measures``, ``.to_dict()``: what
    ``samey curate --json`` writes). The method and its references: ``auditor.app.curate``.
    Raises ``UsageError`` (bad options), ``InputError`` (nothing to curate), ``ModelError``.
    """
    from auditor.app.curate import curate as _curate

    return _curate(path, _resolve(opts, overrides), keep=keep, target=target,
                   always_keep=always_keep, prefer_source=prefer_source, manifest=manifest,
                   out=out, embedder=embedder)


def _resolve(opts: AuditOptions | None, overrides: Mapping[str, Any]) -> AuditOptions:
    """``opts`` with the keyword overrides applied (validated), or options from the overrides."""
    if opts is None:
        return build_options(None, **overrides)
    if overrides:
        return build_options(None, **{**_flatten(opts), **overrides})
    return opts


def _flatten(opts: AuditOptions) -> dict[str, Any]:
    d = opts.to_dict()
    flat = {k: v for k, v in d.items() if not isinstance(v, dict)}
    for v in d.values():
        if isinstance(v, dict):
            flat.update(v)
    return flat
