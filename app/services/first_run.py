"""What `make run` does before serving: the admin account an empty installation needs."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import User
from . import ServiceError
from . import users as user_service

DEFAULT_ADMIN = "admin"


def ensure_admin(password: str | None) -> tuple[User | None, str | None]:
    """Create the `admin` account when no admin exists.

    Returns (user, generated password) — the password only when it was
    generated here, so the caller can print it exactly once.
    """
    if db.session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
        return None, None
    if user_service.get_user_by_username(DEFAULT_ADMIN) is not None:
        raise ServiceError(
            f"No admin exists, and the username {DEFAULT_ADMIN!r} is taken by a non-admin; "
            "create one with `flask --app wsgi users create NAME --role admin`."
        )
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    user = user_service.create_user(DEFAULT_ADMIN, password, "admin", display_name="Administrator")
    return user, generated
