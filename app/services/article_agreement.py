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
  annotators have both submitted (the dashboard and `flask agreement`). It adds the counts each article
  stored at its second submission (`store_article_counts`, `article_agreements`, keyed by the two
  submissions: a layer is locked from its submission until a send-back clears it), so the dashboard reads
  one row per article, not every article's layers.

Who may read the figures is the caller's rule (the API: admins only until adjudication, see api/agreement.py).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Article, ArticleAgreement, Assignment, Entity, EntityLink, Label, Paragraph, ParagraphAgreement, Translation
from . import Conflict, NotFound
from . import agreement
from . import layers
from .agreement import AgreementCounts, Annotation, ParagraphPair, SideCounts, TranslationStatistics


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


def _in_article(article_id: int):
    return select(Paragraph.id).where(Paragraph.article_id == article_id).scalar_subquery()


def _read_layers(article_id: int, users: tuple[int, int]) -> tuple[list[tuple[int, str]], dict, dict, dict]:
    """Both layers of the article as plain tuples, in five queries: the paragraphs (id, Arabic) in order; per
    (user, paragraph) the current revision and its English; the entities and the links of each. The same
    reading as `layers.annotations` (Arabic entities, and English ones of the current revision; links whose
    two entities are read), without its per-entity objects: this is the agreement API's hot path."""
    connection = db.session.connection()  # Core rows: no ORM result processing for thousands of them
    paragraphs: list[tuple[int, str]] = []
    current: dict[tuple[int | None, int], tuple[int | None, str]] = {}
    for user in users:
        line = layers.LineColumns(user)
        revision = aliased(Translation)
        rows = connection.execute(
            line.join(select(Paragraph.id, Paragraph.ar, line.current_revision_id, revision.text))
            .outerjoin(revision, revision.id == line.current_revision_id)
            .where(Paragraph.article_id == article_id).order_by(Paragraph.position)).all()
        if not paragraphs:
            paragraphs = [(pid, ar) for pid, ar, _, _ in rows]
        current.update({(user, pid): (revision_id, text or "") for pid, _, revision_id, text in rows})
    in_article = _in_article(article_id)
    labels = {label_id: name for label_id, name in db.session.execute(select(Label.id, Label.name))}
    entities: dict[tuple[int | None, int], list] = {}
    for pid, owner, lang, start, end, label_id, translation_id in connection.execute(
            select(Entity.paragraph_id, Entity.layer_user_id, Entity.lang, Entity.start, Entity.end, Entity.label_id,
                   Entity.translation_id)
            .where(Entity.paragraph_id.in_(in_article), Entity.layer_user_id.in_(users))):
        if lang == "ar" or translation_id == current[(owner, pid)][0]:
            entities.setdefault((owner, pid), []).append((lang, start, end, labels[label_id]))
    ar, en = aliased(Entity), aliased(Entity)
    links: dict[tuple[int | None, int], list] = {}
    for pid, owner, ar_start, ar_end, en_start, en_end, en_translation_id in connection.execute(
            select(ar.paragraph_id, ar.layer_user_id, ar.start, ar.end, en.start, en.end, en.translation_id)
            .select_from(EntityLink).join(ar, ar.id == EntityLink.ar_entity_id).join(en, en.id == EntityLink.en_entity_id)
            .where(ar.paragraph_id.in_(in_article), ar.layer_user_id.in_(users))):
        if en_translation_id == current[(owner, pid)][0]:
            links.setdefault((owner, pid), []).append(((ar_start, ar_end), (en_start, en_end)))
    return paragraphs, current, entities, links


def paragraph_pairs(article_id: int, ids: dict[str, int]) -> list[ParagraphPair]:
    """Both layers of the article, paragraph by paragraph (a: the reviewer's, b: the independent annotator's),
    each annotator's current English (approved where approved), entities and links, with the stored
    translation statistics that are still valid."""
    users = (ids["reviewer"], ids["independent"])
    paragraphs, current, entities, links = _read_layers(article_id, users)
    stored = _stored_statistics(article_id)
    pairs = []
    for pid, arabic in paragraphs:
        layer_a, layer_b = (Annotation(current[(user, pid)][1], entities.get((user, pid), ()), links.get((user, pid), ()))
                            for user in users)
        translation = None
        if pid in stored:
            digest, value = stored[pid]
            if digest == texts_hash(layer_a.english, layer_b.english):
                translation = _as_statistics(value)
        pairs.append(ParagraphPair(pid, arabic, layer_a, layer_b, translation))
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


def counts_to_json(counts: AgreementCounts) -> dict:
    """`AgreementCounts` as JSON (labels and label pairs as lists)."""
    return {
        "sides": {side: {"a": dict(c.a), "b": dict(c.b), "both": dict(c.both), "tokens": c.tokens,
                         "pairs": [[a, b, n] for (a, b), n in sorted(c.pairs.items())]}
                  for side, c in counts.sides.items()},
        "links": list(counts.links), "chrf": list(counts.chrf), "ter": list(counts.ter),
        "translated": counts.translated, "articles": counts.articles,
    }


def counts_from_json(data: dict) -> AgreementCounts:
    sides = {side: SideCounts(Counter(c["a"]), Counter(c["b"]), Counter(c["both"]), int(c["tokens"]),
                              Counter({(a, b): int(n) for a, b, n in c["pairs"]}))
             for side, c in data["sides"].items()}
    a, b, both = (int(n) for n in data["links"])
    return AgreementCounts(sides, (a, b, both), tuple(int(n) for n in data["chrf"]),
                           (float(data["ter"][0]), float(data["ter"][1])), int(data["translated"]),
                           int(data["articles"]))


def _submissions() -> dict[int, str]:
    """article id -> the key of its two submissions, for every double-annotated article whose two annotators
    have both submitted."""
    submitted: dict[int, list[tuple[str, int, object]]] = {}
    double = select(Assignment.article_id).where(Assignment.role == "independent")
    for article_id, role, user_id, at in db.session.execute(
            select(Assignment.article_id, Assignment.role, Assignment.user_id, Assignment.submitted_at)
            .where(Assignment.role.in_(layers.ANNOTATOR_ROLES), Assignment.submitted_at.is_not(None),
                   Assignment.article_id.in_(double))):
        submitted.setdefault(article_id, []).append((role, user_id, at))
    return {article_id: _key(both) for article_id, both in sorted(submitted.items()) if len(both) == 2}


def _key(submissions) -> str:
    return "|".join(f"{role}:{user_id}:{at.isoformat()}" for role, user_id, at in sorted(submissions))


def submitted_double_annotated_articles() -> list[int]:
    """The double-annotated articles whose two annotators have both submitted, by id."""
    return list(_submissions())


def store_article_counts(article_id: int) -> None:
    """Store the article's agreement counts under the key of its two submissions (in the caller's transaction,
    once both annotators have submitted; the translation statistics stored first)."""
    key = _submissions().get(article_id)
    if key is None:
        return
    ids, _ = _annotators(article_id)
    counts, _ = agreement.article_counts(paragraph_pairs(article_id, ids))
    row = db.session.scalar(select(ArticleAgreement).where(ArticleAgreement.article_id == article_id))
    if row is None:
        db.session.add(ArticleAgreement(article_id=article_id, submitted_key=key, counts=counts_to_json(counts)))
    else:
        row.submitted_key, row.counts = key, counts_to_json(counts)
    db.session.flush()


def project_agreement(article_ids: Iterable[int] | None = None) -> dict:
    """Agreement per annotator pair (reviewer first) and over all (agreement.project_agreement's shape), over
    `article_ids` or every double-annotated article whose two annotators have both submitted. An article's
    counts stored at its second submission are used while the submissions are those (its layers are locked
    meanwhile); others are computed from the layers."""
    submissions = _submissions()
    stored = {article_id: (key, counts) for article_id, key, counts in db.session.execute(
        select(ArticleAgreement.article_id, ArticleAgreement.submitted_key, ArticleAgreement.counts))}
    counted = []
    for article_id in submissions if article_ids is None else article_ids:
        ids, names = _annotators(article_id)
        if article_id in stored and article_id in submissions and stored[article_id][0] == submissions[article_id]:
            counts = counts_from_json(stored[article_id][1])
        else:
            counts, _ = agreement.article_counts(paragraph_pairs(article_id, ids))
        counted.append((names, counts))
    return agreement.project_agreement(counted)


__all__ = ["NotDoubleAnnotated", "agreement_of_article", "counts_from_json", "counts_to_json", "paragraph_pairs", "project_agreement",
           "store_article_counts", "store_translation_statistics", "submitted_double_annotated_articles", "texts_hash"]
