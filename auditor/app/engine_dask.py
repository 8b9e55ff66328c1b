"""``--engine dask``: the corpus read in partitions on dask.distributed workers.

The same result as the local engine, by construction: each worker runs the local engine's code
(``ingest.stream.summarise_files``, through ``ingest.partition.summarise_partition``) on its
partitions (groups of files, byte ranges of a large CSV/TSV/JSON Lines file, row groups of a
large Parquet file; see ``ingest.partition``), the summaries are merged in a tree on the
workers (``IngestSummary.merge``: counts add, bottom-k pools keep the k smallest keys, which
does not depend on the partitioning), and the driver finishes the one merged summary
(copies and reposts over the whole corpus). Everything after that (periods, pools, features,
embeddings of the pools, metrics, verdict) is ``app.prepare`` and ``app.audit`` as for a local
run, on the driver: the pools are small (at most ``max_pool`` documents a period).

What is sent. To a worker: the corpus root (a path the workers can read: shared storage), a
partition as ``(relative path, (start, stop, first record) or None)`` tuples, the ingest options
as a dict, the seed, k and the cut-off date (an ordinal): plain data. Back: each summary as one
msgpack ``bytes`` object (``IngestSummary.to_plain``: dicts, lists, str, int, bytes; no class
is pickled or unpickled): per month its count and at most k documents (text and metadata), the
first 1,000 skipped inputs, and 20 bytes per row of each record file (body hash, date, record
number). Merges send the same kind of bytes between workers; the driver receives one.

Hook: a site-wide MinHash band index would be one more mergeable part of the summary, computed
in ``summarise_partition`` and merged in :func:`merge_packed` like the row hashes.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from auditor.config import AuditOptions
from auditor.errors import InputError
from auditor.ingest.partition import (
    PART_BYTES,
    Partition,
    options_plain,
    plan,
    summarise_partition,
)
from auditor.ingest.stream import IngestSummary
from auditor.ingest.walk import iter_files
from auditor.progress import plural

FIX = "pip install 'samey[dask]'"
FAN_IN = 4            # summaries merged per merge task (a tree of depth log4(partitions))
PARTS_PER_WORKER = 4  # partitions planned per worker, for balance


def missing() -> str | None:
    """``None`` when dask.distributed and msgpack import, else the one-line error."""
    try:
        import distributed  # noqa: F401
        import msgpack  # noqa: F401
    except ImportError as e:
        return f"--engine dask needs dask.distributed ({e.name} is not installed); {FIX}"
    return None


def pack(plain: dict[str, Any]) -> bytes:
    import msgpack

    return msgpack.packb(plain, use_bin_type=True)


def unpack(data: bytes) -> IngestSummary:
    import msgpack

    return IngestSummary.from_plain(msgpack.unpackb(data, raw=False))


def summarise_packed(root: str, partition: Partition, options: dict[str, Any], seed: int,
                     k: int, until: int | None) -> bytes:
    """The task a worker runs: one partition's summary, packed."""
    return pack(summarise_partition(root, partition, options, seed=seed, k=k, until=until))


def merge_packed(*parts: bytes) -> bytes:
    """The merge task: several packed summaries -> one."""
    merged = unpack(parts[0])
    for p in parts[1:]:
        merged = merged.merge(unpack(p))
    return pack(merged.to_plain())


@contextlib.contextmanager
def connect(options: AuditOptions) -> Iterator[Any]:
    """A ``distributed.Client``: to ``options.scheduler``, else to a local cluster of
    ``options.workers`` single-threaded worker processes (default one per core)."""
    from distributed import Client, LocalCluster

    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="20s")
        except OSError as e:
            raise InputError(f"--scheduler {options.scheduler}: cannot reach the Dask scheduler "
                             f"({e}); check the address and that the scheduler runs") from e
        with client:
            yield client
        return
    n = options.workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        yield client


def summarise_dask(path: str | Path, options: AuditOptions, *, until: dt.date | None = None,
                   part_bytes: int | None = None, client: Any = None) -> IngestSummary:
    """The finished ``IngestSummary`` of the corpus at ``path``, read on a Dask cluster: the
    same as ``ingest.stream.summarise`` gives. ``part_bytes``: partition size (default
    ``PART_BYTES``). ``client``: an existing ``distributed.Client`` (else one from
    :func:`connect`). Raises InputError without dask or for a missing path."""
    problem = missing()
    if problem:
        raise InputError(problem)
    root = Path(path)
    if not root.exists():
        raise InputError(f"{path}: no such file or folder; check the path and pass the folder "
                         "(or file) that holds your content.")
    if client is None:
        with connect(options) as c:
            return summarise_dask(path, options, until=until, part_bytes=part_bytes, client=c)
    n_workers = max(1, len(client.nthreads()))

    def mapper(func, jobs: Sequence) -> list:
        return client.gather(client.map(func, list(jobs), pure=False))

    files = iter_files(root)
    partitions = plan(root, files, options.ingest, part_bytes=part_bytes or PART_BYTES,
                      partitions=PARTS_PER_WORKER * n_workers, mapper=mapper)
    s = options.sampling
    args = (str(root), options_plain(options.ingest), s.random_state, s.max_pool,
            until.toordinal() if until else None)
    if not partitions:  # an empty folder: nothing to read
        return IngestSummary(s.random_state, s.max_pool, str(root), until=until)
    futures = [client.submit(summarise_packed, args[0], p, *args[1:], pure=False)
               for p in partitions]
    sizes = client.map(len, futures, pure=False) if options.progress else []
    level = futures
    while len(level) > 1:  # tree reduction on the workers
        level = [client.submit(merge_packed, *level[i:i + FAN_IN], pure=False)
                 if len(level[i:i + FAN_IN]) > 1 else level[i]
                 for i in range(0, len(level), FAN_IN)]
    packed = level[0].result()
    if sizes:
        got = client.gather(sizes)
        _say(f"Dask: {plural(len(partitions), 'partition')} of {plural(len(files), 'file')} on "
             f"{plural(n_workers, 'worker')}; summaries {sum(got) / 2**20:.1f} MB in all, "
             f"{max(got) / 2**20:.2f} MB at most per partition, "
             f"{len(packed) / 2**20:.1f} MB merged")
    del futures, level, sizes
    return unpack(packed).finish()


def _say(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)
