"""Registers the `samey check` command on the CLI app (imported at the end of cli.py)."""
