"""/mod community: community entries, most checked first, so review starts where people ask."""

from __future__ import annotations

from flask import abort, render_template, request

from registry.check_counts import community_entries_by_checks
from verifier.web.extensions import db_session
from verifier.web.mod.common import bp

#: Entries per page.
PAGE_SIZE = 100


@bp.get("/community")
def community():  # type: ignore[no-untyped-def]
    """Active community entries by how often people checked them."""
    page = request.args.get("page", "1")
    # Length first: int() of thousands of digits raises (Python's digit limit), a 500.
    if not (len(page) <= 6 and page.isascii() and page.isdigit()) or not 1 <= int(page) <= 100_000:
        abort(400)
    number = int(page)
    # One more than a page: whether there is a next one, without counting them all.
    entries = community_entries_by_checks(
        db_session(), limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE
    )
    return render_template(
        "mod/community.html",
        entries=entries[:PAGE_SIZE],
        page=number,
        more=len(entries) > PAGE_SIZE,
        first=(number - 1) * PAGE_SIZE + 1,
    )
