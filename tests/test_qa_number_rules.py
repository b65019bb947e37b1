"""The "Numbers" rules of app.services.qa, one test per documented rule.

Each test is named after the rule it pins (see the module docstring of
app/services/qa.py, section "Numbers"), and checks it through the public
``check_paragraph``: a rule holds when the Arabic and an English that says the
same thing in another documented notation give no ``numbers`` finding, and
breaking the rule would make one appear (or disappear). Expected values are
written out here, never taken from the module's own tables.

The property tests at the end write one value in every supported notation on
each side and check that equal values agree and different values do not.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from app.services.qa import blocking, check_paragraph
from tests.support.properties import DETERMINISTIC


def numbers(ar: str, en: str) -> list[str]:
    """The messages of the numbers findings for one pair."""
    return [f.message for f in check_paragraph(ar, en) if f.check == "numbers"]


def agree(ar: str, en: str) -> bool:
    return numbers(ar, en) == []


ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"]


# --- dates -----------------------------------------------------------------------------------------


def test_a_dates_bare_day_number_does_not_excuse_a_month_mismatch():
    """"7 من أكتوبر" is 7 October: "7 November" in the English is a different date, not "the day 7"."""
    assert agree("وُلد في 7 من أكتوبر", "born on 7 October")
    assert numbers("وُلد في 7 من أكتوبر", "born on 7 November") == [
        "7 October in the Arabic (7 من أكتوبر) is missing from the English",
        "7 November in the English is not in the Arabic",
    ]
    assert numbers("وُلد في 7 نوفمبر", "born on October 7") == [
        "7 November in the Arabic (7 نوفمبر) is missing from the English",
        "7 October in the English (October 7) is not in the Arabic",
    ]


LEVANTINE_MONTHS = [
    ("كانون الثاني", "January"),
    ("شباط", "February"),
    ("آذار", "March"),
    ("نيسان", "April"),
    ("أيار", "May"),
    ("حزيران", "June"),
    ("تموز", "July"),
    ("آب", "August"),
    ("أيلول", "September"),
    ("تشرين الأول", "October"),
    ("تشرين الثاني", "November"),
    ("كانون الأول", "December"),
]
TRANSLITERATED_MONTHS = [
    ("يناير", "January"),
    ("فبراير", "February"),
    ("مارس", "March"),
    ("أبريل", "April"),
    ("مايو", "May"),
    ("يونيو", "June"),
    ("يوليو", "July"),
    ("أغسطس", "August"),
    ("سبتمبر", "September"),
    ("أكتوبر", "October"),
    ("نوفمبر", "November"),
    ("ديسمبر", "December"),
]
# The docstring names Egyptian variants (يونيه/يونية), alef with or without hamza, and Maghreb names.
VARIANT_MONTHS = [
    ("ابريل", "April"),
    ("إبريل", "April"),
    ("اذار", "March"),
    ("اب", "August"),
    ("ايلول", "September"),
    ("تشرين الاول", "October"),
    ("كانون الاول", "December"),
    ("يونيه", "June"),
    ("يونية", "June"),
    ("يوليه", "July"),
    ("يولية", "July"),
    ("اغسطس", "August"),
    ("اكتوبر", "October"),
    ("جانفي", "January"),
    ("فيفري", "February"),
    ("أفريل", "April"),
    ("ماي", "May"),
    ("جوان", "June"),
    ("جويلية", "July"),
    ("أوت", "August"),
]


def assert_month_is(arabic_month: str, english_month: str) -> None:
    """A day with this Arabic month agrees with that English month, and with no other."""
    arabic = f"وقّع الاتفاق في 14 {arabic_month} الماضي"
    assert agree(arabic, f"signed the agreement on 14 {english_month}"), arabic_month
    for other in ENGLISH_MONTHS:
        if other != english_month:
            assert numbers(arabic, f"signed the agreement on 14 {other}") == [
                f"14 {english_month} in the Arabic (14 {arabic_month}) is missing from the English",
                f"14 {other} in the English is not in the Arabic",
            ], (arabic_month, other)


# Explicit ids are ASCII only: pytest escapes non-ASCII ids again when it collects twice in one process (as
# mutmut's fork server does), and mutmut would then ask for ids that are not found.
@pytest.mark.parametrize("arabic_month, english_month", LEVANTINE_MONTHS, ids=[e for _, e in LEVANTINE_MONTHS])
def test_levantine_month_names_are_their_months(arabic_month, english_month):
    assert_month_is(arabic_month, english_month)


@pytest.mark.parametrize("arabic_month, english_month", TRANSLITERATED_MONTHS,
                         ids=[e for _, e in TRANSLITERATED_MONTHS])
def test_transliterated_month_names_are_their_months(arabic_month, english_month):
    assert_month_is(arabic_month, english_month)


@pytest.mark.parametrize("arabic_month, english_month", VARIANT_MONTHS)
def test_egyptian_maghreb_and_hamzaless_month_spellings_are_their_months(arabic_month, english_month):
    assert_month_is(arabic_month, english_month)


@pytest.mark.parametrize("arabic", ["في 14 من سبتمبر", "في 14 شهر سبتمبر", "في 14 من شهر سبتمبر", "في14 سبتمبر",
                                    "في 14 سبتمبر/أيلول", "في 14 سبتمبر (أيلول)", "في ١٤ سبتمبر"])
def test_arabic_dates_may_say_min_or_shahr_and_add_the_other_month_name(arabic):
    assert agree(arabic, "on 14 September")
    assert not agree(arabic, "on 14 October")


@pytest.mark.parametrize("english", ["on 14 September", "on 14th September", "on the 14th of September",
                                     "on September 14", "on September 14th", "on Sept. 14", "on Sep 14",
                                     "on 14 Sept", "on September the 14th"])
def test_english_dates_in_either_order_with_ordinals_and_abbreviations(english):
    assert agree("في 14 سبتمبر", english)
    assert not agree("في 14 أغسطس", english)


@pytest.mark.parametrize("abbreviation, month", [
    ("Jan", "يناير"), ("Feb", "فبراير"), ("Mar", "مارس"), ("Apr", "أبريل"), ("May", "مايو"), ("Jun", "يونيو"),
    ("Jul", "يوليو"), ("Aug", "أغسطس"), ("Sep", "سبتمبر"), ("Sept", "سبتمبر"), ("Oct", "أكتوبر"),
    ("Nov", "نوفمبر"), ("Dec", "ديسمبر"),
])
def test_english_month_abbreviations_are_their_months(abbreviation, month):
    assert agree(f"في 3 {month}", f"on {abbreviation}. 3")
    assert agree(f"في 3 {month}", f"on 3 {abbreviation}")


def test_english_month_names_are_dates_only_when_capitalised():
    """"May 5" is a date; in "they may 5 times" and "5 may", may is a verb and 5 a number."""
    assert numbers("اجتمعوا", "on May 5") == ["5 May in the English (May 5) is not in the Arabic"]
    assert numbers("اجتمعوا", "on 5 May") == ["5 May in the English is not in the Arabic"]
    assert numbers("اجتمعوا", "they may 5 times") == ["5 in the English is not in the Arabic"]
    assert numbers("اجتمعوا", "5 may come") == ["5 in the English is not in the Arabic"]


def test_a_day_is_1_to_31_and_other_numbers_before_a_month_stay_numbers():
    assert numbers("في 31 مايو", "on 30 May") == [
        "31 May in the Arabic (31 مايو) is missing from the English",
        "30 May in the English is not in the Arabic",
    ]
    assert numbers("في 1 مايو", "on 2 May") == [
        "1 May in the Arabic (1 مايو) is missing from the English",
        "2 May in the English is not in the Arabic",
    ]
    assert numbers("نحو 32 مايو", "about 33 May") == [
        "32 in the Arabic is missing from the English",
        "33 in the English is not in the Arabic",
    ]
    assert numbers("نحو 0 مايو", "about 00 May") == []
    assert numbers("منذ 2022 يونيو", "since June 2021") == [
        "2022 in the Arabic is missing from the English",
        "2021 in the English is not in the Arabic",
    ]
    assert numbers("منذ 2022 يونيو", "since 2021 June") == [
        "2022 in the Arabic is missing from the English",
        "2021 in the English is not in the Arabic",
    ]


def test_a_day_is_one_or_two_digits_from_1_to_31_on_either_side():
    assert numbers("", "on 1 June") == ["1 June in the English is not in the Arabic"]
    assert numbers("", "on June 1") == ["1 June in the English (June 1) is not in the Arabic"]
    assert numbers("", "on 31 May") == ["31 May in the English is not in the Arabic"]
    assert numbers("", "on May 31") == ["31 May in the English (May 31) is not in the Arabic"]
    assert numbers("", "about 32 May") == ["32 in the English is not in the Arabic"]
    assert numbers("", "about May 32") == ["32 in the English is not in the Arabic"]
    assert numbers("", "about 010 June") == ["10 in the English (010) is not in the Arabic"]
    assert numbers("نحو 010 يونيو", "about") == ["10 in the Arabic (010) is missing from the English"]
    # a decimal before a month name is a number too
    assert agree("بلغ التضخم 2.5 يونيو الماضي", "inflation was 2.5 June last year")


def test_an_english_month_before_a_day_is_looked_for_in_the_16_characters_before_it():
    assert numbers("", "June 10 was the day") == ["10 June in the English (June 10) is not in the Arabic"]
    assert numbers("", "on September the 14th") == [
        "14 September in the English (September the 14th) is not in the Arabic",
    ]
    assert numbers("", "on September   the 14th") == [  # 16 characters from the month name to the day
        "14 September in the English (September   the 14th) is not in the Arabic",
    ]
    assert numbers("", "on September    the 14th") == ["14 in the English (14th) is not in the Arabic"]


def test_a_number_with_a_scale_word_or_a_sign_after_an_english_month_name_is_no_day():
    assert agree("في يونيو صوّت 5 ملايين شخص", "in June 5 million people voted")
    assert agree("في يونيو ارتفع 5%", "in June 5% more")
    assert numbers("", "the June 5m race") == ["5 in the English (5m) is not in the Arabic"]


def test_numbers_after_a_date_are_still_read():
    assert numbers("في 10 يونيو، 5 أشخاص", "on June 10, 6 people") == [
        "5 in the Arabic is missing from the English",
        "6 in the English is not in the Arabic",
    ]
    assert numbers("في 10 يونيو، 5 أشخاص", "on 10 June, 6 people") == [
        "5 in the Arabic is missing from the English",
        "6 in the English is not in the Arabic",
    ]


def test_a_year_is_an_ordinary_number_whether_or_not_it_belongs_to_a_date():
    assert agree("في 10 يونيو 2022", "in 2022, on 10 June")
    assert agree("في 10 يونيو 2022", "on June 10, 2022")


def test_a_date_may_be_matched_by_its_day_and_month_as_bare_numbers_or_its_day_alone():
    assert agree("في 10 يونيو", "on 10/6")
    assert agree("في 10/6", "on 10 June")
    assert agree("في 10 يونيو", "on the 10th")
    assert agree("في العاشر", "on June 10")  # a number word is a day too
    assert agree("في 10 يونيو", "on the tenth")
    assert numbers("في 10 يونيو", "on the 11th") == [
        "10 June in the Arabic (10 يونيو) is missing from the English",
        "11 in the English (11th) is not in the Arabic",
    ]
    # the month of a date matched by its day is taken with it
    assert numbers("في 10 يونيو", "on 10/6, 6 times") == ["6 in the English is not in the Arabic"]
    assert numbers("في 10/7", "on 10 June") == [
        "7 in the Arabic is missing from the English",
    ]


def test_month_names_without_a_day_are_not_compared():
    assert agree("من يناير إلى أغسطس", "from March to May")


# --- digit groups ------------------------------------------------------------------------------------

# (as written, its value written plainly, a value it must not be read as)
NOTATIONS = [
    ("1,200", "1200", "1.2"),  # a comma and exactly three digits: thousands
    ("1,200,000", "1200000", "1.2"),
    ("12,500", "12500", "12.5"),
    ("1,200.5", "1200.5", "12005"),  # thousands, then a decimal point
    ("1,200,000.75", "1200000.75", "1.2"),
    ("1,200.500", "1200.5", "1200500"),
    ("10,2", "10.2", "102"),  # any other single comma is a decimal point
    ("1,2345", "1.2345", "12345"),
    ("10,25", "10.25", "1025"),
    ("1234,567", "1234.567", "1234567"),  # not a digit group: more than three digits before the comma
    ("1.200", "1.2", "1200"),  # any single dot is a decimal point
    ("1.200.000", "1200000", "1.2"),  # several dots: the European way
    ("1.200,5", "1200.5", "1.2005"),
    ("1.200.000,25", "1200000.25", "1.2"),
    ("١٬٢٠٠", "1200", "1.2"),  # ٬ is the Arabic thousands separator
    ("١٬٢٠٠٬٠٠٠", "1200000", "1.2"),
    ("١٫٢٠٠", "1.2", "1200"),  # ٫ is the Arabic decimal separator
    ("١٢٫٥", "12.5", "125"),
    ("١٬٢٠٠٫٥", "1200.5", "12005"),
    ("٢٨٫٢", "28.2", "282"),
    ("۱٬۲۰۰٫۵", "1200.5", "12005"),  # Eastern Arabic-Indic digits
    ("۲۰۲۲", "2022", "202"),
    ("٢٨.٢", "28.2", "282"),  # Arabic-Indic digits with Western separators
]


@pytest.mark.parametrize("written, value, misreading", NOTATIONS)
def test_digit_groups_are_read_as_documented(written, value, misreading):
    arabic = f"بلغ حجم الصادرات {written} طن"
    assert agree(arabic, f"exports reached {value} tonnes")
    assert numbers(arabic, f"exports reached {misreading} tonnes") != []


@pytest.mark.parametrize("written, value, misreading", NOTATIONS)
def test_the_english_is_read_by_the_same_digit_group_rules(written, value, misreading):
    english = f"exports reached {written} tonnes"
    assert agree(f"بلغ حجم الصادرات {value} طن", english)
    assert numbers(f"بلغ حجم الصادرات {misreading} طن", english) != []


def test_values_are_compared_numerically_not_as_written():
    assert agree("ارتفع بنسبة 10.50%", "rose by 10.5%")
    assert agree("بلغ 007 نقاط", "reached 7 points")
    assert agree("بلغ 1200 شركة", "reached 1,200 companies")


def test_a_digit_string_that_is_no_number_is_compared_as_written():
    """1.2.3 (a version, a reference) is no decimal in any notation: it must appear as such."""
    assert agree("الإصدار 1.2.3", "version 1.2.3")
    assert agree("الإصدار ١٫٢٫٣", "version 1.2.3")
    assert numbers("الإصدار 1.2.3", "version 1.2.4") == [
        "1.2.3 in the Arabic is missing from the English",
        "1.2.4 in the English is not in the Arabic",
    ]
    assert numbers("الإصدار 1,23.4", "version 123.4") == [
        "1,23.4 in the Arabic is missing from the English",
        "123.4 in the English is not in the Arabic",
    ]
    assert numbers("الرقم 1,200,5", "the number 1200.5") == [
        "1,200,5 in the Arabic is missing from the English",
        "1200.5 in the English is not in the Arabic",
    ]
    assert numbers("الرقم 1234,567,890", "the number 1234567890") == [
        "1234,567,890 in the Arabic is missing from the English",
        "1.23456789 billion in the English (1234567890) is not in the Arabic",
    ]
    # and the numbers after it are read as usual
    assert numbers("الإصدار 1.2.3 صدر عام 2020", "version 1.2.3 came out in 2021") == [
        "2020 in the Arabic is missing from the English",
        "2021 in the English is not in the Arabic",
    ]


def test_digits_glued_to_letters_count_and_signs_do_not():
    assert agree("نحو 27 دولة في7 مناطق", "27 countries in 7 regions")
    assert numbers("في المنتدى27", "in the forum") == ["27 in the Arabic is missing from the English"]
    assert agree("مجموعة C5", "the C5 group")
    assert numbers("مجموعة", "the C5 group") == ["5 in the English is not in the Arabic"]
    assert agree("للفترة 2022-2025", "for 2022 to 2025")
    assert numbers("للفترة 2022-2025", "for 2022") == ["2025 in the Arabic is missing from the English"]


def test_english_ordinals_are_their_number():
    assert agree("المرة 1 والمرة 22 والذكرى 70 والدورة 3", "the 1st, the 22nd, the 70th and the 3rd")
    assert numbers("الذكرى 70", "the 71st anniversary") == [
        "70 in the Arabic is missing from the English",
        "71 in the English (71st) is not in the Arabic",
    ]


def test_an_english_decade_excuses_the_year_but_never_accuses():
    assert agree("منذ عام 1990", "since the 1990s")
    assert agree("منذ عام 1990", "since the 1990's")
    assert agree("منذ التسعينيات", "since the 1990s")
    assert numbers("منذ عام 1980", "since the 1990s") == ["1980 in the Arabic is missing from the English"]
    # each decade excuses one year
    assert agree("في 1990 و1990", "in the 1990s and the 1990s")
    assert numbers("في 1990 و1990", "in the 1990s") == ["1990 in the Arabic is missing from the English"]
    assert numbers("منذ التسعينيات 5 مرات", "5 times since the 1990s, 6 times") == [
        "6 in the English is not in the Arabic",
    ]
    # only a round number followed by s is a decade: "1991s" is the number 1991, and accuses
    assert agree("منذ عام 1991", "since the 1991s")
    assert numbers("منذ عام 1990", "since the 1991s") == [
        "1990 in the Arabic is missing from the English",
        "1991 in the English is not in the Arabic",
    ]


# --- scale words -------------------------------------------------------------------------------------

ARABIC_SCALES = [
    ("ألف", "thousand"), ("آلاف", "thousand"), ("ألفا", "thousand"), ("الف", "thousand"), ("الاف", "thousand"),
    ("مليون", "million"), ("ملايين", "million"), ("مليونا", "million"),
    ("مليار", "billion"), ("مليارات", "billion"), ("مليارا", "billion"), ("بليون", "billion"),
    ("بلايين", "billion"),
    ("تريليون", "trillion"), ("ترليون", "trillion"), ("تريليونات", "trillion"),
]


@pytest.mark.parametrize("arabic_scale, english_scale", ARABIC_SCALES)
def test_an_arabic_scale_word_after_a_number_multiplies_it(arabic_scale, english_scale):
    arabic = f"بلغت الاستثمارات 7 {arabic_scale} دولار"
    assert agree(arabic, f"investment reached 7 {english_scale} dollars")
    for other in ("thousand", "million", "billion", "trillion"):
        if other != english_scale:
            assert not agree(arabic, f"investment reached 7 {other} dollars"), other
    assert numbers(arabic, "investment reached 7 dollars") == [
        f"7 {english_scale}".replace("7 thousand", "7,000")
        + f" in the Arabic (7 {arabic_scale}) is missing from the English",
        "7 in the English is not in the Arabic",
    ]


@pytest.mark.parametrize("english, value", [
    ("2 thousand", "2 ألف"), ("2 million", "2 مليون"), ("2 billion", "2 مليار"), ("2 trillion", "2 تريليون"),
    ("2 Billion", "2 مليار"), ("2 BILLION", "2 مليار"), ("2-billion", "2 مليار"),
    ("2bn", "2 مليار"), ("2 bn", "2 مليار"), ("2mn", "2 مليون"), ("2 mn", "2 مليون"),
    ("2tn", "2 تريليون"), ("2 tn", "2 تريليون"), ("2trn", "2 تريليون"), ("2 trn", "2 تريليون"),
    ("$2b", "2 مليار"), ("$2m", "2 مليون"), ("$2k", "2 ألف"), ("$2B", "2 مليار"), ("$2M", "2 مليون"),
    ("$ 2m", "2 مليون"), ("US$2m", "2 مليون"), ("€2m", "2 مليون"), ("£2b", "2 مليار"), ("¥2k", "2 ألف"),
    ("$2.5m", "2.5 مليون"), ("$2,000 million", "2 مليار"),
])
def test_english_scale_words_and_abbreviations_multiply_the_number(english, value):
    assert agree(f"بلغت {value} دولار", f"reached {english}")
    assert not agree("بلغت 2 دولار", f"reached {english}")


def test_a_currency_sign_is_part_of_the_number_it_stands_right_before():
    assert numbers("", "costs $5m") == ["5 million in the English ($5m) is not in the Arabic"]
    assert numbers("", "costs $ 5m") == ["5 million in the English ($ 5m) is not in the Arabic"]
    assert numbers("", "costs US$5m") == ["5 million in the English ($5m) is not in the Arabic"]
    assert numbers("", "$ 5m in aid") == ["5 million in the English ($ 5m) is not in the Arabic"]
    assert numbers("", "$5m in aid") == ["5 million in the English ($5m) is not in the Arabic"]
    assert numbers("", " 5m, priced in €") == ["5 in the English (5m) is not in the Arabic"]


@pytest.mark.parametrize("english", ["2m", "2 m", "2b", "2k", "$2 m", "2 km", "2mb"])
def test_k_m_b_multiply_only_when_glued_to_a_number_with_a_currency_sign(english):
    """A bare 2m may be metres: it stays 2."""
    assert agree("بلغ 2 متر", f"reached {english}")
    assert not agree("بلغ 2 مليون", f"reached {english}")


def test_scaled_values_are_equal_whatever_scale_they_are_written_in():
    """28.2 مليار = ٢٨٫٢ مليار = 28.2 billion = 28,200 million = 28.2bn; 0.8 مليار = 800 million."""
    for arabic in ("28.2 مليار", "٢٨٫٢ مليار", "28,2 مليار", "28200 مليون"):
        for english in ("28.2 billion", "28,200 million", "28.2bn", "$28.2b", "0.0282 trillion", "28,200,000 thousand"):
            assert agree(f"بلغت التجارة {arabic} دولار", f"trade reached {english} dollars"), (arabic, english)
    assert agree("بلغت 0.8 مليار", "reached 800 million")
    assert numbers("بلغت 0.8 مليار", "reached 80 million") == [
        "800 million in the Arabic (0.8 مليار) is missing from the English",
        "80 million in the English is not in the Arabic",
    ]


def test_an_arabic_scaled_number_joined_by_wa_to_a_smaller_one_is_one_value():
    """"3 ملايين و500 ألف" is 3,500,000; a larger or equal second part is a value of its own."""
    assert agree("نحو 3 ملايين و500 ألف نسمة", "about 3.5 million people")
    assert agree("نحو 3 ملايين و 500 ألف نسمة", "about 3,500,000 people")
    assert agree("بلغ 5 مليارات و300 مليون", "reached 5.3 billion")
    assert agree("بلغ 5 مليارات و300", "reached 5,000,000,300")
    assert numbers("نحو 3 ملايين و500 ألف نسمة", "about 3 million and 500,000 people") == [
        "3.5 million in the Arabic (3 ملايين و500 ألف) is missing from the English",
        "3 million in the English is not in the Arabic",
        "500,000 in the English is not in the Arabic",
    ]
    assert numbers("بين 3 ملايين و5 ملايين", "between 3 and 5 million") == [
        "3 million in the Arabic (3 ملايين) is missing from the English",
        "3 in the English is not in the Arabic",
    ]
    assert agree("بين 3 ملايين و5 ملايين", "between 3 million and 5 million")
    assert agree("بين 3 آلاف و5 ملايين", "between 3,000 and 5 million")
    # only after a scaled number, and not into a percentage
    assert agree("بين 3 و500 ألف", "between 3 and 500,000")
    assert agree("3 ملايين و10%", "3 million and 10%")
    assert agree("3 ملايين في 2020 و500 ألف", "3 million in 2020 and 500,000")
    assert agree("3 ملايين و500 ألف و20 ألف", "3.5 million and 20,000")
    assert agree("3 ملايين و1 مليون", "3 million and 1 million")  # equal to the scale: not smaller


def test_a_scale_word_right_after_digits_is_not_also_a_number_word():
    """ألف/مليون/مليار and "a million" stand for themselves only alone, so a lone 1 million is still compared."""
    assert numbers("بلغ 5 ملايين", "reached 5 million, up from 1 million") == [
        "1 million in the English is not in the Arabic",
    ]
    assert numbers("بلغ 5 ملايين بعد 1 مليون", "reached 5 million") == [
        "1 million in the Arabic (1 مليون) is missing from the English",
    ]
    assert numbers("25 ألف شركة", "25,000 companies and 1,000 banks") == [
        "1,000 in the English is not in the Arabic",
    ]
    assert agree("مليون زائر", "1 million visitors")  # alone, the word is a number
    assert agree("1 مليون زائر", "a million visitors")
    # number words after a scaled number are still read
    assert agree("بلغ 5 ملايين بعد خمسة أعوام", "reached 5 million after 5 years")
    assert agree("بلغ 5 ملايين بعد 5 أعوام", "reached 5 million after five years")


# --- percentages --------------------------------------------------------------------------------------

ARABIC_PERCENTS = ["15%", "15 %", "15٪", "15 ٪", "٪15", "٪ 15", "15 في المائة", "15 في المئة", "15 في المائه",
                   "15 في المية", "15 بالمئة", "15 بالمائة", "15 بالمية", "15 بالماية", "15 بالمئه", "١٥٪", "٪١٥"]
ENGLISH_PERCENTS = ["15%", "15 %", "15٪", "15 percent", "15percent", "15 per cent", "15 Per Cent", "15pc", "15 pc",
                    "15 PERCENT"]


@pytest.mark.parametrize("arabic", ARABIC_PERCENTS)
def test_arabic_percent_forms_are_a_percentage(arabic):
    sentence = f"ارتفعت الصادرات {arabic} هذا العام"
    assert agree(sentence, "exports rose 15% this year")
    assert numbers(sentence, "exports rose 15 this year") == [
        f"15% in the Arabic ({arabic}) appears in the English without a percent sign (15)"
        if arabic != "15%" else "15% in the Arabic appears in the English without a percent sign (15)",
    ]
    assert numbers(sentence, "exports rose 16% this year") != []


@pytest.mark.parametrize("english", ENGLISH_PERCENTS)
def test_english_percent_forms_are_a_percentage(english):
    sentence = f"exports rose {english} this year"
    assert agree("ارتفعت الصادرات 15 بالمئة هذا العام", sentence)
    assert numbers("ارتفعت الصادرات 15 هذا العام", sentence) == [
        f"15% in the English ({english}) is a bare number in the Arabic (15)"
        if english != "15%" else "15% in the English is a bare number in the Arabic (15)",
    ]


def test_a_percentage_in_words_is_a_percentage():
    assert agree("ارتفعت بنسبة خمسة عشر بالمئة", "rose by 15%")
    assert agree("ارتفعت بنسبة 15%", "rose by fifteen per cent")
    assert agree("ارتفعت بنسبة 15%", "rose by fifteen percent")
    assert numbers("ارتفعت بنسبة خمسة عشر بالمئة", "rose by 15") == ["15 in the English is not in the Arabic"]
    assert numbers("ارتفعت بنسبة خمسة عشر", "rose by 15%") == ["15% in the English is not in the Arabic"]


def test_a_percent_sign_belongs_to_one_number():
    """٪ written before a number is its sign only when it is not the sign of the number before."""
    assert agree("ارتفع 10٪ 20 مرة", "rose 10% 20 times")
    assert agree("ارتفع 10٪20 مرة", "rose 10% 20 times")
    assert numbers("ارتفع 10٪ 20 مرة", "rose 10% 20% times") == [
        "20% in the English is a bare number in the Arabic (20)",
    ]


def test_a_percent_sign_before_a_number_at_the_start_of_the_text_is_its_sign():
    assert agree("٪10 نسبة النمو", "10% growth")
    assert agree("٪ 10 نسبة النمو", "10% growth")
    assert numbers("٪10 نسبة النمو", "12% growth") == [
        "10% in the Arabic (٪10) is missing from the English",
        "12% in the English is not in the Arabic",
    ]
    # ...but a sign at the end of the text is not before the first number
    assert agree(" 10 دول بنسبة 5%", "10 countries at 5%")


def test_hundreds_with_a_preposition_are_a_percent_sign_not_a_hundred():
    assert agree("ارتفع 5 بالمائة", "rose 5%")
    assert numbers("ارتفع 5 بالمائة", "rose 5% to 100") == ["100 in the English is not in the Arabic"]
    assert agree("بلغ مائة", "reached 100")
    assert agree("بلغ ومائة", "reached 100")


# --- number words ------------------------------------------------------------------------------------

@pytest.mark.parametrize("arabic, english", [
    ("خمسة اجتماعات", "5 meetings"),
    ("خمس دول", "5 countries"),
    ("ثلاثة عشر بلدا", "13 countries"),
    ("خمسة وعشرون ألف شركة", "25,000 companies"),
    ("ثلاثة آلاف جندي", "3,000 soldiers"),
    ("ثلاثمائة جندي", "300 soldiers"),
    ("مائتا جندي", "200 soldiers"),
    ("ألفين شخص", "2,000 people"),
    ("مليونين شخص", "2,000,000 people"),
    ("الذكرى السبعون", "70th birthday"),
    ("للمرة الثانية", "for the 2nd time"),
    ("وخمسة أيام", "and 5 days"),
    ("فخمسة أيام", "so 5 days"),
    ("بخمسة أيام", "in 5 days"),
    ("لخمسة أيام", "for 5 days"),
    ("كخمسة أيام", "like 5 days"),
    ("والخامسة", "and the 5th"),
    ("للخامسة", "for the 5th"),
    ("للمرة الأولى", "for the 1st time"),
    ("مائة وخمسون", "150"),
    ("ألف ومائتان", "1,200"),
])
def test_arabic_number_words_excuse_digits_in_the_english(arabic, english):
    assert agree(arabic, english)
    wrong = english.replace(english.split()[0] if english[0].isdigit() else english.split()[-2], "99", 1)
    assert numbers(arabic, wrong) == ["99 in the English is not in the Arabic"], wrong


@pytest.mark.parametrize("english, digits", [
    ("five meetings", "5"), ("twenty-six countries", "26"), ("one hundred and fifty people", "150"),
    ("a dozen states", "12"), ("five hundred thousand people", "500000"), ("a million people", "1000000"),
    ("the seventieth birthday", "70"), ("the twelfth round", "12"), ("three billion dollars", "3000000000"),
    ("two trillion", "2000000000000"), ("the hundredth day", "100"), ("nineteen states", "19"),
    ("zero cases", "0"),
])
def test_english_number_words_excuse_digits_in_the_arabic(english, digits):
    assert agree(f"العدد {digits}", english)
    assert numbers(f"العدد {digits}7", english) != []


@pytest.mark.parametrize("arabic, english, value", [
    ("ثلاثمائة ألف", "three hundred thousand", "300,000"),
    ("مائتا ألف", "two hundred thousand", "200,000"),
    ("مائة وخمسة", "one hundred and five", "105"),
    ("ألف وخمسة", "a thousand and five", "1,005"),
    ("ثلاثمائة وخمسة", "three hundred and five", "305"),
    ("مليون وثلاثة آلاف", "one million three thousand", "1,003,000"),
    ("مليون وخمسمائة ألف", "one million five hundred thousand", "1,500,000"),
    ("الخامسة والعشرين", "twenty-fifth", "25"),
    ("خمسة وعشرون", "twenty-five", "25"),
    ("ثلاثة عشر", "thirteen", "13"),
    ("بألفي دولار", "for two thousand dollars", "2,000"),
    ("بثلاثمائة دولار", "for three hundred dollars", "300"),
])
def test_number_words_combine_into_one_value(arabic, english, value):
    assert agree(arabic, value)
    assert agree(value, english)
    assert not agree(arabic, "1" + value)
    assert not agree("1" + value, english)


@pytest.mark.parametrize("arabic, english, digits", [
    ("اثنان وثلاثة", "two and three", "2 and 3"),  # units joined by and/و
    ("عشرون و خمسة", "twenty and five", "20 and 5"),  # "and" joins only after hundred or a scale
    ("عشرون دولة، خمسة منها", "twenty countries, five of them", "20, 5"),
    ("أول خمسة", "the first five", "1st 5"),
    ("أول عشرين", "the first twenty", "1st 20"),
    ("عشرة عشرة", "at ten ten", "10:10"),
])
def test_number_words_that_do_not_combine_are_separate_values(arabic, english, digits):
    assert agree(arabic, digits)
    assert agree(digits, english)


def test_two_number_words_excuse_two_numbers():
    assert agree("خمسة اجتماعات وخمس زيارات", "5 meetings and 5 visits")
    assert agree("5 اجتماعات و5 زيارات", "five meetings and five visits")


def test_number_words_after_a_rejected_word_are_still_read():
    assert agree("ارتفع 10 بالمائة خلال خمسة أعوام", "rose 10% over 5 years")


def test_a_number_word_right_after_an_apostrophe_is_no_number():
    """As in 'Five Eyes' between typewriter quotes: a name, not a count."""
    assert numbers("5 دول", "the 'Five Eyes' countries") == ["5 in the Arabic is missing from the English"]
    assert numbers("5 دول", "the ’Five Eyes’ countries") == ["5 in the Arabic is missing from the English"]
    assert agree("5 دول", "the five 'Eyes' countries")


def test_english_number_words_are_read_in_any_case_even_beside_letters_that_lower_case_to_two():
    """"İ" lower-cases to two characters; the words are still found, and at the right places."""
    assert agree("إسطنبول: 150 مندوبا و25 اجتماعا", "İstanbul: One Hundred And Fifty delegates, Twenty five meetings")
    assert numbers("إسطنبول: بلغ 5 ملايين", "İstanbul: reached 5 million, up from 1 million") == [
        "1 million in the English is not in the Arabic",
    ]
    assert numbers("إسطنبول: بلغ 5 ملايين بعد 1 مليون", "İstanbul: reached 5 million") == [
        "1 million in the Arabic (1 مليون) is missing from the English",
    ]


def test_a_paragraph_may_start_with_a_number_word_or_a_wa():
    assert agree("5 اجتماعات", " five meetings")
    assert agree("5 اجتماعات", "-five meetings")
    assert agree("و15 دولة أخرى", "and 15 other countries")
    assert agree("و 3 ملايين و500 ألف", "and 3.5 million")


def test_a_number_word_excuses_one_number_only():
    assert numbers("خمسة اجتماعات", "5 meetings and 5 visits") == ["5 in the English is not in the Arabic"]
    assert numbers("5 اجتماعات و5 زيارات", "five meetings") == ["5 in the Arabic is missing from the English"]
    assert numbers("في 10 يونيو و10 يوليو", "on the tenth") == [
        "10 July in the Arabic (10 يوليو) is missing from the English",
    ]


def test_a_plural_scale_word_alone_stands_for_no_number():
    """آلاف ("thousands of") multiplies the number before it and means nothing alone: not 1,000, not 0."""
    assert numbers("آلاف المتظاهرين", "1,000 protesters") == ["1,000 in the English is not in the Arabic"]
    assert numbers("آلاف المتظاهرين", "0 protesters") == ["0 in the English is not in the Arabic"]
    assert agree("ثلاثة آلاف متظاهر", "3,000 protesters")


def test_zero_is_a_number_word():
    assert agree("سجلت 0 إصابات", "recorded zero cases")
    assert numbers("سجلت 0 إصابات", "recorded no cases") == ["0 in the Arabic is missing from the English"]


def test_number_words_never_accuse():
    assert agree("خمسة اجتماعات", "meetings")
    assert agree("اجتماعات", "five meetings")
    assert agree("خمسة اجتماعات", "seven meetings")


def test_words_that_merely_contain_a_number_word_are_not_number_words():
    assert numbers("استثمارات", "Weight: 5") == ["5 in the English is not in the Arabic"]
    assert numbers("استثمارات", "someone's 5") == ["5 in the English is not in the Arabic"]
    assert numbers("الخمسينية", "5") == ["5 in the English is not in the Arabic"]


# --- multisets and messages ------------------------------------------------------------------------------


def test_values_are_compared_as_multisets_with_both_counts_reported():
    assert numbers("في 2021 و2021 و2021", "in 2021") == [
        "2021 appears 3 times in the Arabic but once in the English",
    ]
    assert numbers("في 2021", "in 2021 and 2021") == [
        "2021 appears twice in the English but once in the Arabic",
    ]
    assert agree("في 2021 و2020", "in 2020 and 2021")
    assert numbers("في 2021 و2021 و2021 و5", "in 2021") == [
        "2021 appears 3 times in the Arabic but once in the English",
        "5 in the Arabic is missing from the English",
    ]


def test_a_finding_names_the_value_as_an_english_reader_writes_it():
    assert numbers("بلغ 1500 طن", "reached 15 tonnes") == [
        "1500 in the Arabic is missing from the English",
        "15 in the English is not in the Arabic",
    ]
    assert numbers("بلغ 1,500 طن", "reached 15 tonnes")[0] == "1,500 in the Arabic is missing from the English"
    assert numbers("بلغ 12000 طن", "reached 15 tonnes")[0] == "12,000 in the Arabic (12000) is missing from the English"
    assert numbers("بلغ 2.5 تريليون", "reached 15")[0] == (
        "2.5 trillion in the Arabic (2.5 تريليون) is missing from the English")
    assert numbers("بلغ 2.5 مليون", "reached 15")[0] == (
        "2.5 million in the Arabic (2.5 مليون) is missing from the English")
    assert numbers("بلغ 1000000", "reached 15")[0] == "1 million in the Arabic (1000000) is missing from the English"
    assert numbers("بلغ 999999", "reached 15")[0] == "999,999 in the Arabic (999999) is missing from the English"
    assert numbers("بلغ 12.5", "reached 15")[0] == "12.5 in the Arabic is missing from the English"
    assert numbers("بلغ 2 ألف", "reached 15")[0] == "2,000 in the Arabic (2 ألف) is missing from the English"
    assert numbers("بلغ 1.5 ألف", "reached 15")[0] == "1,500 in the Arabic (1.5 ألف) is missing from the English"
    assert numbers("بلغ 0.5", "reached 15")[0] == "0.5 in the Arabic is missing from the English"
    assert numbers("بلغ 10", "reached 15")[0] == "10 in the Arabic is missing from the English"
    # from 10,000 on with a thousands separator, from 1,000 on unless written as bare digits (a year)
    assert numbers("بلغ 10000", "reached 15")[0] == "10,000 in the Arabic (10000) is missing from the English"
    assert numbers("بلغ 9999", "reached 15")[0] == "9999 in the Arabic is missing from the English"
    assert numbers("بلغ 1 ألف", "reached 15")[0] == "1,000 in the Arabic (1 ألف) is missing from the English"
    assert numbers("بلغ 1,000", "reached 15")[0] == "1,000 in the Arabic is missing from the English"
    assert numbers("بلغ 999.0", "reached 15")[0] == "999 in the Arabic (999.0) is missing from the English"
    # a million, a billion, a trillion exactly
    assert numbers("بلغ 1 مليار", "reached 15")[0] == "1 billion in the Arabic (1 مليار) is missing from the English"
    assert numbers("بلغ 1 تريليون", "reached 15")[0] == (
        "1 trillion in the Arabic (1 تريليون) is missing from the English")
    # plain digits, without trailing zeros or exponents
    assert numbers("ارتفع 10.0%", "rose 12%")[0] == "10% in the Arabic (10.0%) is missing from the English"
    assert numbers("ارتفع 10.50%", "rose 12%")[0] == "10.5% in the Arabic (10.50%) is missing from the English"
    assert numbers("بلغ 0.0000001", "reached 15")[0] == "0.0000001 in the Arabic is missing from the English"
    assert numbers("بلغ 1.5 مليار", "reached 15")[0] == "1.5 billion in the Arabic (1.5 مليار) is missing from the English"


def test_number_findings_block_approval():
    findings = check_paragraph("بلغ 10", "reached 15")
    assert [f.check for f in findings] == ["numbers", "numbers"]
    assert blocking(findings) == findings


# --- Arabic spelling variants --------------------------------------------------------------------------


def freshly_loaded_qa():
    """app.services.qa executed anew, not the copy the test session imported at its start.

    The module builds its word tables when it is imported: every spelling of every number word, scale
    word and month name, compiled into one regex. Checking the spelling rules through a fresh copy
    means a change to the code that builds them shows here even in a process that imported the module
    long before (as mutation testing does: it forks each run from one warmed-up process).
    """
    import importlib.util

    from app.services import qa

    spec = importlib.util.spec_from_file_location(qa.__name__, qa.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# (Arabic, an English saying the same, an English saying something else)
SPELLINGS = [
    # alef with or without hamza
    ("أربعة اجتماعات", "4 meetings", "5 meetings"),
    ("اربعة اجتماعات", "4 meetings", "5 meetings"),
    ("إحدى عشرة دولة", "11 countries", "12 countries"),
    ("احدى عشرة دولة", "11 countries", "12 countries"),
    ("5 آلاف", "5,000", "5"),
    ("5 الاف", "5,000", "5"),
    ("5 ألف", "5,000", "5"),
    ("5 الف", "5,000", "5"),
    ("في 14 آذار", "on 14 March", "on 14 May"),
    ("في 14 اذار", "on 14 March", "on 14 May"),
    ("في 14 أبريل", "on 14 April", "on 14 May"),
    ("في 14 إبريل", "on 14 April", "on 14 May"),
    ("في 14 ابريل", "on 14 April", "on 14 May"),
    # ة written ه
    ("ثلاثة اجتماعات", "3 meetings", "4 meetings"),
    ("ثلاثه اجتماعات", "3 meetings", "4 meetings"),
    ("مائة شركة", "100 companies", "200 companies"),
    ("مائه شركة", "100 companies", "200 companies"),
    ("للمرة الثالثه", "for the 3rd time", "for the 4th time"),
    # final ى written ي and final ي written ى
    ("إحدى الدول", "1 of the countries", "2 of the countries"),
    ("إحدي الدول", "1 of the countries", "2 of the countries"),
    ("المرة الأولى", "the 1st time", "the 2nd time"),
    ("المرة الاولي", "the 1st time", "the 2nd time"),
    ("ثماني دول", "8 countries", "9 countries"),
    ("ثمانى دول", "8 countries", "9 countries"),
    ("في 14 مايو", "on 14 May", "on 14 June"),
    # a word that is the start of a longer one is still itself
    ("5 ملايين", "5 million", "5 billion"),
    ("خمسة", "5", "15"),
    ("خمسمائة", "500", "5"),
    ("في 14 يونيو", "on 14 June", "on 14 July"),
    ("في 14 يوليو", "on 14 July", "on 14 June"),
    ("في 14 تشرين الأول", "on 14 October", "on 14 November"),
    ("في 14 تشرين الثاني", "on 14 November", "on 14 October"),
]


@pytest.mark.parametrize("arabic, same, other", SPELLINGS)
def test_arabic_words_match_with_or_without_hamza_with_ta_marbuta_as_ha_and_final_ya_either_way(
        arabic, same, other):
    qa = freshly_loaded_qa()
    assert [f.message for f in qa.check_paragraph(arabic, same) if f.check == "numbers"] == []
    assert [f.message for f in qa.check_paragraph(arabic, other) if f.check == "numbers"] != []


def test_short_vowels_tatweel_and_direction_marks_are_ignored():
    assert agree("بلغ ٢٨٫٢ مِلْيَار", "reached 28.2 billion")
    assert agree("بلغ ٢٨٫٢ مليـــار", "reached 28.2 billion")
    assert agree("بلغ \u200f28.2\u200f مليار", "reached 28.2 billion")
    assert agree("بلغ 1\u200e,200 طن", "reached 1,200 tonnes")
    assert agree("في 14 أَيْلُول", "on 14 September")
    assert agree("ارتفع 10\u200f%", "rose 10\u200e%")


# --- properties: one value in every notation ----------------------------------------------------------

WESTERN = "0123456789"
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
EASTERN_ARABIC_INDIC = "۰۱۲۳۴۵۶۷۸۹"


def grouped(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def notations(value: Decimal) -> list[str]:
    """`value` written in every notation the "Digit groups" rule reads unambiguously as `value`."""
    text = format(value, "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    groups = len(grouped(whole, ",").split(",")) - 1
    western = [
        whole + ("." + fraction if fraction else ""),  # 1200.5
        grouped(whole, ",") + ("." + fraction if fraction else ""),  # 1,200.5
    ]
    if fraction and len(fraction) != 3:
        western.append(whole + "," + fraction)  # 10,2 (with three digits it would be thousands)
    if groups >= 2 or (groups == 1 and fraction) or (groups == 0 and (not fraction or len(fraction) != 3)):
        western.append(grouped(whole, ".") + ("," + fraction if fraction else ""))  # 1.200,5 or 1.200.000
    written = list(western)
    for digits in (ARABIC_INDIC, EASTERN_ARABIC_INDIC):
        to_digits = str.maketrans(WESTERN, digits)
        arabic_separators = str.maketrans(WESTERN + ".,", digits + "٫٬")
        written.append(western[0].translate(to_digits))  # ٢٨.٢
        written.append(western[0].translate(arabic_separators))  # ٢٨٫٢
        written.append(western[1].translate(arabic_separators))  # ١٬٢٠٠٫٥
    return written


ARABIC_SCALE_WORDS = {1: [""], 10**3: ["ألف", "آلاف", "الف"], 10**6: ["مليون", "ملايين"],
                      10**9: ["مليار", "مليارات", "بليون"], 10**12: ["تريليون"]}
ENGLISH_SCALE_WORDS = {1: ["{}"], 10**3: ["{} thousand", "${}k"],
                       10**6: ["{} million", "{}mn", "{} mn", "${}m", "€{}M"],
                       10**9: ["{} billion", "{}bn", "{} bn", "${}b", "£{}B", "{} Billion"],
                       10**12: ["{} trillion", "{}tn", "{} trn"]}
ARABIC_PERCENT_FORMS = ["{}%", "{}٪", "٪{}", "{} في المائة", "{} في المئة", "{} بالمئة", "{} بالمائة", "{} بالمية"]
ENGLISH_PERCENT_FORMS = ["{}%", "{} %", "{} percent", "{} per cent", "{}pc"]

amounts = st.one_of(
    # round amounts (a few digits, then zeros) meet the scale words most often
    st.builds(lambda digits, zeros: Decimal(digits).scaleb(zeros), st.integers(1, 999), st.integers(0, 12)),
    st.integers(min_value=0, max_value=10**10).map(Decimal),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
)


@st.composite
def written_values(draw, amount=None):
    """(kind, value, Arabic, English): one amount as a count or a percentage, in a random notation per side."""
    value = draw(amounts) if amount is None else amount
    kind = draw(st.sampled_from(["n", "pct"]))
    if kind == "pct":
        arabic = draw(st.sampled_from(ARABIC_PERCENT_FORMS)).format(draw(st.sampled_from(notations(value))))
        english = draw(st.sampled_from(ENGLISH_PERCENT_FORMS)).format(draw(st.sampled_from(notations(value))))
        return kind, value, arabic, english
    ar_scale = draw(st.sampled_from(sorted(s for s in ARABIC_SCALE_WORDS if s <= max(value, 1))))
    en_scale = draw(st.sampled_from(sorted(ENGLISH_SCALE_WORDS)))
    ar_number = draw(st.sampled_from(notations((value / ar_scale).normalize())))
    arabic = (ar_number + " " + draw(st.sampled_from(ARABIC_SCALE_WORDS[ar_scale]))).strip()
    en_number = draw(st.sampled_from(notations((value / en_scale).normalize())))
    english = draw(st.sampled_from(ENGLISH_SCALE_WORDS[en_scale])).format(en_number)
    return kind, value, arabic, english


def arabic_sentence(number: str) -> str:
    return f"قال التقرير إن الرقم بلغ {number} هذا العام"


def english_sentence(number: str) -> str:
    return f"The report said the figure reached {number} this year"


PROPERTY = settings(DETERMINISTIC, max_examples=60)


@PROPERTY
@given(written_values())
@example(("n", Decimal("1200"), "١٬٢٠٠", "1.2 thousand"))
@example(("n", Decimal("1200.5"), "1.200,5", "1,200.5"))
@example(("n", Decimal("28200000000"), "٢٨٫٢ مليار", "28,200 million"))
@example(("pct", Decimal("10.2"), "١٠٫٢٪", "10.2 per cent"))
def test_a_value_written_in_any_two_supported_notations_agrees(written):
    _, _, arabic, english = written
    assert numbers(arabic_sentence(arabic), english_sentence(english)) == []


@PROPERTY
@given(written_values(), written_values())
@example(("n", Decimal("5000000"), "5 ملايين", "5 million"), ("n", Decimal("1000000"), "1 مليون", "1 million"))
@example(("n", Decimal("1000000"), "0.001 مليار", "1 million"), ("n", Decimal("10") ** 9, "1 مليار", "1,000 million"))
@example(("pct", Decimal("10"), "10٪", "10%"), ("n", Decimal("10"), "10", "10"))
def test_a_different_value_in_the_english_is_reported_whatever_the_notations(written, other):
    kind, value, arabic, english = written
    other_kind, other_value, _, other_english = other
    assume((other_kind, other_value) != (kind, value))
    assert numbers(arabic_sentence(arabic), english_sentence(other_english)) != []
    # said alongside the right value, the other value is reported as it would be on its own
    alone = numbers("", english_sentence(other_english))
    assert numbers(arabic_sentence(arabic), english_sentence(f"{english}, not {other_english}")) == alone


@PROPERTY
@given(amounts, st.data())
def test_a_percentage_on_one_side_that_is_a_bare_number_on_the_other_is_named(amount, data):
    percent = data.draw(st.sampled_from(ARABIC_PERCENT_FORMS)).format(data.draw(st.sampled_from(notations(amount))))
    bare = data.draw(st.sampled_from(notations(amount)))
    [message] = numbers(arabic_sentence(percent), english_sentence(bare))
    assert message.endswith(f"appears in the English without a percent sign ({bare})")
    percent = data.draw(st.sampled_from(ENGLISH_PERCENT_FORMS)).format(data.draw(st.sampled_from(notations(amount))))
    bare = data.draw(st.sampled_from(notations(amount)))
    [message] = numbers(arabic_sentence(bare), english_sentence(percent))
    assert message.endswith(f"is a bare number in the Arabic ({bare})")
