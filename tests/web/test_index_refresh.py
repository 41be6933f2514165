"""The worker's registry index follows the database: a change made elsewhere is answered next.

Checks read an in-memory index (verifier.web.extensions.IndexHolder); these tests write through a
separate session, as another worker or ``verifier registry import`` would, and watch the API.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import NEW_PLATFORM, SMALL_REGISTRY

from registry.files import parse_registry
from registry.store import RegistryStore
from verifier.web import create_app
from verifier.web.extensions import IndexHolder


def import_elsewhere(app: Flask, raw: dict[str, Any], *, replace: bool = False) -> None:
    """Write ``raw`` through a session of its own, not the one a request would use."""
    with app.extensions["verifier.sessions"]() as session:
        RegistryStore(session).import_data(parse_registry(raw), replace=replace)
        session.commit()


def verdict(client: FlaskClient, value: str) -> dict[str, Any]:
    response = client.get("/api/v1/check", query_string={"q": value})
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def health_version(client: FlaskClient) -> int:
    version: int = client.get("/healthz").get_json()["registry_version"]
    return version


def holder_of(app: Flask) -> IndexHolder:
    holder: IndexHolder = app.extensions["verifier.index"]
    return holder


# --- refresh on every request (the conftest app: VERIFIER_INDEX_REFRESH_SECONDS=0) ---------------


def test_new_channel_is_answered_on_the_next_request(app: Flask, client: FlaskClient) -> None:
    before = verdict(client, "95599")
    assert before["verdict"] == "unverified"

    import_elsewhere(app, {"platforms": [NEW_PLATFORM]})

    after = verdict(client, "95599")
    assert after["verdict"] == "official"
    assert after["platform"] == {"slug": "example-bank", "name": "示例银行"}
    assert after["registry_version"] > before["registry_version"]
    assert health_version(client) == after["registry_version"]


def test_retiring_a_channel_is_answered_on_the_next_request(
    app: Flask, client: FlaskClient
) -> None:
    assert verdict(client, "95588")["verdict"] == "official"
    registry = copy.deepcopy(SMALL_REGISTRY)
    icbc = registry["platforms"][0]
    assert icbc["slug"] == "icbc"
    icbc["channels"][0]["status"] = "retired"

    import_elsewhere(app, registry, replace=True)

    assert verdict(client, "95588")["verdict"] == "retired"


def test_blocklisting_is_answered_on_the_next_request(app: Flask, client: FlaskClient) -> None:
    assert verdict(client, "+86 400 123 4567")["verdict"] == "unverified"
    registry = copy.deepcopy(SMALL_REGISTRY)
    registry["blocklist"].append(
        {
            "kind": "phone",
            "value": "+86 400 123 4567",
            "impersonates": "icbc",
            "evidence": "https://example.org/new-report",
            "added_on": "2026-11-04",
        }
    )

    import_elsewhere(app, registry, replace=True)

    answer = verdict(client, "+86 400 123 4567")
    assert answer["verdict"] == "known_scam"
    assert answer["impersonates"]["slug"] == "icbc"


def test_unchanged_registry_keeps_the_same_index(app: Flask, client: FlaskClient) -> None:
    # Reading the version on every request is cheap; rebuilding the index is not, and only
    # happens when the version moved.
    verdict(client, "95588")
    first = holder_of(app).get()
    verdict(client, "95588")
    verdict(client, "hello")
    assert holder_of(app).get() is first

    import_elsewhere(app, {"platforms": [NEW_PLATFORM]})
    verdict(client, "95588")
    assert holder_of(app).get() is not first


# --- a long refresh interval ---------------------------------------------------------------------


@pytest.fixture
def slow_app(small_database_url: str, app: Flask) -> Iterator[Flask]:
    """A second app on the same database that looks at the registry version once an hour."""
    slow = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": small_database_url,
            "VERIFIER_INDEX_REFRESH_SECONDS": 3600,
        }
    )
    yield slow
    slow.extensions["verifier.engine"].dispose()


def test_long_interval_does_not_rebuild_per_request(slow_app: Flask) -> None:
    client = slow_app.test_client()
    holder = holder_of(slow_app)
    assert verdict(client, "95588")["verdict"] == "official"
    first = holder.get()

    for value in ("95588", "95017", "hello", "https://www.icbc.com.cn/"):
        verdict(client, value)
        assert holder.get() is first

    # Even a change does not cost a rebuild until the interval is over...
    old_version = first.version
    import_elsewhere(slow_app, {"platforms": [NEW_PLATFORM]})
    stale = verdict(client, "95599")
    assert stale["verdict"] == "unverified"
    assert stale["registry_version"] == old_version
    assert holder.get() is first

    # ...or something asks for a fresh look (as a local write does).
    holder.invalidate()
    fresh = verdict(client, "95599")
    assert fresh["verdict"] == "official"
    assert fresh["registry_version"] > old_version
    assert holder.get() is not first


def test_refresh_interval_is_read_from_the_environment(
    small_database_url: str, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_INDEX_REFRESH_SECONDS", "3600")
    slow = create_app({"VERIFIER_ENV": "testing", "VERIFIER_DATABASE_URL": small_database_url})
    try:
        assert slow.config["VERIFIER_INDEX_REFRESH_SECONDS"] == 3600.0
        client = slow.test_client()
        verdict(client, "95588")
        first = holder_of(slow).get()
        import_elsewhere(slow, {"platforms": [NEW_PLATFORM]})
        assert verdict(client, "95599")["verdict"] == "unverified"
        assert holder_of(slow).get() is first
    finally:
        slow.extensions["verifier.engine"].dispose()
