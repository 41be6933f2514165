"""The pages speak Chinese first, and the Chinese catalogue stays complete and compiled.

The catalogue is verifier/translations/zh/LC_MESSAGES/messages.po; how to regenerate it is in
its header. These tests fail when a template gains a string nobody translated, when a
translation is empty or still a fuzzy guess, or when messages.mo was not recompiled.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "verifier" / "translations" / "zh" / "LC_MESSAGES"


def _catalogue() -> Catalog:
    with (CATALOGUE / "messages.po").open("rb") as po:
        return read_po(po)


class _Text(HTMLParser):
    """Collects what a reader sees: text nodes and input placeholders, each stripped."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.headline = ""
        self._in_headline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("placeholder"):
            self.pieces.append(str(found["placeholder"]).strip())
        self._in_headline = tag == "strong" and found.get("class") == "word"

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.pieces.append(data.strip())
            if self._in_headline:
                self.headline = data.strip()

    def handle_endtag(self, tag: str) -> None:
        self._in_headline = False


def _read(html: str) -> _Text:
    text = _Text()
    text.feed(html)
    return text


def _untranslated(pieces: list[str]) -> set[str]:
    """English interface strings shown as they are (those whose Chinese differs, unlike "App")."""
    english = {m.id for m in _catalogue() if isinstance(m.id, str) and m.id and m.string != m.id}
    return english.intersection(pieces)


def test_check_page_is_chinese_without_a_language_preference(client: FlaskClient) -> None:
    response = client.get("/check?q=95588")
    html = response.get_data(as_text=True)
    page = _read(html)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert page.headline == "官方渠道"
    assert "判断依据" in page.pieces  # "Why"
    assert not _untranslated(page.pieces)
    # The headline's verdict words must not leak through in English anywhere on the page.
    assert not re.search(r"\b(Official|Unverified|Known scam|Impersonation)\b", html)


def test_lang_en_gives_the_english_page(client: FlaskClient) -> None:
    page = _read(client.get("/check?q=95588&lang=en").get_data(as_text=True))
    assert page.headline == "Official"
    assert "Why" in page.pieces


@pytest.mark.parametrize(
    ("accept_language", "headline"),
    [
        ("en-US,en;q=0.9", "Official"),  # an English browser gets English
        ("zh-CN,zh;q=0.9,en;q=0.8", "官方渠道"),  # a mainland browser gets Chinese
        ("zh-TW,zh;q=0.9", "官方渠道"),  # any Chinese gets the only Chinese we have
        ("fr-FR,fr;q=0.9", "官方渠道"),  # a language we lack falls back to Chinese, not English
    ],
)
def test_accept_language_picks_the_language(
    client: FlaskClient, accept_language: str, headline: str
) -> None:
    response = client.get("/check?q=95588", headers={"Accept-Language": accept_language})
    assert _read(response.get_data(as_text=True)).headline == headline


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/scan",  # the box for a whole message
        "/check?q=",  # the "please enter" problem
        "/check?q=4008208820",  # unverified, with the directory hint
        "/check?q=https://icbc.com.cn@evil.top/",  # impersonation, with official channels
        "/about",
        "/platforms",
        "/platforms?q=zzz",  # no match
        "/platforms/icbc",
        "/platforms/pinduoduo",  # phone support unknown
        "/no-such-page",
    ],
)
def test_every_page_shows_no_english_interface_string(client: FlaskClient, path: str) -> None:
    page = _read(client.get(path).get_data(as_text=True))
    assert not _untranslated(page.pieces)


def test_every_message_has_a_reviewed_translation() -> None:
    catalogue = _catalogue()
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"
    messages = [m for m in catalogue if m.id]
    assert messages
    empty = [m.id for m in messages if not m.string]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not empty, f"untranslated: {empty}"
    assert not fuzzy, f"fuzzy (review, then remove the flag): {fuzzy}"
    # Babel's own checkers: %(name)s placeholders kept, plural forms complete.
    problems = {m.id: [str(e) for e in errors] for m, errors in catalogue.check()}
    assert not problems


def _translations(catalogue: Catalog) -> dict[object, object]:
    # The header is left out: it names the Babel version that compiled it, which a fresh
    # install may not share with the one that wrote the shipped file.
    return {m.id: m.string for m in catalogue if m.id and not m.fuzzy}


def test_compiled_catalogue_matches_the_po_file() -> None:
    with (CATALOGUE / "messages.mo").open("rb") as shipped:
        compiled = read_mo(shipped)
    assert _translations(compiled) == _translations(_catalogue()), (
        "messages.mo is stale: run pybabel compile (see .po)"
    )


def test_every_template_string_is_in_the_catalogue() -> None:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    # Walk only the folders babel.cfg names (not a virtualenv that may sit in the checkout).
    tops = {pattern.split("/")[0] for pattern, _method in method_map}
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        directory_filter=lambda path: Path(path).relative_to(ROOT).parts[0] in tops,
    )
    extracted = {
        (message if isinstance(message, str) else message[0], context)
        for _file, _line, message, _comments, context in found
    }
    catalogue = _catalogue()
    assert extracted, "babel.cfg extracted nothing: check its patterns"
    missing = sorted(m for m, context in extracted if catalogue.get(m, context) is None)
    assert not missing, f"not in the zh catalogue (see the .po header to update it): {missing}"
