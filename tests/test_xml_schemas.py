"""The proof machinery for the TMX/XLIFF exports: the official schemas accept what
they should and reject what they should, and translate-toolkit reads the files back.

The valid samples carry the provenance constructs each format allows, so these
tests also record what an export may use: <prop type="x-..."> and <note> in TMX,
<notes> on <file>/<unit> (never <segment>) and lax module elements in XLIFF 2.0,
<note from=...>, x- states and <context-group> in XLIFF 1.2 strict.
"""
from __future__ import annotations

import pytest

from tests.support import xml_schemas
from tests.support.xml_schemas import (
    read_tmx_store,
    read_tmx_units,
    read_xliff12_store,
    read_xliff12_units,
    read_xliff20_store,
    read_xliff20_units,
    validate_tmx14,
    validate_xliff12,
    validate_xliff20,
)

AR_1 = "وصل الرئيس إلى القاهرة صباح الاثنين."
EN_1 = "The president arrived in Cairo on Monday morning."
AR_2 = "ارتفعت أسعار القمح بنسبة ٥٪."
EN_2 = "Wheat prices rose by 5%."
PAIRS = [(AR_1, EN_1), (AR_2, EN_2)]

TMX = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="Mizan" creationtoolversion="0.1.0" segtype="paragraph"
          o-tmf="Mizan" adminlang="en" srclang="ar" datatype="plaintext"
          creationdate="20250101T120000Z">
    <note>Mizan corpus export</note>
    <prop type="x-mizan-corpus">news</prop>
  </header>
  <body>
    <tu tuid="s1" creationdate="20250101T120000Z" changeid="reviewer-7">
      <note>post-edited</note>
      <prop type="x-mizan-model">argos ar-en 1.9</prop>
      <prop type="x-context">article-1</prop>
      <tuv xml:lang="ar"><seg>{AR_1}</seg></tuv>
      <tuv xml:lang="en"><prop type="x-mizan-state">final</prop><seg>{EN_1}</seg></tuv>
    </tu>
    <tu tuid="s2">
      <tuv xml:lang="ar"><seg>{AR_2}</seg></tuv>
      <tuv xml:lang="en"><seg>{EN_2}</seg></tuv>
    </tu>
  </body>
</tmx>
"""

XLIFF20 = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0"
       xmlns:mda="urn:oasis:names:tc:xliff:metadata:2.0"
       version="2.0" srcLang="ar" trgLang="en">
  <file id="f1" original="article-1">
    <mda:metadata><mda:metaGroup category="mizan"><mda:meta type="source">Al-Ahram</mda:meta></mda:metaGroup></mda:metadata>
    <notes><note category="x-mizan-source">Al-Ahram, 2025-01-01</note></notes>
    <unit id="s1">
      <mda:metadata><mda:metaGroup category="mizan"><mda:meta type="model">argos ar-en 1.9</mda:meta></mda:metaGroup></mda:metadata>
      <notes>
        <note category="x-mizan-reviewer">reviewer-7</note>
        <note category="x-mizan-model" priority="2">argos ar-en 1.9</note>
      </notes>
      <segment state="final">
        <source>{AR_1}</source>
        <target>{EN_1}</target>
      </segment>
    </unit>
  </file>
  <file id="f2" original="article-2">
    <unit id="s2">
      <segment state="final"><source>{AR_2}</source><target>{EN_2}</target></segment>
    </unit>
  </file>
</xliff>
"""

XLIFF12 = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
  <file original="article-1" source-language="ar" target-language="en" datatype="plaintext"
        tool-id="mizan" date="2025-01-01T12:00:00Z">
    <header>
      <phase-group>
        <phase phase-name="review" process-name="review" tool-id="mizan" contact-name="reviewer-7"/>
      </phase-group>
      <tool tool-id="mizan" tool-name="Mizan" tool-version="0.1.0"/>
      <note from="mizan">Mizan corpus export</note>
    </header>
    <body>
      <trans-unit id="s1" approved="yes">
        <source>{AR_1}</source>
        <target state="signed-off" state-qualifier="x-mizan-post-edited" phase-name="review">{EN_1}</target>
        <context-group purpose="information">
          <context context-type="x-mizan-model">argos ar-en 1.9</context>
        </context-group>
        <note from="reviewer-7" annotates="target" priority="2">post-edited</note>
      </trans-unit>
      <trans-unit id="s2" approved="yes">
        <source>{AR_2}</source>
        <target state="x-mizan-final">{EN_2}</target>
      </trans-unit>
    </body>
  </file>
</xliff>
"""


def one_error_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "line " in message, message  # lxml's error log, with line numbers
    return message


def assert_refused_with_line_numbers(validate, valid: str, broken: str, expected: str) -> None:
    assert broken != valid  # the breakage really happened
    with pytest.raises(AssertionError) as excinfo:
        validate(broken)
    message = one_error_line(excinfo)
    assert expected in message, message


# --- the valid samples, as a path, bytes and text -------------------------------


@pytest.mark.parametrize(
    "validate, document",
    [(validate_tmx14, TMX), (validate_xliff20, XLIFF20), (validate_xliff12, XLIFF12)],
    ids=["tmx14", "xliff20", "xliff12"],
)
def test_valid_samples_pass_as_path_bytes_and_text(tmp_path, validate, document):
    path = tmp_path / "sample.xml"
    path.write_text(document, encoding="utf-8")
    validate(path)
    validate(str(path))
    validate(document.encode("utf-8"))
    validate(document)


def test_not_well_formed_is_an_assertion_error():
    with pytest.raises(AssertionError, match="not well-formed"):
        validate_xliff20(XLIFF20.replace("</unit>", "", 1))


def test_missing_schemas_say_to_run_make_test(tmp_path, monkeypatch):
    monkeypatch.setattr(xml_schemas, "SCHEMA_DIR", tmp_path)
    xml_schemas._xml_schema.cache_clear()
    xml_schemas._tmx_dtd.cache_clear()
    try:
        for validate, document in [
            (validate_tmx14, TMX),
            (validate_xliff20, XLIFF20),
            (validate_xliff12, XLIFF12),
        ]:
            with pytest.raises(AssertionError, match=r"missing from .*run `make test`"):
                validate(document)
    finally:
        xml_schemas._xml_schema.cache_clear()
        xml_schemas._tmx_dtd.cache_clear()


# --- TMX 1.4 (tmx14.dtd) ---------------------------------------------------------


@pytest.mark.parametrize(
    "broken, expected",
    [
        (TMX.replace(f'<tuv xml:lang="ar"><seg>{AR_2}</seg></tuv>\n      <tuv xml:lang="en"><seg>{EN_2}</seg></tuv>', ""),
         "Element tu content does not follow the DTD"),
        (TMX.replace('creationtool="Mizan" ', ""), "does not carry attribute creationtool"),
        (TMX.replace(' srclang="ar"', ""), "does not carry attribute srclang"),
        (TMX.replace('<prop type="x-mizan-model">', "<prop>"), "does not carry attribute type"),
        (TMX.replace('<tuv xml:lang="ar"><seg>' + AR_2, "<tuv><seg>" + AR_2), "does not carry attribute xml:lang"),
        (TMX.replace('segtype="paragraph"', 'segtype="article"'), "not among the enumerated set"),
        # <note>/<prop> come before the first <tuv>, never after it
        (TMX.replace(f"<seg>{EN_2}</seg></tuv>", f'<seg>{EN_2}</seg></tuv><prop type="x-late">1</prop>'),
         "Element tu content does not follow the DTD"),
        # no extension attributes from other namespaces: provenance goes in <prop>
        (TMX.replace('<tu tuid="s1"', '<tu xmlns:m="urn:mizan" m:model="argos" tuid="s1"'),
         "No declaration for attribute"),
        (TMX.replace("<note>post-edited</note>", "<note>post-<b>edited</b></note>"), "No declaration for element b"),
    ],
    ids=["tu-without-tuv", "no-creationtool", "no-srclang", "prop-without-type", "tuv-without-lang",
         "bad-segtype", "prop-after-tuv", "foreign-attribute", "markup-in-note"],
)
def test_invalid_tmx_fails_with_line_numbers(broken, expected):
    assert_refused_with_line_numbers(validate_tmx14, TMX, broken, expected)


def test_tmx_root_and_version_are_checked_beyond_the_dtd():
    with pytest.raises(AssertionError, match="version attribute is '1.3'"):
        validate_tmx14(TMX.replace('<tmx version="1.4">', '<tmx version="1.3">'))
    body_only = TMX[TMX.index("<body>"):TMX.index("</body>") + len("</body>")]
    with pytest.raises(AssertionError, match="root element is 'body'"):
        validate_tmx14(body_only)


def test_tmx_dtd_limits_worth_knowing():
    # The DTD wants one or more <tuv>, not two, and cannot see duplicate tuids.
    one_tuv = TMX.replace(f'<tuv xml:lang="en"><seg>{EN_2}</seg></tuv>', "")
    validate_tmx14(one_tuv)
    validate_tmx14(TMX.replace('tuid="s2"', 'tuid="s1"'))


# --- XLIFF 2.0 (xliff-core-2.0.xsd) ----------------------------------------------


@pytest.mark.parametrize(
    "broken, expected",
    [
        # <notes> belong to <file>, <group> and <unit>, never to <segment>
        (XLIFF20.replace('<segment state="final">\n', '<segment state="final"><notes><note>n</note></notes>\n'),
         "notes': This element is not expected"),
        # ... and in <unit> they come before the segments, after module elements
        (XLIFF20.replace("</segment>\n    </unit>", "</segment><notes><note>late</note></notes>\n    </unit>", 1),
         "notes': This element is not expected"),
        (XLIFF20.replace("</notes>\n      <segment", "</notes><mda:metadata/>\n      <segment"),
         "metadata': This element is not expected"),
        (XLIFF20.replace('state="final"', 'state="signed-off"', 1), "'signed-off' is not an element of the set"),
        (XLIFF20.replace(f'<unit id="s2">\n      <segment state="final"><source>{AR_2}</source><target>{EN_2}</target></segment>\n    </unit>', ""),
         "Missing child element(s)"),
        (XLIFF20.replace(' srcLang="ar"', ""), "The attribute 'srcLang' is required"),
        (XLIFF20.replace('<unit id="s1">', '<unit id="s 1">'), "not a valid value of the atomic type 'xs:NMTOKEN'"),
        (XLIFF20.replace('priority="2"', 'priority="11"'), "greater than the maximum value"),
        (XLIFF20.replace('<segment state="final">\n', '<segment state="final" xmlns:m="urn:mizan" m:model="argos">\n'),
         "is not allowed"),
    ],
    ids=["notes-in-segment", "notes-after-segment", "module-after-notes", "state-signed-off",
         "file-without-unit", "no-srcLang", "unit-id-not-nmtoken", "note-priority-11", "segment-foreign-attribute"],
)
def test_invalid_xliff20_fails_with_line_numbers(broken, expected):
    assert_refused_with_line_numbers(validate_xliff20, XLIFF20, broken, expected)


def test_xliff20_root_and_version_are_checked_beyond_the_xsd():
    with pytest.raises(AssertionError, match="version attribute is '2.1'"):
        validate_xliff20(XLIFF20.replace('version="2.0"', 'version="2.1"'))
    with pytest.raises(AssertionError, match="root element is"):
        validate_xliff12(XLIFF20)  # a 2.0 file is no 1.2 file, and back
    with pytest.raises(AssertionError, match="root element is"):
        validate_xliff20(XLIFF12)


def test_xliff20_core_xsd_limits_worth_knowing():
    # Only the core XSD is available: module elements (mda here) sit at lax
    # extension points and are not checked, so nonsense in them passes.
    validate_xliff20(XLIFF20.replace('<mda:meta type="model">argos ar-en 1.9</mda:meta>', '<mda:bogus x="1"/>'))
    # Foreign attributes are allowed (lax) on xliff, file, group, unit and note.
    validate_xliff20(XLIFF20.replace('<unit id="s1">', '<unit id="s1" xmlns:m="urn:mizan" m:model="argos">'))
    # Spec rules the XSD cannot express: trgLang when there are targets, unique ids.
    validate_xliff20(XLIFF20.replace(' trgLang="en"', ""))
    validate_xliff20(XLIFF20.replace('<unit id="s2">', '<unit id="s1">'))


# --- XLIFF 1.2 strict (xliff-core-1.2-strict.xsd) --------------------------------


@pytest.mark.parametrize("state", ["new", "translated", "needs-review-translation", "signed-off", "final", "x-mizan-reviewed"])
def test_xliff12_target_states(state):
    validate_xliff12(XLIFF12.replace('state="signed-off"', f'state="{state}"'))


@pytest.mark.parametrize(
    "broken, expected",
    [
        (XLIFF12.replace('state="signed-off"', 'state="reviewed"'), "attribute 'state': 'reviewed' is not a valid value"),
        (XLIFF12.replace(f"<source>{AR_2}</source>", f"<source>{AR_2}</source><note>early</note>"),
         "target': This element is not expected"),
        (XLIFF12.replace('priority="2"', 'priority="11"'), "attribute 'priority'"),
        (XLIFF12.replace('annotates="target"', 'annotates="unit"'), "attribute 'annotates'"),
        (XLIFF12.replace(">post-edited</note>", ">post-<b>edited</b></note>"), "Element content is not allowed"),
        (XLIFF12.replace('context-type="x-mizan-model"', 'context-type="model"'), "attribute 'context-type'"),
        # strict XLIFF 1.2 has no <prop-group>, and its extension points are strict
        (XLIFF12.replace('<note from="reviewer-7"', '<prop-group><prop prop-type="x-model">a</prop></prop-group><note from="reviewer-7"'),
         "prop-group': This element is not expected"),
        (XLIFF12.replace('</note>\n      </trans-unit>', '</note><m:model xmlns:m="urn:mizan">argos</m:model>\n      </trans-unit>', 1),
         "No matching global element declaration available"),
        (XLIFF12.replace('<trans-unit id="s1"', '<trans-unit xmlns:m="urn:mizan" m:model="argos" id="s1"'),
         "No matching global attribute declaration available"),
        (XLIFF12.replace('id="s2"', 'id="s1"'), "Duplicate key-sequence ['s1']"),
        (XLIFF12.replace(' datatype="plaintext"', ""), "The attribute 'datatype' is required"),
        (XLIFF12.replace(' original="article-1"', ""), "The attribute 'original' is required"),
        (XLIFF12.replace('phase-name="review">', 'phase-name="qa">'), "No match found for key-sequence ['qa']"),
    ],
    ids=["state-reviewed", "note-before-target", "note-priority-11", "note-annotates-unit", "markup-in-note",
         "context-type-not-x", "prop-group", "foreign-element", "foreign-attribute", "duplicate-id",
         "no-datatype", "no-original", "unknown-phase"],
)
def test_invalid_xliff12_fails_with_line_numbers(broken, expected):
    assert_refused_with_line_numbers(validate_xliff12, XLIFF12, broken, expected)


# --- translate-toolkit reads the samples back ------------------------------------


def test_translate_toolkit_reads_tmx(tmp_path):
    path = tmp_path / "corpus.tmx"
    path.write_text(TMX, encoding="utf-8")
    assert read_tmx_units(path) == PAIRS
    assert read_tmx_units(path, target_lang="en") == PAIRS
    store = read_tmx_store(path)
    first = store.units[0]
    assert store.sourcelanguage == "ar"
    assert first.getid() == "s1"
    # <note>s of the tu (and of its tuvs) come back; of the <prop>s only
    # type="x-context", as the context. Other props stay in the XML only.
    assert first.getnotes() == "post-edited"
    assert first.getcontext() == "article-1"
    assert [p.get("type") for p in first.xmlelement.iter("prop")] == ["x-mizan-model", "x-context", "x-mizan-state"]


def test_translate_toolkit_reads_xliff12(tmp_path):
    path = tmp_path / "corpus.xlf"
    path.write_text(XLIFF12, encoding="utf-8")
    assert read_xliff12_units(path) == PAIRS
    store = read_xliff12_store(path)
    first, second = store.units
    assert (store.sourcelanguage, store.targetlanguage) == ("ar", "en")
    assert first.getnotes() == "post-edited"  # <note>, filterable by its from=
    assert first.getnotes("reviewer-7") == "post-edited"
    assert first.isapproved() and second.isapproved()


def test_translate_toolkit_reads_xliff20(tmp_path):
    path = tmp_path / "corpus.xlf"
    path.write_text(XLIFF20, encoding="utf-8")
    assert read_xliff20_units(path) == PAIRS  # units of both <file>s
    store = read_xliff20_store(path)
    first = store.units[0]
    assert (store.sourcelanguage, store.targetlanguage) == ("ar", "en")
    assert first.getid() == "s1"
    assert first.isapproved()  # state="final"
    # translate-toolkit looks for <notes> inside <segment>, where the schema
    # forbids them: schema-valid unit <notes> do not come back through getnotes().
    assert first.getnotes() == ""


def test_translate_toolkit_xliff12_reader_refuses_xliff20():
    with pytest.raises(ValueError, match="XLIFF 2"):
        read_xliff12_units(XLIFF20)
