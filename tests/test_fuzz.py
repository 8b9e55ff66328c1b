"""The fast slice of ``bench/fuzz.py`` (issue 19): the same generated inputs and properties,
few examples, derandomized (the same examples every run). The bench runs over 1,000; its
figures are in the README.

Properties: every reader reads every generated file without raising, accounting for each row
of a well-formed one; ``samey`` exits with a documented code (never 4), one ``Error:`` line and
no traceback, and writes nothing but the outputs it was given.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import fuzz  # noqa: E402


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    return fuzz.Sandbox(tmp_path_factory.mktemp("fuzz"))


def test_fuzz_readers(tmp_path):
    fuzz.readers_test(40, None, tmp_path)()


def test_fuzz_config_file(box, monkeypatch):
    monkeypatch.chdir(box.base)  # a file written to the working folder would be caught
    fuzz.config_test(6, None, box)()


def test_fuzz_command_line(box, monkeypatch):
    monkeypatch.chdir(box.base)
    fuzz.cli_test(10, None, box)()
