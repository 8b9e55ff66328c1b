"""The wiring of each command: audit, check (and its corpus index), report."""
