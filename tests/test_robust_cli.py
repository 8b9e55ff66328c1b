"""Issue 19, "nothing lost, nothing hidden": the command side. Outputs never overwrite inputs,
usage errors come before any work, the error of an empty audit names its fix, environment
failures are exit 3 in one line, a killed report neither leaves temporary files nor advances
the history without its report, and data never reaches the terminal or the Markdown raw."""
from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
import os
import random
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rich.console import Console

from auditor.cli import main
from auditor.history import HistoryStore

FAST = ["--model", "hashing", "--repeats", "2", "--quiet"]
RFAST = ["--model", "hashing", "--quiet"]  # report takes no --repeats
WORDS = ("trail river summit forest canyon meadow ridge lake valley harbor market coffee bread "
         "garden lantern compass kettle blanket journal bicycle kayak tent stove boots map "
         "weather storm sunrise winter spring autumn summer").split()
ESC_TITLE = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ \x1b]0;pwned\x07 [/bold] Tips"
HTML_TITLE = "<script>alert('x')</script> Tips"


def _post(rng: random.Random, n: int = 60) -> str:
    return " ".join(" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
                    for _ in range(n // 12))


def _csv(path: Path, n: int = 40, *, fields=("date", "title", "text"),
         date=lambda d: d.isoformat()) -> Path:
    rng = random.Random(1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(fields)
        for i in range(n):
            w.writerow([date(dt.date(2024, 1, 1) + dt.timedelta(days=i)), f"T{i}",
                        _post(rng, 24) + f" {i}"])
    return path


def _no_work(monkeypatch) -> None:
    """Any audit or report starting fails the test: the error must come before any work."""
    def boom(*a, **k):
        raise AssertionError("the audit started before the usage error")

    monkeypatch.setattr("auditor.audit", boom)
    monkeypatch.setattr("auditor.app.report.report", boom)


def _one_line_error(err: str, code: int, got: int) -> str:
    assert got == code, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


# ------------------------------------------------------------------ defect 2: outputs


def test_an_output_never_overwrites_an_input(tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    base = _csv(tmp_path / "base.csv")
    before = base.read_bytes()
    code = main(["audit", str(base), "--json", str(base), *FAST])
    line = _one_line_error(capsys.readouterr().err, 2, code)
    assert "base.csv" in line and "input" in line
    assert base.read_bytes() == before


def test_outputs_inside_the_corpus_are_refused_before_any_work(tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    corpus = tmp_path / "blog"
    corpus.mkdir()
    post = corpus / "post.md"
    post.write_text("# Post\n\n" + " ".join(WORDS), encoding="utf-8")
    before = post.read_bytes()
    cases = [
        (["audit", str(base := _csv(tmp_path / "base.csv")), "--json", str(base)], "base.csv"),
        (["report", str(corpus), "--html", str(post)], "post.md"),
        (["report", str(corpus), "--markdown", str(corpus / "new" / "summary.md")], "summary.md"),
        (["audit", str(corpus), "--json", str(corpus / "audit.json")], "audit.json"),
        (["report", str(corpus), "--history", str(corpus / "history.sqlite")], "history"),
        (["check", str(draft := tmp_path / "draft.md"), "--against", str(corpus), "--json",
          str(draft)], "draft.md"),
        (["curate", str(corpus), "--keep", "1", "--manifest", str(post)], "post.md"),
        (["curate", str(base), "--keep", "1", "--json", str(base)], "base.csv"),
    ]
    draft.write_text("A draft " + " ".join(WORDS), encoding="utf-8")
    monkeypatch.setattr("auditor.check", lambda *a, **k: pytest.fail("the check started"))
    monkeypatch.setattr("auditor.curate", lambda *a, **k: pytest.fail("the curation started"))
    for args, named in cases:
        code = main([*args, *(FAST if args[0] == "audit" else RFAST)])
        line = _one_line_error(capsys.readouterr().err, 2, code)
        assert named in line and ("input" in line or "corpus" in line), line
        assert "--output-in-corpus" in line or "is the input" in line, line
    assert post.read_bytes() == before and not (corpus / "audit.json").exists()


def test_a_folder_given_as_an_output_file_is_a_usage_error_before_any_work(tmp_path, capsys,
                                                                         monkeypatch):
    _no_work(monkeypatch)
    base = _csv(tmp_path / "base.csv")
    out = tmp_path / "out"
    out.mkdir()
    code = main(["audit", str(base), "--json", str(out), *FAST])
    line = _one_line_error(capsys.readouterr().err, 2, code)
    assert "out" in line and "folder" in line
    code = main(["curate", str(base), "--keep", "1", "--manifest", str(out), *RFAST])
    line = _one_line_error(capsys.readouterr().err, 2, code)
    assert "--manifest" in line and "folder" in line
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code = main(["audit", str(base), "--json", str(blocker / "a.json"), *FAST])
    line = _one_line_error(capsys.readouterr().err, 2, code)
    assert "file.txt" in line


# ------------------------------------------------------------------ defect 7: nothing read


def test_when_nothing_is_read_the_error_names_columns_and_options(tmp_path, capsys):
    path = _csv(tmp_path / "export.csv", fields=("Post Date", "Headline", "Article Body"))
    code = main(["audit", str(path), *FAST])
    line = _one_line_error(capsys.readouterr().err, 3, code)
    for want in ("Post Date", "Headline", "Article Body", "--text-field", "--date-field",
                 "--title-field", "not prose"):
        assert want in line, line
    assert "--json" not in line


def test_when_nothing_is_read_the_top_skip_reasons_are_counted(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "c"
    folder.mkdir()
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["one two three four"], "date": ["2024-01-01"]}),
                   folder / "a.parquet")
    for i in range(3):
        (folder / f"logo{i}.png").write_bytes(b"\x89PNG\r\n")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # pyarrow not installed
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    code = main(["audit", str(folder), *FAST])
    line = _one_line_error(capsys.readouterr().err, 3, code)
    assert "3 unsupported" in line and "1 unreadable" in line, line
    assert "pip install pyarrow" in line and "--json" not in line


# ------------------------------------------------------------------ defect 8: date formats


def test_us_dates_name_the_format_option(tmp_path, capsys):
    path = _csv(tmp_path / "us.csv", date=lambda d: d.strftime("%m/%d/%Y"))
    code = main(["audit", str(path), *FAST])
    line = _one_line_error(capsys.readouterr().err, 3, code)
    assert "01/01/2024" in line and "--date-format" in line and "%m/%d/%Y" in line, line


def test_date_format_is_checked_before_any_work(tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    path = _csv(tmp_path / "us.csv")
    code = main(["audit", str(path), "--date-format", "%m/%d", *FAST])
    line = _one_line_error(capsys.readouterr().err, 2, code)
    assert "--date-format" in line and "%Y" in line


# ------------------------------------------------------------------ defect 9: environment


def test_a_config_file_that_is_not_utf8_is_exit_3_naming_it(tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    cfg = tmp_path / "samey.toml"
    cfg.write_bytes('period = "month"\n# caf\xe9\n'.encode("latin-1"))
    code = main(["audit", str(tmp_path), "--config", str(cfg), *FAST])
    line = _one_line_error(capsys.readouterr().err, 3, code)
    assert "samey.toml" in line and "UTF-8" in line


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A small corpus with hostile titles, segment labels and file names (terminal escapes,
    markup, HTML), one near-duplicate family of them, and one post over the size cap."""
    root = tmp_path_factory.mktemp("hostile") / "brand"
    rng = random.Random(7)
    for m in range(1, 4):
        for i in range(12):
            title = f"Post {m}-{i}"
            label = "news"
            if m == 3 and i < 3:
                title, label = f"{HTML_TITLE} {ESC_TITLE} {i}", "\x1b[31mred\x1b[0m [bold]"
            body = _post(rng, 60)
            if m == 3 and i < 3:
                body = ("Seamless onboarding and robust workflows for every team. " * 6
                        + f"Version {i}.")
            name = f"2025-{m:02d}-{i + 1:02d}-post.md" if not (m == 3 and i == 5) \
                else "2025-03-06-\x1b[2J-post.md"
            p = root / name
            p.parent.mkdir(parents=True, exist_ok=True)
            # JSON strings are YAML double-quoted scalars: the escapes reach the title as
            # real control characters
            p.write_text(f"---\ntitle: {json.dumps(title)}\n"
                         f"date: 2025-{m:02d}-{i + 1:02d}\ncategory: {json.dumps(label)}\n"
                         f"---\n\n{body}\n", encoding="utf-8")
    big = root / "2025-02-20-huge.md"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write("---\ntitle: Huge\ndate: 2025-02-20\n---\n\n")
        while fh.tell() < 1_300_000:
            fh.write(_post(rng, 120) + "\n\n")
    (root / "\x1b]0;title\x07.png").write_bytes(b"\x89PNG")
    return root


def _opts():
    from auditor.config import build_options

    return build_options(None, progress=False, repeats=2, min_docs=8, model="hashing",
                         segment_field="category")


@pytest.fixture(scope="module")
def hostile_report(hostile, tmp_path_factory):
    from auditor.app.report import report

    hist = tmp_path_factory.mktemp("hist") / "h.sqlite"
    return report(hostile, _opts(), period_end="2025-03", history=hist)


def test_an_output_that_cannot_be_written_is_exit_3_naming_it(hostile, hostile_report,
                                                               tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("auditor.audit", lambda *a, **k: hostile_report.audit)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", full)
    out = tmp_path / "a.json"
    code = main(["audit", str(hostile), "--json", str(out), *FAST])
    line = _one_line_error(capsys.readouterr().err, 3, code)
    assert str(out) in line and "No space left on device" in line
    assert not list(tmp_path.iterdir())  # no temporary file left behind


def test_a_file_size_limit_while_writing_the_history_is_exit_3(hostile, tmp_path, capsys,
                                                               monkeypatch):
    """The history may not grow (ulimit -f) once it exists: its write fails as the disk would
    when full, and the run says so in one line (exit 3), leaving the store as it was."""
    hist = tmp_path / "h.sqlite"
    opened, closed = HistoryStore.__init__, HistoryStore.close
    saved: list[tuple[int, int]] = []

    def open_limited(self, path):
        opened(self, path)
        size = max(f.stat().st_size for f in tmp_path.glob("h.sqlite*"))
        saved.append(resource.getrlimit(resource.RLIMIT_FSIZE))
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 8192, saved[-1][1]))

    def close(self):
        try:
            closed(self)
        finally:
            if saved:
                resource.setrlimit(resource.RLIMIT_FSIZE, saved.pop())

    monkeypatch.setattr(HistoryStore, "__init__", open_limited)
    monkeypatch.setattr(HistoryStore, "close", close)
    code = main(["report", str(hostile), "--period-end", "2025-03", "--history", str(hist),
                 "--min-docs", "8", *RFAST])
    line = _one_line_error(capsys.readouterr().err, 3, code)
    assert "h.sqlite" in line and "rollback" not in line.lower()
    monkeypatch.undo()
    with HistoryStore(hist) as store:
        assert store.count() == 0 and store.integrity() == "ok"


def test_an_output_fifo_is_written_in_place(tmp_path):
    from auditor.files import write_atomic

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read():
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    t = threading.Thread(target=read, daemon=True)
    t.start()
    write_atomic(fifo, "hello")
    t.join(5)
    assert got == [b"hello"] and fifo.is_fifo() and os.listdir(tmp_path) == ["out.fifo"]


# ------------------------------------------------------------------ defect 10: killed report


def test_a_killed_write_leaves_no_temporary_file(tmp_path):
    code = ("import os, signal, sys\n"
            "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
            "from auditor.files import write_atomic\n"
            f"write_atomic({str(tmp_path / 'r.html')!r}, 'x' * 100000)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == -9
    assert os.listdir(tmp_path) == []


def test_stale_temporary_files_of_dead_runs_are_removed(tmp_path):
    from auditor.files import write_atomic

    stale = tmp_path / ".r.html.999999999.x1y2.tmp"  # no process has this id
    stale.write_text("half")
    mine = tmp_path / f".r.html.{os.getpid()}.x1y2.tmp"  # a live run's: kept
    mine.write_text("busy")
    write_atomic(tmp_path / "r.html", "done")
    assert sorted(os.listdir(tmp_path)) == sorted(["r.html", mine.name])


def test_the_history_never_advances_without_the_report(hostile, tmp_path, capsys, monkeypatch):
    import auditor.render as render

    def killed(*a, **k):
        raise KeyboardInterrupt  # the run dies while writing its outputs

    monkeypatch.setitem(render.WRITERS, "markdown", killed)
    hist = tmp_path / "h.sqlite"
    code = main(["report", str(hostile), "--period-end", "2025-03", "--history", str(hist),
                 "--markdown", str(tmp_path / "s.md"), "--min-docs", "8", *RFAST])
    assert code == 130
    with HistoryStore(hist) as store:
        assert store.count() == 0
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["report", str(hostile), "--period-end", "2025-03", "--history", str(hist),
                 "--markdown", str(tmp_path / "s.md"), "--min-docs", "8", *RFAST]) == 0
    with HistoryStore(hist) as store:
        assert store.count() == 3
    assert (tmp_path / "s.md").exists()


# ------------------------------------------------------------------ defects 11, 12: injection


def _assert_clean(text: str) -> None:
    bad = [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) < 0xa0]
    assert not bad, f"control characters reach the terminal: {bad[:5]!r}"


def test_terminal_output_strips_escape_sequences_from_data(hostile, hostile_report):
    from auditor.cli.report import print_markdown
    from auditor.render.markdown import render_markdown
    from auditor.render.terminal import render_audit

    for width in (80, 200):
        buf = io.StringIO()
        console = Console(file=buf, width=width, force_terminal=False, color_system=None)
        render_audit(hostile_report.audit, console)
        print_markdown(console, render_markdown(hostile_report))
        out = buf.getvalue()
        _assert_clean(out)
        assert "Skipped inputs" in out
    assert any("\x1b" in (s.path + s.detail) for s in hostile_report.audit.skipped), \
        "the fixture should carry an escape sequence into the skipped list"


def test_an_error_line_strips_escape_sequences_from_file_names(tmp_path, capsys):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "\x1b]0;pwned\x07\x1b[2J.png").write_bytes(b"\x89PNG")
    code = main(["audit", str(folder), *FAST])
    line = _one_line_error(capsys.readouterr().err, 3, code)
    _assert_clean(line)
    assert "pwned" not in line and ".png" in line and "unsupported" in line


def test_markdown_output_escapes_html(hostile_report):
    from auditor.render.markdown import render_markdown

    titles = [d.title or "" for f in hostile_report.audit.site_duplicates.largest
              for d in f.documents]
    assert any("<script>" in t and "\x1b" in t for t in titles), titles
    md = render_markdown(hostile_report)
    assert "<script" not in md.lower() and "&lt;script&gt;" in md


# ------------------------------------------------------------------ defect 13: one huge post


def test_a_post_over_the_size_cap_is_cut_with_a_note(hostile_report):
    notes = " ".join(hostile_report.audit.verdict.notes or [])
    assert "2025-02-20-huge.md" in notes and "1,000,000 bytes" in notes


# ------------------------------------------------------------------ found by bench/fuzz.py


def test_fuzz_findings_are_usage_errors_before_any_work(tmp_path, capsys, monkeypatch):
    """``--seed -1`` reached scikit-learn's KMeans (exit 4); ``--history -`` created a SQLite
    file named '-' in the working folder."""
    _no_work(monkeypatch)
    monkeypatch.chdir(tmp_path)
    base = _csv(tmp_path / "base.csv")
    code = main(["audit", str(base), "--seed", "-1", *FAST])
    assert "--seed" in _one_line_error(capsys.readouterr().err, 2, code)
    code = main(["report", str(base), "--history", "-", *RFAST])
    assert "--history" in _one_line_error(capsys.readouterr().err, 2, code)
    assert sorted(os.listdir(tmp_path)) == ["base.csv"]


def test_two_outputs_on_one_file_and_a_manifest_to_stdout_are_usage_errors(tmp_path, capsys,
                                                                            monkeypatch):
    _no_work(monkeypatch)
    monkeypatch.setattr("auditor.curate", lambda *a, **k: pytest.fail("the curation started"))
    base = _csv(tmp_path / "base.csv")
    same = tmp_path / "out.txt"
    for args in (["audit", str(base), "--json", str(same), "--actions-csv", str(same), *FAST],
                 ["curate", str(base), "--keep", "1", "--manifest", str(same), "--json",
                  str(same), *RFAST]):
        code = main(args)
        line = _one_line_error(capsys.readouterr().err, 2, code)
        assert "both write" in line and "out.txt" in line, line
    assert not same.exists()
    code = main(["curate", str(base), "--keep", "1", "--manifest", "-", *RFAST])
    line = _one_line_error(capsys.readouterr().err, 2, code)
    assert "--manifest -" in line and not (tmp_path / "-").exists()
