"""ONNX Runtime embedding backends: ``--backend onnx`` (float32) and ``--backend onnx-int8``
(int8 dynamic quantization), for faster embedding of large corpora on a CPU.

Nothing is downloaded. On first use the local sentence-transformers model (the packaged
all-MiniLM-L6-v2 by default) is exported to ONNX on this machine: the transformer, mean pooling
over the attention mask and L2 normalisation in one graph (``torch.onnx.export``, TorchScript
exporter, opset ``OPSET``); ``onnx-int8`` then quantizes the weights of its matrix products with
``onnxruntime.quantization.quantize_dynamic`` (``QUANTIZE`` says how). Both files are cached under
``<cache_dir>/onnx/<key>/``, where ``key`` hashes the model id, this recipe and the versions of
torch, transformers, onnx and onnxruntime: an upgrade of any of them exports again.

Vectors are the same as the torch backend's in everything but arithmetic:
``Embedder(backend="onnx-int8")`` (:mod:`auditor.features.embeddings`) runs an :class:`OnnxModel`
in place of the SentenceTransformer, so chunking, word-piece-weighted averaging, the on-disk
cache, progress and Ctrl-C behave the same. Its ``model_id`` names the backend and the export key
(``all-MiniLM-L6-v2@...#onnx-int8@<key>``, :func:`backend_model_id`), so the embedding cache, the
check index and the report history never mix int8 and float32 vectors. This module imports
nothing of samey's embedders (the torch model to export is passed in).

Supported models: the BERT mean-pooling sentence-transformers models that
:func:`auditor.features.fastbert.supports` accepts (the default is one); others raise
:class:`~auditor.errors.ModelError` naming ``--backend torch``. Tokenisation uses the model's
``tokenizer.json`` as ``fastbert`` does (stripped, lower-cased when the model says so, truncated
at ``max_seq_length``).

Device: ONNX Runtime's ``CUDAExecutionProvider`` when it is available (the ``onnxruntime-gpu``
build and a CUDA device) and ``$SAMEY_DEVICE`` does not say ``cpu``; otherwise the CPU. Int8
dynamic quantization is a CPU technique: on a GPU use ``--backend torch`` or ``onnx``.

ONNX Runtime and ``onnx`` are the optional extra ``samey[onnx]``; without them the backend raises
a one-line :class:`~auditor.errors.ModelError` with the fix.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import uuid
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from auditor.config import BACKENDS, DEFAULT_MODEL
from auditor.errors import ModelError, UsageError

__all__ = ["OnnxModel", "backend_model_id", "export_key", "missing_extra", "onnx_file",
           "open_model", "providers", "require"]

OPSET = 17
QUANTIZE = "quantize_dynamic(weight_type=QInt8,op_types=MatMul,per_channel=True)"
RECIPE = f"onnx-v1:opset{OPSET}:bert+masked-mean+l2:{QUANTIZE}"
_VERSIONED = ("torch", "transformers", "onnx", "onnxruntime")
FIX = "pip install 'samey[onnx]'"


def missing_extra(backend: str) -> str | None:
    """The one-line problem and fix when ``backend`` cannot run here, else None (no import)."""
    missing = [m for m in ("onnxruntime", "onnx") if importlib.util.find_spec(m) is None]
    if not missing:
        return None
    return (f"--backend {backend} needs {' and '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed. Fix: {FIX} "
            "(or use --backend torch).")


def providers(available: list[str] | None = None) -> list[str]:
    """ONNX Runtime execution providers, best first: CUDA when available (and ``$SAMEY_DEVICE``
    does not start with ``cpu``), then the CPU."""
    if os.environ.get("SAMEY_DEVICE", "").strip().lower().startswith("cpu"):
        return ["CPUExecutionProvider"]
    if available is None:
        import onnxruntime

        available = list(onnxruntime.get_available_providers())
    if "CUDAExecutionProvider" in available:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


def export_key(model_id: str) -> str:
    """A short hash of the model id, the export recipe and the exporting libraries' versions."""
    versions = ",".join(f"{d}={_version(d)}" for d in _VERSIONED)
    return hashlib.sha256(f"{model_id}\0{RECIPE}\0{versions}".encode()).hexdigest()[:12]


def _export(model_name: str, target: Path, *, int8: bool, load_torch: Callable[[str], Any]
            ) -> None:
    """Write ``model-fp32.onnx`` (and ``model-int8.onnx`` when ``int8``) into ``target``; each
    file is written under a temporary name and renamed, so a reader never sees half a file."""
    import torch

    target.mkdir(parents=True, exist_ok=True)
    fp32 = target / "model-fp32.onnx"
    tmp = target / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}.onnx"
    try:
        if not fp32.is_file():
            bert = load_torch(model_name)[0].auto_model.eval().to("cpu")
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notes
                torch.onnx.export(
                    _Pooled(bert), (torch.ones(2, 8, dtype=torch.long),) * 2, str(tmp),
                    input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                    dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                  "attention_mask": {0: "batch", 1: "tokens"},
                                  "embedding": {0: "batch"}},
                    opset_version=OPSET, do_constant_folding=True, dynamo=False)
            os.replace(tmp, fp32)
        int8_path = target / "model-int8.onnx"
        if int8 and not int8_path.is_file():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            root = logging.getLogger()
            level = root.level
            root.setLevel(logging.ERROR)  # quiet its "consider pre-processing" advice
            try:
                quantize_dynamic(fp32, tmp, weight_type=QuantType.QInt8,
                                 op_types_to_quantize=["MatMul"], per_channel=True)
            finally:
                root.setLevel(level)
            os.replace(tmp, int8_path)
    finally:
        tmp.unlink(missing_ok=True)


class _Pooled:  # a torch.nn.Module, built lazily so that importing this module needs no torch
    def __new__(cls, bert: Any) -> Any:
        import torch

        class Pooled(torch.nn.Module):
            """BERT, mean over the attention mask, L2 normalisation (sentence-transformers'
            Transformer + Pooling(mean) + Normalize)."""

            def __init__(self, bert: Any) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids: Any, attention_mask: Any) -> Any:
                hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                                   token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(mean, p=2.0, dim=1)

        return Pooled(bert)


class OnnxModel:
    """An exported model in an ONNX Runtime session, with the parts of the SentenceTransformer
    interface that :class:`~auditor.features.embeddings.Embedder` uses: ``tokenizer`` (called
    for offsets by ``chunk_texts``), ``max_seq_length``, ``encode`` and
    ``get_sentence_embedding_dimension``."""

    def __init__(self, onnx_path: Path, model_dir: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        from auditor.features.fastbert import tokenizer_settings

        self.max_seq_length, self.do_lower_case, self._dim = tokenizer_settings(model_dir)
        text = (model_dir / "tokenizer.json").read_text(encoding="utf-8")
        self._tok = Tokenizer.from_str(text)
        self._tok.no_padding()
        self._tok.enable_truncation(max_length=self.max_seq_length, strategy="longest_first")
        self._counter = Tokenizer.from_str(text)  # untruncated, for chunking offsets
        self._counter.no_padding()
        self._counter.no_truncation()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(onnx_path), options,
                                                    providers=providers())

    def tokenizer(self, texts: list[str], **_: Any) -> dict[str, Any]:
        encs = self._counter.encode_batch(list(texts), add_special_tokens=False)
        return {"offset_mapping": [e.offsets for e in encs]}

    def get_sentence_embedding_dimension(self) -> int:
        return self._dim

    def encode(self, texts: list[str], *, batch_size: int = 32, **_: Any) -> np.ndarray:
        """Unit embeddings, shape ``(len(texts), dim)``, float32, in the order given."""
        prepped = [str(t).strip() for t in texts]
        if self.do_lower_case:
            prepped = [t.lower() for t in prepped]
        out = np.zeros((len(prepped), self._dim), dtype=np.float32)
        encs = self._tok.encode_batch(prepped)
        for start in range(0, len(encs), max(1, batch_size)):
            part = encs[start : start + batch_size]
            width = max(len(e.ids) for e in part)
            ids = np.zeros((len(part), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, e in enumerate(part):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            out[start : start + len(part)] = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask})[0]
        return out


def backend_model_id(model_dir: Path, model_name: str, model_id: str, backend: str
                     ) -> tuple[str, str]:
    """``(model_id of the vectors, export key)`` for ``backend``: the torch ``model_id`` plus
    ``#<backend>@<export key>``. Raises ModelError for a model the export does not support."""
    from auditor.features.fastbert import supports

    if not supports(model_dir):
        raise ModelError(
            f"--backend {backend} supports BERT mean-pooling sentence-transformers models (such "
            f"as the default {DEFAULT_MODEL}), not '{model_name}'. Fix: use --backend torch for "
            "this model.")
    key = export_key(model_id)
    return f"{model_id}#{backend}@{key}", key


def require(backend: str) -> None:
    """Raise UsageError for an unknown backend, ModelError when ``samey[onnx]`` is missing."""
    if backend not in BACKENDS:
        raise UsageError(f"--backend must be {', '.join(BACKENDS[:-1])} or {BACKENDS[-1]}, not "
                         f"'{backend}'.")
    problem = missing_extra(backend) if backend != "torch" else None
    if problem:
        raise ModelError(problem)


def onnx_file(directory: Path, backend: str) -> Path:
    """The ``.onnx`` file of ``backend`` in an export folder."""
    return directory / ("model-int8.onnx" if backend == "onnx-int8" else "model-fp32.onnx")


def open_model(model_dir: Path, model_name: str, backend: str, directory: Path, *,
               load_torch: Callable[[str], Any], progress: bool = False) -> OnnxModel:
    """The :class:`OnnxModel` of ``backend``, exported into ``directory`` first if it is not
    there (``load_torch(model_name)`` gives the SentenceTransformer to export)."""
    path = onnx_file(directory, backend)
    if not path.is_file():
        if progress:
            print(f"Exporting {model_name} to ONNX ({backend}; once: cached in {directory})",
                  file=sys.stderr, flush=True)
        try:
            _export(model_name, directory, int8=backend == "onnx-int8", load_torch=load_torch)
        except ImportError as e:
            raise ModelError(f"--backend {backend} cannot export the model ({e}). Fix: {FIX} "
                             "(or use --backend torch).") from None
    return OnnxModel(path, model_dir)
