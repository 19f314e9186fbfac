"""Mentions -> entities within one document.

Named mentions come from spaCy's entity recogniser, widened where it cuts a broadcaster's
name short ("the channel, Russia One"), and from later occurrences of a name already found.
People merge by surname ("Ramzan Kadyrov" = "Kadyrov"); other names by their normalised
text. Pronoun speakers point back to the nearest fitting entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from .nlp import text_of
from .model import Entity, Span

KEPT_TYPES = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}
MEDIA_NOUNS = {"channel", "network", "station", "newspaper", "broadcaster", "agency", "daily",
               "outlet", "tv", "television", "magazine", "website", "radio", "tabloid"}
_PERSON_PRONOUNS = {"he", "she", "him", "her", "his"}
_GROUP_PRONOUNS = {"it", "its", "they", "them", "their"}
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


@dataclass
class Entities:
    """The entities of one document and, for each token in a mention, its entity id."""

    entities: list[Entity] = field(default_factory=list)
    by_token: dict[int, str] = field(default_factory=dict)

    def at(self, token_index: int) -> str | None:
        return self.by_token.get(token_index)

    def get(self, entity_id: str | None) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)


def resolve_entities(doc: Doc) -> Entities:
    """The document's entities, with aliases and every mention."""
    mentions = _named_spans(doc)
    mentions += _repeated(doc, mentions)
    mentions.sort(key=lambda m: m[0])
    result = Entities()
    keys: dict[str, Entity] = {}
    text = text_of(doc)
    for start, end, label in mentions:
        span = doc[start:end]
        name = _clean(span.text)
        if not name:
            continue
        entity = _find(keys, name, label) or _new(result, keys, name, label)
        offset = span.start_char + span.text.find(name)
        entity.mentions.append(Span.of(text, offset, offset + len(name)))
        if name != entity.name and name not in entity.aliases:
            _add_alias(entity, name)
        for t in span:
            result.by_token[t.i] = entity.id
    return result


def _named_spans(doc: Doc) -> list[tuple[int, int, str]]:
    spans = [(e.start, e.end, e.label_) for e in doc.ents if e.label_ in KEPT_TYPES]
    for token in doc:
        if token.dep_ in ("appos", "compound") and token.head.lemma_.lower() in MEDIA_NOUNS \
                and token.pos_ == "PROPN":
            start, end = token.left_edge.i, token.i + 1
            start += doc[start].dep_ == "det"
            while end <= token.right_edge.i and doc[end].pos_ in ("PROPN", "NUM"):
                end += 1  # "Russia One", "Channel 4": but not ", Vantor's claims"
            spans = [s for s in spans if s[1] <= start or s[0] >= end] + [(start, end, "ORG")]
    return spans


def _repeated(doc: Doc, mentions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Later occurrences of multiword names the recogniser missed or cut."""
    taken = {i for s, e, _ in mentions for i in range(s, e)}
    found = []
    names = {(doc[s:e].text, label) for s, e, label in mentions if e - s > 1}
    for name, label in names:
        for match in re.finditer(re.escape(name), text_of(doc)):
            span = doc.char_span(match.start(), match.end())
            if span is None or any(t.i in taken for t in span):
                if span is not None:
                    _replace_shorter(mentions, found, span, label, taken)
                continue
            found.append((span.start, span.end, label))
            taken |= {t.i for t in span}
    return found


def _replace_shorter(mentions, found, span, label, taken) -> None:
    """A longer known name wins over a shorter overlapping mention ("Russia" in "Russia One")."""
    inside = [m for m in mentions if m[0] >= span.start and m[1] <= span.end]
    if inside and all(m[1] - m[0] < len(span) for m in inside):
        for m in inside:
            mentions.remove(m)
        found.append((span.start, span.end, label))
        taken |= {t.i for t in span}


def _clean(text: str) -> str:
    text = re.sub(r"^(the|The)\s+", "", text.strip())
    return _POSSESSIVE.sub("", text).strip()


def _key(name: str) -> str:
    return re.sub(r"\W+", " ", name.lower()).strip()


def _find(keys: dict[str, Entity], name: str, label: str) -> Entity | None:
    key = _key(name)
    if not key:
        return None
    if key in keys:
        return keys[key]
    surname = key.split()[-1]
    for entity in keys.values():
        if entity.type == "PERSON" and _key(entity.name).split()[-1:] == [surname] \
                and (label == "PERSON" or len(key.split()) == 1):
            return entity
    return None


def _new(result: Entities, keys: dict[str, Entity], name: str, label: str) -> Entity:
    entity = Entity(id=f"E{len(result.entities) + 1}", name=name, type=label)
    result.entities.append(entity)
    keys[_key(name)] = entity
    return entity


def _add_alias(entity: Entity, name: str) -> None:
    if len(name) > len(entity.name) and entity.type == "PERSON":
        entity.aliases.append(entity.name)
        entity.name = name
    else:
        entity.aliases.append(name)


def speaker_entity(doc: Doc, head: Token, found: Entities) -> str | None:
    """The entity a source phrase names, points to by a pronoun, or describes by a title."""
    if found.at(head.i):
        return found.at(head.i)
    for child in head.children:
        if child.dep_ == "appos":
            hit = next((found.at(t.i) for t in child.subtree if found.at(t.i)), None)
            if hit:
                return hit
    if head.lower_ in _PERSON_PRONOUNS | _GROUP_PRONOUNS:
        return _antecedent(doc, head, found)
    alias = _by_alias(doc, head, found)
    return alias


def _antecedent(doc: Doc, pronoun: Token, found: Entities) -> str | None:
    """The nearest fitting entity before the pronoun, preferring the subject of a clause."""
    person = pronoun.lower_ in _PERSON_PRONOUNS
    fits = []
    for i in range(pronoun.i - 1, max(-1, pronoun.i - 300), -1):
        entity = found.get(found.at(i))
        if entity is None:
            continue
        if (entity.type == "PERSON") == person and entity.type != "GPE" or \
                not person and entity.type in ("ORG", "NORP"):
            fits.append((i, entity.id))
    for i, entity_id in fits:
        if doc[i].sent.start < pronoun.sent.start - 60:
            break
        if _is_subject(doc[i]):
            return entity_id
    return fits[0][1] if fits else None


def _is_subject(token: Token) -> bool:
    """The head of a subject phrase, or a name in apposition to or compounded into one."""
    while token.dep_ in ("compound", "appos", "flat") and token.head.i != token.i:
        token = token.head
    return token.dep_ in ("nsubj", "nsubjpass")


def _by_alias(doc: Doc, head: Token, found: Entities) -> str | None:
    """"the Chechen leader" names whoever was introduced as "Chechen leader X"."""
    words = " ".join(t.text for t in head.subtree if t.dep_ != "det").lower()
    for entity in found.entities:
        if any(words == a.lower() for a in entity.aliases):
            return entity.id
    return None
