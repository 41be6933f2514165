"""The web application: JSON API for programs, pages for people."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from verifier.web import (
    api,
    auth,
    cors,
    errors,
    extensions,
    i18n,
    limits,
    mod,
    mod_api,
    openapi,
    pages,
    registry_api,
    reports,
    security,
)
from verifier.web.config import ConfigError, load_config

__all__ = ["ConfigError", "create_app"]

_PACKAGE = Path(__file__).resolve().parent.parent


def _template_folder() -> str:
    """Templates ship inside the wheel as verifier/templates; a checkout has them at the top."""
    packaged = _PACKAGE / "templates"
    return str(packaged if packaged.is_dir() else _PACKAGE.parent / "templates")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` overrides defaults and ``VERIFIER_*`` variables."""
    app = Flask(
        "verifier",
        template_folder=_template_folder(),
        static_folder=str(_PACKAGE / "web" / "static"),
        instance_relative_config=True,
    )
    app.config.from_mapping(load_config(app.instance_path, config))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # DefaultJSONProvider has it
    app.json.sort_keys = False  # type: ignore[attr-defined]
    proxies = app.config["VERIFIER_TRUSTED_PROXIES"]
    if proxies:
        # Behind that many proxies, the client's address (every per-client limit counts by it)
        # and the scheme (secure cookies, redirects) are the ones the nearest proxy forwarded.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0
        )
    extensions.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    limits.init_app(app)
    cors.init_app(app)
    auth.init_app(app)
    app.register_blueprint(api.bp)
    # Programs post JSON without cookies, so there is no session for a forged request to ride
    # on, and a cross-site form cannot send application/json (the API answers 415 to anything
    # else). The moderators' calls carry a bearer token, which a browser never adds by itself.
    extensions.csrf.exempt(api.bp)
    app.register_blueprint(api.health_bp)
    app.register_blueprint(registry_api.bp)
    extensions.csrf.exempt(registry_api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pages.bp)
    # Moderators: the API authenticates each call by bearer token (no cookie, so no CSRF to
    # forge); the /mod pages use the login session and every form carries a CSRF token.
    app.register_blueprint(mod_api.bp)
    extensions.csrf.exempt(mod_api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(mod.bp)
    app.register_blueprint(reports.bp)
    return app
