"""The export writers' documented rules (docs/exports.md), one record at a time, without a database.

Each test builds the records a corpus user's export would hold and checks the bytes a writer gives for
them: the TMX, XLIFF 2.0 and 1.2 documents of one small corpus written out in full, Moses' line
handling, CoNLL's tokens and IOB2 tags, the removal of characters XML cannot hold and its report.
Expected values are written out here, never read from the writers' own tables.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import orjson
import pytest

import app as mizan
from app.services.export import formats
from app.services.export.corpus import Selection
from app.services.export.conll import DOCSTART, conll_block, non_overlapping, tokens
from app.services.export.formats import (
    ConllWriter,
    ExportReport,
    File,
    JsonlWriter,
    MosesWriter,
    TmxWriter,
    Xliff2Writer,
    Xliff12Writer,
    render,
)
from tests.support.xml_schemas import (
    read_tmx_units,
    read_xliff12_units,
    read_xliff20_units,
    validate_tmx14,
    validate_xliff12,
    validate_xliff20,
)

MODEL = "translate-ar_en@1.0"


def record(paragraph_id=11, article_id=3, **changes) -> dict:
    """A JSONL record (docs/exports.md) of an approved, reviewed title with a machine draft."""
    base = {
        "paragraph_id": paragraph_id, "article_id": article_id, "position": 0, "kind": "title",
        "status": "approved",
        "article": {"title": "Q&A <live>", "source": "تاس", "published": "2022-06-10",
                    "filename": "000_russia.txt", "status": "approved"},
        "ar": "روسيا", "en": "Russia",
        "en_revision_id": 37, "en_origin": "human", "en_author": "amina", "en_created_at": "2026-12-02T03:04:22Z",
        "mt": {"revision_id": 1, "text": "Russia draft", "model_id": MODEL, "engine": "ctranslate2",
               "engine_version": "4.6.0", "created_at": "2026-12-01T10:00:00Z"},
        "reviewers": [{"username": "rami", "role": "reviewer"}, {"username": "sara", "role": "second_reviewer"}],
        "approved_by": "rami", "approved_at": "2026-12-02T03:05:10Z",
        "entities": {"ar": [], "en": []}, "links": [], "qa": [], "effort": None,
    }
    base.update(changes)
    return base


def bare_draft(paragraph_id=12, article_id=3, **changes) -> dict:
    """A machine draft nobody has touched: no author, approval, reviewers, date or source."""
    article = {"title": "Untitled", "source": None, "published": None, "filename": "001_x.txt", "status": "new"}
    return record(paragraph_id, article_id, position=1, kind="body", status="draft", article=article,
                  ar="نص", en="Text", en_author=None, mt=None, reviewers=[], approved_by=None, approved_at=None,
                  **changes)


def export_bytes(writer, *chunks: list[dict]) -> dict[str, bytes]:
    """All a writer writes for these chunks of records, per side."""
    out: dict[str, bytes] = {}
    for parts in [writer.begin(), *(writer.write(chunk) for chunk in chunks), writer.end()]:
        for side, data in parts.items():
            out[side] = out.get(side, b"") + data
    return out


def header_date(document: str) -> tuple[str, str]:
    """The TMX header's creationdate (the export's time, TMX's ASCII form) and the document without it."""
    match = re.search(r' creationdate="(\d{8}T\d{6}Z)"/>', document)
    assert match, document[:400]
    return match.group(1), document.replace(match.group(1), "DATE", 1)


# TMX ---------------------------------------------------------------------------------------------


TMX_TWO_PARAGRAPHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
    f'<header creationtool="Mizan" creationtoolversion="{mizan.__version__}" datatype="plaintext" '
    'segtype="paragraph" adminlang="en" srclang="ar" o-tmf="Mizan" creationdate="DATE"/>\n'
    "<body>\n"
    '<tu tuid="p11" creationdate="20261202T030422Z" changedate="20261202T030510Z" changeid="rami">\n'
    '<prop type="x-mizan-paragraph">11</prop>\n'
    '<prop type="x-mizan-article">3</prop>\n'
    '<prop type="x-mizan-position">0</prop>\n'
    '<prop type="x-mizan-kind">title</prop>\n'
    '<prop type="x-mizan-status">approved</prop>\n'
    '<prop type="x-mizan-title">Q&amp;A &lt;live&gt;</prop>\n'
    '<prop type="x-mizan-published">2022-06-10</prop>\n'
    '<prop type="x-mizan-source">تاس</prop>\n'
    f'<prop type="x-mizan-mt-model">{MODEL}</prop>\n'
    '<prop type="x-mizan-translator">amina</prop>\n'
    '<prop type="x-mizan-reviewer">rami</prop>\n'
    '<prop type="x-mizan-reviewer">sara</prop>\n'
    '<prop type="x-mizan-approved-by">rami</prop>\n'
    '<tuv xml:lang="ar"><seg>روسيا</seg></tuv>\n'
    '<tuv xml:lang="en" changeid="amina"><seg>Russia</seg></tuv>\n'
    "</tu>\n"
    '<tu tuid="p12" creationdate="20261202T030422Z">\n'
    '<prop type="x-mizan-paragraph">12</prop>\n'
    '<prop type="x-mizan-article">3</prop>\n'
    '<prop type="x-mizan-position">1</prop>\n'
    '<prop type="x-mizan-kind">body</prop>\n'
    '<prop type="x-mizan-status">draft</prop>\n'
    '<prop type="x-mizan-title">Untitled</prop>\n'
    '<tuv xml:lang="ar"><seg>نص</seg></tuv>\n'
    '<tuv xml:lang="en"><seg>Text</seg></tuv>\n'
    "</tu>\n"
    "</body>\n</tmx>\n"
)


def test_tmx_document_has_one_tu_per_paragraph_with_provenance_props_in_documented_order(monkeypatch):
    monkeypatch.setenv("TZ", "MZN-3")  # a server three hours ahead of UTC: TMX dates are still UTC
    time.tzset()
    report = ExportReport("tmx")
    document = export_bytes(TmxWriter(report), [record()], [bare_draft()])[""]
    validate_tmx14(document)
    created, rest = header_date(document.decode())
    assert rest == TMX_TWO_PARAGRAPHS
    now = datetime.now(timezone.utc)
    written = datetime.strptime(created, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert now - timedelta(minutes=5) <= written <= now + timedelta(seconds=1)
    assert read_tmx_units(document) == [("روسيا", "Russia"), ("نص", "Text")]
    assert report.cleaned_for_xml == set()
    monkeypatch.undo()
    time.tzset()


def test_tmx_approval_without_a_known_approver_has_a_changedate_only():
    document = export_bytes(TmxWriter(ExportReport("tmx")), [record(approved_by=None)])[""].decode()
    assert '<tu tuid="p11" creationdate="20261202T030422Z" changedate="20261202T030510Z">\n' in document
    assert "x-mizan-approved-by" not in document


def test_tmx_writes_nothing_per_paragraph_for_an_empty_selection():
    writer = TmxWriter(ExportReport("tmx"))
    document = export_bytes(writer, [])[""].decode()
    _, rest = header_date(document)
    assert rest.endswith('creationdate="DATE"/>\n<body>\n</body>\n</tmx>\n')
    validate_tmx14(document.encode())


# XLIFF -------------------------------------------------------------------------------------------


def second_article() -> dict:
    return record(21, 4, article={"title": "Cairo", "source": None, "published": None,
                                  "filename": 'a "quoted" & <odd>\tname.txt', "status": "approved"},
                  status="edited", ar="القاهرة", en="Cairo", reviewers=[], approved_by=None, approved_at=None)


XLIFF2 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="ar" trgLang="en">\n'
    '<file id="a3" original="000_russia.txt" srcDir="rtl" trgDir="ltr">\n'
    '<notes><note category="title">Q&amp;A &lt;live&gt;</note><note category="source">تاس</note>'
    '<note category="published">2022-06-10</note><note category="reviewer">rami</note>'
    '<note category="second-reviewer">sara</note></notes>\n'
    '<unit id="p11" name="p11">\n'
    '<notes><note category="kind">title</note><note category="status">approved</note>'
    f'<note category="mt-model">{MODEL}</note><note category="translator">amina</note>'
    '<note category="approved-by">rami</note><note category="approved-at">2026-12-02T03:05:10Z</note></notes>\n'
    '<segment id="s11" state="final"><source xml:space="preserve">روسيا</source>'
    '<target xml:space="preserve">Russia</target></segment>\n</unit>\n'
    '<unit id="p12" name="p12">\n'
    '<notes><note category="kind">body</note><note category="status">draft</note></notes>\n'
    '<segment id="s12" state="initial"><source xml:space="preserve">نص</source>'
    '<target xml:space="preserve">Text</target></segment>\n</unit>\n'
    "</file>\n"
    '<file id="a4" original="a &quot;quoted&quot; &amp; &lt;odd&gt;&#9;name.txt" srcDir="rtl" trgDir="ltr">\n'
    '<notes><note category="title">Cairo</note></notes>\n'
    '<unit id="p21" name="p21">\n'
    '<notes><note category="kind">title</note><note category="status">edited</note>'
    f'<note category="mt-model">{MODEL}</note><note category="translator">amina</note></notes>\n'
    '<segment id="s21" state="translated"><source xml:space="preserve">القاهرة</source>'
    '<target xml:space="preserve">Cairo</target></segment>\n</unit>\n'
    "</file>\n"
    "</xliff>\n"
)


def test_xliff2_document_has_a_file_per_article_and_the_workflow_state_of_each_segment():
    # The two paragraphs of the first article arrive in two chunks: one <file> still holds both.
    document = export_bytes(Xliff2Writer(ExportReport("xliff2")), [record()], [bare_draft(), second_article()])[""]
    assert document.decode() == XLIFF2
    validate_xliff20(document)
    assert read_xliff20_units(document) == [("روسيا", "Russia"), ("نص", "Text"), ("القاهرة", "Cairo")]


XLIFF12 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
    '<file original="000_russia.txt" source-language="ar" target-language="en" datatype="plaintext" '
    'product-name="Mizan" category="article-3">\n'
    '<header><tool tool-id="mizan" tool-name="Mizan"/><note from="mizan">title: Q&amp;A &lt;live&gt;</note>'
    '<note from="mizan">source: تاس</note><note from="mizan">published: 2022-06-10</note><note from="mizan">reviewer: rami</note>'
    '<note from="mizan">second-reviewer: sara</note></header>\n'
    "<body>\n"
    '<trans-unit id="p11" resname="p11" approved="yes" xml:space="preserve">\n'
    '<source xml:lang="ar">روسيا</source>\n'
    '<target xml:lang="en" state="signed-off">Russia</target>\n'
    '<context-group name="p11-location" purpose="location"><context context-type="sourcefile">a3/p11/title</context></context-group>'
    '<context-group name="p11-information" purpose="information"><context context-type="x-mizan-paragraph">11</context><context context-type="x-mizan-article">3</context>'
    '<context context-type="x-mizan-position">0</context><context context-type="x-mizan-kind">title</context></context-group>\n'
    '<note from="mizan">kind: title</note><note from="mizan">status: approved</note>'
    f'<note from="mizan">mt-model: {MODEL}</note><note from="mizan">translator: amina</note>'
    '<note from="mizan">approved-by: rami</note><note from="mizan">approved-at: 2026-12-02T03:05:10Z</note>'
    f'<alt-trans origin="{MODEL}" alttranstype="proposal"><target xml:lang="en">Russia draft</target></alt-trans>\n'
    "</trans-unit>\n"
    '<trans-unit id="p12" resname="p12" xml:space="preserve">\n'
    '<source xml:lang="ar">نص</source>\n'
    '<target xml:lang="en" state="needs-review-translation">Text</target>\n'
    '<context-group name="p12-location" purpose="location"><context context-type="sourcefile">a3/p12/body</context></context-group>'
    '<context-group name="p12-information" purpose="information"><context context-type="x-mizan-paragraph">12</context><context context-type="x-mizan-article">3</context>'
    '<context context-type="x-mizan-position">1</context><context context-type="x-mizan-kind">body</context></context-group>\n'
    '<note from="mizan">kind: body</note><note from="mizan">status: draft</note>\n'
    "</trans-unit>\n"
    "</body>\n</file>\n"
    '<file original="a &quot;quoted&quot; &amp; &lt;odd&gt;&#9;name.txt" source-language="ar" '
    'target-language="en" datatype="plaintext" product-name="Mizan" category="article-4">\n'
    '<header><tool tool-id="mizan" tool-name="Mizan"/><note from="mizan">title: Cairo</note></header>\n'
    "<body>\n"
    '<trans-unit id="p21" resname="p21" xml:space="preserve">\n'
    '<source xml:lang="ar">القاهرة</source>\n'
    '<target xml:lang="en" state="translated">Cairo</target>\n'
    '<context-group name="p21-location" purpose="location"><context context-type="sourcefile">a4/p21/title</context></context-group>'
    '<context-group name="p21-information" purpose="information"><context context-type="x-mizan-paragraph">21</context><context context-type="x-mizan-article">4</context>'
    '<context context-type="x-mizan-position">0</context><context context-type="x-mizan-kind">title</context></context-group>\n'
    '<note from="mizan">kind: title</note><note from="mizan">status: edited</note>'
    f'<note from="mizan">mt-model: {MODEL}</note><note from="mizan">translator: amina</note>'
    f'<alt-trans origin="{MODEL}" alttranstype="proposal"><target xml:lang="en">Russia draft</target></alt-trans>\n'
    "</trans-unit>\n"
    "</body>\n</file>\n"
    "</xliff>\n"
)


def test_xliff12_document_has_a_file_per_article_states_approval_and_the_draft_as_alt_trans():
    document = export_bytes(Xliff12Writer(ExportReport("xliff12")), [record()], [bare_draft(), second_article()])[""]
    assert document.decode() == XLIFF12
    validate_xliff12(document)
    assert read_xliff12_units(document) == [("روسيا", "Russia"), ("نص", "Text"), ("القاهرة", "Cairo")]


def test_xliff12_draft_of_an_unknown_model_is_proposed_by_the_machine():
    draft = {"revision_id": 1, "text": "A draft", "model_id": None, "engine": None, "engine_version": None,
             "created_at": None}
    document = export_bytes(Xliff12Writer(ExportReport("xliff12")), [record(mt=draft)])[""]
    assert b'<alt-trans origin="machine" alttranstype="proposal">' in document
    validate_xliff12(document)


def test_empty_xliff_exports_are_one_empty_file_each():
    xliff2 = export_bytes(Xliff2Writer(ExportReport("xliff2")))[""]
    assert xliff2 == (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                      b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="ar" trgLang="en">\n'
                      b'<file id="empty"><group id="empty"/></file>\n</xliff>\n')
    xliff12 = export_bytes(Xliff12Writer(ExportReport("xliff12")), [])[""]
    assert xliff12 == (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                       b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
                       b'<file original="empty" source-language="ar" target-language="en" datatype="plaintext">'
                       b"<body/></file>\n</xliff>\n")
    validate_xliff20(xliff2)
    validate_xliff12(xliff12)


# Characters XML cannot hold ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\ufffe", "\uffff"])
@pytest.mark.parametrize("writer", [TmxWriter, Xliff2Writer, Xliff12Writer])
def test_characters_xml_cannot_hold_are_removed_and_the_paragraph_reported(writer, bad):
    report = ExportReport("xml")
    document = export_bytes(writer(report), [record(en=f"A{bad}B & C"), record(12, en="Clean")])[""]
    assert b"AB &amp; C" in document and bad.encode() not in document
    assert report.cleaned_for_xml == {11}
    assert report.warnings() == [
        "Removed characters that XML cannot hold (control characters) from 1 paragraph(s): 11. "
        "The JSONL export keeps them."
    ]
    # ...and the document says so in a comment after its root element.
    root_end = b"</tmx>\n" if writer is TmxWriter else b"</xliff>\n"
    assert document.endswith(
        root_end + b"<!-- Mizan: Removed characters that XML cannot hold (control characters) from 1 paragraph(s): "
        b"11. The JSONL export keeps them. -->\n"
    )


@pytest.mark.parametrize("writer, validate", [(TmxWriter, validate_tmx14), (Xliff2Writer, validate_xliff20),
                                              (Xliff12Writer, validate_xliff12)])
def test_control_characters_in_attributes_and_notes_are_removed_and_reported_too(writer, validate):
    report = ExportReport("xml")
    article = {"title": "Bell\x07 title", "source": None, "published": None, "filename": "bell\x07.txt",
               "status": "approved"}
    document = export_bytes(writer(report), [record(7, article=article, approved_by="ra\x01mi",
                                                    en_author="ami\x02na")])[""]
    validate(document)
    assert b"\x07" not in document and b"\x01" not in document and b"\x02" not in document
    assert b"Bell title" in document and b"rami" in document and b"amina" in document
    assert report.cleaned_for_xml == {7}


def _with_bell(field: str) -> dict:
    r = record(7)
    if field.startswith("article."):
        r["article"] = dict(r["article"], **{field[8:]: r["article"][field[8:]] + "\x07"})
    elif field.startswith("mt."):
        r["mt"] = dict(r["mt"], **{field[3:]: r["mt"][field[3:]] + "\x07"})
    elif field == "reviewer":
        r["reviewers"] = [{"username": "ra\x07mi", "role": "reviewer"}]
    else:
        r[field] = r[field] + "\x07"
    return r


@pytest.mark.parametrize("field", ["ar", "en", "en_author", "approved_by", "reviewer", "mt.text",
                                   "mt.model_id", "article.title", "article.source", "article.filename"])
@pytest.mark.parametrize("writer", [TmxWriter, Xliff2Writer, Xliff12Writer])
def test_the_paragraph_is_reported_whichever_of_its_texts_held_the_control_character(writer, field):
    report = ExportReport("xml")
    document = export_bytes(writer(report), [record(6, article_id=2), _with_bell(field)])[""]
    assert b"\x07" not in document
    # A text the format does not write (TMX: the draft and the file name; XLIFF 2.0: the draft) needs no cleaning.
    unwritten = {TmxWriter: {"mt.text", "article.filename"}, Xliff2Writer: {"mt.text"}}
    assert report.cleaned_for_xml == (set() if field in unwritten.get(writer, set()) else {7})


def test_tab_line_feed_and_carriage_return_stay_in_xml_text():
    report = ExportReport("tmx")
    document = export_bytes(TmxWriter(report), [record(en="one\ttwo\nthree\rfour\u0085five")])[""]
    assert '<seg>one\ttwo\nthree\rfour\u0085five</seg>'.encode() in document
    assert report.cleaned_for_xml == set()


def test_text_without_markup_is_written_as_it_is_and_markup_is_escaped():
    writer = TmxWriter(ExportReport("tmx"))
    assert writer.xml(None, 1) == ""
    assert writer.xml("Plain \"quoted\" text", 1) == 'Plain "quoted" text'
    assert writer.xml("a < b > c & d", 1) == "a &lt; b &gt; c &amp; d"
    assert writer.attr('say "hi"\n\r\t& <go>', 1) == "say &quot;hi&quot;&#10;&#13;&#9;&amp; &lt;go&gt;"
    assert writer.attr(42, 1) == "42"


def test_the_removal_report_names_twenty_paragraphs_then_counts_the_rest():
    report = ExportReport("tmx", cleaned_for_xml=set(range(25, 0, -1)))
    assert report.warnings() == [
        "Removed characters that XML cannot hold (control characters) from 25 paragraph(s): "
        "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 and 5 more. "
        "The JSONL export keeps them."
    ]
    exactly_twenty = ExportReport("tmx", cleaned_for_xml=set(range(1, 21)))
    assert exactly_twenty.warnings()[0].endswith("19, 20. The JSONL export keeps them.")


def test_a_clean_export_warns_of_nothing_and_adds_no_comment():
    report = ExportReport("xliff2")
    assert report.warnings() == []
    assert export_bytes(Xliff2Writer(report), [record()])[""].endswith(b"</file>\n</xliff>\n")


def test_every_kind_of_change_is_reported_in_its_own_warning():
    report = ExportReport("conll", cleaned_for_xml={4}, line_breaks_replaced={9, 3}, overlapping_entities_dropped=2)
    assert report.warnings() == [
        "Removed characters that XML cannot hold (control characters) from 1 paragraph(s): 4. "
        "The JSONL export keeps them.",
        "Wrote line breaks inside 2 paragraph(s) as spaces to keep the files line-aligned: 3, 9.",
        "Left out 2 overlapping entit(y/ies): IOB2 shows one entity per token (the JSONL export keeps them all).",
    ]


def test_the_two_halves_of_an_export_add_up_to_one_report():
    first = ExportReport("jsonl", paragraphs=10, entities=4, links=2, cleaned_for_xml={1},
                         line_breaks_replaced={2}, overlapping_entities_dropped=1)
    first.add(ExportReport("jsonl", paragraphs=5, entities=3, links=1, cleaned_for_xml={7},
                           line_breaks_replaced={8}, overlapping_entities_dropped=2))
    assert (first.paragraphs, first.entities, first.links) == (15, 7, 3)
    assert first.cleaned_for_xml == {1, 7} and first.line_breaks_replaced == {2, 8}
    assert first.overlapping_entities_dropped == 3
    moses = ExportReport("moses", paragraphs=1, entities=None, links=None)
    moses.add(ExportReport("moses", paragraphs=2, entities=None, links=None))
    assert (moses.paragraphs, moses.entities, moses.links) == (3, None, None)
    conll = ExportReport("conll", entities=2, links=None)
    conll.add(ExportReport("conll", entities=None, links=4))
    assert (conll.entities, conll.links) == (None, None)


def test_a_new_report_has_counted_nothing_yet():
    report = ExportReport("tmx")
    assert (report.paragraphs, report.entities, report.links, report.files) == (0, 0, 0, [])
    assert (report.cleaned_for_xml, report.line_breaks_replaced, report.overlapping_entities_dropped) == (set(), set(), 0)


# JSONL -------------------------------------------------------------------------------------------


def test_jsonl_is_one_utf8_record_a_line_with_control_characters_escaped():
    records = [{"ar": "روسيا", "en": "A\x07bell"}, {"ar": "مصر", "en": "Egypt"}]
    out = export_bytes(JsonlWriter(ExportReport("jsonl")), records)
    assert out == {"": '{"ar":"روسيا","en":"A\\u0007bell"}\n{"ar":"مصر","en":"Egypt"}\n'.encode()}
    assert [orjson.loads(line) for line in out[""].splitlines()] == records


# Moses -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line_break", ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
                                        "\u2028", "\u2029"])
def test_moses_writes_each_kind_of_line_break_as_a_space_and_reports_it(line_break):
    report = ExportReport("moses")
    records = [record(ar=f"سطر{line_break}ثان"), record(12, en=f"one{line_break}two",
                                                       mt={"text": f"d{line_break}e", "model_id": MODEL}),
               record(13, ar="ثالث", en="third", mt=None)]
    out = export_bytes(MosesWriter(report), records)
    spaces = " " * len(line_break)
    assert out == {
        "ar": f"سطر{spaces}ثان\nروسيا\nثالث\n".encode(),
        "en": f"Russia\none{spaces}two\nthird\n".encode(),
        "mt": f"Russia draft\nd{spaces}e\n\n".encode(),  # no draft: an empty line
    }
    assert report.line_breaks_replaced == {11, 12}


def test_moses_keeps_other_spacing_as_it_is():
    report = ExportReport("moses")
    out = export_bytes(MosesWriter(report), [record(en="tab\there  and\u00a0nbsp")])
    assert out["en"] == "tab\there  and\u00a0nbsp\n".encode() and report.line_breaks_replaced == set()


def test_a_moses_download_of_one_side_writes_only_that_side_and_reads_drafts_only_for_mt():
    assert MosesWriter.sides == ("ar", "en", "mt")
    everything = MosesWriter(ExportReport("moses"))
    assert everything.needs == frozenset({"approvals", "drafts"})
    arabic = MosesWriter(ExportReport("moses"), sides=("ar",))
    assert arabic.needs == frozenset()
    assert arabic.write([record()]) == {"ar": "روسيا\n".encode()}
    english = MosesWriter(ExportReport("moses"), sides=("en",))
    assert english.write([record()]) == {"en": b"Russia\n"} and english.needs == frozenset()
    drafts = MosesWriter(ExportReport("moses"), sides=("mt",))
    assert drafts.write([record()]) == {"mt": b"Russia draft\n"} and "drafts" in drafts.needs


# CoNLL -------------------------------------------------------------------------------------------


def entity(start, end, label="LOC"):
    return {"id": start, "start": start, "end": end, "label": label, "text": "", "flagged": False}


def test_conll_paragraph_without_entities_is_all_outside_then_a_blank_line():
    assert conll_block("Russia and Egypt.", []) == ("Russia\tO\nand\tO\nEgypt\tO\n.\tO\n\n", 0)
    assert conll_block("والقاهرة", []) == ("والقاهرة\tO\n\n", 0)  # clitics kept unless asked


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_conll_empty_paragraph_is_only_its_blank_line_so_both_files_stay_aligned(text):
    assert conll_block(text, []) == ("\n", 0)


def test_conll_multi_token_entity_is_b_then_i_and_the_text_around_it_is_o():
    text = "Talks in New York City today"
    assert conll_block(text, [entity(9, 22, "LOC")]) == (
        "Talks\tO\nin\tO\nNew\tB-LOC\nYork\tI-LOC\nCity\tI-LOC\ntoday\tO\n\n", 0)
    assert conll_block("In Abu Dhabi", [entity(3, 12, "LOC")]) == ("In\tO\nAbu\tB-LOC\nDhabi\tI-LOC\n\n", 0)


def test_conll_entities_at_both_ends_and_side_by_side():
    text = "Egypt Sudan"
    assert conll_block(text, [entity(6, 11, "LOC"), entity(0, 5, "GPE")]) == ("Egypt\tB-GPE\nSudan\tB-LOC\n\n", 0)
    # Two entities touching (no space between): each keeps its own B- tag.
    assert conll_block("AlphaBeta", [entity(0, 5, "ORG"), entity(5, 9, "ORG")]) == (
        "Alpha\tB-ORG\nBeta\tB-ORG\n\n", 0)


def test_conll_token_is_cut_at_the_entity_boundary():
    text = "وتركمانستان"
    assert conll_block(text, [entity(1, 11)]) == ("و\tO\nتركمانستان\tB-LOC\n\n", 0)


def test_conll_keeps_the_earliest_of_overlapping_entities_the_longer_on_a_tie_and_counts_the_rest():
    text = "Eurasian Economic Union summit"
    union = entity(0, 23, "ORG")
    eurasian = entity(0, 8, "MISC")
    economic = entity(9, 17, "MISC")
    block, dropped = conll_block(text, [eurasian, economic, union])
    assert block == "Eurasian\tB-ORG\nEconomic\tI-ORG\nUnion\tI-ORG\nsummit\tO\n\n" and dropped == 2
    assert non_overlapping([economic, eurasian]) == ([eurasian, economic], 0)
    assert non_overlapping([economic, union, eurasian]) == ([union], 2)


def test_conll_splits_clitics_outside_inside_and_after_entities_only_when_asked():
    text = "والقاهرة وبالقدس والإسكندرية"
    inside = entity(9, 16)  # وبالقدس
    assert conll_block(text, [inside], split_clitics=True) == (
        "و\tO\nالقاهرة\tO\nو\tB-LOC\nب\tI-LOC\nالقدس\tI-LOC\nو\tO\nالإسكندرية\tO\n\n", 0)
    assert conll_block(text, [inside]) == ("والقاهرة\tO\nوبالقدس\tB-LOC\nوالإسكندرية\tO\n\n", 0)
    assert conll_block(text, [], split_clitics=True)[0].startswith("و\tO\nالقاهرة\tO\nو\tO\nب\tO\nالقدس\tO\n")


def test_conll_writer_writes_both_languages_and_reports_dropped_overlaps():
    report = ExportReport("conll")
    en_entities = [entity(0, 6), entity(0, 3, "MISC")]
    r = record(ar="روسيا", en="Russia wins", entities={"ar": [entity(0, 5)], "en": en_entities})
    out = export_bytes(ConllWriter(report), [r], [record(12, ar="مصر", en="Egypt")])
    # The dropped MISC still cuts its word (every entity boundary is a token boundary, as in the DocBin).
    # Both paragraphs are of article 3: one DOCSTART line before the first.
    assert out == {"ar": f"{DOCSTART}روسيا\tB-LOC\n\nمصر\tO\n\n".encode(),
                   "en": f"{DOCSTART}Rus\tB-LOC\nsia\tI-LOC\nwins\tO\n\nEgypt\tO\n\n".encode()}
    assert report.overlapping_entities_dropped == 1
    english = ConllWriter(ExportReport("conll"), sides=("en",), split_clitics=True)
    assert english.write([record(en="Egypt", ar="والقاهرة")]) == {"en": f"{DOCSTART}Egypt\tO\n\n".encode()}
    whole = ConllWriter(ExportReport("conll")).write([record(ar="والقاهرة")])["ar"]
    assert whole == f"{DOCSTART}والقاهرة\tO\n\n".encode()
    arabic = ConllWriter(ExportReport("conll"), sides=("ar",), split_clitics=True)
    assert arabic.write([record(ar="والقاهرة")]) == {"ar": f"{DOCSTART}و\tO\nالقاهرة\tO\n\n".encode()}
    # The next chunk goes on with the same article: no second DOCSTART until the article changes.
    assert arabic.write([record(12, ar="مصر"), record(13, article_id=4, ar="مصر")]) == {
        "ar": f"مصر\tO\n\n{DOCSTART}مصر\tO\n\n".encode()}


@pytest.mark.parametrize("text, expected", [
    ("٢٨٫٢ ۲۸٫۲ 28.2 1,000 ١٬٠٠٠", ["٢٨٫٢", "۲۸٫۲", "28.2", "1,000", "١٬٠٠٠"]),
    ("28th 3rd 5G", ["28th", "3rd", "5G"]),  # a Latin letter after the digits makes a word
    ("28. 1,", ["28", ".", "1", ","]),  # separators only inside a number
    ("و28.2% ٪٥", ["و", "28.2", "%", "٪", "٥"]),
    ("al-Sisi Egypt's Egypt’s COVID-19 well-", ["al-Sisi", "Egypt's", "Egypt’s", "COVID-19", "well", "-"]),
    ("مُحَمَّد مـصـر ٱلله", ["مُحَمَّد", "مـصـر", "ٱلله"]),  # diacritics, tatweel and alef wasla stay in the word
    ("Москва Straße naïve", ["Москва", "Straße", "naïve"]),
    ("(مصر)، «القاهرة»؟", ["(", "مصر", ")", "،", "«", "القاهرة", "»", "؟"]),
    ("مصرEgypt", ["مصر", "Egypt"]),
])
def test_conll_tokenisation_rules(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize("word, expected", [
    ("والقاهرة", ["و", "القاهرة"]), ("فالقاهرة", ["ف", "القاهرة"]), ("بالقدس", ["ب", "القدس"]),
    ("للقدس", ["للقدس"]),  # ل before لـ without the alef is no article
    ("لالقدس", ["ل", "القدس"]), ("كالبحر", ["ك", "البحر"]), ("وبالقدس", ["و", "ب", "القدس"]),
    ("فكالبحر", ["ف", "ك", "البحر"]),
    ("والبر", ["والبر"]),  # only two letters after ال
    ("وزير", ["وزير"]), ("والد", ["والد"]), ("القاهرة", ["القاهرة"]),
])
def test_conll_split_clitics_rule(word, expected):
    assert tokens(word, split_clitics=True) == expected


# render: the report of a whole export ------------------------------------------------------------


@pytest.fixture
def two_chunks(monkeypatch):
    """The corpus reader, replaced: two chunks of records (3 paragraphs, 5 entities, 2 links)."""
    asked = []

    def fake_chunks(connection, selection, counts, parts):
        asked.append(parts)
        for chunk in ([record(ar="والقاهرة"), record(12, ar="والقاهرة")], [record(13, article_id=4, ar="والقاهرة")]):
            counts.paragraphs += len(chunk)
            counts.entities += 4 if len(chunk) == 2 else 1
            counts.links += 1
            yield chunk

    monkeypatch.setattr(formats, "iter_record_chunks", fake_chunks)
    return asked


@pytest.mark.parametrize("fmt, needs, entities, links", [
    ("jsonl", {"articles", "entities", "links", "approvals", "drafts", "qa", "adjudications"}, 5, 2),
    ("conll", {"entities"}, 5, None),
    ("moses", {"approvals", "drafts"}, None, None),
    ("tmx", {"articles", "approvals", "drafts"}, None, None),
    ("xliff2", {"articles", "approvals", "drafts"}, None, None),
    ("xliff12", {"articles", "approvals", "drafts"}, None, None),
])
def test_render_reports_what_the_format_holds_and_reads_only_what_it_writes(two_chunks, fmt, needs, entities,
                                                                            links):
    report = ExportReport(fmt)
    progress = []
    parts = list(render(fmt, Selection(), report, None, progress=progress.append))
    # CoNLL reads the entities of the whole selection once first, to cut each word form alike everywhere.
    assert two_chunks == ([needs, needs] if fmt == "conll" else [needs])
    assert len(parts) == 4 and progress == [2, 1]  # begin, two chunks, end
    assert (report.paragraphs, report.entities, report.links) == (3, entities, links)


def test_render_passes_split_clitics_and_sides_to_the_writer(two_chunks):
    report = ExportReport("conll")
    parts = list(render("conll", Selection(), report, None, split_clitics=True, sides=("ar",)))
    split = "و\tO\nالقاهرة\tO\n\n"
    assert b"".join(p.get("ar", b"") for p in parts) == f"{DOCSTART}{split}{split}{DOCSTART}{split}".encode()
    assert all("en" not in p for p in parts)
    arabic_tokens = list(render("conll", Selection(), ExportReport("conll"), None))[1]["ar"]
    assert arabic_tokens == f"{DOCSTART}والقاهرة\tO\n\nوالقاهرة\tO\n\n".encode()


def test_a_file_of_an_export_is_the_bytes_of_its_side_only(two_chunks):
    mt = list(File("moses", "mt").chunks(Selection(), ExportReport("moses"), None))
    assert mt == [b"Russia draft\nRussia draft\n", b"Russia draft\n"]
    clitics = b"".join(File("conll", "ar", split_clitics=True).chunks(Selection(), ExportReport("conll"), None))
    split = "و\tO\nالقاهرة\tO\n\n"
    assert clitics == f"{DOCSTART}{split}{split}{DOCSTART}{split}".encode()
    whole = b"".join(File("conll", "ar").chunks(Selection(), ExportReport("conll"), None))
    assert whole == f"{DOCSTART}والقاهرة\tO\n\nوالقاهرة\tO\n\n{DOCSTART}والقاهرة\tO\n\n".encode()
    # The Arabic side of Moses alone reads no machine drafts: only that side is written.
    del two_chunks[:]
    assert b"".join(File("moses", "ar").chunks(Selection(), ExportReport("moses"), None)) == "والقاهرة\n".encode() * 3
    assert two_chunks == [frozenset()]
    tmx = list(File("tmx").chunks(Selection(), ExportReport("tmx"), None))
    assert tmx[0].startswith(b"<?xml") and tmx[-1] == b"</body>\n</tmx>\n" and len(tmx) == 4


def test_file_names_and_media_types_of_each_format():
    from app.services import export

    assert {fmt: export.download_name(fmt) for fmt in ("jsonl", "tmx", "xliff2", "xliff12")} == {
        "jsonl": "mizan-corpus.jsonl", "tmx": "mizan-corpus.tmx", "xliff2": "mizan-corpus.xlf",
        "xliff12": "mizan-corpus.xliff"}
    assert [export.download_name("moses", side) for side in ("ar", "en", "mt")] == [
        "mizan-corpus.ar", "mizan-corpus.en", "mizan-corpus.mt"]
    assert [export.download_name("conll", side) for side in ("ar", "en")] == [
        "mizan-corpus.ar.conll", "mizan-corpus.en.conll"]
    assert {fmt: export.media_type(fmt) for fmt in ("jsonl", "tmx", "xliff2", "xliff12", "moses", "conll")} == {
        "jsonl": "application/x-ndjson; charset=utf-8", "tmx": "application/x-tmx+xml; charset=utf-8",
        "xliff2": "application/xliff+xml; charset=utf-8", "xliff12": "application/x-xliff+xml; charset=utf-8",
        "moses": "text/plain; charset=utf-8", "conll": "text/plain; charset=utf-8"}
    assert export.sides_of("conll") == ("ar", "en") and export.sides_of("tmx") == ("",)


def test_only_line_formats_may_be_written_in_two_halves():
    assert {fmt: cls.halves_concatenate for fmt, cls in formats.WRITERS.items()} == {
        "tmx": False, "xliff2": False, "xliff12": False, "jsonl": True, "conll": True, "moses": True}


def test_english_from_the_translation_memory_is_marked_in_tmx_and_both_xliffs_which_stay_valid():
    """A revision saved unchanged from a memory match (origin tm) says so: a TMX prop, an XLIFF note; the
    documents stay valid against their schemas and readable as units."""
    from_memory = record(en_origin="tm")
    tmx = export_bytes(TmxWriter(ExportReport("tmx")), [from_memory])[""]
    validate_tmx14(tmx)
    assert '<prop type="x-mizan-en-origin">tm</prop>\n<prop type="x-mizan-translator">amina</prop>' in tmx.decode()
    assert read_tmx_units(tmx) == [("روسيا", "Russia")]
    xliff2 = export_bytes(Xliff2Writer(ExportReport("xliff2")), [from_memory])[""]
    validate_xliff20(xliff2)
    assert '<note category="en-origin">tm</note><note category="translator">amina</note>' in xliff2.decode()
    xliff12 = export_bytes(Xliff12Writer(ExportReport("xliff12")), [from_memory])[""]
    validate_xliff12(xliff12)
    assert '<note from="mizan">en-origin: tm</note><note from="mizan">translator: amina</note>' in xliff12.decode()
    # Typed English says nothing more than before.
    assert "en-origin" not in export_bytes(TmxWriter(ExportReport("tmx")), [record()])[""].decode()
