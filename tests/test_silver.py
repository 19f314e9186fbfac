"""The silver training data of ``scripts/silver.py``: which texts, and how tagged spans
become training entities."""

import csv
import json
import sys
from pathlib import Path

import pytest
from spacy.tokens import Span

from allege.nlp import load_pipeline
from allege.tagger import SPANS_KEY
from conftest import SHARED

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
from silver import paragraphs, silver_doc, unlabelled_texts  # noqa: E402

LONG = ("The harbour authority said on Monday that the northern pier would stay closed "
        "until the storm damage had been surveyed.")
OTHER = ("A spokeswoman for the ferry company declined to say when the first crossing "
         "would leave, citing the weather.")


def write_shelf(root: Path) -> None:
    """A miniature shelf in the layout of ../shared, with text written for this test."""
    (root / "corpora" / "basil" / "articles" / "2019").mkdir(parents=True)
    (root / "corpora" / "basil" / "articles" / "2019" / "a_1.json").write_text(
        json.dumps({"body-paragraphs": [["First sentence.", "Second one."], [OTHER]]}))
    politics = root / "corpora" / "bbc-news" / "politics"
    politics.mkdir(parents=True)
    (politics / "001.txt").write_text(f"Pier closed\n\n{LONG}\n", encoding="utf-8")
    (politics / "002.txt").write_bytes("Caf\xe9 owners said trade was slow.".encode("latin-1"))
    (politics / "003.txt").write_text(f"Pier closed\n\n{LONG}\n", encoding="utf-8")  # a copy
    (root / "corpora" / "fa-kes").mkdir(parents=True)
    with open(root / "corpora" / "fa-kes" / "fakes.csv", "w", newline="") as f:
        csv.writer(f).writerows([["unit_id", "article_content"], ["1", "Shelling was reported."],
                                 ["2", "  "]])
    (root / "data" / "fnc-1").mkdir(parents=True)
    with open(root / "data" / "fnc-1" / "train_bodies.csv", "w", newline="") as f:
        csv.writer(f).writerows([["Body ID", "articleBody"], ["7", f"Intro.\n{OTHER}"]])


def test_paragraphs_keeps_long_ones_normalised():
    text = f"Short line.\n\n{LONG}\n{'  '.join(OTHER.split(' '))}"
    assert paragraphs(text) == {LONG, OTHER}


def test_unlabelled_texts_reads_each_corpus_once(tmp_path):
    write_shelf(tmp_path)
    texts = unlabelled_texts(tmp_path)
    assert texts == [
        f"First sentence. Second one.\n\n{OTHER}",
        f"Pier closed\n\n{LONG}",
        "Café owners said trade was slow.",
        "Shelling was reported.",
        f"Intro.\n{OTHER}",
    ]


def test_unlabelled_texts_leaves_out_articles_sharing_a_paragraph(tmp_path):
    write_shelf(tmp_path)
    texts = unlabelled_texts(tmp_path, exclude=[f"Some headline\n\n{OTHER}\n\nMore."])
    assert texts == [f"Pier closed\n\n{LONG}", "Café owners said trade was slow.",
                     "Shelling was reported."]


def test_silver_doc_turns_tagged_spans_into_entities():
    nlp = load_pipeline()
    tagged = nlp("The mayor said the bridge was safe.")
    tagged.spans[SPANS_KEY] = [Span(tagged, 0, 2, label="SOURCE"),
                               Span(tagged, 2, 3, label="CUE"),
                               Span(tagged, 2, 4, label="CONTENT"),  # overlaps the cue
                               Span(tagged, 3, 7, label="CONTENT")]
    doc = silver_doc(nlp, tagged)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("The mayor", "SOURCE"), ("said", "CUE"), ("the bridge was safe", "CONTENT")]
    assert not doc.has_annotation("DEP")  # tokenised only, as the gold DocBins are


@pytest.mark.skipif(not (SHARED / "corpora" / "basil").is_dir(), reason="needs ../shared")
def test_shelf_gives_thousands_of_distinct_articles():
    texts = unlabelled_texts(SHARED)
    assert len(texts) > 4000
    assert len(set(texts)) == len(texts) and all(t.strip() for t in texts)
