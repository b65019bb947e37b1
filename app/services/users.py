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
from .user_text import NAME, TEXT, nfc, refusal

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's score (0-4): 3 is "safely unguessable: moderate protection from offline slow-hash attacks"
# (about 10^8 guesses and more); its frequency lists of common passwords, names and words ship with it.
MIN_PASSWORD_SCORE = 3
SCORED_PREFIX = 100  # zxcvbn's matching grows fast with length; a longer password is long enough anyway
MAX_DISPLAY_NAME = 120  # the column's length: checked here, so the CLI says so rather than the database
API_TOKEN_PREFIX = "mzn_"  # nosec B105


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so that a failed login takes
    the same time whether or not the account exists (made on first use, not at start-up)."""
    return generate_password_hash(secrets.token_hex(16))



class UserError(ServiceError):
    pass


class WrongPassword(UserError):
    """The current password given to change one's own is not right (counted like a failed login)."""


def normalise_username(username: str) -> str:
    return username.strip().lower()


def validate_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """The one password rule, for the CLI, the admin's forms and a user's own change: 12 to 1024
    characters, not only spaces, storable, and not common or guessable (zxcvbn, with the username
    and display name as words an attacker would try first)."""
    problem = password_problem(password, user_inputs=user_inputs)
    if problem is not None:
        raise UserError(problem)


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """What is wrong with a new password by the rule of `validate_password`, or None when it is fine."""
    if not password.strip():
        return "Password cannot be only spaces."
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be at most {MAX_PASSWORD_LENGTH} characters long."
    if (refused := refusal(password, TEXT)) is not None:
        return f"The password {refused}."
    from zxcvbn import zxcvbn  # its word lists take a moment to load: only when a password is set

    verdict = zxcvbn(password[:SCORED_PREFIX], user_inputs=[word for word in user_inputs if word])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        advice = " ".join(part for part in [verdict["feedback"]["warning"], *verdict["feedback"]["suggestions"]]
                          if part)
        return f"This password is too easy to guess. {advice}".strip()
    return None


def get_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def require_user(username: str) -> User:
    user = get_user_by_username(username)
    if user is None:
        raise NotFound(f"No user named {username!r}.")
    return user


def new_user_problems(username: str, password: str, role: str = "reviewer", display_name: str = "") -> dict[str, str]:
    """Every reason a new account would be refused, by field (username, role, password, display_name), all
    at once: a form shows each beside its field rather than one at a time. Empty when the account can be made."""
    problems: dict[str, str] = {}
    if (refused := refusal(username, NAME)) is not None:
        problems["username"] = f"The username {refused}."
    elif not USERNAME_PATTERN.match(normalise_username(username)):
        problems["username"] = ("Username must be 2-64 characters: lowercase letters, digits, '.', '_' or '-', "
                                "starting with a letter or digit.")
    elif get_user_by_username(username) is not None:
        problems["username"] = f"A user named {normalise_username(username)!r} already exists."
    if role not in ROLES:
        problems["role"] = f"Role must be one of: {', '.join(ROLES)}."
    display_problem = None
    if (refused := refusal(display_name, NAME)) is not None:
        display_problem = f"The display name {refused}."
    elif len(nfc(display_name).strip()) > MAX_DISPLAY_NAME:
        display_problem = f"The display name can be at most {MAX_DISPLAY_NAME} characters."
    words = (normalise_username(username), "" if display_problem else display_name)
    if (problem := password_problem(password, user_inputs=words)) is not None:
        problems["password"] = problem
    if display_problem is not None:
        problems["display_name"] = display_problem
    return problems


def create_user(
    username: str,
    password: str,
    role: str = "reviewer",
    *,
    display_name: str = "",
    actor: User | None = None,
) -> User:
    """A new account; refused (UserError, the first of `new_user_problems`) when anything is wrong."""
    problems = new_user_problems(username, password, role, display_name)
    if problems:
        raise UserError(next(iter(problems.values())))
    username = normalise_username(username)
    display_name = nfc(display_name)
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


def _revoke_tokens(user: User) -> int:
    revoked = 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            revoked += 1
    return revoked


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """An admin's reset: the new password, every session and remember cookie of the user ended, and their
    API tokens revoked (whoever knew the old password may have made one; the admin may issue new ones)."""
    validate_password(password, user_inputs=(user.username, user.display_name))
    user.password_hash = generate_password_hash(password)
    user.session_epoch += 1
    revoked = _revoke_tokens(user)
    record_event(actor, "user.password_reset", "user", user.id, after={"tokens_revoked": revoked})
    db.session.commit()


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A user's own change: the current password first, then the rule. Every other session and remember
    cookie of theirs ends (the caller logs the current one in again); their API tokens stay."""
    if not check_password_hash(user.password_hash, current_password):
        raise WrongPassword("Your current password is not right.")
    if new_password == current_password:
        raise UserError("The new password must differ from the current one.")
    validate_password(new_password, user_inputs=(user.username, user.display_name))
    user.password_hash = generate_password_hash(new_password)
    user.session_epoch += 1
    record_event(user, "user.password_change", "user", user.id)
    db.session.commit()


def end_sessions(user: User) -> None:
    """Logout: every session and remember cookie of the user stops working, on every browser."""
    user.session_epoch += 1
    db.session.commit()


# An address to mail notifications to (services/mail.py): one @, no spaces, a dot in the domain.
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def set_email(user: User, email: str | None, *, actor: User | None = None) -> None:
    """Where the user's notifications are also mailed when SMTP is configured; None or blank: nowhere."""
    address = (email or "").strip() or None
    if address is not None:
        if (refused := refusal(address, NAME)) is not None:
            raise UserError(f"The e-mail address {refused}.")
        if len(address) > 254 or not EMAIL_PATTERN.match(address):
            raise UserError(f"{address!r} is not an e-mail address (name@example.org).")
    if user.email == address:
        return
    before = user.email
    user.email = address
    record_event(actor, "user.email", "user", user.id, before={"email": before}, after={"email": address})
    db.session.commit()


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    """Activate or deactivate an account. An admin cannot deactivate their own account (another admin, or
    the server's operator with the CLI, can), and the last active admin is never deactivated."""
    if user.active == active:
        return
    if not active and actor is not None and actor.id == user.id:
        raise UserError("You cannot deactivate your own account. Another admin can, or the server's operator "
                        f"with: flask --app wsgi users deactivate {user.username}")
    if not active and user.role == "admin" and count_active_admins(lock=True) <= 1:
        raise UserError("Cannot deactivate the last active admin.")
    user.active = active
    user.session_epoch += 1
    if not active:
        _revoke_tokens(user)
    record_event(
        actor, "user.activate" if active else "user.deactivate", "user", user.id,
        before={"active": not active}, after={"active": active},
    )
    db.session.commit()


def count_active_admins(*, lock: bool = False) -> int:
    """`lock`: the active admins' rows stay locked until the commit (PostgreSQL), so two admins
    deactivating each other at once cannot both pass the last-admin check."""
    admins = select(User.id).where(User.role == "admin", User.active)
    if lock:
        return len(db.session.scalars(admins.with_for_update()).all())
    return db.session.execute(select(func.count()).select_from(admins.subquery())).scalar_one()


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(user: User, *, actor: User | None = None, revoke_others: bool = False) -> str:
    """A new personal API token. The caller shows it once; only its hash is kept. With `revoke_others`
    (a rotation) every earlier token of the user stops working in the same commit."""
    if not user.active:
        raise UserError(f"User {user.username!r} is deactivated.")
    revoked = _revoke_tokens(user) if revoke_others else 0
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token)))
    record_event(actor, "user.token_issue", "user", user.id, after={"tokens_revoked": revoked} if revoked else None)
    db.session.commit()
    return token


def revoke_api_tokens(user: User, *, actor: User | None = None) -> int:
    """Every API token of the user stops working (a leaked one, say); how many were still in use."""
    revoked = _revoke_tokens(user)
    record_event(actor, "user.tokens_revoked", "user", user.id, after={"tokens_revoked": revoked})
    db.session.commit()
    return revoked


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
