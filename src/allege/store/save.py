"""Writing to the store: analyses, skipped items, and feed items waiting for their page.

A document is identified by the hash of its text, so saving the same text twice changes
nothing, and each document is written in one transaction: it is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from ..model import Analysis, Claim, Document
from .db import Store, StoreError
from .entities import Resolver, attach_names, recount, resolve_corpus_entity
from .schema import (
    STATUSES,
    claims,
    disputes,
    document_entities,
    documents,
    mentions,
    pending,
    relations,
    skipped,
)

_CHUNK = 500


def save_analysis(
    store: Store,
    analysis: Analysis,
    *,
    resolve: Resolver | None = None,
    status: str = "analysed",
    source: str | None = None,
    replace: bool = False,
) -> bool:
    """Store a document and everything found in it; False when it was already stored.

    ``resolve(conn, entity, document)`` names the corpus entity for each of the document's
    entities (default: :func:`allege.store.entities.resolve_corpus_entity`). ``status``
    records what became of the document (``"non_english"`` for one stored unanalysed);
    ``source`` is the path or URI it was read from. With ``replace``, a stored document
    with the same text is deleted and stored again, as after re-analysing it.
    """
    if status not in STATUSES:
        raise StoreError(f"Unknown document status {status!r}; use one of {STATUSES}.")
    document = analysis.document
    if "\x00" in document.text:
        raise StoreError("The text contains NUL characters, which PostgreSQL cannot store; "
                         "remove them before analysing it.")
    with store.write() as conn:
        existing = conn.scalar(select(documents.c.id).where(documents.c.hash == document.hash))
        if existing is not None:
            if not replace:
                return False
            delete_document(conn, existing)
        _insert(conn, analysis, resolve or resolve_corpus_entity, status, source)
    return True


def _insert(conn: Connection, analysis: Analysis, resolve: Resolver, status: str,
            source: str | None) -> None:
    document = analysis.document
    document_id = int(conn.execute(insert(documents).values(
        hash=document.hash, text=document.text, title=document.title, url=document.url,
        outlet=document.outlet, published=document.published, language=document.language,
        author=document.author, status=status, source=source, ingested_at=datetime.now(UTC),
    ).returning(documents.c.id)).scalar_one())
    corpus: dict[str, int] = {}
    for entity in analysis.entities:
        corpus[entity.id] = resolve(conn, entity, document)
        attach_names(conn, corpus[entity.id], [entity.name, *entity.aliases])
    _many(conn, document_entities, [
        {"document_id": document_id, "local_id": e.id, "entity_id": corpus[e.id],
         "name": e.name, "type": e.type, "aliases": list(e.aliases)}
        for e in analysis.entities
    ])
    _many(conn, mentions, [
        {"document_id": document_id, "entity_local": e.id, "entity_id": corpus[e.id],
         "start_char": m.start, "end_char": m.end, "text": m.text}
        for e in analysis.entities for m in e.mentions
    ])
    _many(conn, claims, [_claim_row(document_id, c, corpus) for c in analysis.claims])
    _many(conn, relations, [
        {"document_id": document_id, "subject_local": r.subject,
         "subject_id": corpus[r.subject], "predicate": r.predicate,
         "object_local": r.object, "object_id": corpus[r.object],
         "evidence_start": r.evidence.start, "evidence_end": r.evidence.end,
         "evidence_text": r.evidence.text}
        for r in analysis.relations if r.subject in corpus and r.object in corpus
    ])
    _many(conn, disputes, [
        {"document_id": document_id, "kind": d.kind, "claims": list(d.claims),
         "explanation": d.explanation}
        for d in analysis.disputes
    ])
    if document.url:
        conn.execute(delete(pending).where(pending.c.url == document.url))
    recount(conn, corpus.values())


def _claim_row(document_id: int, claim: Claim, corpus: dict[str, int]) -> dict[str, Any]:
    speaker = claim.speaker
    via_local = [e for e in claim.via if e in corpus]
    return {
        "document_id": document_id, "local_id": claim.id,
        "speaker_text": speaker.text if speaker else None,
        "speaker_start": speaker.start if speaker else None,
        "speaker_end": speaker.end if speaker else None,
        "speaker_local": speaker.entity if speaker and speaker.entity in corpus else None,
        "speaker_entity_id": corpus.get(speaker.entity) if speaker and speaker.entity else None,
        "cue_text": claim.cue.text, "cue_lemma": claim.cue.lemma,
        "cue_start": claim.cue.start, "cue_end": claim.cue.end,
        "content_text": claim.content.text, "content_start": claim.content.start,
        "content_end": claim.content.end,
        "content_segments": [list(s) for s in claim.content.segments],
        "kind": claim.kind, "stance": claim.stance, "about": claim.about,
        "via_local": via_local, "via": [corpus[e] for e in via_local],
        "confidence": claim.confidence, "rule": claim.rule, "sentence": claim.sentence,
    }


def _many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        conn.execute(insert(table), rows[start:start + _CHUNK])


def delete_document(conn: Connection, document_id: int) -> None:
    """Remove a document and everything found in it, inside the caller's transaction.

    The corpus entities stay, with their aliases and the analyst's decisions.
    """
    touched = set(conn.scalars(select(document_entities.c.entity_id)
                               .where(document_entities.c.document_id == document_id)))
    for table in (disputes, relations, claims, mentions, document_entities):
        conn.execute(delete(table).where(table.c.document_id == document_id))
    conn.execute(delete(documents).where(documents.c.id == document_id))
    recount(conn, touched)


def stored(store: Store, hashes: Iterable[str]) -> set[str]:
    """Those of ``hashes`` (``Document.hash``) whose documents are already stored."""
    wanted = list(dict.fromkeys(hashes))
    found: set[str] = set()
    with store.read() as conn:
        for start in range(0, len(wanted), _CHUNK):
            found.update(conn.scalars(select(documents.c.hash).where(
                documents.c.hash.in_(wanted[start:start + _CHUNK]))))
    return found


def is_stored(store: Store, document: Document | str) -> bool:
    """Whether the document (or a ``Document.hash``) is stored."""
    digest = document.hash if isinstance(document, Document) else document
    return bool(stored(store, [digest]))


def record_skip(store: Store, source: str, reason: str) -> None:
    """Note that the item at ``source`` was skipped, and why."""
    with store.write() as conn:
        known = conn.scalar(select(skipped.c.id).where(skipped.c.source == source,
                                                      skipped.c.reason == reason))
        if known is None:  # skipping the same item again on a re-run changes nothing
            conn.execute(insert(skipped).values(source=source, reason=reason,
                                                at=datetime.now(UTC)))


@dataclass(frozen=True)
class Pending:
    """A feed item known only by its link, waiting for its page to be fetched."""

    url: str
    title: str | None
    feed: str | None
    first_seen: datetime


def record_pending(store: Store, url: str, *, title: str | None = None,
                   feed: str | None = None) -> bool:
    """Remember a feed item with only a link; False when it is already known or stored."""
    with store.write() as conn:
        if conn.scalar(select(pending.c.url).where(pending.c.url == url)) is not None or \
                conn.scalar(select(documents.c.id).where(documents.c.url == url)) is not None:
            return False
        conn.execute(insert(pending).values(url=url, title=title, feed=feed,
                                            first_seen=datetime.now(UTC)))
    return True


def pending_items(store: Store) -> list[Pending]:
    """Feed items still waiting for their page, oldest first."""
    with store.read() as conn:
        rows = conn.execute(select(pending).order_by(pending.c.first_seen, pending.c.url))
        return [Pending(r.url, r.title, r.feed, r.first_seen) for r in rows]
