"""Turning sets of tokens into character spans, and the record every extractor returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

Segment = tuple[int, int]  # character offsets, half-open

_EDGE_PUNCT = set(",;:—–-()[]…") | {"--"}


@dataclass
class Found:
    """An attribution as an extractor finds it, before entities and ids are assigned."""

    cue: list[Segment]
    cue_lemma: str
    content: list[Segment]
    kind: str
    stance: str
    sentence: int
    source: Segment | None = None
    source_head: int | None = None  # token index of the source phrase's head
    about: Segment | None = None  # what a response refers to ("Kadyrov's claims")
    rule: str = ""
    tokens: set[int] = field(default_factory=set)  # tokens used as cue, for de-duplication


def token_segments(doc: Doc, indices: Iterable[int], *, trim: bool = True) -> list[Segment]:
    """Character segments covering the tokens ``indices``; runs of adjacent tokens join."""
    runs: list[list[int]] = []
    for i in sorted(set(indices)):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    segments = []
    for run in runs:
        if trim:
            run = _trim(doc, run)
        if run:
            segments.append((doc[run[0]].idx, doc[run[-1]].idx + len(doc[run[-1]])))
    return segments


def _trim(doc: Doc, run: list[int]) -> list[int]:
    start, end = 0, len(run)
    while start < end and _is_edge(doc[run[start]]):
        start += 1
    while end > start and _is_edge(doc[run[end - 1]]):
        end -= 1
    return run[start:end]


def _is_edge(token: Token) -> bool:
    return token.is_space or token.text in _EDGE_PUNCT or token.text in ".!?"


def subtree_indices(token: Token, *, without: Iterable[Token] = ()) -> set[int]:
    """Indices of ``token``'s subtree, less the subtrees of ``without``."""
    keep = {t.i for t in token.subtree}
    for other in without:
        keep -= {t.i for t in other.subtree}
    return keep


def overlaps(a: Segment, b: Segment) -> bool:
    """True when the two segments share a character."""
    return a[0] < b[1] and b[0] < a[1]


def extent(segments: list[Segment]) -> Segment:
    """From the first start to the last end."""
    return segments[0][0], segments[-1][1]


def phrase(doc: Doc, token: Token, *, without: Iterable[Token] = ()) -> Segment | None:
    """The contiguous extent of ``token``'s phrase (its subtree less ``without``)."""
    segments = token_segments(doc, subtree_indices(token, without=without))
    if not segments:
        return None
    return extent(segments)
