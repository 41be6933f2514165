"""Run the application under gunicorn, the production WSGI server."""

from __future__ import annotations

import os
import secrets
from typing import Any

from gunicorn.app.base import BaseApplication

__all__ = ["ACCESS_LOG_FORMAT", "run"]

#: gunicorn's default (Apache's combined format) followed by the answering worker's pid, as
#: ``<1234>``, and the request's duration in seconds: with several workers, which one answered
#: (and how fast) is the first thing to ask about a request.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(p)s %(L)s'


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from verifier.web import create_app

        # The database was set up before the workers started (verifier serve does it once).
        return create_app({"VERIFIER_SETUP_ON_START": False})


def run(host: str = "127.0.0.1", port: int = 8000, workers: int = 2, threads: int = 4) -> None:
    """Serve on ``host:port`` with ``workers`` processes of ``threads`` threads each."""
    # Every worker builds its own app; without a configured key each would invent its own, and a
    # form's CSRF token signed by one worker would be refused by the next. One key per server.
    os.environ.setdefault("VERIFIER_SECRET_KEY", secrets.token_hex(32))
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "timeout": 30,
            "graceful_timeout": 10,
        }
    ).run()
