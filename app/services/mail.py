"""Notification e-mail (docs/architecture.md, Notifications), sent by the worker, never by a request.

`MIZAN_SMTP_URL` says where: `smtp://host:port` (plain), `smtp://host:587?starttls=1` (STARTTLS), or
`smtps://host:465` (TLS from the start); `user:password@` before the host logs in (percent-encoded).
`MIZAN_MAIL_FROM` is the sender, `MIZAN_BASE_URL` the address the links in a mail start with.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Article, Notification, User

SMTP_TIMEOUT = 30  # seconds, for each step of a conversation with the server
TRUE = ("1", "true", "yes", "on")

SUBJECTS = {
    "assigned": "You were assigned an article",
    "submitted": "An article was submitted for approval",
    "changes_requested": "Changes were requested on your article",
    "approved": "Your article was approved",
    "mention": "You were mentioned in a comment",
}
SENTENCES = {
    "assigned": "{actor} assigned you to review this article.",
    "submitted": "{actor} submitted this article for approval.",
    "changes_requested": "{actor} sent this article back to you with changes to make.",
    "approved": "{actor} approved this article.",
    "mention": "{actor} mentioned you in a comment on this article.",
}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> "SmtpSettings":
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("MIZAN_SMTP_URL must look like smtp://host:port or smtps://host:port")
        query = parse_qs(parts.query)
        use_ssl = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if use_ssl else 25), ssl=use_ssl,
                   starttls=query.get("starttls", ["0"])[0].lower() in TRUE,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


def messages_for(ids: list[int], *, sender: str, base_url: str) -> list[EmailMessage]:
    """One plain-text mail per notification whose recipient has an e-mail address."""
    actor = aliased(User)
    rows = db.session.execute(
        select(Notification.kind, Notification.article_id, Notification.comment_id, User.email, User.display_name,
               Article.title, actor.display_name, actor.username)
        .join(User, User.id == Notification.user_id).join(Article, Article.id == Notification.article_id)
        .outerjoin(actor, actor.id == Notification.actor_id)
        .where(Notification.id.in_(ids), User.email.is_not(None), User.active.is_(True))
        .order_by(Notification.id)
    )
    messages = []
    for kind, article_id, comment_id, email, name, title, actor_name, actor_username in rows:
        link = f"{base_url.rstrip('/')}/articles/{article_id}" + ("#comments" if comment_id else "")
        who = actor_name or actor_username or "Mizan"
        message = EmailMessage()
        message["Subject"] = f"Mizan: {SUBJECTS[kind]}"
        message["From"] = sender
        message["To"] = email
        message.set_content(
            f"Hello {name or ''},\n\n{SENTENCES[kind].format(actor=who)}\n\n{title}\n{link}\n\n"
            "-- \nMizan. You get this mail because notifications are e-mailed to your address.\n")
        messages.append(message)
    return messages


def send(messages: list[EmailMessage], settings: SmtpSettings) -> None:
    """Send the messages over one connection."""
    if not messages:
        return
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.ssl:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    with smtp:
        if settings.starttls:
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        for message in messages:
            smtp.send_message(message)
