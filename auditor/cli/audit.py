"""``samey audit FOLDER``: a thin wrapper over :func:`auditor.audit`; exit 1 when the verdict
reaches ``--fail-on`` (default never)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from auditor.cli.options import (
    O_ACTIONS_CSV,
    O_BACKEND,
    O_BASELINE,
    O_CACHE_DIR,
    O_CONFIG,
    O_DATE,
    O_DATE_FORMAT,
    O_DATE_FROM,
    O_ENGINE,
    O_JSON,
    O_MIN_DOCS,
    O_MIN_RECORD_WORDS,
    O_MIN_WORDS,
    O_MODEL,
    O_OUTPUT_IN_CORPUS,
    O_PERIOD,
    O_QUIET,
    O_SCHEDULER,
    O_SEG,
    O_SOURCE,
    O_SEG_FROM,
    O_SITE_DUPLICATES,
    O_TEXT,
    O_TITLE,
    O_WORKERS,
    DateFrom,
    FailOn,
    Period,
    SegmentFrom,
    check_outputs,
    epilog,
    exit_if_fails,
    human_console,
    load_config_values,
    make_options,
    resolve_path,
    say_written,
    to_stdout,
    write_outputs,
)
from auditor.errors import InputError

EPILOG = epilog("samey audit content/blog --json audit.json --fail-on samey",
                "the verdict reached --fail-on (samey or watch; default never)")


def audit(
    path: Optional[Path] = typer.Argument(None, metavar="FOLDER", help="Folder or file to audit "
                                          "(default: 'corpus' in samey.toml)."),
    period: Optional[Period] = O_PERIOD,
    min_docs: Optional[int] = O_MIN_DOCS,
    baseline: Optional[str] = O_BASELINE,
    model: Optional[str] = O_MODEL,
    backend: Optional[str] = O_BACKEND,
    text_field: Optional[str] = O_TEXT,
    date_field: Optional[str] = O_DATE,
    title_field: Optional[str] = O_TITLE,
    segment_field: Optional[str] = O_SEG,
    source_field: Optional[str] = O_SOURCE,
    segment_from: Optional[SegmentFrom] = O_SEG_FROM,
    date_from: Optional[DateFrom] = O_DATE_FROM,
    date_format: Optional[str] = O_DATE_FORMAT,
    min_words: Optional[int] = O_MIN_WORDS,
    min_record_words: Optional[int] = O_MIN_RECORD_WORDS,
    sample_size: Optional[int] = typer.Option(None, "--sample-size", metavar="N",
                                              help="Documents per sample (default: half the "
                                              "smallest period, at most 200)."),
    text_budget: Optional[int] = typer.Option(None, "--text-budget", metavar="N", help="Words "
                                              "per document for lexical metrics (default 300)."),
    repeats: Optional[int] = typer.Option(None, "--repeats", metavar="N",
                                          help="Samples per period (default 20)."),
    seed: Optional[int] = typer.Option(None, "--seed", metavar="N",
                                       help="Random seed (default 0)."),
    cache_dir: Optional[Path] = O_CACHE_DIR,
    engine: Optional[str] = O_ENGINE,
    workers: Optional[int] = O_WORKERS,
    scheduler: Optional[str] = O_SCHEDULER,
    json_out: Optional[Path] = O_JSON,
    output_in_corpus: bool = O_OUTPUT_IN_CORPUS,
    actions_csv: Optional[Path] = O_ACTIONS_CSV,
    fail_on: FailOn = typer.Option(FailOn.never, "--fail-on", metavar="never|watch|samey",
                                   help="Exit 1 when the verdict reaches this level."),
    site_duplicates: Optional[bool] = O_SITE_DUPLICATES,
    config: Optional[Path] = O_CONFIG,
    quiet: bool = O_QUIET,
) -> None:
    """Audit a content folder period by period: is it becoming samey?"""
    from auditor import audit as api_audit
    from auditor.render.terminal import render_audit

    console = human_console(quiet, to_stdout(json=json_out, actions_csv=actions_csv))
    values, cfg_path = load_config_values(config)
    target = resolve_path(path, values, cfg_path)
    exclude = check_outputs(target, {"json": json_out, "actions-csv": actions_csv}, allow_inside=output_in_corpus,
                            exclude=values.get("ingest", {}).get("exclude"))
    opts = make_options(
        values, quiet=quiet, period=period, min_docs=min_docs, baseline=baseline, model=model,
        text_field=text_field, date_field=date_field, title_field=title_field,
        segment_field=segment_field, source_field=source_field,
        segment_from=segment_from, date_from=date_from,
        date_format=date_format, exclude=exclude or None,
        min_words=min_words, min_record_words=min_record_words, sample_size=sample_size,
        text_budget=text_budget, repeats=repeats,
        random_state=seed, cache_dir=cache_dir,
        backend=backend, site_duplicates=site_duplicates, engine=engine, workers=workers,
        scheduler=scheduler)
    if not target.exists():
        raise InputError(f"{target}: no such file or folder; check the path.")
    result = api_audit(target, opts)
    written = write_outputs(result, json=json_out, actions_csv=actions_csv)
    if console is not None:
        render_audit(result, console)
    say_written(console, written)
    exit_if_fails(result.status, fail_on)


