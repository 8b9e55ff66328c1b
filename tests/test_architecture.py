"""The layout is the architecture: imports flow one way and never in a circle.

Stages, left to right: ingest -> features -> metrics -> judge -> render, with ``history`` beside,
``index`` (the check's corpus index: reads, featurises and embeds through the stages below it,
decides nothing) above judge, ``app`` (the wiring of each command) and ``cli`` on top. A module
may import its own stage, the stages allowed below, and the shared bottom (types, results, errors,
config, progress, files, _version).
Imports inside functions count too: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import auditor

ROOT = Path(auditor.__file__).parent
BOTTOM = {"types", "results", "errors", "config", "progress", "files", "_version"}
ALLOWED = {
    "bottom": set(),
    "ingest": set(),
    "features": {"ingest"},
    "metrics": {"features"},
    "judge": {"metrics"},
    "history": set(),
    "render": {"metrics", "judge"},
    "index": {"ingest", "features", "metrics", "judge"},
    "app": {"ingest", "features", "metrics", "judge", "history", "index"},
    "cli": {"app", "render", "ingest", "features", "metrics", "judge", "history", "package"},
    "package": {"app", "features"},  # the API re-exports the TextEmbedder protocol
    "main": {"cli"},
}


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    if parts[1] in BOTTOM:
        return "bottom"
    if parts[1] == "__main__":
        return "main"
    return parts[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    me = _module(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("auditor"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.startswith("auditor"):
                # ``from auditor.x import y`` may import the submodule ``auditor.x.y``; only
                # names that are not submodules make the package itself a dependency
                subs = {f"{name}.{a.name}" for a in node.names
                        if (ROOT.parent / f"{name}.{a.name}".replace(".", "/")).exists()
                        or (ROOT.parent / (f"{name}.{a.name}".replace(".", "/") + ".py")
                            ).exists()}
                out.update(subs)
                if len(subs) < len(node.names):
                    out.add(name)
    return out


MODULES = {_module(p): p for p in sorted(ROOT.rglob("*.py"))}
GRAPH = {m: {i for i in _imports(p) if i in MODULES and i != m} for m, p in MODULES.items()}


def test_every_import_flows_one_way():
    wrong = []
    for mod, deps in GRAPH.items():
        stage = _stage(mod)
        for dep in deps:
            other = _stage(dep)
            if other in (stage, "bottom") or other in ALLOWED[stage]:
                continue
            wrong.append(f"{mod} ({stage}) imports {dep} ({other})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    # parent packages are imported implicitly: ``auditor.app.audit`` runs ``auditor.app``
    seen: dict[str, int] = {}
    cycles = []

    def visit(m: str, stack: list[str]) -> None:
        seen[m] = 1
        for d in sorted(GRAPH[m]):
            if seen.get(d) == 1:
                cycles.append(" -> ".join(stack[stack.index(d):] + [d]))
            elif d not in seen:
                visit(d, stack + [d])
        seen[m] = 2

    for m in sorted(GRAPH):
        if m not in seen:
            visit(m, [m])
    assert not cycles, "\n".join(cycles)


def test_the_public_functions_stay_callable_whatever_is_imported():
    import importlib

    for mod in MODULES:
        if mod != "auditor.__main__":  # runs the CLI
            importlib.import_module(mod)
    assert callable(auditor.audit) and callable(auditor.check) and callable(auditor.report)
    assert auditor.report.__module__ == "auditor" and auditor.audit.__module__ == "auditor"


def test_no_private_names_cross_modules():
    crossing = []
    for mod, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("auditor"):
                crossing += [f"{mod}: from {node.module} import {a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")
                             and node.module != "auditor._version"]
    assert not crossing, "\n".join(crossing)


def test_app_modules_stay_small():
    """The wiring stays readable: no module under ``auditor/app/`` over 400 lines (issue 18);
    computation that grows belongs in a stage below."""
    long = {m: n for m, p in MODULES.items() if m.startswith("auditor.app.")
            and (n := len(p.read_text().splitlines())) > 400}
    assert not long, long
