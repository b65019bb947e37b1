"""The export formats: each writer turns chunks of records (corpus.py) into bytes, per output file.

A writer has `sides`: one file ("") or several ("ar", "en", …: Moses and
CoNLL write line-aligned files per language). `begin`, `write` and `end`
return {side: bytes}, so the same writer serves a file on disk, stdout and an
HTTP stream without holding the corpus in memory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Iterator

import orjson

from .. import gc_paused
from .conll import DOCSTART, WordCuts, conll_block
from .corpus import PARTS, Counts, Selection, iter_record_chunks

# Characters XML 1.0 cannot hold (C0 controls but tab, LF, CR; surrogates; U+FFFE/U+FFFF).
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What XML text needs changed: markup characters, or characters XML cannot hold.
NEEDS_ESCAPING = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Whatever a line-based reader may take for the end of a line.
LINE_BREAKS = re.compile("[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]")


@dataclass
class ExportReport:
    """What an export wrote and what it had to change on the way."""

    format: str
    paragraphs: int = 0
    entities: int | None = 0  # None: the format holds no entities (links: no links)
    links: int | None = 0
    files: list[str] = field(default_factory=list)
    # Paragraphs whose text had characters XML cannot hold: removed from the XML, kept in JSONL.
    cleaned_for_xml: set[int] = field(default_factory=set)
    # Paragraphs whose text had line breaks: written as spaces in line-based files.
    line_breaks_replaced: set[int] = field(default_factory=set)
    # Entities left out of CoNLL because they overlap another (IOB2 cannot show both).
    overlapping_entities_dropped: int = 0

    def add(self, other: ExportReport) -> None:
        """What `other` wrote (the second half of an export written by two processes) added to this."""
        self.paragraphs += other.paragraphs
        self.entities = None if self.entities is None or other.entities is None else self.entities + other.entities
        self.links = None if self.links is None or other.links is None else self.links + other.links
        self.cleaned_for_xml |= other.cleaned_for_xml
        self.line_breaks_replaced |= other.line_breaks_replaced
        self.overlapping_entities_dropped += other.overlapping_entities_dropped

    def warnings(self) -> list[str]:
        notes = []
        if self.cleaned_for_xml:
            notes.append(
                f"Removed characters that XML cannot hold (control characters) from {len(self.cleaned_for_xml)} "
                f"paragraph(s): {_ids(self.cleaned_for_xml)}. The JSONL export keeps them."
            )
        if self.line_breaks_replaced:
            notes.append(
                f"Wrote line breaks inside {len(self.line_breaks_replaced)} paragraph(s) as spaces to keep "
                f"the files line-aligned: {_ids(self.line_breaks_replaced)}."
            )
        if self.overlapping_entities_dropped:
            notes.append(
                f"Left out {self.overlapping_entities_dropped} overlapping entit(y/ies): IOB2 shows one entity "
                "per token (the JSONL export keeps them all)."
            )
        return notes


def _ids(ids: set[int], shown: int = 20) -> str:
    ordered = sorted(ids)
    text = ", ".join(str(i) for i in ordered[:shown])
    return text + (f" and {len(ordered) - shown} more" if len(ordered) > shown else "")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return (_text(value).replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def _tmx_date(iso: str) -> str:
    """2026-12-02T03:20:00Z → 20261202T032000Z (TMX's ASCII date form)."""
    return iso.replace("-", "").replace(":", "")


class Writer:
    sides: tuple[str, ...] = ("",)
    # A file of the first half of the paragraphs followed by a file of the second half is the file
    # of all: no header or footer, nothing carried from one paragraph to the next (helper.py).
    halves_concatenate = False
    needs = PARTS  # the record parts it writes (corpus.PARTS)
    media_type = "text/plain; charset=utf-8"
    suffixes: dict[str, str] = {"": ""}

    def __init__(self, report: ExportReport, *, split_clitics: bool = False, sides: tuple[str, ...] | None = None):
        self.report = report
        self.split_clitics = split_clitics
        self.wanted = sides or self.sides  # a download is one side: the others are not written at all

    def prepare(self, connection, selection: Selection) -> None:
        """Read what the writer needs to know of the whole selection before its first record (the selection
        without `article_range`: both halves of a two-process export prepare alike from the same snapshot)."""

    def begin(self) -> dict[str, bytes]:
        return {}

    def write(self, records: list[dict]) -> dict[str, bytes]:
        raise NotImplementedError

    def end(self) -> dict[str, bytes]:
        return {}


class XmlWriter(Writer):
    """Shared by TMX and the XLIFFs: text made safe for XML, changes reported."""

    needs = frozenset({"articles", "approvals", "drafts"})

    def _legal(self, value: str, paragraph_id: int) -> str:
        """`value` without the characters XML cannot hold; the paragraph is reported when any were removed."""
        if NOT_XML.search(value):
            self.report.cleaned_for_xml.add(paragraph_id)
            value = NOT_XML.sub("", value)
        return value

    def xml(self, value: str | None, paragraph_id: int) -> str:
        if value is None:
            return ""
        if not NEEDS_ESCAPING.search(value):
            return value  # most text: nothing to do
        return _text(self._legal(value, paragraph_id))

    def attr(self, value, paragraph_id: int) -> str:
        return _attr(self._legal(str(value), paragraph_id))

    def end_note(self) -> str:
        """An XML comment after the document when text was changed (comments after the root are allowed)."""
        if not self.report.cleaned_for_xml:
            return ""
        return f"<!-- Mizan: {self.report.warnings()[0].replace('--', '-')} -->\n"

    @staticmethod
    def created() -> str:
        return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class JsonlWriter(Writer):
    """One record a line, exactly as in docs/exports.md (UTF-8, not ASCII-escaped)."""

    halves_concatenate = True
    media_type = "application/x-ndjson; charset=utf-8"
    suffixes = {"": ".jsonl"}

    def write(self, records):
        dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        return {"": b"".join([dumps(record, option=option) for record in records])}


class TmxWriter(XmlWriter):
    """TMX 1.4: one <tu> per paragraph, provenance in <prop type="x-mizan-…">."""

    media_type = "application/x-tmx+xml; charset=utf-8"
    suffixes = {"": ".tmx"}

    def begin(self):
        from ... import __version__

        created = self.created()  # empty: no creation date (a release is the same bytes on any day)
        return {"": (
            '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
            f'<header creationtool="Mizan" creationtoolversion="{__version__}" datatype="plaintext" '
            f'segtype="paragraph" adminlang="en" srclang="ar" o-tmf="Mizan"'
            + (f' creationdate="{created}"' if created else "") + "/>\n<body>\n"
        ).encode()}

    def write(self, records):
        out = []
        for r in records:
            pid = r["paragraph_id"]
            changed = ""
            if r["approved_at"]:
                changed = f' changedate="{_tmx_date(r["approved_at"])}"'
                if r["approved_by"]:
                    changed += f' changeid="{self.attr(r["approved_by"], pid)}"'
            out.append(f'<tu tuid="p{pid}" creationdate="{_tmx_date(r["en_created_at"])}"{changed}>\n')
            props = [
                ("x-mizan-paragraph", pid), ("x-mizan-article", r["article_id"]),
                ("x-mizan-position", r["position"]), ("x-mizan-kind", r["kind"]), ("x-mizan-status", r["status"]),
                ("x-mizan-title", r["article"]["title"]),
            ]
            if r["article"]["published"]:
                props.append(("x-mizan-published", r["article"]["published"]))
            if r["article"]["source"]:
                props.append(("x-mizan-source", r["article"]["source"]))
            if r["mt"]:
                props.append(("x-mizan-mt-model", r["mt"]["model_id"]))
            if r["en_origin"] == "tm":  # the English is a translation-memory match saved unchanged
                props.append(("x-mizan-en-origin", "tm"))
            if r["en_author"]:
                props.append(("x-mizan-translator", r["en_author"]))
            props.extend(("x-mizan-reviewer", reviewer["username"]) for reviewer in r["reviewers"])
            if r["approved_by"]:
                props.append(("x-mizan-approved-by", r["approved_by"]))
            out.extend(f'<prop type="{kind}">{self.xml(str(value), pid)}</prop>\n' for kind, value in props)
            author = f' changeid="{self.attr(r["en_author"], pid)}"' if r["en_author"] else ""
            out.append(
                f'<tuv xml:lang="ar"><seg>{self.xml(r["ar"], pid)}</seg></tuv>\n'
                f'<tuv xml:lang="en"{author}><seg>{self.xml(r["en"], pid)}</seg></tuv>\n</tu>\n'
            )
        return {"": "".join(out).encode()}

    def end(self):
        return {"": ("</body>\n</tmx>\n" + self.end_note()).encode()}


class _ArticleFiles(XmlWriter):
    """XLIFF puts each article in its own <file>: opened when the article changes (records come in article order)."""

    def __init__(self, report, **options):
        super().__init__(report, **options)
        self.article_id = None

    document_start = ""  # the XML declaration and <xliff>
    close_file = ""
    empty_file = ""  # what an export without a single article holds, valid by the schema

    def begin(self):
        return {"": self.document_start.encode()}

    def end(self):
        tail = self.empty_file if self.article_id is None else self.close_file
        return {"": (tail + "</xliff>\n" + self.end_note()).encode()}

    def open_file(self, r) -> str:
        raise NotImplementedError

    def write(self, records):
        out = []
        for r in records:
            if r["article_id"] != self.article_id:
                if self.article_id is not None:
                    out.append(self.close_file)
                self.article_id = r["article_id"]
                out.append(self.open_file(r))
            out.append(self.unit(r))
        return {"": "".join(out).encode()}

    def unit(self, r) -> str:
        raise NotImplementedError

    def article_notes(self, r) -> list[tuple[str, str]]:
        article = r["article"]
        notes = [("title", article["title"])]
        notes += [(name, article[name]) for name in ("source", "published") if article[name]]
        notes += [(reviewer["role"].replace("_", "-"), reviewer["username"]) for reviewer in r["reviewers"]]
        return notes

    def unit_notes(self, r) -> list[tuple[str, str]]:
        notes = [("kind", r["kind"]), ("status", r["status"])]
        if r["mt"]:
            notes.append(("mt-model", r["mt"]["model_id"]))
        if r["en_origin"] == "tm":  # the English is a translation-memory match saved unchanged
            notes.append(("en-origin", "tm"))
        if r["en_author"]:
            notes.append(("translator", r["en_author"]))
        if r["approved_by"]:
            notes.append(("approved-by", r["approved_by"]))
        if r["approved_at"]:
            notes.append(("approved-at", r["approved_at"]))
        return notes


# Workflow state → XLIFF segment states.
XLIFF2_STATES = {"draft": "initial", "edited": "translated", "approved": "final"}
XLIFF12_STATES = {"draft": "needs-review-translation", "edited": "translated", "approved": "signed-off"}


class Xliff2Writer(_ArticleFiles):
    """XLIFF 2.0 core: a <file> per article, a <unit> per paragraph, provenance in <notes>."""

    media_type = "application/xliff+xml; charset=utf-8"
    suffixes = {"": ".xlf"}
    document_start = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                      '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="ar" trgLang="en">\n')
    close_file = "</file>\n"
    # XLIFF 2.0 needs a <file> holding a unit or a group: an empty export is one empty group.
    empty_file = '<file id="empty"><group id="empty"/></file>\n'

    def _notes(self, notes, pid) -> str:
        return "<notes>" + "".join(
            f'<note category="{category}">{self.xml(str(value), pid)}</note>' for category, value in notes
        ) + "</notes>\n"

    def open_file(self, r):
        pid = r["paragraph_id"]
        return (f'<file id="a{r["article_id"]}" original="{self.attr(r["article"]["filename"], pid)}" '
                'srcDir="rtl" trgDir="ltr">\n'
                + self._notes(self.article_notes(r), pid))

    def unit(self, r):
        pid = r["paragraph_id"]
        return (
            f'<unit id="p{pid}" name="p{pid}">\n' + self._notes(self.unit_notes(r), pid)
            + f'<segment id="s{pid}" state="{XLIFF2_STATES[r["status"]]}">'
            f'<source xml:space="preserve">{self.xml(r["ar"], pid)}</source>'
            f'<target xml:space="preserve">{self.xml(r["en"], pid)}</target></segment>\n</unit>\n'
        )



class Xliff12Writer(_ArticleFiles):
    """XLIFF 1.2: a <file> per article, <trans-unit> per paragraph, the machine draft as <alt-trans>."""

    media_type = "application/x-xliff+xml; charset=utf-8"
    suffixes = {"": ".xliff"}
    document_start = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                      '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n')
    close_file = "</body>\n</file>\n"
    empty_file = ('<file original="empty" source-language="ar" target-language="en" datatype="plaintext">'
                  "<body/></file>\n")

    def _notes(self, notes, pid) -> str:
        """Notes written by Mizan (`from` names a note's author), each `category: value`."""
        return "".join(f'<note from="mizan">{category}: {self.xml(str(value), pid)}</note>' for category, value in notes)

    def _contexts(self, r) -> str:
        """Where the unit comes from, in context groups: a location (`a<article>/p<paragraph>/<kind>`, which
        translate-toolkit's xliff2po keeps as the PO unit's `#:` reference) and the same ids as information."""
        pid = r["paragraph_id"]
        information = "".join(
            f'<context context-type="x-mizan-{name}">{value}</context>'
            for name, value in (("paragraph", pid), ("article", r["article_id"]), ("position", r["position"]),
                                ("kind", r["kind"]))
        )
        # A context group's name is unique in its <file>.
        return (f'<context-group name="p{pid}-location" purpose="location"><context context-type="sourcefile">'
                f'a{r["article_id"]}/p{pid}/{r["kind"]}</context></context-group>'
                f'<context-group name="p{pid}-information" purpose="information">{information}</context-group>')

    def open_file(self, r):
        pid = r["paragraph_id"]
        return (
            f'<file original="{self.attr(r["article"]["filename"], pid)}" source-language="ar" '
            f'target-language="en" datatype="plaintext" product-name="Mizan" '
            f'category="article-{r["article_id"]}">\n'
            f'<header><tool tool-id="mizan" tool-name="Mizan"/>{self._notes(self.article_notes(r), pid)}</header>\n'
            "<body>\n"
        )

    def unit(self, r):
        pid = r["paragraph_id"]
        approved = ' approved="yes"' if r["status"] == "approved" else ""
        draft = ""
        if r["mt"]:
            draft = (f'<alt-trans origin="{self.attr(r["mt"]["model_id"] or "machine", pid)}" '
                     f'alttranstype="proposal"><target xml:lang="en">{self.xml(r["mt"]["text"], pid)}</target>'
                     "</alt-trans>")
        return (
            f'<trans-unit id="p{pid}" resname="p{pid}"{approved} xml:space="preserve">\n'
            f'<source xml:lang="ar">{self.xml(r["ar"], pid)}</source>\n'
            f'<target xml:lang="en" state="{XLIFF12_STATES[r["status"]]}">{self.xml(r["en"], pid)}</target>\n'
            f"{self._contexts(r)}\n{self._notes(self.unit_notes(r), pid)}{draft}\n</trans-unit>\n"
        )



class MosesWriter(Writer):
    """Line-aligned plain text: Arabic, approved English, and the machine draft (empty line when none)."""

    halves_concatenate = True
    sides = ("ar", "en", "mt")
    suffixes = {"ar": ".ar", "en": ".en", "mt": ".mt"}
    needs = frozenset({"approvals", "drafts"})

    def __init__(self, report: ExportReport, **options):
        super().__init__(report, **options)
        if "mt" not in self.wanted:
            self.needs = frozenset()  # the machine draft is the only part beyond the paragraph's own texts

    def line(self, value: str | None, paragraph_id: int) -> str:
        if value is None:
            return "\n"
        if LINE_BREAKS.search(value):
            self.report.line_breaks_replaced.add(paragraph_id)
            value = LINE_BREAKS.sub(" ", value)
        return value + "\n"

    def write(self, records):
        out = {}
        if "ar" in self.wanted:
            out["ar"] = "".join([self.line(r["ar"], r["paragraph_id"]) for r in records]).encode()
        if "en" in self.wanted:
            out["en"] = "".join([self.line(r["en"], r["paragraph_id"]) for r in records]).encode()
        if "mt" in self.wanted:
            out["mt"] = "".join([self.line(r["mt"]["text"] if r["mt"] else None, r["paragraph_id"])
                                 for r in records]).encode()
        return out


class ConllWriter(Writer):
    """IOB2, `token<TAB>tag`, a blank line after each paragraph, `-DOCSTART- -X- O O` before each article;
    one file per language, same paragraph order. A word form is cut into tokens the same way in every
    paragraph (conll.WordCuts): `prepare` (or `learn`) collects the cuts from every paragraph first."""

    halves_concatenate = True  # each half starts with an article, so with its DOCSTART line
    sides = ("ar", "en")
    suffixes = {"ar": ".ar.conll", "en": ".en.conll"}
    needs = frozenset({"entities"})

    def __init__(self, report: ExportReport, **options):
        super().__init__(report, **options)
        self.cuts: dict[str, WordCuts] = {side: WordCuts() for side in self.wanted}
        self.article_id: int | None = None

    def learn(self, records: list[dict]) -> None:
        """Collect the word cuts of these records (all of them before the first is written)."""
        for side, cuts in self.cuts.items():
            cuts.learn_records(records, side)

    def prepare(self, connection, selection):
        whole = replace(selection, article_range=(None, None))
        for records in iter_record_chunks(connection, whole, Counts(), self.needs):
            self.learn(records)

    def write(self, records):
        out: dict[str, list[str]] = {side: [] for side in self.wanted}
        dropped = 0
        for r in records:
            new_article = r["article_id"] != self.article_id
            self.article_id = r["article_id"]
            for side, blocks in out.items():
                if new_article:
                    blocks.append(DOCSTART)
                block, lost = conll_block(r[side], r["entities"][side], self.split_clitics, self.cuts[side])
                blocks.append(block)
                dropped += lost
        self.report.overlapping_entities_dropped += dropped
        return {side: "".join(blocks).encode() for side, blocks in out.items()}


WRITERS: dict[str, type[Writer]] = {
    "tmx": TmxWriter,
    "xliff2": Xliff2Writer,
    "xliff12": Xliff12Writer,
    "jsonl": JsonlWriter,
    "conll": ConllWriter,
    "moses": MosesWriter,
}


def render(fmt: str, selection: Selection, report: ExportReport, connection, split_clitics: bool = False,
           progress: Callable[[int], None] | None = None,
           sides: tuple[str, ...] | None = None) -> Iterator[dict[str, bytes]]:
    """The export of `selection` (checked) in `fmt`, as {side: bytes} chunks (of `sides`, default all);
    the counts go into `report`."""
    writer = WRITERS[fmt](report, split_clitics=split_clitics, sides=sides)
    counts = Counts()
    writer.prepare(connection, selection)
    yield writer.begin()
    chunks = iter_record_chunks(connection, selection, counts, writer.needs)
    while True:
        # No garbage collection while a chunk is read, built and written: its rows and records are freed
        # by reference counting, and a collection meanwhile would walk them, and now and then the whole
        # heap, for nothing. Collections may run again between chunks (while a stream waits on its reader).
        with gc_paused():
            records = next(chunks, None)
            if records is None:
                break
            written, exported = writer.write(records), len(records)
            del records
        yield written
        if progress:
            progress(exported)
    yield writer.end()
    report.paragraphs = counts.paragraphs
    report.entities = counts.entities if "entities" in writer.needs else None
    report.links = counts.links if "links" in writer.needs else None


@dataclass(frozen=True)
class File:
    """One file of an export: a format and, for the two-file formats, a side."""

    format: str
    side: str = ""
    split_clitics: bool = False

    def chunks(self, selection: Selection, report: ExportReport, connection) -> Iterator[bytes]:
        for parts in render(self.format, selection, report, connection, self.split_clitics, sides=(self.side,)):
            if parts.get(self.side):
                yield parts[self.side]
