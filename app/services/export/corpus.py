"""Reading the corpus to export: which paragraphs (a Selection) and one record per paragraph.

A record is the JSONL line of docs/exports.md as a dict; the other formats take
their fields from it. Records are read in chunks from one snapshot of the
database (one read transaction), ordered by article and position, so memory
stays flat however large the corpus and a release never mixes two states.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

import orjson
from sqlalchemy import Text, and_, cast, exists, func, literal_column, select
from sqlalchemy.engine import Connection, Engine

from ...models import (
    Article,
    Assignment,
    Entity,
    EntityLink,
    Label,
    Paragraph,
    ParagraphAdjudication,
    ParagraphApproval,
    Translation,
    User,
)
from ...database import one_of_ids, utc_text
from .. import ServiceError
from ..rows import driver_connection, driver_sql, is_sqlite, plain_rows

STATUSES = ("approved", "any")
# "text": titles and body paragraphs (what an MT corpus wants); "all" adds captions and credits.
KINDS = {"text": ("title", "body"), "all": ("title", "body", "caption", "credit")}
CHUNK = 1000  # paragraphs read (and their entities, drafts, approvals) per round trip

P = Paragraph.__table__
A = Article.__table__
T = Translation.__table__
E = Entity.__table__
L = EntityLink.__table__
PA = ParagraphApproval.__table__
U = User.__table__
AS = Assignment.__table__
LB = Label.__table__
ADJ = ParagraphAdjudication.__table__


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction for a whole export, on a connection of its own (never a request's session)."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")  # pysqlite would not begin one for reads
        else:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield connection
        finally:
            connection.rollback()


class SelectionError(ServiceError):
    """A filter that names something that does not exist, or a range that cannot match."""


@dataclass(frozen=True)
class Selection:
    """Which paragraphs to export. The defaults give the approved titles and body text of every article."""

    article_ids: tuple[int, ...] = ()
    status: str = "approved"  # "approved": approved paragraphs, their approved English; "any": current English
    kind: str = "text"  # see KINDS
    published_from: date | None = None  # the article's publication date, inclusive
    published_to: date | None = None
    approved_from: date | None = None  # the day (UTC) the exported English was approved, inclusive
    approved_to: date | None = None
    reviewer: str | None = None  # articles assigned to this user (as reviewer or second reviewer)
    labels: tuple[str, ...] = ()  # export only entities with these labels; empty: all labels
    label_ids: tuple[int, ...] = field(default=(), compare=False, repr=False)  # resolved by `checked`
    reviewer_id: int | None = field(default=None, compare=False, repr=False)
    # Articles with ids in [low, high] (None: open): how a parallel export splits the work.
    article_range: tuple[int | None, int | None] = field(default=(None, None), repr=False)


def checked(connection: Connection, selection: Selection) -> Selection:
    """The selection with its names resolved, or SelectionError saying which filter is wrong."""
    if selection.status not in STATUSES:
        raise SelectionError(f"status must be one of: {', '.join(STATUSES)}.")
    if selection.kind not in KINDS:
        raise SelectionError(f"kind must be one of: {', '.join(KINDS)}.")
    for name, low, high in (("published", selection.published_from, selection.published_to),
                            ("approved", selection.approved_from, selection.approved_to)):
        if low and high and low > high:
            raise SelectionError(f"{name}_from ({low}) is after {name}_to ({high}).")
    if (selection.approved_from or selection.approved_to) and selection.status != "approved":
        raise SelectionError("An approval date range needs status 'approved'.")
    resolved = {}
    if selection.reviewer is not None:
        user_id = connection.execute(select(U.c.id).where(U.c.username == selection.reviewer)).scalar()
        if user_id is None:
            raise SelectionError(f"No user named {selection.reviewer!r}.")
        resolved["reviewer_id"] = user_id
    if selection.labels:
        known: dict[str, int] = dict(connection.execute(select(LB.c.name, LB.c.id)).all())
        unknown = [name for name in selection.labels if name not in known]
        if unknown:
            raise SelectionError(
                f"Unknown label(s): {', '.join(unknown)}. Known labels: {', '.join(sorted(known))}."
            )
        resolved["label_ids"] = tuple(known[name] for name in selection.labels)
    return replace(selection, **resolved)


def _exported_revision(selection: Selection):
    return P.c.approved_revision_id if selection.status == "approved" else P.c.current_revision_id


def _where(selection: Selection):
    """The SQL conditions of a selection (shared by the count and the records)."""
    conditions = [P.c.kind.in_(KINDS[selection.kind])]
    if selection.status == "approved":
        conditions.append(P.c.status == "approved")
    if selection.article_ids:
        conditions.append(P.c.article_id.in_(selection.article_ids))
    if selection.published_from:
        conditions.append(A.c.published >= selection.published_from)
    if selection.published_to:
        conditions.append(A.c.published <= selection.published_to)
    if selection.approved_from or selection.approved_to:
        approval = [PA.c.paragraph_id == P.c.id, PA.c.revision_id == P.c.approved_revision_id]
        if selection.approved_from:
            approval.append(PA.c.approved_at >= _midnight_utc(selection.approved_from))
        if selection.approved_to:
            approval.append(PA.c.approved_at < _midnight_utc(selection.approved_to + timedelta(days=1)))
        conditions.append(exists().where(and_(*approval)))
    if selection.reviewer_id is not None:
        conditions.append(exists().where(AS.c.article_id == P.c.article_id, AS.c.user_id == selection.reviewer_id))
    low, high = selection.article_range
    if low is not None:
        conditions.append(P.c.article_id >= low)
    if high is not None:
        conditions.append(P.c.article_id <= high)
    return and_(*conditions)


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def count_paragraphs(connection: Connection, selection: Selection) -> int:
    revision = _exported_revision(selection)
    query = (
        select(func.count()).select_from(P.join(A, A.c.id == P.c.article_id))
        .where(_where(selection), revision.is_not(None))
    )
    return connection.execute(query).scalar_one()


def paragraphs_per_article(connection: Connection, selection: Selection) -> list[tuple[int, int]]:
    """(article id, paragraphs exported) in article order: where a parallel export can split the work."""
    revision = _exported_revision(selection)
    query = (
        select(P.c.article_id, func.count()).select_from(P.join(A, A.c.id == P.c.article_id))
        .where(_where(selection), revision.is_not(None))
        .group_by(P.c.article_id).order_by(P.c.article_id)
    )
    return [tuple(row) for row in connection.execute(query)]


def _paragraphs_query(selection: Selection):
    revision = _exported_revision(selection)
    return (
        select(
            P.c.id, P.c.article_id, P.c.position, P.c.kind, P.c.status, P.c.ar, cast(P.c.qa_findings, Text),
            T.c.id, T.c.text, T.c.origin, T.c.author_id, utc_text(T.c.created_at),
        )
        .select_from(P.join(A, A.c.id == P.c.article_id).join(T, T.c.id == revision))
        .where(_where(selection))
        .order_by(P.c.article_id, P.c.position)
    )


# How a chunk's links are looked up. PostgreSQL: by the ids of the chunk's Arabic entities, already read (one
# array, looked up in the links' index; a subquery would look the entities up again). SQLite: by a subquery on
# the paragraph ids (a list of entity ids could pass SQLite's limit on placeholders).
_LINKS_BY_ENTITY_IDS = {"postgresql": True, "sqlite": False}


@functools.lru_cache(maxsize=4)
def _by_ids(dialect_name: str) -> dict[str, object]:
    """The statements that read the other parts of a chunk's records, by part, each with one parameter: the
    list `ids` (paragraph ids; article ids for "articles"; for "links", see _LINKS_BY_ENTITY_IDS), bound as
    this database binds a list best."""
    def one_of(column):
        return one_of_ids(column, dialect_name)

    return {
        "articles": (
            select(A.c.id, A.c.title, A.c.source, A.c.published, A.c.original_filename, A.c.status)
            .where(one_of(A.c.id))
        ),
        "entities": (
            select(E.c.paragraph_id, E.c.id, E.c.lang, E.c.translation_id, E.c.start, E.c.end, E.c.label_id,
                   E.c.text, E.c.flagged)
            # Only the ordinary line (the gold): annotators' layers (services/layers.py) are never exported.
            .where(one_of(E.c.paragraph_id), E.c.layer_user_id.is_(None))
            .order_by(E.c.paragraph_id, E.c.start, E.c.end, E.c.id)
        ),
        "links": (
            select(L.c.ar_entity_id, L.c.en_entity_id)
            .where(one_of(L.c.ar_entity_id) if _LINKS_BY_ENTITY_IDS[dialect_name]
                   else L.c.ar_entity_id.in_(select(E.c.id).where(one_of(E.c.paragraph_id),
                                                                   E.c.layer_user_id.is_(None))))
            .order_by(L.c.ar_entity_id, L.c.en_entity_id)
        ),
        "drafts": (
            select(T.c.paragraph_id, T.c.id, T.c.text, T.c.model_id, T.c.engine, T.c.engine_version,
                   utc_text(T.c.created_at))
            .where(one_of(T.c.paragraph_id), T.c.origin == literal_column("'machine'"))
            .order_by(T.c.id)
        ),
        # Who adjudicated a paragraph of a double-annotated article, and the two layers' agreement on it.
        "adjudications": (
            select(ADJ.c.paragraph_id, U.c.username, ADJ.c.entities_f1, ADJ.c.translation_chrf)
            .select_from(ADJ.outerjoin(U, U.c.id == ADJ.c.curator_id))
            .where(one_of(ADJ.c.paragraph_id))
        ),
        "approvals": (
            select(PA.c.paragraph_id, PA.c.revision_id, PA.c.machine_revision_id, U.c.username, utc_text(PA.c.approved_at),
                   PA.c.seconds_spent, PA.c.char_edit_distance, PA.c.hter, PA.c.override_reason)
            .select_from(PA.outerjoin(U, U.c.id == PA.c.approved_by_id))
            .where(one_of(PA.c.paragraph_id))
            .order_by(PA.c.id)
        ),
    }


class _Rows:
    """Runs the export's statements as plain rows (rows.py), the many and large ones straight through the driver:
    their SQL compiled once, their rows as the driver gives them (SQLAlchemy's per-row work would cost about as
    much as the reading). On SQLite times come back as text, on PostgreSQL as naive datetimes (UTC), read in
    PostgreSQL's binary format: ids and times cost the driver less to decode than their text."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.driver = driver_connection(connection)  # sqlite3's, or psycopg's
        self.sqlite = is_sqlite(connection)
        self.by_ids = _by_ids(connection.dialect.name)
        self.sql_for_ids: dict = {}

    def all(self, statement, parameters: dict | None = None) -> list[tuple]:
        return plain_rows(self.connection, statement, parameters)

    def for_ids(self, part: str, ids: list[int]) -> list[tuple]:
        """Rows of the statement of `part` (`_by_ids`) for these ids. On SQLite its SQL is kept per number of
        ids (one placeholder each); on PostgreSQL the ids are one array parameter, one SQL for all."""
        statement = self.by_ids[part]
        if not self.sqlite:
            sql = self.sql_for_ids.get(part)
            if sql is None:
                sql, values = driver_sql(self.connection, statement, {"ids": ids})
                assert list(values) == ["ids"], "only the ids may be bound"
                self.sql_for_ids[part] = sql
            # The list as one array literal: psycopg's list dumper costs more than the query it binds.
            literal = "{" + ",".join(map(str, ids)) + "}"
            return self.driver.execute(sql, {"ids": literal}, binary=True).fetchall()
        key = (part, len(ids))
        sql = self.sql_for_ids.get(key)
        if sql is None:
            sql, values = driver_sql(self.connection, statement, {"ids": ids})
            assert values == ids, "only the ids may be bound"
            self.sql_for_ids[key] = sql
        return self.driver.execute(sql, ids).fetchall()

    def chunks(self, statement, size: int) -> Iterator[list[tuple]]:
        """The rows of `statement` in lists of `size`, never all of them in memory: on PostgreSQL from a
        server-side cursor (the other statements of the export run beside it as ordinary queries)."""
        sql, values = driver_sql(self.connection, statement)
        if self.sqlite:
            cursor = self.driver.execute(sql, values)  # sqlite3 steps through the result as rows are fetched
            while rows := cursor.fetchmany(size):
                yield rows
            return
        with self.driver.cursor(name="mizan_export") as cursor:
            cursor.itersize = size
            cursor.execute(sql, values, binary=True)
            while rows := cursor.fetchmany(size):
                yield rows


def iso_utc(value) -> str | None:
    """A stored UTC time as ISO 8601 with Z. SQLite hands back text, other databases datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        return value[:19].replace(" ", "T") + "Z"
    return value.isoformat(timespec="seconds") + "Z"


def _iso_date(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


@dataclass
class Counts:
    """What a run exported, for the report."""

    paragraphs: int = 0
    entities: int = 0
    links: int = 0


# The parts of a record beyond the paragraph's own texts, each read with one query per chunk.
# A format asks only for what it writes (CoNLL needs no approvals, TMX no entities).
PARTS = frozenset({"articles", "entities", "links", "approvals", "drafts", "qa", "adjudications"})


def iter_record_chunks(connection: Connection, selection: Selection, counts: Counts | None = None,
                       parts: frozenset[str] = PARTS) -> Iterator[list[dict]]:
    """Lists of up to CHUNK records, in article and position order. `selection` must be `checked`.

    Parts not asked for are left None (entities: no spans, links: none).
    """
    reader = _RecordReader(_Rows(connection), selection, counts if counts is not None else Counts(), parts)
    for chunk in reader.rows.chunks(_paragraphs_query(selection), CHUNK):
        yield reader.records(chunk, reader.fetch(chunk))


class _RecordReader:
    def __init__(self, rows: _Rows, selection: Selection, counts: Counts, parts: frozenset[str]):
        self.rows, self.counts, self.parts = rows, counts, parts
        self.usernames = dict(rows.all(select(U.c.id, U.c.username)))
        self.label_names = dict(rows.all(select(LB.c.id, LB.c.name)))
        self.wanted_labels = set(selection.label_ids) if selection.label_ids else None
        self.reviewers: dict[int, list[dict]] = {}
        if "articles" in parts:
            assignments = select(AS.c.article_id, AS.c.user_id, AS.c.role).order_by(AS.c.article_id, AS.c.role)
            if selection.article_ids:
                assignments = assignments.where(AS.c.article_id.in_(selection.article_ids))
            for article_id, user_id, role in rows.all(assignments):
                self.reviewers.setdefault(article_id, []).append(
                    {"username": self.usernames.get(user_id), "role": role})

    def fetch(self, chunk: list[tuple]) -> dict[str, list[tuple]]:
        """The rows of every part asked for, for a chunk of paragraph rows: one query each."""
        ids = [row[0] for row in chunk]
        rows = {}
        if "articles" in self.parts:
            rows["articles"] = self.rows.for_ids("articles", list({row[1]: None for row in chunk}))
        for part in ("entities", "links", "approvals", "drafts", "adjudications"):
            if part not in self.parts:
                continue
            if part == "links" and _LINKS_BY_ENTITY_IDS[self.rows.connection.dialect.name]:
                arabic = [row[1] for row in rows.get("entities", ()) if row[2] == "ar"]
                rows[part] = self.rows.for_ids(part, arabic) if arabic else []
            else:
                rows[part] = self.rows.for_ids(part, ids)
        return rows

    @staticmethod
    def articles(rows: list[tuple]) -> dict[int, dict]:
        return {
            article_id: {"title": title, "source": source, "published": _iso_date(published),
                         "filename": filename, "status": status}
            for article_id, title, source, published, filename, status in rows
        }

    def entities(self, rows: list[tuple], revision_of: dict[int, int]) -> tuple[dict, dict, dict[int, int]]:
        """Arabic spans, and English spans of the exported revision, per paragraph; and the kept ids."""
        ar_entities: dict[int, list[dict]] = {}
        en_entities: dict[int, list[dict]] = {}
        kept: dict[int, int] = {}  # exported Arabic entity id -> paragraph id; English ids -> 0
        wanted_labels, label_names = self.wanted_labels, self.label_names
        for paragraph_id, entity_id, lang, translation_id, start, end, label_id, text, flagged in rows:
            if wanted_labels is not None and label_id not in wanted_labels:
                continue
            if lang == "ar":
                side = ar_entities
                kept[entity_id] = paragraph_id
            elif translation_id == revision_of[paragraph_id]:
                side = en_entities
                kept[entity_id] = 0
            else:
                continue  # an English span of another revision
            entity = {"id": entity_id, "start": start, "end": end, "label": label_names[label_id], "text": text,
                      "flagged": bool(flagged)}
            if paragraph_id in side:
                side[paragraph_id].append(entity)
            else:
                side[paragraph_id] = [entity]
        return ar_entities, en_entities, kept

    @staticmethod
    def links(rows: list[tuple], kept: dict[int, int]) -> dict[int, list[dict]]:
        links: dict[int, list[dict]] = {}
        if kept:
            for ar_id, en_id in rows:
                if ar_id in kept and en_id in kept:
                    links.setdefault(kept[ar_id], []).append({"ar": ar_id, "en": en_id})
        return links

    @staticmethod
    def approvals(rows: list[tuple], revision_of: dict[int, int]) -> dict[int, tuple]:
        """The latest approval of each paragraph's exported English."""
        return {approval[0]: approval for approval in rows if approval[1] == revision_of[approval[0]]}

    @staticmethod
    def drafts(rows: list[tuple], revision_of: dict[int, int], approvals: dict[int, tuple]) -> dict[int, dict]:
        """The draft each approval was measured against; else the newest one not newer than the exported
        English (a later model's draft is not what was reviewed)."""
        drafts: dict[int, dict] = {}
        wanted_draft = {pid: a[2] for pid, a in approvals.items() if a[2] is not None}
        for paragraph_id, draft_id, text, model_id, engine, engine_version, created_at in rows:
            wanted = wanted_draft.get(paragraph_id)
            if draft_id != wanted if wanted is not None else draft_id > revision_of[paragraph_id]:
                continue
            drafts[paragraph_id] = {
                "revision_id": draft_id, "text": text, "model_id": model_id, "engine": engine,
                "engine_version": engine_version, "created_at": iso_utc(created_at),
            }
        return drafts

    def records(self, chunk: list[tuple], rows: dict[str, list[tuple]]) -> list[dict]:
        """The records of a chunk of paragraph rows, from the rows `fetch` read for it."""
        parts, usernames, counts = self.parts, self.usernames, self.counts
        revision_of = {row[0]: row[7] for row in chunk}
        articles = self.articles(rows["articles"]) if "articles" in parts else {}
        ar_entities, en_entities, kept = (self.entities(rows["entities"], revision_of) if "entities" in parts
                                          else ({}, {}, {}))
        links = self.links(rows["links"], kept) if "links" in parts else {}
        approvals = self.approvals(rows["approvals"], revision_of) if "approvals" in parts else {}
        drafts = self.drafts(rows["drafts"], revision_of, approvals) if "drafts" in parts else {}
        with_qa = "qa" in parts
        with_adjudications = "adjudications" in parts
        adjudications = {row[0]: row for row in rows["adjudications"]} if with_adjudications else {}
        reviewers = self.reviewers
        none: tuple = ()
        records = []
        for (paragraph_id, article_id, position, kind, status, ar, qa, revision_id, en, origin, author_id,
             revised_at) in chunk:
            approval = approvals.get(paragraph_id)
            # Fresh lists per paragraph, or one shared empty tuple (JSON arrays alike; records are read-only).
            paragraph_links = links.get(paragraph_id, none)
            paragraph_ar = ar_entities.get(paragraph_id, none)
            paragraph_en = en_entities.get(paragraph_id, none)
            counts.entities += len(paragraph_ar) + len(paragraph_en)
            counts.links += len(paragraph_links)
            records.append({
                "paragraph_id": paragraph_id,
                "article_id": article_id,
                "position": position,
                "kind": kind,
                "status": status,
                "article": articles.get(article_id),
                "ar": ar,
                "en": en,
                "en_revision_id": revision_id,
                "en_origin": origin,
                "en_author": usernames.get(author_id) if author_id is not None else None,
                "en_created_at": iso_utc(revised_at),
                "mt": drafts.get(paragraph_id),
                "reviewers": reviewers.get(article_id, none),
                "approved_by": approval[3] if approval else None,
                "approved_at": iso_utc(approval[4]) if approval else None,
                "entities": {"ar": paragraph_ar, "en": paragraph_en},
                "links": paragraph_links,
                "qa": orjson.loads(qa) if with_qa and qa is not None else None,
                "effort": {
                    "seconds": approval[5], "char_edit_distance": approval[6], "hter": approval[7],
                    "override_reason": approval[8],
                } if approval else None,
            })
            if with_adjudications:
                adjudication = adjudications.get(paragraph_id)
                records[-1]["adjudicated_by"] = adjudication[1] if adjudication else None
                records[-1]["agreement"] = ({"entities_f1": adjudication[2], "translation_chrf": adjudication[3]}
                                            if adjudication else None)
        counts.paragraphs += len(records)
        return records
