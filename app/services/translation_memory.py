"""Translation memory: fuzzy matches and concordance over approved work and imported TMX (docs/architecture.md,
Translation memory).

Units
-----
* every APPROVED paragraph: its Arabic and its approved English (`paragraphs.approved_revision_id`), read
  from `paragraphs` directly, never copied: a re-approval is seen as a new approved revision, a reopen or an
  edit (status no longer `approved`) drops it, with nothing to keep in step in the approve call;
* every unit imported from a TMX file (`tm_units`, models/memory.py; ``import_tmx``).

Keys and features
-----------------
Arabic is compared on its key (``arabic.memory_keys``: the normalisation of suggestions plus Arabic-Indic
digits as ASCII and lower case). A unit's features are the ids of the words of its key, of the readings of
each word with proclitics stripped (``arabic.proclitic_readings``) and of each pair of adjacent words, plus
the lower-cased words of its English (another range of ids). A score is rapidfuzz's ``fuzz.ratio`` of two keys
divided by 100: 1 means identical after normalisation.

The index (``memory_index``)
----------------------------
Per process and database, rebuilt from the database: the keys of all units, and an inverted index from
feature to units (numpy: one sorted array of (feature, unit) pairs, built with vectorised operations, plus a
small one for units added since, merged into it when it grows) with a mask of the units still alive. A
match: the units sharing pairs of adjacent words with the query (one ``bincount`` over their lists), within
the lengths a score of ``min_score`` allows, the ``CANDIDATES`` sharing most, scored with rapidfuzz. A concordance: the units holding every word of the query (the first one possibly behind
proclitics), verified with the suggestions' own matchers (``TermMatcher``, ``EnglishMatcher``) on their text.

It is kept current like the known forms of suggestions: a fingerprint (count, sums and max of the approved
paragraphs' ids and approved revisions; count, sum and max of the imported units' ids) is read at most every
``TM_RECHECK_SECONDS`` (2 s; 0 in the tests); when it moved, the (id, approved revision) pairs of the
approved paragraphs (or the ids of imported units) are compared with what the index holds and only the
difference is read and indexed. An approval or an import in any process is therefore matched by every
other process within ``TM_RECHECK_SECONDS`` plus one such update. Every unit shown is read again from the
database with its status: a paragraph no longer approved is never shown, even by an index not yet updated.
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
import unicodedata
from array import array
from dataclasses import dataclass, field
from typing import Iterable, Iterator, NamedTuple, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import text as sql_text

from ..extensions import db
from . import NotFound, ServiceError, gc_paused
from .arabic import EnglishMatcher, TermMatcher, memory_keys, proclitic_readings
from .sentences import sentence_spans

CANDIDATES = 1000  # units scored with rapidfuzz per query, those sharing most word pairs
MAX_LIMIT = 200
EXACT_TOTAL_UP_TO = 500  # concordance: units verified at least, for an exact total
_CHUNK = 500  # ids per IN (…) query
# Units indexed at a time by a first build: 100,000 units of news-length text peak at about 450 MB above
# what the process held in parts of 20,000, 970 MB in one (the index itself keeps about 210 MB).
_BUILD_CHUNK = 20_000
_WORD = re.compile(r"\w+")


class TmQueryError(ServiceError):
    """A query the memory cannot answer (HTTP 422)."""


# --- features -------------------------------------------------------------------------------------------
# A feature is an integer below 2**41: the id of an Arabic word of a key (or of one of its readings with
# proclitics stripped), below 2**20; a pair of adjacent words, ((first + 1) << 20) | second; an English word,
# 2**40 + its id. Ids are given in order of first sight (a vocabulary beyond 2**20 words wraps around, which
# only adds candidates: every candidate is scored or verified). The index holds (feature << 22) | slot,
# sorted and without repeats, so the units of a feature are one slice and a unit counts a feature once.

_ID_BITS = 20
_ID_MASK = (1 << _ID_BITS) - 1
_ENGLISH_BASE = 1 << 40
_SLOT_BITS = 22
_SLOT_MASK = (1 << _SLOT_BITS) - 1
MAX_SLOTS = 1 << _SLOT_BITS  # the index is rebuilt from the database before it would hold more


class _Vocabulary:
    """Word -> id, with the ids of each Arabic word's readings behind proclitics."""

    def __init__(self, arabic: bool):
        self.ids: dict[str, int] = {}
        self.readings: dict[int, tuple[int, ...]] = {}
        self.arabic = arabic

    def id_of(self, word: str) -> int:
        found = self.ids.get(word)
        if found is not None:
            return found
        new = self.ids[word] = len(self.ids) & _ID_MASK
        if self.arabic:
            stripped = tuple(self.id_of(reading) for reading in proclitic_readings(word))
            if stripped:
                self.readings[new] = stripped
        return new

    def known(self, words: Iterable[str]) -> list[int]:
        ids = self.ids
        return [ids[word] for word in words if word in ids]


def _sorted_set(*arrays: np.ndarray) -> np.ndarray:
    """The values of `arrays`, sorted, each once (np.unique hashes first in numpy 2: several times slower)."""
    values = np.concatenate(arrays) if len(arrays) > 1 else arrays[0].copy()
    values.sort()  # in place: one copy of the postings fewer at the peak of a build
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _pairs(ids: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The features of adjacent words of the same owner, and their owners."""
    same = owners[1:] == owners[:-1]
    return ((ids[:-1][same] + 1) << _ID_BITS) | ids[1:][same], owners[1:][same]


# --- the index ------------------------------------------------------------------------------------------

class Ref(NamedTuple):
    origin: str  # "approved" | "tm"
    id: int  # paragraph id, or tm_units id


def _empty(dtype) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass
class MemoryIndex:
    """The units of one database as this process last read them (see the module docstring)."""

    keys: list[str] = field(default_factory=list)  # per slot
    refs: list[Ref] = field(default_factory=list)  # per slot
    lengths: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    alive: np.ndarray = field(default_factory=lambda: _empty(bool))
    slot_of: dict[Ref, int] = field(default_factory=dict)
    revision_of: dict[int, int] = field(default_factory=dict)  # approved paragraph id -> its approved revision
    by_key: dict[str, list[int]] = field(default_factory=dict)  # key -> slots (dead ones included)
    # (feature << 22) | slot, sorted; and the same for units added since. One tuple, replaced whole: a
    # request reading it meanwhile sees both arrays before or both after (waitress serves in threads).
    postings: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (_empty(np.uint64), _empty(np.uint64)))
    arabic: _Vocabulary = field(default_factory=lambda: _Vocabulary(True))
    english: _Vocabulary = field(default_factory=lambda: _Vocabulary(False))
    fingerprint: tuple = ()
    checked_at: float = -float("inf")

    def __len__(self) -> int:
        return int(self.alive.sum())

    # building --------------------------------------------------------------------------------------------
    def add(self, units: Sequence[tuple[Ref, str, str]]) -> None:
        """Index (ref, Arabic, English) units; a ref already indexed is replaced."""
        if not units:
            return
        with gc_paused():
            keys = memory_keys([ar for _, ar, _ in units])
            first = len(self.keys)
            self.kill(ref for ref, _, _ in units)
            self.keys.extend(keys)
            self.refs.extend(ref for ref, _, _ in units)
            self.lengths = np.concatenate([self.lengths, np.fromiter(map(len, keys), np.int32, len(keys))])
            self.alive = np.concatenate([self.alive, np.ones(len(keys), dtype=bool)])
            for offset, ((ref, _, _), key) in enumerate(zip(units, keys)):
                self.slot_of[ref] = first + offset
                self.by_key.setdefault(key, []).append(first + offset)
            new = self._postings_of(keys, [en for _, _, en in units], first)
            main, recent = self.postings
            if len(recent) + len(new) > max(100_000, len(main) // 10):
                self.postings = (self._live(_sorted_set(main, recent, new)), _empty(np.uint64))
            else:
                self.postings = (main, _sorted_set(recent, new))

    def _postings_of(self, keys: list[str], english: list[str], first: int) -> np.ndarray:
        arabic_id, english_id = self.arabic.id_of, self.english.id_of
        known_arabic, known_english = self.arabic.ids, self.english.ids
        word_ids: array = array("q")
        counts: array = array("q")
        for key in keys:
            unit_ids = [known_arabic[w] if w in known_arabic else arabic_id(w) for w in _WORD.findall(key)]
            word_ids.extend(unit_ids)
            counts.append(len(unit_ids))
        english_ids: array = array("q")
        english_counts: array = array("q")
        for text in english:
            unit_ids = [known_english[w] if w in known_english else english_id(w) for w in _WORD.findall(text.lower())]
            english_ids.extend(unit_ids)
            english_counts.append(len(unit_ids))
        slots = np.arange(first, first + len(keys), dtype=np.int64)
        ids = np.frombuffer(word_ids, dtype=np.int64)
        owners = np.repeat(slots, np.frombuffer(counts, dtype=np.int64))
        pair_features, pair_owners = _pairs(ids, owners)
        # The readings of the words behind proclitics: each word's (few) readings, looked up per distinct word.
        readings = self.arabic.readings
        distinct = _sorted_set(ids)
        with_readings = [(word, reading) for word in distinct.tolist() for reading in readings.get(word, ())]
        parts = [(ids, owners), (pair_features, pair_owners)]
        if with_readings:
            table = np.array(with_readings, dtype=np.int64)
            at = np.searchsorted(table[:, 0], ids, side="left")
            ends = np.searchsorted(table[:, 0], ids, side="right")
            per_word = ends - at
            total = int(per_word.sum())
            offsets = np.repeat(at - np.cumsum(per_word) + per_word, per_word) + np.arange(total)
            parts.append((table[offsets, 1], np.repeat(owners, per_word)))
        english_owners = np.repeat(slots, np.frombuffer(english_counts, dtype=np.int64))
        parts.append((np.frombuffer(english_ids, dtype=np.int64) + _ENGLISH_BASE, english_owners))
        features = np.concatenate([p[0] for p in parts]).view(np.uint64)  # all >= 0: the same bits
        owners = np.concatenate([p[1] for p in parts]).view(np.uint64)
        return _sorted_set((features << np.uint64(_SLOT_BITS)) | owners)

    def _live(self, postings: np.ndarray) -> np.ndarray:
        """The postings of units still alive."""
        if self.alive.all():
            return postings
        return postings[self.alive[(postings & np.uint64(_SLOT_MASK)).astype(np.int64)]]

    def kill(self, refs: Iterable[Ref]) -> None:
        for ref in refs:
            slot = self.slot_of.pop(ref, None)
            if slot is not None:
                self.alive[slot] = False

    # querying --------------------------------------------------------------------------------------------
    def _units_of(self, features: Iterable[int]) -> list[np.ndarray]:
        """The slot lists of each feature (a slot once per feature), dead slots included."""
        wanted = _sorted_set(np.fromiter(features, np.uint64)) << np.uint64(_SLOT_BITS)
        lists = []
        for postings in self.postings:
            if not len(postings) or not len(wanted):
                continue
            starts = np.searchsorted(postings, wanted)
            ends = np.searchsorted(postings, wanted + np.uint64(1 << _SLOT_BITS))
            for start, end in zip(starts.tolist(), ends.tolist()):
                if end > start:
                    lists.append((postings[start:end] & np.uint64(_SLOT_MASK)).astype(np.int64))
        return lists

    def _shared(self, features: Iterable[int], slots: int) -> np.ndarray:
        """For each of the first `slots` slots, how many of `features` its unit has. (Queries work on the
        slots `alive` had when they began: units added meanwhile by another thread are left out.)"""
        lists = self._units_of(features)
        if not lists:
            return np.zeros(slots, dtype=np.int64)
        return np.bincount(np.concatenate(lists), minlength=slots)[:slots]

    def _match_features(self, key: str) -> list[int]:
        """Pairs of adjacent words (words alone for a key of fewer than three): what candidates share."""
        ids = self.arabic.known(_WORD.findall(key))
        if len(ids) < 3:
            return ids
        return [((a + 1) << _ID_BITS) | b for a, b in zip(ids, ids[1:])]

    def candidates(self, key: str, min_score: float, *, exclude: int | None = None,
                   limit: int | None = None) -> np.ndarray:
        """Slots that may score `min_score` against `key`: sharing features, of a compatible length; the
        `limit` (CANDIDATES) sharing most."""
        limit = CANDIDATES if limit is None else limit
        alive = self.alive  # lengths and keys are extended before alive is: they hold its slots
        slots = len(alive)
        shared = self._shared(self._match_features(key), slots)
        lengths = self.lengths[:slots]
        length = len(key)
        low = length * min_score / (2 - min_score)
        high = length * (2 - min_score) / min_score if min_score > 0 else np.inf
        mask = (shared > 0) & alive & (lengths >= low) & (lengths <= high)
        if exclude is not None:
            mask[exclude] = False
        found = np.flatnonzero(mask)
        if len(found) > limit:
            found = found[np.argpartition(-shared[found], limit)[:limit]]
        return found

    def scored(self, key: str, min_score: float, *, exclude: int | None = None) -> list[tuple[float, int]]:
        """(score, slot) of the units scoring at least `min_score` against `key`, best first."""
        if not key:
            return []
        slots = self.candidates(key, min_score, exclude=exclude)
        if not len(slots):
            return []
        choices = [self.keys[s] for s in slots.tolist()]
        found = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=min_score * 100, limit=None)
        return [(round(score / 100, 4), int(slots[index])) for _, score, index in found]

    def brute_force(self, key: str, min_score: float) -> list[tuple[float, int]]:
        """The same over every unit, without the index: rapidfuzz's process.extract (the bench's baseline)."""
        alive = self.alive
        found = process.extract(key, self.keys[:len(alive)], scorer=fuzz.ratio, score_cutoff=min_score * 100,
                                limit=None)
        return [(round(score / 100, 4), index) for _, score, index in found if alive[index]]

    def containing(self, words: list[str], *, english: bool = False) -> np.ndarray:
        """Alive slots whose units hold every one of `words` (Arabic: as a word, or behind proclitics)."""
        vocabulary = self.english if english else self.arabic
        ids = vocabulary.known(words)
        if len(set(ids)) < len(set(words)) or not ids:
            return _empty(np.int64)  # a word no unit has
        features = {i + _ENGLISH_BASE if english else i for i in ids}
        alive = self.alive
        shared = self._shared(features, len(alive))
        return np.flatnonzero((shared >= len(features)) & alive)


# --- keeping it current ---------------------------------------------------------------------------------

_FINGERPRINT = (
    "SELECT * FROM (SELECT count(*), sum(id), sum(approved_revision_id), max(approved_revision_id) "
    "FROM paragraphs WHERE status = 'approved') AS p, (SELECT count(*), sum(id), max(id) FROM tm_units) AS u"
)
_APPROVED_REVISIONS = "SELECT id, approved_revision_id FROM paragraphs WHERE status = 'approved'"
_TM_IDS = "SELECT id FROM tm_units"
# The IN (…) lists below are filled with bound parameters only (_in_chunks).
_APPROVED_UNITS = (  # nosec B608
    "SELECT p.id, p.ar, t.text, p.approved_revision_id FROM paragraphs AS p "
    "JOIN translations AS t ON t.id = p.approved_revision_id WHERE p.status = 'approved' AND p.id IN ({ids})"
)
_TM_UNITS = ("SELECT u.id, u.ar, u.en, m.name FROM tm_units AS u JOIN translation_memories AS m "  # nosec B608
             "ON m.id = u.memory_id WHERE u.id IN ({ids})")

_ALL_APPROVED_UNITS = ("SELECT p.id, p.ar, t.text, p.approved_revision_id FROM paragraphs AS p "
                       "JOIN translations AS t ON t.id = p.approved_revision_id WHERE p.status = 'approved' "
                       "ORDER BY p.id")
_ALL_TM_UNITS = "SELECT id, ar, en FROM tm_units ORDER BY id"

_lock = threading.Lock()  # one refresh at a time in a process
_indexes: dict[str, MemoryIndex] = {}
_clock = time.monotonic
_INDEXED_DATABASES = 2


def _rows(sql: str, parameters: dict | None = None) -> list[tuple]:
    return [tuple(row) for row in db.session.connection().execute(sql_text(sql), parameters or {})]


def _in_chunks(sql: str, ids: Sequence[int] | Sequence[str]) -> Iterator[tuple]:
    for at in range(0, len(ids), _CHUNK):
        chunk = ids[at:at + _CHUNK]
        names = {f"i{n}": value for n, value in enumerate(chunk)}
        yield from _rows(sql.format(ids=", ".join(f":{name}" for name in names)), names)


def _recheck_seconds() -> float:
    from flask import current_app, has_app_context

    return float(current_app.config.get("TM_RECHECK_SECONDS", 2.0)) if has_app_context() else 0.0


def _database() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def memory_index(*, wait: bool = True) -> MemoryIndex:
    """The index of this database, brought up to date if its fingerprint was not checked for
    TM_RECHECK_SECONDS (see the module docstring). With wait=False, while another thread builds or updates
    it, the index as it is (empty before the first build) rather than waiting: the QA check in a save or an
    approval never waits for a build."""
    database = _database()
    index = _indexes.get(database)
    if index is not None and (_checked_in_this_request(database) or
                              _clock() - index.checked_at < _recheck_seconds()):
        return index
    if not _lock.acquire(blocking=wait):
        return index if index is not None else MemoryIndex()
    try:
        index = _indexes.get(database)
        if index is not None and len(index.keys) > MAX_SLOTS // 2:  # mostly dead slots by now: read it all again
            index = None
        if index is None:
            if len(_indexes) >= _INDEXED_DATABASES and database not in _indexes:
                del _indexes[next(iter(_indexes))]  # the oldest: one process rarely serves several databases
            index = _indexes[database] = MemoryIndex()
        now = _clock()
        if now - index.checked_at >= _recheck_seconds():
            (row,) = _rows(_FINGERPRINT)
            fingerprint = tuple(int(value or 0) for value in row)
            if fingerprint != index.fingerprint:
                _update(index, index.fingerprint, fingerprint)
                index.fingerprint = fingerprint
            index.checked_at = now
        _checked_in_this_request(database, mark=True)
    finally:
        _lock.release()
    return index


def _checked_in_this_request(database: str, *, mark: bool = False) -> bool:
    """Whether this HTTP request already brought the index up to date: a page or a QA run over an article
    reads the fingerprint once, not once per paragraph (outside a request, always False)."""
    from flask import has_request_context, request

    if not has_request_context():
        return False
    checked = request.environ.setdefault("mizan.tm_checked", set())
    if mark:
        checked.add(database)
    return database in checked


def build_in_background() -> None:
    """Build this database's index in a thread of its own (a server's first request: the first matches
    request then waits for it instead of building it again)."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy, typed as the Flask app

    def run() -> None:
        with app.app_context():
            try:
                memory_index()
            except Exception:  # noqa: BLE001 — the next request will try again
                app.logger.exception("building the translation memory's index failed")
            finally:
                db.session.remove()

    threading.Thread(target=run, name="mizan-translation-memory", daemon=True).start()


def _update(index: MemoryIndex, before: tuple, after: tuple) -> None:
    """Read what changed since `before` and index it (the whole memory the first time)."""
    units: list[tuple[Ref, str, str]] = []
    if not index.refs:  # the first build: everything in one query each, no id lists
        for pid, ar, en, revision in _rows(_ALL_APPROVED_UNITS):
            units.append((Ref("approved", pid), ar, en))
            index.revision_of[pid] = revision
        units += [(Ref("tm", uid), ar, en) for uid, ar, en in _rows(_ALL_TM_UNITS)]
        for at in range(0, len(units), _BUILD_CHUNK):  # in parts: the intermediate arrays of one part only
            index.add(units[at:at + _BUILD_CHUNK])
        return
    if before[:4] != after[:4]:
        current = dict(_rows(_APPROVED_REVISIONS))
        known = index.revision_of
        index.kill(Ref("approved", pid) for pid in known.keys() - current.keys())
        for pid in known.keys() - current.keys():
            del known[pid]
        changed = sorted(pid for pid, revision in current.items() if known.get(pid) != revision)
        for pid, ar, en, revision in _in_chunks(_APPROVED_UNITS, changed):
            units.append((Ref("approved", pid), ar, en))
            known[pid] = revision
    if before[4:] != after[4:]:
        ids = {row[0] for row in _rows(_TM_IDS)}
        known_tm = {ref.id for ref in index.slot_of if ref.origin == "tm"}
        index.kill(Ref("tm", uid) for uid in known_tm - ids)
        for uid, ar, en, _ in _in_chunks(_TM_UNITS, sorted(ids - known_tm)):
            units.append((Ref("tm", uid), ar, en))
    index.add(units)


def forget_indexes() -> None:
    """Drop every index of this process (the next call rebuilds it)."""
    with _lock:
        _indexes.clear()


# --- reading units --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    origin: str  # "approved" | "tm"
    ar: str
    en: str
    paragraph_id: int | None
    tm_name: str | None


def units_of(refs: Iterable[Ref]) -> dict[Ref, Unit]:
    """The units as they are in the database now: an approved paragraph only while it is approved."""
    wanted = list(dict.fromkeys(refs))
    found: dict[Ref, Unit] = {}
    approved = [ref.id for ref in wanted if ref.origin == "approved"]
    for pid, ar, en, _ in _in_chunks(_APPROVED_UNITS, approved):
        found[Ref("approved", pid)] = Unit("approved", ar, en, pid, None)
    imported = [ref.id for ref in wanted if ref.origin == "tm"]
    for uid, ar, en, name in _in_chunks(_TM_UNITS, imported):
        found[Ref("tm", uid)] = Unit("tm", ar, en, None, name)
    return found


# --- fuzzy matches --------------------------------------------------------------------------------------

def _check_match_args(min_score: object, limit: object) -> tuple[float, int]:
    if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or not 0 <= min_score <= 1:
        raise TmQueryError("min_score must be a number from 0 to 1.")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise TmQueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return float(min_score), limit


def paragraph_matches(paragraph_id: int, *, min_score: float = 0.5, limit: int = 5) -> list[dict]:
    """The best units for a paragraph and each of its sentences, best first (checks no rights)."""
    min_score, limit = _check_match_args(min_score, limit)
    rows = _rows("SELECT ar FROM paragraphs WHERE id = :id", {"id": paragraph_id})
    if not rows:
        raise NotFound(f"Paragraph {paragraph_id} not found.")
    return matches_for_text(rows[0][0], min_score=min_score, limit=limit, exclude_paragraph=paragraph_id)


def matches_for_text(ar: str, *, min_score: float = 0.5, limit: int = 5,
                     exclude_paragraph: int | None = None) -> list[dict]:
    """The best units for an Arabic text and each of its sentences (Mizan's splitter), best first."""
    ar = unicodedata.normalize("NFC", ar)
    spans = sentence_spans(ar)
    if not spans:
        return []
    parts = [("paragraph", spans[0][0], spans[-1][1])]
    if len(spans) > 1:
        parts += [("sentence", start, end) for start, end in spans]
    index = memory_index()
    exclude = index.slot_of.get(Ref("approved", exclude_paragraph)) if exclude_paragraph is not None else None
    keys = memory_keys([ar[start:end] for _, start, end in parts])
    found = []
    for (scope, start, end), key in zip(parts, keys):
        for score, slot in index.scored(key, min_score, exclude=exclude):
            found.append((score, scope == "sentence", start, slot, scope, end))
    found.sort(key=lambda item: (-item[0], item[1], item[2], item[3]))
    units = units_of(index.refs[item[3]] for item in found[:limit * 2])
    result = []
    for score, _, start, slot, scope, end in found:
        unit = units.get(index.refs[slot])
        if unit is None:  # no longer approved (the index is not updated yet), or removed
            continue
        result.append({"score": score, "scope": scope, "ar_start": start, "ar_end": end, "ar": unit.ar,
                       "en": unit.en, "origin": unit.origin, "paragraph_id": unit.paragraph_id,
                       "tm_name": unit.tm_name})
        if len(result) == limit:
            break
    return result


def exact_matches(paragraphs: Sequence[tuple[int, str]]) -> list[int]:
    """The ids of those (paragraph id, Arabic) whose whole Arabic is identical after normalisation to a unit
    of the memory (a 100% paragraph match) other than the paragraph itself: one dictionary look-up per
    paragraph (the index's `by_key`), the units found read again (an approved paragraph only while it is)."""
    if not paragraphs:
        return []
    index = memory_index()
    keys = memory_keys([unicodedata.normalize("NFC", ar).strip() for _, ar in paragraphs])
    candidates: dict[int, list[Ref]] = {}
    alive = index.alive
    for (pid, _), key in zip(paragraphs, keys):
        own = Ref("approved", pid)
        refs = [index.refs[slot] for slot in index.by_key.get(key, ()) if key and slot < len(alive) and alive[slot]]
        refs = [ref for ref in refs if ref != own]
        if refs:
            candidates[pid] = refs
    units = units_of(ref for refs in candidates.values() for ref in refs)
    return [pid for pid, refs in candidates.items() if any(ref in units for ref in refs)]


_MEMORY_ENGLISH = (
    "SELECT 1 FROM tm_units WHERE en = :en UNION ALL "
    "SELECT 1 FROM paragraphs AS p JOIN translations AS t ON t.id = p.approved_revision_id "
    "WHERE p.status = 'approved' AND p.id <> :pid AND t.text = :en"
)


def is_memory_english(en: str, *, exclude_paragraph_id: int | None = None) -> bool:
    """Whether `en` is the English of a unit of the memory (an imported unit, or a paragraph approved now
    other than `exclude_paragraph_id`): what a revision saved with origin `tm` must be."""
    return bool(_rows(f"SELECT 1 WHERE EXISTS ({_MEMORY_ENGLISH})",  # nosec B608: constant SQL
                      {"en": en, "pid": -1 if exclude_paragraph_id is None else exclude_paragraph_id}))


# --- concordance ----------------------------------------------------------------------------------------

def concordance(q: object, *, lang: object = "ar", limit: object = 50) -> dict:
    """Units whose Arabic (lang "ar": normalised, proclitics allowed in front, as suggestions match) or
    English (lang "en": case-insensitive, whole words) holds `q`: {"hits": [...], "total", "total_exact"},
    newest first. The index gives the units holding every word of `q`; each is verified with the matcher
    until `limit` hits are found and at least EXACT_TOTAL_UP_TO were verified. `total` counts the verified
    hits plus the units not verified (which hold every word, not necessarily side by side): exact, and
    `total_exact` true, whenever every unit was verified."""
    if lang not in ("ar", "en"):
        raise TmQueryError("lang must be 'ar' or 'en'.")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise TmQueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    query = unicodedata.normalize("NFC", q).strip() if isinstance(q, str) else ""
    if not query:
        raise TmQueryError("q is empty: give the words to look for.")
    if len(query) > 500:
        raise TmQueryError("q can be at most 500 characters.")
    index = memory_index()
    if lang == "ar":
        words = _WORD.findall(memory_keys([query])[0])
        matcher: TermMatcher | EnglishMatcher = TermMatcher([(query, None)])
    else:
        words = _WORD.findall(query.lower())
        matcher = EnglishMatcher([(query, None)])
    if not words:
        raise TmQueryError("q holds no word to look for.")
    slots = index.containing(words, english=lang == "en")[::-1].tolist()  # newest first
    hits: list[dict] = []
    total = 0
    verified = 0
    while verified < len(slots) and (len(hits) < limit or verified < EXACT_TOTAL_UP_TO):
        refs = [index.refs[slot] for slot in slots[verified:verified + _CHUNK]]
        verified += len(refs)
        units = units_of(refs)
        present = [units[ref] for ref in refs if ref in units]
        texts = [unit.ar if lang == "ar" else unit.en for unit in present]
        for unit, matches in zip(present, matcher.find_many(texts)):
            if not matches:
                continue
            total += 1
            if len(hits) < limit:
                hits.append({"ar": unit.ar, "en": unit.en, "origin": unit.origin, "paragraph_id": unit.paragraph_id,
                             "tm_name": unit.tm_name, "spans": [[m.start, m.end] for m in matches]})
    exact = verified >= len(slots)
    return {"hits": hits, "total": total + (len(slots) - verified), "total_exact": exact}



# --- consistency (QA check `inconsistent`) --------------------------------------------------------------

def approved_sentences_elsewhere(ar: str, paragraph_id: int | None) -> tuple[tuple[str, str, str], ...]:
    """(sentence, approved English, where) for each sentence of `ar` whose key is the whole Arabic of an
    approved paragraph elsewhere: the English that sentence was approved with (qa.py, `inconsistent`).
    Never waits for another thread's build or update of the index (memory_index(wait=False)): a save or an
    approval during a server's first seconds is checked against the index as it is."""
    index = memory_index(wait=False)
    found: list[tuple[str, Ref]] = []
    spans = sentence_spans(ar)
    for (start, end), key in zip(spans, memory_keys([ar[s:e] for s, e in spans])):
        for slot in index.by_key.get(key, ()):
            ref = index.refs[slot]
            if index.alive[slot] and ref.origin == "approved" and ref.id != paragraph_id:
                found.append((ar[start:end], ref))
    if not found:
        return ()
    units = units_of(ref for _, ref in found)
    articles = dict(_in_chunks("SELECT id, article_id FROM paragraphs WHERE id IN ({ids})",  # nosec B608
                               sorted({ref.id for _, ref in found})))
    return tuple((sentence, units[ref].en, f"article {articles[ref.id]}, paragraph {ref.id}")
                 for sentence, ref in found if ref in units)


# --- imported memories ----------------------------------------------------------------------------------

def unit_checksum(ar: str, en: str) -> str:
    """What makes two units the same: their NFC Arabic and English, white space runs as one space."""
    def clean(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    return hashlib.sha256((clean(ar) + "\x00" + clean(en)).encode("utf-8")).hexdigest()


class TmxError(ServiceError):
    """A file that is not a TMX file, or a memory that cannot be found (nothing was changed)."""


MAX_UNIT_CHARS = 20_000
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class TmxReport:
    name: str
    read: int = 0
    added: int = 0
    duplicates: int = 0
    refused: dict[str, list[int]] = field(default_factory=dict)  # why -> the numbers of the units (1-based)

    @property
    def refused_count(self) -> int:
        return sum(map(len, self.refused.values()))


def _language(code: str | None) -> str | None:
    """'ar' or 'en' for any variant of them (ar, ar-SA, AR_eg, en-US, EN), else None."""
    primary = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in ("ar", "en") else None


def read_tmx(data: bytes) -> list[tuple[str | None, str | None]]:
    """(Arabic, English) of each unit of a TMX document, read with translate-toolkit; None for a missing side.
    TmxError if it is not TMX."""
    from lxml import etree
    from translate.storage import tmx

    try:
        store = tmx.tmxfile.parsestring(data)
    except (etree.XMLSyntaxError, AssertionError, ValueError) as error:
        detail = f": {error}" if str(error) else " (its root element is not <tmx>)"
        raise TmxError(f"This is not a TMX file{detail}.") from None
    pairs: list[tuple[str | None, str | None]] = []
    for unit in store.units:
        sides: dict[str, str] = {}
        for node in unit.getlanguageNodes():
            language = _language(node.get(_XML_LANG) or node.get("lang"))
            if language is not None and language not in sides:
                sides[language] = unit.getNodeText(node) or ""
        pairs.append((sides.get("ar"), sides.get("en")))
    return pairs


def _unit_refusal(ar: str | None, en: str | None) -> str | None:
    from .user_text import forbidden_character_message

    if ar is None or en is None:
        return "no Arabic (ar*) segment" if ar is None else "no English (en*) segment"
    if not ar.strip() or not en.strip():
        return "an empty segment"
    if len(ar) > MAX_UNIT_CHARS or len(en) > MAX_UNIT_CHARS:
        return f"a segment longer than {MAX_UNIT_CHARS:,} characters"
    if forbidden_character_message(ar) or forbidden_character_message(en):
        return "a character that cannot be stored (a control character or a lone surrogate)"
    return None


def import_tmx(data: bytes, *, name: str, file_name: str) -> TmxReport:
    """Add the units of a TMX document to the memory `name` (created if need be; committed). A unit already
    in any memory (same Arabic and English) is skipped as a duplicate; one without both sides is refused.
    TmxError, and nothing changes, if the file is not TMX."""
    from ..models import TmUnit, TranslationMemory

    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not name or len(name) > 200:
        raise TmxError("The memory's name must hold 1 to 200 characters.")
    pairs = read_tmx(data)
    report = TmxReport(name, read=len(pairs))
    fresh: dict[str, tuple[str, str]] = {}
    for number, (ar, en) in enumerate(pairs, start=1):
        why = _unit_refusal(ar, en)
        if why is not None:
            report.refused.setdefault(why, []).append(number)
            continue
        assert ar is not None and en is not None
        ar, en = (" ".join(unicodedata.normalize("NFC", text).split()) for text in (ar, en))
        checksum = unit_checksum(ar, en)
        if checksum in fresh:
            report.duplicates += 1
        else:
            fresh[checksum] = (ar, en)
    known = {row[0] for row in _in_chunks("SELECT checksum FROM tm_units WHERE checksum IN ({ids})",  # nosec B608
                                          list(fresh))}
    report.duplicates += len(known)
    new = [(checksum, ar, en) for checksum, (ar, en) in fresh.items() if checksum not in known]
    if new:
        memory = db.session.scalar(db.select(TranslationMemory).where(TranslationMemory.name == name))
        if memory is None:
            memory = TranslationMemory(name=name, file_name=file_name[:255])
            db.session.add(memory)
            db.session.flush()
        db.session.execute(db.insert(TmUnit), [{"memory_id": memory.id, "ar": ar, "en": en, "checksum": checksum}
                                               for checksum, ar, en in new])
        report.added = len(new)
    db.session.commit()
    return report


@dataclass(frozen=True)
class MemorySummary:
    name: str
    units: int
    file_name: str
    imported_at: object


def list_memories() -> list[MemorySummary]:
    from ..models import TmUnit, TranslationMemory

    rows = db.session.execute(
        db.select(TranslationMemory.name, db.func.count(TmUnit.id), TranslationMemory.file_name,
                  TranslationMemory.imported_at)
        .outerjoin(TmUnit, TmUnit.memory_id == TranslationMemory.id)
        .group_by(TranslationMemory.id).order_by(TranslationMemory.name)
    ).all()
    return [MemorySummary(*row) for row in rows]


def remove_memory(name: str) -> int:
    """Delete the memory `name` and its units (committed); the number of units removed."""
    from ..models import TmUnit, TranslationMemory

    memory = db.session.scalar(db.select(TranslationMemory).where(TranslationMemory.name == name))
    if memory is None:
        raise TmxError(f"There is no memory named {name!r} (flask tm list shows them).")
    removed = db.session.scalar(db.select(db.func.count(TmUnit.id)).where(TmUnit.memory_id == memory.id))
    db.session.execute(db.delete(TmUnit).where(TmUnit.memory_id == memory.id))
    db.session.delete(memory)
    db.session.commit()
    return int(removed or 0)
