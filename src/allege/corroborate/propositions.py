"""Propositions: claims from different documents and speakers that state the same thing.

Claims are grouped when their contents share most of their content words, or many of them
and a named entity; a response (a denial, a refusal to confirm) joins the proposition of the
claim it answers. Each member keeps its speaker's stance, or ``reports`` when the document
only reports the claim (no speaker, or "reports that…").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
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

#: Member stances: the claim stances, and ``reports`` for a document that only relays it.
MEMBER_STANCES = ("asserts", "confirms", "denies", "refuses_to_confirm",
                  "declines_to_comment", "questions", "reports")
RESPONSES = ("denies", "refuses_to_confirm", "declines_to_comment", "questions")

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


def build_propositions(store: Store, *, same: float = 0.5, related: float = 0.3) -> list[Proposition]:
    """Group the store's claims into propositions and store them, replacing earlier ones.

    Two claims join when the Jaccard overlap of their content words is at least ``same``,
    or at least ``related`` and they name the same entity. Only groups with members in two
    documents, or with a response, are kept.
    """
    with store.write() as conn:
        rows = _claim_rows(conn)
        groups = _group(rows, same=same, related=related)
        conn.execute(delete(proposition_members))
        conn.execute(delete(propositions))
        now, kept = datetime.now(UTC), []
        for ids in groups:
            members = [rows[i] for i in ids]
            if len({m["document_id"] for m in members}) < 2 and \
                    not any(m["stance"] in RESPONSES for m in members):
                continue
            text = _representative(members)
            pid = int(conn.execute(insert(propositions).values(text=text, built_at=now)
                                   .returning(propositions.c.id)).scalar_one())
            conn.execute(insert(proposition_members), [
                {"proposition_id": pid, "claim_id": m["id"], "stance": _member_stance(m)}
                for m in members])
            kept.append(pid)
    return [p for p in load_propositions(store) if p.id in set(kept)]


def load_propositions(store: Store, ids: Iterable[int] | None = None) -> list[Proposition]:
    """The stored propositions (or those with ``ids``), with their members."""
    with store.read() as conn:
        query = select(propositions).order_by(propositions.c.id)
        if ids is not None:
            query = query.where(propositions.c.id.in_(list(ids)))
        found = {r.id: Proposition(r.id, r.text) for r in conn.execute(query)}
        links = conn.execute(select(proposition_members)
                             .where(proposition_members.c.proposition_id.in_(list(found)))
                             .order_by(proposition_members.c.claim_id)).all()
        members = _members(conn, {link.claim_id: link.stance for link in links})
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


_STOP = frozenset("""a an the and or but if of to in on at by for with from into over under as
is are was were be been being has have had do does did will would shall should can could may
might must that this these those there here it its they them their he him his she her we our
you your i me my not no than then so such also just only about after before said says say
told tell according report reports reported which who whom whose what when where while""".split())


def content_words(text: str) -> frozenset[str]:
    """The content words of a text, lower-cased and crudely stemmed."""
    words = re.findall(r"[^\W_]+", text.lower())
    return frozenset(_stem(w) for w in words if w not in _STOP and len(w) > 1)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _similar(a: dict[str, Any], b: dict[str, Any], same: float, related: float) -> bool:
    wa, wb = a["words"], b["words"]
    if len(wa) < 2 or len(wb) < 2:
        return False
    overlap = len(wa & wb) / len(wa | wb)
    return overlap >= same or (overlap >= related and bool(a["entities"] & b["entities"]))


def _group(rows: dict[int, dict[str, Any]], *, same: float, related: float) -> list[list[int]]:
    parent = {i: i for i in rows}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[str, list[int]] = defaultdict(list)
    for i, row in rows.items():
        for word in row["words"]:
            index[word].append(i)
    for i, row in rows.items():
        candidates = {j for w in row["words"] if len(index[w]) <= 500 for j in index[w] if j > i}
        for j in candidates:
            if _similar(row, rows[j], same, related):
                parent[find(j)] = find(i)
    for i, target in _responses(rows).items():
        parent[find(i)] = find(target)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in rows:
        groups[find(i)].append(i)
    return [sorted(g) for g in groups.values()]


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


def _member_stance(row: dict[str, Any]) -> str:
    if row["stance"] == "asserts" and (row["speaker_text"] is None or row["kind"] == "nominal"
                                       or row["relays"]):
        return "reports"
    return str(row["stance"])


def _representative(members: list[dict[str, Any]]) -> str:
    asserted = [m for m in members if m["stance"] in ("asserts", "confirms")] or members
    return min(asserted, key=lambda m: (-len(m["words"]), m["id"]))["content_text"]


# Members with their chains -----------------------------------------------------------------

def _members(conn: Connection, stances: dict[int, str]) -> dict[int, Member]:
    if not stances:
        return {}
    c, d = claims, documents
    rows = conn.execute(
        select(c.c.id, c.c.local_id, c.c.speaker_text, c.c.speaker_entity_id, c.c.via,
               c.c.content_text, d.c.hash, d.c.outlet, d.c.published)
        .join(d, d.c.id == c.c.document_id).where(c.c.id.in_(list(stances)))).all()
    ids = {i for r in rows for i in r.via} | {r.speaker_entity_id for r in rows}
    names = {r.id: r.name for r in conn.execute(
        select(entities.c.id, entities.c.name)
        .where(entities.c.id.in_([i for i in ids if i is not None])))}
    aliases: dict[int, list[str]] = defaultdict(list)
    for entity_id, alias in conn.execute(select(entity_aliases.c.entity_id,
                                                entity_aliases.c.alias)
                                         .where(entity_aliases.c.entity_id.in_(list(names)))):
        aliases[entity_id].append(alias)
    found = {}
    for r in rows:
        speaker = names.get(r.speaker_entity_id) or r.speaker_text
        chain = _chain(speaker, [names.get(i, "?") for i in r.via], r.outlet)
        found[r.id] = Member(
            claim_id=r.id, document=r.hash[:16], claim=r.local_id, outlet=r.outlet,
            published=r.published, speaker=speaker, stance=stances[r.id],
            content=r.content_text, chain=chain,
            aliases=tuple(sorted(aliases.get(r.speaker_entity_id, []))))
    return found


def _chain(speaker: str | None, via: list[str], outlet: str | None) -> tuple[str, ...]:
    """Origin first, outlet last, each name once (the outlet is often in ``via`` already)."""
    chain: list[str] = []
    for name in [speaker, *via, outlet]:
        if name and name_key(name) not in {name_key(n) for n in chain}:
            chain.append(name)
    return tuple(chain)
