"""The article reader: the text cut into pieces at the offsets of speakers, cues and contents.

The pieces are plain strings; the template escapes each one as it writes it, so no article
text ever becomes markup. Where attributions nest (a report that quotes someone who quotes
someone else) a piece belongs to several claims; the innermost one, the shortest span,
decides its colour and is the one a click shows first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

ROLES = ("speaker", "cue", "content")


@dataclass(frozen=True)
class Piece:
    """A stretch of the text; ``role`` is None for text outside every claim."""

    text: str
    role: str | None = None
    claims: tuple[str, ...] = ()  # the claims it belongs to, innermost first


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    role: str
    claim: str


@dataclass
class ClaimPanel:
    """What the side panel shows for one claim."""

    claim: dict[str, Any]  # the contract's claim
    speaker_name: str | None  # the entity's name, when the speaker is resolved
    speaker_id: int | None  # the corpus entity, for a link
    chain: list[tuple[str, int | None]]  # (name, corpus id) of the relays, innermost first
    disputes: list[dict[str, Any]] = field(default_factory=list)  # the contract's disputes
    answered_by: list[str] = field(default_factory=list)  # claims that respond to this one


def marks(claims: list[dict[str, Any]], length: int) -> list[Mark]:
    """The spans of every claim's speaker, cue and content pieces, clipped to the text."""
    found = []
    for claim in claims:
        spans = [("cue", claim["cue"])]
        if claim.get("speaker"):
            spans.append(("speaker", claim["speaker"]))
        segments = claim["content"].get("segments") or [claim["content"]]
        spans += [("content", s) for s in segments]
        for role, span in spans:
            start, end = max(0, int(span["start"])), min(length, int(span["end"]))
            if start < end:
                found.append(Mark(start, end, role, claim["id"]))
    return found


def pieces(text: str, claims: list[dict[str, Any]]) -> list[Piece]:
    """The text in pieces, each with the role and claims that cover it."""
    found = marks(claims, len(text))
    bounds = sorted({0, len(text)} | {m.start for m in found} | {m.end for m in found})
    result: list[Piece] = []
    for start, end in pairwise(bounds):
        covering = sorted((m for m in found if m.start <= start and end <= m.end),
                          key=lambda m: (m.end - m.start, ROLES.index(m.role)))
        role = covering[0].role if covering else None
        ids = tuple(dict.fromkeys(m.claim for m in covering))
        piece = Piece(text[start:end], role, ids)
        if result and (result[-1].role, result[-1].claims) == (role, ids):
            piece = Piece(result[-1].text + piece.text, role, ids)
            result.pop()
        result.append(piece)
    return result


def panels(analysis: dict[str, Any]) -> list[ClaimPanel]:
    """One side panel per claim: its speaker, chain, disputes and the claims answering it."""
    by_local = {e["id"]: e for e in analysis["entities"]}
    answered: dict[str, list[str]] = {}
    for claim in analysis["claims"]:
        if claim.get("about"):
            answered.setdefault(claim["about"], []).append(claim["id"])
    result = []
    for claim in analysis["claims"]:
        speaker = by_local.get((claim.get("speaker") or {}).get("entity"))
        chain = [(by_local[e]["name"], by_local[e].get("corpus_id"))
                 for e in claim.get("via", []) if e in by_local]
        result.append(ClaimPanel(
            claim=claim,
            speaker_name=speaker["name"] if speaker else None,
            speaker_id=speaker.get("corpus_id") if speaker else None,
            chain=chain,
            disputes=[d for d in analysis["disputes"] if claim["id"] in d["claims"]],
            answered_by=answered.get(claim["id"], []),
        ))
    return result
