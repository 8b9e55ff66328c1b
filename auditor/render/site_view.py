"""The site-wide duplicate audit in words: one summary line and one line per family, shared
by the terminal panel, the Markdown summary and the HTML report (reads fields, decides
nothing)."""
from __future__ import annotations

from auditor.progress import plural
from auditor.results import SiteDuplicates, SiteFamily


def summary_line(sd: SiteDuplicates) -> str:
    """'149 of 529 posts (28%) sit in 36 families of near-copies.'"""
    if not sd.families:
        return (f"No near-copies among all {plural(sd.documents, 'post')} "
                "(estimated word 5-gram Jaccard >= 0.8).")
    return (f"{sd.in_families:,} of {plural(sd.documents, 'post')} ({sd.share:.0%}) sit in "
            f"{plural(sd.families, 'family', 'families')} of near-copies across the whole "
            "site, not only the sampled posts.")


def family_line(f: SiteFamily) -> str:
    """'15 posts, 2025-07..2026-03 (8 periods): "Title of the oldest"' (its path when it has
    no title)."""
    first = f.documents[0] if f.documents else None
    name = (f'"{first.title}"' if first is not None and first.title
            else first.path if first is not None else "")
    span = (f.periods[0] if len(f.periods) == 1 else
            f"{f.periods[0]}..{f.periods[-1]} ({plural(len(f.periods), 'period')})"
            if f.periods else "")
    return f"{f.size} posts" + (f", {span}" if span else "") + (f": {name}" if name else "")
