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
digits as ASCII and lower case). A unit's features are hashes of the words of its key, of the readings of
each word with proclitics stripped (``arabic.proclitic_readings``) and of each pair of adjacent words, plus
the lower-cased words of its English (another namespace). A score is rapidfuzz's ``fuzz.ratio`` of two keys
divided by 100: 1 means identical after normalisation.

The index (``memory_index``)
----------------------------
Per process and database, rebuilt from the database: the keys of all units, and an inverted index from
feature to units (numpy: sorted features and their units, plus a small dict for units added since) with a
mask of the units still alive. A match: the units sharing features with the query (one ``bincount`` over
their lists), within the lengths a score of ``min_score`` allows, the ``CANDIDATES`` sharing most, scored
with rapidfuzz. A concordance: the units holding every word of the query (the first one possibly behind
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

CANDIDATES = 500  # units scored with rapidfuzz per query, those sharing most features
MAX_LIMIT = 200
_CHUNK = 500  # ids per IN (…) query
_WORD = re.compile(r"\w+")
_ENGLISH = "\x01"  # prefix of English features: their own namespace


class TmQueryError(ServiceError):
    """A query the memory cannot answer (HTTP 422)."""


# --- features -------------------------------------------------------------------------------------------

def _arabic_features(key: str, readings: dict[str, list[str]]) -> list[int]:
    words = _WORD.findall(key)
    terms = list(words)
    for word in words:
        stripped = readings.get(word)
        if stripped is None:
            stripped = readings[word] = proclitic_readings(word)
        terms.extend(stripped)
    terms.extend([a + " " + b for a, b in zip(words, words[1:])])
    return list(set(map(hash, terms)))


def _english_features(english: str) -> list[int]:
    return list({hash(_ENGLISH + word) for word in _WORD.findall(english.lower())})


# --- the index ------------------------------------------------------------------------------------------

class Ref(NamedTuple):
    origin: str  # "approved" | "tm"
    id: int  # paragraph id, or tm_units id


@dataclass
class MemoryIndex:
    """The units of one database as this process last read them (see the module docstring)."""

    keys: list[str] = field(default_factory=list)  # per slot
    refs: list[Ref] = field(default_factory=list)  # per slot
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    slot_of: dict[Ref, int] = field(default_factory=dict)
    revision_of: dict[int, int] = field(default_factory=dict)  # approved paragraph id -> its approved revision
    by_key: dict[str, list[int]] = field(default_factory=dict)  # key -> slots (dead ones included)
    # The inverted index: features sorted, their slots in the same order, the distinct features and where
    # each one's slots start; then what was added since (feature -> slots).
    features: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    distinct: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    starts: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    added: dict[int, list[int]] = field(default_factory=dict)
    added_count: int = 0
    fingerprint: tuple = ()
    checked_at: float = -float("inf")
    readings: dict[str, list[str]] = field(default_factory=dict)  # memo of proclitic_readings per word

    def __len__(self) -> int:
        return int(self.alive.sum())

    # building --------------------------------------------------------------------------------------------
    def add(self, units: Sequence[tuple[Ref, str, str]], *, bulk: bool = False) -> None:
        """Index (ref, Arabic, English) units; a ref already indexed is replaced."""
        if not units:
            return
        with gc_paused():
            keys = memory_keys([ar for _, ar, _ in units])
            first = len(self.keys)
            for ref in (ref for ref, _, _ in units):
                old = self.slot_of.get(ref)
                if old is not None:
                    self.alive[old] = False
            self.keys.extend(keys)
            self.refs.extend(ref for ref, _, _ in units)
            self.lengths = np.concatenate([self.lengths, np.fromiter(map(len, keys), np.int32, len(keys))])
            self.alive = np.concatenate([self.alive, np.ones(len(keys), dtype=bool)])
            feature_list: array = array("q")
            slot_list: array = array("i")
            readings = self.readings
            for offset, ((ref, _, en), key) in enumerate(zip(units, keys)):
                slot = first + offset
                self.slot_of[ref] = slot
                self.by_key.setdefault(key, []).append(slot)
                features = _arabic_features(key, readings) + _english_features(en)
                feature_list.extend(features)
                slot_list.extend([slot] * len(features))
            if len(readings) > 500_000:
                readings.clear()
            if bulk or self.added_count + len(feature_list) > max(200_000, len(self.features) // 5):
                self._merge(np.frombuffer(feature_list, dtype=np.int64), np.frombuffer(slot_list, dtype=np.int32))
            else:
                for feature, slot in zip(feature_list, slot_list):
                    self.added.setdefault(feature, []).append(slot)
                self.added_count += len(feature_list)

    def _merge(self, features: np.ndarray, slots: np.ndarray) -> None:
        """The sorted arrays again, with `features` and everything added since the last merge."""
        if self.added:
            extra_features = np.fromiter((f for f, s in self.added.items() for _ in s), np.int64, self.added_count)
            extra_slots = np.fromiter((x for s in self.added.values() for x in s), np.int32, self.added_count)
            features, slots = np.concatenate([features, extra_features]), np.concatenate([slots, extra_slots])
        features = np.concatenate([self.features, features])
        slots = np.concatenate([self.slots, slots])
        alive = self.alive[slots]
        features, slots = features[alive], slots[alive]  # dead units go now
        order = np.argsort(features, kind="stable")
        self.features, self.slots = features[order], slots[order]
        self.distinct, first = np.unique(self.features, return_index=True)
        self.starts = np.append(first, len(self.features)).astype(np.int64)
        self.added, self.added_count = {}, 0

    def kill(self, refs: Iterable[Ref]) -> None:
        for ref in refs:
            slot = self.slot_of.pop(ref, None)
            if slot is not None:
                self.alive[slot] = False

    # querying --------------------------------------------------------------------------------------------
    def _postings(self, features: Iterable[int]) -> list[np.ndarray]:
        wanted = np.fromiter(features, np.int64)
        lists = []
        if len(self.distinct) and len(wanted):
            at = np.searchsorted(self.distinct, wanted)
            at[at >= len(self.distinct)] = 0
            for i in np.flatnonzero(self.distinct[at] == wanted):
                k = at[i]
                lists.append(self.slots[self.starts[k]:self.starts[k + 1]])
        for feature in wanted.tolist():
            extra = self.added.get(feature)
            if extra:
                lists.append(np.asarray(extra, dtype=np.int32))
        return lists

    def _shared(self, features: list[int]) -> np.ndarray:
        """For each slot, how many of `features` its unit has (each feature counted once per unit)."""
        lists = self._postings(features)
        if not lists:
            return np.zeros(len(self.keys), dtype=np.int64)
        return np.bincount(np.concatenate(lists), minlength=len(self.keys))

    def candidates(self, key: str, min_score: float, *, exclude: int | None = None,
                   limit: int = CANDIDATES) -> np.ndarray:
        """Slots that may score `min_score` against `key`: sharing features, of a compatible length."""
        shared = self._shared(_arabic_features(key, self.readings))
        length = len(key)
        low, high = length * min_score / (2 - min_score), length * (2 - min_score) / min_score
        mask = (shared > 0) & self.alive & (self.lengths >= low) & (self.lengths <= high)
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
        found = process.extract(key, self.keys, scorer=fuzz.ratio, score_cutoff=min_score * 100, limit=None)
        return [(round(score / 100, 4), index) for _, score, index in found if alive[index]]

    def containing(self, features: list[int]) -> np.ndarray:
        """Alive slots whose units hold every one of `features`."""
        if not features:
            return np.zeros(0, dtype=np.int64)
        shared = self._shared(features)
        return np.flatnonzero((shared >= len(features)) & self.alive)


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


def memory_index() -> MemoryIndex:
    """The index of this database, brought up to date if its fingerprint was not checked for
    TM_RECHECK_SECONDS (see the module docstring)."""
    database = _database()
    index = _indexes.get(database)
    if index is not None and _clock() - index.checked_at < _recheck_seconds():
        return index
    with _lock:
        index = _indexes.get(database)
        if index is None:
            if len(_indexes) >= _INDEXED_DATABASES:
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
    return index


def _update(index: MemoryIndex, before: tuple, after: tuple) -> None:
    """Read what changed since `before` and index it (the whole memory the first time)."""
    bulk = not index.refs
    units: list[tuple[Ref, str, str]] = []
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
    index.add(units, bulk=bulk)


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
    if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or not 0 < min_score <= 1:
        raise TmQueryError("min_score must be a number above 0 and at most 1.")
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


# --- concordance ----------------------------------------------------------------------------------------

def concordance(q: object, *, lang: object = "ar", limit: object = 50) -> dict:
    """Units whose Arabic (lang "ar": normalised, proclitics allowed in front, as suggestions match) or
    English (lang "en": case-insensitive, whole words) holds `q`: {"hits": [...], "total"}, newest first."""
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
        features = list({hash(word) for word in words})
        matcher: TermMatcher | EnglishMatcher = TermMatcher([(query, None)])
    else:
        words = _WORD.findall(query.lower())
        features = list({hash(_ENGLISH + word) for word in words})
        matcher = EnglishMatcher([(query, None)])
    if not words:
        raise TmQueryError("q holds no word to look for.")
    slots = index.containing(features)[::-1].tolist()  # newest first
    hits: list[dict] = []
    total = 0
    for at in range(0, len(slots), _CHUNK):
        refs = [index.refs[slot] for slot in slots[at:at + _CHUNK]]
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
    return {"hits": hits, "total": total}


# --- consistency (QA check `inconsistent`) --------------------------------------------------------------

def approved_sentences_elsewhere(ar: str, paragraph_id: int | None) -> tuple[tuple[str, str, str], ...]:
    """(sentence, approved English, where) for each sentence of `ar` whose key is the whole Arabic of an
    approved paragraph elsewhere: the English that sentence was approved with (qa.py, `inconsistent`)."""
    index = memory_index()
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
