"""URL shorteners: a short link hides where it goes, so its destination cannot be verified.

A small list of widely used public shortener services (international and Chinese). A shortened
link is not a scam in itself, but a bank or a platform's customer service has no reason to hide
its own address behind one; the verdict says so and says to open the official app instead.
"""

from __future__ import annotations

__all__ = ["SHORTENERS", "is_shortener"]

SHORTENERS = frozenset(
    """
    bit.ly bitly.com tinyurl.com goo.gl ow.ly is.gd v.gd t.co buff.ly rebrand.ly cutt.ly
    shorturl.at tiny.cc rb.gy s.id t.ly short.io bl.ink soo.gd clck.ru
    t.cn url.cn dwz.cn suo.im sina.lt w.url.cn 985.so kks.me mrw.so
    """.split()
)


def is_shortener(host: str) -> bool:
    """True when ``host`` is (or is below) a known URL shortener.

    >>> is_shortener("bit.ly"), is_shortener("www.t.cn"), is_shortener("alipay.com")
    (True, True, False)
    """
    while host:
        if host in SHORTENERS:
            return True
        _, _, host = host.partition(".")
    return False
