"""Render samey's HTML report in headless Chromium, as a reader sees it, at desktop and phone
widths, and write PNG screenshots to look at.

Usage:
    python bench/screenshots.py [REPORT.html ...] [--out DIR] [--widths 1280,390] [--open]
                                [--model M]

Without a report, it first writes one: ``samey report sample_corpora/brightpath-saas
--period-end 2026-03 --source-field byline`` (real model unless ``--model``, history in the
output folder) and the same for fernleaf-outdoor. Needs Debian's ``chromium`` (``apt-get install
chromium``); it runs offline (``--disable-background-networking``).

The page is captured whole, however tall: its height at each width is measured first (a copy of
the page with a one-line script that writes ``scrollHeight`` into the title, read back with
``--dump-dom``), then the window is made that tall; a page taller than ``MAX_WINDOW`` is shot in
slices (the copy shifted up by a style rule, no script) and the slices stacked. The blank bottom
is cropped.
"""
from __future__ import annotations

import argparse
import re
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


MAX_WINDOW = 16000  # taller pages are shot in slices of this height
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


def make_reports(out: Path, model: str | None = None) -> list[Path]:
    pages = []
    for brand in ("brightpath-saas", "fernleaf-outdoor"):
        page = out / f"{brand}.html"
        cmd = [sys.executable, "-m", "auditor", "report", str(ROOT / "sample_corpora" / brand),
               "--period-end", "2026-03", "--history", str(out / f"{brand}.sqlite"),
               "--html", str(page), "--quiet", *(["--model", model] if model else []),
               *(["--source-field", "byline"] if brand == "brightpath-saas" else [])]
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


def _chromium(args: list[str], profile: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=300, check=False)


def page_height(page: Path, width: int) -> int | None:
    """The page's full height in pixels at this window width (None if it cannot be read)."""
    html = CSP.sub("", page.read_text(encoding="utf-8"))
    html = html.replace("</body>", "<script>document.title=String(document.documentElement"
                        ".scrollHeight)</script></body>")
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(html, encoding="utf-8")
        run = _chromium([f"--window-size={width},1000", "--dump-dom", probe.as_uri()],
                        str(Path(tmp) / "profile"))
    m = re.search(r"<title>(\d+)</title>", run.stdout)
    return int(m.group(1)) if m else None


def _slice(page: Path, png: Path, width: int, top: int, height: int, profile: str) -> None:
    """One slice of the page: its content from ``top`` down, ``height`` pixels."""
    src = page
    if top:
        src = png.with_suffix(".slice.html")
        src.write_text(page.read_text(encoding="utf-8").replace(
            "</head>", f"<style>html{{margin-top:-{top}px}}</style></head>"), encoding="utf-8")
    _chromium([f"--window-size={width},{height}", f"--screenshot={png}", src.resolve().as_uri()],
              profile)
    if src is not page:
        src.unlink()


def shoot(page: Path, out: Path, width: int) -> Path:
    """A full-page screenshot at ``width`` (module docstring)."""
    import matplotlib.image as mpimg
    import numpy as np

    png = out / f"{page.stem}-{width}.png"
    height = (page_height(page, width) or 6000) + 40
    with tempfile.TemporaryDirectory() as profile:
        if height <= MAX_WINDOW:
            _slice(page, png, width, 0, height, profile)
        else:
            parts = []
            for top in range(0, height, MAX_WINDOW):
                part = out / f"{page.stem}-{width}-{top}.png"
                _slice(page, part, width, top, min(MAX_WINDOW, height - top), profile)
                if part.exists():
                    parts.append(mpimg.imread(part)[..., :3])
                    part.unlink()
            if parts:
                mpimg.imsave(png, np.concatenate(parts, axis=0))
    if png.exists():
        crop_blank_bottom(png)
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=Path("screenshots"))
    ap.add_argument("--widths", default="1280,390")
    ap.add_argument("--open", action="store_true", help="also shoot each page with its "
                    "folded parts opened (PAGE-open.png)")
    ap.add_argument("--model", default=None, help="model of the reports it writes (default: "
                    "the packaged one; 'hashing' for a quick look)")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print("chromium not found: apt-get install chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    pages = args.pages or make_reports(args.out, args.model)
    if args.open:  # the folded parts (statistics, charts) opened, to look at them too
        for page in list(pages):
            opened = page.with_name(page.stem + "-open.html")
            opened.write_text(page.read_text(encoding="utf-8").replace("<details ",
                                                                       "<details open "),
                              encoding="utf-8")
            pages.append(opened)
    for page in pages:
        for w in (int(x) for x in args.widths.split(",")):
            png = shoot(page, args.out, w)
            size = ""
            if png.exists():
                import matplotlib.image as mpimg
                h, w = mpimg.imread(png).shape[:2]
                size = f", {w} x {h} px"
            print(f"{png} ({'ok' if png.exists() else 'FAILED'}{size})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
