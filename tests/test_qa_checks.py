"""User stories for the translation QA checks (app.services.qa).

The Arabic is always a real paragraph of the seed articles, read through the
importer exactly as a reviewer sees it; the English is a translation written
for these tests, correct unless the test plants an error in it.
"""

from pathlib import Path

import pytest

from app.services.news_text import parse_news_text
from app.services.qa import Finding, QAContext, blocking, check_paragraph

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
_PARAGRAPHS = {
    path.name[:3]: [p.text for p in parse_news_text(path.read_bytes()).paragraphs]
    for path in sorted(SEEDS.glob("*.txt"))
}


def seed_paragraph(seed: str, containing: str) -> str:
    """The one paragraph of seed file `seed` (000-004) that contains `containing`."""
    found = [text for text in _PARAGRAPHS[seed] if containing in text]
    assert len(found) == 1, f"{len(found)} paragraphs of seed {seed} contain {containing!r}"
    return found[0]


def with_arabic_indic_digits(text: str) -> str:
    """The same text as outlets that write ٢٨٫٢ rather than 28.2 would print it."""
    return text.translate(str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫"))


def numbers(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.check == "numbers"]


def checks(findings: list[Finding]) -> list[str]:
    return [f.check for f in findings]


# --- seed paragraphs with a correct English translation -----------------------------

TRADE = seed_paragraph("001", "28.2 مليار")
TRADE_EN = (
    "In this interview, Vladimir Putin also said that bilateral trade between Russia and the Republic of "
    "Kazakhstan is growing at a good pace. The Russian president said: I would particularly like to note that "
    "mutual trade is growing at a good pace. Last year it rose by 10.2% to a record 28.2 billion dollars, and "
    "from January to August of this year it grew by another 7.6% to reach 18.9 billion dollars."
)
INVESTORS = seed_paragraph("001", "17 مليار")
INVESTORS_EN = (
    "He added that Russia is one of the largest investors in Kazakhstan's economy. Russia's total investment in "
    "the republic amounts to 17 billion dollars, and there are about 6,000 companies with Russian participation "
    "in Kazakhstan."
)
ON_THE_EVE = seed_paragraph("001", "(الخميس/ 9 نوفمبر)")
ON_THE_EVE_EN = (
    "According to the International Desk, citing the Tasnim and TASS news agencies, on Wednesday, on the eve of "
    "his visit to the Republic of Kazakhstan (Thursday, 9 November), Russian President Vladimir Putin gave an "
    "exclusive interview to the state newspaper Kazakhstanskaya Pravda on relations between Moscow and Astana, "
    "the bilateral agenda and the issues of the Eurasian region, while issues concerning Ukraine, the United "
    "States and the problems of the Middle East were not raised in this interview, and he mentioned Shanghai "
    "cooperation"
)
SCO = seed_paragraph("001", "26 دولة")
SCO_EN = (
    "Vladimir Putin said: We have particular expectations of the Shanghai Cooperation Organisation, which "
    "currently has 26 participating countries, because this structure has strong combined political and "
    "economic potential and its geographical reach extends from South and Southeast Asia to the Middle East and "
    "Europe. The appeal of the Shanghai Cooperation Organisation lies in its focus on creativity, diverse "
    "cooperation, attention to mutual benefit, equality, openness and respect for the cultural and "
    "civilisational diversity of states."
)
TALKS = seed_paragraph("000", "10 يونيو/حزيران")
TALKS_EN = (
    "This came in the declaration signed after the two presidents' talks today, Friday, June 10, 2022, in the "
    "Russian capital, Moscow."
)
INFOSEC = seed_paragraph("000", "5 ابريل/نيسان")
INFOSEC_EN = (
    "According to the bilateral declaration, this is to be done on the basis of the intergovernmental agreement "
    "on cooperation in ensuring international information security of 5 April 2019, and through the plan for "
    "implementing the main directions of bilateral cooperation in ensuring international information security "
    "for 2022-2025."
)
BIOSECURITY = seed_paragraph("000", "1 ابريل (نيسان)")
BIOSECURITY_EN = (
    'As stated in the statement signed by the two sides: "Russia and Turkmenistan confirm their readiness to '
    "develop cooperation on the basis of the memorandum of understanding between the Government of the Russian "
    "Federation and the Government of Turkmenistan on biological security issues dated April 1, 2021, and the "
    "roadmap for interaction between Russia and Turkmenistan on regional security issues of February 22, "
    '2022."'
)
BIRTHDAY = seed_paragraph("002", "في7 أكتوبر")
BIRTHDAY_EN = (
    "In fact, the CIS leaders are meeting for the second time in a week: Vladimir Putin's 70th birthday fell "
    "on 7 October."
)
CICA = seed_paragraph("002", "المنتدى27")
CICA_EN = (
    "The international programme in Astana began the day before, when the capital of Kazakhstan hosted on "
    "Thursday the summit of the Conference on Interaction and Confidence-Building Measures in Asia, an "
    "interstate forum set up on Kazakhstan's initiative in 1992, which unites 27 countries covering about 90 "
    "percent of Asia's territory and home to almost half of the world's population."
)
DIALOGUE = seed_paragraph("002", "عام 2019")
DIALOGUE_EN = (
    "The dialogue format was launched on Moscow's initiative in 2019 at the level of foreign ministers to "
    "exchange views on the regional and international agenda. Five ministerial meetings have already been held"
)
PROGRAMME = seed_paragraph("002", "2023- 2025")
PROGRAMME_EN = (
    "A strong set of joint documents has been prepared for approval at the summit; in particular, the CIS "
    "leaders will approve an updated programme to combat terrorism and extremism for 2023-2025."
)
CENTRAL_ASIA = seed_paragraph("003", "بنسبة 4%")
CENTRAL_ASIA_EN = (
    "Putin said during the meeting that trade between Russia and the Central Asian countries rose by 4% from "
    "January to July 2025. He explained that about 25,000 Russian companies are carrying out major projects in "
    "various fields in the Central Asian countries. In his speech Putin stressed the importance of partnership "
    "in energy, according to the Russian presidency's official website."
)
PLAN_TITLE = seed_paragraph("003", "حتى عام 2027")
PLAN_TITLE_EN = "Central Asian and Russian leaders adopt a joint action plan until 2027"
TAJIK_TRADE = seed_paragraph("004", "44.7")
TAJIK_TRADE_EN = (
    'He continued on this point: "Despite the objective difficulties, in 2021 mutual trade grew by 44.7 percent '
    "compared with 2020 and exceeded 1.2 billion dollars. From January to April 2022 it grew by 15.7 percent "
    'compared with the same period of 2021, reaching 408.8 million US dollars."'
)
TAJIK_INVESTMENT = seed_paragraph("004", "0.8 مليار")
TAJIK_INVESTMENT_EN = (
    "In the same vein, Sergei Lavrov noted that more than 300 companies with Russian participation currently "
    "operate in Tajikistan. He said: \"Russia's accumulated investment in the republic's economy totals 1.6 "
    "billion dollars, or 16 percent of all foreign investment received by the country. Of this, direct "
    'investment amounts to 800 million dollars, or 17.7 percent of all direct investment."'
)
TREATIES = seed_paragraph("004", "حوالي 200")
TREATIES_EN = (
    'Sergei Lavrov drew attention to the fact that through joint efforts "a solid legal and regulatory '
    "framework has been formed and is constantly being improved, covering almost all areas of cooperation: "
    "about 200 interstate and intergovernmental agreements, and more than 80 treaties and memoranda at the "
    'interregional level."'
)
TRADE_SHARE = seed_paragraph("004", "21 بالمائة")
TRADE_SHARE_EN = (
    "In addition, Minister Lavrov noted that Russia and Tajikistan are trade and investment partners and that "
    "the Russian Federation's share of the republic's foreign trade exceeds 21 percent, adding that \"the "
    "bilateral intergovernmental commission on economic cooperation plays a special role in this work."
)
THIRTY_YEARS = seed_paragraph("004", "الـ 30")
THIRTY_YEARS_EN = (
    'In an interview with the Tajik news agency Khovar, the Russian foreign minister said that "over the past '
    "30 years, a great deal of work has been done to build an effective model of interstate relations based on "
    'the generally recognised norms of international law."'
)
RECOGNITION = seed_paragraph("004", "8 ابريل")
RECOGNITION_EN = (
    "Sergei Lavrov also explained that modern interstate relations began to take shape in a turbulent period, "
    'noting that "our country was among the first to recognise the independence and sovereignty of Tajikistan. '
    "The signing of the protocol establishing diplomatic relations on 8 April 1992 brought our cooperation to a "
    'new and substantive level."'
)

# The keys are test ids: ASCII only. pytest escapes non-ASCII ids, and escapes them again when it collects
# twice in one process (as mutmut's fork server does), so the ids mutmut asks for would not be found.
CLEAN_PAIRS = {
    "trade in billions and percent": (TRADE, TRADE_EN),
    "investment and thousands of companies": (INVESTORS, INVESTORS_EN),
    "a date after a slash": (ON_THE_EVE, ON_THE_EVE_EN),
    "a country count": (SCO, SCO_EN),
    "an Egyptian/Levantine date": (TALKS, TALKS_EN),
    "a date and a range of years": (INFOSEC, INFOSEC_EN),
    "dates with the month in parentheses": (BIOSECURITY, BIOSECURITY_EN),
    "a day glued to its preposition": (BIRTHDAY, BIRTHDAY_EN),
    "a count glued to a word, percent in words": (CICA, CICA_EN),
    "a number word": (DIALOGUE, DIALOGUE_EN),
    "a range with a space": (PROGRAMME, PROGRAMME_EN),
    "thousands with alf": (CENTRAL_ASIA, CENTRAL_ASIA_EN),
    "a title with a year": (PLAN_TITLE, PLAN_TITLE_EN),
    "percent, billions, millions, repeated years": (TAJIK_TRADE, TAJIK_TRADE_EN),
    "0.8 billion as 800 million": (TAJIK_INVESTMENT, TAJIK_INVESTMENT_EN),
    "plain counts": (TREATIES, TREATIES_EN),
    "percent as bialmi'a": (TRADE_SHARE, TRADE_SHARE_EN),
    "30 after a tatweel": (THIRTY_YEARS, THIRTY_YEARS_EN),
    "a date in a quotation": (RECOGNITION, RECOGNITION_EN),
}


# --- a clean pair --------------------------------------------------------------------------------


@pytest.mark.parametrize("ar, en", CLEAN_PAIRS.values(), ids=CLEAN_PAIRS.keys())
def test_a_correct_translation_of_a_seed_paragraph_has_no_findings(ar, en):
    assert check_paragraph(ar, en) == []


def test_a_correct_translation_with_its_context_has_no_findings():
    context = QAContext(
        machine_text="In this interview, Putin also announced that the volume of bilateral trade is growing.",
        unlinked_ar_entities=(),
        glossary_hits=(("فلاديمير بوتين", "Vladimir Putin"), ("كازاخستان", "Kazakhstan")),
    )
    assert check_paragraph(TRADE, TRADE_EN, context) == []


# --- numbers ---------------------------------------------------------------------------------------


def test_billions_written_with_arabic_indic_digits_match_the_english():
    arabic = with_arabic_indic_digits(TRADE)
    assert "٢٨٫٢ مليار" in arabic and "١٠٫٢%" in arabic

    assert check_paragraph(arabic, TRADE_EN) == []
    wrong = TRADE_EN.replace("28.2 billion", "28.3 billion")
    assert numbers(check_paragraph(arabic, wrong)) == [
        "28.2 billion in the Arabic (٢٨٫٢ مليار) is missing from the English",
        "28.3 billion in the English is not in the Arabic",
    ]


def test_the_arabic_percent_sign_and_decimal_separator_are_read():
    arabic = TRADE.replace("10.2%", "١٠٫٢٪")
    assert check_paragraph(arabic, TRADE_EN) == []
    assert numbers(check_paragraph(arabic, TRADE_EN.replace("10.2%", "12%"))) == [
        "10.2% in the Arabic (١٠٫٢٪) is missing from the English",
        "12% in the English is not in the Arabic",
    ]


@pytest.mark.parametrize("english", [
    "totals 1.6 billion dollars", "totals $1.6bn", "totals US$1.6 bn", "totals 1,600 million dollars",
])
def test_a_billion_may_be_written_in_millions_or_as_bn(english):
    assert numbers(check_paragraph(TAJIK_INVESTMENT, TAJIK_INVESTMENT_EN.replace("totals 1.6 billion dollars",
                                                                                 english))) == []


def test_a_wrong_scale_word_is_a_different_number():
    wrong = TAJIK_TRADE_EN.replace("408.8 million", "408.8 billion")
    assert numbers(check_paragraph(TAJIK_TRADE, wrong)) == [
        "408.8 million in the Arabic (408.8 مليون) is missing from the English",
        "408.8 billion in the English is not in the Arabic",
    ]


@pytest.mark.parametrize("english", ["about 90 percent", "about 90%", "about 90 per cent", "about 90pc"])
def test_percent_in_words_or_signs_agree_with_bialmiya(english):
    assert "90 بالمائة" in CICA
    assert numbers(check_paragraph(CICA, CICA_EN.replace("about 90 percent", english))) == []


def test_a_percentage_left_as_a_bare_number_is_named():
    wrong = TRADE_SHARE_EN.replace("exceeds 21 percent", "exceeds 21")
    assert numbers(check_paragraph(TRADE_SHARE, wrong)) == [
        "21% in the Arabic (21 بالمائة) appears in the English without a percent sign (21)",
    ]


def test_a_mistyped_percentage_is_reported_from_both_sides():
    wrong = TAJIK_TRADE_EN.replace("44.7 percent", "47.7 percent")
    assert numbers(check_paragraph(TAJIK_TRADE, wrong)) == [
        "44.7% in the Arabic (44.7 بالمائة) is missing from the English",
        "47.7% in the English (47.7 percent) is not in the Arabic",
    ]


@pytest.mark.parametrize("english", ["about 6,000 companies", "about 6 thousand companies", "about 6000 companies"])
def test_thousands_written_with_alaf_match_the_digits(english):
    assert "6 آلاف" in INVESTORS
    assert numbers(check_paragraph(INVESTORS, INVESTORS_EN.replace("about 6,000 companies", english))) == []


def test_a_dropped_zero_in_thousands_is_caught():
    wrong = CENTRAL_ASIA_EN.replace("25,000", "2,500")
    assert numbers(check_paragraph(CENTRAL_ASIA, wrong)) == [
        "25,000 in the Arabic (25 ألف) is missing from the English",
        "2,500 in the English is not in the Arabic",
    ]


@pytest.mark.parametrize("english", ["Friday, June 10, 2022,", "Friday 10 June 2022", "Friday the 10th of June 2022",
                                     "Friday, 10/6/2022,"])
def test_an_arabic_date_with_a_month_name_matches_any_english_date_order(english):
    assert numbers(check_paragraph(TALKS, TALKS_EN.replace("Friday, June 10, 2022,", english))) == []


def test_a_wrong_day_is_reported_as_a_date_not_as_loose_numbers():
    wrong = TALKS_EN.replace("June 10", "June 11")
    assert numbers(check_paragraph(TALKS, wrong)) == [
        "10 June in the Arabic (10 يونيو) is missing from the English",
        "11 June in the English (June 11) is not in the Arabic",
    ]


def test_a_wrong_month_is_caught_with_the_levantine_name_in_parentheses():
    assert "22 فبراير (شباط) 2022" in BIOSECURITY
    wrong = BIOSECURITY_EN.replace("February 22", "March 22")
    assert numbers(check_paragraph(BIOSECURITY, wrong)) == [
        "22 February in the Arabic (22 فبراير) is missing from the English",
        "22 March in the English (March 22) is not in the Arabic",
    ]


def test_a_levantine_month_name_alone_is_a_date():
    arabic = RECOGNITION.replace("8 ابريل/نيسان", "8 نيسان")
    assert check_paragraph(arabic, RECOGNITION_EN) == []
    assert numbers(check_paragraph(arabic.replace("8 نيسان", "8 كانون الثاني"), RECOGNITION_EN)) == [
        "8 January in the Arabic (8 كانون الثاني) is missing from the English",
        "8 April in the English is not in the Arabic",
    ]


def test_the_published_date_line_in_arabic_indic_digits_matches():
    date_line = (SEEDS / "000_87e300d100e4e0f3.txt").read_text("utf-8").splitlines()[4].strip()
    assert date_line == "١٠ يونيو ٢٠٢٢"
    assert check_paragraph(date_line, "10 June 2022") == []
    assert numbers(check_paragraph(date_line, "10 June 2021")) == [
        "2022 in the Arabic (٢٠٢٢) is missing from the English",
        "2021 in the English is not in the Arabic",
    ]


def test_a_day_glued_to_a_preposition_and_an_anniversary_in_words_agree():
    assert "في7 أكتوبر الذكرى السبعون" in BIRTHDAY
    assert check_paragraph(BIRTHDAY, BIRTHDAY_EN.replace("70th", "seventieth")) == []
    assert numbers(check_paragraph(BIRTHDAY, BIRTHDAY_EN.replace("7 October", "17 October"))) == [
        "7 October in the Arabic (7 أكتوبر) is missing from the English",
        "17 October in the English is not in the Arabic",
    ]


def test_a_count_glued_to_the_preceding_word_is_read():
    assert "المنتدى27" in CICA
    assert numbers(check_paragraph(CICA, CICA_EN.replace("27 countries", "72 countries"))) == [
        "27 in the Arabic is missing from the English",
        "72 in the English is not in the Arabic",
    ]


@pytest.mark.parametrize("english", ["for 2022-2025", "for 2022–2025", "for the period from 2022 to 2025"])
def test_ranges_of_years_agree_however_they_are_joined(english):
    assert numbers(check_paragraph(INFOSEC, INFOSEC_EN.replace("for 2022-2025", english))) == []


def test_a_wrong_year_in_a_range_is_caught():
    assert numbers(check_paragraph(PROGRAMME, PROGRAMME_EN.replace("2023-2025", "2023-2026"))) == [
        "2025 in the Arabic is missing from the English",
        "2026 in the English is not in the Arabic",
    ]


def test_digits_in_the_english_match_number_words_in_the_arabic():
    assert "خمسة اجتماعات" in DIALOGUE
    assert check_paragraph(DIALOGUE, DIALOGUE_EN.replace("Five ministerial", "5 ministerial")) == []


def test_number_words_in_the_english_match_digits_in_the_arabic():
    assert check_paragraph(THIRTY_YEARS, THIRTY_YEARS_EN.replace("30 years", "thirty years")) == []
    assert check_paragraph(SCO, SCO_EN.replace("26 participating", "twenty-six participating")) == []
    assert check_paragraph(INVESTORS, INVESTORS_EN.replace("about 6,000", "about six thousand")) == []


def test_a_number_word_never_raises_a_finding_by_itself():
    # "خمسة" has no digits to disagree with: leaving it out is for the reviewer to see.
    assert check_paragraph(DIALOGUE, DIALOGUE_EN.replace("Five ministerial", "Ministerial")) == []


def test_a_year_repeated_in_the_arabic_but_not_the_english_is_counted():
    shortened = TAJIK_TRADE_EN.replace("the same period of 2021", "the same period of last year")
    assert numbers(check_paragraph(TAJIK_TRADE, shortened)) == [
        "2021 appears twice in the Arabic but once in the English",
    ]


def test_a_wrong_count_names_both_numbers():
    wrong = TREATIES_EN.replace("more than 80 treaties", "more than 18 treaties")
    assert numbers(check_paragraph(TREATIES, wrong)) == [
        "80 in the Arabic is missing from the English",
        "18 in the English is not in the Arabic",
    ]


def test_thousands_are_described_with_a_separator_and_years_without():
    wrong = INVESTORS_EN.replace("about 6,000", "about 600").replace("17 billion", "17 billion in 2022")
    assert numbers(check_paragraph(INVESTORS, wrong)) == [
        "6,000 in the Arabic (6 آلاف) is missing from the English",
        "2022 in the English is not in the Arabic",
        "600 in the English is not in the Arabic",
    ]


def test_a_number_only_in_the_english_is_reported():
    added = INVESTORS_EN.replace("about 6,000 companies", "about 6,000 companies in 14 regions")
    assert numbers(check_paragraph(INVESTORS, added)) == ["14 in the English is not in the Arabic"]


def test_a_dropped_sentence_loses_its_numbers():
    first_two = TRADE_EN.split(" Last year")[0]
    assert numbers(check_paragraph(TRADE, first_two)) == [
        "10.2% in the Arabic is missing from the English",
        "28.2 billion in the Arabic (28.2 مليار) is missing from the English",
        "7.6% in the Arabic is missing from the English",
        "18.9 billion in the Arabic (18.9 مليار) is missing from the English",
    ]


@pytest.mark.parametrize("ar, en", [
    ("بلغ عدد الشركات 1,200 شركة", "the number of companies reached 1,200"),
    ("بلغ عدد الشركات ١٬٢٠٠ شركة", "the number of companies reached 1,200"),
    ("ارتفع بنسبة 10,2 بالمئة", "rose by 10.2 per cent"),
    ("ارتفع بنسبة ٪10", "rose by 10%"),
    ("ارتفع بنسبة عشرة في المائة", "rose by 10%"),
    ("ارتفع بنسبة 10 في المئة", "rose by ten percent"),
    ("نحو 3 ملايين و500 ألف نسمة", "about 3.5 million people"),
    ("بلغ 1.200.000 دولار", "reached $1.2m"),
    ("خمسة وعشرون ألف شركة", "25,000 companies"),
    ("ثلاثة آلاف جندي", "3,000 soldiers"),
    ("مليارين دولار", "2 billion dollars"),
    ("للمرة الثانية", "for the 2nd time"),
    ("ثلاثة عشر بلدا", "13 countries"),
    ("ستمائة موظف", "600 employees"),
    ("في الذكرى الثلاثين", "on the 30th anniversary"),
    ("زارها 150 شخصا", "one hundred and fifty people visited it"),
    ("زارها مليون شخص", "a million people visited it"),
    ("يوم ٩ نوفمبر", "on the 9th"),
    ("في 14 سبتمبر", "on 14 Sept."),
    ("في 14 من سبتمبر", "on September 14th"),
    ("بلغ ۲۸٫۲ مليار", "Trade Reached 28.2 Billion"),  # Eastern Arabic-Indic digits; a title-cased scale word
    ("في 14 أيلول", "on 14 September"),
    ("في يونيو 2022", "in June 2022"),
    ("منذ 2022 يونيو", "since 2022, June"),  # a year before a month name is a year
    ("منذ التسعينيات", "since the 1990s"),  # a decade never accuses
    ("منذ عام 1990", "since the 1990s"),  # ...and may stand for the year
    ("يوم 5 أيار", "on May 5"),
    ("يوم 5 يونية", "on 5 June"),
])
def test_numbers_written_in_different_conventions_agree(ar, en):
    assert numbers(check_paragraph(ar, en)) == []


@pytest.mark.parametrize("ar, en", [
    ("بلغ 5 أمتار", "reached 5m"),  # a bare 5m may be metres: it stays 5
])
def test_a_glued_m_without_a_currency_sign_is_not_millions(ar, en):
    assert numbers(check_paragraph(ar, en)) == []


# --- empty --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("english", [None, "", "   \n ", "…", " - "])
def test_missing_or_blank_english_is_a_blocking_error(english):
    findings = check_paragraph(TRADE, english)
    assert [f.as_dict() for f in findings] == [
        {"check": "empty", "severity": "error", "message": "The English is empty"},
    ]
    assert blocking(findings) == findings


def test_blank_english_still_lists_unlinked_entities_but_nothing_else():
    findings = check_paragraph(TRADE, "", QAContext(unlinked_ar_entities=("بوتين",), machine_text="x"))
    assert checks(findings) == ["empty", "unlinked_entity"]


def test_any_english_text_is_not_empty():
    assert "empty" not in checks(check_paragraph(PLAN_TITLE, PLAN_TITLE_EN))


# --- Arabic script in the English ---------------------------------------------------------------


def test_arabic_words_left_in_the_english_block_approval():
    english = TALKS_EN.replace("Moscow.", "موسكو.")
    findings = check_paragraph(TALKS, english)
    assert [f.as_dict() for f in findings] == [{
        "check": "arabic_script", "severity": "error",
        "message": "The English still contains Arabic script: “موسكو”",
    }]
    assert blocking(findings) == findings


def test_an_arabic_gloss_in_parentheses_is_flagged_too():
    english = CICA_EN.replace("Asia, an interstate", "Asia (مؤتمر التفاعل وإجراءات بناء الثقة في آسيا), an interstate")
    assert [f.message for f in check_paragraph(CICA, english) if f.check == "arabic_script"] == [
        "The English still contains Arabic script: “مؤتمر التفاعل وإجراءات بناء الثقة في…”",
    ]


def test_an_untranslated_paragraph_is_quoted_briefly():
    findings = check_paragraph(TRADE, TRADE)
    assert [f.message for f in findings if f.check == "arabic_script"] == [
        "The English still contains Arabic script: “في هذه المقابلة، أعلن فلاديمير بوتين…”",
    ]


def test_many_arabic_passages_are_counted_after_the_first_three():
    english = " / x / ".join(["روسيا", "كازاخستان", "موسكو", "أستانا", "دوشانبي"])
    assert [f.message for f in check_paragraph(TRADE, english) if f.check == "arabic_script"] == [
        "The English still contains Arabic script: “روسيا”, “كازاخستان”, “موسكو” and 2 more",
    ]


def test_six_words_of_a_passage_are_quoted_in_full_and_passages_after_the_third_are_counted():
    six = "مؤتمر التفاعل وإجراءات بناء الثقة آسيا"
    assert [f.message for f in check_paragraph(CICA, f"The forum ({six}) met.") if f.check == "arabic_script"] == [
        f"The English still contains Arabic script: “{six}”",
    ]
    three = " / x / ".join(["روسيا", "كازاخستان", "موسكو"])
    assert [f.message for f in check_paragraph(TRADE, three) if f.check == "arabic_script"] == [
        "The English still contains Arabic script: “روسيا”, “كازاخستان”, “موسكو”",
    ]
    four = " / x / ".join(["روسيا", "كازاخستان", "موسكو", "أستانا"])
    assert [f.message for f in check_paragraph(TRADE, four) if f.check == "arabic_script"] == [
        "The English still contains Arabic script: “روسيا”, “كازاخستان”, “موسكو” and 1 more",
    ]


def test_arabic_indic_digits_and_arabic_punctuation_alone_are_not_arabic_script():
    findings = check_paragraph(PLAN_TITLE, "Central Asian and Russian leaders adopt a joint action plan until ٢٠٢٧؛")
    assert findings == []


# --- unlinked entities ----------------------------------------------------------------------------------


def test_unlinked_arabic_entities_are_one_warning_naming_each_once():
    context = QAContext(unlinked_ar_entities=("فلاديمير بوتين", "كازاخستان", "فلاديمير بوتين"))
    findings = check_paragraph(TRADE, TRADE_EN, context)
    assert [f.as_dict() for f in findings] == [
        {"check": "unlinked_entity", "severity": "warning",
         "message": "2 Arabic entities have no English link: “فلاديمير بوتين”، “كازاخستان”"},
    ]
    assert blocking(findings) == []


def test_a_long_list_of_unlinked_entities_is_cut_short():
    names = tuple(f"اسم{i}" for i in range(8))
    [finding] = check_paragraph(TRADE, TRADE_EN, QAContext(unlinked_ar_entities=names))
    assert finding.message.endswith("“اسم4” and 3 more")


def test_one_unlinked_entity_is_named_alone():
    findings = check_paragraph(TRADE, TRADE_EN, QAContext(unlinked_ar_entities=(" بوتين ", "", "  ")))
    assert [f.message for f in findings] == ["The Arabic entity “بوتين” has no English link"]


def test_five_unlinked_entities_are_all_named_without_a_count():
    names = tuple(f"اسم{i}" for i in range(5))
    [finding] = check_paragraph(TRADE, TRADE_EN, QAContext(unlinked_ar_entities=names))
    assert finding.message == "5 Arabic entities have no English link: “اسم0”، “اسم1”، “اسم2”، “اسم3”، “اسم4”"


def test_no_unlinked_entities_no_warning():
    assert check_paragraph(TRADE, TRADE_EN, QAContext(unlinked_ar_entities=())) == []


# --- glossary ---------------------------------------------------------------------------------------------


def test_a_glossary_term_rendered_as_the_glossary_says_passes():
    context = QAContext(glossary_hits=(("منظمة شنغهاي للتعاون", "Shanghai Cooperation Organisation"),))
    assert check_paragraph(SCO, SCO_EN, context) == []


def test_a_glossary_term_rendered_otherwise_is_a_warning():
    context = QAContext(glossary_hits=(("منظمة شنغهاي للتعاون", "Shanghai Cooperation Organisation"),))
    english = SCO_EN.replace("the Shanghai Cooperation Organisation", "the SCO")
    findings = check_paragraph(SCO, english, context)
    assert [f.as_dict() for f in findings] == [{
        "check": "glossary", "severity": "warning",
        "message": "The glossary renders “منظمة شنغهاي للتعاون” as “Shanghai Cooperation Organisation”, "
                   "which the English does not contain",
    }]


def test_the_glossary_allows_case_possessives_plurals_and_hyphens_but_not_other_spellings():
    putin = QAContext(glossary_hits=(("بوتين", "Putin"),))
    assert check_paragraph(BIRTHDAY, BIRTHDAY_EN, putin) == []  # "Putin's"
    lower = QAContext(glossary_hits=(("رابطة الدول المستقلة", "cis"),))
    assert check_paragraph(BIRTHDAY, BIRTHDAY_EN, lower) == []
    hyphen = QAContext(glossary_hits=(("بناء الثقة", "confidence building"),))
    assert check_paragraph(CICA, CICA_EN, hyphen) == []  # "Confidence-Building"
    plural = QAContext(glossary_hits=(("القمة", "summit"),))
    assert check_paragraph(PROGRAMME, PROGRAMME_EN.replace("the summit", "both summits"), plural) == []
    american = QAContext(glossary_hits=(("منظمة شنغهاي للتعاون", "Shanghai Cooperation Organization"),))
    assert checks(check_paragraph(SCO, SCO_EN, american)) == ["glossary"]
    partial = QAContext(glossary_hits=(("روسيا", "Russia"),))
    assert checks(check_paragraph(PLAN_TITLE, PLAN_TITLE_EN, partial)) == ["glossary"]  # "Russian" is not "Russia"


@pytest.mark.parametrize("english, found", [
    ("Talks with Putin.", True),
    ("Talks with (Putin).", True),
    ("Talks with «Putin».", True),
    ("Talks with _ Putin.", True),  # after an underscore and a space
    ("Talks with xPutin.", False),  # inside a word: letters, digits and underscores join words
    ("Talks with 2Putin.", False),
    ("Talks with _Putin.", False),
])
def test_a_glossary_form_must_start_a_word(english, found):
    context = QAContext(glossary_hits=(("بوتين", "Putin"),))
    assert ("glossary" not in checks(check_paragraph("محادثات مع بوتين", english, context))) is found


def test_a_glossary_pair_listed_twice_is_reported_once_and_a_blank_form_never():
    context = QAContext(glossary_hits=(("بوتين", " Vladimir Putin "), ("بوتين", " Vladimir Putin "), ("موسكو", "  "),
                                       ("موسكو", "Moskva")))
    assert [f.message for f in check_paragraph(TALKS, TALKS_EN, context)] == [
        "The glossary renders “بوتين” as “Vladimir Putin”, which the English does not contain",
        "The glossary renders “موسكو” as “Moskva”, which the English does not contain",
    ]


def test_a_glossary_form_is_found_in_any_case_beside_letters_that_lower_case_to_two():
    """"İ" lower-cases to two characters; the search still finds "VLADIMIR PUTIN" beside it, and "Ürümqi" in any
    case. The form is matched as written, brackets included."""
    putin = QAContext(glossary_hits=(("فلاديمير بوتين", "vladimir putin"), ("المادة 5 مكرر", "Article 5 [bis]")))
    assert check_paragraph("التقى فلاديمير بوتين في إزمير بموجب المادة 5 مكرر",
                           "VLADIMIR PUTIN met in İzmir under ARTICLE 5 [BIS]", putin) == []
    urumqi = QAContext(glossary_hits=(("أورومتشي", "ürümqi"),))
    assert check_paragraph("التقى بوتين في أورومتشي", "PUTIN met in Ürümqi", urumqi) == []


def test_a_glossary_form_is_matched_as_written_underscores_included():
    context = QAContext(glossary_hits=(("الحكومة الإلكترونية", "e_government"),))
    assert check_paragraph("بوابة الحكومة الإلكترونية", "The e_government portal", context) == []


# --- length ratio -------------------------------------------------------------------------------------------


def test_an_english_much_shorter_than_the_arabic_is_a_warning():
    first_sentence = TRADE_EN.split(". ")[0] + "."
    findings = [f for f in check_paragraph(TRADE, first_sentence) if f.check == "length_ratio"]
    assert len(findings) == 1 and findings[0].severity == "warning"
    assert findings[0].message.startswith("The English is 0.3")
    assert findings[0].message.endswith("times as long as the Arabic (expected 0.6–2.5): is a passage missing?")


def test_an_english_much_longer_than_the_arabic_is_a_warning():
    findings = check_paragraph(TALKS, " ".join([TALKS_EN] * 3))
    assert "length_ratio" in checks(findings)
    assert next(f for f in findings if f.check == "length_ratio").message.endswith("was something added or repeated?")


def test_short_headings_and_credits_are_not_judged_by_length():
    assert check_paragraph("المصدر: تاس", "Source: TASS (Russian news agency)") == []
    assert check_paragraph("الخبرة الطبية", "Medical expertise") == []


def test_the_length_ratio_allows_12_characters_beyond_each_limit():
    arabic = "ب" * 100  # 100 counted characters
    def ratio_findings(english_chars: int) -> list[str]:
        return [f.message for f in check_paragraph(arabic, "a" * english_chars) if f.check == "length_ratio"]
    assert ratio_findings(48) == []  # 0.6 × 100 − 12
    assert ratio_findings(47) == ["The English is 0.47 times as long as the Arabic (expected 0.6–2.5): "
                                  "is a passage missing?"]
    assert ratio_findings(262) == []  # 2.5 × 100 + 12
    assert ratio_findings(263) == ["The English is 2.63 times as long as the Arabic (expected 0.6–2.5): "
                                   "was something added or repeated?"]


def test_an_empty_arabic_has_no_length_ratio():
    assert check_paragraph("", "A heading without any Arabic above it, long enough to be judged") == []
    assert check_paragraph(None, "A heading without any Arabic above it, long enough to be judged") == []
    assert check_paragraph("ـ", "A heading without any Arabic above it, long enough to be judged") == []


def test_the_allowed_length_ratio_is_configurable():
    strict = QAContext(length_ratio=(1.5, 3.0))
    assert checks(check_paragraph(TRADE, TRADE_EN, strict)) == ["length_ratio"]


def test_correct_seed_translations_fall_well_inside_the_documented_default_ratio():
    low, high = 0.6, 2.5
    ratios = [len("".join(en.split())) / len("".join(ar.split())) for ar, en in CLEAN_PAIRS.values()]
    assert low * 1.4 < min(ratios) and max(ratios) < high / 1.5


def test_a_heading_shortened_with_an_abbreviation_is_not_judged_by_length():
    heading = seed_paragraph("002", "الهياكل الجديدة")
    assert check_paragraph(heading, "New CIS structures") == []


# --- unchanged machine draft -----------------------------------------------------------------------------


def test_english_identical_to_the_machine_draft_is_information_only():
    findings = check_paragraph(TALKS, TALKS_EN, QAContext(machine_text=TALKS_EN.replace(", ", ",  ") + "\n"))
    assert [f.as_dict() for f in findings] == [{
        "check": "unchanged_mt", "severity": "info", "message": "The English is identical to the machine draft",
    }]
    assert blocking(findings) == []


def test_an_edited_machine_draft_is_not_reported():
    draft = ("That came in the declaration signed after the talks of the two presidents on Friday 10 June 2022 "
             "in Moscow.")
    assert check_paragraph(TALKS, TALKS_EN, QAContext(machine_text=draft)) == []


# --- severities and blocking -------------------------------------------------------------------------


# Each check provoked by a real paragraph pair: (check, severity as documented, does it stop approval).
PROVOKED = {
    "empty": (lambda: check_paragraph(TALKS, "  "), "error", True),
    "arabic_script": (lambda: check_paragraph(TALKS, TALKS_EN.replace("Moscow", "موسكو")), "error", True),
    "numbers": (lambda: check_paragraph(TALKS, TALKS_EN.replace("2022", "2021")), "error", True),
    "glossary": (lambda: check_paragraph(TALKS, TALKS_EN, QAContext(glossary_hits=(("موسكو", "Moskva"),))),
                 "warning", False),
    "unlinked_entity": (lambda: check_paragraph(TALKS, TALKS_EN, QAContext(unlinked_ar_entities=("موسكو",))),
                        "warning", False),
    "length_ratio": (lambda: check_paragraph("المصدر: تاس", "Source: TASS, the Russian state news agency, "
                                                            "which has its headquarters in Moscow"), "warning", False),
    "unchanged_mt": (lambda: check_paragraph(TALKS, TALKS_EN, QAContext(machine_text=TALKS_EN)), "info", False),
}


@pytest.mark.parametrize("check", PROVOKED)
def test_only_errors_stop_approval_and_each_check_has_its_documented_severity(check):
    provoke, severity, blocks = PROVOKED[check]
    findings = provoke()
    assert {(f.check, f.severity) for f in findings} == {(check, severity)}
    assert blocking(findings) == (findings if blocks else [])


def test_blocking_keeps_only_the_errors_of_a_mixed_list():
    context = QAContext(machine_text=None, unlinked_ar_entities=("بوتين",),
                        glossary_hits=(("بوتين", "Vladimir Putin"),))
    english = TRADE_EN.replace("28.2 billion", "28 billion").replace("Vladimir Putin", "بوتين")
    findings = check_paragraph(TRADE, english, context)
    assert [(f.check, f.severity) for f in findings] == [
        ("arabic_script", "error"), ("numbers", "error"), ("numbers", "error"), ("glossary", "warning"),
        ("unlinked_entity", "warning"),
    ]
    assert blocking(findings) == findings[:3]
    assert blocking(reversed(findings)) == findings[2::-1]  # any iterable, order kept
    assert blocking([]) == []
