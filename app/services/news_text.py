"""Turn a raw Arabic news text file into a cleaned, classified article.

The input is text copied from Arabic news sites, with the residue that comes
with it: a ``Ru En`` language switcher, a date line in Arabic-Indic digits,
blank lines holding a lone no-break space, HTML attribute fragments such as
``=”text-align:justify”>``, markdown images ``![]()``, the ``|`` separators
of a breadcrumb or share bar left at either end of a line (``…الثقافي. |``;
``مصدر | وكالة تسنيم للأنباء |`` becomes ``مصدر: وكالة تسنيم للأنباء``), and
photo/source credits and site footers at the end.

Every non-blank cleaned line is one paragraph (some sites separate paragraphs
with blank lines, others write one per line; blank lines only separate).
Each paragraph gets a ``kind``:

* ``"title"``: the first paragraph (the headline) and also section
  subheadings inside the body.  A subheading is a short line (at most
  12 words) that does not end like a sentence (``. ! ? ؟ :``) or a quote,
  comes right after body text and is followed by body text.  Subheadings
  share the kind of the headline because both are headings a translator
  handles the same way.
* ``"caption"``: the paragraph right after one that carried a markdown
  image; on these sites that is the name and title of the person pictured.
* ``"credit"``: source and photo credits (``المصدر:``, ``مصدر |``,
  ``الصورة:``, ``مصدر الصورة:``, ``تصوير:``, ``المحرر:``), the site footer
  ``مجموعة الرؤية الاستراتيجية ...``, and short lines in the trailing block
  around those credits (site menu leftovers such as ``DIGITAL WORLD``).
* ``"body"``: everything else.

A date line near the top (``١٠ يونيو ٢٠٢٢``) becomes ``published`` and is not
a paragraph; dates mentioned inside body text are never used.  The article
source comes from an ``المصدر:``/``مصدر |`` credit, never from a photo credit.

The module is pure Python and knows nothing of Flask or databases: the
importer's parse workers load this file on its own (see the end).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, NamedTuple

__all__ = [
    "NewsTextParts",
    "ParsedArticle",
    "ParsedParagraph",
    "UnreadableText",
    "parse_arabic_date",
    "parse_news_text",
    "parse_news_text_parts",
    "to_western_digits",
]


@dataclass(frozen=True)
class ParsedParagraph:
    kind: str  # "title" | "body" | "caption" | "credit"
    text: str  # cleaned, NFC


@dataclass(frozen=True)
class ParsedArticle:
    title: str
    published: datetime.date | None
    source: str | None
    paragraphs: tuple[ParsedParagraph, ...]  # reading order; [0] is the title
    notes: tuple[str, ...]  # what the cleaner did, for the person importing


class UnreadableText(ValueError):
    """Raised with a clear, user-facing English reason when a file cannot be imported."""


# --- digits and dates -------------------------------------------------------

_WESTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# Month names as written in Egypt/the Gulf, the Levant and the Maghreb.
# Keys are spelled with hamza-less alef (see _plain_alef) so that both
# أبريل and ابريل, أكتوبر and اكتوبر, آب and اب match.
_MONTHS_BY_NAME = {
    # Egypt and the Gulf
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "اغسطس": 8,
    "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # The Levant and Iraq
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5,
    "حزيران": 6, "تموز": 7, "اب": 8, "ايلول": 9, "تشرين الاول": 10,
    "تشرين الثاني": 11, "كانون الاول": 12,
    # The Maghreb (مارس and سبتمبر-ديسمبر are shared with the first set)
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6,
    "جويلية": 7, "اوت": 8,
}
_PLAIN_ALEF = str.maketrans("أإآٱ", "اااا")

# Longest names first so "كانون الثاني" is not cut short.
_MONTH = "|".join(re.escape(n) for n in sorted(_MONTHS_BY_NAME, key=len, reverse=True))
# "10 يونيو 2022", "10 يونيو/حزيران 2022", "22 فبراير (شباط) 2022", optional
# trailing "م" (ميلادي).  Matched against digit- and alef-normalised text.
_DATE_LINE = re.compile(
    rf"(?P<day>\d{{1,2}}) (?P<month>{_MONTH})"
    rf"(?: ?/ ?(?P<slash>{_MONTH})| ?\( ?(?P<paren>{_MONTH}) ?\))?"
    rf" (?P<year>\d{{4}}) ?م?"
)
# No text longer than this can match _DATE_LINE (digit and alef normalisation keep the length).
_DATE_LINE_MAX_LENGTH = 2 + 1 + 2 * max(map(len, _MONTHS_BY_NAME)) + len(" ( ") + len(" )") + 1 + 4 + 2


def to_western_digits(text: str) -> str:
    """Replace Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits with 0-9."""
    return text.translate(_WESTERN_DIGITS)


def parse_arabic_date(text: str) -> datetime.date | None:
    """Read a string that is only a date such as "١٠ يونيو ٢٠٢٢".

    Returns None when the text is not exactly one date, when two month names
    disagree ("10 يونيو/تموز 2022"), or when the date does not exist
    ("31 فبراير 2022").
    """
    return _date_of_clean_line(_clean_line(text)[0])


def _date_of_clean_line(text: str) -> datetime.date | None:
    if len(text) > _DATE_LINE_MAX_LENGTH:  # most lines: not worth translating digits and alefs
        return None
    match = _DATE_LINE.fullmatch(to_western_digits(text).translate(_PLAIN_ALEF))
    if match is None:
        return None
    month = _MONTHS_BY_NAME[match["month"]]
    other = match["slash"] or match["paren"]
    if other is not None and _MONTHS_BY_NAME[other] != month:
        return None
    try:
        return datetime.date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        return None


# --- line cleaning ----------------------------------------------------------

_QUOTE = "\"'“”‘’"
# HTML left behind by copy/paste: whole tags (<p ...>, </p>, <br/>) and
# attribute tails whose tag start was cut off (=”text-align:justify”>,
# style="color:red">, class="a" style="b">).
_HTML_RESIDUE = re.compile(
    r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"
    rf"|(?:[A-Za-z][\w:-]*\s*)?=\s*[{_QUOTE}][^{_QUOTE}<>]*[{_QUOTE}]"
    rf"(?:\s*[A-Za-z][\w:-]*\s*=\s*[{_QUOTE}][^{_QUOTE}<>]*[{_QUOTE}])*\s*/?>",
    re.ASCII,
)
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# No-break space and the other Unicode space separators (category Zs), plus
# tab/form feed/vertical tab, all become a plain space.
_ODD_SPACE = re.compile("[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN = re.compile(" {2,}")
# The separators of a site's breadcrumb or share bar left at either end of a line:
# "…الثقافي. |", "| مصدر". A "|" inside a line is text and stays.
_SEPARATORS = ("|", "¦", "｜")
_EDGE_SEPARATORS = re.compile(r"^[|¦｜](?:[ |¦｜]*[|¦｜])?|[|¦｜](?:[ |¦｜]*[|¦｜])?$")


def _remove_residue(line: str) -> tuple[str, int, int]:
    """The line without HTML residue and markdown images, and how many of each were removed.

    Removing some may join what was around it into residue again ("<<p>p>", "!![]()[]()"), so this
    repeats until none is left.
    """
    html = images = 0
    while True:
        line, tags = _HTML_RESIDUE.subn("", line)
        line, markers = _MARKDOWN_IMAGE.subn("", line)
        if not tags + markers:
            return line, html, images
        html += tags
        images += markers


def _clean_line(line: str) -> tuple[str, int, int, int, int, bool, int]:
    """Strip residue from one line and return it NFC-normalised.

    Returns the line and what cleaning did, for the notes: HTML residues,
    image markers, zero-width no-break spaces and odd spaces removed,
    whether NFC normalisation changed the line, and the separators ("|")
    removed from its ends.
    """
    html = images = bom_chars = 0
    # Spaces first, so that a no-break space or a zero-width one inside a tag does not hide the tag.
    if "\ufeff" in line:
        bom_chars = line.count("\ufeff")
        line = line.replace("\ufeff", "")
    line, odd_spaces = _ODD_SPACE.subn(" ", line)
    # The substring test skips the regexes on the (many) lines without residue.
    if "=" in line or "<" in line or "![" in line:
        line, html, images = _remove_residue(line)
    if "  " in line:
        line = _SPACE_RUN.sub(" ", line)
    line = line.strip()
    separators = 0
    if line.startswith(_SEPARATORS) or line.endswith(_SEPARATORS):
        separators = sum(len(m.group()) - m.group().count(" ") for m in _EDGE_SEPARATORS.finditer(line))
        line = _EDGE_SEPARATORS.sub("", line).strip()
    normalised = unicodedata.normalize("NFC", line)
    return normalised, html, images, bom_chars, odd_spaces, normalised != line, separators


# --- decoding ---------------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"
# C0 control bytes other than tab, newline, carriage return and form feed.
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r\f")
_MAX_CONTROL_SHARE = 0.05  # above this share of C0 control bytes it is not text
# Below that share they are strays, removed: no user text may carry them (services/user_text.py). Vertical
# tab and form feed are spaces and line breaks here, U+FFFE and U+FFFF no characters at all.
_STRAY_CONTROLS = re.compile("[\x01-\x08\x0e-\x1f\ufffe\uffff]")
_ARABIC_LETTER = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
)


def _format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _decode(raw: bytes, max_bytes: int) -> tuple[str, list[str]]:
    """Check that raw is importable text and decode it, or raise UnreadableText."""
    if len(raw) > max_bytes:
        size, limit = _format_size(len(raw)), _format_size(max_bytes)
        if size == limit:  # e.g. 2 MB + 1 byte: show why it is over
            size, limit = f"{len(raw):,} bytes", f"{max_bytes:,} bytes"
        raise UnreadableText(f"file is larger than {limit} (it is {size})")
    if not raw:
        raise UnreadableText("file is empty")
    if b"\x00" in raw:
        raise UnreadableText("file looks binary (contains NUL bytes)")
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))  # counted in C, not per byte in Python
    if controls > _MAX_CONTROL_SHARE * len(raw):
        raise UnreadableText(
            f"file looks binary ({controls} of {len(raw)} bytes are control characters)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableText(
            f"file is not valid UTF-8 text (invalid byte at offset {exc.start})"
        ) from None

    notes = []
    if raw.startswith(_UTF8_BOM):
        text = text[1:]
        notes.append("removed UTF-8 byte order mark")
    if not text.replace("\ufeff", "").strip():
        raise UnreadableText("file is empty (it contains only whitespace)")
    if not _ARABIC_LETTER.search(text):
        raise UnreadableText("file contains no Arabic text")
    if "\r\n" in text:
        notes.append("converted Windows (CRLF) line endings")
    elif "\r" in text:
        notes.append("converted old Mac (CR) line endings")
    text, controls = _STRAY_CONTROLS.subn("", text)
    if controls:
        notes.append(f"removed {_plural(controls, 'control character')}")
    return text, notes


# --- classification ---------------------------------------------------------

_LANGUAGE_SWITCHER = re.compile(r"[A-Za-z]{2}(?:[ |/]+[A-Za-z]{2})*")
_DATE_LINE_WINDOW = 5  # the date line must be among the first 5 non-blank lines

# "المصدر: تاس", "مصدر | وكالة تسنيم للأنباء |", "الصورة: ...", "تصوير: ...".
_CREDIT = re.compile(
    r"(?P<label>مصدر الصورة|المصدر|مصدر|الصورة|صورة|تصوير|المحرر) ?(?P<separator>[:|])(?P<value>.*)"
)
_SOURCE_LABELS = frozenset({"المصدر", "مصدر"})
# The footer of the "Russia - Islamic World" group site, in both spellings
# seen: الاستراتيجية and الإستراتيجة.
_SITE_FOOTER = re.compile(r"مجموعة الرؤية ال[اإ]ستراتيجي?ة")

_SENTENCE_END = (".", "!", "?", "؟", ":", "…")
_QUOTE_END = tuple(_QUOTE + "»")
_SUBHEADING_MAX_WORDS = 12
_FOOTER_MAX_WORDS = 6


_WORD = re.compile(r"\S*[^\W_]\S*")  # a whitespace-separated token with a letter or digit


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _ends_like_sentence(text: str) -> bool:
    return text.endswith(_SENTENCE_END) or text.endswith(_QUOTE_END)


def _is_short_line(text: str, max_words: int) -> bool:
    """Short and without final punctuation: a heading, caption or footer item."""
    if _ends_like_sentence(text):
        return False
    # Cheap bound first: there are never more words than whitespace-separated tokens.
    return text.count(" ") < max_words or _word_count(text) <= max_words


def _is_credit_line(text: str) -> bool:
    return bool(_CREDIT.match(text) or _SITE_FOOTER.match(text))


def _trailing_credit_start(texts: list[str]) -> int:
    """Index where the trailing credit block starts (len(texts) if none).

    The block is the run at the end made of credit lines and short footer
    items, starting at its first credit line (plus one short line directly
    before it).  Short lines are only credits when a credit line vouches for
    them, so a short closing sentence of the article stays body.
    """
    start = len(texts)
    while start > 1 and (
        _is_credit_line(texts[start - 1]) or _is_short_line(texts[start - 1], _FOOTER_MAX_WORDS)
    ):
        start -= 1
    credits = [i for i in range(start, len(texts)) if _is_credit_line(texts[i])]
    if not credits:
        return len(texts)
    return credits[0] - 1 if credits[0] > start else credits[0]


def _classify(texts: list[str], had_image: list[bool]) -> list[str]:
    """Give each paragraph its kind (see the module docstring for the rules)."""
    footer_start = _trailing_credit_start(texts)
    kinds = ["body"] * len(texts)
    kinds[0] = "title"
    for i in range(1, len(texts)):
        if i >= footer_start or _is_credit_line(texts[i]):
            kinds[i] = "credit"
        elif had_image[i - 1]:
            kinds[i] = "caption"
    for i in range(1, len(texts) - 1):
        if (
            kinds[i] == "body"
            and kinds[i - 1] in ("body", "caption")
            and kinds[i + 1] == "body"
            and _is_short_line(texts[i], _SUBHEADING_MAX_WORDS)
            and not _is_short_line(texts[i + 1], _SUBHEADING_MAX_WORDS)
        ):
            kinds[i] = "title"
    return kinds


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF (only those: str.splitlines also splits on form feeds and U+2028)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


class NewsTextParts(NamedTuple):
    """What `parse_news_text` finds, as plain lists: cheap to build and to send between processes."""

    title: str
    published: datetime.date | None
    source: str | None
    kinds: list[str]  # per paragraph, reading order; kinds[0] == "title"
    texts: list[str]  # cleaned, NFC; texts[0] is the title
    notes: list[str]

    def article(self) -> ParsedArticle:
        return ParsedArticle(
            title=self.title,
            published=self.published,
            source=self.source,
            paragraphs=tuple(ParsedParagraph(kind, text) for kind, text in zip(self.kinds, self.texts)),
            notes=tuple(self.notes),
        )


def parse_news_text(raw: bytes, *, max_bytes: int = 2 * 1024 * 1024) -> ParsedArticle:
    """Clean and classify one news article file.

    Raises UnreadableText (with a reason fit to show the user) when the
    bytes are too large, binary, not UTF-8, empty, or contain no Arabic.
    """
    return parse_news_text_parts(raw, max_bytes=max_bytes).article()


def parse_news_text_parts(raw: bytes, *, max_bytes: int = 2 * 1024 * 1024) -> NewsTextParts:
    """`parse_news_text` without building a ParsedParagraph per paragraph (the importer's hot path)."""
    text, notes = _decode(raw, max_bytes)

    texts: list[str] = []  # the non-blank cleaned lines
    numbers: list[int] = []  # their 1-based line numbers in the file, for notes
    had_image: list[bool] = []
    html = images = odd_spaces = bom_chars = separators = 0
    emptied_lines = nfc_lines = 0
    for number, raw_line in enumerate(_split_lines(text), start=1):
        if not raw_line or raw_line.isspace():  # blank, or a lone no-break space
            if raw_line:
                emptied_lines += 1
                odd_spaces += len(_ODD_SPACE.findall(raw_line))
            continue
        cleaned, line_html, line_images, line_bom, line_odd, nfc_changed, line_separators = _clean_line(raw_line)
        separators += line_separators
        html += line_html
        images += line_images
        odd_spaces += line_odd
        bom_chars += line_bom
        if cleaned:
            nfc_lines += nfc_changed
            texts.append(cleaned)
            numbers.append(number)
            had_image.append(line_images > 0)
        else:  # e.g. a line of residue only
            emptied_lines += 1

    date_window = _DATE_LINE_WINDOW
    if texts and _LANGUAGE_SWITCHER.fullmatch(texts[0]):
        notes.append(f"removed language switcher line {texts[0]!r}")
        del texts[0], numbers[0], had_image[0]
        date_window -= 1

    published = None
    for index in range(min(date_window, len(texts))):
        published = parse_arabic_date(texts[index])
        if published is not None:
            notes.append(f"date {published.isoformat()} taken from line {numbers[index]}")
            del texts[index], numbers[index], had_image[index]
            break

    if not texts:
        raise UnreadableText("file contains no article text after cleaning")

    kinds = _classify(texts, had_image)

    source = None
    for index, kind in enumerate(kinds):
        if kind != "credit":
            continue
        match = _CREDIT.match(texts[index])
        if match and match["separator"] == "|":  # "مصدر | وكالة تسنيم للأنباء": a menu's separator
            texts[index] = f"{match['label']}: {match['value'].strip()}"
            separators += 1
        if match and match["label"] in _SOURCE_LABELS:
            source = match["value"].strip(" |") or None
            if source:
                notes.append(f"source {source!r} taken from line {numbers[index]}")
                break

    if html:
        notes.append(f"removed {_plural(html, 'HTML residue')}")
    if separators:
        notes.append(f"removed {_plural(separators, 'web separator')} (|)")
    if images:
        notes.append(f"removed {_plural(images, 'image marker')}")
    if odd_spaces:
        notes.append(f"replaced {_plural(odd_spaces, 'no-break or unusual space')}")
    if bom_chars:
        notes.append(f"removed {_plural(bom_chars, 'zero-width no-break space')}")
    if emptied_lines:
        notes.append(
            f"ignored {_plural(emptied_lines, 'line')} holding only spaces or residue"
        )
    if nfc_lines:
        notes.append(f"normalised {_plural(nfc_lines, 'line')} to Unicode NFC")
    for kind, label in (
        ("caption", "photo caption"),
        ("credit", "credit line"),
    ):
        if count := kinds.count(kind):
            notes.append(f"marked {_plural(count, label)}")
    if subheadings := kinds.count("title") - 1:
        notes.append(f"marked {_plural(subheadings, 'section subheading')}")

    return NewsTextParts(texts[0], published, source, kinds, texts, notes)


# --- for the importer's parse workers ---------------------------------------
# The importer parses in worker processes that load this file on its own,
# without the application (`importing._ParsePool`): starting one then takes a
# tenth of a second instead of half a second. These functions take and return
# plain values only, so that nothing needs the application to be unpickled.


def prepare_bytes(raw: bytes, max_bytes: int) -> tuple[str, tuple | None, str | None]:
    """(SHA-256 of raw, NewsTextParts as a plain tuple or None, the refusal or None)."""
    checksum = hashlib.sha256(raw).hexdigest()
    try:
        return checksum, tuple(parse_news_text_parts(raw, max_bytes=max_bytes)), None
    except UnreadableText as refusal:
        return checksum, None, str(refusal)


def prepare_path(path: str, max_bytes: int) -> tuple[bytes, str, tuple | None, str | None]:
    """Read and prepare a file: (raw, checksum, parts, refusal); raw and checksum are empty if unread."""
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > max_bytes:  # do not read a huge file only to refuse it
                return b"", "", None, f"file is larger than the limit ({size:,} > {max_bytes:,} bytes)"
            raw = stream.read()
    except OSError as error:
        return b"", "", None, f"cannot read file: {error.strerror or error}"
    return (raw, *prepare_bytes(raw, max_bytes))


_PREPARE: dict[str, Callable[..., tuple]] = {"bytes": prepare_bytes, "path": prepare_path}


def prepare_for_import(task: str, argument_tuples: list[tuple]) -> list[tuple]:
    """`prepare_bytes` or `prepare_path` (as `task` says) of each argument tuple: one parse worker's job."""
    prepare = _PREPARE[task]
    return [prepare(*arguments) for arguments in argument_tuples]
