"""Renderers: read results, compute nothing."""
