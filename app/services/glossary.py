"""The glossary: Arabic form, English form and label of known names, kept by admins and learned from approvals.

A term is (ar, en, label) and unique as such; both sides are stored in NFC
with white space runs collapsed to one space and no surrounding blanks, so a
term always fits on one TSV line. Its origin is ``manual`` (typed, edited or
imported by an admin) or ``learned`` (from an approved paragraph's entity
links, ``learn_from_paragraph``); learning never touches a manual term, and
an admin editing or importing a learned term makes it manual.

TSV (``export_tsv`` / ``import_tsv``, ``flask --app wsgi glossary export|import``):
UTF-8 (a BOM is accepted), a header line ``ar<TAB>en<TAB>label``, then one
term per line with exactly three fields; blank lines are ignored. An import
is all or nothing: any malformed line (wrong number of fields, an empty side,
an empty or unknown label, not UTF-8) refuses the whole file and changes
nothing, with every problem reported by line number.
"""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import aliased

from ..database import insert_ignoring_duplicates
from ..extensions import db
from ..models import Entity, EntityLink, GlossaryTerm, Label, Paragraph, User, utcnow
from . import NotFound, ServiceError, chunked
from .arabic import normalize_term, normalize_terms
from .audit import record_event
from .user_text import PROSE, refusal

ORIGINS = ("manual", "learned")
MAX_SIDE_CHARS = 200  # a name or term; whole sentences are not glossary terms
# A letter of the Arabic script (not its digits, ٫ ٬ ٪ or other marks).
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc"
                            "\u06ff\u0750-\u077f\u08a0-\u08c9]")
# Numbers and amounts ("٤٫٢٪", "4.2%", "820 مليون", "$5 billion"): what is left once digits, separators,
# percent and currency signs and these number words are removed is nothing. QA checks numbers; the glossary
# would only learn every figure of every article.
_NUMBER_WORDS = re.compile(
    r"\b(?:ألف|آلاف|الف|مليون|ملايين|مليار|مليارات|بليون|تريليون|بالمئة|بالمائة|في|المئة|المائة|"
    r"thousand|thousands|million|millions|billion|billions|trillion|per|cent|percent|bn|m|k)\b", re.IGNORECASE)
_NUMBER_CHARS = re.compile(r"[\d\s.,،٫٬%٪‰+\-−–/$€£¥₽﷼]+")


def is_number_or_amount(text: str) -> bool:
    """True for a figure, a percentage or an amount, in Arabic-Indic or Western digits."""
    if not any(char.isdigit() for char in text):
        return False
    return not _NUMBER_CHARS.sub("", _NUMBER_WORDS.sub("", text))
TSV_HEADER = ("ar", "en", "label")


class GlossaryError(ServiceError):
    """A term the glossary refuses (HTTP 422 / a form error)."""


def clean_side(value: object, what: str) -> str:
    """NFC, one space for each run of white space, no surrounding blanks; refuses empty or overlong text."""
    if not isinstance(value, str):
        raise GlossaryError(f"The {what} form must be text.")
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    if not cleaned:
        raise GlossaryError(f"The {what} form cannot be empty.")
    if len(cleaned) > MAX_SIDE_CHARS:
        raise GlossaryError(f"The {what} form can be at most {MAX_SIDE_CHARS} characters (got {len(cleaned)}).")
    if (refused := refusal(cleaned, PROSE)) is not None:
        raise GlossaryError(f"The {what} form {refused}.")
    if is_number_or_amount(cleaned):
        raise GlossaryError(f"The {what} form {cleaned!r} is a number or an amount: numbers are not glossary "
                            "terms (the QA checks compare them).")
    if what == "Arabic" and not _ARABIC_LETTER.search(cleaned):
        raise GlossaryError("The Arabic form must contain Arabic letters.")
    return cleaned


def side_refusal(value: object, what: str) -> str | None:
    """Why the glossary would refuse this as its `what` ("Arabic", "English") form, or None: for a form to
    say beside its field."""
    try:
        clean_side(value, what)
    except GlossaryError as refusal:
        return str(refusal)
    return None


def label_names() -> list[str]:
    return list(db.session.scalars(select(Label.name).order_by(Label.position, Label.name)))


def require_label(name: object) -> Label:
    """The label with this name (exact, else case-insensitive); GlossaryError if there is none."""
    if not isinstance(name, str) or not name.strip():
        raise GlossaryError("A label is required.")
    name = name.strip()
    label = db.session.scalar(select(Label).where(Label.name == name))
    if label is None:
        label = db.session.scalar(select(Label).where(func.lower(Label.name) == name.lower()))
    if label is None:
        raise GlossaryError(f"Unknown label {name!r}; the labels are: {', '.join(label_names())}.")
    return label


def label_name_of(term: GlossaryTerm) -> str | None:
    """The name of the term's label (None if its label was deleted)."""
    if term.label_id is None:
        return None
    return db.session.get_one(Label, term.label_id).name  # from the identity map after the first look-up


def _as_dict(term: GlossaryTerm) -> dict:
    return {"ar": term.ar, "en": term.en, "label": label_name_of(term), "origin": term.origin}


def _find(ar: str, en: str, label_id: int) -> GlossaryTerm | None:
    return db.session.scalar(
        select(GlossaryTerm).where(GlossaryTerm.ar == ar, GlossaryTerm.en == en, GlossaryTerm.label_id == label_id)
    )


# --- listing ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GlossaryPage:
    terms: list[GlossaryTerm]
    total: int
    page: int
    per_page: int

    @property
    def last_page(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def _has_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" for char in text)


def list_terms(*, search: str | None = None, page: int = 1, per_page: int = 50) -> GlossaryPage:
    """One page of terms ordered by Arabic then English form.

    `search` is a substring of either side: Arabic is compared after normalisation (أوراسي finds
    اوراسي, diacritics ignored), English case-insensitively.
    """
    page, per_page = max(page, 1), max(per_page, 1)
    order = (GlossaryTerm.ar, GlossaryTerm.en, GlossaryTerm.id)
    search = " ".join((search or "").split())
    if not search:
        total = db.session.execute(select(func.count()).select_from(GlossaryTerm)).scalar_one()
        terms = list(db.session.scalars(
            select(GlossaryTerm).order_by(*order).offset((page - 1) * per_page).limit(per_page)))
        return GlossaryPage(terms, total, page, per_page)
    if _has_arabic(search):
        # SQL cannot normalise Arabic: compare in Python (ids and Arabic only; ~10 ms for 10,000 terms).
        needle = normalize_term(search)
        rows = db.session.execute(select(GlossaryTerm.id, GlossaryTerm.ar).order_by(*order)).all()
        ids = [row.id for row, ar in zip(rows, normalize_terms([row.ar for row in rows])) if needle in ar]
        chosen = ids[(page - 1) * per_page:page * per_page]
        by_id = {t.id: t for t in db.session.scalars(select(GlossaryTerm).where(GlossaryTerm.id.in_(chosen)))}
        return GlossaryPage([by_id[i] for i in chosen], len(ids), page, per_page)
    condition = or_(GlossaryTerm.en.icontains(search, autoescape=True),
                    GlossaryTerm.ar.icontains(search, autoescape=True))
    total = db.session.execute(select(func.count()).select_from(GlossaryTerm).where(condition)).scalar_one()
    terms = list(db.session.scalars(
        select(GlossaryTerm).where(condition).order_by(*order).offset((page - 1) * per_page).limit(per_page)))
    return GlossaryPage(terms, total, page, per_page)


def get_term(term_id: int) -> GlossaryTerm:
    term = db.session.get(GlossaryTerm, term_id)
    if term is None:
        raise NotFound(f"Glossary term {term_id} not found.")
    return term


# --- changes ----------------------------------------------------------------------------------------------

def create_term(ar: object, en: object, label: object, *, origin: str = "manual",
                actor: User | None = None) -> GlossaryTerm:
    """Add a term (committed). GlossaryError for an empty side, an unknown label or a duplicate."""
    if origin not in ORIGINS:
        raise GlossaryError(f"Origin must be one of: {', '.join(ORIGINS)}.")
    ar, en, label_row = clean_side(ar, "Arabic"), clean_side(en, "English"), require_label(label)
    if _find(ar, en, label_row.id) is not None:
        raise GlossaryError(f"{ar} → {en} ({label_row.name}) is already in the glossary.")
    term = GlossaryTerm(ar=ar, en=en, label_id=label_row.id, origin=origin)
    db.session.add(term)
    db.session.flush()
    record_event(actor, "glossary.create", "glossary_term", term.id, after=_as_dict(term))
    db.session.commit()
    return term


def update_term(term_id: int, *, ar: object, en: object, label: object, actor: User | None = None) -> GlossaryTerm:
    """Change a term (committed); an edited term is manual from then on."""
    term = get_term(term_id)
    ar, en, label_row = clean_side(ar, "Arabic"), clean_side(en, "English"), require_label(label)
    other = _find(ar, en, label_row.id)
    if other is not None and other.id != term.id:
        raise GlossaryError(f"{ar} → {en} ({label_row.name}) is already in the glossary.")
    before = _as_dict(term)
    term.ar, term.en, term.label_id, term.origin = ar, en, label_row.id, "manual"
    term.updated_at = utcnow()
    record_event(actor, "glossary.update", "glossary_term", term.id, before=before, after=_as_dict(term))
    db.session.commit()
    return term


def delete_term(term_id: int, *, actor: User | None = None) -> None:
    term = get_term(term_id)
    record_event(actor, "glossary.delete", "glossary_term", term.id, before=_as_dict(term))
    db.session.delete(term)
    db.session.commit()


def learn_from_paragraph(paragraph_id: int) -> list[GlossaryTerm]:
    """Add a learned term for each entity link of an approved paragraph. Does NOT commit.

    A link counts when its Arabic entity belongs to the paragraph and its English entity to the
    paragraph's approved revision; the term is (Arabic entity text, English entity text, the Arabic
    entity's label). Terms already present (manual or learned) are left as they are. Runs in the
    caller's transaction: call it before committing the approval. Returns the terms added.
    """
    approved_revision_id = db.session.scalar(
        select(Paragraph.approved_revision_id).where(Paragraph.id == paragraph_id))
    if approved_revision_id is None:
        return []
    ar_entity, en_entity = aliased(Entity), aliased(Entity)
    rows = db.session.execute(
        select(ar_entity.text, en_entity.text, ar_entity.label_id)
        .select_from(EntityLink)
        .join(ar_entity, ar_entity.id == EntityLink.ar_entity_id)
        .join(en_entity, en_entity.id == EntityLink.en_entity_id)
        .where(ar_entity.paragraph_id == paragraph_id, ar_entity.lang == "ar",
               en_entity.paragraph_id == paragraph_id, en_entity.lang == "en",
               en_entity.translation_id == approved_revision_id,
               # the ordinary line only: an annotator's layer (services/layers.py) teaches nothing
               ar_entity.layer_user_id.is_(None), en_entity.layer_user_id.is_(None))
        .order_by(EntityLink.id)
    ).all()
    learned: dict[tuple[str, str, int], dict] = {}
    for ar_text, en_text, label_id in rows:
        ar = " ".join(unicodedata.normalize("NFC", ar_text).split())
        en = " ".join(unicodedata.normalize("NFC", en_text).split())
        if (ar and en and len(ar) <= MAX_SIDE_CHARS and len(en) <= MAX_SIDE_CHARS and _ARABIC_LETTER.search(ar)
                and not is_number_or_amount(ar) and not is_number_or_amount(en)):
            learned.setdefault((ar, en, label_id), {"ar": ar, "en": en, "label_id": label_id, "origin": "learned"})
    # Atomic: approvals of other paragraphs may teach the same term at the same moment (unique ar, en, label).
    now = utcnow()
    ids = insert_ignoring_duplicates(db.session.connection(), GlossaryTerm.__table__,
                                     [{**values, "created_at": now, "updated_at": now} for values in learned.values()])
    return list(db.session.scalars(select(GlossaryTerm).where(GlossaryTerm.id.in_(ids)).order_by(GlossaryTerm.id)))


# --- TSV --------------------------------------------------------------------------------------------------

def export_tsv(stream: IO[str]) -> int:
    """Write every term as TSV (header first), ordered by Arabic, English, label; returns the number of terms."""
    stream.write("\t".join(TSV_HEADER) + "\n")
    count = 0
    rows = db.session.execute(
        select(GlossaryTerm.ar, GlossaryTerm.en, Label.name)
        .outerjoin(Label, Label.id == GlossaryTerm.label_id)
        .order_by(GlossaryTerm.ar, GlossaryTerm.en, Label.name)
    )
    for ar, en, label in rows:
        stream.write(f"{ar}\t{en}\t{label or ''}\n")
        count += 1
    return count


@dataclass
class ImportReport:
    added: list[tuple[int, str]] = field(default_factory=list)  # (line number, what)
    updated: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per reported input line, in file order: 'line N: added|updated|skipped|error: …'."""
        tagged = ([(n, "added", m) for n, m in self.added] + [(n, "updated", m) for n, m in self.updated]
                  + [(n, "skipped", m) for n, m in self.skipped] + [(n, "error", m) for n, m in self.errors])
        return [f"line {n}: {kind}: {message}" for n, kind, message in sorted(tagged, key=lambda t: t[0])]

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.skipped)} skipped, "
                f"{len(self.errors)} errors")


class GlossaryImportError(GlossaryError):
    """The file was refused as a whole; `report.errors` says why, line by line."""

    def __init__(self, report: ImportReport):
        super().__init__(f"The glossary file was refused, nothing was changed ({len(report.errors)} errors).")
        self.report = report


def _read_text(stream: IO) -> str:
    data = stream.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[:error.start].count(b"\n") + 1
            raise GlossaryImportError(ImportReport(errors=[(line, "not UTF-8 text")])) from None
    return data.removeprefix("\ufeff")


def import_tsv(stream: IO, *, actor: User | None = None) -> ImportReport:
    """Add the terms of a TSV file (text or binary stream), all or nothing; committed. See the module docstring.

    A line equal to a manual term is skipped; equal to a learned term, that term becomes manual
    ("updated"); a line repeating an earlier line is skipped. Raises GlossaryImportError when any line
    is malformed (nothing is changed then).
    """
    text = _read_text(stream)
    report = ImportReport()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or tuple(f.strip().lower() for f in lines[0].rstrip("\r").split("\t")) != TSV_HEADER:
        report.errors.append((1, "the first line must be the header 'ar<TAB>en<TAB>label'"))
        raise GlossaryImportError(report)
    labels = {name: label_id for label_id, name in db.session.execute(select(Label.id, Label.name))}
    labels_folded = {name.lower(): label_id for name, label_id in labels.items()}
    names = {label_id: name for name, label_id in labels.items()}
    existing = {(ar, en, label_id): (term_id, origin) for term_id, ar, en, label_id, origin in db.session.execute(
        select(GlossaryTerm.id, GlossaryTerm.ar, GlossaryTerm.en, GlossaryTerm.label_id, GlossaryTerm.origin))}
    seen: dict[tuple[str, str, int], int] = {}
    to_add: list[dict] = []
    to_promote: list[int] = []
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            report.errors.append((number, f"expected 3 tab-separated fields (ar, en, label), found {len(fields)}"))
            continue
        try:
            ar, en = clean_side(fields[0], "Arabic"), clean_side(fields[1], "English")
        except GlossaryError as error:
            report.errors.append((number, str(error)))
            continue
        label_name = fields[2].strip()
        label_id = labels.get(label_name, labels_folded.get(label_name.lower()))
        if label_id is None:
            report.errors.append((number, f"unknown label {label_name!r}" if label_name else "the label is empty"))
            continue
        what = f"{ar} → {en} ({names[label_id]})"
        key = (ar, en, label_id)
        if key in seen:
            report.skipped.append((number, f"{what}: same as line {seen[key]}"))
            continue
        seen[key] = number
        if key in existing:
            term_id, origin = existing[key]
            if origin == "learned":
                to_promote.append(term_id)
                report.updated.append((number, f"{what}: learned term now manual"))
            else:
                report.skipped.append((number, f"{what}: already in the glossary"))
            continue
        to_add.append({"ar": ar, "en": en, "label_id": label_id, "origin": "manual"})
        report.added.append((number, what))
    if report.errors:
        raise GlossaryImportError(report)
    now = utcnow()
    if to_add:
        db.session.execute(insert(GlossaryTerm), [{**row, "created_at": now, "updated_at": now} for row in to_add])
    for ids in chunked(to_promote, 500):
        db.session.execute(update(GlossaryTerm).where(GlossaryTerm.id.in_(ids)).values(origin="manual", updated_at=now),
                           execution_options={"synchronize_session": False})
    record_event(actor, "glossary.import", "glossary_term", None,
                 after={"added": len(report.added), "updated": len(report.updated), "skipped": len(report.skipped)})
    db.session.commit()
    return report


def import_tsv_text(text: str, *, actor: User | None = None) -> ImportReport:
    """import_tsv over a string (tests, the admin page)."""
    return import_tsv(io.StringIO(text), actor=actor)
