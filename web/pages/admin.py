"""The administrator's pages: users and units."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from web.pages import UNIT_KIND_LABELS, gate
from web.pages.views import form_view
from web.pages.forms import UnitForm, UserForm
from workflow import administration
from workflow.definition import ROLE_LABELS
from workflow.procedure import ROLES
from workflow.models import Unit, User, db

bp = Blueprint("admin", __name__, url_prefix="/admin")


gate(bp, "manage_users")


def _units():
    return list(db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.name)))


@bp.route("/users")
def users():
    rows = db.session.scalars(select(User).order_by(User.role, User.username))
    return render_template("pages/users.html", users=list(rows))


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int | None = None):
    existing = db.session.get(User, user_id) if user_id is not None else None
    if user_id is not None and existing is None:
        abort(404)
    form = UserForm(obj=existing)
    form.role.choices = [(role, _(ROLE_LABELS[role])) for role in ROLES]
    form.unit.choices = [(u.code, u.name) for u in _units()]
    if existing is not None and not form.is_submitted():
        form.unit.data = existing.unit.code

    def save():
        data = {"full_name": form.full_name.data or "", "email": form.email.data.strip(), "role": form.role.data,
                "unit": form.unit.data, "password": form.password.data or "", "active": form.active.data}
        if existing is None:
            return administration.add_user(current_user, data | {"username": form.username.data or ""})
        administration.update_user(current_user, existing, data)
        if existing.id == current_user.id:
            # A new password of one's own ends one's other sessions, not this one.
            login_user(current_user._get_current_object())
        return existing
    return form_view(form, save, _("The user is saved."), url_for("admin.users"), "pages/user_form.html",
                     user=existing)


@bp.route("/units")
def units():
    return render_template("pages/units.html", units=_units())


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<code>", methods=["GET", "POST"])
def unit(code: str | None = None):
    existing = db.session.scalar(select(Unit).where(Unit.code == code)) if code is not None else None
    if code is not None and existing is None:
        abort(404)
    form = UnitForm(obj=existing)
    form.kind.choices = [(kind, _(label)) for kind, label in UNIT_KIND_LABELS.items()]
    form.parent.choices = [("", "—")] + [(u.code, u.name) for u in _units() if existing is None or u.id != existing.id]
    if existing is not None and not form.is_submitted():
        form.parent.data = existing.parent.code if existing.parent else ""

    def save():
        data = {"name": form.name.data, "kind": form.kind.data, "parent": form.parent.data or None,
                "sort_order": form.sort_order.data, "active": form.active.data}
        if existing is None:
            return administration.add_unit(current_user, data | {"code": (form.code.data or "").strip()})
        return administration.update_unit(current_user, existing, data)
    return form_view(form, save, _("The unit is saved."), url_for("admin.units"), "pages/unit_form.html",
                     unit=existing)
