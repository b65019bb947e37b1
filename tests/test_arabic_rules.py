"""The documented rules of Arabic normalisation and matching (app/services/arabic.py), one test per rule.

Each test is named after the rule of the module docstring it pins and writes the characters it is
about out itself (code points, never the module's own tables). The property tests (hypothesis,
derandomised so a run is the same every time) check what examples cannot: the offset map of the
normalisation round-trips for any text, and a term put anywhere in any text is found at its exact
offsets in the original.
"""
from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services import arabic
from app.services.arabic import (
    EnglishMatcher,
    TermMatcher,
    normalize_arabic,
    normalize_english_term,
    normalize_term,
    normalize_terms,
    normalize_with_map,
)
from tests.support.properties import DETERMINISTIC

PROPERTY = settings(DETERMINISTIC, max_examples=200)


def spans(matcher, text):
    return [(m.start, m.end, m.surface, m.term_payload) for m in matcher.find(text)]


# --- one character for one ----------------------------------------------------------------------------

SUBSTITUTIONS = [
    ("\u0623", "\u0627"),  # أ alef with hamza above
    ("\u0625", "\u0627"),  # إ alef with hamza below
    ("\u0622", "\u0627"),  # آ alef with madda
    ("\u0671", "\u0627"),  # ٱ alef wasla
    ("\u0672", "\u0627"),  # ٲ alef with wavy hamza above
    ("\u0673", "\u0627"),  # ٳ alef with wavy hamza below
    ("\u0629", "\u0647"),  # ة ta marbuta → ه
    ("\u0649", "\u064a"),  # ى alef maqsura → ي
    ("\u06cc", "\u064a"),  # ی Persian yeh → ي
    ("\u06a9", "\u0643"),  # ک Persian keheh → ك
]


@pytest.mark.parametrize(("variant", "plain"), SUBSTITUTIONS, ids=[f"U+{ord(v):04X}" for v, _ in SUBSTITUTIONS])
def test_alef_forms_ta_marbuta_alef_maqsura_and_persian_letters_fold_one_for_one(variant, plain):
    assert normalize_with_map(f"ب{variant}ب") == (f"ب{plain}ب", [0, 1, 2])
    assert normalize_arabic(variant * 3) == plain * 3
    assert normalize_term(f" {variant} ") == plain


def test_persian_yeh_and_keheh_match_arabic_yeh_and_kaf_both_ways():
    arabic_spelling = TermMatcher([("كرملين", "ORG"), ("إيران", "LOC")])
    assert spans(arabic_spelling, "قال الکرملین إن ایران") == [(6, 12, "کرملین", "ORG"), (16, 21, "ایران", "LOC")]
    persian_spelling = TermMatcher([("کرملین", "ORG")])
    assert spans(persian_spelling, "الكرملين") == [(2, 8, "كرملين", "ORG")]


@pytest.mark.parametrize("alef", ["\u0623", "\u0625", "\u0622", "\u0671", "\u0672", "\u0673", "\u0627"])
def test_every_alef_form_matches_a_term_written_with_any_other(alef):
    for term_alef in ("\u0623", "\u0627", "\u0673"):
        matcher = TermMatcher([(f"{term_alef}سيا", "LOC")])
        assert spans(matcher, f"في {alef}سيا") == [(3, 7, f"{alef}سيا", "LOC")]


def test_folded_characters_keep_their_place_in_the_offset_map():
    text = "مكتبة ٱلمدينة ی ک"
    normalized, mapping = normalize_with_map(text)
    assert normalized == "مكتبه المدينه ي ك"
    assert mapping == list(range(len(text)))


# --- removed characters ----------------------------------------------------------------------------------

HARAKAT_AND_OTHER_MARKS = [chr(c) for c in range(0x064B, 0x065F + 1)]  # fathatan … wavy hamza below
SUPERSCRIPT_ALEF = "\u0670"
TATWEEL = "\u0640"
INVISIBLE = {"ZWNJ": "\u200c", "ZWJ": "\u200d", "LRM": "\u200e", "RLM": "\u200f", "ALM": "\u061c"}
QURANIC_RANGES = [(0x0610, 0x061A), (0x06D6, 0x06ED), (0x08D3, 0x08FF)]
# The code points of those ranges that are not marks (category Mn) but a letter, a symbol or a
# format character; the docstring's "Quranic annotation marks" are the marks among them.
QURANIC_NOT_MARKS = {
    0x06DD: "ARABIC END OF AYAH",  # Cf, written before the verse number
    0x06DE: "ARABIC START OF RUB EL HIZB",  # So
    0x06E5: "ARABIC SMALL WAW",  # Lm, a letter
    0x06E6: "ARABIC SMALL YEH",  # Lm, a letter
    0x06E9: "ARABIC PLACE OF SAJDAH",  # So
    0x08E2: "ARABIC DISPUTED END OF AYAH",  # Cf
}
QURANIC_MARKS = [chr(c) for a, b in QURANIC_RANGES for c in range(a, b + 1) if c not in QURANIC_NOT_MARKS]
REMOVED = HARAKAT_AND_OTHER_MARKS + [SUPERSCRIPT_ALEF, TATWEEL] + QURANIC_MARKS + list(INVISIBLE.values())


def test_the_removed_character_lists_are_what_the_docstring_names():
    assert len(HARAKAT_AND_OTHER_MARKS) == 21 and len(QURANIC_MARKS) == 11 + (24 - 5) + (45 - 1)
    assert all(unicodedata.category(c) == "Mn" for c in QURANIC_MARKS)
    for code, name in QURANIC_NOT_MARKS.items():
        assert unicodedata.name(chr(code)) == name and unicodedata.category(chr(code)) != "Mn"


@pytest.mark.parametrize("removed", REMOVED, ids=[f"U+{ord(c):04X}" for c in REMOVED])
def test_harakat_tatweel_quranic_marks_and_invisible_marks_are_removed(removed):
    text = f"ر{removed}وس{removed}{removed}يا"  # after letters no mark composes with (NFC, in terms)
    assert normalize_with_map(text) == ("روسيا", [0, 2, 3, 6, 7])
    assert normalize_arabic(text) == "روسيا"
    assert normalize_term(text) == "روسيا"


@pytest.mark.parametrize("code", sorted(QURANIC_NOT_MARKS), ids=[f"U+{c:04X}" for c in sorted(QURANIC_NOT_MARKS)])
def test_letters_and_signs_in_the_quranic_ranges_that_are_not_marks_are_kept(code):
    text = f"ر{chr(code)}وسيا"
    assert normalize_with_map(text) == (text, [0, 1, 2, 3, 4, 5])


def test_a_fully_vocalised_word_matches_its_bare_term():
    matcher = TermMatcher([("الاتحاد الاقتصادي", "ORG")])
    text = "زارَ وَفْدُ الاتِّحَادِ الاقْتِصَادِيِّ"
    (match,) = matcher.find(text)
    assert match.surface == "الاتِّحَادِ الاقْتِصَادِيِّ"
    assert (match.start, match.end) == (text.index("الاتِّ"), len(text))


@pytest.mark.parametrize("name", list(INVISIBLE))
def test_an_invisible_mark_inside_a_term_does_not_stop_the_match_and_the_span_covers_it(name):
    mark = INVISIBLE[name]
    matcher = TermMatcher([("روسيا", "LOC"), ("آسيا الوسطى", "LOC")])
    word = f"رو{mark}سيا"
    text = f"زار {word} و{mark}آسيا{mark} الوسطى"
    assert spans(matcher, text) == [
        (4, 4 + len(word), word, "LOC"),
        (text.index("آسيا"), len(text), f"آسيا{mark} الوسطى", "LOC"),
    ]
    # In a term, too: the key has no invisible marks.
    assert spans(TermMatcher([(f"ر{mark}وسيا", "LOC")]), "روسيا") == [(0, 5, "روسيا", "LOC")]


def test_invisible_marks_around_a_term_are_left_out_of_its_span():
    matcher = TermMatcher([("روسيا", "LOC")])
    text = "\u200fروسيا\u200f \u200eروسيا\u061c"
    assert spans(matcher, text) == [(1, 6, "روسيا", "LOC"), (9, 14, "روسيا", "LOC")]


# --- where a match ends -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "marks",
    ["\u064e", "\u0651\u064e", "\u064b", "\u0670", "\u0640", "\u0640\u0640\u064e", "\u0615", "\u06e1",
     "\u08f0", "\u0301", "\u0300", "\u0651\u0300\u0640"],
    ids=["fatha", "shadda-fatha", "fathatan", "superscript-alef", "tatweel", "tatweels-fatha", "quranic-0615",
         "quranic-06e1", "quranic-08f0", "combining-acute", "combining-grave", "mixed"],
)
def test_a_match_never_ends_inside_a_base_and_marks_cluster(marks):
    matcher = TermMatcher([("روسيا", "LOC"), ("Russia", "EN")])
    text = f"زار روسيا{marks} اليوم"
    assert spans(matcher, text) == [(4, 9 + len(marks), f"روسيا{marks}", "LOC")]
    assert spans(matcher, f"روسيا{marks}") == [(0, 5 + len(marks), f"روسيا{marks}", "LOC")]
    english = EnglishMatcher([("Russia", "EN")])
    if "\u0640" not in marks:  # tatweel is a letter of the word in English text (no Arabic normalisation)
        assert spans(english, f"to Russia{marks} now") == [(3, 9 + len(marks), f"Russia{marks}", "EN")]


def test_a_match_does_not_take_the_marks_of_the_next_word_or_a_direction_mark():
    matcher = TermMatcher([("روسيا", "LOC")])
    assert spans(matcher, "روسيا \u064eو") == [(0, 5, "روسيا", "LOC")]
    assert spans(matcher, "روسيا\u200f\u064e") == [(0, 5, "روسيا", "LOC")]
    assert spans(matcher, "روسيا،\u064e") == [(0, 5, "روسيا", "LOC")]


def test_the_marks_of_the_last_letter_of_a_term_inside_the_text_stay_with_it():
    matcher = TermMatcher([("روسيا", "LOC"), ("موسكو", "LOC")])
    text = "روسيَّا وموسكوُ"
    assert spans(matcher, text) == [(0, 7, "روسيَّا", "LOC"), (9, 15, "موسكوُ", "LOC")]


def test_offsets_are_python_string_indices_with_characters_outside_the_bmp():
    text = "𝔸𝔹 😀 رُوسـيا 𓀀 وروسيا"
    normalized, mapping = normalize_with_map(text)
    assert normalized == "𝔸𝔹 😀 روسيا 𓀀 وروسيا"
    assert [text[i] for i in mapping] == list(normalized)
    matcher = TermMatcher([("روسيا", "LOC")])
    assert spans(matcher, text) == [(5, 12, "رُوسـيا", "LOC"), (16, 21, "روسيا", "LOC")]


# --- whole words, proclitics, overlaps ---------------------------------------------------------------


def test_a_stripped_reading_keeps_at_least_two_letters():
    matcher = TermMatcher([("ل", "one letter"), ("لا", "two letters"), ("ب", "b")])
    assert spans(matcher, "ول") == []  # و + ل: one letter left
    assert spans(matcher, "بب") == []
    assert spans(matcher, "ولا") == [(1, 3, "لا", "two letters")]
    assert spans(matcher, "ل") == [(0, 1, "ل", "one letter")]  # unstripped, a one-letter term matches


def test_among_equally_long_readings_the_one_with_fewer_proclitics_wins():
    matcher = TermMatcher([("وكالة", "agency"), ("كالة", "shorter"), ("الة", "device")])
    assert spans(matcher, "وكالة") == [(0, 5, "وكالة", "agency")]
    assert spans(matcher, "فوكالة") == [(1, 6, "وكالة", "agency")]
    assert spans(matcher, "بالة") == [(1, 4, "الة", "device")]


def test_the_reading_that_reaches_farthest_wins_over_fewer_proclitics():
    matcher = TermMatcher([("وروسيا", "one word"), ("روسيا الاتحادية", "two words")])
    assert spans(matcher, "وروسيا الاتحادية") == [(1, 16, "روسيا الاتحادية", "two words")]
    assert spans(matcher, "وروسيا اليوم") == [(0, 6, "وروسيا", "one word")]


def test_the_article_after_lam_is_written_with_one_lam():
    matcher = TermMatcher([("الاتحاد", "ORG"), ("لبنان", "LOC")])
    assert spans(matcher, "للاتحاد") == [(1, 7, "لاتحاد", "ORG")]
    assert spans(matcher, "وللاتحاد") == [(2, 8, "لاتحاد", "ORG")]
    assert spans(matcher, "للبنان") == [(1, 6, "لبنان", "LOC")]  # لل + a term without the article
    assert spans(matcher, "فلبنان") == [(1, 6, "لبنان", "LOC")]


def test_the_article_is_stripped_after_any_preposition_and_conjunction():
    matcher = TermMatcher([("موسكو", "LOC")])
    for word in ("الموسكو", "والموسكو", "فالموسكو", "بالموسكو", "كالموسكو", "وبالموسكو", "فكالموسكو"):
        ((start, end, surface, _),) = spans(matcher, word)
        assert (surface, end) == ("موسكو", len(word)), word


@pytest.mark.parametrize(
    "word",
    ["اروسيا", "تروسيا", "وتروسيا", "كلروسيا", "بلروسيا", "لبروسيا", "ابروسيا", "بوروسيا", "لفروسيا"],
)
def test_only_one_preposition_after_the_conjunction_and_only_b_k_l_are_prepositions(word):
    """و ف, then one of ب ك ل, then ال: no other letter, no second preposition, no conjunction after one."""
    assert spans(TermMatcher([("روسيا", "LOC")]), word) == []


def test_no_proclitic_reading_without_a_proclitic():
    matcher = TermMatcher([("وسط", "middle"), ("سط", "x")])
    assert spans(matcher, "وسط") == [(0, 3, "وسط", "middle")]
    assert spans(TermMatcher([("سط", "x")]), "وسط") == [(1, 3, "سط", "x")]  # و is a conjunction
    assert spans(TermMatcher([("سط", "x")]), "مسط") == []


def test_a_match_starts_and_ends_at_word_boundaries_and_matching_goes_on_after_it():
    matcher = TermMatcher([("آسيا الوسطى", "LOC"), ("الوسطى", "middle"), ("آسيا", "asia")])
    assert spans(matcher, "آسيا الوسطى الوسطى آسيا") == [
        (0, 11, "آسيا الوسطى", "LOC"), (12, 18, "الوسطى", "middle"), (19, 23, "آسيا", "asia")]
    assert spans(matcher, "آسياالوسطى") == []


def test_a_term_of_several_words_whose_last_words_are_missing_falls_back_to_a_shorter_one():
    matcher = TermMatcher([("الاتحاد الاقتصادي الأوراسي", "long"), ("الاتحاد", "short")])
    assert spans(matcher, "الاتحاد الاقتصادي") == [(0, 7, "الاتحاد", "short")]
    assert spans(matcher, "الاتحاد") == [(0, 7, "الاتحاد", "short")]
    assert spans(matcher, "الاتحاد الاقتصادي الأوراسي") == [(0, 26, "الاتحاد الاقتصادي الأوراسي", "long")]


def test_terms_are_keyed_by_their_normal_form_with_one_space_between_words():
    assert normalize_terms(["آسيا  الوسطى", "رُوسيا", "\u00a0مكتبة\t"]) == ["اسيا الوسطي", "روسيا", "مكتبه"]
    assert normalize_terms(["سطر\nثان", "روسيا"]) == ["سطر ثان", "روسيا"]  # a term holding a line break
    assert normalize_terms(["سطر\nثان"]) == ["سطر ثان"]
    assert normalize_terms(["أ\nب", "ج\n"]) == ["ا ب", "ج"]
    assert normalize_terms([]) == []
    assert normalize_terms(["\u0627\u0654"]) == [normalize_term("\u0627\u0654")] == ["ا"]  # NFC first
    matcher = TermMatcher([("سطر\nثان", "two lines"), ("روسيا", "LOC")])
    assert spans(matcher, "سطر ثان روسيا") == [(0, 7, "سطر ثان", "two lines"), (8, 13, "روسيا", "LOC")]


def test_a_matcher_built_from_normal_forms_matches_like_one_built_from_terms():
    terms = [("آسيا الوسطى", "LOC"), ("رُوسيا", "LOC"), ("بي.بي.سي", "ORG")]
    text = "في آسيا الوسطى وروسيا وبي.بي.سي"
    built = TermMatcher(terms)
    from_keys = TermMatcher([(normalize_term(t), p) for t, p in terms], normalized=True)
    from_mapping = TermMatcher.from_mapping({normalize_term(t): p for t, p in terms} | {"": "empty"})
    assert spans(built, text) == spans(from_keys, text) == spans(from_mapping, text) == [
        (3, 14, "آسيا الوسطى", "LOC"), (16, 21, "روسيا", "LOC"), (23, 31, "بي.بي.سي", "ORG")]
    assert len(built) == len(from_keys) == len(from_mapping) == 3
    assert len(TermMatcher.from_mapping({})) == 0 and TermMatcher.from_mapping({}).find("روسيا") == []


def test_the_longest_of_several_terms_sharing_their_first_word_wins_whatever_their_order():
    terms = [("آسيا الوسطى الكبرى", "three"), ("آسيا الوسطى", "two"), ("آسيا", "one")]
    for ordered in (terms, terms[::-1], terms[1:] + terms[:1]):
        matcher = TermMatcher(ordered)
        assert spans(matcher, "آسيا الوسطى الكبرى") == [(0, 18, "آسيا الوسطى الكبرى", "three")]
        assert spans(matcher, "آسيا الوسطى الصغرى") == [(0, 11, "آسيا الوسطى", "two")]


def test_a_term_of_one_punctuation_mark_matches():
    matcher = TermMatcher([("؟", "question"), ("%", "percent")])
    assert spans(matcher, "لماذا؟ 5%") == [(5, 6, "؟", "question"), (8, 9, "%", "percent")]
    english = EnglishMatcher([("%", "percent")])
    assert spans(english, "5 % and 7%") == [(2, 3, "%", "percent"), (9, 10, "%", "percent")]


def test_empty_terms_are_skipped_and_the_terms_after_them_kept():
    matcher = TermMatcher([("  ", "blank"), ("ـ", "tatweel only"), ("روسيا", "LOC"), ("", "empty"), ("موسكو", "LOC")])
    assert len(matcher) == 2
    assert [m.surface for m in matcher.find("روسيا وموسكو")] == ["روسيا", "موسكو"]


def test_among_layers_the_reading_with_fewer_proclitics_wins_when_equally_long():
    with_conjunction = TermMatcher([("وروسيا", "whole word")])
    plain = TermMatcher([("روسيا", "after the conjunction")])
    for both in (TermMatcher.layered(plain, with_conjunction), TermMatcher.layered(with_conjunction, plain)):
        assert spans(both, "وروسيا") == [(0, 6, "وروسيا", "whole word")]
        assert spans(both, "فروسيا") == [(1, 6, "روسيا", "after the conjunction")]


def test_no_match_spans_two_texts_of_find_many_and_the_texts_after_are_still_matched():
    """Even a term holding the separator's U+FFFF: the match across texts is dropped, matching goes on."""
    matcher = TermMatcher([("روسيا \uffff موسكو", "across"), ("روسيا", "LOC"), ("موسكو", "LOC")])
    found = matcher.find_many(["قال روسيا", "موسكو اليوم", "زار روسيا"])
    assert [[(m.start, m.end, m.surface) for m in texts] for texts in found] == [[], [], [(4, 9, "روسيا")]]


def test_a_matcher_without_terms_finds_nothing_in_any_number_of_texts():
    for empty in (TermMatcher([]), EnglishMatcher([]), TermMatcher.from_mapping({}), EnglishMatcher.layered()):
        assert empty.find_many(["Russia روسيا", ""]) == [[], []]
        assert empty.find("Russia روسيا") == []
        assert empty.find_many([]) == []


def test_a_matched_key_is_the_normal_form_and_the_payloads_of_every_spelling():
    matcher = TermMatcher([("الأوراسي", "a"), ("الاوراسي", "b"), ("روسيا", "c")])
    (match,) = matcher.find("والأوراسيّ")
    assert (match.key, match.term_payload, match.payloads) == ("الاوراسي", "a", ("a", "b"))
    (match,) = matcher.find("روسيا")
    assert (match.key, match.term_payload, match.payloads) == ("روسيا", "c", ("c",))


def test_punctuated_terms_of_several_tokens_match_with_and_without_gaps_as_written():
    matcher = TermMatcher([("بي.بي.سي", "BBC"), ("روسيا - آسيا", "dash"), ("(روسيا)", "brackets")])
    assert spans(matcher, "بي.بي.سي") == [(0, 8, "بي.بي.سي", "BBC")]
    assert spans(matcher, "روسيا  -\u00a0آسيا") == [(0, 13, "روسيا  -\u00a0آسيا", "dash")]
    assert spans(matcher, "روسيا-آسيا") == []
    assert spans(matcher, "قال (روسيا) أمس") == [(4, 11, "(روسيا)", "brackets")]


def test_the_words_a_matcher_remembers_do_not_change_what_it_finds(monkeypatch):
    """Matching the same texts again, or with the remembered words forgotten, finds the same."""
    matcher = TermMatcher([("روسيا", "LOC"), ("موسكو", "LOC"), ("آسيا الوسطى", "LOC")])
    texts = ["زار روسيا وموسكو", "بلدان آسيا الوسطى وروسيا", "لا شيء هنا", "روسيا روسيا"]
    expected = [spans(matcher, text) for text in texts]
    assert [spans(matcher, text) for text in texts] == expected
    monkeypatch.setattr(arabic, "_HEADS_CACHE_LIMIT", 3)  # forget after every few new words
    fresh = TermMatcher([("روسيا", "LOC"), ("موسكو", "LOC"), ("آسيا الوسطى", "LOC")])
    for _ in range(2):
        assert [spans(fresh, text) for text in texts] == expected
        assert [spans(matcher, text) for text in reversed(texts)] == expected[::-1]
    assert expected[1] == [(6, 17, "آسيا الوسطى", "LOC"), (19, 24, "روسيا", "LOC")]


def test_layered_matchers_find_what_each_finds_preferring_the_longest():
    glossary = TermMatcher([("آسيا الوسطى", "glossary")])
    approved = TermMatcher([("آسيا", "approved"), ("بوتين", "approved")])
    both = TermMatcher.layered(approved, glossary)
    assert len(both) == 3
    assert spans(both, "بوتين في آسيا الوسطى وآسيا") == [
        (0, 5, "بوتين", "approved"), (9, 20, "آسيا الوسطى", "glossary"), (22, 26, "آسيا", "approved")]
    assert TermMatcher.layered().find("روسيا") == []
    english = EnglishMatcher.layered(EnglishMatcher([("Russia", 1)]), EnglishMatcher([("Central Asia", 2)]))
    assert spans(english, "Russia and Central Asia") == [(0, 6, "Russia", 1), (11, 23, "Central Asia", 2)]


# --- English -----------------------------------------------------------------------------------------------


def test_english_folds_typographic_apostrophes_and_hyphens():
    matcher = EnglishMatcher([("Russia's", "poss"), ("Asia-Pacific", "region"), ("O'Neill", "name")])
    text = "Russia’s plan for Asia‐Pacific and Asia‑Pacific, said O‘Neill"
    assert [m.surface for m in matcher.find(text)] == ["Russia’s", "Asia‐Pacific", "Asia‑Pacific", "O‘Neill"]
    assert normalize_english_term("  Russia’s   Asia‑Pacific ") == "russia's asia-pacific"


def test_english_offsets_after_characters_that_lower_to_two():
    matcher = EnglishMatcher([("Istanbul", "LOC"), ("İzmir", "LOC2")])
    text = "İİ İstanbul İzmir Istanbul"
    assert spans(matcher, text) == [(12, 17, "İzmir", "LOC2"), (18, 26, "Istanbul", "LOC")]
    assert normalize_english_term("İzmir") == "i\u0307zmir"


def test_english_offsets_survive_any_character_that_lowers_to_two(monkeypatch):
    """Only "İ" lowers to two characters in this Python's Unicode; a newer one may add others, which the
    folding finds by comparing lengths. Hiding "İ" from the quick look-up stands in for such a character."""
    matcher = EnglishMatcher([("Istanbul", "LOC")])
    text = "İİ say İ Istanbul İ Istanbul"
    expected = spans(matcher, text)
    assert expected == [(9, 17, "Istanbul", "LOC"), (20, 28, "Istanbul", "LOC")]
    monkeypatch.setattr(arabic, "_ENGLISH_EXPANDING", re.compile("(?!)"))
    assert spans(EnglishMatcher([("Istanbul", "LOC")]), text) == expected


def test_english_has_no_proclitics_and_whole_words_only():
    matcher = EnglishMatcher([("Asia", "LOC")])
    assert spans(matcher, "Asian and Eurasia and andAsia") == []
    assert spans(matcher, "ASIA, asia.") == [(0, 4, "ASIA", "LOC"), (6, 10, "asia", "LOC")]


# --- properties --------------------------------------------------------------------------------------------

ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
# Arbitrary text, and text made of the characters normalisation is about, mixed with arbitrary ones.
ARABIC_PIECES = st.sampled_from(
    [c for c, _ in SUBSTITUTIONS] + REMOVED[:: 3] + list(INVISIBLE.values()) + [TATWEEL]
    + ["روسيا", " ", "\n", "\u00a0", "ا", "ل", "و", "𝔸", "😀", "İ", "\u0301"]
)
ANY_TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.lists(st.one_of(ARABIC_PIECES, st.text(ANY_CHARACTER, max_size=3)), max_size=30).map("".join),
)


@PROPERTY
@given(ANY_TEXT)
def test_property_the_offset_map_round_trips_for_any_text(text):
    normalized, mapping = normalize_with_map(text)
    assert len(mapping) == len(normalized) <= len(text)
    assert normalized == normalize_arabic(text)
    # Each normalised character comes from the original character at its mapped index.
    for index, original in zip(range(len(normalized)), mapping):
        assert normalize_arabic(text[original]) == normalized[index]
    assert mapping == sorted(set(mapping))  # in order, each original character once
    # Every original character not in the map is one that normalisation removes.
    kept = set(mapping)
    assert all(normalize_arabic(char) == "" for i, char in enumerate(text) if i not in kept)
    # The span from the first to the last mapped character normalises to the whole normalised text.
    if normalized:
        assert normalize_arabic(text[mapping[0]:mapping[-1] + 1]) == normalized
    else:
        assert mapping == []


ARABIC_TERMS = ["روسيا", "تركمانستان", "الاتحاد الاقتصادي الأوراسي", "آسيا الوسطى", "موسكو", "بوتين", "مدينة",
                "إيران", "کرملین"]
GAPS = [" ", "  ", "\n", "\u00a0", "\t", " \n "]
SEPARATORS = [" ", "\n", "\u00a0", "،", ".", " «", "» ", " (", ") ", " - "]
DRESSING = ["\u064e", "\u0651", "\u0650", "\u0670", TATWEEL, "\u0615", "\u06e1", "\u200c", "\u200d", "\u200e",
            "\u200f", "\u061c"]
VARIANTS = {"ا": "اأإآٱٲٳ", "ه": "هة", "ي": "يىی", "ك": "كک", "ة": "ةه", "أ": "أا", "آ": "آا", "إ": "إا",
            "ى": "ىي", "ی": "یي", "ک": "کك"}


@st.composite
def dressed_term(draw):
    """A term, and how it is written in a text: any alef form, harakat, tatweel and invisible marks
    inside, any white space between its words, optionally a proclitic in front; with the index of its
    first letter and its end in that writing (after the marks of its last letter)."""
    term = draw(st.sampled_from(ARABIC_TERMS))
    proclitic = draw(st.sampled_from(["", "و", "ف", "ب", "ك", "وب", "فب"] if not term.startswith("ال") else
                                      ["", "و", "ف", "ب", "ك", "وب", "فب", "فك"]))
    written = proclitic
    first = len(written)
    words = term.split(" ")
    for w, word in enumerate(words):
        if w:
            written += draw(st.sampled_from(GAPS))
        for i, letter in enumerate(word):
            written += draw(st.sampled_from(VARIANTS.get(letter, letter)))
            last = w == len(words) - 1 and i == len(word) - 1
            # Marks after any letter; invisible marks only inside a word (after its last letter they
            # are not part of the match).
            allowed = [d for d in DRESSING if not last or d not in "\u200c\u200d\u200e\u200f\u061c"]
            written += "".join(draw(st.lists(st.sampled_from(allowed), max_size=2)))
    return term, written, first, len(written)


@PROPERTY
@given(dressed_term(), st.text(ANY_CHARACTER, max_size=20), st.text(ANY_CHARACTER, max_size=20),
       st.sampled_from(SEPARATORS), st.sampled_from(SEPARATORS))
def test_property_a_term_put_into_any_text_is_found_at_its_exact_offsets(dressed, before, after, left, right):
    term, written, first, end = dressed
    prefix = before + left
    text = prefix + written + right + after
    matcher = TermMatcher([(term, "T")])
    found = [(m.start, m.end) for m in matcher.find(text)]
    assert (len(prefix) + first, len(prefix) + end) in found, (text, found)
    for match in matcher.find(text):
        assert text[match.start:match.end] == match.surface
        assert match.key == normalize_term(term)


ENGLISH_TERMS = ["Russia", "Eurasian Economic Union", "Central Asia", "BRICS"]


@PROPERTY
@given(st.sampled_from(ENGLISH_TERMS), st.randoms(use_true_random=False), st.sampled_from(GAPS),
       st.text(ANY_CHARACTER, max_size=20), st.text(ANY_CHARACTER, max_size=20),
       st.sampled_from(SEPARATORS), st.sampled_from(SEPARATORS))
def test_property_an_english_term_in_any_case_in_any_text_is_found_at_its_exact_offsets(
        term, random, gap, before, after, left, right):
    written = gap.join("".join(c.upper() if random.random() < 0.5 else c.lower() for c in word)
                       for word in term.split(" "))
    prefix = before + left
    text = prefix + written + right + after
    matcher = EnglishMatcher([(term, "T")])
    found = [(m.start, m.end) for m in matcher.find(text)]
    assert (len(prefix), len(prefix) + len(written)) in found, (text, found)
    assert all(text[m.start:m.end] == m.surface for m in matcher.find(text))


@PROPERTY
@given(st.lists(st.one_of(dressed_term().map(lambda d: d[1]), ANY_TEXT), max_size=6))
def test_property_find_many_is_find_of_each_text(texts):
    matcher = TermMatcher([(term, term) for term in ARABIC_TERMS])
    assert matcher.find_many(texts) == [matcher.find(text) for text in texts]
