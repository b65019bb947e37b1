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
from itertools import accumulate
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
_TOKEN_SPLIT = re.compile(f"({TOKEN.pattern})")  # TOKEN as a group: re.split keeps the words between the gaps
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


def word_spans(text: str, split_clitics: bool = False) -> list[tuple[int, int]]:
    """The [start, end) offsets of the tokens of `text`: `[text[s:e] for s, e in word_spans(text)]` is
    `tokens(text)`, the same tokens by the same rules (split_clitics too); no cut at entity boundaries
    (`token_spans` makes those)."""
    if not split_clitics:
        return [match.span() for match in TOKEN.finditer(text)]
    result: list[tuple[int, int]] = []
    for match in TOKEN.finditer(text):
        start, end = match.span()
        clitics = _CLITICS.match(text, start, end)
        if clitics and clitics.end() > start:
            result.extend((i, i + 1) for i in range(start, clitics.end()))
            start = clitics.end()
        result.append((start, end))
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
        """Remember the words of `text` that an entity starts or ends inside, with the offsets it cuts them at.
        Only the few words at entity boundaries are looked at, not the whole text."""
        for boundary in {e["start"] for e in entities} | {e["end"] for e in entities}:
            found = _word_around(text, boundary)
            if found is not None:
                form, offset = found
                self.forms[form] = tuple(sorted(set(self.forms.get(form, ())) | _entity_cuts(form, (offset,))))

    def learn_records(self, records: Iterable[dict], lang: str) -> "WordCuts":
        for record in records:
            self.learn(record[lang], record["entities"][lang])
        return self


def _word_around(text: str, at: int) -> tuple[str, int] | None:
    """The word (a token of `tokens`) that offset `at` falls inside, and `at` as an offset in it; None when `at`
    is at a word boundary. Tokens never hold white space, so only the run of non-space characters around `at`
    is tokenised (the same tokens as in the whole text: the pattern looks behind nothing, and ahead only for
    a Latin letter or digit after a number, never white space)."""
    if at <= 0 or at >= len(text) or text[at - 1].isspace() or text[at].isspace():
        return None
    start, end = at - 1, at + 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    for match in TOKEN.finditer(text, start, end):
        if match.start() < at < match.end():
            return match.group(), at - match.start()
        if match.start() >= at:
            break
    return None


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


def _form_cuts(words: list[str], cuts: WordCuts | None, split_clitics: bool) -> dict[int, set[int]]:
    """Word index → offsets inside the word to cut at, for the forms `cuts` holds (found by set look-ups and
    list.index, no Python loop over the words) and, with `split_clitics`, proclitics before ال."""
    at: dict[int, set[int]] = {}
    forms = cuts.forms if cuts is not None else None
    if forms and not forms.keys().isdisjoint(words):
        for form in forms.keys() & set(words):
            index = words.index(form)
            while True:
                at.setdefault(index, set()).update(forms[form])
                try:
                    index = words.index(form, index + 1)
                except ValueError:
                    break
    if split_clitics:
        for index, word in enumerate(words):
            clitics = _clitic_cuts(word)
            if clitics:
                at.setdefault(index, set()).update(clitics)
    return at


def _cut(words: list[str], at: dict[int, set[int]], starts: list[int] | None = None
         ) -> tuple[list[str], list[int], list[int]]:
    """The words cut at `at`; their starts (when `starts` of the words are given); and for each cut word index
    (sorted), how many tokens the words before it and it itself became beyond one each, cumulatively
    (`_new_index`)."""
    cut_words: list[str] = []
    cut_starts: list[int] = []
    extra: list[int] = []
    added, done = 0, 0  # tokens added by the cuts so far; words copied
    for index in sorted(at):
        cut_words.extend(words[done:index])
        if starts is not None:
            cut_starts.extend(starts[done:index])
        word, offset = words[index], 0
        start = starts[index] if starts is not None else 0
        for cut in sorted(at[index]):
            if 0 < cut < len(word):
                cut_words.append(word[offset:cut])
                cut_starts.append(start + offset)
                offset = cut
                added += 1
        cut_words.append(word[offset:])
        cut_starts.append(start + offset)
        extra.append(added)
        done = index + 1
    cut_words.extend(words[done:])
    if starts is not None:
        cut_starts.extend(starts[done:])
    return cut_words, cut_starts, extra


def words_gaps_starts(text: str) -> tuple[list[str], list[str], list[int]]:
    """The words of `tokens` (uncut), the text around them (white space only: before the first, between each two,
    after the last; one more than the words) and where each word starts; by the compiled pattern alone, no
    Python loop over the words."""
    parts = _TOKEN_SPLIT.split(text)  # gap, word, gap, word, ..., gap
    return parts[1::2], parts[0::2], list(accumulate(map(len, parts)))[0:-1:2]


def cuts_at(words: list[str], starts: list[int], entities: Sequence[dict] = (), cuts: WordCuts | None = None,
            split_clitics: bool = False) -> dict[int, set[int]]:
    """Word index → offsets inside it where `token_spans` cuts it (some maybe at its ends, which cut nothing)."""
    at = _form_cuts(words, cuts, split_clitics)
    for boundary in {e["start"] for e in entities} | {e["end"] for e in entities} if entities else ():
        index = bisect_right(starts, boundary) - 1
        if index >= 0 and 0 < boundary - starts[index] < len(words[index]):
            at.setdefault(index, set()).update(_entity_cuts(words[index], (boundary - starts[index],)))
    return at


def _words_and_starts(text: str, entities: Sequence[dict] = (), cuts: WordCuts | None = None,
                      split_clitics: bool = False) -> tuple[list[str], list[int]]:
    """The tokens of `text` and where each starts (see `token_spans`)."""
    words, _, starts = words_gaps_starts(text)
    at = cuts_at(words, starts, entities, cuts, split_clitics)
    if not at:
        return words, starts
    cut_words, cut_starts, _ = _cut(words, at, starts)
    return cut_words, cut_starts


def _locate(text: str, boundaries: list[int]) -> dict[int, tuple[int, int]]:
    """For each offset of `boundaries` (sorted): the index of the word (of `tokens`) it falls in or before, and
    its offset inside that word (0 at a word's start or in white space). Counted by the compiled pattern over
    the text between boundaries; only the run of non-space characters around a boundary is looked at word by
    word (tokens never hold white space, and the pattern looks behind nothing)."""
    located = {}
    count, done = 0, 0  # words before `done`, an offset at a word boundary
    for boundary in boundaries:
        if boundary >= len(text) or text[boundary].isspace():
            count += len(TOKEN.findall(text, done, boundary))
            done = boundary
            located[boundary] = (count, 0)
            continue
        run = boundary
        while run > done and not text[run - 1].isspace():
            run -= 1
        count += len(TOKEN.findall(text, done, run))
        done = run
        index = count
        for match in TOKEN.finditer(text, run):
            if match.end() > boundary:
                located[boundary] = (index, boundary - match.start())
                break
            index += 1
    return located


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
    (overlapping another). The tokens of `token_spans`, so every entity boundary is a token boundary;
    found without the offset of every token (the pattern's `findall` and `_locate`: CoNLL is written fast)."""
    words = TOKEN.findall(text)
    if not words:
        return "\n", 0
    at = _form_cuts(words, cuts, split_clitics)
    if not entities:
        if at:
            words = _cut(words, at)[0]
        return "\tO\n".join(words) + "\tO\n\n", 0
    located = _locate(text, sorted({e["start"] for e in entities} | {e["end"] for e in entities}))
    for index, offset in located.values():
        if offset:
            at.setdefault(index, set()).update(_entity_cuts(words[index], (offset,)))
    # Only the cuts inside a word count (an entity's end at a word's end cuts nothing).
    at = {index: inside for index, offsets in at.items()
          if (inside := {cut for cut in offsets if 0 < cut < len(words[index])})}
    cut_indices = sorted(at)
    extra: list[int] = []
    if at:
        words, _, extra = _cut(words, at)

    def token_at(boundary: int) -> int:
        """The index, among the cut words, of the token that starts at `boundary` (or after it)."""
        index, offset = located[boundary]
        position = bisect_left(cut_indices, index)
        before = extra[position - 1] if position else 0  # tokens added by cuts in earlier words
        if position < len(cut_indices) and cut_indices[position] == index:
            before += sum(1 for cut in at[index] if cut <= offset)  # the pieces of this word before it
        return index + before

    kept, dropped = non_overlapping(entities)
    lines = []
    done = 0  # words written
    for entity in kept:
        first, end = token_at(entity["start"]), token_at(entity["end"])
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
