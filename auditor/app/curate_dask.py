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

What is sent. To a worker: the corpus root (a path the workers can read: shared storage), a
partition as ``(relative path, part)`` tuples, the ingest options as a dict, the embedder (a
recipe for the packaged model or the distilled table, loaded once per worker, or the object
itself for the hashing embedder) and the ``--always-keep`` test. Back: one msgpack ``bytes``
object per partition (``CurateIndex.part``: arrays as bytes, lists, str, int).
"""
from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from auditor.app.curate_index import CurateIndex
from auditor.app.engine_dask import connect, missing
from auditor.config import AuditOptions, IngestOptions
from auditor.errors import InputError
from auditor.features.embeddings import Embedder, TextEmbedder, make_embedder
from auditor.ingest import iter_file
from auditor.ingest.partition import Partition, full_path, options_plain, plan
from auditor.ingest.walk import iter_files
from auditor.progress import progress_iter
from auditor.types import Skipped

PART_BYTES = 8 * 2**20  # input bytes per partition: a partition's result stays a few tens of MB
IN_FLIGHT = 2           # partitions in flight per worker (plus two)

Recipe = tuple[str, tuple[Any, ...]]
_LOADED: dict[tuple[Any, ...], TextEmbedder] = {}  # per worker process: recipe -> embedder


def recipe(embedder: TextEmbedder, options: AuditOptions) -> Recipe | TextEmbedder:
    """How a worker gets this embedder: a recipe for the packaged model (``model``) or the
    distilled table (``static``: its folder, read where the workers see it at the same path,
    else distilled there from ``options.model``, offline, into ``options.cache_dir``), loaded
    once per worker; any other embedder (the hashing stand-in, a test's own) is sent as it
    is."""
    from auditor.app.stages import _LazyFirst
    from auditor.features.static import StaticEmbedder

    if isinstance(embedder, _LazyFirst):
        embedder = embedder.inner
    cache_dir = options.cache_dir or None
    if isinstance(embedder, StaticEmbedder):
        return ("static", (str(embedder.folder), embedder.base_model_id, options.model,
                           cache_dir))
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


def curate_partition(root: str, partition: Partition, options: dict[str, Any],
                     spec: Recipe | TextEmbedder, protected: Callable[[str, str], bool]) -> bytes:
    """The task a worker runs: one partition read into a fresh ``CurateIndex`` (the local
    code), returned as packed plain data."""
    from auditor.app.engine_dask import pack

    ingest = IngestOptions(**options)
    with CurateIndex(load(spec), protected=protected) as index:
        for rel, span in partition:
            items, _ = iter_file(full_path(root, rel), rel, ingest, {},
                                 part=(span[0], span[1], span[2]) if span else None)
            for n, item in items:
                if isinstance(item, Skipped):
                    index.skip(n, item)
                else:
                    index.add(n, item)
        return pack(index.part())


def partitions(root: Path, ingest: IngestOptions, client: Any, *,
               part_bytes: int | None = None) -> list[Partition]:
    """The partitions of the corpus in reading order (``ingest.partition.plan``), planned with
    the workers' help."""
    def mapper(func: Callable[..., Any], jobs: Sequence[Any]) -> list[Any]:
        done: list[Any] = client.gather(client.map(func, list(jobs), pure=False))
        return done

    files = iter_files(root, ingest.exclude)
    n_workers = max(1, len(client.nthreads()))
    return plan(root, files, ingest, part_bytes=part_bytes or PART_BYTES,
                partitions=4 * n_workers, mapper=mapper)


def in_order(client: Any, task: Callable[..., bytes], jobs: Sequence[Partition],
             *args: Any, progress: bool = False, description: str = ""
             ) -> Iterator[dict[str, Any]]:
    """Run ``task(job, *args)`` for each job on the cluster and yield the results unpacked, in
    the jobs' order, with at most ``IN_FLIGHT x workers + 2`` jobs in flight."""
    import msgpack

    window = IN_FLIGHT * max(1, len(client.nthreads())) + 2
    pending: deque[Any] = deque()
    queue = iter(jobs)
    for _ in progress_iter(range(len(jobs)), total=len(jobs), description=description,
                           enabled=progress):
        while len(pending) < window:
            job = next(queue, None)
            if job is None:
                break
            pending.append(client.submit(task, job, *args, pure=False))
        future = pending.popleft()
        packed = future.result()
        future.release()
        yield msgpack.unpackb(packed, raw=False)


def read_corpus_dask(root: Path, options: AuditOptions, index: CurateIndex,
                     embedder: TextEmbedder, protected: Callable[[str, str], bool], *,
                     client: Any = None, part_bytes: int | None = None) -> None:
    """What ``app.curate_index.read_corpus`` does, on a Dask cluster (module docstring):
    ``index`` ends up holding what a local read would have put there. Raises InputError
    without dask."""
    problem = missing()
    if problem:
        raise InputError(problem)
    if client is None:
        with connect(options) as c:
            read_corpus_dask(root, options, index, embedder, protected, client=c,
                             part_bytes=part_bytes)
        return
    jobs = partitions(root, options.ingest, client, part_bytes=part_bytes)
    spec = recipe(embedder, options)
    if not isinstance(spec, tuple):
        spec = client.scatter(spec, broadcast=True)
    task = functools.partial(_curate_job, str(root))
    for part in in_order(client, task, jobs, options_plain(options.ingest), spec, protected,
                         progress=options.progress, description="Reading and embedding (dask)"):
        index.add_part(part)
    index.finish()


def _curate_job(root: str, partition: Partition, options: dict[str, Any],
                spec: Recipe | TextEmbedder, protected: Callable[[str, str], bool]) -> bytes:
    return curate_partition(root, partition, options, spec, protected)
