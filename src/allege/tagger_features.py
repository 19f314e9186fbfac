"""What the attribution tagger sees of each token beyond its own attributes.

The tagger's encoder looks a few tokens either side, and an attribution is often wider
than that: a quotation runs for forty words, and whether a clause is what someone said
depends on the verb that governs it. Four features per token bring this within reach:

- ``quote``: the token opens, closes, lies inside or lies outside a quotation
  (quotations paired by :func:`allege.extract.quotes.find_quotes`);
- ``cue``: the token's class in allege's cue lexicon ("V:denies", "N:asserts", "P" for the
  first word of a phrase such as "according to"), or "-";
- ``governor``: the nearest ancestor in the parse that is a cue, with the dependency by
  which the path reaches it ("ccomp>V:asserts" for a word of a clause someone said,
  "nsubj>V:asserts" for a word of the one who said it), or "-";
- ``head``: the dependency and tag of the token's head.

Each is hashed and embedded like spaCy's own attributes by :func:`attribution_embed`, which
can also read the English pipeline's context vectors (``doc.tensor``); it is
registered as ``allege.AttributionEmbed.v1`` so that a saved tagger loads with
``spacy.load`` once this module is imported.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

import numpy
from spacy.attrs import DEP, HEAD, IDX, LEMMA, LENGTH, LOWER, TAG
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Ragged

from .extract.cues import Lexicon, load_lexicon
from .extract.quotes import find_quotes
from .nlp import text_of

FEATURES = ("quote", "cue", "governor", "head")
# How far up the parse a governing cue is looked for.
MAX_CLIMB = 12


def token_features(doc: Doc, lexicon: Lexicon | None = None) -> numpy.ndarray:
    """One row per token, one column per name in :data:`FEATURES`, as hashed strings."""
    lexicon = lexicon or load_lexicon()
    if len(doc) == 0:
        return numpy.zeros((0, len(FEATURES)), dtype="uint64")
    starts = frozenset(words[0] for words in lexicon.phrases)
    tags, lemmas, lowers, deps = _names(doc, [TAG, LEMMA, LOWER, DEP])
    classes: dict[tuple[str, str, str], str] = {}
    cues = []
    for key in zip(tags, lemmas, lowers):
        if key not in classes:
            tag, lemma, lower = key
            classes[key] = _cue_class(tag, lemma or lower, lower, lexicon, starts)
        cues.append(classes[key])
    offsets = doc.to_array([HEAD]).astype("int64").ravel().tolist()  # HEAD is relative
    heads = [i + offset for i, offset in enumerate(offsets)]
    quotes = _quote_states(doc)
    rows = numpy.zeros((len(doc), len(FEATURES)), dtype="uint64")
    rows[:, 0] = [_hash(state) for state in quotes]
    rows[:, 1] = [_hash(cue) for cue in cues]
    rows[:, 2] = [_hash(_governor(i, heads, deps, cues)) for i in range(len(doc))]
    rows[:, 3] = [_hash(f"{deps[i]}<{deps[head]}:{tags[head]}") for i, head in enumerate(heads)]
    return rows


_hash = lru_cache(maxsize=65536)(hash_string)


def _names(doc: Doc, attrs: list[int]) -> list[list[str]]:
    """Per attribute, the string of each token (``doc.to_array``, one lookup per distinct
    value)."""
    out = []
    for column in doc.to_array(attrs).T:
        values, index = numpy.unique(column, return_inverse=True)
        names = [doc.vocab.strings[int(value)] for value in values]
        out.append([names[i] for i in index.tolist()])
    return out


def _cue_class(tag: str, lemma: str, lower: str, lexicon: Lexicon,
               phrase_starts: frozenset[str]) -> str:
    """A token's class in the cue lexicon, or "-" (``phrase_starts``: the first words of
    the lexicon's phrases)."""
    if tag.startswith("VB"):
        verb = lexicon.verb(lemma)  # the lexicon lowercases
        if verb is not None:
            return f"V:{verb.stance}"
    if tag.startswith("NN"):
        stance = lexicon.noun(lemma)
        if stance is not None:
            return f"N:{stance}"
    if lower in phrase_starts:
        return "P"
    return "-"


def _governor(i: int, heads: list[int], deps: list[str], cues: list[str]) -> str:
    child, node = i, heads[i]
    for _ in range(MAX_CLIMB):
        if node == child:
            return "-"
        if cues[node] != "-":
            return f"{deps[child]}>{cues[node]}"
        child, node = node, heads[node]
    return "-"


def _quote_states(doc: Doc) -> list[str]:
    quotes = find_quotes(text_of(doc))
    starts = [quote.start for quote in quotes]
    states = []
    for idx, length in doc.to_array([IDX, LENGTH]).tolist():
        at = bisect_right(starts, idx) - 1
        if at < 0 or not quotes[at].contains(idx):
            states.append("out")
        elif idx == quotes[at].start:
            states.append("open")
        elif idx + length == quotes[at].end and quotes[at].closed:
            states.append("close")
        else:
            states.append("in")
    return states


def _extract(attrs: list[str]) -> Model:
    return Model("allege_features", _extract_forward, attrs={"columns": attrs})


def _extract_forward(model: Model, docs: list[Doc], is_train: bool):
    columns = model.attrs["columns"]
    lexicon = load_lexicon()
    out = []
    for doc in docs:
        own = doc.to_array(columns).reshape((len(doc), len(columns)))
        both = numpy.hstack([own.astype("uint64"), token_features(doc, lexicon)])
        out.append(model.ops.asarray2i(both, dtype="uint64"))
    return out, lambda d_features: []


def _tensor(width: int) -> Model:
    return Model("allege_doc_tensor", _tensor_forward, attrs={"width": width})


def _tensor_forward(model: Model, docs: list[Doc], is_train: bool):
    # Zeros where a doc has no tensor: spaCy initialises the model on docs no pipeline has
    # seen. allege.tagger refuses such docs at use.
    width = model.attrs["width"]
    arrays = []
    for doc in docs:
        if doc.tensor.shape == (len(doc), width):
            arrays.append(model.ops.asarray2f(doc.tensor))
        else:
            arrays.append(model.ops.alloc2f(len(doc), width))
    lengths = model.ops.asarray1i([len(a) for a in arrays])
    return Ragged(model.ops.flatten(arrays), lengths), lambda d_ragged: []


@registry.architectures("allege.AttributionEmbed.v1")
def attribution_embed(
    width: int, attrs: list[str], rows: list[int], feature_rows: int, tensor_width: int = 0
) -> Model:
    """spaCy's ``MultiHashEmbed`` over ``attrs`` and the :data:`FEATURES` of this module
    (each with a table of ``feature_rows`` rows), mixed down to ``width`` by a maxout layer.

    With ``tensor_width`` (the English pipeline's tok2vec width, 96 for en_core_web_sm),
    the maxout also reads ``doc.tensor``: the context vectors of the pipeline's own
    encoder, trained on far more text than PolNeAR, at no extra cost (they are computed
    anyway, and not updated here)."""
    if len(rows) != len(attrs):
        raise ValueError(f"Mismatched lengths: {len(rows)} rows for {len(attrs)} attrs")
    sizes = list(rows) + [feature_rows] * len(FEATURES)
    tables = [
        HashEmbed(width, size, column=column, seed=8 + column, dropout=0.0)
        for column, size in enumerate(sizes)
    ]
    hashed = chain(_extract(list(attrs)), list2ragged(), with_array(concatenate(*tables)))
    inputs = concatenate(hashed, _tensor(tensor_width)) if tensor_width else hashed
    mixed = width * len(tables) + tensor_width
    return chain(
        inputs,
        with_array(Maxout(width, mixed, nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
