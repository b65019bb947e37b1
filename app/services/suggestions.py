"""Entity suggestions: known names proposed wherever their surface form appears (DESIGN §7).

What is known (``KnownForms``, built by ``build_known_forms``)
-------------------------------------------------------------
* every glossary term: its Arabic form, label and English form;
* every Arabic entity of an APPROVED paragraph (any article): its surface
  form and label, and the English entity linked to it when that belongs to
  the paragraph's approved revision.

Forms are grouped by their normalised Arabic (``arabic.normalize_term``: alef
forms, ta marbuta, alef maqsura, tatweel and diacritics do not matter). A
form's label is the most frequent among its glossary terms (ties: manual
terms first, then label order), or, with no glossary term, the most frequent
among the approved entities; its source is "glossary" or "approved"
accordingly. Its English forms are the glossary's, then the approved links'
(most frequent first). Forms whose label is retired or missing are left out.

What is suggested (``article_suggestions``)
-------------------------------------------
Arabic: every match of a known form in a paragraph's Arabic (proclitics
allowed in front, span without them; see ``app/services/arabic.py``), unless
an Arabic entity with the same label already covers that span, or the
reviewer rejected that span and label in that paragraph.

English: for every Arabic entity of the paragraph and every Arabic
suggestion whose form has English forms, each occurrence of those English
forms in the paragraph's CURRENT English (case-insensitive, whole words),
with the Arabic side's label and ``link_to`` it: ``{"ar_entity_id": id}``
for an existing entity, ``{"lang": "ar", "start", "end"}`` for an Arabic
suggestion (accept that first, then link). When a form occurs several times
on both sides, the k-th English occurrence is paired with the k-th Arabic
one. Skipped when an English entity of the current revision with the same
label already covers the span, or when rejected.

Rejections (``reject_suggestion``) are stored per paragraph, side, span and
label, with the text; a rejection only hides a suggestion whose text is
still the same (an English edit that moves words does not hide another one).

Speed and the cache
-------------------
Building the known forms reads the whole glossary and the approved entities
and builds one matcher (about a hundred milliseconds for 10,000 terms, with
the garbage collector paused meanwhile). The result is kept per database and
reused while a fingerprint of what it was built from is unchanged, in two
parts: the glossary's count, max id, max ``updated_at`` and sum of label
ids, with the labels' count, retired count, name lengths and max id; and
the count, max id and sums of label ids and offsets of the Arabic entities
in approved paragraphs, with the count, max id and sum of English entity
ids of their links to approved revisions. The matcher is layered
(``TermMatcher.layered``): an approval, which moves only the second part,
rebuilds only the small layer of what approved paragraphs add, and reuses
the glossary's trie. Checking costs four aggregate queries, so a checked
cache is trusted for ``KNOWN_FORMS_RECHECK_SECONDS`` (2 s by default, 0 in
the tests): a glossary edit or an approval reaches suggestions and the QA
glossary check within that time, in every process (a CLI import is seen by
the web server). A
change that leaves every number equal (two label edits cancelling out in a
sum) is only seen at the next change; ``invalidate_cache()`` forces a
rebuild. The English side uses one matcher per call for all the English
forms the article needs, and a paragraph's own matcher only where a form
needed elsewhere matched (it could hide a shorter one). Figures:
``bench/suggestion_bench.py``.
"""
from __future__ import annotations

import gc
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Iterable, NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Article, Entity, EntityLink, GlossaryTerm, Label, Paragraph, SuggestionRejection, Translation, User
from . import NotFound, ServiceError
from .arabic import EnglishMatcher, TermMatcher, normalize_term, normalize_terms
from .audit import record_event

SOURCES = ("glossary", "approved")


@dataclass(frozen=True)
class Suggestion:
    paragraph_id: int
    lang: str  # "ar" or "en"
    start: int  # Python str index over the NFC text of that side (English: the current revision)
    end: int  # exclusive
    label: str
    text: str
    source: str  # "glossary" | "approved"
    # English suggestions: {"ar_entity_id": id} or {"lang": "ar", "start", "end"} of an Arabic suggestion.
    link_to: dict | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class KnownForm(NamedTuple):
    key: str  # normalised Arabic form
    label: str
    source: str  # "glossary" | "approved"
    english: tuple[tuple[str, str], ...]  # (English form, "glossary" | "approved"), most trusted first


@dataclass(frozen=True)
class KnownForms:
    """What the glossary and the approved paragraphs know, with one matcher over all Arabic forms."""

    by_key: dict[str, KnownForm]
    matcher: TermMatcher  # payload: the KnownForm

    def form_of(self, arabic: str) -> KnownForm | None:
        """The known form an Arabic entity text stands for, proclitics in front allowed (وروسيا → روسيا)."""
        form = self.by_key.get(normalize_term(arabic))
        if form is not None:
            return form
        matches = self.matcher.find(arabic)
        if len(matches) == 1 and matches[0].end == len(arabic.rstrip()):
            return matches[0].term_payload
        return None


class SuggestionError(ServiceError):
    """A rejection that cannot be stored (bad side, span or label)."""


# --- what is known --------------------------------------------------------------------------------------
# Statements are built once: building and cache-keying them per call costs more than running them.

_ar_entity, _en_entity = aliased(Entity), aliased(Entity)
_APPROVED_AR = (Entity.lang == "ar", Paragraph.status == "approved")
_APPROVED_LINKS = (
    select(EntityLink.id)
    .join(_ar_entity, _ar_entity.id == EntityLink.ar_entity_id)
    .join(_en_entity, _en_entity.id == EntityLink.en_entity_id)
    .join(Paragraph, Paragraph.id == _ar_entity.paragraph_id)
    .where(_ar_entity.lang == "ar", _en_entity.lang == "en", Paragraph.status == "approved",
           _en_entity.translation_id == Paragraph.approved_revision_id)
)
# Two fingerprints: the glossary's (with the labels), and the approved entities' and links'. Approvals are
# frequent, glossary changes rare: an approval rebuilds only the small approved part.
_GLOSSARY_FINGERPRINT = (
    select(func.count(), func.max(GlossaryTerm.id), func.max(GlossaryTerm.updated_at),
           func.sum(GlossaryTerm.label_id)).select_from(GlossaryTerm),
    select(func.count(), func.sum(Label.retired), func.sum(func.length(Label.name)), func.max(Label.id)),
)
_APPROVED_FINGERPRINT = (
    select(func.count(), func.max(Entity.id), func.sum(Entity.label_id), func.sum(Entity.start + Entity.end))
    .select_from(Entity).join(Paragraph, Paragraph.id == Entity.paragraph_id).where(*_APPROVED_AR),
    _APPROVED_LINKS.with_only_columns(func.count(), func.max(EntityLink.id), func.sum(_en_entity.id)),
)
_LABELS = select(Label.id, Label.name, Label.retired, Label.position)
_GLOSSARY = select(GlossaryTerm.ar, GlossaryTerm.en, GlossaryTerm.label_id, GlossaryTerm.origin).order_by(
    GlossaryTerm.id)
_APPROVED_ENTITY_COUNTS = (
    select(Entity.text, Entity.label_id, func.count())
    .join(Paragraph, Paragraph.id == Entity.paragraph_id).where(*_APPROVED_AR)
    .group_by(Entity.text, Entity.label_id)
)
_APPROVED_LINK_COUNTS = (
    _APPROVED_LINKS.with_only_columns(_ar_entity.text, _en_entity.text, func.count())
    .group_by(_ar_entity.text, _en_entity.text)
)


def _fingerprint() -> tuple[tuple, tuple]:
    """(glossary and labels, approved entities and links): aggregates that move with any change."""
    connection = db.session.connection()
    return (tuple(tuple(connection.execute(statement).one()) for statement in _GLOSSARY_FINGERPRINT),
            tuple(tuple(connection.execute(statement).one()) for statement in _APPROVED_FINGERPRINT))


@contextmanager
def _gc_paused():
    """Building allocates tens of thousands of long-lived dicts and tuples; each allocation burst would
    otherwise run the cyclic garbage collector over the whole heap several times (half the build time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Labels(NamedTuple):
    names: dict[int, str]  # of labels in use (not retired)
    positions: dict[int, int]


def _live_labels() -> _Labels:
    rows = [row for row in db.session.connection().execute(_LABELS).all() if not row.retired]
    return _Labels({row.id: row.name for row in rows}, {row.id: row.position for row in rows})


def _best_label(labels: _Labels, counts: Counter, manual: Counter) -> int:
    """Most frequent; ties: more manual terms, then the label listed first."""
    return max(counts, key=lambda i: (counts[i], manual[i], -labels.positions[i], -i))


class _GlossaryPart(NamedTuple):
    by_key: dict[str, KnownForm]
    matcher: TermMatcher


def _glossary_part(labels: _Labels) -> _GlossaryPart:
    """The glossary's forms and their matcher (the large part, rebuilt only when the glossary changes)."""
    # key -> [(label id, manual?, English)], in id order; most keys have one term.
    glossary: dict[str, list[tuple[int, bool, str]]] = {}
    rows = [row for row in db.session.connection().execute(_GLOSSARY).all() if row[2] in labels.names]
    for key, (_, en, label_id, origin) in zip(normalize_terms([row[0] for row in rows]), rows):
        if not key:
            continue
        entry = glossary.get(key)
        if entry is None:
            glossary[key] = [(label_id, origin == "manual", en)]
        else:
            entry.append((label_id, origin == "manual", en))
    by_key: dict[str, KnownForm] = {}
    for key, terms in glossary.items():
        if len(terms) == 1:  # the common case, kept cheap
            label_id, _, en = terms[0]
            english = ((en, "glossary"),)
        else:
            label_id = _best_label(labels, Counter(t[0] for t in terms), Counter(t[0] for t in terms if t[1]))
            seen: set[str] = set()
            english = []
            for _, _, en in sorted(terms, key=lambda t: not t[1]):  # manual terms' English first
                if en.lower() not in seen:
                    seen.add(en.lower())
                    english.append((en, "glossary"))
            english = tuple(english)
        by_key[key] = KnownForm(key, labels.names[label_id], "glossary", english)
    return _GlossaryPart(by_key, TermMatcher(((key, form) for key, form in by_key.items()), normalized=True))


def _with_approved(part: _GlossaryPart, labels: _Labels) -> KnownForms:
    """The glossary part plus what approved paragraphs teach, as one layered matcher.

    The approved layer holds the forms only approved entities know, and the glossary forms to which
    approved links add English forms (it comes first, so its payload wins for those).
    """
    connection = db.session.connection()
    approved: dict[str, Counter] = defaultdict(Counter)  # key -> label id -> entities
    for text, label_id, count in connection.execute(_APPROVED_ENTITY_COUNTS).all():
        key = normalize_term(text)
        if key and label_id in labels.names:
            approved[key][label_id] += count
    linked: dict[str, Counter] = defaultdict(Counter)  # key -> English -> links
    for ar_text, en_text, count in connection.execute(_APPROVED_LINK_COUNTS).all():
        key = normalize_term(ar_text)
        if key:
            linked[key][" ".join(en_text.split())] += count

    layer: dict[str, KnownForm] = {}
    for key, counts in linked.items():
        form = part.by_key.get(key)
        if form is not None:
            seen = {en.lower() for en, _ in form.english}
            extra = tuple((en, "approved") for en, _ in counts.most_common() if en.lower() not in seen)
            if extra:
                layer[key] = form._replace(english=form.english + extra)
    for key, counts in approved.items():
        if key not in part.by_key:
            english = tuple((en, "approved") for en, _ in linked[key].most_common()) if key in linked else ()
            layer[key] = KnownForm(key, labels.names[_best_label(labels, counts, Counter())], "approved", english)
    if not layer:
        return KnownForms(part.by_key, part.matcher)
    return KnownForms({**part.by_key, **layer}, TermMatcher.layered(
        TermMatcher(((key, form) for key, form in layer.items()), normalized=True), part.matcher))


def build_known_forms() -> KnownForms:
    """Read the glossary and the approved entities and build the matcher (no cache; see known_forms)."""
    with _gc_paused():
        labels = _live_labels()
        return _with_approved(_glossary_part(labels), labels)


class _Cached(NamedTuple):
    fingerprint: tuple[tuple, tuple]
    forms: KnownForms
    checked: float  # time.monotonic() of the last fingerprint check
    glossary: _GlossaryPart


_cache: dict[str, _Cached] = {}
_CACHED_DATABASES = 4
_cache_lock = threading.Lock()


def known_forms() -> KnownForms:
    """The known forms of this database, rebuilt only when their fingerprint changed (module docstring)."""
    database = db.engine.url.render_as_string(hide_password=True)
    cached = _cache.get(database)
    now = time.monotonic()
    if cached is not None and now - cached.checked < _recheck_seconds():
        return cached.forms  # checked moments ago: saves and tagging do not pay for the fingerprint
    fingerprint = _fingerprint()
    if cached is not None and cached.fingerprint == fingerprint:
        _cache[database] = cached._replace(checked=now)
        return cached.forms
    if cached is not None and _recheck_seconds() > 0:
        # Changed: this request keeps the forms it had (already up to 2 s stale by design)
        # and a background thread rebuilds them, so no request waits for a build.
        _cache[database] = cached._replace(checked=now)
        rebuild_in_background()
        return cached.forms
    return _build(database, fingerprint, now)


def rebuild_in_background() -> None:
    """Build this database's known forms in a thread of its own (once at a time), e.g. at server start."""
    from flask import current_app

    database = db.engine.url.render_as_string(hide_password=True)
    with _cache_lock:
        if database in _rebuilding:
            return
        _rebuilding.add(database)
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                _build(database, _fingerprint(), time.monotonic())
            except Exception:  # noqa: BLE001 — the next request will try again, synchronously if need be
                app.logger.exception("rebuilding the known forms for suggestions failed")
            finally:
                db.session.remove()
                with _cache_lock:
                    _rebuilding.discard(database)

    threading.Thread(target=run, name="mizan-known-forms", daemon=True).start()


def _build(database: str, fingerprint: tuple, now: float) -> KnownForms:
    with _cache_lock:  # one build at a time per process; a concurrent caller reuses it
        cached = _cache.get(database)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached.forms
        with _gc_paused():
            labels = _live_labels()
            if cached is not None and cached.fingerprint[0] == fingerprint[0]:
                part = cached.glossary  # only approvals changed: the glossary's matcher is reused
            else:
                part = _glossary_part(labels)
            forms = _with_approved(part, labels)
        if database not in _cache and len(_cache) >= _CACHED_DATABASES:
            del _cache[next(iter(_cache))]  # the oldest: one process rarely serves several databases
        _cache[database] = _Cached(fingerprint, forms, now, part)
        return forms


_rebuilding: set[str] = set()


def _recheck_seconds() -> float:
    """How long a checked cache is trusted without a new fingerprint (app setting KNOWN_FORMS_RECHECK_SECONDS)."""
    from flask import current_app, has_app_context

    return float(current_app.config.get("KNOWN_FORMS_RECHECK_SECONDS", 2.0)) if has_app_context() else 0.0


def invalidate_cache() -> None:
    _cache.clear()


# --- suggestions ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Existing:
    id: int
    start: int
    end: int
    label: str
    text: str


def _covered(existing: list[_Existing], start: int, end: int, label: str) -> bool:
    return any(e.label == label and e.start <= start and end <= e.end for e in existing)


_IN_ARTICLE = select(Paragraph.id).where(Paragraph.article_id == bindparam("article_id")).scalar_subquery()
_ARTICLE_PARAGRAPHS = (
    select(Paragraph.id, Paragraph.ar, Paragraph.current_revision_id, Translation.text)
    .outerjoin(Translation, Translation.id == Paragraph.current_revision_id)
    .where(Paragraph.article_id == bindparam("article_id")).order_by(Paragraph.position)
)
_ARTICLE_ENTITIES = (
    select(Entity.id, Entity.paragraph_id, Entity.lang, Entity.translation_id, Entity.start, Entity.end,
           Entity.label_id, Entity.text)
    .where(Entity.paragraph_id.in_(_IN_ARTICLE)).order_by(Entity.start, Entity.end, Entity.id)
)
_ARTICLE_REJECTIONS = (
    select(SuggestionRejection.paragraph_id, SuggestionRejection.lang, SuggestionRejection.start,
           SuggestionRejection.end, SuggestionRejection.label_id, SuggestionRejection.text)
    .where(SuggestionRejection.paragraph_id.in_(_IN_ARTICLE))
)
_LABEL_NAMES = select(Label.id, Label.name)


def article_suggestions(article_id: int, *, glossary_matcher: KnownForms | None = None,
                        paragraph_ids: Iterable[int] | None = None) -> list[Suggestion]:
    """Suggestions for every paragraph of an article (or only `paragraph_ids` of it), in reading order.

    `glossary_matcher`: known forms to use instead of the cached ones of this database (known_forms()).
    Checks no rights: the caller shows suggestions only to who may see the article. NotFound if the
    article does not exist.
    """
    forms = glossary_matcher if glossary_matcher is not None else known_forms()
    connection = db.session.connection()
    parameters = {"article_id": article_id}
    paragraphs = connection.execute(_ARTICLE_PARAGRAPHS, parameters).all()
    if paragraph_ids is not None:
        wanted = set(paragraph_ids)
        paragraphs = [p for p in paragraphs if p.id in wanted]
    if not paragraphs:
        if db.session.get(Article, article_id) is None:
            raise NotFound(f"Article {article_id} not found.")
        return []
    label_names = dict(connection.execute(_LABEL_NAMES).all())
    current = {p.id: p.current_revision_id for p in paragraphs}

    ar_entities: dict[int, list[_Existing]] = defaultdict(list)
    en_entities: dict[int, list[_Existing]] = defaultdict(list)
    for entity_id, paragraph_id, lang, translation_id, start, end, label_id, text in connection.execute(
            _ARTICLE_ENTITIES, parameters).all():
        existing = _Existing(entity_id, start, end, label_names[label_id], text)
        if lang == "ar":
            ar_entities[paragraph_id].append(existing)
        elif translation_id is not None and translation_id == current.get(paragraph_id):
            en_entities[paragraph_id].append(existing)
    rejected = {(paragraph_id, lang, start, end, label_names[label_id], text)
                for paragraph_id, lang, start, end, label_id, text in connection.execute(
                    _ARTICLE_REJECTIONS, parameters).all()}

    # Arabic side first; it says which English forms each paragraph needs. All English forms of the
    # article then go into one matcher, built once.
    sides = []
    english_terms: dict[tuple[str, str], str] = {}  # (English form, Arabic key) -> source
    for paragraph in paragraphs:
        arabic, anchors = _arabic_side(forms, paragraph.id, paragraph.ar, paragraph.text is not None,
                                       ar_entities.get(paragraph.id, ()), rejected)
        for anchor in anchors:
            for en, source in anchor.form.english:
                english_terms.setdefault((en, anchor.form.key), source)
        sides.append((paragraph, arabic, anchors))
    article_matcher = EnglishMatcher((en, (source, key)) for (en, key), source in english_terms.items())

    suggestions: list[Suggestion] = []
    for paragraph, arabic, anchors in sides:
        suggestions.extend(arabic)
        if anchors and paragraph.text:
            suggestions.extend(_english_side(article_matcher, paragraph.id, paragraph.text, anchors,
                                             en_entities.get(paragraph.id, ()), rejected))
    return suggestions


class _Anchor(NamedTuple):
    """Something on the Arabic side with known English forms: an entity or an Arabic suggestion."""
    start: int
    form: KnownForm
    label: str
    link_to: dict


def _arabic_side(forms: KnownForms, paragraph_id: int, arabic: str, has_english: bool,
                 ar_existing: Iterable[_Existing], rejected: set[tuple]) -> tuple[list[Suggestion], list[_Anchor]]:
    """The Arabic suggestions of a paragraph, and the anchors of its English ones (in Arabic order)."""
    result: list[Suggestion] = []
    anchors: list[_Anchor] = []
    for match in forms.matcher.find(arabic):
        form: KnownForm = match.term_payload
        if _covered(ar_existing, match.start, match.end, form.label):
            continue
        if (paragraph_id, "ar", match.start, match.end, form.label, match.surface) in rejected:
            continue
        result.append(Suggestion(paragraph_id, "ar", match.start, match.end, form.label, match.surface,
                                 form.source))
        if form.english and has_english:
            anchors.append(_Anchor(match.start, form, form.label,
                                   {"lang": "ar", "start": match.start, "end": match.end}))
    if has_english:
        for entity in ar_existing:
            form = forms.form_of(entity.text)
            if form is not None and form.english:
                anchors.append(_Anchor(entity.start, form, entity.label, {"ar_entity_id": entity.id}))
        anchors.sort(key=lambda a: a.start)
    return result, anchors


def _english_side(article_matcher: EnglishMatcher, paragraph_id: int, english: str, anchors: list[_Anchor],
                  en_existing: Iterable[_Existing], rejected: set[tuple]) -> list[Suggestion]:
    by_key: dict[str, list[_Anchor]] = defaultdict(list)
    for anchor in anchors:
        by_key[anchor.form.key].append(anchor)
    matches = article_matcher.find(english)
    if any(all(key not in by_key for _, key in match.payloads) for match in matches):
        # A form needed elsewhere in the article matched here and may hide a shorter one needed here:
        # match again with this paragraph's forms only (the same result whenever this branch is not taken).
        terms = {(en, anchor.form.key): source for anchor in anchors for en, source in anchor.form.english}
        matches = EnglishMatcher((en, (source, key)) for (en, key), source in terms.items()).find(english)
    result: list[Suggestion] = []
    seen_per_key: Counter = Counter()
    taken: set[tuple[int, int, str]] = set()
    for match in matches:
        # The Arabic forms here that have this English form; the first in the Arabic wins.
        here = [(source, key) for source, key in match.payloads if key in by_key]
        if not here:
            continue
        source, key = min(here, key=lambda pair: by_key[pair[1]][0].start)
        candidates = by_key[key]
        ordinal = seen_per_key[key]  # the k-th English occurrence goes with the k-th Arabic one
        seen_per_key[key] += 1
        anchor = candidates[min(ordinal, len(candidates) - 1)]
        span = (match.start, match.end, anchor.label)
        if span in taken or _covered(en_existing, match.start, match.end, anchor.label):
            continue
        if (paragraph_id, "en", match.start, match.end, anchor.label, match.surface) in rejected:
            continue
        taken.add(span)
        result.append(Suggestion(paragraph_id, "en", match.start, match.end, anchor.label, match.surface, source,
                                 dict(anchor.link_to)))
    return result


def reject_suggestion(paragraph_id: int, lang: str, start: int, end: int, label_name: str, *,
                      actor: User | None) -> SuggestionRejection:
    """Remember that this span and label should not be suggested again in this paragraph (committed).

    Idempotent: rejecting the same suggestion again returns the stored rejection. The span is checked
    against the paragraph's Arabic, or its current English for "en". Checks no rights (the caller does).
    """
    if lang not in ("ar", "en"):
        raise SuggestionError("lang must be 'ar' or 'en'.")
    row = db.session.execute(
        select(Paragraph.ar, Translation.text)
        .outerjoin(Translation, Translation.id == Paragraph.current_revision_id)
        .where(Paragraph.id == paragraph_id)
    ).first()
    if row is None:
        raise NotFound(f"Paragraph {paragraph_id} not found.")
    text = row[0] if lang == "ar" else row[1]
    if text is None:
        raise SuggestionError("This paragraph has no English yet.")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise SuggestionError(f"The span [{start}, {end}) does not lie inside the text ({len(text)} characters).")
    label = db.session.scalar(select(Label).where(Label.name == label_name))
    if label is None:
        raise SuggestionError(f"Unknown label {label_name!r}.")
    surface = text[start:end]
    where = (SuggestionRejection.paragraph_id == paragraph_id, SuggestionRejection.lang == lang,
             SuggestionRejection.start == start, SuggestionRejection.end == end,
             SuggestionRejection.label_id == label.id)
    existing = db.session.scalar(select(SuggestionRejection).where(*where))
    if existing is not None:
        if existing.text != surface:  # the English changed under the same span
            existing.text = surface
            existing.user_id = actor.id if actor is not None else None
            db.session.commit()
        return existing
    rejection = SuggestionRejection(paragraph_id=paragraph_id, lang=lang, start=start, end=end, label_id=label.id,
                                    text=surface, user_id=actor.id if actor is not None else None)
    db.session.add(rejection)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent rejection of the same suggestion won
        db.session.rollback()
        return db.session.scalar(select(SuggestionRejection).where(*where))
    record_event(actor, "suggestion.reject", "paragraph", paragraph_id,
                 after={"lang": lang, "start": start, "end": end, "label": label.name, "text": surface})
    db.session.commit()
    return rejection
