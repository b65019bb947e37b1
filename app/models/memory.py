"""Translation memory imported from TMX files (docs/architecture.md, Translation memory).

Approved paragraphs are units of the memory too, but they are read from `paragraphs` and their approved
revision directly (services/translation_memory.py): only imported units are stored here.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class TranslationMemory(db.Model):
    """One imported memory: its name (unique), the file it came from, when."""

    __tablename__ = "translation_memories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    file_name: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TmUnit(db.Model):
    """An Arabic segment and its English from an imported memory. `checksum` (SHA-256 of the NFC Arabic and
    English, white space runs as one space) is unique over all memories: a unit is stored once."""

    __tablename__ = "tm_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    memory_id: Mapped[int] = mapped_column(ForeignKey("translation_memories.id", ondelete="CASCADE"), index=True)
    ar: Mapped[str] = mapped_column(Text)
    en: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
