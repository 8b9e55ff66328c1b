"""Features: token-level views of each text (spaCy) and document embeddings (with a cache).

Importing this package is cheap: spaCy, torch and sentence-transformers are imported only when
first needed.
"""
from auditor.features.cache import EmbeddingCache, default_cache_dir
from auditor.features.embeddings import (
    DEFAULT_MODEL,
    Embedder,
    HashingEmbedder,
    make_embedder,
)
from auditor.features.tokens import TokenizedDoc, tokenize

__all__ = [
    "DEFAULT_MODEL",
    "Embedder",
    "EmbeddingCache",
    "HashingEmbedder",
    "TokenizedDoc",
    "default_cache_dir",
    "make_embedder",
    "tokenize",
]
