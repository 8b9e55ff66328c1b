"""Tests of auditor.ingest: formats, cleaning, dates, segments, skip reasons."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.config import IngestOptions
from auditor.errors import InputError
from auditor.ingest import IngestResult, load_documents
from auditor.ingest.dates import date_from_path, parse_date
from auditor.ingest.markdown import clean_markdown

from .conftest import ONEUPTIME as CORPUS
from .conftest import shared

PROSE = ("Our team writes clear and friendly copy for every customer who visits the site, "
         "and we review each draft together before it goes out to the world. ")


def prose(n: int = 1, tag: str = "") -> str:
    """Distinct prose of about 30 words per repeat."""
    return f"{tag} " + PROSE * n


def write(root: Path, rel: str, content: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def load(root: Path, **opts) -> IngestResult:
    return load_documents(root, IngestOptions(**opts))


def by_id(result: IngestResult) -> dict:
    return {d.doc_id: d for d in result.documents}


def reasons(result: IngestResult) -> dict[str, str]:
    return {s.path: s.reason for s in result.skipped}


MDX = """---
title: Front Title
date: 2024-03-02
tags: [alpha, beta, alpha]
---
import { Chart } from '../components/Chart'
export const meta = {
  author: "someone",
}

# Big Heading

Some *intro* prose with a [visible words](https://example.com/secret-target) and
![hidden alt](picture.png) and `inline_code_here` then https://bare.example.org/x done.

<Chart
  data={[1, 2, 3]}
  title="A > chart"
/>

<Callout type="note">
Child prose stays in the text.
</Callout>

Setext Heading
--------------

```js
const fenced = "<Chart />";
```

~~~
tilde_fenced_code
~~~

- first item
- second **item**

> quoted wisdom

| column_a | column_b |
|---|---|
| cell one | cell two |

<div class="x"><p>html paragraph</p></div>

[ref]: https://reference.example.com/def
See [the reference][ref] and <https://auto.example.com>. {props.hidden}

""" + PROSE


def test_markdown_mdx_cleaning(tmp_path):
    write(tmp_path, "post.mdx", MDX)
    doc = load(tmp_path).documents[0]
    t = doc.text
    for present in ("Big Heading", "visible words", "Child prose stays", "Setext Heading",
                    "first item", "second item", "quoted wisdom", "cell one", "html paragraph",
                    "the reference", "Some intro prose"):
        assert present in t, present
    for absent in ("title:", "import", "export", "Chart", "Callout", "data=", "example.com",
                   "hidden alt", "picture", "inline_code", "fenced", "tilde_fenced", "|", "---",
                   "**", "*", "#", ">", "<", "props", "](", "[ref]"):
        assert absent not in t, absent
    assert doc.title == "Front Title"
    assert doc.headings == ((1, "Big Heading"), (2, "Setext Heading"))
    assert doc.date == dt.date(2024, 3, 2) and doc.date_source == "front-matter:date"
    assert doc.fmt == "mdx" and doc.path == doc.doc_id == "post.mdx"
    assert "\n\n" in t  # paragraphs separated by blank lines


def test_markdown_indented_code_and_title_fallbacks(tmp_path):
    write(tmp_path, "a/2023-01-15-first-post.md", "# The H1\n\n" + prose(1, "a") +
          "\n\n    indented_code_block()\n")
    write(tmp_path, "b/my_second-post.markdown", "## Only h2\n\n" + prose(1, "b"))
    write(tmp_path, "c/toml.md",
          '+++\ntitle = "Toml Title"\ndate = 2022-02-03\n+++\n' + prose(1, "c"))
    docs = by_id(load(tmp_path))
    a = docs["a/2023-01-15-first-post.md"]
    assert "indented_code_block" not in a.text and a.title == "The H1"
    assert a.date == dt.date(2023, 1, 15) and a.date_source == "filename"
    b = docs["b/my_second-post.markdown"]
    assert b.title == "My second post" and b.date is None and b.date_source is None
    c = docs["c/toml.md"]
    assert c.title == "Toml Title" and c.date == dt.date(2022, 2, 3)
    assert "Toml" not in c.text


def test_clean_markdown_keeps_prose_with_angle_brackets():
    text, _ = clean_markdown("Use Vec<T and Option for " + PROSE)
    assert "Vec<T and Option" in text


def test_plain_text(tmp_path):
    write(tmp_path, "note.txt", "A Short Title\n\n" + prose(1, "x") + "\n\n\n" + prose(1, "y"))
    doc = load(tmp_path).documents[0]
    assert doc.title == "A Short Title" and doc.fmt == "text"
    assert doc.text.startswith("A Short Title\n\n") and "\n\n\n" not in doc.text


HTML = """<html><head><title>Page Title | Site</title>
<meta property="article:published_time" content="2023-04-05T10:00:00Z"></head>
<body><header><nav><a href="/">Home</a> <a href="/about">Navigation About Us</a></nav></header>
<main><article><h1>Main Heading</h1>
<p>This is the first paragraph of the article with a <a href="https://example.com/x">useful link</a>
in it, and it keeps going for a while. """ + PROSE + """</p>
<h2>Second section</h2><p>Another paragraph about monitoring and observability.</p>
</article></main>
<footer><p>Copyright Example Corp. Footer boilerplate text.</p></footer></body></html>"""


def test_html(tmp_path):
    write(tmp_path, "2020/01/page.html", HTML)
    doc = load(tmp_path).documents[0]
    assert "useful link" in doc.text and "Another paragraph" in doc.text
    for absent in ("Navigation About", "Footer boilerplate", "example.com", "<"):
        assert absent not in doc.text
    assert doc.headings == ((1, "Main Heading"), (2, "Second section"))
    assert doc.title == "Main Heading"  # trafilatura's metadata title
    assert doc.date == dt.date(2023, 4, 5) and doc.date_source == "meta:date"  # beats the folder


def test_html_without_content_is_not_prose(tmp_path):
    write(tmp_path, "nav.html", "<html><body><script>var x = 1;</script></body></html>")
    assert reasons(load(tmp_path)) == {"nav.html": "not prose"}


def test_json_shapes_and_field_detection(tmp_path):
    write(tmp_path, "list.json", json.dumps([
        {"Body": prose(1, "l1"), "Headline": "First", "Published": "2024-05-01"},
        {"Body": prose(1, "l2"), "Headline": "Second", "Published": 1714521600},
    ]))
    write(tmp_path, "wrapped.json", json.dumps({"meta": 1, "Posts": [
        {"content": "## Sub\n\nMarkdown **bold** [link](https://x.example) " + PROSE,
         "created_at": "2024-05"}]}))
    write(tmp_path, "one.json", json.dumps({"message": prose(1, "o"), "subject": "Only"}))
    res = load(tmp_path)
    docs = by_id(res)
    assert set(docs) == {"list.json#1", "list.json#2", "wrapped.json#1", "one.json#1"}
    assert docs["list.json#1"].title == "First" and docs["list.json#1"].path == "list.json"
    assert docs["list.json#1"].date == dt.date(2024, 5, 1)
    assert docs["list.json#1"].date_source == "field:Published"
    assert docs["list.json#2"].date == dt.date(2024, 5, 1)
    w = docs["wrapped.json#1"]
    assert w.date == dt.date(2024, 5, 1) and w.headings == ((2, "Sub"),)
    assert "bold" in w.text and "**" not in w.text and "x.example" not in w.text
    assert docs["one.json#1"].title == "Only" and docs["one.json#1"].date is None
    assert [d.doc_id for d in res.documents] == [
        "list.json#1", "list.json#2", "one.json#1", "wrapped.json#1"]


def test_jsonl_bad_line_and_csv_tsv(tmp_path):
    lines = [json.dumps({"text": prose(1, f"j{i}"), "date": "2024-01-0" + str(i)}) for i in (1, 2)]
    write(tmp_path, "feed.jsonl", lines[0] + "\n{not json\n" + lines[1] + "\n")
    write(tmp_path, "ads.csv", "\ufeffad_text,date,channel\n"
          f'"{prose(1, "c1")}",2024-02-01,"search, social"\n'
          f'"{prose(1, "c2")}",2024-02-02,display\n'
          f'"{prose(1, "c3")}",2024-02-03,x,extra\n')
    write(tmp_path, "posts.tsv", f"caption\tday\n{prose(1, 't1')}\t2024-03-01\n")
    res = load(tmp_path)
    docs, why = by_id(res), reasons(res)
    assert set(docs) == {"feed.jsonl#1", "feed.jsonl#3", "ads.csv#1", "ads.csv#2", "posts.tsv#1"}
    assert why == {"feed.jsonl#2": "unreadable", "ads.csv#3": "unreadable"}
    assert "not valid JSON" in res.skipped[1].detail
    assert docs["posts.tsv#1"].date == dt.date(2024, 3, 1) and docs["posts.tsv#1"].fmt == "tsv"
    assert docs["feed.jsonl#3"].date == dt.date(2024, 1, 2)
    # a segment column given but absent leaves those records unsegmented, not skipped
    res = load(tmp_path, segment_field="channel")
    docs = by_id(res)
    assert reasons(res) == {"ads.csv#3": "unreadable", "feed.jsonl#2": "unreadable"}
    assert docs["feed.jsonl#1"].segments == () and docs["posts.tsv#1"].segments == ()
    assert docs["ads.csv#1"].segments == ("search", "social")
    assert docs["ads.csv#2"].segments == ("display",)


def test_tabular_missing_fields(tmp_path):
    write(tmp_path, "a.csv", f'id,words\n1,"{prose(1, "a")}"\n')
    write(tmp_path, "b.csv", f'body,date\n"{prose(1, "b")}",2024-01-01\n')
    res = load(tmp_path)
    assert reasons(res) == {"a.csv": "not prose"}
    detail = res.skipped[0].detail
    assert "id, words" in detail and "--text-field" in detail
    res = load(tmp_path, text_field="words")
    assert reasons(res) == {"b.csv": "not prose"} and "'words'" in res.skipped[0].detail
    assert "body, date" in res.skipped[0].detail
    # a missing date field leaves the records undated (the audit lists them), not skipped
    res = load(tmp_path, text_field="body", date_field="published")
    assert {s.path for s in res.skipped} == {"a.csv"}
    assert by_id(res)["b.csv#1"].date is None


def test_skip_reasons(tmp_path):
    write(tmp_path, "ok.md", prose(1, "ok"))
    write(tmp_path, "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path, "nul.md", b"text with a \x00 nul byte")
    write(tmp_path, "bad.md", b"\x81\x8d\x8f\x90 undecodable")
    write(tmp_path, "empty.md", "  \n\n")
    write(tmp_path, "fm_only.md", "---\ntitle: nothing\n---\n")
    write(tmp_path, "code.md", "```python\nprint('hello')\n```\n<Widget />\n")
    write(tmp_path, "numbers.txt", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 a b")
    write(tmp_path, "short.md", "Just a few words here.")
    write(tmp_path, "sub/copy.md", "---\ntitle: Other\n---\n" + prose(1, "ok"))
    write(tmp_path, "empty.json", "[]")
    write(tmp_path, "broken.json", "{oops")
    write(tmp_path, "cp1252.txt", ("caf\xe9 " + PROSE).encode("cp1252"))
    write(tmp_path, ".hidden/ignored.md", prose(1, "hidden"))
    write(tmp_path, "node_modules/pkg/readme.md", prose(1, "nm"))
    res = load(tmp_path)
    assert reasons(res) == {
        "image.png": "unsupported", "nul.md": "binary", "bad.md": "binary",
        "empty.md": "empty", "fm_only.md": "empty", "code.md": "not prose",
        "numbers.txt": "not prose", "short.md": "too short", "sub/copy.md": "duplicate",
        "empty.json": "empty", "broken.json": "unreadable",
    }
    details = {s.path: s.detail for s in res.skipped}
    assert details["nul.md"] == "not a text file; remove it or move it out of the folder"
    assert ".md" in details["image.png"] and "ok.md" in details["sub/copy.md"]
    assert set(by_id(res)) == {"ok.md", "cp1252.txt"}
    assert by_id(res)["cp1252.txt"].text.startswith("café")
    # every file accounted for, exactly once
    files = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
             and not any(part.startswith(".") or part == "node_modules" for part in p.parts)}
    listed = [d.path for d in res.documents] + [s.path for s in res.skipped]
    assert sorted(listed) == sorted(files)
    assert load(tmp_path, min_words=3).documents[-1].path == "short.md"


def test_unreadable_file(tmp_path):
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    res = load(tmp_path)
    assert reasons(res) == {"dangling.md": "unreadable"} and "cannot read" in res.skipped[0].detail


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_permission(tmp_path):
    p = write(tmp_path, "secret.md", prose(1))
    p.chmod(0)
    try:
        assert reasons(load(tmp_path)) == {"secret.md": "unreadable"}
    finally:
        p.chmod(0o644)


def test_single_file_and_missing_path(tmp_path):
    p = write(tmp_path, "deep/2021-06-07-post.md", prose(1))
    res = load_documents(p, IngestOptions())
    assert [(d.path, d.doc_id, d.date) for d in res.documents] == [
        ("2021-06-07-post.md", "2021-06-07-post.md", dt.date(2021, 6, 7))]
    with pytest.raises(InputError, match="no-such-dir"):
        load_documents(tmp_path / "no-such-dir", IngestOptions())


def test_date_priority_and_sources(tmp_path):
    write(tmp_path, "2020-01-01-fm.md",
          "---\npubDate: Wed, 01 May 2024 10:00:00 +0000\n---\n" + prose(1, "a"))
    write(tmp_path, "2019/07/22/deep.md", prose(1, "b"))
    write(tmp_path, "2018/03/month.md", prose(1, "c"))
    write(tmp_path, "20170102-compact.md", prose(1, "d"))
    write(tmp_path, "v2024/notes-1234.md", prose(1, "e"))
    write(tmp_path, "custom.md",
          "---\nwhen: 2016-05-05 10:30\ndate: 2015-01-01\n---\n" + prose(1, "f"))
    docs = by_id(load(tmp_path))
    assert (docs["2020-01-01-fm.md"].date, docs["2020-01-01-fm.md"].date_source) == (
        dt.date(2024, 5, 1), "front-matter:pubDate")
    assert docs["2019/07/22/deep.md"].date == dt.date(2019, 7, 22)
    assert docs["2018/03/month.md"].date == dt.date(2018, 3, 1)
    assert docs["20170102-compact.md"].date == dt.date(2017, 1, 2)
    assert docs["v2024/notes-1234.md"].date is None
    assert docs["custom.md"].date == dt.date(2015, 1, 1)
    assert by_id(load(tmp_path, date_field="when"))["custom.md"].date == dt.date(2016, 5, 5)
    # mtime only when asked, and only after content and file name
    os.utime(tmp_path / "v2024/notes-1234.md", (1_600_000_000, 1_600_000_000))
    docs = by_id(load(tmp_path, date_from="mtime"))
    assert (docs["v2024/notes-1234.md"].date, docs["v2024/notes-1234.md"].date_source) == (
        dt.date(2020, 9, 13), "mtime")
    assert docs["2019/07/22/deep.md"].date_source == "filename"


@pytest.mark.parametrize("value, expected", [
    ("2024-05-01", dt.date(2024, 5, 1)), ("2024-05-01T23:30:00-05:00", dt.date(2024, 5, 1)),
    ("2024-05-01 10:00", dt.date(2024, 5, 1)), ("2024-05", dt.date(2024, 5, 1)),
    (dt.datetime(2024, 5, 1, 9), dt.date(2024, 5, 1)), (1714521600, dt.date(2024, 5, 1)),
    (1714521600000, dt.date(2024, 5, 1)), ("1714521600", dt.date(2024, 5, 1)),
    ("May 1, 2024", dt.date(2024, 5, 1)), ("Wed, 01 May 2024 10:00:00 +0000", dt.date(2024, 5, 1)),
    ("2024", None), ("0999-01-01", None), ("2024-13-01", None), ("soon", None), (True, None),
    # a date, though not a plausible one: the ingest sets it aside as "implausible date"
    # (issue 19) instead of calling the document undated
    ("1800-01-01", dt.date(1800, 1, 1)),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("rel, expected", [
    ("2024-05-01-slug.md", dt.date(2024, 5, 1)), ("blog/20240501-slug.md", dt.date(2024, 5, 1)),
    ("2024/05/01/slug.md", dt.date(2024, 5, 1)), ("2024/05/slug.md", dt.date(2024, 5, 1)),
    ("2024-05/slug.md", dt.date(2024, 5, 1)), ("2024/slug.md", None), ("post-123456789.md", None),
    ("1985-01-01-old.md", dt.date(1985, 1, 1)),  # read, then set aside as implausible
    ("1885-01-01-old.md", None), ("2024-02-30-bad.md", dt.date(2024, 2, 1)),
])
def test_date_from_path(rel, expected):
    assert date_from_path(rel) == expected


def _git(cwd: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_dates(tmp_path):
    repo = tmp_path / "repo"
    write(repo, "content/a.md", prose(1, "a"))
    write(repo, "content/dated/2010-10-10-b.md", prose(1, "b"))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one", date="2021-03-04T12:00:00+00:00")
    _git(repo, "mv", "content/a.md", "content/renamed.md")
    write(repo, "content/c.md", prose(1, "c"))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "two", date="2022-08-09T12:00:00+00:00")
    write(repo, "content/untracked.md", prose(1, "u"))
    docs = by_id(load(repo / "content", date_from="git"))
    assert (docs["renamed.md"].date, docs["renamed.md"].date_source) == (dt.date(2021, 3, 4), "git")
    assert docs["c.md"].date == dt.date(2022, 8, 9)
    assert docs["dated/2010-10-10-b.md"].date_source == "filename"
    assert docs["untracked.md"].date is None
    assert load(repo / "content").documents[0].date_source is None  # git only when asked
    plain = tmp_path / "plain"
    write(plain, "x.md", prose(1))
    assert load(plain, date_from="git").documents[0].date is None  # not a repository


def test_segments(tmp_path):
    write(tmp_path, "root.md", "---\ncategory: [News, ' Tips ', News, '']\n---\n" + prose(1, "r"))
    write(tmp_path, "blog/a.md", "---\ncategory: Launch, Product\n---\n" + prose(1, "a"))
    write(tmp_path, "ads/b.md", prose(1, "b"))
    docs = by_id(load(tmp_path, segment_field="category"))
    assert docs["root.md"].segments == ("news", "tips")
    assert docs["blog/a.md"].segments == ("launch", "product")
    assert docs["ads/b.md"].segments == ()
    docs = by_id(load(tmp_path, segment_from="folder"))
    assert (docs["root.md"].segments, docs["blog/a.md"].segments, docs["ads/b.md"].segments) == (
        (), ("blog",), ("ads",))


def test_duplicates_in_sort_order(tmp_path):
    write(tmp_path, "b.md", prose(1, "same"))
    write(tmp_path, "a.md", "---\ntitle: Other front matter\n---\n" + prose(1, "same"))
    write(tmp_path, "c.jsonl", json.dumps({"text": prose(1, "same")}) + "\n")
    write(tmp_path, "d.jsonl", json.dumps({"text": prose(2, "ad")}) + "\n"
          + json.dumps({"text": prose(2, "ad")}) + "\n")
    res = load(tmp_path)
    # a copied file is skipped; records repeating copy are kept (re-used ad text is content
    # the duplication layer must see)
    assert [d.doc_id for d in res.documents] == ["a.md", "c.jsonl#1", "d.jsonl#1", "d.jsonl#2"]
    assert reasons(res) == {"b.md": "duplicate"}
    assert "a.md" in res.skipped[0].detail


def dated(day: str, body: str, title: str = "A post") -> str:
    return f"---\ntitle: {title}\ndate: {day}\n---\n{body}"


def details(result: IngestResult) -> dict[str, str]:
    return {s.path: s.detail for s in result.skipped}


def test_repost_later_date_is_kept_and_points_to_the_first_publication(tmp_path):
    body = prose(1, "reposted")
    write(tmp_path, "blog/2024-01-10-original.md", body)  # date from the file name
    write(tmp_path, "blog/again.md", dated("2024-06-01", body, "Back by popular demand"))
    write(tmp_path, "archive/third.md", dated("2025-02-03", "\n" + body.replace(" ", "  ")))
    write(tmp_path, "other.md", dated("2024-06-01", prose(1, "different")))
    res = load(tmp_path)
    docs = by_id(res)
    assert res.skipped == []
    assert docs["blog/2024-01-10-original.md"].repost_of is None
    # a repost is kept, analysed under its own date, and names the first publication (also for
    # the second repost, whose path sorts first and whose whitespace differs)
    assert (docs["blog/again.md"].repost_of, docs["blog/again.md"].date) == (
        "blog/2024-01-10-original.md", dt.date(2024, 6, 1))
    assert docs["blog/again.md"].title == "Back by popular demand"
    assert docs["archive/third.md"].repost_of == "blog/2024-01-10-original.md"
    assert docs["other.md"].repost_of is None
    # documents stay in (path, record) order
    assert [d.doc_id for d in res.documents] == sorted(docs)


def test_same_body_is_exact_apart_from_whitespace(tmp_path):
    body = prose(1, "exact")
    write(tmp_path, "2024-01-01-a.md", body)
    write(tmp_path, "2024-02-01-case.md", body.upper())
    write(tmp_path, "2024-03-01-punct.md", body.replace(",", ";"))
    write(tmp_path, "2024-04-01-more.md", body + " One more sentence.")
    res = load(tmp_path)
    assert res.skipped == [] and all(d.repost_of is None for d in res.documents)


def test_same_date_copies_are_skipped_with_the_reason(tmp_path):
    body = prose(1, "copied")
    post = dated("2024-03-04", body)
    write(tmp_path, "blog/2024/03/post.md", post)
    write(tmp_path, "blog/2024/09/repost-post.md", post)  # byte-identical, front matter wins
    write(tmp_path, "pages/post.md", dated("2024-03-04", body, "Other title"))
    write(tmp_path, "pages/2024-03-04-post.html",
          f"<html><body><article><p>{body}</p></article></body></html>")
    res = load(tmp_path)
    assert [d.doc_id for d in res.documents] == ["blog/2024/03/post.md"]
    assert reasons(res) == {"blog/2024/09/repost-post.md": "duplicate",
                            "pages/post.md": "duplicate", "pages/2024-03-04-post.html": "duplicate"}
    d = details(res)
    assert d["blog/2024/09/repost-post.md"] == (
        "same text and same date (2024-03-04, dated from front-matter:date) as "
        "blog/2024/03/post.md: the files are byte-identical (a copied file), not a repost; "
        "remove one of the copies, or if it was republished, give this one its own "
        "publication date (front matter 'date')")
    assert "saved twice" in d["pages/post.md"] and "byte-identical" not in d["pages/post.md"]
    assert "dated from filename" in d["pages/2024-03-04-post.html"]


def test_same_date_copy_of_a_repost_is_skipped(tmp_path):
    body = prose(1, "twice later")
    write(tmp_path, "2024-01-01-first.md", body)
    write(tmp_path, "a/2024-05-05-repost.md", body)
    write(tmp_path, "b/2024-05-05-repost.md", body)
    res = load(tmp_path)
    assert by_id(res)["a/2024-05-05-repost.md"].repost_of == "2024-01-01-first.md"
    assert reasons(res) == {"b/2024-05-05-repost.md": "duplicate"}
    assert "as a/2024-05-05-repost.md: the files are byte-identical" in res.skipped[0].detail


def test_undated_copies(tmp_path):
    body = prose(1, "undated")
    # no copy has a date: the first by path is kept (the audit lists it as undated)
    write(tmp_path, "none/b.md", body)
    write(tmp_path, "none/a.md", body)
    # a dated original and an undated copy that sorts first: the copy is skipped
    write(tmp_path, "mixed/2024-05-01-z.md", prose(1, "mixed"))
    write(tmp_path, "mixed/a-copy.md", prose(1, "mixed"))
    res = load(tmp_path)
    docs = by_id(res)
    assert set(docs) == {"none/a.md", "mixed/2024-05-01-z.md"}
    assert docs["none/a.md"].date is None and docs["none/a.md"].repost_of is None
    assert reasons(res) == {"none/b.md": "duplicate", "mixed/a-copy.md": "duplicate"}
    d = details(res)
    assert d["none/b.md"].startswith("same text as none/a.md, and neither has a date")
    assert d["mixed/a-copy.md"].startswith(
        "same text as mixed/2024-05-01-z.md (published 2024-05-01) and no date of its own")


def test_mtime_dates_do_not_make_a_repost(tmp_path):
    body = prose(1, "mtime")
    a, b = write(tmp_path, "a.md", body), write(tmp_path, "b.md", body)
    os.utime(a, (1_700_000_000, 1_700_000_000))
    os.utime(b, (1_710_000_000, 1_710_000_000))  # copied months later
    res = load(tmp_path, date_from="mtime")
    assert [d.doc_id for d in res.documents] == ["a.md"]
    assert reasons(res) == {"b.md": "duplicate"}
    assert "modification times" in res.skipped[0].detail
    # an original dated from its modification time cannot anchor a repost either
    write(tmp_path, "b.md", dated("2025-01-01", body))
    os.utime(a, (1_700_000_000, 1_700_000_000))
    assert reasons(load(tmp_path, date_from="mtime")) == {"b.md": "duplicate"}
    # both dated in their content: an original and its repost
    write(tmp_path, "a.md", dated("2024-01-01", body))
    assert by_id(load(tmp_path, date_from="mtime"))["b.md"].repost_of == "a.md"


def test_tabular_records_are_kept_and_later_ones_are_reposts(tmp_path):
    ad = prose(2, "ad")
    write(tmp_path, "ads.csv", "date,primary_text\n"
          f'2024-02-01,"{ad}"\n2024-02-01,"{ad}"\n2024-05-01,"{ad}"\n,"{ad}"\n')
    write(tmp_path, "blog/2024-01-15-post.md", prose(1, "post"))
    write(tmp_path, "feed.jsonl", json.dumps({"date": "2024-03-01", "text": prose(1, "post")}))
    write(tmp_path, "landing/2024-02-01-ad.md", ad)
    write(tmp_path, "landing/2024-06-01-ad.md", ad)
    res = load(tmp_path)
    docs = by_id(res)
    # records are never skipped: a same-date or undated repeat is kept unmarked, a later one
    # is a repost; the original is the earliest, ties by path (ads.csv#1)
    assert [docs[f"ads.csv#{i}"].repost_of for i in (1, 2, 3, 4)] == [
        None, None, "ads.csv#1", None]
    assert docs["feed.jsonl#1"].repost_of == "blog/2024-01-15-post.md"
    # whole files follow the rule against records too
    assert reasons(res) == {"landing/2024-02-01-ad.md": "duplicate"}
    assert "same date (2024-02-01, dated from filename) as ads.csv#1" in res.skipped[0].detail
    assert docs["landing/2024-06-01-ad.md"].repost_of == "ads.csv#1"


@pytest.mark.parametrize("order", [1, -1])
def test_order_on_disk_does_not_choose_the_original(tmp_path, order):
    body = prose(1, "order")
    files = [("a-repost.md", dated("2024-09-01", body)), ("m-copy.md", dated("2024-09-01", body)),
             ("z-original.md", dated("2024-01-01", body)), ("b-undated.md", body)]
    for rel, text in files[::order]:  # created in both orders
        write(tmp_path, rel, text)
    res = load(tmp_path)
    docs = by_id(res)
    # the earliest date is the original even though its path sorts last
    assert docs["z-original.md"].repost_of is None
    assert docs["a-repost.md"].repost_of == "z-original.md"
    assert reasons(res) == {"m-copy.md": "duplicate", "b-undated.md": "duplicate"}
    assert "as a-repost.md" in details(res)["m-copy.md"]
    assert [d.path for d in res.documents] + [s.path for s in res.skipped] == [
        "a-repost.md", "z-original.md", "b-undated.md", "m-copy.md"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=1, max_size=6))
def test_copies_and_reposts_invariants(tmp_path_factory, days):
    """Whatever the dates: every file is accounted for once, one original per body, every repost
    is dated after it, and no two kept whole files share a date."""
    root = tmp_path_factory.mktemp("reposts")
    body = prose(1, "invariant")
    for i, day in enumerate(days):
        text = body if day is None else dated(f"2024-01-0{day + 1}", body)
        write(root, f"f{i}.md", text)
    res = load(root)
    assert len(res.documents) + len(res.skipped) == len(days)
    assert {s.reason for s in res.skipped} <= {"duplicate"}
    originals = [d for d in res.documents if d.repost_of is None]
    assert len(originals) == 1
    first = originals[0]
    dated_days = [d for d in days if d is not None]
    if dated_days:
        assert first.date == dt.date(2024, 1, 1 + min(dated_days))
        assert first.path == f"f{days.index(min(dated_days))}.md"
    for d in res.documents:
        if d.repost_of is not None:
            assert d.repost_of == first.doc_id and d.date > first.date
    kept_dates = [d.date for d in res.documents]
    assert len(set(kept_dates)) == len(kept_dates)
    assert len(res.documents) == max(len(set(dated_days)), 1)


def test_real_corpus_oneuptime():
    res = load_documents(shared(CORPUS), IngestOptions())
    assert len(res.documents) == 105 and res.skipped == []
    assert all(d.date is not None and d.date_source == "field:date" for d in res.documents)
    assert all(d.title for d in res.documents)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode),
       ext=st.sampled_from([".md", ".mdx", ".txt", ".html", ".json", ".jsonl", ".csv", ".tsv"]))
def test_any_bytes_never_raise(tmp_path_factory, data, ext):
    root = tmp_path_factory.mktemp("fuzz")
    write(root, "f" + ext, data)
    res = load(root, min_words=1)
    listed = {d.path for d in res.documents} | {s.path.split("#")[0] for s in res.skipped}
    assert listed == {"f" + ext}
