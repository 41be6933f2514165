"""Checks of community entries are counted, and moderators see them on /mod/community.

Counts are written after every request here (VERIFIER_CHECK_COUNT_FLUSH_SECONDS=0), once the
response is sent: the WSGI server closes it then, which the test client leaves to the test (see
:func:`sent`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from moderators import add_user, log_in, post_form
from small_registry import SMALL_REGISTRY
from sqlalchemy import select
from werkzeug.test import TestResponse

from registry.files import parse_registry
from registry.models import CheckCountRow
from registry.store import RegistryStore
from verifier.web import create_app
from verifier.web.extensions import app_session

from .test_community_api import COMMUNITY_BANK


@pytest.fixture
def app(small_database_url: str) -> Iterator[Flask]:
    data = copy.deepcopy(SMALL_REGISTRY)
    data["platforms"].append(copy.deepcopy(COMMUNITY_BANK))
    app = create_app(
        {
            "VERIFIER_ENV": "testing",
            "VERIFIER_DATABASE_URL": small_database_url,
            "VERIFIER_INDEX_REFRESH_SECONDS": 0,
            "VERIFIER_CHECK_COUNT_FLUSH_SECONDS": 0,
        }
    )
    with app_session(app) as session:
        RegistryStore(session).import_data(parse_registry(data), replace=True)
        session.commit()
    add_user(app, "alice")
    yield app
    app.extensions["verifier.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sent(response: TestResponse) -> TestResponse:
    """``response``, closed as a WSGI server closes it once sent: the counts are written then."""
    response.close()
    return response


def _stored(app: Flask) -> dict[tuple[str, str], int]:
    with app_session(app) as session:
        return {(r.kind, r.value): r.count for r in session.scalars(select(CheckCountRow))}


def _table(html: str) -> list[list[str]]:
    """The rows of the page's table, cell texts without markup."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL)
    ]


def test_checks_of_community_entries_are_listed_for_moderators(
    app: Flask, client: FlaskClient
) -> None:
    # The community hotline twice through the API and once through the page, the community
    # domain once through a link; a verified number and an unknown one as well.
    assert sent(client.get("/api/v1/check", query_string={"q": "95399"})).status_code == 200
    assert sent(client.post("/api/v1/check", json={"input": "+86 95399"})).status_code == 200
    assert sent(client.get("/check", query_string={"q": "95399"})).status_code == 200
    link = {"input": "https://www.example-bank.cn/help?ref=sms"}
    assert sent(client.post("/api/v1/check", json=link)).status_code == 200
    assert sent(client.get("/api/v1/check", query_string={"q": "95588"})).status_code == 200
    assert sent(client.get("/api/v1/check", query_string={"q": "13800138000"})).status_code == 200

    assert _stored(app) == {("phone", "95399"): 3, ("domain", "example-bank.cn"): 1}

    log_in(client, "alice")
    page = client.get("/mod/community")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = _table(html)
    assert [row[2:5] for row in rows] == [
        ["phone", "95399", "3"],
        ["domain", "example-bank.cn", "1"],
    ]
    assert rows[0][1].startswith("example-bank")
    assert rows[0][5] == rows[1][5] and re.fullmatch(r"\d{4}-\d\d-\d\d", rows[0][5])
    assert 'href="/mod/platforms/example-bank"' in html
    # The columns hold registry values and totals only: nothing about who checked, or when.
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert re.findall(r"<th>(.*?)</th>", head) == [
        "#",
        "Platform",
        "Kind",
        "Value",
        "Checks",
        "Last checked",
    ]
    assert 'href="/mod/community"' in client.get("/mod/").get_data(as_text=True)


def test_batches_and_scans_count_each_community_entry_once_per_request(
    app: Flask, client: FlaskClient
) -> None:
    batch = {"items": ["95399", "95399", "95588", "https://example-bank.cn/"]}
    assert sent(client.post("/api/v1/check/batch", json=batch)).status_code == 200
    message = "【示例银行】请致电 95399 或访问 https://example-bank.cn/ 。再说一遍：95399"
    assert sent(client.post("/api/v1/scan", json={"text": message})).status_code == 200
    assert sent(post_form(client, "/scan", {"text": message})).status_code == 200
    assert _stored(app) == {("phone", "95399"): 3, ("domain", "example-bank.cn"): 3}


def test_only_registry_values_are_stored(app: Flask, client: FlaskClient) -> None:
    for value in ("95588", "13800138000", "https://unknown.example/", "someone@example.org"):
        assert sent(client.get("/api/v1/check", query_string={"q": value})).status_code == 200
    assert _stored(app) == {}
    log_in(client, "alice")
    assert [row[4] for row in _table(client.get("/mod/community").get_data(as_text=True))] == [
        "0",
        "0",
    ]


def test_anonymous_people_are_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get("/mod/community")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=/mod/community")


@pytest.mark.parametrize("page", ["0", "x", "-1", "99999999"])
def test_a_page_number_out_of_range_is_refused(client: FlaskClient, page: str) -> None:
    log_in(client, "alice")
    assert client.get("/mod/community", query_string={"page": page}).status_code == 400
