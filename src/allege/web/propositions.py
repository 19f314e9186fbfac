"""Propositions as the workbench shows them: contested ones as disputes, each with a timeline.

Propositions are built by :func:`allege.corroborate.propositions.build_propositions`. The app
builds them the first time a page or API route needs them, and again once new documents are
in the store; :func:`ensure` does that.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import func, select

from ..corroborate.grades import Grade, Policy, grade, independent_groups, sides
from ..corroborate.grades import disputes as contests
from ..corroborate.propositions import (
    Member,
    Proposition,
    build_propositions,
    load_proposition,
    load_propositions,
)
from ..corroborate.sources import Registry, load_registry
from ..store import Store
from ..store.schema import claims, documents, proposition_members
from .disputes import DisputeView, Side, SideClaim, _names, _speaker

_lock = threading.Lock()
STANCE_WORDS = {
    "asserts": "asserted", "confirms": "confirmed", "denies": "denied",
    "refuses_to_confirm": "refused to confirm", "declines_to_comment": "declined to comment",
    "questions": "questioned", "reports": "reported",
}
ARTICLE_WORDS = {"agree": "the article agrees", "disagree": "the article disagrees"}


def ensure(request: Request) -> Store:
    """The app's store, with its propositions rebuilt if documents were stored since the app
    last built them (through the web, or by ``allege ingest`` in another process)."""
    app, store = request.app, request.app.state.store
    if getattr(app.state, "propositions_upto", None) == _newest_document(store):
        return store
    with _lock:
        newest = _newest_document(store)
        if getattr(app.state, "propositions_upto", None) != newest:
            build_propositions(store)
            app.state.propositions_upto = newest
    return store


def _newest_document(store: Store) -> int:
    with store.read() as conn:
        return int(conn.scalar(select(func.coalesce(func.max(documents.c.id), 0))))


def registry(request: Request) -> Registry:
    """The source registry: the app's, else the analyst's file (re-read on each request)."""
    given = getattr(request.app.state, "registry", None)
    return given if given is not None else load_registry()


# Views ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEntry:
    """One source's stance on a proposition, when its document was published."""

    published: str | None
    stance: str
    verb: str  # "asserted", "denied", "refused to confirm", …
    speaker: str | None
    outlet: str | None
    document: str
    claim: str
    title: str | None
    content: str
    chain: list[str]


@dataclass(frozen=True)
class PropositionView:
    """A proposition with its grade, its independent sources and its timeline."""

    id: int
    text: str
    grade: dict[str, Any]
    contested: bool
    documents: int
    outlets: list[str]
    sources: list[dict[str, Any]]  # the provenance tree: origin -> members with chains
    timeline: list[TimelineEntry]
    url: str


def _grade_dict(found: Grade) -> dict[str, Any]:
    return {"code": found.code, "reliability": found.reliability,
            "credibility": found.credibility, "explanation": found.explanation}


def _contested(proposition: Proposition) -> bool:
    side = sides(proposition)
    return bool(side.support and (side.oppose or side.refuse))


def timeline(members: list[Member], titles: dict[str, str | None] | None = None
             ) -> list[TimelineEntry]:
    """The members ordered by their documents' publication dates (undated last)."""
    ordered = sorted(members, key=lambda m: (m.published is None, m.published or "",
                                             m.document, m.claim_id))
    return [TimelineEntry(m.published, m.stance, _verb(m),
                          m.speaker, m.outlet, m.document, m.claim,
                          (titles or {}).get(m.document), m.content, list(m.chain))
            for m in ordered]


def _verb(member: Member) -> str:
    verb = STANCE_WORDS.get(member.stance, member.stance)
    if member.stance == "reports" and member.article_stance in ARTICLE_WORDS:
        verb += f" ({ARTICLE_WORDS[member.article_stance]})"
    return verb


def view(store: Store, proposition: Proposition, registry: Registry,
         titles: dict[str, str | None] | None = None) -> PropositionView:
    assert proposition.id is not None
    found = grade(proposition, registry, Policy())
    tree = provenance_of(proposition, titles)
    return PropositionView(
        id=proposition.id, text=proposition.text, grade=_grade_dict(found),
        contested=_contested(proposition),
        documents=len({m.document for m in proposition.members}),
        outlets=proposition.outlets, sources=tree,
        timeline=timeline(proposition.members, titles),
        url=f"/propositions/{proposition.id}")


def provenance_of(proposition: Proposition, titles: dict[str, str | None] | None = None
                  ) -> list[dict[str, Any]]:
    """The independent sources, each with its members and their chains (as ``provenance``)."""
    return [{"origin": group[0].origin,
             "members": [{"document": m.document, "claim": m.claim, "outlet": m.outlet,
                          "published": m.published, "speaker": m.speaker,
                          "stance": m.stance, "article_stance": m.article_stance,
                          "content": m.content, "chain": list(m.chain), "title": (titles or {}).get(m.document)}
                         for m in group]}
            for group in independent_groups(proposition)]


def _titles(store: Store, members: list[Member]) -> dict[str, str | None]:
    wanted = {m.document for m in members}
    if not wanted:
        return {}
    with store.read() as conn:
        rows = conn.execute(select(documents.c.hash, documents.c.title).where(
            func.substr(documents.c.hash, 1, 16).in_(sorted(wanted)))).all()
    return {r.hash[:16]: r.title for r in rows if r.hash[:16] in wanted}


def propositions_page(store: Store, registry: Registry, *, contested: bool | None = None,
                      limit: int = 50, offset: int = 0) -> tuple[list[PropositionView], int]:
    """Stored propositions (contested ones first, then by id) and how many there are."""
    found = load_propositions(store)
    if contested is not None:
        found = [p for p in found if _contested(p) == contested]
    found.sort(key=lambda p: (not _contested(p), p.id))
    chosen = found[offset:offset + limit]
    titles = _titles(store, [m for p in chosen for m in p.members])
    return [view(store, p, registry, titles) for p in chosen], len(found)


def one(store: Store, proposition_id: int, registry: Registry) -> PropositionView | None:
    """One proposition's view, or None."""
    found = load_proposition(store, proposition_id)
    if found is None:
        return None
    return view(store, found, registry, _titles(store, found.members))


def contested_disputes(store: Store, registry: Registry) -> list[DisputeView]:
    """Each contested proposition as a dispute across documents: its sides, sources, grades."""
    found = contests(store, registry)
    side_claims = _side_claims(store, {m.claim_id for c in found
                                       for g in c.support + c.against for m in g})
    views = []
    for contest in found:
        p, code = contest.proposition, contest.grade.code
        assert p.id is not None
        groups = contest.support + contest.against
        result_sides = []
        for group in groups:
            present = [(m, side_claims[m.claim_id]) for m in group if m.claim_id in side_claims]
            items = [SideClaim(**{**vars(c), "stance": m.stance, "grade": code})
                     for m, (_, c) in present]
            entity = next((e for _, (e, _) in present if e is not None), None)
            result_sides.append(Side(group[0].origin, entity,
                                     list(dict.fromkeys(m.stance for m in group)), items))
        kind = "denies" if any(m.stance == "denies" for g in contest.against for m in g) \
            else "refuses_to_confirm"
        dated = sorted(m.published for m in p.members if m.published)
        views.append(DisputeView(
            id=p.id, source="proposition", kind=kind, explanation=contest.grade.explanation,
            document=None, title=None, published=dated[-1] if dated else None,
            sides=result_sides, proposition=p.text, grade=code))
    return sorted(views, key=lambda v: v.published or "", reverse=True)


def _side_claims(store: Store, ids: set[int]) -> dict[int, tuple[int | None, SideClaim]]:
    if not ids:
        return {}
    c, d = claims, documents
    with store.read() as conn:
        rows = conn.execute(
            select(c, d.c.hash, d.c.title, d.c.outlet, d.c.published,
                   _speaker.c.name.label("speaker_name"))
            .join(d, d.c.id == c.c.document_id)
            .outerjoin(_speaker, _speaker.c.id == c.c.speaker_entity_id)
            .where(c.c.id.in_(sorted(ids)))).all()
        names = _names(conn, {i for r in rows for i in r.via})
    return {r.id: (r.speaker_entity_id, SideClaim(
        document=r.hash[:16], claim=r.local_id, title=r.title, outlet=r.outlet,
        published=r.published, speaker=r.speaker_text, speaker_entity=r.speaker_name,
        speaker_entity_id=r.speaker_entity_id, cue=r.cue_text, content=r.content_text,
        kind=r.kind, stance=r.stance, via=[names.get(i, "?") for i in r.via]))
        for r in rows}


@dataclass(frozen=True)
class ClaimGrade:
    """The proposition a claim belongs to, and that proposition's grade."""

    proposition: int
    text: str
    grade: str
    explanation: str
    contested: bool


def claim_grades(store: Store, registry: Registry, document: str | None = None
                 ) -> dict[tuple[str, str], ClaimGrade]:
    """(document id, claim id) -> its proposition and grade, for the claims that have one."""
    ids = None
    if document is not None:
        with store.read() as conn:
            ids = list(conn.scalars(
                select(proposition_members.c.proposition_id).distinct()
                .join(claims, claims.c.id == proposition_members.c.claim_id)
                .join(documents, documents.c.id == claims.c.document_id)
                .where(documents.c.hash.startswith(document.lower(), autoescape=True))))
    found = {}
    for p in load_propositions(store, ids):
        assert p.id is not None
        g = grade(p, registry, Policy())
        entry = ClaimGrade(p.id, p.text, g.code, g.explanation, _contested(p))
        for m in p.members:
            found[(m.document, m.claim)] = entry
    return found


__all__ = ["ClaimGrade", "PropositionView", "TimelineEntry", "claim_grades",
           "contested_disputes", "ensure", "one", "propositions_page",
           "registry"]
