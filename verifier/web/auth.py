"""Moderator accounts on the web: Flask-Login sessions, the login and logout pages."""

from __future__ import annotations

from flask import Blueprint, Flask

__all__ = ["bp", "init_app"]

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    """Set up the login manager (filled in by the moderation work)."""
