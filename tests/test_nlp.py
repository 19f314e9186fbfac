"""Parsing texts of any length: pieces under the parser's limit, joined back into one Doc."""

from __future__ import annotations

import re

import numpy
import pytest
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc

from allege.analysis import analyze_doc
from allege.model import Analysis, Document
from allege.nlp import (
    NUMPY_BLAS,
    PIECE_CHARS,
    parse,
    parse_many,
    pieces,
    plain_pipeline,
    text_of,
    use_numpy_blas,
)
from conftest import SHARED, check_claim_offsets, entity_of

# Written for these tests. No names in it, so the long document stays quick to resolve.
PARAGRAPH = (
    "The harbour authority published its yearly figures this morning. Shipping volumes rose "
    "by a tenth, and the new cranes at the eastern quay worked without a single stoppage. "
    "Dock workers spent the quiet weeks repainting the sheds along the old pier.\n\n"
)
SENTENCES = PARAGRAPH.replace("\n\n", " ")


def check_pieces(text: str, limit: int) -> list[str]:
    cut = pieces(text, limit)
    assert "".join(cut) == text
    assert all(0 < len(piece) <= limit for piece in cut)
    return cut


def test_short_text_is_one_piece() -> None:
    assert pieces(PARAGRAPH) == [PARAGRAPH]
    assert pieces("") == [""]


def test_text_over_spacys_max_length_is_cut_at_paragraph_breaks(nlp: Language) -> None:
    text = PARAGRAPH * (1_000_100 // len(PARAGRAPH) + 1)
    assert len(text) > 1_000_100 > nlp.max_length
    cut = check_pieces(text, PIECE_CHARS)
    assert len(cut) >= len(text) // PIECE_CHARS
    for piece in cut[:-1]:
        assert piece.endswith("\n\n") and piece.startswith("The harbour")
    assert all(len(piece) < nlp.max_length for piece in cut)


@pytest.mark.parametrize("limit", [500, 1_000, 4_096])
def test_without_paragraphs_cuts_fall_after_sentences(limit: int) -> None:
    text = SENTENCES * 100
    for piece in check_pieces(text, limit)[:-1]:
        assert re.search(r"[.!?] $", piece), piece[-40:]


def test_without_white_space_cuts_fall_at_the_limit() -> None:
    text = "x" * 2_500
    assert [len(p) for p in check_pieces(text, 1_000)] == [1_000, 1_000, 500]


def test_lines_are_preferred_to_sentences() -> None:
    text = ("One line. Then more words on it.\n" * 100)
    for piece in check_pieces(text, 400)[:-1]:
        assert piece.endswith("\n")


# --- one Doc from many pieces -------------------------------------------------------------

FIRST = "Halvard Brenn said on Monday that the harbour would stay open through the winter.\n\n"
LAST = ("Lena Ostrova said the new tolls would start in June. "
        "“Nobody at the quay will pay more than they do now,” Brenn told reporters.")
LONG = FIRST + PARAGRAPH * (250_000 // len(PARAGRAPH)) + LAST


@pytest.fixture(scope="module")
def long_doc(nlp: Language) -> Doc:
    return parse(LONG, nlp)


@pytest.fixture(scope="module")
def long_analysis(long_doc: Doc) -> Analysis:
    return analyze_doc(Document(text=LONG), long_doc)


def test_long_text_is_parsed_in_pieces_into_one_doc(long_doc: Doc) -> None:
    assert len(LONG) > 2 * PIECE_CHARS and len(pieces(LONG)) > 2
    assert long_doc.text == LONG == text_of(long_doc)
    for token in long_doc:
        assert LONG[token.idx:token.idx + len(token)] == token.text


def test_parsed_docs_keep_their_text(nlp: Language) -> None:
    texts = [PARAGRAPH, " Leading space,  two spaces\ttab\n", "“Quoted,” she said.\n\n\n"]
    for text, doc in zip(texts, parse_many(texts, nlp)):
        assert text_of(doc) == doc.text == text


def test_claims_at_both_ends_of_a_long_text(long_analysis: Analysis) -> None:
    check_claim_offsets(long_analysis)
    last_paragraph = LONG.rindex("\n\n") + 2
    first = [c for c in long_analysis.claims if c.cue.start < len(FIRST)]
    assert len(first) == 1 and "stay open through the winter" in first[0].content.text
    tail = [c for c in long_analysis.claims if c.cue.start >= last_paragraph]
    assert len(tail) == 2, [(c.cue.text, c.content.text) for c in tail]
    ostrova, brenn = tail
    assert ostrova.content.text == "the new tolls would start in June"
    assert ostrova.content.start == LONG.index("the new tolls")
    assert ostrova.speaker is not None and ostrova.speaker.start == LONG.rindex("Lena Ostrova")
    assert brenn.kind == "direct"
    assert brenn.content.start == LONG.index("Nobody at the quay")
    brenn_entity = entity_of(long_analysis, brenn)
    assert brenn_entity is not None and brenn_entity.name == "Halvard Brenn"


def test_a_headline_without_a_full_stop_is_a_sentence_of_its_own(nlp: Language) -> None:
    doc = nlp("Bridge to reopen in May\n\nThe council said on Monday that the bridge "
              "would reopen in May.\nTolls stay the same")
    starts = [s.text.strip() for s in doc.sents]
    assert starts[0] == "Bridge to reopen in May"
    assert starts[1].startswith("The council said")


def test_every_model_of_the_pipeline_multiplies_through_numpy_blas(
    nlp: Language, shipped: Language
) -> None:
    models = [c.model for _, c in nlp.pipeline if hasattr(getattr(c, "model", None), "walk")]
    assert len(models) == 4  # tok2vec, tagger, parser, ner
    assert all(node.ops is NUMPY_BLAS for model in models for node in model.walk())
    assert all(node.ops is not NUMPY_BLAS for node in shipped.get_pipe("ner").model.walk())


@pytest.mark.skipif(not (SHARED / "corpora" / "bbc-news").is_dir(),
                    reason="needs ../shared/corpora/bbc-news")
def test_numpy_blas_parses_as_blis_does(shipped: Language) -> None:
    # The same products summed in another order: a near tie could go the other way, so
    # this asks for agreement on all but one token in a thousand (on 200 articles: all).
    paths = sorted((SHARED / "corpora" / "bbc-news").rglob("*.txt"))[:40]
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in paths]
    blis, numpy_blas = shipped, plain_pipeline()
    use_numpy_blas(numpy_blas)
    attrs = [TAG, POS, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE]
    pairs = zip(blis.pipe(texts), numpy_blas.pipe(texts))
    rows = [a.to_array(attrs) == b.to_array(attrs) for a, b in pairs]
    agreeing = numpy.concatenate(rows).all(axis=1)
    assert len(agreeing) > 10_000 and agreeing.mean() >= 0.999
