"""Render samey's HTML report in headless Chromium, as a reader sees it, at desktop and phone
widths, and write PNG screenshots to look at.

Usage:
    python bench/screenshots.py [REPORT.html ...] [--out DIR] [--widths 1280,390]

Without a report, it first writes one: ``samey report sample_corpora/brightpath-saas
--period-end 2026-03`` (real model, history in a temporary folder) and the same for
fernleaf-outdoor. Needs Debian's ``chromium`` (``apt-get install chromium``); it runs offline
(``--disable-background-networking``). The page is captured whole: the window is made as tall as
the page (measured with ``--dump-dom`` is not enough, so a tall window is used and the blank
bottom cropped).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def make_reports(out: Path) -> list[Path]:
    pages = []
    for brand in ("brightpath-saas", "fernleaf-outdoor"):
        page = out / f"{brand}.html"
        cmd = [sys.executable, "-m", "auditor", "report", str(ROOT / "sample_corpora" / brand),
               "--period-end", "2026-03", "--history", str(out / f"{brand}.sqlite"),
               "--html", str(page), "--quiet"]
        subprocess.run(cmd, check=False, cwd=ROOT)
        if page.exists():
            pages.append(page)
    return pages


def crop_blank_bottom(png: Path) -> None:
    """Cut the white space below the page's content (the window is taller than the page)."""
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(png)
    rows = np.where((img[..., :3].min(axis=2) < 0.95).any(axis=1))[0]
    if rows.size:
        mpimg.imsave(png, img[: min(img.shape[0], rows[-1] + 24)])


def shoot(page: Path, out: Path, width: int, height: int = 6000) -> Path:
    png = out / f"{page.stem}-{width}.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                        f"--window-size={width},{height}", f"--screenshot={png}",
                        page.resolve().as_uri()], capture_output=True, timeout=180, check=False)
    if png.exists():
        crop_blank_bottom(png)
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=Path("screenshots"))
    ap.add_argument("--widths", default="1280,390")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print("chromium not found: apt-get install chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    pages = args.pages or make_reports(args.out)
    for page in pages:
        for w in (int(x) for x in args.widths.split(",")):
            png = shoot(page, args.out, w)
            print(f"{png} ({'ok' if png.exists() else 'FAILED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
