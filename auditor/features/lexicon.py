"""spaCy's English stop-word list, and importing spaCy cheaply.

spaCy's ``thinc`` probes for torch at import time, which costs about 3 s here although samey's
blank pipeline never uses it; and ``spacy/__init__`` imports its command line (``spacy.cli``:
requests, urllib3, weasel, pydantic models of its commands) for one name, ``info``, which
costs about a second more (measured with ``python -X importtime``). ``import_spacy()`` imports
spaCy with torch hidden and ``spacy.cli`` stubbed for that one import; both are removed from
``sys.modules`` afterwards, so torch and the real ``spacy.cli`` stay importable (e.g. for
sentence-transformers, or ``spacy.cli.info``). ``samey check`` pays this import on every run.
"""
from __future__ import annotations

import sys
import types
from functools import lru_cache
from typing import Any


def import_spacy() -> None:
    """Import spaCy without letting thinc import torch (no-op if either is loaded already)."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        return
    cli = types.ModuleType("spacy.cli")
    cli.__path__ = []  # a package, so that `from .cli.info import info` finds the stub below
    info = types.ModuleType("spacy.cli.info")
    info.info = _no_info  # type: ignore[attr-defined]
    hidden = {"torch": None, "spacy.cli": cli, "spacy.cli.info": info}
    sys.modules.update(hidden)  # type: ignore[arg-type]  # None makes `import torch` fail here
    try:
        import spacy
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
    if getattr(spacy, "info", None) is _no_info:
        spacy.info = _real_info  # type: ignore[attr-defined]  # spacy imports info, unexported


def _no_info(*_: object, **__: object) -> None:
    """Stands in for ``spacy.cli.info.info`` while spaCy is imported."""
    return None


def _real_info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``: imports the real ``spacy.cli.info`` when first called."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


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
