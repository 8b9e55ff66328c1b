"""JSON Schemas (draft 2020-12) of the documents samey writes (audit, check, report, curate),
derived from the typed results in :mod:`auditor.results` and checked in under ``schemas/``
(``python -m auditor.render.schema`` rewrites them; a test fails when they drift).

Numbers may be ``null`` (NaN and infinities are written as null); a dataclass is an object with
exactly its fields (every field required but those in ``OMIT_NONE``); ``dict[str, Any]`` parts
(config, segments, history records, findings) are open objects.
"""
from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Union

from auditor import results
from auditor.types import SCHEMA_VERSION, Estimate, Skipped

DIR = Path(__file__).with_name("schemas")
KINDS = ("audit", "check", "report", "curate")


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if tp is Any:
        return {}
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _schema(args[0], defs) if len(args) == 1 else {"anyOf": [_schema(a, defs)
                                                                          for a in args]}
        return {"anyOf": [inner, {"type": "null"}]}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": ["number", "null"]}
    if tp is str:
        return {"type": "string"}
    if origin is list or origin is tuple:
        (item, *_) = typing.get_args(tp) or (Any,)
        return {"type": "array", "items": _schema(item, defs)}
    if origin is dict:
        _, value = typing.get_args(tp)
        return {"type": "object", "additionalProperties": _schema(value, defs)}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # recursion guard
            hints = typing.get_type_hints(tp)
            omit = getattr(tp, "OMIT_NONE", ())
            fields = [f.name for f in dataclasses.fields(tp)]
            defs[name] = {
                "type": "object",
                "properties": {f: _schema(hints[f], defs) for f in fields},
                "required": [f for f in fields if f not in omit],
                "additionalProperties": False}
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _audit_properties(defs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    t = typing.get_type_hints(results.AuditResult)
    props = {
        "schema_version": {"const": SCHEMA_VERSION},
        "summary": {"type": "string"},
        "verdict": _schema(results.Verdict, defs),
        "corpus": _schema(results.CorpusSummary, defs),
        "periods": _schema(t["periods"], defs),
        "layers": _schema(t["layers"], defs),
        "evidence": {"type": "object", "additionalProperties": {"anyOf": [
            _schema(results.Evidence, defs),
            {"type": "object", "maxProperties": 0}]}},
        "provenance": _schema(t["provenance"], defs),
        "actions": _schema(t["actions"], defs),
        "segments": {"type": "object"},
        "site_duplicates": _schema(t["site_duplicates"], defs),
        "reference": {"anyOf": [_schema(results.ReferenceInfo, defs),
                                {"type": "object", "maxProperties": 0}]},
        "skipped": {"type": "array", "items": _schema(Skipped, defs)},
        "config": {"type": "object"},
    }
    return props, list(props)


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of the ``kind`` document (``audit``, ``check`` or ``report``)."""
    defs: dict[str, Any] = {}
    _schema(Estimate, defs)
    if kind == "audit":
        props, required = _audit_properties(defs)
    elif kind == "report":
        props, required = _audit_properties(defs)
        t = typing.get_type_hints(results.ReportResult)
        report = {
            "month": {"type": "string"}, "period_label": {"type": "string"},
            "month_status": {"type": "string"}, "status": {"type": "string"},
            "history_path": {"type": "string"}, "settings_key": {"type": "string"},
            "settings": {"type": "object"},
            "alerts": _schema(t["alerts"], defs), "limits": _schema(t["limits"], defs),
            "backfilled": _schema(t["backfilled"], defs),
            "reference": _schema(results.ReportReference, defs),
            "history": {"type": "array", "items": {"type": "object",
                                                   "required": ["month", "label", "status"]}},
        }
        props["report"] = {"type": "object", "properties": report, "required": list(report),
                           "additionalProperties": False}
        required = [*required, "report"]
    elif kind == "check":
        t = typing.get_type_hints(results.CheckResult)
        props = {
            "schema_version": {"const": results.CHECK_SCHEMA_VERSION},
            "kind": {"const": "check"},
            "status": {"enum": ["ok", "watch", "samey"]},
            "corpus": _schema(results.CheckCorpus, defs),
            "thresholds": _schema(results.CheckThresholds, defs),
            "warnings": _schema(t["warnings"], defs),
            "drafts": _schema(t["drafts"], defs),
            "config": {"type": "object"},
        }
        required = list(props)
    elif kind == "curate":
        t = typing.get_type_hints(results.CurateResult)
        props = {"schema_version": {"const": results.CURATE_SCHEMA_VERSION},
                 "kind": {"const": "curate"}}
        for name in ("corpus", "counts", "measures", "word_budget", "random_subsets",
                     "sources", "target", "method", "manifest", "out", "notes", "skipped"):
            props[name] = _schema(t[name], defs)
        props["config"] = {"type": "object"}
        required = list(props)
    else:
        raise ValueError(f"unknown document kind {kind!r}; one of {', '.join(KINDS)}")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://samey.invalid/schemas/{kind}.schema.json",
            "title": f"samey {kind} result", "type": "object", "properties": props,
            "required": required, "additionalProperties": False,
            "$defs": dict(sorted(defs.items()))}


def dumps(kind: str) -> str:
    return json.dumps(schema(kind), indent=2) + "\n"


def load(kind: str) -> dict[str, Any]:
    """The checked-in schema of ``kind``."""
    loaded: dict[str, Any] = json.loads((DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return loaded


if __name__ == "__main__":  # pragma: no cover
    for k in KINDS:
        (DIR / f"{k}.schema.json").write_text(dumps(k), encoding="utf-8")
    sys.exit(0)
