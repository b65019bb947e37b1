"""The documented rules of the importer's text cleaning (app/services/news_text.py), one test per rule.

Each test is named after the rule in the module docstring it pins, and writes its expected values
out (month names, credit labels, residue), never reading them from the module's own tables, so a
change to a table that breaks a rule fails here. The property tests (hypothesis, derandomised so a
run is the same every time) check what examples cannot: whatever the text, the paragraphs that come
out are NFC, free of the residue the docstring names, and without white space at either end.
"""
from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.news_text import (
    NewsTextParts,
    UnreadableText,
    parse_arabic_date,
    parse_news_text,
    parse_news_text_parts,
    prepare_bytes,
    prepare_for_import,
    prepare_path,
)
from tests.support.properties import DETERMINISTIC

PROPERTY = settings(DETERMINISTIC, max_examples=300)  # enough to cover the mix of fragments below

TITLE = "روسيا وتركمانستان تعملان على تطوير التعاون"
BODY = "قال المتحدث إن الاجتماع بين الوفدين كان ناجحا وإن المحادثات ستستمر غدا."
BODY_2 = "وأضاف أن البلدين يعملان على تطوير التعاون في مجالات الطاقة والنقل والزراعة."
BODY_3 = "وأشار إلى أن القمة المقبلة ستعقد في العاصمة الروسية موسكو خلال العام المقبل."
SHORT = "التعاون في مجال الطاقة"  # 4 words, no final punctuation: a subheading between body paragraphs


def parse(*lines: str):
    return parse_news_text("\n".join(lines).encode())


def kinds(*lines: str) -> list[str]:
    return [p.kind for p in parse(*lines).paragraphs]


def texts(*lines: str) -> list[str]:
    return [p.text for p in parse(*lines).paragraphs]


def words(count: int) -> str:
    """`count` distinct Arabic words, no final punctuation."""
    pool = ("روسيا تركمانستان كازاخستان أوزبكستان طاجيكستان قيرغيزستان أذربيجان أرمينيا بيلاروس "
            "مولدوفا جورجيا منغوليا الصين الهند إيران تركيا مصر").split()
    assert count <= len(pool)
    return " ".join(pool[:count])


# --- the date line: month names and digits ------------------------------------------------------------

# Every month name the docstring's three regions use, written out here with its month; hamza forms and
# their plain-alef spellings both.
MONTH_NAMES = [
    # Egypt and the Gulf
    ("يناير", 1), ("فبراير", 2), ("مارس", 3), ("أبريل", 4), ("ابريل", 4), ("إبريل", 4), ("مايو", 5),
    ("يونيو", 6), ("يونيه", 6), ("يوليو", 7), ("يوليه", 7), ("أغسطس", 8), ("اغسطس", 8), ("سبتمبر", 9),
    ("أكتوبر", 10), ("اكتوبر", 10), ("نوفمبر", 11), ("ديسمبر", 12),
    # The Levant and Iraq
    ("كانون الثاني", 1), ("شباط", 2), ("آذار", 3), ("اذار", 3), ("نيسان", 4), ("أيار", 5), ("ايار", 5),
    ("حزيران", 6), ("تموز", 7), ("آب", 8), ("اب", 8), ("أيلول", 9), ("ايلول", 9), ("تشرين الأول", 10),
    ("تشرين الاول", 10), ("تشرين الثاني", 11), ("كانون الأول", 12), ("كانون الاول", 12),
    # The Maghreb (مارس and سبتمبر to ديسمبر as in Egypt)
    ("جانفي", 1), ("فيفري", 2), ("أفريل", 4), ("افريل", 4), ("ماي", 5), ("جوان", 6), ("جويلية", 7),
    ("أوت", 8), ("اوت", 8),
]
# One Egyptian and one Levantine name per month, for "10 يونيو/حزيران 2022" and "22 فبراير (شباط) 2022".
MONTH_PAIRS = [
    ("يناير", "كانون الثاني", 1), ("فبراير", "شباط", 2), ("مارس", "آذار", 3), ("أبريل", "نيسان", 4),
    ("مايو", "أيار", 5), ("يونيو", "حزيران", 6), ("يوليو", "تموز", 7), ("أغسطس", "آب", 8),
    ("سبتمبر", "أيلول", 9), ("أكتوبر", "تشرين الأول", 10), ("نوفمبر", "تشرين الثاني", 11),
    ("ديسمبر", "كانون الأول", 12),
]


@pytest.mark.parametrize(("name", "month"), MONTH_NAMES)
def test_every_month_name_of_the_three_regions_gives_its_month(name, month):
    assert parse_arabic_date(f"15 {name} 2022") == datetime.date(2022, month, 15)


@pytest.mark.parametrize(("name", "month"), MONTH_NAMES)
def test_a_date_line_with_any_month_name_in_arabic_indic_digits_becomes_published(name, month):
    article = parse("Ru En", TITLE, f"١٥ {name} ٢٠٢٢", BODY)

    assert article.published == datetime.date(2022, month, 15)
    assert [p.text for p in article.paragraphs] == [TITLE, BODY]  # the date line is not a paragraph
    assert "date 2022-%02d-15 taken from line 3" % month in article.notes


def test_levantine_july_and_september_are_july_and_september():
    """تموز and أيلول, the two a mutation study found unpinned."""
    assert parse_arabic_date("٢٠ تموز ٢٠٢٣") == datetime.date(2023, 7, 20)
    assert parse_arabic_date("٢٠ أيلول ٢٠٢٣") == datetime.date(2023, 9, 20)
    assert parse_arabic_date("٢٠ ايلول ٢٠٢٣") == datetime.date(2023, 9, 20)


@pytest.mark.parametrize(("gulf", "levant", "month"), MONTH_PAIRS)
def test_two_names_of_the_same_month_after_a_slash_or_in_brackets_agree(gulf, levant, month):
    date = datetime.date(2022, month, 10)
    assert parse_arabic_date(f"١٠ {gulf}/{levant} ٢٠٢٢") == date
    assert parse_arabic_date(f"10 {gulf} / {levant} 2022") == date
    assert parse_arabic_date(f"١٠ {gulf} ({levant}) ٢٠٢٢") == date
    assert parse_arabic_date(f"10 {levant} ( {gulf} ) 2022") == date


@pytest.mark.parametrize(("gulf", "levant", "month"), MONTH_PAIRS)
def test_two_month_names_that_disagree_are_no_date(gulf, levant, month):
    _, next_levant, _ = MONTH_PAIRS[month % 12]
    assert parse_arabic_date(f"١٠ {gulf}/{next_levant} ٢٠٢٢") is None
    assert parse_arabic_date(f"١٠ {gulf} ({next_levant}) ٢٠٢٢") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("١٠ يونيو ٢٠٢٢", datetime.date(2022, 6, 10)),  # Arabic-Indic
        ("۱۰ يونيو ۲۰۲۲", datetime.date(2022, 6, 10)),  # Eastern Arabic-Indic (Persian)
        ("10 يونيو 2022", datetime.date(2022, 6, 10)),  # Western
        ("٥ يونيو ٢٠٢٢", datetime.date(2022, 6, 5)),  # a one-digit day
        ("٠٥ يونيو ٢٠٢٢", datetime.date(2022, 6, 5)),
        ("١٠ يونيو ٢٠٢٢م", datetime.date(2022, 6, 10)),  # م: ميلادي
        ("١٠ يونيو ٢٠٢٢ م", datetime.date(2022, 6, 10)),
        ("١٠٠ يونيو ٢٠٢٢", None),  # a three-digit day
        ("١٠ يونيو ٢٢", None),  # a two-digit year
        ("٣١ يونيو ٢٠٢٢", None),  # June has 30 days
        ("٢٩ فبراير ٢٠٢٤", datetime.date(2024, 2, 29)),  # a leap year
        ("٢٩ فبراير ٢٠٢٣", None),
        ("١٠ يونيو", None),  # no year
        ("يونيو ٢٠٢٢", None),  # no day
        ("١٠ Jun ٢٠٢٢", None),
    ],
)
def test_date_line_digits_and_shape(text, expected):
    assert parse_arabic_date(text) == expected


def test_the_longest_date_line_is_still_a_date():
    """Two of the longest month names, spaced brackets and a spaced م: the longest a date line can be."""
    longest = "٣١ كانون الثاني ( كانون الثاني ) ٢٠٢٢ م"
    assert len(longest) == 39
    assert parse_arabic_date(longest) == datetime.date(2022, 1, 31)
    assert parse_arabic_date("٣٠ تشرين الثاني ( تشرين الثاني ) ٢٠٢٢ م") == datetime.date(2022, 11, 30)
    assert parse_arabic_date(longest + " ") == datetime.date(2022, 1, 31)  # cleaned first
    assert parse_arabic_date("x" + longest) is None


def test_the_date_line_is_looked_for_among_the_first_five_lines_only():
    fifth = parse(TITLE, BODY, BODY_2, BODY_3, "١٠ يونيو ٢٠٢٢", BODY)
    assert fifth.published == datetime.date(2022, 6, 10)
    assert "١٠ يونيو ٢٠٢٢" not in [p.text for p in fifth.paragraphs]

    sixth = parse(TITLE, BODY, BODY_2, BODY_3, BODY, "١٠ يونيو ٢٠٢٢", BODY)
    assert sixth.published is None
    assert sixth.paragraphs[5].text == "١٠ يونيو ٢٠٢٢"


def test_blank_lines_do_not_count_towards_the_five_lines_of_the_date_window():
    article = parse(TITLE, "", BODY, "\u00a0", BODY_2, "", BODY_3, "", "١٠ يونيو ٢٠٢٢", BODY)
    assert article.published == datetime.date(2022, 6, 10)
    assert "date 2022-06-10 taken from line 9" in article.notes


def test_the_language_switcher_counts_as_one_of_the_five_lines_of_the_date_window():
    assert parse("Ru En", TITLE, BODY, BODY_2, "١٠ يونيو ٢٠٢٢", BODY).published == datetime.date(2022, 6, 10)
    late = parse("Ru En", TITLE, BODY, BODY_2, BODY_3, "١٠ يونيو ٢٠٢٢", BODY)
    assert late.published is None
    assert late.paragraphs[-2].text == "١٠ يونيو ٢٠٢٢"


def test_line_numbers_in_the_notes_count_the_removed_switcher_line():
    article = parse("Ru En", "١٠ يونيو ٢٠٢٢", TITLE, BODY, "المصدر: تاس")
    assert article.published == datetime.date(2022, 6, 10)
    assert "date 2022-06-10 taken from line 2" in article.notes
    assert "source 'تاس' taken from line 5" in article.notes


def test_only_the_first_date_line_is_the_publication_date():
    article = parse(TITLE, "١٠ يونيو ٢٠٢٢", "١١ يوليو ٢٠٢٣", BODY)
    assert article.published == datetime.date(2022, 6, 10)
    assert [p.text for p in article.paragraphs] == [TITLE, "١١ يوليو ٢٠٢٣", BODY]


def test_dates_inside_body_text_are_never_the_publication_date():
    article = parse(TITLE, "وعقدت القمة في ١٠ يونيو ٢٠٢٢ في موسكو.", BODY)
    assert article.published is None
    assert not [note for note in article.notes if note.startswith("date ")]


def test_a_headline_that_is_a_date_is_taken_as_the_date():
    article = parse("١٠ يونيو ٢٠٢٢", TITLE, BODY)
    assert article.published == datetime.date(2022, 6, 10)
    assert article.title == TITLE
    assert "date 2022-06-10 taken from line 1" in article.notes


# --- the language switcher ------------------------------------------------------------------------------


@pytest.mark.parametrize("switcher", ["Ru En", "Ru | En", "Ru|En", "Ru / En", "En Ar Ru", "RU | EN | AR", "En"])
def test_the_language_switcher_never_becomes_the_title(switcher):
    article = parse(switcher, TITLE, BODY)

    assert article.title == TITLE
    assert [p.text for p in article.paragraphs] == [TITLE, BODY]
    assert f"removed language switcher line {switcher!r}" in article.notes


@pytest.mark.parametrize("headline", ["BRICS", "RT News", "R En", "Ru En 2022"])
def test_a_latin_headline_that_is_not_two_letter_codes_stays_the_title(headline):
    article = parse(headline, BODY)
    assert article.title == headline
    assert not [note for note in article.notes if "language switcher" in note]


def test_a_language_switcher_is_only_removed_from_the_top():
    assert texts(TITLE, "Ru En", BODY) == [TITLE, "Ru En", BODY]


# --- credits and the source -----------------------------------------------------------------------------

# Each credit form of the docstring, with the source it gives (None: a photo credit or editor, never the source).
CREDIT_FORMS = [
    ("المصدر: تاس", "تاس"),
    ("المصدر : تاس", "تاس"),
    ("المصدر:تاس", "تاس"),
    ("مصدر | وكالة تسنيم للأنباء |", "وكالة تسنيم للأنباء"),
    ("مصدر: وكالة سبوتنيك", "وكالة سبوتنيك"),
    ("الصورة: مجلس الاتحاد الروسي", None),
    ("الصورة | أرشيف", None),
    ("مصدر الصورة: المكتب الصحفي لرئاسة طاجيكستان", None),
    ("تصوير: أحمد علي", None),
    ("المحرر: سامي محمود", None),
    ('مجموعة الرؤية الاستراتيجية "روسيا - العالم الإسلامي"', None),
    ('مجموعة الرؤية الإستراتيجة "روسيا - العالم الإسلامي"', None),
]

# A bar after the label, and at the end, are a site menu's separators: the credit reads "label: value".
CREDIT_TEXTS = {"مصدر | وكالة تسنيم للأنباء |": "مصدر: وكالة تسنيم للأنباء", "الصورة | أرشيف": "الصورة: أرشيف"}


@pytest.mark.parametrize(("line", "source"), CREDIT_FORMS)
def test_each_credit_form_is_a_credit_wherever_it_stands(line, source):
    """In the middle of the body too: the line is a credit by its label, not by the trailing block."""
    article = parse(TITLE, BODY, line, BODY_2, BODY_3)

    assert [p.kind for p in article.paragraphs] == ["title", "body", "credit", "body", "body"]
    assert article.paragraphs[2].text == CREDIT_TEXTS.get(line, line)
    assert article.source == source


@pytest.mark.parametrize(("line", "source"), CREDIT_FORMS)
def test_each_credit_form_at_the_end_is_a_credit(line, source):
    article = parse(TITLE, BODY, BODY_2, line)

    assert [p.kind for p in article.paragraphs] == ["title", "body", "body", "credit"]
    assert article.source == source
    assert "marked 1 credit line" in article.notes
    if source:
        assert f"source {source!r} taken from line 4" in article.notes


def test_editor_lines_are_credits_never_the_source():
    article = parse(TITLE, BODY, "المحرر: سامي محمود", "المصدر: تاس")
    assert [p.kind for p in article.paragraphs] == ["title", "body", "credit", "credit"]
    assert article.source == "تاس"


def test_the_source_comes_from_the_first_source_credit_with_a_name():
    article = parse(TITLE, BODY, "الصورة: رويترز", "المصدر:", "مصدر | |", "المصدر: تاس", "المصدر: رويترز")
    assert article.source == "تاس"
    assert "source 'تاس' taken from line 6" in article.notes
    assert [p.kind for p in article.paragraphs] == ["title", "body"] + ["credit"] * 5


@pytest.mark.parametrize(
    ("line", "source"),
    [("المصدر: Xinhua", "Xinhua"), ("مصدر | XINHUA |", "XINHUA"), ("المصدر: | وكالة | الأنباء |", "وكالة | الأنباء")],
)
def test_the_source_is_the_credit_value_without_surrounding_spaces_and_bars(line, source):
    assert parse(TITLE, BODY, line).source == source


def test_a_photo_credit_alone_gives_no_source():
    article = parse(TITLE, BODY, "مصدر الصورة: تاس", "الصورة: تاس", "تصوير: تاس")
    assert article.source is None
    assert not [note for note in article.notes if note.startswith("source")]


def test_a_credit_right_after_an_image_is_a_credit_not_a_caption():
    article = parse(TITLE, BODY + "![]()", "الصورة: تاس", BODY_2)
    assert [p.kind for p in article.paragraphs] == ["title", "body", "credit", "body"]


# --- the trailing credit block ------------------------------------------------------------------------


def test_short_lines_around_the_credits_at_the_end_are_credits():
    article = parse(TITLE, BODY, BODY_2, "DIGITAL WORLD", "مصدر الصورة: تاس", "مركز بريكس+ الإعلامي", "MODERN RUSSIAN")
    assert [p.kind for p in article.paragraphs] == ["title", "body", "body"] + ["credit"] * 4
    assert "marked 4 credit lines" in article.notes


def test_only_one_short_line_directly_before_the_first_credit_joins_the_block():
    article = parse(TITLE, BODY, "قائمة أولى", "قائمة ثانية", "المصدر: تاس")
    assert [p.kind for p in article.paragraphs] == ["title", "body", "body", "credit", "credit"]


def test_a_footer_item_has_at_most_six_words():
    six, seven = words(6), words(7)
    assert kinds(TITLE, BODY, BODY_2, "المصدر: تاس", six) == ["title", "body", "body", "credit", "credit"]
    assert kinds(TITLE, BODY, BODY_2, "المصدر: تاس", seven) == ["title", "body", "body", "credit", "body"]
    assert kinds(TITLE, BODY, BODY_2, six, "المصدر: تاس") == ["title", "body", "body", "credit", "credit"]
    assert kinds(TITLE, BODY, BODY_2, seven, "المصدر: تاس") == ["title", "body", "body", "body", "credit"]


def test_a_body_paragraph_before_the_credits_stays_body():
    assert kinds(TITLE, BODY, BODY_2, "المصدر: تاس") == ["title", "body", "body", "credit"]
    assert kinds(TITLE, BODY, "قال المتحدث:", "المصدر: تاس") == ["title", "body", "body", "credit"]


def test_a_short_line_between_the_headline_and_the_credits_joins_them():
    assert kinds(TITLE, "قائمة", "المصدر: تاس") == ["title", "credit", "credit"]
    assert kinds(TITLE, "المصدر: تاس") == ["title", "credit"]


def test_short_closing_lines_without_a_credit_stay_body():
    assert kinds(TITLE, BODY, "DIGITAL WORLD", "MODERN RUSSIAN") == ["title", "body", "body", "body"]


def test_the_headline_stays_the_title_even_when_it_looks_like_a_credit():
    article = parse("المصدر: تاس", BODY)
    assert [p.kind for p in article.paragraphs] == ["title", "body"]
    assert article.title == "المصدر: تاس"
    assert article.source is None


def test_the_headline_never_starts_the_trailing_credit_block():
    """Only the short line directly before the first credit below the headline joins the block."""
    assert kinds("المصدر: تاس", "قائمة أولى", "قائمة ثانية", "الصورة: رويترز") == [
        "title", "body", "credit", "credit"]


# --- subheadings and captions -----------------------------------------------------------------------------


def test_a_short_line_between_body_paragraphs_is_a_subheading():
    article = parse(TITLE, BODY, SHORT, BODY_2)
    assert [p.kind for p in article.paragraphs] == ["title", "body", "title", "body"]
    assert "marked 1 section subheading" in article.notes


def test_a_subheading_has_at_most_twelve_words():
    assert kinds(TITLE, BODY, words(12), BODY_2) == ["title", "body", "title", "body"]
    assert kinds(TITLE, BODY, words(13), BODY_2) == ["title", "body", "body", "body"]


def test_subheading_words_are_tokens_with_a_letter_or_digit():
    """A lone dash is no word: twelve words and a dash are still a subheading; a number is a word."""
    twelve_and_a_dash = words(6) + " - " + words(12).split(" ", 6)[6]
    assert len(twelve_and_a_dash.split()) == 13
    assert kinds(TITLE, BODY, twelve_and_a_dash, BODY_2) == ["title", "body", "title", "body"]
    assert kinds(TITLE, BODY, words(12) + " 2027", BODY_2) == ["title", "body", "body", "body"]


@pytest.mark.parametrize("end", [".", "!", "?", "؟", ":", "…", '"', "'", "“", "”", "‘", "’", "»"])
def test_a_short_line_that_ends_like_a_sentence_or_a_quote_is_not_a_subheading(end):
    assert kinds(TITLE, BODY, SHORT + end, BODY_2) == ["title", "body", "body", "body"]


def test_a_short_line_right_after_the_headline_is_not_a_subheading():
    assert kinds(TITLE, SHORT, BODY, BODY_2) == ["title", "body", "body", "body"]


def test_a_subheading_must_be_followed_by_body_text():
    # Followed by another short line: not a subheading (the second one, followed by body text, is).
    assert kinds(TITLE, BODY, SHORT, "الخبرة الطبية", BODY_2) == ["title", "body", "body", "title", "body"]
    # Followed by a credit, or last.
    assert kinds(TITLE, BODY, SHORT, "المصدر: تاس") == ["title", "body", "credit", "credit"]
    assert kinds(TITLE, BODY, BODY_2, SHORT) == ["title", "body", "body", "body"]


def test_several_subheadings_are_counted_in_the_notes():
    article = parse(TITLE, BODY, SHORT, BODY_2, "الخبرة الطبية", BODY_3)
    assert [p.kind for p in article.paragraphs] == ["title", "body", "title", "body", "title", "body"]
    assert "marked 2 section subheadings" in article.notes


def test_the_paragraph_after_an_image_is_its_caption():
    article = parse(TITLE, BODY + "![]()", "فلاديمير بوتين رئيس روسيا الاتحادية", BODY_2, BODY_3)
    assert [p.kind for p in article.paragraphs] == ["title", "body", "caption", "body", "body"]
    assert article.paragraphs[1].text == BODY
    assert "marked 1 photo caption" in article.notes
    assert "removed 1 image marker" in article.notes


def test_a_headline_carrying_an_image_below_the_switcher_is_followed_by_its_caption():
    article = parse("Ru En", TITLE + "![]()", "فلاديمير بوتين", BODY)
    assert [p.kind for p in article.paragraphs] == ["title", "caption", "body"]
    assert article.title == TITLE


def test_a_subheading_may_follow_a_caption():
    article = parse(TITLE, BODY + "![](https://example.com/a.jpg)", "فلاديمير بوتين", SHORT, BODY_2)
    assert [p.kind for p in article.paragraphs] == ["title", "body", "caption", "title", "body"]


# --- paragraphs, line ends and Unicode -------------------------------------------------------------------


def test_every_non_blank_line_is_one_paragraph_and_blank_lines_only_separate():
    one_per_line = parse(TITLE, BODY, BODY_2)
    blank_separated = parse(TITLE, "", "", BODY, "  ", "", BODY_2, "")
    assert blank_separated.paragraphs == one_per_line.paragraphs
    assert "ignored 1 line holding only spaces or residue" in blank_separated.notes


def test_only_lf_cr_and_crlf_end_lines():
    """A form feed becomes a space; a line separator (U+2028) or NEL does not split the paragraph."""
    assert texts(TITLE, "قال المتحدث\fإن الاجتماع ناجح.") == [TITLE, "قال المتحدث إن الاجتماع ناجح."]
    assert len(texts(TITLE, "قال المتحدث\u2028إن الاجتماع ناجح.")) == 2
    assert len(texts(TITLE, "قال المتحدث\x85إن الاجتماع ناجح.")) == 2
    raw = f"{TITLE}\r\n{BODY}\r{BODY_2}\n{BODY_3}".encode()
    article = parse_news_text(raw)
    assert [p.text for p in article.paragraphs] == [TITLE, BODY, BODY_2, BODY_3]
    assert "converted Windows (CRLF) line endings" in article.notes


def test_line_end_conversions_are_noted():
    assert "converted Windows (CRLF) line endings" in parse_news_text(f"{TITLE}\r\n{BODY}".encode()).notes
    assert "converted old Mac (CR) line endings" in parse_news_text(f"{TITLE}\r{BODY}".encode()).notes
    plain = parse_news_text(f"{TITLE}\n{BODY}".encode()).notes
    assert not [note for note in plain if note.startswith("converted")]


@pytest.mark.parametrize(
    "compatibility",
    ["\ufefb", "\u00b2", "\ufdf2", "\ufb01", "\uff11", "\u2460", "\ufe8d"],
    ids=["lam-alef-ligature", "superscript-two", "allah-ligature", "fi-ligature", "fullwidth-one",
         "circled-one", "alef-isolated-form"],
)
def test_normalisation_is_nfc_not_nfkc_so_compatibility_characters_stay(compatibility):
    line = f"قال المتحدث {compatibility} إن الاجتماع ناجح."
    article = parse(TITLE, line)
    assert article.paragraphs[1].text == line
    assert not [note for note in article.notes if "NFC" in note]


def test_decomposed_sequences_are_composed():
    decomposed = "قال المتحدث \u0627\u0654ن الاجتماع \u0627\u0653خر \u0648\u0654 caf\u0065\u0301."
    article = parse(TITLE, decomposed, "\u064a\u0654")
    assert article.paragraphs[1].text == "قال المتحدث \u0623ن الاجتماع \u0622خر \u0624 caf\u00e9."
    assert article.paragraphs[2].text == "\u0626"
    assert "normalised 2 lines to Unicode NFC" in article.notes


# --- residue ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "residue",
    [
        "=”text-align:justify”>",
        '="text-align: right">',
        "= “center” />",
        'style="color:red">',
        "class='lead' style='margin:0'>",
        'data-x="1" dir="rtl">',
        "<p>",
        "</p>",
        "<br/>",
        "<br />",
        '<span class="x">',
        '<p style="text-align:right">',
    ],
)
def test_html_tags_and_attribute_fragments_are_removed(residue):
    article = parse(TITLE, residue + BODY, BODY_2 + residue)
    assert [p.text for p in article.paragraphs] == [TITLE, BODY, BODY_2]
    assert "removed 2 HTML residues" in article.notes


@pytest.mark.parametrize(
    ("dirty", "html", "images"),
    [
        ("<<p>p>", 2, 0),
        ("<</p>/p>", 2, 0),
        ("!![]()[]()", 0, 2),
        ("<p![]()>", 1, 1),
        ("![<br/>]()", 1, 1),
        ("<<p>p>!![]()[]()", 2, 2),  # as many tags as images at each pass: the passes still go on
        ("<p<p>>", 2, 0),
    ],
)
def test_residue_formed_by_removing_residue_is_removed_too(dirty, html, images):
    article = parse(TITLE, f"{BODY}{dirty}")
    assert article.paragraphs[1].text == BODY
    assert ("removed 2 HTML residues" in article.notes) == (html == 2)
    assert ("removed 1 HTML residue" in article.notes) == (html == 1)
    assert ("removed 2 image markers" in article.notes) == (images == 2)
    assert ("removed 1 image marker" in article.notes) == (images == 1)


@pytest.mark.parametrize(
    "dirty", ['<p\u00a0dir="rtl">', 'style="color:red"\u00a0>', "=\u00a0”text-align:justify”>", "<\ufeffp>",
              "<br\u3000/>", "!\ufeff[]()"]
)
def test_a_no_break_or_zero_width_space_inside_residue_does_not_hide_it(dirty):
    assert parse(TITLE, f"{dirty}{BODY}").paragraphs[1].text == BODY


@pytest.mark.parametrize("image", ["![]()", "![](https://example.com/a.jpg)", "![صورة الرئيس](/img/1.png)"])
def test_markdown_images_are_removed(image):
    article = parse(TITLE, BODY + image, image + BODY_2 + image)
    assert [p.text for p in article.paragraphs] == [TITLE, BODY, BODY_2]
    assert "removed 3 image markers" in article.notes


@pytest.mark.parametrize("blank", ["\u00a0", "\u00a0 \u00a0", " ", "\t", "\u2003", "\u202f", "\u3000"])
def test_lines_of_no_break_or_other_spaces_are_ignored(blank):
    article = parse(TITLE, blank, BODY)
    assert [p.text for p in article.paragraphs] == [TITLE, BODY]
    assert "ignored 1 line holding only spaces or residue" in article.notes


def test_every_line_of_no_break_spaces_and_every_space_in_them_is_counted():
    article = parse(TITLE, "\u00a0", BODY, "\u00a0\u00a0", "\u00a0", BODY_2)
    assert [p.text for p in article.paragraphs] == [TITLE, BODY, BODY_2]
    assert "ignored 3 lines holding only spaces or residue" in article.notes
    assert "replaced 4 no-break or unusual spaces" in article.notes


def test_lines_of_residue_only_are_ignored():
    article = parse(TITLE, "![]()", '<p style="x">', "\ufeff", BODY)
    assert [p.text for p in article.paragraphs] == [TITLE, BODY]
    assert "ignored 3 lines holding only spaces or residue" in article.notes


@pytest.mark.parametrize(
    "space", ["\u00a0", "\t", "\v", "\f", "\u1680", "\u2000", "\u2005", "\u200a", "\u202f", "\u205f", "\u3000"]
)
def test_unusual_spaces_inside_a_line_become_one_plain_space(space):
    article = parse(TITLE, f"{space}قال{space}المتحدث {space} إن الاجتماع ناجح.{space}")
    assert article.paragraphs[1].text == "قال المتحدث إن الاجتماع ناجح."
    assert "replaced 4 no-break or unusual spaces" in article.notes


def test_zero_width_no_break_spaces_are_removed():
    article = parse(TITLE, "قال\ufeff المتحدث إن\ufeff\ufeff الاجتماع ناجح.")
    assert article.paragraphs[1].text == "قال المتحدث إن الاجتماع ناجح."
    assert "removed 3 zero-width no-break spaces" in article.notes


@pytest.mark.parametrize("stray", ["\x01", "\x08", "\x0e", "\x1b", "\x1f", "\ufffe", "\uffff"],
                         ids=["U+0001", "U+0008", "U+000E", "U+001B", "U+001F", "U+FFFE", "U+FFFF"])
def test_a_stray_control_character_is_removed_and_noted(stray):
    article = parse(TITLE, f"قال المتحدث{stray} إن الاجتماع ناجح.")
    assert article.paragraphs[1].text == "قال المتحدث إن الاجتماع ناجح."
    assert article.notes == ("removed 1 control character",)


def test_stray_control_characters_are_counted_and_tab_vertical_tab_and_form_feed_are_white_space():
    article = parse(TITLE, "قال\x01 المتحدث\x02\tإن\x0b الاجتماع\x0c ناجح.\x7f")
    assert article.paragraphs[1].text == "قال المتحدث إن الاجتماع ناجح.\x7f"  # DEL is not a C0 control
    assert article.notes[0] == "removed 2 control characters"


def test_what_the_cleaner_did_is_noted_once_each_with_counts():
    raw = (
        "\ufeffRu En\r\n"
        f"{TITLE}\r\n"
        "\u00a0\r\n"
        "١٠ يونيو ٢٠٢٢\r\n"
        f'<p class="x">{BODY}</p>![]()\r\n'
        "فلاديمير\u00a0بوتين\r\n"
        f"{BODY_2}\ufeff\r\n"
        f"{SHORT}\r\n"
        f"\u0627\u0654{BODY_3}\r\n"
        "المصدر: تاس\r\n"
    ).encode()

    assert parse_news_text(raw).notes == (
        "removed UTF-8 byte order mark",
        "converted Windows (CRLF) line endings",
        "removed language switcher line 'Ru En'",
        "date 2022-06-10 taken from line 4",
        "source 'تاس' taken from line 10",
        "removed 2 HTML residues",
        "removed 1 image marker",
        "replaced 2 no-break or unusual spaces",
        "removed 1 zero-width no-break space",
        "ignored 1 line holding only spaces or residue",
        "normalised 1 line to Unicode NFC",
        "marked 1 photo caption",
        "marked 1 credit line",
        "marked 1 section subheading",
    )


def test_a_clean_article_has_no_notes():
    assert parse(TITLE, BODY, BODY_2).notes == ()


# --- decoding and refusals ---------------------------------------------------------------------------


def test_sizes_in_refusals_are_in_bytes_kilobytes_or_megabytes():
    with pytest.raises(UnreadableText, match=r"^file is larger than 2\.0 KB \(it is 2\.9 KB\)$"):
        parse_news_text(b"x" * 3000, max_bytes=2048)
    with pytest.raises(UnreadableText, match=r"^file is larger than 1023 bytes \(it is 1\.0 KB\)$"):
        parse_news_text(b"x" * 1024, max_bytes=1023)
    with pytest.raises(UnreadableText, match=r"^file is larger than 1\.0 MB \(it is 1\.5 MB\)$"):
        parse_news_text(b"x" * (3 * 512 * 1024), max_bytes=1024 * 1024)
    with pytest.raises(UnreadableText, match=r"^file is larger than 1,024 bytes \(it is 1,025 bytes\)$"):
        parse_news_text(b"x" * 1025, max_bytes=1024)  # both 1.0 KB: shown in bytes


def test_sizes_are_rounded_to_one_decimal_of_1024_bytes_or_1024_kilobytes():
    with pytest.raises(UnreadableText, match=r"^file is larger than 1023 bytes \(it is 1\.1 KB\)$"):
        parse_news_text(b"x" * 1076, max_bytes=1023)  # 1076 / 1024 = 1.051
    with pytest.raises(UnreadableText, match=r"^file is larger than 1\.0 MB \(it is 1\.1 MB\)$"):
        parse_news_text(b"x" * 1_101_005, max_bytes=1024 * 1024)  # 1101005 / 1048576 = 1.050


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "file is empty"),
        ("خبر".encode() + b"\x00", "file looks binary (contains NUL bytes)"),
        ("نص".encode() + b"\xff", "file is not valid UTF-8 text (invalid byte at offset 4)"),
        (b" \n\t", "file is empty (it contains only whitespace)"),
        (b"English only", "file contains no Arabic text"),
        ("Ru En\n١٠ يونيو ٢٠٢٢\n".encode(), "file contains no article text after cleaning"),
        ("![]()\n<p>\n١٠ يونيو ٢٠٢٢".encode(), "file contains no article text after cleaning"),
    ],
)
def test_each_refusal_says_exactly_why(raw, reason):
    with pytest.raises(UnreadableText) as refused:
        parse_news_text(raw)
    assert str(refused.value) == reason


def test_a_file_of_exactly_the_limit_is_read():
    raw = f"{TITLE}\n{BODY}".encode()
    assert parse_news_text(raw, max_bytes=len(raw)).title == TITLE


def test_up_to_five_percent_of_control_bytes_is_still_text():
    text = (TITLE + " " + BODY).encode()
    body = text[:95] + b"x" * (95 - len(text[:95]))
    assert len(body) == 95
    with_five = body + b"\x01" * 5
    assert parse_news_text(with_five).title.startswith("روسيا")
    with pytest.raises(UnreadableText, match=r"^file looks binary \(6 of 101 bytes are control characters\)$"):
        parse_news_text(body + b"\x01" * 6)
    # Tab, line feed, carriage return and form feed are not control bytes here.
    assert parse_news_text(TITLE.encode() + b"\t\n\r\f" * 50).title == TITLE


def test_the_file_must_hold_an_arabic_letter():
    assert parse_news_text("Report on پ".encode()).title == "Report on پ"  # Persian letters count
    assert parse_news_text("\ufefb".encode()).title == "\ufefb"  # so do presentation forms
    with pytest.raises(UnreadableText, match="^file contains no Arabic text$"):
        parse_news_text("Report of ١٢٣ ، ؟".encode())  # Arabic digits and punctuation do not


def test_a_file_of_zero_width_no_break_spaces_is_empty():
    with pytest.raises(UnreadableText, match=r"^file is empty \(it contains only whitespace\)$"):
        parse_news_text("\ufeff \ufeff\n".encode())


def test_parts_are_the_article_as_plain_lists():
    raw = f"Ru En\n{TITLE}\n١٠ يونيو ٢٠٢٢\n{BODY}\nالمصدر: تاس".encode()
    parts = parse_news_text_parts(raw)
    assert isinstance(parts, NewsTextParts)
    assert parts.title == TITLE
    assert parts.kinds == ["title", "body", "credit"]
    assert parts.texts == [TITLE, BODY, "المصدر: تاس"]
    assert parts.article() == parse_news_text(raw)


# --- the parse workers' entry points ------------------------------------------------------------------


def test_prepare_bytes_gives_the_checksum_and_the_parts_or_the_refusal():
    raw = f"{TITLE}\n{BODY}".encode()
    checksum, parts, refusal = prepare_bytes(raw, 1000)
    assert checksum == hashlib.sha256(raw).hexdigest()
    assert NewsTextParts(*parts) == parse_news_text_parts(raw)
    assert refusal is None

    assert prepare_bytes(raw, 10) == (checksum, None, f"file is larger than 10 bytes (it is {len(raw)} bytes)")
    assert prepare_bytes(b"", 10) == (hashlib.sha256(b"").hexdigest(), None, "file is empty")


def test_prepare_path_reads_the_file_or_says_why_not(tmp_path):
    raw = f"{TITLE}\n{BODY}".encode()
    path = tmp_path / "article.txt"
    path.write_bytes(raw)

    assert prepare_path(str(path), len(raw)) == (raw, *prepare_bytes(raw, len(raw)))
    assert prepare_path(str(path), len(raw) - 1) == (
        b"", "", None, f"file is larger than the limit ({len(raw):,} > {len(raw) - 1:,} bytes)")
    missing = prepare_path(str(tmp_path / "missing.txt"), 1000)
    assert missing == (b"", "", None, "cannot read file: No such file or directory")


def test_prepare_for_import_prepares_each_argument_tuple(tmp_path):
    raw = f"{TITLE}\n{BODY}".encode()
    path = tmp_path / "article.txt"
    path.write_bytes(raw)

    assert prepare_for_import("bytes", [(raw, 1000), (b"", 1000)]) == [
        prepare_bytes(raw, 1000), prepare_bytes(b"", 1000)]
    assert prepare_for_import("path", [(str(path), 1000)]) == [prepare_path(str(path), 1000)]
    assert prepare_for_import("bytes", []) == []


# --- properties -----------------------------------------------------------------------------------------

# The residue the docstring names, as the test sees it (not the module's patterns): HTML tags, attribute
# fragments cut from their tag, markdown images, no-break and other unusual spaces, zero-width no-break
# spaces, and runs of spaces.
QUOTES = "\"'“”‘’"
RESIDUE_IN_OUTPUT = re.compile(
    r"</?[A-Za-z][A-Za-z0-9]*(?:[ \t][^<>]*)?/?>"  # a tag
    rf"|=[ \t]*[{QUOTES}][^{QUOTES}<>]*[{QUOTES}][ \t]*/?>"  # the end of an attribute fragment
    r"|!\[[^\]]*\]\([^)]*\)"  # a markdown image
    "|[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff\t\v\f]"  # no-break, unusual, zero-width spaces
    "|  "  # two spaces
)

FRAGMENTS = [
    "=”text-align:justify”>", 'style="color:red">', "class='a' style='b'>", "<p>", "</p>", "<br/>",
    '<p dir="rtl">', "![]()", "![صورة](https://example.com/a.jpg)", "\u00a0", "\ufeff", "\u2003", "\t",
    "  ", " ", "\u0654", "\u0655", "\u0653", "\u0301", "\u064e", "\u0627", "e", "\ufefb", "\u00b2", "\ufdf2",
    "<", ">", "=", '"', "”", "!", "[", "]", "(", ")", "p", "Ru En", "\r", "\r\n", "\n",
]
ANY_CHARACTER = st.characters(codec="utf-8", exclude_categories=("Cs",))
PIECES = st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHARACTER, max_size=6))
ARTICLE_TEXT = st.lists(PIECES, max_size=40).map("".join)


def parsed_or_refused(text: str):
    """The article of text with an Arabic line added (so that it has one), or None when it is refused."""
    try:
        return parse_news_text(("خبر\n" + text).encode())
    except UnreadableText as refusal:
        assert "looks binary" in str(refusal) or "no article text" in str(refusal)
        return None


@PROPERTY
@given(ARTICLE_TEXT)
def test_property_paragraphs_are_always_nfc(text):
    article = parsed_or_refused(text)
    if article is not None:
        for paragraph in article.paragraphs:
            assert unicodedata.is_normalized("NFC", paragraph.text), paragraph.text


@PROPERTY
@given(ARTICLE_TEXT)
def test_property_paragraphs_never_hold_the_residue_the_docstring_names(text):
    article = parsed_or_refused(text)
    if article is not None:
        for paragraph in article.paragraphs:
            assert not RESIDUE_IN_OUTPUT.search(paragraph.text), paragraph.text


@PROPERTY
@given(ARTICLE_TEXT)
def test_property_paragraphs_are_one_non_blank_line_without_white_space_at_either_end(text):
    article = parsed_or_refused(text)
    if article is not None:
        assert article.title == article.paragraphs[0].text
        for paragraph in article.paragraphs:
            assert paragraph.text and paragraph.text.strip() == paragraph.text
            assert "\n" not in paragraph.text and "\r" not in paragraph.text
            assert paragraph.kind in {"title", "body", "caption", "credit"}


@PROPERTY
@given(st.lists(st.sampled_from(FRAGMENTS[:13] + [TITLE, BODY, BODY_2, SHORT, "المصدر: تاس"]), max_size=30))
def test_property_residue_around_text_changes_nothing_but_the_residue(pieces):
    """Residue fragments anywhere in a line leave the words of the line as they were, in order."""
    line = " ".join(pieces)
    article = parsed_or_refused(line)
    if article is not None:
        expected_words = [w for piece in pieces if piece in (TITLE, BODY, BODY_2, SHORT, "المصدر: تاس")
                          for w in piece.split()]
        got = " ".join(p.text for p in article.paragraphs[1:]).split()
        assert got == expected_words


# --- web separators ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    (f"{BODY} |", BODY),
    (f"{BODY}|", BODY),
    (f"| {BODY}", BODY),
    (f"{BODY} | |", BODY),
    (f"{BODY} ｜", BODY),
    (f"{words(3)} | {words(2)}", f"{words(3)} | {words(2)}"),  # a bar inside a line is text
])
def test_separators_at_either_end_of_a_line_are_removed(line, expected):
    assert texts(TITLE, line, BODY_2) == [TITLE, expected, BODY_2]


def test_a_credit_with_a_bar_after_its_label_reads_label_colon_value():
    article = parse(TITLE, BODY, "مصدر | وكالة تسنيم للأنباء |")
    assert [p.text for p in article.paragraphs] == [TITLE, BODY, "مصدر: وكالة تسنيم للأنباء"]
    assert article.paragraphs[-1].kind == "credit"
    assert article.source == "وكالة تسنيم للأنباء"
    assert "removed 2 web separators (|)" in article.notes


def test_a_line_of_separators_only_is_no_paragraph():
    assert texts(TITLE, "| |", BODY) == [TITLE, BODY]
