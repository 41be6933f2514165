"""``verifier apikey new``: a key for an integration, and its VERIFIER_API_KEYS entry."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from small_registry import open_app
from test_cli import assert_usage_error, run

from verifier.web.config import parse_api_keys
from verifier.web.limits import limiter


def test_new_prints_the_key_then_its_entry(runner: CliRunner) -> None:
    result = run(runner, "apikey", "new", "partner1")
    assert result.exit_code == 0, result.stderr
    key, entry = result.stdout.splitlines()
    assert key.startswith("cvk_") and len(key) > 40
    name, digest, limit = entry.split(":")
    assert (name, limit) == ("partner1", "6000/minute")
    # Only the hash goes into the configuration.
    assert digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in entry
    assert parse_api_keys(entry)[0].name == "partner1"


def test_every_key_is_new(runner: CliRunner) -> None:
    keys = {run(runner, "apikey", "new", "p").stdout.splitlines()[0] for _ in range(3)}
    assert len(keys) == 3


def test_the_printed_entry_works_when_configured(
    runner: CliRunner, small_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, entry = run(runner, "apikey", "new", "partner1", "--limit", "3/minute").stdout.split()
    monkeypatch.setenv("VERIFIER_RATE_LIMIT", "1/minute")
    monkeypatch.setenv("VERIFIER_API_KEYS", entry)
    with open_app(small_database_url) as app:
        limiter.reset()
        client = app.test_client()
        answers = [
            client.get("/api/v1/check?q=95588", headers={"X-API-Key": key}).status_code
            for _ in range(4)
        ]
        assert answers == [200, 200, 200, 429]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["bad name"], "key name"),
        (["a:b"], "key name"),
        ([""], "key name"),
        (["x" * 65], "key name"),
        (["p", "--limit", "lots"], "not a rate limit"),
        (["p", "--limit", "6000 per minute"], "one word"),
        (["p", "--limit", ""], "not a rate limit"),
        ([], "Missing argument"),
    ],
)
def test_a_bad_name_or_limit_is_one_line_and_exit_2(
    runner: CliRunner, args: list[str], words: str
) -> None:
    assert words in assert_usage_error(run(runner, "apikey", "new", *args))
