"""Signing in and out of the web pages, and who the signed-in user is.

The browser session (Flask-Login) remembers only the user's id; every request looks the
account up again, so a deactivated account is signed out at its next click. Signing in goes
through the same service as the API's tokens: the same lockouts and the same audit log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from manifest.actor import Actor
from manifest.digits import is_ascii_digits
from manifest.errors import TooManyAttempts, ValidationFailed
from manifest.services import signin

from ..db import session as db_session
from ..db import uow
from ..request_log import USER_ID_KEY
from .formatting import lazy_gettext
from .forms import apply_domain_error

bp = Blueprint("session", __name__, url_prefix="/web")

login_manager = LoginManager()
login_manager.login_view = "session.signin_page"
login_manager.login_message = lazy_gettext("Sign in to see this page.")
login_manager.login_message_category = "info"


@dataclass(frozen=True)
class PageUser:
    """The signed-in user as Flask-Login sees it: the domain's Actor and the names shown."""

    actor: Actor
    organization_name: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.actor.user_id)

    @property
    def email(self) -> str:
        return self.actor.email

    @property
    def role(self) -> str:
        return self.actor.role


@login_manager.user_loader
def _load_user(user_id: str) -> PageUser | None:
    if not is_ascii_digits(user_id or "") or len(user_id) > 19:
        return None
    found = signin.session_user(db_session(), int(user_id))
    if found is None:
        return None
    request.environ[USER_ID_KEY] = found.actor.user_id
    return PageUser(found.actor, found.organization_name)


def page_actor() -> Actor:
    """The Actor of the signed-in user (the same Actor the API builds from a token). Views
    call it under ``@login_required``; without a signed-in user it answers 401."""
    if not current_user.is_authenticated:
        abort(401)
    return current_user.actor


def signed_in_user() -> PageUser | None:
    """The signed-in user, or None: for the layout, which shows who is signed in."""
    return current_user if current_user.is_authenticated else None


class SigninForm(FlaskForm):
    email = EmailField(
        lazy_gettext("E-mail"), validators=[DataRequired(), Length(max=signin.EMAIL_MAX)]
    )
    password = PasswordField(
        lazy_gettext("Password"), validators=[DataRequired(), Length(max=1024)]
    )


@bp.route("/signin", methods=["GET", "POST"])
def signin_page():
    """The sign-in form; a refusal re-renders it with the e-mail kept (422, 429 locked)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.home"))
    form = SigninForm()
    status = 200
    if form.validate_on_submit():
        try:
            actor = signin.sign_in_to_session(
                uow(),
                email=form.email.data,
                password=form.password.data,
                address=request.remote_addr or "",
                settings=current_app.extensions["hwm"]["settings"],
            )
        except TooManyAttempts as exc:
            minutes = max(1, math.ceil((exc.retry_after or 60) / 60))
            form.form_errors.append(
                _(
                    "Too many failed sign-ins: this account or this address is locked. "
                    "Try again in %(minutes)s minutes.",
                    minutes=minutes,
                )
            )
            status = 429
        except ValidationFailed:
            form.password.errors = [_("Wrong e-mail or password.")]
            status = 422
        else:
            _start_session(actor)
            return redirect(_next_page() or url_for("home.home"))
    elif request.method == "POST":
        status = 422
    return render_template("pages/session/signin.html", form=form), status


@bp.post("/signout")
@login_required
def signout():
    """End the session (a POST with the CSRF token, so no other site can sign anyone out)."""
    logout_user()
    _fresh_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("session.signin_page"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        lazy_gettext("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField(
        lazy_gettext("New password"),
        validators=[DataRequired(), Length(max=1024)],
        description=lazy_gettext("At least 8 characters, not the current password."),
    )
    confirm = PasswordField(
        lazy_gettext("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=lazy_gettext("The two new passwords differ.")),
        ],
    )


#: The pages a user whose password an administrator chose may open before choosing their
#: own; every other page leads to the password form.
OPEN_BEFORE_OWN_PASSWORD = frozenset(
    {"session.change_password", "session.signout", "session.signin_page"}
)


def own_password_first():
    """For a signed-in user who must still choose their own password: the way to the
    password form from any other page (None when nothing stands in the way)."""
    if not current_user.is_authenticated or not current_user.actor.must_change_password:
        return None
    if request.endpoint in OPEN_BEFORE_OWN_PASSWORD:
        return None
    return redirect(url_for("session.change_password"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password, confirming the current one as at sign-in (the same lockouts
    and log). The first page a member sees whose password an administrator chose."""
    actor = page_actor()
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            signin.change_password(
                uow(),
                actor=actor,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                address=request.remote_addr or "",
                settings=current_app.extensions["hwm"]["settings"],
            )
        except TooManyAttempts:
            form.form_errors.append(_("Too many failed attempts: wait a few minutes."))
            status = 429
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
            status = 422
        else:
            flash(_("Your password is changed."), "success")
            return redirect(url_for("home.home"), code=303)
    elif request.method == "POST":
        status = 422
    page = render_template(
        "pages/session/password.html", form=form, required=actor.must_change_password
    )
    return page, status


def _start_session(actor: Actor) -> None:
    """A fresh session for the signed-in user: nothing from before signing in is carried
    over (a planted session id is worthless) except the language."""
    _fresh_session()
    found = signin.session_user(db_session(), actor.user_id)
    if found is None:  # deactivated between the password check and now
        abort(403)
    login_user(PageUser(found.actor, found.organization_name))


def _fresh_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _next_page() -> str | None:
    """Where the user was going before being sent to sign in: a page path of this site only."""
    target = request.args.get("next") or ""
    if target.startswith("/web/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
