"""Accounts: users, their passwords and API tokens, logins with lock-out, and the settings."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from registry.models import ApiTokenRow, SettingRow, UserRow
from registry.moderation.base import ModerationBase
from registry.moderation.common import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    MIN_PASSWORD_LENGTH,
    OPERATOR,
    ROLES,
    SINGLE_APPROVAL,
    TOKEN_PREFIX,
    USER_NAME,
    aware,
    token_hash,
    utcnow,
)
from registry.moderation.errors import Conflict, Forbidden, Invalid, NotFound


class AccountsMixin(ModerationBase):
    """Users, tokens, logins and the approval setting."""

    # --- users ---------------------------------------------------------------------------------

    def user(self, name: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.name == name))

    def user_by_id(self, user_id: int) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def users(self) -> list[UserRow]:
        return list(self.session.scalars(select(UserRow).order_by(UserRow.name)))

    def has_users(self) -> bool:
        return self.session.scalar(select(UserRow.id).limit(1)) is not None

    def create_user(self, name: str, role: str, password: str, actor: str = OPERATOR) -> UserRow:
        """A new active account; the password is stored as a scrypt hash only."""
        if not USER_NAME.match(name):
            raise Invalid(
                "a user name is 2-63 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        if role not in ROLES:
            raise Invalid(f"the role must be one of {', '.join(ROLES)}")
        _check_password(password)
        if self.user(name) is not None:
            raise Conflict(f"a user called {name!r} already exists")
        row = UserRow(
            name=name,
            role=role,
            password_hash=generate_password_hash(password, method="scrypt"),
            active=True,
            created_at=utcnow(),
            failed_logins=0,
            session_epoch=0,
        )
        self.session.add(row)
        self.session.flush()
        self.log(actor, "user.create", f"user:{name}", after={"name": name, "role": role})
        return row

    def _existing_user(self, name: str) -> UserRow:
        row = self.user(name)
        if row is None:
            raise NotFound(f"no user called {name!r}")
        return row

    def disable_user(self, name: str, actor: str = OPERATOR) -> UserRow:
        """Disable an account: its logins, sessions and tokens stop working at once."""
        row = self._existing_user(name)
        before = {"active": row.active}
        row.active = False
        row.session_epoch += 1
        self.log(actor, "user.disable", f"user:{name}", before, {"active": False})
        return row

    def enable_user(self, name: str, actor: str = OPERATOR) -> UserRow:
        row = self._existing_user(name)
        before = {"active": row.active}
        row.active = True
        row.failed_logins = 0
        row.locked_until = None
        self.log(actor, "user.enable", f"user:{name}", before, {"active": True})
        return row

    def set_password(self, name: str, password: str, actor: str = OPERATOR) -> UserRow:
        row = self._existing_user(name)
        _check_password(password)
        row.password_hash = generate_password_hash(password, method="scrypt")
        row.session_epoch += 1
        self.log(actor, "user.password", f"user:{name}")
        return row

    def new_token(self, name: str, actor: str = OPERATOR) -> str:
        """A new API token for ``name``, returned once; only its SHA-256 is kept."""
        row = self._existing_user(name)
        if not row.active:
            raise Invalid(f"user {name!r} is disabled")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        hint = token[: len(TOKEN_PREFIX) + 6]
        self.session.add(
            ApiTokenRow(
                user_id=row.id, token_hash=token_hash(token), hint=hint, created_at=utcnow()
            )
        )
        self.session.flush()
        self.log(actor, "user.token", f"user:{name}", after={"token": hint + "…"})
        return token

    def revoke_tokens(self, name: str, actor: str = OPERATOR) -> int:
        """Revoke every live token of ``name``; how many were revoked."""
        row = self._existing_user(name)
        live = self.session.scalars(
            select(ApiTokenRow).where(
                ApiTokenRow.user_id == row.id, ApiTokenRow.revoked_at.is_(None)
            )
        ).all()
        for token in live:
            token.revoked_at = utcnow()
        self.log(actor, "user.revoke_tokens", f"user:{name}", after={"revoked": len(live)})
        return len(live)

    def user_for_token(self, token: str) -> UserRow | None:
        """The active user a live token belongs to, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        found = self.session.scalar(
            select(ApiTokenRow).where(
                ApiTokenRow.token_hash == token_hash(token), ApiTokenRow.revoked_at.is_(None)
            )
        )
        if found is None:
            return None
        user = self.session.get(UserRow, found.user_id)
        return user if user is not None and user.active else None

    def login(self, name: str, password: str) -> UserRow | None:
        """The user when ``password`` is right and the account is usable; None otherwise.

        Failures are audited; after MAX_FAILED_LOGINS in a row the account is locked for
        LOCK_MINUTES, and during the lock even the right password is refused.
        """
        row = self.user(name) if USER_NAME.match(name or "") else None
        now = utcnow()
        if row is None:
            # The same work as a real check, so that timing does not reveal which names exist.
            check_password_hash(_DUMMY_HASH, password)
            self.log(
                name[:64] or "?", "login.failed", f"user:{name[:64]}", after={"why": "unknown"}
            )
            return None
        locked_until = aware(row.locked_until)
        if locked_until is not None and locked_until > now:
            self.log(name, "login.failed", f"user:{name}", after={"why": "locked"})
            return None
        if not check_password_hash(row.password_hash, password) or not row.active:
            row.failed_logins += 1
            why = "disabled" if row.active is False else "password"
            if row.failed_logins >= MAX_FAILED_LOGINS:
                row.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                row.failed_logins = 0
                why += ", account locked"
            self.log(name, "login.failed", f"user:{name}", after={"why": why})
            return None
        row.failed_logins = 0
        row.locked_until = None
        self.log(name, "login", f"user:{name}")
        return row

    # --- settings ------------------------------------------------------------------------------

    def single_approval(self) -> bool:
        """True when an admin allowed a proposer to approve their own proposals."""
        row = self.session.get(SettingRow, SINGLE_APPROVAL)
        return row is not None and row.value == "on"

    def set_single_approval(self, actor: UserRow, on: bool) -> None:
        if actor.role != "admin":
            raise Forbidden("only an admin may change the approval rule")
        row = self.session.get(SettingRow, SINGLE_APPROVAL)
        before = {"single_approval": row is not None and row.value == "on"}
        if row is None:
            row = SettingRow(key=SINGLE_APPROVAL, value="off")
            self.session.add(row)
        row.value = "on" if on else "off"
        self.log(
            actor.name,
            "setting.single_approval",
            "setting:single_approval",
            before,
            {"single_approval": on},
        )


# --- helpers -------------------------------------------------------------------------------------

_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise Invalid("a password of more than 1024 characters is not accepted")
