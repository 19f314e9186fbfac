"""Propositions: claims from different documents and speakers that state the same thing.

Claims are grouped by their words and the meaning of their sentence embeddings
(:mod:`allege.corroborate.grouping`); a response (a denial, a refusal to confirm) joins the
proposition of the claim it answers. Each member keeps its speaker's stance, or ``reports``
when the document only reports the claim (no speaker, or "reports that…"); a reporting
member also gets its article's stance toward the proposition (agree, disagree, …).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from ..store import Store
from ..store.entities import name_key
from ..store.schema import (
    claims,
    documents,
    entities,
    entity_aliases,
    mentions,
    proposition_members,
    propositions,
)
from .grouping import MEANINGFUL, Grouping, content_words, group_claims
from .vectors import Progress, vectors_for

#: Member stances: the claim stances, and ``reports`` for a document that only relays it.
MEMBER_STANCES = ("asserts", "confirms", "denies", "refuses_to_confirm",
                  "declines_to_comment", "questions", "reports")
RESPONSES = ("denies", "refuses_to_confirm", "declines_to_comment", "questions")
CHUNK = 10_000  # ids in one IN (...): SQLite and PostgreSQL cap the parameters of a query

@dataclass(frozen=True)
class Member:
    """One claim in a proposition, with the chain it reached its document through."""

    claim_id: int  # the claim's row in the store
    document: str  # Document.id
    claim: str  # the claim's id in its document ("C3")
    outlet: str | None
    published: str | None
    speaker: str | None  # the corpus entity's name, else the speaker as written
    stance: str  # one of MEMBER_STANCES
    content: str
    chain: tuple[str, ...]  # origin first, publishing outlet last
    aliases: tuple[str, ...] = ()  # other names of the origin, for the registry
    article_stance: str | None = None  # a reporting document's stance toward the proposition

    @property
    def origin(self) -> str:
        """Where the information started: the speaker, else the first relay, else the outlet."""
        return self.chain[0] if self.chain else f"document {self.document}"


@dataclass
class Proposition:
    """Claims that state the same thing, with each source's stance."""

    id: int | None
    text: str
    members: list[Member] = field(default_factory=list)

    @property
    def outlets(self) -> list[str]:
        return sorted({m.outlet for m in self.members if m.outlet})


def build_propositions(store: Store, grouping: Grouping = Grouping(), *, embed: bool = True,
                       article_stances: bool = True,
                       progress: Progress | None = None) -> list[Proposition]:
    """Group the store's claims into propositions and store them, replacing earlier ones.

    Only groups with members in two documents, or with a response, are kept. ``embed``
    compares the claims' sentence embeddings too (new claims are embedded and the vectors
    stored; ``progress`` hears how far that is). ``article_stances`` labels each member
    that only reports the proposition with its article's stance toward it (agree,
    disagree, discuss, unrelated: :class:`~allege.corroborate.stance.StanceModel`).
    """
    with store.write() as conn:
        rows = _claim_rows(conn)
        if embed:
            texts = {i: r["content_text"] for i, r in rows.items() if len(r["words"]) >= MEANINGFUL}
            for i, vector in vectors_for(conn, texts, progress=progress).items():
                rows[i]["vector"] = vector
        groups = group_claims(rows, grouping, joins=_responses(rows).items())
        kept = [(_representative(members), members) for ids in groups
                for members in [[rows[i] for i in ids]]
                if len({m["document_id"] for m in members}) >= 2
                or any(m["stance"] in RESPONSES for m in members)]
        labels = _article_stances(conn, kept) if article_stances else {}
        conn.execute(delete(proposition_members))
        conn.execute(delete(propositions))
        now, ids = datetime.now(UTC), []
        for text, members in kept:
            pid = int(conn.execute(insert(propositions).values(text=text, built_at=now)
                                   .returning(propositions.c.id)).scalar_one())
            conn.execute(insert(proposition_members), [
                {"proposition_id": pid, "claim_id": m["id"], "stance": stance,
                 "article_stance": labels.get((text, m["id"])) if stance == "reports" else None}
                for m in members for stance in [_member_stance(m)]])
            ids.append(pid)
    return load_propositions(store, ids)


def load_propositions(store: Store, ids: Iterable[int] | None = None) -> list[Proposition]:
    """The stored propositions (or those with ``ids``), with their members."""
    m = proposition_members
    with store.read() as conn:
        if ids is None:
            found = {r.id: Proposition(r.id, r.text) for r in conn.execute(select(propositions))}
            links = conn.execute(select(m)).all()
        else:
            found = {r.id: Proposition(r.id, r.text) for chunk in _chunks(ids) for r in
                     conn.execute(select(propositions).where(propositions.c.id.in_(chunk)))}
            links = [link for chunk in _chunks(found) for link in
                     conn.execute(select(m).where(m.c.proposition_id.in_(chunk)))]
        found = dict(sorted(found.items()))
        links = sorted((link for link in links if link.proposition_id in found),
                       key=lambda link: link.claim_id)
        members = _members(conn, {link.claim_id: link for link in links})
        for link in links:
            found[link.proposition_id].members.append(members[link.claim_id])
    return list(found.values())


def load_proposition(store: Store, proposition_id: int) -> Proposition | None:
    """One stored proposition, or None."""
    return next(iter(load_propositions(store, [proposition_id])), None)


# Reading claims --------------------------------------------------------------------------

def _claim_rows(conn: Connection) -> dict[int, dict[str, Any]]:
    c = claims
    rows = conn.execute(select(c.c.id, c.c.document_id, c.c.local_id, c.c.content_text,
                               c.c.content_start, c.c.content_end, c.c.stance, c.c.kind,
                               c.c.about, c.c.speaker_text, c.c.speaker_entity_id,
                               c.c.sentence).order_by(c.c.document_id, c.c.id))
    found = {r.id: dict(r._mapping) for r in rows}
    spans = conn.execute(select(mentions.c.document_id, mentions.c.entity_id,
                                mentions.c.start_char, mentions.c.end_char))
    by_document: dict[int, list[Any]] = defaultdict(list)
    for span in spans:
        by_document[span.document_id].append(span)
    for row in found.values():
        row["entities"] = {s.entity_id for s in by_document[row["document_id"]]
                           if s.start_char >= row["content_start"]
                           and s.end_char <= row["content_end"]}
        row["words"] = content_words(row["content_text"])
    claimed: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in found.values():
        claimed[row["document_id"]].append(row)
    for row in found.values():  # "X told A that …, A reported": A only relays X's claim
        row["relays"] = any(o is not row and o["content_start"] >= row["content_start"]
                            and o["content_end"] <= row["content_end"]
                            for o in claimed[row["document_id"]])
    return found


def _responses(rows: dict[int, dict[str, Any]]) -> dict[int, int]:
    """Each response -> the claim it answers: its ``about``, else the nearest claim before it
    when its content is only a pointer ("refused to confirm the report")."""
    local = {(r["document_id"], r["local_id"]): i for i, r in rows.items()}
    answers: dict[int, int] = {}
    previous: dict[int, int] = {}
    for i, row in rows.items():
        doc = row["document_id"]
        if row["about"] and (doc, row["about"]) in local:
            answers[i] = local[(doc, row["about"])]
        elif row["stance"] in RESPONSES and len(row["words"]) <= 2 and doc in previous:
            answers[i] = previous[doc]
        if row["stance"] not in RESPONSES or len(row["words"]) > 2:
            previous[doc] = i
    return answers


def _article_stances(conn: Connection, kept: list[tuple[str, list[dict[str, Any]]]]
                     ) -> dict[tuple[str, int], str]:
    """The article stance of each reporting member toward its proposition's text, by
    (text, claim id): the stored one where the last build had the same text and claim,
    else the stance model's."""
    from .stance import StanceModel

    m, p = proposition_members, propositions
    known = {(r.text, r.claim_id): r.article_stance for r in conn.execute(
        select(p.c.text, m.c.claim_id, m.c.article_stance)
        .join(p, p.c.id == m.c.proposition_id).where(m.c.article_stance.is_not(None)))}
    todo = [(text, row["id"], row["document_id"]) for text, members in kept for row in members
            if _member_stance(row) == "reports" and (text, row["id"]) not in known]
    if todo:
        bodies = {r.id: r.text for chunk in _chunks(d for _, _, d in todo) for r in
                  conn.execute(select(documents.c.id, documents.c.text)
                               .where(documents.c.id.in_(chunk)))}
        found = StanceModel.load().predict([(text, bodies[d]) for text, _, d in todo])
        known.update(zip(((text, claim) for text, claim, _ in todo), found))
    return known


def _member_stance(row: dict[str, Any]) -> str:
    if row["stance"] == "asserts" and (row["speaker_text"] is None or row["kind"] == "nominal"
                                       or row["relays"]):
        return "reports"
    return str(row["stance"])


def _representative(members: list[dict[str, Any]]) -> str:
    asserted = [m for m in members if m["stance"] in ("asserts", "confirms")] or members
    return min(asserted, key=lambda m: (-len(m["words"]), m["id"]))["content_text"]


# Members with their chains -----------------------------------------------------------------

def _members(conn: Connection, links: dict[int, Any]) -> dict[int, Member]:
    """Each linked claim (id → its proposition_members row) as a member, with its chain."""
    if not links:
        return {}
    c, d = claims, documents
    query = select(c.c.id, c.c.local_id, c.c.speaker_text, c.c.speaker_entity_id, c.c.via,
                   c.c.content_text, d.c.hash, d.c.outlet, d.c.published) \
        .join(d, d.c.id == c.c.document_id)
    rows = [r for chunk in _chunks(links) for r in conn.execute(query.where(c.c.id.in_(chunk)))]
    ids = {i for r in rows for i in r.via} | {r.speaker_entity_id for r in rows}
    names = {r.id: r.name for chunk in _chunks(i for i in ids if i is not None)
             for r in conn.execute(select(entities.c.id, entities.c.name)
                                   .where(entities.c.id.in_(chunk)))}
    aliases: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(names):
        for entity_id, alias in conn.execute(select(entity_aliases.c.entity_id,
                                                    entity_aliases.c.alias)
                                             .where(entity_aliases.c.entity_id.in_(chunk))):
            aliases[entity_id].append(alias)
    found = {}
    for r in rows:
        speaker = names.get(r.speaker_entity_id) or r.speaker_text
        chain = _chain(speaker, [names.get(i, "?") for i in r.via], r.outlet)
        found[r.id] = Member(
            claim_id=r.id, document=r.hash[:16], claim=r.local_id, outlet=r.outlet,
            published=r.published, speaker=speaker, stance=links[r.id].stance,
            article_stance=links[r.id].article_stance,
            content=r.content_text, chain=chain,
            aliases=tuple(sorted(aliases.get(r.speaker_entity_id, []))))
    return found


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """``ids`` sorted, in lists short enough for one IN (...) on SQLite and PostgreSQL."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _chain(speaker: str | None, via: list[str], outlet: str | None) -> tuple[str, ...]:
    """Origin first, outlet last, each name once (the outlet is often in ``via`` already)."""
    chain: list[str] = []
    for name in [speaker, *via, outlet]:
        if name and name_key(name) not in {name_key(n) for n in chain}:
            chain.append(name)
    return tuple(chain)
