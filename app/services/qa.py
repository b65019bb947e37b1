"""Translation QA checks for one paragraph pair: pure functions, no Flask, no database.

``check_paragraph(ar, en, context)`` returns a list of :class:`Finding`, each
with a stable check id, a severity and an English message naming the
offending items. The caller recomputes them on every save (and whenever
entities, links or the glossary change), shows them beside the paragraph and
refuses approval while a finding of severity ``"error"`` stands, unless the
reviewer gives an override reason (``blocking()`` lists what needs one).

Checks, in the order findings are returned (errors first):

``empty`` (error)
    The English is missing, blank, or has no letter or digit at all. When it
    fires, only ``unlinked_entity`` findings are added: numbers, ratio and
    glossary findings would merely restate that nothing was translated.
``arabic_script`` (error)
    The English still contains Arabic letters. Arabic-Indic digits and
    Arabic punctuation alone do not count (the numbers check reads the
    digits). Arabic inside quotes or parentheses is flagged too, on purpose:
    the English side of the corpus feeds TMX/MT training, where a stray gloss
    is noise, and the rare deliberate gloss (``the hawza (الحوزة)``) is exactly
    what an override reason should record. The message quotes the passages.
``numbers`` (error)
    Numbers and dates must agree; see "Numbers" below. One finding per
    disagreeing value.
``glossary`` (warning)
    For each ``(arabic form, required English)`` in ``context.glossary_hits``,
    the English must contain the required form: case-insensitive, any run
    of spaces or hyphens between its words, and followed by at most a simple
    English ending: possessive ``'s``/``’s``/``s'``/``'``, or plural ``s``/``es``
    ("Putin's", "summits"). Other inflections ("Organisation" for
    "Organization", "Russian" for "Russia") are not accepted: the glossary
    should list such variants itself.
``unlinked_entity`` (warning)
    One finding naming the distinct surface texts in
    ``context.unlinked_ar_entities`` (the first five, then a count; the
    caller decides what counts as linked).
``inconsistent`` (warning)
    For each ``(sentence, approved English, where)`` in ``context.approved_elsewhere`` (a sentence of this
    paragraph whose normalised Arabic is the whole Arabic of a paragraph approved elsewhere; the caller
    finds them in the translation memory, services/translation_memory.py), the English here must contain
    that approved English (case and runs of white space aside). One finding per sentence, naming where it
    was approved (the first three places).
``length_ratio`` (warning)
    Non-space characters of the English divided by those of the Arabic
    (Arabic short vowels, tatweel and direction marks not counted) outside
    ``context.length_ratio``, by more than ``RATIO_SLACK_CHARS`` (12)
    characters: names and headings legitimately vary far more than
    paragraphs ("الهياكل الجديدة في رابطة الدول المستقلة" → "New CIS
    structures" is 0.47 but only 4 characters short of 0.6).
    Default (0.6, 2.5): English translations of 19 seed paragraphs measure
    0.90–1.39, median 1.24 (Arabic writes no short vowels and attaches
    articles, prepositions and pronouns to words; "CIS" for
    رابطة الدول المستقلة pulls the ratio down). The machine drafts could not
    be measured: the only model on this machine is a test fixture producing
    noise. 0.6 is about half the median, so a paragraph missing half its
    sentences is flagged; 2.5 is twice the median, so a passage repeated or
    added is; neither comes near a correct translation.
``unchanged_mt`` (info)
    The English is identical (whitespace collapsed) to ``context.machine_text``.

Numbers
    Both texts are read alike: Arabic-Indic (٠-٩) and Eastern Arabic-Indic
    (۰-۹) digits are digits, ``٫`` ``٬`` ``٪`` are ``.`` ``,`` ``%``; short vowels,
    tatweel and bidi marks are ignored; Arabic words match with or without
    hamza on alef, with ة or ه, with final ى or ي. Every value is a decimal,
    compared numerically, so ``28.2 مليار`` = ``٢٨٫٢ مليار`` = ``28.2 billion`` =
    ``28,200 million`` = ``28.2bn`` and ``0.8 مليار`` = ``800 million``.

    * Digit groups: ``1,200`` and ``1,200,000`` are thousands (a comma followed
      by exactly three digits); any other single ``,`` or ``.`` is a decimal
      point (``10,2`` = ``10.2`` as some Arabic outlets write it); ``1.200.000``
      and ``1.200,5`` are read the European way. Digits glued to letters count
      (``في7``, ``المنتدى27``, ``C5``); signs do not (``2022-2025`` is two years).
      English ordinals ``1st``/``22nd``/``70th`` are their number; an English
      decade (``1990s``) counts like a number word (below), as the Arabic
      often says التسعينيات.
    * Scale words after a number multiply it: Arabic ``ألف/آلاف/ألفا``,
      ``مليون/ملايين``, ``مليار/مليارات``, ``بليون``, ``تريليون``; English
      ``thousand million billion trillion``, ``bn mn tn trn`` (glued or not),
      and ``k m b`` glued to a number with a currency sign (``$5m``; a bare
      ``5m`` may be metres, so it stays 5). Arabic ``3 ملايين و500 ألف`` is one
      value, 3,500,000.
    * Percentages are their own kind: ``%``, ``٪`` (also written before the
      number, ``٪10``, as RTL typing often leaves it), ``في المائة``,
      ``بالمئة``, ``بالمائة`` … ↔ ``%``, ``percent``, ``per cent``, ``pc``. A
      percentage on one side that is a bare number on the other gets its own
      message ("appears in the English without a percent sign").
    * Dates: a day number next to a month name is a date, compared as
      (day, month); the year stays an ordinary number so ``2022`` agrees with
      ``2022`` whether or not it belongs to a date. Arabic: ``10 يونيو``,
      ``10 يونيو/حزيران``, ``1 ابريل (نيسان)``, ``7 من أكتوبر``, with Egyptian,
      Levantine (كانون الثاني … كانون الأول) and Maghreb month names, alef with
      or without hamza, يونيو/يونيه/يونية. English: ``10 June``, ``10th of June``,
      ``June 10``, ``June 10th``, ``Jun. 10`` (capitalised month names and
      abbreviations). A number right before a month name that cannot be a
      day (``2022 يونيو``) stays a number. A date left over on one side may instead match its day
      and month as bare numbers on the other (``10/6``), or its day alone
      (``on the 10th``), so a day number is never a "missing number".
      Month names without a day ("from January to August") are not compared.
    * Number words never raise a finding; they only excuse a number written
      in digits on the other side (so ``خمسة اجتماعات`` ↔ "5 meetings" and
      ``الذكرى السبعون`` ↔ "70th birthday" agree, and "five meetings" ↔
      ``خمسة`` has nothing to compare). Covered: Arabic cardinals 1-10 in
      both genders, عشر compounds (ثلاثة عشر), tens عشرون…تسعون, hundreds
      (مائة/مئة, مائتان, ثلاثمائة…), ordinals الأول…العاشر, ألف/مليون/مليار
      alone, duals (ألفين = 2000), compounds joined with و (خمسة وعشرون,
      ثلاثة آلاف); with the prefixes و ف ب ل ك ال لل. English: zero-nineteen,
      the tens, hyphenated compounds (twenty-six), hundred, dozen,
      thousand/million/billion/trillion ("a million", "five hundred thousand"),
      ordinals first-twelfth and the tens' ordinals, "and" after hundred or a
      scale ("one hundred and fifty").
    * Values are compared as multisets. A value present on both sides but a
      different number of times is reported with both counts.

Deliberately not covered: currencies and units (``دولار`` ↔ "$" is not
checked, nor km ↔ miles); fractions and approximations (نصف ↔ "half", "about");
space-grouped thousands (``25 000``); days written as ordinal words
(``الأول من يناير`` ↔ "January 1" reports the English date); Hijri ↔ Gregorian
conversion; weekday names; month names without a day number; 12 ↔ 24-hour
times; Roman numerals; whether a number is attached to the right noun. A year
repeated in the Arabic but replaced by "last year" in the English is reported
(multisets, as specified); that is the likeliest false alarm. The checks look
at one paragraph pair and nothing else.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import product
from typing import Iterable, NamedTuple

__all__ = [
    "BLOCKING",
    "CHECK_SEVERITY",
    "Finding",
    "QAContext",
    "RATIO_SLACK_CHARS",
    "SEVERITIES",
    "blocking",
    "check_paragraph",
]

SEVERITIES = ("error", "warning", "info")  # "error" blocks approval (overridable with a reason)

CHECK_SEVERITY = {
    "empty": "error",
    "arabic_script": "error",
    "numbers": "error",
    "glossary": "warning",
    "unlinked_entity": "warning",
    "inconsistent": "warning",
    "length_ratio": "warning",
    "unchanged_mt": "info",
}
BLOCKING = frozenset(check for check, severity in CHECK_SEVERITY.items() if severity == "error")

# The length ratio is judged only when the English is more than this many
# counted characters outside the allowed range: short headings and names vary.
RATIO_SLACK_CHARS = 12


@dataclass(frozen=True)
class Finding:
    check: str  # stable machine id: a key of CHECK_SEVERITY
    severity: str  # one of SEVERITIES
    message: str  # for people, English, naming the offending items

    def as_dict(self) -> dict:
        return {"check": self.check, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class QAContext:
    machine_text: str | None = None
    unlinked_ar_entities: tuple[str, ...] = ()  # surface texts of Arabic entities with no English link
    glossary_hits: tuple[tuple[str, str], ...] = ()  # (arabic form found in the Arabic, required English form)
    length_ratio: tuple[float, float] = (0.6, 2.5)  # allowed non-space len(en)/len(ar); see the module docstring
    # (sentence of this paragraph, the English it was approved with elsewhere, where: "article 3, paragraph 12")
    approved_elsewhere: tuple[tuple[str, str, str], ...] = ()


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop approval unless the reviewer gives an override reason."""
    return [f for f in findings if f.severity == "error"]


def _finding(check: str, message: str) -> Finding:
    return Finding(check, CHECK_SEVERITY[check], message)


# --- text folding -----------------------------------------------------------
# The texts themselves are never folded (str.translate costs more than all the
# regexes): the regexes accept every digit system and the usual Arabic spelling
# variants, which map to their values directly.

_DIGIT_FOLD = {ord(c): str(i % 10) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")}
_DIGIT_FOLD.update({ord("٫"): ".", ord("٬"): ",", ord("٪"): "%"})
# Removed first: Arabic short vowels and other marks, tatweel, zero-width and
# bidi control characters (they sit between digits and signs, and inside words).
_MARKS = re.compile("[\u0610-\u061a\u061c\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640"
                    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")


def _strip_marks(text: str) -> str:
    return _MARKS.sub("", text) if _MARKS.search(text) else text


def _spellings(word: str) -> set[str]:
    """A word as written with or without hamza on alef, ة as ه, final ى/ي swapped."""
    options: list[tuple[str, ...]] = []
    for i, ch in enumerate(word):
        if ch in "أإآ":
            options.append((ch, "ا"))
        elif ch == "ة":
            options.append(("ة", "ه"))
        elif ch == "ى" or (ch == "ي" and i == len(word) - 1):
            options.append(("ى", "ي"))
        else:
            options.append((ch,))
    return {"".join(p) for p in product(*options)}


def _trie(words: Iterable[str]) -> str:
    """A regex matching exactly `words`, shaped as a trie: one character test per branch point."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alternatives = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = "|".join(alternatives)
        if "" in node:
            return f"(?:{body})?"
        return body if len(alternatives) == 1 else f"(?:{body})"

    return emit(tree)


# --- number literals ---------------------------------------------------------

_GROUP_SEP = re.compile(r"[.,]")


def _parse_literal(literal: str) -> Decimal | None:
    """The value of a digit group such as 1,200.5 or 10,2; None when it cannot be read."""
    if literal.isdigit():
        return Decimal(literal)  # Decimal reads ٢٠٢٢ as 2022 itself
    literal = literal.translate(_DIGIT_FOLD)
    seps = _GROUP_SEP.findall(literal)
    parts = _GROUP_SEP.split(literal)
    if len(seps) == 1:
        head, tail = parts
        if seps[0] == "," and len(tail) == 3 and len(head) <= 3:
            return Decimal(head + tail)  # 1,200
        return Decimal(f"{head}.{tail}")  # 10.2, 10,2
    if len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:-1]):
        if len(set(seps)) == 1 and len(parts[-1]) == 3:
            return Decimal("".join(parts))  # 1,200,000 or 1.200.000
        if len(set(seps[:-1])) == 1 and seps[-1] != seps[0]:
            return Decimal("".join(parts[:-1]) + "." + parts[-1])  # 1,200.5 or 1.200,5
    return None


_THOUSAND, _MILLION, _BILLION, _TRILLION = Decimal(10) ** 3, Decimal(10) ** 6, Decimal(10) ** 9, Decimal(10) ** 12

# --- Arabic vocabulary (written naturally; every spelling variant is generated) ---

_AR_SCALES = {
    "ألف": _THOUSAND, "ألفا": _THOUSAND, "آلاف": _THOUSAND,
    "مليون": _MILLION, "مليونا": _MILLION, "ملايين": _MILLION,
    "مليار": _BILLION, "مليارا": _BILLION, "مليارات": _BILLION, "بليون": _BILLION, "بلايين": _BILLION,
    "تريليون": _TRILLION, "ترليون": _TRILLION, "تريليونات": _TRILLION,
}
# Number words: (class, value). Classes: "unit" and "ten" add; "hundreds" is a
# value on its own (مائتان, ثلاثمائة, ألفين); "hundred" multiplies what precedes
# (or stands for 100); "scale" multiplies what precedes (or stands for
# itself); "plural" multiplies what precedes and means nothing alone (آلاف).
_AR_WORDS_NATURAL: dict[str, tuple[str, int]] = {}
for _words, _value in [
    ("واحد واحدة أحد إحدى الأول الأولى أول أولى", 1),
    ("اثنان اثنين اثنتان اثنتين اثنا اثنتا الثاني الثانية ثاني ثانية", 2),
    ("ثلاث ثلاثة الثالث الثالثة ثالث ثالثة", 3),
    ("أربع أربعة الرابع الرابعة رابع رابعة", 4),
    ("خمس خمسة الخامس الخامسة خامس خامسة", 5),
    ("ست ستة السادس السادسة سادس سادسة", 6),
    ("سبع سبعة السابع السابعة سابع سابعة", 7),
    ("ثمان ثماني ثمانية الثامن الثامنة ثامن ثامنة", 8),
    ("تسع تسعة التاسع التاسعة تاسع تاسعة", 9),
    ("عشر عشرة العاشر العاشرة عاشر عاشرة", 10),
]:
    for _w in _words.split():
        _AR_WORDS_NATURAL[_w] = ("unit", _value)
for _words, _value in [
    ("عشرون عشرين", 20), ("ثلاثون ثلاثين", 30), ("أربعون أربعين", 40), ("خمسون خمسين", 50),
    ("ستون ستين", 60), ("سبعون سبعين", 70), ("ثمانون ثمانين", 80), ("تسعون تسعين", 90),
]:
    for _w in _words.split():
        _AR_WORDS_NATURAL[_w] = ("ten", _value)
_AR_HUNDREDS = {"مائة": 100, "مئة": 100, "ماية": 100}
for _w in "مائتان مئتان مائتين مئتين مائتا مئتا مائتي مئتي".split():
    _AR_HUNDREDS[_w] = 200
for _stem, _value in [("ثلاث", 300), ("أربع", 400), ("خمس", 500), ("ست", 600), ("سبع", 700), ("ثمان", 800),
                      ("ثماني", 800), ("تسع", 900)]:
    _AR_HUNDREDS[_stem + "مائة"] = _AR_HUNDREDS[_stem + "مئة"] = _value
for _w, _v in _AR_HUNDREDS.items():
    _AR_WORDS_NATURAL[_w] = ("hundred" if _v == 100 else "hundreds", _v)
for _w, _v in [("ألف", 1000), ("ألفا", 1000), ("مليون", 10**6), ("مليونا", 10**6), ("مليار", 10**9),
               ("مليارا", 10**9), ("بليون", 10**9), ("تريليون", 10**12), ("ترليون", 10**12)]:
    _AR_WORDS_NATURAL[_w] = ("scale", _v)
for _w, _v in [("ألفان", 2000), ("ألفين", 2000), ("ألفي", 2000), ("مليونان", 2 * 10**6), ("مليونين", 2 * 10**6),
               ("مليوني", 2 * 10**6), ("ملياران", 2 * 10**9), ("مليارين", 2 * 10**9), ("ملياري", 2 * 10**9)]:
    _AR_WORDS_NATURAL[_w] = ("hundreds", _v)
for _w, _v in [("آلاف", 1000), ("ملايين", 10**6), ("مليارات", 10**9), ("بلايين", 10**9)]:
    _AR_WORDS_NATURAL[_w] = ("plural", _v)
# Prefixes a number word may carry: و ف, then ب ك ل, then ال (لل for ل+ال).
# مائة alone takes only و, so that بالمائة / في المائة stay percent signs (بألفي, بثلاثمائة are numbers).
_AR_PREFIXES = {a + b for a in ("", "و", "ف") for b in ("", "ال", "بال", "كال", "لل", "ب", "ل", "ك")}
_AR_HUNDRED_PREFIXES = {"", "و"}

_AR_MONTHS_NATURAL = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يونية": 6, "يوليو": 7, "يوليه": 7, "يولية": 7, "أغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11,
    "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6, "تموز": 7, "آب": 8,
    "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "أوت": 8,
}


def _by_spelling(natural: dict) -> dict:
    """Every accepted spelling of each word, mapped to the word's value (no folding at lookup)."""
    return {spelling: value for word, value in natural.items() for spelling in _spellings(word)}


_AR_WORDS_BY_SPELLING = _by_spelling(_AR_WORDS_NATURAL)
_AR_MONTHS_BY_SPELLING = _by_spelling(_AR_MONTHS_NATURAL)
_AR_SCALES_BY_SPELLING = _by_spelling(_AR_SCALES)


_PERCENT_SIGN = "%٪"
# A number with what follows it: a month name (a date when the number is a
# day), or a scale word and/or a percent sign. Starting with \d lets the
# engine skip quickly to the next digit.
_AR_NUMBER = re.compile(
    r"(?P<num>\d+(?:[.,٫٬]\d+)*)"
    rf"(?:\s?(?:من\s+)?(?:شهر\s+)?(?P<month>{_trie(_AR_MONTHS_BY_SPELLING)})(?!\w)"
    rf"|(?:\s?(?P<scale>{_trie(_AR_SCALES_BY_SPELLING)})(?!\w))?"
    r"(?P<pct>\s?(?:[%٪]|(?:في\s*|ب)الم(?:ائ|ئ|اي|ي)[ةه](?!\w)))?)"
)
_AR_PERCENT_AFTER_WORDS = re.compile(r"\s?(?:[%٪]|(?:في\s*|ب)الم(?:ائ|ئ|اي|ي)[ةه](?!\w))")
_AR_NUMBER_WORD = re.compile(rf"(?:{_trie(_AR_WORDS_BY_SPELLING)})(?!\w)")
_AR_AND = re.compile(r"\s*و\s*")

# --- English vocabulary ------------------------------------------------------

_EN_WORDS: dict[str, tuple[str, int]] = {}
for _i, _w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                        "fifteen sixteen seventeen eighteen nineteen".split()):
    _EN_WORDS[_w] = ("unit", _i)
for _i, _w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
                        .split(), 1):
    _EN_WORDS[_w] = ("unit", _i)
for _i, (_w, _o) in enumerate(zip("twenty thirty forty fifty sixty seventy eighty ninety".split(),
                                  "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth"
                                  .split()), 2):
    _EN_WORDS[_w] = ("ten", _i * 10)
    _EN_WORDS[_o] = ("ten", _i * 10)
# "a thousand" is simply "thousand": a scale alone stands for itself.
_EN_WORDS.update({"hundred": ("hundred", 100), "hundredth": ("hundred", 100), "dozen": ("scale", 12),
                  "thousand": ("scale", 1000), "million": ("scale", 10**6), "billion": ("scale", 10**9),
                  "trillion": ("scale", 10**12)})
_EN_SCALES = {"thousand": _THOUSAND, "million": _MILLION, "billion": _BILLION, "trillion": _TRILLION,
              "bn": _BILLION, "mn": _MILLION, "tn": _TRILLION, "trn": _TRILLION}
_EN_SHORT_SCALES = {"k": _THOUSAND, "m": _MILLION, "b": _BILLION}
_CURRENCY_SIGNS = "$€£¥"
# Run on the lower-cased English.
_EN_NUMBER_WORD = re.compile(rf"\b(?:{_trie(_EN_WORDS)})\b")
_EN_PERCENT_AFTER_WORDS = re.compile(r"\s?(?:[%٪]|per\s?cent\b)")
_EN_WORD_GAP = re.compile(r"\s+(?:and\s+)?|-")
_EN_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"]
_EN_MONTHS = {name: i for i, name in enumerate(_EN_MONTH_NAMES, 1)}
_EN_MONTHS.update({name[:3]: i for i, name in enumerate(_EN_MONTH_NAMES, 1)})
_EN_MONTHS["Sept"] = 9
# Month names are case-sensitive ("May 5" is a date, "may 5" is not); scale
# words and percent signs are not ("28.2 Billion" in a title).
_EN_NUMBER = re.compile(
    r"(?P<num>\d+(?:[.,٫٬]\d+)*)"
    rf"(?:(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_trie(_EN_MONTHS)})\b"
    r"|(?i:(?:st|nd|rd|th)?"
    r"(?:\s?-?\s?(?P<scale>thousand|million|billion|trillion|bn|mn|trn|tn)\b|(?P<short>[kmb])\b)?"
    r"(?P<pct>\s?(?:[%٪]|per\s?cent\b|pc\b))?))"
)
_EN_DECADE = re.compile(r"['’]?s\b")
_EN_MONTH_BEFORE_DAY = re.compile(rf"\b(?P<month>{_trie(_EN_MONTHS)})\.?\s+(?:the\s+)?$")


# --- extracting values ---------------------------------------------------------

class _Value(NamedTuple):
    key: tuple  # ("n", Decimal) | ("pct", Decimal) | ("lit", str) | ("date", day, month)
    surface: str  # as written, for messages


class _Side(NamedTuple):
    values: list[_Value]
    soft: Counter  # keys that number words could stand for: they excuse, never accuse


def _evaluate_words(elements: list[tuple[bool, str, int]]) -> list[int]:
    """Values of a run of number words [(preceded by and/و, class, value)], split where they do not combine."""
    values: list[int] = []
    total = current = 0
    last = None
    counting = False  # a value is being built: "zero" is one, آلاف alone is not
    for joined, cls, value in elements:
        combines = last is not None and (
            (cls in ("scale", "plural", "hundred") and last in ("unit", "ten", "hundreds", "hundred"))
            or (cls in ("unit", "ten", "hundreds") and last in ("scale", "hundred", "hundreds"))
            or (cls == "unit" and last == "ten" and not joined)  # twenty-five
            or (cls == "ten" and last == "unit" and joined)  # خمسة وعشرون
            or (cls == "unit" and value == 10 and last == "unit" and not joined and current < 10)  # ثلاثة عشر
        )
        if not combines:
            if counting:
                values.append(total + current)
            total = current = 0
        if cls == "plural":
            if combines:
                total += current * value
                current = 0
        elif cls == "scale":
            total += (current or 1) * value
            current = 0
        elif cls == "hundred":
            current = (current or 1) * value
        else:
            current += value
        counting = combines or cls != "plural"  # nothing combines after a plural
        last = cls
    if counting:
        values.append(total + current)
    return values


def _add_word_runs(runs: list[tuple[int, list[tuple[bool, str, int]]]], text: str, percent_after: re.Pattern,
                   soft: Counter) -> None:
    for end, elements in runs:
        kind = "pct" if percent_after.match(text, end) else "n"
        for value in _evaluate_words(elements):
            soft[(kind, Decimal(value))] += 1


def _arabic_values(text: str) -> _Side:
    """Numbers, dates and number words of an Arabic text whose marks are already stripped."""
    values: list[_Value] = []
    soft: Counter = Counter()
    consumed = 0  # end of the last number with its scale and percent sign
    previous: tuple[int, Decimal, Decimal] | None = None  # start, value and scale of a scaled number
    scale_words: set[int] = set()  # starts of scale words after digits: not number words ("5 مليون" is no مليون)
    for m in _AR_NUMBER.finditer(text):
        start, stop = m.span()
        literal = m["num"]
        scale_words.add(m.start("scale"))  # -1 when there is none
        if m["month"]:
            if len(literal) <= 2 and 1 <= int(literal) <= 31:
                values.append(_Value(("date", int(literal), _AR_MONTHS_BY_SPELLING[m["month"]]), m.group()))
                consumed, previous = stop, None
                continue
            stop = m.end("num")  # a year before a month name: "2022 يونيو"
        value = _parse_literal(literal)
        if value is None:
            values.append(_Value(("lit", literal.translate(_DIGIT_FOLD)), literal))
            consumed, previous = stop, None
            continue
        scale = _AR_SCALES_BY_SPELLING[m["scale"]] if m["scale"] else None
        if scale:
            value *= scale
        # ٪10, as right-to-left typing often leaves it.
        before = start - 1 if start and text[start - 1] in _PERCENT_SIGN else (
            start - 2 if start > 1 and text[start - 1] == " " and text[start - 2] in _PERCENT_SIGN else -1)
        percent = bool(m["pct"]) or before >= consumed
        if not m["pct"] and before >= consumed:
            start = before
        # "3 ملايين و500 ألف" is one value.
        if (previous is not None and not percent and _AR_AND.fullmatch(text, consumed, start)
                and value < previous[2]):
            values[-1] = _Value(("n", previous[1] + value), text[previous[0]:stop].rstrip())
            consumed, previous = stop, None
            continue
        values.append(_Value(("pct" if percent else "n", value), text[start:stop].rstrip()))
        consumed = stop
        previous = (start, value, scale) if scale and not percent else None

    runs: list[tuple[int, list[tuple[bool, str, int]]]] = []
    last_end = -1
    for m in _AR_NUMBER_WORD.finditer(text):
        start = m.start()
        if start in scale_words:
            continue
        word_start = start
        while word_start and text[word_start - 1].isalpha():
            word_start -= 1
        prefix = text[word_start:start]
        cls, value = _AR_WORDS_BY_SPELLING[m.group()]
        if prefix not in (_AR_HUNDRED_PREFIXES if cls == "hundred" else _AR_PREFIXES):
            continue
        element = (prefix[:1] == "و", cls, value)
        if runs and last_end <= word_start and text[last_end:word_start].isspace():
            runs[-1][1].append(element)
        else:
            runs.append((0, [element]))
        last_end = m.end()
        runs[-1] = (last_end, runs[-1][1])
    if runs:
        _add_word_runs(runs, text, _AR_PERCENT_AFTER_WORDS, soft)
    return _Side(values, soft)


def _english_values(text: str) -> _Side:
    """Numbers, dates and number words of an English text whose marks are already stripped."""
    values: list[_Value] = []
    soft: Counter = Counter()
    scale_words: set[int] = set()  # starts of scale words after digits: not number words ("5 million")
    for m in _EN_NUMBER.finditer(text):
        start, stop = m.span()
        literal = m["num"]
        scale_words.add(m.start("scale"))  # -1 when there is none
        if len(literal) <= 2 and literal.isdigit() and 1 <= int(literal) <= 31:
            if m["month"]:
                values.append(_Value(("date", int(literal), _EN_MONTHS[m["month"]]), m.group()))
                continue
            if start and not (m["scale"] or m["short"] or m["pct"]):
                month = _EN_MONTH_BEFORE_DAY.search(text, max(0, start - 16), start)
                if month:
                    values.append(_Value(("date", int(literal), _EN_MONTHS[month["month"]]),
                                         text[month.start():stop]))
                    continue
        if m["month"]:
            stop = m.end("num")  # a year before a month name: "2022 June"
        value = _parse_literal(literal)
        if value is None:
            values.append(_Value(("lit", literal.translate(_DIGIT_FOLD)), literal))
            continue
        if stop == m.end("num") and _EN_DECADE.match(text, stop) and literal.endswith("0"):
            soft[("n", value)] += 1  # "the 1990s" is التسعينيات as often as 1990
            continue
        currency = start and (text[start - 1] in _CURRENCY_SIGNS
                              or text[start - 1] == " " and start > 1 and text[start - 2] in _CURRENCY_SIGNS)
        if m["scale"]:
            value *= _EN_SCALES[m["scale"].lower()]
        elif m["short"] and currency:
            value *= _EN_SHORT_SCALES[m["short"].lower()]
        if currency:
            start -= 1 if text[start - 1] != " " else 2
        values.append(_Value(("pct" if m["pct"] else "n", value), text[start:stop].rstrip()))

    low = text.lower()
    if len(low) != len(text):  # a few non-ASCII letters lower-case to two characters
        low = text.translate({c: c + 32 for c in range(65, 91)})
    runs: list[tuple[int, list[tuple[bool, str, int]]]] = []
    last_end = -1
    for m in _EN_NUMBER_WORD.finditer(low):
        start = m.start()
        if start in scale_words or start and low[start - 1] in "'’":
            continue
        cls, number = _EN_WORDS[m.group()]
        gap = _EN_WORD_GAP.fullmatch(low, last_end, start) if runs and last_end <= start else None
        if gap:
            runs[-1][1].append(("and" in gap.group(), cls, number))
        else:
            runs.append((0, [(False, cls, number)]))
        last_end = m.end()
        runs[-1] = (last_end, runs[-1][1])
    if runs:
        _add_word_runs(runs, low, _EN_PERCENT_AFTER_WORDS, soft)
    return _Side(values, soft)


# --- comparing -------------------------------------------------------------------

def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _describe(key: tuple, surface: str = "") -> str:
    """A value as an English reader would write it: 28.2 billion, 25,000, 10.2%, 9 November, 2022."""
    kind = key[0]
    if kind == "date":
        return f"{key[1]} {_EN_MONTH_NAMES[key[2] - 1]}"
    if kind == "lit":
        return key[1]
    value: Decimal = key[1]
    if kind == "pct":
        return _plain(value) + "%"
    for scale, word in ((_TRILLION, "trillion"), (_BILLION, "billion"), (_MILLION, "million")):
        if value >= scale:
            return f"{_plain(value / scale)} {word}"
    if value == value.to_integral_value() and (value >= 10_000 or value >= 1000 and not surface.isdigit()):
        return f"{int(value):,}"  # not years: 2022 stays 2022 unless written 2,022 or 2 ألف
    return _plain(value)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _where(item: _Value, side: str) -> str:
    """"in the Arabic (٢٨٫٢ مليار)", leaving out the surface when it reads like the description."""
    if item.surface == _describe(item.key, item.surface):
        return f"in the {side}"
    return f"in the {side} ({item.surface})"


def _take(leftover: list[_Value], key: tuple) -> bool:
    for i, item in enumerate(leftover):
        if item.key == key:
            del leftover[i]
            return True
    return False


def _numbers(ar: _Side, en: _Side) -> list[Finding]:
    if not ar.values and not en.values:
        return []
    ar_counts = Counter(v.key for v in ar.values)
    en_counts = Counter(v.key for v in en.values)
    if ar_counts == en_counts:
        return []
    common = ar_counts & en_counts

    def leftover(values: list[_Value]) -> list[_Value]:
        budget, rest = Counter(common), []
        for v in values:
            if budget[v.key]:
                budget[v.key] -= 1
            else:
                rest.append(v)
        return rest

    ar_left, en_left = leftover(ar.values), leftover(en.values)

    # A date may be written as bare numbers on the other side (10/6, "on the 10th").
    for mine, theirs, their_soft in ((ar_left, en_left, en.soft), (en_left, ar_left, ar.soft)):
        for item in [v for v in mine if v.key[0] == "date"]:
            day, month = ("n", Decimal(item.key[1])), ("n", Decimal(item.key[2]))
            if _take(theirs, day):
                _take(theirs, month)
                mine.remove(item)
            elif their_soft[day]:
                their_soft[day] -= 1
                mine.remove(item)
    # Number words excuse digits on the other side.
    for mine, their_soft in ((ar_left, en.soft), (en_left, ar.soft)):
        for item in list(mine):
            if their_soft[item.key]:
                their_soft[item.key] -= 1
                mine.remove(item)

    findings: list[Finding] = []
    reported: set[tuple] = set()
    # A percentage on one side that is a bare number on the other.
    for item in list(ar_left):
        if item.key[0] == "pct":
            for other in en_left:
                if other.key == ("n", item.key[1]):
                    findings.append(_finding(
                        "numbers", f"{_describe(item.key, item.surface)} {_where(item, 'Arabic')} appears in the "
                                   f"English without a percent sign ({other.surface})"))
                    ar_left.remove(item)
                    en_left.remove(other)
                    break
    for item in list(en_left):
        if item.key[0] == "pct":
            for other in ar_left:
                if other.key == ("n", item.key[1]):
                    findings.append(_finding(
                        "numbers", f"{_describe(item.key, item.surface)} {_where(item, 'English')} is a bare "
                                   f"number in the Arabic ({other.surface})"))
                    en_left.remove(item)
                    ar_left.remove(other)
                    break

    for items, counts, other_counts, side, other_side in (
        (ar_left, ar_counts, en_counts, "Arabic", "English"),
        (en_left, en_counts, ar_counts, "English", "Arabic"),
    ):
        for item in items:
            if item.key in reported:
                continue
            reported.add(item.key)
            what = _describe(item.key, item.surface)
            where = _where(item, side)
            if other_counts[item.key]:
                message = (f"{what} appears {_times(counts[item.key])} in the {side} but "
                           f"{_times(other_counts[item.key])} in the {other_side}")
            elif side == "Arabic":
                message = f"{what} {where} is missing from the English"
            else:
                message = f"{what} {where} is not in the Arabic"
            findings.append(_finding("numbers", message))
    return findings


# --- the other checks --------------------------------------------------------------

_AR_LETTER = ("\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08c9"
              "\ufb50-\ufdfb\ufe70-\ufefc")
_AR_MARK = "\u064b-\u065f\u0670\u0640\u06d6-\u06ed\u200c\u200d"
# A passage of Arabic: words, with the spaces, punctuation and digits between them.
_AR_WORD = f"[{_AR_LETTER}][{_AR_LETTER}{_AR_MARK}]*"
_ARABIC_RUN = re.compile(f"{_AR_WORD}(?:[\\s\\d٠-٩٪٫٬%،؛؟.,:;!?'\"“”‘’()«»/-]+{_AR_WORD})*")
_SHOWN_WORDS = 6
_HAS_WORD_CHAR = re.compile(r"[^\W_]")


def _arabic_script(en: str) -> list[Finding]:
    runs = _ARABIC_RUN.findall(en)
    if not runs:
        return []
    shortened = [" ".join(r.split()[:_SHOWN_WORDS]) + ("…" if len(r.split()) > _SHOWN_WORDS else "") for r in runs]
    shown = ", ".join(f"“{r}”" for r in shortened[:3])
    more = f" and {len(runs) - 3} more" if len(runs) > 3 else ""
    return [_finding("arabic_script", f"The English still contains Arabic script: {shown}{more}")]


@lru_cache(maxsize=4096)
def _glossary_pattern(required: str) -> re.Pattern | None:
    """The required form, lower-cased, as a regex for the lower-cased English.

    It starts with a literal (the word boundary before it is checked by the
    caller), so the engine searches for it as fast as str.find.
    """
    words = [w for w in re.split(r"[\s\-]+", required.strip().lower()) if w]
    if not words:
        return None
    body = r"[\s\-]+".join(re.escape(w) for w in words)
    return re.compile(rf"{body}(?:['’]s|s['’]|['’]|e?s)?(?!\w)")


def _contains(low: str, pattern: re.Pattern) -> bool:
    return any(not (m.start() and (low[m.start() - 1].isalnum() or low[m.start() - 1] == "_"))
               for m in pattern.finditer(low))


def _glossary(en: str, hits: tuple[tuple[str, str], ...]) -> list[Finding]:
    findings, seen = [], set()
    low = en.lower()
    if len(low) != len(en):  # a few non-ASCII letters lower-case to two characters
        low = en.translate({c: c + 32 for c in range(65, 91)})
    for ar_form, required in hits:
        if (ar_form, required) in seen:
            continue
        seen.add((ar_form, required))
        pattern = _glossary_pattern(required)
        if pattern is not None and not _contains(low, pattern):
            findings.append(_finding("glossary", f"The glossary renders “{ar_form}” as “{required.strip()}”, "
                                                 f"which the English does not contain"))
    return findings


UNLINKED_NAMED = 5  # names quoted in the one unlinked_entity finding; the rest are counted


def _unlinked(entities: tuple[str, ...]) -> list[Finding]:
    names = list(dict.fromkeys(e.strip() for e in entities if e and e.strip()))
    if not names:
        return []
    if len(names) == 1:
        return [_finding("unlinked_entity", f"The Arabic entity “{names[0]}” has no English link")]
    quoted = "، ".join(f"“{name}”" for name in names[:UNLINKED_NAMED])
    more = f" and {len(names) - UNLINKED_NAMED} more" if len(names) > UNLINKED_NAMED else ""
    return [_finding("unlinked_entity", f"{len(names)} Arabic entities have no English link: {quoted}{more}")]


def _length_ratio(ar: str, en: str, allowed: tuple[float, float]) -> list[Finding]:
    """`ar` and `en` without marks: what is left to count is everything but white space."""
    ar_chars = len("".join(ar.split()))
    if not ar_chars:
        return []
    en_chars = len("".join(en.split()))
    low, high = allowed
    if low * ar_chars - RATIO_SLACK_CHARS <= en_chars <= high * ar_chars + RATIO_SLACK_CHARS:
        return []
    ratio = en_chars / ar_chars
    hint = "is a passage missing?" if ratio < low else "was something added or repeated?"
    return [_finding("length_ratio", f"The English is {ratio:.2f} times as long as the Arabic "
                                     f"(expected {low:g}–{high:g}): {hint}")]


def _inconsistent(en: str, approved: tuple[tuple[str, str, str], ...]) -> list[Finding]:
    here = " ".join(en.casefold().split())
    differing: dict[str, dict[str, list[str]]] = {}  # sentence -> its other English -> where
    for sentence, other, where in approved:
        if " ".join(other.casefold().split()) not in here:
            differing.setdefault(sentence, {}).setdefault(other, []).append(where)
    findings = []
    for sentence, others in differing.items():
        shown = sentence if len(sentence) <= 80 else sentence[:79] + "…"
        renderings = "; ".join(f'as "{other}" in {", ".join(places[:3])}'
                               + (f" and {len(places) - 3} more" if len(places) > 3 else "")
                               for other, places in list(others.items())[:3])
        findings.append(_finding("inconsistent", f'"{shown}" was approved elsewhere with a different English: '
                                                 f"{renderings}"))
    return findings


def check_paragraph(ar: str, en: str | None, context: QAContext = QAContext()) -> list[Finding]:
    """All findings for one Arabic paragraph and its English, errors first."""
    ar = ar or ""
    if en is None or not _HAS_WORD_CHAR.search(en):
        return [_finding("empty", "The English is empty")] + _unlinked(context.unlinked_ar_entities)
    ar, plain_en = _strip_marks(ar), _strip_marks(en)
    findings = _arabic_script(en)
    findings += _numbers(_arabic_values(ar), _english_values(plain_en))
    findings += _glossary(en, context.glossary_hits)
    findings += _unlinked(context.unlinked_ar_entities)
    findings += _inconsistent(en, context.approved_elsewhere)
    findings += _length_ratio(ar, plain_en, context.length_ratio)
    if context.machine_text is not None and en.split() == context.machine_text.split():
        findings.append(_finding("unchanged_mt", "The English is identical to the machine draft"))
    return findings
