"""Issue 5's acceptance scenario, through the HTTP API of a real app on the bundled registry.

Two moderators A and B created by the CLI, with their API tokens: A proposes adding a new phone
channel to a bundled platform; the public check of that number is not official; A's own approval
is refused (403); B's approval is accepted; the public check is now official; the audit log lists
the proposal and the approval with their actors. An import of a file with one bad entry changes
nothing and names it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.store import RegistryStore
from verifier.cli import main
from verifier.web import create_app
from verifier.web.extensions import app_session

NUMBER = "+86 400 612 3457"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def bundled_app(started_database_url: str) -> Iterator[Flask]:
    """An app on the bundled registry, as the first start in production leaves it."""
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": started_database_url,
            "VERIFIER_INDEX_REFRESH_SECONDS": 0,
        }
    )
    yield app
    app.extensions["verifier.engine"].dispose()


@pytest.fixture
def tokens(
    bundled_app: Flask, started_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Moderators A and B created with the command line, as an operator would, and their tokens."""
    monkeypatch.setenv("VERIFIER_DATABASE_URL", started_database_url)
    runner = CliRunner()
    found = {}
    for name in ("moderator-a", "moderator-b"):
        created = runner.invoke(
            main,
            ["users", "create", name, "--role", "moderator", "--password-stdin"],
            input=PASSWORD + "\n",
        )
        assert created.exit_code == 0, created.output
        token = runner.invoke(main, ["users", "token", name])
        assert token.exit_code == 0, token.output
        found[name[-1]] = token.stdout.strip()
    return found


def mod(client: FlaskClient, token: str, method: str, path: str, body: Any = None) -> TestResponse:
    return client.open(
        f"/api/v1/mod{path}",
        method=method,
        headers={"Authorization": f"Bearer {token}"},
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )


def public_verdict(client: FlaskClient, value: str) -> dict[str, Any]:
    response = client.get("/api/v1/check", query_string={"q": value})
    assert response.status_code == 200
    answer: dict[str, Any] = response.get_json()
    return answer


def test_four_eyes_approval_changes_the_public_answer(
    bundled_app: Flask, tokens: dict[str, str]
) -> None:
    client = bundled_app.test_client()
    platforms = client.get("/api/v1/platforms").get_json()["platforms"]
    slug = next(p["slug"] for p in platforms if p["country"] == "CN" and p["trust"] == "verified")
    assert public_verdict(client, NUMBER)["verdict"] != "official"

    proposed = mod(
        client,
        tokens["a"],
        "POST",
        "/proposals",
        {
            "action": "add_channel",
            "platform": slug,
            "channel": {
                "kind": "phone",
                "value": NUMBER,
                "label": {"zh": "客服热线", "en": "Hotline"},
                "source": "https://example.org/official-notice",
                "verified_on": "2026-11-20",
            },
            "note": "new hotline announced on the official site",
        },
    )
    assert proposed.status_code == 201, proposed.get_data(as_text=True)
    proposal_id = proposed.get_json()["id"]
    assert proposed.get_json() == {"id": proposal_id, "status": "pending"}
    assert public_verdict(client, NUMBER)["verdict"] != "official"

    own = mod(client, tokens["a"], "POST", f"/proposals/{proposal_id}/approve")
    assert own.status_code == 403
    assert public_verdict(client, NUMBER)["verdict"] != "official"

    second = mod(client, tokens["b"], "POST", f"/proposals/{proposal_id}/approve")
    assert second.status_code == 200
    assert second.get_json() == {"id": proposal_id, "status": "approved"}
    now = public_verdict(client, NUMBER)
    assert (now["verdict"], now["platform"]["slug"]) == ("official", slug)

    entries = mod(client, tokens["b"], "GET", "/audit").get_json()["entries"]
    about = [(e["actor"], e["action"]) for e in entries if e["target"] == f"proposal:{proposal_id}"]
    assert about == [("moderator-a", "proposal.create"), ("moderator-b", "proposal.approve")]


def test_an_import_with_one_bad_entry_changes_nothing_and_names_it(
    bundled_app: Flask, tokens: dict[str, str]
) -> None:
    client = bundled_app.test_client()
    with app_session(bundled_app) as session:
        version = RegistryStore(session).version()
    good = {
        "slug": "example-good",
        "name": {"zh": "示例", "en": "Example"},
        "channels": [
            {
                "kind": "phone",
                "value": NUMBER,
                "source": "https://example.org/a",
                "verified_on": "2026-11-20",
            }
        ],
    }
    bad = {
        "slug": "example-bad",
        "name": {"zh": "坏例", "en": "Bad example"},
        "channels": [
            {
                "kind": "phone",
                "value": "+86 400 612 3458",
                "source": "https://example.org/b",
                "verified_on": "soon",
            }
        ],
    }
    response = mod(
        client,
        tokens["a"],
        "POST",
        "/proposals",
        {"action": "import", "registry": {"platforms": [good, bad], "blocklist": []}, "note": "x"},
    )
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "platforms[1]" in message and "verified_on" in message
    assert mod(client, tokens["b"], "GET", "/proposals").get_json() == {"proposals": []}
    assert public_verdict(client, NUMBER)["verdict"] != "official"
    with app_session(bundled_app) as session:
        assert RegistryStore(session).version() == version
