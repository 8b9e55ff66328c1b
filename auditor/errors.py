"""One exception tree. Only the CLI turns these into ``Error: ...`` and an exit code.

Every message names the file or option at fault and says how to fix it.
"""
from __future__ import annotations


class SameyError(Exception):
    """Base class of every error samey raises on purpose."""

    exit_code = 3


class UsageError(SameyError):
    """Bad options or configuration (exit code 2)."""

    exit_code = 2


class InputError(SameyError):
    """The input cannot be audited: no such path, no documents, unreadable corpus (exit code 3)."""

    exit_code = 3


class ModelError(InputError):
    """The embedding model is missing or cannot be loaded offline (exit code 3)."""


class HistoryError(InputError):
    """The history store cannot be opened or migrated (exit code 3)."""
