"""The ``verifier`` command (CONTRACT.md): serve, check, scan, registry, users, apikey, audit, db.

Every failure a user can cause ends in one line on standard error and exit status 2; no Python
traceback reaches a user.

This module is the ``main`` group and the command tree; the commands live in ``checking`` (serve,
check, scan), ``registry_commands`` (registry, db) and ``accounts`` (users, apikey, audit), and
what they share in ``common``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from verifier.cli.accounts import ROLE_CHOICES as ROLE_CHOICES
from verifier.cli.accounts import apikey, audit, users
from verifier.cli.checking import check_command, scan_command, serve
from verifier.cli.common import EXIT_USAGE as EXIT_USAGE
from verifier.cli.common import _fail
from verifier.cli.registry_commands import db, registry

__all__ = ["main"]


class _Group(click.Group):
    """Usage errors exit 2 with one line, as click does, and so does everything unexpected."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            kwargs["standalone_mode"] = False
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            _fail("aborted")
        except click.ClickException as exc:
            _fail(exc.format_message().splitlines()[0])
        except OSError as exc:
            _fail(str(exc))
        except Exception as exc:  # a bug or a database failure: one line, never a traceback
            first_line = (str(exc).splitlines() or [""])[0]
            click.echo(f"verifier: error: {exc.__class__.__name__}: {first_line}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Contact Verifier: is this phone number or link really official?"""


for _command in (serve, check_command, scan_command, registry, users, apikey, audit, db):
    main.add_command(_command)
