"""The metowolf/vCards phone book, read as community facts.

The data set (``data/<category>/<organisation>.yaml``) is a community-curated yellow page: each
file names an organisation (``basic.organization``), its service numbers (``basic.cellPhone``),
e-mail addresses (``basic.workEmail``) and official site (``basic.url``). Nobody has to prove a
submission, so every fact read here is a *community* channel, never an official one; its source
is the file's address at the pinned commit and its date the snapshot's.

The reader is pure: files in, plain records out. Numbers that the project's own phone rules
refuse are reported, not guessed at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from verifier.core.index import Channel
from verifier.core.link import InvalidLink, normalize_email, normalize_link
from verifier.core.phone import InvalidPhone, normalize_phone

__all__ = [
    "DATASET_DATE",
    "SOURCE_COMMIT",
    "InvalidEntry",
    "VCardOrg",
    "VCards",
    "VCardsError",
    "load_vcards",
    "source_url",
]

#: The metowolf/vCards commit the folder was taken from (shared/data/community/README.md).
SOURCE_COMMIT = "b1a346c3354e559fd10f9060325e1565b140fc80"
#: The date of that snapshot: every entry's ``verified_on``.
DATASET_DATE = "2026-08-21"
#: Numbers are written without a country code for the mainland.
REGION = "CN"
MAX_FILE_BYTES = 1024 * 1024


class VCardsError(ValueError):
    """The folder cannot be read as a vCards data set; the message names the file."""


@dataclass(frozen=True)
class InvalidEntry:
    """A value of a file that is not a usable phone number, address or site (skipped)."""

    #: ``<category>/<name>.yaml``.
    file: str
    organization: str
    kind: str
    #: The value as written in the file.
    value: str
    #: The normaliser's reason code (``not_a_phone_number``, ``bad_host``, …).
    reason: str


@dataclass(frozen=True)
class VCardOrg:
    """One organisation of the phone book, its values normalised."""

    #: The category folder, in Chinese (``金融银行``).
    category: str
    #: ``<category>/<name>.yaml``, relative to the data folder.
    file: str
    organization: str
    #: Phone and e-mail channels (community, sourced), in file order, without repeats.
    channels: tuple[Channel, ...]
    #: The site's host (``www.hzbank.com.cn``), or "" when the file has no usable ``url``.
    host: str = ""
    #: Its registrable domain (``hzbank.com.cn``), the org's domain channel.
    registrable: str = ""
    #: Its registrable domain without the public suffix (``hzbank``), for a slug.
    label: str = ""

    @property
    def source(self) -> str:
        """The file's address at the pinned commit."""
        return source_url(self.file)


@dataclass(frozen=True)
class VCards:
    """The whole data set."""

    orgs: tuple[VCardOrg, ...]
    invalid: tuple[InvalidEntry, ...]


def source_url(file: str) -> str:
    """The GitHub address of ``<category>/<name>.yaml`` at :data:`SOURCE_COMMIT`.

    >>> source_url("金融银行/杭州银行.yaml")[-41:]
    '%E6%9D%AD%E5%B7%9E%E9%93%B6%E8%A1%8C.yaml'
    """
    return f"https://github.com/metowolf/vCards/blob/{SOURCE_COMMIT}/data/{quote(file, safe='/')}"


def load_vcards(root: str | Path) -> VCards:
    """Read every ``<category>/<name>.yaml`` under ``root``, or raise :class:`VCardsError`.

    A file that is not YAML, or has no ``basic.organization``, fails the whole read: a data set
    read in part would silently drop its organisations from the community tier.
    """
    root = Path(root)
    if not root.is_dir():
        raise VCardsError(f"{root}: no such folder")
    files = sorted(p for p in root.glob("*/*.yaml") if p.is_file())
    if not files:
        raise VCardsError(f"{root}: no <category>/<name>.yaml file")
    orgs: list[VCardOrg] = []
    invalid: list[InvalidEntry] = []
    for path in files:
        org, bad = _read_org(path, path.relative_to(root).as_posix())
        orgs.append(org)
        invalid.extend(bad)
    return VCards(tuple(orgs), tuple(invalid))


def _read_org(path: Path, file: str) -> tuple[VCardOrg, list[InvalidEntry]]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise VCardsError(f"{file}: larger than {MAX_FILE_BYTES // 1024} KiB")
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise VCardsError(f"{file}: cannot read: {exc}") from exc
    basic = raw.get("basic") if isinstance(raw, Mapping) else None
    if not isinstance(basic, Mapping):
        raise VCardsError(f"{file}: basic: must be a mapping")
    name = basic.get("organization")
    if not isinstance(name, str) or not name.strip():
        raise VCardsError(f"{file}: basic.organization: required")
    organization = " ".join(name.split())
    invalid: list[InvalidEntry] = []

    def bad(kind: str, value: Any, reason: str) -> None:
        invalid.append(InvalidEntry(file, organization, kind, str(value), reason))

    channels: dict[tuple[str, str], Channel] = {}
    source = source_url(file)
    for value, label in _items(basic.get("cellPhone"), "number"):
        try:
            number = normalize_phone(value, REGION).normalized
        except InvalidPhone as exc:
            bad("phone", value, exc.code)
            continue
        channels.setdefault(("phone", number), _channel("phone", number, label, source))
    for value, label in _items(basic.get("workEmail"), "email"):
        try:
            address = normalize_email(value).normalized
        except InvalidLink as exc:
            bad("email", value, exc.code)
            continue
        channels.setdefault(("email", address), _channel("email", address, label, source))
    host = registrable = label = ""
    url = basic.get("url")
    if isinstance(url, str) and url.strip():
        try:
            link = normalize_link(url.strip())
        except InvalidLink as exc:
            bad("domain", url, exc.code)
        else:
            if link.is_ip or not link.registrable:
                bad("domain", url, "no_registrable_domain")
            else:
                host, registrable = link.host, link.registrable
                label = registrable[: -len(link.suffix) - 1] if link.suffix else registrable
    org = VCardOrg(
        category=file.split("/", 1)[0],
        file=file,
        organization=organization,
        channels=tuple(channels.values()),
        host=host,
        registrable=registrable,
        label=label,
    )
    return org, invalid


def _items(value: Any, key: str) -> list[tuple[str, str]]:
    """``(value, label)`` pairs of a field written as one value, a list of values, or a list of
    ``{<key>: value, label: …}`` mappings (all three occur)."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    out: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, Mapping):
            text, label = item.get(key), item.get("label")
        else:
            text, label = item, None
        if isinstance(text, bool) or not isinstance(text, str | int):
            continue
        out.append((str(text).strip(), str(label).strip() if label else ""))
    return [(text, label) for text, label in out if text]


def _channel(kind: str, value: str, label: str, source: str) -> Channel:
    return Channel(
        kind=kind,
        value=value,
        label_zh=label,
        source=source,
        verified_on=dt.date.fromisoformat(DATASET_DATE).isoformat(),
        trust="community",
    )
