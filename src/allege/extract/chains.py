"""Chains of transmission: through which sources a claim reached the document.

"International Business Times reports that, in a documentary aired on Russia One, Kadyrov
… Kadyrov tells the camera …" gives Kadyrov's claim ``via`` Russia One, then International
Business Times, then the publishing outlet. A claim is carried by an outer claim when its
cue lies inside the outer claim's content, or when it follows it in the same paragraph and
its speaker is someone the outer claim talks about.
"""

from __future__ import annotations

from spacy.tokens import Doc

from ..nlp import text_of
from ..model import Claim
from ..resolve import Entities

MEDIA_WORDS = {"documentary", "interview", "broadcast", "program", "programme", "preview",
               "channel", "show", "film", "footage", "video", "report", "article", "podcast",
               "air", "broadcast", "publish", "newspaper", "station", "network"}


def assign_chains(doc: Doc, claims: list[Claim], entities: Entities, outlet: str | None) -> None:
    """Fill ``claim.via`` for every claim, innermost source first, outlet last."""
    for claim in claims:
        carrier = _carrier(doc, claim, claims, entities)
        via: list[str] = []
        if carrier is not None:
            via += _media(doc, carrier, entities)
            if carrier.speaker and carrier.speaker.entity:
                via.append(carrier.speaker.entity)
            via += carrier.via
        if outlet:
            via.append(outlet)
        own = claim.speaker.entity if claim.speaker else None
        claim.via = [e for i, e in enumerate(via) if e != own and e not in via[:i]]


def _carrier(doc: Doc, claim: Claim, claims: list[Claim], entities: Entities) -> Claim | None:
    for other in reversed(claims[: claims.index(claim)]):
        if other.holds(claim.cue.start):
            return other
    speaker = claim.speaker.entity if claim.speaker else None
    if speaker is None:
        return None
    for other in reversed(claims[: claims.index(claim)]):
        if "\n\n" in text_of(doc)[other.cue.start:claim.cue.start]:
            break
        if other.speaker and other.speaker.entity != speaker \
                and speaker in _entities_in(doc, other, entities):
            return other
    return None


def _entities_in(doc: Doc, claim: Claim, entities: Entities) -> set[str]:
    span = doc.char_span(claim.content.start, claim.content.end, alignment_mode="expand")
    return {entities.at(t.i) for t in span or [] if entities.at(t.i)}


def _media(doc: Doc, carrier: Claim, entities: Entities) -> list[str]:
    """Outlets named as the medium inside a claim: "a documentary aired on Russia One"."""
    span = doc.char_span(carrier.content.start, carrier.content.end, alignment_mode="expand")
    found: list[str] = []
    for token in span or []:
        entity = entities.get(entities.at(token.i))
        if entity is None or entity.type != "ORG" or entity.id in found:
            continue
        if any(a.lemma_.lower() in MEDIA_WORDS for a in list(token.ancestors)[:4]):
            found.append(entity.id)
    return found
