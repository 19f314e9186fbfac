"""The stand-ins for the attribute ruler and the lemmatizer assign exactly what the
originals assign: compared attribute by attribute on real news and on rulers built here."""

from __future__ import annotations

from collections.abc import Iterable

import numpy
import pytest
import spacy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from allege.nlp import plain_pipeline
from allege.rule_steps import QuickAttributeRuler, QuickLemmatizer, use_quick_steps
from conftest import SHARED

COMPARED = [TAG, POS, MORPH, LEMMA, DEP, HEAD, SENT_START, ENT_IOB, ENT_TYPE]
BBC = SHARED / "corpora" / "bbc-news"
# Written for these tests: a line for each of en_core_web_sm's longer or unusual patterns
# (contractions, "there is", blank lines), and ordinary prose.
SENTENCES = [
    "I ain't gonna wait, y'all gotta see it. Let's go, c'mon!",
    "There is a plan and there are doubts; there was nothin' else.\n\n\n  Been there , done that.",
    "The ministry said on Tuesday that the bridge, which gets repainted every year, got a new "
    "coat of paint.",
    "Those who do not know it would say it is these figures that matter.",
]


@pytest.fixture(scope="module")
def pipelines(shipped: Language) -> tuple[Language, Language]:
    """en_core_web_sm as it ships, and a second copy with the stand-ins."""
    return shipped, use_quick_steps(plain_pipeline())


def annotations(docs: Iterable[Doc]) -> list[tuple[numpy.ndarray, list[str], list[str]]]:
    return [(doc.to_array(COMPARED), [str(t.morph) for t in doc], [t.lemma_ for t in doc])
            for doc in docs]


def assert_same(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for (array, morphs, lemmas), (array2, morphs2, lemmas2) in zip(ours, theirs):
        assert numpy.array_equal(array, array2)
        assert (morphs, lemmas) == (morphs2, lemmas2)


def test_the_stand_ins_take_the_places_of_the_originals(pipelines) -> None:
    original, quick = pipelines
    assert quick.pipe_names == original.pipe_names
    assert isinstance(quick.get_pipe("attribute_ruler"), QuickAttributeRuler)
    assert isinstance(quick.get_pipe("lemmatizer"), QuickLemmatizer)
    assert quick("She was thinking.")[2].lemma_ == "think"
    assert quick("She was thinking.", disable=["lemmatizer"])[2].lemma_ == ""


def test_same_annotations_on_written_sentences(pipelines) -> None:
    original, quick = pipelines
    assert_same(annotations(quick.pipe(SENTENCES)), annotations(original.pipe(SENTENCES)))
    doc = quick(SENTENCES[0])
    assert [t.lemma_ for t in doc][:6] == ["I", "be", "not", "go", "to", "wait"]


@pytest.mark.skipif(not BBC.is_dir(), reason="needs ../shared/corpora/bbc-news")
def test_same_annotations_on_real_news(pipelines) -> None:
    texts = [p.read_bytes().decode("utf-8", errors="replace")
             for p in sorted(BBC.rglob("*.txt"))[:60]]
    original, quick = pipelines
    assert_same(annotations(quick.pipe(texts)), annotations(original.pipe(texts)))


def ruler_pipeline(patterns: list[dict]) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns(patterns)
    return nlp


# Rulers built here: overlapping patterns (the later wins), negative indices, sets,
# expressions, patterns found only by an expression, and an attribute outside POS / MORPH
# / LEMMA.
PATTERNS = [
    {"patterns": [[{"LOWER": "the"}]], "attrs": {"POS": "DET", "MORPH": "Definite=Def"}},
    {"patterns": [[{"LOWER": "the"}, {"LOWER": {"IN": ["bridge", "river"]}}]],
     "attrs": {"POS": "PROPN", "LEMMA": "The"}, "index": -2},
    {"patterns": [[{"LOWER": {"REGEX": "^b"}}]], "attrs": {"LEMMA": "b-word"}},
    {"patterns": [[{"LOWER": {"NOT_IN": ["bridge"]}, "IS_SPACE": False},
                   {"LOWER": "crossing"}]], "attrs": {"MORPH": "Number=Sing"}, "index": -1},
    {"patterns": [[{"LOWER": "bridge"}], [{"LOWER": "river"}]],
     "attrs": {"POS": "NOUN", "TAG": "NN"}},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"POS": "SPACE"}},
]


def test_same_annotations_from_rulers_built_here() -> None:
    nlp = ruler_pipeline(PATTERNS)
    quick = QuickAttributeRuler(nlp.get_pipe("attribute_ruler"))
    texts = ["The bridge and the river crossing were busy.\n\nBoats, the bridge: the end.",
             "the", "", "Bridge crossing, the bridge crossing, a river  crossing"]
    original = [nlp(text) for text in texts]
    ours = [quick(nlp.make_doc(text)) for text in texts]
    assert_same(annotations(ours), annotations(original))
    bridge = ours[0][1]
    assert (bridge.pos_, bridge.tag_, bridge.lemma_) == ("NOUN", "NN", "b-word")
    assert (ours[0][0].pos_, ours[0][0].lemma_) == ("PROPN", "The")


def test_a_ruler_with_patterns_it_does_not_read_stays() -> None:
    nlp = ruler_pipeline([{"patterns": [[{"LOWER": "very", "OP": "+"}]],
                           "attrs": {"POS": "ADV"}}])
    use_quick_steps(nlp)
    assert isinstance(nlp.get_pipe("attribute_ruler"), AttributeRuler)
