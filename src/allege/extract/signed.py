"""Quotations signed with a dash: “We will rebuild.” ― Maria Lopez

Readers' comments, epigraphs and pull quotes name their speaker after a dash that follows
the closing mark. The dash is the cue; the name runs to the end of its line or sentence,
and must be a name (proper nouns, with "of", "the" or initials between them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Doc

from ..nlp import text_of
from .quotes import Quote
from .spans import Found

_SIGNATURE = re.compile(r"[”\"][ \t\xa0]*([―—–]|--)[ \t\xa0]*")
_OPENING = "“\"”"  # some writers open with a closing mark
_JOINERS = {"of", "the", "de", "van", "von", "al", "bin", "."}
_MAX_NAME = 6


def find_signed(doc: Doc, quotes: list[Quote], used: set[int]) -> Iterator[Found]:
    """A claim for each quotation followed by a dash and a name."""
    text = text_of(doc)
    ends = {q.end: q for q in quotes if q.closed}
    for dash in _SIGNATURE.finditer(text):
        content = _quoted(text, dash.start() + 1, ends)
        cue = doc.char_span(*dash.span(1), alignment_mode="expand")
        name = _name_after(doc, dash.end())
        if content is None or cue is None or not name or any(t.i in used for t in cue):
            continue
        words = doc.char_span(*content, alignment_mode="contract")
        if words is None or len(words) == 0:
            continue
        used.update(t.i for t in cue)
        yield Found(
            cue=[dash.span(1)], cue_lemma="―",  # the dash, not its token ("”―" is one)
            content=[(words.start_char, words.end_char)], kind="direct",
            stance="asserts", sentence=0,
            source=(doc[name[0]].idx, doc[name[-1]].idx + len(doc[name[-1]])),
            source_head=name[-1], rule="signed", tokens={t.i for t in cue},
        )


def _quoted(text: str, end: int, ends: dict[int, Quote]) -> tuple[int, int] | None:
    """The quoted words whose closing mark ends at ``end``: a paired quotation's, else
    (when quotation marks inside it broke the pairing) its line's, if the line opens with a
    quotation mark."""
    if end in ends:
        return ends[end].inner(text)
    start = text.rfind("\n", 0, end) + 1
    while start < end and text[start].isspace():
        start += 1
    if start >= end - 2 or text[start] not in _OPENING:
        return None
    return start + 1, end - 1


def _name_after(doc: Doc, offset: int) -> list[int]:
    """The token indices of the name that starts at ``offset``, or [] if there is none."""
    first = doc.char_span(offset, min(offset + 1, len(text_of(doc))), alignment_mode="expand")
    if first is None or len(first) == 0:
        return []
    start = first.start
    name: list[int] = []
    for token in doc[start:start + _MAX_NAME + 1]:
        if "\n" in token.text or token.is_space:
            break
        if token.pos_ == "PROPN" or (token.is_title and token.is_alpha):
            name.append(token.i)
        elif token.lower_ in _JOINERS and name:
            continue
        else:
            break
    ends_there = not name or name[-1] + 1 >= len(doc) or _ends(doc, name[-1] + 1)
    return name if name and len(name) <= _MAX_NAME and ends_there else []


def _ends(doc: Doc, i: int) -> bool:
    """Whether the name stops before token ``i``: a line break, punctuation, or a quote."""
    token = doc[i]
    return token.is_space or token.is_punct or token.is_quote or "\n" in doc[i - 1].whitespace_
