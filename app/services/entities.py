"""Named entities on both sides of a paragraph, and the links between them.

Offsets are Python `str` indices over the NFC text, end exclusive: Arabic
spans index the paragraph's `ar`, English spans the text of one translation
revision (the current one when they are made). Clients that count UTF-16 code
units, like JavaScript, may send `unit="utf16"`: the offsets are converted
here, and a span that would cut a surrogate pair is refused.

Tagging never changes the paragraph's `version` (which guards its text), but
it takes the same write lock and rights check as a save. When the English is
edited, `carry_entities` moves each English span to the new revision through
a character diff; see its docstring for the rules.
"""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence, cast

from sqlalchemy import and_, bindparam, delete, insert, or_, select
from sqlalchemy.engine import CursorResult

from ..database import inserted_id
from ..extensions import db
from ..models import Entity, EntityLink, Label, Paragraph, User, utcnow
from . import Conflict, NotFound, ServiceError
from .layers import LineColumns, entity_in
from .paragraph_lock import LockedState, lock_for_change
from .paragraph_qa import refresh_qa
from .rows import plain_rows
from .undo import entity_payload, record_action

LANGS = ("ar", "en")


class InvalidSpan(ServiceError):
    """Offsets, label or language that cannot make an entity (HTTP 422)."""


class DuplicateEntity(Conflict):
    """The same span with the same label exists already (HTTP 409)."""


class ParagraphApproved(Conflict):
    """Entities and links are part of what the reviewer approved: they change only after a reopening."""

    def __init__(self) -> None:
        super().__init__("This paragraph is approved: reopen it to change its entities or links.")


def _refuse_if_approved(state: LockedState) -> None:
    if state.status == "approved":
        db.session.rollback()
        raise ParagraphApproved()


class StaleRevision(Conflict):
    """The English changed since the client read it (HTTP 409)."""

    def __init__(self, current_revision_id: int | None):
        super().__init__(
            "The English of this paragraph was saved again since you selected the text; "
            "reload it and tag again."
        )
        self.current_revision_id = current_revision_id


@dataclass(frozen=True)
class EntityView:
    id: int
    lang: str
    start: int
    end: int
    label: str
    text: str
    flagged: bool

    def as_dict(self) -> dict:
        return {"id": self.id, "lang": self.lang, "start": self.start, "end": self.end, "label": self.label,
                "text": self.text, "flagged": self.flagged}


def utf16_to_str_index(text: str, offset: int) -> int:
    """The Python index of a UTF-16 offset into `text`; InvalidSpan if it falls inside a surrogate pair."""
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            raise InvalidSpan(f"Offset {offset} (UTF-16) cuts a character outside the BMP ({char!r}) in two.")
    if units == offset:
        return len(text)
    raise InvalidSpan(f"Offset {offset} (UTF-16) is beyond the end of the text ({units} UTF-16 units).")


def check_span(text: str, start: object, end: object) -> str:
    """The span's text if [start, end) is a valid entity span of `text`; InvalidSpan with the reason otherwise."""
    start, end = _integers(start, end)
    if start < 0 or end > len(text):
        raise InvalidSpan(f"The span [{start}, {end}) lies outside the text (0 to {len(text)}).")
    if end <= start:
        raise InvalidSpan(f"The span [{start}, {end}) is empty or reversed: end must be greater than start.")
    surface = text[start:end]
    if _is_surrogate(surface[0]) or _is_surrogate(surface[-1]):
        raise InvalidSpan("The span cuts a surrogate pair.")
    if _is_mark(text[start]):
        raise InvalidSpan(f"The span starts with a combining mark ({_name(text[start])}) cut from its letter.")
    if end < len(text) and _is_mark(text[end]):
        raise InvalidSpan(f"The span ends between a letter and its combining mark ({_name(text[end])}).")
    if surface != surface.strip():
        raise InvalidSpan("The span starts or ends with white space; select the words only.")
    return surface


def _integers(start: object, end: object) -> tuple[int, int]:
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise InvalidSpan("start and end must be integers.")
    return start, end


def _is_surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me", "Mc")


def _name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


_ACTIVE_LABEL = select(Label.id).where(Label.name == bindparam("name"), Label.retired.is_(False))


def _active_label(name: object) -> tuple[int, str]:
    """The id and name of the label that is not retired called `name`; InvalidSpan otherwise."""
    if isinstance(name, str):
        label_id = db.session.scalar(_ACTIVE_LABEL, {"name": name})
        if label_id is not None:
            return label_id, name
    known = db.session.scalars(select(Label.name).where(Label.retired.is_(False)).order_by(Label.position)).all()
    raise InvalidSpan(f"Unknown label {name!r}; use one of: {', '.join(known)}.")


def _side_text(lang: str, state: LockedState) -> str:
    if lang == "en":
        if state.current_text is None:
            raise InvalidSpan("This paragraph has no English yet to tag.")
        return state.current_text
    return state.ar


def create_entity(
    paragraph_id: int, lang: object, start: object, end: object, label: object, *, actor: User,
    revision_id: int | None = None, unit: str = "str", suggestion: bool = False,
) -> EntityView:
    """Tag [start, end) of one side of a paragraph with a label.

    English entities belong to the current revision; `revision_id`, when
    given, must still be current (StaleRevision otherwise). `suggestion`: the
    reviewer accepted a suggestion (so it is undone as such, services/undo.py).
    """
    if lang not in LANGS:
        raise InvalidSpan("lang must be 'ar' or 'en'.")
    state = lock_for_change(paragraph_id, actor)
    _refuse_if_approved(state)
    try:
        if lang == "en" and revision_id is not None and revision_id != state.current_revision_id:
            raise StaleRevision(state.current_revision_id)
        text = _side_text(lang, state)
        start, end = _utf16_span(text, start, end) if unit == "utf16" else _integers(start, end)
        surface = check_span(text, start, end)
        label_id, label = _active_label(label)
        translation_id = state.current_revision_id if lang == "en" else None
        if _duplicate_exists(paragraph_id, lang, translation_id, start, end, label_id, layer=state.layer):
            raise DuplicateEntity(f"{surface!r} is already tagged {label} here.")
    except ServiceError:
        db.session.rollback()
        raise
    entity_id = inserted_id(db.session.connection().execute(_INSERT_ENTITY, {
        "paragraph_id": paragraph_id, "lang": lang, "translation_id": translation_id, "start": start, "end": end,
        "label_id": label_id, "text": surface, "flagged": False, "author_id": actor.id, "created_at": utcnow(),
        "layer_user_id": state.layer,
    }))
    record_action(actor, state.article_id, paragraph_id, "suggestion.accept" if suggestion else "entity.create",
                  {"entity": {"id": entity_id, "lang": lang, "translation_id": translation_id, "start": start,
                              "end": end, "label_id": label_id, "text": surface, "flagged": False,
                              "author_id": actor.id}})
    refresh_qa(paragraph_id, (state.ar, state.current_text, state.current_revision_id, state.machine_text),
               layer=state.layer)
    db.session.commit()
    return EntityView(entity_id, lang, start, end, label, surface, False)


def _utf16_span(text: str, start: object, end: object) -> tuple[int, int]:
    if not isinstance(start, int) or not isinstance(end, int):
        raise InvalidSpan("start and end must be integers.")
    if start < 0 or end < 0:
        raise InvalidSpan(f"The span [{start}, {end}) lies outside the text.")
    return utf16_to_str_index(text, start), utf16_to_str_index(text, end)


_INSERT_ENTITY = insert(Entity)
_SAME_SPAN = (Entity.paragraph_id == bindparam("paragraph_id"), Entity.lang == bindparam("lang"),
              Entity.start == bindparam("start"), Entity.end == bindparam("end"),
              Entity.label_id == bindparam("label_id"), Entity.id != bindparam("except_id"))
_DUPLICATE_ON_REVISION = select(Entity.id).where(*_SAME_SPAN, Entity.translation_id == bindparam("translation_id")).limit(1)
_DUPLICATE_ARABIC = select(Entity.id).where(*_SAME_SPAN, Entity.translation_id.is_(None)).limit(1)
# Each line (services/layers.py) has its own entities: a duplicate is one of the same line.
_DUPLICATES = {
    (arabic, layered): statement.where(Entity.layer_user_id == bindparam("layer") if layered
                                       else Entity.layer_user_id.is_(None))
    for arabic, statement in ((True, _DUPLICATE_ARABIC), (False, _DUPLICATE_ON_REVISION)) for layered in (True, False)
}


def _duplicate_exists(paragraph_id, lang, translation_id, start, end, label_id, *, except_id: int | None = None,
                      layer: int | None = None) -> bool:
    values = {"paragraph_id": paragraph_id, "lang": lang, "start": start, "end": end, "label_id": label_id,
              "except_id": except_id or 0, "translation_id": translation_id, "layer": layer}
    statement = _DUPLICATES[(translation_id is None, layer is not None)]
    return db.session.connection().execute(statement, values).first() is not None


_ENTITY_PARAGRAPH = select(Entity.paragraph_id).where(Entity.id == bindparam("entity_id"))


def _entity_for_change(entity_id: int, actor: User) -> tuple[Entity, LockedState]:
    """The entity, under the write lock, if the actor may change its paragraph and it is on the current text."""
    paragraph_id = db.session.connection().execute(_ENTITY_PARAGRAPH, {"entity_id": entity_id}).scalar()
    if paragraph_id is None:
        raise NotFound(f"Entity {entity_id} not found.")
    state = lock_for_change(paragraph_id, actor)
    _refuse_if_approved(state)
    entity = db.session.get(Entity, entity_id)
    if entity is None or entity.layer_user_id != state.layer:  # another annotator's entity is not there for you
        db.session.rollback()
        raise NotFound(f"Entity {entity_id} not found.")
    if entity.lang == "en" and entity.translation_id != state.current_revision_id:
        db.session.rollback()
        raise StaleRevision(state.current_revision_id)
    return entity, state


def update_entity(entity_id: int, *, actor: User, label: object = None, flagged: object = None) -> EntityView:
    """Relabel an entity, or clear its "check" flag once the reviewer has looked at it."""
    entity, state = _entity_for_change(entity_id, actor)
    try:
        if label is not None:
            label_id, label = _active_label(label)
            if _duplicate_exists(entity.paragraph_id, entity.lang, entity.translation_id, entity.start, entity.end,
                                 label_id, except_id=entity.id, layer=state.layer):
                raise DuplicateEntity(f"{entity.text!r} is already tagged {label} here.")
            if entity.label_id != label_id:
                record_action(actor, state.article_id, entity.paragraph_id, "entity.relabel",
                              {"entity_id": entity.id, "text": entity.text, "before": entity.label_id,
                               "after": label_id})
            entity.label_id = label_id
        if flagged is not None:
            if flagged is not False:
                raise InvalidSpan("flagged can only be cleared (false): Mizan sets it when an edit changes a span.")
            if entity.flagged:
                record_action(actor, state.article_id, entity.paragraph_id, "entity.looks_right",
                              {"entity_id": entity.id, "text": entity.text})
            entity.flagged = False
    except ServiceError:
        db.session.rollback()
        raise
    db.session.flush()
    view = _view(entity)
    db.session.commit()
    return view


_DELETE_ENTITY = delete(Entity).where(Entity.id == bindparam("entity_id"))


def delete_entity(entity_id: int, *, actor: User) -> None:
    entity, state = _entity_for_change(entity_id, actor)
    paragraph_id = entity.paragraph_id
    links = db.session.execute(
        select(EntityLink.ar_entity_id, EntityLink.en_entity_id, EntityLink.author_id)
        .where(or_(EntityLink.ar_entity_id == entity_id, EntityLink.en_entity_id == entity_id))).all()
    record_action(actor, state.article_id, paragraph_id, "entity.delete",
                  {"entity": entity_payload(entity), "links": [{"ar": ar, "en": en, "author_id": author}
                                                               for ar, en, author in links]})
    db.session.expunge(entity)
    # Its links go with it (ON DELETE CASCADE).
    db.session.connection().execute(_DELETE_ENTITY, {"entity_id": entity_id})
    refresh_qa(paragraph_id, (state.ar, state.current_text, state.current_revision_id, state.machine_text),
               layer=state.layer)
    db.session.commit()


def _view(entity: Entity) -> EntityView:
    label = db.session.execute(select(Label.name).where(Label.id == entity.label_id)).scalar_one()
    return EntityView(entity.id, entity.lang, entity.start, entity.end, label, entity.text, entity.flagged)


def _link_pair(ar_entity_id: object, en_entity_id: object, actor: User) -> tuple[Entity, Entity, LockedState]:
    ar_id = _entity_id("ar_entity_id", ar_entity_id)
    en_id = _entity_id("en_entity_id", en_entity_id)
    ar, state = _entity_for_change(ar_id, actor)
    en = db.session.get(Entity, en_id)
    try:
        if en is None or en.paragraph_id != ar.paragraph_id or en.layer_user_id != state.layer:
            raise NotFound(f"Entity {en_entity_id} not found in the same paragraph.")
        if ar.lang != "ar" or en.lang != "en":
            raise InvalidSpan("A link goes from an Arabic entity (ar_entity_id) to an English one (en_entity_id).")
        if en.translation_id != state.current_revision_id:
            raise StaleRevision(state.current_revision_id)
    except ServiceError:
        db.session.rollback()
        raise
    return ar, en, state


def _entity_id(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidSpan(f"{name} must be an integer.")
    return value


@dataclass(frozen=True)
class LinkView:
    id: int
    ar_entity_id: int
    en_entity_id: int

    def as_dict(self) -> dict:
        return {"id": self.id, "ar_entity_id": self.ar_entity_id, "en_entity_id": self.en_entity_id}


def create_link(ar_entity_id: object, en_entity_id: object, *, actor: User) -> LinkView:
    """Link an Arabic entity to (one of) its English renderings."""
    ar, en, state = _link_pair(ar_entity_id, en_entity_id, actor)
    exists = db.session.scalar(
        select(EntityLink.id).where(EntityLink.ar_entity_id == ar.id, EntityLink.en_entity_id == en.id)
    )
    if exists is not None:
        db.session.rollback()
        raise DuplicateEntity(f"{ar.text!r} is already linked to {en.text!r}.")
    link = EntityLink(ar_entity_id=ar.id, en_entity_id=en.id, author_id=actor.id)
    db.session.add(link)
    db.session.flush()
    record_action(actor, state.article_id, ar.paragraph_id, "link.create",
                  {"ar": ar.id, "en": en.id, "ar_text": ar.text, "en_text": en.text})
    refresh_qa(ar.paragraph_id, layer=state.layer)
    db.session.commit()
    return LinkView(link.id, ar.id, en.id)


def delete_link(ar_entity_id: object, en_entity_id: object, *, actor: User) -> None:
    ar, en, state = _link_pair(ar_entity_id, en_entity_id, actor)
    removed = cast(CursorResult, db.session.execute(  # a DELETE's result: Session.execute says only Result
        delete(EntityLink).where(EntityLink.ar_entity_id == ar.id, EntityLink.en_entity_id == en.id)
    )).rowcount
    if not removed:
        db.session.rollback()
        raise NotFound(f"{ar.text!r} is not linked to {en.text!r}.")
    record_action(actor, state.article_id, ar.paragraph_id, "link.delete",
                  {"ar": ar.id, "en": en.id, "ar_text": ar.text, "en_text": en.text})
    refresh_qa(ar.paragraph_id, layer=state.layer)
    db.session.commit()


def _current_entities(layered: bool):
    """The Arabic entities and the current English revision's ones of one line (services/layers.py): the
    ordinary line's, or the layer `:layer`'s (its current revision read through its layer row)."""
    line = LineColumns(-1 if layered else None)  # -1: a placeholder; the statement binds :layer
    statement = (
        select(Entity.id, Entity.paragraph_id, Entity.lang, Entity.start, Entity.end, Label.name, Entity.text,
               Entity.flagged)
        .join(Label, Label.id == Entity.label_id)
        .join(Paragraph, Paragraph.id == Entity.paragraph_id)
    )
    if layered:
        statement = statement.outerjoin(line.row, and_(line.row.paragraph_id == Paragraph.id,
                                                       line.row.user_id == bindparam("layer")))
    return (statement.where(or_(Entity.lang == "ar", Entity.translation_id == line.current_revision_id),
                            Entity.layer_user_id == bindparam("layer") if layered else Entity.layer_user_id.is_(None))
            .order_by(Entity.paragraph_id, Entity.lang, Entity.start, Entity.end, Entity.id))


_CURRENT = {False: _current_entities(False), True: _current_entities(True)}
_LINKS = (
    select(EntityLink.id, EntityLink.ar_entity_id, EntityLink.en_entity_id, Entity.paragraph_id)
    .join(Entity, Entity.id == EntityLink.ar_entity_id).join(Paragraph, Paragraph.id == Entity.paragraph_id)
    .order_by(EntityLink.id)
)


_ARTICLE_ENTITIES = {layered: statement.where(Paragraph.article_id == bindparam("article_id"))
                     for layered, statement in _CURRENT.items()}


def entities_and_links(paragraph_ids: list[int] | None = None, *, article_id: int | None = None,
                       layer: int | None = None) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """Arabic entities and the current revision's English ones, and their links, per paragraph (two queries),
    in one line (services/layers.py): the ordinary line's, or with `layer` that annotator's layer's.

    For some paragraphs, or for every paragraph of `article_id` (one plain query however long the article).
    """
    connection = db.session.connection()  # plain rows: no ORM loading for thousands of entities
    layered = layer is not None
    if article_id is not None:
        where = Paragraph.article_id == article_id
        # Plain rows: an article's thousands of entities skip SQLAlchemy's row objects
        # (a third of the time of the article API).
        entity_rows: Sequence[Sequence[Any]] = plain_rows(connection, _ARTICLE_ENTITIES[layered],
                                                          {"article_id": article_id, "layer": layer})
    elif paragraph_ids:
        where = Paragraph.id.in_(paragraph_ids)
        entity_rows = connection.execute(_CURRENT[layered].where(where), {"layer": layer}).all()
    else:
        return {}, {}
    entities: dict[int, list[dict]] = {}
    current_ids: set[int] = set()
    for entity_id, paragraph_id, lang, start, end, label, text, flagged in entity_rows:
        flagged = bool(flagged)
        current_ids.add(entity_id)
        entities.setdefault(paragraph_id, []).append(
            {"id": entity_id, "lang": lang, "start": start, "end": end, "label": label, "text": text,
             "flagged": flagged}
        )
    links: dict[int, list[dict]] = {}
    if current_ids:
        for link_id, ar_id, en_id, paragraph_id in connection.execute(_LINKS.where(where)).all():
            if ar_id in current_ids and en_id in current_ids:
                links.setdefault(paragraph_id, []).append({"id": link_id, "ar_entity_id": ar_id, "en_entity_id": en_id})
    return entities, links


# Carrying English spans through an edit -------------------------------------------------


@dataclass(frozen=True)
class CarriedSpan:
    start: int
    end: int
    flagged: bool


def carry_span(old: str, new: str, start: int, end: int, opcodes=None) -> CarriedSpan | None:
    """Where the span [start, end) of `old` lies in `new`, by a character diff.

    - Edits only before or after it: the span moves with its text, not
      flagged — unless the edit glued a letter onto it (e.g. "Russia" →
      "Russian"), which flags it.
    - Edits inside it that keep at least half of its characters: the span
      covers the edited text and is flagged "check".
    - Its text deleted, or mostly replaced: None — the span cannot be placed
      without guessing (callers may look for the same words elsewhere).
    """
    if opcodes is None:
        opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    kept = 0
    touched = False
    pieces: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            lo, hi = max(i1, start), min(i2, end)
            if hi > lo:
                kept += hi - lo
                pieces.append((j1 + (lo - i1), j1 + (hi - i1)))
            continue
        inside = (i1 < end and i2 > start) if i2 > i1 else start < i1 < end
        if inside:
            touched = True
            if start <= i1 and i2 <= end and j2 > j1:
                pieces.append((j1, j2))
    if not pieces or kept * 2 < end - start:
        return None
    new_start, new_end = min(p[0] for p in pieces), max(p[1] for p in pieces)
    text = new[new_start:new_end]
    stripped = text.strip()
    if not stripped:
        return None
    new_start += text.index(stripped)
    new_end = new_start + len(stripped)
    glued = _word_char(new, new_start - 1) and not _word_char(old, start - 1) or \
        _word_char(new, new_end) and not _word_char(old, end)
    return CarriedSpan(new_start, new_end, touched or glued)


def _word_char(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or _is_mark(text[index]))


def carry_entities(paragraph_id: int, old_revision_id: int | None, old_text: str | None, new_revision_id: int,
                   new_text: str, *, layer: int | None = None) -> int:
    """Copy the English entities of the old revision onto the new one, with their links; returns how many were lost.

    Spans that cannot be placed by the diff are looked for by their exact text
    in the new English (first occurrence not already taken by the same
    label) and flagged, since they moved; otherwise they stay with the old
    revision only (its history keeps them).
    """
    if old_revision_id is None or old_text is None:
        return 0
    old_entities = db.session.execute(
        select(Entity.id, Entity.start, Entity.end, Entity.label_id, Entity.text, Entity.flagged, Entity.author_id)
        .where(Entity.translation_id == old_revision_id, Entity.lang == "en", entity_in(layer))
        .order_by(Entity.start, Entity.id)
    ).all()
    if not old_entities:
        return 0
    opcodes = difflib.SequenceMatcher(a=old_text, b=new_text, autojunk=False).get_opcodes()
    taken: set[tuple[int, int, int]] = set()
    new_ids: dict[int, int] = {}
    lost = 0
    for old_id, start, end, label_id, text, flagged, author_id in old_entities:
        carried = carry_span(old_text, new_text, start, end, opcodes)
        if carried is None:
            carried = _find_moved(new_text, text, label_id, taken)
        if carried is None or (carried.start, carried.end, label_id) in taken:
            lost += 1
            continue
        taken.add((carried.start, carried.end, label_id))
        new_ids[old_id] = inserted_id(db.session.execute(insert(Entity).values(
            paragraph_id=paragraph_id, lang="en", translation_id=new_revision_id, start=carried.start,
            end=carried.end, label_id=label_id, text=new_text[carried.start:carried.end],
            flagged=flagged or carried.flagged, author_id=author_id, layer_user_id=layer,
        )))
    links = db.session.execute(
        select(EntityLink.ar_entity_id, EntityLink.en_entity_id, EntityLink.author_id)
        .where(EntityLink.en_entity_id.in_(list(new_ids)))
    ).all() if new_ids else []
    for ar_id, en_id, author_id in links:
        db.session.execute(insert(EntityLink).values(ar_entity_id=ar_id, en_entity_id=new_ids[en_id],
                                                     author_id=author_id))
    return lost


def _find_moved(new_text: str, surface: str, label_id: int, taken: set) -> CarriedSpan | None:
    at = new_text.find(surface)
    while at != -1:
        if (at, at + len(surface), label_id) not in taken:
            return CarriedSpan(at, at + len(surface), True)
        at = new_text.find(surface, at + 1)
    return None


__all__ = [
    "DuplicateEntity", "EntityView", "InvalidSpan", "LinkView", "StaleRevision", "carry_entities",
    "carry_span", "check_span", "create_entity", "create_link", "delete_entity", "delete_link", "entities_and_links",
    "update_entity", "utf16_to_str_index",
]
