"""Relations between actors shown by titles, appositives and adjectives.

"Putin's spokesperson, Dmitry Peskov" -> Peskov spokesperson_of Putin;
"Chechen leader Ramzan Kadyrov" -> Kadyrov leader_of Chechen;
"forces loyal to Vladimir Putin" -> forces loyal_to Putin;
"Kadyrov, considered among Putin's closest allies" -> Kadyrov ally_of Putin.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Doc, Token

from ..nlp import text_of
from ..model import Entity, Relation, Span
from ..resolve import Entities

ROLES = {
    "spokesperson": "spokesperson_of", "spokesman": "spokesperson_of",
    "spokeswoman": "spokesperson_of", "secretary": "spokesperson_of",
    "leader": "leader_of", "head": "leader_of", "chief": "leader_of", "president": "leader_of",
    "governor": "leader_of", "premier": "leader_of", "chairman": "leader_of",
    "chairwoman": "leader_of", "commander": "leader_of", "mayor": "leader_of",
    "king": "leader_of", "minister": "member_of", "member": "member_of",
    "ally": "ally_of", "aide": "member_of", "adviser": "member_of", "advisor": "member_of",
}
_LOYAL = {"loyal": "loyal_to", "allied": "ally_of", "faithful": "loyal_to"}


def find_relations(doc: Doc, entities: Entities) -> Iterator[Relation]:
    """Every relation between two distinct entities, once each."""
    seen: set[tuple[str, str, str]] = set()
    for token in doc:
        found = None
        if token.lemma_.lower() in ROLES and token.pos_ in ("NOUN", "PROPN"):
            found = _role(doc, token, entities)
        elif token.lower_ in _LOYAL:
            found = _loyal(doc, token, entities)
        if found is None:
            continue
        subject, predicate, obj, evidence = found
        if subject != obj and (subject, predicate, obj) not in seen:
            seen.add((subject, predicate, obj))
            yield Relation(subject, predicate, obj, evidence)


def _role(doc: Doc, role: Token, entities: Entities):
    obj = _holder(role, entities)
    subject = _bearer(role, entities)
    if obj is None or subject is None:
        return None
    nearest = (_nearest(role, e, entities) for e in (obj, subject))
    tokens = [role] + [t for run in nearest for t in run]
    return subject, ROLES[role.lemma_.lower()], obj, _evidence(doc, tokens)


def _holder(role: Token, entities: Entities) -> str | None:
    """Whose role it is: "Putin's spokesperson", "Chechen leader", "leader of Chechnya"."""
    for child in role.children:
        if child.dep_ in ("poss", "compound", "amod", "nmod") and entities.at(child.i):
            return entities.at(child.i)
    for child in role.children:
        if child.dep_ == "prep" and child.lower_ in ("of", "for", "to"):
            for pobj in child.children:
                if pobj.dep_ == "pobj" and entities.at(pobj.i):
                    return entities.at(pobj.i)
    return None


def _bearer(role: Token, entities: Entities) -> str | None:
    """Who holds the role: the name in apposition, or the name the title stands before."""
    for child in role.children:
        if child.dep_ == "appos" and entities.at(child.i):
            return entities.at(child.i)
    if role.dep_ in ("compound", "appos", "attr") and entities.at(role.head.i) \
            and entities.get(entities.at(role.head.i)).type == "PERSON":
        return entities.at(role.head.i)
    head = role.head
    for _ in range(3):  # "Kadyrov, considered among Putin's closest allies"
        if entities.at(head.i) and head.i != role.i:
            entity = entities.get(entities.at(head.i))
            return entity.id if entity.type == "PERSON" else None
        if head.head.i == head.i:
            break
        head = head.head
    return None


def _loyal(doc: Doc, adjective: Token, entities: Entities):
    obj = None
    for child in adjective.children:
        if child.dep_ == "prep" and child.lower_ == "to":
            obj = next((entities.at(p.i) for p in child.children
                        if p.dep_ == "pobj" and entities.at(p.i)), None)
    subject = entities.at(adjective.head.i)
    if obj is None or subject is None:
        return None
    return subject, _LOYAL[adjective.lower_], obj, _evidence(doc, [adjective.head, adjective]
                                                               + list(adjective.subtree))


def _nearest(near: Token, entity_id: str, entities: Entities) -> list[Token]:
    """The whole mention of the entity closest to ``near`` in its sentence."""
    hits = [t for t in near.sent if entities.at(t.i) == entity_id]
    if not hits:
        return []
    closest = min(hits, key=lambda t: abs(t.i - near.i))
    return [t for t in hits if abs(t.i - closest.i) <= 3]


def _evidence(doc: Doc, tokens: list[Token]) -> Span:
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t) for t in tokens)
    return Span.of(text_of(doc), start, end)


def role_speaker(head: Token, words: str, entities: Entities,
                 relations: list[Relation]) -> str | None:
    """The entity a speaker named only by a role stands for: "Putin's spokesman" is whoever
    the document names as Putin's spokesperson, else a new entity described by that role
    (which the corpus store can match to the person across documents)."""
    predicate = ROLES.get(head.lemma_.lower())
    holder = _holder(head, entities) if predicate else None
    if holder is None:
        return None
    known = [r.subject for r in relations if r.predicate == predicate and r.object == holder]
    if len(set(known)) == 1:
        entity = entities.get(known[0])
        if words not in entity.aliases:
            entity.aliases.append(words)
        return entity.id
    name = re.sub(r"^(the|a|an)\s+", "", words, flags=re.IGNORECASE)
    existing = next((e for e in entities.entities if e.name == name and e.role), None)
    if existing is not None:
        return existing.id
    owner = entities.get(holder)
    entity = Entity(id=f"E{len(entities.entities) + 1}", name=name, type="PERSON",
                    role={"predicate": predicate, "of": holder, "of_name": owner.name,
                          "of_type": owner.type})
    entities.entities.append(entity)
    return entity.id
