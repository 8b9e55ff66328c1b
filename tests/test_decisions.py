"""Every decision lives in ``judge/``: a test that reads the code.

A *threshold comparison* orders (``<``, ``<=``, ``>``, ``>=``) a value against

* a number literal other than 0, 1 and 2 ("fewer than two" is where a pair, a repeat or a
  statistic begins, not a choice; the scan cannot tell a count from a ratio compared with 2,
  so a ratio's cut-off is written as a named constant in ``judge/``), or
* a module-level numeric constant (``NAME = 0.8``, also read as ``module.NAME``) defined
  outside ``judge/`` and ``config.py``, or
* arithmetic holding a float literal other than 0 and 1 (``p < q / 2.0``: "under half" is a
  choice), except numerical tolerances under ``TOLERANCE`` (``x >= y - 1e-12``).

Outside ``judge/`` and ``config.py`` (the documented defaults) none may appear, except on a
line below a comment that says why it is not a decision about the content:
``# not a threshold: <why>`` (a layout width, a display rounding, a byte-format rule, a sample
size that sets the cost). Equality with a float literal counts
too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import auditor

ROOT = Path(auditor.__file__).parent
MARK = "# not a threshold:"
ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
TOLERANCE = 1e-6  # smaller float literals in arithmetic are rounding tolerances, not cut-offs


def _numeric_constants() -> dict[str, str]:
    """Module-level ``NAME = <number>`` assignments: name -> defining module (relative path)."""
    out: dict[str, str] = {}
    for p in ROOT.rglob("*.py"):
        for node in ast.parse(p.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
            value = getattr(node, "value", None)
            if isinstance(value, ast.UnaryOp):
                value = value.operand
            if isinstance(value, ast.Constant) and type(value.value) in (int, float):
                for t in targets:
                    if isinstance(t, ast.Name) and t.id.isupper():
                        out.setdefault(t.id, p.relative_to(ROOT).as_posix())
    return out


def _decides(rel: str) -> bool:
    return rel.startswith("judge/") or rel == "config.py"



def threshold_comparisons(rel: str, source: str, constants: dict[str, str]) -> list[str]:
    """The threshold comparisons of one module (``path:line: code``), marked lines left out."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        for k, op in enumerate(node.ops):
            pair = (sides[k], sides[k + 1])
            for me in pair:
                v = me.operand if isinstance(me, ast.UnaryOp) else me
                hit = False
                if isinstance(v, ast.Constant) and type(v.value) in (int, float):
                    if isinstance(op, ORDER):
                        hit = v.value not in (0, 1, 2)
                    elif isinstance(op, (ast.Eq, ast.NotEq)):
                        hit = type(v.value) is float and v.value not in (0.0, 1.0)
                elif isinstance(v, (ast.Name, ast.Attribute)) and isinstance(op, ORDER):
                    name = v.id if isinstance(v, ast.Name) else v.attr
                    hit = name in constants and not _decides(constants[name])
                elif isinstance(v, ast.BinOp) and isinstance(op, ORDER):
                    hit = any(isinstance(c, ast.Constant) and type(c.value) is float
                              and c.value not in (0.0, 1.0) and abs(c.value) >= TOLERANCE
                              for c in ast.walk(v))
                near = lines[max(node.lineno - 2, 0):node.lineno]
                if hit and not any(MARK in line for line in near):
                    found.append(f"{rel}:{node.lineno}: {ast.get_source_segment(source, node)}")
    return sorted(set(found))


def test_every_threshold_comparison_is_in_judge():
    constants = _numeric_constants()
    found = []
    for p in sorted(ROOT.rglob("*.py")):
        rel = p.relative_to(ROOT).as_posix()
        if not _decides(rel):
            found += threshold_comparisons(rel, p.read_text(), constants)
    assert not found, "decisions outside judge/ (move them, or mark a non-decision):\n" + \
        "\n".join(found)


def test_the_scan_sees_a_threshold_and_a_marked_line():
    src = ("CUT = 0.8\n"
           "def f(x, xs):\n"
           "    a = x > 0.3\n"
           "    b = x >= CUT\n"
           "    c = len(xs) < 2\n"
           "    # not a threshold: a layout width\n"
           "    d = x < 5\n"
           "    e = 0 < x <= 1\n"
           "    g = x == 0.5\n")
    found = threshold_comparisons("metrics/x.py", src, {"CUT": "metrics/x.py"})
    assert [f.split(": ", 1)[1] for f in found] == ["x > 0.3", "x >= CUT", "x == 0.5"]
    assert threshold_comparisons("metrics/x.py", src, {"CUT": "judge/thresholds.py"})[1:] == [
        "metrics/x.py:9: x == 0.5"]
    assert threshold_comparisons("metrics/x.py", "def f(a):\n    return a.ratio >= 2.5\n", {})
    assert threshold_comparisons("app/x.py", "def f(s):\n    return s >= dup.CUT\n",
                                 {"CUT": "metrics/dup.py"})
    assert threshold_comparisons("app/x.py", "def f(p, q):\n    return p < q / 3.0\n", {})
