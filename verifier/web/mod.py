"""The moderators' area under /mod: browse, propose, review, audit, triage reports."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("mod", __name__, url_prefix="/mod")
