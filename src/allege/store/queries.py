"""The analyst's questions: which claims, what about an entity, what is in the store.

Names are matched as the resolver matches them (case, accents, "the" and punctuation do not
count), against entity names and aliases; a lone surname also finds the people who bear it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select

from ..model import STANCES
from .db import Store, StoreError
from .entities import find_entities, name_key
from .schema import claims as claims_table
from .schema import (
    document_entities,
    documents,
    entities,
    entity_aliases,
    mentions,
    pending,
    relations,
    skipped,
)

_speaker = entities.alias("speaker_entity")
_target = claims_table.alias("target")


@dataclass(frozen=True)
class ClaimRow:
    """A stored claim with its document's particulars."""

    document: str  # Document.id: the first 16 hex digits of its hash
    claim: str  # the claim's id in its document ("C3")
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    speaker: str | None  # as written ("the Kremlin spokesman Dmitry Peskov")
    speaker_entity: str | None  # the corpus entity's name ("Dmitry Peskov")
    cue: str
    content: str
    kind: str
    stance: str
    about: str | None  # the id of the claim this one responds to, in the same document
    via: list[str]  # names of the sources it came through, innermost first
    confidence: float
    sentence: int
    rule: str


@dataclass(frozen=True)
class RelationRow:
    """A relation between two corpus entities, with the words that show it."""

    subject: str
    predicate: str
    object: str
    document: str
    evidence: str


@dataclass
class EntityReport:
    """Everything the store knows about one corpus entity."""

    id: int
    name: str
    type: str
    aliases: list[str]
    mentions: int
    documents: int
    roles: list[str]  # "spokesperson_of Kremlin": its relations as their subject
    relations: list[RelationRow]
    claims_made: list[ClaimRow]
    claims_about: list[ClaimRow]
    outlets: list[tuple[str, int]]  # outlets that quote it, with how many of its claims
    relayed: int  # claims that reached a document through it


@dataclass
class Stats:
    """What is in the store."""

    documents: int
    claims: int
    entities: int
    outlets: int
    languages: dict[str, int]
    statuses: dict[str, int]
    first_published: str | None
    last_published: str | None
    pending: int
    skipped: int
    by_outlet: dict[str, int] = field(default_factory=dict)


def claims(
    store: Store,
    *,
    speaker: str | None = None,
    about: str | None = None,
    stance: str | None = None,
    outlet: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    limit: int = 100,
) -> list[ClaimRow]:
    """Claims that match every filter given, newest documents first.

    ``speaker``: claims made by the entity of that name or alias. ``about``: claims whose
    content mentions that entity, or that respond to a claim it made. ``since``/``until``
    bound the publication date (inclusive; ``"2015"`` and ``"2015-10"`` work too).
    """
    if stance is not None and stance not in STANCES:
        raise StoreError(f"Unknown stance {stance!r}; use one of {', '.join(STANCES)}.")
    with store.read() as conn:
        where: list[ColumnElement[bool]] = []
        if speaker is not None:
            ids = entity_ids(conn, speaker)
            where.append(claims_table.c.speaker_entity_id.in_(ids))
        if about is not None:
            where.append(_about(entity_ids(conn, about)))
        if stance is not None:
            where.append(claims_table.c.stance == stance)
        if outlet is not None:
            where.append(func.lower(documents.c.outlet) == outlet.lower())
        if since is not None:
            where.append(documents.c.published >= str(since))
        if until is not None:
            until = str(until)
            where.append(func.substr(documents.c.published, 1, len(until)) <= until)
        return _claim_rows(conn, where, limit)


def entity_ids(conn: Connection, name: str) -> list[int]:
    """Entities with this name or alias; for a lone word, also people with that surname."""
    key = name_key(name)
    by_alias = select(entity_aliases.c.entity_id).where(entity_aliases.c.key == key)
    named = or_(entities.c.key == key, entities.c.id.in_(by_alias))
    if " " not in key:
        named = or_(named, and_(entities.c.type == "PERSON", entities.c.surname == key))
    return sorted(conn.scalars(select(entities.c.id).where(named)))


def _about(ids: list[int]) -> ColumnElement[bool]:
    c = claims_table
    in_content = exists().where(
        mentions.c.document_id == c.c.document_id, mentions.c.entity_id.in_(ids),
        mentions.c.start_char >= c.c.content_start, mentions.c.end_char <= c.c.content_end,
    )
    answers_them = exists().where(
        _target.c.document_id == c.c.document_id, _target.c.local_id == c.c.about,
        _target.c.speaker_entity_id.in_(ids),
    )
    return or_(in_content, answers_them)


def _claim_rows(conn: Connection, where: list[ColumnElement[bool]], limit: int) -> list[ClaimRow]:
    c, d = claims_table, documents
    query = (
        select(c, d.c.hash, d.c.title, d.c.outlet, d.c.published, d.c.url,
               _speaker.c.name.label("speaker_name"))
        .select_from(c.join(d, d.c.id == c.c.document_id)
                     .outerjoin(_speaker, _speaker.c.id == c.c.speaker_entity_id))
        .where(*where)
        .order_by(d.c.published.desc().nulls_last(), d.c.id, c.c.id)
        .limit(limit)
    )
    rows = conn.execute(query).all()
    names = _names(conn, {i for r in rows for i in r.via})
    return [_claim_row(r, names) for r in rows]


def _claim_row(row: Any, names: dict[int, str]) -> ClaimRow:
    return ClaimRow(
        document=row.hash[:16], claim=row.local_id, title=row.title, outlet=row.outlet,
        published=row.published, url=row.url, speaker=row.speaker_text,
        speaker_entity=row.speaker_name, cue=row.cue_text, content=row.content_text,
        kind=row.kind, stance=row.stance, about=row.about,
        via=[names.get(i, "?") for i in row.via], confidence=row.confidence,
        sentence=row.sentence, rule=row.rule,
    )


def _names(conn: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(select(entities.c.id, entities.c.name).where(entities.c.id.in_(ids)))
    return {r.id: r.name for r in rows}


def entity(store: Store, name: str | int, *, limit: int = 100) -> EntityReport | None:
    """What the store knows about the entity called ``name`` (or with that id), if any.

    When several entities bear the name, the most mentioned one is reported; a lone surname
    finds the people who bear it ("Blair" → "Tony Blair").
    """
    with store.read() as conn:
        if isinstance(name, int):
            found = list(conn.execute(select(entities).where(entities.c.id == name)))
        else:
            found = find_entities(conn, name) or list(conn.execute(
                select(entities).where(entities.c.id.in_(entity_ids(conn, name)))
                .order_by(entities.c.mention_count.desc(), entities.c.id)))
        if not found:
            return None
        row = found[0]
        aliases = sorted(conn.scalars(
            select(entity_aliases.c.alias).where(entity_aliases.c.entity_id == row.id)))
        relation_rows = _relations(conn, row.id)
        made = _claim_rows(conn, [claims_table.c.speaker_entity_id == row.id], limit)
        return EntityReport(
            id=row.id, name=row.name, type=row.type, aliases=aliases,
            mentions=row.mention_count, documents=_document_count(conn, row.id),
            roles=list(dict.fromkeys(
                f"{r.predicate} {r.object}" for r in relation_rows if r.subject == row.name)),
            relations=relation_rows,
            claims_made=made,
            claims_about=_claim_rows(conn, [_about([row.id])], limit),
            outlets=_quoting_outlets(conn, row.id),
            relayed=_relayed(conn, row.id),
        )


def _document_count(conn: Connection, entity_id: int) -> int:
    return conn.scalar(select(func.count(document_entities.c.document_id.distinct()))
                       .where(document_entities.c.entity_id == entity_id)) or 0


def _relations(conn: Connection, entity_id: int) -> list[RelationRow]:
    subject, object_ = entities.alias("subject"), entities.alias("object")
    query = (
        select(subject.c.name.label("s"), relations.c.predicate, object_.c.name.label("o"),
               documents.c.hash, relations.c.evidence_text)
        .join(subject, subject.c.id == relations.c.subject_id)
        .join(object_, object_.c.id == relations.c.object_id)
        .join(documents, documents.c.id == relations.c.document_id)
        .where(or_(relations.c.subject_id == entity_id, relations.c.object_id == entity_id))
        .order_by(relations.c.id)
    )
    return [RelationRow(r.s, r.predicate, r.o, r.hash[:16], r.evidence_text)
            for r in conn.execute(query)]


def _quoting_outlets(conn: Connection, entity_id: int) -> list[tuple[str, int]]:
    count = func.count(claims_table.c.id)
    query = (
        select(documents.c.outlet, count.label("n"))
        .join(claims_table, claims_table.c.document_id == documents.c.id)
        .where(claims_table.c.speaker_entity_id == entity_id, documents.c.outlet.is_not(None))
        .group_by(documents.c.outlet)
        .order_by(count.desc(), documents.c.outlet)
    )
    return [(r.outlet, r.n) for r in conn.execute(query)]


def _relayed(conn: Connection, entity_id: int) -> int:
    """Claims whose chain runs through the entity (chains are JSON, so counted here)."""
    docs = select(document_entities.c.document_id).where(
        document_entities.c.entity_id == entity_id)
    chains = conn.scalars(select(claims_table.c.via)
                          .where(claims_table.c.document_id.in_(docs)))
    return sum(entity_id in via for via in chains)


def stats(store: Store) -> Stats:
    """Counts of what is stored, the languages and outlets, and the span of dates."""
    with store.read() as conn:
        def count(table: Any) -> int:
            return conn.scalar(select(func.count()).select_from(table)) or 0

        first, last = conn.execute(select(func.min(documents.c.published),
                                          func.max(documents.c.published))).one()
        outlets = Counter({r.outlet: r.n for r in conn.execute(
            select(documents.c.outlet, func.count().label("n"))
            .where(documents.c.outlet.is_not(None)).group_by(documents.c.outlet))})
        return Stats(
            documents=count(documents),
            claims=count(claims_table),
            entities=count(entities),
            outlets=len(outlets),
            languages=_grouped(conn, documents.c.language),
            statuses=_grouped(conn, documents.c.status),
            first_published=first,
            last_published=last,
            pending=count(pending),
            skipped=count(skipped),
            by_outlet=dict(outlets.most_common()),
        )


def _grouped(conn: Connection, column: Any) -> dict[str, int]:
    query = select(column, func.count()).group_by(column).order_by(func.count().desc(), column)
    return {value: n for value, n in conn.execute(query)}
