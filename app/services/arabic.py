"""Matching known surface forms in Arabic and English text (pure Python: no Flask, no database).

Normalisation (``normalize_with_map``)
--------------------------------------
Arabic is matched on a normalised copy of the text:

* alef forms أ إ آ ٱ ٲ ٳ → ا; ta marbuta ة → ه; alef maqsura ى → ي (and the
  Persian forms ی → ي, ک → ك, which turn up in copied text);
* removed: tatweel ـ, the harakat and other Arabic marks U+064B–U+065F,
  superscript alef U+0670, Quranic annotation marks (U+0610–U+061A,
  U+06D6–U+06ED, U+08D3–U+08FF), and the invisible joiners/direction marks
  ZWNJ, ZWJ, LRM, RLM and ALM, which may sit inside a word.

Every substitution is one character for one, so the normalised text plus a
list giving, for each of its characters, the index of the original
character (kept internally as the few places where the shift between the two
changes), maps any match back to exact offsets of the original: Python
``str`` indices (code points, so a character outside the BMP counts one),
end exclusive. A match never ends inside a base+marks cluster: its end is
extended over the marks (and tatweel) that follow its last letter.

Matching (``TermMatcher``, ``EnglishMatcher``)
----------------------------------------------
A matcher is built once for many terms (tens of thousands) and is one
automaton over normalised *tokens* (runs of word characters, or single
punctuation marks; white space between tokens is one "gap" whatever its
length or kind), kept as two dicts: every normalised form, and every first
token with the most tokens a form starting with it has. Both are built at C
speed (a dict copy and comprehensions; 10,000 terms in a few milliseconds,
no per-term trie nodes). A text is split into tokens once with one compiled
pattern; the words that can start a term are picked out with set and dict
look-ups (remembered per distinct word, proclitic readings included), and
only at those is the longest form looked up, longest first (a handful of
dict look-ups of the following tokens joined). ``find_many`` does this for
many texts in one pass (joined with a separator no term holds). The cost
grows with the text, not with the number of terms: never a loop over the
terms. Matches therefore start and end at word boundaries: the term روس
never matches inside روسيا. One regular expression of the same terms takes
0.3–0.8 s to compile (flat or trie-shaped), and a flat alternation scans
about thirty times slower (both measured in ``bench/suggestion_bench.py``);
neither can prefer the longest reading across proclitics; nor could a
character automaton such as pyahocorasick without the same token and
proclitic logic around it. ``TermMatcher.layered`` combines matchers
without copying their dicts (a large glossary plus a small layer rebuilt
often).

CAMeL Tools (docs/architecture.md, Entities and suggestions) offers the same normalisers (``normalize_alef_ar``,
``normalize_teh_marbuta_ar``, ``normalize_alef_maksura_ar``, ``dediac_ar``)
but no offset map back to the original text, and pulls in transformers
(~0.4 GB); the few tables here are all that matching needs.

Arabic proclitics: in front of a term the conjunctions و ف, then the
prepositions ب ك ل, then the article ال may be attached (وال، بال، فال، كال،
وبال، فبال…); ل + ال is written لل (للاتحاد). A term that itself starts with
ال also matches after و ف ب ك ل (والاتحاد، بالاتحاد، للاتحاد). The span
returned covers **the term only, without the proclitics**: "روسيا" in
"وروسيا", "الاتحاد" in "بالاتحاد"; in "للاتحاد" the term's article is written
with a single ل and the span is "لاتحاد" (the preposition ل is left out). A
stripped reading must keep at least two letters.

Overlaps: leftmost first; at one word the reading that reaches farthest wins
(longest term), and among equally long ones the reading that keeps more of
the word in the term (fewer proclitics stripped). Matching then continues
after the match.

English: case-insensitive (``str.lower``), same tokens and gaps; no
proclitics. "Russia" matches in "Russia's" (the apostrophe is its own token)
but not in "Russian".
"""
from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate, chain
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

ALEF = "ا"
_ALEF_FORMS = "أإآٱٲٳ"
_SUBSTITUTIONS = {**{c: ALEF for c in _ALEF_FORMS}, "ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك"}

TATWEEL = "ـ"
# Marks that belong to the letter before them (a match may not end before them).
_MARK_RANGES = (
    ("\u0610", "\u061a"), ("\u064b", "\u065f"), ("\u0670", "\u0670"), ("\u06d6", "\u06dc"),
    ("\u06df", "\u06e4"), ("\u06e7", "\u06e8"), ("\u06ea", "\u06ed"), ("\u08d3", "\u08e1"), ("\u08e3", "\u08ff"),
)
_INVISIBLE = "\u200c\u200d\u200e\u200f\u061c"  # ZWNJ, ZWJ, LRM, RLM, ALM

_MARKS = frozenset(chain.from_iterable(
    (chr(c) for c in range(ord(a), ord(b) + 1)) for a, b in _MARK_RANGES
)) | {TATWEEL}
_REMOVED = _MARKS | frozenset(_INVISIBLE)

_SUBSTITUTION_PAIRS = tuple(_SUBSTITUTIONS.items())
_REMOVED_RUNS = re.compile("[" + "".join(re.escape(c) for c in sorted(_REMOVED)) + "]+")

# English folding: lower case, typographic apostrophes and hyphens as their ASCII forms.
_ENGLISH_SUBSTITUTIONS = (("\u2019", "'"), ("\u2018", "'"), ("\u2010", "-"), ("\u2011", "-"))

# A token: a run of word characters, or one other non-space character. Text between tokens is white space.
_TOKEN = re.compile(r"\w+|[^\w\s]")
_PUNCTUATION = re.compile(r"[^\w\s]")
_TOKENS_AND_GAPS = re.compile(r"(\w+|[^\w\s])")  # split() keeps the tokens, between the gaps

_CONJUNCTIONS = "وف"
_PREPOSITIONS = "بكل"
_ARTICLE = "ال"
_MIN_STRIPPED = 2  # letters a reading must keep once proclitics are stripped


_SEPARATOR = "\n\uffff\n"  # between the texts of find_many: a token (U+FFFF, a noncharacter) no term holds
_ENGLISH_EXPANDING = re.compile("\u0130")  # the one character str.lower() turns into two: "İ" → "i̇"

# Offsets. Normalising removes characters (Arabic marks) and folding may insert some ("İ" lowers to two), so
# an index into the normalised text is mapped back by adding a shift that only changes at a few places:
# (positions, shifts), both sorted by position, the shift holding from its position on (None: no shift).
_Shifts = tuple[list[int], list[int]]


def _index_map(length: int, shifts: _Shifts) -> list[int]:
    """The original index of each of the `length` characters of a normalised text, as one list."""
    positions, totals = shifts
    bounds = [0, *positions, length]
    return list(chain.from_iterable(
        range(a + shift, b + shift) for a, b, shift in zip(bounds, bounds[1:], (0, *totals))))


def _substituted(text: str) -> str:
    for old, new in _SUBSTITUTION_PAIRS:
        if old in text:
            text = text.replace(old, new)
    return text


def _normalize_arabic(text: str) -> tuple[str, _Shifts | None]:
    """Normalised text and its shifts (None when no character was removed).

    A few str.replace calls and one regular-expression scan: several times faster than str.translate
    with a table on Arabic text.
    """
    text = _substituted(text)
    removed = list(_REMOVED_RUNS.finditer(text))
    if not removed:
        return text, None
    positions, totals = [], []
    total = 0
    for run in removed:
        positions.append(run.start() - total)  # where the first kept character after the run lands
        total += run.end() - run.start()
        totals.append(total)
    return _REMOVED_RUNS.sub("", text), (positions, totals)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of that character in `text`."""
    normalized, shifts = _normalize_arabic(text)
    return normalized, (list(range(len(text))) if shifts is None else _index_map(len(normalized), shifts))


def normalize_arabic(text: str) -> str:
    """The normalised text alone (offsets not needed)."""
    return _REMOVED_RUNS.sub("", _substituted(text))


def _fold_english(text: str) -> tuple[str, _Shifts | None]:
    """Lower-cased text and its shifts (None when every character folds to exactly one)."""
    for old, new in _ENGLISH_SUBSTITUTIONS:
        if old in text:
            text = text.replace(old, new)
    folded = text.lower()
    if len(folded) == len(text):
        return folded, None
    # Rare: "İ" lowers to two characters; the second is an inserted one, mapped to the "İ".
    positions, totals = [], []
    inserted = 0
    expanding = (m.start() for m in _ENGLISH_EXPANDING.finditer(text))
    if len(folded) != len(text) + len(_ENGLISH_EXPANDING.findall(text)):  # another such character (a newer Unicode)
        expanding = (i for i, char in enumerate(text) if len(char.lower()) != 1)
    for index in expanding:
        for _ in range(len(text[index].lower()) - 1):
            inserted += 1
            positions.append(index + inserted)
            totals.append(-inserted)
    return folded, (positions, totals)


def _term_tokens(normalized: str) -> tuple[str, ...]:
    """The tokens of a normalised term, each one after white space prefixed with a space (joined, the term)."""
    if _PUNCTUATION.search(normalized) is None:  # words and spaces only: the common case, at C speed
        words = normalized.split()
        return tuple(words[:1] + [" " + word for word in words[1:]])
    keys: list[str] = []
    previous_end = None
    for token in _TOKEN.finditer(normalized):
        gap = previous_end is not None and token.start() > previous_end
        keys.append(" " + token.group() if gap else token.group())
        previous_end = token.end()
    return tuple(keys)


def normalize_term(term: str) -> str:
    """The form under which an Arabic term is matched: normalised, white space runs as one space.

    Two terms with the same key match the same text (أوراسي and اوراسي, عاصمة and عاصمه).
    """
    return " ".join(normalize_arabic(unicodedata.normalize("NFC", term)).split())


def _each_line(normalize: Callable[[str], str], terms: list[str]) -> list[str]:
    """normalize over all terms at once (one string, one line each), white space runs as one space."""
    if any("\n" in term for term in terms):
        return [" ".join(normalize(unicodedata.normalize("NFC", term)).split()) for term in terms]
    joined = normalize(unicodedata.normalize("NFC", "\n".join(terms)))
    return [" ".join(term.split()) for term in joined.split("\n")]


def normalize_terms(terms: list[str]) -> list[str]:
    """normalize_term of each term, in one pass over all of them (several times faster for thousands)."""
    return _each_line(normalize_arabic, terms) if terms else []


def normalize_english_term(term: str) -> str:
    """The form under which an English term is matched: lower case, white space runs as one space."""
    return " ".join(_fold_english(unicodedata.normalize("NFC", term))[0].split())


def _arabic_readings(word: str) -> Iterator[tuple[int, str]]:
    """(offset, key) readings of a normalised Arabic word with proclitics stripped: offset where the term starts."""
    length = len(word)
    starts = [0]
    if word[0] in _CONJUNCTIONS and length > 1:
        starts.append(1)
    for c in starts:
        if c:
            yield c, word[c:]
        after_preposition = [c]
        if c < length and word[c] in _PREPOSITIONS:
            after_preposition.append(c + 1)
            yield c + 1, word[c + 1:]
            if word[c] == "ل" and word[c + 1:c + 2] == "ل":
                # لل = ل + ال with the article's alef dropped: للاتحاد is ل + الاتحاد.
                yield c + 1, _ARTICLE + word[c + 2:]
                yield c + 2, word[c + 2:]
        for p in after_preposition:
            if word.startswith(_ARTICLE, p):
                yield p + 2, word[p + 2:]


class Match(NamedTuple):
    start: int  # in the ORIGINAL text, Python str index
    end: int  # exclusive
    term_payload: object  # the payload of the first term given with this normalised form
    surface: str  # text[start:end]
    key: str  # the normalised form of the term (normalize_term / normalize_english_term)
    payloads: tuple  # every payload given with this normalised form, in the order given


class _Several(tuple):
    """The payloads of a form given with several (an entry holds the one payload of a form otherwise)."""


_ABSENT = object()


class _Layer(NamedTuple):
    """The terms of one matcher: two dicts, built at C speed."""
    entries: dict[str, object]  # normalised form -> its payload, or _Several payloads
    heads: dict[str, int]  # first token of a form -> the most tokens of a form that starts with it


_PUNCTUATED_LINE = re.compile(r"^.*[^\w\s].*$", re.MULTILINE)
_HEADS_CACHE_LIMIT = 200_000  # distinct words remembered per matcher


def _layer(entries: dict[str, object]) -> _Layer | None:
    """The layer of `entries` (normalised forms, none empty): their dict plus the dict of first tokens."""
    if not entries:
        return None
    keys = list(entries)
    joined = "\n".join(keys)
    punctuated = set(_PUNCTUATED_LINE.findall(joined)) if _PUNCTUATION.search(joined) else set()
    heads = dict.fromkeys([key for key in keys if " " not in key and key not in punctuated], 1)
    get = heads.get
    for key in [key for key in keys if " " in key or key in punctuated]:  # several tokens
        tokens = _term_tokens(key) if key in punctuated else key.split(" ")
        if len(tokens) > get(tokens[0], 0):
            heads[tokens[0]] = len(tokens)
    return _Layer(entries, heads)


class _TokenMatcher:
    """Shared machinery: the normalised forms in a dict, their first tokens in another, one scan of the text."""

    _normalize: Callable[[str], tuple[str, _Shifts | None]]
    _normalize_text: Callable[[str], str]  # the same without the shifts (terms)
    _proclitic_initials = ""  # first letters of words that may carry proclitics

    def __init__(self, terms: Iterable[tuple[str, object]], *, normalized: bool = False):
        """`terms`: (term, payload) pairs. With normalized=True the terms are keys already
        (normalize_term / normalize_english_term), which saves normalising them again."""
        pairs = list(terms)
        keys = [term for term, _ in pairs]
        if not normalized:
            keys = _each_line(self._normalize_text, keys) if keys else []
        entries: dict[str, list] = {}
        for key, (_, payload) in zip(keys, pairs):
            if not key:
                continue
            payloads = entries.get(key)
            if payloads is None:
                entries[key] = [payload]
            else:
                payloads.append(payload)
        layer = _layer({key: payloads[0] if len(payloads) == 1 else _Several(payloads)
                        for key, payloads in entries.items()})
        self._init_layers((layer,) if layer else ())

    @classmethod
    def from_mapping(cls, forms: Mapping[str, object]):
        """A matcher of normalised forms (normalize_term / normalize_english_term) with one payload each:
        the quickest build: a copy of `forms` and one dict of first tokens."""
        matcher = cls.__new__(cls)
        entries = dict(forms)
        entries.pop("", None)
        layer = _layer(entries)
        matcher._init_layers((layer,) if layer else ())
        return matcher

    def _init_layers(self, layers: tuple[_Layer, ...]) -> None:
        self._layers = layers
        self._size = sum(len(layer.entries) for layer in layers)
        # word -> ((offset, first token, most tokens, entries), ...): the forms a text word may start,
        # proclitics stripped or not; and the words whose tuple is not empty. One pair, replaced whole.
        self._memo: tuple[dict[str, tuple], set[str]] = ({}, set())

    @classmethod
    def layered(cls, *matchers: "_TokenMatcher"):
        """One matcher over the terms of several, sharing their dicts (nothing is copied): a large
        matcher that rarely changes plus a small one rebuilt often. Terms should not repeat across
        layers (a repeated one matches with the payloads of the first layer)."""
        layered = cls.__new__(cls)
        layered._init_layers(tuple(layer for m in matchers for layer in m._layers))
        return layered

    def __len__(self) -> int:
        """Distinct normalised forms."""
        return self._size

    def _readings(self, word: str) -> Iterator[tuple[int, str]]:
        return iter(())

    def _heads_of(self, words: list[str]) -> tuple[dict[str, tuple], set[str]]:
        """What each of `words` may start (remembered per distinct word), and the words that start something."""
        heads, starters = self._memo
        new = set(words).difference(heads)
        if not new:
            return heads, starters
        if len(heads) + len(new) > _HEADS_CACHE_LIMIT:
            heads, starters = {}, set()
            new = set(words)
            self._memo = (heads, starters)
        layers, initials, readings_of = self._layers, self._proclitic_initials, self._readings
        for word in new:
            found = []
            readings = [(0, word)]
            if word[0] in initials:
                readings.extend(reading for reading in readings_of(word) if len(reading[1]) >= _MIN_STRIPPED)
            for entries, first in layers:
                for offset, key in readings:
                    most = first.get(key)
                    if most is not None:
                        found.append((offset, key, most, entries))
            if found:
                heads[word] = tuple(found)
                starters.add(word)
            else:
                heads[word] = ()
        return heads, starters

    def _scan(self, normalized: str) -> list[tuple[int, int, str, object]]:
        """(start, end, key, entry) of each match in a normalised text, leftmost first, longest at each
        word; offsets in the normalised text."""
        # [gap, token, gap, token, …, gap]: the gaps are white space, possibly empty.
        parts = _TOKENS_AND_GAPS.split(normalized)
        words = parts[1::2]
        # The words that may start a term, by a comprehension over a set or dict (most words start nothing).
        if self._proclitic_initials or len(self._layers) > 1:
            heads, starters = self._heads_of(words)
            starts = [i for i, word in enumerate(words) if word in starters]
        else:  # one layer, words as they are (English): its dict of first tokens says it all, nothing to remember
            entries, first = self._layers[0]
            starts = [i for i, word in enumerate(words) if word in first]
            heads = {word: ((0, word, first[word], entries),) for word in {words[i] for i in starts}}
        if not starts:
            return []
        offsets = list(accumulate(map(len, parts)))  # token k spans offsets[2k] to offsets[2k + 1]
        count = len(words)
        found = []
        free = 0  # the first token not inside the previous match
        for i in starts:
            if i < free:
                continue
            best = None
            best_last, best_offset = -1, 0  # farthest last token, then fewest proclitics; ties: the first
            tails = [""]  # tails[k]: the k words after word i as a key continues (a space for a gap)
            for offset, key, most, entries in heads[words[i]]:
                k = min(most, count - i) - 1
                while len(tails) <= k:
                    j = i + len(tails)
                    tails.append(tails[-1] + (" " + words[j] if parts[2 * j] else words[j]))
                while k >= 0:  # the longest form first
                    last = i + k
                    if last < best_last or (last == best_last and offset >= best_offset):
                        break  # cannot do better than the reading found already
                    candidate = key + tails[k] if k else key
                    entry = entries.get(candidate, _ABSENT)
                    if entry is not _ABSENT:
                        best, best_last, best_offset = (candidate, entry), last, offset
                        break
                    k -= 1
            if best is not None:
                found.append((offsets[2 * i] + best_offset, offsets[2 * best_last + 1], *best))
                free = best_last + 1
        return found

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches in `text`, leftmost first, longest at each position."""
        return self.find_many((text,))[0] if text and self._layers else []

    def find_many(self, texts: Sequence[str]) -> list[list[Match]]:
        """find() of each text, in one pass over all of them (joined, with a separator no match spans)."""
        result: list[list[Match]] = [[] for _ in texts]
        if not self._layers or not texts:
            return result
        joined = _SEPARATOR.join(texts)
        normalized, shifts = self._normalize(joined)
        found = self._scan(normalized)
        if not found:
            return result
        positions, totals = shifts if shifts is not None else ((), ())
        starts = list(accumulate((len(text) + len(_SEPARATOR) for text in texts), initial=0))
        length, j, marks, category = len(joined), 0, _MARKS, unicodedata.category
        for start, end, key, entry in found:
            payloads = entry if type(entry) is _Several else (entry,)
            if positions:  # back to the original: add the shift in force at each end (inlined: thousands of calls)
                k = bisect_right(positions, start)
                start += totals[k - 1] if k else 0
                end -= 1
                k = bisect_right(positions, end, k)
                end += (totals[k - 1] if k else 0) + 1
            while end < length:  # never end between a letter and its marks
                char = joined[end]
                if not (char in marks or (char >= "\u0300" and category(char) == "Mn")):
                    break
                end += 1
            while start >= starts[j + 1]:
                j += 1
            base = starts[j]
            if end - base > len(texts[j]):
                continue  # across a separator: only a term holding U+FFFF could
            result[j].append(Match(start - base, end - base, payloads[0], joined[start:end], key, payloads))
        return result


class TermMatcher(_TokenMatcher):
    """Arabic terms (with payloads), matched after normalisation and with proclitics allowed in front.

    >>> m = TermMatcher([("روسيا", "LOC")])
    >>> [(x.start, x.end, x.surface) for x in m.find("اعتبر رئيسا روسيا وتركمانستان وروسـيا")]
    [(12, 17, 'روسيا'), (31, 37, 'روسـيا')]
    """

    _normalize = staticmethod(_normalize_arabic)
    _normalize_text = staticmethod(normalize_arabic)
    _proclitic_initials = "وفبكلا"

    def _readings(self, word: str) -> Iterator[tuple[int, str]]:
        return _arabic_readings(word)


class EnglishMatcher(_TokenMatcher):
    """English terms, matched case-insensitively at word boundaries, any white space between their words."""

    _normalize = staticmethod(_fold_english)
    _normalize_text = staticmethod(lambda text: _fold_english(text)[0])


# Search within an article ---------------------------------------------------------------------------------
# The page's search box (static/way/search-text.js mirrors this, case for case: tests/support/search_cases.json
# is run by tests/test_search_text.py and tests/js/search-text.test.mjs). A text is folded character by
# character: the Arabic rules above (alef forms, ta marbuta, alef maqsura, Persian forms; harakat, Quranic
# marks, tatweel and invisible joiners removed), Arabic-Indic and Eastern Arabic-Indic digits as ASCII ones,
# typographic apostrophes and hyphens as ASCII, lower case (a character whose lower case is longer stays),
# every run of white space as one space. A hit is any occurrence of the folded query in the folded text
# (inside words too, as a browser's find does), leftmost first, not overlapping; mapped back to offsets of
# the original (code points, end exclusive), its end taken over the marks and tatweel after its last letter.

_SEARCH_DIGITS = {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}}
_SEARCH_FOLD = {**_SUBSTITUTIONS, **_SEARCH_DIGITS, **dict(_ENGLISH_SUBSTITUTIONS)}


def fold_for_search(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character of `text` it came from."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for index, char in enumerate(text):
        if char in _REMOVED:
            continue
        if char.isspace():
            if not space:
                out.append(" ")
                where.append(index)
            space = True
            continue
        space = False
        char = _SEARCH_FOLD.get(char, char)
        lower = char.lower()
        out.append(lower if len(lower) == 1 else char)
        where.append(index)
    return "".join(out), where


def search_hits(text: str, query: str) -> list[tuple[int, int]]:
    """(start, end) of each hit of `query` in `text`, offsets in `text` (code points, end exclusive)."""
    needle = fold_for_search(query)[0].strip()
    if not needle:
        return []
    folded, where = fold_for_search(text)
    hits = []
    at = folded.find(needle)
    while at >= 0:
        last = at + len(needle) - 1
        end = where[last] + 1
        while end < len(text) and text[end] in _MARKS:
            end += 1
        hits.append((where[at], end))
        at = folded.find(needle, at + len(needle))
    return hits


# Translation memory keys ------------------------------------------------------------------------------------
# services/translation_memory.py compares Arabic on these keys: the rules of normalize_term (alef forms, ta
# marbuta, alef maqsura, Persian forms; marks, tatweel and invisible joiners removed), Arabic-Indic digits as
# ASCII ones and lower case, as fold_for_search folds them, white space runs as one space. Many texts in one
# pass (one string, a line each), at C speed: a memory holds 100,000 units.

def memory_keys(texts: Sequence[str]) -> list[str]:
    """The memory key of each text (see above)."""
    if not texts:
        return []
    joined = "\n".join(text.replace("\n", " ") for text in texts)
    folded = normalize_arabic(unicodedata.normalize("NFC", joined))
    for digit, ascii_digit in _SEARCH_DIGITS.items():  # str.replace: several times quicker than translate here
        if digit in folded:
            folded = folded.replace(digit, ascii_digit)
    folded = folded.lower()
    return [" ".join(line.split()) for line in folded.split("\n")]


def proclitic_readings(word: str) -> list[str]:
    """The readings of a normalised Arabic word with the proclitics و ف ب ك ل and ال stripped (as TermMatcher
    allows them in front of a term; each keeps at least two letters): بالاتحاد → اتحاد، الاتحاد…"""
    if not word or word[0] not in TermMatcher._proclitic_initials:
        return []
    return [key for _, key in _arabic_readings(word) if len(key) >= _MIN_STRIPPED]


_MARK_CLASS = "[" + "".join(re.escape(c) for c in sorted(_MARKS)) + "]*"
# A run of proclitics as TermMatcher allows them in front of a term: و/ف, then ب/ك/ل, then ال, each
# letter with its marks (وَ, بِـ, الْ).
_PROCLITIC_RUN = re.compile(
    f"([{_CONJUNCTIONS}]{_MARK_CLASS})?([{_PREPOSITIONS}]{_MARK_CLASS})?"
    f"({_ARTICLE[0]}{_MARK_CLASS}{_ARTICLE[1]}{_MARK_CLASS})?"
)


@functools.lru_cache(maxsize=4096)  # a handful of prefixes, met at every entity that starts inside a word
def proclitic_cuts(prefix: str) -> tuple[int, ...] | None:
    """Where the proclitics of `prefix` (the part of a word before a term, as written) end, if `prefix` is made
    of proclitics only as TermMatcher allows them (و ف, then ب ك ل, then ال): وب → (1, 2), وال → (1, 3),
    ال → (2,); None for anything else (وزير's و is not cut off unless a term follows it)."""
    run = _PROCLITIC_RUN.fullmatch(prefix)
    if not prefix or run is None:
        return None
    return tuple(run.end(group) for group in (1, 2, 3) if run.group(group))
