"""The ONNX Runtime backends (``--backend onnx`` / ``onnx-int8``): selection, cache isolation,
the missing-extra message, device detection, and (slow) the exported model's quality.

The slow tests export and quantize the packaged model once per session into a temporary cache
(about 15 s alone, over a minute on a busy machine).
"""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

import auditor
from auditor.cli import main
from auditor.errors import ModelError, UsageError
from auditor.features import embeddings as emb
from auditor.features import onnx_backend
from auditor.features.onnx_backend import providers

from .conftest import ONEUPTIME, RUST
from .test_features_embeddings import FakeModel

needs_ort = pytest.mark.skipif(onnx_backend.missing_extra("onnx-int8") is not None,
                               reason="samey[onnx] (onnxruntime, onnx) is not installed")
GATE = 0.98  # Spearman of pairwise cosines, int8 vs float32 (README "Faster embedding")


# ---------------------------------------------------------------- selection and options


def test_backend_option_config_and_api(tmp_path):
    assert auditor.options().backend == "torch"
    assert auditor.options(backend="onnx-int8").backend == "onnx-int8"
    with pytest.raises(UsageError, match="--backend must be torch, numpy, onnx or onnx-int8"):
        auditor.options(backend="tensorrt")
    cfg = tmp_path / "samey.toml"
    cfg.write_text('backend = "onnx"\n')
    from auditor.config import build_options, read_config

    assert build_options(read_config(cfg)).backend == "onnx"


def test_make_embedder_selects_backend(tmp_path):
    assert type(emb.make_embedder(cache_dir=tmp_path)) is emb.Embedder
    assert isinstance(emb.make_embedder("hashing", backend="onnx-int8"), emb.HashingEmbedder)
    if onnx_backend.missing_extra("onnx") is None:
        e = emb.make_embedder(cache_dir=tmp_path, backend="onnx-int8")
        assert type(e) is emb.Embedder and e.backend == "onnx-int8"


@pytest.mark.parametrize("command", ["audit", "check", "report"])
def test_cli_backend_reaches_the_embedder(command, small_corpus, tmp_path, monkeypatch):
    seen = []

    def spy(model, *, cache_dir=None, progress=False, backend="torch"):
        seen.append(backend)
        raise ModelError(f"spy saw backend={backend}")

    import auditor.app.prepare  # imported first: it binds make_embedder at import time

    monkeypatch.setattr(auditor.app.prepare, "make_embedder", spy)
    monkeypatch.setattr(emb, "make_embedder", spy)
    monkeypatch.chdir(tmp_path)
    draft = tmp_path / "draft.md"
    draft.write_text("A draft about trails and rivers and coffee in the quiet village. " * 4)
    args = {"audit": ["audit", str(small_corpus)],
            "check": ["check", str(draft), "--against", str(small_corpus)],
            "report": ["report", str(small_corpus), "--history", str(tmp_path / "h.sqlite")]}
    code = main([*args[command], "--backend", "onnx-int8", "--quiet",
                 "--cache-dir", str(tmp_path / "cache")])
    assert code == 3 and seen and set(seen) == {"onnx-int8"}


def test_cli_rejects_unknown_backend(small_corpus, capsys):
    assert main(["audit", str(small_corpus), "--backend", "gpu", "--quiet"]) == 2
    assert "--backend must be torch, numpy, onnx or onnx-int8, not 'gpu'" in capsys.readouterr().err


# ---------------------------------------------------------------- missing extra


def test_missing_extra_is_one_line_with_the_fix(monkeypatch, small_corpus, capsys, tmp_path):
    monkeypatch.setitem(__import__("sys").modules, "onnxruntime", None)
    with pytest.raises(ModelError) as info:
        emb.make_embedder(cache_dir=tmp_path, backend="onnx-int8")
    msg = str(info.value)
    assert "\n" not in msg and "pip install 'samey[onnx]'" in msg and "onnxruntime" in msg
    code = main(["audit", str(small_corpus), "--backend", "onnx-int8", "--quiet",
                 "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 3
    assert err.strip().splitlines() == [f"Error: {msg}"] and "Traceback" not in err


# ---------------------------------------------------------------- cache isolation


@needs_ort
def test_backends_never_share_cached_vectors(tmp_path):
    torch_e = emb.Embedder(cache_dir=tmp_path)
    ids = {torch_e.model_id}
    for backend in ("onnx", "onnx-int8"):
        ids.add(emb.Embedder(backend=backend, cache_dir=tmp_path).model_id)
    assert len(ids) == 3
    assert all(i.startswith("all-MiniLM-L6-v2@") for i in ids)

    # A vector cached by one backend is never served to another: same text, same cache file.
    text = "one two three four five six seven"
    first = emb.Embedder("fake", cache_dir=tmp_path, _model=FakeModel())
    first.embed([text])
    int8 = emb.Embedder(backend="onnx-int8", cache_dir=tmp_path)
    int8._model = FakeModel()
    int8._model_id = "fake#onnx-int8@k"
    int8.embed([text])
    assert int8._model.encoded == [text]  # computed, not read from the torch entry
    again = emb.Embedder(backend="onnx-int8", cache_dir=tmp_path)
    again._model, again._model_id = FakeModel(), "fake#onnx-int8@k"
    again.embed([text])
    assert again._model.encoded == []  # its own entry is reused


def test_onnx_backend_refuses_non_bert_models(tmp_path):
    if onnx_backend.missing_extra("onnx") is not None:
        pytest.skip("samey[onnx] is not installed")
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    (model_dir / "config.json").write_text(json.dumps({"model_type": "t5"}))
    (model_dir / "modules.json").write_text("[]")
    with pytest.raises(ModelError, match="use --backend torch"):
        _ = emb.Embedder(str(model_dir), backend="onnx-int8", cache_dir=tmp_path).model_id


# ---------------------------------------------------------------- device detection


def test_torch_device_prefers_cuda_when_available(monkeypatch):
    import torch

    monkeypatch.delenv("SAMEY_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert emb.torch_device() == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert emb.torch_device() == "cpu"
    monkeypatch.setenv("SAMEY_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert emb.torch_device() == "cpu"


def test_onnx_providers_prefer_cuda_when_available(monkeypatch):
    monkeypatch.delenv("SAMEY_DEVICE", raising=False)
    both = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert providers(both) == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert providers(["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    monkeypatch.setenv("SAMEY_DEVICE", "cpu")
    assert providers(both) == ["CPUExecutionProvider"]
    if onnx_backend.missing_extra("onnx") is None:
        import onnxruntime

        monkeypatch.delenv("SAMEY_DEVICE")
        monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: both)
        assert providers()[0] == "CUDAExecutionProvider"


# ---------------------------------------------------------------- the exported model (slow)


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory):
    """One export (float32 and int8) per session, in a temporary cache."""
    if onnx_backend.missing_extra("onnx-int8") is not None:
        pytest.skip("samey[onnx] is not installed")
    cache = tmp_path_factory.mktemp("onnx-cache")
    e = emb.Embedder(backend="onnx-int8", cache_dir=cache)
    _ = e.model  # export + quantize
    return cache


def _posts(n: int) -> list[str]:
    rows = [json.loads(line) for line in ONEUPTIME.read_text(encoding="utf-8").splitlines()]
    rows += [json.loads(line) for line in RUST.read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in random.Random(0).sample(rows, n)]


@pytest.mark.slow
def test_exported_vectors_are_unit_and_match_torch(onnx_cache, tmp_path):
    texts = _posts(6) + ["", "A short line."]
    fp32 = emb.Embedder(backend="onnx", cache_dir=onnx_cache).embed(texts)
    int8 = emb.Embedder(backend="onnx-int8", cache_dir=onnx_cache).embed(texts)
    ref = emb.Embedder(cache_dir=tmp_path).embed(texts)
    for x in (fp32, int8):
        norms = np.linalg.norm(x, axis=1)
        assert norms[6] == 0 and np.allclose(np.delete(norms, 6), 1, atol=1e-5)
    assert np.abs(fp32 - ref).max() < 1e-4  # same chunking, same model, float32
    assert (int8 * ref).sum(axis=1)[[0, 1, 2, 3, 4, 5, 7]].min() > 0.95


@pytest.mark.slow
def test_int8_keeps_the_pairwise_order_of_real_posts(onnx_cache, tmp_path):
    from scipy.stats import spearmanr

    texts = _posts(100)
    ref = emb.Embedder(cache_dir=tmp_path).embed(texts)
    int8 = emb.Embedder(backend="onnx-int8", cache_dir=onnx_cache).embed(texts)
    iu = np.triu_indices(len(texts), 1)
    rho = spearmanr((ref @ ref.T)[iu], (int8 @ int8.T)[iu]).statistic
    assert rho >= GATE
