"""Moderator accounts on the web: Flask-Login sessions, the login and logout pages.

A login session names the user *and* the account's session epoch, which the service raises when
the account is disabled or its password changes: the next request of every older session then
finds no user, so such a change ends the sessions at once rather than when they expire.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

# Neither Flask-Login nor WTForms ships type hints (and pyproject lists no stubs for them).
from flask_login import (  # type: ignore[import-untyped]
    LoginManager,
    UserMixin,
    current_user,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, PasswordField, StringField  # type: ignore[import-untyped]
from wtforms.validators import DataRequired, Length  # type: ignore[import-untyped]

from registry.models import UserRow
from verifier.web.extensions import db_session, moderation
from verifier.web.limits import limiter, login_limit

__all__ = [
    "Moderator",
    "admin_required",
    "bp",
    "current_moderator",
    "init_app",
    "login_manager",
    "moderator_required",
    "require_login",
    "safe_next",
]

bp = Blueprint("auth", __name__)

login_manager = LoginManager()
login_manager.login_view = "auth.login"

View = TypeVar("View", bound=Callable[..., Any])


class Moderator(UserMixin):  # type: ignore[misc]  # flask_login ships no type hints
    """The logged-in moderator: the account's row, on the request's database session."""

    def __init__(self, row: UserRow) -> None:
        self.row = row
        self.id = row.id
        self.name = row.name
        self.role = row.role
        self.epoch = row.session_epoch

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        # The epoch in the session identifier is what ends older sessions (see the docstring).
        return f"{self.id}:{self.epoch}"


def _load_user(session_id: str) -> Moderator | None:
    user_id, _, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    row = moderation().user_by_id(int(user_id))
    if row is None or not row.active or row.session_epoch != int(epoch):
        return None
    return Moderator(row)


def current_moderator() -> Moderator:
    """The logged-in moderator (only inside views that require a login)."""
    return cast(Moderator, current_user._get_current_object())


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None.

    Only a path that starts with exactly one "/" is followed: "//evil.example" and
    "/\\evil.example" are read by browsers as another host, and "https:…" or "javascript:…"
    as a whole other address, so a crafted login link could otherwise send a moderator who just
    typed their password to a look-alike site.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c in target for c in "\\\r\n\t") or not target.isprintable():
        return None
    return target


def _unauthorized() -> Response:
    path = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return redirect(url_for("auth.login", next=path))


def require_login() -> Response | None:
    """A login redirect for an anonymous request, else None (a ``before_request`` hook)."""
    if not current_user.is_authenticated:
        return _unauthorized()
    return None


def moderator_required(view: View) -> View:
    """The view needs a logged-in moderator (or admin); others are sent to the login page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return require_login() or view(*args, **kwargs)

    return cast(View, wrapped)


def admin_required(view: View) -> View:
    """The view needs an admin: anonymous requests go to the login page, moderators get 403."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        refused = require_login()
        if refused is not None:
            return refused
        if not current_moderator().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return cast(View, wrapped)


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints
    username = StringField(validators=[DataRequired(), Length(max=64)])
    password = PasswordField(validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    """The moderators' login page."""
    form = LoginForm()
    target = safe_next(form.next.data if request.method == "POST" else request.args.get("next"))
    if request.method == "GET":
        form.next.data = target or ""
        if current_user.is_authenticated:
            return redirect(target or url_for("mod.dashboard"))
        return render_template("pages/login.html", form=form, failed=False)
    failed = True
    if form.validate_on_submit():
        user = moderation().login(form.username.data, form.password.data)
        # Commit either way: a failure is audited and counts towards the account's lock.
        db_session().commit()
        if user is not None:
            # A fresh session: nothing set before the login (by anyone who could plant a
            # session cookie in this browser) survives into the moderator's session.
            session.clear()
            login_user(Moderator(user))
            return redirect(target or url_for("mod.dashboard"), 303)
    # The same words whatever went wrong, so the page never tells which names exist.
    form.password.data = ""
    return render_template("pages/login.html", form=form, failed=failed), 200


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    """End the session (a POST with the form's CSRF token, so no link can log anyone out)."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"), 303)


def init_app(app: Flask) -> None:
    """Set up the login manager: sessions only, never a remember-me cookie."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
