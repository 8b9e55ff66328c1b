"""HTML pages -> prose, with trafilatura.

trafilatura finds the main content (navigation, header, footer, comments and boilerplate dropped)
and writes it as Markdown without links or images, which ``clean_markdown`` turns into prose and
headings. It runs offline on the file's text (nothing is fetched) and deterministically, with
``favor_recall`` so short pages are kept. Title: trafilatura's metadata (``og:title``, ``<title>``,
first heading); date: its metadata from meta tags such as ``article:published_time`` only (no
guessing from the text), source ``meta:date``.

``parse_html_fragment`` reads the HTML body of a post held in an export or feed (WordPress
``content:encoded``, RSS/Atom content) with the same cleaning: paragraphs separated only by blank
lines, as WordPress stores classic-editor posts, are first wrapped in ``<p>`` (like WordPress's
``wpautop``), and if trafilatura keeps nothing of a fragment that has text, the fragment's text is
cleaned as Markdown with inline HTML (``clean_markdown``) so that no short post is lost.
"""
from __future__ import annotations

import html as htmllib
import logging
import re

from auditor.ingest.markdown import Parsed, clean_markdown, split_front_matter

_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title>")
_BLOCK = re.compile(r"(?is)^\s*<(?:p|div|h[1-6]|ul|ol|li|dl|blockquote|table|pre|figure|section|"
                    r"article|header|footer|aside|hr|!--)[\s>/-]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def parse_html(text: str) -> Parsed:
    """The main text, headings, title and meta date of an HTML page (empty text if none found)."""
    import trafilatura  # lazily: ~0.5 s to import, and `samey check` on Markdown never needs it

    try:
        doc = trafilatura.extract_with_metadata(
            text, output_format="markdown", favor_recall=True, include_comments=False,
            include_links=False, include_images=False, include_formatting=True,
            include_tables=True, deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # noqa: BLE001 - a page trafilatura cannot parse is not prose
        doc = None
    body = split_front_matter(doc.text)[1] if doc is not None and doc.text else ""
    prose, headings = clean_markdown(body)
    title = getattr(doc, "title", None)
    if not title and (m := _TITLE.search(text)):
        title = " ".join(htmllib.unescape(m.group(1)).split())
    date = getattr(doc, "date", None)
    return Parsed(
        prose, title or None, headings, date=date, date_source="meta:date" if date else None,
        raw_empty=not text.strip(),
    )


def autop(fragment: str) -> str:
    """Wrap the blank-line separated chunks of an HTML fragment that do not start with a block
    tag in ``<p>`` (as WordPress's ``wpautop`` does when it renders a classic-editor post)."""
    chunks = [c for c in _BLANK_LINES.split(fragment.replace("\r\n", "\n")) if c.strip()]
    return "\n".join(c if _BLOCK.match(c) else f"<p>{c.strip()}</p>" for c in chunks)


def parse_html_fragment(fragment: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Prose and headings of the HTML body of one post (see the module docstring)."""
    if not fragment.strip():
        return "", ()
    page = parse_html(f"<html><body><article>{autop(fragment)}</article></body></html>")
    if page.text.strip():
        return page.text, page.headings
    return clean_markdown(fragment)
