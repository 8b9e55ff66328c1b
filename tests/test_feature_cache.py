"""Token features are cached beside the embeddings: a warm run tokenises nothing and gives the
same features as a cold one."""
import numpy as np

from auditor.features.cache import EmbeddingCache
from auditor.features.embeddings import HashingEmbedder
from auditor.metrics import corpus as measure
from auditor.types import Document


class CachedHashing(HashingEmbedder):
    def __init__(self, cache_dir):
        super().__init__()
        self.cache = EmbeddingCache(cache_dir)


def test_second_build_tokenises_nothing_and_matches(tmp_path, monkeypatch):
    docs = [Document(f"d{i}", f"d{i}", f"Post {i}. We write about trails and rivers, "
                     f"and kettles number {i}. Another sentence follows here with more words.")
            for i in range(6)]
    calls = []
    real = measure.tokenize

    def counting(texts, **kw):
        calls.append(len(texts))
        return real(texts, **kw)

    monkeypatch.setattr(measure, "tokenize", counting)
    emb = CachedHashing(tmp_path)
    cold = measure.build_features(docs, emb, text_budget=50)
    warm = measure.build_features(docs, CachedHashing(tmp_path), text_budget=50)
    assert calls == [6, 0]
    assert cold.words == warm.words and cold.shapes == warm.shapes
    assert cold.openings == warm.openings and cold.sentence_lengths == warm.sentence_lengths
    assert np.allclose(cold.mtld, warm.mtld, equal_nan=True)
    # a different budget is a different key
    measure.build_features(docs, CachedHashing(tmp_path), text_budget=20)
    assert calls == [6, 0, 6]
