"""Public pages: the check box, shareable verdict pages, the platform directory, about."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from verifier.core.check import check
from verifier.core.normalize import fold
from verifier.web.extensions import current_index, store
from verifier.web.i18n import current_language

__all__ = ["bp"]

bp = Blueprint("pages", __name__)

#: Longer queries are refused on the page with a readable message (the API allows 10 000).
MAX_QUERY_CHARS = 2000


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    """The home page: one box."""
    return render_template("pages/home.html", q="")


@bp.get("/check")
def check_page():  # type: ignore[no-untyped-def]
    """The verdict for ``q``, at a link people can share."""
    query = request.args.get("q", "")
    if not fold(query):  # blank, or only invisible characters
        return render_template("pages/home.html", q="", problem="empty"), 400
    if len(query) > MAX_QUERY_CHARS:
        return render_template("pages/home.html", q="", problem="too_long"), 400
    index = current_index()
    verdict = check(
        query, index, region=current_app.config["VERIFIER_DEFAULT_REGION"], lang=current_language()
    )
    shown = verdict.impersonates or verdict.platform
    return render_template(
        "pages/check.html",
        q=query,
        verdict=verdict,
        shown_platform=index.platform(shown.slug) if shown else None,
    )


@bp.get("/platforms")
def platforms():  # type: ignore[no-untyped-def]
    """The searchable platform directory."""
    query = request.args.get("q", "")[:200]
    return render_template("pages/platforms.html", q=query, platforms=store().platforms(query))


@bp.get("/platforms/<slug>")
def platform(slug: str):  # type: ignore[no-untyped-def]
    """One platform's official channels, with source and date."""
    found = store().platform(slug)
    if found is None:
        abort(404)
    return render_template("pages/platform.html", platform=found)


@bp.get("/about")
def about():  # type: ignore[no-untyped-def]
    """How verdicts are reached and what "unverified" means."""
    return render_template("pages/about.html", stats=store().stats())


@bp.app_context_processor
def inject_language() -> dict[str, object]:
    lang = current_language()
    other = "en" if lang == "zh" else "zh"
    args = {**(request.view_args or {}), **request.args.to_dict(), "lang": other}
    endpoint = request.endpoint if request.endpoint and request.url_rule else "pages.home"
    try:
        switch = url_for(endpoint, **args)
    except Exception:
        switch = url_for("pages.home", lang=other)
    return {"lang": lang, "other_lang": other, "lang_switch_url": switch}
