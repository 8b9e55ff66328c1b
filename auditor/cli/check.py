"""``samey check DRAFT... --against FOLDER``: is each draft just more of the same? A thin wrapper
over :func:`auditor.check`; exit 1 when a draft reaches ``--fail-on`` (default ``samey``).
``--json -`` writes the JSON to standard output and the human report to stderr.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from auditor.cli import options as opt
from auditor.errors import InputError, UsageError

EPILOG = opt.epilog(
    "samey check drafts/new-post.md --against content/blog --json check.json",
    "a draft reached --fail-on (samey or watch; default samey)")


@opt.corpus_options("model", "backend", "text_field", "title_field", "cache_dir", "engine",
                    "workers", "scheduler")
def check(
    drafts: list[str] = typer.Argument(..., metavar="DRAFT", help="Draft files (any format "
                                       "audit reads), or - for standard input."),
    against: Optional[Path] = typer.Option(None, "--against", metavar="FOLDER", help="The "
                                           "corpus folder (or file) to compare with (default: "
                                           "'corpus' in samey.toml)."),
    max_similarity: Optional[float] = typer.Option(None, "--max-similarity", metavar="COSINE",
                                                   help="Cosine similarity above which a draft "
                                                   "is samey (default: the corpus's 99th "
                                                   "percentile)."),
    duplicate_similarity: Optional[float] = typer.Option(None, "--duplicate-similarity",
                                                         metavar="COSINE", help="Cosine of a "
                                                         "near-duplicate (default 0.95)."),
    watch_percentile: Optional[float] = typer.Option(None, "--watch-percentile", metavar="P",
                                                     help="Corpus percentile that makes a watch "
                                                     "(default 90)."),
    samey_percentile: Optional[float] = typer.Option(None, "--samey-percentile", metavar="P",
                                                     help="Corpus percentile that makes samey "
                                                     "(default 99)."),
    min_shared_docs: Optional[int] = typer.Option(None, "--min-shared-docs", metavar="N",
                                                  help="Corpus posts that make a phrase or "
                                                  "opening common (default max(3, 1% of the "
                                                  "corpus))."),
    neighbours: Optional[int] = typer.Option(None, "--neighbours", metavar="N", help="Nearest "
                                             "documents listed per draft (default 5)."),
    json_out: Optional[Path] = opt.O_JSON,
    output_in_corpus: bool = opt.O_OUTPUT_IN_CORPUS,
    fail_on: opt.FailOn = typer.Option(opt.FailOn.samey, "--fail-on", metavar="never|watch|samey",
                                   help="Exit 1 when a draft reaches this status."),
    config: Optional[Path] = opt.O_CONFIG,
    quiet: bool = opt.O_QUIET,
    **corpus: Any,
) -> None:
    """Is this draft just more of the same? Compare drafts with an existing corpus."""
    from auditor import check as api_check
    from auditor.render.check_terminal import render_check

    console = opt.human_console(quiet, opt.to_stdout(json=json_out))
    values, cfg_path = opt.load_config_values(config)
    if against is None:
        if values.get("corpus") and cfg_path:
            against = (cfg_path.parent / values["corpus"]).resolve()
        else:
            raise UsageError("give the corpus with --against FOLDER, or set 'corpus' in "
                             "samey.toml.")
    exclude = opt.check_outputs(Path(against), {"json": json_out}, allow_inside=output_in_corpus,
                            exclude=values.get("ingest", {}).get("exclude"),
                            inputs=[d for d in drafts if d != "-"])
    opts = opt.make_options(
        values, quiet=quiet, max_similarity=max_similarity,
        duplicate_similarity=duplicate_similarity, watch_percentile=watch_percentile,
        samey_percentile=samey_percentile, min_shared_docs=min_shared_docs,
        neighbours=neighbours, exclude=exclude or None, **corpus)
    items: list[str | tuple[str, str]] = []  # draft paths, and ("-", text) for stdin
    for d in drafts:
        if d == "-":
            if any(isinstance(x, tuple) for x in items):
                raise UsageError("- (standard input) may be given only once.")
            items.append(("-", sys.stdin.read()))
        else:
            import glob

            if not Path(d).exists() and not glob.has_magic(d):
                raise InputError(f"{d}: no such draft file or folder; check the path.")
            items.append(d)
    result = api_check(items, against, opts)
    written = opt.write_outputs(result, json=json_out)
    if console is not None:
        render_check(result, console)
    opt.say_written(console, written)
    opt.exit_if_fails(result.status, fail_on, "a draft")
