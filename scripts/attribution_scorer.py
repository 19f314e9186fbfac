"""Checkpoint selection for the attribution tagger by allege's own score.

spaCy's entity F1 hardly separates the tagger's checkpoints, while the score that matters
is the one inside allege, where the rules link the tagged spans into claims. This scorer,
used by ``train_attribution.py`` for the ``attribution`` component, reports spaCy's
``ents_*`` scores and ``allege_linked_f``: the linked-attribution F1 of the PolNeAR
protocol (``allege eval polnear``) when allege analyses each dev article with the spans the
tagger has just predicted. The dev articles are parsed once, with allege's own pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy import registry
from spacy.scorer import get_ner_prf
from spacy.tokens import Doc, Span
from spacy.training import Example

from allege.analysis import analyze_doc
from allege.eval.polnear import (
    GoldArticle,
    Scores,
    load_split,
    predicted_from_analysis,
    score,
)
from allege.model import Document
from allege.nlp import parse_many
from allege.tagger import SPANS_KEY

LINKED = "allege_linked_f"


@registry.scorers("allege.linked_scorer.v1")
def make_linked_scorer(data: str) -> Callable[..., dict[str, Any]]:
    """A scorer for the ``attribution`` component that adds ``allege_linked_f`` (PolNeAR
    dev in the folder ``data``) to spaCy's entity scores."""
    articles: dict[str, tuple[GoldArticle, Doc]] = {}

    def scorer(examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
        examples = list(examples)
        scores = get_ner_prf(examples, **kwargs)
        if not articles:
            golds = load_split(Path(data), "dev")
            for gold, doc in zip(golds, parse_many([g.text for g in golds])):
                articles[gold.text] = (gold, doc)
        golds, docs = [], []
        for example in examples:
            gold, doc = articles[example.predicted.text]
            doc.spans[SPANS_KEY] = _spans(doc, example.predicted)
            golds.append(gold)
            docs.append(doc)
        scores[LINKED] = linked_f1(golds, docs)
        return scores

    return scorer


def linked_f1(golds: Iterable[GoldArticle], docs: Iterable[Doc]) -> float:
    """The linked-attribution F1 of allege's analyses of ``docs`` (parsed, their tagged
    spans set), one per gold article."""
    return dev_scores(golds, docs).linked.f1


def mean_f1(scores: Scores) -> float:
    """The mean of the four F1s the protocol reports: source, cue, content and linked."""
    return (sum(prf.f1 for prf in scores.roles.values()) + scores.linked.f1) / 4


def dev_scores(golds: Iterable[GoldArticle], docs: Iterable[Doc]) -> Scores:
    """The PolNeAR scores of allege's analyses of ``docs`` (parsed, their tagged spans
    set), one per gold article."""
    golds = list(golds)
    predictions = [predicted_from_analysis(analyze_doc(Document(text=gold.text), doc))
                   for gold, doc in zip(golds, docs)]
    return score(golds, predictions)


def _spans(doc: Doc, tagged: Doc) -> list[Span]:
    """The tagged entities of ``tagged`` as spans of ``doc`` (same text, parsed apart)."""
    spans = []
    for ent in tagged.ents:
        span = doc.char_span(ent.start_char, ent.end_char, label=ent.label_,
                             alignment_mode="expand")
        if span is not None:
            spans.append(span)
    return spans
