"""The features the attribution tagger embeds beside spaCy's token attributes."""

from __future__ import annotations

import numpy
from spacy.strings import hash_string

from allege.extract.cues import load_lexicon
from allege.tagger_features import FEATURES, attribution_embed, token_features


def column(doc, name: str) -> list[int]:
    return [int(v) for v in token_features(doc)[:, FEATURES.index(name)]]


def by_word(doc, name: str) -> dict[str, int]:
    return dict(zip((t.text for t in doc), column(doc, name)))


def test_quote_state_marks_the_quotation_and_its_edges(nlp):
    doc = nlp("The mayor said: “We will rebuild the bridge.” Then she left.")
    states = by_word(doc, "quote")
    assert states["“"] == hash_string("open")
    assert states["rebuild"] == hash_string("in")
    assert states["”"] == hash_string("close")
    assert states["mayor"] == states["left"] == hash_string("out")


def test_governor_tells_the_speaker_from_what_was_said(nlp):
    doc = nlp("Harbour officials denied that the ferry had sunk.")
    governors = by_word(doc, "governor")
    stance = load_lexicon().verb("deny").stance
    assert governors["officials"] == hash_string(f"nsubj>V:{stance}")
    assert governors["ferry"] == hash_string(f"ccomp>V:{stance}")
    assert governors["denied"] == hash_string("-")
    assert by_word(doc, "cue")["denied"] == hash_string(f"V:{stance}")


def test_according_to_is_a_phrase_cue(nlp):
    doc = nlp("According to the harbour master, the ferry is safe.")
    assert by_word(doc, "cue")["According"] == hash_string("P")
    assert by_word(doc, "governor")["master"] != hash_string("-")


def test_embedding_gives_one_vector_of_the_width_per_token(nlp):
    docs = [nlp("The mayor said the bridge was safe."), nlp("“No,” he said.")]
    model = attribution_embed(16, ["NORM", "TAG"], [100, 50], feature_rows=20)
    model.initialize(X=docs)
    vectors = model.predict(docs)
    assert [v.shape for v in vectors] == [(len(d), 16) for d in docs]
    assert all(numpy.isfinite(v).all() for v in vectors)
