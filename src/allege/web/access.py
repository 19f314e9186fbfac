"""Who may read and who may write.

Reads are open to clients on the loopback interface; a client on another machine must show
the token, as every writer must. With no token configured, writes are refused outright.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from fastapi import HTTPException, Request

TOKEN_ENV = "ALLEGE_TOKEN"
DEFAULT_MAX_UPLOAD = 5 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """How the app was configured: the write token and the upload limit, in bytes."""

    token: str | None
    max_upload: int = DEFAULT_MAX_UPLOAD


def settings(request: Request) -> Settings:
    """The app's settings, as ``create_app`` stored them."""
    return request.app.state.settings


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or "localhost") is on the loopback interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def token_matches(given: str | None, token: str | None) -> bool:
    """Whether ``given`` is the configured token (compared in constant time)."""
    if not token or not given:
        return False
    return hmac.compare_digest(given.encode(), token.encode())


def bearer(request: Request) -> str | None:
    """The token in an ``Authorization: Bearer …`` header, if any."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


BEARER_HINT = "send the header 'Authorization: Bearer <token>'"


def check_token(given: str | None, token: str | None, action: str,
                hint: str = BEARER_HINT) -> None:
    """Raise 403 when no token is configured, 401 when ``given`` is not it.

    ``hint`` says how to give the token, in the 401's message.
    """
    if not token:
        raise HTTPException(403, f"{action} is disabled: this server has no token. Set "
                                 f"{TOKEN_ENV} in the server's environment and restart it.")
    if not token_matches(given, token):
        raise HTTPException(401, f"{action} needs the server's token (the value of "
                                 f"{TOKEN_ENV}): {hint}.",
                            headers={"WWW-Authenticate": "Bearer"})


def read_access(request: Request) -> None:
    """Dependency of every route: loopback clients read freely, others show the token."""
    client = request.client.host if request.client else None
    if not is_loopback(client):
        check_token(bearer(request), settings(request).token, "Reading from another machine")


def write_access(request: Request) -> None:
    """Dependency of every POST: storing, and analysing on request (it costs CPU)."""
    check_token(bearer(request), settings(request).token, "Writing")
