"""Pure metric functions, one module per layer (see docs/ARCHITECTURE.md)."""
