"""``samey curate CORPUS --keep N``: choose the documents that keep the most diversity. A thin
wrapper over :func:`auditor.curate`; ``--json -`` writes the JSON to standard output and the
human report to stderr."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from auditor.cli import options as opt
from auditor.errors import InputError

EPILOG = opt.epilog("samey curate content/ --keep 60% --manifest kept.jsonl --out curated/",
                "never (curate has no --fail-on)")


@opt.corpus_options("source_field", "text_field", "title_field", "min_words",
                    "min_record_words", "model", "backend", "cache_dir", "engine", "workers",
                    "scheduler")
def curate(
    path: Optional[Path] = typer.Argument(None, metavar="CORPUS", help="Folder or file to "
                                          "curate (default: 'corpus' in samey.toml)."),
    keep: Optional[str] = typer.Option(None, "--keep", metavar="N|P%", help="Documents to "
                                       "keep: a number (100) or a share (60%)."),
    target: Optional[float] = typer.Option(None, "--target", metavar="SIMILARITY", help="Keep "
                                           "the most documents whose mean pairwise similarity "
                                           "stays at or under this (instead of --keep)."),
    seed: Optional[int] = typer.Option(None, "--seed", metavar="N", help="Random seed of the "
                                       "clusters, random subsets and samples (default 0)."),
    always_keep: Optional[Path] = typer.Option(None, "--always-keep", metavar="FOLDER|FILE",
                                               help="Keep these whatever happens: a folder of "
                                               "the corpus, or a file listing document ids "
                                               "(one a line, as the manifest's 'doc')."),
    prefer_source: Optional[str] = typer.Option(None, "--prefer-source", metavar="VALUE",
                                                help="With --source-field: this source first "
                                                "in each topic and among near-copies."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", metavar="FILE", help="Write "
                                            "one JSON line per input: kept or not, and why."),
    out: Optional[Path] = typer.Option(None, "--out", metavar="FOLDER", help="Write the kept "
                                       "documents, in their input format, to this new folder."),
    json_out: Optional[Path] = opt.O_JSON,
    output_in_corpus: bool = opt.O_OUTPUT_IN_CORPUS,
    config: Optional[Path] = opt.O_CONFIG,
    quiet: bool = opt.O_QUIET,
    **corpus: Any,
) -> None:
    """Choose the documents that keep the most diversity (for a training set)."""
    from auditor import curate as api_curate
    from auditor.render.curate_terminal import render_curate

    console = opt.human_console(quiet, opt.to_stdout(json=json_out))
    values, cfg_path = opt.load_config_values(config)
    target_path = opt.resolve_path(path, values, cfg_path)
    exclude = opt.check_outputs(target_path, {"manifest": manifest, "json": json_out},
                                allow_inside=output_in_corpus,
                                exclude=values.get("ingest", {}).get("exclude"))
    opts = opt.make_options(values, quiet=quiet, random_state=seed, exclude=exclude or None,
                            **corpus)
    if not target_path.exists():
        raise InputError(f"{target_path}: no such file or folder; check the path.")
    result = api_curate(target_path, opts, keep=keep, target=target, always_keep=always_keep,
                        prefer_source=prefer_source, manifest=manifest, out=out)
    written = opt.write_outputs(result, json=json_out)
    if console is not None:
        render_curate(result, console)
    opt.say_written(console, written)
