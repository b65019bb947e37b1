"""The paragraph write lock: every change to a paragraph (a save, an approval, a reopening, an entity,
a link) takes it first and reads the paragraph as it is under it, so rival changes are serialised and
a change based on an older version is refused (docs/architecture.md, "The paragraph lock").

One implementation per engine:
- SQLite: `BEGIN IMMEDIATE`, the database-wide write lock, taken before the first read.
- PostgreSQL: `SELECT … FOR UPDATE` on the paragraph's row alone, then the read. The read is a
  statement of its own: under READ COMMITTED it then sees what the previous holder committed (its new
  revision, its entities); a single locking statement with joins would re-check the locked row but keep
  the joined rows of its older snapshot.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Article, Assignment, Entity, Paragraph, Translation, User
from . import NotFound, ServiceError
from .layers import layer_row_for_change, line_for_role
from .workflow import check_may_edit


@dataclass(frozen=True)
class LockedState:
    """A paragraph as it is under the write lock, with what the rights check needs."""
    article_id: int
    article_status: str
    version: int
    status: str
    current_revision_id: int | None
    current_text: str | None
    current_origin: str | None
    pending_seconds: int
    role: str | None  # the actor's assignment on the article
    ar: str
    machine_text: str | None  # the newest machine draft
    has_arabic_entities: bool
    has_english_entities: bool  # on the current revision
    # The actor's line (services/layers.py): their user id on a double-annotated article they annotate, whose
    # paragraph state above is then their layer's; None for the ordinary line.
    layer: int | None = None


_Machine, _Entity = aliased(Translation), aliased(Entity)
# Statements of the save path, built once: building and cache-keying them
# per request cost more than running them.
_STATE = (
    select(Paragraph.article_id, Article.status, Paragraph.version, Paragraph.status, Paragraph.current_revision_id,
           Translation.text, Translation.origin, Paragraph.pending_seconds,
           select(Assignment.role)
           .where(Assignment.article_id == Paragraph.article_id, Assignment.user_id == bindparam("user_id"))
           .limit(1).scalar_subquery().label("role"),
           Paragraph.ar,
           select(_Machine.text)
           .where(_Machine.paragraph_id == Paragraph.id, _Machine.origin == "machine")
           .order_by(_Machine.id.desc()).limit(1).scalar_subquery(),
           select(_Entity.id).where(_Entity.paragraph_id == Paragraph.id, _Entity.lang == "ar",
                                    _Entity.layer_user_id.is_(None)).exists(),
           select(_Entity.id).where(_Entity.translation_id == Paragraph.current_revision_id,
                                    _Entity.lang == "en", _Entity.layer_user_id.is_(None)).exists(),
           # In layers: double-annotated and not adjudicated yet (services/layers.py: line_of).
           and_(select(Assignment.id).where(Assignment.article_id == Paragraph.article_id,
                                            Assignment.role == "independent").exists(),
                Article.adjudicated_at.is_(None)).label("double"),
           select(Assignment.submitted_at)
           .where(Assignment.article_id == Paragraph.article_id, Assignment.user_id == bindparam("user_id"))
           .limit(1).scalar_subquery().label("submitted_at"))
    .join(Article, Article.id == Paragraph.article_id)
    .outerjoin(Translation, Translation.id == Paragraph.current_revision_id)
    .where(Paragraph.id == bindparam("paragraph_id"))
)
# A layer's current English and whether the layer has entities (services/layers.py).
_LAYER_TEXT = select(Translation.text, Translation.origin).where(Translation.id == bindparam("revision_id"))
_LAYER_ENTITIES = select(
    select(_Entity.id).where(_Entity.paragraph_id == bindparam("paragraph_id"), _Entity.lang == "ar",
                             _Entity.layer_user_id == bindparam("user_id")).exists(),
    select(_Entity.id).where(_Entity.translation_id == bindparam("revision_id"), _Entity.lang == "en",
                             _Entity.layer_user_id == bindparam("user_id")).exists())
_ROW_LOCK = select(Paragraph.id).where(Paragraph.id == bindparam("paragraph_id")).with_for_update()


def _lock_sqlite(connection, paragraph_id: int) -> None:
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lock_postgresql(connection, paragraph_id: int) -> None:
    connection.execute(_ROW_LOCK, {"paragraph_id": paragraph_id})


_LOCKS = {"sqlite": _lock_sqlite, "postgresql": _lock_postgresql}


def take_lock(paragraph_id: int) -> None:
    """Only the write lock of the paragraph, for a writer whose rights are checked otherwise (adjudication:
    services/adjudication.py writes the gold of a paragraph whose article the curator is not assigned to)."""
    connection = db.session.connection()
    _LOCKS[connection.dialect.name](connection, paragraph_id)


def lock_for_change(paragraph_id: int, actor: User) -> LockedState:
    """Take the write lock, read the paragraph as it is now, and check the actor may change it.

    NotFound (also for an article the actor may not see), Forbidden or
    ArticleLocked roll back and leave the lock.
    """
    connection = db.session.connection()
    _LOCKS[connection.dialect.name](connection, paragraph_id)
    row = connection.execute(_STATE, {"paragraph_id": paragraph_id, "user_id": actor.id}).first()
    try:
        if row is None or (row.role is None and not actor.is_admin):
            raise NotFound(f"Paragraph {paragraph_id} not found.")
        check_may_edit(row[1], row.role, actor, submitted=row.submitted_at is not None, in_layers=bool(row.double))
        state = LockedState(*row[:13])
        if (layer := line_for_role(row.role, row.double, actor)) is not None:
            state = _layer_state(connection, paragraph_id, layer, state)
    except ServiceError:
        db.session.rollback()
        raise
    return state


def _layer_state(connection, paragraph_id: int, user_id: int, ordinary: LockedState) -> LockedState:
    """The paragraph as it is in the annotator's layer (its row made now on a first change)."""
    from dataclasses import replace

    row = layer_row_for_change(paragraph_id, user_id)
    text = origin = None
    if row.current_revision_id is not None:
        text, origin = connection.execute(_LAYER_TEXT, {"revision_id": row.current_revision_id}).one()
    has_arabic, has_english = connection.execute(_LAYER_ENTITIES, {
        "paragraph_id": paragraph_id, "user_id": user_id, "revision_id": row.current_revision_id or 0}).one()
    return replace(ordinary, version=row.version, status=row.status, current_revision_id=row.current_revision_id,
                   current_text=text, current_origin=origin, pending_seconds=row.pending_seconds,
                   has_arabic_entities=bool(has_arabic), has_english_entities=bool(has_english), layer=user_id)
