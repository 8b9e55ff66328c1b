"""`samey report`: the history from day one (the first report backfills every complete month, a
later one the missing months), the validated baseline it pins and names, the HTML report
(escaped corpus text, charts, rendered offline in headless Chromium), the Markdown summary, the
JSON, and the CLI's exit codes."""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import markupsafe
import pytest

from auditor.app.report import (
    change_point_lines,
    default_until,
    one_period_note,
    report,
    report_reference,
)
from auditor.cli import main
from auditor.config import build_options
from auditor.features.embeddings import HashingEmbedder
from auditor.history import HistoryStore
from auditor.metrics.registry import LAYERS
from auditor.render.html import render_html
from auditor.render.jsonout import dumps
from auditor.render.markdown import render_markdown
from auditor.results import (
    AuditResult,
    CorpusSummary,
    PeriodResult,
    ReferenceInfo,
    Verdict,
)

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
    page.write_text(render_html(result), encoding="utf-8")
    return tmp, corpus, result, data, page


def test_html_is_self_contained_and_escapes_corpus_text(rendered):
    _, _, result, data, page = rendered
    text = page.read_text(encoding="utf-8")
    titles = [d.get("title") or "" for f in data["evidence"]["2025-06"]["duplicate_families"]
              for d in f["documents"]]
    assert any("PWNED" in t for t in titles), "the hostile posts should be shown as evidence"
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in text  # markupsafe
    assert "http://" not in text.replace("http://www.w3.org/", "")  # nothing to fetch
    assert "https://" not in text
    assert text.count("<svg") == len(LAYERS)
    # brightpath's first half of 2025 is steady; three hostile near-copies among June's posts
    # do not move 5-post samples, and the verdict says it rests on little data
    assert result.month == "2025-06" and result.month_status == "ok"
    assert any("rests on little data" in r for r in result.to_dict()["verdict"]["reasons"])


def test_markdown_summary_fits_a_chat_message_with_the_html_reasons(rendered):
    _, _, result, data, _ = rendered
    md = render_markdown(result)
    assert md.startswith(f"**samey report 2025-06: {result.month_status.upper()}**")
    assert len(md) <= 4000 and "http" not in md
    assert " ".join(data["summary"].split()) in md  # the headline comes first
    assert md.index(" ".join(data["summary"].split())) < md.index("- ")
    for r in result.period.reasons:  # the same reasons as the HTML's "why" card
        assert " ".join(r.split()) in md
    base = ", ".join(result.audit.reference.baseline)
    assert f"- Baseline: {base} (" in md
    assert "- History: 5 earlier months backfilled this run (2025-01 .. 2025-05)." in md


# ------------------------------------------------------------------ history from day one

PERIOD_KEYS = ("label", "start", "end", "n_docs", "is_baseline", "metrics", "comparison",
               "layers", "reasons")


def _plain(x):
    """JSON as the history stores it: NaN and infinities become None (the JSON writer's rule)."""
    return json.loads(dumps(x))


def _same(row: dict, period) -> None:
    """A stored month equals the audit's period entry (after the JSON round trip)."""
    want = _plain(json.loads(json.dumps(period.to_dict(), default=str)))
    assert {k: row[k] for k in PERIOD_KEYS} == {k: want[k] for k in PERIOD_KEYS}
    assert row["status"] == period.status and row["month"] == period.end[:7]


def test_first_report_stores_every_complete_month_at_once(rendered):
    tmp, _, result, data, page = rendered
    months = [f"2025-{m:02d}" for m in range(1, 7)]
    assert [r["month"] for r in result.history] == months
    assert result.backfilled == months[:-1]
    assert data["report"]["backfilled"] == months[:-1]
    for row, period in zip(result.history, result.audit.periods):
        _same(row, period)
    assert all(r["evidence"] == {} for r in result.history[:-1])  # evidence: the month only
    assert result.history[-1]["evidence"]
    # Judged months are ok/watch/samey; the baseline months are stored for the charts.
    base = result.audit.reference.baseline
    assert [r["month"] for r in result.history if r["status"] == "baseline"] == base
    assert not any(a.month in base for a in result.alerts)
    # Charts and their control bands exist after the first run.
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == len(LAYERS) and "Only 1 month is stored" not in text


def test_pinned_baseline_is_the_audits_reference(rendered):
    tmp, _, result, data, page = rendered
    ref = result.audit.reference
    assert ref.baseline and result.reference.baseline == ref.baseline
    assert [p.label for p in result.audit.periods if p.is_baseline] == ref.baseline
    assert result.reference.rule == ref.rule == "default"
    with HistoryStore(tmp / "h.sqlite") as store:
        pin = store.pinned(result.settings_key)
    first, last = (p for p in result.audit.periods if p.label in (ref.baseline[0],
                                                                    ref.baseline[-1]))
    assert pin["baseline"] == f"{first.start}..{last.end}"
    assert pin["reference"]["baseline"] == ref.baseline
    assert pin["reference"]["rule"] == "default" and pin["reference"]["pinned_in"] == "2025-06"
    # Named in the JSON, the Markdown and the HTML.
    assert data["report"]["reference"]["baseline"] == ref.baseline
    assert data["reference"] == _plain(ref.to_dict())  # the audit's own section, as is
    text = page.read_text(encoding="utf-8")
    assert 'id="reference"' in text and "default rule" in text
    assert "default rule" in render_markdown(result)


def test_a_later_report_adds_only_the_missing_months(tmp_path):
    corpus = tmp_path / "brand"
    for m in ("01", "02", "03", "04", "05", "06"):
        shutil.copytree(BLOG / m, corpus / "blog" / m)
    opts = build_options(None, progress=False, repeats=2, min_docs=8)
    emb, hist = HashingEmbedder(dim=32), tmp_path / "h.sqlite"
    first = report(corpus, opts, period_end="2025-04", history=hist, embedder=emb)
    assert [r["month"] for r in first.history] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert first.backfilled == ["2025-01", "2025-02", "2025-03"]
    later = report(corpus, opts, period_end="2025-06", history=hist, embedder=emb)
    assert later.backfilled == ["2025-05"]
    assert [r["month"] for r in later.history] == [f"2025-{m:02d}" for m in range(1, 7)]
    assert later.history[:4] == first.history  # stored months are kept as their run measured
    _same(later.history[4], later.audit.periods[4])
    # The later run compares with the baseline the first run pinned, and says so.
    assert later.reference.baseline == first.reference.baseline
    assert later.reference.rule == "default" and later.reference.pinned_in == "2025-04"
    assert not later.reference.pinned_now
    # Re-running a month replaces it and backfills nothing.
    again = report(corpus, opts, period_end="2025-06", history=hist, embedder=emb)
    assert again.backfilled == [] and len(again.history) == 6


def test_one_month_baseline_is_noted_in_every_output(rendered, tmp_path, capsys):
    _, corpus, _, _, _ = rendered
    out = tmp_path / "out"
    rc = main(["report", str(corpus), "--model", "hashing-32", "--min-docs", "8",
               "--history", str(out / "h.sqlite"), "--period-end", "2025-06",
               "--baseline", "2025-01..2025-01", "--json", str(out / "r.json"),
               "--markdown", str(out / "r.md"), "--html", str(out / "r.html")])
    assert rc == 0
    terminal = " ".join(capsys.readouterr().out.split())
    ref = json.loads((out / "r.json").read_text())["report"]["reference"]
    assert ref["baseline"] == ["2025-01"] and ref["rule"] == "user"
    # Said once: by the audit's reference warnings, or else by the report's own note.
    notes = [w for w in ref["warnings"] if re.search(r"single (month|period)", w)]
    assert len(notes) == 1
    note = notes[0]
    assert re.search(r"cannot show the brand's normal (month|period)-to-(month|period) "
                     r"variation", note)
    assert " ".join(note.split()) in terminal
    assert "- Baseline: 2025-01 (given with --baseline" in terminal
    assert note in (out / "r.md").read_text()
    assert str(markupsafe.escape(note)) in (out / "r.html").read_text()
    # The same through the API.
    opts = build_options(None, progress=False, repeats=2, min_docs=8, baseline="2025-01..2025-01")
    api = report(corpus, opts, period_end="2025-06", history=tmp_path / "api.sqlite",
                 embedder=HashingEmbedder(dim=32))
    assert api.reference.warnings[-1] == note and api.status == api.audit.status


def test_one_stored_month_says_so_instead_of_a_chart(rendered):
    _, _, result, _, _ = rendered
    one = dataclasses.replace(result, history=result.history[-1:])
    text = render_html(one)
    assert "<svg" not in text and "Only 1 month is stored so far" in text


def _audit(reference: dict) -> AuditResult:
    periods = [PeriodResult(label=m, start=f"{m}-01", end=f"{m}-28", n_docs=20,
                            is_baseline=i == 0, status="baseline" if i == 0 else "ok",
                            metrics={}, comparison={}, layers={}, reasons=[])
               for i, m in enumerate(("2025-01", "2025-02"))]
    info = ReferenceInfo(baseline=reference.get("baseline", []), rule=reference.get("rule", ""),
                         candidate=[], set_aside=[], stable=True,
                         warnings=reference.get("warnings", []), findings=[],
                         natural_variation="baseline",
                         change_points=reference.get("change_points", {}), shifts=[],
                         power=reference.get("power", {}), sample_size=10)
    corpus = CorpusSummary(path="x", documents=40, dated=40, undated=0, skipped=0,
                           first_date=None, last_date=None, granularity="month", periods=2,
                           baseline=["2025-01"], formats={}, date_sources={})
    return AuditResult(verdict=Verdict(status="ok", reasons=[]), periods=periods, skipped=[],
                       config={}, corpus=corpus, reference=info)


def test_reference_warnings_and_change_points_are_named(rendered):
    said = "The baseline is a single month, so natural variation cannot be measured from it."
    ref = {"baseline": ["2025-01"], "rule": "default", "warnings": [said],
           "change_points": {"topics": ["2025-02"], "wording": [{"label": "2025-03"}],
                             "structure": [],
                             "tails": [{"period": "2025-02", "sentence": "tails shifted here"}]},
           "power": {"topics": 0.12, "wording": {"sentence": "wording: 10% or more"}}}
    out = report_reference(_audit(ref), ["2025-01"], spec="2025-01-01..2025-01-31", pin=None,
                           user_given=False, month="2025-02")
    assert out.warnings == [said]  # already said: not repeated
    assert out.change_point_lines == ["Topics shifted in 2025-02.",
                                      "Wording shifted in 2025-03.", "Tails shifted here."]
    assert out.power_lines == ["Topics: 0.12.", "Wording: 10% or more."]
    assert out.power == ref["power"] and out.pinned_now
    # Empty placeholder values are handled.
    empty = report_reference(_audit({}), ["2025-01", "2025-02"], spec=None, pin=None,
                             user_given=False, month="2025-03")
    assert empty.warnings == [] and empty.change_point_lines == []
    assert change_point_lines(None) == [] and change_point_lines({"tails": "2025-04"}) == \
        ["Tails shifted in 2025-04."]
    assert one_period_note(["2025-01..2025-03"], "user", [])
    assert "single period" in one_period_note(["2025-01..2025-03"], "user", [])
    assert one_period_note(["2025-01", "2025-02"], "user", []) is None
    # The Markdown and the HTML show them.
    rep = dataclasses.replace(rendered[2], reference=out, backfilled=[])
    from auditor.render.markdown import reference_lines
    lines = reference_lines(rep)
    assert f"- Note: {said}" in lines
    assert "- Shifts: Topics shifted in 2025-02. Wording shifted in 2025-03. Tails shifted " \
        "here." in lines
    page = render_html(rep)
    card = page[page.index('id="reference"'):]
    assert "Topics shifted in 2025-02." in card and "Change points" in card
    assert "Wording: 10% or more." in card


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
    assert data["verdict"]["status"] == "ok"  # the same steady months as ``rendered``
    assert (out / "r.md").read_text().startswith("**samey report 2025-06")
    assert "<svg" in (out / "r.html").read_text()
    assert data["report"]["backfilled"] == [f"2025-{m:02d}" for m in range(1, 6)]
    fail = main([*args, "--period-end", "2025-06", "--fail-on", "watch"])
    assert fail == (1 if data["verdict"]["status"] != "ok" else 0)


def test_default_month_is_the_last_complete_one():
    import datetime as dt

    assert default_until(dt.date(2026, 3, 15)) == dt.date(2026, 2, 28)
    assert default_until(dt.date(2026, 1, 1)) == dt.date(2025, 12, 31)


def test_markdown_stays_within_a_chat_message_however_many_reasons(rendered):
    _, _, result, data, _ = rendered
    period = dataclasses.replace(
        result.period, reasons=[f"reason {i}: " + "a long explanation " * 20 for i in range(30)])
    big = dataclasses.replace(
        result, period=period,
        reference=dataclasses.replace(result.reference, warnings=["a long warning " * 25] * 5))
    md = render_markdown(big)
    assert len(md) <= 4000
    assert md.startswith("**samey report") and "more reasons in the HTML" in md
    assert "- Context" not in md.splitlines()[-3:]


FIT_PROBE = ("<script>var bad=[].slice.call(document.querySelectorAll('table')).filter(function(t)"
             "{var c=t.closest('.card');return c&&t.getBoundingClientRect().right>"
             "c.getBoundingClientRect().right+1}).length;document.title='fit:'+bad+':'+"
             "(document.documentElement.scrollWidth>window.innerWidth?1:0)</script></body>")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                    "(apt-get install chromium); CI installs it")
@pytest.mark.parametrize("width", [390, 1280])
def test_html_tables_fit_their_cards_on_a_phone_and_a_desktop(rendered, width):
    """No table is wider than its card and the page never scrolls sideways, the folded
    statistics opened too (the page, with a probe script, in headless Chromium)."""
    tmp, _, _, _, page = rendered
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                  page.read_text(encoding="utf-8"))
    probe = tmp / f"fit-{width}.html"
    probe.write_text(html.replace("<details ", "<details open ").replace("</body>", FIT_PROBE),
                     encoding="utf-8")
    dom = _chromium(tmp, f"--window-size={width},1200", "--dump-dom", probe.as_uri()).stdout
    assert "<title>fit:0:0</title>" in dom, re.findall(r"<title>[^<]*</title>", dom)
