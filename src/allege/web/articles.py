"""Articles sent to the server: a request body -> Document -> analysis, stored or not.

A body is JSON (:class:`~allege.web.schemas.ArticleIn`), a form, or a multipart upload
with a ``file`` part. Its size is bounded by :class:`BodyLimit` before anything parses it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import PurePath

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..analysis import analyze_documents
from ..errors import InputError
from ..model import Analysis, Document
from ..read import HTML_SUFFIXES, read_bytes
from ..store import Store, is_stored, save_analysis
from ..store.schema import claims, documents
from .schemas import ArticleIn

METADATA = ("title", "url", "outlet", "published")


class BodyTooLarge(HTTPException):
    """The request body is over the server's limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit:,} bytes; "
                              "send a smaller article, or start the server with a larger "
                              "max_upload.")


class BodyLimit:
    """ASGI middleware: a body over ``limit`` bytes fails with 413 when it is read."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        too_large = declared.isdigit() and int(declared) > self.limit
        received = 0

        async def limited() -> Message:
            nonlocal received
            if too_large:
                raise BodyTooLarge(self.limit)
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


async def article_from_request(request: Request, limit: int) -> tuple[Document, str]:
    """The document a request sends, and a name for where it came from."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data, filename = None, None
    if kind == "application/json":
        try:
            article = ArticleIn.model_validate_json(await request.body())
        except ValidationError as error:
            raise RequestValidationError(error.errors()) from None
    elif kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form(max_part_size=limit)
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            data, filename = await upload.read(), upload.filename
        fields = {k: v for k in ("text", "html", *METADATA)
                  if isinstance(v := form.get(k), str) and v.strip()}
        article = ArticleIn(**fields)
    else:
        raise HTTPException(415, "Send the article as JSON ({\"text\": …} or {\"html\": …}), "
                                 "as a form, or as a multipart upload with a file part.")
    return document_from(article, data, filename)


def document_from(article: ArticleIn, data: bytes | None = None,
                  filename: str | None = None) -> tuple[Document, str]:
    """A Document from exactly one of text, HTML or a file's bytes, with the metadata given."""
    given = [name for name, value in (("text", article.text), ("html", article.html),
                                      ("file", data)) if value]
    if len(given) != 1:
        raise InputError("Give exactly one of text, html or file "
                         f"(got {', '.join(given) or 'none'}).")
    if article.text:
        document, source = read_bytes(article.text.encode("utf-8"), name="text",
                                      html=False), "web: text"
    elif article.html:
        document, source = read_bytes(article.html.encode("utf-8"), name="html",
                                      html=True), "web: html"
    else:
        assert data is not None
        name = PurePath(filename or "upload").name
        html = True if PurePath(name).suffix.lower() in HTML_SUFFIXES else None
        document, source = read_bytes(data, name=name, html=html), f"web: {name}"
    changes = {k: v for k in METADATA if (v := getattr(article, k))}
    return dataclasses.replace(document, **changes), source


def analyse(document: Document) -> Analysis:
    """The analysis of one document (English only; others come back without claims)."""
    if document.language != "en":
        return Analysis(document)
    return next(analyze_documents([document]))


@dataclass(frozen=True)
class Ingested:
    """What became of an ingested document."""

    id: str
    stored: bool
    status: str
    claims: int


def ingest_document(store: Store, document: Document, source: str) -> Ingested:
    """Analyse and store one document, as ``allege ingest`` does; known texts are kept as is."""
    if is_stored(store, document):
        return Ingested(document.id, False, "known", _claim_count(store, document))
    if document.language != "en":
        save_analysis(store, Analysis(document), status="non_english", source=source)
        return Ingested(document.id, True, "non_english", 0)
    analysis = analyse(document)
    stored = save_analysis(store, analysis, source=source)
    return Ingested(document.id, stored, "analysed", len(analysis.claims))


def _claim_count(store: Store, document: Document) -> int:
    with store.read() as conn:
        return conn.scalar(select(func.count(claims.c.id))
                           .join(documents, documents.c.id == claims.c.document_id)
                           .where(documents.c.hash == document.hash)) or 0
