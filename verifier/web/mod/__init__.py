"""The moderators' area under /mod: browse, propose, review, audit, triage reports.

Every view needs a login (one ``before_request`` guard for the whole blueprint, so a new view
cannot forget it). Views only gather and render: every change goes through the Moderation
service, which validates it and raises a ModerationError whose status the page answers with,
the form shown again with the message and what was typed. Nothing here commits a half-done
change: a refused operation is rolled back, a successful one committed.

The area is in English only: its users are a handful of moderators, and the service's own
messages, shown here as they are, are English.
"""

from __future__ import annotations

from verifier.web.mod import community, curation, review  # noqa: F401 -- their views register on bp
from verifier.web.mod.common import bp

__all__ = ["bp"]
