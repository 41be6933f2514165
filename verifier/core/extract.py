"""Find every contact in free text: phone numbers, links, e-mail addresses, WeChat and QQ handles.

The text is folded once (as :func:`~verifier.core.normalize.fold_with_offsets` does: full-width
to ASCII, ``。`` to ".", invisible characters dropped) and searched with precompiled expressions;
each span found is mapped back to the text as submitted, so ``text[start:end]`` is the contact as
written. Where two candidates overlap the stronger kind wins: an e-mail address over the domain
inside it, a link over the digits in its path, a handle over the number after its QQ or WeChat
label. Phone numbers are found by :mod:`~verifier.core.numerals`.

Every expression starts with a character class or a literal, so that the regular-expression
engine skips ordinary Chinese text at C speed: a 100 KB article must cost a fraction of one
``phonenumbers.PhoneNumberMatcher`` pass, since each contact found is then also judged.
"""

from __future__ import annotations

import bisect
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from verifier.core.link import InvalidLink, normalize_host
from verifier.core.normalize import Folded, fold_with_offsets
from verifier.core.numerals import find_parsed_phone_numbers
from verifier.core.phone import ParsedPhone
from verifier.core.suffixes import split_host
from verifier.core.values import direct_init

__all__ = ["Contact", "ContactSpan", "extract_contacts", "find_contact_spans"]


@direct_init
@dataclass(frozen=True, slots=True)
class Contact:
    """One contact found in a text."""

    #: Code-point offset into the text as submitted (a Python ``str`` index).
    start: int
    #: Exclusive end offset.
    end: int
    #: The contact as written: ``text[start:end]`` of the submitted text.
    text: str
    #: ``phone``, ``url``, ``email`` or ``handle``.
    kind: str
    #: What to hand to :func:`~verifier.core.check.check` with this ``kind``: a phone's digits
    #: ("+" first when written with a country code), a link with its obfuscation undone, a
    #: lower-cased e-mail address, or a handle's account name without its label.
    value: str
    #: For handles, ``qq`` or ``wechat``; empty otherwise.
    label: str = ""
    #: For phones, the number as parsed while it was found (with region ``CN``), or None: the
    #: scanner hands it to :func:`~verifier.core.check.check`, which then need not parse again.
    parsed: ParsedPhone | None = field(default=None, repr=False, compare=False)


# (folded start, folded end, kind, value, label, parsed phone)
_Candidate = tuple[int, int, str, str, str, ParsedPhone | None]
#: A contact as :func:`find_contact_spans` gives it: the fields of :class:`Contact` but its
#: text, ``(start, end, kind, value, label, parsed)``.
ContactSpan = tuple[int, int, str, str, str, ParsedPhone | None]
_PRIORITY = {"email": 0, "url": 1, "handle": 2, "phone": 3}

_LATIN = r"A-Za-z0-9\u00c0-\u052f"  # Latin, Greek and Cyrillic letters, and combining marks
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# A label is Latin-like or CJK, never both: Chinese runs straight into a domain
# ("访问icbc.com.cn查询"), so a mixed label would swallow the words around it.
_LABEL = rf"(?:[{_LATIN}](?:[{_LATIN}-]{{0,61}}[{_LATIN}])?|[{_CJK}]{{1,20}})"
# Dots written to dodge link filters: "[.]", "(.)", "【.】", "[dot]", " dot ", "(点)".
_DOT = r"(?:\.|[\[({【] ?(?:\.|[dD][oO][tT]|点) ?[\])}】]|\s+[dD][oO][tT]\s+)"
# At most 30 dots: real hosts have a handful, and a bound keeps a run of "中.国中.国…" linear.
_HOST = rf"{_LABEL}(?:{_DOT}{_LABEL}){{1,30}}"
_PATH = r"(?::\d{1,5})?(?:[/?#][!-~]*)?"
_SCHEME_LINK = re.compile(
    rf"([hH](?:[tT]{{2}}|[xX]{{2}})[pP][sS]?)://([-A-Za-z0-9._~%!$&'()*+,;=:]{{1,256}}@)?"
    rf"({_HOST}|\d{{1,3}}(?:\.\d{{1,3}}){{3}}|\[[0-9A-Fa-f:.]+\])({_PATH})"
)
# A domain written without a scheme, from a Latin label at a word boundary ... The first label
# is atomic: no dot starts with a letter, digit or "-", so a dot can only follow the whole run
# of them, and giving characters back one by one (at every number of a page) finds nothing.
_BARE_LINK = re.compile(
    rf"([{_LATIN}](?<![{_LATIN}_@.\-][{_LATIN}])(?>(?:[{_LATIN}-]{{0,61}}[{_LATIN}])?)"
    rf"(?:{_DOT}{_LABEL}){{1,30}})({_PATH})"
)
# ... or from a CJK label, found from its dot in the text as submitted: a dot after CJK and
# before a Latin label (工商银行.com, 工商银行。ｃｏｍ), an obfuscated dot, or a real "." between
# CJK labels, but never "。" between Chinese words, which ends a sentence.
_WRITTEN_LATIN = _LATIN + r"\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"  # and full-width ones
_CJK_DOT = re.compile(
    rf"[.．。｡\[({{【（［｛](?<=[{_CJK}].)"
    rf"(?:(?<=[.．。｡])(?=[{_WRITTEN_LATIN}])|(?<=[.．])(?=[{_CJK}])"
    rf"|(?<=[\[({{【（［｛]) ?(?:[.．。]|[dD][oO][tT]|点) ?[\])}}】）］｝])"
)
_CJK_TAIL = re.compile(rf"[{_CJK}]{{1,20}}$")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
# Chinese runs straight into a CJK domain: the words that introduce a link are cut off the
# front ("请访问工商银行.com" is 工商银行.com).
_LINK_INTRO = re.compile(
    rf"[{_CJK}]*(?:访问|登录|登陆|打开|网址|官网|链接|进入|前往|点击|浏览|网站|地址|是|为)"
)
_HOST_AT = re.compile(rf"({_HOST})({_PATH})")
# _DOT on its own, led by one character class so that a search skips to the next candidate at C
# speed (an alternation that starts with different kinds of items is tried at every position).
_DOT_TOKEN = re.compile(
    r"[.\[({【\s]"
    r"(?:(?<=\.)|(?<=[\[({【]) ?(?:\.|[dD][oO][tT]|点) ?[\])}】]|(?<=\s)\s*[dD][oO][tT]\s+)"
)
_CHINESE_DIAN = re.compile(r"点(?<=[A-Za-z0-9]点)(?=[A-Za-z0-9])")
_LOCAL_PART = re.compile(r"[A-Za-z0-9_.%+-]{1,64}$")
_LOCAL_CHARS = frozenset(string.ascii_letters + string.digits + "_.%+-")
# Punctuation that ends a sentence rather than a link: "见 https://x.cn/a)。" ends at "a".
_TRAILING = ".,;:!?'\"*"
_OPENING = {")": "(", "]": "[", "}": "{", ">": "<"}
# Two-label names ending in these are file names ("readme.md", "setup.py"), though each ending
# is also a country or brand suffix.
_FILE_ENDINGS = frozenset({"py", "md", "sh", "rs", "pl", "zip", "mov", "java"})

# Where a label may start: a character class first, so that the search runs at C speed.
_HANDLE_START = re.compile(
    r"[qQ扣加微威薇vVwW](?:(?<=[qQ])(?=[qQ群号])|(?<=扣)(?=扣)|(?<=加)(?=[qQvV])|(?<=[微威薇])(?=信)"
    r"|(?<=[vV])(?=[信xX])|(?<=[wW])(?=[xX]|[eE][cC]|[eE][iI]))"
)
_HANDLE = re.compile(
    r"(?:(?P<qq>(?:[qQ][qQ]|扣扣)(?:群|号码|号|账号|帐号)*|[qQ](?:群|号)+|加[qQ])"
    r"|(?P<wx>(?:微信|威信|薇信|[vV]信|[vV][xX]|[wW][xX]|[wW][eE][cC][hH][aA][tT]"
    r"|[wW][eE][iI][xX][iI][nN])(?:\s?(?:号码|号|[iI][dD]|账号|帐号))?|加[vV](?![xX信])))"
    r"(?P<sep>[\s:、是为]{0,4})"
    r"(?:(?P<mobile>1[3-9]\d(?:[\s-]?\d){8})|(?P<number>[1-9]\d{4,10})"
    r"|(?P<id>[A-Za-z][-_A-Za-z0-9]{5,19}))(?![-_A-Za-z0-9])"
)


def extract_contacts(
    text: str, known_phones: frozenset[str] = frozenset(), *, prefolded: Folded | None = None
) -> tuple[Contact, ...]:
    """Every contact in ``text``, sorted by start, never overlapping.

    Args:
        text: a message, chat or page as the person received it.
        known_phones: the phone values the registry lists (``RegistryIndex.known_phones``): a
            listed short number counts even without a phone label before it.
        prefolded: ``fold_with_offsets(text)`` when the caller has it already.

    Never raises for any string input.

    >>> [(c.kind, c.value, c.text) for c in extract_contacts("客服电话：400🔸882🔸0000")]
    [('phone', '4008820000', '400🔸882🔸0000')]
    >>> [(c.kind, c.value) for c in extract_contacts("登录 icbc[.]com[.]cn 或加微信 pdd_kefu01")]
    [('url', 'icbc.com.cn'), ('handle', 'pdd_kefu01')]
    """
    return tuple(
        Contact(start, end, text[start:end], kind, value, label, parsed)
        for start, end, kind, value, label, parsed in find_contact_spans(
            text, known_phones, prefolded=prefolded
        )
    )


def find_contact_spans(
    text: str, known_phones: frozenset[str] = frozenset(), *, prefolded: Folded | None = None
) -> list[ContactSpan]:
    """:func:`extract_contacts` as plain tuples, ``(start, end, kind, value, label, parsed)``
    with the fields of :class:`Contact`: the scanner builds its findings from them, and a
    dense page's thousand contacts need no object each on the way."""
    folded, origin = prefolded or fold_with_offsets(text)
    # (start, end, rank, kind, value, label, number) in the text as submitted; the parsed phone
    # is looked up by number, since parsed numbers do not sort.
    spans: list[tuple[int, int, int, str, str, str, int]] = []
    parsed: list[ParsedPhone | None] = []
    for start, end, kind, value, label, phone in _candidates(text, folded, origin, known_phones):
        # A link with a scheme wins even over an e-mail address: in "https://icbc.com.cn@evil.top"
        # the part before "@" is a user name, and the link is the contact.
        rank = -1 if kind == "url" and "://" in value else _PRIORITY[kind]
        # span_in_original(origin, start, end), inlined: no candidate is empty.
        spans.append((origin[start], origin[end - 1] + 1, rank, kind, value, label, len(parsed)))
        parsed.append(phone)
    spans.sort()
    chosen: list[ContactSpan] = []
    # Candidates overlap in small clusters (a link and the digits in its path, a handle and its
    # number), and most overlap nothing: each cluster is settled on its own, which chooses what
    # settling them all together in order of strength would.
    cluster: list[tuple[int, int, int, str, str, str, int]] = []
    cluster_end = 0
    for span in spans:
        if span[0] >= cluster_end:
            _settle(cluster, parsed, chosen)
            cluster = [span]
        else:
            cluster.append(span)
        if span[1] > cluster_end:
            cluster_end = span[1]
    _settle(cluster, parsed, chosen)
    return chosen


def _settle(
    cluster: list[tuple[int, int, int, str, str, str, int]],
    parsed: list[ParsedPhone | None],
    chosen: list[ContactSpan],
) -> None:
    """Append to ``chosen`` the contacts of ``cluster`` (overlapping candidates, sorted by
    start) that win: the strongest kind first, then the longest, then the first."""
    if len(cluster) == 1:  # the common case: a candidate that overlaps no other
        start, end, _, kind, value, label, number = cluster[0]
        chosen.append((start, end, kind, value, label, parsed[number]))
        return
    winners: list[tuple[int, int, int, str, str, str, int]] = []
    for span in sorted(cluster, key=lambda s: (s[2], s[0] - s[1], *s)):
        if any(span[0] < w[1] and w[0] < span[1] for w in winners):
            continue  # a stronger or longer contact already covers part of this one
        winners.append(span)
    winners.sort()  # by start: they never overlap
    chosen.extend(
        (start, end, kind, value, label, parsed[number])
        for start, end, _, kind, value, label, number in winners
    )


@dataclass(frozen=True, slots=True)
class _Text:
    """The text as submitted, folded, and folded for links, with the offsets between them."""

    text: str
    folded: str
    #: Offsets of the folded text into ``text``; None when they are the identity.
    origin: tuple[int, ...] | None
    #: ``folded`` with "点" between Latin letters read as a dot: one character for one.
    links: str

    def written(self, at: int) -> str:
        """The character of the submitted text that folded position ``at`` came from."""
        return self.text[at if self.origin is None else self.origin[at]]

    def written_span(self, start: int, end: int) -> str:
        """The submitted text that the folded span ``[start, end)`` came from (not empty)."""
        if self.origin is None:
            return self.text[start:end]
        return self.text[self.origin[start] : self.origin[end - 1] + 1]


def _candidates(
    text: str, folded: str, origin: tuple[int, ...] | None, known: frozenset[str]
) -> Iterator[_Candidate]:
    if "@" in folded:
        yield from _emails(folded)
    links = _CHINESE_DIAN.sub(".", folded) if "点" in folded else folded
    t = _Text(text, folded, origin, links)
    found: list[_Candidate | None] = []
    if "://" in links:
        for m in _SCHEME_LINK.finditer(links):
            if not _after_ascii(links, m.start(), str.isalpha):  # "xhttp://" is no scheme
                found.append(_link(t, m, m.start(), m.start(3), m.start(4)))
    for m in _BARE_LINK.finditer(links):
        # Most are decimals ("4.5", "345.84"): the first tests of _link, without its slicing.
        written = _DOT_TOKEN.sub(".", m.group(1))
        if len(written) <= 253 and _registrable_host(written) is not None:
            found.append(_link(t, m, m.start(), m.start(1), m.start(2), bare=True, host=written))
    done = 0
    for at in _cjk_link_starts(t):
        if at >= done and (host := _HOST_AT.match(links, at)) is not None:
            done = host.end()  # the later dots of this host start nothing new
            found.append(_link(t, host, at, at, host.start(2), bare=True))
    yield from (link for link in found if link is not None)
    yield from _handles(folded)
    for start, end, value, parsed in find_parsed_phone_numbers(folded, known):
        yield start, end, "phone", value, "", parsed


def _cjk_link_starts(t: _Text) -> Iterator[int]:
    """Where hosts whose first label is CJK may start, in order."""
    dots = [m.start() for m in _CJK_DOT.finditer(t.text)]
    if t.origin is not None:
        dots = [bisect.bisect_left(t.origin, dot) for dot in dots]
    for dot in dots:
        tail = _CJK_TAIL.search(t.links, max(0, dot - 20), dot)
        if tail is None:
            continue
        intro = _LINK_INTRO.match(t.links, tail.start(), dot)
        if intro is not None and intro.end() < dot:
            yield intro.end()
        elif not (tail.start() and _CJK_CHAR.match(t.links, tail.start() - 1)):
            yield tail.start()  # a CJK run longer than a label, with no word to cut it: prose


def _link(
    t: _Text,
    m: re.Match[str],
    start: int,
    host_at: int,
    rest_at: int,
    *,
    bare: bool = False,
    host: str | None = None,
) -> _Candidate | None:
    """The link that ``m`` found, its host at ``host_at`` and its port and path at ``rest_at``;
    None when it is no link. Bare links (no scheme) need a registrable domain. ``host`` is the
    host with its dots undone when the caller has checked it already (length and domain)."""
    raw_host, rest = t.links[host_at:rest_at], t.links[rest_at : m.end()]
    if host is None:
        host = _DOT_TOKEN.sub(".", raw_host)
        if len(host) > 253:
            return None  # longer than any host name
        # Bare candidates are mostly decimals ("4.5", "345.84"): the suffix rejects them first.
        if bare and _registrable_host(host) is None:
            return None
    written_host = t.written_span(host_at, rest_at)
    if "。" in written_host or "｡" in written_host:
        for dot in _DOT_TOKEN.finditer(raw_host):
            # "下载APP。中国人…": an ideographic full stop before CJK ends a sentence.
            if t.written(host_at + dot.start()) in "。｡" and _CJK_CHAR.match(raw_host, dot.end()):
                return None
    if not bare and not (host[0].isdigit() or host[0] == "[" or _valid_host(host)):
        return None
    if rest and not t.written_span(rest_at, m.end()).isascii():
        for k in range(len(rest)):  # the path ends where the text leaves ASCII ("/a，请")
            if not t.written(rest_at + k).isascii():
                rest = rest[:k]
                break
    rest = _trim_trailing(rest)
    value = "" if bare else f"{m.group(1).lower().replace('xx', 'tt')}://{m.group(2) or ''}"
    return start, rest_at + len(rest), "url", value + host + rest, "", None


@lru_cache(maxsize=4096)
def _valid_host(host: str) -> bool:
    try:
        normalize_host(host)
    except InvalidLink:
        return False
    return True


@lru_cache(maxsize=4096)
def _registrable_host(host: str) -> str | None:
    """The punycode host when it ends in a known public suffix below a registrable name."""
    last = host.rsplit(".", 1)[-1]
    if last[:1].isupper() and last[1:].islower():
        return None  # "home.Today": a sentence with its space missing, not a link to .today
    if split_host(last.lower()) is None:
        return None  # no top-level domain: spare the full parse (most candidates end here)
    try:
        ascii_host = normalize_host(host)
    except InvalidLink:
        return None
    parts = split_host(ascii_host)
    if parts is None or not parts.registrable:
        return None
    if ascii_host.count(".") == 1 and parts.suffix in _FILE_ENDINGS:
        return None
    return ascii_host


def _trim_trailing(rest: str) -> str:
    """``rest`` without the sentence punctuation after it; a closing bracket stays when the
    link opened it ("/wiki/A_(b)")."""
    while rest and (
        rest[-1] in _TRAILING
        or (rest[-1] in _OPENING and rest.count(rest[-1]) > rest.count(_OPENING[rest[-1]]))
    ):
        rest = rest[:-1]
    return rest


def _emails(folded: str) -> Iterator[_Candidate]:
    at = folded.find("@")
    while at >= 0:
        local = _LOCAL_PART.search(folded, max(0, at - 64), at)
        domain = _HOST_AT.match(folded, at + 1)
        if local is not None and domain is not None:
            start = local.start()
            if not (start and folded[start - 1] in _LOCAL_CHARS):  # else longer than allowed
                host = _DOT_TOKEN.sub(".", domain.group(1))
                if _registrable_host(host) is not None:
                    value = f"{local.group()}@{host}".lower()
                    yield start, domain.end(1), "email", value, "", None
        at = folded.find("@", at + 1)


def _handles(folded: str) -> Iterator[_Candidate]:
    end = 0
    for start in _HANDLE_START.finditer(folded):
        if start.start() < end or (m := _HANDLE.match(folded, start.start())) is None:
            continue
        end = m.end()
        label = m.group("qq") or m.group("wx")
        if label[0].isascii() and _after_ascii(folded, m.start(), str.isalnum):
            continue  # "hqq 12345", "mvx…": the label is the end of another word
        mobile, number, account = m.group("mobile", "number", "id")
        if m.group("qq"):
            if account is None:
                yield m.end("sep"), m.end(), "handle", _digits(mobile or number), "qq", None
        elif mobile is not None:
            yield m.start("mobile"), m.end(), "handle", _digits(mobile), "wechat", None
        elif account is not None:
            # After an English label, letters are one word with it unless something separates
            # them ("wxyz_abc"), and an ID of letters only is a word unless a colon introduces
            # it ("WeChat official account").
            if label.isascii() and (
                not m.group("sep") or (account.isalpha() and ":" not in m.group("sep"))
            ):
                continue
            yield m.start("id"), m.end(), "handle", account, "wechat", None


def _after_ascii(text: str, at: int, test: Callable[[str], bool]) -> bool:
    """True when the character before ``at`` is ASCII and passes ``test``."""
    return at > 0 and text[at - 1].isascii() and test(text[at - 1])


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())
