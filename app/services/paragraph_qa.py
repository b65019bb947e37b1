"""Stored QA: the findings of each paragraph's current English (app/services/qa.py), computed inside the
transaction that changes the English, the entities or the links, and kept on the paragraph, so pages and
the API read them instead of checking again. The web, the MT worker and the CLI share this module.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Entity, EntityLink, Paragraph, Translation

if TYPE_CHECKING:
    from .suggestions import KnownForm

ArabicEntity = aliased(Entity)


def qa_findings_for(ar: str, en: str | None, *, machine_text: str | None,
                    unlinked_ar_entities: tuple[str, ...] = (), forms=None,
                    paragraph_id: int | None = None) -> list[dict]:
    """The QA findings of one paragraph as stored and served: [{"check", "severity", "message"}].

    `forms`: the glossary's known forms (suggestions.known_forms()), when the caller has them already.
    `paragraph_id`: the paragraph's own approval is not "elsewhere" (the `inconsistent` check).
    """
    from . import qa
    from .translation_memory import approved_sentences_elsewhere

    elsewhere = approved_sentences_elsewhere(ar, paragraph_id) if en and en.strip() else ()
    context = qa.QAContext(machine_text=machine_text, unlinked_ar_entities=unlinked_ar_entities,
                           glossary_hits=glossary_hits_for(ar, en, forms), length_ratio=_length_ratio(),
                           approved_elsewhere=elsewhere)
    return [finding.as_dict() for finding in qa.check_paragraph(ar, en, context)]


def _length_ratio() -> tuple[float, float]:
    """The English/Arabic length ratio QA accepts: app setting QA_LENGTH_RATIO (default 0.6 to 2.5)."""
    from flask import current_app, has_app_context

    low, high = current_app.config.get("QA_LENGTH_RATIO", (0.6, 2.5)) if has_app_context() else (0.6, 2.5)
    return float(low), float(high)


def glossary_hits_for(ar: str, en: str | None, forms=None) -> tuple[tuple[str, str], ...]:
    """(Arabic surface, English form the glossary requires) for each glossary term found in the Arabic.

    A term with several English forms requires whichever the English uses, else the first.
    """
    from .suggestions import known_forms

    english = (en or "").casefold()
    hits = []
    for match in (forms or known_forms()).matcher.find(ar):
        forms = [form for form, source in cast("KnownForm", match.term_payload).english if source == "glossary"]
        if forms:
            hits.append((match.surface, next((f for f in forms if f.casefold() in english), forms[0])))
    return tuple(hits)


_NewestMachine = aliased(Translation)
_LinkedEnglish = aliased(Entity)
# refresh_qa runs on every save and every tagging: its statements are built once.
_QA_INPUTS = (
    select(Paragraph.ar, Translation.text, Paragraph.current_revision_id,
           select(_NewestMachine.text)
           .where(_NewestMachine.paragraph_id == Paragraph.id, _NewestMachine.origin == "machine")
           .order_by(_NewestMachine.id.desc()).limit(1).scalar_subquery())
    .outerjoin(Translation, Translation.id == Paragraph.current_revision_id)
    .where(Paragraph.id == bindparam("paragraph_id"))
)
_UNLINKED = (
    select(ArabicEntity.text)
    .where(ArabicEntity.paragraph_id == bindparam("paragraph_id"), ArabicEntity.lang == "ar",
           ~select(EntityLink.id).join(_LinkedEnglish, _LinkedEnglish.id == EntityLink.en_entity_id)
           .where(EntityLink.ar_entity_id == ArabicEntity.id,
                  _LinkedEnglish.translation_id == bindparam("current_revision_id")).exists())
    .order_by(ArabicEntity.start)
)
# The Arabic entities of one line (services/layers.py): the ordinary line's, or one annotator's layer's.
_UNLINKED_ARABIC = _UNLINKED.where(ArabicEntity.layer_user_id.is_(None))
_UNLINKED_IN_LAYER = _UNLINKED.where(ArabicEntity.layer_user_id == bindparam("layer"))
_STORE_QA = (
    update(Paragraph).where(Paragraph.id == bindparam("paragraph_id"))
    .values(qa_findings=bindparam("findings", type_=Paragraph.__table__.c.qa_findings.type))
)


def refresh_qa(paragraph_id: int, known: tuple[str, str | None, int | None, str | None] | None = None, *,
               layer: int | None = None) -> list[dict]:
    """Recompute and store a paragraph's QA findings in one line (inside the caller's transaction): the
    ordinary line's, or with `layer` that annotator's layer's (services/layers.py; its row exists).

    `known`: (Arabic, current English, current revision id, machine draft) when the caller has them.
    """
    connection = db.session.connection()
    if known is None:
        if layer is None:
            known = tuple(connection.execute(_QA_INPUTS, {"paragraph_id": paragraph_id}).one())
        else:
            known = _layer_inputs(paragraph_id, layer)
    findings = current_qa(paragraph_id, known, layer=layer)
    if layer is None:
        connection.execute(_STORE_QA, {"paragraph_id": paragraph_id, "findings": findings})
    else:
        from .layers import update_layer

        update_layer(paragraph_id, layer, qa_findings=findings)
    return findings


def _layer_inputs(paragraph_id: int, layer: int) -> tuple[str, str | None, int | None, str | None]:
    from .layers import LineColumns

    line = LineColumns(layer)
    current = aliased(Translation)
    row = db.session.execute(
        line.join(select(Paragraph.ar, current.text, line.current_revision_id,
                         select(_NewestMachine.text)
                         .where(_NewestMachine.paragraph_id == Paragraph.id, _NewestMachine.origin == "machine")
                         .order_by(_NewestMachine.id.desc()).limit(1).scalar_subquery()))
        .outerjoin(current, current.id == line.current_revision_id)
        .where(Paragraph.id == paragraph_id)).one()
    return row[0], row[1], row[2], row[3]


def current_qa(paragraph_id: int, known: tuple[str, str | None, int | None, str | None], *,
               arabic_entities: bool = True, layer: int | None = None) -> list[dict]:
    """The QA findings of a paragraph as it is in this transaction in one line (not stored)."""
    ar, en, current_id, machine_text = known
    unlinked = tuple(db.session.connection().execute(
        _UNLINKED_ARABIC if layer is None else _UNLINKED_IN_LAYER,
        {"paragraph_id": paragraph_id, "current_revision_id": current_id, "layer": layer}).scalars()
    ) if arabic_entities else ()
    return qa_findings_for(ar, en, machine_text=machine_text, unlinked_ar_entities=unlinked,
                           paragraph_id=paragraph_id)


def refresh_missing_qa(batch: int = 200) -> int:
    """Compute and store the QA findings of every paragraph with English but none stored (e.g. after an upgrade)."""
    done = 0
    while True:
        ids = db.session.scalars(
            select(Paragraph.id).where(Paragraph.qa_findings.is_(None), Paragraph.current_revision_id.is_not(None))
            .order_by(Paragraph.id).limit(batch)
        ).all()
        if not ids:
            return done
        for paragraph_id in ids:
            refresh_qa(paragraph_id)
        db.session.commit()
        done += len(ids)
