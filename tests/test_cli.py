"""CLI: exit codes, JSON document, skipped list, error messages, config file."""
from __future__ import annotations

import json

import auditor
from auditor.cli import main

FAST = ["--model", "hashing", "--repeats", "4", "--quiet"]


def run_json(args, tmp_path) -> tuple[int, dict]:
    out = tmp_path / "out.json"
    code = main([*args, "--json", str(out)])
    return code, json.loads(out.read_text()) if out.exists() else {}


def test_audit_json_document(small_corpus, tmp_path):
    code, data = run_json(["audit", str(small_corpus), "--period", "month", *FAST], tmp_path)
    assert code == 0
    assert data["schema_version"] == "1.0"
    # four months of the same varied synthetic posts: nothing moved
    assert data["verdict"]["status"] == "ok" and data["verdict"]["reasons"]
    assert [p["label"] for p in data["periods"]] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    p = data["periods"][-1]
    assert p["n_docs"] == 22 and p["status"] == "ok"
    for name in ("topics.mean_cosine", "wording.compression_ratio", "wording.self_repetition"):
        m = p["metrics"][name]
        assert m["low"] <= m["value"] <= m["high"]
    assert data["config"]["period"] == "month" and data["config"]["model_id"] == "hashing-256"
    skipped = {s["path"]: s["reason"] for s in data["skipped"]}
    assert skipped == {"logo.png": "unsupported", "empty.md": "empty", "undated.md": "undated",
                       "short.md": "too short"}
    assert all(s["detail"] for s in data["skipped"])
    # the API returns exactly what the JSON holds
    res = auditor.audit(small_corpus, period="month", model="hashing", repeats=4, progress=False)
    assert res.status == data["verdict"]["status"]
    assert [p["status"] for p in res.to_dict()["periods"]] == [p["status"] for p in data["periods"]]


def test_unchanged_synthetic_corpus_is_ok(small_corpus, tmp_path):
    code, data = run_json(["audit", str(small_corpus), "--period", "month", *FAST], tmp_path)
    assert data["verdict"]["status"] == "ok"


def test_fail_on_gives_exit_1(tmp_path, small_corpus):
    # make the last month a pile of one template: it must reach samey and exit 1
    for i in range(22):
        p = small_corpus / f"blog/2025-04-{i:02d}-post.md"
        p.write_text(f"---\ntitle: T{i}\ndate: 2025-04-{i + 1:02d}\n---\n\nIn today's fast-paced "
                     f"world, unlock the power of seamless tools. Here are five ways to elevate "
                     f"your team {i}. In conclusion, leverage robust workflows to unlock growth "
                     f"and elevate every project with seamless, robust results today.\n")
    code, data = run_json(["audit", str(small_corpus), "--period", "month", "--fail-on", "samey",
                           *FAST], tmp_path)
    assert data["periods"][-1]["status"] == "samey"
    assert code == 1
    assert main(["audit", str(small_corpus), "--period", "month", "--fail-on", "never",
                 *FAST]) == 0


def test_usage_errors_exit_2(small_corpus, capsys):
    assert main(["audit", str(small_corpus), "--period", "weekly"]) == 2
    assert main(["audit", str(small_corpus), "--baseline", "2019"]) == 2
    err = capsys.readouterr().err
    assert "START..END" in err and "Traceback" not in err
    assert main(["audit", str(small_corpus), "--min-docs", "1"]) == 2


def test_input_errors_exit_3(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nope"), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "nope" in err and "Traceback" not in err
    (tmp_path / "empty").mkdir()
    assert main(["audit", str(tmp_path / "empty"), "--quiet", "--model", "hashing"]) == 3
    assert "no documents found" in capsys.readouterr().err


def test_an_internal_error_is_exit_4_in_one_line_and_debug_shows_the_traceback(
        small_corpus, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(auditor, "audit", broken)
    assert main(["audit", str(small_corpus), "--quiet"]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Error: internal error (ZeroDivisionError")
    assert "--debug" in err and "Traceback" not in err
    assert main(["--debug", "audit", str(small_corpus), "--quiet"]) == 4
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "the traceback is above" in err


def test_config_values_are_checked_before_any_work(small_corpus, tmp_path, capsys):
    for body, key in (('[verdict]\nmin_effect = "big"\n', "min_effect"),
                      ('min_docs = "ten"\n', "min_docs"),
                      ('[sampling]\nrepeats = "many"\n', "repeats"),
                      ('[ingest]\nmin_words = -5\n', "min_words")):
        cfg = tmp_path / "samey.toml"
        cfg.write_text(body)
        assert main(["audit", str(small_corpus), "--quiet", "--config", str(cfg)]) == 2, body
        err = capsys.readouterr().err
        assert err.startswith("Error: ") and key in err and err.count("\n") == 1, err


def test_missing_model_is_one_clear_line(small_corpus, capsys):
    code = main(["audit", str(small_corpus), "--model", "no-such-model-xyz", "--quiet"])
    assert code == 3
    err = capsys.readouterr().err.strip()
    assert "no-such-model-xyz" in err and "Traceback" not in err and len(err.splitlines()) <= 3


def test_config_file_and_unknown_keys(small_corpus, tmp_path, monkeypatch):
    cfg = tmp_path / "samey.toml"
    cfg.write_text(f'corpus = "{small_corpus}"\nperiod = "month"\nmodel = "hashing"\n'
                   '[sampling]\nrepeats = 4\n')
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "c.json"
    assert main(["audit", "--quiet", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["config"]["sampling"]["repeats"] == 4
    cfg.write_text('period = "month"\n[sampling]\nrepets = 4\n')
    assert main(["audit", str(small_corpus), "--quiet"]) == 2


def test_help_for_every_command(capsys):
    expected = {"audit": "Audit a content folder", "check": "Is this draft just more of the same",
                "report": "Monthly report"}
    for cmd, text in expected.items():
        assert main([cmd, "--help"]) == 0
        out = " ".join(capsys.readouterr().out.split())
        assert text in out and "--json" in out, cmd


def test_help_shows_example_exit_codes_and_no_type_hints(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one line per option: phrases stay whole
    for cmd in ("audit", "check", "report"):
        assert main([cmd, "--help"]) == 0
        raw = capsys.readouterr().out
        out = " ".join(raw.split())
        assert f"Example: samey {cmd} " in out, cmd
        assert "Exit codes:" in out and "0 done" in out and "2 usage error" in out, cmd
        assert "3 input error" in out and "130 interrupted (Ctrl-C)" in out, cmd
        assert "1 a draft reached --fail-on" in out if cmd == "check" else \
            "1 the verdict reached --fail-on" in out
        for hint in ("<bool>", "list[str]", "<int>", "<str>", "<float>", "<path>"):
            assert hint not in raw, (cmd, hint)
        assert "--json FILE" in out and "(- for standard output)" in out, cmd
        assert "[tool.samey]" in out, cmd  # not eaten as rich markup
    assert main(["check", "--help"]) == 0
    assert "DRAFT" in capsys.readouterr().out


def test_user_text_of_the_cli_has_no_plural_or_ordinal_slips():
    """The CLI modules' user-facing strings (help, messages): no "(s)" or "1 documents"."""
    import re
    from pathlib import Path

    root = Path(auditor.__file__).parent
    for name in ("cli/__init__.py", "cli/options.py", "cli/audit.py", "cli/check.py",
                 "cli/report.py", "progress.py", "features/embeddings.py", "render/jsonout.py"):
        text = (root / name).read_text()
        assert "(s)" not in text, name
        assert not re.search(r"\b1 (documents|posts|months|periods|files|drafts)\b", text), name
        assert not re.search(r"\b(\d*[123])th\b", text.replace("11th", "").replace("12th", "")
                             .replace("13th", "")), name


def test_python_m_auditor_runs(tmp_path):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "auditor", "--version"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("samey ")


def test_public_functions_stay_callable_after_the_renderers_are_imported():
    """``auditor.report`` is the function even once every renderer module is imported (the
    renderers live in ``auditor.render``, so no submodule shadows the public name)."""
    import importlib

    import auditor

    for mod in ("jsonout", "terminal", "html", "markdown", "check_terminal", "segments_view"):
        importlib.import_module(f"auditor.render.{mod}")
    importlib.import_module("auditor.app.report")
    for name in ("audit", "check", "report"):
        assert callable(getattr(auditor, name)), name
    assert auditor.report.__module__ == "auditor"


def test_corpus_options_reach_the_options_typed(tmp_path, monkeypatch, capsys):
    """Every shared corpus option is an option of audit and report (declared once in
    ``cli.options.CORPUS_OPTIONS``) and arrives unwrapped and typed in the options."""
    from auditor.cli.options import CORPUS_OPTIONS

    seen: dict = {}

    class Stop(Exception):
        pass

    def fake_audit(target, opts):
        seen["opts"] = opts
        raise Stop

    monkeypatch.setattr("auditor.audit", fake_audit)
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    main(["audit", str(tmp_path), "--min-docs", "7", "--segment-from", "folder",
          "--no-site-duplicates", "--cache-dir", str(tmp_path / "c"), "--model", "hashing",
          "--quiet"])  # stops (an internal error, exit 4) once the options are built
    o = seen["opts"]
    assert o.min_docs == 7 and o.ingest.segment_from == "folder"
    assert o.site_duplicates is False and o.cache_dir == str(tmp_path / "c")
    monkeypatch.setenv("COLUMNS", "250")  # one flag a line, unwrapped
    for command in ("audit", "report"):
        assert main([command, "--help"]) == 0
        out = " ".join(capsys.readouterr().out.split())
        for name in CORPUS_OPTIONS:
            flag = "--" + name.replace("_", "-")
            assert flag in out, (command, flag)
    assert main(["check", "x", "--against", str(tmp_path), "--min-docs", "3"]) == 2
