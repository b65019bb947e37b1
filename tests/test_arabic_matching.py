"""Arabic normalisation with an offset map, and the term matchers behind suggestions (app/services/arabic.py)."""
import unicodedata

import pytest

from app.services.arabic import (
    EnglishMatcher,
    TermMatcher,
    normalize_english_term,
    normalize_term,
    normalize_with_map,
)
from tests.conftest import SEEDS_DIR

EURASIAN = "الاتحاد الاقتصادي الأوراسي"


def spans(matcher, text):
    return [(m.start, m.end, m.surface, m.term_payload) for m in matcher.find(text)]


@pytest.fixture(scope="module")
def matcher():
    return TermMatcher([
        ("روسيا", "LOC"), ("تركمانستان", "LOC"), (EURASIAN, "ORG"), ("آسيا الوسطى", "LOC"),
        ("عاصمة", "MISC"), ("موسكو", "LOC"), ("روس", "X"), ("روسيا الاتحادية", "LOC-long"),
    ])


# --- normalisation ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, normalized", [
    ("أوراسي", "اوراسي"), ("إلى", "الي"), ("آسيا", "اسيا"), ("ٱلله", "الله"),
    ("عاصمة", "عاصمه"), ("الوسطى", "الوسطي"), ("روسـيا", "روسيا"), ("رُوسِيَا", "روسيا"),
    ("ذٰلك", "ذلك"), ("الْقُرْآنِ", "القران"),
])
def test_normalisation(raw, normalized):
    assert normalize_with_map(raw)[0] == normalized


def test_the_map_points_each_normalised_character_at_its_original():
    text = "قالَ رُوسـيا"
    normalized, mapping = normalize_with_map(text)
    assert normalized == "قال روسيا"
    assert len(mapping) == len(normalized)
    assert [text[i] for i in mapping] == list("قال روسيا")
    assert normalize_with_map("abc") == ("abc", [0, 1, 2])


def test_equivalent_spellings_share_one_key():
    assert normalize_term("الأوراسي") == normalize_term("الاوراسي") == normalize_term("الأوراسيّ")
    assert normalize_term("  آسيا \u00a0 الوسطى ") == "اسيا الوسطي"
    assert normalize_english_term("Eurasian  Economic\nUnion") == "eurasian economic union"


# --- Arabic matching ----------------------------------------------------------------------------------------

def test_real_words_from_the_seed_article(matcher):
    text = unicodedata.normalize("NFC", (SEEDS_DIR / "000_87e300d100e4e0f3.txt").read_text(encoding="utf-8"))
    found = matcher.find(text)
    assert found, "the seed article mentions Russia and Turkmenistan"
    for match in found:  # every span is exact in the original text
        assert text[match.start:match.end] == match.surface
        assert normalize_term(match.surface) == match.key
    surfaces = {m.surface for m in found}
    assert {"روسيا", "تركمانستان", "الاتحاد الاقتصادي الأوراسي"} <= surfaces


def test_title_of_the_seed_article(matcher):
    title = 'روسيا وتركمانستان تعملان على تطوير التعاون باستخدام إمكانات "الاتحاد الاقتصادي الأوراسي"'
    assert spans(matcher, title) == [
        (0, 5, "روسيا", "LOC"),
        (7, 17, "تركمانستان", "LOC"),  # after the conjunction و, without it
        (title.index("الاتحاد"), title.index("الاتحاد") + len(EURASIAN), EURASIAN, "ORG"),
    ]


def test_diacritics_tatweel_and_hamza_forms_do_not_matter(matcher):
    assert spans(matcher, "رُوسِيَا") == [(0, 8, "رُوسِيَا", "LOC")]
    assert spans(matcher, "روسـيا") == [(0, 6, "روسـيا", "LOC")]
    assert spans(matcher, "الاتحاد الاقتصادي الاوراسي") == [(0, 26, "الاتحاد الاقتصادي الاوراسي", "ORG")]
    assert spans(matcher, "عاصمه") == [(0, 5, "عاصمه", "MISC")]  # ta marbuta written as ha
    assert spans(matcher, "اسيا الوسطي") == [(0, 11, "اسيا الوسطي", "LOC")]  # alef maqsura as ya, bare alef


def test_a_match_ends_after_the_marks_of_its_last_letter(matcher):
    text = "زار روسيَا، ثم موسكوـ"
    assert spans(matcher, text) == [(4, 10, "روسيَا", "LOC"), (15, 21, "موسكوـ", "LOC")]


@pytest.mark.parametrize("word, offset", [
    ("وروسيا", 1), ("فروسيا", 1), ("بروسيا", 1), ("لروسيا", 1), ("كروسيا", 1), ("الروسيا", 2),
    ("وبروسيا", 2), ("ولروسيا", 2), ("فبروسيا", 2), ("والروسيا", 3), ("بالروسيا", 3), ("فالروسيا", 3),
    ("كالروسيا", 3), ("للروسيا", 2), ("وبالروسيا", 4), ("وللروسيا", 3),
])
def test_each_proclitic_is_allowed_and_left_out_of_the_span(matcher, word, offset):
    text = f"قال {word} اليوم"
    assert spans(matcher, text) == [(4 + offset, 4 + len(word), "روسيا", "LOC")]


@pytest.mark.parametrize("word, surface", [
    ("والاتحاد", "الاتحاد"), ("بالاتحاد", "الاتحاد"), ("فالاتحاد", "الاتحاد"), ("كالاتحاد", "الاتحاد"),
    ("وبالاتحاد", "الاتحاد"),
    ("للاتحاد", "لاتحاد"), ("وللاتحاد", "لاتحاد"),  # ل + ال is written لل: the term's article keeps one ل
])
def test_a_term_with_the_article_matches_after_a_proclitic(matcher, word, surface):
    text = f"{word} الاقتصادي الأوراسي"
    (match,) = matcher.find(text)
    assert (match.surface, match.term_payload) == (surface + " الاقتصادي الأوراسي", "ORG")
    assert match.start == len(word) - len(surface) and match.end == len(text)


def test_no_match_inside_a_longer_word(matcher):
    assert spans(matcher, "روسيا") == [(0, 5, "روسيا", "LOC")]  # not روس
    assert spans(matcher, "روسي الروسية روسياتنا") == []  # neither روس nor روسيا inside longer words
    assert spans(matcher, "بيروسيا") == []  # ي is no proclitic
    assert spans(matcher, "و") == []


def test_longest_term_wins_and_matching_goes_on_after_it(matcher):
    text = "روسيا الاتحادية وروسيا"
    assert spans(matcher, text) == [(0, 15, "روسيا الاتحادية", "LOC-long"), (17, 22, "روسيا", "LOC")]


def test_any_white_space_between_words_of_a_term(matcher):
    text = "الاتحاد  الاقتصادي\u00a0الأوراسي"
    assert spans(matcher, text) == [(0, len(text), text, "ORG")]
    assert spans(matcher, "الاتحادالاقتصادي") == []


def test_offsets_are_python_indices_after_a_character_outside_the_bmp(matcher):
    text = "🇷🇺 𝔸 زار رُوسيا"  # flags and a math letter: each one Python index, two UTF-16 units
    (match,) = matcher.find(text)
    assert text[match.start:match.end] == "رُوسيا"
    assert (match.start, match.end) == (9, 15) == (len("🇷🇺 𝔸 زار "), len(text))
    assert len("🇷🇺 𝔸 زار ".encode("utf-16-le")) // 2 == 12  # what a browser would count instead


def test_punctuation_around_and_inside_terms():
    matcher = TermMatcher([("بي.بي.سي", "ORG"), ("روسيا", "LOC")])
    assert spans(matcher, "قالت بي.بي.سي: «روسيا»،") == [(5, 13, "بي.بي.سي", "ORG"), (16, 21, "روسيا", "LOC")]
    assert spans(matcher, "بي. بي. سي") == []  # the spacing of a term is part of it


def test_several_payloads_for_one_form():
    matcher = TermMatcher([("الأوراسي", 1), ("الاوراسي", 2)])
    assert len(matcher) == 1
    (match,) = matcher.find("الأوراسي")
    assert match.term_payload == 1 and match.payloads == (1, 2)


def test_empty_terms_and_texts():
    assert TermMatcher([]).find("روسيا") == []
    assert TermMatcher([("  ", 1), ("ـ", 2)]).find("روسيا") == []
    assert TermMatcher([("روسيا", 1)]).find("") == []


def test_find_many_is_find_of_each_text(matcher):
    texts = ["زار رُوسيا", "", "الاتحاد الاقتصادي", "الأوراسي وروسيا", "روسيا الاتحادية"]
    assert matcher.find_many(texts) == [matcher.find(text) for text in texts]
    assert [[m.surface for m in found] for found in matcher.find_many(texts)] == [
        ["رُوسيا"], [], [], ["روسيا"], ["روسيا الاتحادية"]]  # no term spans two texts
    assert matcher.find_many([]) == [] and TermMatcher([]).find_many(["روسيا"]) == [[]]


# --- English ------------------------------------------------------------------------------------------------

def test_english_matching_is_case_insensitive_on_whole_words():
    matcher = EnglishMatcher([("Russia", "LOC"), ("Eurasian Economic Union", "ORG"), ("Turkmenistan", "LOC")])
    text = "RUSSIA and Turkmenistan discussed the eurasian  economic\nunion; Russian talks in Russia's capital."
    found = [(m.surface, m.term_payload) for m in matcher.find(text)]
    assert found == [("RUSSIA", "LOC"), ("Turkmenistan", "LOC"), ("eurasian  economic\nunion", "ORG"),
                     ("Russia", "LOC")]
    assert all(text[m.start:m.end] == m.surface for m in matcher.find(text))


def test_english_offsets_survive_characters_that_lower_case_to_two():
    matcher = EnglishMatcher([("Istanbul", "LOC")])
    text = "İ 😀 Istanbul’s mayor"
    (match,) = matcher.find(text)
    assert text[match.start:match.end] == "Istanbul"


def test_layered_matchers_share_their_forms():
    glossary = TermMatcher([("روسيا", "glossary"), ("روسيا الاتحادية", "glossary-long")])
    approved = TermMatcher([("بوتين", "approved"), ("روسيا", "approved-first")])
    both = TermMatcher.layered(approved, glossary)
    assert spans(both, "بوتين وروسيا الاتحادية وروسيا") == [
        (0, 5, "بوتين", "approved"), (7, 22, "روسيا الاتحادية", "glossary-long"),
        (24, 29, "روسيا", "approved-first"),  # the same form in two layers: the first layer's payload
    ]
    assert spans(glossary, "بوتين") == []
