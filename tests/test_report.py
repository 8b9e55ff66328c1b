"""`samey report`: the HTML report (escaped corpus text, charts, rendered offline in headless
Chromium), the Markdown summary, the JSON, and the CLI's exit codes."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.config import build_options
from auditor.features.embeddings import HashingEmbedder
from auditor.metrics.registry import LAYERS
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.reporting import default_until, report

ROOT = Path(__file__).resolve().parents[1]
BLOG = ROOT / "sample_corpora" / "brightpath-saas" / "blog" / "2025"
CHROMIUM = Path("/usr/bin/chromium")
EVIL_TITLE = "<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\">"
EVIL_BODY = ("Our launch post <script>document.title='PWNED'</script> says the same thing every "
             "time. <img src=x onerror=\"document.title='PWNED'\"> We repeat the same sentence "
             "about seamless onboarding and robust workflows for every single team in the world.")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    corpus = tmp / "brand"
    for m in ("01", "02", "03", "04", "05", "06"):
        shutil.copytree(BLOG / m, corpus / "blog" / m)
    for i in range(3):  # a near-duplicate family of hostile posts in the reported month
        (corpus / "blog" / "06" / f"evil-{i}.md").write_text(
            f"---\ntitle: \"{EVIL_TITLE.replace(chr(34), chr(39))} {i}\"\ndate: 2025-06-1{i}\n"
            f"---\n\n{EVIL_BODY}\n\n{EVIL_BODY} Version {i}.\n", encoding="utf-8")
    opts = build_options(None, progress=False, repeats=2, min_docs=8)
    result = report(corpus, opts, period_end="2025-06", history=tmp / "h.sqlite",
                    embedder=HashingEmbedder(dim=32))
    data = json.loads(json.dumps(result.to_dict(), default=str))
    page = tmp / "report.html"
    page.write_text(render_html(data), encoding="utf-8")
    return tmp, corpus, result, data, page


def test_html_is_self_contained_and_escapes_corpus_text(rendered):
    _, _, result, data, page = rendered
    text = page.read_text(encoding="utf-8")
    titles = [d.get("title") or "" for f in data["evidence"]["2025-06"]["duplicate_families"]
              for d in f["documents"]]
    assert any("PWNED" in t for t in titles), "the hostile posts should be shown as evidence"
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in text
    assert "http://" not in text.replace("http://www.w3.org/", "")  # nothing to fetch
    assert "https://" not in text
    assert text.count("<svg") == len(LAYERS)
    assert result.month == "2025-06" and result.month_status in ("ok", "watch", "samey")


def test_markdown_summary_is_short(rendered):
    _, _, result, data, _ = rendered
    md = render_markdown(data)
    assert md.startswith(f"**samey report 2025-06: {result.month_status.upper()}**")
    assert len(md.splitlines()) <= 12 and "http" not in md


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'chrome'}",
           *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                    "(apt-get install chromium); CI installs it")
def test_html_in_headless_chromium(rendered):
    tmp, _, _, _, page = rendered
    dom = _chromium(tmp, "--dump-dom", page.as_uri()).stdout
    assert "<svg" in dom and dom.count("<svg") == len(LAYERS)
    assert "PWNED</title>" not in dom and "<title>samey report 2025-06" in dom
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom  # shown as text
    shot = tmp / "shot.png"
    _chromium(tmp, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri())
    assert shot.exists()
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)[..., :3]
    non_white = (img.min(axis=2) < 0.9).mean()
    assert non_white > 0.05, f"screenshot looks blank ({non_white:.1%} non-white pixels)"


def test_cli_report_writes_outputs_and_exit_codes(rendered, tmp_path):
    _, corpus, _, _, _ = rendered
    out = tmp_path / "out"
    args = ["report", str(corpus), "--model", "hashing-32", "--min-docs", "8", "--quiet",
            "--history", str(out / "h.sqlite")]
    assert main([*args, "--period-end", "2025-13"]) == 2
    assert main([*args, "--period-end", "2024-01"]) == 3
    rc = main([*args, "--period-end", "2025-06", "--json", str(out / "r.json"),
               "--markdown", str(out / "r.md"), "--html", str(out / "r.html")])
    data = json.loads((out / "r.json").read_text())
    assert rc == 0 and data["report"]["month"] == "2025-06"
    assert data["verdict"]["status"] in ("ok", "watch", "samey")
    assert (out / "r.md").read_text().startswith("**samey report 2025-06")
    assert "<svg" in (out / "r.html").read_text()
    fail = main([*args, "--period-end", "2025-06", "--fail-on", "watch"])
    assert fail == (1 if data["verdict"]["status"] != "ok" else 0)


def test_default_month_is_the_last_complete_one():
    import datetime as dt

    assert default_until(dt.date(2026, 3, 15)) == dt.date(2026, 2, 28)
    assert default_until(dt.date(2026, 1, 1)) == dt.date(2025, 12, 31)
