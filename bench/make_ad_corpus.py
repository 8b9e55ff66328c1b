#!/usr/bin/env python3
"""Generate ``sample_corpora/tidewater-ads``: a synthetic Google-Ads-like export (standard library
only, fixed seed; running it again reproduces the file byte for byte).

Tidewater Paddle Co., a fictional kayak-tour outfitter, exports its responsive search ads as one
CSV, ``ads/tidewater-ads-export.csv`` with columns ``date,campaign,ad_group,headline,description``
(headlines of 1-6 words, descriptions of 9-17 words: every description is under samey's 20-word
minimum for prose files). 15 months, 2025-01 to 2026-03, 24-29 rows a month, 389 in all.

* 2025-01 to 2025-06: varied copy, written from many frames (trip details, places, guides,
  seasons, wildlife, practical notes), no stock phrases, no description used twice.
* From 2025-07 a growing share of rows (15% rising to 95% in 2026-03) is stock copy: five
  descriptions and five headlines built from a handful of phrases ("Unforgettable adventures
  await", "Book now and save 20%", "Don't miss out"), often re-run verbatim. Expected verdict:
  samey (wording, structure and duplication converge).

Two deliberate problem rows: one with an empty description (skipped ``empty``) and one whose
description is two words (skipped ``too short``: fewer than ``min_record_words`` = 3).

All text is synthetic, written for samey.
Usage: python3 bench/make_ad_corpus.py [--out sample_corpora]
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
from pathlib import Path

SEED = 20250707
BRAND = "tidewater-ads"
MONTHS = [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 4)]
# Share of stock rows per month (0 for the first six months).
STOCK_SHARE = [0.0] * 6 + [0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
CAMPAIGNS = {
    "sunrise-tours": ["sunrise paddle", "early birds"],
    "wildlife": ["birding", "dolphins", "salt marsh"],
    "families": ["kids", "family float"],
    "evening": ["moonlight", "bioluminescence"],
    "lessons": ["first timers", "rescue skills"],
    "gift-cards": ["gifts"],
}

PLACES = ["the salt marsh", "Heron Creek", "the old lighthouse", "Oyster Point", "the barrier "
          "island", "Cutter's Inlet", "the tidal flats", "Mill Pond", "the harbor mouth",
          "Pelican Bar", "the cypress slough", "Gull Rock"]
TIMES = ["at first light", "on the falling tide", "after the ferry leaves", "before breakfast",
         "under a full moon", "on weekday mornings", "when the wind drops", "at slack water"]
ANIMALS = ["herons", "ospreys", "bottlenose dolphins", "fiddler crabs", "river otters",
           "roseate spoonbills", "sea turtles", "oystercatchers"]
GEAR = ["stable sit-on-top kayaks", "dry bags", "spray skirts", "kid-sized paddles",
        "tandem boats", "waterproof phone pouches", "warm fleece ponchos"]
GUIDES = ["Marisol", "Dev", "Captain Ruth", "Tomasz", "Keisha", "Old Abe"]
EXTRAS = ["hot cider", "a tide chart", "fresh figs", "a laminated bird card", "oyster crackers",
          "a thermos of chicory coffee"]
FRAMES = [
    "Paddle past {place} {time} and count the {animal}.",
    "{guide} has led trips around {place} for nine summers. Ask about the shipwreck.",
    "Two hours, flat water, {gear} included. Bring a hat and {extra_plain}.",
    "We launch from the fish dock {time}; parking is free behind the bait shop.",
    "Last week a pod of {animal} followed our group halfway to {place}.",
    "No experience needed: {guide} starts every tour with ten minutes on the sand.",
    "Our smallest paddler was four, our oldest ninety-one. Both steered.",
    "Glide through {place} while {guide} explains how the tide feeds the marsh.",
    "Water too choppy? We reschedule or refund, no questions, same day.",
    "Watch for {animal} near {place}; binoculars ride in every hatch.",
    "Groups of eight or fewer, so you hear the birds instead of the crowd.",
    "Warm up afterwards with {extra_plain} on the porch of our boathouse.",
    "Learn a wet exit in the shallows, then paddle to {place} {time}.",
    "Cold mornings mean glassy water. We hand out {gear} at the ramp.",
    "Gift a sunset float: the card arrives with {extra_plain} and a hand-drawn map.",
    "Bioluminescent plankton light up each stroke in August. Book a dark-moon date.",
    "Every tour stops at {place} so kids can look for {animal} in the mud.",
    "Fishing guides told us where the {animal} gather {time}. Now we tell you.",
    "Rent {gear} by the hour, or join {guide} for the full loop.",
    "The creek narrows to a boat width under the cypress. Duck, then look up.",
    "Saturday history paddle: rum runners, a sunken dredge and {place}.",
    "Sore shoulders? Our tandem boats let the stronger paddler do the work.",
    "Tide tables decide our schedule, so every trip rides the current home.",
    "Spot {animal}, then sketch them at the boathouse table with {guide}.",
]
HEAD_FRAMES = ["Paddle {place_short}", "Kayak Tours at Dawn", "Meet {guide} on the Water",
               "Spot {animal_cap}", "Flat Water, Small Groups", "Moonlight Floats",
               "First Kayak Lesson", "Family Creek Tours", "Birding by Kayak",
               "Marsh Tours From $39", "Gift a Paddle Day", "History on the Water",
               "Rent a Kayak by the Hour", "Quiet Water Mornings"]
STOCK_DESCRIPTIONS = [
    "Unforgettable adventures await. Book now and save 20% today!",
    "Discover unforgettable adventures on the water. Book now and save 20%!",
    "Don't miss out! Unforgettable adventures await. Book now and save 20%!",
    "Unforgettable adventures await you. Don't miss out, book now and save!",
    "Discover the magic of the coast. Unforgettable adventures await. Book now!",
]
STOCK_HEADLINES = ["Unforgettable Adventures Await", "Book Now & Save 20%",
                   "Don't Miss Out", "Discover the Magic", "Unforgettable Kayak Tours"]


def _fill(frame: str, rng: random.Random) -> str:
    place = rng.choice(PLACES)
    return frame.format(
        place=place, place_short=place.replace("the ", "").title(), time=rng.choice(TIMES),
        animal=rng.choice(ANIMALS), animal_cap=rng.choice(ANIMALS).title(),
        gear=rng.choice(GEAR), guide=rng.choice(GUIDES), extra_plain=rng.choice(EXTRAS))


def _rows(rng: random.Random) -> list[list[str]]:
    rows, seen = [], set()
    groups = [(c, g) for c, gs in CAMPAIGNS.items() for g in gs]
    for mi, (y, m) in enumerate(MONTHS):
        n = rng.randint(24, 28)
        stock = round(STOCK_SHARE[mi] * n)
        kinds = [True] * stock + [False] * (n - stock)
        rng.shuffle(kinds)
        days = sorted(rng.randint(1, 28) for _ in range(n))
        for day, is_stock in zip(days, kinds):
            campaign, group = rng.choice(groups)
            if is_stock:
                head = rng.choice(STOCK_HEADLINES)
                desc = rng.choice(STOCK_DESCRIPTIONS)
            else:  # varied copy is never re-run word for word
                head = _fill(rng.choice(HEAD_FRAMES), rng)
                desc = _fill(rng.choice(FRAMES), rng)
                while desc in seen:
                    desc = _fill(rng.choice(FRAMES), rng)
                seen.add(desc)
            rows.append([f"{y}-{m:02d}-{day:02d}", campaign, group, head, desc])
    # Two deliberate problem rows (see the module docstring).
    rows.insert(40, ["2025-02-14", "gift-cards", "gifts", "Valentine Floats", ""])
    rows.insert(90, ["2025-04-09", "lessons", "first timers", "Lessons", "Book today."])
    return rows


def make_ads(root: Path) -> dict:
    """Write the corpus under ``root`` (replacing it); returns rows per month."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(SEED)
    rows = _rows(rng)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["date", "campaign", "ad_group", "headline", "description"])
    w.writerows(rows)
    (root / "ads").mkdir(parents=True)
    (root / "ads" / "tidewater-ads-export.csv").write_text(buf.getvalue(), encoding="utf-8")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[0][:7]] = counts.get(r[0][:7], 0) + 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "sample_corpora"))
    args = ap.parse_args()
    print("tidewater-ads rows per month:", make_ads(Path(args.out) / BRAND))


if __name__ == "__main__":
    main()
