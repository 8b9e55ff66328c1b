"""Terminal styles shared by every renderer: one colour per status."""
from __future__ import annotations

#: rich style of each status word (audit periods, check drafts, segments)
STATUS_STYLE = {"ok": "green", "watch": "yellow", "samey": "bold red", "baseline": "cyan",
                "before": "dim", "set aside": "dim"}
