"""Read v2fly/domain-list-community: per-company domain lists, resolved through their includes.

The data set (``data/<list>`` in github.com/v2fly/domain-list-community, MIT) was made for traffic
routing, not to prove who owns a domain: lists carry CDNs, subsidiaries, advertising hosts and
defensively registered typo domains. What this module gives is community evidence, for matching a
list to a platform by domain; it never makes a domain official.

One rule a line, as v2fly's README defines it::

    # a comment; it may also end a line
    example.com              the domain and its subdomains (``domain:example.com`` says the same)
    full:www.example.com     exactly that host
    keyword:example          skipped (a substring, not a host)
    regexp:^ex\\d+\\.com$     skipped (a pattern, not a host)
    example.cn @cn @!cn      attributes after the rule; ``@ads`` marks advertising hosts
    include:other            every rule of ``other``, transitively
    include:other @cn @-!cn  only its rules that carry ``@cn`` and lack ``@!cn``

Rules tagged ``@ads`` are dropped when read, so they reach no list, through an include or not.
Affiliations (``&other`` after a rule, which v2fly uses to add the rule to ``other`` as well) are
ignored: a list holds only what its own file and its includes give. The module is pure: it reads
files under the root it is given and nothing else (no network, no database).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from verifier.core.link import InvalidLink, normalize_host

__all__ = [
    "DATASET_DATE",
    "SOURCE_COMMIT",
    "DomainList",
    "is_excluded_list",
    "list_name_keys",
    "lists_by_domain",
    "load_domain_lists",
    "name_token",
]

#: The commit of github.com/v2fly/domain-list-community the data folder was taken from.
SOURCE_COMMIT = "c975ccef9c19f005a3bfa7a33255d1b406deea64"
#: The date of that commit.
DATASET_DATE = "2026-08-19"
SOURCE_URL = "https://github.com/v2fly/domain-list-community/blob/{commit}/data/{name}"

log = logging.getLogger(__name__)

# List files are named in lower case (``geolocation-!cn``, ``sf-express``); anything else beside
# them (LICENSE, README.md) is not a list.
_LIST_NAME = re.compile(r"^[a-z0-9!][a-z0-9!._-]*$")
_HOST_KINDS = frozenset({"domain", "full"})
# Most values are already what normalize_host returns (lower-case ASCII, no punycode, no trailing
# dot); this stricter pattern accepts only those, so that the 40,000 rules load in well under a
# second. Every other value goes through normalize_host, the project's one host normaliser.
_CANONICAL_HOST = re.compile(r"^(?!.*(?:^|\.)xn--)(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)*[a-z0-9]{1,63}$")
_PATTERN_KINDS = frozenset({"keyword", "regexp"})


@dataclass(frozen=True, slots=True)
class DomainList:
    """One v2fly list, resolved through its includes, with its advertising rules dropped."""

    #: The list's file name, e.g. ``icbc``.
    name: str
    #: Plain rules (the domain and its subdomains): lower-case punycode, no trailing dot, validated
    #: as host names; sorted, unique.
    domains: tuple[str, ...]
    #: ``full:`` rules (exactly that host), normalised the same way; sorted, unique.
    full: tuple[str, ...]
    #: The list file's address at :data:`SOURCE_COMMIT`, to cite as an entry's ``source``.
    source: str
    #: Lines of the list's own file that gave nothing: ``regexp:`` and ``keyword:`` rules,
    #: unparseable lines, invalid host names and includes of lists that do not exist.
    skipped: int


# A rule as read: (kind, host, attributes); kind is "domain" or "full".
_Rule = tuple[str, str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Include:
    name: str
    required: frozenset[str]  # ``@attr``: the included rule must carry each
    refused: frozenset[str]  # ``@-attr``: the included rule must carry none

    def admit(self, rules: set[_Rule]) -> set[_Rule]:
        if not self.required and not self.refused:
            return rules
        return {
            rule for rule in rules if self.required <= rule[2] and self.refused.isdisjoint(rule[2])
        }


@dataclass(slots=True)
class _ListFile:
    rules: set[_Rule] = field(default_factory=set)
    includes: list[_Include] = field(default_factory=list)
    skipped: int = 0


def load_domain_lists(root: Path) -> dict[str, DomainList]:
    """Read every list file in ``root`` (v2fly's ``data/`` folder) and resolve its includes.

    An include is resolved transitively with its attribute filter applied to the included list's
    resolved rules, as v2fly builds ``dlc.dat``. Lists that include each other (a cycle) get the
    union the cycle gives, without looping. An include of a list that does not exist is logged
    and counted in the including list's ``skipped``; the rest of the list still loads.

    Args:
        root: the folder holding one file per list.

    Returns:
        Every list by name, in name order.
    """
    files = {
        path.name: _read_list(path.read_text(encoding="utf-8", errors="replace"))
        for path in sorted(root.iterdir())
        if _LIST_NAME.match(path.name) and path.is_file()
    }
    for name, parsed in files.items():
        for include in parsed.includes:
            if include.name not in files:
                log.warning("domain list %s includes %s, which does not exist", name, include.name)
                parsed.skipped += 1
    resolved = _resolve(files)
    return {
        name: _domain_list(name, resolved[name], parsed.skipped) for name, parsed in files.items()
    }


def _domain_list(name: str, rules: set[_Rule], skipped: int) -> DomainList:
    hosts: dict[str, set[str]] = {"domain": set(), "full": set()}
    for kind, host, _ in rules:
        hosts[kind].add(host)
    return DomainList(
        name=name,
        domains=tuple(sorted(hosts["domain"])),
        full=tuple(sorted(hosts["full"])),
        source=SOURCE_URL.format(commit=SOURCE_COMMIT, name=name),
        skipped=skipped,
    )


def _read_list(text: str) -> _ListFile:
    parsed = _ListFile()
    attribute_sets: dict[frozenset[str], frozenset[str]] = {}  # one object per distinct set
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        head, *tail = line.split()
        kind, sep, value = head.partition(":")
        if not sep:
            kind, value = "domain", head
        kind = kind.lower()
        # v2fly reads "@key=3" as the key with a value; only keys matter for filtering
        attributes = [token[1:].lower().partition("=")[0] for token in tail if token[0] == "@"]
        if kind in _PATTERN_KINDS:
            parsed.skipped += 1
        elif any(not token.startswith(("@", "&")) for token in tail) or not all(attributes):
            parsed.skipped += 1  # a stray word after the rule: the line means something else
        elif kind == "include":
            _read_include(parsed, value, attributes)
        elif kind in _HOST_KINDS:
            if "ads" in attributes:
                continue  # advertising hosts name no platform; they never reach a list
            if len(value) <= 253 and _CANONICAL_HOST.match(value):
                host = value
            else:
                try:
                    host = normalize_host(value)
                except InvalidLink:
                    parsed.skipped += 1
                    continue
            attribute_set = frozenset(attributes)
            attribute_set = attribute_sets.setdefault(attribute_set, attribute_set)
            parsed.rules.add((kind, host, attribute_set))
        else:
            parsed.skipped += 1  # an unknown prefix
    return parsed


def _read_include(parsed: _ListFile, value: str, attributes: list[str]) -> None:
    name = value.strip().lower()
    refused = frozenset(a[1:] for a in attributes if a.startswith("-"))
    if not _LIST_NAME.match(name) or "" in refused:
        parsed.skipped += 1
        return
    required = frozenset(a for a in attributes if not a.startswith("-"))
    parsed.includes.append(_Include(name, required, refused))


def _resolve(files: Mapping[str, _ListFile]) -> dict[str, set[_Rule]]:
    """Each list's own rules plus its includes' admitted rules, to a fixed point.

    Lists are visited in strongly connected components (Tarjan), dependencies first, so a list
    without cycles is computed once from finished includes; a cycle's members are recomputed
    together until nothing changes. Rules only ever get added, so that loop ends.
    """
    resolved: dict[str, set[_Rule]] = {}
    for component in _components(files):
        first = component[0]
        cyclic = len(component) > 1 or first in _targets(files[first])
        changed = True
        while changed:
            changed = False
            for name in component:
                rules = set(files[name].rules)
                for include in files[name].includes:
                    rules |= include.admit(resolved.get(include.name, set()))
                if rules != resolved.get(name):
                    resolved[name] = rules
                    changed = cyclic
    return resolved


def _targets(parsed: _ListFile) -> set[str]:
    return {include.name for include in parsed.includes}


def _components(files: Mapping[str, _ListFile]) -> list[list[str]]:
    """The include graph's strongly connected components, each after those it includes."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(name: str) -> None:
        # Recursion depth is the longest include chain (a handful in the real data).
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in sorted(_targets(files[name])):
            if target not in files:
                continue
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            components.append(sorted(component))

    for name in sorted(files):
        if name not in index:
            visit(name)
    return components


_EXCLUDED_NAMES = frozenset(
    {
        "cn",  # v2fly's alias for tld-cn + geolocation-cn
        "private",  # special-use names: localhost, local, home.arpa...
        "connectivity-check",  # captive-portal probes of many vendors
        "test-ipv6",  # IPv6 test mirrors run by many networks
        "rsshub-3rd",  # RSSHub instances run by strangers
    }
)
_EXCLUDED_PREFIXES = ("category-", "geolocation-", "tld-")
_EXCLUDED_WORDS = frozenset({"ads", "tracking", "analytics"})


def is_excluded_list(name: str) -> bool:
    """Whether a list names no single company, so it must not tie a domain to a platform.

    Excluded are: broad groupings (``category-*``, such as ``category-bank-cn`` or
    ``category-ads-all``; ``geolocation-*``; ``tld-*``; ``cn``; ``private``); lists whose name says
    CDN anywhere (``bilibili-cdn``, ``bootcdn``, ``cdn77``): a CDN serves many companies' content;
    lists with ``ads``, ``tracking`` or ``analytics`` as a dash-separated word (``xxx-ads``, but
    not ``goodreads`` or ``threads``); and three multi-vendor lists named one by one
    (``connectivity-check``, ``test-ipv6``, ``rsshub-3rd``). A company list that merely contains
    CDN or advertising hosts (``alibaba``) is kept; its ``@ads`` rules are already dropped.

    >>> is_excluded_list("category-ads-all"), is_excluded_list("icbc")
    (True, False)
    """
    name = name.lower()
    return (
        name in _EXCLUDED_NAMES
        or name.startswith(_EXCLUDED_PREFIXES)
        or "cdn" in name
        or not _EXCLUDED_WORDS.isdisjoint(name.split("-"))
    )


def lists_by_domain(lists: Mapping[str, DomainList]) -> dict[str, tuple[str, ...]]:
    """Map each domain or host to the names of the non-excluded lists holding it (plain or full).

    Keys are the lists' values as written: a plain rule's domain (``icbc.com.cn``) or a ``full:``
    host (``www.example.com``); no registrable domain is derived. Bare top-level domains
    (``icbc``, the brand TLD) are left out: they are neither a registrable domain nor a host.

    >>> icbc = DomainList("icbc", ("icbc.com.cn",), (), "", 0)
    >>> lists_by_domain({"icbc": icbc})
    {'icbc.com.cn': ('icbc',)}
    """
    names: dict[str, set[str]] = {}
    for name, domain_list in lists.items():
        if is_excluded_list(name):
            continue
        for host in (*domain_list.domains, *domain_list.full):
            if "." in host:
                names.setdefault(host, set()).add(domain_list.name)
    return {host: tuple(sorted(names[host])) for host in sorted(names)}


# Trailing words of a company's list name that name no other company: a region or an edition
# (``hsbc-cn``, ``mihoyo-cn``, ``lark-global``, ``bytedance-ai-!cn``) and the couriers' "express"
# (``sto-express`` for STO, whose site is sto.cn). Any other word is part of the name:
# ``tencent-tme`` is Tencent Music, not Tencent.
_QUALIFIERS = ("-cn", "-!cn", "-global", "-intl", "-express")


def name_token(text: str) -> str:
    """A name's letters and digits, lower case: how list names and platform names compare.

    >>> name_token("China-Mobile"), name_token("LOUIS VUITTON"), name_token("京东")
    ('chinamobile', 'louisvuitton', '')
    """
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", text).casefold())


def list_name_keys(name: str) -> tuple[str, ...]:
    """The forms a list's name names a company in: :func:`name_token` of the name, and of the
    name without a trailing region or edition qualifier.

    >>> list_name_keys("hsbc-cn"), list_name_keys("sto-express"), list_name_keys("tencent-tme")
    (('hsbccn', 'hsbc'), ('stoexpress', 'sto'), ('tencenttme',))
    """
    keys = [name_token(name)]
    for qualifier in _QUALIFIERS:
        if name.endswith(qualifier):
            keys.append(name_token(name.removesuffix(qualifier)))
    return tuple(key for key in dict.fromkeys(keys) if key)
