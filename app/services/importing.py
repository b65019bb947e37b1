"""Importing Arabic news files: one file, one article, one transaction.

The parsing and cleaning rules live in `news_text`; this module stores the
result next to the untouched raw bytes and their SHA-256, which makes a
second import of the same file a reported no-op.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Article, Paragraph, User
from .audit import record_event
from .news_text import UnreadableText, parse_news_text

IMPORTED = "imported"
ALREADY_IMPORTED = "already imported"
REFUSED = "refused"


@dataclass(frozen=True)
class ImportOutcome:
    filename: str
    status: str
    message: str
    article_id: int | None = None
    paragraph_count: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status != REFUSED


def import_news_file(filename: str, raw: bytes, *, max_bytes: int, actor: User | None = None) -> ImportOutcome:
    """Parse and store one file. Refusals and duplicates write nothing."""
    checksum = hashlib.sha256(raw).hexdigest()
    existing_id = db.session.scalar(select(Article.id).where(Article.checksum == checksum))
    if existing_id is not None:
        return ImportOutcome(filename, ALREADY_IMPORTED, f"same file as article {existing_id}", existing_id)
    try:
        parsed = parse_news_text(raw, max_bytes=max_bytes)
    except UnreadableText as refusal:
        return ImportOutcome(filename, REFUSED, str(refusal))

    try:
        article_id = db.session.execute(
            insert(Article).returning(Article.id),
            [{
                "title": parsed.title,
                "source": parsed.source,
                "published": parsed.published,
                "original_filename": filename,
                "raw_bytes": raw,
                "checksum": checksum,
                "status": "new",
                "imported_by_id": actor.id if actor is not None else None,
            }],
        ).scalar_one()
        db.session.execute(
            insert(Paragraph),
            [
                {"article_id": article_id, "position": position, "kind": p.kind, "ar": p.text}
                for position, p in enumerate(parsed.paragraphs)
            ],
        )
        record_event(
            actor, "article.import", "article", article_id,
            after={"filename": filename, "checksum": checksum, "paragraphs": len(parsed.paragraphs)},
        )
        db.session.commit()
    except IntegrityError:
        # Another importer stored the same file between our check and our insert.
        db.session.rollback()
        existing_id = db.session.scalar(select(Article.id).where(Article.checksum == checksum))
        if existing_id is None:
            raise
        return ImportOutcome(filename, ALREADY_IMPORTED, f"same file as article {existing_id}", existing_id)
    except BaseException:
        db.session.rollback()
        raise
    return ImportOutcome(
        filename, IMPORTED, f"article {article_id}: {len(parsed.paragraphs)} paragraphs",
        article_id, len(parsed.paragraphs), parsed.notes,
    )


def collect_import_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every *.txt under named folders, in a stable order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        else:
            files.append(path)
    return files


def import_paths(
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    actor: User | None = None,
    on_outcome: Callable[[ImportOutcome], None] | None = None,
) -> Iterator[ImportOutcome]:
    for path in collect_import_files(paths):
        outcome = _import_path(path, max_bytes=max_bytes, actor=actor)
        if on_outcome is not None:
            on_outcome(outcome)
        yield outcome


def _import_path(path: Path, *, max_bytes: int, actor: User | None) -> ImportOutcome:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            # Do not read a huge file only to refuse it.
            return ImportOutcome(str(path), REFUSED, f"file is larger than the limit ({size:,} > {max_bytes:,} bytes)")
        raw = path.read_bytes()
    except OSError as error:
        return ImportOutcome(str(path), REFUSED, f"cannot read file: {error.strerror or error}")
    return import_news_file(path.name, raw, max_bytes=max_bytes, actor=actor)


def import_seeds_if_empty(seeds_dir: Path, *, max_bytes: int) -> list[ImportOutcome] | None:
    """First-run convenience for `make run`: the seed articles, only into an empty database."""
    if db.session.scalar(select(Article.id).limit(1)) is not None:
        return None
    return list(import_paths([seeds_dir], max_bytes=max_bytes))
