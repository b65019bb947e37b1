"""Accounts: creation, passwords, deactivation, API tokens, and the lookups Flask-Login needs."""
from __future__ import annotations

import functools
import hashlib
import re
import secrets

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import is_unique_violation
from ..extensions import db
from ..models import ROLES, ApiToken, User, utcnow
from . import NotFound, ServiceError
from .audit import record_event
from .user_text import forbidden_character_message

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_DISPLAY_NAME = 120  # the column's length: checked here, so the CLI says so rather than the database
API_TOKEN_PREFIX = "mzn_"  # nosec B105


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so that a failed login takes
    the same time whether or not the account exists (made on first use, not at start-up)."""
    return generate_password_hash(secrets.token_hex(16))



class UserError(ServiceError):
    pass


def normalise_username(username: str) -> str:
    return username.strip().lower()


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(password) > 1024:
        raise UserError("Password must be at most 1024 characters long.")


def get_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def require_user(username: str) -> User:
    user = get_user_by_username(username)
    if user is None:
        raise NotFound(f"No user named {username!r}.")
    return user


def create_user(
    username: str,
    password: str,
    role: str = "reviewer",
    *,
    display_name: str = "",
    actor: User | None = None,
) -> User:
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise UserError(
            "Username must be 2-64 characters: lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    if role not in ROLES:
        raise UserError(f"Role must be one of: {', '.join(ROLES)}.")
    validate_password(password)
    if (forbidden := forbidden_character_message(display_name)) is not None:
        raise UserError(f"The display name {forbidden}.")
    if len(display_name.strip()) > MAX_DISPLAY_NAME:
        raise UserError(f"The display name can be at most {MAX_DISPLAY_NAME} characters.")
    if get_user_by_username(username) is not None:
        raise UserError(f"A user named {username!r} already exists.")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        password_hash=generate_password_hash(password),
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:  # created by someone else since the check above
        db.session.rollback()
        if is_unique_violation(error):
            raise UserError(f"A user named {username!r} already exists.") from None
        raise
    record_event(actor, "user.create", "user", user.id, after={"username": username, "role": role})
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None — never saying which part was wrong."""
    user = get_user_by_username(username)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    validate_password(password)
    user.password_hash = generate_password_hash(password)
    user.session_epoch += 1
    record_event(actor, "user.password_reset", "user", user.id)
    db.session.commit()


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    if user.active == active:
        return
    if not active and user.role == "admin" and count_active_admins() <= 1:
        raise UserError("Cannot deactivate the last active admin.")
    user.active = active
    user.session_epoch += 1
    for token in user.tokens:
        if not active and token.revoked_at is None:
            token.revoked_at = utcnow()
    record_event(
        actor, "user.activate" if active else "user.deactivate", "user", user.id,
        before={"active": not active}, after={"active": active},
    )
    db.session.commit()


def count_active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active))


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(user: User, *, actor: User | None = None) -> str:
    """A new personal API token. The caller shows it once; only its hash is kept."""
    if not user.active:
        raise UserError(f"User {user.username!r} is deactivated.")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token)))
    record_event(actor, "user.token_issue", "user", user.id)
    db.session.commit()
    return token


# Runs on every API call: built once.
_USER_BY_TOKEN_DIGEST = (
    select(User).join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None), User.active.is_(True))
)


def user_for_api_token(token: str) -> User | None:
    """The active user holding this unrevoked token, in one query."""
    return db.session.scalar(_USER_BY_TOKEN_DIGEST, {"digest": _token_digest(token)})


def user_for_session_id(session_id: str) -> User | None:
    """Flask-Login's user loader: the id carries the session epoch, so old sessions die on reset."""
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user
