"""Split Arabic (and mixed Arabic/Latin) news paragraphs into sentences.

Machine translation works best one sentence at a time, and a corpus aligned
sentence by sentence is easier to review, so every paragraph is split before
it is translated.  That happens for every paragraph of every import, so the
splitter is plain ``re`` and a few string checks: no models, no downloads,
the same answer every time, and tens of thousands of paragraphs a second.

A sentence ends after a run of terminators (``. ! ? ؟ ؛ …``, also ``...``,
``?!`` and ``..``) plus any closing quotes or brackets right after them
(``" ” » ' ’ ) ]``), when whitespace or the end follows and the next text
looks like the start of a sentence: a letter that is not lower case Latin,
a digit, an opening quote or bracket, or a dash.  A line break always ends
a sentence.  ``؛`` counts as a sentence end because Arabic news writers use
it where English would start a new sentence.

These are not sentence ends:

* a terminator with no whitespace after it: numbers (``28.2``, ``٣.٥``,
  ``10.06.2022``, ``1.5%``), domains and URLs (``tass.ru``,
  ``www.example.com/a.b``), e-mail addresses, and a quote that goes on
  (``."،``).  Text glued after a period (``والتعاون.وقال``) therefore stays
  one sentence, so that the sentences joined with spaces give back the text;
* ``.`` between two digits (``بلغ 3. 5 مليار``, a typo for a decimal);
* a number of up to three digits at the start of a line (``1. البند``), a
  list item rather than a sentence;
* ``.`` after an abbreviation: a word in ABBREVIATIONS, or initials, that is
  single letters each followed by ``.`` (``د.``, ``م.``, ``ق.م.``,
  ``U.S.``, ``e.g.``, ``V. Putin``);
* ``.``, ``…`` and the like followed by a lower case Latin letter
  (``etc. and``).  ``etc.`` followed by a capital ends the sentence.

Spans are ``[start, end)`` indexes into the text without the whitespace
around each sentence; together they hold every non-space character once,
in order.  The module is pure Python and knows nothing of Flask.
"""

from __future__ import annotations

import re

__all__ = ["ABBREVIATIONS", "sentence_spans", "split_sentences"]

# Words written with a final "." that does not end the sentence, without that
# final ".".  Matched exactly (case matters: "No." is an abbreviation, "no."
# ends a sentence) after opening quotes and brackets are stripped.  Initials
# (one letter and "."), such as the Arabic ones listed here, are recognised
# by rule (_INITIALS) whether listed or not; they are listed to document
# what the rule is for.  Words that often end a sentence (Inc., Ltd., Co.,
# etc., إلخ.) are deliberately left out.
ABBREVIATIONS = frozenset(
    {
        # Latin titles, always followed by a name.
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Col", "Lt",
        "Maj", "Sgt", "Capt", "Adm", "Gov", "Sen", "Rep", "Rev", "Hon", "Amb",
        "Pres",
        # Latin words followed by a number or date.
        "No", "Nos", "Vol", "Fig", "pp", "ca", "approx", "Jan", "Feb", "Mar",
        "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
        # Latin words inside a sentence.
        "vs", "cf", "al", "viz",
        # Latin initials (covered by _INITIALS).
        "e.g", "i.e", "U.S", "U.K", "U.N", "a.m", "p.m",
        # Arabic initials (covered by _INITIALS).
        "د",  # دكتور, doctor
        "م",  # مهندس, engineer; ميلادي, year of the Common Era
        "ص",  # صفحة, page
        "ج",  # جزء, volume; جنيه, pound
        "أ",  # أستاذ, professor
        "ت",  # توفي, died; تليفون, telephone
        "هـ",  # هجري, year of the Hijra
        "ق.م",  # قبل الميلاد, BCE
        "أ.د",  # أستاذ دكتور, professor doctor
        "ص.ب",  # صندوق بريد, PO box
        "ب.ظ",  # بعد الظهر, p.m.
        "ق.ظ",  # قبل الظهر, a.m.
    }
)

_TERMINATORS = ".!?؟؛…۔‼⁇⁈⁉"
_CLOSERS = "\"'”’»›)]}"
_OPENERS = "\"'“‘«‹„([{"
_DASHES = "-–—•"

# One candidate sentence end: a run of terminators and the closing
# quotes/brackets after it, followed by whitespace or the end of the line.
_BOUNDARY = re.compile(
    rf"(?P<stop>[{re.escape(_TERMINATORS)}]+)(?P<close>[{re.escape(_CLOSERS)}]*)(?!\S)"
)
# The word before a ".", looked for only in the last _MAX_WORD characters
# (abbreviations are short); no match means the word is longer.
_MAX_WORD = 20
_WORD_END = re.compile(r"(?<!\S)\S*\Z")
# A stripped line: first to last non-space character before a line break
# (the breaks of str.splitlines).
_LINE = re.compile(r"\S(?:[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*\S)?")
_SPACES = re.compile(r"\s+")
# Letters, each but the last followed by ".": د, هـ, ق.م, U.S, e.g.  A letter
# may carry harakat or a tatweel.
_LETTER = r"[^\W\d_][\u0640\u064b-\u065f\u0670]*"
_INITIALS = re.compile(rf"(?:{_LETTER}\.)*{_LETTER}")
_LIST_NUMBER = re.compile(r"\d{1,3}")  # \d includes ٠-٩ and ۰-۹


def _starts_sentence(char: str) -> bool:
    """Whether a sentence may start with char (lower case Latin may not)."""
    if char.isalnum():
        return not char.islower()
    return char in _OPENERS or char in _DASHES


def _is_sentence_end(text: str, match: re.Match[str], line_start: int, next_start: int) -> bool:
    """Decide whether a _BOUNDARY match followed by text[next_start] ends a sentence."""
    if not _starts_sentence(text[next_start]):
        return False
    if match["stop"] != ".":
        return True
    dot = match.start()
    if text[dot - 1 : dot].isdecimal() and text[next_start].isdecimal():
        return False  # 3. 5
    if _LIST_NUMBER.fullmatch(text, line_start, dot):
        return False  # 1. البند
    if match["close"]:
        return True  # a closing quote or bracket after "." ends it
    found = _WORD_END.search(text, max(line_start, dot - _MAX_WORD), dot)
    if found is None:
        return True
    word = found[0].lstrip(_OPENERS)
    return not (word in ABBREVIATIONS or _INITIALS.fullmatch(word))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return the [start, end) index pairs of the sentences of text, in order.

    Spans exclude surrounding whitespace; whitespace-only text gives [].
    """
    spans = []
    for line in _LINE.finditer(text):
        start, line_end = line.span()
        for match in _BOUNDARY.finditer(text, start, line_end):
            end = match.end()
            if end == line_end:
                break
            next_start = _SPACES.match(text, end).end()  # type: ignore[union-attr]  # _BOUNDARY ends before a space
            if _is_sentence_end(text, match, line.start(), next_start):
                spans.append((start, end))
                start = next_start
        spans.append((start, line_end))
    return spans


def split_sentences(text: str) -> list[str]:
    """Split text into stripped sentences (see the module docstring for the rules)."""
    return [text[start:end] for start, end in sentence_spans(text)]
