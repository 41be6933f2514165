"""Pure judging: phones, links and e-mail addresses against an in-memory registry index.

Nothing in this package imports Flask or SQLAlchemy, reads files, talks to the network or
looks at the clock; a test enforces that. Everything is plain values in, plain values out.
"""

from verifier.core.check import check, detect_kind
from verifier.core.index import BlockEntry, Channel, Platform, RegistryIndex
from verifier.core.verdict import Reason, Verdict

__all__ = [
    "BlockEntry",
    "Channel",
    "Platform",
    "Reason",
    "RegistryIndex",
    "Verdict",
    "check",
    "detect_kind",
]
