"""``samey check --engine dask``: the corpus index's document pass on dask.distributed workers.

Each worker reads its partition with the local engine's code (``ingest.stream.summarise_files``,
every document passed to a collecting sink, undated ones too, as ``index.store.build`` does) and
featurises its documents in batches (``index.rows.featurise``: the audit's tokens, MinHash
signatures, openings, closings, n-gram and shape ids, and the embeddings of the index's
embedder, the distilled first stage in a two-stage index). It returns the rows, the documents
(text included: the driver writes ``docs.sqlite``) and its partition's ingest summary as plain
data (msgpack). The driver appends the partitions in reading order (``app.curate_dask``:
partitions that, read one after the other, give a local read's order) through
``IndexSink.write``, translating each partition's shape ids to the index's vocabulary in order
of first appearance (the ids a sequential pass gives), merges the summaries and finishes them
there: whole files (Markdown, HTML) are resolved against each other and featurised on the
driver, as locally, after the rows. The index is then the local build's, array for array.

A dask build featurises every document: rows of the previous generation are not reused (a
local update reuses them). Everything after the document pass (the reference pass, the
alignment of a two-stage index, the corpus-level arrays) runs as locally.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from auditor.app.curate_dask import Recipe, in_order, load, on_driver, partitions, recipe
from auditor.app.engine_dask import connect, missing
from auditor.config import AuditOptions, IngestOptions
from auditor.errors import InputError
from auditor.features.embeddings import TextEmbedder
from auditor.index.files import FIXED, RAGGED
from auditor.index.keys import content_hash
from auditor.index.rows import MAX_SHAPE_ID, Rows, featurise
from auditor.index.store import BATCH, IndexSink
from auditor.ingest.partition import Partition, full_path, options_plain
from auditor.ingest.stream import IngestSummary, doc_from_plain, doc_plain, summarise_files
from auditor.types import Document


class _Collect:
    """A sink that keeps the documents it is given, in order."""

    def __init__(self) -> None:
        self.docs: list[Document] = []

    def add(self, index: int, doc: Document) -> None:
        self.docs.append(doc)

    def merge(self, other: Any) -> Any:
        raise NotImplementedError("one partition, one collector")


def rows_plain(rows: Rows) -> dict[str, Any]:
    """Featurised rows as plain data (bytes and shapes)."""
    out: dict[str, Any] = {}
    for name, (dtype, _) in FIXED.items():
        a = np.ascontiguousarray(rows[name], dtype=dtype)
        out[name] = [a.tobytes(), list(a.shape)]
    for name, dtype in RAGGED.items():
        parts = [np.asarray(x, dtype=dtype) for x in rows[name]]
        out[name] = [np.concatenate(parts).tobytes() if parts else b"",
                     np.array([len(x) for x in parts], dtype=np.int64).tobytes()]
    return out


def rows_from_plain(data: dict[str, Any], shape_ids: np.ndarray) -> Rows:
    """The inverse of :func:`rows_plain`, shape ids translated by ``shape_ids``."""
    rows: Rows = {}
    for name, (dtype, _) in FIXED.items():
        raw, shape = data[name]
        rows[name] = np.frombuffer(raw, dtype=dtype).reshape(shape)
    for name, dtype in RAGGED.items():
        raw, lengths = data[name]
        values = np.frombuffer(raw, dtype=dtype)
        if name == "shapes" and len(values):
            values = shape_ids[values]
        sizes = np.frombuffer(lengths, dtype=np.int64)
        rows[name] = np.split(values, np.cumsum(sizes)[:-1]) if len(sizes) else []
    return rows


def index_partition(partition: Partition, root: str, options: dict[str, Any], budget: int,
                    spec: Recipe | TextEmbedder) -> bytes:
    """The task a worker runs: one partition read and featurised (module docstring)."""
    from auditor.app.engine_dask import pack
    from auditor.features.lexicon import import_spacy, phrase_stop_words

    import_spacy()
    sink = _Collect()
    files = [(full_path(root, rel), rel, part) for rel, part in partition]
    summary = summarise_files(Path(root), files, IngestOptions(**options), seed=0, k=1,
                              sinks=[sink], undated_to_sinks=True)
    summary.sinks = []
    embedder, stop = load(spec), phrase_stop_words()
    vocab: dict[str, int] = {}
    batches = []
    for a in range(0, len(sink.docs), BATCH):
        docs = sink.docs[a:a + BATCH]
        rows = featurise(docs, embedder, budget=budget, stop=stop, vocab=vocab)
        batches.append({"rows": rows_plain(rows), "outlines": rows["_outlines"],
                        "docs": [doc_plain(d) for d in docs],
                        "contents": [content_hash(d) for d in docs]})
    return pack({"summary": summary.to_plain(), "batches": batches, "vocab": list(vocab)})


def read_index_dask(root: Path, options: AuditOptions, sink: IndexSink,
                    full: TextEmbedder | None = None, *, client: Any = None) -> IngestSummary:
    """The document pass of ``index.store.build`` on a Dask cluster (module docstring): every
    document written through ``sink``; returns the finished ingest summary. ``full``: the
    model the sink's embedder was derived from (the workers' recipe). Raises InputError
    without dask or when the workers cannot read the corpus."""
    problem = missing()
    if problem:
        raise InputError(problem)
    if client is None:
        with connect(options) as c:
            return read_index_dask(root, options, sink, full, client=c)
    root = Path(root).absolute()  # workers resolve a relative path from their own folder
    jobs = partitions(root, options.ingest, client)
    spec: Any = recipe(sink.embedder, options, full)
    if not isinstance(spec, tuple):
        spec = client.scatter(spec, broadcast=True)
    summaries: list[IngestSummary] = []
    for job, part in in_order(client, index_partition, jobs, str(root),
                              options_plain(options.ingest), options.sampling.text_budget,
                              spec, local=lambda job: on_driver(root, job),
                              progress=options.progress,
                              description="Reading and featurising (dask)"):
        if part is None:  # a large file that could not be split: streamed here, as locally
            files = [(full_path(root, rel), rel, span) for rel, span in job]
            summaries.append(summarise_files(root, files, options.ingest, seed=0, k=1,
                                             sinks=[sink], undated_to_sinks=True))
            summaries[-1].sinks = []
            sink.flush()
            continue
        vocab = [sink.vocab.setdefault(s, len(sink.vocab)) for s in part["vocab"]]
        if len(sink.vocab) > MAX_SHAPE_ID:
            raise ValueError(f"more than {MAX_SHAPE_ID:,} distinct shape tokens")
        ids = np.array(vocab or [0], dtype=np.uint16)
        for b in part["batches"]:
            sink.write(rows_from_plain(b["rows"], ids), [doc_from_plain(d) for d in b["docs"]],
                       b["contents"], b["outlines"])
        summaries.append(IngestSummary.from_plain(part["summary"]))
    if not summaries:  # nothing to read
        return IngestSummary(0, 1, str(root))
    while len(summaries) > 1:  # pairwise, so that no part is copied more than log2(n) times
        summaries = [summaries[i].merge(summaries[i + 1]) if i + 1 < len(summaries)
                     else summaries[i] for i in range(0, len(summaries), 2)]
    merged = summaries[0]
    merged.sinks, merged.undated_to_sinks = [sink], True
    merged.finish()  # whole files: resolved and featurised here, after the rows
    merged.sinks = []
    return merged
