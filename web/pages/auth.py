"""Sign-in, sign-out and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from workflow.unit_of_work import commit
from web.pages.forms import LanguageForm, LoginForm
from web.security import FAILED_LOGIN_STATUS
from workflow.accounts import authenticate, end_sessions
from workflow.administration import LOCALES, set_user_locale

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host."""
    # Browsers read a backslash as a slash, so "/\\evil.example" would leave the site.
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not urlsplit(target).netloc):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data.strip(), form.password.data)
        if user is not None:
            locale = session.get("locale")
            session.clear()
            login_user(user)
            if locale in LOCALES:
                session["locale"] = locale
            elif user.locale in LOCALES:
                session["locale"] = user.locale
            commit()
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
        return render_template("pages/login.html", form=form), FAILED_LOGIN_STATUS
    return render_template("pages/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    """Signing out ends every session of the user, everywhere, and the page tokens given to them."""
    locale = session.get("locale")
    if current_user.is_authenticated:
        end_sessions(current_user)
        commit()
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    chosen = form.language.data
    if chosen in LOCALES:
        session["locale"] = chosen
        if current_user.is_authenticated:
            set_user_locale(current_user, chosen)
            commit()
    return redirect(_safe_next(request.form.get("next")))
