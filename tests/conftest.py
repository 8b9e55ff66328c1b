"""Shared fixtures: a small synthetic corpus (written at test time) and paths to real corpora.

Tests write only to temporary folders: the embedding and token cache (``SAMEY_CACHE_DIR``) is a
folder of the test session, never the user's ``~/.cache/samey``. A developer may point
``SAMEY_TEST_CACHE_DIR`` at a folder of their choice to keep it warm between runs.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
RUST = SHARED / "rust-blog.jsonl"
ONEUPTIME = SHARED / "oneuptime-blog.jsonl"
YELP = SHARED / "detectrl-yelp.jsonl"


def shared(path: Path) -> Path:
    """A real corpus of ``../shared/corpora``. CI has them, so a missing one fails the test
    (it is never skipped: a gate that skips its real-data tests says nothing)."""
    if not path.is_file():
        pytest.fail(f"{path} not found: the shared corpora must sit beside the repository "
                    "(../shared/corpora), as they do in CI", pytrace=False)
    return path

_WORDS = (
    "trail river summit forest canyon meadow ridge lake valley harbor market coffee bread garden "
    "lantern compass kettle blanket journal bicycle kayak tent stove boots map weather storm "
    "sunrise winter spring autumn summer neighbour volunteer workshop repair recipe story letter "
    "festival library museum orchard village bridge tunnel island coast desert glacier prairie "
    "quietly boldly slowly gently carefully suddenly finally rarely often always sometimes "
    "build carry climb cook paddle wander notice remember gather share listen travel measure "
    "bright narrow ancient heavy hollow curious patient stubborn generous quiet wild rough").split()


@pytest.fixture(autouse=True, scope="session")
def _session_cache(tmp_path_factory):
    """Every test's cache folder is the session's (or ``SAMEY_TEST_CACHE_DIR``)."""
    folder = os.environ.get("SAMEY_TEST_CACHE_DIR") or str(tmp_path_factory.mktemp("samey-cache"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAMEY_CACHE_DIR", folder)
        yield folder


def write_corpus(root: Path, months: int = 4, per_month: int = 22, seed: int = 0) -> Path:
    """A corpus of varied synthetic posts: Markdown with dated front matter."""
    rng = random.Random(seed)
    for m in range(months):
        for i in range(per_month):
            sents = []
            for _ in range(rng.randint(8, 14)):
                n = rng.randint(6, 16)
                sents.append(" ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + ".")
            body = " ".join(sents)
            p = root / f"blog/2025-{m + 1:02d}-{i:02d}-post.md"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(f"---\ntitle: Post {m}-{i}\ndate: 2025-{m + 1:02d}-{i + 1:02d}\n"
                         f"category: {'gear' if i % 2 else 'trails'}\n---\n\n{body}\n")
    return root


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = write_corpus(tmp_path / "corpus")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (root / "empty.md").write_text("")
    (root / "undated.md").write_text("# About\n\n" + " ".join(_WORDS[:40]) + "\n")
    (root / "short.md").write_text("---\ndate: 2025-02-02\n---\nShop closed today.\n")
    return root
