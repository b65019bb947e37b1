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
Tokens never cross an entity boundary (the text is cut at the boundaries first), so
entity tokens follow the span offsets exactly (an entity `القاهرة` inside `والقاهرة`
gives `و` O, `القاهرة` B-LOC).

IOB2 cannot show overlapping spans: of overlapping entities the one starting
first is kept, the longer one on a tie; the others are counted as dropped.
"""
from __future__ import annotations

import re
from typing import Sequence

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


def token_spans(text: str, split_clitics: bool = False) -> list[tuple[int, int]]:
    """The [start, end) offsets of the tokens of `text`: `[text[s:e] for s, e in token_spans(text)]` is
    `tokens(text)`, the same tokens by the same rules (split_clitics too)."""
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


def conll_block(text: str, entities: list[dict] | tuple, split_clitics: bool = False) -> tuple[str, int]:
    """One paragraph as `token<TAB>tag` lines and a blank line; and the number of entities dropped.

    The text is cut at the entity boundaries first and each piece tokenised on its own,
    so no token ever crosses a boundary.
    """
    if not entities:
        found = tokens(text, split_clitics)
        return ("\tO\n".join(found) + "\tO\n\n") if found else "\n", 0
    kept, dropped = non_overlapping(entities)
    lines = []
    done = 0
    for entity in kept:
        outside = tokens(text[done:entity["start"]], split_clitics)
        if outside:
            lines.append("\tO\n".join(outside) + "\tO\n")
        inside = tokens(text[entity["start"]:entity["end"]], split_clitics)
        label = entity["label"]
        lines.append(f"{inside[0]}\tB-{label}\n")
        if len(inside) > 1:
            lines.append(f"\tI-{label}\n".join(inside[1:]) + f"\tI-{label}\n")
        done = entity["end"]
    rest = tokens(text[done:], split_clitics)
    if rest:
        lines.append("\tO\n".join(rest) + "\tO\n")
    lines.append("\n")
    return "".join(lines), dropped
