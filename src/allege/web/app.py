"""The web workbench and HTTP API over one store: ``create_app`` builds the FastAPI app.

Every response carries a strict Content-Security-Policy: scripts and styles only from the
package's own static files, no inline code, nothing from elsewhere. Pages are rendered by
Jinja2 with autoescaping, so article text is always written as text.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..corroborate.sources import Registry
from ..errors import AllegeError, ModelNotFound
from ..store import Store, connect
from . import api, pages
from .access import DEFAULT_MAX_UPLOAD, TOKEN_ENV, Settings, read_access
from .articles import BodyLimit
from .formatting import FILTERS

HERE = Path(__file__).parent
log = logging.getLogger(__name__)

CSP = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "font-src 'self'", "form-action 'self'", "base-uri 'none'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

DESCRIPTION = f"""\
Who claims what, according to whom, in a store of analysed news articles.

Reads are open to clients on this machine (loopback); other clients, and every `POST`,
need the header `Authorization: Bearer <token>` with the server's token (`{TOKEN_ENV}`).
Errors are JSON: `{{"error": "what went wrong and what to do", "status": 404}}`.
"""


def create_app(store_url: str | None = None, token: str | None = None,
               max_upload: int = DEFAULT_MAX_UPLOAD, *, store: Store | None = None,
               registry: Registry | None = None) -> FastAPI:
    """The workbench over the store at ``store_url`` (default: ``$ALLEGE_DB``, else the file).

    ``token`` guards writes (default: ``$ALLEGE_TOKEN``; with none, writes are refused);
    ``max_upload`` bounds request bodies, in bytes. A ``store`` already open may be given
    instead of its URL; it is then left open when the app stops. ``registry`` grades the
    sources (default: the analyst's registry file, re-read on each request).
    """
    owned = store is None
    opened = store if store is not None else connect(store_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            opened.close()

    app = FastAPI(
        title="allege", version=__version__, description=DESCRIPTION, lifespan=lifespan,
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
        dependencies=[Depends(read_access)],
    )
    app.state.store = opened
    app.state.settings = Settings(token if token is not None else os.environ.get(TOKEN_ENV),
                                  max_upload)
    app.state.registry = registry
    app.state.propositions = "unchecked"  # built on first need when the store has none
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _error_handlers(app)
    app.add_middleware(BodyLimit, limit=max_upload)
    app.add_middleware(SecurityHeaders)
    return app


def templates() -> Jinja2Templates:
    """The page templates, autoescaped whatever their file name."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    return Jinja2Templates(env=env)


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, and a last resort for errors.

    An unexpected error is logged and answered here, inside the headers, rather than by
    Starlette's outermost error handler, which would send it without them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name for name, _ in SECURITY_HEADERS}
                headers = [h for h in message.get("headers", []) if h[0].lower() not in names]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            log.exception("unexpected error on %s", scope.get("path"))
            if started:
                raise
            response = error_response(Request(scope), 500, "Something went wrong inside "
                                      "allege; the server's log has the details.")
            await response(scope, receive, with_headers)


def _status(error: AllegeError) -> int:
    """The HTTP status for one of allege's errors: the client's fault, unless no model."""
    return 503 if isinstance(error, ModelNotFound) else 400


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return error_response(request, error.status_code, str(error.detail), error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(_problem(e) for e in error.errors())
        return error_response(request, 422, f"Invalid request: {problems}.")

    @app.exception_handler(AllegeError)
    async def allege_error(request: Request, error: AllegeError) -> Response:
        return error_response(request, _status(error), str(error))


def _problem(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg"))


def error_response(request: Request, status: int, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    """JSON for the API, a page for a browser."""
    if request.url.path.startswith("/api") or request.url.path == "/openapi.json":
        return JSONResponse({"error": message, "status": status}, status, headers=headers)
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message},
        status_code=status, headers=headers)
