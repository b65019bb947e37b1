"""The agreement figures of double-annotated articles, read from the database (docs/architecture.md,
"Agreement served"; issue 18, item 2).

`agreement.py` computes the figures from plain data and touches no database; this module reads both layers
of an article (`layers.annotations`) and hands them there:

- `agreement_of_article(article_id)`: `GET /api/v1/articles/<id>/agreement`'s answer, computed on demand
  from each annotator's current English (the approved one where they approved the paragraph: approving
  approves the current revision, and editing an approved paragraph un-approves it) and their entities and
  links. Refused with `NotDoubleAnnotated` (409) when the article has no independent annotator.
- `store_translation_statistics(article_id)`: sacrebleu's chrF and TER statistics of each paragraph (TER's
  shift search is the costly part: seconds for a long article) stored in `paragraph_agreements`, keyed by the
  SHA-256 of the two texts. `workflow._submit_layer` calls it when the second annotator submits; the figures
  use a stored row only while its hash is that of the texts now, so an edit after it (a send-back, then a new
  submission) is never served stale: that paragraph's statistics are computed afresh until stored again.
- `project_agreement()`: per annotator pair and over all, over the double-annotated articles whose two
  annotators have both submitted (the dashboard and `flask agreement`).

Who may read the figures is the caller's rule (the API: admins only until adjudication, see api/agreement.py).
"""
from __future__ import annotations

import hashlib
from typing import Iterable

from sqlalchemy import func, select

from ..extensions import db
from ..models import Article, Assignment, Paragraph, ParagraphAgreement
from . import Conflict, NotFound
from . import agreement
from . import layers
from .agreement import Annotation, ParagraphPair, TranslationStatistics


class NotDoubleAnnotated(Conflict):
    """The article has no independent annotator: there are no two layers to compare (HTTP 409)."""

    code = "not_double_annotated"


def texts_hash(reference: str, hypothesis: str) -> str:
    """The key of stored statistics: the SHA-256 of the two texts (length-prefixed, so no two pairs meet)."""
    digest = hashlib.sha256()
    for text in (reference, hypothesis):
        data = text.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _annotation(paragraph: layers.LayerParagraph) -> Annotation:
    """One annotator's paragraph as agreement.py reads it: their English (approved where approved, which is the
    current revision then), entities and links."""
    english = paragraph.current_english or ""
    entities = [(e.lang, e.start, e.end, e.label) for e in paragraph.entities]
    links = [((ar.start, ar.end), (en.start, en.end)) for ar, en in paragraph.links]
    return Annotation(english, entities, links)


def _stored_statistics(article_id: int) -> dict[int, tuple[str, list]]:
    return {pid: (digest, value) for pid, digest, value in db.session.execute(
        select(ParagraphAgreement.paragraph_id, ParagraphAgreement.texts_hash, ParagraphAgreement.translation)
        .join(Paragraph, Paragraph.id == ParagraphAgreement.paragraph_id).where(Paragraph.article_id == article_id))}


def _as_statistics(value: list) -> TranslationStatistics:
    chrf, ter = value
    return tuple(int(n) for n in chrf), (float(ter[0]), float(ter[1]))


def _annotators(article_id: int) -> tuple[dict[str, int], list[str]]:
    ids = layers.annotator_ids(article_id)
    if "independent" not in ids or "reviewer" not in ids:
        raise NotDoubleAnnotated(
            f"Article {article_id} is not double-annotated: agreement compares the work of its reviewer and of an "
            "independent annotator, and it has no independent annotator. Assign one (role 'independent') first.")
    names = layers.annotator_names(article_id)
    return ids, [names["reviewer"], names["independent"]]


def paragraph_pairs(article_id: int, ids: dict[str, int]) -> list[ParagraphPair]:
    """Both layers of the article, paragraph by paragraph, with the stored statistics that are still valid."""
    stored = _stored_statistics(article_id)
    pairs = []
    for a, b in zip(layers.annotations(article_id, ids["reviewer"]), layers.annotations(article_id, ids["independent"])):
        layer_a, layer_b = _annotation(a), _annotation(b)
        translation = None
        if a.paragraph_id in stored:
            digest, value = stored[a.paragraph_id]
            if digest == texts_hash(layer_a.english, layer_b.english):
                translation = _as_statistics(value)
        pairs.append(ParagraphPair(a.paragraph_id, a.ar, layer_a, layer_b, translation))
    return pairs


def agreement_of_article(article_id: int) -> dict:
    """The agreement figures of a double-annotated article: a = its reviewer, b = its independent annotator
    (the shape of agreement.article_agreement). NotFound without the article; NotDoubleAnnotated (409) without
    an independent annotator."""
    if db.session.get(Article, article_id) is None:
        raise NotFound(f"Article {article_id} not found.")
    ids, names = _annotators(article_id)
    return agreement.article_agreement(names, paragraph_pairs(article_id, ids))


def store_translation_statistics(article_id: int) -> int:
    """Compute and store each paragraph's translation statistics (in the caller's transaction); rows still
    valid are kept, stale ones replaced. Returns how many were computed."""
    ids, _ = _annotators(article_id)
    rows = {row.paragraph_id: row for row in db.session.scalars(
        select(ParagraphAgreement).join(Paragraph, Paragraph.id == ParagraphAgreement.paragraph_id)
        .where(Paragraph.article_id == article_id))}
    computed = 0
    for pair in paragraph_pairs(article_id, ids):
        reference, hypothesis = pair.a.english, pair.b.english
        if not reference.strip() and not hypothesis.strip():
            continue  # no English on either side: no translation figure to compute
        digest = texts_hash(reference, hypothesis)
        row = rows.get(pair.id)
        if row is not None and row.texts_hash == digest:
            continue
        chrf, ter = agreement.translation_statistics(reference, hypothesis)
        value = [list(chrf), list(ter)]
        computed += 1
        if row is not None:
            row.texts_hash, row.translation = digest, value
        else:
            db.session.add(ParagraphAgreement(paragraph_id=pair.id, texts_hash=digest, translation=value))
    db.session.flush()
    return computed


def submitted_double_annotated_articles() -> list[int]:
    """The double-annotated articles whose two annotators have both submitted, by id."""
    submitted = (select(Assignment.article_id)
                 .where(Assignment.role.in_(layers.ANNOTATOR_ROLES), Assignment.submitted_at.is_not(None))
                 .group_by(Assignment.article_id).having(func.count() == 2))
    return list(db.session.scalars(select(Assignment.article_id).where(
        Assignment.role == "independent", Assignment.article_id.in_(submitted)).order_by(Assignment.article_id)))


def project_agreement(article_ids: Iterable[int] | None = None) -> dict:
    """Agreement per annotator pair (reviewer first) and over all (agreement.project_agreement's shape), over
    `article_ids` or every double-annotated article whose two annotators have both submitted."""
    counted = []
    for article_id in submitted_double_annotated_articles() if article_ids is None else article_ids:
        ids, names = _annotators(article_id)
        counts, _ = agreement.article_counts(paragraph_pairs(article_id, ids))
        counted.append((names, counts))
    return agreement.project_agreement(counted)


__all__ = ["NotDoubleAnnotated", "agreement_of_article", "paragraph_pairs", "project_agreement",
           "store_translation_statistics", "submitted_double_annotated_articles", "texts_hash"]
