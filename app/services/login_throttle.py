"""Account lockout: failed logins counted per username, with an exponential back-off.

After `after` failures in a row a username is locked for `first_seconds`; each further failure
doubles the wait, up to `max_seconds`. While locked, no password is checked at all, so the right
password from another address or browser gets in no sooner than the attacker. A successful login
clears the count; a count whose last failure is older than `forget_after_seconds` starts again.

The counts live in the database (table `login_throttles`, migration 0010), so every web process on
either engine sees the same ones, and a restart does not unlock anyone. A username nobody holds is
counted and locked like a real one: the answer never tells whether an account exists.

The per-address limit (many usernames from one address) is the web layer's (app/auth), in the
rate limiter's storage.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update

from ..database import dialect_insert
from ..extensions import db
from ..models import LoginThrottle, utcnow
from .audit import record_event

MAX_USERNAME = 64  # the column's length


@dataclass(frozen=True)
class LockoutPolicy:
    after: int = 5
    first_seconds: int = 60
    max_seconds: int = 15 * 60
    forget_after_seconds: int = 24 * 3600

    @classmethod
    def from_config(cls, config) -> "LockoutPolicy":
        return cls(config["LOGIN_LOCKOUT_AFTER"], config["LOGIN_LOCKOUT_SECONDS"],
                   config["LOGIN_LOCKOUT_MAX_SECONDS"], config["LOGIN_LOCKOUT_FORGET_SECONDS"])

    def lock_seconds(self, failures: int) -> int:
        """0 below `after` failures; then first_seconds, doubled per further failure, capped."""
        if failures < self.after:
            return 0
        doublings = min(failures - self.after, 30)
        return min(self.first_seconds * 2 ** doublings, self.max_seconds)


def throttle_key(username: str) -> str:
    return username.strip().lower()[:MAX_USERNAME]


def seconds_locked(username: str, *, now: datetime | None = None) -> int:
    """How long this username stays locked (whole seconds, rounded up), 0 when it is not."""
    now = now or utcnow()
    locked_until = db.session.scalar(
        select(LoginThrottle.locked_until).where(LoginThrottle.username == throttle_key(username)))
    if locked_until is None or locked_until <= now:
        return 0
    return math.ceil((locked_until - now).total_seconds())


def record_failure(username: str, policy: LockoutPolicy, *, user_id: int | None, address: str | None,
                   now: datetime | None = None) -> int:
    """Count a failed login (one atomic statement, so concurrent failures all count), write it to the
    audit log and commit. Returns how long the username is now locked (0: not locked)."""
    now = now or utcnow()
    key = throttle_key(username)
    table = LoginThrottle.__table__
    forgotten = now - timedelta(seconds=policy.forget_after_seconds)
    insert = dialect_insert(db.session.get_bind().dialect.name, table).values(
        username=key, failures=1, last_failure_at=now, locked_until=None)
    failures = db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.username],
            set_={"failures": case((table.c.last_failure_at < forgotten, 1), else_=table.c.failures + 1),
                  "last_failure_at": insert.excluded.last_failure_at},
        ).returning(table.c.failures)
    ).scalar_one()
    wait = policy.lock_seconds(failures)
    if wait:
        db.session.execute(update(LoginThrottle).where(LoginThrottle.username == key)
                           .values(locked_until=now + timedelta(seconds=wait)))
    # Old counts of names tried once and never again go, so that the table stays small.
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < forgotten,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
    record_event(None, "login.failed", "user", user_id,
                 after={"username": key, "address": address, "failures": failures, "locked_seconds": wait})
    db.session.commit()
    return wait


def record_throttled(username: str, *, user_id: int | None, address: str | None, reason: str,
                     wait_seconds: int) -> None:
    """A login refused unchecked: the account is locked (`account`) or the address over its limit (`address`)."""
    record_event(None, "login.throttled", "user", user_id,
                 after={"username": throttle_key(username), "address": address, "reason": reason,
                        "wait_seconds": wait_seconds})
    db.session.commit()


def clear(username: str) -> None:
    """A successful login: the username's failures are forgotten (the caller commits)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.username == throttle_key(username)))
