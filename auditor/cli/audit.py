"""``samey audit FOLDER``: a thin wrapper over :func:`auditor.audit`; exit 1 when the verdict
reaches ``--fail-on`` (default never)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from auditor.cli import options as opt
from auditor.errors import InputError

EPILOG = opt.epilog("samey audit content/blog --json audit.json --fail-on samey",
                "the verdict reached --fail-on (samey or watch; default never)")


def audit(
    path: Optional[Path] = typer.Argument(None, metavar="FOLDER", help="Folder or file to audit "
                                          "(default: 'corpus' in samey.toml)."),
    period: Optional[opt.Period] = opt.O_PERIOD,
    min_docs: Optional[int] = opt.O_MIN_DOCS,
    baseline: Optional[str] = opt.O_BASELINE,
    model: Optional[str] = opt.O_MODEL,
    backend: Optional[str] = opt.O_BACKEND,
    text_field: Optional[str] = opt.O_TEXT,
    date_field: Optional[str] = opt.O_DATE,
    title_field: Optional[str] = opt.O_TITLE,
    segment_field: Optional[str] = opt.O_SEG,
    source_field: Optional[str] = opt.O_SOURCE,
    segment_from: Optional[opt.SegmentFrom] = opt.O_SEG_FROM,
    date_from: Optional[opt.DateFrom] = opt.O_DATE_FROM,
    date_format: Optional[str] = opt.O_DATE_FORMAT,
    min_words: Optional[int] = opt.O_MIN_WORDS,
    min_record_words: Optional[int] = opt.O_MIN_RECORD_WORDS,
    sample_size: Optional[int] = typer.Option(None, "--sample-size", metavar="N",
                                              help="Documents per sample (default: half the "
                                              "smallest period, at most 200)."),
    text_budget: Optional[int] = typer.Option(None, "--text-budget", metavar="N", help="Words "
                                              "per document for lexical metrics (default 300)."),
    repeats: Optional[int] = typer.Option(None, "--repeats", metavar="N",
                                          help="Samples per period (default 20)."),
    seed: Optional[int] = typer.Option(None, "--seed", metavar="N",
                                       help="Random seed (default 0)."),
    cache_dir: Optional[Path] = opt.O_CACHE_DIR,
    engine: Optional[str] = opt.O_ENGINE,
    workers: Optional[int] = opt.O_WORKERS,
    scheduler: Optional[str] = opt.O_SCHEDULER,
    json_out: Optional[Path] = opt.O_JSON,
    output_in_corpus: bool = opt.O_OUTPUT_IN_CORPUS,
    actions_csv: Optional[Path] = opt.O_ACTIONS_CSV,
    fail_on: opt.FailOn = typer.Option(opt.FailOn.never, "--fail-on", metavar="never|watch|samey",
                                   help="Exit 1 when the verdict reaches this level."),
    site_duplicates: Optional[bool] = opt.O_SITE_DUPLICATES,
    config: Optional[Path] = opt.O_CONFIG,
    quiet: bool = opt.O_QUIET,
) -> None:
    """Audit a content folder period by period: is it becoming samey?"""
    from auditor import audit as api_audit
    from auditor.render.terminal import render_audit

    console = opt.human_console(quiet, opt.to_stdout(json=json_out, actions_csv=actions_csv))
    values, cfg_path = opt.load_config_values(config)
    target = opt.resolve_path(path, values, cfg_path)
    exclude = opt.check_outputs(target, {"json": json_out, "actions-csv": actions_csv},
                                allow_inside=output_in_corpus,
                                exclude=values.get("ingest", {}).get("exclude"))
    opts = opt.make_options(
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
    written = opt.write_outputs(result, json=json_out, actions_csv=actions_csv)
    if console is not None:
        render_audit(result, console)
    opt.say_written(console, written)
    opt.exit_if_fails(result.status, fail_on)


