"""The JSON shapes the API shares (CONTRACT.md): errors, verdicts, scans, platforms.

These marshmallow schemas declare what the views answer; the OpenAPI document
(:mod:`verifier.web.openapi`) names them by class name in the views' docstrings. They describe,
they do not serialise: the views build their answers with the core's ``to_dict``. A module's own
shapes (moderation, reports) sit at the top of that module instead.

Objects allow properties beyond those listed (``unknown = EXCLUDE`` leaves
``additionalProperties`` unset): the contract lets us add fields, and a client must not break
when we do.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from verifier.core.check import KINDS
from verifier.core.index import TRUSTS
from verifier.core.scan import MAX_SCAN_LENGTH
from verifier.core.verdict import RISKS, VERDICTS
from verifier.web.api import MAX_BATCH, MAX_VALUE_CHARS

__all__ = [
    "REQUEST_KINDS",
    "ApiSchema",
    "BatchRequestSchema",
    "BatchSchema",
    "ChannelSchema",
    "CheckRequestSchema",
    "ErrorSchema",
    "FindingSchema",
    "HealthSchema",
    "OfficialChannelSchema",
    "PlatformDetailSchema",
    "PlatformListSchema",
    "PlatformRefSchema",
    "PlatformSchema",
    "ScanRequestSchema",
    "ScanSchema",
    "VerdictSchema",
    "kind_field",
    "region_field",
]

#: The values ``kind`` may take in a request: ``auto`` (or empty) lets the verifier choose.
REQUEST_KINDS = ("", "auto", *KINDS)
CHANNEL_KINDS = ("phone", "domain", "email", "wechat", "weibo", "app")


class ApiSchema(Schema):
    """Base of every API shape: further properties are allowed (see the module docstring)."""

    class Meta:
        unknown = EXCLUDE


def _text(description: str, **kwargs: object) -> fields.String:
    return fields.String(metadata={"description": description}, **kwargs)  # type: ignore[arg-type]


#: What ``trust`` means wherever it is shown.
TRUST_DESCRIPTION = (
    "`verified` (reviewed by moderators) or `community` (from a community data set, not yet "
    "reviewed: never answered as official)."
)


def trust_field(
    description: str = TRUST_DESCRIPTION, *, required: bool = True, allow_none: bool = False
) -> fields.String:
    """A ``trust`` tier field (:data:`~verifier.core.index.TRUSTS`)."""
    return fields.String(
        required=required,
        allow_none=allow_none,
        validate=validate.OneOf(TRUSTS),
        metadata={"description": description},
    )


def _offset(description: str) -> fields.Integer:
    return fields.Integer(
        required=True, validate=validate.Range(min=0), metadata={"description": description}
    )


def region_field() -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^([A-Za-z]{2})?$"),
        metadata={
            "description": "Region for numbers written without a country code, e.g. CN; empty "
            "or null means the server's default. A code the phone-number library does not know "
            "is refused with 400."
        },
    )


def kind_field() -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.OneOf(REQUEST_KINDS),
        metadata={"description": "What the value is; `auto`, empty or null guesses."},
    )


# --- errors --------------------------------------------------------------------------------------


class ErrorDetailSchema(ApiSchema):
    code = _text("A stable snake_case code, e.g. `bad_field` or `rate_limited`.", required=True)
    message = _text("What went wrong, for people.", required=True)


class ErrorSchema(ApiSchema):
    """Every error the API answers: ``{"error": {"code", "message"}}``."""

    error = fields.Nested(ErrorDetailSchema, required=True)


# --- the verdict object --------------------------------------------------------------------------


class PlatformRefSchema(ApiSchema):
    """A platform as a verdict names it."""

    slug = _text("Stable identifier, `[a-z0-9-]+`.", required=True)
    name = _text("Display name in the request's language.", required=True)


class ReasonSchema(ApiSchema):
    code = _text("Stable snake_case code.", required=True)
    message = _text("The reason in the request's language.", required=True)


class OfficialChannelSchema(ApiSchema):
    """A channel to use instead."""

    kind = fields.String(required=True, validate=validate.OneOf(CHANNEL_KINDS))
    value = _text("The normalised value, as in the registry.", required=True)
    label = _text("What the channel is, in the request's language (may be empty).", required=True)
    display = _text("The value written for people, e.g. `+86 400 820 8820`.", required=True)
    trust = trust_field()


class VerdictSchema(ApiSchema):
    """The verdict object of CONTRACT.md: what the verifier answers for one value."""

    input = _text("The value as submitted.", required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    normalized = _text(
        "E.164 for phones (short numbers as digits), the canonical URL, the lower-case address; "
        "null when the verdict is `invalid`.",
        required=True,
        allow_none=True,
    )
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    risk = fields.String(required=True, validate=validate.OneOf(RISKS))
    platform = fields.Nested(
        PlatformRefSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The platform whose official channel this is."},
    )
    impersonates = fields.Nested(
        PlatformRefSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The platform this imitates or is presented as."},
    )
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    official_channels = fields.List(fields.Nested(OfficialChannelSchema), required=True)
    registry_version = fields.Integer(required=True)
    trust = trust_field(
        "The trust tier of the registry entry that names `platform`: `verified`, or `community` "
        "when only a community data set lists the value (the verdict is then `unverified`, never "
        "`official`); null when no entry matched.",
        allow_none=True,
    )


class CheckRequestSchema(ApiSchema):
    """One value to check; only ``input`` is required."""

    input = _text(
        "A phone number, link, e-mail address or account name.",
        required=True,
        validate=validate.Length(max=MAX_VALUE_CHARS),
    )
    kind = kind_field()
    region = region_field()
    claimed_platform = _text(
        "The slug of the platform the value is presented as belonging to.",
        allow_none=True,
        validate=validate.Length(max=MAX_VALUE_CHARS),
    )


class BatchRequestSchema(ApiSchema):
    items = fields.List(
        # A string or a check request: marshmallow has no union field, so the alternatives are
        # written as the JSON Schema they are.
        fields.Raw(
            metadata={
                "oneOf": [
                    {"type": "string", "maxLength": MAX_VALUE_CHARS},
                    {"$ref": "#/components/schemas/CheckRequest"},
                ]
            }
        ),
        required=True,
        validate=validate.Length(max=MAX_BATCH),
        metadata={"description": f"At most {MAX_BATCH} values or check requests, mixed."},
    )


class BatchSchema(ApiSchema):
    results = fields.List(
        fields.Nested(VerdictSchema),
        required=True,
        metadata={"description": "One verdict per item, in input order."},
    )


# --- the scan object -----------------------------------------------------------------------------


class FindingSchema(VerdictSchema):
    """A contact found in the text: its span, whom the text presents it as, and its verdict."""

    start = _offset("Code-point offset of the contact in the text as submitted.")
    end = _offset("Offset just past the contact (exclusive).")
    text = _text("The contact as written.", required=True)
    claimed_platform = _text(
        "The slug of the platform the text presents the contact as belonging to.",
        required=True,
        allow_none=True,
    )


class MentionSchema(ApiSchema):
    """A platform named in the text outside the contacts."""

    start = _offset("Code-point offset of the name.")
    end = _offset("Offset just past the name (exclusive).")
    text = _text("The name as written.", required=True)
    platform = fields.Nested(PlatformRefSchema, required=True)


class PatternSchema(ApiSchema):
    """A scam pattern found in the text, located by its first cue (an extension)."""

    code = _text("Stable snake_case code of the pattern.", required=True)
    start = _offset("Code-point offset of the first cue.")
    end = _offset("Offset just past the cue (exclusive).")
    text = _text("The cue as written.", required=True)
    message = _text("The pattern explained, in the request's language.", required=True)


class ScanPlatformSchema(ApiSchema):
    """A platform mentioned, claimed or imitated, with the channels to use (an extension)."""

    slug = _text("Stable identifier.", required=True)
    name = _text("Display name in the request's language.", required=True)
    official_channels = fields.List(fields.Nested(OfficialChannelSchema), required=True)


class ScanSchema(ApiSchema):
    """The scan object of CONTRACT.md, with ``patterns`` and ``platforms`` as extensions."""

    risk = fields.String(required=True, validate=validate.OneOf(RISKS))
    findings = fields.List(fields.Nested(FindingSchema), required=True)
    mentions = fields.List(fields.Nested(MentionSchema), required=True)
    patterns = fields.List(fields.Nested(PatternSchema), required=True)
    platforms = fields.List(fields.Nested(ScanPlatformSchema), required=True)
    registry_version = fields.Integer(required=True)


class ScanRequestSchema(ApiSchema):
    text = _text(
        "The message or page as received.",
        required=True,
        validate=validate.Length(max=MAX_SCAN_LENGTH),
    )
    region = region_field()


# --- platforms -----------------------------------------------------------------------------------


class NamesSchema(ApiSchema):
    zh = fields.String(required=True)
    en = fields.String(required=True, metadata={"description": "May be empty."})


class ChannelSchema(ApiSchema):
    """One channel of a platform, as the platform endpoint shows it."""

    kind = fields.String(required=True, validate=validate.OneOf(CHANNEL_KINDS))
    value = _text("The normalised value.", required=True)
    label = _text("In the request's language (may be empty).", required=True)
    status = fields.String(required=True, validate=validate.OneOf(("active", "retired")))
    scope = fields.String(
        validate=validate.OneOf(("subdomains", "exact")),
        metadata={"description": "Domains only: the host and those below it, or the host alone."},
    )
    source = _text("Where the channel was verified (a URL).", required=True)
    verified_on = _text("ISO date of the last verification.", required=True)
    trust = trust_field()


class PlatformSchema(ApiSchema):
    """A registered platform."""

    slug = _text("Stable identifier, `[a-z0-9-]+`.", required=True)
    name = _text("Display name in the request's language.", required=True)
    names = fields.Nested(NamesSchema, required=True)
    aliases = fields.List(fields.String(), required=True)
    category = fields.String(required=True)
    country = fields.String(required=True)
    phone_support = fields.String(
        required=True, validate=validate.OneOf(("listed", "none", "unknown"))
    )
    trust = trust_field()


class PlatformDetailSchema(PlatformSchema):
    """A platform with its channels."""

    channels = fields.List(fields.Nested(ChannelSchema), required=True)


class PlatformListSchema(ApiSchema):
    platforms = fields.List(fields.Nested(PlatformSchema), required=True)


class HealthSchema(ApiSchema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(("ok", "degraded", "unavailable")),
        metadata={
            "description": "ok; degraded: answering from an older index, the database is "
            "unreachable; unavailable: no index and no database (HTTP 503)."
        },
    )
    registry_version = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The registry version this worker answers from."},
    )
    registry = fields.String(
        validate=validate.OneOf(("stale", "unavailable")),
        metadata={"description": "Present when the database cannot be reached."},
    )
    stale_since = fields.String(
        metadata={"description": "When the version could first not be read (ISO 8601, UTC)."}
    )
    error = fields.String(metadata={"description": "The database failure, in one line."})
