"""The packaged all-MiniLM-L6-v2 end to end, small enough for the fast gate: a default audit, a
check and a scheduled report of the sample ad export (389 short rows), through the CLI.

The embeddings of the first test are cached (the test session's cache folder), so the check and
the report reuse them: the model is loaded and run once for the whole module. The longer
real-model runs (the Rust blog by year, the brightpath template fill) are marked ``slow``.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from auditor.cli import main

ADS = Path(__file__).resolve().parents[1] / "sample_corpora" / "tidewater-ads"
MODEL = re.compile(r"all-MiniLM-L6-v2@")


@pytest.fixture(scope="module")
def ads(tmp_path_factory) -> Path:
    """A copy of the ad export (the report writes its history inside the corpus by default)."""
    root = tmp_path_factory.mktemp("ads") / "tidewater-ads"
    shutil.copytree(ADS, root)
    return root


@pytest.fixture(scope="module")
def audited(ads: Path, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("audit") / "a.json"
    code = main(["audit", str(ads), "--json", str(out), "--quiet", "--fail-on", "samey"])
    data = json.loads(out.read_text(encoding="utf-8"))
    data["exit"] = code
    return data


def test_audit_with_the_real_model_finds_the_converging_ads(audited):
    assert MODEL.match(audited["config"]["model_id"])
    assert audited["verdict"]["status"] == "samey" and audited["exit"] == 1
    assert audited["corpus"]["documents"] == sum(p["n_docs"] for p in audited["periods"])
    judged = [p for p in audited["periods"] if p["status"] in ("ok", "watch", "samey")]
    assert judged and judged[-1]["status"] == "samey"
    # the topics layer was measured from real embeddings: a finite mean cosine per period
    for p in audited["periods"]:
        assert -1 <= p["metrics"]["topics.mean_cosine"]["value"] <= 1


def test_check_with_the_real_model(ads, audited, tmp_path, capsys):
    """A copy of an indexed ad is a near-duplicate (cosine ~1); a sentence on another subject
    is not near anything."""
    fresh = tmp_path / "fresh.md"
    fresh.write_text("The harbour choir rehearses sea shanties on Thursday nights; bring a "
                     "thermos, the church hall is unheated and the tenor section is short of "
                     "voices this winter.\n", encoding="utf-8")
    out = tmp_path / "c.json"
    code = main(["check", str(fresh), "--against", str(ads), "--quiet", "--json", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert MODEL.match(data["config"]["model_id"]), data["config"]
    (draft,) = data["drafts"]
    assert code in (0, 1), capsys.readouterr().err
    assert draft["nearest"] and draft["nearest"][0]["similarity"] < 0.6
    assert draft["status"] != "samey", draft["reasons"]


def test_report_with_the_real_model(ads, audited, tmp_path):
    out = tmp_path / "r"
    code = main(["report", str(ads), "--quiet", "--history", str(out / "h.sqlite"),
                 "--json", str(out / "r.json"), "--markdown", str(out / "r.md"),
                 "--html", str(out / "r.html")])
    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert code == 0
    assert MODEL.match(data["config"]["model_id"])
    assert data["report"]["month"] == audited["periods"][-1]["label"]
    assert data["verdict"]["status"] == "samey"
    assert (out / "r.md").read_text(encoding="utf-8").startswith("**samey report")
    assert "<svg" in (out / "r.html").read_text(encoding="utf-8")
