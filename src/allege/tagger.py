"""The trained attribution tagger: SOURCE, CUE and CONTENT spans, kept out of ``doc.ents``.

The tagger is a spaCy ``ner`` component named ``attribution`` (trained on PolNeAR by
``scripts/train_attribution.py``; see ``models/attribution/MODEL_CARD.md``). It reads the
TAG and DEP the English pipeline's tagger and parser assign, so it runs on parsed docs.

An ``ner`` component writes ``doc.ents``, and allege needs spaCy's own entities there. So
the component never runs inside the normal pipeline: :func:`tag_docs` runs it on copies of
the docs and stores what it finds in ``doc.spans["attribution"]`` of the originals.

    nlp = allege.nlp.load_pipeline()
    for doc in tag_docs(nlp.pipe(texts)):
        doc.spans["attribution"]            # SpanGroup labelled SOURCE / CUE / CONTENT
    tagged_spans(nlp(text))                 # [("SOURCE", 0, 12), ("CUE", 13, 17), ...]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch, registry

from . import tagger_features
from .errors import AllegeError, ModelNotFound
from .nlp import use_numpy_blas

__all__ = [
    "COMPONENT",
    "LABELS",
    "MODEL_DIR",
    "SPANS_KEY",
    "add_tagger",
    "load_tagger",
    "tag_docs",
    "tagged_spans",
]

MODEL_DIR = Path(__file__).parent / "models" / "attribution"
# The shipped tagger's embedding; importing it registers it as allege.AttributionEmbed.v1,
# which spacy.load needs to rebuild the model.
EMBEDDING = tagger_features.attribution_embed
COMPONENT = "attribution"
SPANS_KEY = "attribution"
LABELS = ("SOURCE", "CUE", "CONTENT")
# Runs before the tagger in training; spaCy's entity recogniser will not let an entity
# cross a sentence start, and PolNeAR's contents often run over several sentences.
UNSENTENCE = "allege_unsentence"


@lru_cache(maxsize=1)
def load_tagger(path: Path = MODEL_DIR) -> Language | None:
    """The pipeline holding the shipped ``attribution`` component, loaded once; None when
    no trained model is there (allege then works from its rules alone)."""
    if not (Path(path) / "config.cfg").is_file():
        return None
    return spacy.load(path)


def _require_tagger(tagger: Language | None) -> Language:
    tagger = tagger if tagger is not None else load_tagger()
    if tagger is None or COMPONENT not in tagger.component_names:
        raise ModelNotFound(
            f"No trained attribution tagger in {MODEL_DIR}. Train one with "
            "scripts/train_attribution.py (see MODEL_CARD.md there)."
        )
    return tagger


def add_tagger(nlp: Language, tagger: Language | None = None) -> Language:
    """Add the ``attribution`` component to ``nlp`` after its parser, disabled, so that
    ``nlp(text)`` keeps spaCy's entities and :func:`tag_docs` can use ``nlp`` as its
    ``tagger``. Adding twice does nothing. Returns ``nlp``."""
    if COMPONENT in nlp.component_names:
        return nlp
    source = _require_tagger(tagger)
    where = {"after": "parser"} if "parser" in nlp.pipe_names else {"last": True}
    nlp.add_pipe(COMPONENT, source=source, **where)
    nlp.disable_pipe(COMPONENT)
    return nlp


def clear_sentences(doc: Doc) -> Doc:
    """Forget the sentence starts of ``doc`` (its parse stays); returns ``doc``."""
    doc.from_array([SENT_START], numpy.zeros((len(doc), 1), dtype="uint64"))
    return doc


@Language.component(UNSENTENCE)
def unsentence(doc: Doc) -> Doc:
    """Pipeline step used in training: :func:`clear_sentences`."""
    return clear_sentences(doc)


def _working_copy(doc: Doc) -> Doc:
    if not (doc.has_annotation("TAG") and doc.has_annotation("DEP")) or \
            doc.tensor.shape[0] != len(doc):
        raise AllegeError(
            "The attribution tagger needs parsed docs (TAG, DEP and the tok2vec's "
            "doc.tensor): run the whole English pipeline first."
        )
    copy = doc.copy()
    copy.set_ents([], default="missing")
    return clear_sentences(copy)


@registry.callbacks("allege.numpy_blas.v1")
def numpy_blas() -> Callable[[Language], Language]:
    """An ``[nlp.after_pipeline_creation]`` callback for training configs: every
    component's model multiplies through numpy's BLAS (:data:`allege.nlp.NUMPY_BLAS`)."""

    def apply(nlp: Language) -> Language:
        use_numpy_blas(nlp)
        return nlp

    return apply


def tag_docs(
    docs: Iterable[Doc], *, batch_size: int = 32, tagger: Language | None = None
) -> Iterator[Doc]:
    """Tag parsed docs, setting ``doc.spans["attribution"]`` (labels SOURCE, CUE, CONTENT)
    and yielding each doc; ``doc.ents`` are left alone.

    ``tagger`` is any pipeline holding the component (``load_tagger()`` by default, or a
    pipeline given to :func:`add_tagger`).
    """
    component = _require_tagger(tagger).get_pipe(COMPONENT)
    use_numpy_blas(component.model)
    for batch in minibatch(docs, batch_size):
        for doc in batch:
            for label in LABELS:
                doc.vocab.strings.add(label)
        copies = [_working_copy(doc) for doc in batch]
        for doc, tagged in zip(batch, component.pipe(copies, batch_size=batch_size)):
            doc.spans[SPANS_KEY] = [
                Span(doc, ent.start, ent.end, label=ent.label) for ent in tagged.ents
            ]
            yield doc


def tagged_spans(doc: Doc, tagger: Language | None = None) -> list[tuple[str, int, int]]:
    """``(label, start_char, end_char)`` of each tagged span, tagging ``doc`` first if it
    has not been tagged."""
    if SPANS_KEY not in doc.spans:
        doc = next(tag_docs([doc], tagger=tagger))
    return [(span.label_, span.start_char, span.end_char) for span in doc.spans[SPANS_KEY]]
