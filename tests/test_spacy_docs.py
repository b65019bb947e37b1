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


def random_entities(rng, text: str, candidates: list[int], labels: tuple[str, ...]) -> list[dict]:
    """Up to three entities over `text`, starting and ending at `candidates` (characters that are neither white
    space nor combining marks), at most six characters of them long; a label drawn only when there is a choice."""
    entities: list[dict] = []
    for _ in range(rng.randint(0, 3)):
        if not candidates:
            break
        start = rng.choice(candidates)
        ends = [i + 1 for i in candidates if i >= start and (i + 1 == len(text) or
                                                              not unicodedata.combining(text[i + 1]))]
        end = rng.choice(ends[:6])
        label = rng.choice(labels) if len(labels) > 1 else labels[0]
        entities.append({"id": len(entities), "start": start, "end": end, "label": label})
    return entities


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
        entities = random_entities(rng, text, candidates, ("LOC", "ORG"))
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


def _varied_records() -> list[dict]:
    """Arabic and English paragraphs with entities starting inside words (proclitics), overlapping entities, odd
    white space (two spaces, a line break, a no-break space, a tab), a label that is a spaCy symbol (ORG), a word
    that is one too, and paragraphs without entities or without text."""
    ar = ["قال وتركمانستان  وبالقاهرة\nمصر\u00a0و٢٠٢٢.", "وزير خارجية مصر", "روسيا\t\tو تركمانستان\n", "",
          "الاتحاد الأوروبي والاتحاد الأوروبي"]
    en = ["Turkmenistan's gas  to\nEgypt\u00a0(Cairo-based) ORG.", "Eurasian Economic Union summit", "  no entities ",
          "", "EU's EU"]
    ar_entities = [
        [entity(ar[0], "تركمانستان"), entity(ar[0], "القاهرة", "LOC"), entity(ar[0], "مصر"),
         entity(ar[0], "٢٠٢٢", "DATE")],
        [entity(ar[1], "وزير خارجية مصر", "PER"), entity(ar[1], "مصر"), entity(ar[1], "خارجية مصر", "ORG")],
        [], [],
        [entity(ar[4], "الاتحاد الأوروبي", "ORG"), entity(ar[4], "الاتحاد الأوروبي", "ORG", occurrence=1)],
    ]
    en_entities = [
        [entity(en[0], "Turkmenistan"), entity(en[0], "Egypt"), entity(en[0], "Cairo", "LOC")],
        [entity(en[1], "Eurasian Economic Union", "ORG"), entity(en[1], "Eurasian", "MISC"),
         entity(en[1], "Economic Union summit", "EVENT")],
        [], [],
        [entity(en[4], "EU"), entity(en[4], "EU", occurrence=1)],
    ]
    return [record(a, e, ae, ee, paragraph_id=i, article_id=1 + i // 3)
            for i, (a, e, ae, ee) in enumerate(zip(ar, en, ar_entities, en_entities), start=1)]


def _described(doc) -> dict:
    """Everything a Doc of the corpus holds, to compare two Docs."""
    return {
        "text": doc.text,
        "tokens": [(t.text, t.whitespace_, t.idx, t.norm_, t.ent_iob_, t.ent_type_, t.ent_id_, t.ent_kb_id_, t.tag_,
                    t.pos_, t.lemma_, t.dep_, t.head.i, str(t.morph), t.is_sent_start) for t in doc],
        "ents": [(s.start, s.end, s.start_char, s.end_char, s.label_, s.id_) for s in doc.ents],
        "spans": {key: [(s.start, s.end, s.start_char, s.end_char, s.label_, s.id_, s.kb_id_) for s in group]
                  for key, group in doc.spans.items()},
        "user_data": doc.user_data,
        "cats": doc.cats,
    }


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_docbin_loads_the_documents_spacy_builds_itself_and_its_msgpack_is_spacys_own(lang):
    """docbin_bytes writes the DocBin without building spaCy Docs (its speed). The Docs it loads into are those
    spaCy's own Doc and DocBin give for the same tokens (make_doc): text, tokens, white space, every token
    attribute, ents, the span group with labels and ids, the user data. Its msgpack is byte for byte that of
    spaCy's DocBin with the same attributes; only the deflate level differs."""
    import zlib

    from app.services.export.spacy_docs import ATTRS, make_doc

    records = _varied_records()
    cuts = WordCuts().learn_records(records, lang)
    vocab = spacy.blank(lang).vocab
    built = [make_doc(vocab, r, lang, cuts) for r in records]
    ours = load(docbin_bytes(records, lang), lang)
    assert [_described(doc) for doc in ours] == [_described(doc) for doc in built]
    # ... also when spaCy's DocBin keeps every attribute (its default): leaving the unset ones out loses nothing.
    everything = DocBin(store_user_data=True, docs=built)
    assert [_described(doc) for doc in ours] == [_described(doc) for doc in load(everything.to_bytes(), lang)]
    assert len(ours) == 5 and ours[2].ents == () and ours[3].text == "" and len(ours[3]) == 0
    if lang == "en":  # overlapping: the earliest, longer one in doc.ents; all three in the span group
        assert [s.text for s in ours[1].ents] == ["Eurasian Economic Union"]
        assert len(ours[1].spans[SPAN_GROUP]) == 3
    same_attrs = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE", "ENT_ID"], store_user_data=True, docs=built)
    assert same_attrs.attrs == list(ATTRS)
    assert zlib.decompress(docbin_bytes(records, lang)) == zlib.decompress(same_attrs.to_bytes())
    # No records: spaCy's empty DocBin.
    assert zlib.decompress(docbin_bytes([], lang)) == zlib.decompress(DocBin(attrs=ATTRS, store_user_data=True).to_bytes())


def test_a_docbin_written_a_chunk_at_a_time_is_the_same_bytes_every_time(monkeypatch):
    """A release adds its records a chunk at a time: the same records give the same bytes however they come, and
    however many token rows are made at a time."""
    from app.services.export import spacy_docs
    from app.services.export.spacy_docs import DocBinWriter

    records = _varied_records() * 3
    for lang in ("ar", "en"):
        cuts = WordCuts().learn_records(records, lang)
        whole = docbin_bytes(records, lang, cuts=cuts)
        parts: list[bytes] = []
        counts = DocCounts()
        writer = DocBinWriter(lang, parts.append, cuts=cuts, counts=counts)
        for first in range(0, len(records), 4):
            writer.add(records[first:first + 4])
        writer.close()
        assert b"".join(parts) == whole == docbin_bytes(records, lang, cuts=cuts)
        with monkeypatch.context() as patched:
            patched.setattr(spacy_docs, "_BLOCK", 7)  # blocks of rows that begin and end inside entities
            assert docbin_bytes(records, lang, cuts=cuts) == whole
        assert counts.docs == 15 and counts.tokens == sum(len(doc) for doc in load(whole, lang))


def test_docbin_tokens_are_token_spans_with_the_white_space_on_a_thousand_random_paragraphs():
    """The DocBin finds its tokens without a Python loop over them where it can: on random text with entities
    starting and ending inside words, learned cuts and odd white space, the words, spaces and starts of
    token_spans and words_and_spaces exactly."""
    from app.services.export.spacy_docs import _doc_tokens

    rng = random.Random(1919)
    pieces = ["وتركمانستان", "بالقاهرة", "وزير", "مـصـر", "وَالْقُدْس", "٢٨٫٢", "28.2%", "Turkmenistan's", "COVID-19",
              "al-Sisi", "Egypt", ",", "،", "(", ")", "«", "»", "28th", "AlphaBeta", "naïve", "و28"]
    for _ in range(1000):
        spaces = [" ", " ", " ", ""] if rng.random() < 0.7 else [" ", " ", "  ", "\n", "\u00a0", "", "\t", " \n"]
        text = (rng.choice(["", "", " ", "\n"]) +
                "".join(rng.choice(pieces) + rng.choice(spaces) for _ in range(rng.randint(0, 8))))
        candidates = [i for i in range(len(text)) if not text[i].isspace() and not unicodedata.combining(text[i])]
        entities = random_entities(rng, text, candidates, ("LOC",))
        cuts = WordCuts() if rng.random() < 0.5 else None
        if cuts is not None:
            cuts.learn(text, entities)
            cuts.learn("وتركمانستان", [{"start": 1, "end": 11}])
        spans = token_spans(text, entities, cuts)
        found, spaces_after, starts = _doc_tokens(text, entities, cuts)
        assert (found, spaces_after) == words_and_spaces(text, spans), (text, entities)
        assert [text[start:start + len(word)] for word, start in zip(found, starts)] == found
