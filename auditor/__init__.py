"""samey: audit a folder of brand content for homogenization over time.

Public API (the CLI is a thin layer over these)::

    import auditor
    result = auditor.audit("content/", period="quarter")
    result.status            # "ok" | "watch" | "samey"
    result.to_dict()         # exactly what ``samey audit --json`` writes

Heavy modules (torch, sentence-transformers, spaCy) are imported only when a function needs them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor._version import __version__

__all__ = [
    "__version__",
    "audit",
    "report",
    "check",
    "curate",
    "options",
    "AuditOptions",
    "AuditResult",
    "CurateResult",
    "SameyError",
    "UsageError",
    "InputError",
    "ModelError",
]

from auditor.config import AuditOptions, build_options
from auditor.errors import InputError, ModelError, SameyError, UsageError
from auditor.results import AuditResult, CurateResult

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


def options(config: dict[str, Any] | None = None, **overrides: Any) -> AuditOptions:
    """Build validated options from config-file values and keyword overrides
    (``period="month"``, ``text_field="body"``, ``repeats=10``...)."""
    return build_options(config, **overrides)


def audit(path: str | Path, opts: AuditOptions | None = None, *, embedder: Any = None,
          **overrides: Any) -> AuditResult:
    """Audit a content folder (or one file) period by period.

    ``opts`` or keyword overrides (the names of the CLI options, e.g. ``period="quarter"``,
    ``min_docs=10``, ``baseline="2019..2020"``, ``model="all-MiniLM-L6-v2"``). ``embedder`` may be
    any object with ``model_id`` and ``embed(texts)`` (tests use ``HashingEmbedder``).
    Raises ``InputError`` (nothing to audit), ``UsageError`` (bad options), ``ModelError``.
    """
    from auditor.app.audit import audit as _audit

    if opts is None:
        opts = build_options(None, **overrides)
    elif overrides:
        opts = build_options(None, **{**_flatten(opts), **overrides})
    return _audit(path, opts, embedder=embedder)


def check(drafts: Any, against: str | Path, opts: AuditOptions | None = None, *,
          embedder: Any = None, **overrides: Any) -> Any:
    """Check drafts against an existing corpus: is each one just more of the same?

    ``drafts``: file paths, or ``("-", text)`` pairs; ``against``: the corpus folder (or file).
    ``opts`` or keyword overrides (``max_similarity=0.9``, ``watch_percentile=95``...). Returns a
    ``CheckResult`` (``.status``, ``.drafts``, ``.to_dict()``: what ``samey check --json``
    writes). See docs/check.md and ``auditor.judge.draft`` for the status rule.
    """
    from auditor.app.check import check as _check

    if opts is None:
        opts = build_options(None, **overrides)
    elif overrides:
        opts = build_options(None, **{**_flatten(opts), **overrides})
    return _check(drafts, against, opts, embedder=embedder)


def report(path: str | Path, opts: AuditOptions | None = None, *, period_end: str | None = None,
           history: str | Path | None = None, embedder: Any = None,
           before_commit: Any = None, **overrides: Any) -> Any:
    """Monthly report: audit ``path`` by month up to ``period_end`` (``YYYY-MM``; default the
    last complete month with documents), store that month in the history (default
    ``<path>/.samey/history.sqlite``) and return a ``ReportResult`` with the trend and alerts.
    ``before_commit(result)``: called before the month is committed to the history (write your
    outputs there; if it raises, the history is left as it was).
    Raises ``UsageError``, ``InputError``, ``HistoryError``, ``ModelError``.
    """
    from auditor.app.report import report as _report

    if opts is None:
        opts = build_options(None, **overrides)
    elif overrides:
        opts = build_options(None, **{**_flatten(opts), **overrides})
    return _report(path, opts, period_end=period_end, history=history, embedder=embedder,
                   before_commit=before_commit)


def curate(path: str | Path, opts: AuditOptions | None = None, *, keep: int | str | None = None,
           target: float | None = None, always_keep: str | Path | None = None,
           prefer_source: str | None = None, manifest: str | Path | None = None,
           out: str | Path | None = None, embedder: Any = None,
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

    if opts is None:
        opts = build_options(None, **overrides)
    elif overrides:
        opts = build_options(None, **{**_flatten(opts), **overrides})
    return _curate(path, opts, keep=keep, target=target, always_keep=always_keep,
                   prefer_source=prefer_source, manifest=manifest, out=out, embedder=embedder)


def _flatten(opts: AuditOptions) -> dict[str, Any]:
    d = opts.to_dict()
    flat = {k: v for k, v in d.items() if not isinstance(v, dict)}
    for v in d.values():
        if isinstance(v, dict):
            flat.update(v)
    return flat
