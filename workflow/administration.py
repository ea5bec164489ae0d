"""The administrator's work: users and units. Units are data, never hard-coded (the hierarchy changes)."""
from __future__ import annotations

from sqlalchemy import select

from workflow.accounts import create_user, deactivate, password_errors, set_password
from workflow.procedure import ROLES
from workflow.errors import ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import Unit, User, db
from workflow.permissions import require, role_may

UNIT_KINDS = ("city", "department", "district", "affiliated", "member_org")
LOCALES = ("vi", "en")


def _unit(code: str | None) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code)) if code else None


def add_user(actor: User, data: dict) -> User:
    require(actor, "manage_users")
    return create_user(data.get("username", "").strip(), data.get("password", ""), data.get("role", ""),
                       data.get("unit", ""), data.get("email", "").strip(), data.get("full_name", "").strip())


def update_user(actor: User, user: User, data: dict) -> User:
    """Change a user's role, unit, contact or status; a new password when one is given."""
    require(actor, "manage_users")
    errors = []
    if "role" in data and data["role"] not in ROLES:
        errors.append({"field": "role", "message": Msg(N_("Unknown role; use one of: %(roles)s."),
                                                        {"roles": ", ".join(ROLES)})})
    unit = _unit(data.get("unit")) if "unit" in data else user.unit
    if unit is None:
        errors.append({"field": "unit", "message": Msg(N_("No such unit."))})
    if "email" in data and "@" not in (data["email"] or ""):
        errors.append({"field": "email", "message": Msg(N_("The e-mail address is not valid."))})
    password = data.get("password") or ""
    if password:
        errors += password_errors(password)
    if user.id == actor.id and (data.get("active") is False
                             or not role_may(data.get("role", user.role), "manage_users")):
        errors.append({"field": "active", "message": Msg(
            N_("You cannot remove your own administrator rights."))})
    if errors:
        raise ValidationFailed(details=errors)
    for field in ("role", "email", "full_name"):
        if field in data:
            setattr(user, field, data[field])
    user.unit = unit
    if password:
        set_password(user, password)
    if "active" in data:
        if user.active and not data["active"]:
            deactivate(user)
        user.active = bool(data["active"])
    db.session.flush()
    return user


def _unit_errors(data: dict, unit: Unit | None) -> list[dict]:
    errors = []
    if not (data.get("name") or "").strip():
        errors.append({"field": "name", "message": Msg(N_("A name is required."))})
    if data.get("kind") not in UNIT_KINDS:
        errors.append({"field": "kind", "message": Msg(N_("Unknown kind of unit."))})
    parent_code = data.get("parent")
    if parent_code:
        parent = _unit(parent_code)
        if parent is None:
            errors.append({"field": "parent", "message": Msg(N_("No such unit."))})
        elif unit is not None and _is_within(parent, unit):
            errors.append({"field": "parent", "message": Msg(N_("A unit cannot be placed under itself."))})
    return errors


def _is_within(candidate: Unit, unit: Unit) -> bool:
    seen = set()
    while candidate is not None and candidate.id not in seen:
        if candidate.id == unit.id:
            return True
        seen.add(candidate.id)
        candidate = candidate.parent
    return False


def add_unit(actor: User, data: dict) -> Unit:
    require(actor, "manage_users")
    errors = _unit_errors(data, None)
    code = (data.get("code") or "").strip()
    if not code:
        errors.append({"field": "code", "message": Msg(N_("A code is required."))})
    elif _unit(code) is not None:
        errors.append({"field": "code", "message": Msg(N_("This code is already in use."))})
    if errors:
        raise ValidationFailed(details=errors)
    unit = Unit(code=code, name=data["name"].strip(), kind=data["kind"], parent=_unit(data.get("parent")),
                sort_order=data.get("sort_order") or 0, active=data.get("active", True))
    db.session.add(unit)
    db.session.flush()
    return unit


def update_unit(actor: User, unit: Unit, data: dict) -> Unit:
    require(actor, "manage_users")
    errors = _unit_errors(data, unit)
    if errors:
        raise ValidationFailed(details=errors)
    unit.name = data["name"].strip()
    unit.kind = data["kind"]
    unit.parent = _unit(data.get("parent"))
    unit.sort_order = data.get("sort_order") or 0
    unit.active = data.get("active", True)
    db.session.flush()
    return unit


def set_user_locale(user: User, locale: str) -> None:
    if locale in LOCALES:
        user.locale = locale
        db.session.flush()
