"""The workbench's pages: server-rendered views of the same queries the API serves."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from .. import store as corpus_store
from ..errors import AllegeError
from ..model import STANCES
from . import corpus, disputes, propositions, reader
from .access import check_token, settings
from .api import DocumentId, StoreDep
from .articles import article_from_request, ingest_document
from .formatting import MARK

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
BOARD_CAP = 2000  # claims sorted on the board at once; narrow the filters past that
SORTS = {
    "published": lambda c: c.published or "",
    "speaker": lambda c: (c.speaker_entity or c.speaker or "").lower(),
    "outlet": lambda c: (c.outlet or "").lower(),
    "stance": lambda c: c.stance,
    "confidence": lambda c: c.confidence,
}
Page = Annotated[int, Query(ge=1, le=10_000)]
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """A page from its template, with the context given."""
    return request.app.state.templates.TemplateResponse(request, name, context,
                                                        status_code=status_code)


def pager(page: int, total: int | None, size: int = PAGE_SIZE, more: bool = False
          ) -> dict[str, Any]:
    """What the pagination links need: this page, the last one, whether there is a next."""
    last = max(1, -(-total // size)) if total is not None else None
    return {"page": page, "last": last,
            "next": page < last if last is not None else more, "previous": page > 1}


@router.get("/")
def home(request: Request, store: StoreDep) -> Response:
    documents, _ = corpus.documents_page(store, limit=8)
    recent, _ = disputes.disputes_page(store, limit=5)
    return render(request, "index.html", stats=corpus_store.stats(store),
                  documents=documents, disputes=recent)


@router.get("/documents")
def documents(request: Request, store: StoreDep, page: Page = 1) -> Response:
    items, total = corpus.documents_page(store, limit=PAGE_SIZE,
                                         offset=(page - 1) * PAGE_SIZE)
    return render(request, "documents.html", documents=items, total=total,
                  pager=pager(page, total), params={})


@router.get("/documents/{document_id}", name="reader")
def read_document(request: Request, store: StoreDep, document_id: DocumentId) -> Response:
    analysis = corpus.document_analysis(store, document_id)
    if analysis is None:
        raise HTTPException(404, f"No stored document has id {document_id}.")
    graded = propositions.claim_grades(propositions.ensure(request),
                                       propositions.registry(request),
                                       document=analysis["document"]["id"])
    grades = {local: g for (doc, local), g in graded.items()
              if doc == analysis["document"]["id"]}
    return render(request, "reader.html", analysis=analysis, document=analysis["document"],
                  grades=grades,
                  pieces=reader.pieces(analysis["document"]["text"], analysis["claims"]),
                  panels=reader.panels(analysis))


@router.get("/claims")
def claims_board(
    request: Request, store: StoreDep,
    speaker: str | None = None, about: str | None = None, stance: str | None = None,
    outlet: str | None = None, since: str | None = None, until: str | None = None,
    grade: str | None = None, sort: str = "published", order: str = "desc", page: Page = 1,
) -> Response:
    filters = {"speaker": speaker, "about": about, "stance": stance, "outlet": outlet,
               "since": since, "until": until}
    filters = {k: (v.strip() if v else None) or None for k, v in filters.items()}
    for bound in ("since", "until"):
        value = filters[bound]
        if value and not DATE.fullmatch(value):
            raise HTTPException(422, f"{bound.capitalize()} must be a date: YYYY, YYYY-MM or "
                                     f"YYYY-MM-DD, not {value!r}.")
    sort = sort if sort in SORTS else "published"
    rows = corpus_store.claims(store, limit=BOARD_CAP, **filters)
    graded = propositions.claim_grades(propositions.ensure(request),
                                       propositions.registry(request))
    grades = {(c.document, c.claim): graded[(c.document, c.claim)]
              for c in rows if (c.document, c.claim) in graded}
    grade_options = sorted({g.grade for g in graded.values()})
    grade = (grade or "").strip().upper() or None
    if grade:
        rows = [c for c in rows if _grade_matches(grades.get((c.document, c.claim)), grade)]
    rows.sort(key=SORTS[sort], reverse=order != "asc")
    start = (page - 1) * PAGE_SIZE
    return render(
        request, "claims.html", claims=rows[start:start + PAGE_SIZE], total=len(rows),
        capped=len(rows) >= BOARD_CAP, pager=pager(page, len(rows)), stances=STANCES,
        outlets=list(corpus_store.stats(store).by_outlet), grade_filter=grade, grades=grades,
        grade_options=grade_options, sort=sort,
        order="asc" if order == "asc" else "desc",
        params={**filters, "sort": sort, "order": order, "grade": grade},
    )


@router.get("/disputes")
def dispute_list(request: Request, store: StoreDep, page: Page = 1) -> Response:
    items, total = disputes.disputes_page(store, limit=PAGE_SIZE,
                                          offset=(page - 1) * PAGE_SIZE)
    contested = propositions.contested_disputes(propositions.ensure(request),
                                                propositions.registry(request))
    return render(request, "disputes.html", disputes=items, total=total,
                  contested=contested if page == 1 else [], contested_total=len(contested),
                  pager=pager(page, total), params={})


@router.get("/propositions/{proposition_id}", name="proposition")
def proposition_page(request: Request, proposition_id: int) -> Response:
    found = propositions.one(propositions.ensure(request), proposition_id,
                             propositions.registry(request))
    if found is None:
        raise HTTPException(404, f"No proposition has id {proposition_id}.")
    return render(request, "proposition.html", proposition=found)


@router.get("/disputes/{dispute_id}", name="dispute")
def dispute_page(request: Request, store: StoreDep, dispute_id: int) -> Response:
    found = disputes.dispute(store, dispute_id)
    if found is None:
        raise HTTPException(404, f"No dispute has id {dispute_id}.")
    return render(request, "dispute.html", dispute=found)


@router.get("/entities")
def entity_list(request: Request, store: StoreDep, q: str = "", page: Page = 1) -> Response:
    items, total = corpus.find_entities(store, q, limit=PAGE_SIZE,
                                        offset=(page - 1) * PAGE_SIZE)
    return render(request, "entities.html", entities=items, total=total, q=q,
                  pager=pager(page, total), params={"q": q})


@router.get("/entities/{entity_id}", name="entity")
def entity_page(request: Request, store: StoreDep, entity_id: int) -> Response:
    report = corpus_store.entity(store, entity_id)
    if report is None:
        raise HTTPException(404, f"No entity has id {entity_id}.")
    links, _ = corpus.relations_page(store, entity=entity_id, limit=200)
    return render(request, "entity.html", entity=report, relations=links)


@router.get("/search")
def search_page(request: Request, store: StoreDep,
                q: Annotated[str, Query(max_length=500)] = "") -> Response:
    hits = corpus_store.search(store, q, limit=50, mark=MARK) if q.strip() else []
    return render(request, "search.html", q=q, search_q=q, hits=hits)


@router.get("/add")
def add_form(request: Request) -> Response:
    return render(request, "add.html", form={}, error=None,
                  max_upload=settings(request).max_upload,
                  has_token=bool(settings(request).token))


@router.post("/add")
async def add_article(request: Request, store: StoreDep) -> Response:
    limit = settings(request).max_upload
    form = await request.form(max_part_size=limit)
    kept = {k: v for k, v in form.items() if isinstance(v, str) and k != "token"}
    try:
        token = form.get("token")
        check_token(token if isinstance(token, str) else None, settings(request).token,
                    "Adding an article", hint="enter it in the Token field")
        document, source = await article_from_request(request, limit)
        done = await run_in_threadpool(ingest_document, store, document, source)
    except (HTTPException, AllegeError) as error:
        status = error.status_code if isinstance(error, HTTPException) else 400
        message = error.detail if isinstance(error, HTTPException) else str(error)
        return render(request, "add.html", status_code=status, form=kept, error=message,
                      max_upload=limit, has_token=bool(settings(request).token))
    target = request.app.url_path_for("reader", document_id=done.id)
    return RedirectResponse(target, status_code=303)


def _grade_matches(found: propositions.ClaimGrade | None, wanted: str) -> bool:
    """A grade filter: "none" (ungraded), a code ("F4"), a letter ("F") or a digit ("4")."""
    if wanted == "NONE":
        return found is None
    if found is None:
        return False
    return found.grade == wanted or wanted in (found.grade[0], found.grade[1:])


@router.get("/docs")
def api_reference(request: Request) -> Response:
    schema = request.app.openapi()
    routes = [(method.upper(), path, op.get("summary", ""))
              for path, ops in schema["paths"].items() for method, op in ops.items()]
    return render(request, "docs.html", routes=routes)
