#!/usr/bin/env python3
"""Generate the synthetic sample corpora in ``sample_corpora/`` (standard library only).

Two fictional brands:

* ``fernleaf-outdoor``: an outdoor gear shop whose content stays varied for the whole span.
  Documents are composed sentence by sentence from a hand-written grammar (many topic families,
  frames and slot fillers); a sentence is rejected when it would repeat any 8-word sequence
  already used anywhere in the brand's corpus, so no two documents share long word runs.
* ``brightpath-saas``: a B2B software company whose content becomes samey: varied human-style
  posts at first, then a growing share of posts built from a few templates with a small pool of
  slot fillers, increasingly remixed from its own earlier templated posts, with topics and
  vocabulary narrowing.

All text is synthetic, written for samey. Deterministic: running the script again produces
byte-identical files.

A third folder, ``tidewater-ads`` (a Google-Ads-like CSV export), is written by
``bench/make_ad_corpus.py``, which this script runs.

Usage: python3 bench/make_sample_corpora.py [--out sample_corpora]
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import re
import shutil
import struct
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_ad_corpus import BRAND as ADS_BRAND  # noqa: E402  (the ad export, its own script)
from make_ad_corpus import make_ads  # noqa: E402

SEED = 20250101
MONTHS = [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 4)]
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
WORD_RE = re.compile(r"[a-z0-9']+")
SLOT_RE = re.compile(r"\{(\w+)\}")
NGRAM = 8


# ---------------------------------------------------------------------------------------------
# grammar engine
# ---------------------------------------------------------------------------------------------

def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


def expand(template: str, pools: dict, rng: random.Random, depth: int = 0) -> str:
    """Replace every {slot} with a random filler of pools[slot], recursively."""
    if depth > 8:
        return template

    def sub(m: re.Match) -> str:
        key = m.group(1)
        pool = pools[key]
        if callable(pool):
            val = pool(rng)
        else:
            val = pool[rng.randrange(len(pool))]
        return expand(val, pools, rng, depth + 1)

    return SLOT_RE.sub(sub, template)


def cap(s: str) -> str:
    s = s.strip()
    return s[:1].upper() + s[1:] if s else s


def title_case(s: str) -> str:
    small = {"a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "at", "with", "by",
             "from", "vs", "is"}
    out = []
    for i, w in enumerate(s.split()):
        if i > 0 and w.lower() in small:
            out.append(w.lower())
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def split_lines(block: str) -> list[str]:
    return [ln.strip() for ln in block.strip().splitlines() if ln.strip()]


class NgramGuard:
    """Global register of 8-word sequences; refuses text that would repeat one."""

    def __init__(self, strict: bool = True):
        self.seen: set[tuple[str, ...]] = set()
        self.strict = strict

    def grams(self, toks: list[str]) -> list[tuple[str, ...]]:
        return [tuple(toks[i:i + NGRAM]) for i in range(len(toks) - NGRAM + 1)]

    def ok(self, context: list[str], toks: list[str], local: set) -> bool:
        if not self.strict:
            return True
        joined = context[-(NGRAM - 1):] + toks
        return all(not (g in self.seen or g in local) for g in self.grams(joined))

    def add_local(self, context: list[str], toks: list[str], local: set) -> None:
        joined = context[-(NGRAM - 1):] + toks
        local.update(self.grams(joined))

    def commit(self, local: set) -> None:
        self.seen.update(local)


class DocBuilder:
    """Accumulates a document's body while checking every piece against the guard."""

    def __init__(self, guard: NgramGuard, pools: dict, rng: random.Random, transform=None,
                 reusable: frozenset = frozenset(), fallback: bool = False):
        self.guard, self.pools, self.rng = guard, pools, rng
        self.fallback = fallback
        self.transform = transform or (lambda s, r: s)
        self.reusable = reusable
        self.local: set = set()
        self.toks: list[str] = []
        self.blocks: list[str] = []
        self.para: list[str] = []
        self.used: set[str] = set()

    def try_text(self, frames: list[str], tries: int = 40, unique: bool = True) -> str | None:
        """Expand a random frame (not yet used in this doc) so that it passes the guard."""
        for _ in range(tries):
            fr = frames[self.rng.randrange(len(frames))]
            if unique and fr in self.used and fr not in self.reusable:
                continue
            text = self.transform(expand(fr, self.pools, self.rng), self.rng)
            t = words(text)
            if self.guard.ok(self.toks, t, self.local):
                self.guard.add_local(self.toks, t, self.local)
                self.toks.extend(t)
                self.used.add(fr)
                return text
        if self.fallback or not self.guard.strict:
            fr = frames[self.rng.randrange(len(frames))]
            text = self.transform(expand(fr, self.pools, self.rng), self.rng)
            self.toks.extend(words(text))
            return text
        return None

    def sentence(self, frames: list[str]) -> bool:
        s = self.try_text(frames)
        if s is None:
            return False
        s = cap(s)
        if s[-1] not in ".!?\"'":
            s += "."
        self.para.append(s)
        return True

    def end_para(self) -> None:
        if self.para:
            self.blocks.append(" ".join(self.para))
            self.para = []

    def raw(self, text: str) -> None:
        """A block outside the sentence flow (heading, list, code); its words count too."""
        self.end_para()
        t = words(text)
        self.guard.add_local(self.toks, t, self.local)
        self.toks.extend(t)
        self.blocks.append(text)

    def heading(self, frames: list[str], level: int = 2) -> bool:
        self.end_para()
        h = self.try_text(frames)
        if h is None:
            return False
        self.blocks.append("#" * level + " " + cap(h))
        return True

    def bullets(self, frames: list[str], n: int, numbered: bool = False) -> None:
        self.end_para()
        items = []
        for _ in range(n):
            num = f"{len(items) + 1}. " if numbered else ""
            it = self.try_text([num + f for f in frames])
            if it is None:
                continue
            it = it[len(num):]
            items.append(num + cap(it) if numbered else f"- {cap(it)}")
        if items:
            self.blocks.append("\n".join(items))

    def nwords(self) -> int:
        return len(self.toks)

    def body(self) -> str:
        self.end_para()
        return "\n\n".join(self.blocks) + "\n"


def slugify(title: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    parts = s.split("-")
    return "-".join(parts[:7])


def front_matter(fields: list[tuple[str, object]]) -> str:
    out = ["---"]
    for k, v in fields:
        if v is None:
            continue
        if isinstance(v, list):
            out.append(f"{k}: [{', '.join(v)}]")
        elif k == "title":
            out.append(f'{k}: "{v}"')
        else:
            out.append(f"{k}: {v}")
    out.append("---")
    return "\n".join(out) + "\n\n"


def tiny_png(rgb: tuple[int, int, int]) -> bytes:
    """A valid 4x4 single-colour PNG built with zlib and struct."""
    w = h = 4
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def md_to_html_blocks(body: str) -> str:
    """Tiny Markdown subset -> HTML for the article pages."""
    out = []
    for block in body.strip().split("\n\n"):
        if block.startswith("## "):
            out.append(f"<h2>{block[3:]}</h2>")
        elif block.startswith("### "):
            out.append(f"<h3>{block[4:]}</h3>")
        elif block.startswith("- "):
            items = "".join(f"<li>{ln[2:]}</li>" for ln in block.splitlines())
            out.append(f"<ul>{items}</ul>")
        elif re.match(r"\d+\. ", block):
            items = "".join(f"<li>{ln.split('. ', 1)[1]}</li>" for ln in block.splitlines())
            out.append(f"<ol>{items}</ol>")
        else:
            txt = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", block)
            out.append(f"<p>{txt}</p>")
    return "\n      ".join(out)


def html_page(brand: str, nav: list[str], title: str, date: str, body: str, footer: str) -> str:
    links = "\n".join(f'        <li><a href="/{n.lower().replace(" ", "-")}/">{n}</a></li>' for n in nav)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | {brand}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta property="article:published_time" content="{date}">
  <link rel="stylesheet" href="/assets/site.css">
</head>
<body>
  <nav class="site-nav">
    <ul>
{links}
    </ul>
  </nav>
  <header class="site-header">
    <a class="logo" href="/">{brand}</a>
    <p class="tagline">{footer.split('|')[0].strip()}</p>
  </header>
  <main>
    <article>
      <h1>{title}</h1>
      {md_to_html_blocks(body)}
    </article>
  </main>
  <footer class="site-footer">
    <p>{footer}</p>
    <p><a href="/privacy/">Privacy</a> · <a href="/terms/">Terms</a> · <a href="/newsletter/">Newsletter</a></p>
  </footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# fernleaf-outdoor: shared slot pools
# ---------------------------------------------------------------------------------------------

def _num(lo, hi):
    return lambda r: str(r.randint(lo, hi))


def _dec(lo, hi):
    return lambda r: f"{r.randint(lo, hi)}.{r.randint(0, 9)}"


FERN_POOLS: dict = {
    "place": ["{pname} {landform}"],
    "pname": split_lines("""
        Cedar
        Haskett
        Wren
        Obsidian
        Larkspur
        Tamarack
        Halloway
        Blue Heron
        Quillby
        Marten
        Stonecrop
        Juniper
        Eskerdale
        Kettle
        Foxglove
        Alder
        Burnt Mill
        Silverbell
        Copperleaf
        Dunmore
        Old Sawyer
        Pika
        Merrow
        Sandhill
        Greywacke
        Lantern
        Hollins
        Tillery
        Ashgrove
        Calloway
        Bramble
        Owl Hoot
        Cinder
        Mossback
        Fiddler
        Redtail
        Widow's
        Pennyroyal
        Gannet
        Lost Mitten
        """),
    "landform": split_lines("""
        Ridge
        Notch
        Falls
        Lake
        Basin
        Gap
        Hollow
        Bluff
        Creek
        Knob
        Meadows
        Pass
        Point
        Canyon
        Dome
        Saddle
        Tarn
        Flats
        Spur
        Narrows
        """),
    "first": split_lines("""
        Maya
        Theo
        Priya
        Jonah
        Ines
        Callum
        Rosa
        Dev
        Harriet
        Luis
        Noor
        Ezra
        Wren
        Tomas
        Aiyana
        Felix
        June
        Omar
        Greta
        Kenji
        Lottie
        Marcus
        Sunniva
        Ike
        Beatriz
        Rafe
        Odette
        Sam
        Yusuf
        Clementine
        Arlo
        Mireille
        Hank
        Leilani
        Bram
        Soledad
        Pete
        Astrid
        Cyrus
        Delphine
        """),
    "last": split_lines("""
        Okafor
        Lindqvist
        Marsh
        Delgado
        Whitcombe
        Nakamura
        Abernathy
        Rahman
        Coyle
        Fairweather
        Brandt
        Osei
        Pell
        Ruiz
        Halvorsen
        McAllister
        Tran
        Quintero
        Baptiste
        Sorensen
        Kowalczyk
        Achebe
        Holloway
        Ferreira
        Strand
        Ibarra
        Duchamp
        Whitaker
        Moreau
        Yazzie
        """),
    "person": ["{first} {last}"],
    "city": split_lines("""
        Bend
        Asheville
        Missoula
        Duluth
        Bozeman
        Flagstaff
        Bellingham
        Marquette
        Boise
        Burlington
        Durango
        Chattanooga
        Ely
        Hood River
        Port Angeles
        Lander
        Truckee
        Keene
        Moab
        Bishop
        """),
    "season": ["spring", "early summer", "late summer", "autumn", "early winter", "the shoulder season",
               "mud season", "high summer", "the first cold snap", "late spring"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "month": MONTH_NAMES,
    "n2": _num(2, 9),
    "n10": _num(10, 60),
    "n100": _num(110, 950),
    "miles": _dec(2, 19),
    "feet": lambda r: f"{r.randint(3, 38) * 100:,}",
    "degrees": _num(18, 88),
    "hours": _dec(1, 9),
    "number_word": ["two", "three", "four", "five", "six", "seven", "eight", "a dozen", "eleven", "nine"],
    "critter": split_lines("""
        a pair of ravens
        a marmot the size of a loaf of bread
        three mule deer
        a very unbothered porcupine
        a kingfisher working the shallows
        a garter snake sunning on the tread
        a grouse that exploded out of the brush
        two otters in the outflow
        a barred owl asking who cooks for you
        a bull moose in the willows
        a pika shouting from the talus
        a flock of cedar waxwings
        a black bear sow with one cub
        an indignant red squirrel
        a heron standing like a fence post
        a salamander under a wet log
        """),
    "plant": split_lines("""
        beargrass
        fireweed
        trillium
        huckleberry bushes
        lupine
        glacier lilies
        wild ginger
        sword fern
        paintbrush
        serviceberry
        columbine
        skunk cabbage
        red osier dogwood
        bunchberry
        yarrow
        saxifrage
        """),
    "sky": split_lines("""
        a flat pewter sky
        high cirrus drifting in from the west
        a sky so blue it looked painted
        clouds stacking up over the peaks by noon
        thin smoke from a fire two valleys over
        a low fog that burned off by ten
        sideways drizzle
        a cold, clear morning
        afternoon thunderheads
        wind that never settled
        """),
    "fabric": ["nylon ripstop", "merino", "waxed canvas", "recycled polyester fleece", "Gore-Tex",
               "a brushed grid fleece", "Dyneema composite", "cotton duck", "alpha insulation",
               "a 20-denier shell", "boiled wool", "hemp blend"],
    "item": split_lines("""
        rain shell
        down puffy
        trail runners
        leather boots
        45-liter pack
        sleeping pad
        two-person tent
        camp stove
        headlamp
        trekking poles
        water filter
        bear canister
        fleece midlayer
        wool socks
        sun hoody
        packraft
        hammock
        quilt
        bivy sack
        camp chair
        daypack
        gaiters
        insulated bottle
        microspikes
        """),
    "store": ["our {city} shop", "the {city} store", "the repair bench in {city}",
              "our warehouse outside {city}", "the rental counter in {city}"],
    "staffer": ["{first}, who runs {store},", "{first} from {store}", "{person}, one of our buyers,",
                "{first} on our customer care team", "{person}, a seasonal guide we work with,",
                "{first} in the repair room", "our product tester {first}",
                "{first}, who has worked the rental counter for {n2} years,"],
}

# ---------------------------------------------------------------------------------------------
# fernleaf-outdoor: topic families (hand-written frames)
# ---------------------------------------------------------------------------------------------

FERN_FAMILIES = [
    dict(
        name="trail-guide", category="trails", tags=["trail guide", "hiking", "day hikes", "routes"],
        structures=["headed", "prose", "headed", "list"], length=(180, 390),
        titles=split_lines("""
            {place} loop: a {season} day hike
            Walking the long way around {place}
            The quiet side of {place}
            {place} to {place} in one push
            A beginner's route up {place}
            Trail notes: {place} after the rain
            Why we keep going back to {place}
            An evening walk to {place}
            {place}, counterclockwise
            """),
        openings=split_lines("""
            The trailhead lot at {place} holds maybe {n2} cars, so get there before eight
            Most people skip {place} because the first mile is a slog through second-growth alder
            We scouted this route twice in {season}, once in {sky} and once in perfect light
            If you have one free {weekday} this month, spend it on the {miles}-mile loop past {place}
            There is a point on the climb to {place} where the trees open and everyone stops talking
            {staffer} has walked this loop more times than anyone on staff, so we asked for the details
            Nobody would call the hike to {place} glamorous, and that is exactly why we like it
            Here is a route for the days when you want big views without a big alarm clock
            """),
        sentences=split_lines("""
            The trail gains {feet} feet in the first {miles} miles, then levels out along a bench of {plant}
            Expect {sky}; the ridge makes its own weather
            We met {critter} near the second creek crossing
            Past the junction, stay left at the cairn and follow the faint tread toward {place}
            The footing turns to loose scree for about a quarter mile, so slow down and use your poles
            There is a spring at mile {miles} that runs until midsummer, but carry a filter anyway
            In {season} the meadows here are thick with {plant} and {plant}
            The last pitch to the top is steep enough that you will use your hands once or twice
            Parking requires a day pass, which you can buy at the ranger kiosk or online
            Dogs are allowed on leash, though the boardwalk section is hard on small paws
            Plan on {hours} hours if you stop for lunch and pictures
            From the saddle you can see {place} and, on a clear day, the smoke of the mill at {city}
            The descent follows an old logging grade that is easy on the knees
            Cell coverage disappears after the first switchback, so download the map before you leave
            Bring a layer even in {season}, because the wind at the top is relentless
            We turned around once at the creek when snowmelt had it running waist-deep
            The trail is signed at every fork, which is rare for this district
            Look for the old fire lookout foundation just off trail to the east
            A short spur leads to a swimming hole that stays cold well into August
            Huckleberries ripen along the lower trail by the middle of {month}
            The route crosses private timber land for a half mile, so stay on the road there
            Blowdown from last winter still blocks the upper switchbacks in a few places
            A volunteer crew from {city} rebuilt the bridge over the outlet last fall
            The lake itself sits in a bowl of granite and rarely has more than a few visitors
            If the gate is closed, add {miles} miles of road walking each way
            Early starters get the ridge to themselves and the best light on {place}
            The loop works in either direction, but clockwise puts the steep part on the way up
            Camping is allowed at the lower lake with a free permit from the district office
            Mosquitoes are fierce near the tarns until the first frost
            For a shorter day, turn around at the viewpoint above {place} and you will still see plenty
            Snow lingers on the north side of the pass until late {month} in most years
            The final mile back runs through a quiet stand of old cedar
            """),
        headings=split_lines("""
            Getting there
            The route
            What to expect on the climb
            Water and camping
            When to go
            Conditions this {season}
            The way down
            Before you leave the car
            Worth the detour
            Permits and parking
            """),
        items=split_lines("""
            Distance: {miles} miles round trip
            Elevation gain: about {feet} feet
            Best season: {season}
            Water: reliable at the lower creek, seasonal above
            Dogs: allowed on leash
            Permit: free day-use tag at the trailhead
            Time: {hours} hours at an easy pace
            Highlight: the view of {place} from the saddle
            Crowds: light on weekdays, busy on {weekday} mornings
            Map: the district sheet for {place}
            """),
        closings=split_lines("""
            Tell us how your day on {place} went the next time you stop by {store}
            Pack out what you pack in, and say hi to the ravens for us
            See you at the trailhead
            If you find the cairn knocked over at the junction, please stack it back up
            Trail conditions change fast, so check with the ranger station before you go
            """),
    ),
    dict(
        name="gear-care", category="gear", tags=["gear care", "repair", "how-to"],
        structures=["qa", "steps", "headed", "prose"], length=(150, 360),
        titles=split_lines("""
            How to wash a {item} without ruining it
            Bringing a tired {item} back to life
            Storing your {item} for the off season
            Five minutes of care for your {item}
            What we learned from {n100} repaired {item}s
            The honest guide to waterproofing a {item}
            When to retire a {item}
            Questions we hear about caring for a {item}
            """),
        openings=split_lines("""
            Last year our repair bench saw {n100} pieces of gear, and most of the damage was preventable
            A good {item} can last a decade if you give it a little attention twice a year
            {staffer} gets asked the same question every {weekday}: can I put this in the washing machine
            There is a lot of folklore about caring for {fabric}, and most of it is wrong
            Your {item} came home from the trip muddy, damp and a little smelly, which is normal
            Caring for gear is not glamorous, but it is the cheapest upgrade you will ever make
            """),
        sentences=split_lines("""
            Use a technical wash rather than regular detergent, which leaves residue that attracts water
            Close every zipper and loosen the cords before the {item} goes into the machine
            Tumble dry on low with a couple of clean tennis balls to break up clumps of down
            Never store a {item} compressed; hang it in a closet or keep it in a loose cotton sack
            If the face fabric wets out in the rain, the water repellent finish needs refreshing, not the membrane
            A warm iron on the lowest setting, with a towel in between, can revive a tired finish
            Pine pitch comes off {fabric} with a dab of hand sanitizer and patience
            Check the seam tape on your {item} by holding it up to a bright window
            Delaminating seam tape can be reglued with a thin bead of urethane sealant
            A small tear under two inches is a perfect job for a tenacious tape patch with rounded corners
            Salt from sweat breaks down {fabric} faster than sun does, so rinse after long days
            Leather boots want a cleaning with a stiff brush and water before any conditioner goes on
            Do not dry boots next to a woodstove; the glue in the rand will let go
            Stuff the toes of wet boots with newspaper and change it every few hours
            Zippers that stick usually need cleaning, not replacing; an old toothbrush works wonders
            A dab of zipper wax on the teeth keeps a tent door running smoothly in sandy places
            Inflatable pads should be stored with the valve open so the foam can breathe
            Trim frayed webbing with scissors and seal the end with a lighter for a few seconds
            Our repair room in {city} will quote any fix for free before doing the work
            We would rather patch your {item} than sell you a new one, honestly
            The most common failure we see is a broken buckle, and that is a two-dollar part
            Sun is the quiet enemy of tents, so pitch in the shade when you can
            Aluminum poles with a crack can be splinted with the repair sleeve that came in the bag
            Wash your {item} when it looks dirty or stops performing, not on a schedule
            A spray-on treatment is fine for shells; wash-in products are better for fleece
            Let everything dry completely before it goes back in the gear closet
            Mildew spots on {fabric} rarely wash out fully, but an enzyme cleaner stops the smell
            Lubricate the shock cord in tent poles with a bit of silicone if it has gone stiff
            Store stove fuel canisters somewhere cool and away from the furnace
            Replace the O-rings on your stove every couple of seasons, before they leak
            """),
        headings=split_lines("""
            What you will need
            Washing
            Drying
            Small repairs at home
            When to bring it to us
            Storage
            The mistakes we see most
            A note on {fabric}
            """),
        items=split_lines("""
            A technical wash made for {fabric}
            A soft brush and a bucket of lukewarm water
            Two clean tennis balls for the dryer
            A repair patch kit with rounded patches
            Urethane seam sealer
            An old toothbrush for zippers
            A large, breathable storage sack
            A towel and a cool iron
            Zipper wax or a bar of paraffin
            Silicone lubricant for pole shock cord
            """),
        qas=split_lines("""
            Can I machine wash a {item}?|Usually yes, on a gentle cycle with a technical wash. Check the label first, and skip fabric softener entirely, because it clogs the pores that let the fabric breathe.
            How often should I re-treat a shell?|When water stops beading on the shoulders and cuffs. For most hikers that is once or twice a season.
            Is it safe to dry down in a dryer?|On low heat, yes. Add tennis balls and expect it to take {n2} cycles before the clusters are fully dry.
            My {item} smells even after washing. Why?|Body oils build up in synthetic fibers. A long soak in an enzyme cleaner usually fixes it.
            Should I fix a tear myself or bring it in?|Small holes are easy at home. Anything along a seam or near a zipper is worth bringing to {store}.
            How do I store a sleeping bag?|Loose and dry, never in its stuff sack. A big mesh bag or a closet shelf is ideal.
            What voids the warranty?|Very little. Wear and tear is not covered, but a failed seam or a broken zipper on a newer {item} usually is.
            """),
        closings=split_lines("""
            Bring it by {store} if you get stuck; the bench is open on {weekday}s
            A little care now saves you a soggy night later
            Questions about a specific repair? Reply to this post or call the shop
            Your gear worked hard for you this season, so return the favor
            """),
    ),
    dict(
        name="staff-story", category="community", tags=["staff", "people", "stories"],
        structures=["prose", "prose", "headed"], length=(200, 400),
        titles=split_lines("""
            Meet {first}, the person behind {store}
            {first} and the {n10}-year-old {item}
            A day on the floor with {first}
            Why {first} left a desk job for the rental counter
            {first}'s favorite place nobody talks about
            Ten questions for {person}
            """),
        openings=split_lines("""
            {first} started at Fernleaf in the stockroom {n2} years ago and now runs {store}
            If you have ever had a boot fitted in {city}, there is a good chance {first} did it
            I grew up {n10} miles from {place}, so working here felt less like a job and more like coming home
            {first} keeps a notebook behind the counter with every trail report customers bring in
            Ask {first} about the winter of the broken snowshoe and you will get a very long story
            Before Fernleaf, {first} spent {n2} years as a wildland firefighter out of {city}
            """),
        sentences=split_lines("""
            My first real trip was a soggy weekend at {place} with a borrowed {item} and no idea what I was doing
            The best part of the job is the moment someone realizes a pair of boots actually fits
            I still carry the same {item} I bought with my first employee discount
            On days off I am usually somewhere near {place}, ideally with a thermos of bad coffee
            People come in nervous about their first overnight, and they leave a little braver
            The worst part is inventory week, and I will not pretend otherwise
            {first} learned to sew on a treadle machine that belonged to a grandmother in {city}
            There is a photo of {first} on the break room wall holding a trout and grinning like a kid
            Customers bring {first} cookies every December, which says most of what you need to know
            My partner and I got engaged at the top of {place}, in {sky}
            What I want new hikers to know is that nobody starts out with the right gear
            I learned more about fit from a retired cobbler in {city} than from any training
            The one trip I would repeat is a week paddling the lakes above {place}
            I am the person who reads the whole warranty policy, so feel free to ask me anything
            Every spring I teach a map and compass class, and somebody always gets gloriously lost
            {first} swears that a {item} with a story is worth two without one
            My dog Juniper has more trail miles than most of our staff
            Working the counter on a rainy {weekday} is mostly about listening
            Honestly, the best gear advice I ever got was to buy less and use it more
            I keep a list of trail names customers have given their gear, and a headlamp named Gerald is my favorite
            When the shop is quiet, {first} practices knots with a length of old climbing rope
            Our regulars know to ask {first} about where the huckleberries are this year
            I came for a summer job and stayed because the people here actually go outside
            A mentor once told me to pack for the trip you are on, not the one you are afraid of
            The hardest thing I ever did outside was turning back {n10} minutes from a summit
            {first} is slowly walking every trail in the district and keeps a tally on a paper map
            After {n2} seasons here I still get a little thrill unboxing new tents
            The dream, {first} says, is a canoe trip long enough to lose track of the days
            """),
        headings=split_lines("""
            How it started
            On the shop floor
            Days off
            The trip that changed things
            Advice for new hikers
            Favorite piece of gear
            """),
        items=split_lines("""
            Favorite trail: the loop around {place}
            Go-to snack: salted dark chocolate
            Most-used gear: a battered {item}
            Dream trip: a month on the water above {place}
            Hidden talent: fixing zippers in under five minutes
            Best advice: start small and go often
            """),
        closings=split_lines("""
            Stop by {store} and say hello to {first}
            If you see {first} at the trailhead, ask about the snowshoe story
            We are lucky to have people like {first} on the team
            Next month we will introduce someone from the warehouse crew
            """),
    ),
    dict(
        name="sustainability", category="sustainability", tags=["sustainability", "materials", "repair", "impact"],
        structures=["headed", "prose", "headed", "list"], length=(200, 400),
        titles=split_lines("""
            What our {season} numbers say about waste
            Where your {item} goes when you are done with it
            The trouble with {fabric}
            Our packaging, one year later
            Repair counts: what {n100} fixes kept out of the landfill
            Why we stopped selling a best-seller
            A plain-language look at our supply chain
            """),
        openings=split_lines("""
            We promised to report on our footprint every {season}, and here is the latest, warts and all
            The greenest {item} is usually the one already in your closet
            Last year we shipped {n100} orders in plastic mailers, and we are not proud of that
            Our buyers spent three weeks visiting mills this {season}, and they came back with hard questions
            We get asked a lot whether recycled fabrics actually make a difference
            Talking about sustainability is easy; measuring it is the hard part
            """),
        sentences=split_lines("""
            Our repair program fixed {n100} items last year, up from {n100} the year before
            Recycled polyester still sheds microfibers, so we recommend a filter bag in the wash
            Most of the emissions in a {item} come from making the fabric, not from shipping it
            We now ship in paper mailers that can go in any curbside recycling bin
            Our trade-in program gives store credit for used gear in any condition we can resell or salvage
            The worn-out pieces we cannot resell become patches, pulls and repair stock
            PFAS-based water repellents are on their way out of our catalog by the end of next year
            The alternatives are not quite as durable yet, and we will tell you honestly when they fail
            We buy wool only from farms with audited land and animal care standards
            Freight by ocean instead of air cut our shipping emissions by roughly a third
            Our {city} store runs on a community solar subscription
            We do not plant trees to offset flights; we try to take fewer flights
            A tent that lasts twice as long halves its footprint, which is why durability is our first filter
            Some suppliers could not show us where their fabric was dyed, so we stopped working with them
            Bluesign certification covers the chemistry in a mill, not the whole product
            The resale corner at {store} sold {n100} used items this {season}
            Customers sent back {n100} pounds of worn gear through the mail-in program
            Hang tags are now printed on scrap paper from a mill near {city}
            We discontinued a popular fleece because its factory would not allow independent audits
            There is no such thing as a zero-impact {item}, and anyone who says otherwise is selling something
            Recycled nylon costs us about {n10} percent more, and we have chosen not to pass that on
            Our goal is for half of sales to include a repaired, resold or rented item by {n2} years from now
            Rental is the quiet hero here: one rental tent went out {n10} times last summer
            We still use some virgin materials where nothing else is safe, such as climbing webbing
            The warehouse switched to reusable totes for transfers between stores
            Electricity for the repair room comes entirely from the rooftop panels installed last spring
            Our biggest source of waste is still returns, and most of them are sizing problems
            So we rewrote every fit guide and added photos of real people, not just models
            """),
        headings=split_lines("""
            The numbers
            What went well
            What did not
            Materials
            Shipping and packaging
            What comes next
            How you can help
            """),
        items=split_lines("""
            Items repaired: {n100}
            Pounds of gear resold: {n100}
            Share of shipments in paper: {n10} percent
            Rental nights booked: {n100}
            Suppliers audited this year: {n10}
            Flights taken by staff: down {n10} percent
            """),
        closings=split_lines("""
            We will publish the next update in {month}, whether the numbers look good or not
            If you have ideas for doing better, our inbox is open
            Fix it, pass it on, or rent it; buying new is the last option on that list
            Thanks for holding us to this
            """),
    ),
    dict(
        name="camp-recipe", category="community", tags=["camp kitchen", "recipes", "food"],
        structures=["recipe", "recipe", "recipe"], length=(140, 330),
        titles=split_lines("""
            One-pot {dish} for cold nights
            {first}'s trail {dish}
            A no-cook {dish} for hot days
            Camp {dish} that survives a long carry
            The {dish} we make at every staff trip
            Breakfast {dish} in ten minutes
            """),
        openings=split_lines("""
            This {dish} started as a happy accident on a rainy night at {place}
            Nobody on our staff agrees about much, but everyone agrees about this {dish}
            If you are tired of rehydrated noodles, this {dish} is your way out
            {staffer} brought this {dish} to the staff overnight and it was gone in minutes
            A good camp meal should cook in one pot and taste better than it has any right to
            We have been tinkering with this {dish} for {n2} seasons and it is finally ready to share
            """),
        sentences=split_lines("""
            Pack the dry ingredients at home in a zip bag so dinner is just add water and stir
            The {ingredient} adds a savory depth that makes it taste like it took hours
            Bring the water to a rolling boil before anything goes in the pot
            Stir often so nothing scorches on the thin bottom of a backpacking pot
            A squeeze of lemon at the end wakes everything up
            If you want more protein, add a pouch of {ingredient} in the last minute
            Let it sit covered for five minutes off the heat; patience is the secret ingredient
            This keeps for {n2} days without refrigeration if the weather stays cool
            Kids love it, and so do grown-ups who claim they do not like {ingredient}
            At altitude, add an extra splash of water and a couple more minutes
            We serve it straight from the pot with a long spoon and no apologies
            It is about {n100} calories a serving, which is exactly what you want after a big day
            Double the spice if you are cooking for {first}, who thinks everything is bland
            The leftovers make a surprisingly good breakfast, cold, straight from the bag
            Toast the {ingredient} in a dry pan first if you have the fuel to spare
            A folding spatula is worth the weight for this one
            Pack a little olive oil in a leakproof bottle; it turns any meal into dinner
            Clean the pot with a splash of hot water and drink it, which is less gross than it sounds
            Scrape food scraps into your trash bag, never into the lake
            Store everything in your bear canister overnight, including the spice kit
            """),
        headings=split_lines("""
            Ingredients
            At home
            At camp
            Swaps and notes
            """),
        ingredients=split_lines("""
            1 cup instant couscous
            2/3 cup quick oats
            1/2 cup dried cranberries
            2 tablespoons peanut butter powder
            1 packet miso paste
            1 cup ramen, broken up
            1/4 cup sun-dried tomatoes, chopped
            1 pouch salmon
            1/2 cup dehydrated black beans
            2 tablespoons coconut milk powder
            1 teaspoon curry powder
            1 cup instant mashed potatoes
            1/4 cup shredded hard cheese
            1 tablespoon olive oil
            a pinch of chili flakes
            1/3 cup chopped walnuts
            2 tortillas
            1/2 cup freeze-dried corn
            1 teaspoon smoked paprika
            1 cube vegetable bouillon
            1/4 cup powdered milk
            2 tablespoons brown sugar
            1/2 teaspoon cinnamon
            1 small summer sausage, sliced
            1/4 cup fried onions
            1 cup instant rice
            2 tablespoons tahini
            1/2 cup dried mango
            """),
        steps=split_lines("""
            Bring {n2} cups of water to a boil
            Add the dry mix and stir until no clumps remain
            Turn off the stove and cover the pot for five minutes
            Fold in the oil and the {ingredient}
            Season to taste and share it around the fire
            Stir in the cheese once the pot is off the heat
            Warm the tortillas on the lid while everything rests
            Toast the nuts in the dry pot before adding water
            Let the mix soak in cold water for an hour if you are going stoveless
            Top with the crunchy bits just before serving
            """),
        closings=split_lines("""
            Send us your own version and we might feature it next {season}
            Happy cooking, and watch out for the camp jays
            Tag us with a photo of your pot; we love a messy one
            """),
    ),
    dict(
        name="customer-letter", category="community", tags=["letters", "customers", "stories"],
        structures=["letter", "letter"], length=(140, 330),
        titles=split_lines("""
            A letter from {city}
            Mail bag: a {item} that went the distance
            From our inbox: {first}'s long walk
            Reader letter: the night at {place}
            A thank-you note we had to share
            Mail bag: questions from {city}
            """),
        openings=split_lines("""
            Dear Fernleaf folks, I have been meaning to write this for {n2} months
            Hello to everyone at {store}, and especially to the person who fitted my boots
            To the team in {city}: you sold me a {item} in {season} and I want you to know what happened to it
            I am not much of a letter writer, but my daughter said I should tell you this story
            Dear Fernleaf, this is partly a thank-you and partly a confession
            """),
        sentences=split_lines("""
            We were caught above {place} in {sky}, and that {item} kept us dry for six hours
            My husband laughed when I bought it, and he borrowed it the very next weekend
            I am {n10} years old and had not slept outside since I was a teenager
            The clerk in {city} spent forty minutes with me and never once made me feel silly
            My {item} has now been to {n10} national parks and one very confusing wedding
            The zipper finally broke after {n2} years, and your repair team fixed it in a week
            We scattered my father's ashes at {place}, and your staff helped us plan the route
            I returned a tent once and nobody asked me why, which I appreciated more than you know
            My son now wants to be a ranger, and I blame your summer map class
            The boots were stiff for a week and have been perfect ever since
            I have attached a photo of the view, though it does not do it justice
            Our scout troop used the rental packs for a three-night trip and came back filthy and happy
            The only complaint I have is that I now want to spend every weekend outside
            You told me to turn around if the weather changed, and I did, and I am glad
            We met {critter} on the second day and I nearly dropped the stove
            I bought the cheaper {item} against your advice and have come around to your point of view
            My grandkids call the old green {item} the lucky one, and it goes on every trip
            Please tell the woman with the braid at the rental counter that she was right about the socks
            We did the whole thing in {season}, which in hindsight was ambitious
            I have recommended your shop to everyone in my hiking group, all {n10} of them
            """),
        signoffs=split_lines("""
            With thanks, {person}, {city}
            Warmly, {first} and family
            Happy trails, {person}
            Your loyal customer, {first} from {city}
            Gratefully, {first}
            """),
        replies=split_lines("""
            Thank you, {first}. Letters like this are pinned to the break room wall, and this one has a good spot.
            We passed this along to the whole {city} crew, who were delighted.
            From all of us: thank you for trusting us with your trip, and please keep the stories coming.
            Stories like yours are why we keep a repair bench instead of a bigger sales floor.
            """),
        headings=[], items=[], closings=[],
    ),
    dict(
        name="event-recap", category="community", tags=["events", "volunteering", "community"],
        structures=["prose", "headed", "prose"], length=(150, 360),
        titles=split_lines("""
            Recap: the {season} trail work day at {place}
            {n10} volunteers, one very muddy bridge
            What happened at the {city} gear swap
            Photos and thanks from the film night
            The river cleanup, by the numbers
            Our first women's backpacking weekend
            Recap: the beginner map and compass clinic
            """),
        openings=split_lines("""
            On a grey {weekday} in {month}, {n10} of you showed up at {place} with gloves and good attitudes
            The gear swap in {city} drew a line around the block before the doors even opened
            Thank you to everyone who came out to the film night, even the folks who had to stand
            We were not sure anyone would sign up for a cleanup in {sky}, and we were wrong
            Saturday's clinic at {store} was our biggest one yet
            """),
        sentences=split_lines("""
            Volunteers hauled {n100} pounds of trash out of the creek, including a shopping cart and a canoe paddle
            The trail crew rebuilt {n10} water bars and cleared blowdown from a mile of tread
            A local bakery donated enough cinnamon rolls to feed an army, which is roughly what we had
            The swap moved {n100} items to new owners, and the leftovers went to a youth program in {city}
            Kids ran the raffle table and were ruthless about ticket sales
            The film lineup included a short about a packrafting trip down the {place} drainage
            Proceeds went to the {place} trail association, who will put it toward a new footbridge
            Many thanks to the rangers who led the safety briefing and stuck around to dig
            The compass course ended with everyone finding the flag, eventually
            We ran out of coffee by nine, which is a lesson we will not forget
            One participant had never held a shovel and by noon was leading her own crew
            The weather held until the last hour, then the sky opened and we all ran for the cars
            A retired surveyor named {first} gave an impromptu talk on reading contour lines
            Several people asked about the next one, so we have already booked a date in {month}
            Every volunteer went home with a patch, and a few went home with poison oak
            We counted {n10} first-timers, which might be our favorite number of the day
            Local musicians played bluegrass on the tailgate of a pickup during lunch
            Trail crews from {city} and {city} worked side by side for the first time
            """),
        headings=split_lines("""
            The day
            By the numbers
            Thank you
            Next time
            """),
        items=split_lines("""
            Volunteers: {n10}
            Hours of work: {n100}
            Trash removed: {n100} pounds
            Water bars rebuilt: {n10}
            Items swapped: {n100}
            Money raised for the trail association: ${n100}0
            """),
        closings=split_lines("""
            Sign up for the next one at {store} or on our events page
            We could not do this without you, and we mean that literally
            Bring gloves and a lunch next time; we will bring the rolls
            """),
    ),
    dict(
        name="product-deep-dive", category="gear", tags=["product", "review", "design"],
        structures=["headed", "headed", "prose", "list"], length=(220, 400),
        titles=split_lines("""
            Inside the new {brandname} {item}
            {n10} nights with the {brandname} {item}
            Why the {brandname} {item} costs what it does
            The {brandname} {item}, one season later
            Designing a {item} for wet country
            What changed in this year's {brandname} {item}
            """),
        openings=split_lines("""
            The {brandname} {item} landed in our stores in {month}, and the first batch sold through in {n2} weeks
            We have been testing the {brandname} {item} since {season}, in conditions ranging from dry heat to {sky}
            Every year we pick one piece of gear to take apart, literally, and this year it is a {item}
            Our designers spent {n2} rounds of prototypes on a {item} that would survive a wet coastal winter
            Not every product deserves a long post, but this {item} has generated more questions than any other
            """),
        sentences=split_lines("""
            The shell is {fabric}, which is lighter than last year's fabric and noticeably quieter
            At {n100} grams, it is not the lightest option on the wall, and that is on purpose
            The hood adjusts with a single pull at the back, so it moves when your head turns
            We moved the chest pocket higher so it clears a hip belt
            The zippers are coated, and the pit zips are long enough to actually dump heat
            Our tester {first} wore it for {n10} days straight on a traverse near {place}
            After a month of bushwhacking, the only visible wear is a scuff on the left cuff
            Fit runs slightly long in the torso, which we like for layering over a {item}
            The price is high because the fabric is expensive and the seams are taped by hand
            If you only hike in dry places, you probably do not need this much protection
            It packs into its own pocket, though the result is the size of a cantaloupe
            The floor fabric is thicker than most ultralight options, so a footprint is optional
            We would change the stuff sack, which is too tight when the {item} is damp
            Vents at the peak kept condensation manageable on a still night at {place}
            The warranty covers manufacturing defects for life, and our repair bench covers the rest
            We compared it side by side with {n2} competitors, and it won on durability but lost on weight
            Some testers found the color a bit loud; others liked being seen during hunting season
            The insulation is {fabric}, which keeps some warmth when wet
            Setup takes about {n2} minutes once you have done it twice
            Our one real complaint is the drawcord toggle, which is fiddly with gloves on
            The frame transfers weight to the hips well up to about {n10} pounds
            Customers who returned it mostly cited fit, so try it on in a store if you can
            Every seam on the high-wear panels is bar-tacked
            The fabric is dyed with a low-water process at a mill we have visited twice
            """),
        headings=split_lines("""
            What it is for
            Materials
            Fit and feel
            In the field
            What we would change
            Who should skip it
            The verdict
            Specs
            """),
        items=split_lines("""
            Weight: {n100} grams
            Fabric: {fabric}
            Sizes: XS to XXL
            Price: ${n100}
            Warranty: lifetime against defects
            Packed size: about a liter
            Made in: a partner factory we audit yearly
            Best for: {season} trips in changeable weather
            """),
        closings=split_lines("""
            Try it on at {store} and decide for yourself
            We will report back after another season of abuse
            Questions about sizing? Our fit team answers email within a day
            """),
    ),
    dict(
        name="seasonal-safety", category="trails", tags=["safety", "skills", "seasonal"],
        structures=["headed", "list", "prose", "headed"], length=(170, 380),
        titles=split_lines("""
            Hiking safely in {season}
            A {season} checklist for the trail
            Heat, smoke and staying smart this summer
            Avalanche basics before your first tour
            Lightning on the ridge: what to do
            Shorter days, better plans
            What the ten essentials really mean
            Crossing creeks in snowmelt season
            """),
        openings=split_lines("""
            Search and rescue volunteers in {city} ran {n10} missions last {season}, and most began with a small mistake
            The trails change fast this time of year, and your plans should too
            Nobody likes a safety lecture, so here is a short and practical one
            {staffer} volunteers with the local rescue team and helped us put this list together
            Late-season daylight disappears faster than most people expect
            A sunny forecast in the valley says very little about what is happening on the ridge
            """),
        sentences=split_lines("""
            Leave a trip plan with someone at home, including when to call for help
            Turn around times are not a suggestion; set one and honor it
            In {season}, carry a headlamp even on short hikes because the light goes quickly
            Heat exhaustion sneaks up on strong hikers who forget to eat
            Drink before you are thirsty and add electrolytes on hot days
            If thunder follows lightning by fewer than thirty seconds, get off the ridge
            Spread your group out in a storm so one strike cannot hurt everyone
            Creek crossings are safest early in the morning, before the snow upstream starts melting
            Unbuckle your hip belt before you cross so you can shed the pack if you fall
            Face upstream and shuffle your feet, using poles as a tripod
            Smoke from distant fires can make a moderate hike feel brutal, so check air quality first
            Avalanche terrain starts at about thirty degrees, which is steeper than it looks from below
            A beacon, shovel and probe are useless unless you have practiced with them
            Take a course before your first backcountry tour; several run out of {city} each winter
            Hunting season means bright colors on the trail, even for your dog
            Microspikes turn an icy trail from treacherous to almost pleasant
            Cotton kills is an old saying, and it is still mostly true in cold rain
            Cold hands lose dexterity fast, so put gloves on before you need them
            A satellite messenger is worth the money if you hike alone
            Know the symptoms of hypothermia: shivering, fumbling, and bad decisions
            The most common rescue call is not a fall but a lost hiker after dark
            Download offline maps and carry a paper backup, because phones die in cold weather
            Ticks are out as soon as the snow melts, so check yourself every evening
            Wildfire closures can appear overnight, so check the forest service page the morning you leave
            """),
        headings=split_lines("""
            Before you go
            On the trail
            If things go wrong
            Gear that helps
            The short version
            """),
        items=split_lines("""
            A headlamp with fresh batteries
            An extra insulating layer
            A paper map and compass
            A small first aid kit you have actually opened
            Water and a way to treat more
            Sun protection, even in winter
            A fire starter and a knife
            An emergency shelter or bivy
            Extra food beyond what you plan to eat
            A charged phone in airplane mode
            """),
        closings=split_lines("""
            Stay curious, stay humble and come home for dinner
            The mountain will be there next weekend
            Stop by {store} if you want help building a kit
            """),
    ),
    dict(
        name="paddling", category="trails", tags=["paddling", "water", "canoe", "kayak"],
        structures=["prose", "headed", "prose"], length=(170, 380),
        titles=split_lines("""
            Three days on the {place} chain of lakes
            Packrafting the upper {place}
            A first canoe trip, start to finish
            Portage notes from {place}
            The calm-water paddle near {city} everyone should try
            Learning to read a river
            """),
        openings=split_lines("""
            The put-in at {place} is a gravel ramp, a pit toilet and one very patient heron
            Our rental fleet of canoes went out {n10} times last summer, and this route was the favorite
            I had never carried a canoe on my shoulders before this trip, and now I have opinions about yokes
            There is a particular quiet on a lake at six in the morning that no photo captures
            We ran this stretch in {season} when the water was low and friendly
            """),
        sentences=split_lines("""
            The first portage is {n100} rods and climbs over a rocky saddle
            Pack everything in dry bags, then pack the dry bags in a barrel
            Wind on the big lake usually builds after eleven, so cross early
            Loons called across the water every night, and nobody minded the lost sleep
            We camped on an island with a granite shelf perfect for morning coffee
            The creek narrows to a boat width for a mile, with beaver dams to drag over
            Wear your life jacket, even on flat water, even when it is hot
            A bailer made from a cut milk jug is the most useful thing in our boat
            Fishing was slow until dusk, when the walleye finally woke up
            Paddling in tandem is a test of any friendship, so pick your bow partner wisely
            The rapids below the bridge are class II at normal flows and should be scouted
            We lined the boats through the riffles rather than risk a swim in cold water
            Reflections were so clear that the horizon disappeared entirely
            A sudden squall pinned us on shore for two hours, which we spent playing cards
            The river drops {n10} feet per mile through the canyon, so expect to work
            Camp spots are first come, first served, so start early on weekends
            Rental boats come with a spare paddle, and you will be glad of it
            Beaches along the south shore are wide enough for a whole group
            Dragonflies hunted mosquitoes around us all afternoon, bless them
            """),
        headings=split_lines("""
            The put-in
            On the water
            Portages
            Where to camp
            What we would pack differently
            """),
        items=split_lines("""
            Dry bags in three sizes
            A spare paddle lashed to a thwart
            A throw bag and a whistle
            Sponge and bailer
            Map in a waterproof case
            Camp sandals you can wade in
            """),
        closings=split_lines("""
            Canoes and packrafts are available to rent at {store}
            Leave the campsites cleaner than you found them
            See you on the water
            """),
    ),
    dict(
        name="family-outdoors", category="community", tags=["family", "kids", "beginners"],
        structures=["prose", "list", "headed"], length=(150, 360),
        titles=split_lines("""
            Camping with a toddler, honestly
            Hikes under three miles that kids love
            The family backpacking trip that almost did not happen
            Getting teenagers outside without a fight
            A first night in the backyard
            Snow days: winter fun for small legs
            """),
        openings=split_lines("""
            My kids are {n2} and {n2}, and they have opinions about trail snacks
            The first family campout is never the one you imagined, and that is fine
            Parents ask us all the time how to make hiking fun for kids who would rather be on a screen
            We tried backpacking with our twins at {place} this {season}, and lived to tell the tale
            You do not need a mountain to get kids outside; a creek and a bucket will do
            """),
        sentences=split_lines("""
            Let the smallest hiker set the pace, and plan to go about half as far as you think
            Snacks are currency, and we hand them out at every trail junction
            A cheap magnifying glass turned a boring mile into a beetle safari
            Kids carry their own packs if the packs are small and the contents are theirs
            Bring a change of clothes because someone will fall in the creek
            Our son named every rock on the trail, and the hike took three hours
            Sleeping bags for kids are warmer when they are the right size, not one to grow into
            Night sounds scared our daughter until we played a game of naming them
            A scavenger hunt list kept the older kids moving without complaint
            Teenagers respond better to being put in charge of the map than to pep talks
            We brought a friend for each kid, which tripled the fun and halved the whining
            Puddles are not obstacles; they are the whole point
            The best memory from the trip was a thunderstorm we watched from the tent door
            Rental gear is a smart way to try camping before you spend much money
            Toddlers do well with carriers, but let them walk whenever they want to
            Roasting marshmallows counts as dinner on the first night, and we will not be taking questions
            Our kids still talk about {critter} they saw near {place}
            Build in time at the destination to throw rocks, because that is the real summit for kids
            """),
        headings=split_lines("""
            Keep it short
            Snacks and motivation
            Gear for small people
            Sleeping outside
            When it rains
            """),
        items=split_lines("""
            A creek with rocks to throw
            A trail with a bridge or a waterfall
            Snacks handed out at landmarks
            A kid-sized headlamp
            A spare pair of socks per kid
            A card game for rainy tent time
            """),
        closings=split_lines("""
            Youth sizes and kid carriers are available to rent at {store}
            Start small, go often, and bring more snacks than seems reasonable
            Tell us about your family's first trip; we love these stories
            """),
    ),
    dict(
        name="night-sky", category="trails", tags=["stargazing", "photography", "night"],
        structures=["prose", "headed"], length=(150, 340),
        titles=split_lines("""
            Where to see the {shower} from near {city}
            Camping under the darkest skies we know
            Photographing the Milky Way with a phone
            A full moon hike to {place}
            Night walking for beginners
            """),
        openings=split_lines("""
            The {shower} peaks this {month}, and the moon is cooperating for once
            Light pollution maps show a dark patch around {place} that we have been exploring
            There is something unsettling and wonderful about walking a familiar trail by moonlight
            {staffer} has been shooting night photos for years, and shared a few hard-earned tips
            """),
        sentences=split_lines("""
            Give your eyes twenty minutes to adjust, and keep a red light for reading maps
            The best viewing is after midnight, when your side of the earth faces the stream of debris
            Bring a closed-cell pad to lie on, because the ground steals heat fast
            A thermos of cocoa turns a cold sky watch into a party
            Modern phones have a night mode that handles a tripod exposure surprisingly well
            Set focus to infinity and tape it there so a bump does not ruin the shot
            Planets rise without twinkling, which is how you tell them from stars
            The core of the Milky Way sits low in the south in summer
            Satellites crossed the sky every few minutes, steady and silent
            Owls hooted from the timber while we waited for the first meteor
            We counted {n10} meteors in an hour, including one that left a glowing trail
            A moonlit trail needs no headlamp once your eyes adjust, at least on open ground
            Check the moon phase before you plan a dark-sky trip
            The parking area at {place} is closed at night, so use the lower lot
            Dress warmer than you think; sitting still is colder than hiking
            """),
        headings=split_lines("""
            When to look
            Where to go
            What to bring
            Taking pictures
            """),
        items=split_lines("""
            A red-light headlamp
            A warm hat, even in summer
            A reclining camp chair
            A small tripod
            A star chart or app in dark mode
            """),
        closings=split_lines("""
            Clear skies, and send us your best photo
            Look up more often; it is free
            """),
    ),
    dict(
        name="trail-running", category="trails", tags=["trail running", "training", "races"],
        structures=["prose", "headed", "list"], length=(160, 360),
        titles=split_lines("""
            Training for your first trail {race}
            The {place} {race}: a race report
            Running downhill without fear
            What to carry on a long trail run
            Why our staff run club meets at dawn
            """),
        openings=split_lines("""
            I signed up for the {place} {race} on a whim in {month} and regretted it until mile {n10}
            Our staff run club meets on {weekday}s at six, rain or shine, mostly rain
            Trail running is less about speed than about paying attention
            Road runners who switch to trails usually learn one lesson the hard way: ankles matter
            """),
        sentences=split_lines("""
            Hike the steep climbs; everyone does, including the winners
            Shorten your stride on descents and let your feet land quickly
            A soft flask in a running vest beats a handheld bottle on long days
            Eat something every forty minutes, even if you do not feel hungry
            Trail shoes with a rock plate saved my feet on the scree section
            The aid station at mile {n10} had pickles and boiled potatoes, both perfect
            Lube everywhere you think you might chafe, and then a few more places
            Strength work twice a week is the boring secret to avoiding injury
            My watch said I ran {miles} miles; my legs said it was twice that
            Volunteers at the finish handed out soup, which felt like a miracle
            Practice your race food on long training runs, never on race day
            Running with a group made the early mornings bearable
            I finished in {hours} hours, dead last in my age group and very proud
            Cut-off times are generous, but respect them
            The course crosses the creek {n2} times, so wet feet are guaranteed
            Poles are allowed and worth it on the big climbs
            """),
        headings=split_lines("""
            Training
            Race day
            Food and water
            What I learned
            """),
        items=split_lines("""
            A vest with two soft flasks
            Gels and one real food option
            A light wind shell
            Lube and blister tape
            A phone with the course map
            """),
        closings=split_lines("""
            Join the staff run club any {weekday}; we wait for everyone
            See you at the next start line
            """),
    ),
    dict(
        name="nature-notes", category="sustainability", tags=["nature", "wildlife", "field notes"],
        structures=["prose", "prose", "headed"], length=(130, 320),
        titles=split_lines("""
            Field notes: {plant} season
            Who is singing in the woods this {month}
            The secret life of a beaver pond
            Lichens, moss and the small world underfoot
            Salmon are back in the creek near {city}
            Tracks in the snow at {place}
            """),
        openings=split_lines("""
            This week the {plant} finally bloomed along the lower trail at {place}
            A naturalist friend from {city} walked the nature loop with us and pointed out things we had passed a hundred times
            Snow makes the forest legible; every animal leaves a signature
            We keep a running list of wildlife sightings on a whiteboard at {store}
            """),
        sentences=split_lines("""
            The first thing to learn is the difference between a fox track and a dog track, which is all in the neatness
            Beavers engineer whole valleys, raising the water table and bringing back wet meadows
            Lichens are two organisms living as one, a fungus and an alga, and some grow a millimeter a year
            Varied thrushes sing a single buzzy note that sounds like a referee in the fog
            Sword ferns stay green all winter and were once used to line baskets
            We spotted {critter} on the whiteboard list three times this week
            The creek turns red with spawning salmon for about two weeks each autumn
            Please give nesting birds plenty of room; a long lens is kinder than a close approach
            The mushrooms after the first rains are spectacular, but do not eat what you cannot identify
            Moss grows on every side of a tree here, so forget the old navigation trick
            Elk bugled all night near the meadow, a sound like a rusty gate in a horror film
            Woodpecker holes in a snag are apartment buildings for a dozen other species
            A dipper bobbed on a rock midstream, then walked underwater looking for insects
            Snowshoe hares are already turning white, a little ahead of the snow
            Bring a hand lens on your next hike and look at a patch of moss for five full minutes
            The oldest tree on the loop is a Douglas fir that was a seedling when {city} was founded
            """),
        headings=split_lines("""
            What is blooming
            Who is around
            How to look
            """),
        items=split_lines("""
            {plant} near the trailhead
            {critter} at the pond
            {plant} on the sunny slopes
            Fresh tracks along the creek
            """),
        closings=split_lines("""
            Add your own sightings to the whiteboard at {store}
            Walk slowly; the woods reward it
            """),
    ),
]

FERN_EXTRA_POOLS = {
    "brandname": ["Fernleaf Alder", "Fernleaf Talus", "Fernleaf Marmot", "Fernleaf Drift", "Fernleaf Saddle",
                  "Fernleaf Switchback", "Fernleaf Kestrel", "Fernleaf Scree"],
    "dish": ["chili", "curry", "couscous", "oatmeal", "pasta", "ramen", "burritos", "quesadillas",
             "polenta", "fried rice", "dal", "hash", "noodle soup", "cobbler", "flatbread"],
    "ingredient": ["miso", "smoked paprika", "peanut butter powder", "sun-dried tomato", "chorizo",
                   "coconut milk powder", "dried mushroom", "tahini", "salmon", "cheddar", "harissa",
                   "dried apple", "pine nuts", "curry paste", "feta"],
    "shower": ["Perseids", "Geminids", "Orionids", "Lyrids", "Quadrantids", "Leonids"],
    "race": ["10K", "half marathon", "25K", "50K", "fell run", "hill climb"],
}
FERN_POOLS.update(FERN_EXTRA_POOLS)
FERN_POOLS["qty"] = ["1", "1/2", "3/4", "1/3", "a heaped", "a scant", "about 1", "a generous", "1 level"]
FERN_POOLS["qty2"] = ["2", "3", "2 heaped", "2 level", "about 2", "2 or 3", "a couple of"]
FERN_POOLS["ingnote"] = ["", "", "", "", " (optional)", ", divided", " plus extra", ", for topping"]
FERN_POOLS["stepstart"] = ["", "", "next,", "then", "now", "once that is done,", "after that,", "carefully",
                           "at camp,", "while you wait,", "if you like,", "meanwhile,"]

# ---------------------------------------------------------------------------------------------
# fernleaf-outdoor: generative frames (dense slots, so they can be reused without repeating
# 8-word runs) and light synonym variation
# ---------------------------------------------------------------------------------------------

FERN_POOLS.update({
    "timeref": split_lines("""
        last {weekday}
        early in {month}
        one {skyadj} morning in {season}
        on a {skyadj} afternoon
        a couple of weekends ago
        the day after the storm
        over the long weekend
        late one {weekday} evening
        during the first week of {month}
        just before sunrise
        on our second visit
        in the middle of {season}
        right after the gate opened
        on a weekday in {month}
        the morning after a hard frost
        back in {month}
        """),
    "skyadj": ["foggy", "bright", "windy", "drizzly", "cold", "muggy", "blustery", "still", "smoky", "crisp",
               "grey", "sunny", "humid", "frosty"],
    "who": split_lines("""
        {first}
        {first} and {first}
        a customer from {city}
        two of our staff
        a group from the {city} shop
        our buying team
        {first}'s hiking club
        a couple of regulars
        {first} from the warehouse
        the whole repair crew
        a friend of ours from {city}
        a ranger we know
        """),
    "did": split_lines("""
        hiked the old fire road toward {place}
        scouted a quieter campsite above {place}
        tested a prototype {item}
        counted {plant} along the lower meadow
        helped rebuild a railing at {place}
        took a borrowed {item} up to {place}
        got hopelessly turned around below {place}
        watched {critter} for the better part of an hour
        carried a full repair kit over {place}
        tried the new connector trail from {place}
        slept out at {place} without a tent
        walked the flooded section near {place}
        cooked breakfast on the rocks above {place}
        found a faded trail marker near {place}
        packed a {item} and a paperback to {place}
        """),
    "how": split_lines("""
        in {sky}
        with a very heavy pack
        and came back soaked to the knees
        carrying far too many snacks
        without seeing another soul
        on tired legs
        with a dog who refused to hurry
        and loved every minute
        despite a late start
        with a map that was twenty years out of date
        while the light went gold
        in borrowed boots
        and got home after dark
        for the third time this year
        """),
    "saysverb": ["says", "insists", "likes to point out", "will tell anyone", "swears", "reckons",
                 "keeps reminding us", "argues", "maintains"],
    "opinion": split_lines("""
        the best {item} is the one you actually carry
        {season} is the right time to visit {place}
        nobody needs a {item} that expensive
        a wet {weekday} is underrated for hiking
        the view from {place} beats anything on a postcard
        you should always pack one more layer than feels necessary
        {plant} smells better after rain
        a good pair of socks fixes half of all trail problems
        most trips are won or lost at the grocery store
        {place} is busier than it used to be
        the old trail guides were mostly right
        an early start solves most problems
        you can tell a lot about people by how they pack
        the map is always more accurate than your memory
        """),
    "ifclause": split_lines("""
        if the forecast looks shaky
        when the parking lot is full
        if you are new to this
        once the snow comes
        if your knees complain on descents
        when the bugs get bad
        if you only have a morning
        when the creek is high
        if you are bringing kids
        if it has been a dry {season}
        when in doubt
        if you are going solo
        """),
    "advice": split_lines("""
        pick the lower route past {place}
        pack a {item} and leave the gadgets home
        aim for {place} on a {weekday}
        start an hour earlier than you planned
        talk to someone at {store} first
        carry extra water and a warm hat
        trust the ranger, not the app
        save the summit for another {season}
        bring a friend and a paper map
        rent before you buy
        plan a shorter loop and linger longer
        try {place} instead, which stays quieter
        """),
    "hedge": ["honestly", "for what it is worth", "in our experience", "to be fair", "as it turns out",
              "if we are being picky", "frankly", "by most accounts", "on balance", "at least for us"],
})

FERN_GENERIC = split_lines("""
    {timeref}, {who} {did} {how}
    {who} {did} {timeref}, {how}
    {first} {saysverb} that {opinion}
    {hedge}, {opinion}
    {ifclause}, {advice}
    {advice} {ifclause}
    {timeref} {who} {did}, and {first} {saysverb} that {opinion}
    {cap_hedge}, {ifclause} we would {advice}
""")
FERN_POOLS["cap_hedge"] = FERN_POOLS["hedge"]

# per-family generative frames: short fixed runs between slots
FERN_FAMILY_GEN = {
    "trail-guide": split_lines("""
        {atpoint}, the trail {traildoes} {trailwhere}
        {atpoint} the path {traildoes}, then {traildoes} {trailwhere}
        expect {sky} {atpoint_lc}, and {advice}
        """),
    "gear-care": split_lines("""
        {caretip} {careafter}
        for a {item} made of {fabric}, {caretip_lc}
        {first} at {store} {saysverb} that you should {caretip_lc}
        """),
    "staff-story": split_lines("""
        {first} {staffhabit} {how}
        on slow days, {first} {staffhabit}
        {first} {saysverb} that {opinion}, and {first} disagrees
        """),
    "sustainability": split_lines("""
        {susmetric} {susverb} {susamount} since {month}
        {susaction}, which {susresult}
        """),
    "camp-recipe": split_lines("""
        {first} likes to add {ingredient} and a little {ingredient}
        swap the {ingredient} for {ingredient} {ifclause}
        """),
    "customer-letter": split_lines("""
        {timeref} we {did_we} {how}
        the {item} {itemdid} {how}
        """),
    "event-recap": split_lines("""
        {who} {eventdid} {how}
        by {clock}, {who} {eventdid}
        """),
    "product-deep-dive": split_lines("""
        {first} took it to {place} in {sky}, and the {part} {partverdict}
        compared with last year's version, the {part} {partverdict}
        """),
    "seasonal-safety": split_lines("""
        {ifclause}, {safetymove}
        {safetymove} {ifclause}
        """),
    "paddling": split_lines("""
        {timeref} we {paddledid} {how}
        {atpoint}, {paddlewhat}
        """),
    "family-outdoors": split_lines("""
        {timeref}, our {kid} {kiddid} {how}
        {ifclause}, {kidtip}
        """),
    "night-sky": split_lines("""
        {timeref} we {did_we} {how}
        """),
    "trail-running": split_lines("""
        {timeref} I {did_we} {how}
        {atpoint}, my legs {legs}
        """),
    "nature-notes": split_lines("""
        {timeref} {who} spotted {critter} near {place}
        {plant} and {plant} are out along {place}, {how}
        """),
}

FERN_POOLS.update({
    "atpoint": split_lines("""
        At the second junction
        Just past the footbridge
        Beyond the old burn
        Around mile {miles}
        Where the creek bends east
        Above the last switchback
        Near the boundary sign
        Once you clear the talus
        After the big cedar
        At the top of the grade
        Below the cliff band
        By the collapsed cabin
        """),
    "atpoint_lc": ["near the pass", "above treeline", "on the exposed stretch", "by the lake outlet",
                   "around the saddle", "past the burn scar", "below {place}"],
    "traildoes": ["swings north", "climbs hard", "drops into a gully", "narrows to a ledge",
                  "braids into several paths", "flattens out", "contours around a shoulder",
                  "fades in the grass", "turns to loose gravel", "hugs the creek"],
    "trailwhere": ["through {plant}", "toward {place}", "beneath a band of cliffs", "along a mossy bench",
                   "past a rusted stove", "into a stand of larch", "over a rocky rib",
                   "across a wet meadow", "under old-growth hemlock", "beside a string of ponds"],
    "caretip": ["Rinse off mud with cold water", "Brush out dried grit", "Air it out overnight",
                "Spot-clean the collar", "Check the seams", "Empty every pocket",
                "Loosen all the straps", "Refresh the water repellent", "Wipe down the zippers"],
    "caretip_lc": ["rinse off mud with cold water", "brush out dried grit", "check the seams twice a year",
                   "loosen all the straps before storing it", "refresh the finish each {season}",
                   "skip the fabric softener", "dry it flat in the shade"],
    "careafter": ["before it goes back on the shelf", "after every muddy trip", "once the season ends",
                  "whenever it starts to smell", "the moment you get home", "before a long trip",
                  "at least twice a year"],
    "staffhabit": ["sorts the returns bin", "rewrites the trail board", "tests every new headlamp",
                   "hand-letters the sale signs", "fixes zippers for regulars", "reorganizes the sock wall",
                   "studies topo maps", "feeds the shop sourdough starter"],
    "susmetric": ["Our repair count", "Mail-in trade-ins", "Rental bookings", "Resale revenue",
                  "Paper shipments", "Returns for sizing", "Staff flights"],
    "susverb": ["has grown by", "has dropped by", "is up roughly", "is down about", "climbed"],
    "susamount": ["{n10} percent", "a third", "half", "{n100} units", "a quarter"],
    "susaction": ["We swapped plastic mailers for paper", "The warehouse moved to reusable totes",
                  "We dropped a supplier that would not share audits", "Rental tents got new floors",
                  "The {city} shop joined a solar co-op", "We rewrote the fit guides"],
    "susresult": ["saved {n100} pounds of waste", "cut returns noticeably", "cost more than we hoped",
                  "took longer than planned", "mostly worked", "surprised us in a good way"],
    "did_we": ["hiked to {place}", "camped near {place}", "took the kids to {place}",
               "drove out past {city}", "walked the loop at {place}", "tried a new route at {place}",
               "ran the ridge above {place}", "sat out a storm at {place}"],
    "itemdid": ["survived a fall into the creek", "kept us warm at {place}", "outlasted two cars",
                "came back from {place} in one piece", "got patched twice", "went everywhere with us"],
    "eventdid": ["hauled gravel up the hill", "rebuilt a stone step", "sorted the swap tables",
                 "cleared brush from the trail", "cooked lunch for everyone", "planted willow stakes",
                 "pulled invasive broom"],
    "clock": ["nine", "ten thirty", "noon", "two o'clock", "late afternoon"],
    "part": ["hood", "hip belt", "zipper", "floor", "collar", "pocket layout", "vent", "stitching"],
    "partverdict": ["held up well", "felt noticeably better", "still needs work", "impressed everyone",
                    "was the weak point", "never gave us trouble"],
    "safetymove": ["turn around early", "tell someone your plan", "carry a headlamp",
                   "add a warm layer to your pack", "check the avalanche forecast",
                   "wait for the creek to drop", "keep the group together"],
    "paddledid": ["crossed the big lake", "portaged into {place}", "paddled the outlet",
                  "camped on an island near {place}", "lined the canoe down the riffles"],
    "paddlewhat": ["the current picks up", "the wind funnels through", "the water turns glassy",
                   "loons gather in the evening", "the portage trail starts"],
    "kid": ["youngest", "oldest", "six-year-old", "teenager", "toddler", "twins"],
    "kiddid": ["found a newt", "named every rock", "led the whole hike", "fell in the creek",
               "refused to leave", "ate all the trail mix", "spotted {critter}"],
    "kidtip": ["shorten the hike", "bring a friend", "pack a second snack", "let them carry the map",
               "plan a creek stop", "keep it to one night"],
    "legs": ["turned to jelly", "felt surprisingly fresh", "started to cramp", "found a rhythm",
             "complained loudly"],
})

SYNONYMS = {
    "really": ["truly", "genuinely", "pretty"],
    "very": ["really", "quite", "properly"],
    "usually": ["generally", "typically", "most of the time"],
    "big": ["large", "huge", "sizable"],
    "small": ["little", "modest", "tiny"],
    "quickly": ["fast", "in a hurry", "quicker than you expect"],
    "people": ["folks", "hikers", "visitors"],
    "good": ["decent", "solid", "great"],
    "great": ["excellent", "terrific", "wonderful"],
    "easy": ["simple", "painless", "straightforward"],
    "because": ["since", "as"],
    "often": ["frequently", "regularly"],
    "always": ["every time", "without fail"],
    "trip": ["outing", "trek", "excursion"],
    "walk": ["stroll", "ramble", "hike"],
    "fast": ["quickly", "in a hurry"],
    "beautiful": ["lovely", "gorgeous", "stunning"],
    "probably": ["likely", "most likely"],
    "maybe": ["perhaps", "possibly"],
    "happy": ["glad", "pleased", "delighted"],
    "pretty": ["fairly", "rather"],
    "cold": ["chilly", "frigid", "icy"],
    "wet": ["damp", "soggy", "soaked"],
    "steep": ["sharp", "stiff", "punishing"],
    "quiet": ["peaceful", "hushed", "calm"],
}
_SYN_RE = re.compile(r"\b(" + "|".join(sorted(SYNONYMS, key=len, reverse=True)) + r")\b")


def vary(text: str, rng: random.Random, p: float = 0.35) -> str:
    """Swap a share of common words for synonyms (adds wording variety, keeps meaning)."""
    def sub(m: re.Match) -> str:
        w = m.group(1)
        if rng.random() < p:
            return SYNONYMS[w][rng.randrange(len(SYNONYMS[w]))]
        return w
    return _SYN_RE.sub(sub, text)

# ---------------------------------------------------------------------------------------------
# fernleaf-outdoor: document assembly
# ---------------------------------------------------------------------------------------------

def _add(b: DocBuilder, fam: dict) -> bool:
    """Add one sentence (hand-written family frame first, generative frames as fallback)."""
    rng = b.rng
    if rng.random() < 0.55 and b.sentence_from(fam["sentences"], tries=12):
        return True
    gen = FERN_FAMILY_GEN[fam["name"]] if rng.random() < 0.6 else FERN_GENERIC
    return b.sentence_from(gen) or b.sentence_from(FERN_FAMILY_GEN[fam["name"]] + FERN_GENERIC)


def _sentence_from(self, frames, tries=40):
    s = self.try_text(frames, tries=tries)
    if s is None:
        return False
    s = cap(s)
    if s[-1] not in ".!?\"'":
        s += "."
    self.para.append(s)
    return True


DocBuilder.sentence_from = _sentence_from


def _paragraphs(b: DocBuilder, fam: dict, target: int, lo=2, hi=5) -> None:
    fails = 0
    while b.nwords() < target and fails < 6:
        n = b.rng.randint(lo, hi)
        for _ in range(n):
            if not _add(b, fam):
                fails += 1
            if b.nwords() >= target:
                break
        b.end_para()


def _long_run(s: str) -> bool:
    """True when a frame has 7+ fixed words in a row (usable only once under the 8-gram guard)."""
    return any(len(words(part)) >= 7 for part in SLOT_RE.split(s)[::2])


def _bucket(items: list, mi: int) -> list:
    """Short frames always; long hand-written ones spread evenly over the months."""
    short = [x for x in items if not _long_run(x)]
    long_ = [x for x in items if _long_run(x)]
    random.Random(SEED + len(long_)).shuffle(long_)
    mine = long_[mi % len(MONTHS)::len(MONTHS)]
    return short + mine or items[:1]


FAMILY_LIST_KEYS = ("sentences", "openings", "closings", "qas", "signoffs", "replies", "items", "steps")


def month_view(fam: dict, mi: int) -> dict:
    """The family with only this month's share of long hand-written frames (keeps months alike)."""
    view = dict(fam)
    for k in FAMILY_LIST_KEYS:
        if view.get(k):
            view[k] = _bucket(view[k], mi)
    return view


def month_pools(mi: int) -> dict:
    return {k: (_bucket(v, mi) if isinstance(v, list) else v) for k, v in FERN_POOLS.items()}


def build_fern_body(fam: dict, rng: random.Random, guard: NgramGuard, target: int) -> str:
    gen = frozenset(FERN_FAMILY_GEN[fam["name"]] + FERN_GENERIC)
    b = DocBuilder(guard, fam.get("pools", FERN_POOLS), rng, transform=vary, reusable=gen)
    structure = rng.choice(fam["structures"])
    if structure == "qa" and not fam.get("qas"):
        structure = "headed"
    b.sentence_from(fam["openings"]) or _add(b, fam)
    for _ in range(rng.randint(0, 2)):
        _add(b, fam)
    b.end_para()

    if structure == "prose":
        _paragraphs(b, fam, target)
    elif structure == "headed":
        nsec = rng.randint(2, 4)
        per = max(30, (target - b.nwords()) // nsec)
        for _ in range(nsec):
            if not b.heading(fam["headings"]):
                continue
            _paragraphs(b, fam, min(target, b.nwords() + per), 2, 4)
            if fam["items"] and rng.random() < 0.2:
                b.bullets(fam["items"], rng.randint(3, 5))
        _paragraphs(b, fam, target)
    elif structure == "list":
        _paragraphs(b, fam, b.nwords() + rng.randint(20, 60), 1, 3)
        b.bullets(fam["items"], rng.randint(3, 6))
        _paragraphs(b, fam, target)
    elif structure == "qa":
        for _ in range(rng.randint(3, 5)):
            qa = b.try_text(fam["qas"], tries=10)
            if qa is None:
                break
            q, a = qa.split("|", 1)
            b.blocks.append("### " + q)
            b.para.append(a)
            _add(b, fam)
            b.end_para()
        _paragraphs(b, fam, target)
    elif structure == "steps":
        b.blocks.append("## " + rng.choice(["What you will need", "Tools", "Before you start", "Supplies"]))
        b.bullets(fam["items"], rng.randint(3, 5))
        b.blocks.append("## " + rng.choice(["Step by step", "How to do it", "The process", "Method"]))
        b.bullets(FERN_FAMILY_GEN[fam["name"]] + fam["sentences"], rng.randint(4, 6), numbered=True)
        _paragraphs(b, fam, target)
    elif structure == "recipe":
        b.raw("## " + rng.choice(["Ingredients", "What goes in the bag", "You will need",
                                  "Shopping list", "For two hungry hikers"]))
        frames = [re.sub(r"^(\d+/?\d*|a)\b", lambda mm: "{qty2}" if mm.group(1) in ("2",) else "{qty}", x, count=1)
                  + "{ingnote}" for x in fam["ingredients"]]
        b.bullets(frames, rng.randint(5, 9))
        b.blocks[-1] = "\n".join(ln[:2] + ln[2].lower() + ln[3:] for ln in b.blocks[-1].splitlines())
        b.raw("## " + rng.choice(["At camp", "Method", "Cooking it", "On the stove", "Steps"]))
        b.bullets(["{stepstart} " + x[0].lower() + x[1:] for x in fam["steps"]], rng.randint(3, 5), numbered=True)
        b.raw("## " + rng.choice(["Notes", "Swaps and notes", "A few tips", "Variations"]))
        _paragraphs(b, fam, target, 1, 3)
    elif structure == "letter":
        _paragraphs(b, fam, target, 2, 4)
        so = b.try_text(fam["signoffs"], tries=20) or "Thanks again"
        b.blocks.append(so)
        if rng.random() < 0.6:
            rep = b.try_text(fam["replies"], tries=10)
            if rep:
                b.blocks.append("*Fernleaf replies:* " + rep)
    if fam["closings"] and rng.random() < 0.55:
        b.sentence_from(fam["closings"], tries=10)
    return b.body()


def decorate(body: str, rng: random.Random, slug: str, ym: str, base_url: str, mdx: bool) -> str:
    """Sprinkle Markdown links and images (the tool must strip them)."""
    blocks = body.strip().split("\n\n")
    if rng.random() < 0.3:
        i = rng.randrange(len(blocks))
        if not blocks[i].startswith(("#", "-", "1.", "*", "<", "```")):
            ws = [w for w in re.findall(r"\b[a-z]{6,}\b", blocks[i])]
            if ws:
                w = rng.choice(ws)
                blocks[i] = blocks[i].replace(w, f"[{w}]({base_url}/{slug.split('-')[0]}/)", 1)
    if rng.random() < 0.25 or mdx:
        pos = rng.randint(1, max(1, len(blocks) - 1))
        alt = rng.choice(["", "photo", "map", "detail"])
        blocks.insert(pos, f"![{alt}](/images/{ym}/{slug}-{rng.randint(1, 4)}.jpg)")
    return "\n\n".join(blocks) + "\n"

# ---------------------------------------------------------------------------------------------
# brightpath-saas: human-style families (early months) ...
# ---------------------------------------------------------------------------------------------

BP_POOLS: dict = {
    "first": FERN_POOLS["first"], "last": FERN_POOLS["last"], "person": ["{first} {last}"],
    "weekday": FERN_POOLS["weekday"], "month": MONTH_NAMES,
    "n2": _num(2, 9), "n10": _num(10, 60), "n100": _num(110, 950), "pct": _num(8, 71),
    "feature": ["recurring tasks", "the timeline view", "custom fields", "approval steps", "the inbox",
                "saved filters", "guest access", "the API", "dependency arrows", "workload charts",
                "the mobile app", "form intake", "audit logs", "SAML sign-in", "webhooks", "the calendar sync"],
    "custco": ["Halden Logistics", "a regional credit union", "Marrow & Pike, a small architecture firm",
               "a beekeeping cooperative in Vermont", "Tessellate Games", "the county library system",
               "Northbeam Clinics", "a three-person bike shop", "Ostrava Freight", "a university print shop",
               "Kiln Street Bakery", "a nonprofit that restores salt marshes"],
    "role": ["a support engineer", "our head of design", "a backend engineer", "one of our product managers",
             "a customer success lead", "our data analyst", "the on-call engineer", "an intern on the growth team"],
    "team": ["the platform team", "the mobile squad", "design", "support", "the billing crew",
             "the integrations team", "infrastructure", "the docs team"],
    "tool": ["Slack", "Google Sheets", "Jira", "GitHub", "Salesforce", "Zendesk", "Figma", "Outlook",
             "Notion", "HubSpot"],
    "oddthing": ["a lighthouse keeper's logbook", "the 1917 Gantt chart", "a sourdough starter named Gary",
                 "a ham radio contest", "the office fern", "a stack of punch cards", "a railway timetable from 1890",
                 "a knitting pattern", "the break room label maker", "a pigeon that visits the roof"],
    "metric": ["p95 latency", "query time", "sign-up completion", "ticket volume", "page weight",
               "build time", "error rate", "time to first task"],
    "num_ms": _num(40, 900),
}

BP_FAMILIES = [
    dict(name="release-notes", category="product", rank=0, tags=["release notes", "product"],
         structures=["list", "headed"], length=(140, 320),
         titles=split_lines("""
            What shipped in {month}
            Release notes: {feature}, faster exports and a dozen fixes
            Small things we fixed this month
            Now available: {feature} on every plan
            """),
         openings=split_lines("""
            This month's release is mostly polish, with one bigger change to {feature}
            We shipped {n10} improvements in {month}, and a few of them came straight from your tickets
            Quick summary: {feature} is out of beta, and exports no longer time out on huge boards
            """),
         sentences=split_lines("""
            Exports of boards with more than ten thousand cards now finish in seconds rather than minutes
            The date picker finally respects the first day of the week in your locale
            Guests can now comment on tasks without seeing the rest of the workspace
            We fixed a bug where archived projects reappeared in search after a rename
            Keyboard shortcuts now work inside the task drawer, including the much-requested J and K
            The timeline zooms to quarters, which planners have asked about since launch
            Bulk edit handles custom fields, so you can retag two hundred tasks at once
            Dark mode no longer turns status labels an unreadable shade of brown
            Notifications are batched into a digest if you get more than {n10} in an hour
            Admins can set a default template for new projects
            """),
         headings=["New", "Improved", "Fixed", "Coming next", "Under the hood"],
         items=split_lines("""
            {feature}: now supports bulk actions
            Faster loading for boards with many columns
            Fixed: duplicate reminders for recurring tasks
            Fixed: CSV import mangled accented names
            New: a shortcut to copy a task link
            Improved: search ranks exact title matches first
            New: {feature} is available on mobile
            Fixed: the calendar sync skipped all-day events
            """),
         closings=["As always, the changelog has the full list", "Tell us what we broke; we read every reply",
                   "Thanks to everyone who filed a ticket this month"]),
    dict(name="engineering", category="engineering", rank=1, tags=["engineering", "performance", "infrastructure"],
         structures=["headed", "code", "headed"], length=(220, 400),
         titles=split_lines("""
            How we cut {metric} by {pct} percent
            Moving our job queue off cron
            What a flaky test taught us about time zones
            Postgres partitioning, three months in
            The boring migration that took a year
            """),
         openings=split_lines("""
            For most of last year, {metric} on the board view sat at an embarrassing {num_ms} milliseconds
            This is a story about a test that failed once every {n10} runs, always on a {weekday}
            When we started, the whole task service ran on a single database and a lot of hope
            {first} on {team} volunteered to fix the export pipeline, not knowing what was inside
            """),
         sentences=split_lines("""
            The culprit was an N plus one query hiding behind an innocent-looking serializer
            We added a covering index and watched {metric} fall off a cliff
            Partitioning by workspace kept the hot tables small enough to fit in memory
            Daylight saving time is not a bug, but it behaves like one twice a year
            The fix was four lines; finding it took three weeks
            We now run every scheduled job through a queue with retries and a dead letter table
            Feature flags let us roll the change to one percent of workspaces first
            Our load tests replay a sanitized copy of a busy Monday morning
            Half the gain came from simply not sending fields the client never reads
            We rewrote the diffing code in a single afternoon after sketching it on a whiteboard
            Tracing made the problem obvious in a way that logs never did
            Rolling back was boring, which is the highest praise we give a deploy
            The old code had a comment that said do not touch, and we touched it
            Memory use dropped by a third once we stopped caching whole projects per request
            We still do not fully understand why the second retry helps, and we wrote that down
            """),
         headings=["The problem", "What we tried", "What worked", "Numbers", "What is next", "Lessons"],
         items=["{metric}: {num_ms} ms down to {n100} ms", "Database CPU: down {pct} percent",
                "Deploys this quarter: {n100}", "Pages to on-call: {n2}", "Lines deleted: {n100}0"],
         closings=["If this kind of problem sounds fun, we are hiring", "Questions welcome in the comments",
                   "Thanks to {first} and {first} for the late nights"]),
    dict(name="customer-story", category="customers", rank=0, tags=["customers", "case study"],
         structures=["prose", "headed"], length=(200, 380),
         titles=split_lines("""
            How {custco} plans its week
            {custco} on replacing three spreadsheets
            A season with {custco}
            Why {custco} moved their intake forms into BrightPath
            """),
         openings=split_lines("""
            {custco} runs on a team of {n10} and a whiteboard that used to be the single source of truth
            When we first met {first} from {custco}, the project list lived in {n2} different spreadsheets
            Every {weekday} morning, {first} at {custco} opens the same board before coffee
            """),
         sentences=split_lines("""
            The old process depended on one person remembering everything, and that person wanted a vacation
            They started with a single board for intake and added the rest over a few months
            The team uses {feature} to keep seasonal work from colliding with daily requests
            What surprised {first} most was how quickly the warehouse staff adopted the mobile app
            Not everything went smoothly; the first attempt at automations created a flood of notifications
            They now review the board together for fifteen minutes every {weekday}
            Hive inspections, order pickups and grant deadlines all live in one view now
            {first} estimates the team saves {n2} hours a week, mostly on status updates nobody missed
            They kept one spreadsheet for budgeting, and we think that is perfectly reasonable
            Their advice for other teams is to start smaller than feels useful
            The integration with {tool} means requests arrive without anyone retyping them
            A year in, the whiteboard is still there, but now it holds a drawing of the office dog
            """),
         headings=["Before", "Getting started", "What changed", "What they would do differently"],
         items=["Team size: {n10}", "Boards: {n2}", "Favorite feature: {feature}", "Integrations: {tool} and {tool}"],
         closings=["Thanks to the team at {custco} for sharing their story",
                   "Want to tell us how your team works? Reply and say hello"]),
    dict(name="company", category="company", rank=2, tags=["company", "culture", "team"],
         structures=["prose", "prose", "headed"], length=(160, 360),
         titles=split_lines("""
            Notes from our offsite in {month}
            Why we do not have a meeting on {weekday}s
            How we write things down
            What {n2} years of remote work taught us
            Our support team's favorite tickets of the year
            """),
         openings=split_lines("""
            Twice a year the whole company of {n10} people gets together in one place, and this time it rained
            We stopped holding meetings on {weekday}s about a year ago, and nobody wants them back
            {first}, {role}, keeps a document of every support ticket that made the team laugh
            """),
         sentences=split_lines("""
            Most decisions start as a written proposal that anyone can comment on for a week
            The rule is simple: if it matters, it lives in a document, not a call
            We spent one afternoon of the offsite on a scavenger hunt that got competitive fast
            Our handbook is public, typos and all
            New hires get a buddy and a list of {n10} people to have coffee with in their first month
            Support rotations include everyone, engineers and founders too
            One customer asked whether BrightPath could schedule their chickens, and honestly, yes
            We publish our salary bands, which makes hiring conversations shorter and kinder
            The quiet day gives people a full block for deep work, and shipping speed went up
            Not every experiment sticks; the standing desk lottery was a disaster
            """),
         headings=["What we tried", "What stuck", "What did not", "What is next"],
         items=["Team size: {n10}", "Countries: {n2}", "Meetings per week: fewer than {n2}"],
         closings=["If you want to work this way, the careers page is open",
                   "We will report back after the next offsite"]),
    dict(name="howto", category="product", rank=1, tags=["how-to", "tips", "product"],
         structures=["steps", "headed", "list"], length=(150, 340),
         titles=split_lines("""
            Setting up {feature} in ten minutes
            Three ways to use {feature} you might have missed
            A cleaner weekly review with saved filters
            How our own support team uses {feature}
            """),
         openings=split_lines("""
            {feature} is one of those features people discover by accident and then use every day
            A customer asked how we run our own weekly review, so here is the unglamorous truth
            If your board has grown past a few hundred cards, this setup will help
            """),
         sentences=split_lines("""
            Start by creating a filter for tasks due this week and assigned to you
            Pin the filter to the sidebar so it is one click away
            Use a custom field for effort instead of cramming estimates into titles
            Recurring tasks work best for chores nobody owns, like rotating the on-call schedule
            If a column has more than {n10} cards, it is probably two columns
            Color labels are tempting, but three colors beat twelve
            The weekly review takes fifteen minutes once the filters exist
            Archive finished projects rather than deleting them; search still finds them
            Guests only see the projects you share, so you can invite contractors safely
            Automations should save a click, not hide a decision
            """),
         headings=["Before you start", "Set it up", "Make it a habit", "Common mistakes"],
         items=["Create a saved filter", "Pin it to the sidebar", "Add an effort field",
                "Schedule a fifteen minute review", "Archive what is done"],
         closings=["Questions? Our support team answers within a few hours",
                   "Share your own setup with us; we collect them"]),
    dict(name="essay", category="company", rank=5, tags=["essay", "history", "work"],
         structures=["prose", "prose"], length=(200, 400),
         titles=split_lines("""
            What {oddthing} can teach a project manager
            A short history of the to-do list
            In praise of {oddthing}
            The lost art of the status meeting
            """),
         openings=split_lines("""
            I spent a rainy weekend reading about {oddthing}, and I cannot stop thinking about it
            Long before software, people still had to coordinate work, and they were surprisingly good at it
            This is a post about {oddthing}, which I promise is also a post about planning
            """),
         sentences=split_lines("""
            Lighthouse keepers logged the weather, the oil burned and every passing ship, in ink, every night
            Henry Gantt drew his charts for munitions factories, and most of his ideas still hold up
            A railway timetable is a promise made in public, which is what a good plan should be
            The medieval guilds kept ledgers of apprentices that read a lot like a skills matrix
            Our office fern has outlived three reorganizations and one very ambitious watering schedule
            Knitting patterns are written in a compact notation that any engineer would admire
            Sourdough is a lesson in patience, feeding schedules and the limits of control
            Punch cards forced people to think before they ran anything, which we could stand to relearn
            There is a kind of humility in writing down what actually happened, not what you planned
            The best process documents are short, boring and followed
            Old ships' logs have a strange poetry: wind, sail, position, remarks
            Every tool eventually becomes invisible, and that is when it starts to shape how you think
            """),
         headings=["An old problem", "What they got right", "What it means for us"],
         items=[], closings=["Anyway, back to work", "If you know a good history of the checklist, send it our way"]),
    dict(name="security", category="engineering", rank=3, tags=["security", "compliance", "trust"],
         structures=["headed", "list"], length=(160, 340),
         titles=split_lines("""
            Our SOC 2 Type II report is ready
            How we handle your data when you leave
            Single sign-on for every plan
            What our last penetration test found
            """),
         openings=split_lines("""
            Security work is mostly invisible when it goes well, so here is a look behind the curtain
            Our auditors finished their fieldwork in {month}, and the report is now available on request
            We hired an outside firm to attack BrightPath for {n2} weeks, and they found a few things
            """),
         sentences=split_lines("""
            Data is encrypted at rest with keys that rotate every ninety days
            When you delete a workspace, backups age out within thirty-five days
            The testers found a rate-limiting gap on password resets, which we fixed in two days
            Every production access is logged and reviewed weekly by someone outside the requester's team
            SAML sign-in is now included on the team plan, not only enterprise
            We publish a list of subprocessors and notify admins before it changes
            Audit logs can be streamed to your own storage
            Our bug bounty paid out {n2} reports this year, none of them critical
            """),
         headings=["What changed", "What we found", "What you can do"],
         items=["Encryption at rest and in transit", "Annual penetration tests", "SSO on team plans",
                "Audit log streaming", "Public subprocessor list"],
         closings=["Security questions go to our trust team, who answer quickly"]),
    dict(name="hiring", category="company", rank=4, tags=["hiring", "careers"],
         structures=["prose", "headed"], length=(150, 320),
         titles=split_lines("""
            We are hiring {role_title}s
            What our interview process looks like
            Notes from our first internship cohort
            """),
         openings=split_lines("""
            We are looking for {n2} people to join {team}, and we want to be clear about what the job is
            Interviews are stressful, so we publish exactly what ours look like
            This summer, {n2} interns joined us for twelve weeks, and they shipped real work
            """),
         sentences=split_lines("""
            There is no whiteboard puzzle; you will work on a small problem similar to our real ones
            Take-home exercises are paid, and capped at three hours
            You will meet the people you would work with, not a panel of strangers
            We reply to every applicant, including the ones we do not move forward with
            One intern rebuilt our onboarding checklist and cut setup time in half
            Salary bands are listed in every job post
            Our interns presented their projects to the whole company on the last {weekday}
            """),
         headings=["The role", "The process", "What we offer"],
         items=["Paid take-home, three hours maximum", "Salary band in the post", "A reply to everyone"],
         closings=["Apply on the careers page, or write to {first} with questions"]),
]

BP_POOLS["role_title"] = ["backend engineer", "product designer", "support specialist", "data analyst",
                          "technical writer"]

BP_GENERIC = split_lines("""
    {first}, {role}, put it well: the best feature is the one you stop noticing
    last {weekday}, {first} on {team} shipped a fix for {feature} before lunch
    customers like {custco} told us that {feature} saved them {n2} hours a week
    we tested this with {n10} teams before turning it on for everyone
    {first} from {team} {bpsays} that {bpopinion}
    in {month}, {team} spent {n2} weeks on {feature} and {bpresult}
    the integration with {tool} now covers {feature} as well
    on {team}, {first} tracks {metric} on a small dashboard by the coffee machine
    {bptime}, {bpwho} {bpdid} {bphow}
    {bpwho} {bpdid} {bptime}, and {bpresult2}
    {bpif}, {bpadvice}
    {bpadvice} {bpif}
    {first} {bpsays} that {bpopinion}, {bphedge}
    {bphedge}, {bpwho} {bpdid} {bphow}
""")
BP_POOLS.update({
    "bpsays": ["says", "argues", "likes to say", "keeps reminding us", "insists"],
    "bpopinion": ["small releases beat big launches", "a clear owner beats a clever tool",
                  "most meetings should be documents", "defaults matter more than settings",
                  "the changelog is the most honest marketing we have", "every board needs a done column",
                  "nobody reads a ten-page spec", "{feature} is underrated"],
    "bptime": ["last {weekday}", "early in {month}", "during the {month} release", "over a long weekend",
               "right before the holidays", "the week after launch", "on a quiet {weekday}", "back in {month}",
               "in our {n2}th sprint this year", "late one {weekday} night"],
    "bpwho": ["{first} from {team}", "{team}", "a customer at {custco}", "{first} and {first}", "{role}",
              "our support rotation", "two engineers on {team}", "the team at {custco}", "{first}, {role},"],
    "bpdid": ["rebuilt the {feature} settings page", "paired on a nasty bug in {feature}",
              "moved their planning into {feature}", "tested {feature} with {n10} customers",
              "rewrote the help article for {feature}", "untangled the {tool} sync",
              "deleted an old cron job nobody understood", "traced a spike in {metric}",
              "sketched a new onboarding checklist", "answered {n100} tickets about {feature}",
              "cleaned up {n100} stale boards", "migrated their requests from {tool}"],
    "bphow": ["with a lot of coffee", "in under a day", "without a single meeting", "behind a feature flag",
              "and wrote up everything they learned", "after a false start", "on the second try",
              "while half the office was out", "with help from {first}", "and nobody noticed, which was the point"],
    "bpresult2": ["{metric} dropped by {pct} percent", "the ticket queue finally shrank",
                  "{first} got a full night of sleep", "the docs got shorter", "nobody asked for a rollback",
                  "the weekly review got {n2} minutes faster", "we found two more bugs"],
    "bpif": ["if your board has more than {n100} cards", "when a project changes owners",
             "if you work across time zones", "when a client needs visibility", "if {tool} is your source of truth",
             "when in doubt", "if your team is new to BrightPath", "when a deadline moves"],
    "bpadvice": ["start with a single saved filter", "write the decision down in the task",
                 "turn on the weekly digest", "give every project one clear owner", "use {feature} sparingly",
                 "archive what is finished", "ask support; we answer fast", "try {feature} before adding fields"],
    "bphedge": ["at least in our experience", "for what it is worth", "honestly", "most of the time",
                "as far as we can tell", "and we mostly agree"],
    "bpresult": ["cut the load time in half", "found three old bugs along the way", "rewrote the docs",
                 "shipped it behind a flag", "learned a lot about {tool}"],
})

# ---------------------------------------------------------------------------------------------
# brightpath-saas: ... and the templates that take over
# ---------------------------------------------------------------------------------------------

T_TOPICS = ["AI-powered workflows", "team collaboration", "workflow automation", "project visibility",
            "data-driven decision-making", "remote productivity"]
T_POOLS = {
    "audience": ["teams", "modern teams", "growing businesses", "project managers"],
    "outcome": ["productivity", "efficiency", "collaboration", "results"],
    "goal": ["do more with less", "stay ahead of the curve", "work smarter, not harder",
             "keep everyone aligned"],
}
T_BENEFITS = [
    "**Seamless integration**: BrightPath connects with the tools your team already uses, so you can leverage your existing stack without missing a beat.",
    "**Increased productivity**: By automating repetitive tasks, your team can focus on what really matters and elevate their impact.",
    "**Enhanced collaboration**: Keep everyone on the same page with robust real-time updates and shared workspaces.",
    "**Data-driven insights**: Unlock actionable insights with powerful dashboards that help you make smarter decisions.",
    "**Improved visibility**: Get a bird's-eye view of every project so nothing falls through the cracks.",
    "**Robust security**: Enterprise-grade security means you can scale with confidence.",
    "**Time savings**: Streamline your workflows and save hours every week.",
    "**Scalability**: Whether you are a startup or an enterprise, BrightPath grows with you.",
]
T_WHY = [
    "In the modern workplace, {topic} is no longer a nice-to-have; it is a must-have.",
    "Teams that embrace {topic} are better positioned to navigate the ever-evolving landscape of work.",
    "Without {topic}, teams struggle with silos, missed deadlines and wasted effort.",
    "{topic_cap} empowers {audience} to streamline processes and unlock their full potential.",
    "Studies show that teams who leverage {topic} see significant gains in {outcome}.",
]
T_START = [
    "Getting started with BrightPath is seamless.",
    "Simply sign up for a free trial, invite your team and start exploring our robust features.",
    "Our intuitive onboarding guides you every step of the way.",
    "Within minutes, you will be ready to unlock the power of {topic}.",
]
T_OPEN = [
    "In today's fast-paced world, {audience} need to {goal}. That's where {topic} comes in. In this post, we'll delve into how BrightPath helps you unlock the power of {topic} and elevate your {outcome}.",
    "In today's fast-paced world, {topic} has become a game-changer for {audience}. But how can you leverage it to elevate your {outcome}? Let's delve into it.",
    "In today's fast-paced business landscape, {audience} are constantly looking for ways to {goal}. Enter {topic}: a game-changer that can unlock new levels of {outcome}.",
]
T_CLOSE = [
    "In conclusion, {topic} is a game-changer for {audience} looking to elevate their {outcome}. By leveraging BrightPath's robust features, you can unlock seamless workflows and stay ahead of the curve. Ready to get started? Start your free trial today!",
    "In conclusion, embracing {topic} is key to unlocking your team's full potential. With BrightPath, you can leverage robust tools to elevate your {outcome} and drive success. Start your free trial today!",
]
T_TITLES = [
    "5 Ways {topic_title} Can Elevate Your {outcome_title}",
    "Unlock the Power of {topic_title}: A Complete Guide",
    "Why {topic_title} Is a Game-Changer for {audience_title}",
    "Elevate Your {outcome_title} with {topic_title}",
    "How to Leverage {topic_title} for Seamless {outcome_title}",
]


def template_post(rng: random.Random, topics: list[str]) -> tuple[str, str, dict]:
    topic = rng.choice(topics)
    slots = {k: rng.choice(v) for k, v in T_POOLS.items()}
    slots["topic"] = topic
    slots["topic_cap"] = cap(topic)
    slots["topic_title"] = title_case(topic)
    slots["outcome_title"] = title_case(slots["outcome"])
    slots["audience_title"] = title_case(slots["audience"])

    def fill(s):
        return SLOT_RE.sub(lambda m: slots[m.group(1)], s)

    title = fill(rng.choice(T_TITLES))
    bens = rng.sample(T_BENEFITS, 5)
    why = rng.sample(T_WHY, 2)
    body = [fill(rng.choice(T_OPEN)),
            f"## Why {topic} matters",
            fill(" ".join(why)),
            "## Key benefits",
            fill(f"Here are 5 ways {topic} can be a game-changer for your {slots['audience']}:"),
            "\n".join(f"{i + 1}. {b}" for i, b in enumerate(bens)),
            "## How to get started",
            fill(" ".join(T_START[:rng.randint(3, 4)])),
            "## Conclusion",
            fill(rng.choice(T_CLOSE))]
    return title, "\n\n".join(body) + "\n", {"topic": topic, "slots": slots}


def remix_post(rng: random.Random, earlier: tuple[str, str, dict], topics: list[str]) -> tuple[str, str, dict]:
    """Re-use an earlier templated post with a few words changed (content generated from content)."""
    title, body, meta = earlier
    old = meta["topic"]
    new = rng.choice(topics)
    body = body.replace(old, new).replace(cap(old), cap(new)).replace(title_case(old), title_case(new))
    title = title.replace(title_case(old), title_case(new))
    swaps = [("elevate", "enhance"), ("seamless", "effortless"), ("robust", "powerful"),
             ("teams", "organizations"), ("Ready to get started?", "Ready to take the next step?")]
    for a, c in rng.sample(swaps, rng.randint(0, 2)):
        body = body.replace(a, c, 1)
    if rng.random() < 0.5:
        title = title.replace("5 Ways", rng.choice(["5 Ways", "Top 5 Ways", "5 Proven Ways"]))
    return title, body, {"topic": new, "slots": meta["slots"]}


def shrink_pools(pools: dict, frac: float) -> dict:
    """Later months: the human-written posts draw on ever fewer fillers (rare words fade)."""
    out = {}
    for k, v in pools.items():
        if isinstance(v, list) and len(v) > 3 and frac < 1:
            out[k] = v[:max(2, int(round(len(v) * frac)))]
        else:
            out[k] = v
    return out


def build_bp_body(fam: dict, rng: random.Random, guard: NgramGuard, target: int, pools: dict) -> str:
    b = DocBuilder(guard, pools, rng, reusable=frozenset(BP_GENERIC), fallback=True)

    def add():
        if rng.random() < 0.6 and b.sentence_from(fam["sentences"], tries=10):
            return True
        return b.sentence_from(BP_GENERIC, tries=20)

    b.sentence_from(fam["openings"]) or add()
    add()
    b.end_para()
    st = rng.choice(fam["structures"])
    fails = 0

    def paras(limit):
        nonlocal fails
        while b.nwords() < limit and fails < 6:
            for _ in range(rng.randint(2, 4)):
                if not add():
                    fails += 1
            b.end_para()

    if st in ("headed", "code"):
        heads = rng.sample(fam["headings"], min(len(fam["headings"]), rng.randint(2, 4)))
        per = max(30, (target - b.nwords()) // max(1, len(heads)))
        for i, h in enumerate(heads):
            b.blocks.append("## " + h)
            paras(min(target, b.nwords() + per))
            if st == "code" and i == 0:
                b.blocks.append(rng.choice(BP_CODE))
    elif st in ("list", "steps"):
        paras(b.nwords() + 30)
        if fam["items"]:
            b.bullets(fam["items"], min(len(fam["items"]), rng.randint(3, 5)), numbered=(st == "steps"))
    paras(target)
    if fam["closings"] and rng.random() < 0.6:
        b.sentence_from(fam["closings"], tries=5)
    return b.body()


BP_CODE = [
    "```sql\nCREATE INDEX CONCURRENTLY tasks_ws_due_idx\n  ON tasks (workspace_id, due_at)\n  INCLUDE (status, assignee_id);\n```",
    "```python\n@retry(attempts=3, backoff=2.0)\ndef run_job(job):\n    with span(\"job\", kind=job.kind):\n        return HANDLERS[job.kind](job.payload)\n```",
    "```ts\nexport function nextOccurrence(rule: RRule, after: Date, tz: string): Date {\n  return rule.after(toZoned(after, tz), false);\n}\n```",
    "```bash\n$ brightpath export --board 4411 --format csv > board.csv\n```",
]

# ---------------------------------------------------------------------------------------------
# writing the corpora
# ---------------------------------------------------------------------------------------------

FERN_AUTHORS = ["Maya Okafor", "Theo Lindqvist", "Priya Marsh", "Jonah Delgado", "Ines Whitcombe",
                "Callum Nakamura", "Rosa Abernathy", "Dev Rahman", "Harriet Coyle", "Luis Fairweather",
                "Noor Brandt", "Ezra Osei"]
BP_AUTHORS = ["Clementine Pell", "Arlo Ruiz", "Mireille Halvorsen", "Hank McAllister", "Leilani Tran",
              "Bram Quintero", "Soledad Baptiste", "Yusuf Sorensen", "BrightPath Team"]
FERN_NAV = ["Shop", "Trails", "Repair", "Rentals", "Journal", "Events", "About"]
BP_NAV = ["Product", "Pricing", "Customers", "Resources", "Blog", "Careers", "Sign in"]
FERN_FOOTER = "Fernleaf Outdoor | Gear, repair and rentals since 1994 | 1220 Alder Street"
BP_FOOTER = "BrightPath | Work management for teams | 2025 BrightPath Inc."


class Writer:
    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, bytes] = {}

    def put(self, rel: str, data: str | bytes) -> str:
        while rel in self.files:  # never overwrite: bump the slug
            stem, dot, ext = rel.rpartition(".")
            rel = f"{stem}-2.{ext}"
        self.files[rel] = data.encode("utf-8") if isinstance(data, str) else data
        return rel

    def flush(self) -> None:
        for rel in sorted(self.files):
            p = self.root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(self.files[rel])


def month_days(rng: random.Random, y: int, m: int, n: int) -> list[str]:
    last = 28 if m == 2 else (30 if m in (4, 6, 9, 11) else 31)
    days = sorted(rng.randint(1, last) for _ in range(n))
    return [f"{y}-{m:02d}-{d:02d}" for d in days]


def emit_post(w: Writer, rng: random.Random, *, date: str, title: str, body: str, category: str,
              tags: list[str], author: str, fmt: str, folders: dict, nav, footer, brand, base_url,
              byline: str | None = None) -> str:
    y, m = date[:4], date[5:7]
    slug = slugify(title)
    if fmt == "md":
        fm = front_matter([("title", title), ("date", date), ("category", category), ("tags", tags),
                           ("author", author), ("byline", byline)])
        return w.put(f"{folders['md']}/{y}/{m}/{slug}.md", fm + decorate(body, rng, slug, f"{y}/{m}", base_url, False))
    if fmt == "named":
        fm = front_matter([("title", title), ("category", category), ("tags", tags), ("author", author),
                           ("byline", byline)])
        return w.put(f"{folders['named']}/{date}-{slug}.md", fm + decorate(body, rng, slug, f"{y}/{m}", base_url, False))
    if fmt == "mdx":
        fm = front_matter([("title", title), ("date", date), ("category", category), ("tags", tags),
                           ("author", author), ("byline", byline)])
        blocks = decorate(body, rng, slug, f"{y}/{m}", base_url, True).strip().split("\n\n")
        note = rng.choice(["Prices correct at publication.", "Updated after publication.",
                           "Shared with permission.", "Contains links to our shop.", "Photos by our staff."])
        stamp = f"{MONTH_NAMES[int(m) - 1]} {int(date[8:])}, {y}"
        note = f"{stamp}: {note[0].lower()}{note[1:]}"
        blocks.insert(min(2, len(blocks)), f'<Callout type="{rng.choice(["info", "tip", "note"])}">\n  {note}\n</Callout>')
        imports = "import Callout from '../../components/Callout'\n\n"
        return w.put(f"{folders['mdx']}/{y}/{slug}.mdx", fm + imports + "\n\n".join(blocks) + "\n")
    # html
    return w.put(f"{folders['html']}/{slug}.html", html_page(brand, nav, title, date, body, footer))


def pick_fmt(rng: random.Random) -> str:
    r = rng.random()
    return "md" if r < 0.55 else "named" if r < 0.8 else "mdx" if r < 0.9 else "html"


def fern_ads(rng: random.Random, guard: NgramGuard, date: str) -> tuple[str, str, str]:
    fam = FERN_FAMILIES[rng.randrange(len(FERN_FAMILIES))]
    campaign = rng.choice(["spring-trails", "repair-week", "rent-before-you-buy", "gear-swap", "paddle-season",
                           "winter-ready", "trade-in", "kids-outside", "staff-picks", "shop-local"])
    headline = cap(expand(rng.choice(fam["titles"]), FERN_POOLS, rng))
    gen = frozenset(FERN_FAMILY_GEN[fam["name"]] + FERN_GENERIC)
    for _ in range(30):
        b = DocBuilder(guard, FERN_POOLS, rng, transform=vary, reusable=gen)
        while b.nwords() < rng.randint(26, 36):
            if not _add(b, fam):
                break
        cta = rng.choice(["Visit {store}.", "Rent one at {store}.", "Ask us at {store}.", "Book a spot online.",
                          "Stop by {store} this {weekday}.", "Bring yours to {store}."])
        text = " ".join(b.para) + " " + expand(cta, FERN_POOLS, rng)
        grams = set(guard.grams(words(text)))
        if len(words(text)) >= 25 and not grams & guard.seen:
            guard.commit(grams)
            return campaign, headline, text
    return campaign, headline, text


def bp_ad(rng: random.Random, mi: int, p_t: float, topics: list[str], pools: dict) -> tuple[str, str, str]:
    if rng.random() < p_t:
        topic = rng.choice(topics)
        headline = rng.choice(["Unlock the power of {t}", "Elevate your team with {t}",
                               "{T}: the game-changer you need"]).replace("{t}", topic).replace("{T}", cap(topic))
        text = (f"In today's fast-paced world, teams need seamless {topic}. BrightPath helps you leverage robust "
                f"tools to elevate your {rng.choice(T_POOLS['outcome'])} and unlock your team's full potential. "
                f"Start your free trial today!")
        return "unlock-" + slugify(topic), headline, text
    fam = BP_FAMILIES[rng.randrange(len(BP_FAMILIES))]
    headline = cap(expand(rng.choice(fam["titles"]), pools, rng))
    s = [cap(expand(x, pools, rng)).rstrip(".") + "." for x in rng.sample(fam["sentences"], 2)]
    text = " ".join(s) + " " + rng.choice(["Try BrightPath free for 14 days.", "See how it works.",
                                            "Read the full story on our blog.", "Start a free workspace."])
    while len(words(text)) < 25:
        text += " " + cap(expand(rng.choice(BP_GENERIC), pools, rng)) + "."
    return rng.choice(["release", "customers", "trial", "webinar", "security"]), headline, text


def write_csv(rows: list[tuple[str, str, str, str]]) -> str:
    buf = io.StringIO()
    cw = csv.writer(buf, lineterminator="\n")
    cw.writerow(["date", "campaign", "headline", "primary_text"])
    cw.writerows(rows)
    return buf.getvalue()


def make_fernleaf(root: Path) -> dict:
    rng = random.Random(SEED)
    guard = NgramGuard()
    w = Writer(root)
    common = dict(folders={"md": "blog", "named": "posts", "mdx": "journal", "html": "pages"},
                  nav=FERN_NAV, footer=FERN_FOOTER, brand="Fernleaf Outdoor", base_url="https://fernleaf.example")
    # plan every month first, then build the texts round-robin across months, so that the
    # 8-gram guard (which gets stricter as the corpus grows) weighs on all months alike
    plan, counts, ad_plan = [], {}, []
    for y, m in MONTHS:
        n = rng.randint(21, 24)
        counts[f"{y}-{m:02d}"] = n
        plan.append([(date, FERN_FAMILIES[rng.randrange(len(FERN_FAMILIES))]) for date in month_days(rng, y, m, n)])
        ad_plan.append(month_days(rng, y, m, rng.randint(10, 16)))
    mpools = [month_pools(mi) for mi in range(len(MONTHS))]
    bodies: dict = {}
    ad_rows: dict = {}
    for j in range(max(len(x) for x in plan)):
        order = list(range(len(MONTHS)))
        rng.shuffle(order)
        for mi in order:
            if j < len(plan[mi]):
                date, base = plan[mi][j]
                fam = month_view(base, mi)
                fam["pools"] = mpools[mi]
                target = rng.randint(*fam["length"])
                for _attempt in range(12):  # the whole body must not repeat any earlier 8-gram
                    body = build_fern_body(fam, rng, guard, target)
                    grams = set(guard.grams(words(body)))
                    if not grams & guard.seen:
                        break
                guard.commit(grams)
                bodies[(mi, j)] = body
            if j < len(ad_plan[mi]):
                ad_rows[(mi, j)] = (ad_plan[mi][j],) + fern_ads(rng, guard, ad_plan[mi][j])
    ads: dict = {}
    first_md = None
    titles_seen: set = set()
    for mi, (y, _m) in enumerate(MONTHS):
        for j, (date, fam) in enumerate(plan[mi]):
            for _ in range(30):
                title = title_case(cap(expand(rng.choice(fam["titles"]), FERN_POOLS, rng)))
                if slugify(title) not in titles_seen:
                    break
            titles_seen.add(slugify(title))
            tags = rng.sample(fam["tags"], rng.randint(1, min(3, len(fam["tags"]))))
            rel = emit_post(w, rng, date=date, title=title, body=bodies[(mi, j)], category=fam["category"],
                            tags=tags, author=rng.choice(FERN_AUTHORS), fmt=pick_fmt(rng), **common)
            if first_md is None and rel.endswith(".md") and date >= "2025-03":
                first_md = rel
        for j in range(len(ad_plan[mi])):
            ads.setdefault(y, []).append(ad_rows[(mi, j)])
    for y, rows in ads.items():
        w.put(f"ads/{y}-ads.csv", write_csv(rows))
    # deliberate problem files
    w.put("blog/2025/06/untitled-draft.md", b"")
    w.put("images/logo.png", tiny_png((46, 94, 62)))
    undated = build_fern_body(FERN_FAMILIES[3], rng, guard, 180)
    w.put("notes/about-our-repair-bench.md",
          front_matter([("title", "About our repair bench"), ("category", "sustainability"),
                        ("author", "Fernleaf Outdoor")]) + undated)
    w.put("notes/2025-07-02-shop-closed.md", "Shop closed Friday for inventory. Back Saturday at nine.\n")
    dup = w.files[first_md]
    stem = first_md.rsplit("/", 1)[1]
    w.put("blog/2025/09/repost-" + stem, dup)
    w.flush()
    return {"counts": counts, "duplicate_of": first_md, "duplicate": "blog/2025/09/repost-" + stem}


BP_SHARE = [0, 0, 0, 0, 0, 0.12, 0.24, 0.36, 0.48, 0.6, 0.72, 0.84, 0.92, 0.96, 1.0]
BP_REMIX = [0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8]
BP_HYBRID = [0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
BP_RANK = [9, 9, 9, 9, 9, 5, 5, 4, 3, 3, 2, 1, 1, 0, 0]
BP_TOPICS = [6, 6, 6, 6, 6, 6, 6, 5, 5, 4, 4, 3, 2, 2, 2]
BP_POOLFRAC = [1, 1, 1, 1, 1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.3]


# Who published each BrightPath post (the ``byline`` front matter key, for ``--source-field
# byline``): templated posts come from the content tool's account, the others from the staff or
# the agency, by author (derived, not drawn: the random stream and every text stay the same).
# HTML pages and ad rows carry no byline (listed as "(no source)").
BP_AGENCY = {"Arlo Ruiz", "Hank McAllister", "Soledad Baptiste", "Yusuf Sorensen"}


def bp_byline(author: str, templated: bool) -> str:
    if templated:
        return "ai-desk"
    return "northwind agency" if author in BP_AGENCY else "in-house"


def make_brightpath(root: Path) -> dict:
    rng = random.Random(SEED + 1)
    guard = NgramGuard(strict=True)
    w = Writer(root)
    common = dict(folders={"md": "blog", "named": "posts", "mdx": "changelog", "html": "resources"},
                  nav=BP_NAV, footer=BP_FOOTER, brand="BrightPath", base_url="https://brightpath.example")
    templated: list = []
    ads = {}
    counts, shares = {}, {}
    first_md = None
    for mi, (y, m) in enumerate(MONTHS):
        n = rng.randint(21, 24)
        key = f"{y}-{m:02d}"
        counts[key] = n
        topics = T_TOPICS[:BP_TOPICS[mi]]
        pools = shrink_pools(BP_POOLS, BP_POOLFRAC[mi])
        fams = [f for f in BP_FAMILIES if f["rank"] <= BP_RANK[mi]]
        nt = 0
        slots_t = set(rng.sample(range(n), round(BP_SHARE[mi] * n)))
        for di, date in enumerate(month_days(rng, y, m, n)):
            if di in slots_t:
                nt += 1
                if templated and rng.random() < BP_REMIX[mi]:
                    post = remix_post(rng, templated[rng.randrange(len(templated))], topics)
                else:
                    post = template_post(rng, topics)
                templated.append(post)
                title, body, meta = post
                cat = rng.choice(["product", "product", "customers", "company"])
                tags = rng.sample(["productivity", "AI", "collaboration", "automation", "teams"], 2)
                # template posts tend to be plain Markdown from the CMS
                fmt = "md" if rng.random() < 0.7 else "named"
            else:
                fam = fams[rng.randrange(len(fams))]
                body = build_bp_body(fam, rng, guard, rng.randint(*fam["length"]), pools)
                guard.commit(set(guard.grams(words(body))))
                if rng.random() < BP_HYBRID[mi]:
                    s = {"topic": rng.choice(topics), "audience": rng.choice(T_POOLS["audience"]),
                         "outcome": rng.choice(T_POOLS["outcome"]), "goal": rng.choice(T_POOLS["goal"])}

                    def fill(t: str, s: dict = s) -> str:
                        return SLOT_RE.sub(lambda mm: s[mm.group(1)], t)

                    body = fill(rng.choice(T_OPEN)) + "\n\n" + body + "\n" + fill(rng.choice(T_CLOSE)) + "\n"
                title = title_case(cap(expand(rng.choice(fam["titles"]), pools, rng)))
                cat = fam["category"]
                tags = rng.sample(fam["tags"], rng.randint(1, min(3, len(fam["tags"]))))
                fmt = pick_fmt(rng)
            author = rng.choice(BP_AUTHORS)
            rel = emit_post(w, rng, date=date, title=title, body=body, category=cat, tags=tags,
                            author=author, fmt=fmt, byline=bp_byline(author, di in slots_t),
                            **common)
            if first_md is None and rel.endswith(".md") and date >= "2025-02":
                first_md = rel
        shares[key] = round(nt / n, 2)
        for date in month_days(rng, y, m, rng.randint(10, 16)):
            ads.setdefault(y, []).append((date,) + bp_ad(rng, mi, BP_SHARE[mi], topics, pools))
    for y, rows in ads.items():
        w.put(f"ads/{y}-ads.csv", write_csv(rows))
    w.put("blog/drafts/empty-post.md", b"")
    w.put("images/logo.png", tiny_png((250, 176, 5)))
    undated = build_bp_body(BP_FAMILIES[3], rng, guard, 170, BP_POOLS)
    w.put("docs/about-brightpath.md", front_matter([("title", "About BrightPath"), ("category", "company")]) + undated)
    w.put("posts/2025-05-20-maintenance.md", "Scheduled maintenance tonight, 22:00 to 23:00 UTC. No action needed.\n")
    stem = first_md.rsplit("/", 1)[1]
    w.put("blog/2025/06/copy-of-" + stem, w.files[first_md])
    w.flush()
    return {"counts": counts, "templated_share": shares, "duplicate_of": first_md,
            "duplicate": "blog/2025/06/copy-of-" + stem}


README = """# Sample corpora

Two fictional brands for trying `samey` and for its benchmarks, and a third brand's ad export.
**All text is synthetic**: written and generated for samey by `bench/make_sample_corpora.py` (and
`bench/make_ad_corpus.py`, which it runs; standard library only, fixed seeds; running it again
reproduces these files byte for byte). No text comes from real blogs or real ads. License: MIT,
same as the project.

The two brand folders span 15 months (2025-01 to 2026-03) with 21-24 posts per month plus 10-16
ad rows per month, in mixed formats: Markdown with YAML front matter (`title`, `date`, `category`, `tags`,
`author`) under `blog/YYYY/MM/`, Markdown named `YYYY-MM-DD-slug.md` without a date in the front
matter (`posts/`), MDX with an `import` line, a `<Callout>` component and images (`journal/` or
`changelog/`), HTML pages with nav/header/footer boilerplate and an
`article:published_time` meta date (`pages/` or `resources/`), and a CSV export of ad copy
(`ads/YYYY-ads.csv`, columns `date,campaign,headline,primary_text`). Segments are in the
`category` front matter key.

## fernleaf-outdoor (expected: not samey)

An outdoor gear shop. Fourteen topic families (trail guides, gear care, staff stories,
sustainability, camp recipes, customer letters, event recaps, product deep-dives, seasonal safety,
paddling, family outings, night sky, trail running, nature notes) with varied structures (prose,
headed sections, lists, Q&A, numbered steps, recipes, letters). The mix is the same in every
month. The generator refuses any sentence that would repeat an 8-word sequence used anywhere else
in the brand, so no two documents share long word runs (except the deliberate duplicate).

## brightpath-saas (expected: samey, gradually)

A B2B work-management tool. Months 1-5 are varied, human-style posts (release notes, engineering
write-ups with code blocks, customer stories, company notes, how-tos, odd essays, security,
hiring). From month 6 a growing share of posts (12% rising to 100% in 2026-03) comes from a few
templates ("In today's fast-paced world ... ## Why X matters / ## Key benefits / ## How to get
started / ## Conclusion ... In conclusion ..."), with buzzwords (seamless, leverage, elevate,
unlock, robust, game-changer, delve), topics narrowing to two themes, and more and more posts
remixed from earlier templated posts with a few words changed (near-duplicates). The remaining
human-style posts lose their rarer families and fillers and increasingly get the template opening
and closing.

Its Markdown and MDX posts also name who published them, in a `byline` front matter key (for
`--source-field byline`): `ai-desk` (the content tool's account) for every templated post,
`in-house` or `northwind agency` for the others (by author). The HTML pages and the ad rows carry
no byline, so an audit by byline lists them as "(no source)".

## tidewater-ads (expected: samey; ad copy only)

A Google-Ads-like export of a fictional kayak-tour outfitter, one CSV
(`ads/tidewater-ads-export.csv`, columns `date,campaign,ad_group,headline,description`, 389 rows,
24-29 a month, 2025-01 to 2026-03). Every description is 9-17 words, under the 20-word minimum for
prose files: rows of tabular files have their own minimum (`min_record_words`, 3 words), so they
are analysed. The description is the text, the headline the title, and `--segment-field campaign`
gives segments. Months 1-6 are varied (many frames: places, guides, wildlife, practical notes);
from 2025-07 a growing share of rows (15% rising to 95% in 2026-03) is stock copy built from a
handful of phrases ("Unforgettable adventures await", "Book now and save 20%", "Don't miss out"),
often re-run word for word.

## Deliberate problem files

| brand | file | problem |
|---|---|---|
{problems}
| tidewater-ads | `ads/tidewater-ads-export.csv#41` | empty description |
| tidewater-ads | `ads/tidewater-ads-export.csv#91` | two-word description (under `min_record_words`) |

Everything else should be read as a dated document.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "sample_corpora"))
    args = ap.parse_args()
    out = Path(args.out)
    for brand in ("fernleaf-outdoor", "brightpath-saas"):
        if (out / brand).exists():
            shutil.rmtree(out / brand)
    f = make_fernleaf(out / "fernleaf-outdoor")
    b = make_brightpath(out / "brightpath-saas")
    ads = make_ads(out / ADS_BRAND)
    rows = []
    for name, info, empty, undated, short in (
            ("fernleaf-outdoor", f, "blog/2025/06/untitled-draft.md", "notes/about-our-repair-bench.md",
             "notes/2025-07-02-shop-closed.md"),
            ("brightpath-saas", b, "blog/drafts/empty-post.md", "docs/about-brightpath.md",
             "posts/2025-05-20-maintenance.md")):
        rows += [f"| {name} | `{empty}` | empty file |",
                 f"| {name} | `images/logo.png` | binary (a 4x4 PNG) |",
                 f"| {name} | `{undated}` | no date (none in front matter or path) |",
                 f"| {name} | `{info['duplicate']}` | exact duplicate of `{info['duplicate_of']}` |",
                 f"| {name} | `{short}` | very short note (under 20 words) |"]
    (out / "README.md").write_text(README.format(problems="\n".join(rows)), encoding="utf-8")
    print("fernleaf months:", f["counts"])
    print("brightpath months:", b["counts"])
    print("brightpath templated share:", b["templated_share"])
    print("tidewater-ads rows per month:", ads)


if __name__ == "__main__":
    main()
