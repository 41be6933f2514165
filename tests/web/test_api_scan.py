"""POST /api/v1/scan (CONTRACT.md, "The scan object"), through the test client, small registry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from small_registry import VERDICT_KEYS

FAKE_PDD = "拼多多官方客服电话 400-882-0000，退款请加QQ 123456789，或访问 pinduoduo-kefu.com"


def _scan(client: FlaskClient, text: Any, **extra: Any) -> Any:
    return client.post("/api/v1/scan", json={"text": text, **extra})


def test_fake_refund_message_is_danger_with_every_finding_spanned(client: FlaskClient) -> None:
    response = _scan(client, FAKE_PDD)
    assert response.status_code == 200
    body = response.get_json()
    assert body["risk"] == "danger"
    by_text = {f["text"]: f for f in body["findings"]}
    assert set(by_text) == {"400-882-0000", "123456789", "pinduoduo-kefu.com"}
    for finding in body["findings"]:
        assert FAKE_PDD[finding["start"] : finding["end"]] == finding["text"]
        assert VERDICT_KEYS | {"start", "end", "text", "claimed_platform"} <= set(finding)
    phone = by_text["400-882-0000"]
    assert phone["kind"] == "phone"
    assert phone["claimed_platform"] == "pinduoduo"
    assert phone["impersonates"]["slug"] == "pinduoduo"
    assert phone["risk"] != "safe"
    assert by_text["123456789"]["kind"] == "handle"
    link = by_text["pinduoduo-kefu.com"]
    assert link["verdict"] == "lookalike"
    assert link["impersonates"]["slug"] == "pinduoduo"
    assert [m["text"] for m in body["mentions"]] == ["拼多多"]
    assert body["mentions"][0]["platform"]["slug"] == "pinduoduo"
    assert "pattern_refund" in {p["code"] for p in body["patterns"]}


def test_official_contacts_presented_as_their_own_platform_are_safe(client: FlaskClient) -> None:
    text = "【中国工商银行】如有疑问请致电工行客服95588，或登录 https://www.icbc.com.cn 查询。"
    body = _scan(client, text).get_json()
    assert [(f["text"], f["verdict"], f["claimed_platform"]) for f in body["findings"]] == [
        ("95588", "official", "icbc"),
        ("https://www.icbc.com.cn", "official", "icbc"),
    ]
    assert body["risk"] == "safe"
    assert body["patterns"] == []
    assert body["platforms"][0]["slug"] == "icbc"
    assert body["platforms"][0]["official_channels"]


@pytest.mark.parametrize(
    "prefix",
    [
        "😀🎉",  # emoji outside the Basic Multilingual Plane: one code point each
        "e\u0301\u0301 ",  # combining marks stay separate code points
        "\u202e\u200b",  # bidi override and zero-width space
    ],
)
def test_offsets_are_code_points_into_the_submitted_text(client: FlaskClient, prefix: str) -> None:
    text = prefix + "工行客服 95588"
    body = _scan(client, text).get_json()
    [finding] = body["findings"]
    assert text[finding["start"] : finding["end"]] == "95588"
    assert finding["start"] == len(prefix) + len("工行客服 ")
    [mention] = body["mentions"]
    assert text[mention["start"] : mention["end"]] == "工行"


def test_a_message_with_nothing_in_it_is_safe_and_empty(client: FlaskClient) -> None:
    body = _scan(client, "今天天气不错，晚上一起吃饭吗？").get_json()
    assert body == {
        "risk": "safe",
        "findings": [],
        "mentions": [],
        "patterns": [],
        "platforms": [],
        "registry_version": body["registry_version"],
    }


def test_english_reasons_when_asked(client: FlaskClient) -> None:
    body = client.post("/api/v1/scan?lang=en", json={"text": FAKE_PDD}).get_json()
    refund = next(p for p in body["patterns"] if p["code"] == "pattern_refund")
    assert refund["message"].isascii()


def test_100000_characters_are_accepted_and_one_more_is_413(client: FlaskClient) -> None:
    filler = "今" * (100_000 - len(FAKE_PDD))
    assert _scan(client, filler + FAKE_PDD).status_code == 200
    response = _scan(client, filler + FAKE_PDD + "。")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),  # no text
        ({"text": 12}, 400),  # not a string
        ({"text": None}, 400),
        ({"text": "\ud800 lone surrogate"}, 400),  # not Unicode text
        ({"text": "x", "region": "XX"}, 400),
        ([], 400),  # not an object
    ],
)
def test_bad_scan_bodies_are_json_errors(client: FlaskClient, body: Any, status: int) -> None:
    # Sent as ASCII JSON: the test client's own encoder cannot write a lone surrogate.
    response = client.post(
        "/api/v1/scan", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"]


def test_scan_requires_json(client: FlaskClient) -> None:
    response = client.post("/api/v1/scan", data="text=95588")
    assert response.status_code == 415
    response = client.post(
        "/api/v1/scan", data=b"{\xff\xfe", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_hostile_text_never_breaks_the_scan(client: FlaskClient) -> None:
    text = "\x00\x01\u202e拼多多客服\u2066 4\u200b0\u200b0-882-0000 \ufeff" * 200
    response = _scan(client, text)
    assert response.status_code == 200
    for finding in response.get_json()["findings"]:
        assert text[finding["start"] : finding["end"]] == finding["text"]
    json.dumps(response.get_json())
