"""The corpus index of ``samey check``: storage and incremental update (``store``), the files
of a generation (``files``), the keys it stores (``keys``), per-document rows from the audit's
own features (``rows``), the corpus-level statistics (``corpus``), search over the
memory-mapped arrays (``search``) and what a draft shares with it (``draft``).

Data flows one way: the index reads through ``auditor.ingest`` (the audit's stream),
featurises with ``auditor.metrics.corpus.build_features``, embeds with
``auditor.features.embeddings``, and leaves every decision to ``auditor.judge``; the commands
(``auditor.app.check``) wire it.
"""
from auditor.index.store import CorpusIndex, load_or_build

__all__ = ["CorpusIndex", "load_or_build"]
