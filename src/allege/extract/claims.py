"""All attributions of a document, in text order."""

from __future__ import annotations

from spacy.tokens import Doc

from ..nlp import text_of
from .cues import Lexicon, load_lexicon
from .labelled import find_labelled
from .nominal import find_nominal
from .quotes import Quote, find_quotes
from .reported import find_verbal
from .signed import find_signed
from .spans import Found
from .tagged import merge_tagged


def find_attributions(doc: Doc, lexicon: Lexicon | None = None) -> tuple[list[Found], list[Quote]]:
    """Every attribution in ``doc``, ordered by cue position, and the quotations found."""
    lexicon = lexicon or load_lexicon()
    quotes = find_quotes(text_of(doc))
    used: set[int] = set()
    found = list(find_nominal(doc, quotes, lexicon, used))
    found += find_verbal(doc, quotes, lexicon, used)
    found += find_signed(doc, quotes, used)
    found += find_labelled(doc, used)
    found = merge_tagged(doc, found, quotes, lexicon)  # no-op on untagged docs
    found.sort(key=lambda f: f.cue[0])
    return found, quotes
