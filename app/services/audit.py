"""Writing audit events. The caller's transaction commits them with the change they describe."""
from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditEvent, User


def record_event(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    *,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
