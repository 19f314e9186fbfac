"""The article-level stance model (FNC-1 labels) and the features it is built on."""

import numpy as np
import pytest

from allege.corroborate.stance import LABELS, MODEL_DIR, StanceModel
from allege.corroborate.stance_features import (
    CUE_NAMES,
    cue_counts,
    feature_names,
    split_sentences,
    stem,
    words,
)

HEADLINE = "Apple to buy Tesla for $75 billion"
UNRELATED_BODY = (
    "Heavy rain flooded the low-lying districts of Jakarta on Tuesday, forcing thousands of "
    "residents to leave their homes. The city's disaster agency said water levels reached "
    "two metres in some neighbourhoods. Schools were closed and several train lines were "
    "suspended while pumps worked through the night."
)
DENYING_BODY = (
    "Apple is not buying Tesla. Reports that Apple had agreed to buy Tesla for $75 billion "
    "are false, an Apple spokesman said on Monday, calling the story a hoax. Tesla also "
    "denied the report: \"There is no deal and there have been no talks,\" a Tesla "
    "spokeswoman said. The rumour started on a satirical website and spread on social media."
)


@pytest.fixture(scope="module")
def model() -> StanceModel:
    return StanceModel.load()


def test_the_model_ships_small_with_a_model_card():
    files = [p for p in MODEL_DIR.rglob("*") if p.is_file()]
    assert (MODEL_DIR / "MODEL_CARD.md") in files
    assert sum(p.stat().st_size for p in files) <= 25 * 2**20


def test_load_is_cached(model):
    assert StanceModel.load() is model


def test_an_unrelated_pair_is_unrelated(model):
    assert model.predict([(HEADLINE, UNRELATED_BODY)]) == ["unrelated"]


def test_a_body_that_denies_the_headline_is_related_and_not_agreeing(model):
    [label] = model.predict([(HEADLINE, DENYING_BODY)])
    assert label in {"disagree", "discuss"}
    proba = model.predict_proba([(HEADLINE, DENYING_BODY)])[0]
    assert proba[LABELS.index("disagree")] > proba[LABELS.index("agree")]


def test_probabilities_have_one_row_per_pair_summing_to_one(model):
    pairs = [(HEADLINE, UNRELATED_BODY), (HEADLINE, DENYING_BODY), ("", "")]
    proba = model.predict_proba(pairs)
    assert proba.shape == (3, len(LABELS))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert model.predict([]) == []


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two here.", ["One.", "Two here."]),
        ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
        ("Title line\nBody text. More", ["Title line", "Body text.", "More"]),
        ("U.S. officials said so.", ["U.S. officials said so."]),
        ("", [""]),
    ],
)
def test_sentence_splitting(text, sentences):
    assert split_sentences(text) == (sentences if text else ["."])


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [("denies", "deny"), ("claims", "claim"), ("reported", "report"), ("is", "is")],
)
def test_stems_match_inflections(word, stemmed):
    assert stem(word) == stemmed


def test_cue_counts_find_refutation_denial_negation_and_reports():
    counts = dict(zip(CUE_NAMES, cue_counts(words(
        "The Kremlin denied the claims, saying the report was fake and didn't happen."))))
    assert counts == {"refute": 1, "deny": 1, "negation": 1, "report": 2, "modal": 0,
                      "attribution": 0, "agree": 0}


def test_feature_names_match_the_feature_rows(model):
    row = model.featurizer.features([(HEADLINE, DENYING_BODY)])
    assert row.shape == (1, len(feature_names()))
