"""Per-client rate limits (Flask-Limiter)."""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Set up the limiter (filled in by the reports work)."""
