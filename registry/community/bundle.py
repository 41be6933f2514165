"""Generate the bundled registry's community tier, ``registry/data/community.json``.

The file is the importer's output for the bundled verified registry (``registry.yaml``) and the
two community data sets, written in the registry file format (as JSON, which reads in a fiftieth
of the time of this megabyte as YAML): community platforms whole, and verified platforms by slug
with their community channels. It is never edited by hand; after a
change to the data sets or to the importer's rules, regenerate it::

    python -m registry.community.bundle                 # writes the file, prints the report
    python -m registry.community.bundle --check         # exit 1 if the file is not up to date
    python -m registry.community.bundle --report r.json # also the whole report (conflicts …)

The data sets are read from ``../shared/data/community`` beside the checkout (``--data``).
Slugs an earlier file gave community platforms are kept, so a platform keeps its address.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from registry.community import domain_lists
from registry.community.build import CommunityTier, build_community_tier
from registry.community.vcards import load_vcards
from registry.db import BUNDLED_COMMUNITY_TIER, bundled_registry
from registry.files import RegistryFileError

__all__ = ["DEFAULT_DATA", "bundled_tier", "main", "render"]

#: Where the community data sets sit, beside the checkout.
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "community"


def bundled_tier(data_dir: Path) -> CommunityTier:
    """The community tier the importer builds for the bundled verified registry."""
    try:
        current = bundled_registry()
    except (FileNotFoundError, RegistryFileError):
        current = bundled_registry(community=False)  # the first run: no earlier slugs to keep
    lists_dir = data_dir / "domain-list-community"
    return build_community_tier(
        current,
        load_vcards(data_dir / "vcards"),
        domain_lists.load_domain_lists(lists_dir),
        lists_date=domain_lists.DATASET_DATE,
    )


def render(tier: CommunityTier) -> str:
    """The tier as the file's text (the same bytes for the same input), one channel field a
    line so that a regeneration's diff shows what changed."""
    return json.dumps(tier.registry, ensure_ascii=False, indent=1) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the data sets' folder")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--report", type=Path, help="write the whole report (JSON) to FILE")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.exit(2, f"{args.data}: no such folder (the community data sets)\n")
    tier = bundled_tier(args.data)
    text = render(tier)
    # Files first, the report last: a reader that stops early (``| head``) must not stop the
    # writing with a broken pipe.
    if args.report is not None:
        args.report.write_text(tier.report.to_json(), encoding="utf-8")
    target = Path(str(BUNDLED_COMMUNITY_TIER))
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if args.check:
        stale = "is not up to date: run python -m registry.community.bundle"
        outcome = "is up to date" if current == text else stale
    else:
        if current != text:
            target.write_text(text, encoding="utf-8")
        outcome = "was written" if current != text else "was already up to date"
    print(tier.report.text())
    print(f"{target} {outcome}")
    return 1 if args.check and current != text else 0


if __name__ == "__main__":
    sys.exit(main())
