"""Undo and redo of annotation work, per user and article (docs/architecture.md, "Undo and redo").

Every entity or link change (tag, accept a suggestion, delete, relabel, "looks right", link, unlink,
reject a suggestion) writes an `AnnotationAction` row in the same transaction as the change
(`record_action`): the user, the article and paragraph, the kind of action and a payload with what it
takes to invert it. The user's actions in an article are a stack: `undo` inverts the newest one not
undone and marks it `undone_at`; `redo` applies again the oldest undone one (the last undone) and clears
the mark; a new action deletes the user's undone rows in that article (the redo stack).

Undo and redo take the paragraph lock (`paragraph_lock.lock_for_change`: the actor's right, the article's
state) and refuse (Conflict, 409, with the reason, changing nothing):
- nothing to undo or redo;
- the paragraph is approved (reopen it first);
- another user has since changed what the action touched (their action names them);
- what the action touched is no longer as it left it (the English was edited, the entity was deleted).

Two requests at once never undo the same action: under the lock the newest action is read again (`FOR
UPDATE` on PostgreSQL; SQLite's write lock is database-wide), and it is marked by a conditional UPDATE
(`undone_at IS NULL`) whose row count must be one.

An entity brought back (undoing a delete or a create's undo) gets its old id when that id is free, else a
new one, which every stored action of the paragraph then names instead (`same_id` in the answer); its
links come back where the other entity still exists.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import CursorResult

from ..database import inserted_id
from ..extensions import db
from ..models import AnnotationAction, Entity, EntityLink, Label, SuggestionRejection, User, utcnow
from . import Conflict
from .audit import record_event
from .layers import entity_in
from .paragraph_lock import LockedState, lock_for_change
from .paragraph_qa import refresh_qa

ENTITY_ACTIONS = ("entity.create", "suggestion.accept")
VERBS = {
    "entity.create": "tagging", "suggestion.accept": "accepting the suggestion", "entity.delete": "deleting",
    "entity.relabel": "relabelling", "entity.looks_right": '"looks right" on', "link.create": "linking",
    "link.delete": "unlinking", "suggestion.reject": "rejecting the suggestion",
}


class NothingToUndo(Conflict):
    code = "nothing_to_undo"


class NothingToRedo(Conflict):
    code = "nothing_to_redo"


class CannotUndo(Conflict):
    """The action cannot be inverted now: an approved paragraph, another user's later change, a changed text."""

    code = "cannot_undo"


# --- recording ------------------------------------------------------------------------------------------

def entity_payload(entity: Entity | Any) -> dict:
    return {"id": entity.id, "lang": entity.lang, "translation_id": entity.translation_id, "start": entity.start,
            "end": entity.end, "label_id": entity.label_id, "text": entity.text, "flagged": bool(entity.flagged),
            "author_id": entity.author_id}


_CLEAR_REDO = delete(AnnotationAction).where(
    AnnotationAction.user_id == bindparam("user_id"), AnnotationAction.article_id == bindparam("article_id"),
    AnnotationAction.undone_at.is_not(None))
_INSERT_ACTION = insert(AnnotationAction)


def record_action(actor: User, article_id: int, paragraph_id: int, action: str, payload: dict) -> None:
    """Put an action on the actor's undo stack of the article (in the caller's transaction), clearing its redo."""
    connection = db.session.connection()
    connection.execute(_CLEAR_REDO, {"user_id": actor.id, "article_id": article_id})
    connection.execute(_INSERT_ACTION, {"user_id": actor.id, "article_id": article_id, "paragraph_id": paragraph_id,
                                        "action": action, "payload": payload, "undone_at": None,
                                        "created_at": utcnow()})


# --- undo and redo --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    direction: str  # "undo" | "redo"
    action: str
    paragraph_id: int
    entity_id: int | None
    message: str
    same_id: bool | None  # an entity brought back: under its old id?

    def as_dict(self) -> dict:
        answer: dict = {"action": self.action, "paragraph_id": self.paragraph_id, "message": self.message}
        if self.entity_id is not None:
            answer["entity_id"] = self.entity_id
        if self.same_id is not None:
            answer["same_id"] = self.same_id
        return answer


def _newest(undone: bool):
    stack = select(AnnotationAction).where(AnnotationAction.user_id == bindparam("user_id"),
                                           AnnotationAction.article_id == bindparam("article_id"))
    if undone:  # the redo stack: the last undone is the oldest of the undone ones
        return stack.where(AnnotationAction.undone_at.is_not(None)).order_by(AnnotationAction.id).limit(1)
    return stack.where(AnnotationAction.undone_at.is_(None)).order_by(AnnotationAction.id.desc()).limit(1)


_NEWEST_DONE, _NEWEST_UNDONE = _newest(False), _newest(True)


def undo(article_id: int, *, actor: User) -> Outcome:
    """Invert the actor's newest annotation action in the article (committed)."""
    return _step(article_id, actor, "undo")


def redo(article_id: int, *, actor: User) -> Outcome:
    """Apply again the actor's last undone annotation action in the article (committed)."""
    return _step(article_id, actor, "redo")


def stack_sizes(article_id: int, actor: User) -> dict:
    """How many actions the actor can undo and redo in the article: {"undo": n, "redo": m}."""
    rows = db.session.execute(
        select(AnnotationAction.undone_at.is_(None), db.func.count())
        .where(AnnotationAction.user_id == actor.id, AnnotationAction.article_id == article_id)
        .group_by(AnnotationAction.undone_at.is_(None))).all()
    counts = {bool(done): count for done, count in rows}
    return {"undo": counts.get(True, 0), "redo": counts.get(False, 0)}


def _step(article_id: int, actor: User, direction: str) -> Outcome:
    statement = _NEWEST_DONE if direction == "undo" else _NEWEST_UNDONE
    values = {"user_id": actor.id, "article_id": article_id}
    for _ in range(5):  # another request of the same user may move the stack between the read and the lock
        candidate = db.session.execute(statement, values).scalars().first()
        if candidate is None:
            db.session.rollback()
            raise (NothingToUndo("Nothing to undo in this article.") if direction == "undo"
                   else NothingToRedo("Nothing to redo in this article."))
        candidate_id, paragraph_id = candidate.id, candidate.paragraph_id
        db.session.expunge(candidate)
        state = lock_for_change(paragraph_id, actor)
        action = db.session.execute(statement.with_for_update(), values).scalars().first()
        if action is None or action.id != candidate_id:
            db.session.rollback()
            continue
        if state.status == "approved":
            db.session.rollback()
            raise CannotUndo(f"This paragraph is approved: reopen it to {direction} "
                             f"{VERBS[action.action]} {_describe(action.payload)}.")
        if state.layer is None:  # in a layer (services/layers.py) no one else changes anything
            _refuse_if_others_changed(action, actor, direction)
        mark = update(AnnotationAction).where(AnnotationAction.id == action.id)
        mark = (mark.where(AnnotationAction.undone_at.is_(None)).values(undone_at=utcnow()) if direction == "undo"
                else mark.where(AnnotationAction.undone_at.is_not(None)).values(undone_at=None))
        if cast(CursorResult, db.session.execute(mark, execution_options={"synchronize_session": False})).rowcount != 1:
            db.session.rollback()
            continue
        payload = dict(action.payload)
        outcome = _apply(action, payload, state, direction)
        record_event(actor, f"annotation.{direction}", "paragraph", paragraph_id,
                     after={"action_id": action.id, "action": action.action, "payload": payload,
                            "same_id": outcome.same_id})
        refresh_qa(paragraph_id, (state.ar, state.current_text, state.current_revision_id, state.machine_text),
                   layer=state.layer)
        db.session.commit()
        return outcome
    raise Conflict(f"Your annotation history in this article kept changing; try to {direction} again.")


def _describe(payload: dict) -> str:
    entity = payload.get("entity")
    if entity:
        return f"«{entity['text']}»"
    if "ar_text" in payload:
        return f"«{payload['ar_text']}» → «{payload['en_text']}»"
    if "text" in payload:
        return f"«{payload['text']}»"
    return "this entity"


def _entity_ids(action: str, payload: dict) -> set[int]:
    ids: set[int] = set()
    if payload.get("entity"):
        ids.add(payload["entity"]["id"])
    if payload.get("entity_id") is not None:
        ids.add(payload["entity_id"])
    for key in ("ar", "en"):
        if payload.get(key) is not None:
            ids.add(payload[key])
    return ids


def _span_key(payload: dict) -> tuple | None:
    if "label_id" in payload and "lang" in payload and "entity" not in payload:
        return payload["lang"], payload["start"], payload["end"], payload["label_id"]
    return None


def _refuse_if_others_changed(action: AnnotationAction, actor: User, direction: str) -> None:
    later = db.session.execute(
        select(AnnotationAction.action, AnnotationAction.payload, User.display_name, User.username)
        .join(User, User.id == AnnotationAction.user_id)
        .where(AnnotationAction.paragraph_id == action.paragraph_id, AnnotationAction.id > action.id,
               AnnotationAction.user_id != actor.id, AnnotationAction.undone_at.is_(None))
        .order_by(AnnotationAction.id)).all()
    mine, span = _entity_ids(action.action, action.payload), _span_key(action.payload)
    for kind, payload, display_name, username in later:
        if mine & _entity_ids(kind, payload) or (span is not None and span == _span_key(payload)):
            db.session.rollback()
            raise CannotUndo(f"{display_name or username} has since changed this ({VERBS[kind]} "
                             f"{_describe(payload)}): Mizan does not {direction} over another user's work.")


def _changed(what: str) -> CannotUndo:
    db.session.rollback()
    return CannotUndo(f"{what} is no longer as you left it; it cannot be changed back.")


def _apply(action: AnnotationAction, payload: dict, state: LockedState, direction: str) -> Outcome:
    kind = action.action
    entity_id: int | None = None
    same_id: bool | None = None
    forward = direction == "redo"
    if kind in ENTITY_ACTIONS or kind == "entity.delete":
        bring_back = forward if kind in ENTITY_ACTIONS else not forward
        if bring_back:
            entity_id, same_id = _restore_entity(action, payload, state)
        else:
            entity_id = _remove_entity(payload, state)
    elif kind in ("entity.relabel", "entity.looks_right"):
        entity = _current_entity(payload["entity_id"], action.paragraph_id, state)
        entity_id = entity.id
        if kind == "entity.relabel":
            want, have = (payload["after"], payload["before"]) if forward else (payload["before"], payload["after"])
            if entity.label_id != have:
                raise _changed(f"The label of «{entity.text}»")
            if db.session.scalar(select(Entity.id).where(
                    Entity.paragraph_id == entity.paragraph_id, Entity.lang == entity.lang, Entity.id != entity.id,
                    entity_in(state.layer),
                    Entity.translation_id.is_(None) if entity.translation_id is None
                    else Entity.translation_id == entity.translation_id,
                    Entity.start == entity.start, Entity.end == entity.end, Entity.label_id == want)) is not None:
                db.session.rollback()
                raise CannotUndo(f"«{entity.text}» is tagged with that label already.")
            entity.label_id = want
        else:
            if bool(entity.flagged) != forward:
                raise _changed(f"The check flag of «{entity.text}»")
            entity.flagged = not forward
        db.session.flush()
    elif kind in ("link.create", "link.delete"):
        _current_entity(payload["ar"], action.paragraph_id, state)
        _current_entity(payload["en"], action.paragraph_id, state)
        if (kind == "link.create") == forward:
            _insert_link(payload["ar"], payload["en"], action.user_id)
        else:
            removed = cast(CursorResult, db.session.execute(delete(EntityLink).where(
                EntityLink.ar_entity_id == payload["ar"], EntityLink.en_entity_id == payload["en"]))).rowcount
            if not removed:
                raise _changed("The link")
    elif kind == "suggestion.reject":
        where = (SuggestionRejection.paragraph_id == action.paragraph_id, SuggestionRejection.lang == payload["lang"],
                 SuggestionRejection.start == payload["start"], SuggestionRejection.end == payload["end"],
                 SuggestionRejection.label_id == payload["label_id"], entity_in(state.layer, SuggestionRejection))
        exists = db.session.scalar(select(SuggestionRejection.id).where(*where))
        if forward and exists is None:
            db.session.add(SuggestionRejection(paragraph_id=action.paragraph_id, lang=payload["lang"],
                                               start=payload["start"], end=payload["end"],
                                               label_id=payload["label_id"], text=payload["text"],
                                               user_id=action.user_id, layer_user_id=state.layer))
        elif not forward:
            db.session.execute(delete(SuggestionRejection).where(*where))
        db.session.flush()
    db.session.execute(update(AnnotationAction).where(AnnotationAction.id == action.id).values(payload=payload),
                       execution_options={"synchronize_session": False})
    done = "Undid" if direction == "undo" else "Redid"
    message = f"{done} {VERBS[kind]} {_describe(payload)}"
    if same_id is False:
        message += f" (it is back under a new id, {entity_id})"
    return Outcome(direction, kind, action.paragraph_id, entity_id, message + ".", same_id)


def _current_entity(entity_id: int, paragraph_id: int, state: LockedState) -> Entity:
    entity = db.session.get(Entity, entity_id)
    if entity is None or entity.paragraph_id != paragraph_id or entity.layer_user_id != state.layer:
        raise _changed("This entity")
    if entity.lang == "en" and entity.translation_id != state.current_revision_id:
        raise _changed(f"The English around «{entity.text}» was edited since:")
    return entity


def _remove_entity(payload: dict, state: LockedState) -> int:
    stored = payload["entity"]
    entity = db.session.get(Entity, stored["id"])
    if entity is None or entity.layer_user_id != state.layer or (entity.lang, entity.start, entity.end, entity.text) != (
            stored["lang"], stored["start"], stored["end"], stored["text"]):
        raise _changed(f"«{stored['text']}»")
    if entity.lang == "en" and entity.translation_id != state.current_revision_id:
        raise _changed(f"The English around «{stored['text']}» was edited since:")
    payload["entity"] = entity_payload(entity)
    payload["links"] = [{"ar": ar, "en": en, "author_id": author} for ar, en, author in db.session.execute(
        select(EntityLink.ar_entity_id, EntityLink.en_entity_id, EntityLink.author_id)
        .where((EntityLink.ar_entity_id == entity.id) | (EntityLink.en_entity_id == entity.id))).all()]
    db.session.expunge(entity)
    db.session.execute(delete(Entity).where(Entity.id == stored["id"]))  # its links go with it (CASCADE)
    return stored["id"]


def _restore_entity(action: AnnotationAction, payload: dict, state: LockedState) -> tuple[int, bool]:
    stored = payload["entity"]
    if stored["lang"] == "en" and stored["translation_id"] != state.current_revision_id:
        raise _changed(f"The English around «{stored['text']}» was edited since:")
    side = state.ar if stored["lang"] == "ar" else (state.current_text or "")
    if side[stored["start"]:stored["end"]] != stored["text"]:
        raise _changed(f"The text of «{stored['text']}»")
    label_retired = db.session.scalar(select(Label.retired).where(Label.id == stored["label_id"]))
    if label_retired is None:
        raise _changed(f"The label of «{stored['text']}»")
    duplicate = db.session.scalar(select(Entity.id).where(
        Entity.paragraph_id == action.paragraph_id, Entity.lang == stored["lang"], entity_in(state.layer),
        Entity.translation_id.is_(None) if stored["translation_id"] is None
        else Entity.translation_id == stored["translation_id"],
        Entity.start == stored["start"], Entity.end == stored["end"], Entity.label_id == stored["label_id"]))
    if duplicate is not None:
        db.session.rollback()
        raise CannotUndo(f"«{stored['text']}» is tagged with that label again already.")
    old_id = stored["id"]
    same_id = db.session.get(Entity, old_id) is None
    values = {"paragraph_id": action.paragraph_id, "lang": stored["lang"], "translation_id": stored["translation_id"],
              "start": stored["start"], "end": stored["end"], "label_id": stored["label_id"], "text": stored["text"],
              "flagged": stored["flagged"], "author_id": stored["author_id"], "created_at": utcnow(),
              "layer_user_id": state.layer}
    if same_id:
        values["id"] = old_id
    new_id = inserted_id(db.session.connection().execute(insert(Entity).values(**values)))
    if not same_id:
        # The actions that name the old id are those written before it was removed: by the delete undone
        # now, or when the create redone now was undone (a later entity may have taken the id since).
        removed_at = action.created_at if action.action == "entity.delete" else action.undone_at
        _rename_entity(action.paragraph_id, old_id, new_id, payload, removed_at)
    for link in payload.get("links") or []:
        ar, en = (new_id if link["ar"] == old_id else link["ar"]), (new_id if link["en"] == old_id else link["en"])
        if db.session.get(Entity, ar if ar != new_id else en) is not None:
            _insert_link(ar, en, link.get("author_id"))
    payload.pop("links", None)
    return new_id, same_id


def _insert_link(ar: int, en: int, author_id: int | None) -> None:
    exists = db.session.scalar(select(EntityLink.id).where(EntityLink.ar_entity_id == ar,
                                                           EntityLink.en_entity_id == en))
    if exists is None:
        db.session.add(EntityLink(ar_entity_id=ar, en_entity_id=en, author_id=author_id))
        db.session.flush()


def _renamed(value: Any, old_id: int, new_id: int) -> Any:
    if isinstance(value, dict):
        return {key: (new_id if key in ("id", "entity_id", "ar", "en") and item == old_id
                      else _renamed(item, old_id, new_id)) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed(item, old_id, new_id) for item in value]
    return value


def _rename_entity(paragraph_id: int, old_id: int, new_id: int, payload: dict, removed_at) -> None:
    """The stored actions of the paragraph written before the entity was removed name it by its new id."""
    payload.update(_renamed(payload, old_id, new_id))
    for action_id, stored in db.session.execute(
            select(AnnotationAction.id, AnnotationAction.payload)
            .where(AnnotationAction.paragraph_id == paragraph_id,
                   AnnotationAction.created_at <= (removed_at or utcnow()))).all():
        renamed = _renamed(stored, old_id, new_id)
        if renamed != stored:
            db.session.execute(update(AnnotationAction).where(AnnotationAction.id == action_id)
                               .values(payload=renamed), execution_options={"synchronize_session": False})


__all__ = ["CannotUndo", "NothingToRedo", "NothingToUndo", "Outcome", "entity_payload", "record_action", "redo",
           "stack_sizes", "undo"]
