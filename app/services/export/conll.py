"""Tokens and IOB2 tags for the CoNLL export (documented in docs/exports.md).

Tokenisation, the same for both languages:
- a number is a run of digits (Western 0-9, Arabic-Indic ٠-٩, Persian ۰-۹) with
  inner separators `.` `,` `٫` `٬` (`28.2`, `٢٨٫٢`, `1,000`), when no Latin letter
  follows (`28th` is a word);
- an Arabic word is a run of Arabic letters, diacritics and tatweel (so `و28` is
  `و` and `28`);
- any other word is a run of letters and digits of other scripts with inner
  hyphens or apostrophes (`al-Sisi`, `Egypt's`, `COVID-19`);
- any other non-space character is a token of its own (punctuation, `%`, `٪`).
Arabic words keep their clitics (`والقاهرة` is one token) unless `split_clitics`,
which splits the proclitics و ف ب ل ك in front of the article ال (`و` `القاهرة`,
`وبال…` → `و` `ب` `ال…`) when three letters or more follow ال; it never splits a word
without ال, so `وزير` and `والد` stay whole.

Entity boundaries are token boundaries, and a word form is cut the same way
wherever it occurs (`WordCuts`): the forms an entity boundary falls inside are
collected first from every paragraph of the export, with the offsets it cuts
them at (a proclitic run before an entity, as arabic.py knows them, is also cut
between its clitics: `وبتركمانستان` → `و` `ب` `تركمانستان`); then every
occurrence of such a form is cut there, inside an entity or not. So an entity
`تركمانستان` inside `وتركمانستان` gives `و` O, `تركمانستان` B-LOC, and the same
`وتركمانستان` in a paragraph without entities is `و` `تركمانستان` too;
`Turkmenistan's` with the entity `Turkmenistan` is `Turkmenistan` `'s` everywhere.
A token is cut, never re-tokenised, so a form gives the same tokens in every context.

IOB2 cannot show overlapping spans: of overlapping entities the one starting
first is kept, the longer one on a tie; the others are counted as dropped.

A CoNLL file starts each article with `DOCSTART` (the CoNLL-2003 document line
`-DOCSTART- -X- O O` and a blank line), which `spacy convert` splits documents at
and the CoNLL-2003 readers (Hugging Face's `conll2003`, flair) skip.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Iterable, Sequence

from ..arabic import proclitic_cuts

_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
_MARKS = "\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
_ARABIC_LETTERS = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
_OTHER_WORD_CHAR = rf"[^\W{_ARABIC_LETTERS}]"  # letters and digits of other scripts
TOKEN = re.compile(  # Arabic words first: the most frequent, and no number starts with a letter
    rf"[{_ARABIC_LETTERS}{_MARKS}]+"
    rf"|[{_DIGIT}]+(?:[.,\u066b\u066c][{_DIGIT}]+)*(?![A-Za-z{_DIGIT}])"
    rf"|{_OTHER_WORD_CHAR}+(?:[-'\u2019]{_OTHER_WORD_CHAR}+)*"
    r"|\S"
)
# Proclitics before the definite article: و/ف, then one of ب/ل/ك, then ال and at least three letters.
_CLITICS = re.compile(r"([\u0648\u0641]?[\u0628\u0644\u0643]?)(?=\u0627\u0644\w{3})")


def tokens(text: str, split_clitics: bool = False) -> list[str]:
    """The tokens of `text`, by the rules above."""
    found = TOKEN.findall(text)
    if not split_clitics:
        return found
    result = []
    for token in found:
        clitics = _CLITICS.match(token)
        if clitics and clitics.end():
            result.extend(token[:clitics.end()])
            token = token[clitics.end():]
        result.append(token)
    return result


def non_overlapping(entities: Sequence[dict]) -> tuple[list[dict], int]:
    """The entities IOB2 can show (earliest first, longer on a tie) and how many were dropped."""
    kept, last_end, dropped = [], -1, 0
    for entity in sorted(entities, key=lambda e: (e["start"], -e["end"])):
        if entity["start"] >= last_end:
            kept.append(entity)
            last_end = entity["end"]
        else:
            dropped += 1
    return kept, dropped


# The CoNLL-2003 document line, written before each article's first paragraph (a blank line follows it).
DOCSTART = "-DOCSTART- -X- O O\n\n"


class WordCuts:
    """Where word forms are cut into several tokens: learned from entity boundaries inside words (`learn`, over
    every paragraph first), then applied to every occurrence of the form (`token_spans`)."""

    def __init__(self) -> None:
        self.forms: dict[str, tuple[int, ...]] = {}  # word form → offsets inside it where a token ends

    def learn(self, text: str, entities: Iterable[dict]) -> None:
        """Remember the words of `text` that an entity starts or ends inside, with the offsets it cuts them at."""
        boundaries = sorted({e["start"] for e in entities} | {e["end"] for e in entities})
        if not boundaries:
            return
        for match in TOKEN.finditer(text):
            start, end = match.span()
            first = bisect_right(boundaries, start)
            if first == len(boundaries) or boundaries[first] >= end:
                continue  # no boundary inside this word (most words)
            form = match.group()
            offsets = set(self.forms.get(form, ()))
            offsets.update(_entity_cuts(form, (b - start for b in boundaries[first:bisect_right(boundaries, end - 1)])))
            self.forms[form] = tuple(sorted(offsets))

    def learn_records(self, records: Iterable[dict], lang: str) -> "WordCuts":
        for record in records:
            self.learn(record[lang], record["entities"][lang])
        return self


def _entity_cuts(word: str, inside: Iterable[int]) -> set[int]:
    """Where entity boundaries at these offsets inside `word` cut it: at each boundary, and between the
    proclitics of a run of them before it (و ب before تركمانستان in وبتركمانستان)."""
    cuts = set()
    for offset in inside:
        cuts.add(offset)
        cuts.update(proclitic_cuts(word[:offset]) or ())
    return cuts


def _clitic_cuts(word: str) -> range:
    """The offsets `split_clitics` cuts `word` at: after each proclitic before ال."""
    clitics = _CLITICS.match(word)
    return range(1, clitics.end() + 1) if clitics and clitics.end() else range(0)


def _words_and_starts(text: str, entities: Sequence[dict] = (), cuts: WordCuts | None = None,
                      split_clitics: bool = False) -> tuple[list[str], list[int]]:
    """The tokens of `text` and where each starts (see `token_spans`). The text is scanned by the compiled
    pattern; Python only looks at the words to cut, found by set and bisect look-ups."""
    words = TOKEN.findall(text)
    starts = [match.start() for match in TOKEN.finditer(text)]
    at: dict[int, set[int]] = {}  # word index → offsets inside the word to cut at
    forms = cuts.forms if cuts is not None else None
    if forms and not forms.keys().isdisjoint(words):
        for index, word in enumerate(words):
            offsets = forms.get(word)
            if offsets:
                at.setdefault(index, set()).update(offsets)
    if split_clitics:
        for index, word in enumerate(words):
            clitics = _clitic_cuts(word)
            if clitics:
                at.setdefault(index, set()).update(clitics)
    if entities:
        for boundary in {e["start"] for e in entities} | {e["end"] for e in entities}:
            index = bisect_right(starts, boundary) - 1
            if index >= 0 and boundary - starts[index] < len(words[index]) and boundary > starts[index]:
                at.setdefault(index, set()).update(_entity_cuts(words[index], (boundary - starts[index],)))
    if not at:
        return words, starts
    cut_words, cut_starts = [], []
    for index, (word, start) in enumerate(zip(words, starts)):
        done = 0
        for offset in sorted(at.get(index, ())):
            if 0 < offset < len(word):
                cut_words.append(word[done:offset])
                cut_starts.append(start + done)
                done = offset
        cut_words.append(word[done:])
        cut_starts.append(start + done)
    return cut_words, cut_starts


def token_spans(text: str, entities: Sequence[dict] = (), cuts: WordCuts | None = None,
                split_clitics: bool = False) -> list[tuple[int, int]]:
    """The tokens of `text` as (start, end) offsets: the words of `tokens`, cut at every entity boundary inside
    them (and between the proclitics before it), at the offsets `cuts` holds for their form, and (with
    `split_clitics`) after proclitics before ال."""
    words, starts = _words_and_starts(text, entities, cuts, split_clitics)
    return [(start, start + len(word)) for word, start in zip(words, starts)]


def conll_block(text: str, entities: list[dict] | tuple, split_clitics: bool = False,
                cuts: WordCuts | None = None) -> tuple[str, int]:
    """One paragraph as `token<TAB>tag` lines and a blank line; and the number of entities dropped
    (overlapping another). Tokens by `token_spans`, so every entity boundary is a token boundary."""
    words, starts = _words_and_starts(text, entities, cuts, split_clitics)
    if not words:
        return "\n", 0
    if not entities:
        return "\tO\n".join(words) + "\tO\n\n", 0
    kept, dropped = non_overlapping(entities)
    lines = []
    done = 0  # words written
    for entity in kept:
        first, end = bisect_left(starts, entity["start"]), bisect_left(starts, entity["end"])
        if first > done:
            lines.append("\tO\n".join(words[done:first]) + "\tO\n")
        label = entity["label"]
        lines.append(f"{words[first]}\tB-{label}\n")
        if end > first + 1:
            lines.append(f"\tI-{label}\n".join(words[first + 1:end]) + f"\tI-{label}\n")
        done = end
    if done < len(words):
        lines.append("\tO\n".join(words[done:]) + "\tO\n")
    lines.append("\n")
    return "".join(lines), dropped
