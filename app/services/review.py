"""Post-editing a paragraph's English: saves, approval, reopening, restoring, history.

Nothing is ever overwritten: every save appends a Translation revision (author,
time, parent) and moves the paragraph's `current_revision` to it. A save
carries the paragraph `version` it was based on; if the paragraph changed
since, EditConflict is raised with the current text, never last-writer-wins.
Each write takes the database's write lock first (SQLite `BEGIN IMMEDIATE`,
`SELECT … FOR UPDATE` elsewhere) and re-reads the paragraph under it, so
concurrent saves are serialised and exactly one of two rivals wins.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Article, Paragraph, ParagraphApproval, Translation, User
from . import NotFound, ServiceError
from .assignment import visible_articles
from .audit import record_event
from .effort import edit_effort
from .workflow import check_may_edit, enter_review_on_first_change

MAX_TRANSLATION_CHARS = 20_000
# Time reported with one save or approval is capped: an editor left open overnight is not effort.
MAX_SECONDS_PER_ACTION = 3600


class InvalidText(ServiceError):
    """The English given cannot be stored (HTTP 422)."""


class EditConflict(ServiceError):
    """The paragraph changed since the version the user edited (HTTP 409)."""

    def __init__(self, version: int, text: str | None, revision_id: int | None):
        super().__init__(
            f"Someone saved this paragraph after you opened it (it is now at version {version}). "
            "Your text was not saved: compare both and save again."
        )
        self.version = version
        self.text = text
        self.revision_id = revision_id


@dataclass(frozen=True)
class SaveResult:
    version: int  # the paragraph's version after the save
    revision: Translation
    created: bool  # False when the text was already the current English


def get_visible_paragraph(user: User, paragraph_id: int) -> Paragraph:
    """The paragraph with its article and assignments, if the user may see it; NotFound otherwise."""
    paragraph = db.session.scalar(
        select(Paragraph)
        .join(Article, Article.id == Paragraph.article_id)
        .where(Paragraph.id == paragraph_id, Article.id.in_(visible_articles(user).with_only_columns(Article.id)))
        .options(joinedload(Paragraph.article).selectinload(Article.assignments))
    )
    if paragraph is None:
        raise NotFound(f"Paragraph {paragraph_id} not found.")
    return paragraph


def clean_translation_text(text: object) -> str:
    """NFC, Unix line ends, no surrounding blanks; refuses what is not a non-blank string of sane length."""
    if not isinstance(text, str):
        raise InvalidText("The English must be a string.")
    if len(text) > MAX_TRANSLATION_CHARS:  # as sent: NFC may change the count slightly
        raise InvalidText(f"The English can be at most {MAX_TRANSLATION_CHARS:,} characters (got {len(text):,}).")
    cleaned = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not cleaned:
        raise InvalidText("The English cannot be empty.")
    return cleaned


def _seconds(value: float | int | None) -> int:
    if not value or value < 0:
        return 0
    return int(min(value, MAX_SECONDS_PER_ACTION))


@dataclass(frozen=True)
class _LockedState:
    version: int
    status: str
    current_revision_id: int | None
    pending_seconds: int


def _lock_for_change(paragraph: Paragraph, actor: User) -> _LockedState:
    """Take the write lock, then check the actor's right and read the paragraph as they are now."""
    connection = db.session.connection()
    query = select(Paragraph.version, Paragraph.status, Paragraph.current_revision_id, Paragraph.pending_seconds).where(
        Paragraph.id == paragraph.id
    )
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        query = query.with_for_update()
    state = _LockedState(*connection.execute(query).one())
    db.session.refresh(paragraph.article, ["status"])
    try:
        check_may_edit(paragraph.article, actor)
    except ServiceError:
        db.session.rollback()
        raise
    return state


def _conflict(state: _LockedState) -> EditConflict:
    text = db.session.scalar(select(Translation.text).where(Translation.id == state.current_revision_id)) \
        if state.current_revision_id else None
    db.session.rollback()
    return EditConflict(state.version, text, state.current_revision_id)


def save_translation(
    paragraph: Paragraph, text: object, base_version: int, *, actor: User, seconds: float | None = None
) -> SaveResult:
    """Append the reviewer's English as a new revision, if the paragraph is still at `base_version`.

    Saving over an approved paragraph reopens it (recorded). Saving the text
    that is already current changes nothing and is not a conflict.
    """
    english = clean_translation_text(text)
    state = _lock_for_change(paragraph, actor)
    if state.version != base_version:
        raise _conflict(state)
    current = db.session.get(Translation, state.current_revision_id) if state.current_revision_id else None
    if current is not None and current.text == english and current.origin == "human":
        db.session.rollback()
        return SaveResult(state.version, current, created=False)

    revision = Translation(
        paragraph_id=paragraph.id, text=english, origin="human", author_id=actor.id,
        parent_id=state.current_revision_id,
    )
    db.session.add(revision)
    db.session.flush()
    db.session.execute(
        update(Paragraph).where(Paragraph.id == paragraph.id).values(
            version=Paragraph.version + 1, current_revision_id=revision.id, status="edited",
            pending_seconds=Paragraph.pending_seconds + _seconds(seconds),
        ),
        execution_options={"synchronize_session": False},
    )
    if state.status == "approved":
        record_event(actor, "paragraph.reopen", "paragraph", paragraph.id,
                     before={"status": "approved", "version": state.version},
                     after={"status": "edited", "version": state.version + 1, "by": "edit"})
    enter_review_on_first_change(paragraph.article, actor)
    db.session.commit()
    return SaveResult(state.version + 1, revision, created=True)


def approve_paragraph(
    paragraph: Paragraph, base_version: int, *, actor: User, seconds: float | None = None,
    override_reason: str | None = None,
) -> ParagraphApproval | None:
    """Approve the paragraph's current English as it is at `base_version`.

    Records the approval with its post-editing effort. Approving an already
    approved paragraph again changes nothing (returns None).
    """
    state = _lock_for_change(paragraph, actor)
    if state.version != base_version:
        raise _conflict(state)
    if state.current_revision_id is None:
        db.session.rollback()
        raise InvalidText("There is no English to approve yet: write or translate it first.")
    if state.status == "approved":
        db.session.rollback()
        return None
    approved = db.session.get(Translation, state.current_revision_id)
    machine = db.session.scalar(
        select(Translation).where(Translation.paragraph_id == paragraph.id, Translation.origin == "machine")
        .order_by(Translation.id.desc()).limit(1)
    )
    distance, hter = edit_effort(machine.text if machine else None, approved.text)
    approval = ParagraphApproval(
        paragraph_id=paragraph.id, revision_id=approved.id, machine_revision_id=machine.id if machine else None,
        approved_by_id=actor.id, seconds_spent=state.pending_seconds + _seconds(seconds),
        char_edit_distance=distance, hter=hter, override_reason=(override_reason or "").strip() or None,
    )
    db.session.add(approval)
    db.session.execute(
        update(Paragraph).where(Paragraph.id == paragraph.id).values(
            status="approved", approved_revision_id=approved.id, pending_seconds=0,
        ),
        execution_options={"synchronize_session": False},
    )
    record_event(actor, "paragraph.approve", "paragraph", paragraph.id,
                 before={"status": state.status}, after={"status": "approved", "revision_id": approved.id})
    enter_review_on_first_change(paragraph.article, actor)
    db.session.commit()
    return approval


def reopen_paragraph(paragraph: Paragraph, base_version: int, *, actor: User) -> Paragraph:
    """Take an approved paragraph back to `edited`, e.g. to fix it later; recorded."""
    state = _lock_for_change(paragraph, actor)
    if state.version != base_version:
        raise _conflict(state)
    if state.status != "approved":
        db.session.rollback()
        raise InvalidText("Only an approved paragraph can be reopened.")
    db.session.execute(
        update(Paragraph).where(Paragraph.id == paragraph.id).values(status="edited"),
        execution_options={"synchronize_session": False},
    )
    record_event(actor, "paragraph.reopen", "paragraph", paragraph.id,
                 before={"status": "approved"}, after={"status": "edited", "by": "reopen"})
    db.session.commit()
    return paragraph


def restore_revision(paragraph: Paragraph, revision_id: int, base_version: int, *, actor: User) -> SaveResult:
    """Make an earlier revision's text current again, as a new revision (history stays linear)."""
    old = db.session.scalar(
        select(Translation).where(Translation.id == revision_id, Translation.paragraph_id == paragraph.id)
    )
    if old is None:
        raise NotFound(f"Revision {revision_id} is not a revision of this paragraph.")
    return save_translation(paragraph, old.text, base_version, actor=actor)


def revisions_of(paragraph_id: int) -> list[Translation]:
    """Every revision of a paragraph's English, oldest first, with their authors."""
    return list(db.session.scalars(
        select(Translation).where(Translation.paragraph_id == paragraph_id)
        .options(selectinload(Translation.author)).order_by(Translation.id)
    ))


# Words, runs of white space and single punctuation marks: a word-level diff
# that still shows a changed comma.
_DIFF_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class DiffPart:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """What changed from `old` to `new`, word by word; replaced words show as a deletion then an insertion."""
    a, b = _DIFF_TOKENS.findall(old), _DIFF_TOKENS.findall(new)
    parts: list[DiffPart] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(DiffPart("delete", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(DiffPart("insert", "".join(b[j1:j2])))
    return parts
