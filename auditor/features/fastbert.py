"""A pure-numpy forward pass for BERT-family sentence-transformers models (low-latency embeddings).

``samey check`` embeds one or a few drafts against a cached corpus, and importing torch plus
sentence-transformers costs several seconds. This module imports only numpy, ``tokenizers`` and
``safetensors`` and computes the same embeddings as ``SentenceTransformer(model_dir).encode(texts)``
(float32; agreement is about 1e-6 on all-MiniLM-L6-v2) for the models :func:`supports` accepts:

- ``modules.json`` lists exactly a Transformer (at the model root), a Pooling module with mean
  pooling and no other mode, and optionally a Normalize module, in that order;
- ``config.json`` has ``model_type == "bert"``, absolute position embeddings and ``hidden_act ==
  "gelu"`` (exact erf GELU);
- ``model.safetensors`` and ``tokenizer.json`` exist.

Tokenisation uses ``tokenizer.json`` with its own normaliser and [CLS]/[SEP] post-processing,
truncated to ``max_seq_length`` (``sentence_bert_config.json``) and without fixed padding; texts are
stripped (and lower-cased when ``do_lower_case`` is set) as sentence-transformers does.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["NumpyBert", "NumpyModel", "supports", "tokenizer_settings"]

_MASK_VALUE = np.float32(-1e9)  # added to attention scores at padding positions
_SQRT_HALF = np.float32(0.7071067811865476)
_GELU_CHUNK = 32768  # elements per GELU block, so its temporaries stay in cache

# Abramowitz & Stegun 7.1.26: |erf error| <= 1.5e-7 (float32 rounding is of the same order).
_AS_P = np.float32(0.3275911)
_AS_A = tuple(np.float32(a)
              for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))


def _read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _module_kind(entry: dict[str, Any]) -> str:
    """``"sentence_transformers.models.Pooling"`` -> ``"Pooling"``."""
    return str(entry.get("type", "")).rsplit(".", 1)[-1]


def _pooling_is_mean(cfg: dict[str, Any]) -> bool:
    mode = cfg.get("pooling_mode")
    if isinstance(mode, str):  # newer sentence-transformers may write the mode by name
        others = [k for k, v in cfg.items() if k.startswith("pooling_mode_") and v]
        return mode in ("mean", "mean_tokens") \
            and all(k == "pooling_mode_mean_tokens" for k in others)
    flags = {k: v for k, v in cfg.items() if k.startswith("pooling_mode_")}
    if not flags.get("pooling_mode_mean_tokens"):
        return False
    if any(v for k, v in flags.items() if k != "pooling_mode_mean_tokens"):
        return False
    return cfg.get("include_prompt") is not False  # prompt exclusion changes the pooling mask


def _parse_modules(model_dir: Path) -> tuple[bool, bool]:
    """(supported, normalize) from ``modules.json`` and the Pooling config; raises on bad files."""
    modules = sorted(_read_json(model_dir / "modules.json"), key=lambda m: int(m.get("idx", 0)))
    kinds = [_module_kind(m) for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return False, False
    if str(modules[0].get("path", "")).strip("./") != "":
        return False, False
    pooling_cfg = _read_json(model_dir / str(modules[1].get("path", "")) / "config.json")
    if not _pooling_is_mean(pooling_cfg):
        return False, False
    return True, len(kinds) == 3


def supports(model_dir: Path) -> bool:
    """Whether :class:`NumpyBert` reproduces this sentence-transformers model (see module
    docstring).

    Only configuration files are read; the weight and tokenizer files need only exist.
    """
    model_dir = Path(model_dir)
    try:
        ok, _ = _parse_modules(model_dir)
        if not ok:
            return False
        cfg = _read_json(model_dir / "config.json")
    except (OSError, ValueError, TypeError, AttributeError):
        return False
    if not isinstance(cfg, dict) or cfg.get("model_type") != "bert":
        return False
    if cfg.get("position_embedding_type", "absolute") != "absolute":
        return False
    if cfg.get("hidden_act") != "gelu":
        return False
    return (model_dir / "model.safetensors").is_file() and (model_dir / "tokenizer.json").is_file()



def tokenizer_settings(model_dir: Path) -> tuple[int, bool, int]:
    """``(max_seq_length, do_lower_case, dim)`` of a BERT sentence-transformers model, as
    sentence-transformers reads them (``sentence_bert_config.json``, else the tokenizer's
    ``model_max_length``, never above ``max_position_embeddings``)."""
    cfg = _read_json(model_dir / "config.json")
    st_cfg_path = model_dir / "sentence_bert_config.json"
    st_cfg = _read_json(st_cfg_path) if st_cfg_path.is_file() else {}
    max_pos = int(cfg.get("max_position_embeddings", 512))
    max_len = st_cfg.get("max_seq_length")
    if max_len is None:
        tok_cfg_path = model_dir / "tokenizer_config.json"
        tok_cfg = _read_json(tok_cfg_path) if tok_cfg_path.is_file() else {}
        max_len = tok_cfg.get("model_max_length", max_pos)
    lower = bool(st_cfg.get("do_lower_case", False))
    return int(min(int(max_len), max_pos)), lower, int(cfg["hidden_size"])


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU of a 2-D float32 array, in place, in cache-sized blocks; erf by
    A&S 7.1.26."""
    a1, a2, a3, a4, a5 = _AS_A
    rows = max(1, _GELU_CHUNK // max(1, x.shape[1]))
    bufs = np.empty((4, min(rows, x.shape[0]), x.shape[1]), dtype=np.float32)
    for start in range(0, x.shape[0], rows):
        xs = x[start : start + rows]
        n = xs.shape[0]
        z, e, t, p = bufs[0, :n], bufs[1, :n], bufs[2, :n], bufs[3, :n]
        np.multiply(xs, _SQRT_HALF, out=z)
        np.abs(z, out=e)
        np.multiply(e, _AS_P, out=t)
        t += 1.0
        np.reciprocal(t, out=t)
        np.multiply(e, e, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)  # exp(-z^2)
        np.multiply(t, a5, out=p)  # Horner: p = (((a5 t + a4) t + a3) t + a2) t + a1) t
        p += a4
        p *= t
        p += a3
        p *= t
        p += a2
        p *= t
        p += a1
        p *= t
        p *= e
        np.subtract(1.0, p, out=p)  # |erf(z)|
        np.copysign(p, z, out=p)
        p += 1.0
        p *= 0.5
        xs *= p
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    xc: np.ndarray = x - mean
    var = np.mean(xc * xc, axis=-1, keepdims=True)
    xc /= np.sqrt(var + np.float32(eps))
    xc *= weight
    xc += bias
    return xc


class NumpyBert:
    """A BERT sentence-transformers model (mean pooling, optional Normalize) in numpy.

    ``encode(texts)`` returns the same ``(n, dim)`` float32 embeddings as
    ``SentenceTransformer(model_dir).encode(texts)``. Raise :class:`ValueError` when
    :func:`supports` is false for ``model_dir``.
    """

    def __init__(self, model_dir: Path | str) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        if not supports(model_dir):
            raise ValueError(f"{model_dir} is not a BERT mean-pooling sentence-transformers model")
        self.model_dir = model_dir
        _, self.normalize = _parse_modules(model_dir)
        cfg = _read_json(model_dir / "config.json")
        self.max_seq_length, self.do_lower_case, self.dim = tokenizer_settings(model_dir)
        self.num_heads: int = int(cfg["num_attention_heads"])
        self.head_dim: int = self.dim // self.num_heads
        self.num_layers: int = int(cfg["num_hidden_layers"])
        self.eps: float = float(cfg.get("layer_norm_eps", 1e-12))

        tok_json = (model_dir / "tokenizer.json").read_text(encoding="utf-8")
        self.tokenizer = Tokenizer.from_str(tok_json)
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_seq_length, strategy="longest_first")
        self._counter = Tokenizer.from_str(tok_json)  # untruncated, for offsets
        self._counter.no_padding()
        self._counter.no_truncation()

        self._load_weights(load_file(str(model_dir / "model.safetensors")))

    # -- weights -----------------------------------------------------------------------------

    def _load_weights(self, raw: dict[str, np.ndarray]) -> None:
        prefix = ""
        if "embeddings.word_embeddings.weight" not in raw:
            for key in raw:
                if key.endswith("embeddings.word_embeddings.weight"):
                    prefix = key[: -len("embeddings.word_embeddings.weight")]
                    break
            else:
                raise ValueError(f"{self.model_dir / 'model.safetensors'} holds no BERT embeddings")

        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(raw[prefix + name], dtype=np.float32)

        def linear(name: str) -> tuple[np.ndarray, np.ndarray]:  # torch (out, in) -> (in, out)
            return np.ascontiguousarray(get(name + ".weight").T), get(name + ".bias")

        self.word_emb = get("embeddings.word_embeddings.weight")
        self.pos_emb = get("embeddings.position_embeddings.weight")
        self.type_emb0 = get("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        # per layer: name -> (weight, bias), linear weights as (in, out)
        self.layers: list[dict[str, tuple[np.ndarray, np.ndarray]]] = []
        for i in range(self.num_layers):
            p = f"encoder.layer.{i}."
            wq, bq = linear(p + "attention.self.query")
            wk, bk = linear(p + "attention.self.key")
            wv, bv = linear(p + "attention.self.value")
            self.layers.append(
                {
                    "qkv": (np.ascontiguousarray(np.concatenate([wq, wk, wv], axis=1)),
                            np.concatenate([bq, bk, bv])),
                    "attn_out": linear(p + "attention.output.dense"),
                    "attn_ln": (get(p + "attention.output.LayerNorm.weight"),
                                get(p + "attention.output.LayerNorm.bias")),
                    "inter": linear(p + "intermediate.dense"),
                    "out": linear(p + "output.dense"),
                    "out_ln": (get(p + "output.LayerNorm.weight"),
                               get(p + "output.LayerNorm.bias")),
                }
            )

    # -- tokenisation --------------------------------------------------------------------------

    def _prep(self, texts: list[str]) -> list[str]:
        out = [str(t).strip() for t in texts]
        return [t.lower() for t in out] if self.do_lower_case else out

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Word-piece ids of each text as the model sees them: [CLS] ... [SEP], truncated."""
        return [enc.ids for enc in self.tokenizer.encode_batch(self._prep(list(texts)))]

    def offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """Character offsets of each text's word pieces, untruncated and without [CLS]/[SEP]
        (what ``features.embeddings.chunk_texts`` cuts windows by). A text fits the model window
        when it has at most ``max_seq_length - 2`` of them."""
        encs = self._counter.encode_batch(list(texts), add_special_tokens=False)
        return [enc.offsets for enc in encs]

    # -- forward pass --------------------------------------------------------------------------

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        """Mean-pooled last hidden states (B, dim) of a batch of id sequences.

        Token-wise layers run on the packed real tokens only (no padding); attention runs on a
        zero-padded (B, L) layout with padded keys masked out.
        """
        bsz = len(seqs)
        lengths = np.array([len(q) for q in seqs], dtype=np.int64)
        length = int(lengths.max())
        ids = np.fromiter((i for q in seqs for i in q), dtype=np.int64, count=int(lengths.sum()))
        positions = np.concatenate([np.arange(n, dtype=np.int64) for n in lengths])
        rows = np.repeat(np.arange(bsz, dtype=np.int64), lengths)
        slots = rows * length + positions  # packed token -> (row, position) in the padded layout
        key_ok = np.arange(length)[None, :] < lengths[:, None]  # (B, L)
        bias = np.where(key_ok, np.float32(0.0), _MASK_VALUE).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(self.head_dim))
        nh, hd, d = self.num_heads, self.head_dim, self.dim

        h = self.word_emb[ids]
        h += self.pos_emb[positions]
        h += self.type_emb0
        h = _layer_norm(h, *self.emb_ln, self.eps)
        padded = np.zeros((bsz * length, 3 * d), dtype=np.float32)
        for layer in self.layers:
            w, b = layer["qkv"]
            qkv = h @ w
            qkv += b
            padded[slots] = qkv
            # (3, B, nh, L, hd)
            heads = padded.reshape(bsz, length, 3, nh, hd).transpose(2, 0, 3, 1, 4)
            q, k, v = heads[0], heads[1], heads[2]
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            scores += bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(bsz * length, d)[slots]
            w, b = layer["attn_out"]
            a = ctx @ w
            a += b
            a += h
            h = _layer_norm(a, *layer["attn_ln"], self.eps)
            w, b = layer["inter"]
            m = h @ w
            m += b
            m = gelu(m)
            w, b = layer["out"]
            o = m @ w
            o += b
            o += h
            h = _layer_norm(o, *layer["out_ln"], self.eps)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        return np.add.reduceat(h, starts, axis=0) / lengths[:, None].astype(np.float32)

    def encode(self, texts: list[str], *, batch_size: int = 16) -> np.ndarray:
        """Sentence embeddings, shape ``(len(texts), dim)``, float32, in the order given."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        all_ids = self.token_ids(texts)
        # Sorted by length so each batch pads little; a text with no tokens at all (only possible
        # for a tokenizer without [CLS]/[SEP]) keeps a zero vector.
        order = sorted((i for i in range(len(texts)) if all_ids[i]), key=lambda i: len(all_ids[i]))
        batch_size = max(1, int(batch_size))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            emb = self._forward([all_ids[i] for i in idx])
            if self.normalize:
                norms = np.linalg.norm(emb, axis=1, keepdims=True)
                emb = emb / np.maximum(norms, np.float32(1e-12))
            out[idx] = emb
        return out


class NumpyModel:
    """:class:`NumpyBert` behind the part of the SentenceTransformer interface that
    :class:`~auditor.features.embeddings.Embedder` uses (its ``numpy`` backend, as
    ``onnx_backend.OnnxModel`` is the ONNX one): ``tokenizer`` (word-piece offsets, for
    ``chunk_texts``), ``max_seq_length``, ``encode`` and ``get_sentence_embedding_dimension``."""

    def __init__(self, model_dir: Path | str) -> None:
        self.bert = NumpyBert(model_dir)
        self.max_seq_length = self.bert.max_seq_length

    def tokenizer(self, texts: list[str], **_: Any) -> dict[str, Any]:
        return {"offset_mapping": self.bert.offsets(list(texts))}

    def get_sentence_embedding_dimension(self) -> int:
        return self.bert.dim

    def encode(self, texts: list[str], *, batch_size: int = 16,
               normalize_embeddings: bool = False, **_: Any) -> np.ndarray:
        """Embeddings of ``texts`` (``(n, dim)`` float32), L2-normalised when asked."""
        out = self.bert.encode(list(texts), batch_size=batch_size)
        if normalize_embeddings:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out = np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
        return out

