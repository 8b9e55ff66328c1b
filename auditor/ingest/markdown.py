"""Markdown, MDX and plain text -> prose.

``clean_markdown`` keeps what a reader reads as prose and drops the rest: fenced and indented code
(MDX has no indented code), inline code, images (alt text too), link targets (link text kept),
autolinks and bare URLs, reference definitions, HTML tags and comments (their text kept, except
``script``/``style``), table syntax (cells kept, a row per line), and all emphasis, heading, list
and blockquote markers. Parsing is markdown-it-py's CommonMark (plus tables and strikethrough).

Before parsing, ``strip_mdx`` removes, outside fenced code: MDX ``import``/``export`` statements
(also multi-line ones), JSX component tags (capitalised names or ``<>`` fragments, self-closing or
not, props over several lines; the children's text is kept, as MDX children are Markdown), and
Hugo shortcodes ``{{< ... >}}``/``{{% ... %}}``. In ``.mdx`` files ``{expressions}`` go too.

Paragraphs are separated by blank lines; the items of one list form one paragraph, an item per
line; heading text is its own paragraph (and also listed in ``headings``).
"""
from __future__ import annotations

import html as htmllib
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import frontmatter
from frontmatter.default_handlers import BaseHandler, YAMLHandler
from markdown_it import MarkdownIt

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass
class Parsed:
    """What a format reader found in one file or record, before checks, dates and segments."""

    text: str
    title: str | None = None
    headings: tuple[tuple[int, str], ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)  # front matter, or the record's fields
    index: int | None = None  # 1-based record number in a tabular file
    date: Any = None  # a date already found in the content (HTML meta tags)
    date_source: str | None = None
    raw_empty: bool = False  # nothing at all to read (as opposed to nothing but markup)
    fmt: str | None = None  # Document.fmt when the reader knows better than the extension (wxr)
    truncated: bool = False  # the text was cut to IngestOptions.max_document_bytes
    date_note: str | None = None  # why a record with a date value has no date (see dates)


class _TOMLHandler(BaseHandler):
    """TOML front matter between ``+++`` lines, read with the standard library."""

    FM_BOUNDARY = re.compile(r"^\+{3}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: Any) -> dict[str, Any]:
        return tomllib.loads(fm)


_FM_BLOCK = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?\n\1[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """``(metadata, body)``; front matter that does not parse is dropped with metadata ``{}``."""
    if not _FM_BLOCK.match(text):
        return {}, text
    handler = _TOMLHandler() if text.startswith("+++") else YAMLHandler()
    try:
        post = frontmatter.loads(text, handler=handler)
        meta = post.metadata if isinstance(post.metadata, dict) else {}
        return dict(meta), post.content
    except Exception:  # noqa: BLE001 - any bad YAML/TOML: keep the body, lose the metadata
        return {}, _FM_BLOCK.sub("", text, count=1)


# ------------------------------------------------------------------ MDX / JSX

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_IMPORT = re.compile(r"^(import\s+(?:['\"]|[\w*{].*\bfrom\s*['\"])"
                     r"|export\s+(?:const|let|var|function|async|class|default|\{|\*))")
_JSX_START = re.compile(r"<(?:/?[A-Z][\w.:-]*(?=[\s/>])|/?>)")
_MAX_TAG = 4000  # a "tag" not closed within this many characters is left alone (e.g. "Vec<T")
_SHORTCODE = re.compile(r"\{\{([<%]).*?\1\}\}", re.DOTALL)
_OPEN, _CLOSE = "([{", ")]}"


def _balance(s: str) -> int:
    return sum(s.count(c) for c in _OPEN) - sum(s.count(c) for c in _CLOSE)


def _tag_end(text: str, start: int) -> int:
    """Index after the ``>`` closing the JSX tag at ``start`` (quotes and ``{}`` respected),
    or -1 when there is none nearby."""
    depth, quote, i = 0, "", start + 1
    while i < min(len(text), start + _MAX_TAG):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'`" and depth:  # noqa: SIM114 (JSX expression; below: attribute)
            quote = ch
        elif ch in "\"'" and text[i - 1] == "=":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == ">" and depth == 0:
            return i + 1
        i += 1
    return -1


def _remove_braced(text: str) -> str:
    """Drop top-level ``{...}`` expressions (MDX), keeping the newlines they spanned."""
    out, depth, chunk = [], 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        if depth:
            chunk.append(ch)
        else:
            out.append(ch)
        if ch == "}" and depth:
            depth -= 1
            if not depth:
                out.append("\n" * "".join(chunk).count("\n"))
                chunk = []
    return "".join(out + chunk)


def _strip_jsx(text: str, mdx: bool) -> str:
    text = _SHORTCODE.sub("", text)
    out, pos = [], 0
    for m in _JSX_START.finditer(text):
        if m.start() < pos:
            continue
        end = _tag_end(text, m.start())
        if end < 0:
            continue
        out.append(text[pos:m.start()] + "\n" * text.count("\n", m.start(), end))
        pos = end
    text = "".join(out) + text[pos:]
    return _remove_braced(text) if mdx else text


def strip_mdx(text: str, *, mdx: bool = False) -> str:
    """Remove MDX imports/exports, JSX tags and shortcodes outside fenced code blocks."""
    out: list[str] = []
    prose: list[str] = []
    fence, balance = "", 0
    for line in text.split("\n"):
        if fence:
            out.append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            continue
        if balance > 0:  # inside a multi-line import/export
            balance += _balance(line)
            prose.append("")
            continue
        if m := _FENCE.match(line):
            out.append(_strip_jsx("\n".join(prose), mdx) + "\n" if prose else "")
            prose, fence = [], m.group(1)
            out[-1] += line
            continue
        if _IMPORT.match(line):
            balance = max(0, _balance(line))
            prose.append("")
            continue
        prose.append(line)
    if prose:
        out.append(_strip_jsx("\n".join(prose), mdx))
    return "\n".join(out)


# ------------------------------------------------------------------ Markdown

_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"]", re.I)
_SPACES = re.compile(r"[ \t\u00a0]+")
_SPACE_PUNCT = re.compile(r"[ \t]+([.,;:!?)](?:\s|$))")
_BLOCK_TAGS = re.compile(r"(?i)</(?:p|div|li|h[1-6]|tr|table|blockquote|section|article|ul|ol)\s*>"
                         r"|<br\s*/?>|<hr\s*/?>")
_DROP_TAGS = re.compile(r"(?is)<!--.*?-->|<(script|style|svg)\b.*?</\1\s*>")
_TAG = re.compile(r"<[^>]*>")


@lru_cache(maxsize=2)
def _parser(mdx: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return md.disable("code") if mdx else md


def _tidy(s: str) -> str:
    """Bare URLs out, runs of spaces collapsed, lines stripped, blank lines dropped."""
    s = _SPACE_PUNCT.sub(r"\1", _URL.sub("", s))
    lines = (_SPACES.sub(" ", line).strip() for line in s.split("\n"))
    return "\n".join(line for line in lines if line)


def strip_html(s: str) -> list[str]:
    """Paragraphs of text in an HTML fragment (tags, comments, scripts and styles removed)."""
    s = _TAG.sub("", _BLOCK_TAGS.sub("\n\n", _DROP_TAGS.sub("", s)))
    paras = (_tidy(htmllib.unescape(p)) for p in re.split(r"\n\s*\n", s))
    return [p for p in paras if p]


def _inline(children: list[Any]) -> str:
    out, skipping = [], False
    for tok in children:
        if skipping:
            skipping = tok.type != "link_close"
        elif tok.type == "text":
            out.append(tok.content)
        elif tok.type == "softbreak":
            out.append(" ")
        elif tok.type == "hardbreak":
            out.append("\n")
        elif tok.type == "link_open" and tok.markup == "autolink":
            skipping = True
        elif tok.type == "html_inline" and re.match(r"(?i)<br\b", tok.content):
            out.append(" ")
        # images, inline code, html tags and emphasis markers are dropped
    return _tidy("".join(out))


# Anything that could be Markdown/HTML syntax; text without it is already prose (fast path).
_MARKUP = re.compile(r"[`*_#<>\[\]|~{}\\]|^ {4}|^\s*(?:[-+=]|\d+[.)])(?:\s|$)|://|^\s*$\n^\s*-{3,}",
                     re.M)


def clean_markdown(body: str, *, mdx: bool = False) -> tuple[str, tuple[tuple[int, str], ...]]:
    """``(prose text, headings)`` of a Markdown/MDX body without front matter.

    Plain prose with no Markdown or HTML syntax at all skips the parser (10x faster on large
    JSONL/CSV exports) and gives the same result: its paragraphs, whitespace-normalised.
    """
    if not _MARKUP.search(body):
        plain = (" ".join(p.split()) for p in re.split(r"\n\s*\n", body))
        return "\n\n".join(p for p in plain if p), ()
    tokens = _parser(mdx).parse(strip_mdx(body, mdx=mdx))
    blocks: list[str] = []
    headings: list[tuple[int, str]] = []
    items: list[str] = []  # lines of the current (outermost) list or table
    depth, heading = 0, 0
    cells: list[str] | None = None  # the cells of the current table row
    for tok in tokens:
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open", "table_open"):
            depth += 1
        elif t in ("bullet_list_close", "ordered_list_close", "table_close"):
            depth -= 1
            if depth == 0 and items:
                blocks.append("\n".join(items))
                items = []
        elif t == "heading_open":
            heading = int(tok.tag[1])
        elif t == "tr_open":
            cells = []
        elif t == "tr_close":
            if cells:
                items.append(" ".join(cells))
            cells = None
        elif t == "inline":
            text = _inline(tok.children or [])
            if heading and text:
                headings.append((heading, " ".join(text.split())))
            heading = 0
            if not text:
                continue
            if cells is not None:
                cells.append(" ".join(text.split()))
            elif depth:
                items.append(text)
            else:
                blocks.append(text)
        elif t == "html_block":
            paras = strip_html(tok.content)
            (items if depth else blocks).extend(paras)
    if items:
        blocks.append("\n".join(items))
    return "\n\n".join(blocks), tuple(headings)


def humanise(rel_path: str) -> str:
    """A title from a file name: ``2024-05-01-my-post.md`` -> ``My post`` (``index``/``README``
    take their folder's name)."""
    parts = rel_path.split("/")
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    if stem.lower() in ("index", "_index", "readme") and len(parts) > 1:
        stem = parts[-2]
    name = re.sub(r"^\d{4}[-_]?\d{2}(?:[-_]?\d{2})?[-_]", "", stem)
    name = re.sub(r"[-_\s]+", " ", name).strip() or stem
    return name[:1].upper() + name[1:]


def parse_markdown(
    text: str, rel_path: str, *, mdx: bool = False, title_key: str = "title"
) -> Parsed:
    """A Markdown/MDX file: front matter, prose, headings and title (front matter ``title``,
    else the first H1, else the humanised file name)."""
    meta, body = split_front_matter(text)
    prose, headings = clean_markdown(body, mdx=mdx)
    title = meta.get(title_key)
    if not isinstance(title, str) or not title.strip():
        title = next((h for level, h in headings if level == 1), None) or humanise(rel_path)
    return Parsed(prose, title.strip(), headings, meta, raw_empty=not body.strip())


def parse_text(text: str, rel_path: str) -> Parsed:
    """A plain text file, kept as is (trailing spaces and extra blank lines removed). Title: the
    first paragraph when it is a single line under 100 characters followed by more text, else
    the humanised file name. No headings."""
    paras = [
        "\n".join(line.rstrip() for line in p.strip("\n").split("\n"))
        for p in re.split(r"\n[ \t]*\n", text) if p.strip()
    ]
    first = paras[0].strip() if paras else ""
    # not a threshold: a title is one short line
    short = len(paras) > 1 and "\n" not in first and len(first) < 100
    return Parsed("\n\n".join(paras), first if short else humanise(rel_path), raw_empty=not paras)
