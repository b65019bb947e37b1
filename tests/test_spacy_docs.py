"""NER engineers load the corpus in spaCy: a DocBin per language whose documents rebuild every paragraph's text
and keep every entity, on tokens where every entity boundary is a token boundary and a word form is cut the same
way everywhere (app/services/export/spacy_docs.py, conll.py). Pure functions: no database."""
from __future__ import annotations

import itertools
import random
import unicodedata

import pytest
import spacy
from spacy.tokens import DocBin

from app.services.arabic import proclitic_cuts
from app.services.export.conll import WordCuts, conll_block, token_spans
from app.services.export.spacy_docs import SPAN_GROUP, DocCounts, docbin_bytes, words_and_spaces

_ids = itertools.count(1)


def entity(text: str, surface: str, label: str = "LOC", occurrence: int = 0) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return {"id": next(_ids), "start": start, "end": start + len(surface), "label": label, "text": surface,
            "flagged": False}


def record(ar: str = "", en: str = "", ar_entities=(), en_entities=(), paragraph_id: int = 1, article_id: int = 1):
    return {"paragraph_id": paragraph_id, "article_id": article_id, "position": paragraph_id - 1, "kind": "body",
            "ar": ar, "en": en, "entities": {"ar": list(ar_entities), "en": list(en_entities)}}


def words(text: str, entities=(), cuts: WordCuts | None = None) -> list[str]:
    return [text[start:end] for start, end in token_spans(text, entities, cuts)]


def load(data: bytes, lang: str) -> list:
    return list(DocBin().from_bytes(data).get_docs(spacy.blank(lang).vocab))


# Tokens ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, surface, expected", [
    ("وتركمانستان", "تركمانستان", ["و", "تركمانستان"]),  # a proclitic before the entity is split off
    ("وبتركمانستان", "تركمانستان", ["و", "ب", "تركمانستان"]),  # a run of proclitics, each its own token
    ("وَتُرْكْمَانِسْتَان", "تُرْكْمَانِسْتَان", ["وَ", "تُرْكْمَانِسْتَان"]),  # the proclitic keeps its diacritic
    ("ومـصـر", "مـصـر", ["و", "مـصـر"]),  # tatweel stays in the word
    ("و٢٠٢٢م", "٢٠٢٢", ["و", "٢٠٢٢", "م"]),  # Arabic-Indic digits: the number is a token of its own already
    ("نما ٢٨٫٢", "٢٨", ["نما", "٢٨", "٫٢"]),  # an entity ending inside a number cuts it
    ("Turkmenistan's gas", "Turkmenistan", ["Turkmenistan", "'s", "gas"]),  # a word cut, never re-tokenised
    ("Egypt, Sudan.", "Sudan", ["Egypt", ",", "Sudan", "."]),  # whole words with punctuation after
    ("مصر، السودان.", "مصر", ["مصر", "،", "السودان", "."]),
])
def test_every_entity_boundary_is_a_token_boundary(text, surface, expected):
    span = entity(text, surface)
    assert words(text, [span]) == expected
    assert (span["start"], span["end"]) in _joined(token_spans(text, [span]), span)


def _joined(spans, span):
    """The token spans from the entity's first token to its last, as one (start, end)."""
    inside = [s for s in spans if span["start"] <= s[0] and s[1] <= span["end"]]
    return [(inside[0][0], inside[-1][1])] if inside else []


def test_entities_at_both_ends_of_the_text_and_side_by_side():
    text = "AlphaBeta and وتركمانستانروسيا"
    alpha, beta = entity(text, "Alpha", "ORG"), entity(text, "Beta", "ORG")
    turkmenistan, russia = entity(text, "تركمانستان"), entity(text, "روسيا")
    assert words(text, [alpha, beta, turkmenistan, russia]) == ["Alpha", "Beta", "and", "و", "تركمانستان", "روسيا"]


def test_the_same_word_form_is_cut_the_same_way_everywhere_entity_or_not():
    tagged = "روسيا وتركمانستان"
    cuts = WordCuts()
    cuts.learn(tagged, [entity(tagged, "تركمانستان")])
    cuts.learn("Turkmenistan's gas", [entity("Turkmenistan's gas", "Turkmenistan")])
    assert cuts.forms == {"وتركمانستان": (1,), "Turkmenistan's": (12,)}
    assert words("زار وتركمانستان أمس", [], cuts) == ["زار", "و", "تركمانستان", "أمس"]  # untagged, cut alike
    assert words("Turkmenistan's exports", [], cuts) == ["Turkmenistan", "'s", "exports"]
    # Other forms stay whole: وزير is no و + زير, and بتركمانستان was never cut by an entity.
    assert words("وزير بتركمانستان", [], cuts) == ["وزير", "بتركمانستان"]
    # CoNLL uses the same tokens.
    assert conll_block("زار وتركمانستان", [], cuts=cuts) == ("زار\tO\nو\tO\nتركمانستان\tO\n\n", 0)


def test_proclitic_runs_are_known_as_arabic_py_knows_them():
    assert [proclitic_cuts(p) for p in ("و", "ف", "وب", "فك", "ول", "ال", "وال", "وبال", "وَبِالْ")] == [
        (1,), (1,), (1, 2), (1, 2), (1, 2), (2,), (1, 3), (1, 2, 4), (2, 4, 7)]
    assert [proclitic_cuts(p) for p in ("", "ز", "وز", "بو", "لل", "الو")] == [None] * 6


def test_a_cut_inside_a_word_that_is_no_proclitic_is_kept_too():
    text = "Turkmenistan"
    turkmen = entity(text, "Turkmen", "MISC")
    cuts = WordCuts()
    cuts.learn(text, [turkmen])
    assert words(text, [turkmen]) == ["Turkmen", "istan"] and cuts.forms == {"Turkmenistan": (7,)}


@pytest.mark.parametrize("text", ["", " ", "Egypt", "  Egypt  and\nSudan\u00a0now \n", "مصر\t والسودان "])
def test_words_and_spaces_rebuild_the_text_with_any_white_space(text):
    spans = token_spans(text)
    found, spaces = words_and_spaces(text, spans)
    assert "".join(w + (" " if s else "") for w, s in zip(found, spaces)) == text
    assert [w for w in found if w.strip()] == [text[s:e] for s, e in spans]


def reference_block(text: str, entities: list[dict], cuts: WordCuts | None, split_clitics: bool) -> str:
    """CoNLL written the slow, obvious way from `token_spans`: each token tagged by the entity it starts or
    lies in."""
    from app.services.export.conll import non_overlapping

    kept, _ = non_overlapping(entities)
    lines = []
    for start, end in token_spans(text, entities, cuts, split_clitics):
        tag = "O"
        for e in kept:
            if e["start"] <= start < e["end"]:
                tag = ("B-" if start == e["start"] else "I-") + e["label"]
        lines.append(f"{text[start:end]}\t{tag}\n")
    return "".join(lines) + "\n" if lines else "\n"


def test_conll_blocks_are_the_tokens_and_tags_of_token_spans_on_a_thousand_random_paragraphs():
    """conll_block finds its tokens without every token's offset (it writes large corpora): on random text with
    entities starting and ending inside words, it gives exactly what token_spans gives."""
    rng = random.Random(19)
    pieces = ["وتركمانستان", "بالقاهرة", "وزير", "مـصـر", "وَالْقُدْس", "٢٨٫٢", "28.2%", "Turkmenistan's", "COVID-19",
              "al-Sisi", "Egypt", ",", "،", "(", ")", "«", "»", "28th", "AlphaBeta", "naïve", "و28"]
    spaces = [" ", " ", " ", "  ", "\n", "\u00a0", "", "\t"]
    for _ in range(1000):
        text = "".join(rng.choice(pieces) + rng.choice(spaces) for _ in range(rng.randint(0, 8)))
        candidates = [i for i in range(len(text)) if not text[i].isspace() and not unicodedata.combining(text[i])]
        entities = []
        for _ in range(rng.randint(0, 3)):
            if not candidates:
                break
            start = rng.choice(candidates)
            ends = [i + 1 for i in candidates if i >= start and (i + 1 == len(text) or
                                                                  not unicodedata.combining(text[i + 1]))]
            end = rng.choice(ends[:6])
            entities.append({"id": len(entities), "start": start, "end": end, "label": rng.choice(["LOC", "ORG"])})
        cuts = WordCuts() if rng.random() < 0.5 else None
        if cuts is not None:
            cuts.learn(text, entities)
            cuts.learn("وتركمانستان", [{"start": 1, "end": 11}])
        split_clitics = rng.random() < 0.3
        assert conll_block(text, entities, split_clitics, cuts)[0] == reference_block(text, entities, cuts,
                                                                                     split_clitics), (text, entities)


# DocBin ------------------------------------------------------------------------------------------


def test_docbin_documents_rebuild_every_text_and_keep_every_entity_starting_inside_words():
    """The issue's 24 of 74 Arabic spans and 1 of 74 English ones that spaCy's own tokenizer loses: entities
    starting or ending inside words, each proclitic, both languages, in several paragraphs."""
    records, expected = [], {"ar": 0, "en": 0}
    stems = ["تركمانستان", "روسيا", "مصر", "القاهرة", "الاتحاد الأوروبي"]
    proclitics = ["و", "ف", "ب", "ل", "ك", "وب", "فل", "وال", "ال", ""]
    for number, (stem, proclitic) in enumerate(itertools.product(stems, proclitics), start=1):
        ar = f"قال {proclitic}{stem}، ثم {proclitic}{stem} و٢٠٢٢."
        english = ["Turkmenistan's", "Russia,", "(Egypt)", "Cairo-based", "EU's"][number % 5]
        en = f"He said {english} and {english}"
        stem_en = english.strip("(),").split("'")[0].split("-")[0]
        ar_entities = [entity(ar, stem, "LOC"), entity(ar, stem, "LOC", occurrence=1), entity(ar, "٢٠٢٢", "DATE")]
        en_entities = [entity(en, stem_en), entity(en, stem_en, occurrence=1)]
        records.append(record(ar, en, ar_entities, en_entities, paragraph_id=number, article_id=1 + number // 10))
        expected["ar"] += 3
        expected["en"] += 2
    for lang in ("ar", "en"):
        counts = DocCounts()
        docs = load(docbin_bytes(iter(records), lang, counts=counts), lang)
        assert [doc.text for doc in docs] == [r[lang] for r in records]
        for doc, r in zip(docs, records, strict=True):
            wanted = [(e["start"], e["end"], e["label"]) for e in r["entities"][lang]]
            assert [(s.start_char, s.end_char, s.label_) for s in doc.ents] == wanted
            assert [(s.start_char, s.end_char, s.label_) for s in doc.spans[SPAN_GROUP]] == wanted
            assert [s.id_ for s in doc.spans[SPAN_GROUP]] == [str(e["id"]) for e in r["entities"][lang]]
            assert doc.user_data == {"paragraph_id": r["paragraph_id"], "article_id": r["article_id"],
                                     "position": r["position"], "kind": "body"}
        assert (counts.docs, counts.entities, counts.ents, counts.overlapping) == (
            len(records), expected[lang], expected[lang], 0)
        assert counts.tokens == sum(len(doc) for doc in docs)


def test_the_same_word_is_tokenised_alike_in_every_document():
    tagged = record("روسيا وتركمانستان", ar_entities=[entity("روسيا وتركمانستان", "تركمانستان")])
    untagged = record("وتركمانستان بلد", paragraph_id=2)
    first, second = load(docbin_bytes([tagged, untagged], "ar"), "ar")
    assert [t.text for t in first] == ["روسيا", "و", "تركمانستان"]
    assert [t.text for t in second] == ["و", "تركمانستان", "بلد"]
    # Given cuts (a release collects them over all its splits) apply to records that never saw the entity.
    cuts = WordCuts().learn_records([tagged], "ar")
    only_untagged = load(docbin_bytes([untagged], "ar", cuts=cuts), "ar")[0]
    assert [t.text for t in only_untagged] == ["و", "تركمانستان", "بلد"]
    assert [t.text for t in load(docbin_bytes([untagged], "ar"), "ar")[0]] == ["وتركمانستان", "بلد"]


def test_overlapping_entities_are_kept_in_the_span_group_and_counted():
    text = "Eurasian Economic Union summit"
    union, eurasian = entity(text, "Eurasian Economic Union", "ORG"), entity(text, "Eurasian", "MISC")
    counts = DocCounts()
    doc = load(docbin_bytes([record(en=text, en_entities=[union, eurasian])], "en", counts=counts), "en")[0]
    assert [(s.text, s.label_) for s in doc.ents] == [("Eurasian Economic Union", "ORG")]
    assert sorted((s.text, s.label_) for s in doc.spans[SPAN_GROUP]) == [
        ("Eurasian", "MISC"), ("Eurasian Economic Union", "ORG")]
    assert (counts.entities, counts.ents, counts.overlapping) == (2, 1, 1)


def test_white_space_is_kept_so_the_document_text_is_the_paragraph():
    texts = ["  Russia  and\nTurkmenistan\u00a0work. ", "", "روسيا\t\tو تركمانستان\n"]
    records = [record(en=t, ar=t, paragraph_id=i) for i, t in enumerate(texts, start=1)]
    for lang in ("ar", "en"):
        assert [doc.text for doc in load(docbin_bytes(records, lang), lang)] == texts
    doc = load(docbin_bytes(records[:1], "en"), "en")[0]
    # White space tokens as spaCy's own tokenizer makes them.
    assert [(t.text, t.whitespace_) for t in doc][:5] == [("  ", ""), ("Russia", " "), (" ", ""), ("and", ""),
                                                          ("\n", "")]


def test_the_same_records_give_the_same_bytes_and_a_wrong_language_is_refused():
    text = "روسيا وتركمانستان"
    records = [record(text, "Russia", [entity(text, "تركمانستان")], [entity("Russia", "Russia")])]
    assert docbin_bytes(records, "ar") == docbin_bytes(records, "ar")
    assert load(docbin_bytes([], "en"), "en") == []
    with pytest.raises(ValueError, match="lang must be one of ar, en"):
        docbin_bytes(records, "fr")


def test_an_install_without_spacy_is_told_what_to_install(monkeypatch):
    """A web-tier install (requirements/web.txt) has no spaCy: the DocBin is refused with what to install."""
    import sys

    from app.services.export import spacy_docs

    spacy_docs._blank.cache_clear()
    monkeypatch.setitem(sys.modules, "spacy", None)  # what `import spacy` meets where it is not installed
    try:
        with pytest.raises(spacy_docs.SpacyNotInstalled, match="install requirements/app.txt"):
            docbin_bytes([record("مصر", "Egypt")], "ar")
    finally:
        spacy_docs._blank.cache_clear()


def test_the_docbin_is_byte_for_byte_what_spacys_own_docbin_add_writes():
    """docbin_bytes reads srsly's msgpack encoders once per DocBin instead of once per object packed (its speed);
    the bytes are those of a DocBin filled the ordinary way, and the library is left as it was."""
    from srsly.msgpack import msgpack_encoders

    from app.services.export.spacy_docs import make_doc

    texts = ["روسيا وتركمانستان", "وزير خارجية مصر", "Turkmenistan's gas"]
    records = [record(t, t, [entity(t, t.split()[-1])], [entity(t, t.split()[0])], paragraph_id=i)
               for i, t in enumerate(texts, start=1)]
    for lang in ("ar", "en"):
        cuts = WordCuts().learn_records(records, lang)
        ordinary = DocBin(store_user_data=True)
        for r in records:
            ordinary.add(make_doc(spacy.blank(lang).vocab, r, lang, cuts))
        assert docbin_bytes(records, lang) == ordinary.to_bytes()
    assert "get_all" not in vars(msgpack_encoders)
