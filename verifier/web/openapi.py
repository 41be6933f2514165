"""The OpenAPI 3 document of the JSON API, generated from the views' schemas, and its docs page.

The document is built by apispec from the app's url_map: every route under /api/ and /healthz.
Each JSON view's docstring is its summary line, an optional description, then ``---`` and YAML
keyed by HTTP method whose ``schema:`` entries name marshmallow schema classes
(:mod:`verifier.web.schemas`, or the view module's own). What every operation of a kind shares is
added here rather than repeated in each docstring:

- ``429`` with ``Retry-After`` on every operation (the rate limits cover the whole API);
- ``400``, ``413`` and ``415`` on every operation that takes a JSON body;
- ``404`` on every operation with a path parameter (a value the route refuses is not found);
- the bearer scheme and ``401`` under /api/v1/mod; the optional ``X-API-Key`` and its ``401``
  (a key the server does not know) on the public API that verifier.web.limits counts by key.

A route whose view has no YAML still appears, with a minimal operation marked
``x-undocumented``, so the document never silently drops an endpoint.
"""

from __future__ import annotations

import re
from copy import deepcopy
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.utils import dedent, trim_docstring
from apispec.yaml_utils import load_operations_from_docstring
from flask import Blueprint, Flask, current_app, jsonify, render_template
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

# Imported for its side effect too: the docstrings name these classes, which marshmallow's class
# registry resolves only once they are defined.
from verifier.web import schemas

__all__ = ["bp", "document", "is_documented_rule"]

bp = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.1.0"
TITLE = "Contact Verifier API"
MOD_PREFIX = "/api/v1/mod/"
#: The blueprints whose requests verifier.web.limits counts by X-API-Key (and refuses a wrong one).
API_KEY_BLUEPRINTS = frozenset({"api", "registry_api"})
_METHODS = ("get", "post", "put", "patch", "delete")
_ARGUMENT = re.compile(r"<(?:[^>:]+:)?([^>]+)>")

_ERROR = {"application/json": {"schema": schemas.ErrorSchema}}

#: The error answers, by name: a docstring may write ``404: NotFound``.
ERROR_RESPONSES: dict[str, tuple[int, dict[str, Any]]] = {
    "BadRequest": (400, {"description": "A malformed or missing field.", "content": _ERROR}),
    "Unauthorized": (
        401,
        {
            "description": (
                "No valid credentials: a moderator's `Authorization: Bearer <token>`, or an "
                "`X-API-Key` this server does not know."
            ),
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
            "content": _ERROR,
        },
    ),
    "Forbidden": (403, {"description": "Not allowed for this user.", "content": _ERROR}),
    "NotFound": (404, {"description": "No such resource.", "content": _ERROR}),
    "Conflict": (409, {"description": "The state changed meanwhile.", "content": _ERROR}),
    "TooLarge": (413, {"description": "The body or a field is too large.", "content": _ERROR}),
    "UnsupportedMediaType": (
        415,
        {
            "description": "The body is not JSON (`Content-Type: application/json`).",
            "content": _ERROR,
        },
    ),
    "TooManyRequests": (
        429,
        {
            "description": "Rate limited; try again after `Retry-After` seconds.",
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before the next request.",
                    "schema": {"type": "integer", "minimum": 0},
                }
            },
            "content": _ERROR,
        },
    ),
    "Unavailable": (503, {"description": "Temporarily unavailable.", "content": _ERROR}),
}
_BY_STATUS = {str(status): name for name, (status, _response) in ERROR_RESPONSES.items()}


def is_documented_rule(rule: Rule) -> bool:
    """Whether the route belongs in the document: the JSON API and the health check."""
    return rule.rule.startswith("/api/") or rule.rule == "/healthz"


class FlaskRoutePlugin(BasePlugin):
    """Paths and operations from a Werkzeug rule and its view's docstring.

    apispec's own Flask plugin lives in apispec-webframeworks; this is the same idea in a few
    lines, plus path parameters read from the rule's converters and the shared responses above.
    """

    def path_helper(
        self,
        path: str | None = None,
        operations: dict[str, Any] | None = None,
        parameters: list[dict[str, Any]] | None = None,
        *,
        rule: Rule | None = None,
        app: Flask | None = None,
        **_kwargs: Any,
    ) -> str | None:
        if rule is None or app is None or operations is None or parameters is None:
            return None
        view = app.view_functions[rule.endpoint]
        summary, description, declared = _read_docstring(view.__doc__ or "")
        methods = [m for m in _METHODS if m.upper() in (rule.methods or ())]
        path_parameters = _path_parameters(rule)
        parameters.extend(path_parameters)
        for method in methods:
            operation = deepcopy(declared.get(method)) or _undocumented(rule.endpoint)
            operation.setdefault("summary", summary or rule.endpoint)
            if description:
                operation.setdefault("description", description)
            operation.setdefault(
                "operationId", rule.endpoint if len(methods) == 1 else f"{rule.endpoint}.{method}"
            )
            operation.setdefault("tags", [rule.endpoint.partition(".")[0]])
            _add_shared(
                operation,
                rule.rule,
                has_path_parameters=bool(path_parameters),
                keyed=rule.endpoint.partition(".")[0] in API_KEY_BLUEPRINTS,
            )
            operations[method] = operation
        return _ARGUMENT.sub(r"{\1}", rule.rule)


def _read_docstring(docstring: str) -> tuple[str, str, dict[str, Any]]:
    """The summary line, the description before ``---`` and the operations after it."""
    prose = re.split(r"^\s*---", trim_docstring(docstring), maxsplit=1, flags=re.M)[0]
    # reStructuredText's ``code`` is Markdown's `code` in OpenAPI's descriptions.
    summary, _, description = prose.strip().replace("``", "`").partition("\n")
    return summary.strip(), dedent(description).strip(), load_operations_from_docstring(docstring)


def _undocumented(endpoint: str) -> dict[str, Any]:
    return {
        "x-undocumented": True,
        "responses": {"200": {"description": f"Success ({endpoint} declares no schema yet)."}},
    }


def _path_parameters(rule: Rule) -> list[dict[str, Any]]:
    found = []
    for name in _ARGUMENT.findall(rule.rule):
        converter = rule._converters[name]
        schema: dict[str, Any]
        if isinstance(converter, NumberConverter):
            schema = {"type": "integer" if converter.num_convert is int else "number"}
            low = converter.min if converter.min is not None else (None if converter.signed else 0)
            if low is not None:
                schema["minimum"] = low
            if converter.max is not None:
                schema["maximum"] = converter.max
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        found.append({"name": name, "in": "path", "required": True, "schema": schema})
    return found


def _add_shared(
    operation: dict[str, Any], path: str, *, has_path_parameters: bool, keyed: bool
) -> None:
    responses: dict[str, Any] = {str(k): v for k, v in operation.get("responses", {}).items()}
    wanted = ["429"]
    if "requestBody" in operation:
        wanted += ["400", "413", "415"]
    if has_path_parameters:
        wanted.append("404")
    if path.startswith(MOD_PREFIX):
        wanted.append("401")
        operation.setdefault("security", [{"bearerAuth": []}])
    elif keyed:
        wanted.append("401")
        # The key is optional: an empty requirement means "no credentials" is as good.
        operation.setdefault("security", [{}, {"apiKeyAuth": []}])
    for status in wanted:
        responses.setdefault(status, _BY_STATUS[status])
    operation["responses"] = dict(sorted(responses.items()))


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document for ``app``'s routes."""
    spec = APISpec(
        title=TITLE,
        version=_version(),
        openapi_version=OPENAPI_VERSION,
        plugins=[FlaskRoutePlugin(), MarshmallowPlugin()],
        servers=[{"url": "/"}],
        info={
            "description": (
                "Checks whether a phone number, link or address is the official channel of the "
                'company it claims to be. Errors are always `{"error": {"code", "message"}}`.'
            )
        },
    )
    spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A moderator's API token (`verifier users token NAME`).",
        },
    )
    spec.components.security_scheme(
        "apiKeyAuth",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "Optional: an integration's key, for its own, higher rate limits.",
        },
    )
    for name, (_status, response) in ERROR_RESPONSES.items():
        spec.components.response(name, deepcopy(response))
    # Named up front so BatchRequestSchema's hand-written reference finds it.
    spec.components.schema("CheckRequest", schema=schemas.CheckRequestSchema)
    rules = sorted(
        (r for r in app.url_map.iter_rules() if is_documented_rule(r)),
        key=lambda r: (r.rule, sorted(r.methods or ())),
    )
    for rule in rules:
        spec.path(rule=rule, app=app)
    return spec.to_dict()


def _version() -> str:
    try:
        return package_version("contact-verifier")
    except PackageNotFoundError:  # a source tree run without installing
        return "0.0.0"


def document(app: Flask) -> dict[str, Any]:
    """The document, built on first use and kept on the app (the routes do not change)."""
    cached: dict[str, Any] | None = app.extensions.get("verifier.openapi")
    if cached is None:
        cached = app.extensions["verifier.openapi"] = build_document(app)
    return cached


@bp.get("/api/v1/openapi.json")
def openapi_json():  # type: ignore[no-untyped-def]
    """The OpenAPI 3 document of this API.
    ---
    get:
      responses:
        200:
          description: This document.
          content:
            application/json:
              schema:
                type: object
    """
    return jsonify(document(current_app._get_current_object()))  # type: ignore[attr-defined]


@bp.get("/api/docs")
def docs_page():  # type: ignore[no-untyped-def]
    """The API reference for people, rendered from the OpenAPI document.
    ---
    get:
      responses:
        200:
          description: An HTML page.
          content:
            text/html:
              schema:
                type: string
    """
    spec = document(current_app)
    return render_template(
        "pages/api_docs.html", spec=spec, operations=_operations(spec), schemas=_schemas(spec)
    )


# --- the docs page -------------------------------------------------------------------------------


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation flattened for the template: references resolved to names."""
    found = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody")
            found.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "security": [
                        name for option in operation.get("security", []) for name in option
                    ],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_name(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in (*shared, *operation.get("parameters", []))
                    ],
                    "body": _content_type_name(body) if body else None,
                    "responses": [
                        _response_row(spec, status, response)
                        for status, response in operation["responses"].items()
                    ],
                }
            )
    return found


def _schemas(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each named schema with its properties, for the template."""
    found = []
    for name, schema in spec["components"]["schemas"].items():
        required = set(schema.get("required", []))
        properties = [
            {
                "name": field,
                "type": _type_name(prop),
                "required": field in required,
                "description": prop.get("description", ""),
            }
            for field, prop in schema.get("properties", {}).items()
        ]
        found.append(
            {"name": name, "description": schema.get("description", ""), "properties": properties}
        )
    return found


def _response_row(spec: dict[str, Any], status: str, response: dict[str, Any]) -> dict[str, Any]:
    ref = response.get("$ref")
    if ref:
        response = spec["components"]["responses"][ref.rsplit("/", 1)[1]]
    schema = _content_type_name(response)
    return {
        "status": status,
        "description": response.get("description", ""),
        "schema": schema,
        # Only a named schema has a section on the page to link to.
        "linked": schema in spec["components"]["schemas"],
        "headers": sorted(response.get("headers", {})),
    }


def _content_type_name(holder: dict[str, Any]) -> str:
    content = holder.get("content", {})
    return ", ".join(_type_name(media.get("schema", {})) for media in content.values())


def _type_name(schema: dict[str, Any]) -> str:
    """A schema as a short name: a component's name, ``list of X``, or its JSON type."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(_type_name(alternative) for alternative in schema[key])
    if schema.get("type") == "array":
        return f"list of {_type_name(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join("null" if v is None else str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)
