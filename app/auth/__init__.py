"""Logging in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..extensions import limiter
from ..forms import Form
from ..services import users as user_service

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Invalid username or password."


class LoginForm(Form):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this computer")
    submit = SubmitField("Log in")


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' or backslash tricks."""
    if not target:
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_attempt_key() -> str:
    username = (request.form.get("username") or "").strip().lower()[:64]
    return f"{request.remote_addr}|{username}"


def _failed_login(response) -> bool:
    """Only failures count towards the throttle; a successful login redirects."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_attempt_key,
               methods=["POST"], deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("review.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_service.authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("review.home"))
        flash(LOGIN_FAILED, "error")
    status = 200 if request.method == "GET" or not form.errors else 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
