"""The JSON API never opens the cookie session: it sets no cookie, and answers that do not depend
on the language cookie carry no ``Vary: Cookie``. The pages still have their session (CSRF,
logins)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(
    "path", ["/api/v1/check?q=95588", "/api/v1/platforms", "/api/v1/snapshot", "/healthz"]
)
def test_api_answers_carry_no_session(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Cookie": "session=forged.value.here"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/snapshot", "/healthz"])
def test_answers_in_no_language_do_not_vary_by_cookie(client: FlaskClient, path: str) -> None:
    # A shared cache keeps one copy of the snapshot for everyone, whatever cookies they carry.
    assert "Cookie" not in client.get(path).headers.get("Vary", "")


def test_pages_still_have_their_session(client: FlaskClient) -> None:
    # The scan form's CSRF token lives in the session: the page sets the cookie.
    response = client.get("/scan")
    assert response.status_code == 200
    assert "session=" in response.headers.get("Set-Cookie", "")
