"""The moderation API under /api/v1/mod (CONTRACT.md), authenticated by bearer tokens."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("mod_api", __name__, url_prefix="/api/v1/mod")
