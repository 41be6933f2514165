"""The JSON API under /api/v1 and /healthz (CONTRACT.md, "HTTP API"), through the test client.

Every test here only reads, so the module shares one app on one database holding the small test
registry: building an app runs the migrations and loads the bundled registry, which is too slow to
repeat for every one of these requests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from small_registry import VERDICT_KEYS, open_app
from werkzeug.test import TestResponse

from registry.store import RegistryStore
from verifier.web.extensions import app_session

ICBC = {"slug": "icbc", "name": "中国工商银行"}
JSON = "application/json"


@pytest.fixture(scope="module")
def app(module_small_database_url: str) -> Iterator[Flask]:
    """One app for the module, on a fresh database holding the small registry."""
    with open_app(module_small_database_url) as app:
        yield app


@pytest.fixture(scope="module")
def registry_version(app: Flask) -> int:
    with app_session(app) as session:
        return RegistryStore(session).version()


def assert_json_error(response: TestResponse, status: int, code: str | None = None) -> str:
    """The response is the contract's error object and nothing else; returns its message."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == JSON
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    return message


def verdict_of(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == JSON
    body: dict[str, Any] = response.get_json()
    assert set(body) >= VERDICT_KEYS
    return body


def post_json(client: FlaskClient, path: str, body: Any) -> TestResponse:
    return client.post(path, data=json.dumps(body), content_type=JSON)


# --- GET /api/v1/check ---------------------------------------------------------------------------


def test_official_short_number_has_every_contract_field(
    client: FlaskClient, registry_version: int
) -> None:
    body = verdict_of(client.get("/api/v1/check?q=95588"))
    assert body["input"] == "95588"
    assert body["kind"] == "phone"
    assert body["normalized"] == "95588"
    assert body["verdict"] == "official"
    assert body["risk"] == "safe"
    assert body["platform"] == ICBC
    assert body["impersonates"] is None
    assert [r["code"] for r in body["reasons"]] == ["official_channel"]
    assert all(isinstance(r["message"], str) and r["message"] for r in body["reasons"])
    channels = {(c["kind"], c["value"]) for c in body["official_channels"]}
    # The retired line is not something to use instead; the active ones are.
    assert channels == {
        ("phone", "95588"),
        ("domain", "icbc.com.cn"),
        ("email", "service@icbc.com.cn"),
    }
    assert all({"kind", "value", "label"} <= set(c) for c in body["official_channels"])
    assert body["registry_version"] == registry_version


@pytest.mark.parametrize(
    "value",
    [
        "+86 95588",  # the short number dialled with the country code
        "９５５８８",  # full-width digits pasted from a chat app
        "\u200b95588",  # a zero-width space hidden in front
    ],
)
def test_written_forms_of_95588_are_official(client: FlaskClient, value: str) -> None:
    body = verdict_of(client.get("/api/v1/check", query_string={"q": value}))
    assert body["input"] == value
    assert (body["verdict"], body["normalized"], body["platform"]) == ("official", "95588", ICBC)


def test_fullwidth_digits_arrive_percent_encoded(client: FlaskClient) -> None:
    body = verdict_of(client.get("/api/v1/check?q=%EF%BC%99%EF%BC%95%EF%BC%95%EF%BC%98%EF%BC%98"))
    assert body["input"] == "９５５８８"
    assert (body["verdict"], body["platform"]) == ("official", ICBC)


def test_link_on_official_subdomain_is_official(client: FlaskClient) -> None:
    body = verdict_of(client.get("/api/v1/check", query_string={"q": "https://www.icbc.com.cn/x"}))
    assert body["kind"] == "url"
    assert (body["verdict"], body["risk"], body["platform"]) == ("official", "safe", ICBC)
    assert body["normalized"] == "https://www.icbc.com.cn/x"


def test_userinfo_trick_is_a_lookalike_of_icbc(client: FlaskClient) -> None:
    # Everything before "@" is a user name: the link shows icbc.com.cn but opens evil.top.
    body = verdict_of(
        client.get("/api/v1/check", query_string={"q": "https://icbc.com.cn@evil.top/"})
    )
    assert body["verdict"] == "lookalike"
    assert body["risk"] == "danger"
    assert body["platform"] is None
    assert body["impersonates"] == ICBC
    assert "userinfo_in_link" in [r["code"] for r in body["reasons"]]
    assert ("phone", "95588") in {(c["kind"], c["value"]) for c in body["official_channels"]}


def test_plain_word_is_invalid(client: FlaskClient) -> None:
    body = verdict_of(client.get("/api/v1/check?q=hello"))
    assert body["verdict"] == "invalid"
    assert body["normalized"] is None
    assert body["platform"] is None and body["impersonates"] is None
    assert body["official_channels"] == []
    assert body["reasons"]


def test_real_number_claimed_for_another_platform_is_suspicious(client: FlaskClient) -> None:
    body = verdict_of(client.get("/api/v1/check?q=95588&claimed=pinduoduo"))
    assert body["verdict"] == "suspicious"
    assert body["platform"] == ICBC
    assert body["impersonates"] == {"slug": "pinduoduo", "name": "拼多多"}
    assert "claimed_platform_mismatch" in [r["code"] for r in body["reasons"]]
    # What to use instead is the claimed platform's real channels.
    assert [c["value"] for c in body["official_channels"]] == ["pinduoduo.com"]


def test_claimed_platform_is_also_accepted_under_its_post_name(client: FlaskClient) -> None:
    body = verdict_of(client.get("/api/v1/check?q=95588&claimed_platform=pinduoduo"))
    assert body["verdict"] == "suspicious"


def test_claimed_matching_platform_stays_official(client: FlaskClient) -> None:
    body = verdict_of(client.get("/api/v1/check?q=95588&claimed=icbc"))
    assert (body["verdict"], body["impersonates"]) == ("official", None)


def test_kind_parameter_overrides_detection(client: FlaskClient) -> None:
    body = verdict_of(client.get("/api/v1/check?q=95588&kind=url"))
    assert body["kind"] == "url"
    assert body["verdict"] != "official"


def test_region_parameter_reads_numbers_without_country_code(client: FlaskClient) -> None:
    # ICBC's old 400 line, written without +86: only the Chinese reading finds it.
    cn = verdict_of(client.get("/api/v1/check?q=4000001234&region=CN"))
    assert cn["normalized"] == "+864000001234"
    assert cn["verdict"] == "retired"
    lower = verdict_of(client.get("/api/v1/check?q=4000001234&region=cn"))
    assert lower["normalized"] == "+864000001234"
    us = verdict_of(client.get("/api/v1/check?q=4000001234&region=US"))
    assert us["normalized"] != "+864000001234"
    assert us["verdict"] != "retired"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("q=95588&claimed=no-such-platform", "unknown_platform"),
        ("q=95588&kind=fax", None),
        ("q=95588&region=XX", None),
        ("q=95588&region=china", None),
        ("", None),  # q missing altogether
        ("kind=phone", None),
    ],
)
def test_bad_check_parameters_are_400(client: FlaskClient, query: str, code: str | None) -> None:
    assert_json_error(client.get(f"/api/v1/check?{query}"), 400, code)


# --- POST /api/v1/check --------------------------------------------------------------------------


def test_post_check_with_only_input(client: FlaskClient) -> None:
    body = verdict_of(post_json(client, "/api/v1/check", {"input": "95588"}))
    assert (body["verdict"], body["platform"]) == ("official", ICBC)


def test_post_check_with_every_option(client: FlaskClient) -> None:
    body = verdict_of(
        post_json(
            client,
            "/api/v1/check",
            {"input": "95588", "kind": "phone", "region": "CN", "claimed_platform": "pinduoduo"},
        )
    )
    assert body["verdict"] == "suspicious"
    assert body["impersonates"]["slug"] == "pinduoduo"


@pytest.mark.parametrize(
    "body",
    [
        {},  # input is required
        {"input": None},
        {"input": 95588},  # a number, not a string
        {"input": ["95588"]},
        {"input": {"value": "95588"}},
        {"input": True},
        {"input": "95588", "kind": 1},
        {"input": "95588", "kind": "fax"},
        {"input": "95588", "region": "XX"},
        {"input": "95588", "claimed_platform": "nobody"},
        [],  # not an object
        ["95588"],
        "95588",
        95588,
        None,
    ],
)
def test_post_check_rejects_bad_bodies(client: FlaskClient, body: Any) -> None:
    assert_json_error(post_json(client, "/api/v1/check", body), 400)


def test_post_check_requires_json_content_type(client: FlaskClient) -> None:
    form = client.post("/api/v1/check", data={"input": "95588"})
    assert_json_error(form, 415, "unsupported_media_type")
    text = client.post("/api/v1/check", data='{"input": "95588"}', content_type="text/plain")
    assert_json_error(text, 415)


def test_post_check_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/check", data='{"input": "95588"', content_type=JSON)
    assert_json_error(response, 400)


# --- POST /api/v1/check/batch --------------------------------------------------------------------


def test_batch_mixes_strings_and_objects_in_input_order(client: FlaskClient) -> None:
    items = [
        "95588",
        {"input": "hello"},
        {"input": "95588", "claimed_platform": "pinduoduo"},
        "https://icbc.com.cn@evil.top/",
        {"input": "95017", "kind": "phone", "region": "CN"},
    ]
    response = post_json(client, "/api/v1/check/batch", {"items": items})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["input"] for r in results] == [
        "95588",
        "hello",
        "95588",
        "https://icbc.com.cn@evil.top/",
        "95017",
    ]
    assert [r["verdict"] for r in results] == [
        "official",
        "invalid",
        "suspicious",
        "lookalike",
        "official",
    ]
    assert all(set(r) >= VERDICT_KEYS for r in results)
    assert results[4]["platform"]["slug"] == "wechat-pay"


def test_batch_of_1000_is_accepted(client: FlaskClient) -> None:
    items = [f"9558{i % 10}" for i in range(1000)]
    response = post_json(client, "/api/v1/check/batch", {"items": items})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["input"] for r in results] == items
    assert results[8]["verdict"] == "official"


def test_batch_of_1001_is_413(client: FlaskClient) -> None:
    response = post_json(client, "/api/v1/check/batch", {"items": ["95588"] * 1001})
    assert_json_error(response, 413, "too_large")


def test_empty_batch_gives_empty_results(client: FlaskClient) -> None:
    response = post_json(client, "/api/v1/check/batch", {"items": []})
    assert response.status_code == 200
    assert response.get_json() == {"results": []}


@pytest.mark.parametrize(
    "bad_item",
    [
        42,
        None,
        ["95588"],
        {},
        {"input": 95588},
        {"input": "95588", "kind": "fax"},
        {"input": "95588", "region": "XX"},
        {"input": "95588", "claimed_platform": "nobody"},
    ],
)
def test_batch_item_error_names_its_position(client: FlaskClient, bad_item: Any) -> None:
    response = post_json(client, "/api/v1/check/batch", {"items": ["95588", "hello", bad_item]})
    message = assert_json_error(response, 400)
    assert "items[2]" in message


@pytest.mark.parametrize("body", [{}, {"items": "95588"}, {"items": {"0": "95588"}}, []])
def test_batch_needs_a_list_of_items(client: FlaskClient, body: Any) -> None:
    assert_json_error(post_json(client, "/api/v1/check/batch", body), 400)


def test_batch_requires_json_content_type(client: FlaskClient) -> None:
    response = client.post("/api/v1/check/batch", data="items=95588")
    assert_json_error(response, 415)


# --- platforms -----------------------------------------------------------------------------------


def test_platforms_lists_every_platform(client: FlaskClient) -> None:
    response = client.get("/api/v1/platforms")
    assert response.status_code == 200
    platforms = response.get_json()["platforms"]
    assert sorted(p["slug"] for p in platforms) == [
        "anti-fraud",
        "china-post",
        "icbc",
        "pinduoduo",
        "wechat-pay",
    ]
    assert all("channels" not in p for p in platforms)


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("工商银行", ["icbc"]),  # part of the Chinese name
        ("工行", ["icbc"]),  # an alias
        ("icbc", ["icbc"]),  # alias and slug, any case
        ("China Post", ["china-post"]),  # English name
        ("微信", ["wechat-pay"]),
        ("没有这个平台", []),
        ("%", []),  # LIKE wildcards are matched literally, not as "everything"
        ("_", []),
    ],
)
def test_platform_search(client: FlaskClient, query: str, slugs: list[str]) -> None:
    response = client.get("/api/v1/platforms", query_string={"q": query})
    assert response.status_code == 200
    assert [p["slug"] for p in response.get_json()["platforms"]] == slugs


def test_platform_detail_lists_channels_with_source_and_date(client: FlaskClient) -> None:
    response = client.get("/api/v1/platforms/icbc")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["slug"], body["name"]) == ("icbc", "中国工商银行")
    assert "工行" in body["aliases"]
    channels = {(c["kind"], c["value"]): c for c in body["channels"]}
    assert set(channels) == {
        ("phone", "95588"),
        ("phone", "+864000001234"),
        ("domain", "icbc.com.cn"),
        ("email", "service@icbc.com.cn"),
    }
    for channel in body["channels"]:
        assert channel["source"] == "https://example.org/source"
        assert channel["verified_on"] == "2026-11-01"
    assert channels["phone", "95588"]["status"] == "active"
    assert channels["phone", "+864000001234"]["status"] == "retired"
    assert channels["domain", "icbc.com.cn"]["scope"] == "subdomains"


def test_unknown_platform_is_404_json(client: FlaskClient) -> None:
    assert_json_error(client.get("/api/v1/platforms/no-such-platform"), 404, "not_found")


# --- errors, limits, health ----------------------------------------------------------------------


def test_unknown_api_path_is_404_json(client: FlaskClient) -> None:
    assert_json_error(client.get("/api/v1/whatever"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/v1/check"),
        ("PUT", "/api/v1/check"),
        ("GET", "/api/v1/check/batch"),
        ("POST", "/api/v1/platforms"),
        ("POST", "/healthz"),
    ],
)
def test_wrong_method_is_405_json(client: FlaskClient, method: str, path: str) -> None:
    assert_json_error(client.open(path, method=method), 405, "method_not_allowed")


def test_body_over_max_content_length_is_413_json(client: FlaskClient, app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = '{"input": "' + "9" * limit + '"}'
    assert_json_error(client.post("/api/v1/check", data=body, content_type=JSON), 413)
    batch = '{"items": ["' + "9" * limit + '"]}'
    assert_json_error(client.post("/api/v1/check/batch", data=batch, content_type=JSON), 413)


def test_value_over_10000_characters_is_refused(client: FlaskClient) -> None:
    assert_json_error(post_json(client, "/api/v1/check", {"input": "9" * 10_001}), 413)


def test_healthz_reports_the_registry_version(client: FlaskClient, registry_version: int) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == JSON
    assert response.get_json() == {"status": "ok", "registry_version": registry_version}
    assert registry_version > 0


# --- language ------------------------------------------------------------------------------------


def _reason_and_name(response: TestResponse) -> tuple[str, str]:
    body = verdict_of(response)
    return body["reasons"][0]["message"], body["platform"]["name"]


def test_reasons_are_chinese_by_default(client: FlaskClient) -> None:
    message, name = _reason_and_name(client.get("/api/v1/check?q=95588"))
    assert name == "中国工商银行"
    assert "中国工商银行" in message
    assert "official" not in message


def test_accept_language_english_gives_english_reasons(client: FlaskClient) -> None:
    english = client.get("/api/v1/check?q=95588", headers={"Accept-Language": "en-US,en;q=0.9"})
    chinese = client.get("/api/v1/check?q=95588", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    en_message, en_name = _reason_and_name(english)
    zh_message, zh_name = _reason_and_name(chinese)
    assert (en_name, zh_name) == ("ICBC", "中国工商银行")
    assert "official" in en_message and "ICBC" in en_message
    assert zh_message != en_message
    assert "中国工商银行" in zh_message


def test_lang_parameter_beats_accept_language(client: FlaskClient) -> None:
    response = client.get("/api/v1/check?q=95588&lang=en", headers={"Accept-Language": "zh-CN"})
    message, name = _reason_and_name(response)
    assert name == "ICBC"
    assert "official" in message


def test_post_and_batch_follow_the_language_too(client: FlaskClient) -> None:
    headers = {"Accept-Language": "en"}
    single = client.post("/api/v1/check", json={"input": "95588"}, headers=headers)
    assert "ICBC" in single.get_json()["reasons"][0]["message"]
    batch = client.post("/api/v1/check/batch", json={"items": ["95588"]}, headers=headers)
    assert batch.get_json()["results"][0]["platform"]["name"] == "ICBC"


def test_platform_names_follow_the_language(client: FlaskClient) -> None:
    response = client.get("/api/v1/platforms/icbc?lang=en")
    assert response.get_json()["name"] == "ICBC"
    assert response.get_json()["names"] == {"zh": "中国工商银行", "en": "ICBC"}


def test_api_errors_are_json_even_for_browsers(client: FlaskClient) -> None:
    # An error under /api is JSON even for a browser that prefers HTML.
    response = client.get("/api/v1/whatever", headers={"Accept": "text/html"})
    assert_json_error(response, 404)
