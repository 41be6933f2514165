"""The public suffix list, looked up directly: which part of a host anyone can register under.

The rules are tldextract's bundled snapshot of the public suffix list (private suffixes such as
``github.io`` included), read once through its public ``tlds`` property; nothing is downloaded.
A host's suffix is then found with a few set lookups, cheaper than a full tldextract call,
which parses the whole string as a URL again although the caller already has the host.
The rules follow the list's algorithm: the longest matching rule wins, ``*.`` rules match any
one label, and ``!`` exceptions undo a wildcard.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import lru_cache

import tldextract

__all__ = ["HostParts", "split_host"]


@dataclass(frozen=True, slots=True)
class HostParts:
    """A host cut at its public suffix."""

    #: The public suffix (``com.cn``), as written in the host.
    suffix: str
    #: The registrable domain (``icbc.com.cn``), or "" when the host is itself a suffix.
    registrable: str
    #: True when the matching rule is in the list's private section (``github.io``).
    private: bool


@dataclass(frozen=True)
class _Rules:
    exact: frozenset[str]
    wildcard: frozenset[str]  # "ck" for the rule "*.ck"
    exception: frozenset[str]  # "www.ck" for the rule "!www.ck"
    private: frozenset[str]  # rules of the private section, as written ("*.ck", "github.io")
    #: Every rule's right-hand chains ("cn", "com.cn"): the walk stops where none continues.
    chains: frozenset[str]


def _both_forms(rule: str) -> set[str]:
    forms = {rule}
    with contextlib.suppress(UnicodeError):  # a rule Python's IDNA codec rejects stays as is
        forms.add(rule.encode("idna").decode("ascii"))
    return forms


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    # An empty URL list: the bundled snapshot only, never a download; no cache dir: no writes.
    def tlds(private: bool) -> set[str]:
        extractor = tldextract.TLDExtract(
            cache_dir=None, suffix_list_urls=(), include_psl_private_domains=private
        )
        return {form for rule in extractor.tlds for form in _both_forms(rule.lower())}

    every, public = tlds(private=True), tlds(private=False)
    chains: set[str] = set()
    for rule in every:
        labels = rule.lstrip("!").removeprefix("*.").split(".")
        chains.update(".".join(labels[i:]) for i in range(len(labels)))
    return _Rules(
        chains=frozenset(chains),
        exact=frozenset(r for r in every if r[0] not in "!*"),
        wildcard=frozenset(r[2:] for r in every if r.startswith("*.")),
        exception=frozenset(r[1:] for r in every if r.startswith("!")),
        private=frozenset(every - public),
    )


def split_host(host: str) -> HostParts | None:
    """Cut lower-case ``host`` at its public suffix; None when it ends in no known suffix.

    >>> split_host("www.icbc.com.cn")
    HostParts(suffix='com.cn', registrable='icbc.com.cn', private=False)
    >>> split_host("brand.github.io").private
    True
    """
    rules = _rules()
    labels = host.split(".")
    start, rule, chain = -1, "", ""
    # Walk from the right ("cn", "com.cn", "icbc.com.cn") while some rule continues the chain;
    # the last rule matched is the longest.
    for i in range(len(labels) - 1, -1, -1):
        candidate = f"{labels[i]}.{chain}" if chain else labels[i]
        if candidate in rules.exception:
            start, rule = i + 1, "!" + candidate  # "!www.ck": www.ck is registrable
            break
        if candidate in rules.exact:
            start, rule = i, candidate
        elif chain and chain in rules.wildcard:
            start, rule = i, "*." + chain
        if candidate not in rules.chains:
            break
        chain = candidate
    if start < 0 or start >= len(labels):
        return None
    registrable = ".".join(labels[start - 1 :]) if start > 0 else ""
    return HostParts(".".join(labels[start:]), registrable, rule in rules.private)
