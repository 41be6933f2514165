"""The JSON API under /api/v1 (CONTRACT.md): checks, message scans, platforms, health."""

from __future__ import annotations

from typing import Any

import phonenumbers
from flask import Blueprint, current_app, jsonify, request

from verifier.core.check import KINDS, check
from verifier.core.index import Platform
from verifier.core.normalize import is_unicode_text
from verifier.core.scan import MAX_SCAN_LENGTH, scan
from verifier.core.verdict import Verdict
from verifier.web.errors import ApiError
from verifier.web.extensions import (
    RETRY_AFTER_SECONDS,
    IndexHolder,
    RegistryUnavailable,
    count_checks,
    current_index,
    store,
)
from verifier.web.i18n import current_language

__all__ = ["bp", "health_bp", "platform_dict"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
health_bp = Blueprint("health", __name__)

MAX_BATCH = 1000
MAX_VALUE_CHARS = 10_000
_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


def _text_field(
    body: dict[str, Any], key: str, *, required: bool = False, limit: int = MAX_VALUE_CHARS
) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise ApiError(400, "missing_field", f"'{key}' is required")
        return None
    if not isinstance(value, str):
        raise ApiError(400, "bad_field", f"'{key}' must be a string")
    if len(value) > limit:
        raise ApiError(413, "too_large", f"'{key}' is longer than {limit} characters")
    if not is_unicode_text(value):
        # A lone surrogate echoed back in the verdict's "input" cannot be encoded: that used to
        # answer 500.
        raise ApiError(400, "bad_field", f"'{key}' is not valid Unicode text")
    return value


def _options(kind: str | None, region: str | None, claimed: str | None) -> dict[str, Any]:
    """Validate the optional check parameters shared by GET, POST and batch."""
    kind = kind or "auto"
    if kind not in ("auto", *KINDS):
        raise ApiError(400, "bad_field", f"'kind' must be auto or one of {', '.join(KINDS)}")
    region = (region or current_app.config["VERIFIER_DEFAULT_REGION"]).upper()
    if region not in _REGIONS:
        raise ApiError(400, "bad_field", "'region' must be a two-letter region code such as CN")
    if claimed and current_index().platform(claimed) is None:
        raise ApiError(400, "unknown_platform", "'claimed_platform' names no registered platform")
    return {"kind": kind, "region": region, "claimed": claimed or None}


def _check(value: str, options: dict[str, Any]) -> Verdict:
    index = current_index()
    verdict = check(value, index, lang=current_language(), **options)
    count_checks(index, [verdict])
    return verdict


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", "send a JSON body (Content-Type: application/json)"
        )
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        # silent=True swallows only ValueError; 100 000 nested "[" (100 kB, well under the body
        # limit) exhaust the JSON decoder's recursion limit instead, which used to answer 500.
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    return body


@bp.get("/check")
def check_get():  # type: ignore[no-untyped-def]
    """Check one value given in the query string.
    ---
    get:
      parameters:
        - name: q
          in: query
          required: true
          description: The value to check.
          schema: {type: string, maxLength: 10000}
          example: '95588'
        - name: kind
          in: query
          allowEmptyValue: true
          description: What the value is; auto (the default) guesses.
          schema: {type: string, enum: [auto, phone, url, email, handle]}
        - name: region
          in: query
          allowEmptyValue: true
          description: Region for numbers written without a country code (default CN).
          schema: {type: string, pattern: '^[A-Za-z]{2}$'}
        - name: claimed
          in: query
          allowEmptyValue: true
          description: The slug of the platform the value is presented as belonging to.
          schema: {type: string}
        - name: claimed_platform
          in: query
          allowEmptyValue: true
          description: Another name for claimed.
          schema: {type: string}
        - name: lang
          in: query
          allowEmptyValue: true
          description: The language of the messages, zh or en; otherwise Accept-Language decides.
          schema: {type: string}
      responses:
        200:
          description: The verdict.
          content:
            application/json:
              schema: VerdictSchema
        400: BadRequest
        413: TooLarge
    """
    # A plain dict of first values: a MultiDict's get() of a missing key builds (and drops) a
    # BadRequestKeyError, several per request otherwise.
    args = request.args.to_dict()
    value = _text_field(args, "q", required=True)
    assert value is not None  # noqa: S101 -- required above
    options = _options(
        args.get("kind"), args.get("region"), args.get("claimed") or args.get("claimed_platform")
    )
    return jsonify(_check(value, options).to_dict())


@bp.post("/check")
def check_post():  # type: ignore[no-untyped-def]
    """Check one value given as JSON.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: CheckRequestSchema
            example: {input: 'https://icbc.com.cn.example.top/', claimed_platform: icbc}
      responses:
        200:
          description: The verdict.
          content:
            application/json:
              schema: VerdictSchema
    """
    body = _json_body()
    value = _text_field(body, "input", required=True)
    assert value is not None  # noqa: S101 -- required above
    options = _options(
        _text_field(body, "kind"),
        _text_field(body, "region"),
        _text_field(body, "claimed_platform"),
    )
    return jsonify(_check(value, options).to_dict())


@bp.post("/check/batch")
def check_batch():  # type: ignore[no-untyped-def]
    """Check up to 1000 values, in order.

    Items may mix kinds; each is a string or a check request. One bad item refuses the batch,
    with its position in the message.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: BatchRequestSchema
      responses:
        200:
          description: One verdict per item, in input order.
          content:
            application/json:
              schema: BatchSchema
    """
    body = _json_body()
    items = body.get("items")
    if not isinstance(items, list):
        raise ApiError(400, "missing_field", "'items' must be a list")
    if len(items) > MAX_BATCH:
        raise ApiError(413, "too_large", f"at most {MAX_BATCH} items per batch")
    # One index and one language for the whole batch: every verdict of it comes from the same
    # registry version, and neither is looked up a thousand times.
    index, lang = current_index(), current_language()
    verdicts = []
    for position, item in enumerate(items):
        if isinstance(item, str):
            item = {"input": item}
        if not isinstance(item, dict):
            raise ApiError(400, "bad_field", f"items[{position}] must be a string or an object")
        try:
            value = _text_field(item, "input", required=True)
            options = _options(
                _text_field(item, "kind"),
                _text_field(item, "region"),
                _text_field(item, "claimed_platform"),
            )
        except ApiError as error:
            raise ApiError(
                error.status, error.code, f"items[{position}]: {error.message}"
            ) from None
        assert value is not None  # noqa: S101 -- required above
        verdicts.append(check(value, index, lang=lang, **options))
    # Counted once the whole batch is accepted: a refused batch answered nothing.
    count_checks(index, verdicts)
    return jsonify({"results": [verdict.to_dict() for verdict in verdicts]})


@bp.post("/scan")
def scan_post():  # type: ignore[no-untyped-def]
    """Scan a whole message: every contact in it, whom it claims to be, and the overall risk.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: ScanRequestSchema
      responses:
        200:
          description: The scan object.
          content:
            application/json:
              schema: ScanSchema
    """
    body = _json_body()
    text = _text_field(body, "text", required=True, limit=MAX_SCAN_LENGTH)
    assert text is not None  # noqa: S101 -- required above
    region = _options(None, _text_field(body, "region"), None)["region"]
    index = current_index()
    result = scan(text, index, region=region, lang=current_language())
    count_checks(index, [finding.verdict for finding in result.findings])
    return jsonify(result.to_dict())


def platform_dict(platform: Platform, lang: str, *, with_channels: bool) -> dict[str, Any]:
    """A platform as the API shows it."""
    out: dict[str, Any] = {
        "slug": platform.slug,
        "name": platform.name(lang),
        "names": {"zh": platform.name_zh, "en": platform.name_en},
        "aliases": list(platform.aliases),
        "category": platform.category,
        "country": platform.country,
        "phone_support": platform.phone_support,
        "trust": platform.trust,
    }
    if with_channels:
        out["channels"] = [
            {
                "kind": c.kind,
                "value": c.value,
                "label": c.label(lang),
                "status": c.status,
                **({"scope": c.scope} if c.kind == "domain" else {}),
                "source": c.source,
                "verified_on": c.verified_on,
                "trust": c.trust,
            }
            for c in platform.channels
        ]
    return out


@bp.get("/platforms")
def platforms_list():  # type: ignore[no-untyped-def]
    """List platforms, optionally those matching ``q``.
    ---
    get:
      parameters:
        - name: q
          in: query
          description: Part of a name, an alias or a slug.
          schema: {type: string, maxLength: 10000}
      responses:
        200:
          description: The matching platforms, without their channels.
          content:
            application/json:
              schema: PlatformListSchema
        400: BadRequest
        413: TooLarge
    """
    query = _text_field(dict(request.args), "q") or ""
    lang = current_language()
    return jsonify(
        {
            "platforms": [
                platform_dict(p, lang, with_channels=False) for p in store().platforms(query[:200])
            ]
        }
    )


@bp.get("/platforms/<slug>")
def platform_detail(slug: str):  # type: ignore[no-untyped-def]
    """One platform with its channels.
    ---
    get:
      parameters:
        - name: slug
          in: path
          required: true
          schema: {type: string, minLength: 1, pattern: '^[^/]+$'}
          example: icbc
      responses:
        200:
          description: The platform.
          content:
            application/json:
              schema: PlatformDetailSchema
    """
    platform = store().platform(slug)
    if platform is None:
        raise ApiError(404, "not_found", f"no platform '{slug[:64]}'")
    return jsonify(platform_dict(platform, current_language(), with_channels=True))


@health_bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Liveness and the registry version this worker answers from.
    ---
    get:
      responses:
        200:
          description: >-
            The worker answers checks. ``status`` is ``degraded`` (with ``registry: stale``) when
            the database cannot be reached and the checks come from the index the worker holds.
          content:
            application/json:
              schema: HealthSchema
        503:
          description: The database cannot be reached and the worker has no index to answer from.
          content:
            application/json:
              schema: HealthSchema
    """
    # Degraded is still 200: every worker shares the one database, so a 503 here would have the
    # load balancer take all of them out at once, although each still answers checks correctly.
    # Monitoring alerts on "status"; a 503 means this worker really cannot answer.
    holder: IndexHolder = current_app.extensions["verifier.index"]
    try:
        version = holder.get().version
    except RegistryUnavailable as exc:
        response = jsonify(
            {
                "status": "unavailable",
                "registry_version": None,
                "registry": "unavailable",
                "error": exc.reason,
            }
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, 503
    staleness = holder.staleness
    if staleness is None:
        return jsonify({"status": "ok", "registry_version": version})
    return jsonify(
        {
            "status": "degraded",
            "registry_version": version,
            "registry": "stale",
            "stale_since": staleness.since.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "error": staleness.error,
        }
    )
