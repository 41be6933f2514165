"""Build bench/data/benign_domains.txt: real, unrelated domains whose names are close to a brand.

The lookalike evaluation (bench/eval_lookalike.py) needs the other side of recall: domains a
careless detector would flag but that belong to somebody else. They are not written from memory.
Each one is taken from v2fly/domain-list-community (routing lists, one per company, pinned at
``DATA_COMMIT``) and selected by a rule over names alone, never by what the detector says:

1. **Brand tokens** come from the registry: every platform's slug, its ASCII aliases and the name
   of each of its own registrable domains, lower-cased with everything but letters and digits
   dropped (``sf-express`` -> ``sfexpress``, ``Trip.com`` -> ``trip``, ``95559.com.cn`` ->
   ``95559``).
2. A candidate's **label** is its registrable domain without the public suffix (``airchina`` in
   ``airchina.com.cn``), compared with and without hyphens. It is selected when, for some token:
   - ``close``: the optimal-string-alignment edit distance is at most 1 (tokens of 4 characters
     or fewer) or 2 (longer tokens); 0 counts, so the brand's name under another suffix owned by
     an unrelated company (``abc.com``) is in;
   - ``contains``: a token of 5 or more characters appears anywhere in it;
   - ``boundary``: a shorter token starts or ends it, or stands between hyphens or digits;
   - ``affix``: it shares a prefix of at least max(4, 60%) or a suffix of at least max(4, 75%) of a
     token of 5 or more characters.
3. **Exclusions**, so that nothing owned by a registered platform is called benign: every list
   that directly names one of the registry's own registrable domains, together with the lists
   it includes and the lists that include it, transitively (the company and its group: the
   ``alibaba`` list holds taobao and alipay, ``tencent`` holds tenpay); every domain those lists
   name, wherever else it appears; domains that are official or blocklisted in the registry;
   from the aggregate lists (``category-*``, ``geolocation-*``, ``tld-*``), whose owner is not
   stated, labels that start with a brand token of 3 or more characters (``abc-ca.com`` is a
   fund company of the Agricultural Bank of China); hosts under private (hosting) suffixes;
   labels that are a registry's second level missing from the suffix list (``com.kn``); the
   lists ``private`` and ``connectivity-check``, which name no company; and ``category-porn``.
4. One domain per label (``airchina`` is listed under 30 suffixes): ``.com`` first, then ``.cn``,
   ``.com.cn``, ``.net``, ``.org``, then alphabetical.

Run from the repository root: ``python bench/data/make_benign.py [--data DIR]``. The registry's
brand tokens feed the rule, so rerun it after the registry gains a platform, alias or domain.
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from registry.db import BUNDLED_REGISTRY
from registry.files import load_registry_file
from verifier.core.index import Platform, RegistryIndex
from verifier.core.link import InvalidLink, ParsedLink, normalize_link

DATA_COMMIT = "c975ccef9c19f005a3bfa7a33255d1b406deea64"
DATA_URL = f"https://github.com/v2fly/domain-list-community/tree/{DATA_COMMIT}/data"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "community" / "domain-list-community"
OUTPUT = ROOT / "bench" / "data" / "benign_domains.txt"
#: Lists that name no company (reverse DNS, captive-portal probes) or that we do not ship.
SKIPPED_LISTS = frozenset({"private", "connectivity-check", "category-porn"})
SUFFIX_ORDER = ("com", "cn", "com.cn", "net", "org")
#: A "registrable" label that is really a registry's second level the suffix list lacks
#: (``dell.com.kn`` reduces to ``com.kn``): no company's name.
REGISTRY_LABELS = frozenset({"ac", "co", "com", "edu", "gov", "mil", "net", "org"})


@dataclass(frozen=True)
class DomainList:
    """One v2fly list: the domains it names itself and the lists it includes."""

    name: str
    domains: tuple[str, ...]
    includes: tuple[str, ...]


def read_list(path: Path) -> DomainList:
    """Parse a v2fly list file; ``regexp:`` and ``keyword:`` rules name no domain and are skipped.

    A line is ``[domain:|full:]name [@attr ...]``, ``include:list [@attr]`` or a comment.
    """
    domains: list[str] = []
    includes: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].split()
        if not entry:
            continue
        kind, _, value = entry[0].rpartition(":")
        if kind == "include":
            includes.append(value)
        elif kind in ("", "domain", "full"):
            domains.append(value)
    return DomainList(path.name, tuple(domains), tuple(includes))


def read_lists(folder: Path) -> dict[str, DomainList]:
    """Every list in ``folder`` (the data set's ``data/``), by name."""
    return {
        p.name: read_list(p)
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name.upper() not in ("LICENSE", "README.MD")
    }


def is_aggregate(name: str) -> bool:
    """Lists that gather many companies' domains, so that a domain's owner is not stated."""
    return name.startswith(("category-", "geolocation-", "tld-")) or "!" in name


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _parse(domain: str) -> ParsedLink | None:
    try:
        parsed = normalize_link(domain)
    except InvalidLink:
        return None
    return parsed if parsed.suffix and not parsed.is_ip else None


def _label(parsed: ParsedLink) -> str:
    return parsed.registrable[: -len(parsed.suffix) - 1]


def brand_tokens(platforms: Iterable[Platform]) -> set[str]:
    """Slugs, ASCII aliases and own registrable-domain names, squashed (see the module doc)."""
    tokens: set[str] = set()
    for platform in platforms:
        names = [platform.slug]
        for alias in platform.aliases:
            if alias.isascii():
                # "Trip.com" names a domain: its brand is the label, not "tripcom".
                names.append(alias.split(".")[0] if re.fullmatch(r"[\w-]+\.\w+", alias) else alias)
        for channel in platform.channels:
            parsed = _parse(channel.value) if channel.kind == "domain" else None
            if parsed is not None and channel.scope == "subdomains":
                names.append(_label(parsed))
        tokens.update(t for t in map(_squash, names) if len(t) >= 2)
    return tokens


def osa_distance(a: str, b: str) -> int:
    """Edit distance counting an adjacent transposition as one edit (optimal string alignment).

    Kept here rather than imported from the detector so that the benign set cannot follow it.

    >>> osa_distance("abchina", "airchina"), osa_distance("ctrip", "ctirp")
    (2, 1)
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def closeness(label: str, token: str) -> str | None:
    """The rule under which ``label`` is close to ``token`` (module doc, step 2), or None."""
    flat = label.replace("-", "")
    limit = 1 if len(token) <= 4 else 2
    if any(
        abs(len(form) - len(token)) <= limit and osa_distance(form, token) <= limit
        for form in {label, flat}
    ):
        return "close"
    if len(token) >= 5:
        if token in flat:
            return "contains"
        prefix = max(4, math.ceil(0.6 * len(token)))
        suffix = max(4, math.ceil(0.75 * len(token)))
        if (
            _common_prefix(flat, token) >= prefix
            or _common_prefix(flat[::-1], token[::-1]) >= suffix
        ):
            return "affix"
        return None
    if flat.startswith(token) or flat.endswith(token):
        return "boundary"
    if re.search(rf"(?:^|[-\d]){re.escape(token)}(?:$|[-\d])", label):
        return "boundary"
    return None


def first_rule(label: str, tokens: Iterable[str]) -> str | None:
    """The strongest rule ``label`` meets for any token (close > contains > boundary > affix)."""
    found = {closeness(label, t) for t in tokens} - {None}
    return next((r for r in ("close", "contains", "boundary", "affix") if r in found), None)


def registered_group(lists: dict[str, DomainList], index: RegistryIndex) -> set[str]:
    """Company lists that name a registered platform's own domain, and their include-relatives."""
    owned = set()
    for platform in index.platforms:
        for channel in platform.channels:
            parsed = _parse(channel.value) if channel.kind == "domain" else None
            if parsed is not None:
                owned.add(parsed.registrable)  # qq.com for pay.weixin.qq.com: tencent's group
    companies = {n for n in lists if not is_aggregate(n) and n not in SKIPPED_LISTS}
    group = set()
    for name in companies:
        names = (_parse(d) for d in lists[name].domains)
        if any(p is not None and p.registrable in owned for p in names):
            group.add(name)
    relatives: dict[str, set[str]] = {n: set() for n in lists}
    for name, listed in lists.items():
        for child in listed.includes:
            if child in relatives:
                relatives[name].add(child)
                relatives[child].add(name)
    todo = list(group)
    while todo:
        for other in relatives[todo.pop()] & companies - group:
            group.add(other)
            todo.append(other)
    return group


def _suffix_rank(parsed: ParsedLink) -> tuple[int, str]:
    order = SUFFIX_ORDER.index(parsed.suffix) if parsed.suffix in SUFFIX_ORDER else 99
    return order, parsed.registrable


@dataclass(frozen=True)
class Selection:
    """The benign set: domain -> the list it came from, and how many each rule selected."""

    domains: dict[str, str]
    rules: Counter[str]
    group: frozenset[str]


def select(lists: dict[str, DomainList], index: RegistryIndex) -> Selection:
    """Apply the module doc's rule to every list."""
    tokens = brand_tokens(index.platforms)
    group = registered_group(lists, index)
    excluded = {
        p.registrable for n in group for p in map(_parse, lists[n].domains) if p is not None
    }
    best: dict[str, tuple[tuple[int, str], str, str]] = {}  # label -> (rank, domain, list)
    rules: dict[str, str | None] = {}  # label -> strongest rule, computed once per label
    for name, listed in lists.items():
        if name in group or name in SKIPPED_LISTS:
            continue
        for value in listed.domains:
            parsed = _parse(value)
            if parsed is None or parsed.private_suffix or parsed.registrable in excluded:
                continue
            host = parsed.registrable
            if index.domain_channels(host) or index.blocked_host(host):
                continue
            label = _label(parsed)
            if label in REGISTRY_LABELS:
                continue
            if is_aggregate(name) and any(len(t) >= 3 and label.startswith(t) for t in tokens):
                continue
            if label not in rules:
                rules[label] = first_rule(label, tokens)
            if rules[label] is None:
                continue
            candidate = (_suffix_rank(parsed), host, name)
            if label not in best or candidate < best[label]:
                best[label] = candidate
    chosen = {host: name for _, host, name in best.values()}
    return Selection(
        domains=dict(sorted(chosen.items())),
        rules=Counter(str(rules[label]) for label in best),
        group=frozenset(group),
    )


def render(selection: Selection, tokens: Iterable[str]) -> str:
    """The file: a header saying how it was made, then ``domain  # list`` lines."""
    rule_text = next(p for p in (__doc__ or "").split("\n\n") if p.startswith("1. "))
    counts = ", ".join(f"{rule} {n}" for rule, n in selection.rules.most_common())
    header = [
        "Real, registered domains of companies unrelated to any registered platform, whose names",
        "are close to a registered brand: the false-positive side of bench/eval_lookalike.py.",
        "GENERATED by bench/data/make_benign.py; do not edit by hand. Regenerate from the",
        "repository root with `python bench/data/make_benign.py` (after any registry change).",
        "",
        f"Source: v2fly/domain-list-community at commit {DATA_COMMIT} ({DATA_URL}), MIT.",
        "Each line: a domain, then the list it was taken from.",
        "",
        *rule_text.splitlines(),
        "",
        f"Brand tokens ({len(set(tokens))}): {' '.join(sorted(set(tokens)))}",
        f"Excluded as a registered platform's group ({len(selection.group)} lists): "
        + " ".join(sorted(selection.group)),
        f"Selected: {len(selection.domains)} domains; by strongest rule: {counts}.",
    ]
    lines = [f"# {line}".rstrip() for line in _wrap(header)]
    width = max(len(d) for d in selection.domains)
    lines += [f"{d:<{width}}  # {name}" for d, name in selection.domains.items()]
    return "\n".join(lines) + "\n"


def _wrap(lines: Sequence[str], width: int = 98) -> list[str]:
    """Break the long generated lines (token and list names) at spaces."""
    out: list[str] = []
    for line in lines:
        words, current = line.split(" "), ""
        for word in words:
            if current and len(current) + 1 + len(word) > width:
                out.append(current)
                current = "  " + word
            else:
                current = f"{current} {word}" if current else word
        out.append(current)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"the lists (default {DEFAULT_DATA})"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default {OUTPUT}")
    args = parser.parse_args(argv)
    data = load_registry_file(str(BUNDLED_REGISTRY))
    index = RegistryIndex.build(data.platforms, data.blocklist)
    selection = select(read_lists(args.data), index)
    args.output.write_text(render(selection, brand_tokens(index.platforms)), encoding="utf-8")
    print(f"{len(selection.domains)} domains -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
