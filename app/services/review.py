"""Post-editing a paragraph's English: saves, approval, reopening, restoring, history.

Nothing is ever overwritten: every save appends a Translation revision (author,
time, parent) and moves the paragraph's `current_revision` to it. A save
carries the paragraph `version` it was based on; if the paragraph changed
since, EditConflict is raised with the current text, never last-writer-wins.
Each write takes the paragraph lock first (paragraph_lock.py) and re-reads the
paragraph under it, so concurrent saves are serialised and exactly one of two
rivals wins; stored QA is recomputed in the same transaction (paragraph_qa.py).
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Text, bindparam, cast, func, insert, select, update
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..database import inserted_id
from ..extensions import db
from ..models import Article, Paragraph, ParagraphApproval, Translation, User, utcnow
from . import Conflict, NotFound, ServiceError
from .assignment import visible_articles
from .audit import record_event
from .effort import edit_effort
from .layers import LineColumns, line_of, revision_in, update_layer
from .paragraph_lock import LockedState, lock_for_change
from .paragraph_qa import current_qa, qa_findings_for, refresh_qa
from .user_text import ENGLISH, PROSE, refusal
from .workflow import enter_review_on_first_change, starts_review

MAX_TRANSLATION_CHARS = 20_000
# Time reported with one save or approval is capped: an editor left open overnight is not effort.
MAX_SECONDS_PER_ACTION = 3600


class InvalidText(ServiceError):
    """The English given cannot be stored (HTTP 422)."""


class BlockedByQA(ServiceError):
    """Blocking QA findings stop the approval unless the reviewer gives an override reason (HTTP 422)."""

    def __init__(self, findings: list[dict]):
        checks = "; ".join(f["message"] for f in findings)
        super().__init__(f"Approval blocked by QA: {checks} Fix them, or approve with an override reason.")
        self.findings = findings

    @property
    def details(self) -> dict:
        return {"qa": self.findings}


class EditConflict(Conflict):
    """The paragraph changed since the version the user edited (HTTP 409, with the current text and
    version beside the error, so the client can show both texts and merge)."""

    code = "edit_conflict"

    def __init__(self, version: int, text: str | None, revision_id: int | None, *, status: str | None = None,
                 origin: str | None = None, author: str | None = None):
        super().__init__(
            f"Someone saved this paragraph after you opened it (it is now at version {version}). "
            "Your text was not saved: compare both and save again."
        )
        self.version = version
        self.text = text
        self.revision_id = revision_id
        self.paragraph_status = status  # the paragraph's status now, and who wrote its current English
        self.origin = origin
        self.author = author

    @property
    def fields(self) -> dict:
        return {"version": self.version, "text": self.text, "revision_id": self.revision_id,
                "status": self.paragraph_status, "origin": self.origin, "author": self.author}


@dataclass(frozen=True)
class SaveResult:
    version: int  # the paragraph's version after the save
    revision_id: int
    created: bool  # False when the text was already the current English
    status: str
    entities_lost: int = 0  # English entities whose text the edit removed (they stay on the old revision)
    qa: list[dict] | None = None  # the paragraph's QA findings after the save


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


def paragraph_rows(article_id: int, *, qa_as_json: bool = False, layer: int | None = None) -> list[dict]:
    """Each paragraph of an article as served by the API: machine draft, current English, entities, links, QA,
    in one line (services/layers.py: the ordinary line, or with `layer` that annotator's layer).

    Plain dicts from three queries whatever the length of the article. With
    `qa_as_json`, each `qa` is the findings' JSON text, as stored (for a
    serialiser that embeds it without decoding it first).
    """
    from .entities import entities_and_links

    in_article = select(Paragraph.id).where(Paragraph.article_id == article_id)
    newest_machine = (
        select(Translation.paragraph_id, func.max(Translation.id).label("id"))
        .where(Translation.origin == "machine", Translation.paragraph_id.in_(in_article))
        .group_by(Translation.paragraph_id).subquery()
    )
    machine, current = aliased(Translation), aliased(Translation)
    line = LineColumns(layer)
    rows = db.session.connection().execute(
        line.join(select(Paragraph.id, Paragraph.position, Paragraph.kind, Paragraph.ar, line.version, line.status,
                         line.approved_revision_id, machine.text, machine.model_id, current.id, current.text,
                         current.origin, cast(line.qa_findings, Text) if qa_as_json else line.qa_findings))
        .outerjoin(newest_machine, newest_machine.c.paragraph_id == Paragraph.id)
        .outerjoin(machine, machine.id == newest_machine.c.id)
        .outerjoin(current, current.id == line.current_revision_id)
        .where(Paragraph.article_id == article_id).order_by(Paragraph.position)
    ).all()
    entities, links = entities_and_links(article_id=article_id, layer=layer)
    forms = None
    paragraphs = []
    for pid, position, kind, ar, version, status, approved_id, m_text, m_model, c_id, c_text, c_origin, qa in rows:
        own_entities, own_links = entities.get(pid, []), links.get(pid, [])
        if qa is None:  # never saved since QA existed: computed now, stored by the next change
            if forms is None:
                from .suggestions import known_forms

                forms = known_forms()
            linked = {link["ar_entity_id"] for link in own_links}
            qa = qa_findings_for(ar, c_text, machine_text=m_text, forms=forms, paragraph_id=pid, unlinked_ar_entities=tuple(
                e["text"] for e in own_entities if e["lang"] == "ar" and e["id"] not in linked))
            if qa_as_json:
                qa = json.dumps(qa, ensure_ascii=False)
        paragraphs.append({
            "id": pid, "position": position, "kind": kind, "ar": ar, "version": version, "status": status,
            "approved_revision_id": approved_id,
            "machine": {"text": m_text, "model_id": m_model} if m_text is not None else None,
            "translation": {"text": c_text, "revision_id": c_id, "origin": c_origin} if c_id is not None else None,
            "entities": own_entities, "links": own_links, "qa": qa,
        })
    return paragraphs


def clean_translation_text(text: object) -> str:
    """NFC, Unix line ends, no surrounding blanks; refuses what is not a non-blank string of sane length."""
    if not isinstance(text, str):
        raise InvalidText("The English must be a string.")
    if len(text) > MAX_TRANSLATION_CHARS:  # as sent: NFC may change the count slightly
        raise InvalidText(f"The English can be at most {MAX_TRANSLATION_CHARS:,} characters (got {len(text):,}).")
    cleaned = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not cleaned:
        raise InvalidText("The English cannot be empty.")
    if (refused := refusal(cleaned, ENGLISH)) is not None:
        raise InvalidText(f"The English {refused}.")
    return cleaned


def _seconds(value: float | int | None) -> int:
    if not value or value < 0:
        return 0
    return int(min(value, MAX_SECONDS_PER_ACTION))


_INSERT_REVISION = insert(Translation)
_UPDATE_AFTER_SAVE = (
    update(Paragraph).where(Paragraph.id == bindparam("paragraph_id"))
    .values(version=bindparam("new_version"), current_revision_id=bindparam("revision_id"), status="edited",
            pending_seconds=bindparam("new_pending_seconds"),
            qa_findings=bindparam("findings", type_=Paragraph.__table__.c.qa_findings.type))
)


def _conflict(state: LockedState) -> EditConflict:
    db.session.rollback()
    author = None
    if state.current_revision_id is not None and state.current_origin in PERSON_ORIGINS:
        names = db.session.execute(
            select(User.display_name, User.username).join(Translation, Translation.author_id == User.id)
            .where(Translation.id == state.current_revision_id)
        ).first()
        author = (names[0] or names[1]) if names else "a former user"
    return EditConflict(state.version, state.current_text, state.current_revision_id, status=state.status,
                        origin=state.current_origin, author=author)


def _in_layer(state: LockedState) -> dict:
    """What an audit event of a layer's change adds: whose layer."""
    return {} if state.layer is None else {"layer": state.layer}


def stored_qa(paragraph_id: int, layer: int | None) -> list[dict] | None:
    """A paragraph's stored QA findings in one line."""
    line = LineColumns(layer)
    return db.session.scalar(line.join(select(line.qa_findings)).where(Paragraph.id == paragraph_id))


def _after_change(state: LockedState, actor: User) -> None:
    """A reviewer's first change starts (or resumes) the review of the article."""
    if starts_review(state.article_status, actor):  # checked first: the article is loaded only then
        enter_review_on_first_change(db.session.get_one(Article, state.article_id), actor)


# Revisions a person saved: typed (`human`) or a translation-memory match's English saved unchanged (`tm`).
PERSON_ORIGINS = ("human", "tm")


def save_translation(
    paragraph_id: int, text: object, base_version: int, *, actor: User, seconds: float | None = None,
    origin: str = "human",
) -> SaveResult:
    """Append the reviewer's English as a new revision, if the paragraph is still at `base_version`.

    Saving over an approved paragraph reopens it (recorded). Saving the text
    that is already current changes nothing and is not a conflict. `origin="tm"` says the text is a
    translation-memory match's English inserted and saved unchanged; it is refused (422) unless the text
    is the English of a unit of the memory (translation_memory.is_memory_english) other than this paragraph.
    """
    english = clean_translation_text(text)
    if origin not in PERSON_ORIGINS:
        raise ServiceError("A saved revision's origin is human or tm.")
    state = lock_for_change(paragraph_id, actor)  # no such paragraph, or not yours: refused before anything else
    if state.version != base_version:
        raise _conflict(state)
    if origin == "tm":
        from .translation_memory import is_memory_english

        if not is_memory_english(english, exclude_paragraph_id=paragraph_id):
            db.session.rollback()
            raise ServiceError("This English is not a translation-memory match's: save it as your own (origin "
                               "human), or insert the match again.")
    if (state.current_revision_id is not None and state.current_text == english
            and state.current_origin == origin):
        db.session.rollback()
        return SaveResult(state.version, state.current_revision_id, created=False, status=state.status,
                          qa=stored_qa(paragraph_id, state.layer))

    connection = db.session.connection()
    revision_id = inserted_id(connection.execute(_INSERT_REVISION, {
        "paragraph_id": paragraph_id, "text": english, "origin": origin, "author_id": actor.id,
        "parent_id": state.current_revision_id, "created_at": utcnow(), "layer_user_id": state.layer,
    }))
    lost = 0
    if state.has_english_entities:
        from .entities import carry_entities

        lost = carry_entities(paragraph_id, state.current_revision_id, state.current_text, revision_id, english,
                              layer=state.layer)
    qa = current_qa(paragraph_id, (state.ar, english, revision_id, state.machine_text),
                    arabic_entities=state.has_arabic_entities, layer=state.layer)
    if state.layer is None:
        connection.execute(_UPDATE_AFTER_SAVE, {
            "paragraph_id": paragraph_id, "new_version": state.version + 1, "revision_id": revision_id,
            "new_pending_seconds": state.pending_seconds + _seconds(seconds), "findings": qa,
        })
    else:
        update_layer(paragraph_id, state.layer, version=state.version + 1, current_revision_id=revision_id,
                     status="edited", pending_seconds=state.pending_seconds + _seconds(seconds), qa_findings=qa)
    if state.status == "approved":
        record_event(actor, "paragraph.reopen", "paragraph", paragraph_id,
                     before={"status": "approved", "version": state.version},
                     after={"status": "edited", "version": state.version + 1, "by": "edit", **_in_layer(state)})
    _after_change(state, actor)
    db.session.commit()
    return SaveResult(state.version + 1, revision_id, created=True, status="edited", entities_lost=lost, qa=qa)


@dataclass(frozen=True)
class ApprovalResult:
    version: int
    status: str
    approved_revision_id: int
    approval: ParagraphApproval | None  # None when it was approved already


def approve_paragraph(
    paragraph_id: int, base_version: int, *, actor: User, seconds: float | None = None,
    override_reason: str | None = None,
) -> ApprovalResult:
    """Approve the paragraph's current English as it is at `base_version`.

    Records the approval with its post-editing effort. Blocking QA findings
    (severity "error") refuse it unless `override_reason` says why, which is
    recorded. Approving an already approved paragraph again changes nothing.
    """
    state = lock_for_change(paragraph_id, actor)
    if state.version != base_version:
        raise _conflict(state)
    if state.current_revision_id is None or state.current_text is None:  # a current revision has its text
        db.session.rollback()
        raise InvalidText("There is no English to approve yet: write or translate it first.")
    if state.status == "approved":
        db.session.rollback()
        return ApprovalResult(state.version, "approved", state.current_revision_id, None)
    findings = refresh_qa(paragraph_id, layer=state.layer)
    blocking = [f for f in findings if f["severity"] == "error"]
    reason = (override_reason or "").strip() or None
    if reason is not None and (refused := refusal(reason, PROSE)) is not None:
        db.session.rollback()
        raise InvalidText(f"The reason {refused}.")
    if blocking and reason is None:
        db.session.rollback()
        raise BlockedByQA(blocking)
    machine = db.session.execute(
        select(Translation.id, Translation.text)
        .where(Translation.paragraph_id == paragraph_id, Translation.origin == "machine")
        .order_by(Translation.id.desc()).limit(1)
    ).first()
    distance, hter = edit_effort(machine.text if machine else None, state.current_text)
    approval = ParagraphApproval(
        paragraph_id=paragraph_id, revision_id=state.current_revision_id,
        machine_revision_id=machine.id if machine else None,
        approved_by_id=actor.id, seconds_spent=state.pending_seconds + _seconds(seconds),
        char_edit_distance=distance, hter=hter, override_reason=reason if blocking else None,
    )
    after: dict = {"status": "approved", "revision_id": state.current_revision_id}
    if state.layer is None:
        db.session.add(approval)
        db.session.execute(
            update(Paragraph).where(Paragraph.id == paragraph_id).values(
                status="approved", approved_revision_id=state.current_revision_id, pending_seconds=0,
            ),
            execution_options={"synchronize_session": False},
        )
        from .glossary import learn_from_paragraph

        learn_from_paragraph(paragraph_id)  # the approved links teach the glossary
    else:
        # A layer's approval is the annotator's own, not the paragraph's: no ParagraphApproval (those are the
        # gold's, read by effort, the history and the memory), nothing learned; its effort stays in the audit.
        update_layer(paragraph_id, state.layer, status="approved", approved_revision_id=state.current_revision_id,
                     pending_seconds=0)
        after |= {**_in_layer(state), "seconds_spent": approval.seconds_spent,
                  "char_edit_distance": distance, "hter": hter}
    if blocking:
        after |= {"override_reason": reason, "overridden": sorted({f["check"] for f in blocking})}
    record_event(actor, "paragraph.approve", "paragraph", paragraph_id, before={"status": state.status}, after=after)
    _after_change(state, actor)
    db.session.commit()
    return ApprovalResult(state.version, "approved", state.current_revision_id, approval)


def approval_overrides(paragraph_ids: list[int]) -> dict[int, dict]:
    """For each approved paragraph among these whose approval overrode blocking QA findings: who, when, why.

    Only the newest approval of a paragraph that is approved now counts (a reopened paragraph's old
    override no longer speaks for its English). {paragraph id: {"by", "at", "reason"}}, in one query.
    """
    if not paragraph_ids:
        return {}
    newest = (
        select(func.max(ParagraphApproval.id).label("id"))
        .where(ParagraphApproval.paragraph_id.in_(paragraph_ids)).group_by(ParagraphApproval.paragraph_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ParagraphApproval.paragraph_id, User.display_name, User.username, ParagraphApproval.approved_at,
               ParagraphApproval.override_reason)
        .join(newest, newest.c.id == ParagraphApproval.id)
        .join(Paragraph, Paragraph.id == ParagraphApproval.paragraph_id)
        .outerjoin(User, User.id == ParagraphApproval.approved_by_id)
        .where(Paragraph.status == "approved", ParagraphApproval.override_reason.is_not(None))
    )
    return {pid: {"by": display_name or username or "a former user", "at": at, "reason": reason}
            for pid, display_name, username, at, reason in rows}


def reopen_paragraph(paragraph_id: int, base_version: int, *, actor: User) -> int:
    """Take an approved paragraph back to `edited`, e.g. to fix it later; recorded. Returns the version."""
    state = lock_for_change(paragraph_id, actor)
    if state.version != base_version:
        raise _conflict(state)
    if state.status != "approved":
        db.session.rollback()
        raise InvalidText("Only an approved paragraph can be reopened.")
    if state.layer is None:
        db.session.execute(
            update(Paragraph).where(Paragraph.id == paragraph_id).values(status="edited"),
            execution_options={"synchronize_session": False},
        )
    else:
        update_layer(paragraph_id, state.layer, status="edited")
    record_event(actor, "paragraph.reopen", "paragraph", paragraph_id,
                 before={"status": "approved"}, after={"status": "edited", "by": "reopen", **_in_layer(state)})
    db.session.commit()
    return state.version


def restore_revision(paragraph_id: int, revision_id: int, base_version: int, *, actor: User) -> SaveResult:
    """Make an earlier revision's text current again, as a new revision (history stays linear). Only a
    revision of the actor's own line (services/layers.py) can be restored."""
    article_id = db.session.scalar(select(Paragraph.article_id).where(Paragraph.id == paragraph_id))
    layer = line_of(article_id, actor) if article_id is not None else None
    text = db.session.scalar(
        select(Translation.text).where(Translation.id == revision_id, Translation.paragraph_id == paragraph_id,
                                       revision_in(layer))
    )
    if text is None:
        raise NotFound(f"Revision {revision_id} is not a revision of this paragraph.")
    return save_translation(paragraph_id, text, base_version, actor=actor)


def approvals_of(paragraph_id: int) -> list[ParagraphApproval]:
    """Every approval of a paragraph, oldest first, with who gave it (and any QA override reason)."""
    return list(db.session.scalars(
        select(ParagraphApproval).where(ParagraphApproval.paragraph_id == paragraph_id)
        .options(selectinload(ParagraphApproval.approved_by)).order_by(ParagraphApproval.id)
    ))


def revisions_of(paragraph_id: int, layer: int | None = None) -> list[Translation]:
    """Every revision of a paragraph's English in one line (services/layers.py: the ordinary line's, or a
    layer's own and the machine drafts), oldest first, with their authors."""
    return list(db.session.scalars(
        select(Translation).where(Translation.paragraph_id == paragraph_id, revision_in(layer))
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
