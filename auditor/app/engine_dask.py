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

Site-wide near-duplicate families (``app.site_duplicates``), when asked for: each partition task
also feeds its rows to a ``SiteIndex`` (MinHash signatures, LSH band keys) and keeps the result
on its worker (``SiteIndex.part``: references 12 bytes, id and 16 band keys 72 bytes, the
signature 512 bytes and the shingle sketch up to 1 KB a document; Dask spills it to the worker's
disk under memory pressure). Then a
band-bucket shuffle, as NeMo Curator's fuzzy deduplication does: every partition splits its
(band key, document) pairs by key into ``B`` buckets (:func:`site_split`), one task per bucket
gathers that bucket's pairs from every partition and returns the groups of documents sharing a
band's key (:func:`site_groups`: candidates). Only the candidates' signatures and sketches
travel to the driver (:func:`site_take`; the driver holds them while verifying: 0.5-1.5 KB a
candidate, a small share of the corpus unless much of it is near-copies), which verifies the
pairs (borderline ones again on their sketches, as locally) and
joins them into families
(``metrics.families.verified_families``, the local code), with the references of every
document (12 bytes each). Whole files, counted on the driver, are one more part.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import operator
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from auditor.app.site_duplicates import SiteIndex, recheck_with
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
from auditor.judge.thresholds import FAMILY_RECHECK_FROM
from auditor.metrics.duplication import NUM_PERM
from auditor.metrics.families import SITE_BANDS, key_groups, verified_families
from auditor.progress import plural

FIX = "pip install 'samey[dask]'"
FAN_IN = 4            # summaries merged per merge task (a tree of depth log4(partitions))
SITE_BUCKETS = 32     # most band-key buckets of the site shuffle (tasks: partitions x buckets)
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

    packed: bytes = msgpack.packb(plain, use_bin_type=True)
    return packed


def unpack(data: bytes) -> IngestSummary:
    import msgpack

    return IngestSummary.from_plain(msgpack.unpackb(data, raw=False))


def summarise_packed(root: str, partition: Partition, options: dict[str, Any], seed: int,
                     k: int, until: int | None, site: bool = False
                     ) -> bytes | tuple[bytes, dict[str, Any]]:
    """The task a worker runs: one partition's summary, packed; with ``site``, also the
    partition's ``SiteIndex`` part (kept on the worker)."""
    if not site:
        return pack(summarise_partition(root, partition, options, seed=seed, k=k, until=until))
    with SiteIndex() as index:
        plain = summarise_partition(root, partition, options, seed=seed, k=k, until=until,
                                    sinks=[index])
        return pack(plain), index.part()


def site_refs(part: dict[str, Any]) -> bytes:
    """The references of a part (12 bytes a document and the paths), packed."""
    return pack(part["refs"])


def site_split(part: dict[str, Any], q: int, buckets: int) -> list[bytes]:
    """Partition ``q``'s (band and key, global id) pairs split by ``key % buckets``. The band
    travels with its key (``band << 32 | key``), so documents meet only on the same band, as in
    ``BandIndex.buckets``; a global id is ``q << 32 | local id``."""
    ids = np.frombuffer(part["ids"], dtype=np.int64)
    keys = np.frombuffer(part["keys"], dtype=np.uint32).reshape(len(ids), SITE_BANDS)
    gid = np.repeat((np.int64(q) << 32) | ids, SITE_BANDS)
    flat = keys.ravel()
    which = flat % np.uint32(buckets)
    banded = (np.tile(np.arange(SITE_BANDS, dtype=np.uint64), len(ids)) << np.uint64(32)) \
        | flat.astype(np.uint64)
    return [pack({"keys": banded[m].tobytes(), "ids": gid[m].tobytes()})
            for m in (which == b for b in range(buckets))]


def site_groups(*splits: bytes) -> bytes:
    """One bucket's pairs from every partition -> the groups of two or more documents that
    share a band key (sorted global ids), packed as sizes and members."""
    import msgpack

    parts = [msgpack.unpackb(b, raw=False) for b in splits]
    keys = np.concatenate([np.frombuffer(p["keys"], np.uint64) for p in parts])
    ids = np.concatenate([np.frombuffer(p["ids"], np.int64) for p in parts])
    groups = list(key_groups(keys, ids))
    return pack({"sizes": np.array([len(g) for g in groups], dtype=np.int64).tobytes(),
                 "members": np.concatenate(groups).tobytes() if groups else b""})


def site_take(part: dict[str, Any], local_ids: bytes) -> bytes:
    """Signatures and shingle sketches of these local ids (int64 bytes), packed: ``sig``
    (uint32 rows in that order), ``sketch`` (the sketches concatenated) and ``sizes``."""
    ids = np.frombuffer(local_ids, dtype=np.int64)
    sig = np.frombuffer(part["sig"], dtype=np.uint32).reshape(-1, NUM_PERM)
    values = np.frombuffer(part["sketch"], dtype=np.uint32)
    ends = np.frombuffer(part["sketch_ends"], dtype=np.int64)
    starts = np.r_[0, ends[:-1]]
    return pack({"sig": sig[ids].tobytes(),
                 "sketch": b"".join(values[starts[i]:ends[i]].tobytes() for i in ids),
                 "sizes": (ends[ids] - starts[ids]).tobytes()})


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
        except (OSError, ValueError) as e:
            raise InputError(f"--scheduler {options.scheduler}: cannot reach the Dask scheduler "
                             f"({e}); give its address as tcp://HOST:PORT and check that the "
                             "scheduler runs") from e
        with client:
            yield client
        return
    n = options.workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        yield client


def summarise_dask(path: str | Path, options: AuditOptions, *, until: dt.date | None = None,
                   part_bytes: int | None = None, client: Any = None,
                   site: SiteIndex | None = None) -> IngestSummary:
    """The finished ``IngestSummary`` of the corpus at ``path``, read on a Dask cluster: the
    same as ``ingest.stream.summarise`` gives. ``part_bytes``: partition size (default
    ``PART_BYTES``). ``client``: an existing ``distributed.Client`` (else one from
    :func:`connect`). ``site``: an empty ``SiteIndex`` that receives every document's
    references and the site-wide families (module docstring). Raises InputError without dask or
    for a missing path."""
    problem = missing()
    if problem:
        raise InputError(problem)
    root = Path(path)
    if not root.exists():
        raise InputError(f"{path}: no such file or folder; check the path and pass the folder "
                         "(or file) that holds your content.")
    if client is None:
        with connect(options) as c:
            return summarise_dask(path, options, until=until, part_bytes=part_bytes, client=c,
                                  site=site)
    n_workers = max(1, len(client.nthreads()))

    def mapper(func: Callable[..., Any], jobs: Sequence[Any]) -> list[Any]:
        done: list[Any] = client.gather(client.map(func, list(jobs), pure=False))
        return done

    files = iter_files(root, options.ingest.exclude)
    partitions = plan(root, files, options.ingest, part_bytes=part_bytes or PART_BYTES,
                      partitions=PARTS_PER_WORKER * n_workers, mapper=mapper)
    s = options.sampling
    args = (str(root), options_plain(options.ingest), s.random_state, s.max_pool,
            until.toordinal() if until else None)
    if not partitions:  # an empty folder: nothing to read
        return IngestSummary(s.random_state, s.max_pool, str(root), until=until)
    futures = [client.submit(summarise_packed, args[0], p, *args[1:], site is not None,
                             pure=False) for p in partitions]
    parts: list[Any] = []  # futures of the partitions' SiteIndex parts, kept on the workers
    if site is not None:
        parts = [client.submit(operator.getitem, f, 1, pure=False) for f in futures]
        futures = [client.submit(operator.getitem, f, 0, pure=False) for f in futures]
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
    summary = unpack(packed)
    if site is None:
        return summary.finish()
    with SiteIndex() as whole:  # whole files are counted on the driver, when finishing
        summary.sinks = [whole]
        summary.finish()
        summary.sinks = []
        parts.append(client.scatter([whole.part()])[0])
    site_families(client, parts, site)
    return summary


def site_families(client: Any, parts: Sequence[Any], site: SiteIndex) -> None:
    """The band-bucket shuffle over the partitions' ``SiteIndex`` parts (futures, in order):
    ``site`` receives every document's references (partition after partition) and the
    verified families in its numbering (``site.found``)."""
    import msgpack

    nb = max(1, min(SITE_BUCKETS, len(parts)))
    splits = [client.submit(site_split, f, q, nb, pure=False) for q, f in enumerate(parts)]
    groups = [client.submit(site_groups, *[client.submit(operator.getitem, s, b, pure=False)
                                           for s in splits], pure=False) for b in range(nb)]
    refs = client.gather([client.submit(site_refs, f, pure=False) for f in parts])
    offsets = np.array([site.add_refs(msgpack.unpackb(r, raw=False)) for r in refs],
                       dtype=np.int64)
    buckets: list[np.ndarray] = []
    for packed in client.gather(groups):
        g = msgpack.unpackb(packed, raw=False)
        sizes = np.frombuffer(g["sizes"], dtype=np.int64)
        buckets.extend(np.split(np.frombuffer(g["members"], dtype=np.int64),
                                np.cumsum(sizes)[:-1]) if len(sizes) else [])
    cand = np.unique(np.concatenate(buckets)) if buckets else np.zeros(0, np.int64)
    owner, local = cand >> 32, cand & 0xFFFFFFFF
    sig = np.empty((len(cand), NUM_PERM), dtype=np.uint32)
    sketches: list[np.ndarray] = [np.zeros(0, np.uint32)] * len(cand)
    takes = {int(q): client.submit(site_take, parts[int(q)], local[owner == q].tobytes(),
                                   pure=False) for q in np.unique(owner)}
    for q, packed in zip(takes, client.gather(list(takes.values()))):
        got = msgpack.unpackb(packed, raw=False)
        where = np.flatnonzero(owner == q)
        sig[where] = np.frombuffer(got["sig"], dtype=np.uint32).reshape(-1, NUM_PERM)
        sizes = np.frombuffer(got["sizes"], dtype=np.int64)
        values = np.frombuffer(got["sketch"], dtype=np.uint32)
        for i, sk in zip(where, np.split(values, np.cumsum(sizes)[:-1])):
            sketches[int(i)] = sk
    fams = verified_families(
        buckets, lambda ids: sig[np.searchsorted(cand, ids)],
        recheck=recheck_with(lambda ids: [sketches[int(i)] for i in np.searchsorted(cand, ids)]),
        recheck_from=FAMILY_RECHECK_FROM)
    found = [sorted((offsets[np.asarray(f) >> 32] + (np.asarray(f) & 0xFFFFFFFF)).tolist())
             for f in fams]
    site.found = sorted(found, key=lambda f: (-len(f), f[0]))


def _say(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)
