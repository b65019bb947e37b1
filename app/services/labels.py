"""The label set for entities: names, colours and hotkeys, managed by admins.

A label in use cannot be deleted, only retired: retired labels stay on the
entities that carry them (and in exports) but are not offered for new tags.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database import is_unique_violation
from ..extensions import db
from ..models import Entity, GlossaryTerm, Label, SuggestionRejection, User
from . import Forbidden, NotFound, ServiceError
from . import user_text
from .audit import record_event

NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Keys the workspace already uses; a label hotkey must not shadow them.
RESERVED_HOTKEYS = set("jkeam?tTis")  # i, s: the translation memory (static/memory/)


class LabelError(ServiceError):
    pass


def list_labels(*, include_retired: bool = True) -> list[Label]:
    query = select(Label).order_by(Label.position, Label.id)
    if not include_retired:
        query = query.where(Label.retired.is_(False))
    return list(db.session.scalars(query))


def usage_counts() -> dict[int, int]:
    return dict(db.session.execute(select(Entity.label_id, func.count()).group_by(Entity.label_id)).all())


def _check(name: str, colour: str, hotkey: str | None, *, label_id: int | None = None) -> tuple[str, str, str | None]:
    if (refused := user_text.refusal(name or "", user_text.NAME)) is not None:
        raise LabelError(f"The label name {refused}.")
    name = (name or "").strip().upper()
    if not NAME.match(name):
        raise LabelError("A label name is 1 to 32 capital letters, digits or _, starting with a letter (e.g. PER, GPE).")
    colour = (colour or "").strip()
    if not COLOUR.match(colour):
        raise LabelError("The colour must look like #1f77b4.")
    hotkey = (hotkey or "").strip() or None
    if hotkey is not None:
        if len(hotkey) != 1 or not hotkey.isalnum():
            raise LabelError("A hotkey is one letter or digit.")
        if hotkey in RESERVED_HOTKEYS:
            raise LabelError(f"{hotkey!r} is already a workspace key ({', '.join(sorted(RESERVED_HOTKEYS))}).")
    for other in list_labels():
        if other.id == label_id:
            continue
        if other.name == name:
            raise LabelError(f"There is already a label {name}.")
        if hotkey is not None and other.hotkey == hotkey and not other.retired:
            raise LabelError(f"{other.name} already uses the hotkey {hotkey!r}.")
    return name, colour.lower(), hotkey


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise Forbidden("Only admins manage labels.")


def create_label(name: str, colour: str, hotkey: str | None, *, actor: User | None) -> Label:
    _require_admin(actor)
    name, colour, hotkey = _check(name, colour, hotkey)
    position = (db.session.scalar(select(func.max(Label.position))) or 0) + 1
    label = Label(name=name, colour=colour, hotkey=hotkey, position=position)
    db.session.add(label)
    try:
        db.session.flush()
    except IntegrityError as error:  # a label of that name created by someone else since the check
        db.session.rollback()
        if is_unique_violation(error):
            raise LabelError(f"There is already a label {name}.") from None
        raise
    record_event(actor, "label.create", "label", label.id, after={"name": name, "colour": colour, "hotkey": hotkey})
    db.session.commit()
    return label


def update_label(label_id: int, name: str, colour: str, hotkey: str | None, *, actor: User | None) -> Label:
    _require_admin(actor)
    label = _get(label_id)
    name, colour, hotkey = _check(name, colour, hotkey, label_id=label.id)
    before = {"name": label.name, "colour": label.colour, "hotkey": label.hotkey}
    label.name, label.colour, label.hotkey = name, colour, hotkey
    record_event(actor, "label.update", "label", label.id, before=before,
                 after={"name": name, "colour": colour, "hotkey": hotkey})
    db.session.commit()
    return label


def set_retired(label_id: int, retired: bool, *, actor: User | None) -> Label:
    _require_admin(actor)
    label = _get(label_id)
    if label.retired != retired:
        label.retired = retired
        record_event(actor, "label.retire" if retired else "label.restore", "label", label.id)
        db.session.commit()
    return label


def delete_label(label_id: int, *, actor: User | None) -> None:
    """Delete a label no entity, glossary term or rejection uses; otherwise retire it instead."""
    _require_admin(actor)
    label = _get(label_id)
    used = usage_counts().get(label.id, 0)
    if used:
        raise LabelError(f"{label.name} is used by {used} entit{'ies' if used != 1 else 'y'}: retire it instead.")
    if db.session.scalar(select(func.count()).select_from(GlossaryTerm).where(GlossaryTerm.label_id == label.id)):
        raise LabelError(f"{label.name} is used by glossary terms: retire it instead.")
    db.session.execute(SuggestionRejection.__table__.delete().where(SuggestionRejection.label_id == label.id))
    record_event(actor, "label.delete", "label", label.id, before={"name": label.name})
    db.session.delete(label)
    db.session.commit()


def _get(label_id: int) -> Label:
    label = db.session.get(Label, label_id)
    if label is None:
        raise NotFound(f"Label {label_id} not found.")
    return label
