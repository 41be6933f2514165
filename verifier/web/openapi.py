"""The OpenAPI 3 document of the JSON API, generated from the views' schemas, and its docs page."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("openapi", __name__)
