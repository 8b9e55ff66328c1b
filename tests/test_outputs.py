"""Output files and streams: permissions, ``-`` for standard output, references only to files
that were written, the report's terminal text, plain progress lines and Ctrl-C."""
from __future__ import annotations

import dataclasses
import json
import os
import stat

import pytest

import auditor
from auditor import progress
from auditor.cli import main
from auditor.features.embeddings import EmbeddingInterrupted
from auditor.render.html import render_html, write_html
from auditor.render.jsonout import write_atomic, write_json
from auditor.render.markdown import write_markdown
from auditor.results import Alert

FAST = ["--model", "hashing", "--repeats", "4"]


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    def set_(mask: int) -> None:
        os.umask(mask)

    before = os.umask(0o022)
    os.umask(before)
    yield set_
    os.umask(before)


# ---------------------------------------------------------------- files


def test_outputs_respect_the_umask(tmp_path, umask):
    data = {"report": {}, "x": 1}
    umask(0o022)
    write_json(tmp_path / "a.json", data)
    write_atomic(tmp_path / "a.md", "# hi\n")
    assert _mode(tmp_path / "a.json") == 0o644 and _mode(tmp_path / "a.md") == 0o644
    umask(0o027)
    write_json(tmp_path / "b.json", data)
    assert _mode(tmp_path / "b.json") == 0o640
    # a replaced file keeps its own permissions; no temp file is left behind
    os.chmod(tmp_path / "a.json", 0o600)
    write_json(tmp_path / "a.json", {"y": 2})
    assert _mode(tmp_path / "a.json") == 0o600
    assert json.loads((tmp_path / "a.json").read_text()) == {"y": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.md", "b.json"]


def test_dash_writes_to_stdout(capsys):
    write_json("-", {"a": 1})
    write_atomic("-", "text\n")
    assert capsys.readouterr().out == '{\n  "a": 1\n}\ntext\n'


def test_audit_json_to_stdout_keeps_stdout_clean(small_corpus, capsys, tmp_path):
    assert main(["audit", str(small_corpus), "--period", "month", *FAST, "--json", "-"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)  # nothing but the JSON on stdout
    assert main(["audit", str(small_corpus), "--period", "month", *FAST, "--quiet",
                 "--json", str(tmp_path / "same.json")]) == 0
    capsys.readouterr()
    same = json.loads((tmp_path / "same.json").read_text())
    for d in (data, same):
        d["config"].pop("progress")  # --quiet turns progress off; nothing else may differ
    assert data == same
    assert "samey audit" in err and "Wrote" not in err  # the human report went to stderr
    # --quiet: JSON only, nothing on stderr
    assert main(["audit", str(small_corpus), "--period", "month", *FAST, "--json", "-",
                 "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["periods"] == data["periods"] and err == ""
    # to a file: the report on stdout says where the JSON went
    target = tmp_path / "audit.json"
    assert main(["audit", str(small_corpus), "--period", "month", *FAST, "--json",
                 str(target)]) == 0
    out = capsys.readouterr().out
    assert f"Wrote the JSON result: {target}" in " ".join(out.split())


@pytest.fixture
def report_run(small_corpus, tmp_path):
    out = tmp_path / "out"
    args = ["report", str(small_corpus), "--model", "hashing-32", "--min-docs", "8",
            "--period-end", "2025-04", "--history", str(out / "h.sqlite")]
    return out, args


def test_report_lists_written_files_and_prints_no_raw_markdown(report_run, capsys):
    out, args = report_run
    assert main([*args, "--html", str(out / "r.html"), "--markdown", str(out / "r.md")]) == 0
    text = capsys.readouterr().out
    flat = " ".join(text.split())
    assert "**" not in text and "samey report 2025-04:" in flat
    assert f"Wrote the HTML report: {out / 'r.html'}" in flat
    assert f"Wrote the Markdown summary: {out / 'r.md'}" in flat
    assert f"Wrote the history store: {out / 'h.sqlite'}" in flat
    assert "JSON" not in flat  # no JSON was asked for, none is mentioned
    assert "samey report 2025-04" in (out / "r.md").read_text()


def test_report_markdown_to_stdout(report_run, capsys):
    out, args = report_run
    assert main([*args, "--markdown", "-", "--json", str(out / "r.json")]) == 0
    stdout, stderr = capsys.readouterr()
    assert stdout.startswith("**") and "samey report 2025-04" in stdout  # raw Markdown
    assert "Wrote" not in stdout
    assert "Wrote the JSON result" in stderr and "**" not in stderr
    assert main([*args, "--markdown", "-", "--json", "-"]) == 2
    assert "standard output" in capsys.readouterr().err


def test_html_names_the_json_only_when_one_was_written(report_run, capsys):
    out, args = report_run
    assert main([*args, "--json", str(out / "r.json"), "--quiet"]) == 0
    data = json.loads((out / "r.json").read_text())
    month = data["report"]["month"]
    result = auditor.report(args[1], period_end="2025-04", history=out / "h.sqlite",
                            model="hashing-32", min_docs=8, progress=False)
    assert result.to_dict()["report"]["month"] == month
    data = dataclasses.replace(result, alerts=[Alert(month, "layer", None, f"alert {i}")
                                               for i in range(15)])
    without = render_html(data)
    assert "3 more not shown" in without and "--json FILE" in without
    assert "in the JSON" not in without and "r.json" not in without
    write_html(out / "page.html", data, json_path=out / "r.json")
    assert "3 more in r.json." in (out / "page.html").read_text()
    write_html(out / "page2.html", data, json_path="-")
    assert "r.json" not in (out / "page2.html").read_text()
    write_markdown(out / "s.md", data)
    assert "JSON" not in (out / "s.md").read_text()


# ---------------------------------------------------------------- progress


class _Clock:
    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_plain_progress_lines_when_stderr_is_not_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(progress, "_clock", _Clock(3.0))
    with progress.plain_lines():
        items = list(progress.progress_iter(range(100), total=100, description="Reading files",
                                            enabled=True, unit="files"))
    assert items == list(range(100))
    lines = capsys.readouterr().err.splitlines()
    assert 5 <= len(lines) <= 12, lines
    assert lines[0].startswith("Reading files ") and "files (" in lines[0]
    assert "left" in lines[0] and lines[-1].startswith("Reading files 100/100 files (100%), done")
    # off: disabled, or the API without the CLI's switch, or a quick step
    list(progress.progress_iter(range(100), total=100, description="x", enabled=True))
    with progress.plain_lines():
        list(progress.progress_iter(range(9), total=9, description="x", enabled=False))
    monkeypatch.setattr(progress, "_clock", _Clock(0.01))
    with progress.plain_lines():
        list(progress.progress_iter(range(100), total=100, description="x", enabled=True))
    assert capsys.readouterr().err == ""


def test_plain_lines_every_30_seconds_when_slow(capsys, monkeypatch):
    monkeypatch.setattr(progress, "_clock", _Clock(20.0))
    with progress.plain_lines(), progress.Progress(1000, "Embedding", enabled=True,
                                                   unit="documents") as bar:
        for _ in range(6):
            bar.advance(1)  # 0.1% each: no 10% step, but 20 s between readings
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("Embedding 1/1,000 documents (0%), about") and \
        lines[0].endswith(" h left")
    assert [x.split()[1] for x in lines] == ["1/1,000", "3/1,000", "5/1,000", "6/1,000"]
    assert "done" not in lines[-1]  # the step ended early: no "done in"


def test_cli_switches_plain_lines_on_only_while_it_runs(small_corpus, monkeypatch):
    seen = []
    real = auditor.audit

    def spy(*a, **k):
        seen.append((progress.plain_lines_enabled(), a[1].progress))
        return real(*a, **k)

    monkeypatch.setattr(auditor, "audit", spy)
    assert main(["audit", str(small_corpus), "--period", "month", *FAST]) == 0
    assert main(["audit", str(small_corpus), "--period", "month", *FAST, "--quiet"]) == 0
    assert seen == [(True, True), (True, False)] and not progress.plain_lines_enabled()


# ---------------------------------------------------------------- Ctrl-C


@pytest.mark.parametrize("exc", [EmbeddingInterrupted(120, 500), KeyboardInterrupt()])
def test_ctrl_c_is_one_line_and_exit_130(small_corpus, monkeypatch, capsys, exc):
    def interrupted(*a, **k):
        raise exc

    monkeypatch.setattr(auditor, "audit", interrupted)
    assert main(["audit", str(small_corpus), *FAST]) == 130
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("Interrupted")
    if isinstance(exc, EmbeddingInterrupted):
        assert "saved in the cache: 120 of 500 new documents" in err and "run the same" in err


# ---------------------------------------------------------------- words


def test_plural_and_ordinal():
    assert progress.plural(1, "document") == "1 document"
    assert progress.plural(2, "document") == "2 documents"
    assert progress.plural(1200, "document") == "1,200 documents"
    assert progress.plural(0, "family", "families") == "0 families"
    assert [progress.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 99, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "99th",
        "101st", "111th"]
    assert progress.ordinal(97.5) == "97.5th" and progress.ordinal(90.0) == "90th"
    assert progress.duration(3) == "3 s" and progress.duration(42) == "40 s"
    assert progress.duration(180) == "3 min" and progress.duration(2 * 3600) == "2.0 h"
