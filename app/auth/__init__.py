"""Logging in and out."""
from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from ..errors import flash_refusals
from ..extensions import db, limiter
from ..forms import Form
from ..services import login_throttle
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


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _lockout_policy() -> login_throttle.LockoutPolicy:
    return login_throttle.LockoutPolicy.from_config(current_app.config)


# Failed logins per client address, whatever the username: in the limiter's storage (Redis when configured,
# so every web process counts the same attempts).

def _address_limits():
    return parse_many(current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"])


def _address_key() -> tuple[str, str]:
    return current_app.config.get("RATELIMIT_KEY_PREFIX") or "mizan", f"login-address/{request.remote_addr}"


def _address_wait() -> int:
    """Seconds until this address may try again, 0 when it is under its limits."""
    now = time.time()
    waits = [math.ceil(limiter.limiter.get_window_stats(limit, *_address_key()).reset_time - now)
             for limit in _address_limits() if not limiter.limiter.test(limit, *_address_key())]
    return max([1, *waits]) if waits else 0


def _count_address_failure() -> None:
    for limit in _address_limits():
        limiter.limiter.hit(limit, *_address_key())


# The device cookie: a browser that logged in as a user carries it, signed, and is then not held back by its
# address's limit when it logs in as that user again (the account lockout still applies).
DEVICE_COOKIE = "mizan_device"


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="mizan-login-device")


def _known_device(username: str) -> bool:
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return False
    try:
        known = _device_signer().loads(cookie, max_age=current_app.config["LOGIN_DEVICE_DAYS"] * 86400)
    except BadSignature:
        return False
    return known == username


def _remember_device(response, username: str):
    response.set_cookie(DEVICE_COOKIE, _device_signer().dumps(username),
                        max_age=current_app.config["LOGIN_DEVICE_DAYS"] * 86400, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def _throttled(form, username: str, user_id: int | None, reason: str, wait: int):
    login_throttle.record_throttled(username, user_id=user_id, address=request.remote_addr, reason=reason,
                                    wait_seconds=wait)
    whom = "for this account" if reason == "account" else "from your network address"
    return (render_template("auth/login.html", form=form, lockout=_lockout(f"Too many attempts {whom}.", wait)),
            429, {"Retry-After": str(wait)})


def _lockout(reason: str, wait: int) -> dict:
    """What a "too many attempts" page says (templates' lockout_notice; lockout.js counts it down)."""
    return {"reason": reason, "seconds": wait, "wait_text": _wait_text(wait)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("review.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = user_service.normalise_username(form.username.data)
        known = user_service.get_user_by_username(username)
        known_id = known.id if known is not None else None
        if wait := login_throttle.seconds_locked(username):
            return _throttled(form, username, known_id, "account", wait)
        from_known_device = _known_device(username)
        if not from_known_device and (wait := _address_wait()):
            return _throttled(form, username, known_id, "address", wait)
        user = user_service.authenticate(username, form.password.data)
        if user is not None:
            login_throttle.clear(username)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            response = redirect(safe_next_url(request.args.get("next")) or url_for("review.home"))
            return _remember_device(response, username)
        if not from_known_device:
            _count_address_failure()
        wait = login_throttle.record_failure(username, _lockout_policy(), user_id=known_id,
                                             address=request.remote_addr)
        # The password was checked: a failure like any other, saying how long the account now waits.
        flash(LOGIN_FAILED + (f" Too many attempts for this account: please wait {_wait_text(wait)} "
                              "before trying again." if wait else ""), "error")
    status = 200 if request.method == "GET" or not form.errors else 422
    if request.method == "POST" and form.username.data and not form.username.errors:
        _focus_password(form)
    return render_template("auth/login.html", form=form), status


def _focus_password(form: LoginForm) -> None:
    """After a refused login the username stays filled in: the cursor waits in the password field.
    (New dicts: a field's render_kw is shared by every form of its class.)"""
    form.username.render_kw = {k: v for k, v in (form.username.render_kw or {}).items() if k != "autofocus"}
    form.password.render_kw = {**(form.password.render_kw or {}), "autofocus": True}


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Ends every session and remember cookie of this user, on every browser, not only this one."""
    user_service.end_sessions(current_user)
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


class PasswordChangeForm(Form):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(f"New password (at least {user_service.MIN_PASSWORD_LENGTH} characters)",
                             validators=[InputRequired(), Length(max=user_service.MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("password", "Passwords do not match.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Change password")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A user's own password. The current one is checked under the account lockout (a stolen session
    must not become a way to guess it); afterwards every other session of the user ends, this one goes on."""
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if wait := login_throttle.seconds_locked(user.username):
            login_throttle.record_throttled(user.username, user_id=user.id, address=request.remote_addr,
                                            reason="account", wait_seconds=wait)
            lockout = _lockout("Too many attempts for this account.", wait)
            return render_template("auth/password.html", form=form, lockout=lockout), 429, {"Retry-After": str(wait)}
        with flash_refusals(quiet=True) as attempt:
            user_service.change_own_password(user, form.current_password.data, form.password.data)
        if isinstance(attempt.refusal, user_service.WrongPassword):
            login_throttle.record_failure(user.username, _lockout_policy(), user_id=user.id,
                                          address=request.remote_addr)
            form.current_password.errors.append(str(attempt.refusal))
            # Every problem at once: a weak new password is said now, not after the current one is right.
            if problem := user_service.password_problem(form.password.data,
                                                        user_inputs=(user.username, user.display_name)):
                form.password.errors.append(problem)
        elif attempt.refusal is not None:
            form.password.errors.append(str(attempt.refusal))
        else:
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(user, remember=remembered)  # this session, under the new session epoch
            flash("Your password is changed; your other sessions were ended.", "success")
            return redirect(url_for("auth.change_password"))
    elif form.is_submitted() and form.password.data and not form.password.errors:
        # The form was refused (e.g. the repetition differs): a weak new password is said at the same time.
        if problem := user_service.password_problem(form.password.data, user_inputs=(user.username,
                                                                                     user.display_name)):
            form.password.errors.append(problem)
    status = 200 if request.method == "GET" else 422
    return render_template("auth/password.html", form=form), status
