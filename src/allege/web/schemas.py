"""The HTTP API's request and response models, for validation and the OpenAPI document.

They follow :mod:`allege.model` (the analysis contract), :mod:`allege.store` (claims,
entities, stats, search hits) and :mod:`allege.web.corpus` field for field; contract models
allow extra keys, as the contract does.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..model import Kind, Stance


class Contract(BaseModel):
    """A part of the analysis contract: extra keys are kept."""

    model_config = ConfigDict(extra="allow")


class SpanOut(Contract):
    start: int
    end: int
    text: str


class Offsets(Contract):
    start: int
    end: int


class SpeakerOut(SpanOut):
    entity: str | None = None


class CueOut(SpanOut):
    lemma: str


class ContentOut(SpanOut):
    segments: list[Offsets]


class ClaimContract(Contract):
    id: str
    speaker: SpeakerOut | None
    cue: CueOut
    content: ContentOut
    kind: Kind
    stance: Stance
    about: str | None = None
    via: list[str] = []
    sentence: int
    confidence: float


class EntityContract(Contract):
    id: str
    name: str
    type: str
    aliases: list[str] = []
    mentions: list[SpanOut] = []


class RelationContract(Contract):
    subject: str
    predicate: str
    object: str
    evidence: SpanOut


class DisputeContract(Contract):
    claims: list[str]
    kind: str
    explanation: str


class DocumentContract(Contract):
    id: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    language: str
    text: str


class AnalysisOut(Contract):
    """The ``allege.analysis/1`` contract (see DESIGN.md)."""

    schema_: str = Field(alias="schema", serialization_alias="schema")
    document: DocumentContract
    entities: list[EntityContract]
    claims: list[ClaimContract]
    relations: list[RelationContract]
    disputes: list[DisputeContract]


class Page(BaseModel):
    """A page of results: ``total`` counts every match, ``items`` holds this page's."""

    total: int | None = Field(description="every match; null when not counted")
    limit: int
    offset: int


class DocumentOut(BaseModel):
    id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    language: str
    status: str
    claims: int


class DocumentPage(Page):
    items: list[DocumentOut]


class ClaimOut(BaseModel):
    document: str
    claim: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    speaker: str | None
    speaker_entity: str | None
    cue: str
    content: str
    kind: str
    stance: str
    about: str | None
    via: list[str]
    confidence: float
    sentence: int
    rule: str


class ClaimPage(Page):
    items: list[ClaimOut]
    more: bool = Field(description="whether a later page has more claims")


class EntitySummaryOut(BaseModel):
    id: int
    name: str
    type: str
    mentions: int


class EntityPage(Page):
    items: list[EntitySummaryOut]


class RelationOut(BaseModel):
    subject: str
    predicate: str
    object: str
    document: str
    evidence: str


class RelationLinkOut(RelationOut):
    subject_id: int
    object_id: int


class RelationPage(Page):
    items: list[RelationLinkOut]


class EntityOut(BaseModel):
    id: int
    name: str
    type: str
    aliases: list[str]
    mentions: int
    documents: int
    roles: list[str]
    relations: list[RelationOut]
    claims_made: list[ClaimOut]
    claims_about: list[ClaimOut]
    outlets: list[tuple[str, int]]
    relayed: int


class GraphNodeOut(BaseModel):
    id: int
    label: str
    type: str
    focus: bool


class GraphEdgeOut(BaseModel):
    source: int
    target: int
    label: str
    kind: str = Field(description='"relation", or "quotes": target passed on what source said')
    count: int


class GraphOut(BaseModel):
    nodes: list[GraphNodeOut]
    edges: list[GraphEdgeOut]


class SideClaimOut(BaseModel):
    document: str
    claim: str
    title: str | None
    outlet: str | None
    published: str | None
    speaker: str | None
    speaker_entity: str | None
    speaker_entity_id: int | None
    cue: str
    content: str
    kind: str
    stance: str
    via: list[str]
    grade: str | None


class SideOut(BaseModel):
    label: str
    entity_id: int | None
    stances: list[str]
    claims: list[SideClaimOut]


class DisputeOut(BaseModel):
    id: int
    source: str = Field(description='"document" (inside one article) or "proposition"')
    kind: str
    explanation: str
    document: str | None
    title: str | None
    published: str | None
    sides: list[SideOut]
    proposition: str | None
    grade: str | None


class DisputePage(Page):
    items: list[DisputeOut]


class GradeOut(BaseModel):
    code: str = Field(description='Admiralty code: reliability A–F, credibility 1–6 ("F4")')
    reliability: str
    credibility: int
    explanation: str


class MemberOut(BaseModel):
    document: str
    claim: str
    title: str | None = None
    outlet: str | None
    published: str | None
    speaker: str | None
    stance: str
    article_stance: str | None = Field(
        None, description="for a member that only reports it: its article's stance toward "
                          "the proposition (agree, disagree, discuss, unrelated)")
    content: str
    chain: list[str] = Field(description="origin first, publishing outlet last")


class SourceOut(BaseModel):
    origin: str = Field(description="where the information started")
    members: list[MemberOut]


class TimelineOut(BaseModel):
    published: str | None
    stance: str
    verb: str = Field(description='"asserted", "denied", "refused to confirm", …')
    speaker: str | None
    outlet: str | None
    document: str
    claim: str
    title: str | None
    content: str
    chain: list[str]


class PropositionOut(BaseModel):
    id: int
    text: str
    grade: GradeOut
    contested: bool = Field(description="someone asserts it and someone denies or "
                                        "refuses to confirm it")
    documents: int
    outlets: list[str]
    sources: list[SourceOut] = Field(description="independent sources: the provenance tree")
    timeline: list[TimelineOut] = Field(description="members by publication date")
    url: str = Field(description="the proposition's page")


class PropositionPage(Page):
    items: list[PropositionOut]


class HitOut(BaseModel):
    kind: str
    document: str
    claim: str | None
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    speaker: str | None
    stance: str | None
    snippet: str = Field(description="matched words between [ and ]")
    score: float


class SearchOut(BaseModel):
    query: str
    items: list[HitOut]


class StatsOut(BaseModel):
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
    by_outlet: dict[str, int]


class ArticleIn(BaseModel):
    """An article to analyse or ingest: exactly one of ``text`` and ``html``."""

    text: str | None = Field(None, description="plain text; a first line set apart is the title")
    html: str | None = Field(None, description="an HTML page; its main text is extracted")
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = Field(None, description="ISO 8601 date or date-time")


class IngestOut(BaseModel):
    id: str = Field(description="the document's id (first 16 hex digits of its hash)")
    stored: bool = Field(description="false when the same text was already stored")
    status: str
    claims: int
    url: str = Field(description="the article reader's page")


class ErrorOut(BaseModel):
    error: str
    status: int
