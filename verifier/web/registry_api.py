"""The public registry for programs: the offline snapshot and the hash-prefix lookup."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("registry_api", __name__, url_prefix="/api/v1")
