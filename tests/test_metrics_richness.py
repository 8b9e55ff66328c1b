"""Tests for auditor.metrics.richness: agreement with lexicalrichness, edge cases."""
from __future__ import annotations

import json
import math
from pathlib import Path

import lexicalrichness as lr  # noqa: E402  (a test extra: missing fails)
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.metrics import richness as R

from .conftest import shared

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "rust-blog.jsonl"


def real_posts(limit: int = 12) -> list[list[str]]:
    """Token lists of a few real posts, read at test time (the text is never stored here)."""
    out = []
    with shared(CORPUS).open(encoding="utf-8") as f:
        for line in f:
            tokens = lr.lexicalrichness.tokenize(json.loads(line)["text"])
            if len(tokens) >= 150:
                out.append(tokens)
            if len(out) == limit:
                break
    return out


def reference(tokens: list[str]):
    return lr.LexicalRichness(list(tokens), preprocessor=None, tokenizer=None)


def test_agrees_with_lexicalrichness_on_real_posts():
    posts = real_posts()
    assert len(posts) >= 5
    for tokens in posts:
        ref = reference(tokens)
        assert R.mtld(tokens) == pytest.approx(ref.mtld(threshold=0.72), abs=1e-6)
        assert R.mattr(tokens) == pytest.approx(ref.mattr(window_size=100), abs=1e-6)
        assert R.mattr(tokens, window=37) == pytest.approx(ref.mattr(window_size=37), abs=1e-6)
        assert R.mtld(tokens, threshold=0.66) == pytest.approx(ref.mtld(threshold=0.66), abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(
    tokens=st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=80),
    window=st.integers(1, 40),
)
def test_agrees_with_lexicalrichness_on_random_tokens(tokens, window):
    ref = reference(tokens)
    assert R.mtld(tokens) == pytest.approx(ref.mtld(), abs=1e-9)
    if window <= len(tokens):
        assert R.mattr(tokens, window=window) == pytest.approx(ref.mattr(window), abs=1e-9)


def test_closed_forms():
    distinct = [f"w{i}" for i in range(120)]
    assert R.mtld(distinct) == 120.0  # TTR never falls: the text's length
    assert R.mattr(distinct) == 1.0
    assert R.mattr(["a"] * 150) == pytest.approx(1 / 100)
    # a b a b: TTR hits 2/3 <= 0.72 at the third token (one factor), the last token starts a
    # segment with TTR 1 (partial factor 0): 4 tokens / 1 factor, both directions
    assert R.mtld(["a", "b", "a", "b"]) == 4.0


def test_short_and_empty_documents():
    assert math.isnan(R.mtld([]))
    assert math.isnan(R.mattr([]))
    assert math.isnan(R.mattr(["a"], window=0))
    # shorter than the window: plain TTR (lexicalrichness raises instead)
    assert R.mattr(["a", "b", "a"], window=100) == pytest.approx(2 / 3)
