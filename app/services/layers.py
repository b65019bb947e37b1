"""Independent (double) annotation: which line an actor reads and writes, and each annotator's layer
(docs/architecture.md, "Double annotation: layers"; issue 18).

An article is double-annotated while it has an `independent` assignment. Its reviewer (annotator a) and its
independent annotator (b) then each work in their own *layer*: English revisions (`translations.layer_user_id`),
entities (`entities.layer_user_id`; a link joins two entities of one layer) and the paragraph's editable
state (`ParagraphLayer`: status, version, current and approved revision, QA findings, pending seconds). The
paragraph itself, with the revisions and entities whose `layer_user_id` is NULL, is the *ordinary line*:
what a single-annotated article has, and on a double-annotated one the gold that adjudication writes.
Machine drafts stay in the ordinary line and are shared: a layer starts at the paragraph's current revision.

A line is named by an int or None: the annotator's user id, or None for the ordinary line. `line_of` says
which one an actor writes in (and sees); every service that reads or writes a paragraph's English, entities,
links, status, version or QA takes the line from here, so adjudication and the agreement figures (issue 18,
part B) read both layers through `annotations`.

A layer row is made by its annotator's first change, under the paragraph lock (paragraph_lock.py); until
then the layer reads as the paragraph's current revision at version 1, status draft (`LineColumns`).
"""

from dataclasses import dataclass, field
from typing import Any, Collection

from sqlalchemy import and_, bindparam, case, delete, func, insert, literal, select, update
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import AnnotationAction, Article, Assignment, Entity, EntityLink, Label, Paragraph, ParagraphLayer
from ..models import Translation, User
from . import Forbidden, NotFound, ServiceError

# The two annotators of a double-annotated article.
ANNOTATOR_ROLES = ("reviewer", "independent")


class LayerError(ServiceError):
    """A request about layers that cannot be done (HTTP 422)."""


def annotator_ids(article_id: int) -> dict[str, int]:
    """{"reviewer": id, "independent": id} of the article's annotators (only the roles assigned)."""
    return {role: user_id for role, user_id in db.session.execute(
        select(Assignment.role, Assignment.user_id)
        .where(Assignment.article_id == article_id, Assignment.role.in_(ANNOTATOR_ROLES)))}


def hidden_authors(article_id: int, viewer: User, annotators: dict[str, int] | None = None) -> tuple[int, ...]:
    """Whose comments `viewer` may not read yet: the other annotator's, while the two annotate independently
    (a comment is part of the work: "ORG or LOC here?" would tell the other). Nobody's for everyone else,
    and for everyone once the article is adjudicated. `annotators`: as for `line_of`."""
    if annotators is None:
        annotators = annotator_ids(article_id)
    if line_of(article_id, viewer, annotators) is None:
        return ()
    return tuple(user_id for user_id in annotators.values() if user_id != viewer.id)


def is_double_annotated(article_id: int) -> bool:
    return db.session.scalar(select(Assignment.id).where(
        Assignment.article_id == article_id, Assignment.role == "independent").limit(1)) is not None


def line_of(article_id: int, actor: User, annotators: dict[str, int] | None = None) -> int | None:
    """The line `actor` reads and writes in this article: their own layer when they are one of the two
    annotators of a double-annotated article not adjudicated yet, else the ordinary line (None): admins,
    curators, second reviewers, everyone on a single-annotated article, and everyone once a curator has
    adjudicated every paragraph (`articles.adjudicated_at`; services/adjudication.py): the gold.
    `annotators`: `annotator_ids(article_id)`, when the caller has the article's assignments loaded already."""
    if annotators is None:
        annotators = annotator_ids(article_id)
    if "independent" in annotators and actor.id in annotators.values() and not is_adjudicated(article_id):
        return actor.id
    return None


def is_adjudicated(article_id: int) -> bool:
    """Whether a curator adjudicated every paragraph of this (double-annotated) article."""
    return db.session.scalar(select(Article.adjudicated_at).where(Article.id == article_id)) is not None


def in_layers(article_id: int) -> bool:
    """The article's two annotators work in their layers now: double-annotated and not adjudicated."""
    return is_double_annotated(article_id) and not is_adjudicated(article_id)


def line_for_role(role: str | None, double: bool, actor: User) -> int | None:
    """`line_of` when the caller has the actor's role and whether the article's annotators work in layers
    (double-annotated and not adjudicated) already."""
    return actor.id if double and role in ANNOTATOR_ROLES else None


def annotators_of(assignments) -> dict[str, int]:
    """`annotator_ids` from an article's loaded assignments."""
    return {a.role: a.user_id for a in assignments if a.role in ANNOTATOR_ROLES}


def view_line(article_id: int, actor: User, layer: str | None, annotators: dict[str, int] | None = None) -> int | None:
    """The line a page or the API shows `actor`: `line_of`, or for an admin who asks for it (`?layer=USERNAME`)
    the layer of one of the article's two annotators. Anyone else asking for a layer is refused (403); a
    name that is not an annotator of this double-annotated article is refused (422) saying why."""
    if layer is None or layer == "":
        return line_of(article_id, actor, annotators)
    if not actor.is_admin:
        raise Forbidden("Only admins may look at an annotator's layer; you see your own work.")
    if annotators is None:
        annotators = annotator_ids(article_id)
    if "independent" not in annotators:
        raise LayerError("This article is not double-annotated: it has no layers, only its ordinary line.")
    user_id = db.session.scalar(select(User.id).where(User.username == layer))
    if user_id is None or user_id not in annotators.values():
        raise LayerError(f"{layer!r} is not one of this article's two annotators; choose "
                         f"{' or '.join(repr(n) for n in annotator_names(article_id).values())}.")
    return user_id


def annotator_names(article_id: int) -> dict[str, str]:
    """{"reviewer": username, "independent": username} of the article's annotators."""
    return {role: name for role, name in db.session.execute(
        select(Assignment.role, User.username).join(User, User.id == Assignment.user_id)
        .where(Assignment.article_id == article_id, Assignment.role.in_(ANNOTATOR_ROLES))
        .order_by(Assignment.role.desc()))}


# --- SQL of a line --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineColumns:
    """The columns of a paragraph's editable state in one line, for SELECTs from `paragraphs`: the paragraph's
    own for the ordinary line, else its layer row's (outer-joined by `join`), defaulting to the paragraph's
    current revision at version 1, status draft while the annotator has not changed the paragraph."""

    layer: int | None
    version: Any = field(init=False)
    status: Any = field(init=False)
    current_revision_id: Any = field(init=False)
    approved_revision_id: Any = field(init=False)
    qa_findings: Any = field(init=False)
    pending_seconds: Any = field(init=False)
    row: Any = field(init=False)

    def __post_init__(self) -> None:
        values: dict[str, Any]
        if self.layer is None:
            values = {"version": Paragraph.version, "status": Paragraph.status,
                      "current_revision_id": Paragraph.current_revision_id,
                      "approved_revision_id": Paragraph.approved_revision_id,
                      "qa_findings": Paragraph.qa_findings, "pending_seconds": Paragraph.pending_seconds, "row": None}
        else:
            row = aliased(ParagraphLayer, name="line")
            missing = row.id.is_(None)
            values = {
                "version": func.coalesce(row.version, 1), "status": func.coalesce(row.status, "draft"),
                "current_revision_id": case((missing, Paragraph.current_revision_id), else_=row.current_revision_id),
                "approved_revision_id": row.approved_revision_id,
                "qa_findings": case((missing, Paragraph.qa_findings), else_=row.qa_findings),
                "pending_seconds": func.coalesce(row.pending_seconds, 0), "row": row,
            }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def join(self, statement):
        """`statement` (selecting from paragraphs) with this line's layer rows outer-joined."""
        if self.row is None:
            return statement
        return statement.outerjoin(self.row, and_(self.row.paragraph_id == Paragraph.id,
                                                  self.row.user_id == self.layer))


def entity_in(layer: int | None, entity: Any = Entity):
    """The condition that an entity (or another row with `layer_user_id`: a suggestion rejection) belongs to
    this line."""
    return entity.layer_user_id.is_(None) if layer is None else entity.layer_user_id == layer


def revision_in(layer: int | None, revision=Translation):
    """The revisions one sees in this line's history: the ordinary line's, or a layer's own and the shared
    machine drafts."""
    if layer is None:
        return revision.layer_user_id.is_(None)
    return (revision.layer_user_id == layer) | (revision.layer_user_id.is_(None) & (revision.origin == "machine"))


# --- the layer row under the lock -----------------------------------------------------------------------

@dataclass(frozen=True)
class LayerRow:
    version: int
    status: str
    current_revision_id: int | None
    pending_seconds: int


_LAYER_ROW = select(ParagraphLayer.version, ParagraphLayer.status, ParagraphLayer.current_revision_id,
                    ParagraphLayer.pending_seconds).where(ParagraphLayer.paragraph_id == bindparam("paragraph_id"),
                                                          ParagraphLayer.user_id == bindparam("user_id"))
_NEW_LAYER_ROW = insert(ParagraphLayer).from_select(
    ["paragraph_id", "user_id", "status", "version", "current_revision_id", "qa_findings", "pending_seconds"],
    select(Paragraph.id, bindparam("user_id"), literal("draft"), literal(1), Paragraph.current_revision_id,
           Paragraph.qa_findings, literal(0)).where(Paragraph.id == bindparam("paragraph_id")))


def layer_row_for_change(paragraph_id: int, user_id: int) -> LayerRow:
    """The annotator's layer row of the paragraph, made now if this is their first change (the caller holds
    the paragraph lock, and commits or rolls back)."""
    connection = db.session.connection()
    values = {"paragraph_id": paragraph_id, "user_id": user_id}
    row = connection.execute(_LAYER_ROW, values).first()
    if row is None:
        connection.execute(_NEW_LAYER_ROW, values)
        row = connection.execute(_LAYER_ROW, values).one()
    return LayerRow(*row)


def update_layer(paragraph_id: int, user_id: int, **values) -> None:
    """Write columns of the annotator's layer row (which exists: `layer_row_for_change` made it)."""
    db.session.connection().execute(
        update(ParagraphLayer).where(ParagraphLayer.paragraph_id == paragraph_id, ParagraphLayer.user_id == user_id)
        .values(**values))


def pending_paragraphs(article_id: int, user_id: int) -> int:
    """Paragraphs of the article not approved in the annotator's layer."""
    total = db.session.scalar(select(func.count()).select_from(Paragraph).where(Paragraph.article_id == article_id))
    approved = db.session.scalar(
        select(func.count()).select_from(ParagraphLayer).join(Paragraph, Paragraph.id == ParagraphLayer.paragraph_id)
        .where(Paragraph.article_id == article_id, ParagraphLayer.user_id == user_id,
               ParagraphLayer.status == "approved"))
    return int(total or 0) - int(approved or 0)


# --- making and unmaking layers -------------------------------------------------------------------------

def _in_article(article_id: int):
    return select(Paragraph.id).where(Paragraph.article_id == article_id).scalar_subquery()


def has_work(article_id: int, user_id: int) -> bool:
    """Whether the annotator changed anything in their layer of this article."""
    in_article = _in_article(article_id)
    return any(db.session.scalar(statement) is not None for statement in (
        select(ParagraphLayer.id).where(ParagraphLayer.user_id == user_id,
                                        ParagraphLayer.paragraph_id.in_(in_article)).limit(1),
        select(Entity.id).where(Entity.layer_user_id == user_id, Entity.paragraph_id.in_(in_article)).limit(1),
        select(Translation.id).where(Translation.layer_user_id == user_id,
                                     Translation.paragraph_id.in_(in_article)).limit(1),
    ))


def split_into_layer(article_id: int, user_id: int) -> int:
    """Move the ordinary line's work on the article into the annotator's layer (in the caller's transaction):
    the independent annotator is being added and the reviewer worked already. Their human revisions, entities
    and links keep their ids and move as they are; each paragraph's state is copied into a layer row, and the
    paragraph goes back to its newest machine draft, status draft, a new version, no approval. Returns the
    number of paragraphs copied."""
    connection = db.session.connection()
    worked = list(connection.execute(select(Paragraph.id).where(
        Paragraph.article_id == article_id,
        (Paragraph.status != "draft") | select(Entity.id).where(Entity.paragraph_id == Paragraph.id,
                                                                Entity.layer_user_id.is_(None)).exists())).scalars())
    if not worked:
        return 0
    connection.execute(insert(ParagraphLayer).from_select(
        ["paragraph_id", "user_id", "status", "version", "current_revision_id", "approved_revision_id",
         "qa_findings", "pending_seconds"],
        select(Paragraph.id, literal(user_id), Paragraph.status, Paragraph.version, Paragraph.current_revision_id,
               Paragraph.approved_revision_id, Paragraph.qa_findings, Paragraph.pending_seconds)
        .where(Paragraph.id.in_(worked))))
    connection.execute(update(Translation).where(Translation.paragraph_id.in_(worked),
                                                 Translation.layer_user_id.is_(None), Translation.origin != "machine")
                       .values(layer_user_id=user_id))
    connection.execute(update(Entity).where(Entity.paragraph_id.in_(worked), Entity.layer_user_id.is_(None))
                       .values(layer_user_id=user_id))
    newest_machine = (select(func.max(Translation.id))
                      .where(Translation.paragraph_id == Paragraph.id, Translation.origin == "machine")
                      .scalar_subquery())
    connection.execute(update(Paragraph).where(Paragraph.id.in_(worked)).values(
        current_revision_id=newest_machine, approved_revision_id=None, status="draft",
        version=Paragraph.version + 1, qa_findings=None, pending_seconds=0))
    return len(worked)


def merge_layer_back(article_id: int, user_id: int, other_id: int | None) -> None:
    """The reverse of `split_into_layer` (in the caller's transaction): the independent annotator is removed
    before doing any work, so the reviewer's layer becomes the ordinary line again, nothing lost. The other
    annotator's (empty) layer rows and undo stack go."""
    connection = db.session.connection()
    in_article = _in_article(article_id)
    line = aliased(ParagraphLayer)
    rows = connection.execute(select(line.paragraph_id, line.status, line.version, line.current_revision_id,
                                     line.approved_revision_id, line.qa_findings, line.pending_seconds, Paragraph.version)
                              .join(Paragraph, Paragraph.id == line.paragraph_id)
                              .where(line.user_id == user_id, line.paragraph_id.in_(in_article))).all()
    for pid, status, version, current, approved, qa, pending, paragraph_version in rows:
        connection.execute(update(Paragraph).where(Paragraph.id == pid).values(
            status=status, version=max(version, paragraph_version) + 1, current_revision_id=current,
            approved_revision_id=approved, qa_findings=qa, pending_seconds=pending))
    connection.execute(update(Translation).where(Translation.paragraph_id.in_(in_article),
                                                 Translation.layer_user_id == user_id).values(layer_user_id=None))
    connection.execute(update(Entity).where(Entity.paragraph_id.in_(in_article), Entity.layer_user_id == user_id)
                       .values(layer_user_id=None))
    connection.execute(delete(ParagraphLayer).where(ParagraphLayer.paragraph_id.in_(in_article)))
    if other_id is not None:
        connection.execute(delete(AnnotationAction).where(AnnotationAction.article_id == article_id,
                                                          AnnotationAction.user_id == other_id))


# --- reading a layer: for adjudication and agreement ----------------------------------------------------

@dataclass(frozen=True)
class LayerEntity:
    id: int
    lang: str
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class LayerParagraph:
    """One paragraph as one annotator left it in their layer (or the ordinary line, `user_id` None)."""

    paragraph_id: int
    position: int
    ar: str
    user_id: int | None
    status: str
    version: int
    current_english: str | None
    current_revision_id: int | None
    approved_english: str | None  # None until the annotator approved the paragraph
    approved_revision_id: int | None
    entities: tuple[LayerEntity, ...]  # Arabic ones and those of the current English revision
    links: tuple[tuple[LayerEntity, LayerEntity], ...]  # (Arabic, English) span pairs


def annotations(article_id: int, user_id: int | None, *, paragraph_id: int | None = None,
                paragraph_ids: Collection[int] | None = None) -> list[LayerParagraph]:
    """Every paragraph of the article in reading order as it is in one line: `user_id`'s layer, or the
    ordinary line with None (only the paragraph `paragraph_id` of it, or those of `paragraph_ids`, when
    given: a page of the curation view). Plain data, in four queries whatever the article's length; the caller
    checks the right to read it (admins and curators; an annotator only their own)."""
    if db.session.get(Article, article_id) is None:
        raise NotFound(f"Article {article_id} not found.")
    only = [paragraph_id] if paragraph_id is not None else None
    if paragraph_ids is not None:
        only = [*(only or []), *paragraph_ids]

    def _in_article(article_id: int):
        in_article = select(Paragraph.id).where(Paragraph.article_id == article_id)
        if only is not None:
            in_article = in_article.where(Paragraph.id.in_(only))
        return in_article.scalar_subquery()

    line = LineColumns(user_id)
    current, approved = aliased(Translation), aliased(Translation)
    connection = db.session.connection()  # plain rows: no ORM loading over thousands of entities
    rows = connection.execute(
        line.join(select(Paragraph.id, Paragraph.position, Paragraph.ar, line.status, line.version,
                         line.current_revision_id, current.text, line.approved_revision_id, approved.text))
        .outerjoin(current, current.id == line.current_revision_id)
        .outerjoin(approved, approved.id == line.approved_revision_id)
        .where(Paragraph.article_id == article_id, *([Paragraph.id.in_(only)] if only is not None else []))
        .order_by(Paragraph.position)).all()
    current_ids = {row[5] for row in rows if row[5] is not None}
    entities: dict[int, dict[int, LayerEntity]] = {}
    for eid, pid, lang, start, end, label, text, translation_id in connection.execute(
            select(Entity.id, Entity.paragraph_id, Entity.lang, Entity.start, Entity.end, Label.name, Entity.text,
                   Entity.translation_id)
            .join(Label, Label.id == Entity.label_id)
            .where(Entity.paragraph_id.in_(_in_article(article_id)), entity_in(user_id))
            .order_by(Entity.start, Entity.end, Entity.id)):
        if lang == "ar" or translation_id in current_ids:
            entities.setdefault(pid, {})[eid] = LayerEntity(eid, lang, start, end, label, text)
    by_id = {eid: entity for own in entities.values() for eid, entity in own.items()}
    links: dict[int, list[tuple[LayerEntity, LayerEntity]]] = {}
    ar_entity = aliased(Entity)
    for ar_id, en_id, pid in connection.execute(
            select(EntityLink.ar_entity_id, EntityLink.en_entity_id, ar_entity.paragraph_id)
            .join(ar_entity, ar_entity.id == EntityLink.ar_entity_id)
            .where(ar_entity.paragraph_id.in_(_in_article(article_id)), entity_in(user_id, ar_entity))
            .order_by(EntityLink.id)):
        if ar_id in by_id and en_id in by_id:
            links.setdefault(pid, []).append((by_id[ar_id], by_id[en_id]))
    return [LayerParagraph(pid, position, ar, user_id, status, version, current_text, current_id,
                           approved_text, approved_id, tuple(entities.get(pid, {}).values()), tuple(links.get(pid, ())))
            for pid, position, ar, status, version, current_id, current_text, approved_id, approved_text in rows]


__all__ = ["ANNOTATOR_ROLES", "LayerEntity", "LayerError", "LayerParagraph", "LineColumns", "annotations",
           "annotator_ids", "annotator_names", "annotators_of", "entity_in", "has_work", "in_layers", "is_adjudicated", "is_double_annotated", "layer_row_for_change",
           "ParagraphInLine", "line_for_role", "line_of", "merge_layer_back", "paragraphs_in_line", "pending_paragraphs", "revision_in", "split_into_layer",
           "update_layer", "view_line"]


# --- pages ----------------------------------------------------------------------------------------------

class ParagraphInLine:
    """A paragraph as a page shows it in one line: the paragraph's own attributes, with its editable state
    (status, version, current and approved revision, QA findings) taken from the layer."""

    def __init__(self, paragraph: Paragraph, state: dict):
        self._paragraph = paragraph
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._paragraph, name)


def paragraphs_in_line(paragraphs: list[Paragraph], layer: int | None) -> tuple[list, dict[int, Translation]]:
    """The paragraphs as they are in one line, and the current revision of each (None: the ordinary line,
    the paragraphs as they are, and their current revisions)."""
    ids = [p.id for p in paragraphs]
    if not ids or layer is None:  # the ordinary line: the paragraphs as they are
        from .mt import machine_and_current_translations

        return list(paragraphs), machine_and_current_translations(ids)[1] if ids else {}
    line = LineColumns(layer)
    states = {pid: {"status": status, "version": version, "current_revision_id": current,
                    "approved_revision_id": approved, "qa_findings": qa}
              for pid, status, version, current, approved, qa in db.session.execute(
                  line.join(select(Paragraph.id, line.status, line.version, line.current_revision_id,
                                   line.approved_revision_id, line.qa_findings)).where(Paragraph.id.in_(ids)))}
    current_ids = {state["current_revision_id"] for state in states.values() if state["current_revision_id"]}
    revisions = {t.id: t for t in db.session.scalars(select(Translation).where(Translation.id.in_(current_ids)))}
    current = {pid: revisions[state["current_revision_id"]] for pid, state in states.items()
               if state["current_revision_id"] in revisions}
    return [ParagraphInLine(p, states[p.id]) for p in paragraphs], current
