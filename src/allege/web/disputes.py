"""Disputes as the workbench shows them: each with its sides, and each side's claims.

For now the disputes are those found inside one document (the store's ``disputes`` table).
The shape is the one a corroborated proposition will have too: a statement in dispute,
sides that each hold a stance, the claims behind each side with their sources, and a grade
for each. When the corroboration layer lands, a ``propositions`` query returns
:class:`DisputeView` objects with ``source="proposition"`` and the pages and API show them
unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from ..store import Store
from ..store.schema import claims, disputes, documents, entities

_speaker = entities.alias("speaker_entity")


@dataclass(frozen=True)
class SideClaim:
    """One claim on a side of a dispute, with its source and where it was published."""

    document: str  # Document.id
    claim: str  # the claim's id in its document
    title: str | None
    outlet: str | None
    published: str | None
    speaker: str | None  # as written
    speaker_entity: str | None
    speaker_entity_id: int | None
    cue: str
    content: str
    kind: str
    stance: str
    via: list[str]  # names of the sources it came through, innermost first
    grade: str | None = None  # Admiralty code, once corroboration grades claims


@dataclass(frozen=True)
class Side:
    """Those who hold one position: a source (or group of sources) and its claims."""

    label: str  # who holds it ("Ramzan Kadyrov")
    entity_id: int | None
    stances: list[str]
    claims: list[SideClaim]


@dataclass(frozen=True)
class DisputeView:
    """A dispute: what is contested, by whom, and how it is explained."""

    id: int
    source: str  # "document": found inside one article; "proposition": across the corpus
    kind: str  # contradicts, denies, refuses_to_confirm, questions
    explanation: str
    document: str | None  # the article it was found in (for source="document")
    title: str | None
    published: str | None
    sides: list[Side] = field(default_factory=list)
    proposition: str | None = None  # the statement in dispute, once propositions exist
    grade: str | None = None  # its credibility, once corroboration grades propositions


def disputes_page(store: Store, *, document: str | None = None, limit: int = 50,
                  offset: int = 0) -> tuple[list[DisputeView], int]:
    """Disputes found in stored documents, newest documents first, and their total count."""
    where = []
    if document is not None:
        where.append(documents.c.hash.startswith(document.lower(), autoescape=True))
    joined = disputes.join(documents, documents.c.id == disputes.c.document_id)
    with store.read() as conn:
        total = conn.scalar(select(func.count()).select_from(joined).where(*where)) or 0
        rows = conn.execute(
            select(disputes, documents.c.hash, documents.c.title, documents.c.published)
            .select_from(joined).where(*where)
            .order_by(documents.c.published.desc().nulls_last(), disputes.c.id)
            .limit(limit).offset(offset)).all()
        return _views(conn, rows), total


def dispute(store: Store, dispute_id: int) -> DisputeView | None:
    """The dispute with this id, or None."""
    with store.read() as conn:
        rows = conn.execute(
            select(disputes, documents.c.hash, documents.c.title, documents.c.published)
            .join(documents, documents.c.id == disputes.c.document_id)
            .where(disputes.c.id == dispute_id)).all()
        views = _views(conn, rows)
    return views[0] if views else None


def _views(conn: Connection, rows: Sequence[Any]) -> list[DisputeView]:
    wanted = {(r.document_id, local) for r in rows for local in r.claims}
    found = _side_claims(conn, wanted)
    views = []
    for r in rows:
        members = [found[(r.document_id, c)] for c in r.claims if (r.document_id, c) in found]
        views.append(DisputeView(
            id=r.id, source="document", kind=r.kind, explanation=r.explanation,
            document=r.hash[:16], title=r.title, published=r.published,
            sides=sides(members)))
    return views


def sides(members: Sequence[tuple[int | None, SideClaim]]) -> list[Side]:
    """Claims grouped by who made them, in the order their speakers first appear."""
    groups: dict[Any, list[SideClaim]] = {}
    ids: dict[Any, int | None] = {}
    for entity_id, claim in members:
        key = entity_id if entity_id is not None else (claim.speaker or "unnamed source")
        groups.setdefault(key, []).append(claim)
        ids[key] = entity_id
    result = []
    for key, grouped in groups.items():
        first = grouped[0]
        label = first.speaker_entity or first.speaker or "An unnamed source"
        stances = list(dict.fromkeys(c.stance for c in grouped))
        result.append(Side(label, ids[key], stances, grouped))
    return result


def _side_claims(conn: Connection, wanted: set[tuple[int, str]]
                 ) -> dict[tuple[int, str], tuple[int | None, SideClaim]]:
    if not wanted:
        return {}
    document_ids = sorted({d for d, _ in wanted})
    c, d = claims, documents
    rows = conn.execute(
        select(c, d.c.hash, d.c.title, d.c.outlet, d.c.published,
               _speaker.c.name.label("speaker_name"))
        .join(d, d.c.id == c.c.document_id)
        .outerjoin(_speaker, _speaker.c.id == c.c.speaker_entity_id)
        .where(c.c.document_id.in_(document_ids))).all()
    names = _names(conn, {i for r in rows for i in r.via})
    found = {}
    for r in rows:
        if (r.document_id, r.local_id) not in wanted:
            continue
        found[(r.document_id, r.local_id)] = (r.speaker_entity_id, SideClaim(
            document=r.hash[:16], claim=r.local_id, title=r.title, outlet=r.outlet,
            published=r.published, speaker=r.speaker_text, speaker_entity=r.speaker_name,
            speaker_entity_id=r.speaker_entity_id, cue=r.cue_text, content=r.content_text,
            kind=r.kind, stance=r.stance, via=[names.get(i, "?") for i in r.via]))
    return found


def _names(conn: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(select(entities.c.id, entities.c.name)
                        .where(entities.c.id.in_(sorted(ids))))
    return {r.id: r.name for r in rows}
