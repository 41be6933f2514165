"""Which platform a text presents each contact as: the claim a finding is judged with.

A scam message rarely says "this number is not Pinduoduo's": it says "拼多多官方客服 400-…", and
the verdict must be reached with that claim, so that a number Pinduoduo does not list is called
an impersonation of Pinduoduo. The rules, in order:

1. The nearest mention in the same sentence or line, where a mention before the contact beats
   one after it ("工商银行客服电话95588，建设银行客服电话95533": 95588 is ICBC's), a clause
   break between them weakens it, and service words between them ("官方客服", "hotline")
   strengthen it.
2. Otherwise the sender's signature: the name in 【…】 or [...] that opens or closes an SMS
   claims every contact in the message.
3. Otherwise, when the whole text names exactly one platform and the contact's own sentence uses
   a service word ("请致电客服 400-…"), that platform.

Anything else has no claim, and is judged on its own.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from verifier.core.extract import Contact, ContactSpan
from verifier.core.mentions import Mention

__all__ = ["SERVICE_WORDS", "attribute", "attribute_spans"]

#: Words that present a contact as a platform's service channel.
SERVICE_WORDS = (
    "客服",
    "官方",
    "热线",
    "电话",
    "致电",
    "拨打",
    "退款",
    "理赔",
    "人工",
    "服务",
    "官网",
    "网址",
    "链接",
    "微信",
    "邮箱",
    "hotline",
    "support",
    "service",
    "official",
    "customer",
    "call",
    "contact",
)
_SERVICE = re.compile("|".join(map(re.escape, SERVICE_WORDS)), re.IGNORECASE)

# Ends of a sentence or line: a claim does not cross them. A "." ends a sentence only before
# white space. Each expression starts with one character class, so that a search skips to the
# next candidate at C speed instead of trying each alternative at every position.
_SENTENCE_END = re.compile(r"[。！？!?；;\n\r.](?:(?<!\.)|(?=\s))")
# The same ends, found in the text reversed.
_SENTENCE_END_BACKWARDS = re.compile(r"[。！？!?；;\n\r.](?:(?<!\.)|(?<=\s\.))")
# Breaks between clauses of one sentence: a claim may cross them, at a cost.
_CLAUSE_BREAK = re.compile(r"[，,、]")
# An SMS signature: 【拼多多】 or [Pinduoduo] at the start or the end of the text.
_SIGNATURE_START = re.compile(r"\s*[【\[]([^】\]\n]{1,30})[】\]]")
_SIGNATURE_END = re.compile(r"[【\[]([^】\]\n]{1,30})[】\]]\s*$")

# Distance penalties, in characters, for the nearest-mention rule.
_AFTER_CONTACT = 10
_PER_CLAUSE_BREAK = 20
_SERVICE_BONUS = 8


def attribute(
    text: str, contacts: Sequence[Contact], mentions: Sequence[Mention]
) -> tuple[str | None, ...]:
    """The slug each contact is presented as (or None), in the order of ``contacts``.

    >>> from verifier.core.index import Platform
    >>> pdd = Platform("pinduoduo", "拼多多")
    >>> text = "拼多多官方客服 4008820000"
    >>> attribute(text, [Contact(8, 18, "4008820000", "phone", "4008820000")],
    ...           [Mention(0, 3, "拼多多", pdd)])
    ('pinduoduo',)
    """
    spans = [(c.start, c.end, c.kind, c.value, c.label, c.parsed) for c in contacts]
    return tuple(attribute_spans(text, spans, mentions))


def attribute_spans(
    text: str, spans: Sequence[ContactSpan], mentions: Sequence[Mention]
) -> list[str | None]:
    """:func:`attribute` for contacts as :func:`~verifier.core.extract.find_contact_spans`
    gives them."""
    if not spans:
        return []
    backwards = text[::-1]
    mention_starts = [m.start for m in mentions]  # mentions are sorted by start
    signature = _signature(text, mentions)
    only = {m.platform.slug for m in mentions}
    sole = next(iter(only)) if len(only) == 1 else None
    claims: list[str | None] = []
    lo = hi = 0
    # mentions[:last] start before the end of the current sentence. Sentences are looked up in
    # order, so the mentions of the next one are found from ``last`` on, not by two bisections
    # of the whole list per sentence (each costs more than the rest of a sentence's work).
    last = 0
    count = len(mentions)
    nearby: list[Mention] = []
    claim: str | None = None  # of the current sentence, unless several mentions compete
    for span in spans:
        start = span[0]
        # Contacts are sorted and sentences end with one character: a contact starting before
        # the end of the previous contact's sentence is in that sentence, and has its claim.
        if start >= hi:
            lo, hi = _sentence_around(text, backwards, start)
            # Mentions between the previous sentence and this one are skipped by bisection:
            # a long stretch without contacts may name platforms a thousand times.
            if last < count and mention_starts[last] < lo:
                last = bisect_left(mention_starts, lo, last)
            nearby = []
            while last < count and mention_starts[last] < hi:
                if mentions[last].end <= hi:
                    nearby.append(mentions[last])
                last += 1
            # One mention: the nearest, whatever the distance.
            claim = nearby[0].platform.slug if len(nearby) == 1 else None
            if claim is None and len(nearby) < 2:
                claim = _unnamed_claim(text, lo, hi, signature, sole)
        if len(nearby) < 2:
            claims.append(claim)
        else:
            nearest = _nearest(text, start, span[1], nearby)
            if nearest is None:
                nearest = _unnamed_claim(text, lo, hi, signature, sole)
            claims.append(nearest)
    return claims


def _unnamed_claim(
    text: str, lo: int, hi: int, signature: str | None, sole: str | None
) -> str | None:
    """The claim on a contact that no mention in its sentence ``[lo, hi)`` makes: the SMS
    signature's, or the text's only platform when the sentence uses a service word."""
    if signature is not None:
        return signature
    if sole is not None and _SERVICE.search(text, lo, hi):
        return sole
    return None


def _sentence_around(text: str, backwards: str, at: int) -> tuple[int, int]:
    """The sentence or line of ``text`` holding position ``at``, as ``(start, end)``; an end
    of sentence belongs to the sentence it ends. ``backwards`` is ``text`` reversed.

    Sentence ends are searched from the contact outwards, not listed for the whole text: a
    page has thousands of them and a few contacts.
    """
    after = _SENTENCE_END.search(text, at)
    # The last end before ``at`` is the first one at or after len(text) - at in the reversed
    # text (lookbehinds see before the position searched from).
    before = _SENTENCE_END_BACKWARDS.search(backwards, len(text) - at)
    return (
        0 if before is None else len(text) - before.start(),
        len(text) if after is None else after.end(),
    )


def _nearest(text: str, start: int, end: int, mentions: Sequence[Mention]) -> str | None:
    """The platform of the mention nearest the contact at ``[start, end)``."""
    best: tuple[int, str] | None = None
    for m in mentions:
        if m.end <= start:
            gap = text[m.end : start]
            cost = len(gap)
        else:
            gap = text[end : m.start]
            cost = len(gap) + _AFTER_CONTACT
        cost += _PER_CLAUSE_BREAK * len(_CLAUSE_BREAK.findall(gap))
        if _SERVICE.search(gap):
            cost -= _SERVICE_BONUS
        if best is None or cost < best[0]:
            best = (cost, m.platform.slug)
    return best[1] if best else None


def _signature(text: str, mentions: Sequence[Mention]) -> str | None:
    """The platform named in an SMS signature at the start or the end of ``text``."""
    for match in (
        _SIGNATURE_START.match(text),
        _SIGNATURE_END.search(text, max(0, len(text) - 64)),
    ):
        if match is None:
            continue
        lo, hi = match.span(1)
        for m in mentions:
            if lo <= m.start and m.end <= hi:
                return m.platform.slug
    return None
