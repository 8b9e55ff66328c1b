"""History of scheduled reports: a versioned SQLite store of monthly figures (see ``store``)."""
from __future__ import annotations

from auditor.history.store import SCHEMA_VERSION, HistoryStore, settings_key

__all__ = ["SCHEMA_VERSION", "HistoryStore", "settings_key"]
