"""Property-based fuzzing of samey's edges (issue 19): the CLI, the config file and every input
reader, with generated input (``hypothesis``).

Three targets, each a hypothesis test run here with many examples and, with few examples, in
the default test run (``tests/test_fuzz.py``):

* ``readers``: one generated file per example in every format samey reads (CSV/TSV with quotes,
  newlines and delimiters in cells, broken quotes and other encodings; JSON Lines with broken
  lines; JSON values; Markdown/MDX/text with front matter; HTML; WordPress exports, RSS and Atom
  with entities, CDATA and odd dates; Parquet with odd columns), read by ``load_documents`` and
  by the streaming ``summarise`` (small files streamed too, in half the examples). Properties:
  nothing raises; every document and skip belongs to the file; for well-formed structures the
  rows in equal the rows out (analysed, undated or skipped).
* ``config``: a generated ``samey.toml`` (known keys with values of any type, unknown keys,
  tables where values belong, invalid TOML, bytes that are not UTF-8) given to ``samey audit``.
* ``cli``: a generated command line (``audit``, ``report`` or ``check``; every option, with
  valid and invalid values; outputs inside and outside the corpus, on folders, on the input)
  over a small corpus plus generated files.

For ``config`` and ``cli``: the exit code is one the help documents (0, 1, 2, 3), never 4 (a
bug); stderr has no traceback, and an error is one line starting ``Error:``; no file is written
or changed outside the outputs the command line names (the history's default place under the
corpus's hidden ``.samey/`` and the cache folder included).

    python bench/fuzz.py                     # 1,200 examples: readers 600, config 200, cli 400
    python bench/fuzz.py --examples 100      # each target 100
    python bench/fuzz.py --target cli --seed 3

Prints, per target, the examples run, the exit codes seen and the failures (the first failing
example is shown, shrunk, with its traceback). Exit code 1 when any property failed.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import hashlib
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORDS = ("trail river summit forest canyon meadow ridge lake valley harbor market coffee bread "
         "garden lantern compass kettle blanket journal bicycle kayak tent stove boots map "
         "weather storm sunrise winter spring autumn summer quietly boldly build carry").split()
#: Exit codes the help documents (130, Ctrl-C, is not generated here).
DOCUMENTED = {0, 1, 2, 3}

# ------------------------------------------------------------------ building blocks

_nasty = st.sampled_from([
    '"', '""', "'", ",", "\t", "\n", "\r\n", "\r", ";", "|", "\\", "\x00", "\x1b[31m",
    "\x1b]0;title\x07", "\u202e", "\ufeff", "&nbsp;", "&amp;", "&bogus;", "<script>", "</p>",
    "<![CDATA[", "]]>", "{{< x >}}", "---", "+++", "```", "# ", "[x](y)", "é", "日本", "🙂",
    "\ud800", "0", "-1", "1e309", "NaN", "null", "true", "[", "{", "}", "]", "%", "%Y",
])
_word = st.sampled_from(WORDS)
_sentence = st.lists(_word, min_size=1, max_size=14).map(lambda w: " ".join(w).capitalize() + ".")
_cell = st.one_of(
    _sentence,
    st.lists(st.one_of(_word, _nasty), max_size=12).map(" ".join),
    st.text(max_size=40),
    st.just(""),
)
_date = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%m/%d/%Y")),
    st.dates().map(lambda d: d.strftime("%a, %d %b %Y 10:00:00 +0000")),
    st.integers(-2**40, 2**45).map(str),
    st.sampled_from(["", "soon", "0000-00-00", "2024-02-30", "1970-01-01", "2100-12-31",
                     "2031-01-01", "1960-05-01", "2024-13-01", "20240501", "2024-05",
                     "May 1, 2024", "1714521600000", "\x1b[2J2024-01-01"]),
    st.text(max_size=20),
)
_field = st.sampled_from(["date", "title", "text", "body", "Post Date", "Headline",
                          "Article Body", "published", "category", "tags", "description", "",
                          "date", "text", "x\"y", "a,b", "é", "\x1b[1m"])


def _rows(draw: Any, n: int) -> list[dict[str, str]]:
    return [{"date": draw(_date), "title": draw(_cell), "text": draw(_cell),
             "category": draw(_cell)} for _ in range(n)]


@st.composite
def files(draw: Any) -> tuple[str, bytes, int | None]:
    """``(file name, bytes, rows in or None when the structure is not well-formed)``."""
    kind = draw(st.sampled_from(["csv", "tsv", "csv_raw", "jsonl", "json", "md", "mdx", "txt",
                                 "html", "wxr", "rss", "atom", "xml_raw", "parquet", "bin"]))
    n = draw(st.integers(0, 12))
    rows = _rows(draw, n)
    if kind in ("csv", "tsv"):
        buf = io.StringIO()
        header = draw(st.one_of(st.just(["date", "title", "text", "category"]),
                                st.lists(_field, min_size=1, max_size=5)))
        w = csv.writer(buf, delimiter="\t" if kind == "tsv" else ",",
                       quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, draw(_cell)) for h in header][:len(header)])
        enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
        data = buf.getvalue().encode(enc, "replace")
        # rows in are known for a clean file: UTF-8, the usual header, no NUL (which makes the
        # file binary when read whole)
        ok = enc in ("utf-8", "utf-8-sig") and header == ["date", "title", "text", "category"] \
            and "\x00" not in buf.getvalue()
        return f"f.{kind}", data, (n if ok and n else None)
    if kind == "csv_raw":
        lines = ["date,title,text"] + [
            ",".join(draw(st.lists(st.one_of(_cell, _nasty), max_size=5))) for _ in range(n)]
        return "f.csv", "\n".join(lines).encode("utf-8", "surrogatepass"), None
    if kind == "jsonl":
        lines, good = [], True
        for r in rows:
            if draw(st.booleans()):
                lines.append(json.dumps(r))
            else:
                lines.append(draw(st.one_of(_cell, st.just("{broken"), st.just("[1,2]"))))
                good = False
        return "f.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"), \
            (len(lines) if good and lines else None)
    if kind == "json":
        value = draw(st.one_of(
            st.just({"posts": rows}), st.just(rows),
            st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                         lambda c: st.lists(c, max_size=4)
                         | st.dictionaries(st.text(max_size=6), c, max_size=4), max_leaves=12)))
        return "f.json", json.dumps(value).encode(), None
    if kind in ("md", "mdx", "txt"):
        fm = "" if kind == "txt" or draw(st.booleans()) else (
            "---\n" + "".join(f"{k}: {draw(st.one_of(_date, _cell))}\n" for k in
                              draw(st.lists(_field, max_size=4))) + "---\n")
        body = "\n\n".join(draw(st.lists(st.one_of(_sentence, _cell, _nasty), max_size=8)))
        return f"2024-05-01-f.{kind}", (fm + body).encode("utf-8", "surrogatepass"), None
    if kind == "html":
        parts = draw(st.lists(st.one_of(_sentence, _nasty, st.sampled_from(
            ["<p>", "</p>", "<h1>", "</h1>", "<script>x()</script>", "<meta name=date "
             "content=2024-05-01>", "<article>", "<div", "<!--", "-->"])), max_size=20))
        return "f.html", "".join(parts).encode("utf-8", "surrogatepass"), None
    if kind in ("wxr", "rss", "atom"):
        clean = all(_xml_char(c) for r in rows for v in r.values() for c in v)
        return f"f.{'xml' if kind == 'wxr' else kind}", _xml(draw, kind, rows), \
            (n if n and clean else None)
    if kind == "xml_raw":
        parts = draw(st.lists(st.one_of(_nasty, _sentence, st.sampled_from(
            ["<?xml version='1.0'?>", "<rss>", "<channel>", "<item>", "</item>", "<feed>",
             '<!DOCTYPE r [<!ENTITY a "aaaa">]>', "&a;", "<urlset>"])), max_size=20))
        return "f.xml", "".join(parts).encode("utf-8", "surrogatepass"), None
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = draw(st.lists(_field, min_size=1, max_size=4, unique=True))
        table = pa.table({c: [_utf8(draw(st.one_of(st.none(), _cell))) for _ in range(n)]
                          for c in cols})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        data = buf.getvalue()
        if draw(st.booleans()) and len(data) > 20:
            cut = draw(st.integers(1, len(data) - 1))
            return "f.parquet", data[:cut], None
        has_text = any(c.lower() in ("text", "body", "description") for c in cols)
        return "f.parquet", data, (n if n and has_text else None)
    return "f.md", draw(st.binary(max_size=200)), None


def _utf8(s: Any) -> Any:
    return None if s is None else str(s).encode("utf-8", "replace").decode("utf-8")


def _xml_char(c: str) -> bool:
    o = ord(c)
    return c in "\t\n\r" or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


def _esc(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .encode("utf-8", "replace").decode("utf-8"))


def _xml(draw: Any, kind: str, rows: list[dict[str, str]]) -> bytes:
    if kind == "atom":
        body = "".join(f"<entry><id>{i}</id><title>{_esc(r['title'])}</title><published>"
                       f"{_esc(r['date'])}</published><content type='html'>{_esc(r['text'])}"
                       "</content></entry>" for i, r in enumerate(rows))
        return f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/" \
               f"Atom'><title>t</title>{body}</feed>".encode()
    if kind == "rss":
        body = "".join(f"<item><guid>{i}</guid><title>{_esc(r['title'])}</title><pubDate>"
                       f"{_esc(r['date'])}</pubDate><description>{_esc(r['text'])}"
                       "</description></item>" for i, r in enumerate(rows))
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{body}" \
               "</channel></rss>".encode()
    ns = draw(st.sampled_from(["http://wordpress.org/export/1.2/",
                               "https://wordpress.org/export/1.2/"]))
    body = "".join(
        f"<item><title>{_esc(r['title'])}</title><content:encoded><![CDATA["
        f"{_utf8(r['text']).replace(']]>', '')}]]></content:encoded><wp:post_date>"
        f"{_esc(r['date'])}"
        f"</wp:post_date><wp:status>{draw(st.sampled_from(['publish', 'draft', 'future', '']))}"
        f"</wp:status><wp:post_type>"
        f"{draw(st.sampled_from(['post', 'page', 'attachment', 'nav_menu_item', '']))}"
        "</wp:post_type></item>" for r in rows)
    return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0' xmlns:wp='{ns}' "
            "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel><title>t</title>"
            f"<wp:wxr_version>1.2</wp:wxr_version>{body}</channel></rss>").encode()


# ------------------------------------------------------------------ readers


def check_reader(name: str, data: bytes, rows_in: int | None, stream: bool,
                 folder: Path) -> None:
    """Read one generated file both ways; the reader properties (see the module docstring)."""
    from auditor.config import IngestOptions
    from auditor.ingest import load_documents
    from auditor.ingest.stream import summarise

    for old in folder.iterdir():
        old.unlink()
    path = folder / name
    path.write_bytes(data)
    opts = IngestOptions(min_words=1, min_record_words=1)
    with _streamed(stream):
        got = load_documents(folder, opts)
        s = summarise(folder, opts)
    for item in [*got.documents, *got.skipped]:
        item_path = getattr(item, "doc_id", None) or item.path
        assert item_path == name or item_path.startswith(name + "#"), item_path
    out_load = len(got.documents) + len(got.skipped)
    out_stream = s.n_dated + s.n_undated + s.skipped.total
    assert out_load >= 1 and out_stream >= 1, "a file must be analysed or skipped"
    if rows_in is not None:
        assert out_load == rows_in, (out_load, rows_in, got.skipped[:3])
        assert out_stream == rows_in, (out_stream, rows_in, s.skipped.listed()[:3])


@contextlib.contextmanager
def _streamed(on: bool) -> Iterator[None]:
    """Stream every record file, however small (as files over 32 MB are)."""
    import auditor.ingest.readers as readers

    old = readers.STREAM_BYTES
    readers.STREAM_BYTES = 0 if on else old
    try:
        yield
    finally:
        readers.STREAM_BYTES = old


def readers_test(examples: int, seed: int | None, folder: Path) -> Callable[[], None]:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck))
    @given(f=files(), stream=st.booleans())
    def run(f: tuple[str, bytes, int | None], stream: bool) -> None:
        COUNTS["readers"]["examples"] += 1
        check_reader(*f, stream, folder)

    return _seeded(run, seed)


# ------------------------------------------------------------------ the CLI and the config


class Sandbox:
    """A base corpus (5 months of 12 short Markdown posts), an output folder and a cache
    folder, under one temporary folder; files are compared before and after each run."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.corpus = base / "corpus"
        self.out = base / "out"
        self.cache = base / "cache"
        rng = random.Random(0)
        for m in range(1, 6):
            for i in range(12):
                words = " ".join(rng.choice(WORDS) for _ in range(40))
                p = self.corpus / f"blog/2025-{m:02d}-{i + 1:02d}-p.md"
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(f"---\ntitle: P{m}{i}\ncategory: {'ab'[i % 2]}\n---\n\n"
                             f"{words.capitalize()}.\n", encoding="utf-8")
        self.out.mkdir()
        self.cache.mkdir()

    def reset(self, extra: list[tuple[str, bytes, int | None]]) -> None:
        shutil.rmtree(self.out)
        self.out.mkdir()
        shutil.rmtree(self.corpus / "extra", ignore_errors=True)
        shutil.rmtree(self.corpus / ".samey", ignore_errors=True)
        shutil.rmtree(self.corpus / "blog" / ".samey", ignore_errors=True)
        for i, (name, data, _) in enumerate(extra):
            p = self.corpus / "extra" / f"{i}-{name}"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)

    def snapshot(self) -> dict[str, str]:
        out = {}
        for folder in (self.base, Path.cwd()):
            for dirpath, dirnames, filenames in os.walk(folder):
                if Path(dirpath) == self.cache or Path(dirpath).is_relative_to(self.cache):
                    dirnames[:] = []
                    continue
                if folder == Path.cwd() and Path(dirpath).is_relative_to(self.base):
                    continue
                for n in filenames:
                    p = Path(dirpath) / n
                    try:
                        out[str(p)] = hashlib.sha1(p.read_bytes()).hexdigest() \
                            if p.stat().st_size < 2**20 else str(p.stat().st_mtime_ns)
                    except OSError:
                        out[str(p)] = "?"
        return out


def run_cli(args: list[str]) -> tuple[int, str, str]:
    from auditor.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as e:  # pragma: no cover (main never exits)
            code = int(e.code or 0)
    return code, out.getvalue(), err.getvalue()


def check_run(box: Sandbox, args: list[str], outputs: list[str]) -> int:
    """Run one command line; the CLI properties (see the module docstring)."""
    before = box.snapshot()
    code, out, err = run_cli(args)
    after = box.snapshot()
    COUNTS["codes"][code] += 1
    assert code in DOCUMENTED, f"exit {code}: {err.strip()[-500:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-800:]
    if code in (2, 3):
        lines = [x for x in err.splitlines() if x.strip()]
        errors = [x for x in lines if x.startswith("Error:")]
        assert len(errors) == 1 and lines[-1].startswith("Error:"), err[-800:]
    allowed = {str(Path(o).absolute()) for o in outputs}
    if args[0] == "report" and "--history" not in args:  # the default: FOLDER/.samey/
        target = Path(args[1])
        allowed.add(str((target if target.is_dir() else target.parent).absolute() / ".samey" /
                        "history.sqlite"))
    allowed |= {a + s for a in allowed for s in ("-wal", "-shm", "-journal")}
    for path in set(before) | set(after):
        if before.get(path) == after.get(path) or path in allowed:
            continue
        raise AssertionError(f"{path} was written or changed, and is not an output of {args}")
    return code


_opt_value = st.one_of(_cell, _nasty, st.integers(-5, 50).map(str), st.just(""))
_pick = st.sampled_from


@st.composite
def command_lines(draw: Any, box: Sandbox) -> tuple[list[str], list[str], list]:
    """``(argv, output paths, extra corpus files)``."""
    cmd = draw(_pick(["audit", "audit", "report", "check", "curate"]))
    extra = draw(st.lists(files(), max_size=3))
    target = draw(_pick([box.corpus, box.corpus / "extra", box.corpus / "blog" /
                         "2025-01-01-p.md", box.base / "nope"]))
    args: list[str] = [cmd]
    outputs: list[str] = []

    def out_path(suffix: str) -> str:
        where = draw(_pick(["out", "deep", "dash", "corpus", "dir", "input"]))
        p = {"out": box.out / f"o{suffix}", "corpus": box.corpus / f"o{suffix}",
             "dir": box.out, "input": box.corpus / "blog" / "2025-01-01-p.md",
             "dash": Path("-"), "deep": box.out / "a" / "b" / f"o{suffix}"}[where]
        if str(p) != "-":
            outputs.append(str(p))
        return str(p)

    if cmd == "check":
        args += [draw(_pick([str(box.corpus / "blog" / "2025-04-01-p.md"), "-",
                             str(box.corpus / "extra"), str(box.base / "nope")]))]
        args += ["--against", str(target)]
    elif draw(st.integers(0, 9)) < 9:
        args.append(str(target))
    # valid values first: hypothesis draws the first choices most often
    opts = {
        "--period": _pick(["month", "quarter", "year", "auto", "weekly", ""]),
        "--min-docs": st.one_of(_pick(["8", "10", "20"]), st.integers(-1, 12).map(str),
                                _opt_value),
        "--baseline": st.one_of(_pick(["2025-01..2025-02", "2025..2025", "2019", "..",
                                       "2025-01..2024-01"]), _opt_value),
        "--text-field": st.one_of(_pick(["text", "title"]), _opt_value),
        "--date-field": st.one_of(_pick(["date", "nope"]), _opt_value),
        "--title-field": st.one_of(_pick(["title", "text"]), _opt_value),
        "--segment-field": _pick(["category", "nope", "tags"]),
        "--date-format": _pick(["%m/%d/%Y", "%Y-%m-%d", "%d", "nope", "%Q", "%Y%%"]),
        "--min-words": st.one_of(_pick(["5", "20"]), st.integers(-1, 30).map(str)),
        "--min-record-words": st.one_of(_pick(["3", "1"]), st.integers(-1, 5).map(str)),
        "--sample-size": st.one_of(_pick(["4", "5"]), st.integers(-1, 12).map(str)),
        "--text-budget": _pick(["50", "300", "10", "x"]),
        "--seed": st.integers(-3, 3).map(str),
        "--fail-on": _pick(["never", "watch", "samey", "bogus"]),
        "--segment-from": _pick(["field", "folder", "x"]),
        "--date-from": _pick(["mtime", "x"]),
        "--backend": _pick(["torch", "x"]), "--engine": _pick(["local", "x"]),
        "--period-end": _pick(["2025-05", "2025-04", "2025-13", "2024-01", "x"]),
        "--max-similarity": _pick(["0.9", "2", "-1", "x"]),
        "--neighbours": _pick(["1", "3", "0", "x"]),
        "--keep": _pick(["3", "50%", "0", "120%", "-1", "x"]),
        "--source-field": _pick(["author", "nope"]),
    }
    allowed = {"audit": {"--period", "--min-docs", "--baseline", "--text-field", "--date-field",
                         "--title-field", "--segment-field", "--date-format", "--min-words",
                         "--min-record-words", "--sample-size", "--text-budget", "--seed",
                         "--fail-on", "--segment-from", "--date-from", "--backend", "--engine"},
               "report": {"--min-docs", "--baseline", "--text-field", "--date-field",
                          "--title-field", "--segment-field", "--date-format", "--min-words",
                          "--min-record-words", "--fail-on", "--segment-from", "--date-from",
                          "--period-end", "--backend", "--engine"},
               "check": {"--text-field", "--title-field", "--fail-on", "--max-similarity",
                         "--neighbours", "--backend"},
               "curate": {"--keep", "--text-field", "--title-field", "--min-words",
                          "--min-record-words", "--seed", "--source-field", "--backend"}}[cmd]
    for name in draw(st.lists(_pick(sorted(allowed)), max_size=5, unique=True)):
        args += [name, draw(opts[name])]
    if draw(st.booleans()):
        args += ["--json", out_path(".json")]
    if cmd == "curate" and "--keep" not in args and draw(st.integers(0, 4)) < 4:
        args += ["--keep", draw(opts["--keep"])]
    if cmd == "curate" and draw(st.booleans()):
        args += ["--manifest", out_path(".jsonl")]
    if cmd == "report":
        for flag, suffix in (("--html", ".html"), ("--markdown", ".md"), ("--history", ".db")):
            if draw(st.booleans()):
                args += [flag, out_path(suffix)]
    if draw(st.integers(0, 4)) == 4:
        args.append("--output-in-corpus")
    if draw(st.integers(0, 9)) == 9:
        args.append(draw(_pick(["--no-site-duplicates", "--site-duplicates", "--bogus"])))
    args += ["--model", "hashing", "--quiet", "--cache-dir", str(box.cache)]
    if cmd == "audit":
        args += ["--repeats", "2"]
    if cmd == "report" and "--min-docs" not in args:
        args += ["--min-docs", "8"]
    return args, outputs, extra


def cli_test(examples: int, seed: int | None, box: Sandbox) -> Callable[[], None]:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        args, outputs, extra = data.draw(command_lines(box))
        box.reset(extra)
        COUNTS["cli"]["examples"] += 1
        stdin = io.StringIO("In today's fast-paced world " * 5)
        with contextlib.redirect_stdout(io.StringIO()), _stdin(stdin):
            check_run(box, args, outputs)

    return _seeded(run, seed)


@contextlib.contextmanager
def _stdin(stream: io.StringIO) -> Iterator[None]:
    old = sys.stdin
    sys.stdin = stream
    try:
        yield
    finally:
        sys.stdin = old


_toml_value = st.recursive(
    st.one_of(st.integers(-10, 10**6), st.floats(allow_nan=False, allow_infinity=False),
              st.booleans(), st.text(max_size=12), _pick(["month", "auto", "2025-01..2025-02",
                                                          "%m/%d/%Y", "1990-01-01", "category",
                                                          "local", "dask", "git"])),
    lambda c: st.lists(c, max_size=3), max_leaves=4)
#: Config keys, each with values it accepts (drawn most of the time) and anything else.
_KEYS: dict[str, dict[str, Any]] = {
    "": {"period": _pick(["month", "quarter", "year", "auto"]), "min_docs": _pick([8, 10, 20]),
         "baseline": _pick(["2025-01..2025-02", "2025-01..2025-01"]), "model": _pick(["hashing"]),
         "backend": _pick(["torch"]), "site_duplicates": st.booleans(),
         "corpus": _pick(["corpus", "nope", "."]), "engine": _pick(["local"]),
         "bogus": _toml_value, "cache_dir": _pick(["cache"])},
    "ingest": {"text_field": _pick(["text", "body"]), "date_field": _pick(["date", "x"]),
               "title_field": _pick(["title"]), "segment_field": _pick(["category"]),
               "segment_from": _pick(["field", "folder"]), "date_from": _pick(["mtime"]),
               "min_words": _pick([1, 5, 20]), "min_record_words": _pick([1, 3]),
               "date_format": _pick(["%m/%d/%Y", "%Y-%m-%d", "%d"]),
               "earliest_date": _pick(["1990-01-01", "2025-02-01", "x"]),
               "future_days": _pick([0, 31, -1]),
               "max_document_bytes": _pick([1000, 10**6, 10]),
               "exclude": _pick([["blog/2025-01-01-p.md"], ["blog"], "blog", [1]]),
               "nope": _toml_value},
    "sampling": {"sample_size": _pick([4, 5, 100]), "text_budget": _pick([20, 300, 5]),
                 "repeats": _pick([2, 3]), "max_pool": _pick([4, 50, 2]),
                 "random_state": _pick([0, 7]), "x": _toml_value},
    "verdict": {"alpha": _pick([0.05, 0.5, 2]), "min_effect": _pick([0.05, 0.9, 1.5]),
                "x": _toml_value},
    "check": {"max_similarity": _pick([0.9, 0.5]), "neighbours": _pick([1, 5]),
              "duplicate_similarity": _pick([0.95])},
}


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return json.dumps(v)


_UNKNOWN = {"bogus", "nope", "x"}


@st.composite
def config_files(draw: Any) -> bytes:
    """A samey.toml: half of them only known keys with values they accept (mostly), the other
    half anything (unknown keys, wrong types, bad tables, bad TOML, bytes that are not UTF-8)."""
    tame = draw(st.booleans())
    lines = []
    for section, keys in _KEYS.items():
        names = sorted(k for k in keys if not (tame and k in _UNKNOWN))
        chosen = draw(st.lists(_pick(names), max_size=2 if tame else 3, unique=True))
        if section and (chosen or draw(st.booleans())):
            lines.append(f"[{section}]" if tame else
                         draw(_pick([f"[{section}]", f"{section} = 3", "[[x]]"])))
        for k in chosen:
            value = draw(keys[k]) if tame or draw(st.integers(0, 3)) else draw(_toml_value)
            lines.append(f"{k} = {_toml(value)}")
    text = "\n".join(lines) + "\n"
    mode = 9 if tame else draw(st.integers(0, 4))
    if mode == 0:
        return text.encode("latin-1", "replace") + b"\xe9\xff"
    if mode == 1:
        return text.encode() + draw(st.binary(max_size=30))
    if mode == 2:
        return draw(st.text(max_size=80)).encode("utf-8", "surrogatepass")
    return text.encode()


def config_test(examples: int, seed: int | None, box: Sandbox) -> Callable[[], None]:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck))
    @given(cfg=config_files(), cmd=_pick(["audit", "report"]))
    def run(cfg: bytes, cmd: str) -> None:
        box.reset([])
        path = box.out / "samey.toml"
        path.write_bytes(cfg)
        COUNTS["config"]["examples"] += 1
        args = [cmd, str(box.corpus), "--config", str(path), "--model", "hashing", "--quiet",
                "--cache-dir", str(box.cache), "--engine", "local", "--min-docs", "8"]
        if cmd == "audit":
            args += ["--repeats", "2"]
        check_run(box, args, [str(path)])

    return _seeded(run, seed)


def _seeded(run: Any, seed: int | None) -> Any:
    if seed is None:
        return run
    from hypothesis import seed as hseed

    return hseed(seed)(run)


# ------------------------------------------------------------------ driver

COUNTS: dict[str, Any] = collections.defaultdict(collections.Counter)
COUNTS["codes"] = collections.Counter()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=None,
                    help="examples per target (default: readers 600, config 200, cli 400)")
    ap.add_argument("--target", choices=["readers", "config", "cli", "all"], default="all")
    ap.add_argument("--seed", type=int, default=None,
                    help="a hypothesis seed (default: derandomized, the same every run)")
    a = ap.parse_args(argv)
    plan = {"readers": 600, "config": 200, "cli": 400}
    targets = list(plan) if a.target == "all" else [a.target]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="samey-fuzz-") as tmp:
        base = Path(tmp)
        (base / "readers").mkdir()
        box = Sandbox(base / "box")
        cwd = os.getcwd()
        os.chdir(base)  # a file written to the working folder would show in the snapshot
        try:
            for target in targets:
                n = a.examples or plan[target]
                test = {"readers": lambda k: readers_test(k, a.seed, base / "readers"),
                        "config": lambda k: config_test(k, a.seed, box),
                        "cli": lambda k: cli_test(k, a.seed, box)}[target](n)
                t0 = time.time()
                codes_before = COUNTS["codes"].copy()
                try:
                    test()
                    status = "ok"
                except Exception:  # noqa: BLE001 - report it, go on with the next target
                    failures += 1
                    status = "FAILED\n" + traceback.format_exc()[-3000:]
                codes = COUNTS["codes"] - codes_before
                print(f"{target}: {COUNTS[target]['examples']} examples in "
                      f"{time.time() - t0:.0f} s; exit codes "
                      f"{dict(sorted(codes.items())) or '-'}; {status}", flush=True)
        finally:
            os.chdir(cwd)
    total = sum(COUNTS[t]["examples"] for t in targets)
    print(f"total: {total} generated cases, {failures} target(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
