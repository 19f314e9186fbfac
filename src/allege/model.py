"""The data model of an analysis, declared once.

Every span is a pair of character offsets into ``Document.text`` (half-open) plus the
text it covers. ``to_dict`` on :class:`Analysis` gives the ``allege.analysis/1`` JSON
contract described in DESIGN.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

SCHEMA = "allege.analysis/1"

Stance = Literal[
    "asserts", "confirms", "denies", "refuses_to_confirm", "declines_to_comment", "questions"
]
Kind = Literal["direct", "indirect", "mixed", "according_to", "nominal"]
STANCES: tuple[str, ...] = get_args(Stance)
KINDS: tuple[str, ...] = get_args(Kind)


@dataclass(frozen=True)
class Span:
    """A stretch of the document: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])


@dataclass
class Document:
    """One article, with the text exactly as analysed."""

    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    language: str = "en"
    author: str | None = None

    @property
    def hash(self) -> str:
        """SHA-256 of the text: the document's identity."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def id(self) -> str:
        return self.hash[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "published": self.published,
            "language": self.language,
            "text": self.text,
        }


@dataclass
class Entity:
    """A person, organisation, place or group named in the document."""

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)
    # For someone named only by a role ("Putin's spokesman"): {"predicate": "spokesperson_of",
    # "of": entity id, "of_name": that entity's name, "of_type": its type}.
    role: dict[str, str] | None = None


@dataclass(frozen=True)
class Speaker:
    """Who a claim is attributed to; ``entity`` is an :class:`Entity` id when resolved."""

    start: int
    end: int
    text: str
    entity: str | None = None


@dataclass(frozen=True)
class Cue:
    """The words that mark the attribution ("said", "according to", "refused to confirm")."""

    start: int
    end: int
    text: str
    lemma: str


@dataclass(frozen=True)
class Content:
    """What is attributed; ``segments`` are its pieces when a cue interrupts it."""

    start: int
    end: int
    text: str
    segments: tuple[tuple[int, int], ...]


@dataclass
class Claim:
    """One attribution: speaker, cue, content, and the speaker's stance."""

    id: str
    speaker: Speaker | None
    cue: Cue
    content: Content
    kind: Kind
    stance: Stance
    sentence: int
    about: str | None = None
    via: list[str] = field(default_factory=list)
    confidence: float = 0.5
    rule: str = ""  # how the claim was found: "direct", "ccomp", "according_to", …

    def holds(self, offset: int) -> bool:
        """Whether the character at ``offset`` lies in what the claim reports: inside its
        content's extent, but not between two pieces where the claim's own cue stands
        ("“A,” said X, speaking of Y. “B.”": "speaking of" is not in X's claim)."""
        start, end, pieces = self.content.start, self.content.end, self.content.segments
        if not start <= offset < end:
            return False
        for (_, gap_start), (gap_end, _) in zip(pieces, pieces[1:]):
            if gap_start <= offset < gap_end:
                return not gap_start <= self.cue.start < gap_end
        return True

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["content"]["segments"] = [
            {"start": s, "end": e} for s, e in self.content.segments
        ]
        return data


@dataclass
class Relation:
    """subject–predicate–object between two entities, with the words that show it."""

    subject: str
    predicate: str
    object: str
    evidence: Span


@dataclass
class Dispute:
    """Claims that contradict each other, or a denial or refusal of another claim."""

    claims: list[str]
    kind: Literal["contradicts", "denies", "refuses_to_confirm", "questions"]
    explanation: str


@dataclass
class Analysis:
    """Everything found in one document."""

    document: Document
    entities: list[Entity] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)

    def entity(self, entity_id: str | None) -> Entity | None:
        """The entity with this id, or None."""
        return next((e for e in self.entities if e.id == entity_id), None)

    def claim(self, claim_id: str | None) -> Claim | None:
        """The claim with this id, or None."""
        return next((c for c in self.claims if c.id == claim_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The ``allege.analysis/1`` JSON contract."""
        return {
            "schema": SCHEMA,
            "document": self.document.to_dict(),
            "entities": [asdict(e) for e in self.entities],
            "claims": [c.to_dict() for c in self.claims],
            "relations": [asdict(r) for r in self.relations],
            "disputes": [asdict(d) for d in self.disputes],
        }
