"""Public pages: the check box, shareable verdict pages, message scans, the directory, about."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from verifier.core.check import check, detect_kind
from verifier.core.normalize import fold, is_unicode_text
from verifier.core.scan import MAX_SCAN_LENGTH, scan
from verifier.web.extensions import count_checks, current_index, store
from verifier.web.highlight import segments
from verifier.web.i18n import current_language

__all__ = ["bp"]

bp = Blueprint("pages", __name__)

#: Longer queries are refused on the page with a readable message (the API allows 10 000).
MAX_QUERY_CHARS = 2000


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    """The home page: one box, for a single value or a whole message."""
    return render_template("pages/home.html", text="")


@bp.get("/check")
def check_page():  # type: ignore[no-untyped-def]
    """The verdict for ``q``, at a link people can share."""
    query = request.args.get("q", "")
    if not fold(query):  # blank, or only invisible characters
        return render_template("pages/home.html", text="", problem="empty"), 400
    if len(query) > MAX_QUERY_CHARS:
        return render_template("pages/home.html", text="", problem="too_long"), 400
    index = current_index()
    # The platform a scanned message presented the value as, so that a finding's own page says
    # what the scan said. A slug the registry does not know is ignored, not an error.
    claimed = request.args.get("claimed") or None
    if claimed is not None and index.platform(claimed) is None:
        claimed = None
    verdict = check(
        query,
        index,
        region=current_app.config["VERIFIER_DEFAULT_REGION"],
        claimed=claimed,
        lang=current_language(),
    )
    count_checks(index, [verdict])
    shown = verdict.impersonates or verdict.platform
    return render_template(
        "pages/check.html",
        q=query,
        text=query,
        claimed=claimed,
        verdict=verdict,
        shown_platform=index.platform(shown.slug) if shown else None,
    )


@bp.get("/scan")
def scan_form():  # type: ignore[no-untyped-def]
    """The box to paste a whole message into."""
    return render_template("pages/scan.html", text="")


@bp.post("/scan")
def scan_page():  # type: ignore[no-untyped-def]
    """Every contact in a pasted message, marked in place, with the message's overall risk."""
    # Browsers send a textarea's line breaks as CRLF; count and show them as the person typed.
    text = request.form.get("text", "").replace("\r\n", "\n")
    if not is_unicode_text(text):  # a browser cannot post a lone surrogate; another client can
        return render_template("pages/scan.html", text="", problem="not_text"), 400
    if len(text) > MAX_SCAN_LENGTH:
        # The text stays in the box, so the person can cut it down to the part that matters.
        return render_template("pages/scan.html", text=text, problem="too_long"), 413
    if not fold(text):  # blank, or only invisible characters
        return render_template("pages/scan.html", text="", problem="empty"), 400
    single = _single_value(text)
    if single is not None:
        # One number or link: its verdict page, at an address people can share.
        return redirect(url_for("pages.check_page", q=single), 303)
    index = current_index()
    result = scan(
        text,
        index,
        region=current_app.config["VERIFIER_DEFAULT_REGION"],
        lang=current_language(),
    )
    count_checks(index, [finding.verdict for finding in result.findings])
    return render_template(
        "pages/scan.html",
        text=text,
        result=result,
        segments=segments(text, result.findings, result.mentions, result.patterns),
    )


def _single_value(text: str) -> str | None:
    """The value itself, when ``text`` is one phone number, link or address and nothing else.

    One word that reads as a value, or one line that reads as a phone number ("+86 400 820 8820"
    is one value even with its spaces).
    """
    value = text.strip()
    # splitlines, not "\n": a phone number's spaces may be any white space, line breaks too.
    if len(value) > MAX_QUERY_CHARS or len(value.splitlines()) != 1:
        return None
    kind = detect_kind(value)
    if kind == "phone" or (kind is not None and not any(c.isspace() for c in value)):
        return value
    return None


@bp.get("/platforms")
def platforms():  # type: ignore[no-untyped-def]
    """The searchable platform directory."""
    query = request.args.get("q", "")[:200]
    registry = store()
    return render_template(
        "pages/platforms.html",
        q=query,
        platforms=registry.platforms(query),
        tiers=registry.stats()["by_trust"],
    )


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
    return {
        "lang": lang,
        "other_lang": other,
        "lang_switch_url": switch,
        # "100 000": a space between thousands reads in both languages, unlike "," in Chinese.
        "max_scan_length": f"{MAX_SCAN_LENGTH:,}".replace(",", "\u00a0"),
    }
