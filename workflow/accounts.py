"""Users, passwords (argon2id), sign-in sessions and API tokens (random, stored only as a SHA-256 digest).

A web session names the user's session generation (`User.get_id`); raising it with `end_sessions` ends
every session of the user at once, with the page tokens given to them. A password change or
deactivation also revokes the user's API tokens.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from workflow.procedure import ROLES
from workflow.errors import NotFound, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import ApiToken, Unit, User, db, utcnow

USERNAME_LENGTH = 64
hasher = PasswordHasher()
# Verifying against this keeps an unknown username as slow as a wrong password.
_DUMMY_HASH = hasher.hash("not a password")
MIN_PASSWORD_LENGTH = 8
API_TOKEN = "api"
PAGE_TOKEN = "page"


def hash_password(password: str) -> str:
    return hasher.hash(password)


def password_errors(password: str, field: str = "password") -> list[dict]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [{"field": field, "message": Msg(N_("The password needs at least 8 characters."))}]
    return []


def create_user(username: str, password: str, role: str, unit_code: str, email: str,
                full_name: str = "") -> User:
    errors = []
    if role not in ROLES:
        errors.append({"field": "role", "message": Msg(N_("Unknown role; use one of: %(roles)s."),
                                                        {"roles": ", ".join(ROLES)})})
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        errors.append({"field": "unit", "message": Msg(N_("No such unit."))})
    for field, value, limit in (("username", username, USERNAME_LENGTH), ("email", email, 255),
                                ("full_name", full_name, 255)):
        if len(value) > limit:
            errors.append({"field": field, "message": Msg(N_("At most %(limit)d characters."), {"limit": limit})})
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors.append({"field": "username", "message": Msg(N_("This username is taken."))})
    errors += password_errors(password)
    if "@" not in email:
        errors.append({"field": "email", "message": Msg(N_("The e-mail address is not valid."))})
    if errors:
        raise ValidationFailed(details=errors)
    user = User(username=username, password_hash=hash_password(password), role=role, unit=unit, email=email,
                full_name=full_name)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == username))
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie (kept copies too) and every page token stop working."""
    user.session_epoch = (user.session_epoch or 0) + 1
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.kind == PAGE_TOKEN))
    db.session.flush()


def session_user(session_id: str) -> User | None:
    """The active user a sign-in session names (`User.get_id`), if the session is of their current generation."""
    user_id, _, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """A new password ends every session and token that was opened with the old one."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    revoke_tokens(user)


def change_own_password(user: User, current: str, new: str, confirmation: str) -> None:
    errors = []
    try:
        hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        errors.append({"field": "current_password", "message": Msg(N_("The current password is not right."))})
    errors += password_errors(new, "new_password")
    if new != confirmation:
        errors.append({"field": "confirm_password", "message": Msg(N_("The two new passwords do not match."))})
    if errors:
        raise ValidationFailed(details=errors)
    set_password(user, new)


def deactivate(user: User) -> None:
    user.active = False
    end_sessions(user)
    revoke_tokens(user)


def issue_token(user: User, hours: int, kind: str = API_TOKEN) -> tuple[str, dt.datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + dt.timedelta(hours=hours)
    db.session.execute(delete(ApiToken).where(ApiToken.expires_at < utcnow()))
    db.session.add(ApiToken(token_hash=_digest(token), user_id=user.id, expires_at=expires_at, kind=kind))
    db.session.flush()
    return token, expires_at


def page_token(user: User, kept: str | None, hours: int) -> str:
    """The token a page's script calls the API with: the one the session keeps while half its life is left."""
    row = valid_token(kept) if kept else None
    if (row is not None and row.user_id == user.id and row.kind == PAGE_TOKEN
            and row.expires_at - utcnow() > dt.timedelta(hours=hours) / 2):
        return kept
    return issue_token(user, hours, PAGE_TOKEN)[0]


def revoke_tokens(user: User) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def tokens_of(user: User) -> list[ApiToken]:
    """The user's unexpired tokens, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at >= utcnow())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens; another's is not found (its existence is not revealed)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound()
    db.session.delete(row)
    db.session.flush()


def valid_token(token: str) -> ApiToken | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.expires_at < utcnow() or not row.user.active:
        return None
    return row
