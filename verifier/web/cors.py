"""Cross-origin access to the JSON API for the origins in VERIFIER_CORS_ORIGINS."""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Allow the configured origins (filled in by the integrations work)."""
