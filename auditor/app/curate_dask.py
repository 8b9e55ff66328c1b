"""``samey curate --engine dask`` and ``samey check --engine dask``: the per-document pass
(reading, embedding, MinHash signatures and sketches, structure keys) on dask.distributed
workers; the decisions stay on the driver.

The same result as the local engine, by construction: the corpus is cut into partitions that,
read one after the other, give the documents of a local read in its order
(``ingest.partition.plan``: groups of files, byte ranges of a large CSV/TSV/JSON Lines file, row
groups of a large Parquet file, every record keeping its number). Each worker runs the local
code on a partition (``CurateIndex.add``, or the check index's ``index.rows.featurise``) and
returns it as plain data; the driver appends the partitions in order (``CurateIndex.add_part``),
so its index holds exactly what a local read would have put there, and everything after it
(families, clusters, selection, the report, the manifest) is the local code on the driver.
Embeddings are computed text by text, so the partitioning does not change them: the hashing
embedder and the distilled first stage give the same bits; a transformer run in batches may
differ in the last float digits (padding within a batch), as between two local batch sizes.

How it scales. The driver only appends bytes (a few KB a document: the embedding, the
word-count vector, a 512-byte signature and the sketch) to its temporary files; the workers do
the work that grows with the text (tokenising, MinHash, the first stage). At most
``2 x workers + 2`` partitions are in flight, so the workers hold a bounded number of finished
partitions while the driver appends them in order. The selection itself (k-means on a sample,
farthest-point orders per cluster) runs on the driver, as locally.

Bounded results. A partition of whole files larger than ``LOCAL_BYTES`` in all (a large file
that could not be cut at record boundaries) is streamed by the driver itself, in its place
(:func:`on_driver`), so no task's result grows with a file's size. Workers that cannot see the
corpus, and tasks that fail for another reason than samey's own errors (a worker killed for
memory, a file gone), end the run as one ``InputError`` naming the files (:func:`in_order`).

What is sent. To a worker: the corpus root (a path the workers can read: shared storage), a
partition as ``(relative path, part)`` tuples, the ingest options as a dict, the embedder (a
recipe for the packaged model or the distilled table, loaded once per worker, or the object
itself for the hashing embedder) and the ``--always-keep`` test (both sent once per worker).
Back: one msgpack ``bytes`` object per partition (``CurateIndex.part``: arrays as bytes,
lists, str, int).
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from auditor.app.curate_index import CurateIndex, read_file
from auditor.app.engine_dask import connect, missing
from auditor.config import AuditOptions, IngestOptions
from auditor.errors import InputError, SameyError
from auditor.features.embeddings import Embedder, TextEmbedder, make_embedder
from auditor.ingest.partition import Partition, full_path, options_plain, plan
from auditor.ingest.walk import iter_files
from auditor.progress import progress_iter

PART_BYTES = 8 * 2**20  # input bytes per partition: a partition's result stays a few tens of MB
LOCAL_BYTES = 4 * PART_BYTES  # a partition of one larger file that could not be split: the driver
IN_FLIGHT = 2           # partitions in flight per worker (plus two)

Recipe = tuple[str, tuple[Any, ...]]
_LOADED: dict[tuple[Any, ...], TextEmbedder] = {}  # per worker process: recipe -> embedder


def recipe(embedder: TextEmbedder, options: AuditOptions, full: TextEmbedder | None = None
           ) -> Recipe | TextEmbedder:
    """How a worker gets this embedder: a recipe for the packaged model (``model``) or the
    distilled table (``static``: its folder, read where the workers see it at the same path,
    else distilled there, offline, from ``full``'s model (default ``options.model``) into
    ``options.cache_dir``), loaded once per worker; any other embedder (the hashing stand-in,
    a test's own) is sent as it is."""
    from auditor.app.stages import LazyFirst
    from auditor.features.static import StaticEmbedder

    if isinstance(embedder, LazyFirst):
        embedder = embedder.inner
    cache_dir = options.cache_dir or None
    if isinstance(embedder, StaticEmbedder):
        model = full.model_name if isinstance(full, Embedder) else options.model
        return ("static", (str(embedder.folder), embedder.base_model_id, model, cache_dir))
    if isinstance(embedder, Embedder) and not embedder.injected:
        return ("model", (embedder.model_name, cache_dir, embedder.backend))
    return embedder


def load(spec: Recipe | TextEmbedder) -> TextEmbedder:
    """The embedder of :func:`recipe` on a worker (loaded once per process)."""
    if not isinstance(spec, tuple):
        return spec
    got = _LOADED.get(spec)
    if got is None:
        kind, args = spec
        if kind == "static":
            from auditor.features.static import StaticEmbedder

            folder, base, model, cache_dir = args
            got = (StaticEmbedder(folder, base_model_id=base) if Path(folder).is_dir()
                   else StaticEmbedder.from_model(model, cache_dir))
        else:
            got = make_embedder(args[0], cache_dir=args[1], backend=args[2])
        _LOADED[spec] = got
    return got


def read_partition(index: CurateIndex, root: str | Path, partition: Partition,
                   ingest: IngestOptions) -> None:
    """Every input of ``partition`` added to ``index`` (or listed as skipped), in order: the
    local pass's code (``app.curate_index.read_corpus``)."""
    for rel, span in partition:
        read_file(index, full_path(root, rel), rel, ingest,
                  part=(span[0], span[1], span[2]) if span else None)


def curate_partition(partition: Partition, root: str, options: dict[str, Any],
                     spec: Recipe | TextEmbedder, protected: Callable[[str, str], bool]) -> bytes:
    """The task a worker runs: one partition read into a fresh ``CurateIndex`` (the local
    code), returned as packed plain data."""
    from auditor.app.engine_dask import pack

    with CurateIndex(load(spec), protected=protected) as index:
        read_partition(index, root, partition, IngestOptions(**options))
        return pack(index.part())


def partitions(root: Path, ingest: IngestOptions, client: Any, *,
               part_bytes: int | None = None) -> list[Partition]:
    """The partitions of the corpus in reading order (``ingest.partition.plan``), planned with
    the workers' help. Raises InputError when a worker cannot see ``root``."""
    seen = client.run(os.path.exists, str(root))
    if not all(seen.values()):
        raise InputError(f"{root}: {sum(not v for v in seen.values())} of {len(seen)} Dask "
                         "workers cannot read this path; put the corpus on storage that every "
                         "worker mounts at the same path (README 'Running on a cluster').")

    def mapper(func: Callable[..., Any], jobs: Sequence[Any]) -> list[Any]:
        done: list[Any] = client.gather(client.map(func, list(jobs), pure=False))
        return done

    files = iter_files(root, ingest.exclude)
    n_workers = max(1, len(client.nthreads()))
    return plan(root, files, ingest, part_bytes=part_bytes or PART_BYTES,
                partitions=4 * n_workers, mapper=mapper)


def on_driver(root: Path, partition: Partition) -> bool:
    """Whether the driver reads ``partition`` itself: whole files of more than ``LOCAL_BYTES``
    in all (a large file that could not be cut at record boundaries: a stray quote, one
    Parquet row group, a JSON array), so that no task's result grows with a file's size; the
    driver streams it as a local run does."""
    total = 0
    for rel, span in partition:
        if span is None:
            try:
                total += full_path(root, rel).stat().st_size
            except OSError:
                continue
    return total > LOCAL_BYTES


def in_order(client: Any, task: Callable[..., bytes], jobs: Sequence[Partition],
             *args: Any, local: Callable[[Partition], bool] = lambda job: False,
             progress: bool = False, description: str = ""
             ) -> Iterator[tuple[Partition, dict[str, Any] | None]]:
    """Run ``task(job, *args)`` on the cluster for each job but those ``local`` names, and
    yield ``(job, result unpacked)`` in the jobs' order (``(job, None)`` for a local job: the
    caller reads it), with at most ``IN_FLIGHT x workers + 2`` jobs in flight. A task that
    fails for another reason than samey's own errors ends as one InputError naming its files."""
    import msgpack

    window = IN_FLIGHT * max(1, len(client.nthreads())) + 2
    pending: deque[tuple[Partition, Any]] = deque()
    queue = iter(jobs)
    for _ in progress_iter(range(len(jobs)), total=len(jobs), description=description,
                           enabled=progress):
        while len(pending) < window:
            job = next(queue, None)
            if job is None:
                break
            pending.append((job, None if local(job) else
                            client.submit(task, job, *args, pure=False)))
        job, future = pending.popleft()
        if future is None:
            yield job, None
            continue
        try:
            packed = future.result()
        except SameyError:
            raise
        except Exception as e:  # noqa: BLE001 (a worker died, ran out of memory, lost a file)
            shown = job[:3]  # not a threshold: how many file names the message quotes
            names = ", ".join(rel for rel, _ in shown) + (" ..." if job[len(shown):] else "")
            raise InputError(f"--engine dask: a worker failed on {names} ({type(e).__name__}: "
                             f"{str(e)[:200]}); check that every worker reads the corpus at the "
                             "same path and has memory for a partition, or use --engine "
                             "local.") from None
        future.release()
        yield job, msgpack.unpackb(packed, raw=False)


def read_corpus_dask(root: Path, options: AuditOptions, index: CurateIndex,
                     embedder: TextEmbedder, protected: Callable[[str, str], bool], *,
                     full: TextEmbedder | None = None, client: Any = None,
                     part_bytes: int | None = None) -> None:
    """What ``app.curate_index.read_corpus`` does, on a Dask cluster (module docstring):
    ``index`` ends up holding what a local read would have put there. ``embedder``: the one
    ``index`` embeds with; ``full``: the model it was derived from (for the workers' recipe).
    Raises InputError without dask or when the workers cannot read the corpus."""
    problem = missing()
    if problem:
        raise InputError(problem)
    if client is None:
        with connect(options) as c:
            read_corpus_dask(root, options, index, embedder, protected, full=full, client=c,
                             part_bytes=part_bytes)
        return
    root = Path(root).absolute()  # workers resolve a relative path from their own folder
    jobs = partitions(root, options.ingest, client, part_bytes=part_bytes)
    spec = recipe(embedder, options, full)
    if not isinstance(spec, tuple):
        spec = client.scatter(spec, broadcast=True)
    keep = client.scatter(protected, broadcast=True)
    for job, part in in_order(client, curate_partition, jobs, str(root),
                              options_plain(options.ingest), spec, keep,
                              local=lambda job: on_driver(root, job), progress=options.progress,
                              description="Reading and embedding (dask)"):
        if part is None:
            read_partition(index, root, job, options.ingest)
        else:
            index.add_part(part)
    index.finish()
