"""The public registry for programs: the offline snapshot, its changes, and the hash-prefix lookup.

Both answers depend only on the registry version, never on who asks or in which language, so
they are built once per version in each worker (memoised on the :class:`RegistryIndex`) and
cached by browsers and shared caches alike (``Cache-Control: public``, a strong ``ETag``, 304).
The platform endpoints of :mod:`verifier.web.api` get the same headers from :func:`cache_hook`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from marshmallow import fields, validate

from registry.store import RegistryChanges
from verifier.core.index import (
    BlockEntry,
    Channel,
    Platform,
    RegistryIndex,
    ReviewedDomain,
)
from verifier.core.link import InvalidLink, normalize_link
from verifier.web.errors import ApiError
from verifier.web.extensions import current_index, store
from verifier.web.schemas import ApiSchema, trust_field

__all__ = ["Encoded", "LookupSchema", "SnapshotSchema", "bp", "lookup_table", "snapshot_payload"]

bp = Blueprint("registry_api", __name__, url_prefix="/api/v1")

#: Seconds a snapshot or lookup answer may be reused without asking: registry changes are rare,
#: and a shared cache in front of many extensions then absorbs their polling; after that a
#: client revalidates with its ETag for a 304 of a few bytes.
REGISTRY_MAX_AGE = 300
#: Platform answers change with the same approvals but are read by people as well as programs.
PLATFORM_MAX_AGE = 60
PLATFORM_ENDPOINTS = frozenset({"api.platforms_list", "api.platform_detail"})
_PREFIX = re.compile(r"[0-9a-fA-F]{8}")
_SINCE = re.compile(r"[0-9]{1,18}")


# --- schemas (they describe the answers for the OpenAPI document; they do not serialise) --------


class SnapshotNamesSchema(ApiSchema):
    zh = fields.String(required=True)
    en = fields.String(required=True, metadata={"description": "May be empty."})


class SnapshotChannelSchema(ApiSchema):
    kind = fields.String(required=True)
    value = fields.String(required=True, metadata={"description": "The normalised value."})
    label = fields.Nested(SnapshotNamesSchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf(("active", "retired")))
    scope = fields.String(
        validate=validate.OneOf(("subdomains", "exact")), metadata={"description": "Domains only."}
    )
    trust = trust_field()


class SnapshotPlatformSchema(ApiSchema):
    slug = fields.String(required=True)
    name = fields.Nested(SnapshotNamesSchema, required=True)
    aliases = fields.List(fields.String(), required=True)
    category = fields.String(required=True)
    country = fields.String(required=True)
    phone_support = fields.String(required=True)
    channels = fields.List(fields.Nested(SnapshotChannelSchema), required=True)
    trust = trust_field()


class SnapshotBlockEntrySchema(ApiSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("phone", "domain", "url")))
    value = fields.String(required=True)
    impersonates = fields.String(required=True, allow_none=True)


class SnapshotBlockKeySchema(ApiSchema):
    kind = fields.String(required=True)
    value = fields.String(required=True)


class SnapshotReviewedSchema(ApiSchema):
    value = fields.String(required=True)
    resembles = fields.String(required=True, allow_none=True)


class SnapshotSchema(ApiSchema):
    """The public registry, or (with ``since``) what changed after a version."""

    registry_version = fields.Integer(required=True)
    since = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "null for the whole registry; else the version asked about."},
    )
    platforms = fields.List(fields.Nested(SnapshotPlatformSchema), required=True)
    blocklist = fields.List(fields.Nested(SnapshotBlockEntrySchema), required=True)
    reviewed = fields.List(fields.Nested(SnapshotReviewedSchema), required=True)
    platforms_removed = fields.List(fields.String(), metadata={"description": "With since only."})
    blocklist_removed = fields.List(
        fields.Nested(SnapshotBlockKeySchema), metadata={"description": "With since only."}
    )
    reviewed_removed = fields.List(fields.String(), metadata={"description": "With since only."})


class LookupPlatformSchema(ApiSchema):
    slug = fields.String(required=True)
    name = fields.Nested(SnapshotNamesSchema, required=True)


class LookupEntrySchema(ApiSchema):
    sha256 = fields.String(required=True, validate=validate.Regexp("^[0-9a-f]{64}$"))
    host = fields.String(required=True)
    verdict = fields.String(
        required=True, validate=validate.OneOf(("official", "retired", "known_scam", "unverified"))
    )
    platform = fields.Nested(LookupPlatformSchema, required=True, allow_none=True)
    impersonates = fields.Nested(LookupPlatformSchema, required=True, allow_none=True)
    scope = fields.String(
        required=True,
        validate=validate.OneOf(("subdomains", "exact", "url")),
        metadata={
            "description": "subdomains: the host and every host below it (hash each parent "
            "domain too); exact: this host only; url: only the link in `url`."
        },
    )
    url = fields.String(metadata={"description": "The blocklisted link (scope url only)."})
    reviewed = fields.Boolean(
        metadata={"description": "True when moderators found the site is no impersonation."}
    )
    trust = trust_field(
        "Registry domains only: `verified`, or `community` (verdict `unverified`: a community "
        "domain list gives the host to `platform`).",
        required=False,
    )


class LookupSchema(ApiSchema):
    entries = fields.List(fields.Nested(LookupEntrySchema), required=True)


# --- building the answers (once per registry version) --------------------------------------------


@dataclass(frozen=True, slots=True)
class Encoded:
    """A JSON body as sent plain and gzipped; each has its own strong ETag of its exact bytes."""

    plain: bytes
    gzipped: bytes

    @classmethod
    def of(cls, payload: Any) -> Encoded:
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # mtime=0: the same registry gives the same bytes, so the same ETag, in every worker.
        return cls(plain, gzip.compress(plain, compresslevel=9, mtime=0))


def _names(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _channel(c: Channel) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": c.kind,
        "value": c.value,
        "label": _names(c.label_zh, c.label_en),
        "status": c.status,
        "trust": c.trust,
    }
    if c.kind == "domain":
        out["scope"] = c.scope
    return out


def _platform(p: Platform) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": _names(p.name_zh, p.name_en),
        "aliases": list(p.aliases),
        "category": p.category,
        "country": p.country,
        "phone_support": p.phone_support,
        "channels": [_channel(c) for c in p.channels],
        "trust": p.trust,
    }


# Public fields only: a block entry's evidence (it may name a report number) and a review's note
# and source are the moderators' working material; the check API words them for people.
def _block(b: BlockEntry) -> dict[str, Any]:
    return {"kind": b.kind, "value": b.value, "impersonates": b.impersonates}


def _reviewed(r: ReviewedDomain) -> dict[str, Any]:
    return {"value": r.value, "resembles": r.resembles}


def snapshot_payload(index: RegistryIndex) -> dict[str, Any]:
    """The whole public registry of ``index`` (the ``GET /api/v1/snapshot`` body)."""
    return {
        "registry_version": index.version,
        "since": None,
        "platforms": [_platform(p) for p in sorted(index.platforms, key=lambda p: p.slug)],
        "blocklist": [_block(b) for b in sorted(index.blocklist, key=lambda b: (b.kind, b.value))],
        "reviewed": [_reviewed(r) for r in index.reviewed_domains],
    }


def _changes_payload(changes: RegistryChanges) -> dict[str, Any]:
    return {
        "registry_version": changes.version,
        "since": changes.since,
        "platforms": [_platform(p) for p in changes.platforms],
        "platforms_removed": list(changes.removed_platforms),
        "blocklist": [_block(b) for b in changes.blocklist],
        "blocklist_removed": [{"kind": k, "value": v} for k, v in changes.removed_blocklist],
        "reviewed": [_reviewed(r) for r in changes.reviewed],
        "reviewed_removed": list(changes.removed_reviewed),
    }


def _ref(index: RegistryIndex, slug: str | None) -> dict[str, Any] | None:
    if slug is None:
        return None
    found = index.platform(slug)
    # A block entry keeps its slug when the platform is removed: still name what it imitated.
    return {"slug": slug, "name": _names(found.name_zh, found.name_en) if found else _names("", "")}


def _host_entries(index: RegistryIndex) -> Iterator[dict[str, Any]]:
    """Every host the registry knows, in the order a check consults them: the blocklist, then
    official domains, then reviewed domains."""
    for entry in sorted(index.blocklist, key=lambda b: (b.kind, b.value)):
        if entry.kind == "domain":
            yield {
                "host": entry.value,
                "verdict": "known_scam",
                "platform": None,
                "impersonates": _ref(index, entry.impersonates),
                "scope": "subdomains",
            }
        elif entry.kind == "url":
            try:
                host = normalize_link(entry.value).host
            except InvalidLink:
                continue
            # A link is blocklisted instead of its host when the host is shared (a free hosting
            # suffix, a shortener): the client must match the link, not condemn the host.
            yield {
                "host": host,
                "verdict": "known_scam",
                "platform": None,
                "impersonates": _ref(index, entry.impersonates),
                "scope": "url",
                "url": entry.value,
            }
    for platform in index.platforms:
        for channel in platform.channels:
            if channel.kind == "domain":
                if channel.trust == "community":
                    # Listed by a community domain list only: named, never called official.
                    verdict = "unverified" if channel.status == "active" else "retired"
                else:
                    verdict = "official" if channel.status == "active" else "retired"
                yield {
                    "host": channel.value,
                    "verdict": verdict,
                    "platform": _ref(index, platform.slug),
                    "impersonates": None,
                    "scope": channel.scope,
                    "trust": channel.trust,
                }
    for review in index.reviewed_domains:
        # CONTRACT's verdicts have no "reviewed": a reviewed site is unverified, flagged.
        yield {
            "host": review.value,
            "verdict": "unverified",
            "platform": None,
            "impersonates": None,
            "scope": "subdomains",
            "reviewed": True,
        }


def lookup_table(index: RegistryIndex) -> dict[str, tuple[dict[str, Any], ...]]:
    """Every host entry of ``index`` keyed by the first 8 hex digits of its host's SHA-256."""
    table: dict[str, list[dict[str, Any]]] = {}
    for entry in _host_entries(index):
        digest = hashlib.sha256(entry["host"].encode("utf-8")).hexdigest()
        table.setdefault(digest[:8], []).append({"sha256": digest, **entry})
    return {prefix: tuple(entries) for prefix, entries in table.items()}


# --- HTTP caching ---------------------------------------------------------------------------------


def _conditional(response: Response, max_age: int) -> Response:
    """Mark ``response`` cacheable by anyone for ``max_age`` seconds, give it a strong ETag of
    its body unless it has one, and turn it into a 304 when the client's copy is current."""
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if response.get_etag()[0] is None:
        response.add_etag()
    # If-None-Match (a list, *, W/ tags) compared weakly, as RFC 9110 prescribes for GET;
    # the response becomes the 304 in place.
    response.make_conditional(request)
    return response


def _send(body: Encoded) -> Response:
    """``body`` gzipped when the client accepts gzip, else plain, as a cacheable answer."""
    zipped = request.accept_encodings["gzip"] > 0
    data = body.gzipped if zipped else body.plain
    response = Response(data, mimetype="application/json")
    if zipped:
        response.content_encoding = "gzip"
    response.vary.add("Accept-Encoding")
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    return _conditional(response, REGISTRY_MAX_AGE)


@bp.after_app_request
def cache_hook(response: Response) -> Response:
    """Cache headers and 304s for ``GET /api/v1/platforms`` and ``/api/v1/platforms/<slug>``."""
    if (
        request.endpoint in PLATFORM_ENDPOINTS
        and request.method in ("GET", "HEAD")
        and response.status_code == 200
    ):
        # Names and labels follow the request's language: ?lang= (in the URL), the language
        # cookie, or Accept-Language.
        response.vary.update(("Accept-Language", "Cookie"))
        return _conditional(response, PLATFORM_MAX_AGE)
    return response


# --- views ----------------------------------------------------------------------------------------


@bp.get("/snapshot")
def snapshot():  # type: ignore[no-untyped-def]
    """The public registry for offline use, or what changed since a version.

    Platforms with their names, aliases and channels, the blocklist and the reviewed domains
    (public fields only), with `registry_version`. Gzipped when `Accept-Encoding` allows it; each
    encoding has its own strong `ETag`. With `since=N` only what changed after version N: added
    or changed entries whole, removed ones by key (`*_removed`); `since` equal to the current
    version gives empty lists. A `since` that is not a whole number answers 400 `bad_field`;
    one older than the change history or newer than the registry answers 400
    `since_unavailable`: fetch the whole snapshot again.
    ---
    get:
      parameters:
        - {name: since, in: query, required: false, schema: {type: integer, minimum: 0},
           description: A registry_version the client holds.}
        - {name: If-None-Match, in: header, required: false, schema: {type: string},
           description: The ETag of the copy the client holds.}
      responses:
        200:
          description: The registry, or its changes since `since`.
          headers:
            ETag: {schema: {type: string}, description: Strong; one per encoding.}
            Cache-Control: {schema: {type: string}}
          content:
            application/json:
              schema: SnapshotSchema
        304:
          description: The client's copy (If-None-Match) is current.
        400: BadRequest
        429: TooManyRequests
    """
    since_text = request.args.get("since")
    if since_text is None:
        index = current_index()
        return _send(
            index.memo("registry_api.snapshot", lambda: Encoded.of(snapshot_payload(index)))
        )
    if not _SINCE.fullmatch(since_text):
        raise ApiError(400, "bad_field", "'since' must be a registry_version, a whole number")
    since = int(since_text)
    registry = store()
    version, oldest = registry.version(), registry.changes_tracked_since()
    if since > version:
        raise ApiError(
            400,
            "since_unavailable",
            f"'since' is newer than the registry (version {version}): fetch the whole snapshot",
        )
    if since < oldest:
        raise ApiError(
            400,
            "since_unavailable",
            f"changes are known from version {oldest} on: fetch the whole snapshot",
        )
    return _send(Encoded.of(_changes_payload(registry.changes(since))))


@bp.get("/lookup/<prefix>")
def lookup(prefix: str):  # type: ignore[no-untyped-def]
    """The registry's hosts whose SHA-256 starts with a prefix, so a site is checked unrevealed.

    `prefix` is the first 8 hex digits of the SHA-256 of a canonical host name (lower case,
    punycode, no trailing dot); upper-case digits are accepted. The client compares the full
    hashes itself: the server never learns which host was meant. To cover subdomains, look up
    the host and each domain above it, and apply an entry whose `scope` is `subdomains` to
    hosts below its own. No entry: `{"entries": []}`.
    ---
    get:
      parameters:
        - {name: prefix, in: path, required: true,
           schema: {type: string, pattern: '^[0-9a-fA-F]{8}$'}}
        - {name: If-None-Match, in: header, required: false, schema: {type: string}}
      responses:
        200:
          description: Every registry, blocklist or reviewed host under the prefix.
          headers:
            ETag: {schema: {type: string}}
            Cache-Control: {schema: {type: string}}
          content:
            application/json:
              schema: LookupSchema
        304:
          description: The client's copy (If-None-Match) is current.
        400: BadRequest
        429: TooManyRequests
    """
    if not _PREFIX.fullmatch(prefix):
        raise ApiError(
            400, "bad_field", "the prefix must be the first 8 hex digits of a host's SHA-256"
        )
    index = current_index()
    table = index.memo("registry_api.lookup", lambda: lookup_table(index))
    entries = list(table.get(prefix.lower(), ()))
    # A few hundred bytes at most: not worth compressing.
    response = Response(
        json.dumps({"entries": entries}, ensure_ascii=False), mimetype="application/json"
    )
    return _conditional(response, REGISTRY_MAX_AGE)
