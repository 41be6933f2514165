"""The declared API (verifier.web.openapi): the OpenAPI document, its docs page, and a
schemathesis run that holds every answer of the app to it.

The module shares one app on one database holding the small registry, two moderators with API
tokens, one pending proposal and one report group, so the moderation endpoints have something
to find. The rate limits are raised for the module: the run sends hundreds of requests from one
address, and a 429 would hide what the endpoint itself answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from moderators import seed_review_queue
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig
from small_registry import open_app

from registry.moderation import Moderation
from verifier.web import create_app
from verifier.web.extensions import app_session
from verifier.web.limits import limiter
from verifier.web.openapi import build_document, is_documented_rule

MODERATION = "/api/v1/mod/"


@pytest.fixture(scope="module")
def app(module_small_database_url: str) -> Iterator[Flask]:
    """One app for the module, with limits no test run reaches."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VERIFIER_RATE_LIMIT", "100000/minute")
        env.setenv("VERIFIER_REPORT_RATE_LIMIT", "100000/minute")
        with open_app(module_small_database_url) as app:
            limiter.reset()
            yield app
    limiter.reset()


@pytest.fixture(scope="module")
def token(app: Flask) -> str:
    """Alice's API token; Bob proposed a channel and someone reported a number."""
    with app_session(app) as session:
        moderation = Moderation(session)
        seed_review_queue(moderation)
        found = moderation.new_token("alice")
        session.commit()
    return found


@pytest.fixture(scope="module")
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    return body


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- the document --------------------------------------------------------------------------------


def test_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["info"]["title"] == "Contact Verifier API"
    assert document["info"]["version"]
    assert document["servers"] == [{"url": "/"}]


def test_document_is_built_once_per_app(app: Flask, client: FlaskClient) -> None:
    client.get("/api/v1/openapi.json")
    first = app.extensions["verifier.openapi"]
    client.get("/api/v1/openapi.json")
    assert app.extensions["verifier.openapi"] is first


def test_every_api_route_and_method_is_documented(app: Flask, document: dict[str, Any]) -> None:
    declared = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if not is_documented_rule(rule):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", f"{{{name}}}")
        path = _without_converters(path)
        routed |= {(path, m) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    assert ("/healthz", "GET") in routed
    assert routed == declared


def _without_converters(path: str) -> str:
    import re

    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", path)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def _resolve(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    ref = response.get("$ref")
    if ref is None:
        return response
    resolved: dict[str, Any] = document["components"]["responses"][ref.rsplit("/", 1)[1]]
    return resolved


def test_every_operation_documents_an_error_response(document: dict[str, Any]) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in _operations(document):
        errors = [
            _resolve(document, response)["content"]["application/json"]["schema"]
            for status, response in operation["responses"].items()
            if status.startswith("4")
        ]
        assert error in errors, (method, path)
        too_many = _resolve(document, operation["responses"]["429"])
        assert "Retry-After" in too_many["headers"], (method, path)


def test_every_operation_has_a_summary_and_no_operation_is_undocumented(
    document: dict[str, Any],
) -> None:
    for path, method, operation in _operations(document):
        assert operation["summary"], (method, path)
        # A route added without YAML still appears, marked; none of ours should be.
        assert not operation.get("x-undocumented"), (method, path)


def test_moderation_needs_a_bearer_token_and_the_api_key_is_optional(
    document: dict[str, Any],
) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert schemes["apiKeyAuth"]["in"] == "header"
    assert schemes["apiKeyAuth"]["name"] == "X-API-Key"
    for path, method, operation in _operations(document):
        if path.startswith(MODERATION):
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
        elif operation["tags"][0] in ("api", "registry_api"):
            # What verifier.web.limits counts by key, and where a wrong key is refused.
            assert {} in operation["security"], (method, path)
            assert {"apiKeyAuth": []} in operation["security"], (method, path)
            assert "401" in operation["responses"], (method, path)
        else:
            assert "security" not in operation, (method, path)


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ("Verdict", "normalized"),  # null when the verdict is invalid
        ("Verdict", "platform"),  # null when the value is no platform's channel
        ("Verdict", "impersonates"),
        ("Finding", "claimed_platform"),
        ("Proposal", "decided_at"),  # null while pending
    ],
)
def test_nullable_fields_allow_null(document: dict[str, Any], schema: str, field: str) -> None:
    declared = document["components"]["schemas"][schema]["properties"][field]
    assert {"type": "null"} in declared.get("anyOf", []) or "null" in declared.get("type", [])


def test_verdict_enums_come_from_the_core(document: dict[str, Any]) -> None:
    from verifier.core.check import KINDS
    from verifier.core.verdict import RISKS, VERDICTS

    verdict = document["components"]["schemas"]["Verdict"]["properties"]
    assert verdict["verdict"]["enum"] == list(VERDICTS)
    assert verdict["risk"]["enum"] == list(RISKS)
    assert verdict["kind"]["enum"] == list(KINDS)


# --- the docs page -------------------------------------------------------------------------------


def test_docs_page_lists_every_operation_without_script(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script" not in html
    for path, method, operation in _operations(document):
        assert f"{method.upper()} {path}" in html
        assert operation["summary"].replace("'", "&#39;") in html
    assert 'id="schema-Verdict"' in html


# --- schemathesis --------------------------------------------------------------------------------


def _document_without_a_database() -> dict[str, Any]:
    """The document as an app builds it; schemathesis needs it when pytest collects the tests,
    before any fixture exists, and building it touches no database."""
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": "sqlite://",
            "VERIFIER_SETUP_ON_START": False,
        }
    )
    try:
        return build_document(app)
    finally:
        app.extensions["verifier.engine"].dispose()


CHECKS = SchemathesisConfig.from_dict(
    {
        "checks": {
            # A schema-valid request may still be refused with 400: no schema can say which slugs
            # are registered, which strings are contacts or which proposal applies cleanly.
            "positive_data_acceptance": {"enabled": False},
            # Invalid requests are still generated and must get a documented answer, never a 5xx;
            # but the API need not refuse each: like most HTTP APIs it ignores parameters it does
            # not know, reads the first of a repeated one, and falls back from an unknown `lang`.
            "negative_data_rejection": {"enabled": False},
        }
    }
)

# schemathesis.pytest.from_fixture would load the document from the app fixture, but its lazy
# tests set a private attribute pytest 9.2 no longer has; the test points each operation's
# schema at the module's app instead.
schema = schemathesis.openapi.from_dict(_document_without_a_database(), config=CHECKS)


def test_collected_document_is_the_served_one(document: dict[str, Any]) -> None:
    assert schema.raw_schema == document


def test_405_names_the_allowed_methods(client: FlaskClient) -> None:
    response = client.put("/api/v1/check")
    assert response.status_code == 405
    assert set(response.headers.get("Allow", "").replace(" ", "").split(",")) >= {"GET", "POST"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    # The fixtures are module-scoped: one app serves every example, on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_matches_the_document(case: Any, app: Flask, token: str) -> None:
    # The checks that send requests of their own (a probe without the token, say) go where
    # the schema's app is.
    case.operation.schema.app = app
    # No operation is excluded: the moderation endpoints get a valid token, so they are
    # exercised past authentication rather than answering 401 to everything.
    headers = {"Authorization": f"Bearer {token}"} if case.path.startswith(MODERATION) else {}
    # The snapshot is gzipped when the client accepts it, which the WSGI transport would not
    # undo before reading the body; the gzip itself is the snapshot tests' business.
    headers["Accept-Encoding"] = "identity"
    case.call_and_validate(headers=headers, app=app)
