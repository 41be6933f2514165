"""Small vCards data folders for the community importer's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def write_tree(root: Path, tree: dict[str, dict[str, Any]]) -> Path:
    """A vCards data/ folder at ``root``: ``tree`` maps "<category>/<name>.yaml" to the file's
    ``basic`` section."""
    for name, basic in tree.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump({"basic": basic}, allow_unicode=True), encoding="utf-8")
    return root
