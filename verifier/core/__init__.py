"""Pure judging: phones, links, e-mail addresses and whole messages against a registry index.

Nothing in this package imports Flask or SQLAlchemy, reads files, talks to the network or
looks at the clock; a test enforces that. Everything is plain values in, plain values out.
"""

from verifier.core.check import check, detect_kind
from verifier.core.index import BlockEntry, Channel, Platform, RegistryIndex
from verifier.core.scan import Finding, ScanResult, scan
from verifier.core.verdict import Reason, Verdict

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
    "detect_kind",
    "scan",
]
