"""Notes that describe rather than flag: templated but stable content (e.g. release notes)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from auditor.judge.thresholds import TEMPLATED_SHARE


def templated_notes(base_openings: Sequence[str | None], later_openings: Sequence[str | None],
                    *, structure_moved: bool) -> list[str]:
    """Describe templated-but-stable content instead of flagging it: an opening shared by at
    least ``TEMPLATED_SHARE`` of baseline posts while the structure layer did not move.

    >>> note = templated_notes(["This week in", "This week in", "Hello"], ["This week in", "Hi"],
    ...                        structure_moved=False)[0]
    >>> note.startswith('Templated but stable: "This week in ..." opens 67% of baseline posts '
    ...                 'and 50% of later ones')
    True
    >>> templated_notes(["This week in"] * 3, ["Hi"], structure_moved=True)
    []
    """
    if structure_moved:
        return []
    counts = Counter(o for o in base_openings if o)
    if not counts or not later_openings:
        return []
    text, n = max(counts.items(), key=lambda kv: kv[1])
    share = n / len(base_openings)
    if share < TEMPLATED_SHARE:
        return []
    later_share = sum(o == text for o in later_openings) / len(later_openings)
    return [f"Templated but stable: \"{text} ...\" opens {share:.0%} of baseline posts and "
            f"{later_share:.0%} of later ones (e.g. recurring announcements); templated content "
            "that has not grown beyond normal variation is described, not flagged."]
