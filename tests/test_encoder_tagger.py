"""The encoder tagger: windows, BIO decoding, the shipped adapters, and the mix with the
spaCy tagger's spans."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from spacy.language import Language
from spacy.tokens import Doc, Span

import allege.analysis
from allege.analysis import analyze_documents, encoder_choice
from allege.encoder_tagger import (
    BIO,
    TAG_STRIDE,
    EncoderTagger,
    best_labels,
    decode,
    encoder_named,
    tag_with_encoder,
    tagger_evidence,
    windows,
)
from allege.errors import AllegeError
from allege.model import Document
from allege.tagger import SPANS_KEY, tag_docs

# Written for these tests.
SENTENCE = "The minister said that the bridge will reopen in May."


@pytest.mark.parametrize("length", [0, 1, 254, 255, 444, 445, 1000])
def test_windows_cover_every_piece_and_overlap(length: int) -> None:
    spans = windows(length)
    assert spans[0][0] == 0 and spans[-1][1] == length
    assert all(end - start <= 254 for start, end in spans)
    assert all(b[0] < a[1] for a, b in zip(spans, spans[1:]))  # each overlaps the next


@pytest.mark.parametrize("length", [1, 254, 255, 508, 1000])
def test_tagging_windows_lie_side_by_side(length: int) -> None:
    spans = windows(length, stride=TAG_STRIDE)
    assert [p for start, end in spans for p in range(start, end)] == list(range(length))


def scores_for(*labels: str) -> np.ndarray:
    """Log probabilities that favour ``labels``, one row per token; after an I- label,
    the B- of the same kind is the likeliest."""
    rows = np.full((len(labels), len(BIO)), np.log(0.02))
    for row, label in zip(rows, labels):
        row[BIO.index(label)] = np.log(0.6)
        if label.startswith("I-"):
            row[BIO.index("B-" + label[2:])] = np.log(0.3)
    return rows


@pytest.mark.parametrize(
    ("favoured", "decoded"),
    [
        (("B-SOURCE", "I-SOURCE", "B-CUE"), ("B-SOURCE", "I-SOURCE", "B-CUE")),
        # an I- after O is not BIO: the best allowed sequence starts a span there
        (("O", "I-CONTENT", "I-CONTENT"), ("O", "B-CONTENT", "I-CONTENT")),
        # nor is an I- of another label
        (("B-CUE", "I-CONTENT"), ("B-CUE", "B-CONTENT")),
    ],
)
def test_best_labels_keep_to_bio(favoured: tuple[str, ...], decoded: tuple[str, ...]) -> None:
    labels = best_labels(scores_for(*favoured), np.zeros(len(favoured), dtype=bool))
    assert tuple(BIO[i] for i in labels) == decoded


def test_decode_gives_token_spans_without_edge_space(nlp: Language) -> None:
    doc = Doc(nlp.vocab, words=["Kim", "said", " ", "it", "rained", "."],
              spaces=[True, True, False, True, False, False])
    scores = scores_for("B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT", "I-CONTENT", "O")
    assert decode(doc, scores) == [("SOURCE", 0, 1), ("CUE", 1, 2), ("CONTENT", 3, 5)]


def test_tagger_evidence_is_one_hot_bio(nlp: Language) -> None:
    doc = nlp.make_doc("Kim said it rained .")
    doc.spans[SPANS_KEY] = [Span(doc, 0, 1, "SOURCE"), Span(doc, 2, 4, "CONTENT")]
    rows = tagger_evidence(doc)
    assert rows.sum(axis=1).tolist() == [1.0] * len(doc)
    assert [BIO[i] for i in rows.argmax(axis=1)] == ["B-SOURCE", "O", "B-CONTENT", "I-CONTENT", "O"]


@pytest.fixture(scope="module", params=["fast", "full"])
def encoder(request: pytest.FixtureRequest) -> EncoderTagger:
    return encoder_named(request.param)


def test_the_fast_encoder_is_four_layers_with_a_wider_head() -> None:
    fast, full = encoder_named("fast"), encoder_named("full")
    assert (len(fast.encoder.encoder.layer), len(full.encoder.encoder.layer)) == (4, 6)
    assert sum(p.numel() for p in fast.head.parameters()) > 384 * 512
    # the first three layers are the full encoder's, the fourth retrained whole
    first, fourth = (fast.encoder.encoder.layer[i].output.dense.weight for i in (0, 3))
    assert first.equal(full.encoder.encoder.layer[0].output.dense.weight)
    assert not fourth.equal(full.encoder.encoder.layer[3].output.dense.weight)


def test_the_shipped_attribution_weights_stay_under_25_mb() -> None:
    # the bound, for the span tagger, both encoders, the pointers and the int8 scales
    from allege.encoder_tagger import ENCODER_DIR, FAST_ENCODER_DIR
    from allege.tagger import MODEL_DIR

    files = [MODEL_DIR / "attribution" / "model", ENCODER_DIR / "adapter.safetensors",
             FAST_ENCODER_DIR / "adapter.safetensors", FAST_ENCODER_DIR / "int8-scales.safetensors",
             *FAST_ENCODER_DIR.glob("*-pointer.safetensors")]
    assert sum(f.stat().st_size for f in files) <= 25_000_000


def test_shipped_encoder_scores_every_token(nlp: Language, encoder: EncoderTagger) -> None:
    long_text = " ".join([SENTENCE] * 60)  # over one window of word pieces
    docs = [nlp(SENTENCE), nlp(long_text)]
    for doc, scores in zip(docs, encoder.scores(docs)):
        assert scores.shape == (len(doc), len(BIO))
        assert np.allclose(np.exp(scores).sum(axis=1), 1.0, atol=1e-3)


def test_encoder_alone_finds_source_cue_and_content(nlp: Language, encoder: EncoderTagger) -> None:
    doc = nlp(SENTENCE)
    (scores,) = encoder.scores([doc])
    found = {(label, doc[start:end].text) for label, start, end in decode(doc, scores)}
    assert ("SOURCE", "The minister") in found and ("CUE", "said") in found
    assert any(label == "CONTENT" and "bridge will reopen" in text for label, text in found)


def test_mixed_tags_replace_the_spacy_spans(nlp: Language, encoder: EncoderTagger) -> None:
    (doc,) = tag_docs([nlp(SENTENCE)])
    (mixed,) = tag_with_encoder([doc], encoder=encoder)
    assert mixed is doc
    labels = {span.label_: span.text for span in doc.spans[SPANS_KEY]}
    assert labels["CUE"] == "said" and labels["SOURCE"] == "The minister"


def test_batches_scored_in_the_worker_come_back_in_order(nlp: Language) -> None:
    encoder = encoder_named("fast")
    texts = [SENTENCE, "Nothing was said.", "Police said the road is shut.", SENTENCE,
             "The mayor denied it.", "It rained."]
    docs = list(tag_docs(nlp.pipe(texts)))
    expected = [decode(doc, scores + encoder.mix_weight * tagger_evidence(doc))
                for doc, scores in zip(docs, encoder.scores(docs))]
    threads = torch.get_num_threads()
    out = list(tag_with_encoder(iter(docs), encoder=encoder, batch_size=2))
    assert torch.get_num_threads() == threads  # torch's threads are given back
    assert [doc.text for doc in out] == texts
    assert [[(s.label_, s.start, s.end) for s in doc.spans[SPANS_KEY]] for doc in out] == expected


def test_a_failure_in_the_worker_reaches_the_caller(nlp: Language) -> None:
    (doc,) = tag_docs([nlp(SENTENCE)])
    broken = EncoderTagger.__new__(EncoderTagger)
    broken.torch, broken.mix_weight, broken.pointers = torch, 1.0, {}
    broken.scores_and_states = lambda docs, batch_size: 1 / 0
    with pytest.raises(ZeroDivisionError):
        list(tag_with_encoder([doc], encoder=broken))


def test_encoder_choices() -> None:
    assert [encoder_choice(e) for e in (True, False, "fast", "full", "none")] == [
        "full", "none", "fast", "full", "none"]
    with pytest.raises(AllegeError, match="choose fast, full or none"):
        encoder_choice("huge")


def test_the_environment_chooses_the_encoder(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = []

    def spy(docs, encoder):
        chosen.append(encoder)
        return docs

    def run(**options) -> None:
        list(analyze_documents([Document(text=SENTENCE)], nlp=nlp, **options))

    monkeypatch.setattr(allege.analysis, "tag_with_encoder", spy)
    monkeypatch.delenv("ALLEGE_ENCODER", raising=False)
    run()
    monkeypatch.setenv("ALLEGE_ENCODER", "full")
    run()
    run(encoder="fast")
    monkeypatch.setenv("ALLEGE_ENCODER", "1")
    run()
    monkeypatch.setenv("ALLEGE_ENCODER", "none")
    run()
    fast, full = encoder_named("fast"), encoder_named("full")
    assert chosen == [fast, full, fast, full]
