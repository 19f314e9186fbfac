"""The web workbench's read queries beyond :mod:`allege.store`'s: pages of documents, one
document's analysis as stored, entity look-up, relations and the store's disputes.

Everything here reads the store's tables through SQLAlchemy Core, so every value reaches the
database as a bound parameter. Each function returns plain dataclasses or the analysis
contract's dictionaries; the HTTP API and the pages format them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, func, or_, select

from ..model import SCHEMA
from ..store import Store
from ..store.entities import name_key
from ..store.schema import (
    claims,
    disputes,
    document_entities,
    documents,
    entities,
    mentions,
    relations,
)

_DOCUMENT_ID = re.compile(r"[0-9a-f]{16,64}")


@dataclass(frozen=True)
class DocumentSummary:
    """One stored document, without its text."""

    id: str  # Document.id: the first 16 hex digits of its hash
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    language: str
    status: str
    claims: int


@dataclass(frozen=True)
class EntitySummary:
    """A corpus entity found by name."""

    id: int
    name: str
    type: str
    mentions: int


@dataclass(frozen=True)
class RelationLink:
    """A relation between two corpus entities, with their ids for links."""

    subject_id: int
    subject: str
    predicate: str
    object_id: int
    object: str
    document: str
    evidence: str


def documents_page(store: Store, *, limit: int = 50, offset: int = 0
                   ) -> tuple[list[DocumentSummary], int]:
    """Stored documents, newest publication first, and how many there are in all."""
    d, c = documents, claims
    count = select(func.count(c.c.id)).where(c.c.document_id == d.c.id).scalar_subquery()
    query = (
        select(d.c.hash, d.c.title, d.c.outlet, d.c.published, d.c.url, d.c.language,
               d.c.status, count.label("claims"))
        .order_by(d.c.published.desc().nulls_last(), d.c.id.desc())
        .limit(limit).offset(offset)
    )
    with store.read() as conn:
        total = conn.scalar(select(func.count()).select_from(d)) or 0
        rows = [DocumentSummary(r.hash[:16], r.title, r.outlet, r.published, r.url,
                                r.language, r.status, r.claims) for r in conn.execute(query)]
    return rows, total


def document_analysis(store: Store, document_id: str) -> dict[str, Any] | None:
    """The ``allege.analysis/1`` contract of a stored document, or None when unknown.

    Extra keys: the document's ``status``, ``author`` and ``source``; each entity's corpus
    entity (``corpus_id``); each claim's ``rule``; each dispute's store ``id``.
    """
    with store.read() as conn:
        doc = _document_row(conn, document_id)
        if doc is None:
            return None
        return {
            "schema": SCHEMA,
            "document": {
                "id": doc.hash[:16], "title": doc.title, "url": doc.url, "outlet": doc.outlet,
                "published": doc.published, "language": doc.language, "text": doc.text,
                "author": doc.author, "status": doc.status, "source": doc.source,
            },
            "entities": _document_entities(conn, doc.id),
            "claims": [_contract_claim(r) for r in conn.execute(
                select(claims).where(claims.c.document_id == doc.id).order_by(claims.c.id))],
            "relations": [
                {"subject": r.subject_local, "predicate": r.predicate, "object": r.object_local,
                 "evidence": {"start": r.evidence_start, "end": r.evidence_end,
                              "text": r.evidence_text}}
                for r in conn.execute(select(relations).where(relations.c.document_id == doc.id)
                                      .order_by(relations.c.id))
            ],
            "disputes": [
                {"id": r.id, "claims": list(r.claims), "kind": r.kind,
                 "explanation": r.explanation}
                for r in conn.execute(select(disputes).where(disputes.c.document_id == doc.id)
                                      .order_by(disputes.c.id))
            ],
        }


def _document_row(conn: Connection, document_id: str) -> Any:
    document_id = document_id.lower()
    if not _DOCUMENT_ID.fullmatch(document_id):
        return None
    query = select(documents).where(documents.c.hash.startswith(document_id, autoescape=True))
    return conn.execute(query.order_by(documents.c.id).limit(1)).first()


def _document_entities(conn: Connection, document_id: int) -> list[dict[str, Any]]:
    spans: dict[str, list[dict[str, Any]]] = {}
    for m in conn.execute(select(mentions).where(mentions.c.document_id == document_id)
                          .order_by(mentions.c.start_char)):
        spans.setdefault(m.entity_local, []).append(
            {"start": m.start_char, "end": m.end_char, "text": m.text})
    rows = conn.execute(select(document_entities)
                        .where(document_entities.c.document_id == document_id))
    found = [{"id": r.local_id, "name": r.name, "type": r.type, "aliases": list(r.aliases),
              "mentions": spans.get(r.local_id, []), "corpus_id": r.entity_id} for r in rows]
    return sorted(found, key=lambda e: _local_order(e["id"]))


def _local_order(local_id: str) -> tuple[int, str]:
    """"E2" before "E10": local ids sort by their number."""
    digits = re.sub(r"\D", "", local_id)
    return (int(digits) if digits else 0, local_id)


def _contract_claim(r: Any) -> dict[str, Any]:
    speaker = None
    if r.speaker_text is not None:
        speaker = {"entity": r.speaker_local, "start": r.speaker_start, "end": r.speaker_end,
                   "text": r.speaker_text}
    return {
        "id": r.local_id,
        "speaker": speaker,
        "cue": {"lemma": r.cue_lemma, "start": r.cue_start, "end": r.cue_end,
                "text": r.cue_text},
        "content": {"start": r.content_start, "end": r.content_end, "text": r.content_text,
                    "segments": [{"start": s, "end": e} for s, e in r.content_segments]},
        "kind": r.kind, "stance": r.stance, "about": r.about, "via": list(r.via_local),
        "sentence": r.sentence, "confidence": r.confidence, "rule": r.rule,
    }


def find_entities(store: Store, query: str = "", *, limit: int = 50, offset: int = 0
                  ) -> tuple[list[EntitySummary], int]:
    """Entities whose name contains the words of ``query``, most mentioned first."""
    key = name_key(query) if query.strip() else ""
    where = [entities.c.key.contains(key, autoescape=True)] if key else []
    query_rows = (select(entities).where(*where)
                  .order_by(entities.c.mention_count.desc(), entities.c.name, entities.c.id)
                  .limit(limit).offset(offset))
    with store.read() as conn:
        total = conn.scalar(select(func.count()).select_from(entities).where(*where)) or 0
        rows = [EntitySummary(r.id, r.name, r.type, r.mention_count)
                for r in conn.execute(query_rows)]
    return rows, total


def relations_page(store: Store, *, entity: int | None = None, predicate: str | None = None,
                   limit: int = 100, offset: int = 0) -> tuple[list[RelationLink], int]:
    """Relations between corpus entities, optionally of one entity or one predicate."""
    r = relations
    where = []
    if entity is not None:
        where.append(or_(r.c.subject_id == entity, r.c.object_id == entity))
    if predicate is not None:
        where.append(r.c.predicate == predicate)
    subject, object_ = entities.alias("subject"), entities.alias("object")
    query = (
        select(r.c.subject_id, subject.c.name.label("s"), r.c.predicate, r.c.object_id,
               object_.c.name.label("o"), documents.c.hash, r.c.evidence_text)
        .join(subject, subject.c.id == r.c.subject_id)
        .join(object_, object_.c.id == r.c.object_id)
        .join(documents, documents.c.id == r.c.document_id)
        .where(*where).order_by(r.c.id).limit(limit).offset(offset)
    )
    with store.read() as conn:
        total = conn.scalar(select(func.count()).select_from(r).where(*where)) or 0
        rows = [RelationLink(x.subject_id, x.s, x.predicate, x.object_id, x.o, x.hash[:16],
                             x.evidence_text) for x in conn.execute(query)]
    return rows, total


@dataclass(frozen=True)
class GraphNode:
    id: int
    label: str
    type: str
    focus: bool = False


@dataclass(frozen=True)
class GraphEdge:
    source: int
    target: int
    label: str
    kind: str  # "relation" or "quotes": target passed on what source said
    count: int = 1


@dataclass
class Graph:
    """An entity's neighbourhood: its relations, and who relayed whose claims."""

    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)


def entity_graph(store: Store, entity_id: int, *, limit: int = 500) -> Graph:
    """Relations of the entity, and the chains (speaker → relays) of the claims it is in.

    A "quotes" edge from A to B says that B passed on a claim that A made (B is the next
    source in the claim's chain).
    """
    edges: dict[tuple[int, int, str, str], int] = {}
    with store.read() as conn:
        for rel in conn.execute(
                select(relations.c.subject_id, relations.c.predicate, relations.c.object_id)
                .where(or_(relations.c.subject_id == entity_id,
                           relations.c.object_id == entity_id)).limit(limit)):
            key = (rel.subject_id, rel.object_id, rel.predicate, "relation")
            edges[key] = edges.get(key, 0) + 1
        for speaker, via in _chains_through(conn, entity_id, limit):
            chain = [speaker, *via]
            for a, b in pairwise(chain):
                if a != b:
                    key = (a, b, "quoted by", "quotes")
                    edges[key] = edges.get(key, 0) + 1
        ids = {entity_id} | {k[0] for k in edges} | {k[1] for k in edges}
        nodes = [GraphNode(r.id, r.name, r.type, r.id == entity_id) for r in conn.execute(
            select(entities.c.id, entities.c.name, entities.c.type)
            .where(entities.c.id.in_(sorted(ids))).order_by(entities.c.id))]
    return Graph(nodes, [GraphEdge(s, t, label, kind, n)
                         for (s, t, label, kind), n in edges.items()])


def _chains_through(conn: Connection, entity_id: int, limit: int
                    ) -> Iterable[tuple[int, list[int]]]:
    """(speaker, chain) of claims the entity made or relayed (chains are JSON: filtered here)."""
    docs = select(document_entities.c.document_id).where(
        document_entities.c.entity_id == entity_id)
    rows = conn.execute(select(claims.c.speaker_entity_id, claims.c.via)
                        .where(claims.c.document_id.in_(docs),
                               claims.c.speaker_entity_id.is_not(None)))
    found = 0
    for row in rows:
        if row.via and (row.speaker_entity_id == entity_id or entity_id in row.via):
            yield row.speaker_entity_id, list(row.via)
            found += 1
            if found >= limit:
                return
