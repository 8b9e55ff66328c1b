"""Registers the `samey report` command on the CLI app (imported at the end of cli.py)."""
