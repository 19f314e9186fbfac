"""The HTTP API: JSON over the store's queries, one short route per question."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from .. import store as corpus_store
from ..model import Stance
from ..store import Store
from . import corpus, disputes, propositions
from .access import settings, write_access
from .articles import analyse, article_from_request, ingest_document
from .formatting import MARK, plain
from .schemas import (
    AnalysisOut,
    ArticleIn,
    ClaimPage,
    DisputeOut,
    DisputePage,
    DocumentPage,
    EntityOut,
    EntityPage,
    ErrorOut,
    GraphOut,
    IngestOut,
    PropositionOut,
    PropositionPage,
    RelationPage,
    SearchOut,
    StatsOut,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text} for code, text in (
        (400, "The request cannot be served as asked"),
        (401, "The token is missing or wrong"),
        (403, "No token is configured on the server"),
        (404, "Nothing has that id"),
        (422, "A parameter is invalid"),
    )
}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)

Limit = Annotated[int, Query(ge=1, le=500, description="at most this many items")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="skip this many items")]
DateBound = Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                        description="YYYY, YYYY-MM or YYYY-MM-DD")]
DocumentId = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{16,64}$",
                                 description="16 hex digits: the start of the text's hash")]


def get_store(request: Request) -> Store:
    """The app's store."""
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


@router.get("/documents", response_model=DocumentPage, summary="Stored documents, newest first")
def list_documents(store: StoreDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    items, total = corpus.documents_page(store, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/documents/{document_id}", response_model=AnalysisOut,
            summary="A stored document's analysis (the allege.analysis/1 contract)")
def get_document(store: StoreDep, document_id: DocumentId) -> dict[str, Any]:
    found = corpus.document_analysis(store, document_id)
    if found is None:
        raise HTTPException(404, f"No stored document has id {document_id}; "
                                 "list them at /api/documents.")
    return found


@router.get("/claims", response_model=ClaimPage, summary="Claims matching every filter given")
def list_claims(
    store: StoreDep,
    speaker: Annotated[str | None, Query(description="who made it (name or alias)")] = None,
    about: Annotated[str | None, Query(description="whom or what it is about")] = None,
    stance: Stance | None = None,
    outlet: Annotated[str | None, Query(description="the publishing outlet")] = None,
    since: DateBound = None,
    until: DateBound = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    rows = corpus_store.claims(store, speaker=speaker, about=about, stance=stance,
                               outlet=outlet, since=since, until=until,
                               limit=offset + limit + 1)
    return {"items": rows[offset:offset + limit], "more": len(rows) > offset + limit,
            "total": None, "limit": limit, "offset": offset}


@router.get("/entities", response_model=EntityPage,
            summary="Entities whose name contains the words of q, most mentioned first")
def list_entities(store: StoreDep, q: str = "", limit: Limit = 50,
                  offset: Offset = 0) -> dict[str, Any]:
    items, total = corpus.find_entities(store, q, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/entities/{entity_id}", response_model=EntityOut,
            summary="An entity: aliases, roles, relations, claims made and about it")
def get_entity(store: StoreDep, entity_id: int) -> Any:
    report = corpus_store.entity(store, entity_id)
    if report is None:
        raise HTTPException(404, f"No entity has id {entity_id}; find one at /api/entities?q=.")
    return report


@router.get("/entities/{entity_id}/graph", response_model=GraphOut,
            summary="An entity's relations and who relayed whose claims, as a graph")
def get_entity_graph(store: StoreDep, entity_id: int) -> Any:
    return corpus.entity_graph(store, entity_id)


@router.get("/relations", response_model=RelationPage,
            summary="Relations between entities (spokesperson_of, leader_of, …)")
def list_relations(store: StoreDep, entity: int | None = None, predicate: str | None = None,
                   limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    items, total = corpus.relations_page(store, entity=entity, predicate=predicate,
                                         limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/disputes", response_model=DisputePage,
            summary="Disputes inside documents, then contested propositions across them")
def list_disputes(
    request: Request,
    store: StoreDep,
    document: Annotated[str | None, Query(pattern=r"^[0-9a-fA-F]{16,64}$")] = None,
    source: Annotated[str | None, Query(pattern=r"^(document|proposition)$",
                                        description='only "document" or "proposition"')
                      ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """In-document disputes (newest documents first), followed by the contested
    propositions (``source="proposition"``, graded; their ids are proposition ids)."""
    items: list[Any] = []
    total = 0
    if source in (None, "document"):
        items, total = disputes.disputes_page(store, document=document, limit=limit,
                                              offset=offset)
    if source in (None, "proposition") and document is None:
        contested = propositions.contested_disputes(propositions.ensure(request),
                                                    propositions.registry(request))
        start = max(0, offset - total)
        items += contested[start:start + limit - len(items)]
        total += len(contested)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/disputes/{dispute_id}", response_model=DisputeOut, summary="One dispute")
def get_dispute(store: StoreDep, dispute_id: int) -> Any:
    found = disputes.dispute(store, dispute_id)
    if found is None:
        raise HTTPException(404, f"No dispute has id {dispute_id}; list them at /api/disputes.")
    return found


@router.get("/propositions", response_model=PropositionPage,
            summary="Propositions across documents, contested first, each graded")
def list_propositions(
    request: Request,
    contested: Annotated[bool | None, Query(description="only contested (or uncontested)")
                         ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    store = propositions.ensure(request)
    items, total = propositions.propositions_page(store, propositions.registry(request),
                                                  contested=contested, limit=limit,
                                                  offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/propositions/{proposition_id}", response_model=PropositionOut,
            summary="One proposition: its grade, provenance tree and timeline")
def get_proposition(request: Request, proposition_id: int) -> Any:
    found = propositions.one(propositions.ensure(request), proposition_id,
                             propositions.registry(request))
    if found is None:
        raise HTTPException(404, f"No proposition has id {proposition_id}; "
                                 "list them at /api/propositions.")
    return found


@router.get("/search", response_model=SearchOut,
            summary='Full-text search: words, "phrases", OR, -excluded')
def search(store: StoreDep, q: Annotated[str, Query(min_length=1, max_length=500)],
           limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict[str, Any]:
    hits = corpus_store.search(store, q, limit=limit, mark=MARK)
    return {"query": q, "items": [{**vars(h), "snippet": plain(h.snippet)} for h in hits]}


@router.get("/stats", response_model=StatsOut, summary="What is in the store")
def get_stats(store: StoreDep) -> Any:
    return corpus_store.stats(store)


ARTICLE_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": ArticleIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "a .txt or .html article"},
        **{k: {"type": "string"} for k in ("text", "html", "title", "url", "outlet",
                                           "published")}}}},
}}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "The body is over the upload limit"},
    415: {"model": ErrorOut, "description": "The body is neither JSON nor a form"},
}


@router.post("/analyze", response_model=AnalysisOut, openapi_extra=ARTICLE_BODY,
             dependencies=[Depends(write_access)], responses=WRITE_ERRORS,
             summary="Analyse text, HTML or an uploaded file without storing it")
async def analyze(request: Request) -> Any:
    document, _ = await article_from_request(request, settings(request).max_upload)
    analysis = await run_in_threadpool(analyse, document)
    return analysis.to_dict()


@router.post("/ingest", response_model=IngestOut, status_code=201, openapi_extra=ARTICLE_BODY,
             dependencies=[Depends(write_access)], responses=WRITE_ERRORS,
             summary="Analyse and store text, HTML or an uploaded file (200 when known)")
async def ingest(request: Request, response: Response, store: StoreDep) -> dict[str, Any]:
    document, source = await article_from_request(request, settings(request).max_upload)
    done = await run_in_threadpool(ingest_document, store, document, source)
    if not done.stored:
        response.status_code = 200
    return {**vars(done), "url": request.app.url_path_for("reader", document_id=done.id)}
