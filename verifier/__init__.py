"""Contact Verifier: is this phone number or link really the official channel it claims to be?

The library surface is the pure core: build a :class:`RegistryIndex` (or get one from the
``registry`` package) and call :func:`check`.

>>> from verifier import Channel, Platform, RegistryIndex, check
>>> index = RegistryIndex.build([Platform("icbc", "中国工商银行", "ICBC",
...     channels=(Channel("phone", "95588"),))])
>>> check("+86 95588", index).verdict
'official'
"""

from verifier.core import BlockEntry, Channel, Platform, Reason, RegistryIndex, Verdict, check

__all__ = ["BlockEntry", "Channel", "Platform", "Reason", "RegistryIndex", "Verdict", "check"]
