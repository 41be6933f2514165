"""The registry: the only source of truth for official channels and the scam blocklist.

It owns the database (models, migrations, the store that answers every query), the registry file
format, and the bundled, sourced data; it builds the :class:`verifier.core.RegistryIndex` that
checks read.
"""

from registry.files import RegistryFileError, dump_registry, load_registry_file, parse_registry
from registry.store import RegistryStore

__all__ = [
    "RegistryFileError",
    "RegistryStore",
    "dump_registry",
    "load_registry_file",
    "parse_registry",
]
