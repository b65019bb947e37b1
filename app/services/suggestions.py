"""Entity suggestions: known names proposed wherever their surface form appears (docs/architecture.md).

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
Building the known forms reads the whole glossary (one plain SQL query, its
rows as the driver gives them) and the approved entities, normalises all
Arabic forms in one pass and builds one matcher (a few tens of milliseconds
for 10,000 terms, with the garbage collector paused meanwhile). The result
is kept per database and reused while a fingerprint of what it was built
from is unchanged, in two parts: the glossary's count, max id, max
``updated_at`` and sum of label ids, with the labels' count, retired count,
name lengths and max id; and the count, max id and sums of label ids and
offsets of the Arabic entities in approved paragraphs, with the count, max
id and sum of English entity ids of their links to approved revisions. The
matcher is layered (``TermMatcher.layered``): an approval, which moves only
the second part, rebuilds only the small layer of what approved paragraphs
add, and reuses the glossary's matcher. Checking costs one aggregate query,
so a checked cache is trusted for ``KNOWN_FORMS_RECHECK_SECONDS`` (2 s by
default, 0 in the tests). When a check finds a change, that request keeps
the forms it had and a background thread rebuilds them, so no request waits
for a rebuild: a glossary edit or an approval reaches suggestions and the
QA glossary check within ``KNOWN_FORMS_RECHECK_SECONDS`` plus the time of
one rebuild (two if a change comes while a rebuild runs), in every process
(a CLI import is seen by the web server).
With the setting at 0 every call checks, and one that finds a change waits
for the rebuild. A change that leaves every number equal (two label edits
cancelling out in a sum) is only seen at the next change;
``invalidate_cache()`` forces a rebuild (a build running meanwhile stores
nothing).

There is at most one build per database at a time. A server starts one in
the background at its first request (``rebuild_in_background``, from
``create_app``); a request that needs the forms while a build runs and has
none to keep waits for that build instead of starting another (and checks
its fingerprint again once it has ended). The first request of a new
process therefore pays at most one build, never two.

Suggesting runs each side's matcher once over all the article's paragraphs
(``find_many``). The English side uses one matcher per call for all the
English forms the article needs, and a paragraph's own matcher only where a
form needed elsewhere matched (it could hide a shorter one). Figures:
``bench/suggestion_bench.py``.
"""
from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Iterable, NamedTuple, Sequence, cast

from sqlalchemy import select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Article, Label, Paragraph, SuggestionRejection, Translation, User
from . import NotFound, ServiceError, gc_paused
from .arabic import EnglishMatcher, Match, TermMatcher, normalize_term, normalize_terms
from .audit import record_event
from .undo import record_action

SOURCES = ("glossary", "approved")


@dataclass(frozen=True, slots=True)
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
            return cast(KnownForm, matches[0].term_payload)
        return None


class SuggestionError(ServiceError):
    """A rejection that cannot be stored (bad side, span or label)."""


# --- what is known --------------------------------------------------------------------------------------
# Plain SQL, run as written (exec_driver_sql: no statement to compile, which a new process would pay for each
# one; still seen by engine events). It mirrors the models (app/models/annotations.py, articles.py).

# Only the ordinary line is learned from (layer_user_id IS NULL): an annotator's layer on a double-annotated
# article is never suggested to anyone (services/layers.py); its gold is, once adjudicated and approved.
_APPROVED_AR_FROM = ("FROM entities AS e JOIN paragraphs AS p ON p.id = e.paragraph_id "
                     "WHERE e.lang = 'ar' AND p.status = 'approved' AND e.layer_user_id IS NULL")
_APPROVED_LINKS_FROM = (
    "FROM entity_links AS k JOIN entities AS ar ON ar.id = k.ar_entity_id "
    "JOIN entities AS en ON en.id = k.en_entity_id JOIN paragraphs AS p ON p.id = ar.paragraph_id "
    "WHERE ar.lang = 'ar' AND en.lang = 'en' AND p.status = 'approved' AND en.translation_id = p.approved_revision_id"
    " AND ar.layer_user_id IS NULL AND en.layer_user_id IS NULL"
)
# The fingerprint, one row: the glossary's and the labels' aggregates (8 values), then the approved entities'
# and links' (7 values). Approvals are frequent, glossary changes rare: an approval moves only the second part
# and rebuilds only the small approved layer.
# The SQL here is put together from this module's constants only; values are always bound parameters.
_FINGERPRINT = (
    "SELECT * FROM (SELECT count(*), max(id), max(updated_at), sum(label_id) FROM glossary_terms) AS g, "  # nosec B608
    "(SELECT count(*), sum(CASE WHEN retired THEN 1 ELSE 0 END), sum(length(name)), max(id) FROM labels) AS l, "
    f"(SELECT count(*), max(e.id), sum(e.label_id), sum(e.start + e.\"end\") {_APPROVED_AR_FROM}) AS a, "
    f"(SELECT count(*), max(k.id), sum(en.id) {_APPROVED_LINKS_FROM}) AS k"
)
_GLOSSARY_PART_VALUES = 8
_LABELS = "SELECT id, name, retired, position FROM labels"
_GLOSSARY = "SELECT ar, en, label_id, origin = 'manual' FROM glossary_terms ORDER BY id"
_APPROVED_ENTITY_COUNTS = f"SELECT e.text, e.label_id, count(*) {_APPROVED_AR_FROM} GROUP BY e.text, e.label_id"
_APPROVED_LINK_COUNTS = f"SELECT ar.text, en.text, count(*) {_APPROVED_LINKS_FROM} GROUP BY ar.text, en.text"


def _rows(sql: str, parameters: dict | None = None) -> Sequence[tuple]:
    """The rows of `sql` (named parameters, `:name`) as plain tuples. On SQLite straight from the
    driver, which takes `:name` itself: Row objects cost as much as the reading for the 10,000 terms
    of a glossary. Other databases go through SQLAlchemy's text(), which speaks their paramstyle."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return [tuple(row) for row in connection.execute(sql_text(sql), parameters or {})]
    result = connection.exec_driver_sql(sql, parameters or {})
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _fingerprint() -> tuple[tuple, tuple]:
    """(glossary and labels, approved entities and links): aggregates that move with any change."""
    (row,) = _rows(_FINGERPRINT)
    return row[:_GLOSSARY_PART_VALUES], row[_GLOSSARY_PART_VALUES:]


class _Labels(NamedTuple):
    names: dict[int, str]  # of labels in use (not retired)
    positions: dict[int, int]


def _live_labels() -> _Labels:
    rows = [row for row in _rows(_LABELS) if not row[2]]
    return _Labels({row[0]: row[1] for row in rows}, {row[0]: row[3] for row in rows})


def _best_label(labels: _Labels, counts: Counter, manual: Counter) -> int:
    """Most frequent; ties: more manual terms, then the label listed first."""
    return max(counts, key=lambda i: (counts[i], manual[i], -labels.positions[i], -i))


_new_tuple = tuple.__new__  # KnownForm(...) without its Python-level __new__: a third quicker for 10,000


class _GlossaryPart(NamedTuple):
    by_key: dict[str, KnownForm]
    matcher: TermMatcher


def _glossary_part(labels: _Labels) -> _GlossaryPart:
    """The glossary's forms and their matcher (the large part, rebuilt only when the glossary changes)."""
    names = labels.names
    from .glossary import is_number_or_amount  # numbers learned before the glossary refused them

    rows = [row for row in _rows(_GLOSSARY)  # (ar, en, label id, manual?) in id order
            if row[2] in names and not is_number_or_amount(row[0])]
    keys = normalize_terms([row[0] for row in rows])
    # Most keys have one term: one comprehension makes their forms. Keys of several terms are redone below.
    by_key = {key: _new_tuple(KnownForm, (key, names[label_id], "glossary", ((en, "glossary"),)))
              for key, (_, en, label_id, _) in zip(keys, rows)}
    if len(by_key) < len(rows):
        shared: dict[str, list[tuple[int, bool, str]]] = defaultdict(list)  # key -> [(label id, manual?, English)]
        several = {key for key, count in Counter(keys).items() if count > 1}
        for key, (_, en, label_id, manual) in zip(keys, rows):
            if key in several:
                shared[key].append((label_id, bool(manual), en))
        for key, terms in shared.items():
            label_id = _best_label(labels, Counter(t[0] for t in terms), Counter(t[0] for t in terms if t[1]))
            seen: set[str] = set()
            english = []
            for _, _, en in sorted(terms, key=lambda t: not t[1]):  # manual terms' English first
                if en.lower() not in seen:
                    seen.add(en.lower())
                    english.append((en, "glossary"))
            by_key[key] = KnownForm(key, names[label_id], "glossary", tuple(english))
    by_key.pop("", None)  # a term of marks or white space only
    return _GlossaryPart(by_key, TermMatcher.from_mapping(by_key))


def _with_approved(part: _GlossaryPart, labels: _Labels) -> KnownForms:
    """The glossary part plus what approved paragraphs teach, as one layered matcher.

    The approved layer holds the forms only approved entities know, and the glossary forms to which
    approved links add English forms (it comes first, so its payload wins for those).
    """
    from .glossary import is_number_or_amount  # a number tagged once is no name to suggest elsewhere

    entity_counts = [row for row in _rows(_APPROVED_ENTITY_COUNTS) if not is_number_or_amount(row[0])]
    link_counts = [row for row in _rows(_APPROVED_LINK_COUNTS) if not is_number_or_amount(row[0])]
    approved: dict[str, Counter] = defaultdict(Counter)  # key -> label id -> entities
    for key, (_, label_id, count) in zip(normalize_terms([row[0] for row in entity_counts]), entity_counts):
        if key and label_id in labels.names:
            approved[key][label_id] += count
    linked: dict[str, Counter] = defaultdict(Counter)  # key -> English -> links
    for key, (_, en_text, count) in zip(normalize_terms([row[0] for row in link_counts]), link_counts):
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
    return KnownForms({**part.by_key, **layer}, TermMatcher.layered(TermMatcher.from_mapping(layer), part.matcher))


def build_known_forms() -> KnownForms:
    """Read the glossary and the approved entities and build the matcher (no cache; see known_forms)."""
    with gc_paused():
        labels = _live_labels()
        return _with_approved(_glossary_part(labels), labels)


# --- the cache ------------------------------------------------------------------------------------------
# Per database: the forms last built (_cache) and the build in progress, if any (_builds). _lock guards both
# and is held for moments only, never during a build. A caller that needs forms while a build runs waits for
# that build rather than starting another; there is never more than one build per database at a time.

class _Cached(NamedTuple):
    fingerprint: tuple[tuple, tuple]
    forms: KnownForms
    checked: float  # _clock() of the last fingerprint check
    glossary: _GlossaryPart


class _Build:
    """A build in progress; `done` is set when it has ended (stored, discarded or failed)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.outdated = False  # a change was seen while it ran: what it stores is checked again at once


_cache: dict[str, _Cached] = {}
_builds: dict[str, _Build] = {}
_generation = 0  # moved by invalidate_cache(): a build begun before does not store what it built
_lock = threading.Lock()
_CACHED_DATABASES = 4
_clock = time.monotonic  # when a cache was checked, against KNOWN_FORMS_RECHECK_SECONDS (a test moves it by hand)


def _database() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def known_forms() -> KnownForms:
    """The known forms of this database, rebuilt only when their fingerprint changed (module docstring)."""
    database = _database()
    recheck = _recheck_seconds()
    while True:
        cached = _cache.get(database)
        now = _clock()
        if cached is not None and now - cached.checked < recheck:
            return cached.forms  # checked moments ago: saves and tagging do not pay for the fingerprint
        fingerprint = _fingerprint()
        with _lock:
            cached, running = _cache.get(database), _builds.get(database)
            if cached is not None and cached.fingerprint == fingerprint:
                if cached.checked < now:
                    _cache[database] = cached._replace(checked=now)
                return cached.forms
            if cached is not None and cached.checked > now:
                continue  # checked or built since this fingerprint was taken: it is the older one
            # Changed (or never built). With a recheck interval, a request keeps the forms it had while a
            # background thread rebuilds them; if a build is running already it may have read the data before
            # this change: what it stores is checked again by the next request, which starts another if need be.
            kept = cached if recheck > 0 else None
            if running is None:
                build, generation = _begin(database)
                if kept is not None:
                    _cache[database] = kept._replace(checked=now)
            elif kept is not None:
                running.outdated = True
                return kept.forms
        if running is None:
            if kept is not None:
                _start_thread(database, build, generation)
                return kept.forms
            try:
                return _run(database, build, generation, fingerprint, now)
            finally:
                _end(database, build)
        running.done.wait()  # the build in progress (e.g. the server's warm-up), not a second one; then look again


def rebuild_in_background() -> bool:
    """Build this database's known forms in a thread of its own, unless a build is running already (e.g. at
    the server's first request). A request that needs them meanwhile waits for this build. True if started."""
    database = _database()
    with _lock:
        if database in _builds:
            return False
        build, generation = _begin(database)
    _start_thread(database, build, generation)
    return True


def wait_for_builds(timeout: float | None = None) -> bool:
    """Wait until no build is running in this process (benchmarks, tests); False on timeout."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _lock:
            running = next(iter(_builds.values()), None)
        if running is None:
            return True
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0 or not running.done.wait(left):
            return False


def _begin(database: str) -> tuple[_Build, int]:
    """Register a build of `database` (the caller holds _lock and saw none running)."""
    build = _builds[database] = _Build()
    return build, _generation


def _end(database: str, build: _Build) -> None:
    with _lock:
        if _builds.get(database) is build:
            del _builds[database]
    build.done.set()


def _start_thread(database: str, build: _Build, generation: int) -> None:
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy, typed as the Flask app

    def run() -> None:
        try:
            with app.app_context():
                try:
                    _run(database, build, generation, _fingerprint(), _clock())
                except Exception:  # noqa: BLE001 — the next request will try again, synchronously if need be
                    app.logger.exception("rebuilding the known forms for suggestions failed")
                finally:
                    db.session.remove()  # before the build is said done: a waiter may dispose of the engine
        finally:
            _end(database, build)  # also when the app context or the fingerprint failed

    try:
        threading.Thread(target=run, name="mizan-known-forms", daemon=True).start()
    except BaseException:
        _end(database, build)
        raise


def _run(database: str, build: _Build, generation: int, fingerprint: tuple, now: float) -> KnownForms:
    """The registered `build`: read, build, store (unless invalidate_cache() was called meanwhile). The caller
    ends the build (_end) once its connection is back in the pool."""
    cached = _cache.get(database)
    with gc_paused():
        labels = _live_labels()
        if cached is not None and cached.fingerprint[0] == fingerprint[0]:
            part = cached.glossary  # only approvals changed: the glossary's matcher is reused
        else:
            part = _glossary_part(labels)
        forms = _with_approved(part, labels)
    with _lock:
        if generation == _generation:
            if database not in _cache and len(_cache) >= _CACHED_DATABASES:
                del _cache[next(iter(_cache))]  # the oldest: one process rarely serves several databases
            _cache[database] = _Cached(fingerprint, forms, -math.inf if build.outdated else now, part)
    return forms


def _recheck_seconds() -> float:
    """How long a checked cache is trusted without a new fingerprint (app setting KNOWN_FORMS_RECHECK_SECONDS)."""
    from flask import current_app, has_app_context

    return float(current_app.config.get("KNOWN_FORMS_RECHECK_SECONDS", 2.0)) if has_app_context() else 0.0


def invalidate_cache() -> None:
    """Forget the forms of every database: the next call builds them (a build running now stores nothing)."""
    global _generation
    with _lock:
        _cache.clear()
        _generation += 1


# --- suggestions ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Existing:
    id: int
    start: int
    end: int
    label: str
    text: str


def _covered(existing: Iterable[_Existing], start: int, end: int, label: str) -> bool:
    return any(e.label == label and e.start <= start and end <= e.end for e in existing)


_IN_ARTICLE = "paragraph_id IN (SELECT id FROM paragraphs WHERE article_id = :article_id)"
_ARTICLE_PARAGRAPHS = (
    "SELECT p.id, p.ar, p.current_revision_id, t.text FROM paragraphs AS p "
    "LEFT OUTER JOIN translations AS t ON t.id = p.current_revision_id WHERE p.article_id = :article_id ORDER BY p.position"
)
# In one annotator's layer (services/layers.py): its current revision (the paragraph's until its first change)
# and its entities.
_LAYER_CURRENT = "CASE WHEN l.id IS NULL THEN p.current_revision_id ELSE l.current_revision_id END"
_LAYER_PARAGRAPHS = (
    f"SELECT p.id, p.ar, {_LAYER_CURRENT}, t.text FROM paragraphs AS p "  # nosec B608
    "LEFT OUTER JOIN paragraph_layers AS l ON l.paragraph_id = p.id AND l.user_id = :layer "
    f"LEFT OUTER JOIN translations AS t ON t.id = {_LAYER_CURRENT} WHERE p.article_id = :article_id ORDER BY p.position"
)
_ARTICLE_ENTITIES = ('SELECT id, paragraph_id, lang, translation_id, start, "end", label_id, text FROM entities '  # nosec B608
                     f'WHERE {_IN_ARTICLE} AND layer_user_id IS NULL ORDER BY start, "end", id')
_LAYER_ENTITIES = ('SELECT id, paragraph_id, lang, translation_id, start, "end", label_id, text FROM entities '  # nosec B608
                   f'WHERE {_IN_ARTICLE} AND layer_user_id = :layer ORDER BY start, "end", id')
_ARTICLE_REJECTIONS = ('SELECT paragraph_id, lang, start, "end", label_id, text FROM suggestion_rejections '  # nosec B608
                       f"WHERE {_IN_ARTICLE} AND layer_user_id IS NULL")
_LAYER_REJECTIONS = ('SELECT paragraph_id, lang, start, "end", label_id, text FROM suggestion_rejections '  # nosec B608
                     f"WHERE {_IN_ARTICLE} AND layer_user_id = :layer")
_LABEL_NAMES = "SELECT id, name FROM labels"


class _Paragraph(NamedTuple):
    id: int
    ar: str
    current_revision_id: int | None
    text: str | None  # the current English


def article_suggestions(article_id: int, *, glossary_matcher: KnownForms | None = None,
                        paragraph_ids: Iterable[int] | None = None, layer: int | None = None) -> list[Suggestion]:
    """Suggestions for every paragraph of an article (or only `paragraph_ids` of it), in reading order, in one
    line (services/layers.py): over its current English and beside its entities.

    `glossary_matcher`: known forms to use instead of the cached ones of this database (known_forms()).
    Checks no rights: the caller shows suggestions only to who may see the article. NotFound if the
    article does not exist.
    """
    # With the collector paused, the thousands of short-lived objects of one call are freed before any
    # collection sees them; otherwise they are promoted as they stay alive through the call, and every
    # few calls a full collection of the whole process (tens of milliseconds) lands in one.
    with gc_paused():
        return _article_suggestions(article_id, glossary_matcher, paragraph_ids, layer)


def _article_suggestions(article_id: int, glossary_matcher: KnownForms | None,
                         paragraph_ids: Iterable[int] | None, layer: int | None = None) -> list[Suggestion]:
    forms = glossary_matcher if glossary_matcher is not None else known_forms()
    parameters: dict = {"article_id": article_id}
    if layer is not None:
        parameters["layer"] = layer
    paragraphs = list(map(_Paragraph._make, _rows(_ARTICLE_PARAGRAPHS if layer is None else _LAYER_PARAGRAPHS,
                                                  parameters)))
    if paragraph_ids is not None:
        wanted = set(paragraph_ids)
        paragraphs = [p for p in paragraphs if p.id in wanted]
    if not paragraphs:
        if db.session.get(Article, article_id) is None:
            raise NotFound(f"Article {article_id} not found.")
        return []
    label_names = dict(_rows(_LABEL_NAMES))
    current = {p.id: p.current_revision_id for p in paragraphs}

    ar_entities: dict[int, list[_Existing]] = defaultdict(list)
    en_entities: dict[int, list[_Existing]] = defaultdict(list)
    for entity_id, paragraph_id, lang, translation_id, start, end, label_id, text in _rows(
            _ARTICLE_ENTITIES if layer is None else _LAYER_ENTITIES, parameters):
        existing = _Existing(entity_id, start, end, label_names[label_id], text)
        if lang == "ar":
            ar_entities[paragraph_id].append(existing)
        elif translation_id is not None and translation_id == current.get(paragraph_id):
            en_entities[paragraph_id].append(existing)
    rejected = {(paragraph_id, lang, start, end, label_names[label_id], text)
                for paragraph_id, lang, start, end, label_id, text in _rows(
                    _ARTICLE_REJECTIONS if layer is None else _LAYER_REJECTIONS, parameters)}

    # Arabic side first, all paragraphs in one pass; it says which English forms each paragraph needs. All
    # English forms of the article then go into one matcher, built once, also run over all paragraphs at once.
    sides = []
    english_terms: dict[tuple[str, str], str] = {}  # (English form, Arabic key) -> source
    for paragraph, matches in zip(paragraphs, forms.matcher.find_many([p.ar for p in paragraphs])):
        arabic, anchors = _arabic_side(forms, paragraph.id, matches, paragraph.text is not None,
                                       ar_entities.get(paragraph.id, ()), rejected)
        for anchor in anchors:
            for en, source in anchor.form.english:
                english_terms.setdefault((en, anchor.form.key), source)
        sides.append((paragraph, arabic, anchors))
    article_matcher = EnglishMatcher((en, (source, key)) for (en, key), source in english_terms.items())
    with_english = [(paragraph.id, paragraph.text) for paragraph, _, anchors in sides if anchors and paragraph.text]
    english_matches = dict(zip((paragraph_id for paragraph_id, _ in with_english),
                               article_matcher.find_many([text for _, text in with_english])))

    suggestions: list[Suggestion] = []
    for paragraph, arabic, anchors in sides:
        suggestions.extend(arabic)
        if paragraph.text is not None and paragraph.id in english_matches:  # matched ones all have English
            suggestions.extend(_english_side(english_matches[paragraph.id], paragraph.id, paragraph.text, anchors,
                                             en_entities.get(paragraph.id, ()), rejected))
    return suggestions


class _Anchor(NamedTuple):
    """Something on the Arabic side with known English forms: an entity or an Arabic suggestion."""
    start: int
    form: KnownForm
    label: str
    link_to: dict


def _arabic_side(forms: KnownForms, paragraph_id: int, matches: list[Match], has_english: bool,
                 ar_existing: Iterable[_Existing], rejected: set[tuple]) -> tuple[list[Suggestion], list[_Anchor]]:
    """The Arabic suggestions of a paragraph from the matches in its Arabic, and the anchors of its English
    ones (in Arabic order)."""
    result: list[Suggestion] = []
    anchors: list[_Anchor] = []
    for match in matches:
        form = cast(KnownForm, match.term_payload)
        if ar_existing and _covered(ar_existing, match.start, match.end, form.label):
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
            known = forms.form_of(entity.text)
            if known is not None and known.english:
                anchors.append(_Anchor(entity.start, known, entity.label, {"ar_entity_id": entity.id}))
        anchors.sort(key=lambda a: a.start)
    return result, anchors


def _english_side(matches: list[Match], paragraph_id: int, english: str, anchors: list[_Anchor],
                  en_existing: Iterable[_Existing], rejected: set[tuple]) -> list[Suggestion]:
    """`matches`: those of the article's English forms in `english`."""
    by_key: dict[str, list[_Anchor]] = defaultdict(list)
    for anchor in anchors:
        by_key[anchor.form.key].append(anchor)
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
        source, key = here[0] if len(here) == 1 else min(here, key=lambda pair: by_key[pair[1]][0].start)
        candidates = by_key[key]
        ordinal = seen_per_key[key]  # the k-th English occurrence goes with the k-th Arabic one
        seen_per_key[key] += 1
        anchor = candidates[ordinal] if ordinal < len(candidates) else candidates[-1]
        span = (match.start, match.end, anchor.label)
        if span in taken or en_existing and _covered(en_existing, match.start, match.end, anchor.label):
            continue
        if (paragraph_id, "en", match.start, match.end, anchor.label, match.surface) in rejected:
            continue
        taken.add(span)
        result.append(Suggestion(paragraph_id, "en", match.start, match.end, anchor.label, match.surface, source,
                                 dict(anchor.link_to)))
    return result


def reject_suggestion(paragraph_id: int, lang: str, start: int, end: int, label_name: str, *,
                      actor: User | None, layer: int | None = None) -> SuggestionRejection:
    """Remember that this span and label should not be suggested again in this paragraph (committed).

    Idempotent: rejecting the same suggestion again returns the stored rejection. The span is checked
    against the paragraph's Arabic, or its current English for "en". Checks no rights (the caller does).
    """
    if lang not in ("ar", "en"):
        raise SuggestionError("lang must be 'ar' or 'en'.")
    from .layers import LineColumns, entity_in

    line = LineColumns(layer)  # the English of the actor's line (services/layers.py)
    row = db.session.execute(
        line.join(select(Paragraph.ar, Translation.text))
        .outerjoin(Translation, Translation.id == line.current_revision_id)
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
             SuggestionRejection.label_id == label.id, entity_in(layer, SuggestionRejection))
    existing = db.session.scalar(select(SuggestionRejection).where(*where))
    if existing is not None:
        if existing.text != surface:  # the English changed under the same span
            existing.text = surface
            existing.user_id = actor.id if actor is not None else None
            db.session.commit()
        return existing
    rejection = SuggestionRejection(paragraph_id=paragraph_id, lang=lang, start=start, end=end, label_id=label.id,
                                    text=surface, user_id=actor.id if actor is not None else None,
                                    layer_user_id=layer)
    db.session.add(rejection)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent rejection of the same suggestion won
        db.session.rollback()
        return db.session.execute(select(SuggestionRejection).where(*where)).scalar_one()
    record_event(actor, "suggestion.reject", "paragraph", paragraph_id,
                 after={"lang": lang, "start": start, "end": end, "label": label.name, "text": surface})
    if actor is not None:
        article_id = db.session.execute(select(Paragraph.article_id).where(Paragraph.id == paragraph_id)).scalar_one()
        record_action(actor, article_id, paragraph_id, "suggestion.reject",
                      {"lang": lang, "start": start, "end": end, "label_id": label.id, "text": surface})
    db.session.commit()
    return rejection
