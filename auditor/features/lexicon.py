"""spaCy's English stop-word list, and importing spaCy cheaply.

spaCy's ``thinc`` probes for torch at import time, which costs about 3 s here although samey's
blank pipeline never uses it. ``import_spacy()`` imports spaCy with torch hidden for that one
import (torch stays importable afterwards, e.g. for sentence-transformers).
"""
from __future__ import annotations

import sys
from functools import lru_cache


def import_spacy() -> None:
    """Import spaCy without letting thinc import torch (no-op if either is loaded already)."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail here
    try:
        import spacy  # noqa: F401
    finally:
        del sys.modules["torch"]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English STOP_WORDS with curly apostrophes normalised to ``'``."""
    import_spacy()
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(w.replace("\u2019", "'") for w in STOP_WORDS)


@lru_cache(maxsize=1)
def phrase_stop_words() -> frozenset[str]:
    """Stop words for phrase evidence: spaCy's English list plus the clitics ("'s", "n't")."""
    return stop_words() | {"'s", "n't", "'re", "'ve", "'ll", "'d", "'m"}
