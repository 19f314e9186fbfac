"""The web workbench and HTTP API: ``create_app()`` for an ASGI server, ``allege serve``."""

from .app import create_app

__all__ = ["create_app"]
