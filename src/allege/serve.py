"""``allege serve``: the web workbench and HTTP API, run by uvicorn."""

from __future__ import annotations

import logging

from .web.access import TOKEN_ENV, is_loopback

log = logging.getLogger(__name__)


def serve(host: str = "127.0.0.1", port: int = 8700, db: str | None = None, *,
          token: str | None = None) -> None:
    """Serve the store at ``db`` (default: ``$ALLEGE_DB``, else the default file) until stopped.

    Loopback by default. On any other address, readers on other machines must show the token
    (``$ALLEGE_TOKEN`` unless ``token`` is given), as writers always must.
    """
    import uvicorn

    from .web import create_app

    app = create_app(db, token=token)
    if not is_loopback(host):
        log.warning("Serving on %s: clients on other machines need the token for every "
                    "request%s.", host, "" if app.state.settings.token else
                    f", and none is set ({TOKEN_ENV}), so they are refused")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
