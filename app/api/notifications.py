"""API routes for one's own notifications (services/notifications.py): the list and marking them read."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_smorest import abort

from ..services import notifications as notification_service
from . import bp
from .schemas import NotificationArgsSchema, NotificationListSchema, NotificationReadSchema, UnreadSchema


@bp.route("/notifications", methods=["GET"])
@bp.arguments(NotificationArgsSchema, location="query")
@bp.response(200, NotificationListSchema)
def list_notifications(args: dict):
    """Your notifications, newest first (`limit`, and `before` an id for the next page), and how many are unread.
    Only notifications about articles you may still see."""
    listed = notification_service.list_for(current_user, limit=args["limit"], before=args["before"],
                                           unread_only=args["unread"])
    return {"notifications": [vars(item) for item in listed],
            "unread": notification_service.unread_count(current_user)}


@bp.route("/notifications/read", methods=["POST"])
@bp.arguments(NotificationReadSchema)
@bp.response(200, UnreadSchema)
def mark_notifications_read(payload: dict):
    """Mark notifications read: `{"ids": [...]}` (yours; any other id is ignored) or `{"all": true}`
    (every one, whatever ids come with it); with neither, nothing is marked. Answers the unread count after."""
    if not request.is_json or not request.get_data(cache=True).strip():
        abort(422, message='Send a JSON body: {"ids": [...]} or {"all": true}.')
    unread = notification_service.mark_read(current_user, payload.get("ids"), everything=bool(payload.get("all")))
    return {"unread": unread}
