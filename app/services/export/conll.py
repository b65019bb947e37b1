"""Tokens and IOB2 tags for the CoNLL export (documented in docs/exports.md).

Tokenisation, the same for both languages:
- a number is a run of digits (Western 0-9, Arabic-Indic ٠-٩, Persian ۰-۹) with
  inner separators `.` `,` `٫` `٬` (`28.2`, `٢٨٫٢`, `1,000`), when no letter follows;
- a word is a run of letters, digits, combining marks (Arabic diacritics) and
  tatweel, with inner hyphens or apostrophes (`al-Sisi`, `Egypt's`);
- any other non-space character is a token of its own (punctuation, `%`, `٪`).
Arabic words keep their clitics (`والقاهرة` is one token) unless `split_clitics`,
which splits the proclitics و ف ب ل ك in front of the article ال (`و` `القاهرة`,
`وبال…` → `و` `ب` `ال…`) when three letters or more follow ال; it never splits a word
without ال, so `وزير` and `والد` stay whole.
Then every token is cut where an entity starts or ends inside it, so entity
tokens follow the span offsets exactly (an entity `القاهرة` inside `والقاهرة`
gives `و` O, `القاهرة` B-LOC).

IOB2 cannot show overlapping spans: of overlapping entities the one starting
first is kept, the longer one on a tie; the others are counted as dropped.
"""
from __future__ import annotations

import re

_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
_MARKS = "\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
_WORD_CHAR = rf"[\w{_MARKS}]"
TOKEN = re.compile(
    rf"[{_DIGIT}]+(?:[.,\u066b\u066c][{_DIGIT}]+)*(?!{_WORD_CHAR})"
    rf"|{_WORD_CHAR}+(?:[-'\u2019]{_WORD_CHAR}+)*"
    r"|\S"
)
# Proclitics before the definite article: و/ف, then one of ب/ل/ك, then ال and at least three letters.
_CLITICS = re.compile(r"([\u0648\u0641]?[\u0628\u0644\u0643]?)(?=\u0627\u0644\w{3})")


def token_spans(text: str, split_clitics: bool = False) -> list[tuple[int, int]]:
    spans = []
    for match in TOKEN.finditer(text):
        start, end = match.span()
        if split_clitics:
            clitics = _CLITICS.match(text, start, end)
            if clitics and clitics.end() > start:
                for position in range(start, clitics.end()):
                    spans.append((position, position + 1))
                start = clitics.end()
        spans.append((start, end))
    return spans


def _cut_at(spans: list[tuple[int, int]], cuts: set[int]) -> list[tuple[int, int]]:
    """Tokens split wherever an entity boundary falls strictly inside one."""
    result = []
    for start, end in spans:
        inner = sorted(c for c in cuts if start < c < end)
        for cut in inner:
            result.append((start, cut))
            start = cut
        result.append((start, end))
    return result


def non_overlapping(entities: list[dict]) -> tuple[list[dict], int]:
    """The entities IOB2 can show (earliest first, longer on a tie) and how many were dropped."""
    kept, last_end, dropped = [], -1, 0
    for entity in sorted(entities, key=lambda e: (e["start"], -e["end"])):
        if entity["start"] >= last_end:
            kept.append(entity)
            last_end = entity["end"]
        else:
            dropped += 1
    return kept, dropped


def conll_block(text: str, entities: list[dict], split_clitics: bool = False) -> tuple[str, int]:
    """One paragraph as `token<TAB>tag` lines and a blank line; and the number of entities dropped."""
    spans = token_spans(text, split_clitics)
    if not entities:
        return "".join(f"{text[s:e]}\tO\n" for s, e in spans) + "\n", 0
    kept, dropped = non_overlapping(entities)
    cuts = {e["start"] for e in kept} | {e["end"] for e in kept}
    spans = _cut_at(spans, cuts)
    lines = []
    index = 0
    for start, end in spans:
        while index < len(kept) and kept[index]["end"] <= start:
            index += 1
        tag = "O"
        if index < len(kept) and kept[index]["start"] <= start:
            entity = kept[index]
            tag = ("B-" if start == entity["start"] else "I-") + entity["label"]
        lines.append(f"{text[start:end]}\t{tag}\n")
    lines.append("\n")
    return "".join(lines), dropped
