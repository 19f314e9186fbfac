"""All attributions of a document, in text order."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from ..nlp import text_of
from .cues import Lexicon, load_lexicon
from .labelled import find_labelled
from .nominal import find_nominal
from .quotes import Quote, find_quotes
from .reported import find_verbal
from .signed import find_signed
from .spans import Found, Segment
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
    text = text_of(doc)
    for f in found:
        if f.kind != "direct":
            f.content = _without_connective(text, f.content)
    found.sort(key=lambda f: f.cue[0])
    return found, quotes


# A word that joins the content to the sentence before it is not part of what was said.
_CONNECTIVE = re.compile(r"(?:And|But|Yet|However,?|Still,|Meanwhile,|In addition,)\s+")


def _without_connective(text: str, content: list[Segment]) -> list[Segment]:
    if not content:
        return content
    start, end = content[0]
    match = _CONNECTIVE.match(text, start, end)
    if match is None or match.end() >= end:
        return content
    return [(match.end(), end), *content[1:]]
