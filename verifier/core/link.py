"""Reduce links and e-mail addresses to the host that really receives the visit.

Browsers forgive a great deal, and scammers rely on it: ``https://icbc.com.cn@evil.top/`` goes
to ``evil.top`` (everything before ``@`` is a user name), ``ICBC。COM。CN`` is ``icbc.com.cn``,
``%65vil.top`` is ``evil.top``, and ``xn--…`` labels display as Chinese. Each value is reduced to
its real host and then to its registrable domain with tldextract's bundled public suffix list
(private suffixes included, so ``brand.github.io`` is its own site; see ``suffixes.py``). No
network is ever used.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from verifier.core.normalize import fold
from verifier.core.suffixes import split_host

__all__ = [
    "InvalidLink",
    "ParsedEmail",
    "ParsedLink",
    "display_host",
    "normalize_email",
    "normalize_host",
    "normalize_link",
    "split_registrable",
]


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_WEB_SCHEMES = frozenset({"http", "https"})
#: Schemes that run code or embed content instead of naming a site.
DANGEROUS_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob"})
_IP_CHARS = re.compile(r"^[0-9a-fA-F:.]+$")
_LABEL = re.compile(r"^(?!-)[a-z0-9\-_]{1,63}(?<!-)$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidLink(ValueError):
    """The value is not a usable link or address; ``code`` names why (a reason code)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class ParsedLink:
    """A link reduced to the host that receives the visit."""

    #: Canonical URL: lower-case scheme and punycode host, no user info, no default port.
    normalized: str
    #: The real host, lower-case punycode (ASCII), no trailing dot.
    host: str
    #: The host as people read it (IDN labels decoded).
    display_host: str
    #: The registrable domain (``icbc.com.cn`` for ``www.icbc.com.cn``); empty for IP hosts.
    registrable: str
    scheme: str
    port: int | None = None
    #: True when the link carried a user name before ``@``.
    had_userinfo: bool = False
    #: True for IPv4/IPv6 literal hosts.
    is_ip: bool = False
    #: True when the host is under a private (hosting) suffix such as github.io.
    private_suffix: bool = False
    #: The public suffix (``com.cn``, or a private one such as ``github.io``); empty for IPs.
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """An e-mail address, lower-cased, with its domain parsed like a link's host."""

    normalized: str
    link: ParsedLink


def normalize_host(raw: str) -> str:
    """Turn a written host into lower-case punycode, or raise :class:`InvalidLink`.

    >>> normalize_host("ICBC。COM。CN.")
    'icbc.com.cn'
    >>> normalize_host("中国.cn")
    'xn--fiqs8s.cn'
    """
    host = fold(unquote(raw)).rstrip(".").lower()
    if not host:
        # "http://" or "https:///x": no host at all. A documented reason code, so that check()
        # can render it (an undocumented "no_host" made check() raise KeyError).
        raise InvalidLink("not_a_link")
    try:
        ascii_host = ".".join(_label_to_ascii(label) for label in host.split("."))
    except (UnicodeError, ValueError) as exc:
        raise InvalidLink("bad_host") from exc
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in ascii_host.split(".")):
        raise InvalidLink("bad_host")
    return ascii_host


@lru_cache(maxsize=16384)
def _label_to_ascii(label: str) -> str:
    if label.isascii():
        if label.startswith("xn--"):
            label.encode("ascii").decode("idna")  # raises on broken punycode
        return label
    return label.encode("idna").decode("ascii")


def split_registrable(host: str) -> tuple[str, str]:
    """``(name, suffix)`` of a host's registrable domain: ``icbc.com.cn`` → ``("icbc", "com.cn")``.

    >>> split_registrable("www.alipay.com")
    ('alipay', 'com')
    """
    parts = split_host(host)
    if parts is None or not parts.registrable:
        return "", parts.suffix if parts else ""
    return parts.registrable[: -len(parts.suffix) - 1], parts.suffix


def display_host(host: str) -> str:
    """A punycode host as people read it (IDN labels decoded).

    >>> display_host("xn--fiqs8s.cn")
    '中国.cn'
    """
    return _display(host)


@lru_cache(maxsize=16384)
def _display(host: str) -> str:
    try:
        return ".".join(
            label.encode("ascii").decode("idna") if label.startswith("xn--") else label
            for label in host.split(".")
        )
    except UnicodeError:
        return host


# The common case: an ASCII link with a plain host, no user info, no brackets, no escapes. It is
# parsed by one expression; everything else takes the general path below.
_PLAIN_LINK = re.compile(
    r"^(?:(https?)://)?((?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+[A-Za-z][A-Za-z0-9-]{0,62}(?<!-))\.?"
    r"(?::(\d{1,5}))?([/?#][!-~]*)?$"
)


def _plain_link(text: str) -> ParsedLink | None:
    found = _PLAIN_LINK.match(text)
    if found is None:
        return None
    scheme_part, raw_host, port_text, rest = found.groups()
    scheme = (scheme_part or "http").lower()
    host = raw_host.lower()
    port = int(port_text) if port_text else None
    if port is not None and (port > 65535 or port == _DEFAULT_PORTS[scheme]):
        return None if port > 65535 else _plain_finish(scheme, host, None, rest)
    return _plain_finish(scheme, host, port, rest)


def _plain_finish(scheme: str, host: str, port: int | None, rest: str | None) -> ParsedLink | None:
    if len(host) > 253 or "xn--" in host:
        return None  # IDN labels need decoding checks: the general path does them
    parts = split_host(host)
    if parts is None:
        raise InvalidLink("unknown_suffix")
    path, _, query = (rest or "/").partition("#")[0].partition("?")
    canonical = f"{scheme}://{host}{f':{port}' if port else ''}{path or '/'}"
    if query:
        canonical += "?" + query
    return ParsedLink(
        normalized=canonical,
        host=host,
        display_host=host,
        registrable=parts.registrable or host,
        scheme=scheme,
        port=port,
        private_suffix=parts.private,
        suffix=parts.suffix,
    )


def normalize_link(value: str) -> ParsedLink:
    """Parse a link written with or without a scheme, or raise :class:`InvalidLink`.

    >>> normalize_link("https://icbc.com.cn@evil.top/").host
    'evil.top'
    >>> normalize_link("WWW.ICBC.COM.CN/x").registrable
    'icbc.com.cn'
    """
    plain = _plain_link(value)
    if plain is not None:
        return plain
    text = fold(value)
    if not text or any(c.isspace() for c in text):
        raise InvalidLink("not_a_link")
    scheme_match = _SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if scheme in DANGEROUS_SCHEMES:
        raise InvalidLink("dangerous_scheme")
    if scheme and scheme not in _WEB_SCHEMES and not text[len(scheme) + 1 :].startswith("//"):
        # "example.com:8080/x" parses as scheme "example.com"; a real scheme has no dot.
        if "." in scheme or scheme.isdigit():
            scheme = ""
        else:
            raise InvalidLink("unsupported_scheme")
    if not scheme:
        text = "http://" + text.lstrip("/")
        scheme = "http"
    elif scheme not in _WEB_SCHEMES:
        raise InvalidLink("unsupported_scheme")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:  # bad IPv6 brackets, non-numeric or out-of-range port
        raise InvalidLink("bad_host") from exc
    netloc = parts.netloc
    had_userinfo = "@" in netloc
    hostport = netloc.rpartition("@")[2]
    raw_host = parts.hostname or ""
    if hostport.startswith("["):
        raw_host = hostport[1 : hostport.index("]")] if "]" in hostport else ""
    is_ip, host = _ip_host(raw_host)
    if not is_ip:
        host = normalize_host(raw_host)
        if "." not in host:
            raise InvalidLink("not_a_link")
    registrable, private, suffix = "", False, ""
    if not is_ip:
        cut = split_host(host)
        if cut is None:
            raise InvalidLink("unknown_suffix")
        registrable = cut.registrable or host
        private = cut.private
        suffix = cut.suffix
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    shown_host = f"[{host}]" if ":" in host else host
    canonical = f"{scheme}://{shown_host}{f':{port}' if port else ''}{parts.path or '/'}"
    if parts.query:
        canonical += "?" + parts.query
    return ParsedLink(
        normalized=canonical,
        host=host,
        display_host=host if is_ip else _display(host),
        registrable=registrable,
        scheme=scheme,
        port=port,
        had_userinfo=had_userinfo,
        is_ip=is_ip,
        private_suffix=private,
        suffix=suffix,
    )


def _ip_host(raw: str) -> tuple[bool, str]:
    candidate = unquote(raw).strip("[]")
    if not _IP_CHARS.match(candidate):
        return False, raw  # letters beyond hex digits: no IP address, spare the exception
    try:
        return True, str(ipaddress.ip_address(candidate))
    except ValueError:
        return False, raw


def normalize_email(value: str) -> ParsedEmail:
    """Parse an e-mail address (optionally ``mailto:``), or raise :class:`InvalidLink`.

    >>> normalize_email("Service@ICBC.com.cn").normalized
    'service@icbc.com.cn'
    """
    text = fold(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    local, at, domain = text.rpartition("@")
    bad_local = "@" in local or any(c.isspace() or c in '<>()[],;:"' for c in local)
    if not at or not local or not domain or bad_local:
        raise InvalidLink("not_an_email_address")
    link = normalize_link(domain)
    if link.is_ip or link.normalized != f"http://{link.host}/":
        raise InvalidLink("not_an_email_address")
    return ParsedEmail(normalized=f"{local.lower()}@{link.host}", link=link)
