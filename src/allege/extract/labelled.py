"""Lines labelled with their speaker and a colon: transcripts and headlines.

    MARLOW: Will the bridge reopen in May?                 (a transcript)
    Halvard Brenn: Bridge Will Reopen in May               (a headline)

In a transcript the speaker is a name in capitals opening a paragraph (after a quotation
mark, when the transcript is quoted), and there are several turns; in a headline, the name
of a person or an organisation opening the first line. The colon is the cue; the content
runs to the end of the paragraph or line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Doc

from ..nlp import text_of
from .spans import Found

_TRANSCRIPT = re.compile(
    r"^[ \t]*[\"“]?([A-Z][A-Z.'’\-]+(?: [A-Z][A-Z.'’\-]+){0,2}):[ \t]+(\S[^\n]*)", re.MULTILINE)
_HEADLINE = re.compile(
    r"^[ \t]*([A-Z][\w.'’\-]*(?: [A-Z][\w.'’\-]*){0,3}):[ \t]+(\S[^\n]*)")
# Labels that are not speakers.
_NOT_SPEAKERS = {"UPDATE", "UPDATED", "BREAKING", "EXCLUSIVE", "PHOTO", "PHOTOS", "VIDEO",
                 "WATCH", "LISTEN", "READ", "NOTE", "EDITOR'S NOTE", "CORRECTION",
                 "CLARIFICATION", "FILE", "SOURCE", "SOURCES", "WARNING", "LIVE",
                 "ANALYSIS", "OPINION", "REVIEW", "POLL", "QUIZ", "RELATED", "TIMELINE"}
_TRAILING = " \t\"”’'"


def find_labelled(doc: Doc, used: set[int]) -> Iterator[Found]:
    """A claim for each transcript turn, and for a headline a named speaker opens."""
    text = text_of(doc)
    matches = [m for m in _TRANSCRIPT.finditer(text) if m.group(1).upper() not in _NOT_SPEAKERS]
    if len(matches) < 2:  # one capitalised label is a dateline ("WASHINGTON: …"), not a turn
        matches = []
    headline = _HEADLINE.match(text)
    if headline is not None and all(m.start(1) != headline.start(1) for m in matches) \
            and _is_name(doc, *headline.span(1)):
        matches.append(headline)
    for match in matches:
        found = _found(doc, text, match, used)
        if found is not None:
            yield found


def _found(doc: Doc, text: str, match: re.Match[str], used: set[int]) -> Found | None:
    colon = match.end(1)
    cue = doc.char_span(colon, colon + 1, alignment_mode="expand")
    speaker = doc.char_span(*match.span(1), alignment_mode="expand")
    start, end = match.start(2), match.end(2)
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    content = doc.char_span(start, end, alignment_mode="contract")
    if cue is None or speaker is None or content is None or len(content) == 0 \
            or any(t.i in used for t in cue):
        return None
    used.update(t.i for t in cue)
    return Found(
        cue=[(cue.start_char, cue.end_char)], cue_lemma=":",
        content=[(content.start_char, content.end_char)], kind="direct", stance="asserts",
        sentence=0, source=(speaker.start_char, speaker.end_char),
        source_head=speaker[-1].i, rule="labelled", tokens={t.i for t in cue},
    )


def _is_name(doc: Doc, start: int, end: int) -> bool:
    """Whether the words are the name of a person or an organisation (not a dateline)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span is not None and not span.text.isupper() and \
        any(e.label_ in ("PERSON", "ORG") and e.start <= span.start and span.end <= e.end
            for e in span.ents or doc.ents)
