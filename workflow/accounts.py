"""Users, passwords (argon2id) and API tokens (random, stored only as a SHA-256 digest)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from workflow.definition import ROLES
from workflow.errors import ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import ApiToken, Unit, User, db, utcnow

USERNAME_LENGTH = 64
hasher = PasswordHasher()
# Verifying against this keeps an unknown username as slow as a wrong password.
_DUMMY_HASH = hasher.hash("not a password")


def hash_password(password: str) -> str:
    return hasher.hash(password)


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
    if len(password) < 8:
        errors.append({"field": "password", "message": Msg(N_("The password needs at least 8 characters."))})
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


def issue_token(user: User, hours: int) -> tuple[str, dt.datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + dt.timedelta(hours=hours)
    db.session.execute(delete(ApiToken).where(ApiToken.expires_at < utcnow()))
    db.session.add(ApiToken(token_hash=_digest(token), user_id=user.id, expires_at=expires_at))
    db.session.flush()
    return token, expires_at


def revoke_tokens(user: User) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.expires_at < utcnow() or not row.user.active:
        return None
    return row.user
