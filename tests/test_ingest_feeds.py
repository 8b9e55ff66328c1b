"""WordPress exports (WXR) and RSS/Atom feeds: items as documents, safe XML, skip reasons."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from auditor.config import IngestOptions
from auditor.ingest import SUPPORTED_FORMATS, load_documents, supported_message
from auditor.ingest.html import autop, parse_html_fragment
from auditor.ingest.readers import FORMATS, REGISTRY

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"

BODY = ("Rain changes what you carry on a weekend trip. We pack a dry bag for the sleeping bag, "
        "spare socks in a zip bag, and a light tarp that goes up before the tent does.")

WXR = f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Fernleaf</title>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author><wp:author_login><![CDATA[ana]]></wp:author_login></wp:author>
  <item>
    <title><![CDATA[Packing for a wet weekend]]></title>
    <pubDate>Sat, 04 May 2024 09:00:00 +0000</pubDate>
    <dc:creator><![CDATA[ana]]></dc:creator>
    <content:encoded><![CDATA[<!-- wp:paragraph --><p>{BODY}</p><!-- /wp:paragraph -->
<!-- wp:heading --><h2>What stays home</h2><!-- /wp:heading -->
<p>Cotton stays home, and so does the <a href="https://example.com/stove">heavy stove</a>.</p>
<script>track()</script>]]></content:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_date><![CDATA[2024-05-03 22:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2024-05-04 02:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[packing-wet-weekend]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="gear-care"><![CDATA[Gear Care]]></category>
    <category domain="category" nicename="trips"><![CDATA[Trips]]></category>
    <category domain="post_tag" nicename="rain"><![CDATA[rain]]></category>
  </item>
  <item>
    <title><![CDATA[About us]]></title>
    <content:encoded><![CDATA[We are a small shop by the river, open since 1998, run by two
sisters and a dog.

Come by on a Saturday morning and we will fit your boots, patch your tent and pour you
coffee.]]></content:encoded>
    <wp:post_date><![CDATA[0000-00-00 00:00:00]]></wp:post_date>
    <pubDate>Mon, 01 Jul 2024 10:00:00 +0000</pubDate>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[page]]></wp:post_type>
  </item>
  <item>
    <title><![CDATA[Half-written gear list]]></title>
    <content:encoded><![CDATA[<p>{BODY} Draft.</p>]]></content:encoded>
    <wp:post_date><![CDATA[0000-00-00 00:00:00]]></wp:post_date>
    <wp:status><![CDATA[draft]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
  <item>
    <title><![CDATA[Old post]]></title>
    <content:encoded><![CDATA[<p>{BODY} Trash.</p>]]></content:encoded>
    <wp:post_date><![CDATA[2023-01-01 10:00:00]]></wp:post_date>
    <wp:status><![CDATA[trash]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
  <item>
    <title><![CDATA[logo-2024]]></title>
    <wp:post_date><![CDATA[2024-05-01 10:00:00]]></wp:post_date>
    <wp:status><![CDATA[inherit]]></wp:status>
    <wp:post_type><![CDATA[attachment]]></wp:post_type>
  </item>
  <item>
    <title><![CDATA[Packing for a wet weekend]]></title>
    <content:encoded><![CDATA[<p>{BODY} Revision.</p>]]></content:encoded>
    <wp:post_date><![CDATA[2024-05-03 21:00:00]]></wp:post_date>
    <wp:status><![CDATA[inherit]]></wp:status>
    <wp:post_type><![CDATA[revision]]></wp:post_type>
  </item>
</channel>
</rss>
"""

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Fernleaf news</title>
  <link>https://example.com</link>
  <item>
    <title>Caf&eacute; hours</title>
    <pubDate>Tue, 02 Apr 2024 23:30:00 -0500</pubDate>
    <category>News</category>
    <category>Shop</category>
    <description>Short teaser.</description>
    <content:encoded><![CDATA[<p>Our caf&eacute;&nbsp;now opens at seven, with fresh bread from the
village bakery every morning and coffee roasted two streets away. {BODY}</p>]]></content:encoded>
  </item>
  <item>
    <title>Trail report</title>
    <pubDate>Fri, 10 May 2024 08:00:00 GMT</pubDate>
    <category>Trails</category>
    <description>&lt;p&gt;The ridge trail reopened this week after the storm, and the rangers
cleared the fallen pines from the upper switchbacks. {BODY}&lt;/p&gt;</description>
  </item>
  <item>
    <title>Tiny note</title>
    <pubDate>Sat, 11 May 2024 08:00:00 GMT</pubDate>
    <description>Closed Monday.</description>
  </item>
</channel>
</rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Fernleaf journal</title>
  <id>urn:example:journal</id>
  <updated>2024-04-01T00:00:00Z</updated>
  <entry>
    <title type="html">Night &lt;em&gt;sky&lt;/em&gt; notes</title>
    <id>urn:example:1</id>
    <published>2024-03-31T23:30:00-05:00</published>
    <updated>2024-04-05T10:00:00Z</updated>
    <category term="night-sky" label="Night sky"/>
    <author><name>Ana</name></author>
    <content type="html">&lt;h2&gt;Where to look&lt;/h2&gt;&lt;p&gt;{BODY}&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Undated thoughts</title>
    <id>urn:example:2</id>
    <summary>{BODY} Undated.</summary>
  </entry>
</feed>
"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>x</title><description>&secret;</description></item>
</channel></rss>
"""


def write(root: Path, rel: str, content: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(content, encoding="utf-8")
    return p


def load(root: Path, **opts):
    return load_documents(root, IngestOptions(**opts))


def test_wxr_published_posts_and_pages_only(tmp_path: Path) -> None:
    write(tmp_path, "export.xml", WXR)
    res = load(tmp_path, segment_field="category")
    docs = {d.doc_id: d for d in res.documents}
    assert sorted(docs) == ["export.xml#1", "export.xml#2"]
    post = docs["export.xml#1"]
    assert post.fmt == "wxr" and post.path == "export.xml"
    assert post.title == "Packing for a wet weekend"
    # wp:post_date (the site's local date), not the GMT date or pubDate
    assert post.date == dt.date(2024, 5, 3) and post.date_source == "wxr:post_date"
    assert post.segments == ("gear care", "trips")
    assert post.headings == ((2, "What stays home"),)
    assert post.text.startswith("Rain changes what you carry")
    assert "heavy stove" in post.text and "https://" not in post.text and "track()" not in post.text
    assert "wp:paragraph" not in post.text
    page = docs["export.xml#2"]  # a page without a post date falls back to pubDate
    assert page.date == dt.date(2024, 7, 1) and page.date_source == "wxr:pubDate"
    # classic-editor paragraphs (blank lines, no <p>) stay paragraphs
    assert page.text.count("\n\n") == 1
    skipped = {s.path: (s.reason, s.detail) for s in res.skipped}
    assert skipped["export.xml#3"][0] == "not published"
    draft = skipped["export.xml#3"][1]
    assert "'draft'" in draft and "Half-written gear list" in draft
    assert skipped["export.xml#4"][0] == "not published" and "'trash'" in skipped["export.xml#4"][1]
    assert skipped["export.xml#5"][0] == "unsupported"
    assert "media file" in skipped["export.xml#5"][1]
    assert skipped["export.xml#6"][0] == "unsupported" and "revision" in skipped["export.xml#6"][1]
    assert len(res.documents) + len(res.skipped) == 6  # every item accounted for


def test_wxr_tags_as_segments(tmp_path: Path) -> None:
    write(tmp_path, "export.xml", WXR)
    docs = {d.doc_id: d for d in load(tmp_path, segment_field="tags").documents}
    assert docs["export.xml#1"].segments == ("rain",)
    assert docs["export.xml#2"].segments == ()


def test_rss_items(tmp_path: Path) -> None:
    write(tmp_path, "news.rss", RSS)
    res = load(tmp_path, segment_field="category")
    docs = {d.doc_id: d for d in res.documents}
    assert sorted(docs) == ["news.rss#1", "news.rss#2"]
    cafe = docs["news.rss#1"]
    assert cafe.fmt == "rss" and cafe.title == "Café hours"
    # the date as the feed writes it (no shift to UTC, which would give April 3)
    assert cafe.date == dt.date(2024, 4, 2) and cafe.date_source == "feed:published"
    assert cafe.segments == ("news", "shop")
    # content:encoded preferred over the short description; HTML entities read as characters
    assert cafe.text.startswith("Our café now opens at seven") and "Short teaser" not in cafe.text
    trail = docs["news.rss#2"]
    assert trail.text.startswith("The ridge trail reopened") and "<p>" not in trail.text
    assert trail.segments == ("trails",)
    assert {s.path: s.reason for s in res.skipped} == {"news.rss#3": "too short"}
    assert "min_words=20" in res.skipped[0].detail  # feed items are prose: min_words applies


def test_atom_entries(tmp_path: Path) -> None:
    write(tmp_path, "journal.atom", ATOM)
    res = load(tmp_path, segment_field="category")
    docs = {d.doc_id: d for d in res.documents}
    night = docs["journal.atom#1"]
    assert night.fmt == "atom" and night.title == "Night sky notes"
    assert night.date == dt.date(2024, 3, 31) and night.date_source == "feed:published"
    assert night.segments == ("night-sky",) and night.headings == ((2, "Where to look"),)
    undated = docs["journal.atom#2"]
    assert undated.date is None and undated.date_source is None  # never the file's name or now
    assert res.skipped == []


@pytest.mark.parametrize("ext", [".xml", ".rss", ".atom", ".feed"])
def test_feed_extensions(tmp_path: Path, ext: str) -> None:
    write(tmp_path, f"feed{ext}", RSS)
    assert len(load(tmp_path).documents) == 2


def test_entity_bomb_refused_fast(tmp_path: Path) -> None:
    write(tmp_path, "bomb.xml", BOMB)
    write(tmp_path, "bomb.rss", BOMB)
    write(tmp_path, "external.xml", EXTERNAL)
    start = time.perf_counter()
    res = load(tmp_path)
    assert time.perf_counter() - start < 10.0  # a bomb expanded would take minutes and GBs
    assert res.documents == []
    skipped = {s.path: s for s in res.skipped}
    assert set(skipped) == {"bomb.xml", "bomb.rss", "external.xml"}
    for s in skipped.values():
        assert s.reason == "unreadable" and "entit" in s.detail and "\n" not in s.detail
        assert "lol" not in s.detail and "root:" not in s.detail


def test_broken_and_foreign_xml_skipped(tmp_path: Path) -> None:
    write(tmp_path, "broken.xml", WXR[: len(WXR) // 2])
    write(tmp_path, "mismatch.rss", "<rss><channel><item><title>x</item></channel></rss>")
    write(tmp_path, "sitemap.xml", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                   "<url><loc>https://example.com/</loc></url></urlset>")
    write(tmp_path, "empty-feed.rss",
          '<rss version="2.0"><channel><title>t</title></channel></rss>')
    write(tmp_path, "blank.xml", "  \n")
    res = load(tmp_path)
    assert res.documents == []
    skipped = {s.path: s for s in res.skipped}
    assert skipped["broken.xml"].reason == "unreadable"
    assert "not well-formed XML" in skipped["broken.xml"].detail
    assert "line 1" in skipped["mismatch.rss"].detail
    assert "mismatched tag" in skipped["mismatch.rss"].detail
    assert skipped["sitemap.xml"].reason == "unsupported"
    assert "<urlset>" in skipped["sitemap.xml"].detail
    assert skipped["empty-feed.rss"].reason == "empty"
    assert skipped["blank.xml"].reason == "empty"
    assert all("\n" not in s.detail for s in res.skipped)


def test_checked_in_fixtures() -> None:
    """The fixture folder: a WXR export, an RSS and an Atom feed, an entity bomb, a broken file."""
    res = load_documents(FIXTURES, IngestOptions(segment_field="category"))
    kinds = {d.fmt for d in res.documents}
    assert kinds == {"wxr", "rss", "atom"}
    assert all(d.date is not None and d.segments for d in res.documents)
    reasons = {s.path: s.reason for s in res.skipped}
    assert reasons == {"broken.xml": "unreadable", "laughs.xml": "unreadable",
                       "wordpress-export.xml#3": "not published",
                       "wordpress-export.xml#4": "unsupported"}


def test_registry_is_the_one_mapping() -> None:
    assert FORMATS[".xml"] == FORMATS[".rss"] == FORMATS[".atom"] == FORMATS[".feed"] == "xml"
    assert FORMATS[".csv"] == "csv" and FORMATS[".md"] == "markdown"
    assert {e for f in REGISTRY for e in f.extensions} == set(FORMATS)
    assert "WordPress export (WXR)" in SUPPORTED_FORMATS and "RSS/Atom" in SUPPORTED_FORMATS
    msg = supported_message()
    assert msg.startswith("supported: Markdown") and ".rss" in msg and ".csv" in msg


def test_unsupported_names_formats(tmp_path: Path) -> None:
    write(tmp_path, "deck.pptx", "x")
    (s,) = load(tmp_path).skipped
    assert s.reason == "unsupported" and "WordPress export (WXR)" in s.detail and ".rss" in s.detail


def test_autop_and_fragment() -> None:
    assert autop("One.\n\nTwo <em>b</em>.\n\n<h2>H</h2>") == \
        "<p>One.</p>\n<p>Two <em>b</em>.</p>\n<h2>H</h2>"
    text, headings = parse_html_fragment("First line here.\n\n<h3>A heading</h3>\n\nLast line.")
    assert text == "First line here.\n\nA heading\n\nLast line." and headings == ((3, "A heading"),)
    assert parse_html_fragment("") == ("", ())
    assert parse_html_fragment("Shop boots now")[0] == "Shop boots now"


def test_overlapping_saved_feeds_count_once(tmp_path: Path) -> None:
    """The same item in two saved feeds (same text, same date) is one post: the later copy by
    path is skipped as ``duplicate``; rows of ad exports, by contrast, are never skipped."""
    write(tmp_path, "2024-05/news.rss", RSS)
    write(tmp_path, "2024-06/news.rss", RSS)
    res = load(tmp_path)
    assert sorted(d.doc_id for d in res.documents) == ["2024-05/news.rss#1", "2024-05/news.rss#2"]
    dup = {s.path: s for s in res.skipped if s.reason == "duplicate"}
    assert sorted(dup) == ["2024-06/news.rss#1", "2024-06/news.rss#2"]
    assert "2024-05/news.rss#1" in dup["2024-06/news.rss#1"].detail
