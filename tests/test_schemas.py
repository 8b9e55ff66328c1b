"""Every JSON document samey writes (audit, check, report, curate) validates against its
checked-in JSON Schema, the schemas are the ones the typed results define, and they are strict: a
missing key or a wrong type fails. The HTML report escapes corpus text (Jinja2 autoescape)."""
from __future__ import annotations

import copy
import json

import jsonschema  # noqa: E402  (a test extra: missing fails)
import pytest

import auditor
from auditor.features.embeddings import HashingEmbedder
from auditor.render import schema as schemas
from auditor.render.html import render_html
from auditor.render.jsonout import dumps
from tests.conftest import write_corpus

SCRIPT = "<script>alert('samey')</script>"


def _validate(kind: str, doc: dict) -> None:
    jsonschema.validate(doc, schemas.load(kind),
                        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Real outputs of the three commands (hashing embedder), as written (JSON round trip)."""
    tmp = tmp_path_factory.mktemp("schemas")
    root = write_corpus(tmp / "corpus", months=4, per_month=22)
    hostile = root / "blog" / "2025-04-99-hostile.md"
    hostile.write_text(f"---\ntitle: \"{SCRIPT}\"\ndate: 2025-04-28\n---\n\n"
                       + (root / "blog" / "2025-04-00-post.md").read_text().split("---\n", 2)[2]
                       + f"\n\n{SCRIPT}\n", encoding="utf-8")
    opts = auditor.options(progress=False, repeats=3, min_docs=8, period="month",
                           cache_dir=str(tmp / "cache"))
    emb = HashingEmbedder(dim=32)
    audit = auditor.audit(root, opts, embedder=emb)
    check = auditor.check([("-", "A brand new draft about kayaks and coffee by the coast. " * 5),
                           hostile], root, opts, embedder=emb)
    report = auditor.report(root, opts, period_end="2025-04", history=tmp / "h.sqlite",
                            embedder=emb)
    curate = auditor.curate(root, opts, keep="50%", embedder=emb, random_subsets=3)
    return {k: (r, json.loads(dumps(r.to_dict())))
            for k, r in (("audit", audit), ("check", check), ("report", report),
                         ("curate", curate))}


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_checked_in_schema_is_the_one_the_results_define(kind):
    assert schemas.load(kind) == schemas.schema(kind), \
        "run `python -m auditor.render.schema` and commit auditor/render/schemas/"


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_real_output_validates(outputs, kind):
    _validate(kind, outputs[kind][1])


def test_outcomes_are_pinned(outputs):
    audit, check, report, _ = (outputs[k][0] for k in schemas.KINDS)
    assert [p.status for p in audit.periods] == ["baseline", "baseline", "ok", "ok"]
    assert audit.status == "ok" and report.month_status == "ok"
    assert [d.status for d in check.drafts] == ["ok", "samey"]  # the hostile post is a copy


@pytest.mark.parametrize("kind,path,value", [
    ("audit", ["verdict", "status"], None),                   # missing required key
    ("audit", ["periods", 0, "n_docs"], "twenty"),            # wrong type
    ("audit", ["corpus", "surprise"], 1),                      # unknown key
    ("check", ["drafts", 0, "novelty"], None),
    ("check", ["thresholds", "reference", "documents"], 1.5),
    ("report", ["report", "month"], None),
    ("report", ["report", "alerts"], "none"),
    ("curate", ["counts", "kept"], None),
    ("curate", ["measures", 0, "kept"], "low"),
])
def test_schema_rejects_a_broken_document(outputs, kind, path, value):
    doc = copy.deepcopy(outputs[kind][1])
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        _validate(kind, doc)


def test_html_escapes_script_in_corpus_text(outputs):
    report = outputs["report"][0]
    page = render_html(report)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page  # shown as text, in the evidence
