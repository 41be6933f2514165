"""Public scam reports: POST /api/v1/reports and the "report this" form on result pages."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("reports", __name__)
