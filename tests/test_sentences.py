"""User stories for splitting Arabic news paragraphs into sentences (app.services.sentences).

Most examples are sentences from the seed articles; the expected splits are
what a translator would send to machine translation one at a time.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.news_text import parse_news_text
from app.services.sentences import sentence_spans, split_sentences

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ALL_SEEDS = sorted(path.name for path in SEEDS.glob("*.txt"))


def seed_paragraphs(name: str) -> list[str]:
    return [p.text for p in parse_news_text((SEEDS / name).read_bytes()).paragraphs]


def all_seed_paragraphs() -> list[str]:
    return [text for name in ALL_SEEDS for text in seed_paragraphs(name)]


def seed_paragraph(start: str) -> str:
    """The one seed paragraph that starts with start."""
    found = [text for text in all_seed_paragraphs() if text.startswith(start)]
    assert len(found) == 1, f"{len(found)} seed paragraphs start with {start!r}"
    return found[0]


def assert_spans_fit(text: str) -> list[tuple[int, int]]:
    """Check that the spans agree with the sentences, are in order and cover the text."""
    spans = sentence_spans(text)
    assert [text[start:end] for start, end in spans] == split_sentences(text)
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        assert text[position:start].strip() == ""  # only whitespace between
        assert not text[start].isspace() and not text[end - 1].isspace()
        position = end
    assert text[position:].strip() == ""
    return spans


# --- the basics -------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \u00a0\t\r\n "])
def test_empty_or_whitespace_only_text_has_no_sentences(text):
    assert split_sentences(text) == []
    assert sentence_spans(text) == []


def test_text_without_a_terminator_is_one_sentence():
    headline = 'روسيا وتركمانستان تعملان على تطوير التعاون باستخدام إمكانات "الاتحاد الاقتصادي الأوراسي"'
    assert split_sentences(headline) == [headline]
    assert split_sentences("  " + headline + "\u00a0 ") == [headline]


def test_a_single_sentence_with_its_full_stop_stays_whole():
    text = "تشير روسيا الاتحادية وتركمانستان إلى أهمية الخبرة الموجودة للوقاية من الأوبئة."
    assert split_sentences(text) == [text]


def test_arabic_paragraph_is_split_after_each_full_stop():
    paragraph = seed_paragraph("تترأس كازاخستان هذا العام")
    assert split_sentences(paragraph) == [
        "تترأس كازاخستان هذا العام رابطة الدول المستقلة.",
        "كما أشار الممثل الرسمي لوزارة الشؤون الخارجية للجمهورية، أيبك صمادياروف، فإن القمة ستصبح"
        " أحد الأحداث الرئيسية في إطار رئاسة أستانا في هذه المنظمة.",
        "وبحسب معلومات وزارة الخارجية، سيشارك في الحدث، إلى جانب روسيا وكازاخستان، قادة أذربيجان"
        " وأرمينيا وبيلاروسيا وقرغيزستان وتركمانستان وطاجيكستان وأوزبكستان.",
        "كما سيتحدث في الاجتماع رئيس اللجنة التنفيذية، السكرتير التنفيذي لرابطة الدول المستقلة،"
        " سيرغي ليبيديف.",
    ]


def test_last_sentence_without_a_full_stop_is_kept():
    paragraph = seed_paragraph("وانطلقت صيغة الحوار")
    assert split_sentences(paragraph) == [
        "وانطلقت صيغة الحوار بمبادرة من موسكو عام 2019 على مستوى وزراء الخارجية لتبادل وجهات"
        " النظر حول الأجندة الإقليمية والدولية.",
        "وقد تم بالفعل عقد خمسة اجتماعات وزارية",
    ]


def test_arabic_question_mark_and_exclamation_mark_end_sentences():
    text = "هل ستشارك أوكرانيا في القمة؟ لن يكون هناك ممثل لها! وسيتحدث رئيس اللجنة التنفيذية."
    assert split_sentences(text) == [
        "هل ستشارك أوكرانيا في القمة؟",
        "لن يكون هناك ممثل لها!",
        "وسيتحدث رئيس اللجنة التنفيذية.",
    ]


def test_latin_question_mark_ends_a_sentence_too():
    assert split_sentences("هل تنجح القمة? نعم.") == ["هل تنجح القمة?", "نعم."]


def test_arabic_semicolon_ends_a_sentence():
    text = "ارتفعت أسعار المواد الغذائية؛ وتزايدت الضغوط على الخدمات اللوجستية."
    assert split_sentences(text) == [
        "ارتفعت أسعار المواد الغذائية؛",
        "وتزايدت الضغوط على الخدمات اللوجستية.",
    ]


@pytest.mark.parametrize("run", ["؟!", "?!", "!!", "!؟", "..", "...", "…", "!!!"])
def test_runs_of_terminators_stay_with_their_sentence(run):
    text = f"هل هذا ممكن{run} نعم، بالطبع."
    assert split_sentences(text) == [f"هل هذا ممكن{run}", "نعم، بالطبع."]


def test_double_full_stop_in_a_seed_quotation_ends_the_sentence():
    paragraph = seed_paragraph("وقال وزير الخارجية الروسي إن")
    first, second = split_sentences(paragraph)
    assert first.endswith("وإنما في جميع أنحاء آسيا الوسطى..")
    assert second.startswith("المصلحة المتبادلة لبلداننا")


def test_line_breaks_end_sentences_even_without_a_terminator():
    text = "التعاون في قضايا الأمن البيولوجي\nإن روسيا على استعداد للتعاون. وكذلك تركمانستان\r\nالخبرة الطبية"
    assert split_sentences(text) == [
        "التعاون في قضايا الأمن البيولوجي",
        "إن روسيا على استعداد للتعاون.",
        "وكذلك تركمانستان",
        "الخبرة الطبية",
    ]


def test_whitespace_inside_a_sentence_is_kept_and_around_it_is_dropped():
    text = "  قال  الوزير.\u00a0\u00a0 ثم\tغادر.  "
    assert split_sentences(text) == ["قال  الوزير.", "ثم\tغادر."]


# --- quotes and brackets ----------------------------------------------------


@pytest.mark.parametrize(
    "quoted",
    ['"نعم."', "“نعم.”", "«نعم.»", "'نعم.'", "‘نعم.’", "(نعم.)", "[نعم.]", "«حقاً؟»", '"رائع!")'],
)
def test_closing_quotes_and_brackets_stay_with_their_sentence(quoted):
    text = f"قال: {quoted} ثم غادر القاعة."
    assert split_sentences(text) == [f"قال: {quoted}", "ثم غادر القاعة."]


def test_opening_quote_starts_the_next_sentence():
    paragraph = seed_paragraph("هذا واتفق بوتين")
    first, second = split_sentences(paragraph)
    assert first == "هذا واتفق بوتين وبيردي محمدوف على الاجتماع بانتظام مع بعضهما البعض."
    assert second.startswith('"سيجتمع رئيس روسيا الاتحادية')
    assert second.endswith('بين البلدين".')


@pytest.mark.parametrize("after", ["،", ",", ":", "-"])
def test_quote_that_goes_on_after_a_terminator_is_not_split(after):
    text = f'وقال الوزير "انتهى الاجتماع."{after} ثم غادر القاعة.'
    assert split_sentences(text) == [text]


def test_quotation_of_several_sentences_splits_at_its_full_stops():
    paragraph = seed_paragraph("وأكد بوتين أن العلاقات الودية")
    assert split_sentences(paragraph)[:3] == [
        "وأكد بوتين أن العلاقات الودية للغاية حقيقية مع قاسم جومارت توكاييف، رئيس كازاخستان.",
        "قال: هذه العلاقات الودية والوثيقة ليست مفاجئة.",
        "نحن كلانا من نفس الجيل ونشعر بالمسؤولية على قدم المساواة تجاه بلدينا وقد عملنا معًا"
        " ونثق في بعضنا البعض على مدار العقود الماضية.",
    ]


def test_curly_quotation_in_a_seed_paragraph():
    paragraph = seed_paragraph("ووصف بوتين رابطة الدول المستقلة")
    sentences = split_sentences(paragraph)
    assert len(sentences) == 4
    assert sentences[1].startswith("وأوضح: “الصيغة الإقليمية المفيدة الأخرى")
    assert sentences[2] == "واعتبارًا من 1 يناير 2024، ستترأس روسيا هذا المجتمع."


def test_text_glued_after_a_full_stop_stays_one_sentence():
    # Seed 001 has "والتعاون.وقال:" with no space; splitting there would add a
    # space that is not in the text, so it is left alone.
    text = "ولا يجب أن نعمل هنا إلا معًا وعلى أساس الشراكة والتعاون.وقال: “لا توجد طريقة أخرى”."
    assert split_sentences(text) == [text]


def test_terminator_followed_by_something_that_cannot_start_a_sentence_is_not_split():
    # A web separator after the last full stop (the importer removes those at a line's end; the splitter
    # must not make a sentence of one anywhere).
    paragraph = "والاهتمام بالمصالح المتبادلة والمساواة. احترام التنوع الثقافي. | وقال"
    assert split_sentences(paragraph)[-1] == "احترام التنوع الثقافي. | وقال"


# --- numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ارتفع بنسبة 10.2% ليصل إلى مستوى قياسي بلغ 28.2 مليار دولار.",
        "زادت التجارة المتبادلة بنسبة 44.7 بالمائة مقارنة بعام 2020.",
        "بلغ معدل النمو ٣٫٥ بالمائة هذا العام.",
        "بلغ معدل النمو ٣.٥ بالمائة هذا العام.",
        "وصل المؤشر إلى ١٠.٥ نقطة.",
        "ارتفعت الأسعار 1.5% في يونيو.",
        "أطلقت الشركة الإصدار 2.0 من التطبيق.",
        "وقعت الاتفاقية بتاريخ 10.06.2022 في موسكو.",
        "يبدأ الاجتماع عند الساعة 10.30 صباحا.",
        "بلغت الاستثمارات 0.8 مليار دولار، أو 17.7 بالمائة من الإجمالي.",
    ],
)
def test_numbers_with_decimal_points_are_not_split(text):
    assert split_sentences(text) == [text]


@pytest.mark.parametrize("number", ["4", "٤", "2025", "10.30", "1.2"])
def test_sentence_ending_with_a_number_is_split(number):
    text = f"ارتفع التبادل التجاري بنسبة {number}. وقال الرئيس إن ذلك جيد."
    assert split_sentences(text) == [
        f"ارتفع التبادل التجاري بنسبة {number}.",
        "وقال الرئيس إن ذلك جيد.",
    ]


@pytest.mark.parametrize("text", ["بلغ الحجم 3. 5 مليار دولار.", "بلغ الحجم ٣. ٥ مليار دولار."])
def test_full_stop_between_two_numbers_is_not_a_sentence_end(text):
    assert split_sentences(text) == [text]


def test_list_numbers_at_the_start_of_a_line_are_not_sentence_ends():
    text = "البنود:\n1. تعميق التعاون الاقتصادي.\n  2. تطوير حقول النفط والغاز.\n١٠. الطيران المدني"
    assert split_sentences(text) == [
        "البنود:",
        "1. تعميق التعاون الاقتصادي.",
        "2. تطوير حقول النفط والغاز.",
        "١٠. الطيران المدني",
    ]


def test_number_in_the_middle_of_a_line_is_still_a_sentence_end():
    text = "1. البند الأول يخص عام 2022. وقد تم تنفيذه."
    assert split_sentences(text) == ["1. البند الأول يخص عام 2022.", "وقد تم تنفيذه."]


def test_seed_paragraph_full_of_numbers_splits_only_between_sentences():
    paragraph = seed_paragraph("وأردف في هذا الجانب")
    assert split_sentences(paragraph) == [
        'وأردف في هذا الجانب: "على الرغم من الصعوبات الموضوعية، في عام 2021، زادت التجارة'
        " المتبادلة بنسبة 44.7 بالمائة مقارنة بعام 2020 وبلغت أكثر من 1.2 مليار دولار.",
        "وفي الفترة من يناير/كانون الثاني إلى ابريل/نيسان 2022، تم تسجيل نموها بنسبة 15.7"
        ' بالمائة مقارنة بالفترة نفسها من عام 2021 - لتصل إلى 408.8 مليون دولاراً أمريكيا".',
    ]


# --- abbreviations ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "التقى د. أحمد زويل بالوزير.",
        "حضر م. علي حسن الاجتماع.",
        "انظر ص. 15 من التقرير.",
        "ورد ذلك في ج. 2 من الكتاب.",
        "بني المعبد عام 1500 ق.م. على ضفاف النيل.",
        "ألقى أ. محمد كلمة الافتتاح.",
        "ألقى أ.د. سامي كلمة الافتتاح.",
        "للاستفسار ت. 0123456 أو ص.ب. 1234 في القاهرة.",
        "توفي عام 1443 هـ. في المدينة.",
        "التقى دُ. أحمد بالوزير.",
        "وصل الوفد الساعة 3 ب.ظ وغادر مساء.",
    ],
)
def test_arabic_abbreviations_are_not_split(text):
    assert split_sentences(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met Dr. Jones in the U.S. last week.",
        "Leaders discussed energy, e.g. Oil and gas.",
        "The talks, i.e. The summit, ended.",
        "V. Putin and J. Smith met in Astana.",
        "التقى الرئيس V. Putin بنظيره في أستانا.",
        "Prof. Ivanov spoke at the summit on Jan. 5.",
    ],
)
def test_latin_abbreviations_and_initials_are_not_split(text):
    assert split_sentences(text) == [text]


# The abbreviations the rule is for, written out here (not read from the module's ABBREVIATIONS).
DOCUMENTED_ABBREVIATIONS = [
    # Latin titles, always followed by a name.
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Col", "Lt", "Maj", "Sgt", "Capt", "Adm",
    "Gov", "Sen", "Rep", "Rev", "Hon", "Amb", "Pres",
    # Latin words followed by a number or a date.
    "No", "Nos", "Vol", "Fig", "pp", "ca", "approx", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug",
    "Sep", "Sept", "Oct", "Nov", "Dec",
    # Latin words inside a sentence.
    "vs", "cf", "al", "viz",
    # Latin initials.
    "e.g", "i.e", "U.S", "U.K", "U.N", "a.m", "p.m", "V",
    # Arabic initials: doctor, engineer or AD, page, volume or pound, professor, died or telephone, AH,
    # BC, professor doctor, PO box, p.m., a.m.
    "د", "م", "ص", "ج", "أ", "ت", "هـ", "ق.م", "أ.د", "ص.ب", "ب.ظ", "ق.ظ",
]


@pytest.mark.parametrize("abbreviation", DOCUMENTED_ABBREVIATIONS)
def test_every_listed_abbreviation_is_not_a_sentence_end(abbreviation):
    text = f"ذكر {abbreviation}. Ahmed ذلك أمس."
    assert split_sentences(text) == [text]


def test_etc_ends_a_sentence_only_before_a_capital():
    assert split_sentences("Oil, gas, grain etc. and other goods.") == [
        "Oil, gas, grain etc. and other goods."
    ]
    assert split_sentences("Oil, gas, grain etc. The trade grew.") == [
        "Oil, gas, grain etc.",
        "The trade grew.",
    ]


def test_ordinary_words_before_a_full_stop_still_end_sentences():
    text = "قال المتحدث Ned Price. وأضاف أن القمة ناجحة. The talks ended."
    assert split_sentences(text) == [
        "قال المتحدث Ned Price.",
        "وأضاف أن القمة ناجحة.",
        "The talks ended.",
    ]


# --- URLs, e-mail, mixed text -----------------------------------------------


def test_urls_emails_and_domains_are_not_split():
    text = (
        "المصدر: tass.ru والموقع www.example.com/a.b والرابط https://kremlin.ru/events/1.html"
        " والبريد press.office@mid.ru للاستفسار."
    )
    assert split_sentences(text) == [text]


def test_domain_at_the_end_of_a_sentence_is_split_after_its_full_stop():
    assert split_sentences("نقلت الخبر وكالة tass.ru. ثم نشرته الصحف.") == [
        "نقلت الخبر وكالة tass.ru.",
        "ثم نشرته الصحف.",
    ]


def test_mixed_arabic_and_latin_paragraph():
    text = (
        "ونقلت وكالة KazInform، الشريك الإعلامي لشبكة TV BRICS، التصريحات. "
        "وقال Mr. Smith: “Yes, we agree.” ثم غادر القاعة! Oil prices rose 1.5% today."
    )
    assert split_sentences(text) == [
        "ونقلت وكالة KazInform، الشريك الإعلامي لشبكة TV BRICS، التصريحات.",
        "وقال Mr. Smith: “Yes, we agree.”",
        "ثم غادر القاعة!",
        "Oil prices rose 1.5% today.",
    ]


def test_lowercase_latin_after_a_terminator_does_not_start_a_sentence():
    assert split_sentences("He said... and left.") == ["He said... and left."]


# --- spans ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "جملة واحدة",
        "  قال: \"نعم.\"  ثم غادر؟!\u00a0«حقاً»\n\n1. البند\r\nالأخير. ",
        "وقال الرئيس الروسي: أود أن أشير. وفي العام الماضي، ارتفع بنسبة 10.2%. ",
        "\tالتقى د. أحمد في tass.ru. ثم\u2028عاد؛ وانتهى…",
    ],
)
def test_spans_match_the_sentences_and_exclude_whitespace(text):
    assert_spans_fit(text)


def test_span_positions_are_python_string_indexes():
    text = " أ. ب؟ نعم. "
    assert sentence_spans(text) == [(1, 6), (7, 11)]
    assert split_sentences(text) == ["أ. ب؟", "نعم."]


def test_joining_sentences_with_spaces_gives_back_the_text():
    for text in all_seed_paragraphs() + ["  قال:  «نعم.»\n\nثم   غادر؟! و1.5% "]:
        joined = " ".join(split_sentences(text))
        assert joined.split() == text.split()


# --- every seed paragraph ---------------------------------------------------

_NUMBER_WITH_POINT = re.compile(r"\d[.,٫]\d")


@pytest.mark.parametrize("name", ALL_SEEDS)
def test_seed_paragraphs_split_into_ordered_spans_that_cover_the_text(name):
    for text in seed_paragraphs(name):
        spans = assert_spans_fit(text)
        sentences = [text[start:end] for start, end in spans]
        for sentence, following in zip(sentences, sentences[1:]):
            assert not (re.search(r"\d\.$", sentence) and following[0].isdecimal()), (
                sentence,
                following,
            )
        for number in _NUMBER_WITH_POINT.finditer(text):
            assert any(start <= number.start() and number.end() <= end for start, end in spans)


def test_seed_articles_give_more_sentences_than_paragraphs():
    for name in ALL_SEEDS:
        paragraphs = seed_paragraphs(name)
        count = sum(len(split_sentences(text)) for text in paragraphs)
        assert len(paragraphs) < count < 3 * len(paragraphs), (name, count)


# --- offline and fast -------------------------------------------------------


def test_splitter_imports_nothing_heavy():
    module = Path(__file__).resolve().parents[1] / "app" / "services" / "sentences.py"
    if "mutmut" in module.read_text(encoding="utf-8"):
        pytest.skip("a mutated copy (make mutation) imports mutmut's own runtime")
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('sentences', {str(module)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "heavy = {'flask', 'sqlalchemy', 'argostranslate', 'ctranslate2', 'torch', 'stanza',"
        " 'sentencepiece', 'requests', 'urllib.request', 'socket'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_splitting_seed_paragraphs_gives_the_same_answer_every_time():
    paragraphs = all_seed_paragraphs()
    sentences = [split_sentences(text) for text in paragraphs]
    spans = [sentence_spans(text) for text in paragraphs]
    for _ in range(3):
        assert [split_sentences(text) for text in paragraphs] == sentences
        assert [sentence_spans(text) for text in paragraphs] == spans


def test_a_word_longer_than_any_abbreviation_before_a_full_stop_ends_the_sentence():
    text = "They sang Supercalifragilisticexpialidocious. Then they left."
    assert split_sentences(text) == ["They sang Supercalifragilisticexpialidocious.", "Then they left."]


@pytest.mark.parametrize("text", [
    "He met (Dr. Jones) in Cairo. Then he left.",
    "قال «د. أحمد» إن المحادثات انتهت. ثم غادر.",
    "The aide (“Gen. Ivanov”) spoke. Then he left.",
])
def test_an_abbreviation_after_an_opening_bracket_or_quote_is_still_an_abbreviation(text):
    first, second = split_sentences(text)
    assert second.startswith(("Then", "ثم"))
