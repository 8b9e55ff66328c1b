"""WordPress exports (WXR) and RSS / Atom feeds: one item = one document.

Every XML file is first parsed with ``defusedxml`` (the standard library's expat parser with
entity declarations and external references refused): a file that declares entities (the
"billion laughs" entity bomb and its relatives) or points at external resources is skipped as
``unreadable`` before anything expands, and a file that is not well-formed XML is skipped as
``unreadable`` with the parser's message (line and column). Nothing is fetched. HTML entity names
that XML does not define (``&nbsp;``, ``&eacute;``: common in feeds) are read as the characters
they name (rewritten to character references, then parsed again), never as declared entities.
The root element then says what the file is:

* **WordPress export (WXR)**: ``<rss>`` whose ``<channel>`` holds elements in a
  ``http://wordpress.org/export/1.x/`` or ``https://wordpress.org/export/1.x/`` namespace
  (``wp:wxr_version``...; WordPress.com and the official theme unit test data use https).
  Each ``<item>`` is record
  ``file.xml#N`` (N counts items from 1). Only posts and pages (``wp:post_type``) that are
  published (``wp:status`` ``publish``) are read; attachments, revisions, menu items and other
  post types are skipped as ``unsupported``, drafts, pending, private, scheduled and trashed
  posts as ``not published``, each with its title. Text: ``content:encoded``, HTML cleaned like an
  HTML page (``html.parse_html_fragment``). Title: ``<title>``. Date: ``wp:post_date`` (the date as
  the site shows it), else ``pubDate``, else ``wp:post_date_gmt``; source ``wxr:<element>``.
  Metadata (usable as ``segment_field``): ``category`` (the ``<category domain="category">``
  names), ``tags`` (``domain="post_tag"``), any other taxonomy under its domain name
  (``product_cat``...), ``author`` (``dc:creator``), ``slug``, ``post_type``.
* **RSS 0.9x/1.0/2.0 and Atom feeds** (root ``<rss>`` without the WordPress namespace, ``<feed>``
  in the Atom namespace, or RSS 1.0's ``<rdf:RDF>``): read with ``feedparser`` from the checked
  bytes. Each entry is record ``file.xml#N``. Text: the longest ``content`` (RSS
  ``content:encoded``, Atom ``<content>``), else the ``summary`` / ``description``, cleaned like
  HTML. Title: the entry title as plain text. Date: ``published`` (RSS ``pubDate``, Atom
  ``published``), else ``updated``, read as written (the day the feed states, no time-zone
  shift); source ``feed:published`` / ``feed:updated``. Metadata: ``category`` and ``tags``, both
  the entry's ``<category>`` terms (RSS and Atom have one list), and ``author``.

Any other XML (a sitemap, an Office file, a config) is skipped as ``unsupported``, naming its root
element. A feed or export without items is ``empty``.
"""
from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re
import xml.etree.ElementTree as ET
from html.entities import name2codepoint
from typing import Any

from auditor.config import MAX_DOCUMENT_BYTES
from auditor.ingest.dates import parse_date
from auditor.ingest.html import parse_html_fragment
from auditor.ingest.markdown import Parsed
from auditor.ingest.walk import cap_text
from auditor.types import Skipped

WP_NS = ("http://wordpress.org/export/", "https://wordpress.org/export/")
ATOM_ROOTS = ("{http://www.w3.org/2005/Atom}feed", "{http://purl.org/atom/ns#}feed")
RDF_ROOT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
READ_TYPES = ("post", "page")
_TAG = re.compile(r"<[^>]*>")
_WHAT = {"attachment": "media file entry", "revision": "revision (an earlier version of a post)",
         "nav_menu_item": "menu entry", "wp_block": "reusable block",
         "wp_template": "theme template", "wp_template_part": "theme template part",
         "wp_navigation": "navigation menu", "wp_global_styles": "theme styles entry",
         "custom_css": "custom CSS entry"}
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def parse_xml(data: bytes, rel: str,
              max_bytes: int = MAX_DOCUMENT_BYTES) -> list[Parsed | Skipped]:
    """The items of a WXR export or RSS/Atom feed (``index`` set), skipped items, or a single
    ``Skipped`` for the whole file (see the module docstring). ``max_bytes``: each item's HTML
    is cut to this many bytes (``Parsed.truncated``)."""
    root = _safe_root(data, rel)
    if isinstance(root, Skipped) and "undefined entity" in root.detail:
        # Feeds often carry HTML entities (&nbsp;) that XML does not define: read them as the
        # character references they stand for (nothing is declared or expanded), once.
        fixed = _NAMED_ENTITY.sub(_char_ref, data)
        if fixed != data and not isinstance(again := _safe_root(fixed, rel), Skipped):
            root, data = again, fixed
    if isinstance(root, Skipped):
        return [root]
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is not None and any(_ns(el.tag).startswith(WP_NS) for el in channel):
        return _wxr(channel, rel, max_bytes)
    if root.tag == "rss" or root.tag in ATOM_ROOTS or root.tag == RDF_ROOT:
        return _feed(data, rel, max_bytes)
    return [Skipped(rel, "unsupported", f"an XML file with root element <{_local(root.tag)}>, "
                    "neither a WordPress export (WXR) nor an RSS/Atom feed; remove it or move "
                    "it out of the folder")]


def _safe_root(data: bytes, rel: str) -> ET.Element | Skipped:
    """The root element, parsed without expanding entities or fetching anything; a ``Skipped``
    for a file that declares entities, refers outside itself, or is not well-formed."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        kind = type(e).__name__
        what = ("declares XML entities (<!ENTITY ...>)" if "Entit" in kind
                else "refers to external resources (an external DTD or entity)")
        return Skipped(rel, "unreadable", f"the file {what}, which samey never expands or fetches "
                       "(a file like this can be an 'entity bomb'); export it again without "
                       "a DOCTYPE or entity declarations")
    except ET.ParseError as e:
        return Skipped(rel, "unreadable", f"not well-formed XML ({e}); fix the file or export it "
                       "again")
    except (ValueError, RecursionError) as e:  # e.g. an impossible encoding declaration
        return Skipped(rel, "unreadable", f"cannot parse the XML ({e}); fix the file or export "
                       "it again")


def _char_ref(m: re.Match[bytes]) -> bytes:
    """``&nbsp;`` -> ``&#160;`` for an HTML entity name; anything else unchanged."""
    name = m.group(1)
    if name in _XML_ENTITIES or (code := name2codepoint.get(name.decode("ascii"))) is None:
        return m.group(0)
    return b"&#%d;" % code


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _plain(s: Any) -> str:
    """One line of plain text from a title (tags dropped, entities decoded, spaces collapsed)."""
    return " ".join(htmllib.unescape(_TAG.sub(" ", str(s or ""))).split())


def _first_date(candidates: list[tuple[str, Any]]) -> tuple[dt.date | None, str | None]:
    for source, value in candidates:
        if (date := parse_date(value)) is not None:
            return date, source
    return None, None


# ------------------------------------------------------------------------- WordPress export


def _wxr(channel: ET.Element, rel: str, max_bytes: int) -> list[Parsed | Skipped]:
    items = channel.findall("item")
    if not items:
        return [Skipped(rel, "empty", "a WordPress export without any <item>; export the posts "
                        "again (Tools > Export > All content)")]
    out: list[Parsed | Skipped] = []
    for n, item in enumerate(items, 1):
        fields: dict[str, str] = {}
        meta: dict[str, Any] = {}
        for el in item:
            ns, name = _ns(el.tag), _local(el.tag)
            text = el.text or ""
            if name == "category" and not ns:
                domain = el.get("domain") or "category"
                key = "tags" if domain == "post_tag" else domain
                if label := " ".join(text.split()):
                    meta.setdefault(key, []).append(label)
            elif ns.startswith(WP_NS):
                fields.setdefault(f"wp:{name}", text.strip())
            elif ns == CONTENT_NS:
                fields.setdefault(f"content:{name}", text)
            elif ns == DC_NS:
                fields.setdefault(f"dc:{name}", text.strip())
            elif not ns:
                fields.setdefault(name, text)
        title = _plain(fields.get("title")) or None
        named = f" ('{title}')" if title else ""
        ptype = fields.get("wp:post_type", "post") or "post"
        status = fields.get("wp:status", "publish") or "publish"
        rid = f"{rel}#{n}"
        if ptype not in READ_TYPES:
            what = _WHAT.get(ptype, f"'{ptype}' entry")
            out.append(Skipped(rid, "unsupported", f"a WordPress {what}{named}, not a post or "
                               "page; only published posts and pages are audited (nothing to "
                               "fix)"))
            continue
        if status != "publish":
            out.append(Skipped(rid, "not published", f"WordPress {ptype} with status '{status}'"
                               f"{named}; only published posts and pages are audited: publish it "
                               "to include it"))
            continue
        raw, cut = cap_text(fields.get("content:encoded", ""), max_bytes)
        prose, headings = parse_html_fragment(raw)
        date, source = _first_date([("wxr:post_date", fields.get("wp:post_date")),
                                    ("wxr:pubDate", fields.get("pubDate")),
                                    ("wxr:post_date_gmt", fields.get("wp:post_date_gmt"))])
        meta.update({k: v for k, v in (("author", fields.get("dc:creator")),
                                       ("slug", fields.get("wp:post_name")),
                                       ("post_type", ptype)) if v})
        out.append(Parsed(prose, title, headings, meta, n, date, source,
                          raw_empty=not raw.strip(), fmt="wxr", truncated=cut))
    return out


# ------------------------------------------------------------------------- RSS / Atom


def _feed(data: bytes, rel: str, max_bytes: int) -> list[Parsed | Skipped]:
    import feedparser  # lazily: only feeds need it

    # A file object, never a string: feedparser would take a string for a URL or a path.
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if not entries:
        return [Skipped(rel, "empty", "a feed without any item or entry; remove it or export a "
                        "feed that lists the posts")]
    kind = "atom" if str(parsed.get("version", "")).startswith("atom") else "rss"
    out: list[Parsed | Skipped] = []
    for n, entry in enumerate(entries, 1):
        contents = [c.get("value") or "" for c in entry.get("content") or []]
        raw = max(contents, key=len) if contents else ""
        if not raw.strip():
            raw = entry.get("summary") or ""
        raw, cut = cap_text(raw, max_bytes)
        prose, headings = parse_html_fragment(raw)
        # dict.get: feedparser's own get() answers "updated" with "published" (and warns)
        date, source = _first_date([("feed:published", dict.get(entry, "published")),
                                    ("feed:updated", dict.get(entry, "updated"))])
        if date is None:
            date, source = _struct_date(entry)
        labels = [_plain(t.get("term") or t.get("label")) for t in entry.get("tags") or []]
        labels = [label for label in labels if label]
        meta: dict[str, Any] = {"category": labels, "tags": labels} if labels else {}
        if author := _plain(entry.get("author")):
            meta["author"] = author
        out.append(Parsed(prose, _plain(entry.get("title")) or None, headings, meta, n, date,
                          source, raw_empty=not raw.strip(), fmt=kind, truncated=cut))
    return out


def _struct_date(entry: Any) -> tuple[dt.date | None, str | None]:
    """A date from feedparser's parsed (UTC) time when the string itself did not parse."""
    for key in ("published", "updated"):
        t = dict.get(entry, f"{key}_parsed")
        try:
            date = parse_date(dt.date(*t[:3])) if t is not None else None
        except (TypeError, ValueError):
            date = None
        if date is not None:
            return date, f"feed:{key}"
    return None, None
