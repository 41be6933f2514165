"""Contact Verifier: is this phone number or link really the official channel it claims to be?

The library surface is the pure core: build a :class:`RegistryIndex` (or get one from the
``registry`` package) and call :func:`check` for one value or :func:`scan` for a whole message.

>>> from verifier import Channel, Platform, RegistryIndex, check
>>> index = RegistryIndex.build([Platform("icbc", "中国工商银行", "ICBC",
...     channels=(Channel("phone", "95588"),))])
>>> check("+86 95588", index).verdict
'official'
>>> [(f.text, f.verdict.verdict) for f in scan("工行客服电话：９５５８８", index).findings]
[('９５５８８', 'official')]
"""

from verifier.core import (
    BlockEntry,
    Channel,
    Finding,
    Platform,
    Reason,
    RegistryIndex,
    ScanResult,
    Verdict,
    check,
    scan,
)

__all__ = [
    "BlockEntry",
    "Channel",
    "Finding",
    "Platform",
    "Reason",
    "RegistryIndex",
    "ScanResult",
    "Verdict",
    "check",
    "scan",
]
