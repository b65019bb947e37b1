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
character, maps any match back to exact offsets of the original: Python
``str`` indices (code points, so a character outside the BMP counts one),
end exclusive. A match never ends inside a base+marks cluster: its end is
extended over the marks (and tatweel) that follow its last letter.

Matching (``TermMatcher``, ``EnglishMatcher``)
----------------------------------------------
A matcher is built once for many terms (tens of thousands) and is one
automaton: a trie keyed by normalised *tokens* (runs of word characters, or
single punctuation marks; white space between tokens is one "gap" whatever
its length or kind). A text is split into tokens once with one compiled
pattern; the words that can start a term are picked out with set and dict
look-ups (remembered per distinct word, proclitic readings included), and
only from those is the trie walked. The cost grows with the text, not with
the number of terms: never a loop over the terms. Matches therefore start
and end at word boundaries: the term روس never matches inside روسيا.
Building 10,000 terms takes a few tens of milliseconds; one regular
expression of the same terms takes 0.3–0.8 s to compile (flat or
trie-shaped), and a flat alternation scans about thirty times slower (both
measured in ``bench/suggestion_bench.py``); neither can prefer the longest
reading across proclitics. ``TermMatcher.layered`` combines matchers without
copying their tries (a large glossary plus a small layer rebuilt often).

CAMeL Tools (DESIGN §7) offers the same normalisers (``normalize_alef_ar``,
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

import re
import unicodedata
from itertools import accumulate, chain
from typing import Callable, Iterable, Iterator, NamedTuple

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


def _index_map(length: int, removed: list[re.Match]) -> list[int]:
    """Indices of a text of `length` characters that survive once the removed runs are dropped, in order."""
    kept: list[range] = []
    position = 0
    for run in removed:
        kept.append(range(position, run.start()))
        position = run.end()
    kept.append(range(position, length))
    return list(chain.from_iterable(kept))


def _normalize_arabic(text: str) -> tuple[str, list[int] | None]:
    """Normalised text and its index map; None for the map when no character was removed (identity).

    A few str.replace calls and one regular-expression scan: several times faster than str.translate
    with a table on Arabic text.
    """
    for old, new in _SUBSTITUTION_PAIRS:
        if old in text:
            text = text.replace(old, new)
    removed = list(_REMOVED_RUNS.finditer(text))
    if not removed:
        return text, None
    return _REMOVED_RUNS.sub("", text), _index_map(len(text), removed)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of that character in `text`."""
    normalized, mapping = _normalize_arabic(text)
    return normalized, (list(range(len(text))) if mapping is None else mapping)


def normalize_arabic(text: str) -> str:
    """The normalised text alone (offsets not needed)."""
    return _normalize_arabic(text)[0]


def _fold_english(text: str) -> tuple[str, list[int] | None]:
    """Lower-cased text and its index map (None when every character folds to exactly one)."""
    for old, new in _ENGLISH_SUBSTITUTIONS:
        if old in text:
            text = text.replace(old, new)
    folded = text.lower()
    if len(folded) == len(text):
        return folded, None
    parts: list[str] = []
    mapping: list[int] = []
    for index, char in enumerate(text):  # rare: "İ" lowers to two characters
        lower = char.lower()
        parts.append(lower)
        mapping.extend([index] * len(lower))
    return "".join(parts), mapping


def _term_tokens(normalized: str) -> tuple[str, ...]:
    """Trie keys of a normalised term: its tokens, each one after white space prefixed with a space."""
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


def normalize_terms(terms: list[str]) -> list[str]:
    """normalize_term of each term, in one pass over all of them (several times faster for thousands)."""
    if any("\n" in term for term in terms):
        return [normalize_term(term) for term in terms]
    joined = normalize_arabic(unicodedata.normalize("NFC", "\n".join(terms)))
    return [" ".join(term.split()) for term in joined.split("\n")]


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


_END = ""  # trie key marking "a term ends here" (no token is empty)
_HEADS_CACHE_LIMIT = 200_000  # distinct words remembered per matcher


class _TokenTrie:
    """Shared machinery: a trie over normalised tokens, walked once over a tokenised text."""

    _normalize: Callable[[str], tuple[str, list[int] | None]]
    _proclitic_initials = ""  # first letters of words that may carry proclitics

    def __init__(self, terms: Iterable[tuple[str, object]], *, normalized: bool = False):
        """`terms`: (term, payload) pairs. With normalized=True the terms are keys already
        (normalize_term / normalize_english_term), which saves normalising them again."""
        root: dict = {}
        ends: list[dict] = []
        normalize, punctuation = self._normalize, _PUNCTUATION.search
        for term, payload in terms:
            if not normalized:
                term = normalize(unicodedata.normalize("NFC", term))[0]
            if punctuation(term) is None:  # words and spaces only: the common case, kept cheap
                words = term.split()
                if not words:
                    continue
                node = root.setdefault(words[0], {})
                for word in words[1:]:
                    node = node.setdefault(" " + word, {})
                key = term if normalized else " ".join(words)  # keys come with single spaces already
            else:
                tokens = _term_tokens(term)
                if not tokens:
                    continue
                node = root
                for token in tokens:
                    node = node.setdefault(token, {})
                key = "".join(tokens)
            if _END in node:
                node[_END][1].append(payload)
            else:
                node[_END] = (key, [payload])
                ends.append(node)
        for node in ends:
            key, payloads = node[_END]
            node[_END] = (key, tuple(payloads))
        self._init_layers((root,) if root else (), len(ends))

    def _init_layers(self, roots: tuple[dict, ...], size: int) -> None:
        self._roots = roots
        self._size = size
        # word -> ((offset, node), ...): the trie nodes a text word reaches, proclitics stripped or not;
        # and the words whose tuple is not empty.
        self._heads: dict[str, tuple] = {}
        self._starters: set[str] = set()

    @classmethod
    def layered(cls, *matchers: "_TokenTrie") -> "_TokenTrie":
        """One matcher over the terms of several, sharing their tries (nothing is copied): a large
        matcher that rarely changes plus a small one rebuilt often. Terms should not repeat across
        layers (a repeated one matches with the payloads of the first layer)."""
        layered = cls.__new__(cls)
        layered._init_layers(tuple(root for m in matchers for root in m._roots), sum(len(m) for m in matchers))
        return layered

    def __len__(self) -> int:
        """Distinct normalised forms."""
        return self._size

    def _readings(self, word: str) -> Iterator[tuple[int, str]]:
        return iter(())

    def _heads_of(self, word: str) -> tuple:
        """The trie nodes `word` reaches, as it is and with proclitics stripped; remembered per word."""
        readings = [(0, word)]
        if word[0] in self._proclitic_initials:
            readings.extend(reading for reading in self._readings(word) if len(reading[1]) >= _MIN_STRIPPED)
        heads = []
        for root in self._roots:
            for offset, key in readings:
                node = root.get(key)
                if node is not None:
                    heads.append((offset, node))
        if len(self._heads) >= _HEADS_CACHE_LIMIT:
            self._heads = {}
            self._starters = set()
        result = self._heads[word] = tuple(heads)
        if result:
            self._starters.add(word)
        return result

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches in `text`, leftmost first, longest at each position."""
        if not self._roots or not text:
            return []
        normalized, mapping = self._normalize(text)
        # [gap, token, gap, token, …, gap]: the gaps are white space, possibly empty.
        parts = _TOKENS_AND_GAPS.split(normalized)
        words = parts[1::2]
        # The positions of words that may start a term, found by comprehensions over sets and dicts
        # (most words start nothing; a Python loop over every word costs several times more).
        remembered = bool(self._proclitic_initials) or len(self._roots) > 1
        root = self._roots[0]
        if remembered:
            heads_of = self._heads_of
            for word in set(words).difference(self._heads):
                heads_of(word)
            known, starters = self._heads, self._starters
            starts = [i for i, word in enumerate(words) if word in starters]
        else:
            starts = [i for i, word in enumerate(words) if word in root]
        if not starts:
            return []
        offsets = list(accumulate(map(len, parts)))  # token k spans offsets[2k] to offsets[2k + 1]
        matches: list[Match] = []
        free = 0  # the first token not inside the previous match
        for i in starts:
            if i < free:
                continue
            word = words[i]
            if remembered:
                heads = known.get(word)
                if heads is None:  # the cache was emptied meanwhile (another thread)
                    heads = heads_of(word)
            else:
                heads = ((0, root[word]),)
            best = None  # (last token index, -offset, entry): farthest, then fewest proclitics
            for offset, node in heads:
                found = _walk(node, words, parts, i)
                if found is not None and (best is None or (found[0], -offset) > best[:2]):
                    best = (found[0], -offset, found[1])
            if best is None:
                continue
            last, negative_offset, (key, payloads) = best
            matches.append(_make_match(text, mapping, offsets[2 * i] - negative_offset, offsets[2 * last + 1], key,
                                       payloads))
            free = last + 1
        return matches


def _walk(node: dict, words: list[str], parts: list[str], i: int):
    """From the node reached by word i: (index of the last word of the longest term, its entry) or None."""
    best = (i, node[_END]) if _END in node else None
    if len(node) == (best is not None):  # no longer term continues from here
        return best
    for j in range(i + 1, len(words)):
        node = node.get(" " + words[j] if parts[2 * j] else words[j])  # parts[2j]: the gap before word j
        if node is None:
            break
        if _END in node:
            best = (j, node[_END])
    return best


def _make_match(text: str, mapping: list[int] | None, start: int, end: int, key: str, payloads: tuple) -> Match:
    if mapping is not None:
        start, end = mapping[start], mapping[end - 1] + 1
    length = len(text)
    while end < length:  # never end between a letter and its marks
        char = text[end]
        if not (char in _MARKS or (char >= "\u0300" and unicodedata.category(char) == "Mn")):
            break
        end += 1
    return Match(start, end, payloads[0], text[start:end], key, payloads)


class TermMatcher(_TokenTrie):
    """Arabic terms (with payloads), matched after normalisation and with proclitics allowed in front.

    >>> m = TermMatcher([("روسيا", "LOC")])
    >>> [(x.start, x.end, x.surface) for x in m.find("اعتبر رئيسا روسيا وتركمانستان وروسـيا")]
    [(12, 17, 'روسيا'), (31, 37, 'روسـيا')]
    """

    _normalize = staticmethod(_normalize_arabic)
    _proclitic_initials = "وفبكلا"

    def _readings(self, word: str) -> Iterator[tuple[int, str]]:
        return _arabic_readings(word)


class EnglishMatcher(_TokenTrie):
    """English terms, matched case-insensitively at word boundaries, any white space between their words."""

    _normalize = staticmethod(_fold_english)
