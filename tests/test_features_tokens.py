"""Tests of auditor.features.tokens: words, lemmas, shapes, sentences, budget."""
from __future__ import annotations

import json

import pytest

from auditor.features.tokens import TokenizedDoc, tokenize

from .conftest import RUST as RUST_BLOG  # noqa: E402
from .conftest import shared


def one(text: str, **kw) -> TokenizedDoc:
    (doc,) = tokenize([text], **kw)
    return doc


def test_words_and_lemmas():
    doc = one("The running dogs were barking.")
    assert doc.words == ("the", "running", "dogs", "were", "barking")
    assert doc.lemmas == ("the", "run", "dog", "be", "bark")
    assert len(doc.words) == len(doc.lemmas) == sum(doc.sentence_lengths)


def test_capitalised_word_is_lemmatised_lower_case():
    assert one("Running dogs were here.").lemmas[:3] == ("run", "dog", "be")


def test_contractions_stay_split_and_curly_apostrophes_are_normalised():
    assert one("I don't know.").words == ("i", "do", "n't", "know")
    assert one("I don\u2019t know.").words == ("i", "do", "n't", "know")
    assert one("I don't know.").lemmas[2] == "not"


def test_shapes_exact():
    doc = one("The cat sat on 3 mats, and it was happy!")
    assert doc.shapes == (
        "the", "X", "X", "on", "0", "X", ",", "and", "it", "was", "X", "!",
    )


def test_punctuation_urls_and_emails_are_not_words():
    doc = one("See https://example.com/page or mail me@example.com -- now... (really) #1")
    assert doc.words == ("see", "or", "mail", "now", "really", "1")
    assert "https://example.com/page" not in doc.shapes


def test_sentence_lengths_and_first_last_sentences():
    doc = one("One two three. Four five!  Six?\n\nA heading\n\nSeven eight nine ten.")
    assert doc.sentence_lengths == (3, 2, 1, 2, 4)
    assert doc.first_sentence == "One two three."
    assert doc.last_sentence == "Seven eight nine ten."


def test_single_newlines_do_not_split_sentences():
    doc = one("This line is\nwrapped by hand.")
    assert doc.sentence_lengths == (6,)


def test_budget_keeps_first_words_and_consistent_lengths():
    text = " ".join(f"word{i} is here." for i in range(500))
    doc = one(text, budget=50)
    assert len(doc.words) == 50
    assert doc.words[:3] == ("word0", "is", "here")
    assert sum(doc.sentence_lengths) == 50
    assert len(doc.lemmas) == 50
    assert doc.shapes.count("X") + doc.shapes.count("is") + doc.shapes.count("here") == 50
    # first and last sentences are those of the whole text, not of the budget
    assert doc.first_sentence == "word0 is here."
    assert doc.last_sentence == "word499 is here."
    full = one(text)
    assert full.words[:50] == doc.words
    assert len(full.words) == 1500


def test_budget_with_few_words_in_the_head_parses_more():
    # the parsed head (budget * 8 characters) is mostly a URL: the whole text is parsed instead
    text = "https://example.com/" + "a" * 300 + " " + " ".join(["word"] * 100)
    assert len(one(text, budget=40).words) == 40


def test_empty_and_wordless_texts():
    for text in ("", "   \n\n ", "... !!! ---"):
        doc = one(text)
        assert doc.words == doc.lemmas == () and doc.sentence_lengths == ()
        assert doc.first_sentence == doc.last_sentence == ""


def test_order_and_count_preserved():
    texts = ["Alpha beta.", "", "Gamma delta epsilon."]
    docs = tokenize(texts, budget=2)
    assert [d.words for d in docs] == [("alpha", "beta"), (), ("gamma", "delta")]


def test_bad_budget():
    with pytest.raises(ValueError):
        tokenize(["x"], budget=0)


def test_real_corpus_invariants():
    with shared(RUST_BLOG).open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for _, line in zip(range(40), f)]
    for budget in (None, 300):
        for doc in tokenize(texts, budget=budget):
            assert sum(doc.sentence_lengths) == len(doc.words) == len(doc.lemmas)
            assert all(n >= 1 for n in doc.sentence_lengths)
            assert budget is None or len(doc.words) <= budget
            assert doc.first_sentence and doc.last_sentence
            assert all(w == w.lower() for w in doc.words)


def test_import_spacy_skips_torch_and_spacys_command_line_yet_leaves_both_importable():
    """In a fresh interpreter: spaCy imported without torch or spacy.cli (requests, weasel),
    the tokenizer works, and afterwards the real spacy.cli imports."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from auditor.features.lexicon import import_spacy\n"
        "import_spacy()\n"
        "assert 'torch' not in sys.modules and 'spacy.cli' not in sys.modules\n"
        "assert 'requests' not in sys.modules and 'weasel' not in sys.modules\n"
        "from auditor.features.tokens import tokenize\n"
        "assert tokenize(['Runners were running.'], budget=100)[0].lemmas == "
        "('runner', 'be', 'run')\n"
        "import spacy.cli\n"
        "assert spacy.cli.__file__ and callable(spacy.cli.info)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
