"""Issue 3's acceptance, with the BUNDLED registry: the shipped data, on purpose.

Logic tests use small registries built in the test (tests/verifier/test_lookalike.py and
test_phone_flags.py); this module checks that the registry people actually get recognises the
issue's examples, and that the installed console script reports a fake customer-service number.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from registry.db import bundled_registry
from verifier.core.check import check
from verifier.core.index import RegistryIndex
from verifier.core.verdict import Verdict

# "alipаy.com" with a Cyrillic а (U+0430), and the punycode form a browser sends.
CYRILLIC_ALIPAY = "alip\u0430y.com"
CYRILLIC_ALIPAY_PUNYCODE = CYRILLIC_ALIPAY.encode("idna").decode()


@pytest.fixture(scope="module")
def bundled_index() -> RegistryIndex:
    data = bundled_registry()  # both tiers, as the app serves them
    return RegistryIndex.build(data.platforms, data.blocklist, reviewed=data.reviewed)


def _codes(result: Verdict) -> list[str]:
    return [r.code for r in result.reasons]


@pytest.mark.parametrize(
    ("value", "slug", "code"),
    [
        # Pinduoduo's name with "kefu" (customer service) added.
        ("pinduoduo-kefu.com", "pinduoduo", "lookalike_brand_with_words"),
        # Pinduoduo's official domain written out in front of another site.
        ("pinduoduo.com.refund-center.top", "pinduoduo", "lookalike_official_domain_inside"),
        # ICBC's domain as a user name before "@"; the visit goes to a raw IP address.
        ("https://icbc.com.cn@1.2.3.4/", "icbc", "userinfo_in_link"),
        # A Cyrillic а in Alipay's name...
        (CYRILLIC_ALIPAY, "alipay", "lookalike_homoglyph"),
        # ...and its punycode form.
        (CYRILLIC_ALIPAY_PUNYCODE, "alipay", "lookalike_homoglyph"),
        # Alipay's name under a suffix it does not own.
        ("alipay.net", "alipay", "lookalike_suffix_swap"),
    ],
)
def test_the_issues_lookalikes(
    bundled_index: RegistryIndex, value: str, slug: str, code: str
) -> None:
    result = check(value, bundled_index, lang="en")
    assert (result.verdict, result.risk) == ("lookalike", "danger"), _codes(result)
    assert result.impersonates is not None
    assert result.impersonates.slug == slug
    assert code in _codes(result)
    # The reason names the platform in words people read.
    platform = bundled_index.platform(slug)
    assert platform is not None
    assert any(platform.name("en") in r.message for r in result.reasons)


def test_the_ip_literal_after_the_at_is_also_named(bundled_index: RegistryIndex) -> None:
    result = check("https://icbc.com.cn@1.2.3.4/", bundled_index)
    assert "ip_address_host" in _codes(result)


def test_the_homoglyph_is_called_mixed_script(bundled_index: RegistryIndex) -> None:
    for value in (CYRILLIC_ALIPAY, CYRILLIC_ALIPAY_PUNYCODE):
        assert "mixed_script_name" in _codes(check(value, bundled_index))


@pytest.mark.parametrize(
    "value",
    [
        # Shares "pin" with Pinduoduo.
        "pinterest.com",
        # Shares "duo" with Pinduoduo.
        "duolingo.com",
        # Shares "ali" with Alipay: Alibaba is a real, different company.
        "alibaba.com",
    ],
)
def test_the_issues_unrelated_sites(bundled_index: RegistryIndex, value: str) -> None:
    result = check(value, bundled_index)
    assert result.verdict != "lookalike"
    assert result.impersonates is None
    assert not any(c.startswith("lookalike_") for c in _codes(result))


def test_the_issues_fake_hotline_in_the_core(bundled_index: RegistryIndex) -> None:
    result = check("13800138000", bundled_index, claimed="pinduoduo")
    assert result.verdict in ("lookalike", "suspicious")
    assert result.impersonates is not None and result.impersonates.slug == "pinduoduo"


def _console_script() -> str:
    beside = Path(sys.executable).with_name("verifier")
    found = str(beside) if beside.exists() else shutil.which("verifier")
    if found is None:
        pytest.fail("the verifier console script is not installed")
    return found


def test_the_issues_fake_hotline_on_the_command_line(database_url: str) -> None:
    # A fresh database: the first start loads the bundled registry.
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    env |= {
        "VERIFIER_DATABASE_URL": database_url,
        "LANG": "C.UTF-8",
    }
    done = subprocess.run(
        [_console_script(), "check", "--json", "--claimed", "pinduoduo", "13800138000"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    verdict = json.loads(lines[0])
    assert verdict["verdict"] in ("lookalike", "suspicious")
    assert verdict["impersonates"]["slug"] == "pinduoduo"
    assert verdict["platform"] is None
