"""The community tier through the API: a registry file with community entries, imported as a user
would, answered by the check, platform, snapshot and lookup endpoints."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from small_registry import SMALL_REGISTRY, small_registry_app

DATASET = "https://github.com/metowolf/vCards/blob/b1a346c/data/bank/example-bank.yaml"
DOMAINS = "https://github.com/v2fly/domain-list-community/blob/c975cce/data/example-bank"

COMMUNITY_BANK: dict[str, Any] = {
    "slug": "example-bank",
    "name": {"zh": "示例银行", "en": "Example Bank"},
    "category": "bank",
    "phone_support": "listed",
    "trust": "community",
    "channels": [
        {
            "kind": "phone",
            "value": "95399",
            "trust": "community",
            "label": {"zh": "客服热线", "en": "Hotline"},
            "source": DATASET,
            "verified_on": "2025-06-01",
        },
        {
            "kind": "domain",
            "value": "example-bank.cn",
            "trust": "community",
            "source": DOMAINS,
            "verified_on": "2025-06-01",
        },
    ],
}


@pytest.fixture
def client(small_database_url: str) -> Iterator[FlaskClient]:
    data = copy.deepcopy(SMALL_REGISTRY)
    data["platforms"].append(COMMUNITY_BANK)
    with small_registry_app(small_database_url, data) as app:
        yield app.test_client()


def test_a_community_number_is_named_but_unverified(client: FlaskClient) -> None:
    body = client.get("/api/v1/check", query_string={"q": "95399", "lang": "en"}).get_json()
    assert (body["verdict"], body["risk"], body["trust"]) == ("unverified", "caution", "community")
    assert body["platform"]["slug"] == "example-bank"
    assert body["reasons"][0]["code"] == "community_listed"
    assert DATASET in body["reasons"][0]["message"]
    assert {c["trust"] for c in body["official_channels"]} == {"community"}


def test_a_verified_number_is_still_official_and_says_so(client: FlaskClient) -> None:
    body = client.get("/api/v1/check", query_string={"q": "95588"}).get_json()
    assert (body["verdict"], body["risk"], body["trust"]) == ("official", "safe", "verified")


def test_the_platform_endpoint_shows_the_tier(client: FlaskClient) -> None:
    body = client.get("/api/v1/platforms/example-bank").get_json()
    assert body["trust"] == "community"
    assert {c["trust"] for c in body["channels"]} == {"community"}
    assert client.get("/api/v1/platforms/icbc").get_json()["trust"] == "verified"


def test_the_snapshot_and_the_lookup_never_call_a_community_host_official(
    client: FlaskClient,
) -> None:
    snapshot = client.get("/api/v1/snapshot").get_json()
    bank = next(p for p in snapshot["platforms"] if p["slug"] == "example-bank")
    assert bank["trust"] == "community"
    digest = hashlib.sha256(b"example-bank.cn").hexdigest()
    entries = client.get(f"/api/v1/lookup/{digest[:8]}").get_json()["entries"]
    (entry,) = [e for e in entries if e["sha256"] == digest]
    assert (entry["verdict"], entry["trust"]) == ("unverified", "community")
    assert entry["platform"]["slug"] == "example-bank"


def test_the_result_page_marks_the_community_listing(client: FlaskClient) -> None:
    page = client.get("/check", query_string={"q": "95399", "lang": "zh"}).get_data(as_text=True)
    assert "社区资料将其列为示例银行的渠道，尚未核实" in page
    assert "社区收录，尚未核实" in page
    assert '<strong class="word">未核实</strong>' in page
    assert "官方渠道</strong>" not in page


def test_the_platform_directory_counts_each_tier(client: FlaskClient) -> None:
    page = client.get("/platforms", query_string={"lang": "en"}).get_data(as_text=True)
    verified = len(SMALL_REGISTRY["platforms"])
    assert (
        f"{verified} platforms verified by our moderators, 1 listed only by community data sets"
    ) in page
    bank = page[page.index("Example Bank") :]
    assert "community listing, not verified" in bank[: bank.index("</li>")]
