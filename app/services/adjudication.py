"""Adjudication of double-annotated articles: the curation view's data and writing the gold
(docs/architecture.md, "Adjudication"; issue 18, items 3 and 4).

Once both annotators of a double-annotated article have submitted their layers (services/layers.py) the
article is `submitted`, awaiting adjudication. A curator (users.role `curator`) or an admin resolves each
paragraph's disagreements and `adjudicate` writes the paragraph's gold into its ordinary line:

- **English**: a's or b's current English, or a text the curator wrote. A layer's English keeps its origin
  and author (the annotator wrote those words; a machine draft approved unchanged stays that very shared
  revision); a written text is the curator's own (origin human). The audit event names the curator either way.
- **Entities**: copies of the accepted ones, in the ordinary line. An English entity keeps its offsets when
  its layer's English is the gold English; otherwise its text is looked for in the gold English (the same
  occurrence, counted from the start, or the last one when the gold has fewer) and refused (422) when absent.
  Two accepted entities on the same span with the same label are refused: accept one.
- **Links**: each accepted link (a link id, or an `[Arabic entity id, English entity id]` pair of one layer)
  joins the gold entities that its two entities became, or those of the other layer on the same span and
  label; it is refused when either is not in the gold.
- **Approval**: the paragraph is approved (a `ParagraphApproval` by the curator, so suggestions, the glossary,
  the translation memory and exports see the gold) and a `ParagraphAdjudication` records the curator and the
  two layers' agreement on it (entity F1, chrF). A refusal changes nothing.

When the last paragraph is adjudicated, `articles.adjudicated_at` is set and `layers.line_of` gives everyone
the gold; the article stays `submitted` for its second reviewer, who then reviews the gold, or without one
moves to `approved`, as an approved single-annotated article.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, select, update

from ..database import inserted_id
from ..extensions import db
from ..models import (Article, Assignment, Entity, EntityLink, Label, Paragraph, ParagraphAdjudication,
                      ParagraphApproval, Translation, User, utcnow)
from . import Conflict, Forbidden, NotFound, ServiceError, notifications
from . import agreement as agreement_figures
from . import layers
from .audit import record_event


class AdjudicationError(ServiceError):
    """An adjudication that cannot be written as asked (HTTP 422): a domain refusal, whose message names the
    entity, link or English at fault (`field` says which part of the request, for callers of the service;
    the API's `error.details` stay those of request validation)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotAwaitingAdjudication(Conflict):
    """The article is not double-annotated, or not submitted by both annotators, or adjudicated already (409)."""


def check_may_curate(actor: User) -> None:
    if not actor.may_curate:
        raise Forbidden("Only curators and admins adjudicate double-annotated articles.")


def articles_to_curate() -> list[Article]:
    """Double-annotated articles both annotators submitted and no curator finished adjudicating, by id."""
    return list(db.session.scalars(
        select(Article).where(Article.status == "submitted", Article.adjudicated_at.is_(None),
                              select(Assignment.id).where(Assignment.article_id == Article.id,
                                                          Assignment.role == "independent").exists())
        .order_by(Article.id)))


def article_for_curation(article_id: int, actor: User) -> Article:
    """The article, if the actor may adjudicate it now: a curator or an admin, on a double-annotated article
    both annotators submitted, not adjudicated yet (NotAwaitingAdjudication, 409, says which it is not)."""
    check_may_curate(actor)
    article = db.session.get(Article, article_id)
    if article is None:
        raise NotFound(f"Article {article_id} not found.")
    if not layers.is_double_annotated(article_id):
        raise NotAwaitingAdjudication("This article is not annotated twice, independently: there is nothing to "
                                      "adjudicate.")
    if article.adjudicated_at is not None:
        raise NotAwaitingAdjudication("This article is adjudicated already: its gold is with its second reviewer "
                                      "or approved.")
    if article.status != "submitted":
        raise NotAwaitingAdjudication(f"This article is {article.status.replace('_', ' ')}: it is adjudicated once "
                                      "both annotators have submitted their annotation.")
    return article


# --- aligning the two layers: the curation view -----------------------------------------------------------

def _entity(e: layers.LayerEntity) -> dict:
    return {"id": e.id, "lang": e.lang, "start": e.start, "end": e.end, "label": e.label, "text": e.text}


def _occurrence(text: str, surface: str, start: int) -> int:
    """Which occurrence (0, 1, …) of `surface` in `text` starts at `start`."""
    count, at = 0, text.find(surface)
    while 0 <= at < start:
        count += 1
        at = text.find(surface, at + 1)
    return count


def _overlap_groups(a: list[layers.LayerEntity], b: list[layers.LayerEntity]) -> list[dict]:
    """The entities of one side on one text that are not agreed, in groups of overlapping spans."""
    spans = sorted([(e.start, e.end, "a", e) for e in a] + [(e.start, e.end, "b", e) for e in b],
                   key=lambda item: (item[0], item[1], item[2]))
    groups: list[dict] = []
    end = -1
    for start, stop, who, entity in spans:
        if not groups or start >= end:
            groups.append({"a": [], "b": []})
            end = stop
        end = max(end, stop)
        groups[-1][who].append(_entity(entity))
    return groups


def align(a: layers.LayerParagraph, b: layers.LayerParagraph) -> dict:
    """One paragraph's two layers side by side: agreed entities (same span and label; on English texts that
    differ, the k-th same text and label, as the agreement figures count them), the others in groups of
    disagreement (overlapping spans; on differing English, the same text), and links likewise (agreed: the
    same two spans, or texts; the others grouped by their Arabic span)."""
    same_english = (a.current_english or "") == (b.current_english or "")
    agreed: list[dict] = []
    groups: list[dict] = []
    for side in ("ar", "en"):
        mine = [e for e in a.entities if e.lang == side]
        theirs = [e for e in b.entities if e.lang == side]
        if side == "ar" or same_english:
            def key(e: layers.LayerEntity, text: str) -> tuple:
                return (e.start, e.end, e.label)
        else:
            def key(e: layers.LayerEntity, text: str) -> tuple:
                return (e.text, e.label, _occurrence(text, e.text, e.start))
        a_keys = {key(e, a.current_english or ""): e for e in mine}
        b_keys = {key(e, b.current_english or ""): e for e in theirs}
        both = [k for k in a_keys if k in b_keys]
        agreed += [{"side": side, "a": _entity(a_keys[k]), "b": _entity(b_keys[k])} for k in both]
        rest_a = [e for k, e in a_keys.items() if k not in b_keys]
        rest_b = [e for k, e in b_keys.items() if k not in a_keys]
        if side == "ar" or same_english:
            side_groups = _overlap_groups(rest_a, rest_b)
        else:
            by_text: dict[str, dict] = {}
            for who, entities in (("a", rest_a), ("b", rest_b)):
                for e in entities:
                    by_text.setdefault(e.text.casefold(), {"a": [], "b": []})[who].append(_entity(e))
            side_groups = list(by_text.values())
        groups += [{"side": side, **group} for group in side_groups]

    def link_key(link: tuple, text: str) -> tuple:
        ar, en = link
        en_key = (en.start, en.end) if same_english else (en.text, _occurrence(text, en.text, en.start))
        return (ar.start, ar.end, en_key)

    def link(pair: tuple) -> dict:
        ar, en = pair
        return {"ar": _entity(ar), "en": _entity(en)}

    a_links = {link_key(k, a.current_english or ""): k for k in a.links}
    b_links = {link_key(k, b.current_english or ""): k for k in b.links}
    agreed_links = [{"a": link(a_links[k]), "b": link(b_links[k])} for k in a_links if k in b_links]
    link_groups: dict[tuple, dict] = {}
    for who, own, other in (("a", a_links, b_links), ("b", b_links, a_links)):
        for k, pair in own.items():
            if k not in other:
                link_groups.setdefault(k[:2], {"a": [], "b": []})[who].append(link(pair))
    return {"agreed": agreed, "groups": groups, "agreed_links": agreed_links, "link_groups": list(link_groups.values())}


def word_diff(a: str, b: str) -> list[dict]:
    """`review.word_diff`'s parts (the same tokens; a run of changes as a deletion then an insertion) by
    rapidfuzz's Indel alignment of the tokens: difflib took seconds over an article of 500 paragraphs."""
    from rapidfuzz.distance import Indel

    from .review import _DIFF_TOKENS

    x, y = _DIFF_TOKENS.findall(a), _DIFF_TOKENS.findall(b)
    parts: list[dict] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            parts.append({"op": "delete", "text": "".join(deleted)})
        if inserted:
            parts.append({"op": "insert", "text": "".join(inserted)})
        deleted.clear()
        inserted.clear()

    for op in Indel.opcodes(x, y):
        if op.tag == "equal":
            flush()
            parts.append({"op": "equal", "text": "".join(x[op.src_start:op.src_end])})
        elif op.tag == "delete":
            deleted += x[op.src_start:op.src_end]
        else:
            inserted += y[op.dest_start:op.dest_end]
    flush()
    return parts


PAGE_SIZE = 50  # paragraphs on one page of the curation view (the app's CURATION_PAGE_SIZE)


class NoSuchPage(NotFound):
    """A page of the curation view beyond the article's last (404)."""


def curation(article_id: int, actor: User, page: int | None = None, per_page: int = PAGE_SIZE) -> dict:
    """What one page of the curation view shows of an article awaiting adjudication: its annotators' names,
    the article's pages (`per_page` paragraphs each, in reading order: their positions and how many of their
    paragraphs are not adjudicated yet) and, per paragraph of page `page`, the Arabic, both Englishes and
    their word diff, the alignment of the two layers (`align`), and the adjudication so far. Without `page`,
    the first page with a paragraph not adjudicated (the first page when all are). Plain data in about a
    dozen queries whatever the article's length; only the page's paragraphs are read and aligned, so its
    cost does not grow with the article (docs/architecture.md, "Adjudication")."""
    if not isinstance(per_page, int) or per_page < 1:
        raise ServiceError("A page holds at least one paragraph.")
    article = article_for_curation(article_id, actor)
    ids = layers.annotator_ids(article_id)
    names = layers.annotator_names(article_id)
    done = _adjudications(article_id)
    outline = list(db.session.execute(select(Paragraph.id, Paragraph.position)
                                      .where(Paragraph.article_id == article_id).order_by(Paragraph.position)))
    chunks = [outline[at:at + per_page] for at in range(0, len(outline), per_page)] or [[]]
    pages = [{"number": number, "first": chunk[0].position + 1 if chunk else 0,
              "last": chunk[-1].position + 1 if chunk else 0, "open": sum(row.id not in done for row in chunk)}
             for number, chunk in enumerate(chunks, start=1)]
    if page is None:
        page = next((p["number"] for p in pages if p["open"]), 1)
    elif isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= len(pages):
        raise NoSuchPage(f"There is no page {page} of this article's curation: its pages are 1 to {len(pages)}.")
    on_page = [row.id for row in chunks[page - 1]]
    a_layer = layers.annotations(article_id, ids["reviewer"], paragraph_ids=on_page)
    b_layer = layers.annotations(article_id, ids["independent"], paragraph_ids=on_page)
    paragraphs = []
    for a, b in zip(a_layer, b_layer):
        english_a, english_b = a.current_english or "", b.current_english or ""
        paragraphs.append({
            "id": a.paragraph_id, "position": a.position, "ar": a.ar,
            "english": {"a": english_a, "b": english_b, "same": english_a == english_b,
                        "diff": [] if english_a == english_b else word_diff(english_a, english_b)},
            **align(a, b), "adjudicated": done.get(a.paragraph_id),
        })
    return {"article": {"id": article.id, "title": article.title, "status": article.status},
            "annotators": {"a": names.get("reviewer"), "b": names.get("independent")},
            "page": page, "pages": pages, "total": len(outline), "remaining": sum(p["open"] for p in pages),
            "paragraphs": paragraphs}


def _adjudications(article_id: int) -> dict[int, dict]:
    return {pid: {"by": username, "english_from": english_from} for pid, username, english_from in db.session.execute(
        select(ParagraphAdjudication.paragraph_id, User.username, ParagraphAdjudication.english_from)
        .join(Paragraph, Paragraph.id == ParagraphAdjudication.paragraph_id)
        .outerjoin(User, User.id == ParagraphAdjudication.curator_id)
        .where(Paragraph.article_id == article_id))}


# --- the agreement of one paragraph ------------------------------------------------------------------------

def paragraph_agreement(article_id: int, paragraph_id: int) -> dict:
    """{"entities_f1", "translation_chrf"} of the two layers on one paragraph, as the agreement figures give
    them (services/agreement.py). The one place that computes them here: it becomes a look-up in the
    article's stored agreement (`agreement_of_article(article_id)["paragraphs"]`) once that exists."""
    ids = layers.annotator_ids(article_id)
    a, b = (layers.annotations(article_id, ids[role], paragraph_id=paragraph_id)[0]
            for role in ("reviewer", "independent"))

    def annotation(p: layers.LayerParagraph) -> agreement_figures.Annotation:
        return agreement_figures.Annotation(
            p.current_english or "", [(e.lang, e.start, e.end, e.label) for e in p.entities],
            [((ar.start, ar.end), (en.start, en.end)) for ar, en in p.links])

    figures = agreement_figures.article_agreement(
        ["a", "b"], [agreement_figures.ParagraphPair(paragraph_id, a.ar, annotation(a), annotation(b))])
    row = figures["paragraphs"][0]
    return {"entities_f1": row["entities_f1"], "translation_chrf": row["translation_chrf"]}


# --- writing the gold ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdjudicationResult:
    paragraph_id: int
    version: int
    revision_id: int
    english_from: str
    entities: int
    links: int
    agreement: dict
    article_status: str
    article_adjudicated: bool
    remaining: int  # paragraphs of the article not adjudicated yet


def _refuse(message: str, field: str | None = None) -> AdjudicationError:
    db.session.rollback()
    return AdjudicationError(message, field)


def _gold_span(entity: layers.LayerEntity, layer_text: str, gold: str) -> tuple[int, int]:
    """Where an English entity of a layer stands in the gold English (see the module docstring)."""
    if layer_text == gold:
        return entity.start, entity.end
    starts = []
    at = gold.find(entity.text)
    while at >= 0:
        starts.append(at)
        at = gold.find(entity.text, at + 1)
    if not starts:
        raise _refuse(f"The English entity {entity.text!r} ({entity.label}) is not in the gold English: take the "
                      "English it was tagged on, or leave it out.", "entities.accept")
    start = starts[min(_occurrence(layer_text, entity.text, entity.start), len(starts) - 1)]
    return start, start + len(entity.text)


def adjudicate(paragraph_id: object, *, actor: User, translation: object, entities: object = (),
               links: object = ()) -> AdjudicationResult:
    """Write the gold of one paragraph from its two layers (see the module docstring).

    `translation`: {"from": "a"|"b"} or {"text": str}; `entities`: entity ids of either layer; `links`: link
    ids or [Arabic entity id, English entity id] pairs of either layer. Refusals change nothing: 403 for who
    may not curate, 404 for no such paragraph, 409 for an article not awaiting adjudication, 422 for the rest.
    """
    from .effort import edit_effort
    from .glossary import learn_from_paragraph
    from .paragraph_lock import take_lock
    from .paragraph_qa import refresh_qa
    from .review import clean_translation_text

    check_may_curate(actor)
    if not isinstance(paragraph_id, int) or isinstance(paragraph_id, bool):
        raise AdjudicationError("A paragraph id is an integer.")
    entity_ids = _ids(entities, "entities.accept")
    link_refs = _link_refs(links)
    source = _translation_source(translation)
    written = clean_translation_text(translation["text"]) if source == "text" else None  # type: ignore[index]
    article_id = db.session.scalar(select(Paragraph.article_id).where(Paragraph.id == paragraph_id))
    if article_id is None:
        raise NotFound(f"Paragraph {paragraph_id} not found.")
    take_lock(paragraph_id)
    try:
        article = article_for_curation(article_id, actor)
    except ServiceError:
        db.session.rollback()
        raise
    ids = layers.annotator_ids(article_id)
    a, b = (layers.annotations(article_id, ids[role], paragraph_id=paragraph_id)[0]
            for role in ("reviewer", "independent"))
    line_of = {"a": a, "b": b}

    # The English.
    if written is not None:
        gold, english_revision = written, None
    else:
        layer = line_of[source]
        if layer.current_revision_id is None or layer.current_english is None:
            raise _refuse(f"Annotator {source} has no English in this paragraph: take the other's, or write it.",
                          "translation")
        gold = layer.current_english
        english_revision = layer.current_revision_id

    # The entities, where they stand in the gold.
    by_id = {e.id: (who, e) for who, p in line_of.items() for e in p.entities}
    gold_entities: dict[tuple, tuple[int, layers.LayerEntity]] = {}  # (lang, start, end, label) -> (id, entity)
    for entity_id in entity_ids:
        if entity_id not in by_id:
            raise _refuse(f"Entity {entity_id} is not an entity of this paragraph's two annotations.",
                          "entities.accept")
        who, entity = by_id[entity_id]
        key = _gold_key(entity, line_of[who], gold)
        if key in gold_entities:
            other = gold_entities[key][0]
            raise _refuse(f"Entities {other} and {entity_id} are the same span {entity.text!r} with the same label "
                          f"{entity.label}: accept one of them.", "entities.accept")
        gold_entities[key] = (entity_id, entity)

    # The links, between gold entities.
    pairs = _resolve_links(link_refs, a, b)
    gold_links: set[tuple[tuple, tuple]] = set()
    for who, ar, en in pairs:
        ends = (_gold_key(ar, line_of[who], gold), _gold_key(en, line_of[who], gold))
        missing = [e.text for e, k in zip((ar, en), ends) if k not in gold_entities]
        if missing:
            raise _refuse(f"The link {ar.text!r} — {en.text!r} joins {' and '.join(repr(m) for m in missing)}, "
                          "not in the gold: accept that entity too, or leave the link out.", "links.accept")
        gold_links.add(ends)

    figures = paragraph_agreement(article_id, paragraph_id)
    connection = db.session.connection()
    paragraph = connection.execute(select(Paragraph.version, Paragraph.status, Paragraph.current_revision_id)
                                   .where(Paragraph.id == paragraph_id)).one()
    revision_id = _gold_revision(connection, paragraph_id, gold, english_revision, paragraph.current_revision_id,
                                 actor)
    # The gold's entities and links replace the ordinary line's (Arabic ones, and those of the gold revision).
    old_entities = (select(Entity.id).where(Entity.paragraph_id == paragraph_id, Entity.layer_user_id.is_(None),
                                            (Entity.lang == "ar") | (Entity.translation_id == revision_id)))
    connection.execute(delete(EntityLink).where(EntityLink.ar_entity_id.in_(old_entities)
                                                | EntityLink.en_entity_id.in_(old_entities)))
    connection.execute(delete(Entity).where(Entity.paragraph_id == paragraph_id, Entity.layer_user_id.is_(None),
                                            (Entity.lang == "ar") | (Entity.translation_id == revision_id)))
    labels = {name: label_id for name, label_id in db.session.execute(select(Label.name, Label.id))}
    now = utcnow()
    new_ids: dict[tuple, int] = {}
    for key in sorted(gold_entities, key=lambda k: (k[0], k[1], k[2], k[3])):
        lang, start, end, label = key
        text = gold[start:end] if lang == "en" else gold_entities[key][1].text
        new_ids[key] = inserted_id(connection.execute(insert(Entity).values(
            paragraph_id=paragraph_id, lang=lang, translation_id=revision_id if lang == "en" else None, start=start,
            end=end, label_id=labels[label], text=text, flagged=False, author_id=actor.id, created_at=now,
            layer_user_id=None)))
    for ar_key, en_key in sorted(gold_links):
        connection.execute(insert(EntityLink).values(ar_entity_id=new_ids[ar_key], en_entity_id=new_ids[en_key],
                                                     author_id=actor.id, created_at=now))
    machine = connection.execute(
        select(Translation.id, Translation.text)
        .where(Translation.paragraph_id == paragraph_id, Translation.origin == "machine")
        .order_by(Translation.id.desc()).limit(1)).first()
    distance, hter = edit_effort(machine.text if machine else None, gold)
    connection.execute(update(Paragraph).where(Paragraph.id == paragraph_id).values(
        status="approved", version=paragraph.version + 1, current_revision_id=revision_id,
        approved_revision_id=revision_id, pending_seconds=0))
    refresh_qa(paragraph_id)
    db.session.add(ParagraphApproval(paragraph_id=paragraph_id, revision_id=revision_id,
                                     machine_revision_id=machine.id if machine else None, approved_by_id=actor.id,
                                     seconds_spent=0, char_edit_distance=distance, hter=hter))
    db.session.flush()
    learn_from_paragraph(paragraph_id)
    connection.execute(delete(ParagraphAdjudication).where(ParagraphAdjudication.paragraph_id == paragraph_id))
    connection.execute(insert(ParagraphAdjudication).values(
        paragraph_id=paragraph_id, curator_id=actor.id, adjudicated_at=now, revision_id=revision_id,
        english_from=source, entities_f1=figures["entities_f1"], translation_chrf=figures["translation_chrf"]))
    record_event(actor, "paragraph.adjudicate", "paragraph", paragraph_id,
                 before={"status": paragraph.status, "version": paragraph.version,
                         "revision_id": paragraph.current_revision_id},
                 after={"status": "approved", "version": paragraph.version + 1, "revision_id": revision_id,
                        "english_from": source, "entities": sorted(entity_ids), "links": len(gold_links),
                        "annotators": layers.annotator_names(article_id), **figures})
    remaining = _remaining(article_id)
    if remaining == 0:
        _finish(article, actor)
    db.session.commit()
    return AdjudicationResult(paragraph_id, paragraph.version + 1, revision_id, source, len(gold_entities),
                              len(gold_links), figures, article.status, remaining == 0, remaining)


def _ids(value: object, field: str) -> list[int]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise AdjudicationError("A list of entity ids is expected.", field)
    return list(dict.fromkeys(value))


def _link_refs(value: object) -> list[int | tuple[int, int]]:
    refs: list[int | tuple[int, int]] = []
    if not isinstance(value, (list, tuple)):
        raise AdjudicationError("A list of link ids or [Arabic entity id, English entity id] pairs is expected.",
                                "links.accept")
    for ref in value:
        if isinstance(ref, int) and not isinstance(ref, bool):
            refs.append(ref)
        elif (isinstance(ref, (list, tuple)) and len(ref) == 2
              and all(isinstance(v, int) and not isinstance(v, bool) for v in ref)):
            refs.append((ref[0], ref[1]))
        else:
            raise AdjudicationError("A link is its id or an [Arabic entity id, English entity id] pair.",
                                    "links.accept")
    return list(dict.fromkeys(refs))


def _translation_source(translation: object) -> str:
    if isinstance(translation, dict) and set(translation) == {"from"} and translation["from"] in ("a", "b"):
        return str(translation["from"])
    if isinstance(translation, dict) and set(translation) == {"text"}:
        return "text"
    raise AdjudicationError('The English of the gold is {"from": "a"} or {"from": "b"} (an annotator\'s) or '
                            '{"text": "…"} (written by the curator).', "translation")


def _gold_key(entity: layers.LayerEntity, layer: layers.LayerParagraph, gold: str) -> tuple:
    if entity.lang == "ar":
        return ("ar", entity.start, entity.end, entity.label)
    start, end = _gold_span(entity, layer.current_english or "", gold)
    return ("en", start, end, entity.label)


def _resolve_links(refs: Iterable[int | tuple[int, int]], a: layers.LayerParagraph,
                   b: layers.LayerParagraph) -> list[tuple[str, layers.LayerEntity, layers.LayerEntity]]:
    """(layer, Arabic entity, English entity) of each link asked for; refused unless it is a link of one of
    the two layers of this paragraph."""
    by_pair = {(ar.id, en.id): (who, ar, en) for who, p in (("a", a), ("b", b)) for ar, en in p.links}
    wanted_ids = [r for r in refs if isinstance(r, int)]
    by_link_id: dict[int, tuple[int, int]] = {}
    if wanted_ids:
        by_link_id = {link_id: (ar_id, en_id) for link_id, ar_id, en_id in db.session.execute(
            select(EntityLink.id, EntityLink.ar_entity_id, EntityLink.en_entity_id)
            .where(EntityLink.id.in_(wanted_ids)))}
    resolved = []
    for ref in refs:
        pair = by_link_id.get(ref) if isinstance(ref, int) else ref
        if pair is None or pair not in by_pair:
            shown = ref if isinstance(ref, int) else list(ref)
            raise _refuse(f"Link {shown} is not a link of this paragraph's two annotations.", "links.accept")
        resolved.append(by_pair[pair])
    return list(dict.fromkeys(resolved))


def _gold_revision(connection, paragraph_id: int, gold: str, layer_revision: int | None, current: int | None,
                   actor: User) -> int:
    """The gold's English revision: a layer's machine draft as it is (shared, in the ordinary line), else a new
    revision in the ordinary line with the layer revision's origin and author, or the curator's own text."""
    origin, author_id = "human", actor.id
    if layer_revision is not None:
        row = connection.execute(select(Translation.origin, Translation.author_id, Translation.layer_user_id)
                                 .where(Translation.id == layer_revision)).one()
        if row.origin == "machine" and row.layer_user_id is None:
            return layer_revision
        origin, author_id = row.origin, row.author_id
    return inserted_id(connection.execute(insert(Translation).values(
        paragraph_id=paragraph_id, text=gold, origin=origin, author_id=author_id, parent_id=current,
        created_at=utcnow(), layer_user_id=None)))


def _remaining(article_id: int) -> int:
    total = db.session.scalar(select(func.count()).select_from(Paragraph).where(Paragraph.article_id == article_id))
    done = db.session.scalar(select(func.count()).select_from(ParagraphAdjudication)
                             .join(Paragraph, Paragraph.id == ParagraphAdjudication.paragraph_id)
                             .where(Paragraph.article_id == article_id))
    return int(total or 0) - int(done or 0)


def _finish(article: Article, actor: User) -> None:
    """Every paragraph adjudicated: everyone reads the gold now; on to the second reviewer, or approved."""
    article.adjudicated_at = utcnow()
    has_second = db.session.scalar(select(Assignment.id).where(
        Assignment.article_id == article.id, Assignment.role == "second_reviewer")) is not None
    record_event(actor, "article.adjudicate", "article", article.id, before={"status": article.status},
                 after={"status": article.status if has_second else "approved",
                        "next": "second_reviewer" if has_second else "approved"})
    if has_second:  # the gold is theirs to review now
        notifications.adjudicated(article.id, actor)
    else:
        before = article.status
        article.status = "approved"
        record_event(actor, "article.approve", "article", article.id, before={"status": before},
                     after={"status": "approved", "adjudicated": True})
        notifications.approved(article.id, actor)


def adjudicated_by(paragraph_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{paragraph id: {"by": curator's username, "entities_f1", "translation_chrf"}} of those adjudicated."""
    if not paragraph_ids:
        return {}
    return {pid: {"by": username, "entities_f1": f1, "translation_chrf": chrf}
            for pid, username, f1, chrf in db.session.execute(
                select(ParagraphAdjudication.paragraph_id, User.username, ParagraphAdjudication.entities_f1,
                       ParagraphAdjudication.translation_chrf)
                .outerjoin(User, User.id == ParagraphAdjudication.curator_id)
                .where(ParagraphAdjudication.paragraph_id.in_(paragraph_ids)))}


__all__ = ["PAGE_SIZE", "AdjudicationError", "AdjudicationResult", "NoSuchPage", "NotAwaitingAdjudication", "adjudicate", "adjudicated_by",
           "align", "article_for_curation", "articles_to_curate", "check_may_curate", "curation",
           "paragraph_agreement"]
