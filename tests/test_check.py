"""samey check: drafts against a corpus (API, CLI exit codes and JSON, index caching)."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import auditor
from auditor.cli import main
from auditor.features.embeddings import HashingEmbedder

from .conftest import RUST, shared, write_corpus

REPO = Path(__file__).resolve().parents[1]
FERNLEAF = REPO / "sample_corpora" / "fernleaf-outdoor" / "blog"

TOPICS = ["project planning", "remote collaboration", "customer onboarding", "data security",
          "sprint reviews", "team dashboards", "automated reporting", "workflow automation",
          "resource planning", "budget tracking", "release management", "vendor management"]


def templated(topic: str, month: int) -> str:
    """A post from the corpus's most common template (as brightpath-saas's generated posts)."""
    return (f"---\ntitle: Why {topic} matters\ndate: 2025-{month:02d}-15\n---\n\n"
            f"In today's fast-paced world, every team needs {topic} that simply works. "
            f"Leveraging {topic} is a game-changer for modern teams.\n\n"
            f"## Why {topic} matters\n\nWithout {topic}, teams lose time and focus. "
            f"With the right approach to {topic}, you can unlock seamless results.\n\n"
            f"## Key benefits\n\nThe key benefits of {topic} are clarity, speed and trust. "
            f"It is important to note that {topic} helps every team to elevate their work.\n\n"
            f"## How to get started\n\nStart small, measure often and share what you learn "
            f"about {topic} with the whole team.\n\n## Conclusion\n\n"
            f"In conclusion, {topic} is a game-changer for your team.\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """60 varied fernleaf posts plus 12 posts from one template."""
    root = tmp_path_factory.mktemp("corpus")
    files = sorted(FERNLEAF.rglob("*.md"))[:60]
    for f in files:
        dest = root / f.relative_to(FERNLEAF)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, dest)
    for i, topic in enumerate(TOPICS):
        (root / f"templated-{i}.md").write_text(templated(topic, 1 + i % 12), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


def opts(cache: Path, **kw):
    return auditor.options(cache_dir=str(cache), progress=False, **kw)


def post(corpus: Path, i: int = 3) -> Path:
    return sorted(p for p in corpus.rglob("*.md") if "templated" not in p.name)[i]


UNSEEN = ("Abstract. We report measurements of the thermal conductivity of amorphous silicon "
          "films deposited by sputtering at four substrate temperatures. Conductivity decreases "
          "monotonically with hydrogen content, consistent with phonon scattering by bonded "
          "hydrogen. Raman spectra corroborate a reduced short-range order. These results "
          "constrain models of heat transport in disordered semiconductors and suggest "
          "annealing protocols for microelectronic devices.")


def paraphrase(text: str) -> str:
    """Change a few words of a post."""
    out = text.replace("If you are new to this", "If this is new to you")
    for a, b in (("carry", "bring"), ("headlamp", "head torch"), ("group", "party")):
        out = out.replace(a, b, 1)
    return out


# ------------------------------------------------------------------------------------ API


def test_exact_copy_and_light_paraphrase_are_samey(corpus, cache, tmp_path):
    src = post(corpus)
    para = tmp_path / "para.md"
    para.write_text(paraphrase(src.read_text(encoding="utf-8")), encoding="utf-8")
    r = auditor.check([src, para], corpus, opts(cache), embedder=HashingEmbedder())
    exact, light = r.drafts
    rel = src.relative_to(corpus).as_posix()
    for d in (exact, light):
        assert d.status == "samey", d.reasons
        assert d.layers["duplication"] == "samey"
        assert d.near_duplicate.path == rel
        assert d.nearest[0].path == rel
        assert any(rel in reason for reason in d.reasons)
    assert exact.nearest[0].similarity == pytest.approx(1.0, abs=1e-5)
    assert exact.near_duplicate.jaccard == 1.0
    assert exact.novelty.percentile == 100.0
    assert r.status == "samey"


def test_unseen_topic_in_another_voice_is_ok(corpus, cache):
    r = auditor.check([("-", UNSEEN)], corpus, opts(cache), embedder=HashingEmbedder())
    d = r.drafts[0]
    assert d.status == "ok", d.reasons
    assert set(d.layers.values()) == {"ok"}
    assert d.near_duplicate is None
    assert d.novelty.percentile < 50
    assert len(d.nearest) == 5 and len(d.reasons) == 1


def test_post_from_the_common_template_is_flagged_on_structure(corpus, cache):
    text = templated("invoice approvals", 5).split("---\n", 2)[2]
    r = auditor.check([("-", text)], corpus, opts(cache), embedder=HashingEmbedder())
    d = r.drafts[0]
    assert d.status == "watch", d.reasons  # structure only: not close in topic too
    assert d.layers["structure"] == "watch"
    assert d.structure.opening.docs == len(TOPICS)
    assert any(r.startswith(f"opens like {len(TOPICS)} corpus posts") for r in d.reasons)
    assert d.near_duplicate is None


def reference_values(root: Path, o, embedder):
    """The reference posts' nearest-post similarity (first neighbour that is not a textual
    copy), shared-phrase count and template coverage, read from the corpus index's arrays."""
    import numpy as np

    from auditor.app.check import corpus_index

    index = corpus_index(root, o, embedder=embedder)
    keep = np.asarray(index.ref_nbr_jac) < o.check.duplicate_jaccard
    has = keep.any(axis=1)
    sims = np.asarray(index.ref_nbr_sims)[np.arange(len(has)), np.argmax(keep, axis=1)][has]
    rows = np.asarray(index.ref_rows)[has]
    return sims, np.asarray(index.phrase_scores)[rows], np.asarray(index.template_cov)[rows]


def assert_jointly_calibrated(t, sims, phr, cov):
    """The cuts are the same percentile (the watch level) of each layer's reference values, the
    smallest (steps of 0.1 from watch_percentile) at which at most 100 - watch_percentile % of
    the reference posts are above a cut on any layer; samey likewise."""
    import numpy as np

    def flagged(q):
        return np.mean((sims > np.percentile(sims, q)) | (phr > np.percentile(phr, q))
                       | (cov > np.percentile(cov, q)))

    target = (100 - t.watch_percentile) / 100
    assert t.watch_level >= t.watch_percentile and flagged(t.watch_level) <= target
    if t.watch_level > t.watch_percentile:
        assert flagged(t.watch_level - 0.1) > target
    assert t.watch_similarity == pytest.approx(np.percentile(sims, t.watch_level))
    assert t.shared_phrases_watch == pytest.approx(np.percentile(phr, t.watch_level))
    assert t.template_coverage_watch == pytest.approx(np.percentile(cov, t.watch_level))
    assert t.samey_level >= max(t.samey_percentile, t.watch_level)
    assert t.samey_similarity == pytest.approx(np.percentile(sims, t.samey_level))


def test_thresholds_are_calibrated_and_overridable(corpus, cache):
    r = auditor.check([("-", UNSEEN)], corpus, opts(cache), embedder=HashingEmbedder())
    t = r.thresholds
    assert t.similarity_source == "corpus"
    assert_jointly_calibrated(t, *reference_values(corpus, opts(cache), HashingEmbedder()))
    # An override of the samey cut below the draft's similarity makes it samey.
    s = r.drafts[0].novelty.nn_similarity
    r2 = auditor.check([("-", UNSEEN)], corpus, opts(cache, max_similarity=s - 0.01),
                       embedder=HashingEmbedder())
    assert r2.thresholds.similarity_source == "option"
    assert r2.drafts[0].layers["topic"] == "samey"
    assert r2.status == "samey"


def test_index_is_cached_and_rebuilt_when_the_corpus_changes(corpus, tmp_path):
    cache = tmp_path / "cache"
    root = tmp_path / "c"
    shutil.copytree(corpus, root)
    emb = HashingEmbedder()
    first = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    again = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    assert first.corpus.index.built is True and again.corpus.index.built is False
    assert again.to_dict()["drafts"] == first.to_dict()["drafts"]
    files = sorted((Path(first.corpus.index.path)).iterdir())
    meta = json.loads((Path(first.corpus.index.path) / "meta.json").read_text())
    assert [f.name for f in files] == sorted([meta["generation"], "meta.json"])
    generation = {f.name for f in (Path(first.corpus.index.path) / meta["generation"]).iterdir()}
    assert {"embeddings.npy", "signatures.npy", "docs.sqlite"} <= generation
    (root / "new-post.md").write_text(templated("expense reports", 3), encoding="utf-8")
    index_dir = Path(first.corpus.index.path)
    (index_dir / "gbuilding").mkdir()  # another check's generation, still being built
    (index_dir / "gdead").mkdir()      # left by a build that died two hours ago
    os.utime(index_dir / "gdead", (time.time() - 7200, time.time() - 7200))
    third = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    assert third.corpus.index.built is True
    meta3 = json.loads((index_dir / "meta.json").read_text())
    assert sorted(f.name for f in index_dir.iterdir()) == sorted(
        ["gbuilding", meta3["generation"], "meta.json"])  # the replaced and dead ones removed
    assert third.corpus.documents == first.corpus.documents + 1


class CountingEmbedder(HashingEmbedder):
    """A hashing embedder that records every text it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts):
        texts = list(texts)
        self.texts.extend(texts)
        return super().embed(texts)


def test_index_update_embeds_only_new_or_changed_documents(corpus, tmp_path):
    from auditor.index.store import INDEX_VERSION
    from auditor.ingest import load_documents

    cache = tmp_path / "cache"
    root = tmp_path / "c"
    shutil.copytree(corpus, root)
    emb = CountingEmbedder()
    first = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    assert len(emb.texts) == first.corpus.documents + 1  # every document once, and the draft
    # Change one post, remove another, add a new one: only the changed and new are embedded.
    changed, removed = post(root, 2), post(root, 5)
    changed.write_text(changed.read_text(encoding="utf-8").replace("the", "a"), encoding="utf-8")
    removed.unlink()
    (root / "new-post.md").write_text(templated("expense reports", 3), encoding="utf-8")
    emb.texts.clear()
    updated = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    texts = {d.doc_id: d.text for d in load_documents(root, opts(cache).ingest).documents}
    changed_id = str(changed.relative_to(root))
    assert sorted(emb.texts) == sorted([texts[changed_id], texts["new-post.md"], UNSEEN])
    assert updated.corpus.index.built is True
    assert updated.corpus.documents == first.corpus.documents
    # The same result as a build from scratch (a fresh cache).
    fresh = auditor.check([("-", UNSEEN)], root, opts(tmp_path / "fresh"),
                          embedder=HashingEmbedder())
    assert updated.to_dict()["drafts"] == fresh.to_dict()["drafts"]
    assert updated.to_dict()["thresholds"] == fresh.to_dict()["thresholds"]
    # An index of an older format is rebuilt (and its files removed).
    directory = Path(updated.corpus.index.path)
    meta = json.loads((directory / "meta.json").read_text())
    meta["index_version"], meta["fingerprint"] = INDEX_VERSION - 1, "old"
    (directory / "meta.json").write_text(json.dumps(meta))
    (directory / "arrays.npz").write_bytes(b"old")
    emb.texts.clear()
    again = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    assert again.corpus.index.built is True and len(emb.texts) == again.corpus.documents + 1
    assert not (directory / "arrays.npz").exists()
    assert again.to_dict()["drafts"] == fresh.to_dict()["drafts"]


def test_index_corpus_parts_equal_the_reference_functions(corpus, tmp_path):
    """Document frequencies, phrase scores, templates and template coverage, counted in numpy
    from the stored rows, equal the Python definitions on the tokenised corpus."""
    import numpy as np

    from auditor.app.check import corpus_index
    from auditor.features.lexicon import phrase_stop_words
    from auditor.features.tokens import tokenize
    from auditor.index.keys import content_grams, template_coverage
    from auditor.ingest import load_documents
    from auditor.judge.thresholds import MIN_SHARED_DOCS
    from auditor.metrics.structure import shape_ngram_templates

    o = opts(tmp_path / "cache")
    emb = HashingEmbedder()
    index = corpus_index(corpus, o, embedder=emb)
    docs = load_documents(corpus, o.ingest).documents
    by_id = {d.doc_id: d for d in docs}
    rows = index.refs(range(index.n_docs))
    toks = tokenize([by_id[r["path"]].text for r in rows], budget=o.sampling.text_budget)
    stats = shape_ngram_templates([t.shapes for t in toks], n=5, top=10**9)
    assert index.meta["templates"] == dict(stats.templates)
    np.testing.assert_allclose(index.template_cov,
                               [template_coverage(t.shapes, dict(stats.templates)) for t in toks])
    stop = phrase_stop_words()
    grams = [content_grams(t.words, stop) for t in toks]
    from collections import Counter

    df = Counter(g for gs in grams for g in gs)
    shared = index.meta["min_shared_docs"]
    assert index.phrase_scores.tolist() == [sum(df[g] - 1 >= shared for g in gs) for gs in grams]
    some = sorted(df)[:200]
    assert index.df(some).tolist() == [df[g] if df[g] >= MIN_SHARED_DOCS else 0 for g in some]


def test_streamed_index_holds_the_documents_load_documents_keeps(tmp_path):
    """Copies skipped, rows of a CSV kept, undated posts of a dated corpus left out: the streamed
    build indexes exactly what samey audit would analyse."""
    from auditor.app.check import corpus_index
    from auditor.ingest import load_documents

    root = REPO / "sample_corpora" / "brightpath-saas"
    o = opts(tmp_path / "cache")
    index = corpus_index(root, o, embedder=HashingEmbedder())
    res = load_documents(root, o.ingest)
    docs = res.documents
    undated = sum(d.date is None for d in docs) if any(d.date for d in docs) else 0
    expected = sorted(d.doc_id for d in docs if d.date is not None or not undated)
    assert sorted(r["path"] for r in index.refs(range(index.n_docs))) == expected
    assert index.meta["skipped"] == len(res.skipped) + undated


def test_nearest_rows_matches_the_reference_function():
    import numpy as np

    from auditor.index.search import nearest_rows
    from auditor.metrics.topics import nearest_neighbours

    rng = np.random.default_rng(0)
    E = rng.normal(size=(500, 16)).astype(np.float32)
    E[7] = E[3]  # a tie: the lower index first
    Q = np.vstack([E[3], rng.normal(size=(4, 16))]).astype(np.float32)
    for chunk in (1, 64, 10_000):
        i1, s1 = nearest_rows(Q, E, k=5, chunk=chunk, q_block=2)
        i2, s2 = nearest_neighbours(Q, E, k=5)
        assert i1.tolist() == i2.tolist()
        np.testing.assert_allclose(s1, s2, atol=1e-5)
    rows = np.array([3, 10, 499])
    i2, s2 = nearest_neighbours(E[rows], E, k=3, exclude_self=True, query_indices=rows)
    i1, s1 = nearest_rows(E[rows], E, k=3, exclude=rows, chunk=50)
    assert i1.tolist() == i2.tolist()
    assert i1[0, 0] == 7
    # more tied rows than k inside one chunk: the lowest indices, in every chunking
    T = np.vstack([rng.normal(size=(5, 16)), np.tile(E[3], (20, 1))]).astype(np.float32)
    i2, _ = nearest_neighbours(E[3:4], T, k=3)
    assert i2.tolist() == [[5, 6, 7]]
    for chunk in (8, 3, 1000):
        assert nearest_rows(E[3:4], T, k=3, chunk=chunk)[0].tolist() == [[5, 6, 7]]


def test_cached_check_imports_no_heavy_library(corpus, cache):
    auditor.check([("-", UNSEEN)], corpus, opts(cache, model="hashing"))  # builds the index
    code = (
        "import sys, auditor\n"
        f"o = auditor.options(cache_dir={str(cache)!r}, model='hashing', progress=False)\n"
        f"r = auditor.check([('-', {UNSEEN!r})], {str(corpus)!r}, o)\n"
        "assert not r.corpus.index.built\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'sklearn', 'scipy') "
        "if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------ CLI


def cli(*args: str, cache: Path) -> list[str]:
    return ["check", *args, "--model", "hashing", "--cache-dir", str(cache), "--quiet"]


def test_cli_stdin_and_several_drafts_json_and_exit_codes(corpus, cache, tmp_path, monkeypatch):
    out = tmp_path / "check.json"
    copy = post(corpus, 5)
    monkeypatch.setattr(sys, "stdin", io.StringIO(UNSEEN))
    code = main(cli(str(copy), "-", "--against", str(corpus), "--json", str(out), cache=cache))
    assert code == 1  # a samey draft, --fail-on samey by default
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.2" and data["kind"] == "check"
    assert data["status"] == "samey"
    assert [d["name"] for d in data["drafts"]] == [str(copy), "-"]
    assert [d["status"] for d in data["drafts"]] == ["samey", "ok"]
    d = data["drafts"][0]
    for key in ("reasons", "layers", "nearest", "near_duplicate", "novelty", "wording",
                "structure", "duplication", "words", "title"):
        assert key in d
    assert set(d["novelty"]) == {"nn_similarity", "percentile", "score"}
    assert data["corpus"]["documents"] == 72
    assert data["thresholds"]["min_shared_docs"] == 3
    assert data["config"]["model_id"] == "hashing-256"

    monkeypatch.setattr(sys, "stdin", io.StringIO(UNSEEN))
    assert main(cli("-", "--against", str(corpus), cache=cache)) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(UNSEEN))
    assert main(cli("-", "--against", str(corpus), "--fail-on", "watch", cache=cache)) == 0
    assert main(cli(str(copy), "--against", str(corpus), "--fail-on", "never", cache=cache)) == 0
    tmpl = tmp_path / "tmpl.md"
    tmpl.write_text(templated("invoice approvals", 5), encoding="utf-8")
    assert main(cli(str(tmpl), "--against", str(corpus), "--fail-on", "watch", cache=cache)) == 1


def test_cli_usage_and_input_errors(corpus, cache, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no samey.toml here
    draft = post(corpus)
    assert main(cli(str(draft), cache=cache)) == 2
    assert "--against" in capsys.readouterr().err
    assert main(cli(str(draft), "--against", str(corpus), "--fail-on", "bad", cache=cache)) == 2
    assert main(cli(str(tmp_path / "nope.md"), "--against", str(corpus), cache=cache)) == 3
    assert "nope.md: no such draft file" in capsys.readouterr().err
    assert main(cli(str(draft), "--against", str(tmp_path / "missing"), cache=cache)) == 3
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    assert main(cli(str(empty), "--against", str(corpus), cache=cache)) == 3
    assert main(cli(str(draft), "--against", str(corpus), "--watch-percentile", "99.5",
                    cache=cache)) == 2


def test_config_file_sets_corpus_and_thresholds(corpus, cache, tmp_path, monkeypatch):
    (tmp_path / "samey.toml").write_text(
        f'corpus = "{corpus.as_posix()}"\nmodel = "hashing"\n[check]\nmax_similarity = 0.2\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "c.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO(UNSEEN))
    code = main(["check", "-", "--cache-dir", str(cache), "--quiet", "--json", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["thresholds"]["samey_similarity"] == 0.2
    assert code == 1 and data["drafts"][0]["layers"]["topic"] == "samey"
    (tmp_path / "samey.toml").write_text('[check]\nmax_simlarity = 0.9\n', encoding="utf-8")
    assert main(["check", "-", "--against", str(corpus), "--quiet"]) == 2


def test_terminal_report_renders(corpus, cache, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(UNSEEN))
    main(["check", "-", "--against", str(corpus), "--model", "hashing", "--cache-dir", str(cache)])
    text = capsys.readouterr().out
    assert "OK" in text and "nearest posts" in text and "Overall: OK" in text


@pytest.mark.slow
def test_real_model_end_to_end(tmp_path, capsys):
    """The packaged all-MiniLM-L6-v2: corpus through sentence-transformers, drafts through the
    numpy forward pass; an exact copy is a near-duplicate (cosine ~1), an unseen post is not."""
    root = tmp_path / "corpus"
    root.mkdir()
    for f in sorted(FERNLEAF.rglob("*.md"))[:24]:
        shutil.copy(f, root / f.name)
    draft = sorted(root.glob("*.md"))[2]
    other = tmp_path / "unseen.md"
    other.write_text(UNSEEN, encoding="utf-8")
    out = tmp_path / "r.json"
    code = main(["check", str(draft), str(other), "--against", str(root), "--cache-dir",
                 str(tmp_path / "cache"), "--quiet", "--json", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert code == 1, capsys.readouterr().err
    copy, unseen = data["drafts"]
    assert copy["status"] == "samey" and copy["near_duplicate"]["path"] == draft.name
    assert copy["nearest"][0]["similarity"] > 0.9999
    assert unseen["status"] == "ok" and unseen["nearest"][0]["similarity"] < 0.5
    assert re.match(r"all-MiniLM-L6-v2@", data["config"]["model_id"])


# ----------------------------------------------------- calibration on the validated baseline

BRIGHTPATH = REPO / "sample_corpora" / "brightpath-saas"
BP_BASELINE = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]


def bp_template_fill(topic: str) -> str:
    """A NEW fill of brightpath's template (see bench/make_sample_corpora.py, template_post): a
    topic the corpus never had, the stock opening, outline and closing, sentences reworded."""
    return (f"---\ntitle: \"Why {topic.title()} Is a Game-Changer for Finance Teams\"\n---\n\n"
            f"In today's fast-paced world, finance teams need to close the books faster. That's "
            f"where {topic} comes in. In this post, we'll delve into how BrightPath helps you "
            f"unlock the power of {topic} and elevate your accuracy.\n\n"
            f"## Why {topic} matters\n\nWithout {topic}, finance teams chase approvals by email "
            f"and lose days every month. Teams that embrace {topic} are better positioned to "
            f"navigate the ever-evolving landscape of work.\n\n"
            f"## Key benefits\n\nHere are 5 ways {topic} can be a game-changer for your finance "
            f"teams:\n\n1. **Fewer errors**: Catch mismatched amounts before they reach the "
            f"ledger.\n2. **Time savings**: Streamline your workflows and save hours every week.\n"
            f"3. **Robust security**: Enterprise-grade security means you can scale with "
            f"confidence.\n4. **Audit trail**: Every approval is recorded with its approver.\n"
            f"5. **Seamless integration**: BrightPath connects with the accounting tools your "
            f"team already uses.\n\n"
            f"## How to get started\n\nGetting started with BrightPath is seamless. Simply sign "
            f"up for a free trial, invite your finance team and start exploring our robust "
            f"features.\n\n## Conclusion\n\nIn conclusion, {topic} is a game-changer for finance "
            f"teams looking to elevate their accuracy. By leveraging BrightPath's robust "
            f"features, you can unlock seamless workflows and stay ahead of the curve. Ready to "
            f"get started? Start your free trial today!\n")


BP_FRESH = """---
title: What we learned moving support to a four-day rota
---

Last spring our support team tried something we had argued about for two years: a rota where
each engineer covers four long days and then takes a full day for deeper work. This is an honest
account of what broke and what we kept.

The first month was rough. Handovers happened twice as often, and tickets that straddled a
handover sat untouched for hours because nobody felt they owned them. We fixed that with a plain
rule: whoever touched a ticket last before a handover writes a two-line note saying what they
tried and what they would do next.

The deep-work day paid off faster than we expected. Maria rewrote the billing macros that caused a
third of our escalations, and Tom finally documented the single sign-on edge cases that only he
understood. Escalations to engineering fell from about forty a week to twenty-five by June.

Not everything worked. Customers in Australia noticed slower replies on Fridays, and two people
found the long days draining during a product launch. We now let anyone swap their deep-work day
during launch weeks, and we added a Friday morning shift in Sydney.

If you run a small support team, measure handover delays before you change anything. That single
number told us more than any survey.
"""


@pytest.fixture(scope="module")
def bp_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bp-cache")


def test_new_template_fill_on_brightpath_is_samey_and_a_fresh_post_is_not(bp_cache, tmp_path,
                                                                          capsys):
    """brightpath-saas is full of one template: the corpus's own cuts saturate at 1.00, so a new
    fill used to be `watch`, exit 0. Calibrated on the clean baseline, with the template-fill
    rule, it is samey (exit 1 with --fail-on samey); a fresh post is not."""
    fill, fresh = tmp_path / "fill.md", tmp_path / "fresh.md"
    fill.write_text(bp_template_fill("invoice approvals"), encoding="utf-8")
    fresh.write_text(BP_FRESH, encoding="utf-8")
    out = tmp_path / "r.json"
    code = main(["check", str(fill), "--against", str(BRIGHTPATH), "--model", "hashing",
                 "--cache-dir", str(bp_cache), "--fail-on", "samey", "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    d = data["drafts"][0]
    assert d["status"] == "samey" and d["layers"]["structure"] == "samey", d["reasons"]
    assert d["near_duplicate"] is None  # no single post is a near-duplicate
    frames = {f["element"]: f for f in d["structure"]["template_fill"]["frames"]}
    assert frames["opening"]["stock"] and frames["closing"]["stock"]
    assert frames["opening"]["latest_share"] >= 0.5 and frames["opening"]["baseline_share"] == 0
    assert any(r.startswith("one more fill of the template") and "2026-03" in r
               for r in d["reasons"])
    # (5) the thresholds say where they come from: the baseline periods, named
    t = data["thresholds"]
    assert t["similarity_source"] == "baseline"
    assert t["reference"]["source"] == "baseline" and t["reference"]["periods"] == BP_BASELINE
    assert t["reference"]["latest_period"] == "2026-03"
    # Calibrated jointly (judge.check): three nearly independent layers put the common watch
    # level near the 97th percentile, where, with the hashing embedder, the baseline's own
    # bag-of-words twins of later remixes (cosine 1.00, 6 of 171 posts) sit; the real-model
    # test below keeps the unsaturated cuts.
    assert t["watch_level"] > t["watch_percentile"]
    assert t["watch_similarity"] <= t["samey_similarity"]
    o = auditor.options(cache_dir=str(bp_cache), progress=False, model="hashing")
    assert_jointly_calibrated(r_thresholds(data), *reference_values(BRIGHTPATH, o, None))
    assert data["corpus"]["baseline"] == BP_BASELINE
    assert "(baseline2025-01,2025-02,2025-03,2025-04,2025-05)" in "".join(text.split())
    assert not any("template-coverage" in w for w in data["warnings"])
    # ... whereas the whole corpus's own distribution is saturated (template fills and remixes)
    assert t["corpus_nn_similarity"]["p90"] > 0.99

    code = main(["check", str(fresh), "--against", str(BRIGHTPATH), "--model", "hashing",
                 "--cache-dir", str(bp_cache), "--fail-on", "samey", "--json", str(out),
                 "--quiet"])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["corpus"]["index"]["built"] is False
    d = data["drafts"][0]
    assert code == 0 and d["status"] != "samey", d["reasons"]
    assert d["layers"]["structure"] != "samey" and d["structure"]["template_fill"]["stock"] == 0


def r_thresholds(data: dict):
    """The JSON ``thresholds`` as an object with attributes."""
    import types

    return types.SimpleNamespace(**data["thresholds"])


def rust_posts(first: str, last: str) -> list[dict]:
    with open(shared(RUST), encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [r for r in rows if first <= r["date"][:4] <= last]


def write_md(path: Path, row: dict) -> None:
    title = row["title"].replace('"', "'")
    path.write_text(f"---\ntitle: \"{title}\"\ndate: {row['date']}\n---\n\n{row['text']}\n",
                    encoding="utf-8")


def test_held_out_rust_post_is_not_samey(tmp_path):
    """A real, unchanged post held out of the Rust blog (2021-2024) is checked against the other
    posts of those years: not samey, neither a release post nor an ordinary one."""
    rows = rust_posts("2021", "2024")
    main_posts = [r for r in rows if r["subcorpus"] == "main" and r["date"] >= "2024"]
    held = [next(r for r in main_posts if not r["is_release_post"]),
            next(r for r in reversed(main_posts) if r["is_release_post"])]
    root = tmp_path / "rust"
    root.mkdir()
    for i, r in enumerate(rows):
        if r not in held:
            write_md(root / f"{i:04d}.md", r)
    drafts = []
    for j, r in enumerate(held):
        write_md(tmp_path / f"held-{j}.md", r)
        drafts.append(tmp_path / f"held-{j}.md")
    res = auditor.check(drafts, root, opts(tmp_path / "cache", period="year"),
                        embedder=HashingEmbedder())
    assert res.thresholds.reference.source == "baseline"
    periods = res.thresholds.reference.periods  # the baseline rule decides which
    assert periods and set(periods) < {"2021", "2022", "2023", "2024"}
    assert res.thresholds.reference.latest_period == "2024"
    for d in res.drafts:
        assert d.status != "samey", (d.title, d.reasons)
        assert d.near_duplicate is None
    assert not any(w.startswith("Saturated") for w in res.warnings), res.warnings


def test_saturation_warning_when_the_reference_is_already_samey(tmp_path):
    """A corpus whose baseline months are nothing but fills of one template: the reference is
    already samey, the cuts saturate, and the result says so (JSON, terminal); a varied corpus
    gets no such warning."""
    root = tmp_path / "samey"
    (root / "blog").mkdir(parents=True)
    names = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
             "november oscar papa quebec romeo sierra tango uniform victor").split()
    for m in range(1, 7):
        for i, name in enumerate(names):  # a new topic in every post, the same template
            (root / "blog" / f"2025-{m:02d}-{i:02d}.md").write_text(
                templated(f"{name} {TOPICS[m]}", m), encoding="utf-8")
    r = auditor.check([("-", UNSEEN)], root, opts(tmp_path / "cache"),
                      embedder=HashingEmbedder())
    assert r.thresholds.reference.source == "baseline"
    saturated = [w for w in r.warnings if w.startswith("Saturated cut-off")]
    assert saturated, r.warnings
    assert any("similarity cuts" in w for w in saturated)
    assert r.to_dict()["warnings"] == r.warnings
    from rich.console import Console

    from auditor.render.check_terminal import render_check
    console = Console(record=True, width=200)
    render_check(r, console)
    assert "Warning: " in console.export_text()

    varied = write_corpus(tmp_path / "varied")
    r2 = auditor.check([("-", UNSEEN)], varied, opts(tmp_path / "cache"),
                       embedder=HashingEmbedder())
    assert r2.thresholds.reference.source == "baseline"
    assert not any(w.startswith("Saturated") for w in r2.warnings), r2.warnings


def test_undated_corpus_falls_back_to_the_whole_corpus_and_says_so(tmp_path):
    root = tmp_path / "undated"
    root.mkdir()
    for i, f in enumerate(sorted(FERNLEAF.rglob("*.md"))[:30]):
        text = f.read_text(encoding="utf-8").split("---\n", 2)[-1]
        (root / f"post-{i}.md").write_text(text, encoding="utf-8")
    r = auditor.check([("-", UNSEEN)], root, opts(tmp_path / "cache"),
                      embedder=HashingEmbedder())
    assert r.thresholds.similarity_source == "corpus"
    assert r.thresholds.reference.periods == []
    assert any(w.startswith("No validated baseline") for w in r.warnings)


@pytest.mark.slow
def test_real_model_template_fill_on_brightpath(tmp_path):
    """The packaged model end to end: a new template fill is samey (exit 1), a fresh post is
    not, with cuts from the baseline."""
    fill, fresh = tmp_path / "fill.md", tmp_path / "fresh.md"
    fill.write_text(bp_template_fill("expense audits"), encoding="utf-8")
    fresh.write_text(BP_FRESH, encoding="utf-8")
    out = tmp_path / "r.json"
    code = main(["check", str(fill), str(fresh), "--against", str(BRIGHTPATH), "--cache-dir",
                 str(tmp_path / "cache"), "--quiet", "--fail-on", "samey", "--json", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert code == 1
    a, b = data["drafts"]
    assert a["status"] == "samey" and a["layers"]["structure"] == "samey", a["reasons"]
    assert b["status"] != "samey", b["reasons"]
    assert data["thresholds"]["reference"]["periods"] == BP_BASELINE
    assert data["thresholds"]["samey_similarity"] < 0.99
    assert not any(w.startswith("Saturated") for w in data["warnings"]), data["warnings"]
    assert re.match(r"all-MiniLM-L6-v2@", data["config"]["model_id"])


def test_index_jaccard_is_the_share_of_equal_slots():
    """Chunked, the estimate is the share of equal slots (datasketch's)."""
    import numpy as np

    from auditor.index.search import minhash_overlap

    rng = np.random.default_rng(3)
    S = rng.integers(0, 4, size=(1000, 128), dtype=np.uint32)  # many equal slots
    sig = S[17].copy()
    want = (S == sig).mean(axis=1)
    for chunk in (64, 1000, 4096):
        got = minhash_overlap(S, sig, chunk=chunk)
        assert got.dtype == np.float64 and np.array_equal(got, want) and got[17] == 1.0
