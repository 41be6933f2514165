"""What every ``verifier`` command shares: the app, the moderation service, and failing in one
line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from registry.moderation import Moderation

EXIT_USAGE = 2


def _fail(message: str) -> NoReturn:
    # One line, as the contract promises: a YAML parser error, for one, spans several lines.
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    click.echo(f"verifier: {one_line}", err=True)
    sys.exit(EXIT_USAGE)


def _app(setup: bool = True) -> Any:
    from verifier.web import ConfigError, create_app

    try:
        app = create_app({"VERIFIER_SETUP_ON_START": setup})
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # database unreachable, bad URL: one line, never a traceback
        first_line = (str(exc).splitlines() or [""])[0]
        _fail(f"cannot open the registry database: {exc.__class__.__name__}: {first_line}")
    # Close the pool's connections when the command ends, rather than leaving them to the
    # garbage collector (psycopg warns about connections deleted while still open).
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(app.extensions["verifier.engine"].dispose)
    return app


@contextmanager
def _moderation(commit: bool = True) -> Iterator[Moderation]:
    """The moderation service on one session. The work is committed when the block ends
    normally (rolled back when ``commit`` is false); a refusal by the service is rolled back and
    becomes one line on standard error with exit status 2."""
    from registry.moderation import Moderation, ModerationError
    from verifier.web.extensions import app_session

    with app_session(_app()) as session:
        try:
            yield Moderation(session)
        except ModerationError as exc:
            session.rollback()
            _fail(exc.message)
        if commit:
            session.commit()
        else:
            session.rollback()
