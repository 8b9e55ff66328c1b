"""Features: token-level views of each text (spaCy) and document embeddings (with a cache).

Importing this package is cheap: spaCy, torch and sentence-transformers are imported only when
first needed.
"""
from .cache import EmbeddingCache, default_cache_dir
from .embeddings import DEFAULT_MODEL, Embedder, HashingEmbedder, make_embedder
from .tokens import TokenizedDoc, tokenize

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
